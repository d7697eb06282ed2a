// statement.cpp - the guards of ext/statement.h: however a scope ends, a
// statement owned is finalized and a cached statement in use is reset, so
// a later DROP TABLE finds no statement running.
#define SQLITE_CORE 1  // the ext headers then call the SQLite library directly
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <stdexcept>
#include <utility>

#include "../../ext/statement.h"

using joyext::Statement;
using joyext::StatementUse;

namespace {

struct Db {
    sqlite3* db = nullptr;
    Db() {
        REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
    }
    ~Db() { sqlite3_close(db); }
    bool drop_t() { return sqlite3_exec(db, "DROP TABLE t", nullptr, nullptr, nullptr) == SQLITE_OK; }
};

}  // namespace

TEST_CASE("a statement owned is finalized when an error leaves it part-way") {
    Db d;
    try {
        Statement st;
        REQUIRE(st.prepare(d.db, "SELECT x FROM t") == SQLITE_OK);
        REQUIRE(sqlite3_step(st.get()) == SQLITE_ROW);
        throw std::runtime_error("memory limit");
    } catch (const std::runtime_error&) {
    }
    CHECK(sqlite3_next_stmt(d.db, nullptr) == nullptr);
    CHECK(d.drop_t());
}

TEST_CASE("a statement owned moves to its new owner; a failed prepare holds none") {
    Db d;
    Statement a;
    REQUIRE(a.prepare(d.db, "SELECT x FROM t") == SQLITE_OK);
    sqlite3_stmt* raw = a.get();
    Statement b = std::move(a);
    CHECK(a.get() == nullptr);
    CHECK(b.get() == raw);
    CHECK(b.prepare(d.db, "SELECT x FROM nowhere") == SQLITE_ERROR);
    CHECK(b.get() == nullptr);
    CHECK(sqlite3_next_stmt(d.db, nullptr) == nullptr);  // the first was finalized
}

TEST_CASE("a cached statement in use is reset when an error leaves it part-way") {
    Db d;
    Statement cached;
    REQUIRE(cached.prepare(d.db, "SELECT x FROM t") == SQLITE_OK);
    sqlite3_stmt* st = cached.get();
    try {
        StatementUse use(st);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        throw std::runtime_error("memory limit");
    } catch (const std::runtime_error&) {
    }
    CHECK(!sqlite3_stmt_busy(st));
    CHECK(sqlite3_next_stmt(d.db, nullptr) == st);  // still prepared, for its next use
    CHECK(d.drop_t());
}
