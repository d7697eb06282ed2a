// sqlite_store.cpp - the SQLite implementation of joy::Store.
#include "sqlite_store.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <ctime>
#include <unordered_set>

#include "../joycore/dict.h"
#include "../joycore/interp.h"
#include "../joycore/json.h"
#include "../joycore/printer.h"
#include "schema.h"

SQLITE_EXTENSION_INIT3

namespace joyext {

using joy::Cell;
using joy::Value;

namespace {

enum NodeKind { ROOT = 0, CELL = 1, ENTRY = 2 };

// Element types stored in joy_nodes.type (Joy's typeof codes where Joy1 has
// one, so SQL readers see familiar numbers).
enum NodeType {
    NT_USRDEF = 2, NT_BUILTIN = 3, NT_BOOL = 4, NT_CHAR = 5, NT_INT = 6, NT_SET = 7,
    NT_STRING = 8, NT_LIST = 9, NT_FLOAT = 10, NT_NIL = 20, NT_DICT = 21,
};

int64_t now() { return int64_t(std::time(nullptr)); }

}  // namespace

// Supplies the cells of a recalled list from joy_nodes, one row per cell.
class NodeSource : public joy::LazySource {
public:
    NodeSource(std::weak_ptr<SqliteStore*> s, int64_t depth)
        : store_(std::move(s)), depth_(depth) {
        if (auto p = store_.lock()) (*p)->sources_.insert(this);
    }
    ~NodeSource() override {
        if (auto p = store_.lock()) (*p)->sources_.erase(this);
    }
    bool belongs_to(const SqliteStore* s) const {
        auto p = store_.lock();
        return p && *p == s;
    }
    const char* kind() const override { return "persisted list"; }
    // How deep in lists this list was found (0: recalled itself).
    int64_t depth() const { return depth_; }
    void force(Cell* stub, int64_t node) override {
        auto s = store_.lock();
        if (!s) throw joy::JoyError("run time error: the database of a recalled list is closed");
        (*s)->force(stub, node, this);
        auto read = waiting_.find(node);
        if (read != waiting_.end()) waiting_.erase(read);
    }
    // The rows of this source's stubs not read yet: the program holds
    // them, so GC keeps what they reach.
    const std::unordered_multiset<int64_t>& waiting() const { return waiting_; }
    // The cells of one list are read in order, each once.
    CycleCheck cycle;
    // A new stub for `node` sharing this source.
    Cell* stub(int64_t node) {
        Cell* c = joy::alloc_cell();
        c->stub = 1;
        new (&c->head_) Value(Value::integer(node));
        ++rc;
        c->tail_ = reinterpret_cast<Cell*>(this);
        waiting_.insert(node);
        return c;
    }

private:
    std::weak_ptr<SqliteStore*> store_;
    std::unordered_multiset<int64_t> waiting_;
    int64_t depth_;
};

SqliteStore::SqliteStore(sqlite3* db) : db_(db), self_(std::make_shared<SqliteStore*>(this)) {
    const char* file = sqlite3_db_filename(db_, "main");
    main_in_memory_ = !file || !*file;
    seal_.install(db_);
}

SqliteStore::~SqliteStore() {
    release_statements();
    seal_.uninstall();
}

void SqliteStore::release_statements() {
    ++collection_generation_;
    for (auto* cache : {&stmts_, &user_stmts_, &collection_stmts_}) {
        if (cache->empty()) continue;
        for (auto& [sql, st] : *cache) sqlite3_finalize(st);
        cache->clear();
    }
}

void SqliteStore::release_idle_statements() {
    if (stmts_.empty() && user_stmts_.empty() && collection_stmts_.empty()) return;
    ++collection_generation_;
    for (auto* cache : {&stmts_, &user_stmts_, &collection_stmts_})
        for (auto it = cache->begin(); it != cache->end();) {
            if (sqlite3_stmt_busy(it->second)) {
                ++it;
                continue;
            }
            sqlite3_finalize(it->second);
            it = cache->erase(it);
        }
}

// Texts that name a collection's table are as many as the tables used, so
// this cache is bounded; its statements are never left running, so
// dropping them all is safe.
sqlite3_stmt* SqliteStore::prepare_collection(std::string_view sql) {
    if (in_call_ && !call_savepoint_ && !call_checked_) check_free_standing();
    if (sqlite3_stmt* hit = cached(collection_stmts_, sql)) return hit;
    sqlite3_stmt* st = compile_sql(sql, nullptr);
    if (collection_stmts_.size() >= 256) {
        ++collection_generation_;
        for (auto& [text, old] : collection_stmts_) sqlite3_finalize(old);
        collection_stmts_.clear();
    }
    collection_stmts_.emplace(std::string(sql), st);
    return st;
}

void SqliteStore::fail(const std::string& what) { throw sql_error(what); }

joy::JoyError SqliteStore::sql_error(const std::string& what) {
    int code = sqlite3_errcode(db_) & 0xff;
    if ((code == SQLITE_AUTH || code == SQLITE_INTERRUPT) && !seal_.refusal().empty())
        return joy::JoyError("run time error: " + seal_.refusal());
    std::string msg = "run time error: " + what + ": " + sqlite3_errmsg(db_);
    if ((sqlite3_errcode(db_) & 0xff) == SQLITE_BUSY && sqlite3_txn_state(db_, nullptr) == SQLITE_TXN_READ) {
        // A transaction that has read cannot wait for the write lock.
        if (in_call_ && free_standing_) write_conflict_ = true;
        else msg += " (this transaction read before writing while another connection wrote: "
                    "begin it with BEGIN IMMEDIATE)";
    }
    return joy::JoyError(msg);
}

// The statement for `sql` from `cache`, reset and unbound, or null.
sqlite3_stmt* SqliteStore::cached(StatementCache& cache, std::string_view sql) {
    auto it = cache.find(std::string(sql));
    if (it == cache.end()) return nullptr;
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
}

// Prepares the first statement of `sql`; `tail` (if given) gets the rest.
sqlite3_stmt* SqliteStore::compile_sql(std::string_view sql, const char** tail) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, tail) != SQLITE_OK)
        throw sql_error("SQL error");
    if (!st) throw joy::JoyError("run time error: SQL error: empty statement");
    return st;
}

