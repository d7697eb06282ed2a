// sqlite_store.cpp - the SQLite implementation of joy::Store: statements,
// the scope of a call, values across the boundary, the schema.
// Definitions and sessions are in store_sessions.cpp, the heap in
// store_heap.cpp.
#include "sqlite_store.h"

#include <cctype>
#include <cstring>

#include "../joycore/dict.h"
#include "../joycore/json.h"
#include "../joycore/printer.h"
#include "schema.h"
#include "store_internal.h"

SQLITE_EXTENSION_INIT3

namespace joyext {

using joy::Cell;
using joy::Value;
using namespace store_rows;

SqliteStore::SqliteStore(sqlite3* db) : db_(db), self_(std::make_shared<SqliteStore*>(this)) {
    const char* file = sqlite3_db_filename(db_, "main");
    main_in_memory_ = !file || !*file;
    seal_.install(db_);
    sqlite3_commit_hook(db_, refuse_commit, this);
    sqlite3_rollback_hook(db_, transaction_rolled_back, this);
}

SqliteStore::~SqliteStore() {
    release_statements();
    seal_.uninstall();
    sqlite3_commit_hook(db_, nullptr, nullptr);
    sqlite3_rollback_hook(db_, nullptr, nullptr);
}

void SqliteStore::release_statements() {
    ++collection_generation_;
    for (auto* cache : {&stmts_, &user_stmts_, &collection_stmts_}) cache->clear();
}

void SqliteStore::release_idle_statements() {
    if (stmts_.empty() && user_stmts_.empty() && collection_stmts_.empty()) return;
    ++collection_generation_;
    for (auto* cache : {&stmts_, &user_stmts_, &collection_stmts_})
        for (auto it = cache->begin(); it != cache->end();) {
            if (sqlite3_stmt_busy(it->second.get())) ++it;
            else it = cache->erase(it);
        }
}

// Texts that name a collection's table are as many as the tables used, so
// this cache is bounded; its statements are never left running, so
// dropping them all is safe.
sqlite3_stmt* SqliteStore::prepare_collection(std::string_view sql) {
    if (in_call_ && !call_savepoint_ && !call_checked_) check_free_standing();
    if (sqlite3_stmt* hit = cached(collection_stmts_, sql)) return hit;
    Statement st = compile_sql(sql, nullptr);
    if (collection_stmts_.size() >= 256) {
        ++collection_generation_;
        collection_stmts_.clear();
    }
    return collection_stmts_.emplace(std::string(sql), std::move(st)).first->second.get();
}

void SqliteStore::fail(const std::string& what) { throw sql_error(what); }

bool SqliteStore::step_row(sqlite3_stmt* st, const char* what) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw sql_error(what);
}

