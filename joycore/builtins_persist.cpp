// builtins_persist.cpp - persistence words: SQL from Joy, sessions of
// definitions, the persistent heap and worlds. They reach the database only
// through the host's joy::Store (store.h), and need CAP_STORE.
//
//   "SELECT name FROM t WHERE id = ?" [7] query   -> [{name: "x"}]
//   "DELETE FROM t" [] exec                        -> rows changed
//   [1 2 3] "xs" persist.   "xs" recall first      -> 1
//   "draft" session.  "v1" snapshot.  "v1" restore.
#include "dict.h"
#include "interp.h"
#include "store.h"

namespace joy {
namespace {

Store& store_of(Interp& I, const char* word) {
    I.require(CAP_STORE, word);
    Store* s = I.host ? I.host->store() : nullptr;
    if (!s) I.error(std::string("a database needed for ") + word);
    return *s;
}

std::string string_arg(Interp& I, int k, const char* word, const char* what = "string") {
    const Value& v = I.peek(size_t(k));
    if (v.tag == T_STRING) return std::string(v.u.str->view());
    if (v.tag == T_USRDEF) return v.u.sym->name;
    static const char* pos[] = {"top", "second", "third"};
    I.type_error((std::string(what) + " as " + pos[k] + " parameter").c_str(), word);
}

Value string_list(const std::vector<std::string>& items) {
    ListBuilder b;
    for (const std::string& s : items) b.push(make_string(s));
    return b.take();
}

// The design's connection handle: `db` pushes it, the db-* words take it.
struct DbHandle : Object {
    DbHandle() { account(sizeof(DbHandle)); }
    ~DbHandle() override { unaccount(sizeof(DbHandle)); }
    const char* kind() const override { return "db"; }
};

void check_handle(Interp& I, int k, const char* word) {
    const Value& v = I.peek(size_t(k));
    if (v.tag != T_HANDLE || std::string_view(v.u.obj->kind()) != "db") {
        static const char* pos[] = {"top", "second", "third"};
        I.type_error((std::string("db handle as ") + pos[k] + " parameter").c_str(), word);
    }
}

// ---- Level 1: SQL ----

void sql_words(Interp& I, bool with_handle, bool is_query, const char* word) {
    Store& s = store_of(I, word);
    I.need(with_handle ? 3 : 2, word);
    if (I.peek(0).tag != T_LIST) I.type_error("list of parameters as top parameter", word);
    std::string sql = string_arg(I, 1, word, "SQL string");
    if (with_handle) check_handle(I, 2, word);
    Value params = I.pop();
    I.pop();
    if (with_handle) I.pop();
    if (is_query) I.push(s.query(sql, params));
    else I.push(Value::integer(s.exec(sql, params)));
}
void do_query(Interp& I) { sql_words(I, false, true, "query"); }
void do_exec(Interp& I) { sql_words(I, false, false, "exec"); }
void do_db_query(Interp& I) { sql_words(I, true, true, "db-query"); }
void do_db_exec(Interp& I) { sql_words(I, true, false, "db-exec"); }

void do_db(Interp& I) {
    store_of(I, "db");
    I.push(Value::adopt_obj(T_HANDLE, new DbHandle()));
}

template <void (Store::*Op)()>
void handle_op(Interp& I, const char* word) {
    Store& s = store_of(I, word);
    I.need(1, word);
    check_handle(I, 0, word);
    I.pop();
    (s.*Op)();
}
void do_db_begin(Interp& I) { handle_op<&Store::savepoint_begin>(I, "db-begin"); }
void do_db_commit(Interp& I) { handle_op<&Store::savepoint_commit>(I, "db-commit"); }
void do_db_rollback(Interp& I) {  // definitions written since db-begin are gone
    handle_op<&Store::savepoint_rollback>(I, "db-rollback");
    I.host->refresh_definitions(I);
}

template <int64_t (Store::*Op)()>
void handle_count(Interp& I, const char* word) {
    Store& s = store_of(I, word);
    I.need(1, word);
    check_handle(I, 0, word);
    I.top() = Value::integer((s.*Op)());
}
void do_db_last_id(Interp& I) { handle_count<&Store::last_insert_id>(I, "db-last-id"); }
void do_db_changes(Interp& I) { handle_count<&Store::changes>(I, "db-changes"); }

// ---- Level 4: the heap ----

void do_persist(Interp& I) {  // X "name" ->
    Store& s = store_of(I, "persist");
    I.need(2, "persist");
    std::string name = string_arg(I, 0, "persist", "name");
    s.persist(name, I.peek(1));
    I.drop(2);
}

void do_recall(Interp& I) {  // "name" -> X
    Store& s = store_of(I, "recall");
    I.need(1, "recall");
    std::string name = string_arg(I, 0, "recall", "name");
    Value v;
    if (!s.recall(name, v)) I.error("no persisted value named \"" + name + "\" for recall");
    I.top() = std::move(v);
}

void do_roots(Interp& I) { I.push(string_list(store_of(I, "roots").roots())); }

void do_forget(Interp& I) {  // "name" ->
    Store& s = store_of(I, "forget");
    I.need(1, "forget");
    std::string name = string_arg(I, 0, "forget", "name");
    s.forget(name);
    I.pop();
}

// ---- Level 3: sessions ----

void one_name(Interp& I, const char* word, void (Store::*op)(std::string_view)) {
    Store& s = store_of(I, word);
    I.need(1, word);
    std::string name = string_arg(I, 0, word, "name");
    (s.*op)(name);
    I.pop();
    I.host->refresh_definitions(I);
}
void do_session(Interp& I) { one_name(I, "session", &Store::set_session); }
void do_snapshot(Interp& I) { one_name(I, "snapshot", &Store::snapshot); }
void do_restore(Interp& I) { one_name(I, "restore", &Store::restore); }

void do_snapshots(Interp& I) { I.push(string_list(store_of(I, "snapshots").snapshots())); }
void do_sessions(Interp& I) { I.push(string_list(store_of(I, "sessions").sessions())); }
void do_current_session(Interp& I) { I.push(make_string(store_of(I, "current-session").session())); }

void do_session_diff(Interp& I) {  // "other" -> {added: [..], modified: [..], removed: [..]}
    Store& s = store_of(I, "session-diff");
    I.need(1, "session-diff");
    std::string other = string_arg(I, 0, "session-diff", "session name");
    std::vector<std::string> added, modified, removed;
    s.session_diff(other, added, modified, removed);
    Dict* d = Dict::create();
    Value out = Value::adopt_dict(d);
    d->put(make_string("added"), string_list(added));
    d->put(make_string("modified"), string_list(modified));
    d->put(make_string("removed"), string_list(removed));
    I.top() = std::move(out);
}

void do_session_merge(Interp& I) {  // "other" ->
    Store& s = store_of(I, "session-merge");
    I.need(1, "session-merge");
    std::string other = string_arg(I, 0, "session-merge", "session name");
    std::vector<std::string> conflicts = s.session_merge(other);
    if (!conflicts.empty()) {
        std::string names;
        for (const std::string& c : conflicts) names += (names.empty() ? "" : " ") + c;
        I.error("session-merge of " + other + " conflicts on: " + names);
    }
    I.pop();
    I.host->refresh_definitions(I);
}

void do_session_take(Interp& I) {  // "other" "word" ->
    Store& s = store_of(I, "session-take");
    I.need(2, "session-take");
    std::string word = string_arg(I, 0, "session-take", "word name");
    std::string other = string_arg(I, 1, "session-take", "session name");
    s.session_take(other, word);
    I.drop(2);
    I.host->refresh_definitions(I);
}

void do_session_keep(Interp& I) {  // [words] ->
    Store& s = store_of(I, "session-keep");
    I.need(1, "session-keep");
    if (I.top().tag != T_LIST) I.type_error("list of words as top parameter", "session-keep");
    std::vector<std::string> words;
    for (Cell* c = I.top().u.list; c; c = tail(c)) {
        const Value& w = head(c);
        if (w.tag == T_STRING) words.emplace_back(w.u.str->view());
        else if (w.tag == T_USRDEF) words.push_back(w.u.sym->name);
        else I.type_error("list of words as top parameter", "session-keep");
    }
    s.session_keep(words);
    I.pop();
    I.host->refresh_definitions(I);
}

void do_session_delete(Interp& I) { one_name(I, "session-delete", &Store::session_delete); }

// ---- worlds ----

// Opening a world brings back where it was left: its definitions and
// roots, and the stack world-save kept (which replaces the stack of the
// world left). A world never saved with world-save, or whose root
// "world-stack" was forgotten, leaves the stack as it is.
void do_world_open(Interp& I) {  // "path" ->
    I.require(CAP_STORE, "world-open");
    I.need(1, "world-open");
    std::string path = string_arg(I, 0, "world-open", "file name");
    I.host->open_world(I, path);
    I.pop();
    Value saved;
    if (!store_of(I, "world-open").recall("world-stack", saved)) return;
    if (saved.tag != T_LIST) I.error("the root world-stack of " + path + " is not a list");
    std::vector<Value> items;  // top first
    for (Cell* c = saved.u.list; c; c = tail(c)) items.push_back(head(c));
    I.stk.clear();
    for (size_t k = items.size(); k-- > 0;) I.push(std::move(items[k]));
}

void do_world_close(Interp& I) {
    I.require(CAP_STORE, "world-close");
    I.host->close_world(I);
}

// Definitions and roots are written through as they happen; world-save
// also keeps the stack, as the root "world-stack".
void do_world_save(Interp& I) {
    Store& s = store_of(I, "world-save");
    ListBuilder b;
    for (size_t k = I.stk.size(); k-- > 0;) b.push(I.stk[k]);
    s.persist("world-stack", b.take());
}

void do_world_checkpoint(Interp& I) { store_of(I, "world-checkpoint").checkpoint(); }

void do_world_path(Interp& I) { I.push(make_string(store_of(I, "world-path").path())); }

void do_session_close(Interp& I) {
    Store& s = store_of(I, "session-close");
    if (!s.path().empty() && I.host) {
        I.host->close_world(I);
        return;
    }
    s.set_session("main");
    I.host->refresh_definitions(I);
}

const Builtin table[] = {
    {"query", do_query, "\"sql\" [params] -> [rows]"},
    {"exec", do_exec, "\"sql\" [params] -> changes"},
    {"db", do_db, "-> db"},
    {"db-query", do_db_query, "db \"sql\" [params] -> [rows]"},
    {"db-exec", do_db_exec, "db \"sql\" [params] -> changes"},
    {"db-begin", do_db_begin, "db ->"},
    {"db-commit", do_db_commit, "db ->"},
    {"db-rollback", do_db_rollback, "db ->"},
    {"db-last-id", do_db_last_id, "db -> I"},
    {"db-changes", do_db_changes, "db -> I"},
    {"persist", do_persist, "X \"name\" ->"},
    {"recall", do_recall, "\"name\" -> X"},
    {"roots", do_roots, "-> [names]"},
    {"forget", do_forget, "\"name\" ->"},
    {"session", do_session, "\"name\" ->"},
    {"current-session", do_current_session, "-> \"name\""},
    {"sessions", do_sessions, "-> [names]"},
    {"snapshot", do_snapshot, "\"name\" ->"},
    {"restore", do_restore, "\"name\" ->"},
    {"snapshots", do_snapshots, "-> [names]"},
    {"session-diff", do_session_diff, "\"other\" -> {added: [..], modified: [..], removed: [..]}"},
    {"session-merge", do_session_merge, "\"other\" ->"},
    {"session-take", do_session_take, "\"other\" \"word\" ->"},
    {"session-keep", do_session_keep, "[words] ->"},
    {"session-delete", do_session_delete, "\"name\" ->"},
    {"session-close", do_session_close, "->"},
    {"session-open", do_world_open, "\"path\" ->"},
    {"session-save", do_world_checkpoint, "->"},
    {"world-open", do_world_open, "\"path\" ->"},
    {"persist-open", do_world_open, "\"path\" ->"},
    {"world-close", do_world_close, "->"},
    {"persist-close", do_world_close, "->"},
    {"world-save", do_world_save, "->"},
    {"world-checkpoint", do_world_checkpoint, "->"},
    {"world-path", do_world_path, "-> \"path\""},
};

}  // namespace

BuiltinTable persist_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