sqlite3_stmt* SqliteStore::prepare(std::string_view sql) {
    if (in_call_ && !call_savepoint_ && !call_checked_) check_free_standing();
    if (sqlite3_stmt* hit = cached(stmts_, sql)) return hit;
    sqlite3_stmt* st = compile_sql(sql, nullptr);
    stmts_.emplace(std::string(sql), st);
    return st;
}

namespace {
// Whether `sql` holds nothing but white space, semicolons and comments.
bool only_blank_sql(std::string_view sql) {
    for (size_t k = 0; k < sql.size(); ++k) {
        char c = sql[k];
        if (c == ';' || std::isspace((unsigned char)c)) continue;
        if (sql.substr(k, 2) == "--") {
            k = sql.find('\n', k);
            if (k == std::string_view::npos) return true;
            continue;
        }
        if (sql.substr(k, 2) == "/*") {
            k = sql.find("*/", k + 2);
            if (k == std::string_view::npos) return true;
            ++k;
            continue;
        }
        return false;
    }
    return true;
}
}  // namespace

// Only one user statement runs at a time (query and exec step theirs to
// the end before returning), so dropping the others when the cache is full
// never finalizes a running one.
sqlite3_stmt* SqliteStore::prepare_user(std::string_view sql, const char* word) {
    if (in_call_ && !call_savepoint_ && !call_checked_) check_free_standing();
    if (sqlite3_stmt* hit = cached(user_stmts_, sql)) return hit;
    const char* tail = nullptr;
    sqlite3_stmt* st = nullptr;
    {
        SqlSeal::Scope sealed(seal_, interp_, files_allowed());
        st = compile_sql(sql, &tail);
        std::string refusal = seal_.check_prepared();
        if (!refusal.empty()) {
            sqlite3_finalize(st);
            throw joy::JoyError("run time error: " + refusal);
        }
    }
    if (!only_blank_sql(std::string_view(tail, size_t(sql.data() + sql.size() - tail)))) {
        sqlite3_finalize(st);
        throw joy::JoyError(std::string("run time error: a single SQL statement needed for ") + word);
    }
    if (user_stmts_.size() >= 64) {
        for (auto& [text, old] : user_stmts_) sqlite3_finalize(old);
        user_stmts_.clear();
    }
    user_stmts_.emplace(std::string(sql), st);
    return st;
}

// A statement that writes may have written the Joy tables (definitions,
// strings). (Transaction control, which could undo them, is sealed off.)
void SqliteStore::after_user_statement(sqlite3_stmt* st) {
    if (!sqlite3_stmt_readonly(st)) forget_caches();
}

void SqliteStore::step_done(sqlite3_stmt* st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail("database error");
}

// ---- values across the boundary ----

void SqliteStore::bind_value(sqlite3_stmt* st, int i, const Value& v) {
    switch (v.tag) {
    case joy::T_NIL: sqlite3_bind_null(st, i); break;
    case joy::T_BOOL: case joy::T_INT: sqlite3_bind_int64(st, i, v.u.i); break;
    case joy::T_FLOAT: sqlite3_bind_double(st, i, v.u.f); break;
    case joy::T_CHAR: {
        char c = char(v.u.i);
        sqlite3_bind_text(st, i, &c, 1, SQLITE_TRANSIENT);
        break;
    }
    case joy::T_STRING: sqlite3_bind_text(st, i, v.u.str->data, int(v.u.str->len), SQLITE_TRANSIENT); break;
    case joy::T_USRDEF: sqlite3_bind_text(st, i, v.u.sym->name.c_str(), -1, SQLITE_TRANSIENT); break;
    case joy::T_BUILTIN: sqlite3_bind_text(st, i, v.u.bi->name, -1, SQLITE_TRANSIENT); break;
    case joy::T_LIST: case joy::T_DICT: {
        std::string text;
        try {
            text = joy::json_write(v);
        } catch (const joy::NoJsonForm&) {
            joy::print_value(text, v, true);
        }
        sqlite3_bind_text(st, i, text.data(), int(text.size()), SQLITE_TRANSIENT);
        break;
    }
    default: {
        std::string text;
        joy::print_value(text, v, true);
        sqlite3_bind_text(st, i, text.data(), int(text.size()), SQLITE_TRANSIENT);
        break;
    }
    }
}

Value SqliteStore::column_value(sqlite3_stmt* st, int i) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return Value::integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return Value::flt(sqlite3_column_double(st, i));
    case SQLITE_NULL: return Value::nil();
    case SQLITE_BLOB: {
        const void* p = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i);
        return joy::make_string(std::string_view(static_cast<const char*>(p), size_t(n)));
    }
    default: {
        const unsigned char* p = sqlite3_column_text(st, i);
        int n = sqlite3_column_bytes(st, i);
        return joy::make_string(std::string_view(reinterpret_cast<const char*>(p), size_t(n)));
    }
    }
}

namespace {
// Resets a statement however its run ends (an error of SQLite's, or the
// memory limit while building a row), so it is never left busy.
class RunningStatement {
public:
    explicit RunningStatement(sqlite3_stmt* st) : st_(st) {}
    ~RunningStatement() { sqlite3_reset(st_); }
    RunningStatement(const RunningStatement&) = delete;
    RunningStatement& operator=(const RunningStatement&) = delete;

private:
    sqlite3_stmt* st_;
};

void bind_params(sqlite3* db, sqlite3_stmt* st, const Value& params) {
    if (params.tag != joy::T_LIST) throw joy::JoyError("run time error: list of parameters needed for query");
    int i = 0;
    int n = sqlite3_bind_parameter_count(st);
    for (Cell* c = params.u.list; c; c = joy::tail(c)) {
        if (++i > n) throw joy::JoyError("run time error: too many parameters for the SQL statement");
        SqliteStore::bind_value(st, i, joy::head(c));
    }
    (void)db;
}
}  // namespace

// Statements from Joy are prepared once per text and kept (they are the
// user's, so they live in their own cache slot and are reset after use).
Value SqliteStore::query(std::string_view sql, const Value& params) {
    sqlite3_stmt* st = prepare_user(sql, "query");
    if (!sqlite3_stmt_readonly(st)) before_write();  // INSERT ... RETURNING
    bind_params(db_, st, params);
    joy::ListBuilder rows;
    int ncol = sqlite3_column_count(st);
    std::vector<Value> names;
    for (int k = 0; k < ncol; ++k) names.push_back(joy::make_string(sqlite3_column_name(st, k)));
    {
        RunningStatement running(st);
        SqlSeal::Scope sealed(seal_, interp_, files_allowed());
        for (;;) {
            int rc = sqlite3_step(st);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) throw sql_error("SQL error");
            Value row = Value::adopt_dict(joy::Dict::create());
            for (int k = 0; k < ncol; ++k) row.u.dict->put(names[k], column_value(st, k));
            rows.push(std::move(row));
        }
    }
    after_user_statement(st);
    return rows.take();
}

