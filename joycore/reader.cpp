// reader.cpp - the Joy scanner and parser (iterative over nesting, so a
// program of a million brackets is read without recursion).
#include "reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "c_locale.h"
#include "dict.h"
#include "file.h"
#include "printer.h"

namespace joy {

namespace {
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Characters that always end a name.
bool is_delim(unsigned char c) {
    return is_space(c) || c == '[' || c == ']' || c == '{' || c == '}' || c == '(' || c == ')' ||
           c == ';' || c == '"' || c == ',' || c == 0;
}
}  // namespace

Parser::Parser(Interp& interp, std::string text, bool interactive)
    : I_(interp), warnings_(interp.read_warnings), src_(std::move(text)), interactive_(interactive) {}

size_t Parser::line() const {
    size_t n = 1;
    for (size_t i = 0; i < pos_ && i < src_.size(); ++i) n += src_[i] == '\n';
    return n;
}

void Parser::syntax(const std::string& msg, size_t pos) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos && i < src_.size(); ++i) {
        if (src_[i] == '\n') { ++line; col = 1; } else ++col;
    }
    throw JoyError("syntax error: " + msg + " (line " + std::to_string(line) + ", column " +
                   std::to_string(col) + ")");
}

void Parser::skip_space() {
    for (;;) {
        while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
        if (pos_ >= src_.size()) return;
        char c = src_[pos_];
        if (c == '$' && I_.shell_escapes && (pos_ == 0 || src_[pos_ - 1] == '\n') && (I_.caps & CAP_FILES)) {
            size_t end = src_.find('\n', pos_);
            if (end == std::string::npos) end = src_.size();
            std::string command = src_.substr(pos_ + 1, end - pos_ - 1);
            bool first_time = pos_ >= escapes_run_upto_;  // a block's names are scanned twice
            pos_ = end;
            if (first_time) {
                escapes_run_upto_ = end;
                I_.host->flush_out();  // what was printed before comes first
                int status = std::system(command.c_str());
                (void)status;  // Joy1 ignores it
            }
            continue;
        }
        if (c == '#') {  // comment to end of line
            while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
            continue;
        }
        if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '*') {
            // As in Joy1, comments do not nest: the first *) ends one.
            size_t start = pos_;
            size_t end = src_.find("*)", pos_ + 2);
            pos_ = end == std::string::npos ? src_.size() : end + 2;
            if (end == std::string::npos) {
                if (interactive_) throw Incomplete{};
                syntax("unterminated comment", start);
            }
            continue;
        }
        return;
    }
}

// Reads one escape after a backslash at src_[pos_]; returns the byte.
static int read_escape(const std::string& s, size_t& p) {
    char c = s[p++];
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'b': return '\b';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'v': return '\v';
    case 'a': return '\a';
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
        int v = c - '0';
        for (int k = 0; k < 2 && p < s.size() && is_digit(s[p]); ++k) v = v * 10 + (s[p++] - '0');
        return v;  // up to 999: a char keeps it, a string keeps its low byte
    }
    default: return (unsigned char)c;
    }
}

// What may follow a '.' inside a name (Joy1's scanner: a letter or digit,
// or one of - = _).
static bool continues_name(char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '=' || c == '_';
}

