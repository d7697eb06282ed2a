// torture.cpp - every builtin called with every kind of value in every
// position (arity up to 4) and with too few values: each call must end in a
// result or a Joy error, never a crash, a hang, a foreign exception or a
// broken interpreter (frames, guard or spill stack left behind).
//
// Calls run under small step, memory and depth limits, with output captured
// and a real (in-memory) database behind the persistence words. Files,
// standard input and processes are off (no CAP_FILES), so nothing blocks or
// touches the machine; `quit` throws JoyQuit, which counts as an ending.
// TORTURE_VERBOSE=1 prints the time each builtin took (to find slow words).
#define SQLITE_CORE 1  // the unit tests link SQLite itself
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../../ext/store_host.h"
#include "../../joycore/dict.h"
#include "../../joycore/file.h"
#include "../../joycore/interp.h"
#include "../../joycore/printer.h"
#include "../../joycore/reader.h"

using namespace joy;

namespace {

// Output is allowed and thrown away.
struct TortureHost : joyext::StoreHost {
    void write_out(std::string_view) override {}
    void write_err(std::string_view) override {}
};

// An interpreter whose persistence words work on an in-memory database.
struct Rig {
    sqlite3* db = nullptr;
    TortureHost host;
    std::unique_ptr<Interp> I;

    Rig() {
        REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
        I = std::make_unique<Interp>(&host);
        host.set_store(std::make_unique<joyext::SqliteStore>(db), I.get());
    }
    ~Rig() {
        I.reset();
        host.set_store(nullptr, nullptr);
        sqlite3_close_v2(db);
    }
    // The value a Joy expression leaves on top.
    Value eval(const std::string& text) {
        I->stk.clear();
        run_text(*I, text, true);
        REQUIRE(!I->stk.empty());
        Value v = I->pop();
        I->stk.clear();
        return v;
    }
};

struct Kind {
    const char* name;
    Value value;
};

std::vector<Kind> all_kinds(Rig& r) {
    std::vector<Kind> k;
    k.push_back({"nil", Value::nil()});
    k.push_back({"true", Value::boolean(true)});
    k.push_back({"char", Value::chr('A')});
    k.push_back({"int", Value::integer(3)});
    k.push_back({"float", Value::flt(2.5)});
    k.push_back({"set", Value::setv((1u << 1) | (1u << 5))});
    k.push_back({"string", make_string("ab")});
    k.push_back({"list", r.eval("[1 2 3]")});
    k.push_back({"quotation of symbols", r.eval("[torture-x torture-y]")});
    k.push_back({"dict", r.eval("{a: 1, b: [2 3]}")});
    k.push_back({"file", Value::adopt_obj(T_FILE, new FileObj(FileObj::STD_OUT))});
    k.push_back({"nested list", r.eval("[[1 [2 []]] [\"c\" 'd] {}]")});
    // Edge cases of the same families.
    k.push_back({"zero", Value::integer(0)});
    k.push_back({"negative", Value::integer(-7)});
    k.push_back({"big int", Value::integer(1000000000)});
    k.push_back({"empty list", Value::empty_list()});
    k.push_back({"empty string", make_string("")});
    k.push_back({"quotation of builtins", r.eval("[dup *]")});
    k.push_back({"symbol", r.eval("[torture-x] first")});
    k.push_back({"builtin", r.eval("[dup] first")});
    k.push_back({"closed file", Value::adopt_obj(T_FILE, new FileObj(FileObj::C_FILE, nullptr))});
    k.push_back({"database handle", r.eval("db")});
    return k;
}

// The kinds whose every combination of three is tried (the rest appear in
// every position with fillers around them).
const char* const core_kinds[] = {"nil", "true", "char", "int", "float", "set", "string", "list",
                                  "quotation of symbols", "dict", "file", "nested list",
                                  "quotation of builtins"};

struct Torture {
    Rig rig;
    std::vector<Kind> kinds = all_kinds(rig);
    std::vector<std::string> problems;
    size_t calls = 0;

