// builtins_logic.cpp - comparison (= < compare ...), truth values and set
// algebra (and or xor not), type predicates and typeof.
//
// Comparison follows Joy1's Compare: two empty values (0, 0.0, false, '\000,
// "", [], {}, a NULL file, nil) are equal; numbers compare across bool,
// char, int and float, and with a set by its bits; strings, symbols and
// builtins compare by name (+ as plus ...); < <= > >= with a set on either
// side test inclusion; anything else is unequal (compare gives 1), never
// an error, so lists are not = even to themselves.
#include <algorithm>
#include <cstring>

#include "dict.h"
#include "file.h"
#include "interp.h"

namespace joy {

const char* type_name(Tag t) {
    switch (t) {
    case T_NIL: return "nil";
    case T_BOOL: return "boolean";
    case T_CHAR: return "char";
    case T_INT: return "integer";
    case T_FLOAT: return "float";
    case T_SET: return "set";
    case T_USRDEF: return "symbol";
    case T_BUILTIN: return "builtin";
    case T_LIST: return "list";
    case T_STRING: return "string";
    case T_DICT: return "dict";
    case T_FILE: return "file";
    case T_HANDLE: return "handle";
    }
    return "unknown";
}

// Joy1's type codes (USR_ = 2 ... FILE_ = 11); the additions get codes of
// their own above Joy's range.
int joy_typeof(const Value& v) {
    switch (v.tag) {
    case T_USRDEF: return 2;
    case T_BUILTIN: return 3;
    case T_BOOL: return 4;
    case T_CHAR: return 5;
    case T_INT: return 6;
    case T_SET: return 7;
    case T_STRING: return 8;
    case T_LIST: return 9;
    case T_FLOAT: return 10;
    case T_FILE: return 11;
    case T_NIL: return 20;
    case T_DICT: return 21;
    case T_HANDLE: return 22;
    }
    return 0;
}

namespace {

template <class T>
int three_way(T a, T b) { return a < b ? -1 : a > b ? 1 : 0; }

// Joy1 prints and compares some builtins by the name of their C function.
std::string_view joy1_name(const Builtin* b) {
    static const std::pair<std::string_view, std::string_view> nicknames[] = {
        {"+", "plus"}, {"-", "minus"}, {"*", "mul"}, {"/", "divide"}, {"=", "eql"},
        {"!=", "neql"}, {"<", "less"}, {"<=", "leql"}, {">", "greater"}, {">=", "geql"}};
    for (const auto& [name, nick] : nicknames)
        if (name == b->name) return nick;
    return b->name;
}

bool named(const Value& v) { return v.tag == T_STRING || v.tag == T_USRDEF || v.tag == T_BUILTIN; }

std::string_view name_of(const Value& v) {
    if (v.tag == T_STRING) return v.u.str->view();
    if (v.tag == T_USRDEF) return v.u.sym->name;
    return joy1_name(v.u.bi);
}

bool int_like(const Value& v) { return v.tag == T_INT || v.tag == T_CHAR || v.tag == T_BOOL; }

// The 64 bits Joy1 keeps for a number or a set (a float's are its bits).
uint64_t raw_bits(const Value& v) {
    if (v.tag == T_FLOAT) {
        uint64_t bits;
        std::memcpy(&bits, &v.u.f, sizeof bits);
        return bits;
    }
    return v.tag == T_SET ? v.u.set : uint64_t(v.u.i);
}

// The standard streams in the order Joy1 finds them; other files after.
std::pair<int, const void*> file_order(const Value& v) {
    const auto& f = static_cast<const FileObj&>(*v.u.obj);
    switch (f.stream) {
    case FileObj::STD_IN: return {0, nullptr};
    case FileObj::STD_ERR: return {1, nullptr};
    case FileObj::STD_OUT: return {2, nullptr};
    default: return {3, &f};
    }
}

}  // namespace

bool is_null_value(const Value& v) {
    switch (v.tag) {
    case T_NIL: return true;
    case T_BOOL: case T_CHAR: case T_INT: return v.u.i == 0;
    case T_FLOAT: return v.u.f == 0.0;
    case T_SET: return v.u.set == 0;
    case T_LIST: return v.u.list == nullptr;
    case T_STRING: return v.u.str->len == 0;
    case T_DICT: return v.u.dict->size() == 0;
    case T_FILE: return is_null_file(v);
    default: return false;
    }
}

int compare_values(const Value& a, const Value& b) {
    if (is_null_value(a) && is_null_value(b)) return 0;  // only one nothing
    if (named(a) && named(b)) {
        int c = name_of(a).compare(name_of(b));
        return c < 0 ? -1 : c > 0;
    }
    bool a_number = int_like(a) || a.tag == T_FLOAT, b_number = int_like(b) || b.tag == T_FLOAT;
    if ((a.tag == T_SET && (b_number || b.tag == T_SET)) || (b.tag == T_SET && a_number))
        return three_way(int64_t(raw_bits(a)), int64_t(raw_bits(b)));
    if (a_number && b_number) {
        if (a.tag != T_FLOAT && b.tag != T_FLOAT) return three_way(a.u.i, b.u.i);
        double x = a.as_double(), y = b.as_double();
        return x < y ? -1 : x > y;  // a NaN is neither: 0
    }
    if (a.tag == T_FILE && b.tag == T_FILE) {
        auto x = file_order(a), y = file_order(b);
        return x < y ? -1 : x > y;
    }
    if (a.tag == T_HANDLE && b.tag == T_HANDLE) return three_way(a.u.heap, b.u.heap);
    return 1;  // values Joy1 cannot order are unequal
}

int compare_charged(Interp& I, const Value& a, const Value& b) {
    if (named(a) && named(b)) I.charge(std::min(name_of(a).size(), name_of(b).size()) / 16);
    return compare_values(a, b);
}

namespace {

// The relations of Joy1: decided by compare_values, or, when either side
// is a set, by inclusion of the two values' bits.
enum Rel { EQ, NE, LT, LE, GT, GE };

bool holds(Rel rel, int c) {
    switch (rel) {
    case EQ: return c == 0;
    case NE: return c != 0;
    case LT: return c < 0;
    case LE: return c <= 0;
    case GT: return c > 0;
    default: return c >= 0;
    }
}

bool set_holds(Rel rel, uint64_t i, uint64_t j) {
    switch (rel) {
    case EQ: return i == j;
    case NE: return i != j;
    case LT: return i != j && !(i & ~j);
    case LE: return !(i & ~j);
    case GT: return i != j && !(j & ~i);
    default: return !(j & ~i);
    }
}

// Whether a value has bits to take part in set inclusion: numbers, sets
// and the empty values (whose bits are 0).
bool has_bits(const Value& v) {
    return int_like(v) || v.tag == T_FLOAT || v.tag == T_SET || is_null_value(v);
}

template <Rel rel>
void relation(Interp& I, const char* word) {
    size_t n = I.stk.size();
    if (n >= 2 && I.stk[n - 1].tag == T_INT && I.stk[n - 2].tag == T_INT) {
        if (n - 2 < I.guard) I.spill(n - 2);  // a test consuming what lies below it
        bool b = holds(rel, three_way(I.stk[n - 2].u.i, I.stk[n - 1].u.i));
        I.stk.pop_back();
        I.stk.back() = Value::boolean(b);
        return;
    }
    I.need(2, word);
    const Value& x = I.peek(1);
    const Value& y = I.peek(0);
    bool b;
    if ((rel != EQ && rel != NE) && (x.tag == T_SET || y.tag == T_SET) && has_bits(x) && has_bits(y))
        b = set_holds(rel, is_null_value(x) ? 0 : raw_bits(x), is_null_value(y) ? 0 : raw_bits(y));
    else
        b = holds(rel, compare_charged(I, x, y));
    I.drop(2);
    I.push(Value::boolean(b));
}

void do_eq(Interp& I) { relation<EQ>(I, "="); }
void do_ne(Interp& I) { relation<NE>(I, "!="); }
void do_lt(Interp& I) { relation<LT>(I, "<"); }
void do_le(Interp& I) { relation<LE>(I, "<="); }
void do_gt(Interp& I) { relation<GT>(I, ">"); }
void do_ge(Interp& I) { relation<GE>(I, ">="); }

void do_compare(Interp& I) {  // A B -> I: -1, 0 or 1
    I.need(2, "compare");
    int c = compare_charged(I, I.peek(1), I.peek(0));
    I.drop(2);
    I.push(Value::integer(c));
}

// and / or / xor: set intersection, union and symmetric difference, or the
// truth of two values of the same type (for xor on numbers: inequality, as
// in Joy1).
enum Connective { AND, OR, XOR };

template <Connective op>
void connective(Interp& I, const char* word) {
    I.need(2, word);
    const Value& x = I.peek(1);
    const Value& y = I.peek(0);
    if (x.tag != y.tag) I.type_error("two parameters of the same type", word);
    Value r;
    switch (x.tag) {
    case T_SET:
        r = Value::setv(op == AND ? x.u.set & y.u.set : op == OR ? x.u.set | y.u.set : x.u.set ^ y.u.set);
        break;
    case T_BOOL: case T_CHAR: case T_INT: {
        bool p = x.u.i != 0, q = y.u.i != 0;
        r = Value::boolean(op == AND ? p && q : op == OR ? p || q : x.u.i != y.u.i);
        break;
    }
    case T_LIST: {
        bool p = x.u.list != nullptr, q = y.u.list != nullptr;
        r = Value::boolean(op == AND ? p && q : op == OR ? p || q : p != q);
        break;
    }
    default: I.type_error("different type", word);
    }
    I.drop(2);
    I.push(std::move(r));
}

void do_and(Interp& I) { connective<AND>(I, "and"); }
void do_or(Interp& I) { connective<OR>(I, "or"); }
void do_xor(Interp& I) { connective<XOR>(I, "xor"); }

void do_not(Interp& I) {  // complement of a set, negation of a truth value
    I.need(1, "not");
    Value& x = I.top();
    if (x.tag == T_SET) x.u.set = ~x.u.set;
    else if (int_like(x)) x = Value::boolean(x.u.i == 0);
    else I.type_error("different type", "not");
}

template <Tag tag>
void is_type(Interp& I, const char* word) {
    I.need(1, word);
    I.top() = Value::boolean(I.top().tag == tag);
}
void do_integer(Interp& I) { is_type<T_INT>(I, "integer"); }
void do_char(Interp& I) { is_type<T_CHAR>(I, "char"); }
void do_logical(Interp& I) { is_type<T_BOOL>(I, "logical"); }
void do_set(Interp& I) { is_type<T_SET>(I, "set"); }
void do_string(Interp& I) { is_type<T_STRING>(I, "string"); }
void do_list(Interp& I) { is_type<T_LIST>(I, "list"); }
void do_float(Interp& I) { is_type<T_FLOAT>(I, "float"); }
void do_file(Interp& I) { is_type<T_FILE>(I, "file"); }
void do_user(Interp& I) { is_type<T_USRDEF>(I, "user"); }

void do_typeof(Interp& I) {
    I.need(1, "typeof");
    I.top() = Value::integer(joy_typeof(I.top()));
}

void do_sametype(Interp& I) {  // each builtin is a type of its own, as in Joy1
    I.need(2, "sametype");
    const Value& x = I.peek(1);
    const Value& y = I.peek(0);
    bool b = x.tag == y.tag && (x.tag != T_BUILTIN || x.u.bi == y.u.bi);
    I.drop(2);
    I.push(Value::boolean(b));
}

void do_setsize(Interp& I) { I.push(Value::integer(64)); }
void do_true(Interp& I) { I.push(Value::boolean(true)); }
void do_false(Interp& I) { I.push(Value::boolean(false)); }

const Builtin table[] = {
    {"=", do_eq, "X Y -> B"},
    {"!=", do_ne, "X Y -> B"},
    {"<", do_lt, "X Y -> B"},
    {"<=", do_le, "X Y -> B"},
    {">", do_gt, "X Y -> B"},
    {">=", do_ge, "X Y -> B"},
    {"compare", do_compare, "A B -> I"},
    {"and", do_and, "X Y -> Z"},
    {"or", do_or, "X Y -> Z"},
    {"xor", do_xor, "X Y -> Z"},
    {"not", do_not, "X -> Y"},
    {"integer", do_integer, "X -> B"},
    {"char", do_char, "X -> B"},
    {"logical", do_logical, "X -> B"},
    {"set", do_set, "X -> B"},
    {"string", do_string, "X -> B"},
    {"list", do_list, "X -> B"},
    {"float", do_float, "R -> B"},
    {"file", do_file, "F -> B"},
    {"user", do_user, "X -> B"},
    {"typeof", do_typeof, "X -> I"},
    {"sametype", do_sametype, "X Y -> B"},
    {"setsize", do_setsize, "-> setsize"},
    {"true", do_true, "-> true"},
    {"false", do_false, "-> false"},
};

}  // namespace

BuiltinTable logic_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
