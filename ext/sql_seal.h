// sql_seal.h - the seal on SQL that a Joy program runs.
//
// `"..." [] query`, `exec` and the db- words run SQL on the caller's own
// connection, so without a seal a program (or a function stored in a
// hostile database) could switch its own sandbox off, end the caller's
// transaction or write files. While SqliteStore prepares or steps a
// statement of Joy's text, the extension's authorizer refuses:
//
//   always          BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE: a
//                   call's writes are one unit, undone if it fails
//                   (db-begin, db-commit and db-rollback nest inside it);
//   without files   ATTACH and DETACH (VACUUM, whose INTO writes a file, is
//                   an ATTACH to the authorizer), PRAGMAs other than those
//                   that only read, functions SQLite keeps to direct SQL
//                   (SQLITE_DIRECTONLY: load_extension, the shell's
//                   writefile, every Joy function with effects), TEMP
//                   triggers and views (which may call such functions when
//                   the host's own SQL fires them later), and virtual
//                   tables of modules not known to stay inside the
//                   database (the shell's fsdir and zipfile read and
//                   write files; sqlite_dbpage writes raw pages).
//
// joy_config and joy_limits refuse on their own while Joy runs. The
// authorizer is installed when the store is made and answers SQLITE_OK to
// everything else, the host's own SQL included. A host that installs an
// authorizer of its own replaces it; SQL from Joy is then refused, with a
// message saying so, rather than run unchecked.
//
// A progress handler, installed with it, bounds SQL from Joy by the run's
// step limit: every PROGRESS_OPS virtual-machine instructions count as as
// many steps (an endless recursive query stops like an endless loop). A
// host that installs a progress handler of its own replaces it, and then
// SQL from Joy is bounded only by sqlite3_interrupt().
#pragma once
#include <sqlite3ext.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../joycore/interp.h"

namespace joyext {

class SqlSeal {
public:
    void install(sqlite3* db);
    void uninstall();

    // While a Scope lives, statements prepared or stepped are Joy's;
    // `files`: the call may use files (the CLI, joy_config('files', 1)).
    class Scope {
    public:
        Scope(SqlSeal& seal, joy::Interp* run, bool files) : seal_(seal) {
            seal_.run_ = run;
            seal_.sealed_ = true;
            seal_.files_ = files;
            seal_.consulted_ = false;
            seal_.refusal_.clear();
            seal_.functions_.clear();
            seal_.tables_.clear();
        }
        ~Scope() { seal_.sealed_ = false; }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        SqlSeal& seal_;
    };

    // After preparing Joy's statement (inside a Scope): empty if it may
    // run, else why not. Reads SQLite's function list, so it is called
    // outside the authorizer.
    std::string check_prepared();
    // Verdicts on tables hold for one call: the schema may change between.
    void forget_tables() {
        if (!table_verdicts_.empty()) table_verdicts_.clear();  // clear() zeroes every bucket
    }
    // Why the authorizer refused in the current or last Scope, or empty.
    const std::string& refusal() const { return refusal_; }
    // From the start to the end of a Joy call, every statement of the
    // connection (the store's own, and the triggers a hostile schema hangs
    // on the Joy tables) counts a step per instruction against `run`.
    void begin_call(joy::Interp* run) {
        call_run_ = run;
        refusal_.clear();
    }
    void end_call() { call_run_ = nullptr; }

private:
    static int authorize(void* self, int action, const char* a, const char* b, const char* db, const char* via);

public:
    // Statements the connection prepared outside Joy's calls that may write
    // or change a schema, counted by the authorizer: while the count stays,
    // no statement that could run a CHECK constraint read since was
    // prepared (see SchemaGuard in context.h). Statements prepared during a
    // call cannot run a Joy function: the call would be nested, and is refused.
    uint64_t schema_epoch() const { return schema_epoch_; }
    // Whether the connection's authorizer is still this one: a host may
    // replace it (sqlite3_set_authorizer).
    bool authorizer_is_ours();

private:
    static int progress(void* self);
    joy::Interp* run_ = nullptr;  // the run whose steps SQL from Joy counts against
    joy::Interp* call_run_ = nullptr;  // the run of the call in progress, if any
    int decide(int action, const char* a, const char* b);
    bool is_direct_only(const std::string& function);
    bool still_installed();

    sqlite3* db_ = nullptr;
    bool sealed_ = false;
    uint64_t schema_epoch_ = 0;
    bool probe_seen_ = false;  // the authorizer ran since authorizer_is_ours() began
    bool files_ = false;
    bool consulted_ = false;   // the authorizer ran while sealed: it is still ours
    const char* db_name_ = nullptr;  // the schema of the action being authorized
    std::string refusal_;
    std::vector<std::string> functions_;  // called by the statement being prepared
    // Tables the statement reads or writes, as (schema, name).
    std::vector<std::pair<std::string, std::string>> tables_;
    std::string table_refusal(const std::string& schema, const std::string& table);
    // Modules registered on the connection that are not safe, by name.
    std::unordered_set<std::string> unsafe_modules_;
  public:
    // Read before each call's SQL (a host may register modules at any time).
    void load_unsafe_modules();
  private:
    // "schema.table" -> why it may not be used from Joy ("" if it may).
    std::unordered_map<std::string, std::string> table_verdicts_;
    // Lower-case function name -> whether SQLite keeps it to direct SQL;
    // read again when a name is not in it.
    std::unordered_map<std::string, bool> direct_only_;
};

}  // namespace joyext