int64_t SqliteStore::exec(std::string_view sql, const Value& params) {
    int64_t before = sqlite3_total_changes64(db_);
    sqlite3_stmt* st = prepare_user(sql, "exec");
    if (!sqlite3_stmt_readonly(st)) before_write();
    bind_params(db_, st, params);
    {
        RunningStatement running(st);
        SqlSeal::Scope sealed(seal_, interp_, files_allowed());
        for (;;) {
            int rc = sqlite3_step(st);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) throw sql_error("SQL error");
        }
    }
    after_user_statement(st);
    return sqlite3_total_changes64(db_) - before;
}

// db-begin / db-commit / db-rollback nest as savepoints, since a statement
// (the caller's SELECT) may already be running.
void SqliteStore::savepoint_begin() {
    before_write();
    if (sqlite3_exec(db_, "SAVEPOINT joy_user", nullptr, nullptr, nullptr) != SQLITE_OK) fail("db-begin");
    ++savepoint_depth_;
}

void SqliteStore::savepoint_commit() {
    if (savepoint_depth_ == 0) throw joy::JoyError("run time error: db-begin needed before db-commit");
    if (sqlite3_exec(db_, "RELEASE joy_user", nullptr, nullptr, nullptr) != SQLITE_OK) fail("db-commit");
    --savepoint_depth_;
}

void SqliteStore::savepoint_rollback() {
    if (savepoint_depth_ == 0) throw joy::JoyError("run time error: db-begin needed before db-rollback");
    if (sqlite3_exec(db_, "ROLLBACK TO joy_user; RELEASE joy_user", nullptr, nullptr, nullptr) != SQLITE_OK)
        fail("db-rollback");
    --savepoint_depth_;
    forget_caches();
}

void SqliteStore::begin_call(bool immediate) {
    in_call_ = true;
    session_switched_ = false;
    write_conflict_ = false;
    call_checked_ = false;
    if (immediate && is_free_standing()) {
        call_checked_ = true;
        if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
            in_call_ = false;  // no call to end
            fail("waiting to write");
        }
        call_transaction_ = true;
    }
}

bool SqliteStore::is_free_standing() {
    return !main_in_memory_ && sqlite3_get_autocommit(db_) && sqlite3_txn_state(db_, nullptr) == SQLITE_TXN_NONE;
}

// Before the first statement of a call (so a call that never reaches the
// store pays nothing): a call outside any transaction opens its savepoint.
void SqliteStore::check_free_standing() {
    call_checked_ = true;
    free_standing_ = is_free_standing();
    if (free_standing_) open_call_savepoint();
}

void SqliteStore::open_call_savepoint() {
    if (sqlite3_exec(db_, "SAVEPOINT joy_call", nullptr, nullptr, nullptr) != SQLITE_OK) fail("starting the call's savepoint");
    call_savepoint_ = true;
}

void SqliteStore::before_write() {
    if (!in_call_) return;
    if (!call_savepoint_ && !call_checked_) check_free_standing();
    if (call_savepoint_ || call_in_statement_) return;
    // Inside a statement of the caller's that writes (UPDATE t SET x =
    // joy_eval(...)) SQLite opens no savepoint. That statement is the unit
    // instead: an error of this call fails it, and SQLite undoes all it wrote.
    if (writing_statement_running()) {
        call_in_statement_ = true;
        return;
    }
    open_call_savepoint();
}

bool SqliteStore::writing_statement_running() {
    for (sqlite3_stmt* st = sqlite3_next_stmt(db_, nullptr); st; st = sqlite3_next_stmt(db_, st))
        if (sqlite3_stmt_busy(st) && !sqlite3_stmt_readonly(st)) return true;
    return false;
}

// Prepared statements are kept only for the length of a call: a host may
// close the connection with sqlite3_close(), which refuses while any
// statement is left unfinalized.
void SqliteStore::end_call(bool ok) {
    in_call_ = false;
    seal_.forget_tables();
    if (!call_checked_ && !call_transaction_) {  // the call never reached the database
        if (!ok && session_switched_) {
            session_ = call_session_;
            bump_generation();
        }
        return;
    }
    free_standing_ = false;
    release_statements();
    if (!ok && session_switched_) {
        session_ = call_session_;
        bump_generation();
    }
    std::string commit_error;
    if (call_in_statement_) {
        call_in_statement_ = false;
        wrote_in_outer_txn_ = true;  // the caller's statement may still fail
        if (!ok) forget_caches();
    }
    if (call_savepoint_) {
        call_savepoint_ = false;
        savepoint_depth_ = 0;
        if (ok && sqlite3_exec(db_, "RELEASE joy_call", nullptr, nullptr, nullptr) == SQLITE_OK) {
            // Still inside the caller's transaction: its ROLLBACK would
            // undo this call's writes behind the caches' back.
            if (!sqlite3_get_autocommit(db_) && !call_transaction_) wrote_in_outer_txn_ = true;
            run_pending_checkpoint();
        } else {
            // RELEASE of the outermost savepoint commits, and may fail (busy)
            if (ok) commit_error = sqlite3_errmsg(db_);
            sqlite3_exec(db_, "ROLLBACK TO joy_call; RELEASE joy_call", nullptr, nullptr, nullptr);
            forget_caches();
            ok = false;
        }
    }
    if (call_transaction_) {
        call_transaction_ = false;
        if (ok && sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) {
            run_pending_checkpoint();
        } else {
            if (ok) commit_error = sqlite3_errmsg(db_);
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            forget_caches();
        }
    }
    changes_seen_ = sqlite3_total_changes64(db_);
    if (!commit_error.empty()) throw joy::JoyError("run time error: commit failed: " + commit_error);
}

void SqliteStore::forget_caches() {
    string_ids_.clear();
    strings_.clear();
    schema_ready_ = false;
    bump_generation();
}

