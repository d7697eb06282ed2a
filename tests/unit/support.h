// support.h - a capturing host and helpers for the unit tests.
#pragma once
#include <string>

#include "../../joycore/interp.h"
#include "../../joycore/printer.h"
#include "../../joycore/reader.h"

struct CaptureHost : joy::Host {
    std::string out, err;
    void write_out(std::string_view s) override { out += s; }
    void write_err(std::string_view s) override { err += s; }
};

// Runs `text` (statements and definitions) and returns what it printed;
// errors are appended to host.err.
inline std::string run(joy::Interp& I, CaptureHost& host, const std::string& text) {
    host.out.clear();
    joy::run_text(I, text);
    return host.out;
}

// Evaluates `text` on an empty stack; returns the Joy notation of the top.
inline std::string eval_top(const std::string& text, joy::Limits limits = {}) {
    CaptureHost host;
    joy::Interp I(&host);
    I.set_limits(limits);
    joy::run_text(I, text, true);
    return I.stk.empty() ? std::string("<empty>") : joy::to_joy(I.stk.back());
}

// The error message `text` raises, or "" if it runs cleanly.
inline std::string error_of(const std::string& text, joy::Limits limits = {}) {
    CaptureHost host;
    joy::Interp I(&host);
    I.set_limits(limits);
    try {
        joy::run_text(I, text, true);
    } catch (joy::JoyError& e) {
        return e.what();
    }
    return "";
}