    // Runs builtin b on a stack of `args` (deepest first).
    void call(const Builtin* b, const std::vector<const Kind*>& args) {
        Interp& I = *rig.I;
        I.stk.clear();
        for (const Kind* k : args) I.push(k->value);
        I.caps = CAP_OUTPUT | CAP_NONDET | CAP_STORE;
        I.autoput = 1;
        I.undeferror = 1;
        I.echo = 0;
        I.set_limits(Limits{20000, 1 << 20, 200});
        Value prog = cons(Value::builtin(b), Value::empty_list());
        auto start = std::chrono::steady_clock::now();
        std::string what;
        // As the extension does: one call, whose writes are then rolled back
        // (this keeps the database small and every call alike).
        joyext::SqliteStore* store = rig.host.sqlite_store();
        rig.host.sync(I);
        store->begin_call();
        try {
            I.run(prog);
        } catch (JoyError&) {
        } catch (JoyQuit&) {
        } catch (std::exception& e) {
            what = std::string("foreign exception: ") + e.what();
        }
        store->end_call(false);
        ++calls;
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (seconds > 2) what = "took " + std::to_string(seconds) + " s";
        if (!I.fr.empty() || I.guard != 0 || !I.spill_stack.empty()) what = "interpreter state left behind";
        if (what.empty()) return;
        std::string line = std::string(b->name) + " on [";
        for (const Kind* k : args) line += std::string(" ") + k->name;
        problems.push_back(line + " ]: " + what);
    }

    const Kind* kind(const char* name) {
        for (const Kind& k : kinds)
            if (std::string(k.name) == name) return &k;
        FAIL("no kind " << name);
        return nullptr;
    }

    void torture(const Builtin* b) {
        std::vector<const Kind*> core;
        for (const char* n : core_kinds) core.push_back(kind(n));
        call(b, {});
        for (const Kind& x : kinds) call(b, {&x});
        for (const Kind& x : kinds)
            for (const Kind& y : kinds) call(b, {&x, &y});
        for (const Kind* x : core)
            for (const Kind* y : core)
                for (const Kind* z : core) call(b, {x, y, z});
        // Arity 3 and 4: every kind in every position among fillers.
        const Kind* fillers[] = {kind("int"), kind("list"), kind("quotation of builtins")};
        for (size_t n = 3; n <= 4; ++n)
            for (size_t pos = 0; pos < n; ++pos)
                for (const Kind& x : kinds)
                    for (const Kind* f : fillers) {
                        std::vector<const Kind*> args(n, f);
                        args[pos] = &x;
                        call(b, args);
                    }
    }
};

}  // namespace