int64_t SqliteStore::last_insert_id() { return sqlite3_last_insert_rowid(db_); }
int64_t SqliteStore::changes() { return sqlite3_changes64(db_); }

// ---- schema ----

bool SqliteStore::has_schema() {
    if (schema_ready_) return true;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT 1 FROM main.sqlite_schema WHERE name = 'joy_meta'", -1, &st, nullptr) != SQLITE_OK)
        return false;
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

void SqliteStore::ensure_schema() {
    before_write();
    if (schema_ready_) return;
    if (!has_schema()) {
        char* err = nullptr;
        if (sqlite3_exec(db_, JOY_SCHEMA_SQL, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "unknown error";
            sqlite3_free(err);
            throw joy::JoyError("run time error: cannot create the Joy tables: " + msg);
        }
    } else {
        check_schema_version();
    }
    schema_ready_ = true;
}

// Readers neither create the tables nor open the call's savepoint (which
// SQLite refuses inside a caller's UPDATE, say).
bool SqliteStore::readable_schema() {
    if (schema_ready_) return true;
    if (!has_schema()) return false;
    check_schema_version();
    schema_ready_ = true;
    return true;
}

void SqliteStore::check_schema_version() {
    sqlite3_stmt* st = nullptr;
    int version = 0;
    if (sqlite3_prepare_v2(db_, "SELECT value FROM main.joy_meta WHERE key = 'schema_version'", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version > JOY_SCHEMA_VERSION)
        throw joy::JoyError("run time error: the database was written by a newer Persistent Joy (schema " +
                            std::to_string(version) + ")");
    // A crafted file may put a view (an endless recursive query, say) where
    // a Joy table belongs: only tables are read.
    st = nullptr;
    std::string impostor;
    if (sqlite3_prepare_v2(db_,
                           "SELECT name, type FROM main.sqlite_schema WHERE type <> 'table' AND name IN ('joy_meta', "
                           "'joy_definitions', 'joy_sessions', 'joy_snapshots', 'joy_strings', 'joy_nodes', "
                           "'joy_roots', 'joy_functions')",
                           -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        impostor = std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) + " is a " +
                   reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    if (!impostor.empty())
        throw joy::JoyError("run time error: " + impostor + ", not a table: the Joy tables of this database are broken");
}

// Caches of interned strings and loaded definitions are only valid while
// no other connection has written: PRAGMA data_version tells. This runs on
// every call, so while a read transaction is open (the scan of a table) the
// pager's copy of that number is read directly, without a statement; with
// none open the pragma starts one and reads the database header.
void SqliteStore::drop_caches_if_stale() {
    int64_t v = -1;
    unsigned int version = 0;
    if (sqlite3_txn_state(db_, "main") != SQLITE_TXN_NONE &&
        sqlite3_file_control(db_, "main", SQLITE_FCNTL_DATA_VERSION, &version) == SQLITE_OK) {
        v = int64_t(version);
    } else {
        sqlite3_stmt* st = prepare("PRAGMA data_version");
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    int64_t changes = sqlite3_total_changes64(db_);
    bool stale = (data_version_ != -1 && v != data_version_)    // another connection committed
                 || (changes_seen_ != -1 && changes != changes_seen_)  // SQL outside Joy wrote
                 || wrote_in_outer_txn_;
    data_version_ = v;
    changes_seen_ = changes_seen_ == -1 ? -1 : changes;
    // Until the caller's transaction (or statement) ends, it may still roll back.
    if (wrote_in_outer_txn_) wrote_in_outer_txn_ = !sqlite3_get_autocommit(db_) || writing_statement_running();
    if (stale) forget_caches();
}

uint64_t SqliteStore::definitions_generation() {
    drop_caches_if_stale();
    return local_generation_;
}

// ---- definitions and sessions ----

bool SqliteStore::load_definition(std::string_view name, std::string& body) {
    if (!readable_schema()) return false;
    sqlite3_stmt* st = prepare("SELECT body FROM main.joy_definitions WHERE session = ?1 AND name = ?2");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    bool found = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        body.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), size_t(sqlite3_column_bytes(st, 0)));
        found = true;
    }
    sqlite3_reset(st);
    return found;
}

void SqliteStore::save_definition(std::string_view name, std::string_view body) {
    ensure_schema();
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_definitions(session, name, body, created_at, modified_at) VALUES (?1, ?2, ?3, ?4, ?4) "
        "ON CONFLICT(session, name) DO UPDATE SET body = excluded.body, modified_at = excluded.modified_at "
        "WHERE body IS NOT excluded.body");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, body.data(), int(body.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now());
    step_done(st);
    sqlite3_stmt* s2 = prepare("INSERT OR IGNORE INTO main.joy_sessions(name, created_at) VALUES (?1, ?2)");
    sqlite3_bind_text(s2, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_int64(s2, 2, now());
    step_done(s2);
}

void SqliteStore::drop_definition(std::string_view name) {
    if (!has_schema()) return;
    ensure_schema();
    sqlite3_stmt* st = prepare("DELETE FROM main.joy_definitions WHERE session = ?1 AND name = ?2");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    step_done(st);
}

void SqliteStore::set_session(std::string_view name) {
    if (name.empty()) throw joy::JoyError("run time error: non-empty session name needed for session");
    if (name == session_) return;
    if (in_call_ && !session_switched_) {  // a failed call goes back to it
        call_session_ = session_;
        session_switched_ = true;
    }
    session_ = std::string(name);
    bump_generation();
}

namespace {
std::vector<std::string> column_strings(sqlite3_stmt* st) {
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), size_t(sqlite3_column_bytes(st, 0)));
    sqlite3_reset(st);
    return out;
}
}  // namespace

std::vector<std::string> SqliteStore::sessions() {
    if (!readable_schema()) return session_ == "main" ? std::vector<std::string>{"main"} : std::vector<std::string>{"main", session_};
    sqlite3_stmt* st = prepare(
        "SELECT name FROM main.joy_sessions UNION SELECT session FROM main.joy_definitions UNION SELECT ?1 UNION SELECT 'main' ORDER BY 1");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    return column_strings(st);
}

