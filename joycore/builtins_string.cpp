// builtins_string.cpp - characters, numbers to and from text, and names:
// chr ord strtol strtod format formatf intern name body casting.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "c_locale.h"
#include "file.h"
#include "interp.h"
#include "utf8.h"

namespace joy {
namespace {

// Joy1's NUMERICTYPE: integers, characters and truth values.
bool numeric(const Value& v) { return v.tag == T_INT || v.tag == T_CHAR || v.tag == T_BOOL; }

// Joy1 says just "string needed" for every string parameter of these words.
void need_string(Interp& I, size_t k, const char* word) {
    if (I.peek(k).tag != T_STRING) I.type_error("string", word);
}

void do_chr(Interp& I) {  // I -> C
    I.need(1, "chr");
    if (!numeric(I.top())) I.type_error("numeric", "chr");
    I.top() = Value::char_code(I.top().u.i);
}

void do_ord(Interp& I) {  // C -> I
    I.need(1, "ord");
    if (!numeric(I.top())) I.type_error("numeric", "ord");
    I.top() = Value::integer(I.top().u.i);
}

void do_strtol(Interp& I) {  // S I -> J
    I.need(2, "strtol");
    if (I.top().tag != T_INT) I.type_error("integer", "strtol");
    need_string(I, 1, "strtol");
    int64_t base = I.top().u.i;
    I.charge(I.peek(1).u.str->len / 16);  // strtoll may read all of it
    int64_t r = 0;
    // strtoll knows bases 0 (from the prefix) and 2..36; others read nothing.
    if (base == 0 || (base >= 2 && base <= 36)) r = std::strtoll(I.peek(1).u.str->data, nullptr, int(base));
    I.drop(1);
    I.top() = Value::integer(r);
}

void do_strtod(Interp& I) {  // S -> R
    I.need(1, "strtod");
    need_string(I, 0, "strtod");
    I.charge(I.top().u.str->len / 16);
    I.top() = Value::flt(c_strtod(I.top().u.str->data, nullptr));
}

// format / formatf share the checks of N C I J; the conversion character
// is checked against a fixed set before it goes into a printf format, so no
// user text ever reaches printf as a format.
constexpr int64_t MAX_FIELD = 65535;

char format_args(Interp& I, const char* word, const char* allowed, const char* allowed_msg, int& width, int& prec) {
    I.need(4, word);
    if (I.peek(0).tag != T_INT) I.type_error("integer", word);
    if (I.peek(1).tag != T_INT) I.type_error("integer as second parameter", word);
    if (I.peek(2).tag != T_CHAR) I.type_error("character", word);
    char spec = char(I.peek(2).u.i);
    if (!spec || !std::strchr(allowed, spec)) I.type_error(allowed_msg, word);
    int64_t w = I.peek(1).u.i, p = I.peek(0).u.i;
    if (w < -MAX_FIELD || w > MAX_FIELD || p > MAX_FIELD) I.type_error("width and precision of at most 65535", word);
    width = int(w);
    prec = p < 0 ? -1 : int(p);  // a negative precision means none, as in printf
    return spec;
}

template <typename T>
Value formatted(const char* fmt, int width, int prec, T x) {
    CLocaleScope c_locale;
    int n = std::snprintf(nullptr, 0, fmt, width, prec, x);
    std::string s(size_t(n > 0 ? n : 0), '\0');
    std::snprintf(&s[0], s.size() + 1, fmt, width, prec, x);
    return make_string(s);
}

void do_format(Interp& I) {  // N C I J -> S
    int width, prec;
    char spec = format_args(I, "format", "dioxX", "one of: d i o x X", width, prec);
    if (!numeric(I.peek(3))) I.type_error("numeric", "format");
    const char fmt[] = {'%', '*', '.', '*', 'l', 'l', spec, '\0'};
    Value s = formatted(fmt, width, prec, static_cast<long long>(I.peek(3).u.i));
    I.drop(3);
    I.top() = std::move(s);
}

void do_formatf(Interp& I) {  // F C I J -> S
    int width, prec;
    char spec = format_args(I, "formatf", "eEfgG", "one of: e E f g G", width, prec);
    const Value& x = I.peek(3);
    if (x.tag != T_FLOAT && x.tag != T_INT) I.type_error("float or integer", "formatf");
    const char fmt[] = {'%', '*', '.', '*', spec, '\0'};
    Value s = formatted(fmt, width, prec, x.as_double());
    I.drop(3);
    I.top() = std::move(s);
}

// A name as the reader reads it: not a number, string, character or
// comment, no delimiters, and '.' only inside a module-qualified name.
bool valid_name(std::string_view s) {
    if (s.empty() || s == "==" || !valid_utf8(s)) return false;  // a name is text results may carry
    unsigned char c0 = s[0];
    if ((c0 >= '0' && c0 <= '9') || c0 == '\'' || c0 == '#') return false;
    if (c0 == '-' && s.size() > 1 && s[1] >= '0' && s[1] <= '9') return false;
    if (s.size() > 1 && s.back() == ':') return false;  // a dictionary key
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = s[i];
        if (c <= ' ' || c == 127) return false;
        if (std::strchr("[]{}();\",", c)) return false;
        if (c == '.') {
            bool letter_next = i + 1 < s.size() && ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z');
            if (i == 0 || !letter_next) return false;
        }
    }
    return true;
}

// What the reader makes of a name: true/false, a builtin, or a symbol.
Value named_value(Interp& I, std::string_view name) {
    if (name == "true") return Value::boolean(true);
    if (name == "false") return Value::boolean(false);
    Sym* s = I.intern(name);
    if (s->builtin && !s->defined) return Value::builtin(s->builtin);
    return Value::usrdef(s);
}

void do_intern(Interp& I) {  // "sym" -> sym
    I.need(1, "intern");
    need_string(I, 0, "intern");
    std::string_view text = I.top().u.str->view();
    if (!valid_name(text)) I.type_error("valid name", "intern");
    I.charge(text.size() / 16);  // the name is checked, hashed and copied
    I.top() = named_value(I, text);
}

// Joy1's names of the types, as `name` gives them for data.
std::string type_label(const Value& v) {
    switch (v.tag) {
    case T_NIL: return " nil type";
    case T_BOOL: return " truth value type";
    case T_CHAR: return " character type";
    case T_INT: return " integer type";
    case T_FLOAT: return " float type";
    case T_SET: return " set type";
    case T_LIST: return " list type";
    case T_STRING: return " string type";
    case T_DICT: return " dictionary type";
    case T_FILE: return " file type";
    case T_HANDLE: return std::string(" ") + v.u.obj->kind() + " type";
    case T_USRDEF: return v.u.sym->name;
    case T_BUILTIN: return v.u.bi->name;
    }
    return "";
}

void do_name(Interp& I) {  // sym -> "sym"
    I.need(1, "name");
    I.top() = make_string(type_label(I.top()));
}

void do_body(Interp& I) {  // U -> [P]
    I.need(1, "body");
    if (I.top().tag != T_USRDEF) I.type_error("user defined symbol", "body");
    Sym* s = I.top().u.sym;
    if (!s->defined && I.host) I.host->lookup_definition(I, *s);
    I.top() = s->defined ? s->body : Value::empty_list();
}

// casting: X Y -> Z, Y a type code as `typeof` gives it (Joy1's numbering).
// Joy1 copies X's value bits and stamps type Y on them. Here that happens
// only where it is safe: among the unboxed types (truth value, character,
// integer, set, float) the 64 bits are reinterpreted exactly as Joy1 does
// (1.0 6 casting is 4607182418800017408); to string, an unboxed value gives
// its bytes up to the first zero byte, little-endian (65 8 casting is "A")
// and a symbol its name; to symbol or builtin, a string is looked up as a
// name. Pointers are never reinterpreted, except the null ones: a zero
// value becomes the empty list or the NULL file (0 9 casting is []), and
// those become zero. Casting a value to its own type gives it back, and
// any other change of type is an error.
enum JoyTypeCode : int64_t {
    CODE_USR = 2, CODE_BUILTIN = 3, CODE_BOOL = 4, CODE_CHAR = 5, CODE_INT = 6,
    CODE_SET = 7, CODE_STRING = 8, CODE_LIST = 9, CODE_FLOAT = 10, CODE_FILE = 11,
};

bool unboxed(const Value& v) {
    return v.tag == T_BOOL || v.tag == T_CHAR || v.tag == T_INT || v.tag == T_SET || v.tag == T_FLOAT;
}

uint64_t payload(const Value& v) {
    return v.tag == T_SET ? v.u.set : uint64_t(v.u.i);  // the union's 64 bits
}

// The empty list and the NULL file are Joy1's null pointers: their raw
// value is 0, as a zero number's is.
bool raw_zero(const Value& x) {
    if (x.tag == T_LIST) return !x.u.list;
    if (x.tag == T_FILE) return is_null_file(x);
    return unboxed(x) && payload(x) == 0;
}

Value cast_value(Interp& I, const Value& x, int64_t code) {
    if (joy_typeof(x) == code) return x;
    auto impossible = [&]() -> Value { I.type_error("value convertible to the type given", "casting"); };
    switch (code) {
    case CODE_BOOL: case CODE_CHAR: case CODE_INT: case CODE_SET: case CODE_FLOAT: {
        if (!unboxed(x) && !raw_zero(x)) return impossible();
        uint64_t bits = raw_zero(x) ? 0 : payload(x);
        if (code == CODE_BOOL) return Value::boolean(bits != 0);
        if (code == CODE_CHAR) return Value::char_code(int64_t(bits));
        if (code == CODE_INT) return Value::integer(int64_t(bits));
        if (code == CODE_SET) return Value::setv(bits);
        Value f = Value::flt(0);
        f.u.set = bits;
        return f;
    }
    case CODE_STRING: {
        if (x.tag == T_USRDEF) return make_string(x.u.sym->name);
        if (x.tag == T_BUILTIN) return make_string(x.u.bi->name);
        if (!unboxed(x)) return impossible();
        std::string bytes;
        for (uint64_t bits = payload(x); bits & 0xff; bits >>= 8) bytes += char(bits & 0xff);
        return make_string(bytes);
    }
    case CODE_USR: case CODE_BUILTIN: {
        if (x.tag != T_STRING) return impossible();
        if (!valid_name(x.u.str->view())) I.type_error("valid name", "casting");
        Value v = named_value(I, x.u.str->view());
        if (joy_typeof(v) != code) return impossible();
        return v;
    }
    case CODE_LIST:  // only a zero value has a list, and a file, to become
        if (!raw_zero(x)) return impossible();
        return Value::empty_list();
    case CODE_FILE:
        if (!raw_zero(x)) return impossible();
        return Value::adopt_obj(T_FILE, new FileObj(FileObj::C_FILE));
    default:
        I.type_error("valid type code", "casting");
    }
}

void do_casting(Interp& I) {  // X Y -> Z
    I.need(2, "casting");
    if (I.top().tag != T_INT) I.type_error("integer type code", "casting");
    Value z = cast_value(I, I.peek(1), I.top().u.i);
    I.drop(1);
    I.top() = std::move(z);
}

const Builtin table[] = {
    {"chr", do_chr, "I -> C"},
    {"ord", do_ord, "C -> I"},
    {"strtol", do_strtol, "S I -> J"},
    {"strtod", do_strtod, "S -> R"},
    {"format", do_format, "N C I J -> S"},
    {"formatf", do_formatf, "F C I J -> S"},
    {"intern", do_intern, "\"sym\" -> sym"},
    {"name", do_name, "sym -> \"sym\""},
    {"body", do_body, "U -> [P]"},
    {"casting", do_casting, "X Y -> Z"},
};

}  // namespace

BuiltinTable string_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
