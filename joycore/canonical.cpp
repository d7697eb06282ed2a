// canonical.cpp - canonical Joy text, written and read without recursion
// (see canonical.h).
#include "canonical.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "c_locale.h"
#include "dict.h"
#include "printer.h"
#include "text_walk.h"
#include "utf8.h"

namespace joy {

// ---- JSON where JSON says it exactly ----

bool json_exact(const Value& root) {
    std::vector<const Value*> work{&root};
    while (!work.empty()) {
        const Value& v = *work.back();
        work.pop_back();
        switch (v.tag) {
        case T_NIL: case T_BOOL: case T_INT: break;
        case T_FLOAT:
            if (!std::isfinite(v.u.f)) return false;
            break;
        case T_STRING:
            if (!valid_utf8(v.u.str->view())) return false;
            break;
        case T_LIST:
            for (Cell* c = v.u.list; c; c = tail(c)) work.push_back(&head(c));
            break;
        case T_DICT: {
            bool keys_ok = true;
            v.u.dict->each([&](const Value& k, const Value& val) {
                keys_ok = keys_ok && valid_utf8(k.u.str->view());
                work.push_back(&val);
            });
            if (!keys_ok) return false;
            break;
        }
        default: return false;
        }
    }
    return true;
}

// ---- canonical Joy text ----

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Characters that end a name in canonical text.
bool is_delimiter(char c) {
    unsigned char u = c;
    return u <= ' ' || u >= 127 || c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == '\'' ||
           c == ',' || c == ';' || c == ':';
}

// A name that reads back as a symbol of that name.
bool plain_symbol(std::string_view name) {
    if (name.empty() || is_digit(name[0]) || (name[0] == '-' && name.size() > 1 && is_digit(name[1])))
        return false;
    if (name == "true" || name == "false" || name == "nil") return false;
    for (char c : name)
        if (is_delimiter(c)) return false;
    return true;
}

void escaped_byte(std::string& out, unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\%03d", c);
    out += buf;
}

// Bytes that are not part of a UTF-8 character are escaped too: the text
// is valid UTF-8 and reads back as the same bytes.
void write_string(std::string& out, std::string_view s) {
    out += '"';
    for (size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        uint32_t cp = 0;
        size_t len = c < 0x80 ? 1 : utf8_decode(s, i, cp);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < ' ' || c == 127 || len == 0 || (cp >= 0xD800 && cp < 0xE000)) {
            escaped_byte(out, c);
            len = 1;
        } else {
            out.append(s.data() + i, len);
        }
        i += len ? len : 1;
    }
    out += '"';
}

void write_atom(std::string& out, const Value& v) {
    switch (v.tag) {
    case T_NIL: out += "nil"; break;
    case T_BOOL: out += v.u.i ? "true" : "false"; break;
    case T_INT: {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v.u.i);
        out.append(buf, size_t(r.ptr - buf));
        break;
    }
    case T_FLOAT:
        if (std::isnan(v.u.f)) out += "{:nan}";
        else print_float(out, v.u.f, true);
        break;
    case T_CHAR: {
        if (v.u.i < 0 || v.u.i > 255) {  // a char arithmetic took out of a byte
            out += "{:char " + std::to_string(v.u.i) + "}";
            break;
        }
        unsigned char c = static_cast<unsigned char>(v.u.i);
        out += '\'';
        if (c > ' ' && c < 127 && c != '\\') out += char(c);
        else escaped_byte(out, c);
        break;
    }
    case T_STRING: write_string(out, v.u.str->view()); break;
    case T_SET: {
        out += '{';
        bool first = true;
        for (int k = 0; k < 64; ++k)
            if (v.u.set >> k & 1) {
                if (!first) out += ' ';
                first = false;
                out += std::to_string(k);
            }
        out += '}';
        break;
    }
    case T_USRDEF: case T_BUILTIN: {
        std::string word = v.tag == T_USRDEF ? name_to_read_back(*v.u.sym) : v.u.bi->name;
        std::string_view name = word;
        if (plain_symbol(name)) {
            out += name;
        } else {
            out += "{:sym ";
            write_string(out, name);
            out += '}';
        }
        break;
    }
    case T_FILE: throw JoyError("run time error: a file cannot be stored in a table");
    default:
        throw JoyError(std::string("run time error: a ") + v.u.obj->kind() + " handle cannot be stored in a table");
    }
}

}  // namespace

