// store.cpp - joyext::SqliteStore on its own: an SQLite connection opened
// here, the store's methods called directly (heap, lazy recall, GC,
// definitions and sessions, calls and rollbacks), and a StoreHost running
// Joy over it.
#define SQLITE_CORE 1  // the ext headers then call the SQLite library directly
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "../../ext/sqlite_store.h"
#include "../../ext/store_host.h"
#include "support.h"

using namespace joy;
using joyext::SqliteStore;

namespace {

sqlite3* open_db(const std::string& path = ":memory:") {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    return db;
}

int64_t count(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

void exec(sqlite3* db, const std::string& sql) { REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK); }

// A connection, a store on it, and an interpreter for parsing values and
// resolving the symbols of recalled values.
struct Fixture {
    sqlite3* db;
    CaptureHost host;
    Interp I{&host};
    SqliteStore* store;
    explicit Fixture(const std::string& path = ":memory:") : db(open_db(path)) {
        store = new SqliteStore(db);
        store->attach(&I);
    }
    ~Fixture() {
        delete store;
        sqlite3_close(db);
    }
    Value value(const std::string& text) {
        I.stk.clear();
        run_text(I, text, true);
        REQUIRE(I.stk.size() == 1);
        return I.stk.back();
    }
    std::string recall(const std::string& root) {
        Value v;
        REQUIRE(store->recall(root, v));
        return to_joy(v);
    }
};

// A host with a database: definitions write through and load lazily.
struct DbHost : joyext::StoreHost {
    std::string out;
    void write_out(std::string_view s) override { out += s; }
    void write_err(std::string_view s) override { out += s; }
};

// Runs `text` as the CLI would (after a sync); what it printed.
std::string run_db(Interp& I, DbHost& host, const std::string& text) {
    host.out.clear();
    host.sync(I);
    run_text(I, text);
    return host.out;
}

struct TempFile {
    std::string path;
    TempFile() {
        char name[] = "/tmp/joy-store-test-XXXXXX";
        int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        close(fd);
        path = name;
    }
    ~TempFile() {
        for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    }
};

}  // namespace

