// context.cpp - per-connection interpreter, program cache and the run of
// one call (see context.h).
#include "context.h"

#include <algorithm>
#include <cctype>
#include <new>

#include "../joycore/printer.h"
#include "sqlvalue.h"
SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {
// The cache keeps at most this many programs and this much program text.
constexpr size_t CACHE_PROGRAMS = 256;
constexpr size_t CACHE_TEXT_BYTES = 8u << 20;
// Above these sizes the stack and frame vectors are given back after a call,
// so one deep call does not keep its memory for the life of the connection.
constexpr size_t KEEP_STACK = 1u << 16;
constexpr size_t KEEP_FRAMES = 1u << 12;
}  // namespace

void CaptureHost::write_out(std::string_view s) {
    if (!keep) return;
    if (captured.size() + s.size() > max_bytes)
        throw joy::JoyError("run time error: output exceeds SQLite's maximum text length (" +
                            std::to_string(max_bytes) + " bytes)");
    captured.append(s);
}

bool CaptureHost::lookup_definition(joy::Interp& I, joy::Sym& s) {
    if (call_deferred && sqlite_store()) {
        call_deferred = false;
        sqlite_store()->begin_call();
        call_begun = true;
    }
    return StoreHost::lookup_definition(I, s);
}

JoyConnection::~JoyConnection() {
    cache_.clear();
    lru_.clear();
    undo_.clear();
    interp_.reset();
    host_.set_store(nullptr, nullptr);
}

void JoyConnection::release(void* self) {
    auto* c = static_cast<JoyConnection*>(self);
    if (--c->refs_ == 0) delete c;
}

joy::Interp& JoyConnection::interp() {
    if (!interp_) {
        interp_ = std::make_unique<joy::Interp>(&host_);
        interp_->autoput = 1;
        host_.set_store(std::make_unique<SqliteStore>(db_), interp_.get());
        const char* file = sqlite3_db_filename(db_, "main");
        main_in_memory_ = !file || !*file;
    }
    return *interp_;
}

std::shared_ptr<const Program> JoyConnection::compile(std::string_view text) {
    auto hit = cache_.find(text);
    if (hit != cache_.end()) {
        lru_.splice(lru_.end(), lru_, hit->second);
        return hit->second->second;
    }
    auto prog = std::make_shared<Program>();
    joy::Parser parser(interp(), std::string(text));
    for (;;) {
        joy::Item item = parser.next();
        if (item.kind == joy::Item::END) break;
        prog->items.push_back(std::move(item));
    }
    if (text.size() <= CACHE_TEXT_BYTES / 4) {
        size_t text_bytes = text.size();
        for (auto& entry : lru_) text_bytes += entry.first.size();
        while (!lru_.empty() && (lru_.size() >= CACHE_PROGRAMS || text_bytes > CACHE_TEXT_BYTES)) {
            text_bytes -= lru_.front().first.size();
            cache_.erase(lru_.front().first);
            lru_.pop_front();
        }
        lru_.emplace_back(std::string(text), prog);
        auto last = std::prev(lru_.end());
        cache_.emplace(last->first, last);
    }
    return prog;
}

void JoyConnection::apply_definitions(const joy::Item& item, bool remember) {
    for (auto& [sym, body] : item.defs) {
        if (remember) undo_.push_back({sym, sym->body, sym->defined});
        interp_->define(sym, body);
    }
}

void JoyConnection::run(const Program& prog, joy::Value* below, sqlite3_value** argv, int argc, Mode mode) {
    joy::Interp& I = interp();
    host_.keep = mode == Mode::RUN;
    host_.captured.clear();
    host_.max_bytes = size_t(sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, -1));
    I.caps = mode == Mode::PURE ? 0u
                                : uint32_t(joy::CAP_OUTPUT | joy::CAP_NONDET | joy::CAP_STORE) |
                                      (files_enabled ? uint32_t(joy::CAP_FILES) : 0u);
    I.input = nullptr;  // `get` has no source text to read from inside SQL
    I.set_limits(limits);
    host_.write_through = mode != Mode::PURE;
    // Within one SQL statement no other connection's commit can become
    // visible, and this connection's own changes are already applied.
    bool asked = in_same_statement ? false : sync_definitions(mode);
    in_same_statement = false;
    SqliteStore* store = host_.sqlite_store();
    host_.call_deferred = mode == Mode::PURE && !asked;
    host_.call_begun = !host_.call_deferred;
    for (bool immediate = false;; immediate = true) {
        if (host_.call_begun) store->begin_call(immediate);
        try {
            run_items(prog, below, argv, argc, mode);
            break;
        } catch (...) {
            host_.call_deferred = false;
            definitions_synced_ = false;  // a rolled-back call may leave stale definitions
            if (host_.call_begun) store->end_call(false);
            if (!may_run_again(immediate, below)) throw;
        }
        prepare_to_run_again();
    }
    host_.call_deferred = false;
    if (host_.call_begun) store->end_call(true);
}

