// canonical.cpp - canonical Joy text reads back as exactly the value written.
#include <catch2/catch.hpp>

#include "../../joycore/canonical.h"
#include "support.h"

namespace {
// The value `program` leaves on top, written as canonical text.
std::string canonical_of(joy::Interp& I, const std::string& program) {
    I.stk.clear();
    joy::run_text(I, program, true);
    return joy::canonical_text(I.stk.back());
}
}  // namespace

TEST_CASE("canonical text says what Joy notation cannot", "[canonical]") {
    CaptureHost host;
    joy::Interp I(&host);
    CHECK(canonical_of(I, "{}") == "{}");  // the empty set
    CHECK(canonical_of(I, "\"{}\" json>") == "{:}");  // the empty dict
    CHECK(canonical_of(I, "[0.1 1.0e300]") == "[0.1 1.0e+300]");
    CHECK(canonical_of(I, "1.0e300 1.0e300 * dup -") == "{:nan}");
}

TEST_CASE("canonical text reads back as the same value", "[canonical]") {
    CaptureHost host;
    joy::Interp I(&host);
    for (const char* program : {"[1 2.5 'a \"x\\ny\" {1 3} true [] [[nil]]]", "\"{}\" json>",
                                "{a: {b: [1 {}]}, \"c d\": 'z}", "0.1 3 /", "1.0e300 10.0 *", "1.0e300 1.0e300 * dup -", "[dup *]",
                                "\"\\255\\001\""}) {
        std::string text = canonical_of(I, program);
        joy::Value back = joy::read_canonical(text, &I);
        CHECK(joy::canonical_text(back) == text);
        if (text != "{:nan}") CHECK(joy::values_equal(back, I.stk.back(), &I));  // NaN equals nothing
    }
}

TEST_CASE("text that is not canonical is an error", "[canonical]") {
    CaptureHost host;
    joy::Interp I(&host);
    for (const char* text : {"", "[1", "1 2", "{:what}", "\"open"})
        CHECK_THROWS_AS(joy::read_canonical(text, &I), joy::JoyError);
}
