// sqlite_store.h - joy::Store over an SQLite connection: SQL from Joy,
// definitions and sessions, and the persistent heap (joy_nodes).
//
// The tables (sql/schema.sql) are created on first use, inside whatever
// transaction the caller has open, and carry their version in joy_meta. A
// read-only database still runs pure Joy: nothing is created until a word
// needs the tables.
//
// Heap layout: a persisted value is a tree of rows in joy_nodes. A root row
// (kind 0) holds an atom or points (ref_id) at the first cell of a list or
// the first entry of a dict; cells (kind 1) and dict entries (kind 2) hold
// their element inline when it is an atom, else ref_id, and chain through
// next_id. Strings and names are interned in joy_strings. Ids come from a
// counter in joy_meta and are never reused, so a lazily recalled list can
// never read another value's rows.
#pragma once
#include <sqlite3ext.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../joycore/interp.h"
#include "../joycore/store.h"
#include "sql_seal.h"
#include "statement.h"

namespace joyext {

class NodeSource;

// Every walk of a chain of stored cells (recall, joy_list, appending,
// deleting) reads each cell once, so a next_id that comes back to a cell
// already read is a cycle in the rows, which only a corrupted or hostile
// file has. Brent's method finds it within a few times the chain's length,
// in constant memory: `mark_` is a cell read earlier, moved on at powers
// of two.
class CycleCheck {
public:
    // Call with the id each cell leads to (0: the end), in order from
    // `from`; true if the chain has come back to a cell it read.
    bool closes(int64_t from, int64_t next) {
        if (next && (next == from || next == mark_)) return true;
        if (++since_mark_ >= span_) {
            mark_ = next;
            since_mark_ = 0;
            span_ *= 2;
        }
        return false;
    }

private:
    int64_t mark_ = 0;
    uint64_t since_mark_ = 0, span_ = 1;
};

class SqliteStore : public joy::Store {
public:
    explicit SqliteStore(sqlite3* db);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;
    sqlite3* db() const { return db_; }
    // The interpreter whose symbols recalled values refer to.
    void attach(joy::Interp* I) { interp_ = I; }

    joy::Value query(std::string_view sql, const joy::Value& params) override;
    int64_t exec(std::string_view sql, const joy::Value& params) override;
    void savepoint_begin() override;
    void savepoint_commit() override;
    void savepoint_rollback() override;
    int64_t last_insert_id() override;
    int64_t changes() override;

    bool load_definition(std::string_view name, std::string& body) override;
    void save_definition(std::string_view name, std::string_view body) override;
    void drop_definition(std::string_view name) override;
    std::string session() override { return session_; }
    void set_session(std::string_view name) override;
    std::vector<std::string> sessions() override;
    void snapshot(std::string_view name) override;
    void restore(std::string_view name) override;
    std::vector<std::string> snapshots() override;
    void session_diff(std::string_view other, std::vector<std::string>& added,
                      std::vector<std::string>& modified, std::vector<std::string>& removed) override;
    std::vector<std::string> session_merge(std::string_view other) override;
    void session_take(std::string_view other, std::string_view word) override;
    int64_t session_keep(const std::vector<std::string>& words) override;
    void session_delete(std::string_view name) override;
    uint64_t definitions_generation() override;

    void persist(std::string_view root, const joy::Value& v) override;
    bool recall(std::string_view root, joy::Value& out) override;
    std::vector<std::string> roots() override;
    bool forget(std::string_view root) override;
    int64_t collect_garbage() override;

