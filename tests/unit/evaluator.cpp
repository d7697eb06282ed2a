// evaluator.cpp - the trampoline: combinators, tests on a guarded stack,
// tail calls, deep recursion and limits.
#include <catch2/catch.hpp>

#include "support.h"

TEST_CASE("tests restore the stack they consumed", "[evaluator]") {
    CHECK(eval_top("1 2 [pop] nullary stack") == "[1 2 1]");
    CHECK(eval_top("1 2 [pop pop 5] nullary stack") == "[5 2 1]");
    CHECK(eval_top("3 4 [+] unary stack") == "[7 3]");
    CHECK(eval_top("3 [pop 1] [10] [20] ifte stack") == "[10 3]");
    CHECK(eval_top("5 [dup 0 >] [dup pred] while stack") == "[0 1 2 3 4 5]");
}

TEST_CASE("nested tests keep both guards", "[evaluator]") {
    CHECK(eval_top("1 2 [[pop pop 0] [pop 7] [pop 8] ifte] nullary stack") == "[8 2 1]");
    CHECK(eval_top("10 [[pop 1] nullary] nullary stack") == "[1 10]");
}

TEST_CASE("recursion combinators", "[evaluator]") {
    CHECK(eval_top("DEFINE fib == [small] [] [pred dup pred] [+] binrec. 20 fib") == "6765");
    CHECK(eval_top("5 [null] [succ] [dup pred] [*] linrec") == "120");
    CHECK(eval_top("[1 2 3] [null] [pop 0] [uncons] [+] linrec") == "6");
    CHECK(eval_top("5 [null] [succ] [dup pred] [i *] genrec") == "120");
    CHECK(eval_top("5 [1] [*] primrec") == "120");
    CHECK(eval_top("10 [0 =] [] [pred] tailrec") == "0");
}

TEST_CASE("an error leaves the stack as it was under running tests", "[evaluator]") {
    CaptureHost host;
    joy::Interp I(&host);
    run(I, host, "1 2 [pop pop undefined-word] [3] [4] ifte.");
    CHECK(host.err.find("definition needed for undefined-word") != std::string::npos);
    REQUIRE(I.stk.size() == 2);
    CHECK(joy::to_joy(I.stk[0]) == "1");
    CHECK(joy::to_joy(I.stk[1]) == "2");
}

TEST_CASE("tail calls run in constant frame depth", "[evaluator]") {
    joy::Limits lim;
    lim.depth = 100;
    CHECK(eval_top("DEFINE loop == [0 >] [pred loop] [] ifte. 1000000 loop", lim) == "0");
    CHECK(eval_top("0 1000000 [1 +] times", lim) == "1000000");
}

TEST_CASE("deep non-tail recursion gives an error at the depth limit, not a crash", "[evaluator][limits]") {
    joy::Limits lim;
    lim.depth = 100000;
    std::string e = error_of("DEFINE down == [0 =] [] [pred down 1 +] ifte. 10000000 down", lim);
    CHECK(e.find("recursion depth exceeded") != std::string::npos);
}

TEST_CASE("deep recursion works when the limits allow it", "[evaluator]") {
    CHECK(eval_top("DEFINE down == [0 =] [] [pred down succ] ifte. 1000000 down") == "1000000");
}

TEST_CASE("step and memory limits stop runaway programs", "[limits]") {
    joy::Limits lim;
    lim.steps = 1000000;
    CHECK(error_of("[true] [] while", lim).find("step limit exceeded") != std::string::npos);
    joy::Limits mem;
    mem.memory = 16 << 20;
    CHECK(error_of("[] 50000000 [0 swap cons] times", mem).find("memory limit exceeded") != std::string::npos);
}

TEST_CASE("undefined words are errors unless undeferror is off", "[evaluator]") {
    CHECK(error_of("nosuchword") == "run time error: definition needed for nosuchword");
}

TEST_CASE("arity errors follow Joy1's wording", "[evaluator]") {
    CHECK(error_of("pop") == "run time error: one parameter needed for pop");
    CHECK(error_of("1 swap") == "run time error: two parameters needed for swap");
}