TEST_CASE("every builtin survives every kind of value in every position", "[torture]") {
    Torture t;
    for (const Builtin* b : Interp::builtin_table()) {
        auto start = std::chrono::steady_clock::now();
        t.torture(b);
        if (std::getenv("TORTURE_VERBOSE"))
            std::fprintf(stderr, "%s %.3f s\n", b->name,
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    INFO(t.calls << " calls");
    for (const std::string& p : t.problems) UNSCOPED_INFO(p);
    CHECK(t.problems.empty());
    // The interpreter still works after all that.
    t.rig.I->stk.clear();
    t.rig.I->set_limits(Limits{});
    run_text(*t.rig.I, "1 2 +", true);
    REQUIRE(t.rig.I->stk.size() == 1);
    CHECK(to_joy(t.rig.I->stk.back()) == "3");
}

namespace {
struct Probe : Object {
    bool* freed;
    explicit Probe(bool* f) : freed(f) {}
    ~Probe() override { *freed = true; }
    const char* kind() const override { return "probe"; }
};
}  // namespace

// Regression: the count of a file or handle lived at the address of its
// vtable pointer (an Object's HeapObj part is not at its start), so copies
// corrupted the vtable and the object was never freed.
TEST_CASE("copies of a handle count in the object and free it", "[torture]") {
    bool freed = false;
    {
        Value v = Value::adopt_obj(T_HANDLE, new Probe(&freed));
        std::vector<Value> copies(5, v);
        CHECK(v.u.obj->rc == 6);
        CHECK(std::string(v.u.obj->kind()) == "probe");
        CHECK(dynamic_cast<Probe*>(copies.back().u.obj) != nullptr);
    }
    CHECK(freed);
}

// ---- regressions found by the fuzzers, the sanitizers and this torture ----

namespace {
// The message of the Joy error `text` raises under `limits`, or "".
std::string error_under(const std::string& text, Limits limits) {
    TortureHost host;
    Interp I(&host);
    I.set_limits(limits);
    try {
        run_text(I, text, true);
    } catch (JoyError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("loops over empty quotations meet the step limit", "[torture][regression]") {
    Limits small{100000, 0, 0};
    CHECK(error_under("1000000000 [] times", small).find("step limit") != std::string::npos);
    CHECK(error_under("1 [] [] while", small).find("step limit") != std::string::npos);
    CHECK(error_under("1000000000 [] [] primrec", small).find("step limit") != std::string::npos);
}

TEST_CASE("the reader makes progress on any byte", "[torture][regression]") {
    TortureHost host;
    Interp I(&host);
    // A NUL byte, and .5 followed by letters, used to stop the reader in place.
    for (std::string text : {std::string("[1 \0 2] 3 .", 11), std::string("[a .3c6"), std::string("1 .5x 2")}) {
        Parser p(I, text);
        size_t items = 0;
        for (;; ++items) {
            REQUIRE(items <= text.size());
            try {
                if (p.next().kind == Item::END) break;
            } catch (JoyError&) {
            }
        }
    }
    CHECK(error_under(std::string("1 \0 2 .", 7), Limits{}).find("syntax error") != std::string::npos);
}

namespace {
// Rows written by hand into joy_nodes, then recalled and walked whole.
std::string recall_rows(const char* rows_sql) {
    Rig rig;
    joyext::SqliteStore* store = rig.host.sqlite_store();
    store->ensure_schema();
    REQUIRE(sqlite3_exec(rig.db, rows_sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(rig.db, "INSERT INTO joy_roots VALUES ('r', 1, 0, 0)", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    try {
        Value v;
        if (!store->recall("r", v)) return "no root";
        std::vector<Value> work{v};
        for (size_t budget = 1000; !work.empty() && budget; --budget) {
            Value x = std::move(work.back());
            work.pop_back();
            if (x.tag == T_LIST)
                for (Cell* c = x.u.list; c && budget; c = tail(c), --budget) work.push_back(head(c));
            if (x.tag == T_DICT) x.u.dict->each([&](const Value&, const Value& e) { work.push_back(e); });
        }
        return "walked";
    } catch (JoyError& e) {
        return e.what();
    }
}
}  // namespace

TEST_CASE("recalling cyclic or broken rows gives Joy errors", "[torture][regression][store]") {
    // A list whose cells 2 -> 3 -> 4 -> 2 go round (recall used to page in
    // cells for ever).
    CHECK(recall_rows("INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (1, 0, 9, 2);"
                      "INSERT INTO joy_nodes(id, kind, type, ival, next_id) VALUES (2, 1, 6, 1, 3), "
                      "(3, 1, 6, 2, 4), (4, 1, 6, 3, 2)")
              .find("is cyclic") != std::string::npos);
    // A dict holding itself (recall used to recurse until the C stack overflowed).
    CHECK(recall_rows("INSERT INTO joy_strings VALUES (1, 'k');"
                      "INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (1, 0, 21, 2);"
                      "INSERT INTO joy_nodes(id, kind, type, ref_id, key_id) VALUES (2, 2, 21, 2, 1)")
              .find("is cyclic") != std::string::npos);
    // Dict entries 2 -> 3 -> 2.
    CHECK(recall_rows("INSERT INTO joy_strings VALUES (1, 'k'), (2, 'j');"
                      "INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (1, 0, 21, 2);"
                      "INSERT INTO joy_nodes(id, kind, type, ival, key_id, next_id) VALUES (2, 2, 6, 1, 1, 3), "
                      "(3, 2, 6, 2, 2, 2)")
              .find("is cyclic") != std::string::npos);
    // A dangling next_id, a missing string, a wrong kind, a text type.
    CHECK(recall_rows("INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (1, 0, 9, 2);"
                      "INSERT INTO joy_nodes(id, kind, type, ival, next_id) VALUES (2, 1, 6, 1, 99)")
              .find("missing") != std::string::npos);
    CHECK(recall_rows("INSERT INTO joy_nodes(id, kind, type, str_id) VALUES (1, 0, 8, 7)").find("missing") !=
          std::string::npos);
    CHECK(recall_rows("INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (1, 0, 9, 1)").find("not a list cell") !=
          std::string::npos);
    CHECK(recall_rows("INSERT INTO joy_nodes(id, kind, type) VALUES (1, 0, 'x')").find("unknown type") !=
          std::string::npos);
    // A list nested in itself would be infinitely deep: reading it deeper
    // than there are rows is an error. A shared (acyclic) tail is fine.
    CHECK(recall_rows("INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (1, 0, 9, 2);"
                      "INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (2, 1, 9, 2)")
              .find("nested in itself") != std::string::npos);
    CHECK(recall_rows("INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (1, 0, 9, 2);"
                      "INSERT INTO joy_nodes(id, kind, type, ref_id, next_id) VALUES (2, 1, 9, 4, 3);"
                      "INSERT INTO joy_nodes(id, kind, type, ival, next_id) VALUES (3, 1, 6, 1, 4), (4, 1, 6, 2, NULL)") ==
          "walked");
}

TEST_CASE("deeply nested persisted dicts recall without recursion", "[torture][regression][store]") {
    Rig rig;
    Interp& I = *rig.I;
    run_text(I, "dempty 100000 [dempty swap \"k\" swap dput] times \"deep\" persist", true);
    run_text(I, "\"deep\" recall 0 swap [dsize 0 >] [\"k\" dget swap succ swap] while pop", true);
    REQUIRE(I.stk.size() == 1);
    CHECK(to_joy(I.stk.back()) == "100000");
}

// Lists that share structure (`stack` of a stack of a stack ...) are small
// in memory but exponentially long when printed or compared element by
// element: the limits must still bound both (fuzz_eval found `helpdetail`
// printing one for ever).
TEST_CASE("printing and comparing shared structure meet the limits", "[torture][regression]") {
    Limits small{100000, 4 << 20, 0};
    const std::string big = "[] [1 40 [stack] times] infra ";
    CHECK(error_under(big + "put", small).find("memory limit") != std::string::npos);
    CHECK(error_under(big + "helpdetail", small).find("memory limit") != std::string::npos);
    // Many values each printing shorter than the limit, and longer together
    // (fuzz_eval: 1 GB of helpdetail text under a 4 MB limit).
    const std::string many =
        "\"ab\" stack stack stack stack fold name 3 stdin stack stack stack stack stack stack stack stack stack "
        "stack stack stack stack stack fold name 3 stack fold name 3 stdin stack ";
    CHECK(error_under(many + "helpdetail", small).find("memory limit") != std::string::npos);
    CHECK(error_under(big + ".", small).find("memory limit") != std::string::npos);  // autoput, after the run
    CHECK(error_under(big + big + "equal", small).find("step limit") != std::string::npos);
    CHECK(error_under(big + big + "[1] cons [[2]] cons case", small).find("step limit") != std::string::npos);
}
