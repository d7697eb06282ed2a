// fuzz_json.cpp - libFuzzer target: json> and >json.
//
// Any text either parses or gives a Joy error. What parses writes back as
// JSON, which reads and writes again as the same value and text (spacing,
// escapes and invalid UTF-8, which becomes U+FFFD, settle in the first two
// writes). Only a float out of range may fail to write.
#include <cstdint>
#include <cstdio>
#include <string>

#include "../../joycore/interp.h"
#include "../../joycore/json.h"
#include "../../joycore/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    joy::Value v;
    try {
        v = joy::json_parse(text);
    } catch (joy::JoyError&) {
        return 0;
    }
    std::string once;
    try {
        once = joy::json_write(v);
    } catch (joy::JoyError& e) {
        // A number beyond a double's range reads as an infinite float,
        // which has no JSON form: an error, as >json gives for inf.
        if (std::string(e.what()).find("no JSON form for the float") != std::string::npos) return 0;
        std::fprintf(stderr, "parsed value does not write: %s\n", e.what());
        __builtin_trap();
    }
    // The text written may change once more (U+FFFD escaped, then not),
    // after which writing and reading agree.
    std::string twice, thrice;
    joy::Value back, again;
    try {
        back = joy::json_parse(once);
        twice = joy::json_write(back);
        again = joy::json_parse(twice);
        thrice = joy::json_write(again);
    } catch (joy::JoyError& e) {
        std::fprintf(stderr, "written value does not round-trip: %s\n", e.what());
        __builtin_trap();
    }
    if (twice != thrice || !joy::values_equal(back, again)) {
        std::fprintf(stderr, "written as %s\nthen as %s\nthen as %s\n", once.c_str(), twice.c_str(), thrice.c_str());
        __builtin_trap();
    }
    return 0;
}
