// cli.cpp - the `joy` command-line interpreter.
//
//   build/joy [options] [program.joy [argument ...]]
//
// Runs the program as Joy1's `joy program.joy` does: usrlib.joy is read
// first (from the current directory, else from $HOME), errors go to stderr
// and reading continues with the next statement, an undefined word is
// passed over unless the program sets undeferror, and `argv` is the
// program's name (without its directory) and the arguments after it.
// Without a program it reads standard input: a REPL with line editing and
// history on a terminal, plain reading otherwise.
//
// Options (before the program): --db FILE (the database of the session;
// default in-memory), --steps N, --memory BYTES, --depth N (limits per
// statement; 0 = none; memory defaults to half the machine's RAM, the
// others to none), -e PROGRAM (run PROGRAM text first), -l (do not read
// usrlib.joy), -w (no warnings), --help.
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <editline/readline.h>
#include <sqlite3.h>

#include "../joycore/interp.h"
#include "../joycore/reader.h"
#include "busy.h"
#include "statement.h"
#include "store_host.h"

namespace {

// Ctrl-C in the REPL stops the running statement with "interrupted" (the
// interpreter asks between steps; SQLite's own work stops through
// sqlite3_interrupt) and the session goes on.
volatile std::sig_atomic_t interrupt_requested = 0;
sqlite3* volatile interrupt_db = nullptr;

void on_interrupt(int) {
    interrupt_requested = 1;
    if (interrupt_db) sqlite3_interrupt(interrupt_db);
}

int64_t page_count(sqlite3* db) {
    joyext::Statement st;
    if (st.prepare(db, "PRAGMA page_count") == SQLITE_OK && sqlite3_step(st.get()) == SQLITE_ROW)
        return sqlite3_column_int64(st.get(), 0);
    return -1;
}

// The CLI's world is a database file (or an in-memory database); each
// top-level statement is a transaction of its own unless a db-begin is open.
struct CliHost : joyext::StoreHost {
    std::vector<std::string> args;
    joy::Interp* interp = nullptr;
    sqlite3* db = nullptr;

    ~CliHost() override { close_db(); }

    void open_db(const std::string& path) {
        sqlite3* handle = nullptr;
        int rc = sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                                 nullptr);
        if (rc != SQLITE_OK) {
            std::string msg = handle ? sqlite3_errmsg(handle) : "out of memory";
            sqlite3_close(handle);
            throw joy::JoyError("run time error: cannot open database " + path + ": " + msg);
        }
        joyext::wait_fairly_when_busy(handle, joyext::DEFAULT_BUSY_TIMEOUT_MS);
        // A new world file is made in WAL mode (readers never wait for the
        // writer); an existing file keeps the mode its owner chose.
        if (path != ":memory:" && page_count(handle) == 0)
            sqlite3_exec(handle, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
        // The scratch database's definitions stay with the program; a
        // world file's belong to that file.
        if (interp && store_) release_definitions(*interp, store_->path().empty());
        close_db();
        db = handle;
        interrupt_db = db;
        set_store(std::make_unique<joyext::SqliteStore>(db), interp);
        joyext::register_collection_tables(db, store_.get());
        if (interp) sync(*interp);
    }
    void close_db() {
        if (!db) return;
        interrupt_db = nullptr;
        if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        store_.reset();
        sqlite3_close_v2(db);
        db = nullptr;
    }
    void open_world(joy::Interp& I, std::string_view path) override {
        end_statement(true);
        open_db(std::string(path));
        begin_statement(I);
    }
    void close_world(joy::Interp& I) override {
        end_statement(true);
        open_db(":memory:");
        begin_statement(I);
    }
    // The session a statement started in, restored if it fails.
    std::string statement_session;
    // Each statement is a transaction that holds the write lock from its
    // start: one that read first could not wait for the lock once another
    // process wrote (SQLite answers SQLITE_BUSY at once), and its reads
    // might be stale by then.
    void begin_statement(joy::Interp& I) {
        interrupt_requested = 0;
        sync(I);
        if (store_) statement_session = store_->session();
        if (!db || !sqlite3_get_autocommit(db)) return;
        const char* begin = sqlite3_db_readonly(db, "main") == 1 ? "BEGIN" : "BEGIN IMMEDIATE";
        if (sqlite3_exec(db, begin, nullptr, nullptr, nullptr) != SQLITE_OK)
            throw joy::JoyError(std::string("run time error: cannot begin the statement's transaction: ") +
                                sqlite3_errmsg(db));
    }
    void end_statement(bool ok) {
        if (!db || sqlite3_get_autocommit(db)) return;
        if (store_ && store_->savepoint_depth() > 0) return;  // inside db-begin: the user decides
        if (ok) {
            if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
                std::string msg = sqlite3_errmsg(db);
                rolled_back();
                throw joy::JoyError("run time error: commit failed: " + msg);
            }
            if (store_) store_->run_pending_checkpoint();
        } else {
            rolled_back();
        }
    }
    void rolled_back() {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        if (!store_) return;
        store_->forget_caches();
        store_->set_session(statement_session);
    }

