// builtins_io.cpp - output, `get`, files and streams, include.
//
// Output goes through I.out (the host's output); files are FileObj values
// (file.h). Capabilities: opening, reading and writing files, reading
// standard input, include and finclude need CAP_FILES; writing to the
// standard output or error streams needs CAP_OUTPUT, like `put`.
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "file.h"
#include "interp.h"
#include "printer.h"
#include "reader.h"

namespace joy {
namespace {

constexpr size_t MAX_INCLUDE_DEPTH = 16;

bool numeric(const Value& v) { return v.tag == T_INT || v.tag == T_CHAR || v.tag == T_BOOL; }

// ---- output ----

void do_put(Interp& I) {  // X ->   (as Joy1: no space after the value)
    I.need(1, "put");
    I.require(CAP_OUTPUT, "put");
    std::string s;
    print_value(s, I.top());
    I.out(s);
    I.stk.pop_back();
}

void do_putch(Interp& I) {  // N ->
    I.need(1, "putch");
    if (!numeric(I.top())) I.type_error("numeric", "putch");
    I.require(CAP_OUTPUT, "putch");
    char c = char(I.top().u.i);
    I.out(std::string_view(&c, 1));
    I.stk.pop_back();
}

void do_putchars(Interp& I) {  // "abc.." ->
    I.need(1, "putchars");
    if (I.top().tag != T_STRING) I.type_error("string", "putchars");
    I.require(CAP_OUTPUT, "putchars");
    I.out(I.top().u.str->view());
    I.stk.pop_back();
}

// `get` reads the next factor of the program text being run (after the
// statement in progress), as Joy1 does.
void do_get(Interp& I) {  // -> F
    I.push(read_input_factor(I));
}

// ---- streams ----

// One value per standard stream and thread, so that `stdin stdin =` holds.
Value standard_stream(FileObj::Stream s) {
    static thread_local const Value in = Value::adopt_obj(T_FILE, new FileObj(FileObj::STD_IN));
    static thread_local const Value out = Value::adopt_obj(T_FILE, new FileObj(FileObj::STD_OUT));
    static thread_local const Value err = Value::adopt_obj(T_FILE, new FileObj(FileObj::STD_ERR));
    return s == FileObj::STD_IN ? in : s == FileObj::STD_OUT ? out : err;
}
void do_stdin(Interp& I) { I.push(standard_stream(FileObj::STD_IN)); }
void do_stdout(Interp& I) { I.push(standard_stream(FileObj::STD_OUT)); }
void do_stderr(Interp& I) { I.push(standard_stream(FileObj::STD_ERR)); }

// The open file at depth k, after the capability check its stream needs.
FileObj& file_at(Interp& I, size_t k, const char* word) {
    const Value& v = I.peek(k);
    if (v.tag != T_FILE || !static_cast<FileObj*>(v.u.obj)->usable()) I.type_error("file", word);
    FileObj& f = *static_cast<FileObj*>(v.u.obj);
    I.require(f.stream == FileObj::STD_OUT || f.stream == FileObj::STD_ERR ? CAP_OUTPUT : CAP_FILES, word);
    return f;
}

void write_to(Interp& I, FileObj& f, std::string_view s) {
    switch (f.stream) {
    case FileObj::C_FILE: std::fwrite(s.data(), 1, s.size(), f.fp); break;
    case FileObj::STD_OUT: I.out(s); break;
    case FileObj::STD_ERR: I.host->write_err(s); break;
    case FileObj::STD_IN: f.failed = true; break;
    }
}

// A byte, or -1 at end of input (or on a stream that can't be read).
int read_byte(Interp& I, FileObj& f) {
    switch (f.stream) {
    case FileObj::C_FILE: return std::getc(f.fp);
    case FileObj::STD_IN: {
        int c = I.host->read_stdin();
        if (c < 0) f.at_eof = true;
        return c;
    }
    default: f.failed = true; return -1;
    }
}

void do_fopen(Interp& I) {  // P M -> S   (a failed fopen gives file:NULL, as in Joy1)
    I.need(2, "fopen");
    if (I.peek(0).tag != T_STRING) I.type_error("string", "fopen");
    if (I.peek(1).tag != T_STRING) I.type_error("string as second parameter", "fopen");
    I.require(CAP_FILES, "fopen");
    FILE* fp = std::fopen(I.peek(1).u.str->data, I.peek(0).u.str->data);
    I.drop(1);
    I.top() = Value::adopt_obj(T_FILE, new FileObj(FileObj::C_FILE, fp));
}

// Closing a standard stream leaves it open (the host owns it); closing a
// file another value still refers to makes that value file:NULL too.
void do_fclose(Interp& I) {  // S ->
    I.need(1, "fclose");
    if (I.top().tag != T_FILE) I.type_error("file", "fclose");
    FileObj& f = *static_cast<FileObj*>(I.top().u.obj);
    if (f.stream == FileObj::C_FILE && f.fp) {
        I.require(CAP_FILES, "fclose");
        std::fclose(f.fp);
        f.fp = nullptr;
    }
    I.stk.pop_back();
}

void do_feof(Interp& I) {  // S -> S B
    I.need_read(1, "feof");
    FileObj& f = file_at(I, 0, "feof");
    I.push(Value::boolean(f.stream == FileObj::C_FILE ? std::feof(f.fp) != 0 : f.at_eof));
}

void do_ferror(Interp& I) {  // S -> S B
    I.need_read(1, "ferror");
    FileObj& f = file_at(I, 0, "ferror");
    I.push(Value::boolean(f.stream == FileObj::C_FILE ? std::ferror(f.fp) != 0 : f.failed));
}

void do_fflush(Interp& I) {  // S -> S
    I.need_read(1, "fflush");
    FileObj& f = file_at(I, 0, "fflush");
    if (f.stream == FileObj::C_FILE) std::fflush(f.fp);
    else if (f.stream == FileObj::STD_OUT) I.host->flush_out();
}

void do_fgetch(Interp& I) {  // S -> S C   (at end of file: the character of EOF, as Joy1)
    I.need_read(1, "fgetch");
    FileObj& f = file_at(I, 0, "fgetch");
    I.push(Value::chr(read_byte(I, f)));
}

void do_fgets(Interp& I) {  // S -> S L   (a line with its newline; "" at end of file)
    I.need_read(1, "fgets");
    FileObj& f = file_at(I, 0, "fgets");
    std::string line;
    for (int c; (c = read_byte(I, f)) >= 0;) {
        line += char(c);
        if (c == '\n') break;
        // A line without end (/dev/zero) meets the limits and interrupts
        // as it grows, as the value it will become would.
        if (line.size() % 4096 == 0) {
            I.charge(256);
            if (int64_t(line.size()) > tl_pool.limit - tl_pool.bytes) tl_pool.over_limit();
        }
    }
    I.push(make_string(line));
}

void do_fread(Interp& I) {  // S I -> S L   (up to I bytes, as integers)
    I.need(2, "fread");
    if (I.top().tag != T_INT) I.type_error("integer", "fread");
    FileObj& f = file_at(I, 1, "fread");
    int64_t count = I.top().u.i;
    ListBuilder bytes;
    if (f.stream == FileObj::C_FILE) {
        char buf[4096];
        while (count > 0) {
            size_t want = count < int64_t(sizeof buf) ? size_t(count) : sizeof buf;
            size_t got = std::fread(buf, 1, want, f.fp);
            for (size_t k = 0; k < got; ++k) bytes.push(Value::integer((unsigned char)buf[k]));
            count -= int64_t(got);
            if (got < want) break;
        }
    } else {
        for (int c; count > 0 && (c = read_byte(I, f)) >= 0; --count) bytes.push(Value::integer(c));
    }
    I.top() = bytes.take();
}

void do_fwrite(Interp& I) {  // S L -> S   (the list's integers as bytes)
    I.need(2, "fwrite");
    if (I.top().tag != T_LIST) I.type_error("list", "fwrite");
    std::string bytes;
    for (Cell* c = I.top().u.list; c; c = tail(c)) {
        const Value& b = head(c);
        if (b.tag != T_INT && b.tag != T_CHAR) I.type_error("numeric list", "fwrite");
        bytes += char(b.u.i);
    }
    FileObj& f = file_at(I, 1, "fwrite");
    write_to(I, f, bytes);
    I.stk.pop_back();
}

void do_fput(Interp& I) {  // S X -> S   (X in Joy notation, like put)
    I.need(2, "fput");
    FileObj& f = file_at(I, 1, "fput");
    std::string s;
    print_value(s, I.top());
    write_to(I, f, s);
    I.stk.pop_back();
}

void do_fputch(Interp& I) {  // S C -> S
    I.need(2, "fputch");
    if (I.top().tag != T_INT && I.top().tag != T_CHAR) I.type_error("integer", "fputch");
    FileObj& f = file_at(I, 1, "fputch");
    char c = char(I.top().u.i);
    write_to(I, f, std::string_view(&c, 1));
    I.stk.pop_back();
}

template <const char* Word>
void put_string(Interp& I) {  // S "abc.." -> S
    I.need(2, Word);
    FileObj& f = file_at(I, 1, Word);
    if (I.top().tag != T_STRING) I.type_error("string", Word);
    write_to(I, f, I.top().u.str->view());
    I.stk.pop_back();
}
constexpr char FPUTCHARS[] = "fputchars";
constexpr char FPUTSTRING[] = "fputstring";

void do_fseek(Interp& I) {  // S P W -> S B   (B is true when the seek failed, as in Joy1)
    I.need(3, "fseek");
    if (I.peek(0).tag != T_INT) I.type_error("integer", "fseek");
    if (I.peek(1).tag != T_INT) I.type_error("integer as second parameter", "fseek");
    FileObj& f = file_at(I, 2, "fseek");
    int64_t pos = I.peek(1).u.i, whence = I.peek(0).u.i;
    bool failed = true;
    if (f.stream == FileObj::C_FILE && whence >= 0 && whence <= 2) {
        int w = whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : SEEK_END;
        failed = std::fseek(f.fp, long(pos), w) != 0;
    }
    I.drop(1);
    I.top() = Value::boolean(failed);
}

void do_ftell(Interp& I) {  // S -> S I   (-1 for the standard streams)
    I.need_read(1, "ftell");
    FileObj& f = file_at(I, 0, "ftell");
    I.push(Value::integer(f.stream == FileObj::C_FILE ? std::ftell(f.fp) : -1));
}

// ---- files by name ----

void do_fremove(Interp& I) {  // P -> B
    I.need(1, "fremove");
    if (I.top().tag != T_STRING) I.type_error("string", "fremove");
    I.require(CAP_FILES, "fremove");
    I.top() = Value::boolean(std::remove(I.top().u.str->data) == 0);
}

void do_frename(Interp& I) {  // P1 P2 -> B
    I.need(2, "frename");
    if (I.peek(0).tag != T_STRING) I.type_error("string", "frename");
    if (I.peek(1).tag != T_STRING) I.type_error("string as second parameter", "frename");
    I.require(CAP_FILES, "frename");
    bool ok = std::rename(I.peek(1).u.str->data, I.peek(0).u.str->data) == 0;
    I.drop(1);
    I.top() = Value::boolean(ok);
}

void do_filetime(Interp& I) {  // F -> T   (modification time; 0 if the file can't be read)
    I.need(1, "filetime");
    if (I.top().tag != T_STRING) I.type_error("string", "filetime");
    I.require(CAP_FILES, "filetime");
    struct stat st;
    int64_t mtime = ::stat(I.top().u.str->data, &st) == 0 ? int64_t(st.st_mtime) : 0;
    I.top() = Value::integer(mtime);
}

// The file named on top of the stack, read whole (the name stays on the
// stack if it can't be read, as Joy1 leaves it after the error).
std::string read_named_file(Interp& I, const char* word) {
    I.need(1, word);
    if (I.top().tag != T_STRING) I.type_error("string", word);
    I.require(CAP_FILES, word);
    std::string text;
    if (!read_regular_file(I.top().u.str->data, text)) I.type_error("valid file name", word);
    I.stk.pop_back();
    return text;
}

// include, as Joy1: the file is read after the statement that included
// it, files included by one statement the last first (see next_item_from);
// a relative name is looked for as given, then in the include folders.
void do_include(Interp& I) {  // "filnam.ext" ->
    if (I.includes.size() >= MAX_INCLUDE_DEPTH) I.type_error("fewer include files", "include");
    I.need(1, "include");
    if (I.top().tag != T_STRING) I.type_error("string", "include");
    I.require(CAP_FILES, "include");
    std::string text, found;
    if (!find_include(I, std::string(I.top().u.str->view()), text, found)) I.type_error("valid file name", "include");
    I.stk.pop_back();
    auto p = std::make_unique<Parser>(I, std::move(text));
    size_t slash = found.rfind('/');
    p->set_name(slash == std::string::npos ? found : found.substr(slash + 1));
    I.includes.push_back(std::move(p));
}

// finclude pushes the factors of a file without running them.
void do_finclude(Interp& I) {  // S -> F ...
    Parser p(I, read_named_file(I, "finclude"));
    while (!p.at_end()) I.push(p.read_factor());
}

const Builtin table[] = {
    {"put", do_put, "X ->"},
    {"putch", do_putch, "N ->"},
    {"putchars", do_putchars, "\"abc..\" ->"},
    {"get", do_get, "-> F"},
    {"stdin", do_stdin, "-> S"},
    {"stdout", do_stdout, "-> S"},
    {"stderr", do_stderr, "-> S"},
    {"fopen", do_fopen, "P M -> S"},
    {"fclose", do_fclose, "S ->"},
    {"feof", do_feof, "S -> S B"},
    {"ferror", do_ferror, "S -> S B"},
    {"fflush", do_fflush, "S -> S"},
    {"fgetch", do_fgetch, "S -> S C"},
    {"fgets", do_fgets, "S -> S L"},
    {"fread", do_fread, "S I -> S L"},
    {"fwrite", do_fwrite, "S L -> S"},
    {"fput", do_fput, "S X -> S"},
    {"fputch", do_fputch, "S C -> S"},
    {"fputchars", put_string<FPUTCHARS>, "S \"abc..\" -> S"},
    {"fputstring", put_string<FPUTSTRING>, "S \"abc..\" -> S"},
    {"fseek", do_fseek, "S P W -> S B"},
    {"ftell", do_ftell, "S -> S I"},
    {"fremove", do_fremove, "P -> B"},
    {"frename", do_frename, "P1 P2 -> B"},
    {"filetime", do_filetime, "F -> T"},
    {"include", do_include, "\"filnam.ext\" ->"},
    {"finclude", do_finclude, "S -> F ..."},
};

}  // namespace

BuiltinTable io_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