// A call that lost a write conflict (SqliteStore::begin_call) changed
// nothing: its writes are rolled back and its output is still in
// host_.captured. It can run again, unless its arguments are gone (an
// aggregate's accumulator was moved onto the stack) or it may have
// written files, which no rollback undoes.
bool JoyConnection::may_run_again(bool immediate, const joy::Value* below) {
    return !immediate && !below && !files_enabled && host_.sqlite_store()->write_conflict();
}

void JoyConnection::prepare_to_run_again() {
    joy::Interp& I = *interp_;
    I.stk.clear();
    I.spill_stack.clear();
    I.guard = 0;
    host_.captured.clear();
    host_.call_begun = true;
    host_.sync(I);
}

// Between two pure calls only these can change the definitions: a call
// with CAP_STORE or a failed call on this connection (they clear
// definitions_synced_), SQL of this connection (total changes, the end of
// its transaction) and another connection's commit (SQLite's data version
// of the main database; a database in memory has no other connection).
// The data version is current while a read transaction is open, as in the
// scan of a table; with none open (SELECT f(1)) the store is asked. (A
// statement that reads only temp or attached tables counts as reading:
// it then sees the definitions as of the last statement that read main.)
// So a pure call asks the store only when one of these moved. Returns
// whether it asked.
bool JoyConnection::sync_definitions(Mode mode) {
    SyncMark now;
    if (mode == Mode::PURE && definitions_synced_ && read_sync_mark(now) && now == synced_mark_ &&
        (main_in_memory_ || sqlite3_txn_state(db_, nullptr) != SQLITE_TXN_NONE))
        return false;
    host_.sync(*interp_);
    // Read after the store's check, which may itself have moved the data version.
    definitions_synced_ = mode == Mode::PURE && read_sync_mark(synced_mark_);
    return true;
}

bool JoyConnection::read_sync_mark(SyncMark& mark) {
    mark.changes = sqlite3_total_changes64(db_);
    mark.autocommit = sqlite3_get_autocommit(db_);
    return main_in_memory_ ||
           sqlite3_file_control(db_, nullptr, SQLITE_FCNTL_DATA_VERSION, &mark.data_version) == SQLITE_OK;
}

void JoyConnection::run_items(const Program& prog, joy::Value* below, sqlite3_value** argv, int argc, Mode mode) {
    joy::Interp& I = *interp_;
    if (below) I.push(std::move(*below));
    for (int k = 0; k < argc; ++k) I.push(from_sql(argv[k]));
    for (const joy::Item& item : prog.items) {
        if (item.kind == joy::Item::DEFINITIONS) {
            apply_definitions(item, mode == Mode::PURE);
            continue;
        }
        if (item.kind != joy::Item::STATEMENT) continue;
        I.run(item.terms);
        if (mode == Mode::RUN && item.ended_with_period && I.autoput && !I.stk.empty()) {
            std::string line;
            joy::print_value(line, I.stk.back());
            line += '\n';
            I.stk.pop_back();
            I.out(line);
        }
    }
}

template <class F>
void JoyConnection::as_call(F work) {
    if (busy_)
        throw joy::JoyError("run time error: a Joy SQL function cannot be called while Joy is running "
                            "on the same connection");
    joy::Interp& I = interp();
    busy_ = true;
    struct Finish { JoyConnection& c; ~Finish() { c.finish(); } } finish_after{*this};
    I.caps = joy::CAP_STORE;
    host_.write_through = true;
    host_.sync(I);
    definitions_synced_ = false;
    SqliteStore* store = host_.sqlite_store();
    for (bool immediate = false;; immediate = true) {
        store->begin_call(immediate);
        try {
            work(I);
            break;
        } catch (...) {
            store->end_call(false);
            if (!may_run_again(immediate, nullptr)) throw;
        }
        prepare_to_run_again();
    }
    store->end_call(true);
}

