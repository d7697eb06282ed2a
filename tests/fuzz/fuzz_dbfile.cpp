// fuzz_dbfile.cpp - libFuzzer target: a hostile database file that a
// victim opens with the Joy extension loaded.
//
// The input is the file's bytes, deserialized into a fresh connection
// (sqlite3_deserialize: an in-memory database that can grow). The extension
// is registered on it as `.load` would (which registers the functions saved
// in its joy_functions), under tight Joy limits, and the victim does what a
// reader of such a file does: PRAGMA quick_check, reads every view, calls
// every function joy_functions lists, runs a few stored definitions by name
// and reads the persisted roots and collection tables through joy_list,
// joy_dict and joy_stack. Every SQL error is an answer; only a crash, a
// sanitizer report, a hang or a leak is a bug. The connection must close
// cleanly (nothing of the extension left prepared).
//
// Runs on a 256 KB stack (small_stack.h), as a host may give the thread
// that runs SQL; the SQL limits that bound SQLite's own recursion (depth of
// an expression, terms of a compound SELECT) are lowered to fit. SQL alone
// can loop for ever (a recursive view), so a watchdog interrupts the
// connection once the input has run WATCHDOG_MS; a loop that ignores
// sqlite3_interrupt and the step limit is left to libFuzzer's -timeout.
// FUZZ_DBFILE_TRACE=1 build-fuzz/fuzz_dbfile FILE shows what each statement
// gave.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "small_stack.h"

extern "C" int sqlite3_joy_init(sqlite3* db, char** errmsg, const sqlite3_api_routines* api);

namespace {

constexpr int WATCHDOG_MS = 3000;
constexpr int MAX_ROWS = 2000;    // rows read of one statement
constexpr int MAX_NAMES = 24;     // views, functions, definitions, roots, tables each

// Interrupts `db` every 50 ms once WATCHDOG_MS have passed, until stopped
// (an interrupt between two statements is forgotten, so it is repeated).
class Watchdog {
public:
    explicit Watchdog(sqlite3* db) : db_(db), thread_([this] { watch(); }) {}
    ~Watchdog() {
        {
            std::lock_guard<std::mutex> lock(m_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    bool fired() const { return fired_.load(); }

private:
    void watch() {
        std::unique_lock<std::mutex> lock(m_);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(WATCHDOG_MS);
        if (cv_.wait_until(lock, deadline, [this] { return stop_; })) return;
        fired_ = true;
        while (!stop_) {
            sqlite3_interrupt(db_);
            cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stop_; });
        }
    }
    sqlite3* db_;
    std::mutex m_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::atomic<bool> fired_{false};
    std::thread thread_;
};

struct Victim {
    sqlite3* db;
    const Watchdog& dog;
    volatile unsigned touched = 0;
    bool trace = std::getenv("FUZZ_DBFILE_TRACE") != nullptr;  // each statement and its outcome, to stderr

    using Rows = std::vector<std::vector<std::string>>;

    // Prepares and steps `sql` with text parameters, reading every column
    // of every row (at most MAX_ROWS); into `out` as text, at most
    // MAX_NAMES rows.
    void run(const std::string& sql, const std::vector<std::string>& params = {}, Rows* out = nullptr) {
        if (dog.fired()) return;
        sqlite3_stmt* st = nullptr;
        if (trace) std::fprintf(stderr, "%s  %s\n", sql.c_str(), params.empty() ? "" : params[0].c_str());
        if (sqlite3_prepare_v2(db, sql.c_str(), int(sql.size()), &st, nullptr) != SQLITE_OK || !st) {
            if (trace) std::fprintf(stderr, "  -> %s\n", sqlite3_errmsg(db));
            sqlite3_finalize(st);
            return;
        }
        for (size_t k = 0; k < params.size(); ++k)
            sqlite3_bind_text(st, int(k + 1), params[k].data(), int(params[k].size()), SQLITE_TRANSIENT);
        int rc = SQLITE_ROW, rows = 0;
        for (; rows < MAX_ROWS && (rc = sqlite3_step(st)) == SQLITE_ROW; ++rows) {
            int n = sqlite3_column_count(st);
            for (int c = 0; c < n; ++c) {
                // Read every value as SQL would hand it over; text and blob
                // bytes are touched so a bad length would show.
                const unsigned char* t = sqlite3_column_text(st, c);
                int len = sqlite3_column_bytes(st, c);
                if (t && len > 0) touched = touched + t[0] + t[len - 1];
            }
            if (out && out->size() < MAX_NAMES) {
                std::vector<std::string> row;
                for (int c = 0; c < n; ++c) {
                    const unsigned char* t = sqlite3_column_text(st, c);
                    if (t) row.emplace_back(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(st, c)));
                    else row.emplace_back();
                }
                out->push_back(std::move(row));
            }
            if (trace && rows < 3 && sqlite3_column_count(st) > 0) {
                const unsigned char* t = sqlite3_column_text(st, 0);
                std::fprintf(stderr, "  %.100s\n", t ? reinterpret_cast<const char*>(t) : "NULL");
            }
        }
        if (trace)
            std::fprintf(stderr, "  -> %d rows, %s\n", rows,
                         rc == SQLITE_ROW || rc == SQLITE_DONE ? "ok" : sqlite3_errmsg(db));
        sqlite3_finalize(st);
    }