    void write_out(std::string_view s) override { std::fwrite(s.data(), 1, s.size(), stdout); }
    void write_err(std::string_view s) override {
        std::fflush(stdout);
        std::fwrite(s.data(), 1, s.size(), stderr);
    }
    void flush_out() override { std::fflush(stdout); }
    int read_stdin() override { return std::getchar(); }
    bool interrupted() override {
        if (!interrupt_requested) return false;
        interrupt_requested = 0;
        return true;
    }
    std::vector<std::string> argv() override { return args; }
    // Statements that failed: a run of files or standard input with any
    // exits with status 1.
    int errors = 0;
};

void usage(FILE* to) {
    std::fputs(
        "usage: joy [--db FILE] [--steps N] [--memory BYTES] [--depth N] [-e PROGRAM] [-l] [-w]\n"
        "           [program.joy [argument ...]]\n"
        "Runs a Joy program (its arguments are argv); without one, reads standard input\n"
        "(a REPL on a terminal). usrlib.joy is read first (-l: not); -w: no warnings.\n",
        to);
}

// A limit given on the command line: decimal digits, for bytes with an
// optional K, M or G (binary multiples). False for anything else, and for
// a number too large to count.
bool parse_count(const std::string& text, bool bytes, uint64_t& out) {
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 19) return false;
    uint64_t scale = 1;
    if (digits < text.size()) {
        if (!bytes || digits + 1 != text.size()) return false;
        switch (text[digits]) {
        case 'k': case 'K': scale = 1ull << 10; break;
        case 'm': case 'M': scale = 1ull << 20; break;
        case 'g': case 'G': scale = 1ull << 30; break;
        default: return false;
        }
    }
    uint64_t n = std::stoull(text.substr(0, digits));
    if (n > uint64_t(INT64_MAX) / scale) return false;
    out = n * scale;
    return true;
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

// Runs every item of `p` and of the files it includes, each as a
// transaction (errors to stderr).
void run_statements(CliHost& host, joy::Interp& I, joy::Parser& p) {
    for (;;) {
        try {
            joy::Item item = joy::next_item_from(I, p);
            if (item.kind == joy::Item::END || item.kind == joy::Item::INCOMPLETE) return;
            host.begin_statement(I);
            try {
                joy::execute_item(I, item);
            } catch (joy::JoyQuit&) {
                host.end_statement(true);
                throw;
            } catch (...) {
                host.end_statement(false);
                throw;
            }
            host.end_statement(true);
        } catch (joy::JoyAbort&) {  // Joy1's abort: silent, not a failure
        } catch (joy::JoyError& e) {
            ++host.errors;
            std::fflush(stdout);
            std::fprintf(stderr, "%s\n", e.what());
        }
    }
}

void run_source(CliHost& host, joy::Interp& I, std::string text, const std::string& name) {
    joy::Parser p(I, std::move(text));
    p.set_name(name);
    joy::Parser* saved = I.input;
    run_statements(host, I, p);
    I.input = saved;
}