void SqliteStore::snapshot(std::string_view name) {
    ensure_schema();
    sqlite3_stmt* del = prepare("DELETE FROM main.joy_snapshots WHERE session = ?1 AND name = ?2");
    sqlite3_bind_text(del, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(del, 2, name.data(), int(name.size()), SQLITE_STATIC);
    step_done(del);
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_snapshots(session, name, word, body, created_at) "
        "SELECT session, ?2, name, body, ?3 FROM main.joy_definitions WHERE session = ?1");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now());
    step_done(st);
    // An empty session still gets its snapshot (a marker row with no word).
    sqlite3_stmt* mark = prepare(
        "INSERT OR IGNORE INTO main.joy_snapshots(session, name, word, body, created_at) VALUES (?1, ?2, '', NULL, ?3)");
    sqlite3_bind_text(mark, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(mark, 2, name.data(), int(name.size()), SQLITE_STATIC);
    sqlite3_bind_int64(mark, 3, now());
    step_done(mark);
}

void SqliteStore::restore(std::string_view name) {
    ensure_schema();
    sqlite3_stmt* chk = prepare("SELECT 1 FROM main.joy_snapshots WHERE session = ?1 AND name = ?2 LIMIT 1");
    sqlite3_bind_text(chk, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(chk, 2, name.data(), int(name.size()), SQLITE_STATIC);
    bool found = sqlite3_step(chk) == SQLITE_ROW;
    sqlite3_reset(chk);
    if (!found) throw joy::JoyError("run time error: no snapshot named \"" + std::string(name) + "\" in session " + session_);
    sqlite3_stmt* del = prepare("DELETE FROM main.joy_definitions WHERE session = ?1");
    sqlite3_bind_text(del, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    step_done(del);
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_definitions(session, name, body, created_at, modified_at) "
        "SELECT session, word, body, ?3, ?3 FROM main.joy_snapshots WHERE session = ?1 AND name = ?2 AND word <> ''");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now());
    step_done(st);
    bump_generation();
}

std::vector<std::string> SqliteStore::snapshots() {
    if (!readable_schema()) return {};
    sqlite3_stmt* st = prepare("SELECT DISTINCT name FROM main.joy_snapshots WHERE session = ?1 ORDER BY name");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    return column_strings(st);
}

void SqliteStore::session_diff(std::string_view other, std::vector<std::string>& added,
                               std::vector<std::string>& modified, std::vector<std::string>& removed) {
    if (!readable_schema()) return;
    auto run = [&](const char* sql, std::vector<std::string>& out) {
        sqlite3_stmt* st = prepare(sql);
        sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, other.data(), int(other.size()), SQLITE_STATIC);
        out = column_strings(st);
    };
    run("SELECT o.name FROM main.joy_definitions o WHERE o.session = ?2 AND NOT EXISTS "
        "(SELECT 1 FROM main.joy_definitions c WHERE c.session = ?1 AND c.name = o.name) ORDER BY 1",
        added);
    run("SELECT o.name FROM main.joy_definitions o JOIN main.joy_definitions c ON c.name = o.name "
        "WHERE o.session = ?2 AND c.session = ?1 AND c.body <> o.body ORDER BY 1",
        modified);
    run("SELECT c.name FROM main.joy_definitions c WHERE c.session = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM main.joy_definitions o WHERE o.session = ?2 AND o.name = c.name) ORDER BY 1",
        removed);
}

std::vector<std::string> SqliteStore::session_merge(std::string_view other) {
    ensure_schema();
    std::vector<std::string> added, modified, removed;
    session_diff(other, added, modified, removed);
    if (!modified.empty()) return modified;
    sqlite3_stmt* st = prepare(
        "INSERT OR IGNORE INTO main.joy_definitions(session, name, body, created_at, modified_at) "
        "SELECT ?1, name, body, ?3, ?3 FROM main.joy_definitions WHERE session = ?2");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, other.data(), int(other.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now());
    step_done(st);
    bump_generation();
    return {};
}

void SqliteStore::session_take(std::string_view other, std::string_view word) {
    ensure_schema();
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_definitions(session, name, body, created_at, modified_at) "
        "SELECT ?1, name, body, ?4, ?4 FROM main.joy_definitions WHERE session = ?2 AND name = ?3 "
        "ON CONFLICT(session, name) DO UPDATE SET body = excluded.body, modified_at = excluded.modified_at");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, other.data(), int(other.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, word.data(), int(word.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now());
    step_done(st);
    if (sqlite3_changes(db_) == 0)
        throw joy::JoyError("run time error: session " + std::string(other) + " has no definition of " +
                            std::string(word));
    bump_generation();
}

int64_t SqliteStore::session_keep(const std::vector<std::string>& words) {
    ensure_schema();
    std::unordered_set<std::string> keep(words.begin(), words.end());
    sqlite3_stmt* names = prepare("SELECT name FROM main.joy_definitions WHERE session = ?1");
    sqlite3_bind_text(names, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    std::vector<std::string> drop;
    for (std::string& name : column_strings(names))
        if (!keep.count(name)) drop.push_back(std::move(name));
    for (const std::string& name : drop) drop_definition(name);
    bump_generation();
    return int64_t(drop.size());
}

void SqliteStore::session_delete(std::string_view name) {
    if (!has_schema()) return;
    ensure_schema();
    for (const char* sql : {"DELETE FROM main.joy_definitions WHERE session = ?1", "DELETE FROM main.joy_sessions WHERE name = ?1",
                            "DELETE FROM main.joy_snapshots WHERE session = ?1"}) {
        sqlite3_stmt* st = prepare(sql);
        sqlite3_bind_text(st, 1, name.data(), int(name.size()), SQLITE_STATIC);
        step_done(st);
    }
    bump_generation();
}

// ---- the heap ----

int64_t SqliteStore::intern_string(std::string_view s) {
    auto it = string_ids_.find(std::string(s));
    if (it != string_ids_.end()) return it->second;
    sqlite3_stmt* ins = prepare("INSERT OR IGNORE INTO main.joy_strings(value) VALUES (?1)");
    sqlite3_bind_text(ins, 1, s.data(), int(s.size()), SQLITE_STATIC);
    step_done(ins);
    sqlite3_stmt* sel = prepare("SELECT id FROM main.joy_strings WHERE value = ?1");
    sqlite3_bind_text(sel, 1, s.data(), int(s.size()), SQLITE_STATIC);
    if (sqlite3_step(sel) != SQLITE_ROW) { sqlite3_reset(sel); fail("interning a string"); }
    int64_t id = sqlite3_column_int64(sel, 0);
    sqlite3_reset(sel);
    if (string_ids_.size() > 100000) string_ids_.clear();
    string_ids_.emplace(std::string(s), id);
    return id;
}

std::string SqliteStore::string_of(int64_t id) {
    auto it = strings_.find(id);
    if (it != strings_.end()) return it->second;
    sqlite3_stmt* st = prepare("SELECT value FROM main.joy_strings WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        throw joy::JoyError("run time error: persisted string " + std::to_string(id) + " is missing");
    }
    std::string s(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), size_t(sqlite3_column_bytes(st, 0)));
    sqlite3_reset(st);
    if (strings_.size() > 100000) strings_.clear();
    strings_.emplace(id, s);
    return s;
}

