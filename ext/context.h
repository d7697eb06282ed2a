// context.h - the per-connection state of the Joy SQLite extension.
//
// Every SQL function and virtual-table module of the extension gets the
// same JoyConnection as its user-data pointer, one per database connection,
// so nothing is shared between connections and two connections can run Joy
// on two threads at once. Its interpreters are created when the extension
// is loaded; definitions made by one call (`SELECT joy_eval('DEFINE sq ==
// dup *.')`) are seen by later calls on that connection. It is freed when
// the last function or module holding it is dropped, i.e. when the
// connection closes.
//
// A call runs a program in one of the modes below. The program text is
// compiled once (a bounded cache keyed by the text) and the compiled items
// are run again on later calls; definitions in it are re-applied each time.
// The data stack is empty between calls.
#pragma once
#include <sqlite3ext.h>

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "../joycore/interp.h"
#include "../joycore/reader.h"
#include "statement.h"
#include "store_host.h"

namespace joyext {

enum class Mode {
    EVAL,   // joy_eval, joy_json, joy_stack: output discarded
    PURE,   // joy, joy_each, pure SQL functions in Joy: see below
    RUN,    // joy_run: output (and Joy1's autoput) captured as the result
};

// Whether sqlite3_interrupt() was called on the connection while a call
// runs (the interpreter asks every few thousand steps). SQLite 3.41 answers
// directly (sqlite3_is_interrupted); before it, a statement started now is
// interrupted as well, so a prepared SELECT 1 is stepped to find out.
class InterruptProbe {
public:
    explicit InterruptProbe(sqlite3* db) : db_(db) {}
    bool interrupted();
    // At the end of a call: nothing may stay prepared (sqlite3_close).
    void release() {
        if (probe_.get()) probe_ = Statement();
    }
    bool prepared() const { return probe_.get() != nullptr; }

private:
    sqlite3* db_;
    Statement probe_;
};

// Pure calls run on an interpreter of their own that has no store and no
// effects: it sees the builtins and the definitions of the call's own text
// (and, for a SQL function written in Joy, the definitions captured when
// it was created), never a definition that another call can change. All
// a pure call defines, assigns or sets is undone when it returns, so it
// changes nothing and depends on nothing that can change: an index or a
// generated column computed with it stays valid.
struct PureHost : joy::Host {
    void write_out(std::string_view) override {}
    void write_err(std::string_view) override {}
    bool interrupted() override { return probe->interrupted(); }
    InterruptProbe* probe = nullptr;
};

// Output of a call stays in the extension: kept for joy_run, dropped
// otherwise, never written to the host process's stdout or stderr.
struct CaptureHost : StoreHost {
    std::string captured;
    bool keep = false;
    size_t max_bytes = 1000000000;  // SQLite's default maximum length of a TEXT value
    void write_out(std::string_view s) override;
    void write_err(std::string_view) override {}
    bool interrupted() override { return probe->interrupted(); }
    InterruptProbe* probe = nullptr;
};

// A compiled program: its items in order, ready to run again, and where
// each began in the text (line, column), named in the message of a run-time
// error when the program has more than one item.
struct Program {
    std::vector<joy::Item> items;
    std::vector<std::pair<size_t, size_t>> positions;
};

// Compiled programs by their text, least recently used dropped first.
class ProgramCache {
public:
    std::shared_ptr<const Program> get(std::string_view text);
    void put(std::string_view text, std::shared_ptr<const Program> prog);
    void clear();

private:
    std::list<std::pair<std::string, std::shared_ptr<const Program>>> lru_;
    std::unordered_map<std::string_view, decltype(lru_)::iterator> index_;
    size_t text_bytes_ = 0;
};

// Stored words a pure SQL function reaches, captured when it is created:
// name -> body (Joy text).
using CapturedWords = std::map<std::string, std::string>;

class JoyConnection {
public:
    explicit JoyConnection(sqlite3* db);
    ~JoyConnection();
    JoyConnection(const JoyConnection&) = delete;
    JoyConnection& operator=(const JoyConnection&) = delete;