void Parser::scan(Token& t) {
    skip_space();
    t = Token();
    t.pos = pos_;
    if (pos_ >= src_.size()) { t.kind = T_EOF; return; }
    unsigned char c = src_[pos_];
    switch (c) {
    case '[': ++pos_; t.kind = T_LBRACK; return;
    case ']': ++pos_; t.kind = T_RBRACK; return;
    case '{': ++pos_; t.kind = T_LBRACE; return;
    case '}': ++pos_; t.kind = T_RBRACE; return;
    case ';': ++pos_; t.kind = T_SEMI; return;
    case ',': ++pos_; t.kind = T_COMMA; return;
    case '.': ++pos_; t.kind = T_PERIOD; return;
    case ')': ++pos_; syntax("unexpected ')'", t.pos);
    case '(': ++pos_; syntax("unexpected '('", t.pos);
    case '\0': ++pos_; syntax("unexpected NUL character", t.pos);  // a delimiter that starts nothing
    case '"': {
        ++pos_;
        std::string s;
        for (;;) {
            if (pos_ >= src_.size()) {
                if (interactive_) throw Incomplete{};
                syntax("unterminated string", t.pos);
            }
            char d = src_[pos_++];
            if (d == '"') break;
            if (d == '\\' && pos_ < src_.size()) s += char(read_escape(src_, pos_));
            else s += d;
        }
        t.text = std::move(s);
        if (pos_ < src_.size() && src_[pos_] == ':' && (pos_ + 1 >= src_.size() || is_delim(src_[pos_ + 1]))) {
            ++pos_;
            t.kind = T_KEY;
        } else {
            t.kind = T_STRLIT;
        }
        return;
    }
    case '\'': {
        ++pos_;
        if (pos_ >= src_.size()) syntax("character expected after '", t.pos);
        int ch = (unsigned char)src_[pos_++];
        if (ch == '\\' && pos_ < src_.size()) ch = read_escape(src_, pos_);
        t.kind = T_CHARLIT;
        t.i = ch;
        return;
    }
    default: break;
    }
    // Numbers, as Joy1 reads them: a digit, or '-' then a digit, starts
    // one; the word up to a delimiter is read as an integer (strtoll, base
    // 0: 0x1F and 017 too) or, with a '.' and a digit in it, a float
    // (strtod); what the number does not use is read again as the next
    // token (12abc is 12 then abc; 1e5 is 1 then e5; 1.5e3x is 1500.0 then x).
    if (is_digit(c) || (c == '-' && pos_ + 1 < src_.size() && is_digit(src_[pos_ + 1]))) {
        size_t start = pos_, p = pos_ + 1;
        auto word_end = [&](size_t q) {
            while (q < src_.size() && !is_delim(src_[q]) && src_[q] != '.') ++q;
            return q;
        };
        p = word_end(p);
        bool is_float = p + 1 < src_.size() && src_[p] == '.' && is_digit(src_[p + 1]);
        if (is_float) p = word_end(p + 1);
        std::string word = src_.substr(start, p - start);
        char* end = nullptr;
        if (is_float) {
            t.kind = T_FLOATLIT;
            t.f = c_strtod(word.c_str(), &end);
        } else {
            errno = 0;
            long long v = std::strtoll(word.c_str(), &end, 0);
            if (errno == ERANGE) {  // too large for an integer: a float, as Joy1
                t.kind = T_FLOATLIT;
                t.f = c_strtod(word.c_str(), &end);
            } else {
                t.kind = T_INTLIT;
                t.i = v;
            }
        }
        pos_ = start + size_t(end - word.c_str());
        return;
    }
    // A name: up to a delimiter; a '.' belongs to it only when a letter,
    // digit, '-', '=' or '_' follows, as in Joy1 (module-qualified names
    // such as m.word or m._helper).
    size_t start = pos_;
    while (pos_ < src_.size()) {
        unsigned char d = src_[pos_];
        if (is_delim(d)) break;
        if (d == '.') {
            if (pos_ > start && pos_ + 1 < src_.size() && continues_name(src_[pos_ + 1])) { ++pos_; continue; }
            break;
        }
        ++pos_;
    }
    t.text = src_.substr(start, pos_ - start);
    if (t.text == "==") {
        t.kind = T_EQDEF;
    } else if (t.text.size() > 1 && t.text.back() == ':') {
        t.text.pop_back();
        t.kind = T_KEY;
    } else {
        t.kind = T_IDENT;
    }
}

Parser::Token Parser::peek() {
    if (!have_peek_) { scan(peeked_); have_peek_ = true; }
    return peeked_;
}

Parser::Token Parser::take() {
    Token t;
    if (have_peek_) {
        have_peek_ = false;
        t = std::move(peeked_);
    } else {
        scan(t);
    }
    before_last_kind_ = last_kind_;
    before_last_end_ = last_end_;
    last_kind_ = t.kind;
    last_end_ = pos_;  // a peeked token was the last one scanned
    return t;
}