// Node ids come from a counter that only grows, so they are never reused.
int64_t SqliteStore::reserve_ids(int64_t n) {
    sqlite3_stmt* st = prepare(
        "UPDATE main.joy_meta SET value = value + ?1 WHERE key = 'next_node_id' RETURNING value - ?1");
    sqlite3_bind_int64(st, 1, n);
    if (sqlite3_step(st) != SQLITE_ROW) { sqlite3_reset(st); fail("allocating node ids"); }
    int64_t first = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return first;
}

namespace {
// One row to write: what it holds and where it points.
struct Row {
    int64_t id;
    int kind;
    int type = NT_NIL;
    int64_t ival = 0;
    double fval = 0;
    bool has_ival = false, has_fval = false;
    int64_t str_id = 0, ref_id = 0, key_id = 0, next_id = 0;  // 0 = NULL
};
}  // namespace

void SqliteStore::persist(std::string_view root, const Value& v) {
    int64_t top = write_rows(v, ROOT);
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_roots(name, node_id, created_at, modified_at) VALUES (?1, ?2, ?3, ?3) "
        "ON CONFLICT(name) DO UPDATE SET node_id = excluded.node_id, modified_at = excluded.modified_at");
    sqlite3_bind_text(st, 1, root.data(), int(root.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, top);
    sqlite3_bind_int64(st, 3, now());
    step_done(st);
}

int64_t SqliteStore::persist_cell(const Value& element) { return write_rows(element, CELL); }

// Writes the rows of v under a new top row of kind `top_kind` (a root, or a
// list cell that ends its list); returns the top row's id.
int64_t SqliteStore::write_rows(const Value& v, int top_kind) {
    ensure_schema();
    sqlite3_stmt* ins = prepare(
        "INSERT INTO main.joy_nodes(id, kind, type, ival, fval, str_id, ref_id, key_id, next_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    auto write = [&](const Row& r) {
        sqlite3_bind_int64(ins, 1, r.id);
        sqlite3_bind_int(ins, 2, r.kind);
        sqlite3_bind_int(ins, 3, r.type);
        if (r.has_ival) sqlite3_bind_int64(ins, 4, r.ival); else sqlite3_bind_null(ins, 4);
        if (r.has_fval) sqlite3_bind_double(ins, 5, r.fval); else sqlite3_bind_null(ins, 5);
        auto opt = [&](int col, int64_t id) {
            if (id) sqlite3_bind_int64(ins, col, id); else sqlite3_bind_null(ins, col);
        };
        opt(6, r.str_id);
        opt(7, r.ref_id);
        opt(8, r.key_id);
        opt(9, r.next_id);
        if (sqlite3_step(ins) != SQLITE_DONE) { sqlite3_reset(ins); fail("persist"); }
        sqlite3_reset(ins);
    };

    // Shared cells (count > 1) may be reached twice; they are written once.
    std::unordered_map<const Cell*, int64_t> written;
    // Lists and dicts whose rows are reserved but not yet written.
    struct Pending { Value agg; int64_t first; };
    std::vector<Pending> pending;

    // A cell not yet read from this database is referenced by its row;
    // one from another database is read now.
    auto own_stub = [&](Cell* c) -> bool {
        if (!c->stub) return false;
        auto* src = dynamic_cast<NodeSource*>(reinterpret_cast<joy::Object*>(c->tail_));
        if (src && src->belongs_to(this)) return true;
        joy::force_stub(c);
        return false;
    };
    // Id of the first row of list `c`, reserving ids for its unshared cells.
    auto list_ref = [&](Cell* c) -> int64_t {
        if (!c) return 0;
        if (own_stub(c)) return c->head_.u.i;
        auto it = written.find(c);
        if (it != written.end()) return it->second;
        int64_t n = 0;
        for (Cell* k = c; k && !own_stub(k) && !(k != c && k->rc > 1 && written.count(k)); k = k->tail_) ++n;
        int64_t first = reserve_ids(n);
        pending.push_back({Value::adopt_list(joy::retain_cell(c)), first});
        return first;
    };
    auto dict_ref = [&](const Value& d) -> int64_t {
        size_t n = d.u.dict->size();
        if (!n) return 0;
        int64_t first = reserve_ids(int64_t(n));
        pending.push_back({d, first});
        return first;
    };
    // Fill the element part of a row from value e.
    auto fill = [&](Row& r, const Value& e) {
        switch (e.tag) {
        case joy::T_NIL: r.type = NT_NIL; break;
        case joy::T_BOOL: r.type = NT_BOOL; r.ival = e.u.i; r.has_ival = true; break;
        case joy::T_CHAR: r.type = NT_CHAR; r.ival = e.u.i; r.has_ival = true; break;
        case joy::T_INT: r.type = NT_INT; r.ival = e.u.i; r.has_ival = true; break;
        case joy::T_SET: r.type = NT_SET; r.ival = int64_t(e.u.set); r.has_ival = true; break;
        case joy::T_FLOAT:
            r.type = NT_FLOAT;
            // SQLite keeps no NaN (it stores NULL) and no -0.0 (it stores 0):
            // those keep their bits in ival instead.
            if (std::isnan(e.u.f) || (e.u.f == 0 && std::signbit(e.u.f))) {
                std::memcpy(&r.ival, &e.u.f, sizeof r.ival);
                r.has_ival = true;
            } else {
                r.fval = e.u.f;
                r.has_fval = true;
            }
            break;
        case joy::T_STRING: r.type = NT_STRING; r.str_id = intern_string(e.u.str->view()); break;
        case joy::T_USRDEF: r.type = NT_USRDEF; r.str_id = intern_string(e.u.sym->name); break;
        case joy::T_BUILTIN: r.type = NT_BUILTIN; r.str_id = intern_string(e.u.bi->name); break;
        case joy::T_LIST: r.type = NT_LIST; r.ref_id = list_ref(e.u.list); break;
        case joy::T_DICT: r.type = NT_DICT; r.ref_id = dict_ref(e); break;
        default:
            throw joy::JoyError(std::string("run time error: a ") + joy::type_name(e.tag) + " cannot be persisted");
        }
    };

    Row top;
    top.id = reserve_ids(1);
    top.kind = top_kind;
    fill(top, v);
    write(top);
    while (!pending.empty()) {
        Pending p = std::move(pending.back());
        pending.pop_back();
        int64_t id = p.first;
        if (p.agg.tag == joy::T_LIST) {
            for (Cell* c = p.agg.u.list; c; c = c->tail_) {
                if (c->rc > 1) written.emplace(c, id);
                Row r;
                r.id = id;
                r.kind = CELL;
                fill(r, c->head_);
                Cell* next = c->tail_;
                if (next && (own_stub(next) || (next->rc > 1 && written.count(next)))) {
                    r.next_id = list_ref(next);
                    write(r);
                    break;
                }
                r.next_id = next ? id + 1 : 0;
                write(r);
                ++id;
            }
        } else {
            const joy::Dict* d = p.agg.u.dict;
            size_t left = d->size();
            d->each([&](const Value& k, const Value& val) {
                Row r;
                r.id = id;
                r.kind = ENTRY;
                r.key_id = intern_string(k.u.str->view());
                fill(r, val);
                r.next_id = --left ? id + 1 : 0;
                write(r);
                ++id;
            });
        }
    }
    return top.id;
}

