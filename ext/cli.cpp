// cli.cpp - the `joy` command-line interpreter.
//
//   build/joy [options] [file.joy ...]
//
// Runs the files in order, as Joy1's `joy file.joy` does (errors go to
// stderr and reading continues with the next statement). Without files it
// reads standard input: a REPL with line editing and history on a terminal,
// plain reading otherwise.
//
// Options: --db FILE (the database of the session; default in-memory),
// --steps N, --memory BYTES, --depth N (limits per statement; 0 = none),
// -e PROGRAM (run PROGRAM text), --help.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <editline/readline.h>

#include "../joycore/interp.h"
#include "../joycore/reader.h"

namespace {

struct CliHost : joy::Host {
    std::vector<std::string> args;
    void write_out(std::string_view s) override { std::fwrite(s.data(), 1, s.size(), stdout); }
    void write_err(std::string_view s) override {
        std::fflush(stdout);
        std::fwrite(s.data(), 1, s.size(), stderr);
    }
    void flush_out() override { std::fflush(stdout); }
    int read_stdin() override { return std::getchar(); }
    std::vector<std::string> argv() override { return args; }
};

void usage(FILE* to) {
    std::fputs(
        "usage: joy [--db FILE] [--steps N] [--memory BYTES] [--depth N] [-e PROGRAM] [file.joy ...]\n"
        "Runs Joy programs. Without files, reads standard input (a REPL on a terminal).\n",
        to);
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

int repl(joy::Interp& I) {
    std::string history;
    if (const char* home = std::getenv("HOME")) {
        history = std::string(home) + "/.joy_history";
        read_history(history.c_str());
    }
    joy::Parser p(I, "", true);
    I.input = &p;
    const char* prompt = "joy> ";
    for (;;) {
        char* line = readline(prompt);
        if (!line) break;
        if (*line) add_history(line);
        p.feed(line);
        p.feed("\n");
        std::free(line);
        for (;;) {
            try {
                joy::Item item = p.next();
                if (item.kind == joy::Item::INCOMPLETE) { prompt = "...> "; break; }
                prompt = "joy> ";
                if (item.kind == joy::Item::END) break;
                joy::execute_item(I, item);
            } catch (joy::JoyAbort&) {  // abort ends the statement quietly
            } catch (joy::JoyError& e) {
                std::fflush(stdout);
                std::fprintf(stderr, "%s\n", e.what());
            }
        }
        std::fflush(stdout);
    }
    if (!history.empty()) write_history(history.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CliHost host;
    joy::Limits limits;
    std::vector<std::string> files;
    std::vector<std::string> programs;
    std::string db;
    for (int k = 1; k < argc; ++k) {
        std::string a = argv[k];
        auto value = [&](const char* opt) -> std::string {
            if (k + 1 >= argc) {
                std::fprintf(stderr, "joy: %s needs a value\n", opt);
                std::exit(2);
            }
            return argv[++k];
        };
        if (a == "--help" || a == "-h") { usage(stdout); return 0; }
        else if (a == "--db") db = value("--db");
        else if (a == "--steps") limits.steps = std::strtoull(value("--steps").c_str(), nullptr, 10);
        else if (a == "--memory") limits.memory = std::strtoull(value("--memory").c_str(), nullptr, 10);
        else if (a == "--depth") limits.depth = std::strtoull(value("--depth").c_str(), nullptr, 10);
        else if (a == "-e") programs.push_back(value("-e"));
        else if (a.size() > 1 && a[0] == '-' && a != "-") {
            std::fprintf(stderr, "joy: unknown option %s\n", a.c_str());
            usage(stderr);
            return 2;
        } else files.push_back(a);
    }
    host.args.push_back(argv[0]);
    for (auto& f : files) host.args.push_back(f);

    joy::Interp I(&host);
    I.set_limits(limits);
    try {
        for (auto& prog : programs) joy::run_text(I, prog);
        for (auto& f : files) {
            std::string text;
            if (f == "-") {
                std::ostringstream ss;
                ss << std::cin.rdbuf();
                text = ss.str();
            } else if (!read_file(f, text)) {
                std::fprintf(stderr, "joy: cannot open %s\n", f.c_str());
                return 1;
            }
            joy::run_text(I, std::move(text));
        }
        if (files.empty() && programs.empty()) {
            if (isatty(0)) return repl(I);
            std::ostringstream ss;
            ss << std::cin.rdbuf();
            joy::run_text(I, ss.str());
        }
    } catch (joy::JoyQuit& q) {
        std::fflush(stdout);
        return q.status;
    }
    std::fflush(stdout);
    return 0;
}
