// builtins_arith.cpp - numbers: integer and float arithmetic, comparison,
// the math library. Integer arithmetic wraps around (two's complement) as
// Joy1's does on 64-bit machines, without undefined behaviour.
#include <cmath>
#include <cstring>

#include "interp.h"

namespace joy {
namespace {

bool floatable(const Value& v) { return v.tag == T_INT || v.tag == T_FLOAT; }
bool integral(const Value& v) { return v.tag == T_INT || v.tag == T_CHAR; }

// Joy1 computes in floats when one operand is a float and the other a
// float or an integer (never a char or a truth value).
bool float_pair(Interp& I) {
    const Value& a = I.peek(1);
    const Value& b = I.peek(0);
    return (a.tag == T_FLOAT || b.tag == T_FLOAT) && floatable(a) && floatable(b);
}
void two_integers(Interp& I, const char* word) {
    if (I.peek(0).tag != T_INT || I.peek(1).tag != T_INT) I.type_error("two integers", word);
}
void replace_two_by_float(Interp& I, double r) {
    I.stk.pop_back();
    I.top() = Value::flt(r);
}

int64_t wrap_add(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }
int64_t wrap_sub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
int64_t wrap_mul(int64_t a, int64_t b) { return int64_t(uint64_t(a) * uint64_t(b)); }

// Result of an integer operation keeps the first operand's type (a char
// plus an integer is a char), as in Joy1.
void set_int_result(Value& dst, int64_t r) {
    if (dst.tag != T_CHAR) dst.tag = T_INT;
    dst.u.i = r;
}

// + and -: floats as above; otherwise an integer on top and an integer or
// a char below (the result has the type of the one below).
template <int64_t (*IOp)(int64_t, int64_t), double (*FOp)(double, double)>
void plus_minus(Interp& I, const char* word) {
    I.need(2, word);
    if (float_pair(I)) return replace_two_by_float(I, FOp(I.peek(1).as_double(), I.peek(0).as_double()));
    if (I.peek(0).tag != T_INT) I.type_error("integer", word);
    if (!integral(I.peek(1))) I.type_error("numeric second parameter", word);
    set_int_result(I.peek(1), IOp(I.peek(1).u.i, I.peek(0).u.i));
    I.stk.pop_back();
}
double fadd(double a, double b) { return a + b; }
double fsub(double a, double b) { return a - b; }
void do_plus(Interp& I) {
    // Fast path: two integers (the common case in loops).
    size_t n = I.stk.size();
    if (n >= 2 && n - 2 >= I.guard && I.stk[n - 1].tag == T_INT && I.stk[n - 2].tag == T_INT) {
        I.stk[n - 2].u.i = wrap_add(I.stk[n - 2].u.i, I.stk[n - 1].u.i);
        I.stk.pop_back();
        return;
    }
    plus_minus<wrap_add, fadd>(I, "+");
}
void do_minus(Interp& I) {
    size_t n = I.stk.size();
    if (n >= 2 && n - 2 >= I.guard && I.stk[n - 1].tag == T_INT && I.stk[n - 2].tag == T_INT) {
        I.stk[n - 2].u.i = wrap_sub(I.stk[n - 2].u.i, I.stk[n - 1].u.i);
        I.stk.pop_back();
        return;
    }
    plus_minus<wrap_sub, fsub>(I, "-");
}

void do_mul(Interp& I) {
    size_t n = I.stk.size();
    if (n >= 2 && n - 2 >= I.guard && I.stk[n - 1].tag == T_INT && I.stk[n - 2].tag == T_INT) {
        I.stk[n - 2].u.i = wrap_mul(I.stk[n - 2].u.i, I.stk[n - 1].u.i);
        I.stk.pop_back();
        return;
    }
    I.need(2, "*");
    if (float_pair(I)) return replace_two_by_float(I, I.peek(1).as_double() * I.peek(0).as_double());
    two_integers(I, "*");
    I.peek(1).u.i = wrap_mul(I.peek(1).u.i, I.peek(0).u.i);
    I.stk.pop_back();
}

void do_divide(Interp& I) {
    I.need(2, "/");
    const Value& b = I.peek(0);
    if ((b.tag == T_INT && b.u.i == 0) || (b.tag == T_FLOAT && b.u.f == 0.0)) I.type_error("non-zero divisor", "/");
    if (float_pair(I)) return replace_two_by_float(I, I.peek(1).as_double() / b.as_double());
    two_integers(I, "/");
    int64_t a = I.peek(1).u.i, d = b.u.i;
    I.peek(1).u.i = (a == INT64_MIN && d == -1) ? INT64_MIN : a / d;
    I.stk.pop_back();
}

void do_rem(Interp& I) {
    I.need(2, "rem");
    if (float_pair(I)) return replace_two_by_float(I, std::fmod(I.peek(1).as_double(), I.peek(0).as_double()));
    two_integers(I, "rem");
    int64_t a = I.peek(1).u.i, d = I.peek(0).u.i;
    if (d == 0) I.type_error("non-zero operand", "rem");
    I.peek(1).u.i = d == -1 ? 0 : a % d;
    I.stk.pop_back();
}

void do_div(Interp& I) {  // I J -> K L  (quotient, remainder)
    I.need(2, "div");
    two_integers(I, "div");
    int64_t a = I.peek(1).u.i, b = I.peek(0).u.i;
    if (b == 0) I.type_error("non-zero operand", "div");
    I.peek(1).u.i = (a == INT64_MIN && b == -1) ? INT64_MIN : a / b;
    I.peek(0).u.i = b == -1 ? 0 : a % b;
}

// Words of one number take an integer or a float (not a char).
void float_arg(Interp& I, const char* word) {
    I.need(1, word);
    if (!floatable(I.top())) I.type_error("float or integer", word);
}

void do_neg(Interp& I) {
    float_arg(I, "neg");
    Value& a = I.top();
    if (a.tag == T_FLOAT) a.u.f = -a.u.f;
    else a.u.i = wrap_sub(0, a.u.i);
}

void do_abs(Interp& I) {
    float_arg(I, "abs");
    Value& a = I.top();
    if (a.tag == T_FLOAT) a.u.f = std::fabs(a.u.f);
    else if (a.u.i < 0) a.u.i = wrap_sub(0, a.u.i);
}

void do_sign(Interp& I) {
    float_arg(I, "sign");
    Value& a = I.top();
    if (a.tag == T_FLOAT) a.u.f = a.u.f > 0 ? 1.0 : a.u.f < 0 ? -1.0 : 0.0;
    else a.u.i = a.u.i > 0 ? 1 : a.u.i < 0 ? -1 : 0;
}

void succ_pred(Interp& I, int64_t d, const char* word) {
    I.need(1, word);
    Value& a = I.top();
    if (!integral(a)) I.type_error("numeric", word);
    set_int_result(a, wrap_add(a.u.i, d));
}
void do_succ(Interp& I) { succ_pred(I, 1, "succ"); }
void do_pred(Interp& I) {
    size_t n = I.stk.size();
    if (n >= 1 && n - 1 >= I.guard && I.stk[n - 1].tag == T_INT) {
        I.stk[n - 1].u.i = wrap_sub(I.stk[n - 1].u.i, 1);
        return;
    }
    succ_pred(I, -1, "pred");
}

// max / min: a float and an integer compare as floats (the result is a
// float); otherwise two integers or two chars.
void minmax(Interp& I, bool want_max, const char* word) {
    I.need(2, word);
    Value& a = I.peek(1);
    Value& b = I.peek(0);
    if (float_pair(I)) {
        double x = a.as_double(), y = b.as_double();
        return replace_two_by_float(I, (want_max ? y > x : y < x) ? y : x);
    }
    if (a.tag != b.tag) I.type_error("two parameters of the same type", word);
    if (!integral(b)) I.type_error("numeric", word);
    if (want_max ? b.u.i > a.u.i : b.u.i < a.u.i) a = std::move(b);
    I.stk.pop_back();
}
void do_max(Interp& I) { minmax(I, true, "max"); }
void do_min(Interp& I) { minmax(I, false, "min"); }

// ---- floats ----

template <double (*F)(double)>
void math1(Interp& I, const char* word) {
    float_arg(I, word);
    double d = I.top().as_double();
    I.top() = Value::flt(F(d));
}
#define MATH1(name, fn) \
    double f_##name(double d) { return fn(d); } \
    void do_##name(Interp& I) { math1<f_##name>(I, #name); }
MATH1(acos, std::acos)
MATH1(asin, std::asin)
MATH1(atan, std::atan)
MATH1(ceil, std::ceil)
MATH1(cos, std::cos)
MATH1(cosh, std::cosh)
MATH1(exp, std::exp)
MATH1(floor, std::floor)
MATH1(log, std::log)
MATH1(log10, std::log10)
MATH1(sin, std::sin)
MATH1(sinh, std::sinh)
MATH1(sqrt, std::sqrt)
MATH1(tan, std::tan)
MATH1(tanh, std::tanh)
#undef MATH1

void do_round(Interp& I) {
    float_arg(I, "round");
    double d = I.top().as_double();
    I.top() = Value::flt(std::round(d));
}

void do_trunc(Interp& I) {
    float_arg(I, "trunc");
    double d = std::trunc(I.top().as_double());
    if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)) I.type_error("float within integer range", "trunc");
    I.top() = Value::integer(int64_t(d));
}