// A list nested deeper than there are rows must be inside itself: rows
// whose ref_id leads back to a cell around them. (Ids are never reused, so
// the largest one bounds the number of rows.)
Value SqliteStore::lazy_list(int64_t first_node) {
    if (!first_node) return Value::empty_list();
    if (nesting_ > node_id_bound_) {
        sqlite3_stmt* st = prepare("SELECT max(id) FROM main.joy_nodes");
        if (sqlite3_step(st) == SQLITE_ROW) node_id_bound_ = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (nesting_ > node_id_bound_)
            throw joy::JoyError("run time error: persisted list at node " + std::to_string(first_node) +
                                " is nested in itself");
    }
    auto* src = new NodeSource(self_, nesting_);
    src->rc = 0;
    Cell* c = src->stub(first_node);
    return Value::adopt_list(c);
}

Value SqliteStore::node_value(sqlite3_stmt* row, int c0) { return load_value(sqlite3_column_int(row, c0), row, c0); }

namespace {
// Column `col` of a node row, which must hold an integer (or, if
// `null_ok`, NULL: 0): rows written by someone else may hold anything.
int64_t integer_column(sqlite3_stmt* row, int col, bool null_ok = false) {
    int type = sqlite3_column_type(row, col);
    if (type == SQLITE_INTEGER || (null_ok && type == SQLITE_NULL)) return sqlite3_column_int64(row, col);
    throw joy::JoyError(std::string("run time error: persisted node has a ") +
                        (type == SQLITE_NULL ? "NULL" : type == SQLITE_FLOAT ? "REAL" : type == SQLITE_TEXT ? "TEXT" : "BLOB") +
                        " in column " + sqlite3_column_name(row, col) + " where an integer belongs");
}
}  // namespace

// Element value of a node row (columns type, ival, fval, str_id, ref_id
// starting at col0).
Value SqliteStore::load_value(int type, sqlite3_stmt* row, int c0) {
    switch (type) {
    case NT_NIL: return Value::nil();
    case NT_BOOL: return Value::boolean(integer_column(row, c0 + 1) != 0);
    case NT_CHAR: return Value::chr(int(integer_column(row, c0 + 1)));
    case NT_INT: return Value::integer(integer_column(row, c0 + 1));
    case NT_SET: return Value::setv(uint64_t(integer_column(row, c0 + 1)));
    case NT_FLOAT:
        if (sqlite3_column_type(row, c0 + 2) == SQLITE_NULL && sqlite3_column_type(row, c0 + 1) == SQLITE_INTEGER) {
            int64_t bits = sqlite3_column_int64(row, c0 + 1);  // a NaN or -0.0
            double d;
            std::memcpy(&d, &bits, sizeof d);
            return Value::flt(d);
        }
        if (sqlite3_column_type(row, c0 + 2) != SQLITE_FLOAT && sqlite3_column_type(row, c0 + 2) != SQLITE_INTEGER)
            throw joy::JoyError("run time error: persisted node has no number in column fval");
        return Value::flt(sqlite3_column_double(row, c0 + 2));
    case NT_STRING: return joy::make_string(string_of(integer_column(row, c0 + 3)));
    case NT_USRDEF: case NT_BUILTIN: {
        std::string name = string_of(integer_column(row, c0 + 3));
        joy::Interp* I = interp_;
        if (!I) throw joy::JoyError("run time error: a persisted symbol needs an interpreter");
        joy::Sym* s = I->intern(name);
        if (s->builtin && !s->defined) return Value::builtin(s->builtin);
        return Value::usrdef(s);
    }
    case NT_LIST: return lazy_list(integer_column(row, c0 + 4, true));
    case NT_DICT: return load_dict(integer_column(row, c0 + 4, true));
    default:
        throw joy::JoyError("run time error: persisted node has unknown type " + std::to_string(type));
    }
}

void SqliteStore::force(Cell* stub, int64_t node, NodeSource* src) {
    sqlite3_stmt* st = prepare(
        "SELECT type, ival, fval, str_id, ref_id, next_id, kind FROM main.joy_nodes WHERE id = ?1");
    sqlite3_bind_int64(st, 1, node);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        throw joy::JoyError("run time error: persisted node " + std::to_string(node) + " is missing");
    }
    if (sqlite3_column_int(st, 6) != CELL) {
        sqlite3_reset(st);
        throw joy::JoyError("run time error: persisted node " + std::to_string(node) + " is not a list cell");
    }
    int64_t next = sqlite3_column_int64(st, 5);
    if (src->cycle.closes(node, next)) {
        sqlite3_reset(st);
        throw joy::JoyError("run time error: persisted list at node " + std::to_string(node) + " is cyclic");
    }
    Value head;
    try {
        nesting_ = src->depth() + 1;
        head = load_value(sqlite3_column_int(st, 0), st, 0);
        nesting_ = 0;
    } catch (...) {
        nesting_ = 0;
        sqlite3_reset(st);
        throw;
    }
    sqlite3_reset(st);
    Cell* tail = next ? src->stub(next) : nullptr;
    // Only now change the stub: nothing below can throw.
    stub->head_ = std::move(head);
    stub->tail_ = tail;
    stub->stub = 0;
}

