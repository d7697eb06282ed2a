// json.cpp - JSON reader and writer over explicit stacks (no C recursion:
// 100,000 nested '[' is an error or a deep list, never a crash).
#include "json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "dict.h"
#include "printer.h"
#include "text_walk.h"
#include "utf8.h"
#include "interp.h"

namespace joy {

namespace {

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {  // lone surrogates too (as WTF-8), so they survive a round trip
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

class JsonReader {
public:
    explicit JsonReader(std::string_view s) : s_(s) {}
    Value document();

private:
    // An array or object still open, innermost last.
    struct Open {
        bool object;
        ListBuilder items;  // array elements so far
        Value dict;         // object so far
        Value key;          // object: key of the member being read
    };

    [[noreturn]] void fail(const std::string& msg, size_t at);
    [[noreturn]] void expected(const char* what);
    void skip_ws();
    bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
    Value scalar();
    Value member_key();
    std::string string_body();
    uint32_t hex4();
    Value number();

    std::string_view s_;
    size_t pos_ = 0;
};

void JsonReader::fail(const std::string& msg, size_t where) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < where && i < s_.size(); ++i) {
        if (s_[i] == '\n') { ++line; col = 1; } else ++col;
    }
    throw JoyError("run time error: invalid JSON at line " + std::to_string(line) + ", column " +
                   std::to_string(col) + ": " + msg);
}

// "X expected, found Y" at the current position.
void JsonReader::expected(const char* what) {
    std::string found;
    if (pos_ >= s_.size()) {
        found = "end of text";
    } else {
        unsigned char c = s_[pos_];
        if (c >= 0x20 && c < 0x7f) found = std::string("'") + char(c) + "'";
        else {
            char buf[16];
            std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
            found = buf;
        }
    }
    fail(std::string(what) + " expected, found " + found, pos_);
}

void JsonReader::skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
        ++pos_;
}

Value JsonReader::document() {
    std::vector<Open> open;
    for (;;) {
        skip_ws();
        Value v;
        if (at('[')) {
            ++pos_;
            skip_ws();
            if (!at(']')) {
                open.push_back(Open{false, {}, {}, {}});
                continue;
            }
            ++pos_;
            v = Value::empty_list();
        } else if (at('{')) {
            ++pos_;
            Value d = Value::adopt_dict(Dict::create());
            skip_ws();
            if (!at('}')) {
                open.push_back(Open{true, {}, std::move(d), member_key()});
                continue;
            }
            ++pos_;
            v = std::move(d);
        } else {
            v = scalar();
        }
        // Add v to the innermost open container; close those that end here.
        for (;;) {
            if (open.empty()) {
                skip_ws();
                if (pos_ < s_.size()) expected("end of text");
                return v;
            }
            Open& o = open.back();
            if (o.object) o.dict.u.dict->put(std::move(o.key), std::move(v));
            else o.items.push(std::move(v));
            skip_ws();
            if (at(',')) {
                ++pos_;
                if (o.object) o.key = member_key();
                break;
            }
            if (at(o.object ? '}' : ']')) {
                ++pos_;
                v = o.object ? std::move(o.dict) : o.items.take();
                open.pop_back();
                continue;
            }
            expected(o.object ? "',' or '}'" : "',' or ']'");
        }
    }
}

Value JsonReader::member_key() {
    skip_ws();
    if (!at('"')) expected("a string (object key)");
    Value key = make_string(string_body());
    skip_ws();
    if (!at(':')) expected("':'");
    ++pos_;
    return key;
}

Value JsonReader::scalar() {
    if (pos_ >= s_.size()) expected("a value");
    char c = s_[pos_];
    if (c == '"') return make_string(string_body());
    if (c == '-' || is_digit(c)) return number();
    if (s_.substr(pos_, 4) == "true") { pos_ += 4; return Value::boolean(true); }
    if (s_.substr(pos_, 5) == "false") { pos_ += 5; return Value::boolean(false); }
    if (s_.substr(pos_, 4) == "null") { pos_ += 4; return Value::nil(); }
    expected("a value");
}

uint32_t JsonReader::hex4() {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k, ++pos_) {
        char c = pos_ < s_.size() ? s_[pos_] : 0;
        int d = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0) expected("a hex digit");
        v = v * 16 + uint32_t(d);
    }
    return v;
}

std::string JsonReader::string_body() {
    size_t start = pos_++;
    std::string out;
    for (;;) {
        size_t run = pos_;
        while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\\' && (unsigned char)s_[pos_] >= 0x20) ++pos_;
        out.append(s_.data() + run, pos_ - run);
        if (pos_ >= s_.size()) fail("unterminated string", start);
        char c = s_[pos_];
        if (c == '"') {
            ++pos_;
            return out;
        }
        if (c != '\\') fail("control character in string (must be written \\u00XX)", pos_);
        if (++pos_ >= s_.size()) fail("unterminated string", start);
        char e = s_[pos_++];
        switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            uint32_t cp = hex4();
            if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
                size_t back = pos_;
                pos_ += 2;
                uint32_t lo = hex4();
                if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else pos_ = back;  // not a pair: the high surrogate stands alone
            }
            append_utf8(out, cp);
            break;
        }
        default:
            fail(std::string("invalid escape '\\") + e + "' in string", pos_ - 2);
        }
    }
}