std::string base_name(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Where Joy1 looks for an included file whose name is not found as given:
// the program's folder, then $HOME, then the joy binary's folder.
void set_include_dirs(joy::Interp& I, const std::string& joy_binary, const std::string& program) {
    auto folder_of = [](const std::string& path) {
        size_t slash = path.rfind('/');
        return slash == std::string::npos ? std::string() : slash == 0 ? std::string("/") : path.substr(0, slash);
    };
    if (!folder_of(joy_binary).empty()) I.include_dirs.push_back(folder_of(joy_binary));
    if (const char* home = std::getenv("HOME")) I.include_dirs.push_back(home);
    if (!folder_of(program).empty()) I.include_dirs.push_back(folder_of(program));
}

// Joy1 reads usrlib.joy before the program, found as an include is; it
// runs as if the program included it first.
void read_usrlib_first(joy::Interp& I) {
    std::string text, found;
    if (!joy::find_include(I, "usrlib.joy", text, found)) return;
    auto p = std::make_unique<joy::Parser>(I, std::move(text));
    p->set_name(base_name(found));
    I.includes.push_back(std::move(p));
}

int repl(CliHost& host, joy::Interp& I) {
    std::string history;
    if (const char* home = std::getenv("HOME")) {
        history = std::string(home) + "/.joy_history";
        read_history(history.c_str());
    }
    joy::Parser p(I, "", true);
    run_statements(host, I, p);  // usrlib.joy, before the first prompt
    struct sigaction interrupt {};
    interrupt.sa_handler = on_interrupt;
    interrupt.sa_flags = SA_RESTART;
    sigemptyset(&interrupt.sa_mask);
    sigaction(SIGINT, &interrupt, nullptr);
    const char* prompt = "joy> ";
    for (;;) {
        interrupt_requested = 0;
        char* line = readline(prompt);
        if (!line && interrupt_requested) {  // Ctrl-C at the prompt: a fresh line, the session goes on
            interrupt_requested = 0;
            p.drop_unread();
            std::fputs("\n", stdout);
            prompt = "joy> ";
            continue;
        }
        if (!line) break;
        if (*line) add_history(line);
        p.feed(line);
        p.feed("\n");
        std::free(line);
        run_statements(host, I, p);
        prompt = p.at_end() ? "joy> " : "...> ";
        std::fflush(stdout);
    }
    if (!history.empty()) write_history(history.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CliHost host;
    joy::Limits limits;
    // Values may use at most half the machine's memory unless told otherwise,
    // so a runaway program gets a Joy error rather than the OOM killer.
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0) limits.memory = uint64_t(pages) * uint64_t(page) / 2;
    std::string program;  // the program file, "-" for standard input
    std::vector<std::string> arguments;
    std::vector<std::string> programs;
    std::string db;
    bool usrlib = true, warnings = true;
    for (int k = 1; k < argc; ++k) {
        std::string a = argv[k];
        auto value = [&](const char* opt) -> std::string {
            if (k + 1 >= argc || (argv[k + 1][0] == '-' && argv[k + 1][1] == '-')) {
                std::fprintf(stderr, "joy: %s needs a value\n", opt);
                std::exit(2);
            }
            return argv[++k];
        };
        auto count = [&](const char* opt, bool bytes) -> uint64_t {
            std::string v = value(opt);
            uint64_t n = 0;
            if (!parse_count(v, bytes, n)) {
                std::fprintf(stderr, "joy: %s needs a whole number%s (0 = no limit), not %s\n", opt,
                             bytes ? " of bytes, optionally with K, M or G" : "", v.c_str());
                std::exit(2);
            }
            return n;
        };
        if (a == "--help" || a == "-h") { usage(stdout); return 0; }
        else if (a == "--db") db = value("--db");
        else if (a == "--steps") limits.steps = count("--steps", false);
        else if (a == "--memory") limits.memory = count("--memory", true);
        else if (a == "--depth") limits.depth = count("--depth", false);
        else if (a == "-e") programs.push_back(value("-e"));
        else if (a == "-l") usrlib = false;
        else if (a == "-w") warnings = false;
        else if (a.size() > 1 && a[0] == '-' && a != "-") {
            std::fprintf(stderr, "joy: unknown option %s\n", a.c_str());
            usage(stderr);
            return 2;
        } else {  // the program; what follows is its arguments
            program = a;
            arguments.assign(argv + k + 1, argv + argc);
            break;
        }
    }
    // Joy1's argv: the program's name without its directory (else the
    // interpreter's), then the arguments.
    host.args.push_back(base_name(program.empty() || program == "-" ? argv[0] : program));
    host.args.insert(host.args.end(), arguments.begin(), arguments.end());

    joy::Interp I(&host);
    I.set_limits(limits);
    I.undeferror = 0;  // Joy1's start: an undefined word is passed over
    I.read_warnings = warnings;
    I.end_of_input_quits = true;
    I.shell_escapes = true;
    set_include_dirs(I, argv[0], program == "-" ? "" : program);
    host.interp = &I;
    try {
        host.open_db(db.empty() ? ":memory:" : db);
    } catch (joy::JoyError& e) {
        std::fprintf(stderr, "joy: %s\n", e.what());
        return 1;
    }
    std::string text;
    if (program == "-") {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        text = ss.str();
    } else if (!program.empty() && !read_file(program, text)) {
        std::fprintf(stderr, "joy: cannot open %s\n", program.c_str());
        return 1;
    }
    try {
        if (usrlib) read_usrlib_first(I);
        for (auto& prog : programs) run_source(host, I, prog, "-e");
        if (!program.empty()) {
            run_source(host, I, std::move(text), program == "-" ? "stdin" : base_name(program));
        } else if (programs.empty()) {
            if (isatty(0)) return repl(host, I);  // errors were shown as they came
            std::ostringstream ss;
            ss << std::cin.rdbuf();
            run_source(host, I, ss.str(), "stdin");
        }
    } catch (joy::JoyQuit& q) {
        std::fflush(stdout);
        return q.status;
    }
    std::fflush(stdout);
    return host.errors ? 1 : 0;
}