// A dict is read whole (its lists lazily). Dicts nested in it are read
// with a stack of levels, not by recursion, and every entry row may be
// read once only: rows that lead back to an entry are cyclic.
Value SqliteStore::load_dict(int64_t first) {
    struct Level {
        Value dict;
        int64_t next;   // the next entry row to read, 0 at the end
        Value key;      // the key of this dict in the level below
    };
    std::vector<Level> levels;
    levels.push_back({Value::adopt_dict(joy::Dict::create()), first, Value()});
    std::unordered_set<int64_t> seen;
    sqlite3_stmt* st =
        prepare("SELECT type, ival, fval, str_id, ref_id, next_id, key_id FROM main.joy_nodes WHERE id = ?1");
    for (;;) {
        int64_t id = levels.back().next;
        if (!id) {
            if (levels.size() == 1) return std::move(levels.back().dict);
            Level done = std::move(levels.back());
            levels.pop_back();
            levels.back().dict.u.dict->put(std::move(done.key), std::move(done.dict));
            continue;
        }
        if (!seen.insert(id).second)
            throw joy::JoyError("run time error: persisted dict at node " + std::to_string(id) + " is cyclic");
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            throw joy::JoyError("run time error: persisted node " + std::to_string(id) + " is missing");
        }
        int type = sqlite3_column_int(st, 0);
        int64_t ref = sqlite3_column_int64(st, 4);
        levels.back().next = sqlite3_column_int64(st, 5);
        Value key, val;
        try {
            key = joy::make_string(string_of(sqlite3_column_int64(st, 6)));
            if (type != NT_DICT) val = load_value(type, st, 0);
        } catch (...) {
            sqlite3_reset(st);
            throw;
        }
        sqlite3_reset(st);
        if (type == NT_DICT && ref) {
            levels.push_back({Value::adopt_dict(joy::Dict::create()), ref, std::move(key)});
            continue;
        }
        if (type == NT_DICT) val = Value::adopt_dict(joy::Dict::create());
        levels.back().dict.u.dict->put(std::move(key), std::move(val));
    }
}

bool SqliteStore::recall(std::string_view root, Value& out) {
    if (!readable_schema()) return false;
    sqlite3_stmt* st = prepare(
        "SELECT n.type, n.ival, n.fval, n.str_id, n.ref_id FROM main.joy_roots r JOIN main.joy_nodes n ON n.id = r.node_id "
        "WHERE r.name = ?1");
    sqlite3_bind_text(st, 1, root.data(), int(root.size()), SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return false;
    }
    try {
        out = load_value(sqlite3_column_int(st, 0), st, 0);
    } catch (...) {
        sqlite3_reset(st);
        throw;
    }
    sqlite3_reset(st);
    return true;
}

std::vector<std::string> SqliteStore::roots() {
    if (!readable_schema()) return {};
    return column_strings(prepare("SELECT name FROM main.joy_roots ORDER BY name"));
}

bool SqliteStore::forget(std::string_view root) {
    if (!has_schema()) return false;
    ensure_schema();
    sqlite3_stmt* st = prepare("DELETE FROM main.joy_roots WHERE name = ?1");
    sqlite3_bind_text(st, 1, root.data(), int(root.size()), SQLITE_STATIC);
    step_done(st);
    return sqlite3_changes(db_) > 0;
}

// Mark from the roots with a recursive query, sweep the rest.
int64_t SqliteStore::collect_garbage() {
    if (!has_schema()) return 0;
    ensure_schema();
    // Lazily recalled values the program still holds are roots too.
    std::string held = "[";
    for (const NodeSource* src : sources_)
        for (int64_t id : src->waiting()) held += (held.size() > 1 ? "," : "") + std::to_string(id);
    held += "]";
    sqlite3_stmt* sweep = prepare(
        "WITH RECURSIVE live(id) AS ("
        "  SELECT node_id FROM main.joy_roots"
        "  UNION SELECT value FROM json_each(?1)"
        "  UNION SELECT n.next_id FROM main.joy_nodes n JOIN live ON n.id = live.id WHERE n.next_id IS NOT NULL"
        "  UNION SELECT n.ref_id FROM main.joy_nodes n JOIN live ON n.id = live.id WHERE n.ref_id IS NOT NULL"
        ") DELETE FROM main.joy_nodes WHERE id NOT IN (SELECT id FROM live)");
    sqlite3_bind_text(sweep, 1, held.data(), int(held.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(sweep) != SQLITE_DONE) {
        sqlite3_reset(sweep);
        fail("gc");
    }
    sqlite3_reset(sweep);
    int64_t freed = sqlite3_changes64(db_);
    const char* strings =
        "DELETE FROM main.joy_strings WHERE id NOT IN (SELECT str_id FROM main.joy_nodes WHERE str_id IS NOT NULL "
        "UNION SELECT key_id FROM main.joy_nodes WHERE key_id IS NOT NULL)";
    if (sqlite3_exec(db_, strings, nullptr, nullptr, nullptr) != SQLITE_OK) fail("gc");
    string_ids_.clear();
    strings_.clear();
    return freed;
}

// A checkpoint inside a transaction waits until the transaction ends:
// only then is what was written durable.
void SqliteStore::checkpoint() {
    checkpoint_pending_ = true;
    if (sqlite3_get_autocommit(db_)) run_pending_checkpoint();
}

void SqliteStore::run_pending_checkpoint() {
    if (!checkpoint_pending_ || !sqlite3_get_autocommit(db_)) return;
    checkpoint_pending_ = false;
    int log = 0, ckpt = 0;
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_FULL, &log, &ckpt);
}

std::string SqliteStore::path() {
    const char* p = sqlite3_db_filename(db_, "main");
    return p ? p : "";
}

}  // namespace joyext