    void checkpoint() override;
    // A call of a SQL function runs between begin_call() and end_call(): the
    // first write opens a savepoint, and end_call(false) rolls it back, so a
    // failing call changes nothing. A failed call also keeps the session it
    // started in.
    //
    // A call made outside any transaction (SELECT joy_eval(...) on its own)
    // is atomic as well: its first statement opens the savepoint, so all it
    // reads and writes is one transaction. If another connection wrote
    // first, the call cannot become a writer (SQLite answers SQLITE_BUSY at
    // once rather than wait: waiting could deadlock); write_conflict() then
    // says the call may be run again with `immediate`, which takes the write
    // lock before anything is read and so waits its turn.
    void begin_call(bool immediate = false) {
        if (rollback_pending_) settle_pending_rollback();
        if (immediate) return begin_immediate_call();
        in_call_ = true;
        seal_.begin_call(interp_);
        session_switched_ = false;
        write_conflict_ = false;
        call_checked_ = false;
    }
    void end_call(bool ok) {
        if (call_checked_ || call_transaction_ || session_switched_) return end_call_slow(ok);
        in_call_ = false;  // the call never reached the database
        seal_.end_call();
        seal_.forget_tables();
    }
    bool write_conflict() const { return write_conflict_; }
    // The error for a failed SQLite call on this connection: "run time
    // error: <what>: <SQLite's message>", noting a write conflict.
    joy::JoyError sql_error(const std::string& what);
    void release_statements();
    // Hosts call this after a transaction ends.
    void run_pending_checkpoint();
    // Forget what was read from the database (interned string ids, the
    // schema check, loaded definitions): after a rollback, everything read
    // since the transaction began may be gone.
    void forget_caches();
    int savepoint_depth() const { return savepoint_depth_; }
    std::string path() override;

    // Used by lazily recalled lists.
    void force(joy::Cell* stub, int64_t node, NodeSource* src);
    // One step of a statement that reads: true for a row, false at its
    // end. An error (the step limit, an interrupt, a busy or corrupt file)
    // is thrown as itself, never taken for a missing row.
    bool step_row(sqlite3_stmt* st, const char* what);
    size_t cells_at_least(int64_t node, size_t cap);

    // Conversions shared with the SQL functions.
    static void bind_value(sqlite3_stmt* st, int i, const joy::Value& v);
    static joy::Value column_value(sqlite3_stmt* st, int i);

    // Whether the schema exists (without creating it).
    bool has_schema();
    // For writers: creates the tables if need be (and opens the call's savepoint).
    void ensure_schema();
    // For readers: whether the tables exist, their version checked.
    bool readable_schema();
    // The first write of a call opens the call's savepoint.
    void before_write();

    // ---- persistent collections (sqlite_collections.cpp, vtab_list.cpp) ----
    joy::Value pdict_open(std::string_view name) override;
    joy::Value plist_open(std::string_view name) override;
    // A statement whose text names a collection's table: cached apart and
    // bounded, valid until the call ends; never left running.
    sqlite3_stmt* prepare_collection(std::string_view sql);
    // Changes whenever statements of that cache may have been finalized:
    // while it stays the same, a statement it gave is still valid.
    uint64_t collection_generation() const { return collection_generation_; }
    // Writes a list cell holding `element`, with no next cell; its id.
    int64_t persist_cell(const joy::Value& element);
    // The element of a joy_nodes row: columns type, ival, fval, str_id,
    // ref_id from col0 on (lists come back lazily).
    joy::Value node_value(sqlite3_stmt* row, int col0);
    joy::Interp* interp() const { return interp_; }
    std::weak_ptr<SqliteStore*> weak_self() const { return self_; }
    bool in_call() const { return in_call_; }
    SqlSeal& seal() { return seal_; }
    // Told when a transaction of the connection commits (true) or rolls
    // back (false), from the commit and rollback hooks.
    struct TransactionListener {
        void (*ended)(void* arg, bool committed) = nullptr;
        void* arg = nullptr;
    };
    void set_transaction_listener(TransactionListener l) { listener_ = l; }
    bool wrote_in_outer_transaction() const { return wrote_in_outer_txn_; }
    uint64_t local_generation() const { return local_generation_; }
    bool keeps_no_statement() const { return stmts_.empty() && user_stmts_.empty() && collection_stmts_.empty(); }
    // Finalizes the cached statements that are not running: SQL that used
    // Joy's tables through a virtual table, outside a call, leaves none
    // behind (a connection with statements left cannot be closed).
    void release_idle_statements();

private:
    // Statements of this class, cached: a fixed set of texts, never
    // finalized while a call may still be stepping one.
    sqlite3_stmt* prepare(std::string_view sql);
    // A statement of `query` / `exec` (one statement, user text), cached
    // apart and bounded.
    sqlite3_stmt* prepare_user(std::string_view sql, const char* word);
    // After a statement of the user's: what it may have changed.
    void after_user_statement(sqlite3_stmt* st);
    void step_sealed(sqlite3_stmt* st, const std::function<void()>& row);
    void check_schema_version();
    [[noreturn]] void fail(const std::string& what);
    void step_done(sqlite3_stmt* st);
    int64_t intern_string(std::string_view s);
    std::string string_of(int64_t id);
    int64_t reserve_ids(int64_t n);
    int64_t write_rows(const joy::Value& v, int top_kind);
    joy::Value load_value(int type, sqlite3_stmt* row, int col0);
    joy::Value lazy_list(int64_t first_node);
    joy::Value load_dict(int64_t first_entry);
    void bump_generation() { ++local_generation_; }
    void drop_caches_if_stale();

