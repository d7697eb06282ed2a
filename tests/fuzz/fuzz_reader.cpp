// fuzz_reader.cpp - libFuzzer target: the reader on arbitrary text.
//
// Every input must read as items or give Joy syntax errors, the reader must
// make progress after each error, and what it read must print and read
// again. Nothing is run.
#include <cstdint>
#include <cstdio>
#include <string>

#include "../../joycore/interp.h"
#include "../../joycore/printer.h"
#include "../../joycore/reader.h"
#include "small_stack.h"

namespace {

struct SilentHost : joy::Host {
    void write_out(std::string_view) override {}
    void write_err(std::string_view) override {}
};

// The printed form of a read statement must read again without an error.
void reread(joy::Interp& I, const joy::Value& terms) {
    std::string text;
    joy::print_term(text, terms.u.list);
    try {
        joy::Parser again(I, text + " .");
        if (again.next().kind != joy::Item::STATEMENT) __builtin_trap();
    } catch (joy::JoyError& e) {
        std::fprintf(stderr, "printed as %s\nwhich reads as: %s\n", text.c_str(), e.what());
        __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto work = [&] {
        SilentHost host;
        joy::Interp I(&host);
        joy::Parser parser(I, std::string(reinterpret_cast<const char*>(data), size));
        // Each item consumes at least one byte, so more items than bytes
        // means the reader is stuck.
        for (size_t items = 0;; ++items) {
            if (items > size + 1) __builtin_trap();
            try {
                joy::Item item = parser.next();
                if (item.kind == joy::Item::END) break;
                if (item.kind == joy::Item::STATEMENT) reread(I, item.terms);
                for (auto& [sym, body] : item.defs) reread(I, body);
            } catch (joy::JoyError&) {
            }
        }
    };
    on_small_stack(work);
    return 0;
}