Value Parser::resolve(const std::string& name) {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
        auto f = it->find(name);
        if (f != it->end()) return Value::usrdef(f->second);
    }
    if (name == "true") return Value::boolean(true);
    if (name == "false") return Value::boolean(false);
    if (name == "nil") return Value::nil();
    Sym* s = I_.intern(name);
    if (s->builtin && !s->defined) {
        // Joy1 reads these as the values they stand for, inside quotations
        // too ([maxint] first 1 - works). A stream is a file object of its
        // own here: a compiled program may be run on another thread.
        if (name == "maxint") return Value::integer(INT64_MAX);
        if (name == "stdin") return Value::adopt_obj(T_FILE, new FileObj(FileObj::STD_IN));
        if (name == "stdout") return Value::adopt_obj(T_FILE, new FileObj(FileObj::STD_OUT));
        if (name == "stderr") return Value::adopt_obj(T_FILE, new FileObj(FileObj::STD_ERR));
        return Value::builtin(s->builtin);
    }
    return Value::usrdef(s);
}

// A qualified name (module.field) that names nothing: Joy1 reports it
// while reading and leaves it out (with read_warnings; else it is an
// undefined word when it runs).
bool Parser::unknown_field(const Token& t) {
    if (!warnings_ || t.kind != T_IDENT || t.text.find('.') == std::string::npos) return false;
    for (auto& scope : scopes_)
        if (scope.count(t.text)) return false;
    Sym* s = I_.intern(t.text);
    if (s->defined || s->builtin) return false;
    if (I_.host && I_.host->lookup_definition(I_, *s) && s->defined) return false;  // stored
    warn_where_read("no such field in module");
    return true;
}

// Joy1's message for what it reports while reading and then reads on:
// "file:line:" and the line as far as read, a caret under its last
// character, and the message under the caret.
// Like Joy1, at most the first 255 characters of the line are kept, so
// many reports on one long line cost no more than short ones.
void Parser::warn_where_read(const std::string& message) {
    constexpr size_t LINE_KEPT = 255;
    size_t start = src_.rfind('\n', pos_ ? pos_ - 1 : 0);
    start = start == std::string::npos || start >= pos_ ? 0 : start + 1;
    size_t end = pos_ < src_.size() && src_[pos_] != '\n' ? pos_ + 1 : pos_;  // one character ahead
    end = std::min(end, start + LINE_KEPT);
    for (; line_counted_ < start; ++line_counted_) line_number_ += src_[line_counted_] == '\n';
    std::string head = name_ + ":" + std::to_string(line_number_) + ":";
    std::string indent(head.size() + (end - start) - 1, ' ');
    I_.host->flush_out();
    I_.host->write_err(head + src_.substr(start, end - start) + "\n" + indent + "^\n" + indent + message + "\n");
}

Value Parser::parse_factor(Token& t) {
    switch (t.kind) {
    case T_INTLIT: return Value::integer(t.i);
    case T_FLOATLIT: return Value::flt(t.f);
    case T_CHARLIT: return Value::char_code(t.i);
    case T_STRLIT: return make_string(t.text);
    case T_IDENT: return resolve(t.text);
    case T_LBRACK: case T_LBRACE: return parse_nested(t);
    case T_KEY: syntax("a key ('" + t.text + ":') outside a dictionary", t.pos);
    case T_COMMA: syntax("unexpected ','", t.pos);
    default: syntax("unexpected symbol", t.pos);
    }
}

// A top-level term, up to the '.', ';', '==', '}' or keyword that ends it.
Value Parser::parse_term() {
    ListBuilder terms;
    for (;;) {
        Token t = peek();
        switch (t.kind) {
        case T_EOF:
            if (interactive_) throw Incomplete{};
            return terms.take();
        case T_PERIOD: case T_SEMI: case T_RBRACE: case T_EQDEF: return terms.take();
        case T_RBRACK: take(); syntax("unexpected ']'", t.pos);
        case T_IDENT:
            if (t.text == "END" || t.text == "IN" || t.text == "PUBLIC" || t.text == "PRIVATE" || t.text == "DEFINE" ||
                t.text == "LIBRA" || t.text == "PERSIST" || t.text == "HIDE" || t.text == "MODULE")
                return terms.take();
            break;
        default: break;
        }
        take();
        if (!unknown_field(t)) terms.push(parse_factor(t));
    }
}