void JoyConnection::define(std::string_view name, std::string_view body) {
    as_call([&](joy::Interp& I) {
        joy::Parser check(I, std::string(name));
        joy::Item named = check.next();
        bool plain = named.kind == joy::Item::STATEMENT && named.terms.u.list && !joy::tail(named.terms.u.list) &&
                     joy::head(named.terms.u.list).tag == joy::T_USRDEF && check.at_end();
        if (!plain) throw joy::JoyError("run time error: a word name needed for joy_define, not \"" + std::string(name) + "\"");
        joy::Sym* sym = joy::head(named.terms.u.list).u.sym;
        joy::Parser p(I, std::string(body));
        joy::Item item = p.next();
        if (item.kind == joy::Item::END) item.terms = joy::Value::empty_list();
        else if (item.kind != joy::Item::STATEMENT || !p.at_end())
            throw joy::JoyError("run time error: a single term needed as the body for joy_define");
        I.define(sym, std::move(item.terms));
    });
}

void JoyConnection::undefine(std::string_view name) {
    as_call([&](joy::Interp& I) {
        joy::Sym* sym = I.intern(name);
        if (sym->builtin && !sym->defined) throw joy::JoyError("run time error: " + std::string(name) + " is a builtin");
        sym->body = joy::Value();
        sym->defined = false;
        host_.on_define(*sym);
        host_.sqlite_store()->drop_definition(name);
    });
}

void JoyConnection::store_call(const std::function<void(SqliteStore&)>& work) {
    as_call([&](joy::Interp&) { work(*host_.sqlite_store()); });
}

int64_t JoyConnection::collect_garbage() {
    int64_t freed = 0;
    as_call([&](joy::Interp&) { freed = host_.sqlite_store()->collect_garbage(); });
    return freed;
}

void JoyConnection::finish() {
    joy::Interp& I = interp();
    I.stk.clear();
    I.spill_stack.clear();
    I.guard = 0;
    if (I.stk.capacity() > KEEP_STACK) I.stk.shrink_to_fit();
    if (I.fr.capacity() > KEEP_FRAMES) I.fr.shrink_to_fit();
    while (!undo_.empty()) {  // newest first, so a word defined twice gets its original back
        Saved& s = undo_.back();
        s.sym->body = std::move(s.body);
        s.sym->defined = s.defined;
        undo_.pop_back();
    }
    host_.captured.clear();
    host_.keep = false;
    busy_ = false;
    release_idle_statements();
}

void JoyConnection::release_idle_statements() {
    SqliteStore* store = host_.sqlite_store();
    if (store && !store->in_call()) store->release_idle_statements();
}

void Call::run(std::string_view text, sqlite3_value** argv, int argc, Mode mode) {
    std::shared_ptr<const Program> prog = c_.compile(text);
    run(*prog, nullptr, argv, argc, mode);
}

void Call::run(const Program& prog, joy::Value* below, sqlite3_value** argv, int argc, Mode mode) {
    if (c_.busy_)
        throw joy::JoyError("run time error: a Joy SQL function cannot be called while Joy is running "
                            "on the same connection");
    c_.busy_ = true;
    started_ = true;
    c_.run(prog, below, argv, argc, mode);
}