void math2(Interp& I, double (*f)(double, double), const char* word) {
    I.need(2, word);
    if (!floatable(I.peek(0)) || !floatable(I.peek(1))) I.type_error("two floats or integers", word);
    double b = I.pop().as_double();
    double a = I.top().as_double();
    I.top() = Value::flt(f(a, b));
}
void do_atan2(Interp& I) { math2(I, [](double a, double b) { return std::atan2(a, b); }, "atan2"); }
void do_pow(Interp& I) { math2(I, [](double a, double b) { return std::pow(a, b); }, "pow"); }

void do_frexp(Interp& I) {  // F -> G I
    float_arg(I, "frexp");
    int e = 0;
    double m = std::frexp(I.top().as_double(), &e);
    I.top() = Value::flt(m);
    I.push(Value::integer(e));
}

void do_ldexp(Interp& I) {  // F I -> G
    I.need(2, "ldexp");
    if (I.top().tag != T_INT) I.type_error("integer", "ldexp");
    if (!floatable(I.peek(1))) I.type_error("float or integer", "ldexp");
    int64_t e = I.pop().u.i;
    if (e > 100000) e = 100000;
    if (e < -100000) e = -100000;
    I.top() = Value::flt(std::ldexp(I.top().as_double(), int(e)));
}

void do_modf(Interp& I) {  // F -> G H
    float_arg(I, "modf");
    double ip = 0;
    double fp = std::modf(I.top().as_double(), &ip);
    I.top() = Value::flt(fp);
    I.push(Value::flt(ip));
}