// A set literal; its '{' was taken.
Value Parser::parse_set(size_t pos) {
    uint64_t set = 0;
    for (;;) {
        Token e = take();
        if (e.kind == T_RBRACE) break;
        if (e.kind == T_EOF) {
            if (interactive_) throw Incomplete{};
            syntax("'}' expected", pos);
        }
        int64_t m;
        if (e.kind == T_INTLIT || e.kind == T_CHARLIT) m = e.i;
        else syntax("small numeric expected in set", e.pos);
        if (m < 0 || m >= 64) syntax("small numeric expected in set", e.pos);
        set |= uint64_t(1) << m;
    }
    return Value::setv(set);
}

// A quotation, set or dictionary whose opening bracket `open` was just
// taken, with all that is nested in it. Open brackets are kept on an
// explicit stack, not the C stack, so nesting of any depth reads (a
// database file or an argument may hold any text).
Value Parser::parse_nested(const Token& open) {
    struct Open {
        bool dict;
        size_t pos;         // of the bracket
        ListBuilder list;   // a quotation's terms
        Value d;            // a dictionary
        std::string key;    // the key whose value is being read
    };
    std::vector<Open> stack;
    Value done;         // a finished value for the frame below
    bool have = false;  // `done` holds one
    // Opens a frame for `t` ('[' or '{'), or reads a set into `done`.
    auto start = [&](const Token& t) {
        if (t.kind == T_LBRACK) {
            stack.push_back({false, t.pos, {}, Value(), {}});
        } else if (peek().kind == T_KEY) {
            stack.push_back({true, t.pos, {}, Value::adopt_dict(Dict::create()), {}});
        } else {
            done = parse_set(t.pos);
            have = true;
        }
    };
    auto at_end = [&](const Token& t, const std::string& expected, size_t pos) {
        if (t.kind != T_EOF) return;
        if (interactive_) throw Incomplete{};
        syntax(expected, pos);
    };
    start(open);
    for (;;) {
        if (have) {
            have = false;
            if (stack.empty()) return done;
            Open& f = stack.back();
            if (!f.dict) {
                f.list.push(std::move(done));
            } else {
                f.d.u.dict->put(make_string(f.key), std::move(done));
                f.key.clear();
                if (peek().kind == T_COMMA) take();
            }
            continue;
        }
        Open& f = stack.back();
        if (!f.dict) {
            // Ending tokens are left for recovery to find (see recover).
            Token t = peek();
            at_end(t, "']' expected", t.pos);
            if (t.kind == T_PERIOD) syntax("']' expected before '.'", t.pos);
            if (t.kind == T_SEMI || t.kind == T_EQDEF) syntax("unexpected symbol", t.pos);
            take();
            if (t.kind == T_RBRACK) {
                done = f.list.take();
                stack.pop_back();
                have = true;
            } else if (t.kind == T_LBRACK || t.kind == T_LBRACE) {
                start(t);
            } else if (!unknown_field(t)) {
                f.list.push(parse_factor(t));
            }
            continue;
        }
        Token t = take();
        at_end(t, "'}' expected", f.pos);
        if (t.kind == T_RBRACE) {
            done = std::move(f.d);
            stack.pop_back();
            have = true;
            continue;
        }
        if (t.kind != T_KEY) syntax("a key ('name:' or \"name\":) expected in dictionary", t.pos);
        f.key = t.text;
        Token v = take();
        at_end(v, "a value expected after '" + t.text + ":'", v.pos);
        if (v.kind == T_RBRACE || v.kind == T_COMMA) syntax("a value expected after '" + t.text + ":'", v.pos);
        if (v.kind == T_LBRACK || v.kind == T_LBRACE) {
            start(v);
        } else {
            done = parse_factor(v);
            have = true;
        }
    }
}