// Out of range for a double: +-infinity if the number is large, +-0 if tiny.
double out_of_range(std::string_view num) {
    bool neg = num[0] == '-';
    size_t i = neg;
    int64_t magnitude = 0;  // decimal exponent of the leading significant digit, roughly
    size_t int_start = i;
    while (i < num.size() && is_digit(num[i])) ++i;
    size_t int_digits = i - int_start;
    if (int_digits == 1 && num[int_start] == '0') int_digits = 0;
    magnitude = int64_t(int_digits);
    if (i < num.size() && num[i] == '.') {
        ++i;
        if (int_digits == 0)
            while (i < num.size() && num[i] == '0') { --magnitude; ++i; }
        while (i < num.size() && is_digit(num[i])) ++i;
    }
    if (i < num.size() && (num[i] == 'e' || num[i] == 'E')) {
        ++i;
        bool eneg = num[i] == '-';
        if (num[i] == '+' || num[i] == '-') ++i;
        int64_t e = 0;
        for (; i < num.size(); ++i) e = std::min<int64_t>(e * 10 + (num[i] - '0'), int64_t(1) << 40);
        magnitude += eneg ? -e : e;
    }
    double r = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return neg ? -r : r;
}

Value JsonReader::number() {
    size_t start = pos_;
    bool is_float = false;
    if (at('-')) ++pos_;
    if (at('0')) {
        ++pos_;
    } else {
        if (pos_ >= s_.size() || !is_digit(s_[pos_])) expected("a digit");
        while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    if (at('.')) {
        ++pos_;
        is_float = true;
        if (pos_ >= s_.size() || !is_digit(s_[pos_])) expected("a digit after '.'");
        while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    if (at('e') || at('E')) {
        ++pos_;
        is_float = true;
        if (at('+') || at('-')) ++pos_;
        if (pos_ >= s_.size() || !is_digit(s_[pos_])) expected("a digit in the exponent");
        while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    std::string_view num = s_.substr(start, pos_ - start);
    const char* b = num.data();
    const char* e = b + num.size();
    if (!is_float) {
        int64_t n;
        if (std::from_chars(b, e, n).ec == std::errc()) return Value::integer(n);
        // beyond 64 bits: the nearest float
    }
    double d;
    if (std::from_chars(b, e, d).ec == std::errc::result_out_of_range) d = out_of_range(num);
    return Value::flt(d);
}

// ---- writing ----

[[noreturn]] void no_json(const std::string& what) {
    throw NoJsonForm("run time error: no JSON form for " + what);
}

void write_string(std::string& out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = s[i];
        if (c < 0x80) {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += char(c);
                }
            }
            ++i;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_decode(s, i, cp);
        if (len == 0) {
            out += "\\ufffd";  // not UTF-8: one replacement character per bad byte
            ++i;
            continue;
        }
        if (cp >= 0xD800 && cp < 0xE000) {
            out += "\\u";
            for (int sh = 12; sh >= 0; sh -= 4) out += hex[(cp >> sh) & 15];
        } else {
            out.append(s.data() + i, len);
        }
        i += len;
    }
    out += '"';
}

// The shortest digits that read back as d, laid out as Python and
// JavaScript do: plain notation for exponents -4..15 (always with a
// fraction, so 1.0 stays a float), else 1.5e+20.
void write_float(std::string& out, double d) {
    if (!std::isfinite(d)) no_json(std::string("the float ") + (std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf"));
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view sci(buf, size_t(r.ptr - buf));  // -D.DDDDe+XX
    size_t e = sci.find('e');
    std::string_view mantissa = sci.substr(0, e);
    if (!mantissa.empty() && mantissa[0] == '-') {
        out += '-';
        mantissa.remove_prefix(1);
    }
    std::string digits;
    for (char c : mantissa)
        if (c != '.') digits += c;
    int exp = 0;
    const char* exp_text = sci.data() + e + 1;
    if (*exp_text == '+') ++exp_text;  // from_chars takes '-' but not '+'
    std::from_chars(exp_text, sci.data() + sci.size(), exp);
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            out += "0.";
            out.append(size_t(-exp - 1), '0');
            out += digits;
        } else {
            size_t whole = size_t(exp) + 1;
            if (digits.size() < whole) digits.append(whole - digits.size(), '0');
            out.append(digits, 0, whole);
            out += '.';
            out += digits.size() > whole ? digits.substr(whole) : "0";
        }
        return;
    }
    out += digits[0];
    if (digits.size() > 1) {
        out += '.';
        out.append(digits, 1, std::string::npos);
    }
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += ebuf;
}

void write_scalar(std::string& out, const Value& v) {
    switch (v.tag) {
    case T_NIL: out += "null"; break;
    case T_BOOL: out += v.u.i ? "true" : "false"; break;
    case T_INT: {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v.u.i);
        out.append(buf, size_t(r.ptr - buf));
        break;
    }
    case T_FLOAT: write_float(out, v.u.f); break;
    case T_CHAR: {
        char c = char(v.u.i);
        write_string(out, std::string_view(&c, 1));
        break;
    }
    case T_STRING: write_string(out, v.u.str->view()); break;
    case T_SET: no_json("a set");
    case T_USRDEF: no_json("the symbol " + v.u.sym->name + " (a quotation of code)");
    case T_BUILTIN: no_json(std::string("the builtin ") + v.u.bi->name + " (a quotation of code)");
    case T_FILE: no_json("a file");
    default: no_json(std::string("a ") + v.u.obj->kind());
    }
}

}  // namespace

Value json_parse(std::string_view text) { return JsonReader(text).document(); }

namespace {
struct JsonText {
    const char* list_open = "[";
    const char* list_separator = ",";
    const char* list_close = "]";
    const char* dict_close = "}";
    void scalar(std::string& out, const Value& v) { write_scalar(out, v); }
    bool dict_open(std::string& out, const Dict&) {
        out += '{';
        return true;
    }
    void dict_key(std::string& out, std::string_view k, bool first) {
        if (!first) out += ',';
        write_string(out, k);
        out += ':';
    }
};
}  // namespace

std::string json_write(const Value& root) {
    std::string out;
    JsonText format;
    write_text(out, root, format);
    return out;
}

}  // namespace joy