    // Every registration holds one reference; the last release deletes.
    void retain() { ++refs_; }
    static void release(void* self);
    // Whether the extension is loaded on `db` already (a second load would
    // replace the functions of the first and orphan its tables).
    static bool loaded_on(sqlite3* db);
    // Connections of the process closed so far: a cache keyed by a
    // connection's address must not outlive it.
    static uint64_t connections_closed();

    // The interpreter of calls with effects (the connection's definitions,
    // persistence, SQL) and the one of pure calls.
    joy::Interp& interp() { return *interp_; }
    joy::Interp& pure_interp() { return *pure_; }
    joy::Interp& interp(Mode mode) { return mode == Mode::PURE ? *pure_ : *interp_; }
    // Whether a Joy program is running on this connection now: SQL it runs
    // may not change the sandbox or the limits.
    bool running() const { return busy_; }
    // Results are converted to SQL values after the call has ended, and
    // reading a recalled list in prepares statements then: finalize them,
    // or the connection could not close.
    void release_idle_statements();
    std::string take_output() { return std::move(host_.captured); }
    SqliteStore* store() { return host_.sqlite_store(); }
    // joy_define / joy_undefine / joy_gc: persistence without a program.
    void define(std::string_view name, std::string_view body);
    void undefine(std::string_view name);
    int64_t collect_garbage();
    // Other SQL functions that write the database without running a program
    // (joy_create_function ...): `work` runs as one call.
    void store_call(const std::function<void(SqliteStore&)>& work);
    // Compiled programs are shared: the cache may drop one while a SQL
    // function written in Joy keeps it. Throws joy::JoyError (syntax errors
    // name the line and column).
    std::shared_ptr<const Program> compile(std::string_view text, Mode mode);
    // For pure SQL functions written in Joy: the stored words `texts`
    // reach (through the definitions of the connection, as now), and the
    // program `text` compiled for the pure interpreter with those words
    // bound to private copies of `words`, which nothing else can change.
    CapturedWords capture_words(const std::vector<std::string>& texts);
    std::shared_ptr<const Program> compile_sealed(std::string_view text, const CapturedWords& words,
                                                  std::map<std::string, joy::Sym*>& bound);

    joy::Limits limits{40000000, 512ull << 20, 1000000};
    bool files_enabled = false;
    sqlite3* db() const { return db_; }

    // One call of a compiled program, the only way SQL runs Joy: `below`
    // (moved; an aggregate's accumulator) and the SQL arguments are pushed
    // (argv[0] deepest, converted as sqlvalue.h says), the program runs,
    // `take(interp)` reads its results off the stack, and then what the call
    // wrote is kept. The stack is empty after. If anything throws (the run,
    // `take`, the commit), everything the call changed is put back and the
    // error is rethrown (joy::JoyError, joy::JoyQuit, std::bad_alloc).
    // `values_end`: no value of the call outlives it (its result is SQL
    // already), so what a pure call interned can be forgotten.
    //
    // `statement`, when given, is kept by the caller for one run of one SQL
    // statement (with the compiled program): once a call of that statement
    // has checked the stored definitions against changes made elsewhere,
    // later calls of the statement do not check again unless SQL on this
    // connection wrote since. A statement so sees one version of the
    // definitions, as it sees one snapshot of the tables, plus its own changes.
    using StatementMemo = DefinitionsMemo;
    template <class Take>
    void call(const Program& prog, joy::Value* below, sqlite3_value** argv, int argc, Mode mode, bool values_end,
              StatementMemo* statement, Take&& take) {
        call(prog, below, argv, argc, mode, values_end, statement,
             [](void* t, joy::Interp& I) { (*static_cast<std::remove_reference_t<Take>*>(t))(I); }, &take);
    }
    using TakeFn = void (*)(void*, joy::Interp&);
    void call(const Program& prog, joy::Value* below, sqlite3_value** argv, int argc, Mode mode, bool values_end,
              StatementMemo* statement, TakeFn take, void* take_arg);
    // "a Joy SQL function cannot be called while Joy is running ..."
    [[noreturn]] static void refuse_nested();

private:
    void begin(Mode mode);
    void run_items(joy::Interp& I, const Program& prog, joy::Value* below, sqlite3_value** argv, int argc,
                   Mode mode);
    void run_listed_items(joy::Interp& I, const Program& prog, Mode mode);
    void run_again_or_rethrow(const Program& prog, joy::Value* below, sqlite3_value** argv, int argc, Mode mode);
    void prepare_to_run_again();
    // Whether a call that ran to its end left nothing to put back or release.
    bool ended_quietly(joy::Interp& I, Mode mode, bool values_end);
    // Runs `work` as one call: stack cleared after, writes rolled back on error.
    template <class F> void as_call(F work);
    // Ends a call: the stack cleared; a failed call's writes, definitions
    // and settings, and everything a pure call changed, put back.
    void finish(Mode mode, bool ok, bool values_end = false);
    static constexpr size_t KEEP_STACK = 1u << 16;  // capacities kept between calls
    static constexpr size_t KEEP_FRAMES = 1u << 12;
    bool call_open_ = false;  // the store's call is begun and not ended