    // The first column of what `sql` gives.
    std::vector<std::string> names(const char* sql) {
        Rows rows;
        run(sql, {}, &rows);
        std::vector<std::string> found;
        for (auto& row : rows)
            if (!row.empty()) found.push_back(std::move(row[0]));
        return found;
    }
};

// "name" as an SQL identifier.
std::string quoted(const std::string& name) {
    std::string q = "\"";
    for (char c : name) {
        if (c == '\0') break;
        q += c;
        if (c == '"') q += '"';
    }
    return q + "\"";
}

void victim(const uint8_t* data, size_t size) {
    sqlite3* db = nullptr;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) __builtin_trap();
    // SQLite recurses on the C stack over an expression's depth and a
    // compound SELECT's terms: keep that well inside 256 KB.
    sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
    sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 20);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 24);
    auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(size ? size : 1));
    if (!copy) __builtin_trap();
    if (size) std::memcpy(copy, data, size);
    int rc = sqlite3_deserialize(db, "main", copy, sqlite3_int64(size), sqlite3_int64(size),
                                 SQLITE_DESERIALIZE_RESIZEABLE | SQLITE_DESERIALIZE_FREEONCLOSE);
    if (rc == SQLITE_OK) {
        sqlite3_int64 max_size = 16 << 20;
        sqlite3_file_control(db, "main", SQLITE_FCNTL_SIZE_LIMIT, &max_size);
        {
            Watchdog dog(db);
            Victim v{db, dog};
            char* err = nullptr;
            sqlite3_joy_init(db, &err, nullptr);  // may fail (e.g. a malformed schema): SQL then fails too
            sqlite3_free(err);
            v.run("SELECT joy_limits(200000, 16777216, 10000)");
            v.run("PRAGMA quick_check");

            for (const std::string& view : v.names("SELECT name FROM sqlite_schema WHERE type = 'view'"))
                v.run("SELECT * FROM " + quoted(view));

            // Every saved function, with as many arguments as it takes.
            Victim::Rows fns;
            v.run("SELECT name, kind, n_args FROM joy_functions", {}, &fns);
            for (const auto& fn : fns) {
                if (fn.size() != 3) continue;
                long n = std::strtol(fn[2].c_str(), nullptr, 10);
                if (n < 0 || n > 4) n = 1;
                std::string args;
                for (long a = 0; a < n; ++a) {
                    args += a ? ", " : "";
                    args += "x" + std::to_string(a % 3);
                }
                const char* rows =
                    " FROM (SELECT 3 AS x0, 'a[b' AS x1, json('[1,{\"k\":2}]') AS x2"
                    " UNION ALL SELECT -1.5, NULL, x'00ff' UNION ALL SELECT 9223372036854775807, '', '1 2 +')";
                std::string call = quoted(fn[0]) + "(" + args + ")";
                if (fn[1] == "scalar") {
                    v.run("SELECT " + call + rows);
                } else {
                    v.run("SELECT " + call + rows);
                    v.run("SELECT " + call + " OVER (ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)" + rows);
                }
            }

            // Stored definitions, run by name on an argument or two.
            for (const std::string& word : v.names("SELECT name FROM joy_definitions")) {
                v.run("SELECT joy_eval(?1, 3)", {word});
                v.run("SELECT * FROM joy_stack(?1, '[1 2]', 2)", {word});
            }

            // Persisted roots, and every table that may be a pdict or plist.
            std::vector<std::string> roots = v.names("SELECT name FROM joy_roots");
            for (const std::string& t : v.names("SELECT name FROM sqlite_schema WHERE type = 'table'"))
                if (roots.size() < 2 * MAX_NAMES) roots.push_back(t);
            for (const std::string& root : roots) {
                v.run("SELECT * FROM joy_list(?1)", {root});
                v.run("SELECT * FROM joy_list(?1) WHERE idx = 2", {root});
                v.run("SELECT * FROM joy_dict(?1)", {root});
                v.run("SELECT * FROM joy_stack('recall', ?1)", {root});
                v.run("SELECT joy_eval('recall size', ?1)", {root});
            }
            v.run("SELECT joy_gc()");
            v.run("PRAGMA quick_check");
        }
    }
    // Every statement is finalized: the extension must have left none.
    if (sqlite3_close(db) != SQLITE_OK) {
        std::fprintf(stderr, "the connection does not close: %s\n", sqlite3_errmsg(db));
        __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto work = [&] { victim(data, size); };
    on_small_stack(work);
    return 0;
}