    sqlite3* db_;
    SqlSeal seal_;
    bool files_allowed() const { return interp_ && (interp_->caps & joy::CAP_FILES); }
    joy::Interp* interp_ = nullptr;
    bool schema_ready_ = false;
    std::string session_ = "main";
    using StatementCache = std::unordered_map<std::string, Statement>;
    sqlite3_stmt* cached(StatementCache& cache, std::string_view sql);
    Statement compile_sql(std::string_view sql, const char** tail);
    StatementCache stmts_;
    StatementCache user_stmts_;
    StatementCache collection_stmts_;
    uint64_t collection_generation_ = 0;
    std::unordered_map<std::string, int64_t> string_ids_;
    std::unordered_map<int64_t, std::string> strings_;
    int64_t data_version_ = -1;
    // sqlite3_total_changes64 when the last call ended (-1: no call yet);
    // a change between calls is a write outside Joy on this connection.
    int64_t changes_seen_ = -1;
    // A call wrote inside a transaction or a statement of the caller's,
    // which may still be rolled back.
    bool wrote_in_outer_txn_ = false;
    // This call writes inside the caller's writing statement, without a
    // savepoint of its own (see before_write).
    bool call_in_statement_ = false;
    bool writing_statement_running();
    std::string call_session_;     // the session when the call began, if it switched
    bool session_switched_ = false;
    uint64_t local_generation_ = 0;
    uint64_t seen_version_generation_ = 0;
    int savepoint_depth_ = 0;
    bool checkpoint_pending_ = false;
    bool in_call_ = false;
    bool call_savepoint_ = false;
    // The call began outside any transaction (see begin_call).
    bool free_standing_ = false;
    bool write_conflict_ = false;
    bool call_transaction_ = false;  // the call's BEGIN IMMEDIATE, ended by end_call
    bool main_in_memory_ = false;    // no other connection can write it
    bool call_checked_ = false;      // check_free_standing() ran in this call
    bool is_free_standing();
    void check_free_standing();
    void end_call_slow(bool ok);
    void roll_back_call_savepoint();
    void settle_pending_rollback();
    static int refuse_commit(void* self);
    static void transaction_rolled_back(void* self);
    bool rollback_pending_ = false;  // see roll_back_call_savepoint
    int64_t changes_at_failure_ = 0;
    TransactionListener listener_;
    void begin_immediate_call();
    void open_call_savepoint();
    std::shared_ptr<SqliteStore*> self_;  // lazy sources hold a weak copy
    int64_t nesting_ = 0;         // the depth of the list an element is read from, plus one
    const NodeSource* reading_ = nullptr;  // the list an element is read from
    int64_t node_id_bound_ = 0;   // the largest node id seen (see lazy_list)
    std::unordered_set<NodeSource*> sources_;  // the live ones (GC roots)
    friend class NodeSource;
};

// joy_list / joy_dict (table-valued functions) and the joy_list module for
// CREATE VIRTUAL TABLE (vtab_list.cpp), on connection db over the Joy tables
// of `store`.
int register_collection_tables(sqlite3* db, SqliteStore* store);

}  // namespace joyext