namespace {
struct CanonicalText {
    const char* list_open = "[";
    const char* list_separator = " ";
    const char* list_close = "]";
    const char* dict_close = "}";
    void scalar(std::string& out, const Value& v) { write_atom(out, v); }
    bool dict_open(std::string& out, const Dict& d) {
        out += d.size() == 0 ? "{:}" : "{";
        return d.size() != 0;
    }
    void dict_key(std::string& out, std::string_view k, bool first) {
        if (!first) out += ", ";
        if (is_plain_key(k)) out += k;
        else write_string(out, k);
        out += ": ";
    }
};
}  // namespace

std::string canonical_text(const Value& root) {
    std::string out;
    CanonicalText format;
    write_text(out, root, format);
    return out;
}

namespace {

// Reads what canonical_text writes. Nesting is kept on a vector, not the
// C stack.
class CanonicalReader {
public:
    CanonicalReader(std::string_view s, Interp* I) : s_(s), I_(I) {}

    Value read() {
        for (;;) {
            skip_space();
            if (!open_.empty() && open_.back().is_dict && open_.back().key.tag == T_NIL) {
                read_key_or_close();
            } else {
                read_factor();
            }
            if (done_) break;
        }
        skip_space();
        if (p_ != s_.size()) bad();
        return std::move(result_);
    }

private:
    struct Open {
        bool is_dict;
        ListBuilder list;
        Value dict;
        Value key;  // a dict's key waiting for its value
    };

    [[noreturn]] void bad() {
        throw JoyError("run time error: stored Joy text is malformed at byte " + std::to_string(p_));
    }
    void skip_space() {
        while (p_ < s_.size() && static_cast<unsigned char>(s_[p_]) <= ' ') ++p_;
    }
    bool at(char c) const { return p_ < s_.size() && s_[p_] == c; }
    void expect(char c) {
        skip_space();
        if (!at(c)) bad();
        ++p_;
    }

    void emit(Value v) {
        if (open_.empty()) {
            result_ = std::move(v);
            done_ = true;
            return;
        }
        Open& o = open_.back();
        if (o.is_dict) {
            o.dict.u.dict->put(std::move(o.key), std::move(v));
            o.key = Value();
            skip_space();
            if (at(',')) ++p_;
        } else {
            o.list.push(std::move(v));
        }
    }

    void read_key_or_close() {
        if (at('}')) {
            ++p_;
            Value d = std::move(open_.back().dict);
            open_.pop_back();
            emit(std::move(d));
            return;
        }
        Value key = at('"') ? read_string() : make_string(read_name());
        expect(':');
        open_.back().key = std::move(key);
    }

    void read_factor() {
        if (p_ >= s_.size()) bad();
        char c = s_[p_];
        if (c == '[') {
            ++p_;
            open_.push_back({false, {}, Value(), Value()});
        } else if (c == ']') {
            if (open_.empty() || open_.back().is_dict) bad();
            ++p_;
            Value l = open_.back().list.take();
            open_.pop_back();
            emit(std::move(l));
        } else if (c == '{') {
            ++p_;
            read_brace();
        } else if (c == '"') {
            emit(read_string());
        } else if (c == '\'') {
            ++p_;
            emit(Value::chr(read_char_code()));
        } else if (is_digit(c) || (c == '-' && p_ + 1 < s_.size() && is_digit(s_[p_ + 1]))) {
            emit(read_number());
        } else {
            std::string name = read_name();
            if (name == "true" || name == "false") emit(Value::boolean(name == "true"));
            else if (name == "nil") emit(Value::nil());
            else emit(symbol(name));
        }
    }