    sqlite3* db_;
    int refs_ = 0;
    bool busy_ = false;
    InterruptProbe probe_{db_};
    CaptureHost host_;
    std::unique_ptr<joy::Interp> interp_;
    PureHost pure_host_;
    std::unique_ptr<joy::Interp> pure_;
    ProgramCache cache_, pure_cache_;
    // What the running call changed, to put back (see finish).
    std::vector<joy::Interp::Redefinition> journal_;
    joy::Interp::Settings settings_before_{};
    joy::Interp::Settings pure_settings_{};
    // Symbols of the pure interpreter when its call began, and whether the
    // call's values are all gone when it ends (a scalar result), so that
    // symbols it made with `intern` can be forgotten.
    size_t pure_symbols_ = 0;
};

// SQLite 3.40 lets a CHECK constraint it read from a database file call a
// DIRECTONLY function, though it refuses one in a view, trigger, default,
// generated column or index. So every DIRECTONLY function of the extension
// calls this first: while a statement that writes is running, it refuses
// (sets the SQL error, returns true) if a table's definition in one of the
// connection's databases calls the function, which only a CHECK can do.
// The schema is read again only when the statement or the schema changed.
// Never throws: an error reading the schema refuses, with its message.
bool refused_in_schema(sqlite3_context* ctx, std::string_view function) noexcept;

// The same guard for a function with effects, asked on every row: the
// check above takes the connection's lock on each call, so once no table
// of any of the connection's schemas names the function (read with the
// connection's authorizer verified to be the extension's), that verdict
// stands until the connection prepares a statement that may write or
// change a schema (SqlSeal::schema_epoch).
class SchemaGuard {
public:
    bool refused(sqlite3_context* ctx, std::string_view function, SqlSeal& seal) noexcept {
        if (clean_at_ == seal.schema_epoch()) return false;
        return check(ctx, function, seal);
    }

private:
    bool check(sqlite3_context* ctx, std::string_view function, SqlSeal& seal) noexcept;
    uint64_t clean_at_ = UINT64_MAX;
};

// The first table (with tables_only), or index, view, trigger or table, of
// any of the connection's schemas whose SQL calls `function`, named as
// "schema.name" ("index schema.name" without tables_only); empty if none.
std::string schema_object_calling(sqlite3* db, std::string_view function, bool tables_only);

// "joy: <what went wrong>" for the exception being handled (call inside a
// catch block). Also true for bad_alloc and other std exceptions.
std::string current_error_message();

// Registration, one capability per file; each registration retains conn.
int register_scalar_functions(sqlite3* db, JoyConnection* conn);  // sqlfunc.cpp
int register_stack_tables(sqlite3* db, JoyConnection* conn);      // vtab_stack.cpp
int register_persist_functions(sqlite3* db, JoyConnection* conn); // sqlpersist.cpp
// joy_create_function and friends, and the functions saved in joy_functions.
int register_user_functions(sqlite3* db, JoyConnection* conn);    // sqlfunc_user.cpp

}  // namespace joyext