joy::JoyError SqliteStore::sql_error(const std::string& what) {
    int code = sqlite3_errcode(db_) & 0xff;
    bool denied = code == SQLITE_AUTH || code == SQLITE_INTERRUPT ||
                  (code == SQLITE_ERROR && std::strstr(sqlite3_errmsg(db_), "not authorized"));
    if (denied && !seal_.refusal().empty())
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

// The statement for `sql` from `cache`, reset and unbound, or null. Its
// user runs it under a StatementUse.
sqlite3_stmt* SqliteStore::cached(StatementCache& cache, std::string_view sql) {
    auto it = cache.find(std::string(sql));
    if (it == cache.end()) return nullptr;
    sqlite3_stmt* st = it->second.get();
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

// Prepares the first statement of `sql`; `tail` (if given) gets the rest.
Statement SqliteStore::compile_sql(std::string_view sql, const char** tail) {
    Statement st;
    if (st.prepare(db_, sql, SQLITE_PREPARE_PERSISTENT, tail) != SQLITE_OK) throw sql_error("SQL error");
    if (!st.get()) throw joy::JoyError("run time error: SQL error: empty statement");
    return st;
}

sqlite3_stmt* SqliteStore::prepare(std::string_view sql) {
    if (in_call_ && !call_savepoint_ && !call_checked_) check_free_standing();
    if (sqlite3_stmt* hit = cached(stmts_, sql)) return hit;
    Statement st = compile_sql(sql, nullptr);
    return stmts_.emplace(std::string(sql), std::move(st)).first->second.get();
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
    Statement st;
    if (!files_allowed()) seal_.load_unsafe_modules();
    {
        SqlSeal::Scope sealed(seal_, interp_, files_allowed());
        st = compile_sql(sql, &tail);
        std::string refusal = seal_.check_prepared();
        if (!refusal.empty()) throw joy::JoyError("run time error: " + refusal);
    }
    if (!only_blank_sql(std::string_view(tail, size_t(sql.data() + sql.size() - tail))))
        throw joy::JoyError(std::string("run time error: a single SQL statement needed for ") + word);
    if (user_stmts_.size() >= 64) user_stmts_.clear();
    return user_stmts_.emplace(std::string(sql), std::move(st)).first->second.get();
}

// A statement that writes may have written the Joy tables (definitions,
// strings). (Transaction control, which could undo them, is sealed off.)
void SqliteStore::after_user_statement(sqlite3_stmt* st) {
    if (!sqlite3_stmt_readonly(st)) forget_caches();
}

void SqliteStore::step_done(sqlite3_stmt* st) {
    StatementUse use(st);
    int rc = sqlite3_step(st);
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
// Every parameter the statement has must be given: a missing one would
// silently be NULL.
void bind_params(sqlite3_stmt* st, const Value& params) {
    if (params.tag != joy::T_LIST) throw joy::JoyError("run time error: list of parameters needed for query");
    int i = 0;
    int n = sqlite3_bind_parameter_count(st);
    for (Cell* c = params.u.list; c; c = joy::tail(c)) {
        if (++i > n) throw joy::JoyError("run time error: too many parameters for the SQL statement");
        SqliteStore::bind_value(st, i, joy::head(c));
    }
    if (i < n)
        throw joy::JoyError("run time error: the SQL statement has " + std::to_string(n) + " parameters, " +
                            std::to_string(i) + " given");
}

// Column names of a result, a repeated one numbered (a, a:2) so that no
// column's value is lost in the row dict.
std::vector<Value> column_names(sqlite3_stmt* st) {
    std::vector<Value> names;
    std::unordered_map<std::string, int> seen;
    for (int k = 0; k < sqlite3_column_count(st); ++k) {
        const char* raw = sqlite3_column_name(st, k);
        std::string name = raw ? raw : "";
        int times = ++seen[name];
        if (times > 1) {
            name += ":" + std::to_string(times);
            while (seen.count(name)) name += "'";
            seen[name] = 1;
        }
        names.push_back(joy::make_string(name));
    }
    return names;
}
}  // namespace

// Statements from Joy are prepared once per text and kept (they are the
// user's, so they live in their own cache slot and are reset after use).
Value SqliteStore::query(std::string_view sql, const Value& params) {
    sqlite3_stmt* st = prepare_user(sql, "query");
    if (!sqlite3_stmt_readonly(st)) before_write();  // INSERT ... RETURNING
    bind_params(st, params);
    joy::ListBuilder rows;
    int ncol = sqlite3_column_count(st);
    std::vector<Value> names = column_names(st);
    step_sealed(st, [&] {
        Value row = Value::adopt_dict(joy::Dict::create());
        for (int k = 0; k < ncol; ++k) row.u.dict->put(names[k], column_value(st, k));
        rows.push(std::move(row));
    });
    return rows.take();
}

int64_t SqliteStore::exec(std::string_view sql, const Value& params) {
    int64_t before = sqlite3_total_changes64(db_);
    sqlite3_stmt* st = prepare_user(sql, "exec");
    if (!sqlite3_stmt_readonly(st)) before_write();
    bind_params(st, params);
    step_sealed(st, [] {});
    return sqlite3_total_changes64(db_) - before;
}

// Steps a statement of Joy's own text to its end under the seal, `row`
// seeing each result row; it is reset however that ends (an error of
// SQLite's, or the memory limit while building a row).
void SqliteStore::step_sealed(sqlite3_stmt* st, const std::function<void()>& row) {
    {
        StatementUse use(st);
        SqlSeal::Scope sealed(seal_, interp_, files_allowed());
        for (;;) {
            int rc = sqlite3_step(st);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) throw sql_error("SQL error");
            row();
        }
    }
    after_user_statement(st);
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

void SqliteStore::begin_immediate_call() {
    begin_call(false);
    if (!is_free_standing()) return;
    call_checked_ = true;
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        in_call_ = false;  // no call to end
        seal_.end_call();
        fail("waiting to write");
    }
    call_transaction_ = true;
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
void SqliteStore::end_call_slow(bool ok) {
    in_call_ = false;
    seal_.end_call();
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
            roll_back_call_savepoint();
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

// An interrupted call cannot roll its savepoint back at once: SQLite
// interrupts every statement until the caller's statement, still running,
// ends. The savepoint is then rolled back at the next call, and until then
// the commit hook turns any commit into a rollback, so the failed call's
// writes are never kept.
void SqliteStore::roll_back_call_savepoint() {
    rollback_pending_ = true;  // no commit while the savepoint holds the call's writes
    int rc = sqlite3_exec(db_, "ROLLBACK TO joy_call", nullptr, nullptr, nullptr);
    if (rc == SQLITE_INTERRUPT) {
        changes_at_failure_ = sqlite3_total_changes64(db_);
        return;
    }
    rollback_pending_ = false;  // rolled back, or gone with its transaction
    if (rc == SQLITE_OK) sqlite3_exec(db_, "RELEASE joy_call", nullptr, nullptr, nullptr);
}

void SqliteStore::settle_pending_rollback() {
    // SQL the host ran since wrote inside the failed call's savepoint:
    // rolling it back would lose that too, so the host decides (its COMMIT
    // is refused meanwhile; its ROLLBACK ends this).
    if (sqlite3_total_changes64(db_) != changes_at_failure_)
        fail("a call interrupted before could not be rolled back yet, and SQL has written since in its "
             "transaction: ROLLBACK that transaction");
    roll_back_call_savepoint();
    if (rollback_pending_) fail("rolling back a call that failed before");
    forget_caches();
}

int SqliteStore::refuse_commit(void* self) {
    auto* store = static_cast<SqliteStore*>(self);
    if (store->rollback_pending_) return 1;
    if (store->listener_.ended) store->listener_.ended(store->listener_.arg, true);
    return 0;
}

void SqliteStore::transaction_rolled_back(void* self) {
    auto* store = static_cast<SqliteStore*>(self);
    store->rollback_pending_ = false;
    if (store->listener_.ended) store->listener_.ended(store->listener_.arg, false);
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
    Statement st;
    if (st.prepare(db_, "SELECT 1 FROM main.sqlite_schema WHERE name = 'joy_meta'") != SQLITE_OK) return false;
    return sqlite3_step(st.get()) == SQLITE_ROW;
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
    int version = 0;
    {
        Statement st;
        if (st.prepare(db_, "SELECT value FROM main.joy_meta WHERE key = 'schema_version'") == SQLITE_OK &&
            sqlite3_step(st.get()) == SQLITE_ROW)
            version = sqlite3_column_int(st.get(), 0);
    }
    if (version > JOY_SCHEMA_VERSION)
        throw joy::JoyError("run time error: the database was written by a newer Persistent Joy (schema " +
                            std::to_string(version) + ")");
    // A crafted file may put a view (an endless recursive query, say) where
    // a Joy table belongs: only tables are read.
    std::string impostor;
    {
        Statement st;
        if (st.prepare(db_, "SELECT name, type FROM main.sqlite_schema WHERE type <> 'table' AND name IN ('joy_meta', "
                            "'joy_definitions', 'joy_sessions', 'joy_snapshots', 'joy_strings', 'joy_nodes', "
                            "'joy_roots', 'joy_functions')") == SQLITE_OK &&
            sqlite3_step(st.get()) == SQLITE_ROW)
            impostor = std::string(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0))) + " is a " +
                       reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1));
    }
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
        StatementUse use(st);
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
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

}  // namespace joyext