TEST_CASE("the schema is created on first use, not before", "[store]") {
    Fixture f;
    CHECK_FALSE(f.store->has_schema());
    Value v;
    CHECK_FALSE(f.store->recall("x", v));
    CHECK(f.store->roots().empty());
    CHECK(f.store->collect_garbage() == 0);
    CHECK_FALSE(f.store->has_schema());
    f.store->persist("x", Value::integer(1));
    CHECK(f.store->has_schema());
    CHECK(count(f.db, "SELECT value FROM joy_meta WHERE key = 'schema_version'") == 1);
    CHECK(count(f.db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('joy_meta', "
                      "'joy_definitions', 'joy_roots', 'joy_nodes', 'joy_strings', 'joy_sessions', "
                      "'joy_snapshots')") == 7);
}

TEST_CASE("a newer schema version is refused", "[store]") {
    Fixture f;
    f.store->ensure_schema();
    exec(f.db, "UPDATE joy_meta SET value = 99 WHERE key = 'schema_version'");
    SqliteStore fresh(f.db);
    CHECK_THROWS_WITH(fresh.ensure_schema(), Catch::Contains("newer Persistent Joy"));
}

TEST_CASE("persist and recall every kind of value", "[store]") {
    Fixture f;
    for (const char* text : {"1", "-9223372036854775807", "2.5", "'x", "\"a\\\"b\"", "true", "{0 63}", "[]",
                             "{}", "nil", "[1 [2 [3 []]] \"s\" 'c 1.5 {1} {k: [1 {j: 2}]}]", "[dup +]",
                             "{\"with space\": \"\", x: nil}"}) {
        Value v = f.value(text);
        f.store->persist("r", v);
        Value back;
        REQUIRE(f.store->recall("r", back));
        INFO(text);
        CHECK(values_equal(back, v));
        CHECK(to_joy(back) == to_joy(v));
    }
}

TEST_CASE("symbols recall as the interpreter's symbols and builtins", "[store]") {
    Fixture f;
    f.store->persist("q", f.value("[dup myword +]"));
    Value q;
    REQUIRE(f.store->recall("q", q));
    CHECK(head(q.u.list).tag == T_BUILTIN);
    CHECK(head(tail(q.u.list)).tag == T_USRDEF);
    CHECK(head(tail(q.u.list)).u.sym == f.I.intern("myword"));
}

TEST_CASE("recall is lazy: cells are read as they are reached", "[store]") {
    Fixture f;
    f.store->persist("big", f.value("1 10000 vrange"));
    CHECK(count(f.db, "SELECT count(*) FROM joy_nodes") == 10001);
    Value big;
    REQUIRE(f.store->recall("big", big));
    REQUIRE(big.tag == T_LIST);
    CHECK(big.u.list->stub != 0);
    CHECK(head(big.u.list).u.i == 1);
    CHECK(big.u.list->stub == 0);
    CHECK(big.u.list->tail_->stub != 0);  // the second cell is not read yet
    // With all but the first three cell rows gone, the front still reads.
    int64_t first = count(f.db, "SELECT min(id) FROM joy_nodes WHERE kind = 1");
    exec(f.db, "DELETE FROM joy_nodes WHERE kind = 1 AND id >= " + std::to_string(first + 3));
    Value again;
    REQUIRE(f.store->recall("big", again));
    Cell* c = again.u.list;
    CHECK(head(c).u.i == 1);
    CHECK(head(tail(c)).u.i == 2);
    CHECK(head(tail(tail(c))).u.i == 3);
    CHECK_THROWS_WITH(head(tail(tail(tail(c)))), Catch::Contains("persisted node"));
}

TEST_CASE("a recalled list persisted again shares its rows", "[store]") {
    Fixture f;
    f.store->persist("a", f.value("[1 2 3 4 5]"));
    Value a;
    REQUIRE(f.store->recall("a", a));
    Value rest = Value::adopt_list(retain_cell(tail(a.u.list)));  // [2 3 4 5], still lazy past the head
    int64_t before = count(f.db, "SELECT count(*) FROM joy_nodes");
    f.store->persist("b", rest);
    CHECK(count(f.db, "SELECT count(*) FROM joy_nodes") == before + 1);  // a root row only
    CHECK(f.store->forget("a"));
    CHECK_FALSE(f.store->forget("a"));
    CHECK(f.store->collect_garbage() == 2);  // a's root and its first cell
    CHECK(f.recall("b") == "[2 3 4 5]");
}

TEST_CASE("gc keeps the rows of lazily recalled values still held", "[store]") {
    Fixture f;
    f.store->persist("xs", f.value("[1 2 3 4]"));
    Value xs;
    REQUIRE(f.store->recall("xs", xs));
    CHECK(f.store->forget("xs"));
    CHECK(f.store->collect_garbage() == 1);  // the root row only: the cells are held
    CHECK(to_joy(xs) == "[1 2 3 4]");
    xs = Value();
    CHECK(f.store->collect_garbage() == 4);
}

TEST_CASE("shared tails are written once", "[store]") {
    Fixture f;
    Value v = f.value("[3 4 5] dup 1 swons swap 2 swons [] cons cons");
    f.store->persist("s", v);
    CHECK(count(f.db, "SELECT count(*) FROM joy_nodes WHERE kind = 1") == 2 + 1 + 1 + 3);
    CHECK(f.recall("s") == "[[1 3 4 5] [2 3 4 5]]");
}

TEST_CASE("roots, forget and gc", "[store]") {
    Fixture f;
    f.store->persist("b", f.value("[\"x\" \"y\"]"));
    f.store->persist("a", f.value("{k: [1 2]}"));
    CHECK(f.store->roots() == std::vector<std::string>{"a", "b"});
    CHECK(f.store->collect_garbage() == 0);
    f.store->persist("b", Value::integer(7));  // the list's rows become garbage
    CHECK(f.store->collect_garbage() == 3);
    CHECK(count(f.db, "SELECT count(*) FROM joy_strings") == 1);  // only the key "k" is left
    CHECK(f.store->forget("a"));
    CHECK(f.store->collect_garbage() == 4);
    CHECK(count(f.db, "SELECT count(*) FROM joy_strings") == 0);
    CHECK(f.store->roots() == std::vector<std::string>{"b"});
    CHECK(f.recall("b") == "7");
}

TEST_CASE("query and exec bind parameters and return rows", "[store]") {
    Fixture f;
    CHECK(f.store->exec("CREATE TABLE t(a, b)", Value::empty_list()) == 0);
    CHECK(f.store->exec("INSERT INTO t VALUES (?, ?), (?, ?)", f.value("[1 \"x\" 2.5 [1 2]]")) == 2);
    CHECK(to_joy(f.store->query("SELECT a, b FROM t ORDER BY rowid", Value::empty_list())) ==
          "[{a: 1, b: \"x\"} {a: 2.5, b: \"[1,2]\"}]");
    CHECK(f.store->last_insert_id() == 2);
    CHECK_THROWS_WITH(f.store->query("SELECT 1; SELECT 2", Value::empty_list()),
                      Catch::Contains("single SQL statement"));
    CHECK_THROWS_WITH(f.store->exec("INSERT INTO nowhere VALUES (1)", Value::empty_list()),
                      Catch::Contains("no such table"));
}

TEST_CASE("many distinct statements never finalize one in use", "[store]") {
    Fixture f;
    f.store->persist("z", Value::integer(0));
    for (int k = 0; k < 300; ++k) f.store->query("SELECT " + std::to_string(k), Value::empty_list());
    f.store->persist("k", f.value("[\"s1\" \"s2\" {k: \"v\"}]"));
    CHECK(f.recall("k") == "[\"s1\" \"s2\" {k: \"v\"}]");
}

TEST_CASE("savepoints nest and roll back", "[store]") {
    Fixture f;
    f.store->exec("CREATE TABLE t(a)", Value::empty_list());
    f.store->savepoint_begin();
    f.store->exec("INSERT INTO t VALUES (1)", Value::empty_list());
    f.store->savepoint_begin();
    f.store->exec("INSERT INTO t VALUES (2)", Value::empty_list());
    f.store->savepoint_rollback();
    f.store->savepoint_commit();
    CHECK(count(f.db, "SELECT group_concat(a) FROM t") == 1);
    CHECK_THROWS_WITH(f.store->savepoint_commit(), Catch::Contains("db-begin needed"));
}

TEST_CASE("definitions live in sessions", "[store]") {
    Fixture f;
    std::string body;
    CHECK_FALSE(f.store->load_definition("sq", body));
    f.store->save_definition("sq", "dup *");
    f.store->save_definition("keep", "1");
    REQUIRE(f.store->load_definition("sq", body));
    CHECK(body == "dup *");
    CHECK(f.store->session() == "main");
    f.store->set_session("draft");
    CHECK_FALSE(f.store->load_definition("sq", body));
    f.store->save_definition("sq", "dup dup * *");
    f.store->save_definition("new", "0");
    CHECK(f.store->sessions() == std::vector<std::string>{"draft", "main"});
    std::vector<std::string> added, modified, removed;
    f.store->session_diff("main", added, modified, removed);
    CHECK(added == std::vector<std::string>{"keep"});
    CHECK(modified == std::vector<std::string>{"sq"});
    CHECK(removed == std::vector<std::string>{"new"});
    CHECK(f.store->session_merge("main") == std::vector<std::string>{"sq"});
    CHECK_FALSE(f.store->load_definition("keep", body));  // all or nothing
    f.store->session_take("main", "sq");
    REQUIRE(f.store->load_definition("sq", body));
    CHECK(body == "dup *");
    CHECK(f.store->session_merge("main").empty());
    CHECK(f.store->load_definition("keep", body));
    CHECK(f.store->session_keep({"keep"}) == 2);
    CHECK_FALSE(f.store->load_definition("new", body));
    CHECK_THROWS_WITH(f.store->session_take("main", "nosuch"), Catch::Contains("no definition of nosuch"));
    f.store->session_delete("draft");
    f.store->set_session("main");
    CHECK(f.store->sessions() == std::vector<std::string>{"main"});
}

TEST_CASE("snapshots and restore", "[store]") {
    Fixture f;
    std::string body;
    f.store->save_definition("a", "1");
    f.store->snapshot("v1");
    f.store->save_definition("a", "2");
    f.store->save_definition("b", "3");
    CHECK(f.store->snapshots() == std::vector<std::string>{"v1"});
    f.store->restore("v1");
    REQUIRE(f.store->load_definition("a", body));
    CHECK(body == "1");
    CHECK_FALSE(f.store->load_definition("b", body));
    CHECK_THROWS_WITH(f.store->restore("v2"), Catch::Contains("no snapshot named"));
}

TEST_CASE("a failed call leaves nothing behind", "[store]") {
    Fixture f;
    f.store->persist("kept", f.value("[\"s\"]"));
    f.store->begin_call();
    f.store->persist("lost", f.value("[\"t\" \"u\"]"));
    f.store->save_definition("w", "1");
    f.store->set_session("elsewhere");
    f.store->end_call(false);
    CHECK(f.store->session() == "main");
    CHECK(f.store->roots() == std::vector<std::string>{"kept"});
    std::string body;
    CHECK_FALSE(f.store->load_definition("w", body));
    f.store->persist("again", f.value("[\"t\"]"));  // no interned id of the rolled-back call is reused
    CHECK(f.recall("again") == "[\"t\"]");
}

TEST_CASE("a call inside the caller's transaction, rolled back after", "[store]") {
    Fixture f;
    uint64_t g0 = f.store->definitions_generation();
    exec(f.db, "BEGIN");
    f.store->begin_call();
    f.store->persist("r", f.value("[\"abc\"]"));
    f.store->end_call(true);
    exec(f.db, "ROLLBACK");
    CHECK(f.store->definitions_generation() != g0);  // the next call starts afresh
    CHECK_FALSE(f.store->has_schema());
    f.store->begin_call();
    f.store->persist("r", f.value("[\"abc\"]"));
    f.store->end_call(true);
    CHECK(f.recall("r") == "[\"abc\"]");
}

TEST_CASE("another connection's writes change the definitions generation", "[store]") {
    TempFile file;
    Fixture a(file.path), b(file.path);
    a.store->save_definition("x", "1");
    uint64_t g = b.store->definitions_generation();
    CHECK(b.store->definitions_generation() == g);
    a.store->save_definition("x", "2");
    CHECK(b.store->definitions_generation() != g);
    std::string body;
    REQUIRE(b.store->load_definition("x", body));
    CHECK(body == "2");
}

TEST_CASE("a store host writes definitions through and loads them lazily", "[store]") {
    TempFile file;
    sqlite3* db1 = open_db(file.path);
    sqlite3* db2 = open_db(file.path);
    {
        DbHost h1, h2;
        Interp I1(&h1), I2(&h2);
        h1.set_store(std::make_unique<SqliteStore>(db1), &I1);
        h2.set_store(std::make_unique<SqliteStore>(db2), &I2);
        run_db(I1, h1, "DEFINE pi == 3.141592653589793; sq == dup *. [1 2 3] \"xs\" persist.");
        CHECK(count(db1, "SELECT count(*) FROM joy_definitions") == 2);
        CHECK(run_db(I2, h2, "3 sq . pi 3.141592653589793 = . \"xs\" recall [sq] map .") == "9\ntrue\n[1 4 9]\n");
        run_db(I1, h1, "DEFINE sq == dup dup * *.");
        CHECK(run_db(I2, h2, "2 sq .") == "8\n");
        run_db(I2, h2, "\"draft\" session. DEFINE sq == 0. \"main\" session.");
        CHECK(run_db(I2, h2, "2 sq .") == "8\n");
    }
    sqlite3_close(db1);
    sqlite3_close(db2);
}

TEST_CASE("PERSIST defines and writes through like DEFINE", "[store]") {
    sqlite3* db = open_db();
    {
        DbHost h;
        Interp I(&h);
        h.set_store(std::make_unique<SqliteStore>(db), &I);
        CHECK(run_db(I, h, "PERSIST twice == dup +; three == 3. three twice .") == "6\n");
        CHECK(count(db, "SELECT count(*) FROM joy_definitions WHERE name IN ('twice', 'three')") == 2);
    }
    sqlite3_close(db);
}