// The symbol a definition of `name` sets: one already known in scope
// `scope` (an index into scopes_, -1 for none), else a global one, named
// module.name inside a MODULE's PUBLIC part.
Sym* Parser::definition_target(const std::string& name, int scope) {
    if (scope >= 0) {
        auto f = scopes_[scope].find(name);
        if (f != scopes_[scope].end()) return f->second;
    }
    Sym* s = I_.intern(module_prefix_ + name);
    if (scope >= 0 && !module_prefix_.empty()) scopes_[scope][name] = s;
    if (warnings_ && s->builtin && !s->defined) {
        I_.host->flush_out();
        I_.host->write_err("warning: overwriting inbuilt '" + s->name + "'\n");
    }
    return s;
}

// Registers private symbols for every `name ==` up to `stop` (IN, or
// PUBLIC/END for a module), so that private words can refer to each other.
void Parser::declare_private(const char* stop1, const char* stop2) {
    size_t save = pos_;
    bool save_peek = have_peek_;
    Token save_tok = peeked_;
    auto& scope = scopes_.back();
    int depth = 0;
    for (;;) {
        Token t = take();
        if (t.kind == T_EOF) {
            if (interactive_) throw Incomplete{};
            break;
        }
        if (t.kind != T_IDENT) continue;
        if (t.text == "HIDE" || t.text == "MODULE") { ++depth; continue; }
        if (t.text == "END" && depth > 0) { --depth; continue; }
        if (depth == 0 && (t.text == stop1 || t.text == stop2)) break;
        if (depth == 0 && peek().kind == T_EQDEF && !scope.count(t.text))
            scope[t.text] = I_.new_private_symbol(t.text);
    }
    pos_ = save;
    have_peek_ = save_peek;
    peeked_ = save_tok;
}

// name == term { ; name == term }, stopping before '.', IN, END, PUBLIC or
// PRIVATE. Nested HIDE and MODULE blocks are allowed.
void Parser::parse_defs(std::vector<std::pair<Sym*, Value>>& out, int scope) {
    for (;;) {
        Token t = peek();
        if (t.kind == T_SEMI) { take(); continue; }
        if (t.kind == T_EOF) {
            if (interactive_) throw Incomplete{};
            return;
        }
        if (t.kind != T_IDENT) return;
        if (t.text == "HIDE") { take(); parse_hide(out, scope); continue; }
        if (t.text == "MODULE") { take(); parse_module(out); continue; }
        // Joy1 starts a new block at DEFINE without a '.' before it
        if (t.text == "DEFINE" || t.text == "LIBRA" || t.text == "CONST" || t.text == "INLINE" || t.text == "PERSIST") {
            take();
            continue;
        }
        if (t.text == "IN" || t.text == "END" || t.text == "PUBLIC" || t.text == "PRIVATE") return;
        take();
        Token eq = take();
        if (eq.kind == T_EOF && interactive_) throw Incomplete{};
        if (eq.kind != T_EQDEF) syntax("'==' expected in definition of " + t.text, eq.pos);
        Sym* s = definition_target(t.text, scope);
        Value body = parse_term();
        out.emplace_back(s, std::move(body));
    }
}

// HIDE private-defs IN public-defs END: the private names are visible only
// inside the block; the public ones go to the enclosing scope.
void Parser::parse_hide(std::vector<std::pair<Sym*, Value>>& out, int outer) {
    enter_block();
    scopes_.emplace_back();
    int hidden = int(scopes_.size()) - 1;
    declare_private("IN", "IN");
    parse_defs(out, hidden);
    Token in = take();
    if (in.kind == T_EOF && interactive_) throw Incomplete{};
    if (in.kind != T_IDENT || in.text != "IN") syntax("IN expected after HIDE definitions", in.pos);
    size_t first_public = out.size();
    parse_defs(out, outer);
    own_private_words(hidden, first_defined(out, first_public));
    Token end = take();
    if (end.kind == T_EOF && interactive_) throw Incomplete{};
    if (end.kind != T_IDENT || end.text != "END") syntax("END expected after HIDE ... IN", end.pos);
    scopes_.pop_back();
}

// HIDE and MODULE blocks nest by recursion, so their depth is bounded
// (far beyond what a program needs, far below what a small C stack holds).
void Parser::enter_block() {
    if (scopes_.size() >= MAX_BLOCK_DEPTH)
        syntax("HIDE and MODULE blocks nested more than " + std::to_string(MAX_BLOCK_DEPTH) + " deep", pos_);
}

