// builtins_arith.cpp - numbers: integer and float arithmetic, comparison,
// the math library. Integer arithmetic wraps around (two's complement) as
// Joy1's does on 64-bit machines, without undefined behaviour.
#include <cmath>
#include <cstring>

#include "interp.h"

namespace joy {
namespace {

bool numeric(const Value& v) { return v.tag == T_INT || v.tag == T_CHAR || v.tag == T_FLOAT; }
bool integral(const Value& v) { return v.tag == T_INT || v.tag == T_CHAR; }

void two_numeric(Interp& I, const char* word) {
    I.need(2, word);
    if (!numeric(I.peek(0)) || !numeric(I.peek(1))) I.type_error("two numeric parameters", word);
}
void two_integers(Interp& I, const char* word) {
    I.need(2, word);
    if (!integral(I.peek(0)) || !integral(I.peek(1))) I.type_error("two integers", word);
}

int64_t wrap_add(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }
int64_t wrap_sub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
int64_t wrap_mul(int64_t a, int64_t b) { return int64_t(uint64_t(a) * uint64_t(b)); }

// Result of an integer operation keeps the first operand's type (a char
// plus an integer is a char), as in Joy1.
void set_int_result(Value& dst, int64_t r) {
    if (dst.tag == T_CHAR) dst.u.i = r & 0xff;
    else { dst.tag = T_INT; dst.u.i = r; }
}

template <int64_t (*IOp)(int64_t, int64_t), double (*FOp)(double, double)>
void arith2(Interp& I, const char* word) {
    two_numeric(I, word);
    Value& a = I.peek(1);
    const Value& b = I.peek(0);
    if (a.tag == T_FLOAT || b.tag == T_FLOAT) {
        double r = FOp(a.as_double(), b.as_double());
        a.tag = T_FLOAT;
        a.u.f = r;
    } else {
        set_int_result(a, IOp(a.u.i, b.u.i));
    }
    I.stk.pop_back();
}
double fadd(double a, double b) { return a + b; }
double fsub(double a, double b) { return a - b; }
double fmul(double a, double b) { return a * b; }
void do_plus(Interp& I) {
    // Fast path: two integers (the common case in loops).
    size_t n = I.stk.size();
    if (n >= 2 && n - 2 >= I.guard && I.stk[n - 1].tag == T_INT && I.stk[n - 2].tag == T_INT) {
        I.stk[n - 2].u.i = wrap_add(I.stk[n - 2].u.i, I.stk[n - 1].u.i);
        I.stk.pop_back();
        return;
    }
    arith2<wrap_add, fadd>(I, "+");
}
void do_minus(Interp& I) {
    size_t n = I.stk.size();
    if (n >= 2 && n - 2 >= I.guard && I.stk[n - 1].tag == T_INT && I.stk[n - 2].tag == T_INT) {
        I.stk[n - 2].u.i = wrap_sub(I.stk[n - 2].u.i, I.stk[n - 1].u.i);
        I.stk.pop_back();
        return;
    }
    arith2<wrap_sub, fsub>(I, "-");
}
void do_mul(Interp& I) { arith2<wrap_mul, fmul>(I, "*"); }

void do_divide(Interp& I) {
    two_numeric(I, "/");
    Value& a = I.peek(1);
    const Value& b = I.peek(0);
    if (a.tag == T_FLOAT || b.tag == T_FLOAT) {
        double r = a.as_double() / b.as_double();
        a.tag = T_FLOAT;
        a.u.f = r;
    } else {
        if (b.u.i == 0) I.error("division by zero");
        int64_t r = (a.u.i == INT64_MIN && b.u.i == -1) ? INT64_MIN : a.u.i / b.u.i;
        set_int_result(a, r);
    }
    I.stk.pop_back();
}

void do_rem(Interp& I) {
    two_numeric(I, "rem");
    Value& a = I.peek(1);
    const Value& b = I.peek(0);
    if (a.tag == T_FLOAT || b.tag == T_FLOAT) {
        double r = std::fmod(a.as_double(), b.as_double());
        a.tag = T_FLOAT;
        a.u.f = r;
    } else {
        if (b.u.i == 0) I.error("division by zero");
        int64_t r = b.u.i == -1 ? 0 : a.u.i % b.u.i;
        set_int_result(a, r);
    }
    I.stk.pop_back();
}

void do_div(Interp& I) {  // I J -> K L  (quotient, remainder)
    two_integers(I, "div");
    int64_t a = I.peek(1).u.i, b = I.peek(0).u.i;
    if (b == 0) I.error("division by zero");
    int64_t q = (a == INT64_MIN && b == -1) ? INT64_MIN : a / b;
    int64_t r = b == -1 ? 0 : a % b;
    I.peek(1) = Value::integer(q);
    I.peek(0) = Value::integer(r);
}

void one_numeric(Interp& I, const char* word) {
    I.need(1, word);
    if (!numeric(I.top())) I.type_error("numeric", word);
}

void do_neg(Interp& I) {
    one_numeric(I, "neg");
    Value& a = I.top();
    if (a.tag == T_FLOAT) a.u.f = -a.u.f;
    else set_int_result(a, wrap_sub(0, a.u.i));
}

void do_abs(Interp& I) {
    one_numeric(I, "abs");
    Value& a = I.top();
    if (a.tag == T_FLOAT) a.u.f = std::fabs(a.u.f);
    else if (a.u.i < 0) set_int_result(a, wrap_sub(0, a.u.i));
}

void do_sign(Interp& I) {
    one_numeric(I, "sign");
    Value& a = I.top();
    if (a.tag == T_FLOAT) a.u.f = a.u.f > 0 ? 1.0 : a.u.f < 0 ? -1.0 : 0.0;
    else set_int_result(a, a.u.i > 0 ? 1 : a.u.i < 0 ? -1 : 0);
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

void minmax(Interp& I, bool want_max, const char* word) {
    two_numeric(I, word);
    Value& a = I.peek(1);
    Value& b = I.peek(0);
    bool b_wins;
    if (a.tag == T_FLOAT || b.tag == T_FLOAT) {
        double x = a.as_double(), y = b.as_double();
        b_wins = want_max ? y > x : y < x;
        if (b_wins) a = std::move(b);
        // mixed types: the result is a float, as Joy1 computes in floats
        if (a.tag != T_FLOAT) { double d = a.as_double(); a = Value::flt(d); }
    } else {
        b_wins = want_max ? b.u.i > a.u.i : b.u.i < a.u.i;
        if (b_wins) a = std::move(b);
    }
    I.stk.pop_back();
}
void do_max(Interp& I) { minmax(I, true, "max"); }
void do_min(Interp& I) { minmax(I, false, "min"); }

// ---- floats ----

void float_arg(Interp& I, const char* word) {
    I.need(1, word);
    if (!numeric(I.top())) I.type_error("float or integer", word);
}

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
    if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)) I.error("trunc: value out of integer range");
    I.top() = Value::integer(int64_t(d));
}

void math2(Interp& I, double (*f)(double, double), const char* word) {
    I.need(2, word);
    if (!numeric(I.peek(0)) || !numeric(I.peek(1))) I.type_error("two floats or integers", word);
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
    if (I.top().tag != T_INT) I.type_error("integer as second parameter", "ldexp");
    if (!numeric(I.peek(1))) I.type_error("float as first parameter", "ldexp");
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