namespace {
bool identifier_char(char c) { return std::isalnum((unsigned char)c) || c == '_' || c == '$'; }

// Past white space and comments from `k`.
size_t skip_blank(const std::string& sql, size_t k) {
    while (k < sql.size()) {
        if (std::isspace((unsigned char)sql[k])) ++k;
        else if (sql.compare(k, 2, "--") == 0) k = std::min(sql.find('\n', k), sql.size());
        else if (sql.compare(k, 2, "/*") == 0) k = std::min(sql.find("*/", k + 2), sql.size() - 2) + 2;
        else break;
    }
    return k;
}

// Whether `sql` calls `function` (lower case): read as SQL tokens, an
// identifier of that name, bare or quoted, then an opening parenthesis --
// unless it names a table (after TABLE, EXISTS, REFERENCES or a dot).
bool calls_function(const std::string& sql, std::string_view function) {
    std::string previous;  // the previous token, lower case ("." for a dot)
    size_t k = skip_blank(sql, 0);
    while (k < sql.size()) {
        char c = sql[k];
        std::string name;
        if (c == '\'') {  // a string literal ('' inside is a quote)
            for (++k; k < sql.size(); ++k)
                if (sql[k] == '\'' && !(k + 1 < sql.size() && sql[k + 1] == '\'' && ++k)) break;
            k = skip_blank(sql, k + 1);
            previous.clear();
            continue;
        }
        if (c == '"' || c == '`' || c == '[') {
            char close = c == '[' ? ']' : c;
            size_t end = sql.find(close, k + 1);
            if (end == std::string::npos) return false;
            name = sql.substr(k + 1, end - k - 1);
            k = end + 1;
        } else if (identifier_char(c)) {
            size_t end = k;
            while (end < sql.size() && identifier_char(sql[end])) ++end;
            name = sql.substr(k, end - k);
            k = end;
        } else {
            previous = c == '.' ? "." : "";
            k = skip_blank(sql, k + 1);
            continue;
        }
        for (char& ch : name) ch = char(std::tolower((unsigned char)ch));
        k = skip_blank(sql, k);
        bool names_table = previous == "table" || previous == "exists" || previous == "references" || previous == ".";
        if (k < sql.size() && sql[k] == '(' && name == function && !names_table) return true;
        previous = std::move(name);
    }
    return false;
}

// The first table, as "schema.table", whose definition calls `function`.
std::string table_naming(sqlite3* db, std::string_view function) {
    std::string name(function);
    for (char& c : name) c = char(std::tolower((unsigned char)c));
    std::vector<std::string> schemas;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_database_list", -1, &st, nullptr) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW) schemas.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    std::string found;
    for (const std::string& schema : schemas) {
        char* sql = sqlite3_mprintf("SELECT name, sql FROM \"%w\".sqlite_schema WHERE type = 'table' AND instr(lower(sql), ?1)",
                                    schema.c_str());
        st = nullptr;
        int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, nullptr) : SQLITE_NOMEM;
        sqlite3_free(sql);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(st);
            return schema + " (its schema cannot be read)";
        }
        sqlite3_bind_text(st, 1, name.data(), int(name.size()), SQLITE_STATIC);
        while (found.empty() && sqlite3_step(st) == SQLITE_ROW) {
            const char* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
            if (text && calls_function(text, name))
                found = schema + "." + reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
        if (!found.empty()) break;
    }
    return found;
}
}  // namespace

bool refused_in_schema(sqlite3_context* ctx, std::string_view function) {
    sqlite3* db = sqlite3_context_db_handle(ctx);
    sqlite3_stmt* writer = nullptr;
    for (sqlite3_stmt* st = sqlite3_next_stmt(db, nullptr); st && !writer; st = sqlite3_next_stmt(db, st))
        if (sqlite3_stmt_busy(st) && !sqlite3_stmt_readonly(st)) writer = st;
    if (!writer) return false;
    // The answer holds while the statement and the schema stay the same. A
    // change of schema (here or in another connection, an ATTACH or DETACH)
    // makes the statement prepare itself again; a statement run many times
    // (executemany) so reads the schema once.
    struct Checked {
        sqlite3* db = nullptr;
        sqlite3_stmt* statement = nullptr;
        int prepared = -1, databases = -1;
        std::string sql, function, table;
    };
    thread_local Checked last;
    int prepared = sqlite3_stmt_status(writer, SQLITE_STMTSTATUS_REPREPARE, 0);
    int databases = 0;
    while (sqlite3_db_name(db, databases)) ++databases;
    const char* sql = sqlite3_sql(writer);
    if (last.db != db || last.statement != writer || last.prepared != prepared || last.databases != databases ||
        last.function != function || last.sql != (sql ? sql : ""))
        last = {db, writer, prepared, databases, sql ? sql : "", std::string(function), table_naming(db, function)};
    if (last.table.empty()) return false;
    std::string msg = "joy: unsafe use of " + std::string(function) + "() in the schema of table " + last.table +
                      ": only joy() and pure functions may be called from a schema";
    sqlite3_result_error(ctx, msg.c_str(), int(msg.size()));
    return true;
}

std::string current_error_message() {
    try {
        throw;
    } catch (const joy::JoyError& e) {
        return std::string("joy: ") + e.what();
    } catch (const joy::JoyQuit& q) {
        return "joy: the program ended with quit or abort (status " + std::to_string(q.status) + ")";
    } catch (const std::bad_alloc&) {
        return "joy: out of memory";
    } catch (const std::exception& e) {
        return std::string("joy: ") + e.what();
    } catch (...) {
        return "joy: unknown error";
    }
}

}  // namespace joyext
