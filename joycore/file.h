// file.h - Joy1 file values (T_FILE): a C stream opened by fopen, or one of
// the standard streams. The standard streams never touch the C runtime's
// stdin/stdout: they go through the Host, so that output written through
// `stdout` stays in order with `.` and `put`, and lands wherever the host
// sends output (joy_run collects it).
#pragma once
#include <cstdio>
#include <string>

#include "value.h"

namespace joy {

struct FileObj : Object {
    enum Stream { C_FILE, STD_IN, STD_OUT, STD_ERR };
    Stream stream;
    FILE* fp;             // C_FILE: null after a failed fopen or after fclose
    bool at_eof = false;  // standard streams: end of input seen
    bool failed = false;  // standard streams: an operation they can't do was tried

    explicit FileObj(Stream s, FILE* f = nullptr) : stream(s), fp(f) {}
    ~FileObj() override {
        if (fp) std::fclose(fp);
    }
    FileObj(const FileObj&) = delete;
    FileObj& operator=(const FileObj&) = delete;
    const char* kind() const override { return "file"; }
    bool usable() const { return stream != C_FILE || fp; }
};

// A failed fopen, or a file closed since: Joy1's NULL file.
inline bool is_null_file(const Value& v) {
    const auto& f = static_cast<const FileObj&>(*v.u.obj);
    return f.stream == FileObj::C_FILE && !f.fp;
}

// Joy1's notation: stdin, stdout, stderr, NULL, or the address of an open
// file (0x...).
inline void print_file(std::string& out, const FileObj& f) {
    switch (f.stream) {
    case FileObj::STD_IN: out += "stdin"; return;
    case FileObj::STD_OUT: out += "stdout"; return;
    case FileObj::STD_ERR: out += "stderr"; return;
    case FileObj::C_FILE: break;
    }
    if (!f.fp) {
        out += "NULL";
        return;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%p", static_cast<void*>(f.fp));
    out += buf;
}

}  // namespace joy