// MODULE m PRIVATE defs PUBLIC defs END: public names are m.name outside
// and plain names inside; private names are visible only inside.
void Parser::parse_module(std::vector<std::pair<Sym*, Value>>& out) {
    Token name = take();
    if (name.kind == T_EOF && interactive_) throw Incomplete{};
    if (name.kind != T_IDENT) syntax("module name expected after MODULE", name.pos);
    enter_block();
    std::string saved_prefix = module_prefix_;
    scopes_.emplace_back();
    int scope = int(scopes_.size()) - 1;
    Sym* first_public = nullptr;
    for (;;) {
        Token t = take();
        if (t.kind == T_EOF) {
            if (interactive_) throw Incomplete{};
            syntax("END expected after MODULE", t.pos);
        }
        if (t.kind == T_SEMI) continue;
        if (t.kind == T_IDENT && t.text == "END") break;
        if (t.kind == T_IDENT && t.text == "PRIVATE") {
            module_prefix_.clear();
            declare_private("PUBLIC", "END");
            parse_defs(out, scope);
            continue;
        }
        if (t.kind == T_IDENT && t.text == "PUBLIC") {
            module_prefix_ = saved_prefix + name.text + ".";
            size_t before = out.size();
            parse_defs(out, scope);
            if (!first_public) first_public = first_defined(out, before);
            continue;
        }
        syntax("PRIVATE, PUBLIC or END expected in MODULE", t.pos);
    }
    module_prefix_ = saved_prefix;
    own_private_words(scope, first_public);
    scopes_.pop_back();
}

// The first word defined from out[from] on, preferring a public one (the
// public part of a block may begin with a nested block's private words).
Sym* Parser::first_defined(const std::vector<std::pair<Sym*, Value>>& out, size_t from) {
    for (size_t i = from; i < out.size(); ++i)
        if (!out[i].first->hidden) return out[i].first;
    return from < out.size() ? out[from].first : nullptr;
}

// The private words of a block are stored under its first public word's
// name (see stored_name).
void Parser::own_private_words(int scope, Sym* first_public) {
    if (!first_public) return;
    for (auto& [name, s] : scopes_[scope])
        if (s->hidden && !s->owner && s != first_public) s->owner = first_public;
}

void Parser::recover() {
    if (have_peek_ && peeked_.kind == T_PERIOD) {  // the error was at a '.': go on after it
        have_peek_ = false;
        return;
    }
    have_peek_ = false;
    // Skip to just after the next '.' outside strings and comments.
    while (pos_ < src_.size()) {
        char c = src_[pos_];
        if (c == '"') {
            ++pos_;
            while (pos_ < src_.size() && src_[pos_] != '"') pos_ += src_[pos_] == '\\' ? 2 : 1;
            ++pos_;
            continue;
        }
        if (c == '\'') { pos_ += 2; continue; }
        ++pos_;
        if (c == '.' && (pos_ >= src_.size() || is_space(src_[pos_]))) return;
    }
}

Item Parser::next() {
    period_end_ = std::string::npos;
    Item item = next_item();
    if (item.kind != Item::INCOMPLETE) echo_read_lines(true);
    return item;
}

// Joy1's setecho: each input line is copied to the output when its newline
// is read (1: as it is, 2: after a tab, 3: after its number and a tab), so
// as Joy1's scanner reads one character past a period before the statement
// runs, a line ending in "." is echoed before its output, and the output
// of a statement ending earlier on a line comes before the line. Joy1 also
// reads the newline after "word." twice: an empty line is echoed after it.
// Lines read while echo is 0 are passed over.
void Parser::echo_read_lines(bool after_item) {
    size_t read = pos_ < src_.size() ? pos_ + 1 : pos_;  // one character ahead
    bool twice = after_item && period_end_ == pos_ && period_after_word_ && pos_ < src_.size() &&
                 src_[pos_] == '\n';
    while (echo_start_ < src_.size()) {
        size_t nl = src_.find('\n', echo_start_);
        if (nl == std::string::npos || nl >= read) return;
        echo_line(src_.substr(echo_start_, nl - echo_start_));
        if (twice && nl == pos_) echo_line("");
        echo_start_ = nl + 1;
        ++echo_line_;
    }
}

