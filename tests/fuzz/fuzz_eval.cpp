// fuzz_eval.cpp - libFuzzer target: the evaluator on programs made of
// builtin names, literals and brackets.
//
// Each pair of input bytes picks one token; the program text runs under
// small step, memory and depth limits with output as the only capability,
// into a capturing host. Every program must end (a result, a Joy error or
// quit) with the interpreter in a clean state.
#include <cstdint>
#include <string>
#include <vector>

#include "../../joycore/interp.h"
#include "../../joycore/reader.h"
#include "small_stack.h"

namespace {

struct CaptureHost : joy::Host {
    std::string out;
    size_t dropped = 0;
    void write_out(std::string_view s) override { keep(s); }
    void write_err(std::string_view s) override { keep(s); }
    void keep(std::string_view s) {
        if (out.size() < (64 << 10)) out.append(s.substr(0, (64 << 10) - out.size()));
        else dropped += s.size();
    }
};

const char* const syntax_tokens[] = {
    "[", "]", "[", "]", "[", "]", "{", "}", ".", ";", "==", "DEFINE", "LIBRA", "HIDE", "IN", "END",
    "MODULE", "PRIVATE", "PUBLIC", "f", "g", "x", "0", "1", "2", "3", "-1", "10", "100", "1000000",
    "9223372036854775807", "-9223372036854775808", "1.5", "-0.0", "1e308", "nan", "'a", "'\\n", "\"\"",
    "\"ab\"", "\"%d %s\"", "{1 2 63}", "{}", "{a: 1}", "{\"k\": [1 2]}", "true", "false", "[1 2 3]",
    "[[1] [2 [3]]]", "[dup *]", "[pop]", "[0 =]", "[f]", "\"a\" \"b\""};

std::vector<std::string> make_tokens() {
    std::vector<std::string> t(std::begin(syntax_tokens), std::end(syntax_tokens));
    for (const joy::Builtin* b : joy::Interp::builtin_table()) t.push_back(b->name);
    return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::vector<std::string> tokens = make_tokens();
    std::string text;
    for (size_t k = 0; k + 1 < size; k += 2) {
        size_t pick = (size_t(data[k]) << 8 | data[k + 1]) % tokens.size();
        text += tokens[pick];
        text += ' ';
    }
    auto work = [&] {
        CaptureHost host;
        joy::Interp I(&host);
        I.caps = joy::CAP_OUTPUT;
        I.set_limits(joy::Limits{20000, 4 << 20, 200});
        try {
            joy::run_text(I, text);
        } catch (joy::JoyQuit&) {
        }
        if (!I.fr.empty() || I.guard != 0 || !I.spill_stack.empty()) __builtin_trap();
    };
    on_small_stack(work);
    return 0;
}
