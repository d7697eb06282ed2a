// reader_printer.cpp - reading Joy text and printing values back.
#include <catch2/catch.hpp>

#include "support.h"

TEST_CASE("literals print back in Joy1 notation", "[reader][printer]") {
    CHECK(eval_top("42") == "42");
    CHECK(eval_top("-7") == "-7");
    CHECK(eval_top("1.5") == "1.5");
    CHECK(eval_top("'a") == "'a");
    CHECK(eval_top("\"a\\nb\"") == "\"a\\nb\"");
    CHECK(eval_top("{3 1 5}") == "{1 3 5}");
    CHECK(eval_top("{}") == "{}");
    CHECK(eval_top("[1 [2 \"x\"] 'c true]") == "[1 [2 \"x\"] 'c true]");
    CHECK(eval_top("[pop dup foo]") == "[pop dup foo]");
    CHECK(eval_top("9223372036854775807") == "9223372036854775807");
}

TEST_CASE("dictionary literals keep insertion order", "[reader][printer]") {
    CHECK(eval_top("{name: \"Alice\", age: 30}") == "{name: \"Alice\", age: 30}");
    CHECK(eval_top("{\"first name\": \"Al\"}") == "{\"first name\": \"Al\"}");
    CHECK(eval_top("{a: {b: [1 2]}}") == "{a: {b: [1 2]}}");
}

TEST_CASE("comments are skipped, and end at the first *) as in Joy1", "[reader]") {
    CHECK(eval_top("1 (* two *) 2") == "2");
    CHECK(eval_top("1 (* a (* b *) 3") == "3");
    CHECK(eval_top("1 # a line comment\n 3") == "3");
}

TEST_CASE("syntax errors name the position and reading goes on", "[reader]") {
    CaptureHost host;
    joy::Interp I(&host);
    std::string out = run(I, host, "[1 2 . 5 .");
    CHECK(host.err.find("syntax error") != std::string::npos);
    CHECK(host.err.find("line 1") != std::string::npos);
    CHECK(out == "5\n");
}

TEST_CASE("a million nested brackets read and print without recursion", "[reader][printer]") {
    std::string text(1000000, '[');
    text += std::string(1000000, ']');
    CaptureHost host;
    joy::Interp I(&host);
    joy::run_text(I, text, true);
    REQUIRE(I.stk.size() == 1);
    std::string printed = joy::to_joy(I.stk.back());
    CHECK(printed.size() == 2000000);
}

TEST_CASE("DEFINE, HIDE and MODULE scope names", "[reader]") {
    CHECK(eval_top("DEFINE sq == dup *. 7 sq") == "49");
    CHECK(eval_top("DEFINE a == 1; b == a 1 +. b") == "2");
    CHECK(eval_top("HIDE h == 10 IN f == h 1 + END. f") == "11");
    CHECK(eval_top("MODULE m PRIVATE p == 2 PUBLIC q == p p * END. m.q") == "4");
    CHECK(error_of("HIDE h == 10 IN f == h 1 + END. h") == "run time error: definition needed for h");
}