void Parser::echo_line(const std::string& text) {
    if (!I_.echo) return;
    std::string prefix;
    if (I_.echo == 2) prefix = "\t";
    if (I_.echo == 3) {
        prefix = std::to_string(echo_line_);
        if (prefix.size() < 4) prefix.insert(0, 4 - prefix.size(), ' ');
        prefix += "\t";
    }
    I_.out(prefix + text + "\n");
}

// Where a statement's or a definition block's period ends, and whether a
// word or number stands right before it (see echo_read_lines).
void Parser::took_period(const Token& period) {
    period_end_ = pos_;
    period_after_word_ = (before_last_kind_ == T_IDENT || before_last_kind_ == T_INTLIT ||
                          before_last_kind_ == T_FLOATLIT) && before_last_end_ == period.pos;
}

Item Parser::next_item() {
    size_t start = pos_;
    bool start_peek = have_peek_;
    Token start_tok = peeked_;
    try {
        Item item;
        Token t = peek();
        item.offset = t.pos;
        if (t.kind == T_EOF) { item.kind = Item::END; return item; }
        // PERSIST (the design's spelling) is DEFINE: with a database, every
        // definition is written through.
        if (t.kind == T_IDENT && (t.text == "DEFINE" || t.text == "LIBRA" || t.text == "CONST" ||
                                  t.text == "INLINE" || t.text == "PERSIST")) {
            take();
            item.kind = Item::DEFINITIONS;
            parse_defs(item.defs, -1);
            Token end = take();
            if (end.kind == T_PERIOD) took_period(end);
            if (end.kind == T_EOF && interactive_) throw Incomplete{};
            if (end.kind != T_PERIOD && end.kind != T_EOF &&
                !(end.kind == T_IDENT && end.text == "END"))
                syntax("'.' expected after definitions", end.pos);
            return item;
        }
        if (t.kind == T_IDENT && (t.text == "HIDE" || t.text == "MODULE")) {
            take();
            item.kind = Item::DEFINITIONS;
            if (t.text == "HIDE") parse_hide(item.defs, -1);
            else parse_module(item.defs);
            if (peek().kind == T_PERIOD) took_period(take());
            return item;
        }
        if (t.kind == T_IDENT && (t.text == "END" || t.text == "IN" || t.text == "PUBLIC" || t.text == "PRIVATE")) {
            take();
            syntax("unexpected " + t.text, t.pos);
        }
        item.kind = Item::STATEMENT;
        item.terms = parse_term();
        Token end = peek();
        if (end.kind == T_PERIOD) {
            took_period(take());
            item.ended_with_period = true;
        } else if (end.kind != T_EOF && !(end.kind == T_IDENT)) {
            take();
            syntax(end.kind == T_SEMI ? "unexpected ';'" : end.kind == T_EQDEF ? "unexpected '=='" : "unexpected '}'", end.pos);
        }
        return item;
    } catch (Incomplete&) {
        pos_ = start;
        have_peek_ = start_peek;
        peeked_ = start_tok;
        scopes_.clear();
        module_prefix_.clear();
        Item item;
        item.kind = Item::INCOMPLETE;
        return item;
    } catch (JoyError&) {
        scopes_.clear();
        module_prefix_.clear();
        recover();
        throw;
    }
}

Value Parser::read_factor() {
    try {
        Token t = take();
        if (t.kind != T_EOF) {
            Value v = parse_factor(t);
            echo_read_lines(false);
            return v;
        }
    } catch (Incomplete&) {
    }
    throw JoyError("run time error: end of input reached by get");
}

void Parser::feed(std::string_view more) {
    if (have_peek_ && peeked_.kind == T_EOF) {  // there is more now: scan again
        have_peek_ = false;
        pos_ = peeked_.pos;
    }
    // Between statements of a session everything read is done with: drop
    // it, so positions in messages count from the entry being read and a
    // long session does not keep all its text.
    if (!have_peek_ && pos_ >= src_.size()) {
        echo_start_ = 0;
        line_counted_ = 0;
        line_number_ = 1;
        escapes_run_upto_ = 0;
        src_.clear();
        pos_ = 0;
    }
    src_.append(more);
}