    // After '{': a special form, a set or a dict.
    void read_brace() {
        skip_space();
        if (at(':')) {
            ++p_;
            skip_space();
            if (at('}')) {
                ++p_;
                emit(Value::adopt_dict(Dict::create()));
                return;
            }
            std::string what = read_name();
            if (what == "nan") {
                emit(Value::flt(std::nan("")));
            } else if (what == "char") {
                skip_space();
                Value code = read_number();
                if (code.tag != T_INT) bad();
                emit(Value::char_code(code.u.i));
            } else if (what == "sym") {
                skip_space();
                Value name = read_string();
                emit(symbol(std::string(name.u.str->view())));
            } else {
                bad();
            }
            expect('}');
            return;
        }
        if (at('}') || (p_ < s_.size() && is_digit(s_[p_]))) {
            uint64_t set = 0;
            for (;;) {
                skip_space();
                if (at('}')) break;
                int64_t m = 0;
                auto r = std::from_chars(s_.data() + p_, s_.data() + s_.size(), m);
                if (r.ec != std::errc() || m < 0 || m >= 64) bad();
                p_ = size_t(r.ptr - s_.data());
                set |= uint64_t(1) << m;
            }
            ++p_;
            emit(Value::setv(set));
            return;
        }
        open_.push_back({true, {}, Value::adopt_dict(Dict::create()), Value()});
    }

    Value read_string() {
        ++p_;  // the opening quote
        std::string out;
        for (;;) {
            if (p_ >= s_.size()) bad();
            char c = s_[p_++];
            if (c == '"') break;
            if (c == '\\') {
                out += char(read_escape());
                continue;
            }
            out += c;
        }
        return make_string(out);
    }

    // After a backslash: \ddd (decimal), or the character itself.
    int read_escape() {
        if (p_ + 3 <= s_.size() && is_digit(s_[p_]) && is_digit(s_[p_ + 1]) && is_digit(s_[p_ + 2])) {
            int code = (s_[p_] - '0') * 100 + (s_[p_ + 1] - '0') * 10 + (s_[p_ + 2] - '0');
            p_ += 3;
            if (code > 255) bad();
            return code;
        }
        if (p_ >= s_.size()) bad();
        return static_cast<unsigned char>(s_[p_++]);
    }

    int read_char_code() {
        if (p_ >= s_.size()) bad();
        char c = s_[p_++];
        return c == '\\' ? read_escape() : static_cast<unsigned char>(c);
    }

    Value read_number() {
        size_t start = p_;
        bool is_float = false;
        if (at('-')) ++p_;
        while (p_ < s_.size() && !is_delimiter(s_[p_])) {
            char c = s_[p_];
            if (c == '.' || c == 'e' || c == 'E') is_float = true;
            ++p_;
        }
        std::string text(s_.substr(start, p_ - start));
        if (is_float) {
            char* end = nullptr;
            double d = c_strtod(text.c_str(), &end);
            if (*end) bad();
            return Value::flt(d);
        }
        int64_t n = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), n);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size()) bad();
        return Value::integer(n);
    }

    std::string read_name() {
        size_t start = p_;
        while (p_ < s_.size() && !is_delimiter(s_[p_])) ++p_;
        if (p_ == start) bad();
        return std::string(s_.substr(start, p_ - start));
    }

    // As a recalled symbol: the builtin, unless the user defined the name.
    Value symbol(const std::string& name) {
        if (!I_) throw JoyError("run time error: a stored symbol needs an interpreter");
        Sym* s = I_->intern(name);
        if (s->builtin && !s->defined) return Value::builtin(s->builtin);
        return Value::usrdef(s);
    }

    std::string_view s_;
    Interp* I_;
    size_t p_ = 0;
    std::vector<Open> open_;
    Value result_;
    bool done_ = false;
};

}  // namespace

Value read_canonical(std::string_view text, Interp* I) { return CanonicalReader(text, I).read(); }

}  // namespace joy
