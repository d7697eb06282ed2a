// statement.h - the guards every prepared statement of the extension goes
// through, so that no way out of a scope (an error of SQLite's, a Joy error
// such as the memory limit while a row is read, a refused allocation)
// leaves a statement running or unfinalized. While one is left running,
// DROP TABLE fails ("database table is locked"); one left unfinalized
// keeps the connection from closing.
//
//   Statement    a statement prepared for one use (or owned by a cache or
//                a cursor): finalized when the guard goes.
//   StatementUse a cached statement in use: reset when the guard goes.
//
// Reading a column after the guard has gone reads a reset statement: copy
// what is needed while the guard lives.
#pragma once
#include <sqlite3ext.h>

#include <string_view>

SQLITE_EXTENSION_INIT3  // (at file scope: the members below call SQLite)

namespace joyext {

class Statement {
public:
    Statement() = default;
    ~Statement() { sqlite3_finalize(st_); }
    Statement(Statement&& o) noexcept : st_(o.st_) { o.st_ = nullptr; }
    Statement& operator=(Statement&& o) noexcept {
        if (this != &o) {
            sqlite3_finalize(st_);
            st_ = o.st_;
            o.st_ = nullptr;
        }
        return *this;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Prepares the first statement of `sql` in place of any held; SQLite's
    // code. On an error, or for text with no statement, it holds none.
    // `tail`, if given, gets where the rest of `sql` begins.
    int prepare(sqlite3* db, std::string_view sql, unsigned flags = 0, const char** tail = nullptr) {
        *this = Statement();
        return sqlite3_prepare_v3(db, sql.data(), int(sql.size()), flags, &st_, tail);
    }
    sqlite3_stmt* get() const { return st_; }

private:
    sqlite3_stmt* st_ = nullptr;
};

// A column's text, empty for NULL (valid until the statement moves on).
inline std::string_view column_text(sqlite3_stmt* st, int col) {
    const char* text = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    return text ? std::string_view(text, size_t(sqlite3_column_bytes(st, col))) : std::string_view();
}

class StatementUse {
public:
    explicit StatementUse(sqlite3_stmt* st) : st_(st) {}
    ~StatementUse() { sqlite3_reset(st_); }
    StatementUse(const StatementUse&) = delete;
    StatementUse& operator=(const StatementUse&) = delete;

private:
    sqlite3_stmt* st_;
};

}  // namespace joyext