void Parser::drop_unread() {
    if (have_peek_) pos_ = std::min(pos_, peeked_.pos);
    have_peek_ = false;
    src_.resize(std::min(pos_, src_.size()));
    echo_start_ = std::min(echo_start_, src_.size());
}

bool Parser::at_end() {
    try {
        skip_space();
    } catch (Incomplete&) {
        return false;
    }
    if (have_peek_) return peeked_.kind == T_EOF;
    return pos_ >= src_.size();
}

void execute_item(Interp& I, Item& item) {
    if (item.kind == Item::DEFINITIONS) {
        for (auto& [sym, body] : item.defs) I.define(sym, body);
        return;
    }
    if (item.kind != Item::STATEMENT) return;
    I.run(item.terms);
    if (!item.ended_with_period || I.stk.empty()) return;
    MemoryLimitScope limit(I);
    std::string s;
    if (I.autoput == 1) {  // print and pop the top
        print_value(s, I.stk.back());
        I.stk.pop_back();
    } else if (I.autoput == 2) {  // print the whole stack, top first
        for (size_t k = I.stk.size(); k-- > 0;) {
            print_value(s, I.stk[k]);
            if (k) s += ' ';
        }
    } else {
        return;
    }
    s += '\n';
    I.out(s);
}

bool read_regular_file(const std::string& path, std::string& text) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    // Its text is held while it is read: a file larger than the memory a
    // run may still use fails as a value that large would.
    if (int64_t(st.st_size) > tl_pool.limit - tl_pool.bytes) tl_pool.over_limit();
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
    return true;
}

bool find_include(Interp& I, const std::string& name, std::string& text, std::string& found) {
    found = name;
    bool ok = read_regular_file(name, text);
    if (!ok && !name.empty() && name[0] != '/')
        for (auto dir = I.include_dirs.rbegin(); !ok && dir != I.include_dirs.rend(); ++dir) {
            found = *dir + "/" + name;
            ok = read_regular_file(found, text);
        }
    if (!ok) return false;
    size_t slash = found.rfind('/');
    if (slash != std::string::npos) {
        std::string dir = slash == 0 ? "/" : found.substr(0, slash);
        if (std::find(I.include_dirs.begin(), I.include_dirs.end(), dir) == I.include_dirs.end())
            I.include_dirs.push_back(dir);
    }
    return true;
}

Item next_item_from(Interp& I, Parser& main) {
    I.input = &main;
    while (!I.includes.empty()) {
        Item item = I.includes.back()->next();
        if (item.kind != Item::END) return item;
        I.includes.pop_back();
    }
    return main.next();
}

Value read_input_factor(Interp& I) {
    while (!I.includes.empty()) {
        Parser& file = *I.includes.back();
        if (!file.at_end()) return file.read_factor();
        I.includes.pop_back();
    }
    if (!I.input) I.type_error("program input", "get");
    if (I.end_of_input_quits && !I.input->interactive() && I.input->at_end()) throw JoyQuit{0};
    return I.input->read_factor();
}

void run_includes(Interp& I) {
    while (!I.includes.empty()) {
        Item item = I.includes.back()->next();
        if (item.kind == Item::END) I.includes.pop_back();
        else execute_item(I, item);
    }
}

void run_text(Interp& I, std::string text, bool stop_on_error) {
    Parser p(I, std::move(text));
    Parser* saved = I.input;
    struct Restore { Interp& I; Parser* s; ~Restore() { I.input = s; } } restore{I, saved};
    for (;;) {
        try {
            Item item = next_item_from(I, p);
            if (item.kind == Item::END) break;
            execute_item(I, item);
        } catch (JoyAbort&) {
            if (stop_on_error) throw;
        } catch (JoyError& e) {
            I.host->flush_out();
            I.host->write_err(std::string(e.what()) + "\n");
            if (stop_on_error) throw;
        }
    }
}

}  // namespace joy
