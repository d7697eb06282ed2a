// builtins_logic.cpp - comparison (= < compare ...), truth values and set
// algebra (and or xor not), type predicates and typeof.
//
// Comparison follows Joy1's Compare: numbers compare across bool, char,
// int and float; strings, symbols and builtins compare by name; two sets
// compare as sets (< is proper subset); other mixtures are errors.
#include <cstring>

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

bool numeric_family(const Value& v) {
    return v.tag == T_INT || v.tag == T_CHAR || v.tag == T_BOOL || v.tag == T_FLOAT;
}

bool named(const Value& v) { return v.tag == T_STRING || v.tag == T_USRDEF || v.tag == T_BUILTIN; }

std::string_view name_of(const Value& v) {
    if (v.tag == T_STRING) return v.u.str->view();
    if (v.tag == T_USRDEF) return v.u.sym->name;
    return v.u.bi->name;
}

template <class T>
int three_way(T a, T b) { return a < b ? -1 : a > b ? 1 : 0; }

}  // namespace

int compare_values(const Value& a, const Value& b, bool& comparable) {
    comparable = true;
    if (numeric_family(a) && numeric_family(b)) {
        if (a.tag != T_FLOAT && b.tag != T_FLOAT) return three_way(a.u.i, b.u.i);
        double x = a.as_double(), y = b.as_double();
        return x == x && y == y ? three_way(x, y) : UNORDERED;
    }
    if (named(a) && named(b)) {
        int c = name_of(a).compare(name_of(b));
        return c < 0 ? -1 : c > 0;
    }
    if (a.tag == b.tag) {
        switch (a.tag) {
        case T_NIL: return 0;
        case T_SET: return three_way(a.u.set, b.u.set);
        case T_FILE: case T_HANDLE: return three_way(a.u.heap, b.u.heap);
        default: break;
        }
    }
    comparable = false;
    return 0;
}

namespace {

// The relations of Joy1: decide from the three-way result, or, when the top
// is a set, from set inclusion.
enum Rel { EQ, NE, LT, LE, GT, GE };

bool holds(Rel rel, int c) {
    switch (rel) {
    case EQ: return c == 0;
    case NE: return c != 0;
    case LT: return c == -1;
    case LE: return c == -1 || c == 0;
    case GT: return c == 1;
    default: return c == 1 || c == 0;
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

// A set on top makes Joy1 read the second operand as a set too; an integer
// there is taken as its bit pattern.
uint64_t set_bits(Interp& I, const Value& v, const char* word) {
    if (v.tag == T_SET) return v.u.set;
    if (v.tag == T_INT || v.tag == T_CHAR || v.tag == T_BOOL) return uint64_t(v.u.i);
    I.type_error("different type", word);
}

template <Rel rel>
void relation(Interp& I, const char* word) {
    size_t n = I.stk.size();
    if (n >= 2 && n - 2 >= I.guard && I.stk[n - 1].tag == T_INT && I.stk[n - 2].tag == T_INT) {
        bool b = holds(rel, three_way(I.stk[n - 2].u.i, I.stk[n - 1].u.i));
        I.stk.pop_back();
        I.stk.back() = Value::boolean(b);
        return;
    }
    I.need(2, word);
    const Value& x = I.peek(1);
    const Value& y = I.peek(0);
    bool b;
    if (y.tag == T_SET) {
        b = set_holds(rel, set_bits(I, x, word), y.u.set);
    } else {
        bool comparable;
        int c = compare_values(x, y, comparable);
        if (!comparable) I.type_error("different type", word);
        b = holds(rel, c);
    }
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
    const Value& x = I.peek(1);
    const Value& y = I.peek(0);
    int c;
    if (y.tag == T_SET) {
        c = three_way(set_bits(I, x, "compare"), y.u.set);
    } else {
        bool comparable;
        c = compare_values(x, y, comparable);
        if (!comparable) I.type_error("different type", "compare");
        if (c == UNORDERED) c = -1;  // as Joy1 does on a NaN
    }
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
    else if (x.tag == T_BOOL) x.u.i = !x.u.i;
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