void do_maxint(Interp& I) { I.push(Value::integer(INT64_MAX)); }

const Builtin table[] = {
    {"+", do_plus, "M I -> N"},
    {"-", do_minus, "M I -> N"},
    {"*", do_mul, "I J -> K"},
    {"/", do_divide, "I J -> K"},
    {"rem", do_rem, "I J -> K"},
    {"div", do_div, "I J -> K L"},
    {"neg", do_neg, "I -> J"},
    {"abs", do_abs, "N1 -> N2"},
    {"sign", do_sign, "N1 -> N2"},
    {"succ", do_succ, "M -> N"},
    {"pred", do_pred, "M -> N"},
    {"max", do_max, "N1 N2 -> N"},
    {"min", do_min, "N1 N2 -> N"},
    {"acos", do_acos, "F -> G"},
    {"asin", do_asin, "F -> G"},
    {"atan", do_atan, "F -> G"},
    {"atan2", do_atan2, "F G -> H"},
    {"ceil", do_ceil, "F -> G"},
    {"cos", do_cos, "F -> G"},
    {"cosh", do_cosh, "F -> G"},
    {"exp", do_exp, "F -> G"},
    {"floor", do_floor, "F -> G"},
    {"frexp", do_frexp, "F -> G I"},
    {"ldexp", do_ldexp, "F I -> G"},
    {"log", do_log, "F -> G"},
    {"log10", do_log10, "F -> G"},
    {"modf", do_modf, "F -> G H"},
    {"pow", do_pow, "F G -> H"},
    {"round", do_round, "F -> G"},
    {"sin", do_sin, "F -> G"},
    {"sinh", do_sinh, "F -> G"},
    {"sqrt", do_sqrt, "F -> G"},
    {"tan", do_tan, "F -> G"},
    {"tanh", do_tanh, "F -> G"},
    {"trunc", do_trunc, "F -> I"},
    {"maxint", do_maxint, "-> maxint"},
};

}  // namespace

BuiltinTable arith_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
