// builtins_numeric.cpp - list numerics (vsum, v+, dot ...) and the
// parallel-capable combinators pmap, pfilter, preduce, pfork.
//
// A result is an integer when every number it comes from is an integer,
// a float otherwise (vmean and vnorm are always floats). Integer arithmetic
// wraps around like + and *, computed unsigned to stay defined.
//
// The p* words run sequentially: values are reference-counted without
// atomics, so running quotations on other threads would need deep copies
// of everything they touch. Their results are those of map, filter, a
// pairwise tree reduction and cleave, which a parallel version would keep.
#include <cmath>
#include <cstring>
#include <string>

#include "collections.h"
#include "interp.h"

namespace joy {
namespace {

// ---- checking ----

const Value& number_at(Interp& I, Cell* c, size_t index, const char* word) {
    const Value& v = head(c);
    if (v.tag != T_INT && v.tag != T_FLOAT)
        I.error(std::string("list of numbers needed for ") + word + " (element " + std::to_string(index + 1) +
                " is a " + type_name(v.tag) + ")");
    return v;
}

void check_list(Interp& I, size_t k, const char* word) {
    if (I.peek(k).tag != T_LIST) {
        static const char* what[] = {"list of numbers as top parameter", "list of numbers as second parameter"};
        I.type_error(what[k], word);
    }
}

// ---- arithmetic that keeps integers integers ----

int64_t wrap_add(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }
int64_t wrap_sub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
int64_t wrap_mul(int64_t a, int64_t b) { return int64_t(uint64_t(a) * uint64_t(b)); }

enum Op { ADD, SUB, MUL };

Value combine(Op op, const Value& a, const Value& b) {
    if (a.tag == T_INT && b.tag == T_INT) {
        switch (op) {
        case ADD: return Value::integer(wrap_add(a.u.i, b.u.i));
        case SUB: return Value::integer(wrap_sub(a.u.i, b.u.i));
        default: return Value::integer(wrap_mul(a.u.i, b.u.i));
        }
    }
    double x = a.as_double(), y = b.as_double();
    return Value::flt(op == ADD ? x + y : op == SUB ? x - y : x * y);
}

// Folds numbers with + or *: an integer until the first float.
struct Accumulator {
    Op op;
    Value acc;
    void add(const Value& v) { acc = combine(op, acc, v); }
};

Value fold_list(Interp& I, Cell* c, Op op, int64_t start, const char* word) {
    Accumulator a{op, Value::integer(start)};
    for (size_t k = 0; c; c = tail(c), ++k) a.add(number_at(I, c, k, word));
    return a.acc;
}

void do_vsum(Interp& I) {
    I.need(1, "vsum");
    check_list(I, 0, "vsum");
    I.top() = fold_list(I, I.top().u.list, ADD, 0, "vsum");
}

void do_vprod(Interp& I) {
    I.need(1, "vprod");
    check_list(I, 0, "vprod");
    I.top() = fold_list(I, I.top().u.list, MUL, 1, "vprod");
}

void do_vmean(Interp& I) {
    I.need(1, "vmean");
    check_list(I, 0, "vmean");
    if (!I.top().u.list) I.type_error("non-empty list", "vmean");
    double sum = 0;
    size_t k = 0;
    for (Cell* c = I.top().u.list; c; c = tail(c), ++k) sum += number_at(I, c, k, "vmean").as_double();
    I.top() = Value::flt(sum / double(k));
}

// vmin / vmax: the extreme element; a float if any element is a float.
void extreme(Interp& I, bool want_max, const char* word) {
    I.need(1, word);
    check_list(I, 0, word);
    Cell* c = I.top().u.list;
    if (!c) I.type_error("non-empty list", word);
    Value best = number_at(I, c, 0, word);
    bool any_float = best.tag == T_FLOAT;
    size_t k = 1;
    for (c = tail(c); c; c = tail(c), ++k) {
        const Value& v = number_at(I, c, k, word);
        any_float |= v.tag == T_FLOAT;
        bool better = v.tag == T_INT && best.tag == T_INT ? (want_max ? v.u.i > best.u.i : v.u.i < best.u.i)
                                                          : (want_max ? v.as_double() > best.as_double()
                                                                      : v.as_double() < best.as_double());
        if (better) best = v;
    }
    I.top() = any_float ? Value::flt(best.as_double()) : best;
}
void do_vmin(Interp& I) { extreme(I, false, "vmin"); }
void do_vmax(Interp& I) { extreme(I, true, "vmax"); }

// A list of `count` cells must fit the memory budget; say so before
// building it rather than part-way.
void check_fits(Interp& I, uint64_t count, const char* word) {
    int64_t room = tl_pool.limit - tl_pool.bytes;
    if (tl_pool.limit != INT64_MAX && count > uint64_t(room < 0 ? 0 : room) / sizeof(Cell))
        I.error(std::string("memory limit exceeded (") + word + " of " + std::to_string(count) + " elements)");
}

void do_vrange(Interp& I) {  // A B -> [A A+1 .. B]
    I.need(2, "vrange");
    if (I.peek(0).tag != T_INT || I.peek(1).tag != T_INT) I.type_error("two integers", "vrange");
    int64_t a = I.peek(1).u.i, b = I.peek(0).u.i;
    ListBuilder out;
    if (a <= b) {
        uint64_t span = uint64_t(b) - uint64_t(a);
        check_fits(I, span == UINT64_MAX ? span : span + 1, "vrange");
        for (int64_t k = a;; ++k) {
            out.push(Value::integer(k));
            if (k == b) break;
        }
    }
    I.stk.pop_back();
    I.top() = out.take();
}

void repeated(Interp& I, const Value& v, const char* word) {
    I.need(1, word);
    if (I.top().tag != T_INT || I.top().u.i < 0) I.type_error("non-negative integer", word);
    int64_t n = I.top().u.i;
    check_fits(I, uint64_t(n), word);
    ListBuilder out;
    for (int64_t k = 0; k < n; ++k) out.push(v);
    I.top() = out.take();
}
void do_vzeros(Interp& I) { repeated(I, Value::integer(0), "vzeros"); }
void do_vones(Interp& I) { repeated(I, Value::integer(1), "vones"); }

// Two lists of numbers of the same length, as a vector of cell pairs.
std::vector<std::pair<Cell*, Cell*>> pairwise(Interp& I, const char* word) {
    I.need(2, word);
    check_list(I, 1, word);
    check_list(I, 0, word);
    std::vector<std::pair<Cell*, Cell*>> pairs;
    Cell* a = I.peek(1).u.list;
    Cell* b = I.peek(0).u.list;
    size_t k = 0;
    for (; a && b; a = tail(a), b = tail(b), ++k) {
        number_at(I, a, k, word);
        number_at(I, b, k, word);
        pairs.emplace_back(a, b);
    }
    if (a || b) {
        size_t la = k + list_length(a), lb = k + list_length(b);
        I.error(std::string("lists of equal length needed for ") + word + " (" + std::to_string(la) + " and " +
                std::to_string(lb) + " elements)");
    }
    return pairs;
}

void elementwise(Interp& I, Op op, const char* word) {
    auto pairs = pairwise(I, word);
    ListBuilder out;
    for (auto [a, b] : pairs) out.push(combine(op, head(a), head(b)));
    I.stk.pop_back();
    I.top() = out.take();
}
void do_vadd(Interp& I) { elementwise(I, ADD, "v+"); }
void do_vsub(Interp& I) { elementwise(I, SUB, "v-"); }
void do_vmul(Interp& I) { elementwise(I, MUL, "v*"); }

void do_vscale(Interp& I) {  // V S -> V*S
    I.need(2, "vscale");
    check_list(I, 1, "vscale");
    if (I.top().tag != T_INT && I.top().tag != T_FLOAT) I.type_error("number as top parameter", "vscale");
    const Value& s = I.top();
    ListBuilder out;
    size_t k = 0;
    for (Cell* c = I.peek(1).u.list; c; c = tail(c), ++k) out.push(combine(MUL, number_at(I, c, k, "vscale"), s));
    I.stk.pop_back();
    I.top() = out.take();
}

void do_dot(Interp& I) {  // V W -> sum of products
    auto pairs = pairwise(I, "dot");
    Accumulator sum{ADD, Value::integer(0)};
    for (auto [a, b] : pairs) sum.add(combine(MUL, head(a), head(b)));
    I.stk.pop_back();
    I.top() = sum.acc;
}

void do_vnorm(Interp& I) {  // V -> Euclidean length (float)
    I.need(1, "vnorm");
    check_list(I, 0, "vnorm");
    double sum = 0;
    size_t k = 0;
    for (Cell* c = I.top().u.list; c; c = tail(c), ++k) {
        double x = number_at(I, c, k, "vnorm").as_double();
        sum += x * x;
    }
    I.top() = Value::flt(std::sqrt(sum));
}

// ---- pmap pfilter preduce pfork ----

const Builtin* builtin_named(const char* name) {
    for (const Builtin* b : Interp::builtin_table())
        if (std::strcmp(b->name, name) == 0) return b;
    return nullptr;
}

// The checks of A [P] with this word's name, then the sequential word.
void delegate_each(Interp& I, const char* word, const char* sequential) {
    I.need(2, word);
    if (I.top().tag != T_LIST) I.type_error("quotation as top parameter", word);
    Tag t = I.peek(1).tag;
    if (t != T_LIST && t != T_STRING && t != T_SET && t != T_DICT) I.type_error("aggregate as second parameter", word);
    builtin_named(sequential)->fn(I);
}
void do_pmap(Interp& I) { delegate_each(I, "pmap", "map"); }
void do_pfilter(Interp& I) {
    if (I.depth() >= 2 && I.peek(1).tag == T_HANDLE) return plist_filter(I);  // a plist, read in batches
    delegate_each(I, "pfilter", "filter");
}

void do_pfork(Interp& I) {  // X [P] [Q] -> R1 R2
    I.need(3, "pfork");
    if (I.peek(0).tag != T_LIST) I.type_error("quotation as top parameter", "pfork");
    if (I.peek(1).tag != T_LIST) I.type_error("quotation as second parameter", "pfork");
    builtin_named("cleave")->fn(I);
}

// preduce: [X1 .. Xn] [P] -> R. Each level combines neighbours pairwise
// with P (X1 X2 P, X3 X4 P, ...; an odd last element moves up as it is)
// until one value is left. Each P runs like map's: on the stack as it is,
// its result taken from the top, the stack restored after.
// Frame: q = P, x = the level being reduced (pc its next pair), y = the
// next level being built (last its end).
void append_next(Frame& f, Value v) {
    Cell* c = cons_cell(std::move(v), nullptr);
    if (f.last) f.last->tail_ = c; else f.y = Value::adopt_list(c);
    f.last = c;
}

void preduce_step(Interp& I, Frame& f) {
    if (f.testing) append_next(f, I.end_test(f));
    for (;;) {
        if (!f.pc) {  // level done
            Cell* next = f.y.u.list;
            if (!tail(next)) {
                Value r = head(next);
                I.fr.pop_back();
                I.push(std::move(r));
                return;
            }
            f.x = std::move(f.y);
            f.y = Value();
            f.last = nullptr;
            f.pc = f.x.u.list;
        }
        Cell* a = f.pc;
        Cell* b = tail(a);
        if (!b) {
            append_next(f, head(a));
            f.pc = nullptr;
            continue;
        }
        f.pc = tail(b);
        I.begin_test(f);
        I.push(head(a));
        I.push(head(b));
        Cell* p = f.q.u.list;  // kept alive by the frame
        Frame& g = I.push_frame(F_PROG);
        g.pc = p;
        return;
    }
}

void do_preduce(Interp& I) {
    I.need(2, "preduce");
    if (I.peek(0).tag != T_LIST) I.type_error("quotation as top parameter", "preduce");
    if (I.peek(1).tag != T_LIST || !I.peek(1).u.list) I.type_error("non-empty list as second parameter", "preduce");
    Value p = I.pop();
    Value l = I.pop();
    if (!tail(l.u.list)) {
        I.push(head(l.u.list));
        return;
    }
    Frame& f = I.push_frame(F_NATIVE);
    f.native = preduce_step;
    f.q = std::move(p);
    f.x = std::move(l);
    f.pc = f.x.u.list;
}

const Builtin table[] = {
    {"vsum", do_vsum, "[N ...] -> N"},
    {"vprod", do_vprod, "[N ...] -> N"},
    {"vmean", do_vmean, "[N ...] -> F"},
    {"vmin", do_vmin, "[N ...] -> N"},
    {"vmax", do_vmax, "[N ...] -> N"},
    {"vrange", do_vrange, "A B -> [A .. B]"},
    {"vzeros", do_vzeros, "N -> [0 ...]"},
    {"vones", do_vones, "N -> [1 ...]"},
    {"v+", do_vadd, "V W -> V+W"},
    {"v-", do_vsub, "V W -> V-W"},
    {"v*", do_vmul, "V W -> V*W"},
    {"vscale", do_vscale, "V S -> V*S"},
    {"dot", do_dot, "V W -> N"},
    {"vnorm", do_vnorm, "V -> F"},
    {"pmap", do_pmap, "A [P] -> B"},
    {"pfilter", do_pfilter, "A [B] -> A1"},
    {"preduce", do_preduce, "[X ...] [P] -> R"},
    {"pfork", do_pfork, "X [P] [Q] -> R1 R2"},
};
}  // namespace

BuiltinTable numeric_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
