// combinators.cpp - Joy's combinators as frames of the trampoline.
//
// Each combinator pops its quotations, pushes a frame recording what is
// left to do, and returns; Interp::resume() is called with that frame
// whenever the quotation it started has finished. Tests (the B of ifte,
// while, linrec, filter ...) run between begin_test() and end_test(), which
// hand back the test's result and the stack as it was.
#include <cstring>

#include "dict.h"
#include "interp.h"
#include "printer.h"

namespace joy {

namespace {

const char* ordinal(int k) {
    static const char* names[] = {"top", "second", "third", "fourth", "fifth"};
    return names[k];
}

// The value `k` below the top must be a quotation.
void check_quote(Interp& I, int k, const char* word) {
    if (I.peek(k).tag != T_LIST) {
        std::string what = std::string("quotation as ") + ordinal(k) + " parameter";
        I.type_error(what.c_str(), word);
    }
}

void become_prog(Frame& f, Cell* pc) {
    // f.q (or x/y/z) keeps the list alive; only the cursor changes.
    f.kind = F_PROG;
    f.pc = pc;
}

Value list_of(std::initializer_list<Value> vs) {
    ListBuilder b;
    for (const Value& v : vs) b.push(v);
    return b.take();
}

const Value& nth(const Value& list, int k) {
    Cell* c = list.u.list;
    while (k--) c = tail(c);
    return head(c);
}

// The value a test or a nullary-like quotation leaves on top; Joy1's error
// when the quotation emptied the stack.
Value test_result(Interp& I, Frame& f, const char* word, const char* what = "value to push") {
    if (I.stk.empty()) I.type_error(what, word);
    return I.end_test(f);
}

// The list of clauses of cond, case, condlinrec and condnestrec.
void check_clauses(Interp& I, const char* word) {
    if (I.top().tag != T_LIST) I.type_error("list", word);
    if (!I.top().u.list) I.type_error("non-empty list", word);
}

// ---- iterating aggregates: list, string, set, dict ----

bool is_iterable(const Value& v) {
    return v.tag == T_LIST || v.tag == T_STRING || v.tag == T_SET || v.tag == T_DICT;
}

// For a list, f.x itself moves along, so the cells already visited are
// freed as the walk goes (a recalled million-element list is walked in
// constant memory).
void start_iter(Frame& f, Value agg) {
    f.x = std::move(agg);
    f.n = 0;
}

// The next element of f.x, or false at the end.
bool next_elem(Frame& f, Value& out) {
    switch (f.x.tag) {
    case T_LIST: {
        Cell* c = f.x.u.list;
        if (!c) return false;
        out = head(c);
        f.x = Value::adopt_list(retain_cell(tail(c)));
        return true;
    }
    case T_STRING:
        if (uint64_t(f.n) >= f.x.u.str->len) return false;
        out = Value::chr((unsigned char)f.x.u.str->data[f.n++]);
        return true;
    case T_SET:
        while (f.n < 64 && !(f.x.u.set >> f.n & 1)) ++f.n;
        if (f.n >= 64) return false;
        out = Value::integer(f.n++);
        return true;
    case T_DICT: {
        const Dict* d = f.x.u.dict;
        while (size_t(f.n) < d->entries.size() && d->entries[f.n].key.tag != T_STRING) ++f.n;
        if (size_t(f.n) >= d->entries.size()) return false;
        out = d->entries[f.n++].val;
        return true;
    }
    default:
        return false;
    }
}

bool iter_done(Frame& f) {
    switch (f.x.tag) {
    case T_LIST: return f.x.u.list == nullptr;
    case T_STRING: return uint64_t(f.n) >= f.x.u.str->len;
    case T_SET: return (f.n >= 64) || (f.x.u.set >> f.n) == 0;
    case T_DICT: {
        const Dict* d = f.x.u.dict;
        size_t k = size_t(f.n);
        while (k < d->entries.size() && d->entries[k].key.tag != T_STRING) ++k;
        return k >= d->entries.size();
    }
    default: return true;
    }
}

void append(Frame& f, Value v) {
    Cell* c = cons_cell(std::move(v), nullptr);
    if (f.last) f.last->tail_ = c; else f.y = Value::adopt_list(c);
    f.last = c;
}

// Turn collected elements into an aggregate of the same type as `like`.
Value rebuild(Interp& I, const Value& like, Value elems, const char* word) {
    switch (like.tag) {
    case T_STRING: {
        std::string s;
        for (Cell* c = elems.u.list; c; c = tail(c)) {
            const Value& e = head(c);
            if (e.tag != T_CHAR && e.tag != T_INT) I.type_error("character", word);
            s += char(e.u.i);
        }
        return make_string(s);
    }
    case T_SET: {
        uint64_t s = 0;
        for (Cell* c = elems.u.list; c; c = tail(c)) {
            const Value& e = head(c);
            if ((e.tag != T_INT && e.tag != T_CHAR) || e.u.i < 0 || e.u.i >= 64) I.type_error("small numeric", word);
            s |= uint64_t(1) << e.u.i;
        }
        return Value::setv(s);
    }
    default:
        if (elems.tag == T_NIL) return Value::empty_list();
        return elems;
    }
}

Value pop_aggregate(Interp& I, const char* word, int k) {
    Value a = I.pop();
    if (!is_iterable(a)) {
        std::string what = std::string("aggregate as ") + ordinal(k) + " parameter";
        I.type_error(what.c_str(), word);
    }
    return a;
}

// ---- simple combinators ----

void do_i(Interp& I) {
    I.need(1, "i");
    check_quote(I, 0, "i");
    I.call(I.pop());
}

void do_x(Interp& I) {
    I.need_read(1, "x");
    check_quote(I, 0, "x");
    I.call(I.top());
}

void do_dip(Interp& I) {
    I.need(2, "dip");
    check_quote(I, 0, "dip");
    Value q = I.pop();
    Frame& f = I.push_frame(F_PUSH);
    f.x = I.pop();
    I.call(std::move(q));
}

// nullary / unary / binary / ternary: run P as a test, drop n, push result.
void start_nary(Interp& I, int n, const char* word) {
    I.need_read(size_t(n) + 1, word);
    check_quote(I, 0, word);
    Value q = I.pop();
    Frame& f = I.push_frame(F_NULLARY);
    f.n = n;
    f.q = q;
    I.begin_test(f);
    I.call(std::move(q));
}
void do_nullary(Interp& I) { I.need(1, "nullary"); start_nary(I, 0, "nullary"); }
const char* nary_word(const Frame& f) {
    static const char* names[] = {"nullary", "unary", "binary", "ternary"};
    // construct runs each of its quotations as a nullary frame without q
    if (f.q.tag == T_NIL) return "construct";
    return names[f.n];
}
void do_unary(Interp& I) { I.need(1, "unary"); start_nary(I, 1, "unary"); }
void do_binary(Interp& I) { I.need(1, "binary"); start_nary(I, 2, "binary"); }
void do_ternary(Interp& I) { I.need(1, "ternary"); start_nary(I, 3, "ternary"); }

void do_branch(Interp& I) {
    I.need(3, "branch");
    check_quote(I, 0, "branch");
    check_quote(I, 1, "branch");
    Value f = I.pop(), t = I.pop(), b = I.pop();
    I.call(I.truthy(b) ? std::move(t) : std::move(f));
}

void do_ifte(Interp& I) {
    I.need(3, "ifte");
    check_quote(I, 0, "ifte");
    check_quote(I, 1, "ifte");
    check_quote(I, 2, "ifte");
    Value e = I.pop(), t = I.pop(), b = I.pop();
    switch (I.quick_test(b, "ifte")) {
    case Interp::QUICK_TRUE: I.call(std::move(t)); return;
    case Interp::QUICK_FALSE: I.call(std::move(e)); return;
    case Interp::NOT_QUICK: break;
    }
    Frame& f = I.push_frame(F_IFTE);
    f.x = std::move(t);
    f.y = std::move(e);
    f.q = b;
    I.begin_test(f);
    I.call(std::move(b));
}

template <bool (*Pred)(const Value&)>
void if_type(Interp& I, const char* word) {
    I.need(3, word);
    check_quote(I, 0, word);
    check_quote(I, 1, word);
    Value e = I.pop(), t = I.pop();
    I.call(Pred(I.top()) ? std::move(t) : std::move(e));
}
bool is_int(const Value& v) { return v.tag == T_INT; }
bool is_char(const Value& v) { return v.tag == T_CHAR; }
bool is_bool(const Value& v) { return v.tag == T_BOOL; }
bool is_set(const Value& v) { return v.tag == T_SET; }
bool is_string(const Value& v) { return v.tag == T_STRING; }
bool is_list(const Value& v) { return v.tag == T_LIST; }
bool is_float(const Value& v) { return v.tag == T_FLOAT; }
bool is_file(const Value& v) { return v.tag == T_FILE; }
void do_ifinteger(Interp& I) { if_type<is_int>(I, "ifinteger"); }
void do_ifchar(Interp& I) { if_type<is_char>(I, "ifchar"); }
void do_iflogical(Interp& I) { if_type<is_bool>(I, "iflogical"); }
void do_ifset(Interp& I) { if_type<is_set>(I, "ifset"); }
void do_ifstring(Interp& I) { if_type<is_string>(I, "ifstring"); }
void do_iflist(Interp& I) { if_type<is_list>(I, "iflist"); }
void do_iffloat(Interp& I) { if_type<is_float>(I, "iffloat"); }
void do_iffile(Interp& I) { if_type<is_file>(I, "iffile"); }

void do_while(Interp& I) {
    I.need(2, "while");
    check_quote(I, 0, "while");
    check_quote(I, 1, "while");
    Value d = I.pop(), b = I.pop();
    Interp::Quick first = I.quick_test(b, "while");
    if (first == Interp::QUICK_FALSE) return;
    Frame& f = I.push_frame(first == Interp::QUICK_TRUE ? F_WHILE_BODY : F_WHILE_TEST);
    f.x = std::move(d);
    f.q = b;
    if (first == Interp::QUICK_TRUE) {
        Frame& g = I.push_frame(F_PROG);
        g.pc = I.fr[I.fr.size() - 2].x.u.list;
        return;
    }
    I.begin_test(f);
    I.call(std::move(b));
}

void do_times(Interp& I) {
    I.need(2, "times");
    check_quote(I, 0, "times");
    if (I.peek(1).tag != T_INT) I.type_error("integer as second parameter", "times");
    Value p = I.pop();
    int64_t n = I.pop().u.i;
    if (n <= 0) return;
    if (I.is_quick(p)) {
        for (int64_t k = 0; k < n; ++k) I.run_terms(p.u.list);
        return;
    }
    Frame& f = I.push_frame(F_TIMES);
    f.n = n;
    f.q = std::move(p);
}

// linrec / tailrec: one frame for the whole recursion; n counts the R2s
// still to run when the recursion bottoms out.

// After the test of the linrec / tailrec frame f: its base case, or R1
// and the next level.
void linrec_after_test(Interp& I, Frame& f, bool tail, bool yes) {
    if (yes) {
        if (tail || f.n == 0) { become_prog(f, f.x.u.list); return; }
        f.kind = F_LINREC_UNWIND;
        Cell* t = f.x.u.list;
        Frame& g = I.push_frame(F_PROG);
        g.pc = t;
        return;
    }
    if (!tail) ++f.n;
    f.kind = tail ? F_TAILREC_R1 : F_LINREC_R1;
    Cell* r1 = f.y.u.list;
    Frame& g = I.push_frame(F_PROG);
    g.pc = r1;
}

// The test of the linrec / tailrec frame at index fi: at once when it is
// quick, else in the frame.
void linrec_test(Interp& I, size_t fi, bool tail) {
    Interp::Quick q = I.quick_test(I.fr[fi].q, tail ? "tailrec" : "linrec");
    Frame& f = I.fr[fi];
    if (q != Interp::NOT_QUICK) {
        linrec_after_test(I, f, tail, q == Interp::QUICK_TRUE);
        return;
    }
    f.kind = tail ? F_TAILREC_TEST : F_LINREC_TEST;
    I.begin_test(f);
    Cell* p = f.q.u.list;
    Frame& g = I.push_frame(F_PROG);
    g.pc = p;
}
void start_linrec(Interp& I, bool tail, const char* word) {
    int nq = tail ? 3 : 4;
    I.need(size_t(nq), word);
    for (int k = 0; k < nq; ++k) check_quote(I, k, word);
    Frame& f = I.push_frame(tail ? F_TAILREC_TEST : F_LINREC_TEST);
    size_t fi = I.fr.size() - 1;
    if (!tail) f.z = I.pop();
    f.y = I.pop();
    f.x = I.pop();
    f.q = I.pop();
    linrec_test(I, fi, tail);
}
void do_linrec(Interp& I) { start_linrec(I, false, "linrec"); }
void do_tailrec(Interp& I) { start_linrec(I, true, "tailrec"); }

// binrec / genrec keep their four quotations as one list [P T R1 R2] in q,
// shared by the frames of every level.
Value pop_four(Interp& I, const char* word) {
    I.need(4, word);
    for (int k = 0; k < 4; ++k) check_quote(I, k, word);
    Value r2 = I.pop(), r1 = I.pop(), t = I.pop(), p = I.pop();
    return list_of({p, t, r1, r2});
}

void start_binrec_level(Interp& I, const Value& quads) {
    const Value& p = nth(quads, 0);
    switch (I.quick_test(p, "binrec")) {
    case Interp::QUICK_TRUE:
        if (Cell* t = nth(quads, 1).u.list) {
            Frame& g = I.push_frame(F_PROG);
            g.pc = t;
            g.q = quads;  // keeps T alive
        }
        return;
    case Interp::QUICK_FALSE: {
        Frame& f = I.push_frame(F_BINREC_R1);
        f.q = quads;
        Frame& g = I.push_frame(F_PROG);
        g.pc = nth(quads, 2).u.list;  // kept alive by the level frame's q
        return;
    }
    case Interp::NOT_QUICK:
        break;
    }
    Frame& f = I.push_frame(F_BINREC_TEST);
    f.q = quads;
    I.begin_test(f);
    Frame& g = I.push_frame(F_PROG);
    g.pc = p.u.list;  // kept alive by the level frame's q
}
void do_binrec(Interp& I) { start_binrec_level(I, pop_four(I, "binrec")); }

void start_genrec(Interp& I, const Value& quads) {
    Frame& f = I.push_frame(F_GENREC_TEST);
    f.q = quads;
    I.begin_test(f);
    Frame& g = I.push_frame(F_PROG);
    g.pc = nth(quads, 0).u.list;
}
void do_genrec(Interp& I) { start_genrec(I, pop_four(I, "genrec")); }

void do_primrec(Interp& I) {
    I.need(3, "primrec");
    check_quote(I, 0, "primrec");
    check_quote(I, 1, "primrec");
    Value c = I.pop(), init = I.pop(), x = I.pop();
    int64_t n = 0;
    switch (x.tag) {
    case T_INT:
        for (int64_t k = x.u.i; k > 0; --k, ++n) {
            I.push(Value::integer(k));
            I.charge(1);  // the count is the user's: limits must bound it
        }
        break;
    case T_LIST: case T_STRING: case T_SET: case T_DICT: {
        Frame tmp(F_PROG);
        start_iter(tmp, std::move(x));
        Value e;
        while (next_elem(tmp, e)) { I.push(std::move(e)); ++n; }
        break;
    }
    default:
        I.type_error("integer or aggregate as third parameter", "primrec");
    }
    Frame& f = I.push_frame(F_PRIMREC);
    f.n = n;
    f.q = std::move(c);
    I.call(std::move(init));
}

// cond: try each [[B] T...] clause in turn; the last clause is the default.
void start_cond_clause(Interp& I, Frame& f);
void do_cond(Interp& I) {
    I.need(1, "cond");
    check_clauses(I, "cond");
    Value clauses = I.pop();
    Frame& f = I.push_frame(F_COND_TEST);
    f.q = std::move(clauses);
    f.pc = f.q.u.list;
    start_cond_clause(I, f);
}
void start_cond_clause(Interp& I, Frame& f) {
    const Value& clause = head(f.pc);
    if (clause.tag != T_LIST) I.type_error("list of clauses", "cond");
    if (!tail(f.pc)) {  // default: run it as a program (may be empty)
        become_prog(f, clause.u.list);
        return;
    }
    if (!clause.u.list) I.type_error("list of clauses", "cond");
    const Value& b = head(clause.u.list);
    if (b.tag != T_LIST) I.type_error("quotation as condition", "cond");
    I.begin_test(f);
    Frame& g = I.push_frame(F_PROG);
    g.pc = b.u.list;
}

// condlinrec / condnestrec: clauses [[B] [R1] [R2] ...], default [[R1] ...];
// run R1, recurse, R2, recurse, ... Rn.
void start_condlin(Interp& I, Frame& f);
void start_condnest(Interp& I, const char* word) {
    I.need(1, word);
    check_clauses(I, word);
    Value clauses = I.pop();
    Frame& f = I.push_frame(F_CONDLIN_TEST);
    f.n = std::strcmp(word, "condnestrec") == 0;
    f.q = std::move(clauses);
    f.pc = f.q.u.list;
    start_condlin(I, f);
}
void do_condlinrec(Interp& I) { start_condnest(I, "condlinrec"); }
void do_condnestrec(Interp& I) { start_condnest(I, "condnestrec"); }
void choose_condlin(Frame& f, Cell* rs) {
    f.x = Value::adopt_list(retain_cell(rs));
    f.pc = rs;
    f.kind = F_CONDLIN_R2;
}
const char* condlin_word(const Frame& f) { return f.n ? "condnestrec" : "condlinrec"; }
void start_condlin(Interp& I, Frame& f) {
    const Value& clause = head(f.pc);
    if (clause.tag != T_LIST || !clause.u.list) I.type_error("list of clauses", condlin_word(f));
    if (!tail(f.pc)) {
        choose_condlin(f, clause.u.list);
        return;
    }
    const Value& b = head(clause.u.list);
    if (b.tag != T_LIST) I.type_error("quotation as condition", condlin_word(f));
    I.begin_test(f);
    Frame& g = I.push_frame(F_PROG);
    g.pc = b.u.list;
}

void do_step(Interp& I) {
    I.need(2, "step");
    check_quote(I, 0, "step");
    Value p = I.pop();
    Value a = pop_aggregate(I, "step", 1);
    Frame& f = I.push_frame(F_STEP);
    f.q = std::move(p);
    start_iter(f, std::move(a));
}

void do_fold(Interp& I) {
    I.need(3, "fold");
    check_quote(I, 0, "fold");
    Value p = I.pop();
    Value v0 = I.pop();
    Value a = pop_aggregate(I, "fold", 2);
    I.push(std::move(v0));
    Frame& f = I.push_frame(F_STEP);
    f.q = std::move(p);
    start_iter(f, std::move(a));
}

// map / filter / split / some / all share one shape: a test per element.
void start_each(Interp& I, FrameKind k, const char* word) {
    I.need(2, word);
    check_quote(I, 0, word);
    Value p = I.pop();
    Value a = pop_aggregate(I, word, 1);
    Frame& f = I.push_frame(k);
    f.q = std::move(p);
    start_iter(f, std::move(a));
}
void do_map(Interp& I) { start_each(I, F_MAP, "map"); }
void do_filter(Interp& I) { start_each(I, F_FILTER, "filter"); }
void do_split(Interp& I) { start_each(I, F_SPLIT, "split"); }
void do_some(Interp& I) { start_each(I, F_SOME, "some"); }
void do_all(Interp& I) { start_each(I, F_ALL, "all"); }

void do_infra(Interp& I) {
    I.need(2, "infra");
    check_quote(I, 0, "infra");
    if (I.peek(1).tag != T_LIST) I.type_error("list as second parameter", "infra");
    Value p = I.pop();
    Value l = I.pop();
    I.need(I.depth(), "infra");  // the whole stack is set aside
    Frame& f = I.push_frame(F_INFRA);
    ListBuilder saved;  // bottom first
    for (Value& v : I.stk) saved.push(std::move(v));
    I.stk.clear();
    f.x = saved.take();
    f.g = uint32_t(I.guard);
    I.guard = 0;
    std::vector<Value> items;
    for (Cell* c = l.u.list; c; c = tail(c)) items.push_back(head(c));
    for (size_t k = items.size(); k-- > 0;) I.push(std::move(items[k]));
    I.call(std::move(p));
}

// app2..4 / unary2..4: P on each of the n values with the rest of the stack.
void start_multi(Interp& I, int n, const char* word) {
    I.need(size_t(n) + 1, word);
    check_quote(I, 0, word);
    Value p = I.pop();
    std::vector<Value> args(n);
    for (int k = n; k-- > 0;) args[k] = I.pop();
    Frame& f = I.push_frame(F_MULTI);
    ListBuilder b;
    for (Value& a : args) b.push(std::move(a));
    f.x = b.take();
    f.pc = f.x.u.list;
    f.q = std::move(p);
    // modes: 0 unaryN, 2 appN (each arg with the same quotation); 1 is cleave
    f.n = word[0] == 'a' ? 2 : 0;
}
void do_unary2(Interp& I) { start_multi(I, 2, "unary2"); }
void do_unary3(Interp& I) { start_multi(I, 3, "unary3"); }
void do_unary4(Interp& I) { start_multi(I, 4, "unary4"); }
void do_app2(Interp& I) { start_multi(I, 2, "app2"); }
void do_app3(Interp& I) { start_multi(I, 3, "app3"); }
void do_app4(Interp& I) { start_multi(I, 4, "app4"); }
const char* multi_word(const Frame& f) {
    static const char* unary[] = {"unary2", "unary3", "unary4"};
    static const char* app[] = {"app2", "app3", "app4"};
    if (f.n == 1) return "cleave";
    size_t count = 0;
    for (Cell* c = f.x.u.list; c; c = tail(c)) ++count;
    size_t k = count < 2 ? 0 : count > 4 ? 2 : count - 2;
    return f.n == 2 ? app[k] : unary[k];
}

void do_app1(Interp& I) {
    I.need(2, "app1");
    check_quote(I, 0, "app1");
    I.call(I.pop());
}

// cleave: X [P1] [P2] -> R1 R2, each Pi with X on top.
void do_cleave(Interp& I) {
    I.need(3, "cleave");
    check_quote(I, 0, "cleave");
    check_quote(I, 1, "cleave");
    Value p2 = I.pop(), p1 = I.pop(), x = I.pop();
    Frame& f = I.push_frame(F_MULTI);
    f.x = list_of({p1, p2});
    f.pc = f.x.u.list;
    f.z = std::move(x);
    f.n = 1;  // mode 1: each quotation with the same arg (z)
}

// construct: [P] [[P1] [P2] ..] -> R1 R2 ..: run P on a saved stack, then
// each Pi (as nullary) on the stack P left; then the saved stack comes back
// and the results go on it.
void do_construct(Interp& I) {
    I.need(2, "construct");
    check_quote(I, 0, "construct");
    check_quote(I, 1, "construct");
    Value ps = I.pop(), p = I.pop();
    Frame& f = I.push_frame(F_CONSTRUCT);
    f.x = std::move(ps);
    f.pc = f.x.u.list;
    I.begin_test(f);
    I.call(std::move(p));
}

void do_treestep(Interp& I) {
    I.need(2, "treestep");
    check_quote(I, 0, "treestep");
    Value p = I.pop();
    Value t = I.pop();
    if (t.tag != T_LIST) {
        I.push(std::move(t));
        I.call(std::move(p));
        return;
    }
    Frame& f = I.push_frame(F_TREESTEP);
    f.q = std::move(p);
    f.x = std::move(t);
    f.pc = f.x.u.list;
}

const Builtin* builtin_named(const char* name) {
    for (const Builtin* b : Interp::builtin_table())
        if (std::strcmp(b->name, name) == 0) return b;
    return nullptr;
}

// map/filter/split over a dict give a dict: map keeps every key with its
// new value; filter/split keep the entries at the positions collected.
Value rebuild_dict(const Value& agg, Value elems, bool is_map) {
    const Dict* src = agg.u.dict;
    Dict* d = Dict::create();
    Value out = Value::adopt_dict(d);
    Cell* c = elems.tag == T_LIST ? elems.u.list : nullptr;
    if (is_map) {
        src->each([&](const Value& k, const Value&) {
            if (!c) return;
            d->put(k, head(c));
            c = tail(c);
        });
    } else {
        for (; c; c = tail(c)) {
            const Dict::Entry& e = src->entries[size_t(head(c).u.i)];
            d->put(e.key, e.val);
        }
    }
    return out;
}

// treerec: T [O] [C]: leaf -> O; else [[O] [C] treerec] C.
void do_treerec(Interp& I) {
    I.need(3, "treerec");
    check_quote(I, 0, "treerec");
    check_quote(I, 1, "treerec");
    Value c = I.pop(), o = I.pop();
    if (I.top().tag != T_LIST) {
        I.call(std::move(o));
        return;
    }
    ListBuilder b;
    b.push(o);
    b.push(c);
    b.push(Value::builtin(builtin_named("treerec")));
    I.push(b.take());
    I.call(std::move(c));
}

// treegenrec: T [O1] [O2] [C]: leaf -> O1; else O2, [[O1] [O2] [C] treegenrec] C.
void do_treegenrec(Interp& I) {
    I.need(4, "treegenrec");
    for (int k = 0; k < 3; ++k) check_quote(I, k, "treegenrec");
    Value c = I.pop(), o2 = I.pop(), o1 = I.pop();
    if (I.top().tag != T_LIST) {
        I.call(std::move(o1));
        return;
    }
    ListBuilder b;
    b.push(o1);
    b.push(o2);
    b.push(c);
    b.push(Value::builtin(builtin_named("treegenrec")));
    I.call(std::move(c));
    Frame& f = I.push_frame(F_PUSH);
    f.x = b.take();
    I.call(std::move(o2));
}

// case: X [..[X Y]..] -> Y i
void do_case(Interp& I) {
    I.need(2, "case");
    check_clauses(I, "case");
    Value clauses = I.pop();
    for (Cell* c = clauses.u.list; c; c = tail(c)) {
        const Value& clause = head(c);
        if (clause.tag != T_LIST || !clause.u.list) I.type_error("list of clauses", "case");
        if (!tail(c)) {  // default: X stays
            I.call(clause);
            return;
        }
        if (values_equal(head(clause.u.list), I.top(), &I)) {
            I.pop();
            Frame& f = I.push_frame(F_PROG);
            f.q = clause;
            f.pc = tail(clause.u.list);
            return;
        }
    }
}

// The result r of map's, filter's ... quotation on an element, into the
// frame at fi; false when the frame has ended (some / all decided).
bool take_each_result(Interp& I, size_t fi, Value r) {
    Frame& f = I.fr[fi];
    switch (f.kind) {
    case F_MAP: append(f, std::move(r)); break;
    case F_FILTER:
        if (I.truthy(r)) append(f, std::move(f.z));
        break;
    case F_SPLIT:
        if (I.truthy(r)) append(f, std::move(f.z));
        else {
            Cell* c = cons_cell(std::move(f.z), nullptr);
            if (f.last2) f.last2->tail_ = c; else f.w = Value::adopt_list(c);
            f.last2 = c;
        }
        break;
    case F_SOME:
        if (I.truthy(r)) { I.fr.pop_back(); I.stk.push_back(Value::boolean(true)); return false; }
        break;
    default:
        if (!I.truthy(r)) { I.fr.pop_back(); I.stk.push_back(Value::boolean(false)); return false; }
        break;
    }
    f.z = Value();
    return true;
}

// Every element done: the frame's results onto the stack.
void finish_each(Interp& I, const char* word) {
    Frame& f = I.fr.back();
    FrameKind k = f.kind;
    Value agg = std::move(f.x);
    Value a = std::move(f.y);
    Value b = std::move(f.w);
    I.fr.pop_back();
    if (k == F_SOME || k == F_ALL) { I.stk.push_back(Value::boolean(k == F_ALL)); return; }
    if (agg.tag == T_DICT) {
        I.stk.push_back(rebuild_dict(agg, std::move(a), k == F_MAP));
        if (k == F_SPLIT) I.stk.push_back(rebuild_dict(agg, std::move(b), false));
        return;
    }
    I.stk.push_back(rebuild(I, agg, std::move(a), word));
    if (k == F_SPLIT) I.stk.push_back(rebuild(I, agg, std::move(b), word));
}

}  // namespace

// ---- resuming frames ----

void Interp::resume(Frame& f) {
    switch (f.kind) {
    case F_PUSH: {
        Value x = std::move(f.x);
        fr.pop_back();
        stk.push_back(std::move(x));
        return;
    }
    case F_NULLARY: {
        const char* word = nary_word(f);
        Value r = test_result(*this, f, word);
        size_t n = size_t(f.n);
        fr.pop_back();
        if (n) { need(n, word); drop(n); }
        stk.push_back(std::move(r));
        return;
    }
    case F_IFTE: {
        Value r = test_result(*this, f, "ifte");
        bool t = truthy(r);
        f.q = t ? std::move(f.x) : std::move(f.y);
        f.x = Value();
        f.y = Value();
        become_prog(f, f.q.u.list);
        return;
    }
    case F_WHILE_TEST: {
        Value r = test_result(*this, f, "while");
        if (!truthy(r)) { fr.pop_back(); return; }
        f.kind = F_WHILE_BODY;
        Frame& g = push_frame(F_PROG);
        g.pc = fr[fr.size() - 2].x.u.list;
        return;
    }
    case F_WHILE_BODY: {
        size_t fi = fr.size() - 1;  // a test's words may push frames, moving f
        if (is_quick(f.q) && is_quick(f.x)) {  // test and body at once, turn after turn
            while (quick_test(fr[fi].q, "while", true) == QUICK_TRUE) run_terms(fr[fi].x.u.list);
            fr.pop_back();
            return;
        }
        switch (quick_test(fr[fi].q, "while")) {
        case QUICK_FALSE: fr.pop_back(); return;
        case QUICK_TRUE: {
            Cell* d = fr[fi].x.u.list;
            Frame& g = push_frame(F_PROG);
            g.pc = d;
            return;
        }
        case NOT_QUICK: break;
        }
        Frame& f = fr[fi];
        f.kind = F_WHILE_TEST;
        begin_test(f);
        Cell* b = f.q.u.list;
        Frame& g = push_frame(F_PROG);
        g.pc = b;
        return;
    }
    case F_TIMES: {
        Cell* p = f.q.u.list;
        if (--f.n == 0) { become_prog(f, p); return; }
        Frame& g = push_frame(F_PROG);
        g.pc = p;
        return;
    }
    case F_LINREC_TEST:
    case F_TAILREC_TEST: {
        bool tail = f.kind == F_TAILREC_TEST;
        Value r = test_result(*this, f, tail ? "tailrec" : "linrec");
        linrec_after_test(*this, f, tail, truthy(r));
        return;
    }
    case F_LINREC_R1:
    case F_TAILREC_R1:
        linrec_test(*this, fr.size() - 1, f.kind == F_TAILREC_R1);
        return;
    case F_LINREC_UNWIND: {
        Cell* r2 = f.z.u.list;
        if (--f.n <= 0) { become_prog(f, r2); return; }
        Frame& g = push_frame(F_PROG);
        g.pc = r2;
        return;
    }
    case F_BINREC_TEST: {
        Value r = test_result(*this, f, "binrec");
        if (truthy(r)) { become_prog(f, nth(f.q, 1).u.list); return; }
        f.kind = F_BINREC_R1;
        Cell* r1 = nth(f.q, 2).u.list;
        Frame& g = push_frame(F_PROG);
        g.pc = r1;
        return;
    }
    case F_BINREC_R1: {
        need(2, "binrec");
        f.x = pop();
        f.kind = F_BINREC_SECOND;
        Value quads = f.q;
        start_binrec_level(*this, quads);
        return;
    }
    case F_BINREC_SECOND: {
        stk.push_back(std::move(f.x));
        f.x = Value();
        f.kind = F_BINREC_R2;
        Value quads = f.q;
        start_binrec_level(*this, quads);
        return;
    }
    case F_BINREC_R2:
        become_prog(f, nth(f.q, 3).u.list);
        return;
    case F_GENREC_TEST: {
        Value r = test_result(*this, f, "genrec");
        if (truthy(r)) { become_prog(f, nth(f.q, 1).u.list); return; }
        // R1, then push [[B] [T] [R1] [R2] genrec], then R2.
        ListBuilder b;
        for (Cell* c = f.q.u.list; c; c = tail(c)) b.push(head(c));
        b.push(Value::builtin(builtin_named("genrec")));
        Value again = b.take();
        Cell* r1 = nth(f.q, 2).u.list;
        become_prog(f, nth(f.q, 3).u.list);
        Frame& p = push_frame(F_PUSH);
        p.x = std::move(again);
        Frame& g = push_frame(F_PROG);
        g.pc = r1;
        g.q = fr[fr.size() - 3].q;
        return;
    }
    case F_PRIMREC: {
        if (f.n <= 0) { fr.pop_back(); return; }
        Cell* c = f.q.u.list;
        if (--f.n == 0) { become_prog(f, c); return; }
        Frame& g = push_frame(F_PROG);
        g.pc = c;
        return;
    }
    case F_COND_TEST: {
        Value r = test_result(*this, f, "cond");
        const Value& clause = head(f.pc);
        if (truthy(r)) { become_prog(f, tail(clause.u.list)); return; }
        f.pc = tail(f.pc);
        start_cond_clause(*this, f);
        return;
    }
    case F_CONDLIN_TEST: {
        Value r = test_result(*this, f, condlin_word(f));
        const Value& clause = head(f.pc);
        if (truthy(r)) { choose_condlin(f, tail(clause.u.list)); return; }
        f.pc = tail(f.pc);
        start_condlin(*this, f);
        return;
    }
    case F_CONDLIN_R2: {  // run the R at pc
        if (!f.pc) { fr.pop_back(); return; }
        const Value& rv = head(f.pc);
        if (rv.tag != T_LIST) type_error("quotation in clause", condlin_word(f));
        Cell* rl = rv.u.list;
        f.pc = tail(f.pc);
        if (!f.pc) { f.q = f.x; become_prog(f, rl); return; }
        f.kind = F_CONDLIN_R1;
        Frame& g = push_frame(F_PROG);
        g.pc = rl;
        return;
    }
    case F_CONDLIN_R1: {  // recurse, then run the next R
        f.kind = F_CONDLIN_R2;
        Value clauses = f.q;
        int64_t nest = f.n;
        Frame& g = push_frame(F_CONDLIN_TEST);
        g.n = nest;
        g.q = std::move(clauses);
        g.pc = g.q.u.list;
        start_condlin(*this, g);
        return;
    }
    case F_STEP: {
        if (is_quick(f.q)) {  // every element at once, without a frame each
            size_t fi = fr.size() - 1;  // the terms' words may push frames, moving f
            for (Value e; next_elem(fr[fi], e);) {
                stk.push_back(std::move(e));
                run_terms(fr[fi].q.u.list);
            }
            fr.pop_back();
            return;
        }
        Value e;
        if (!next_elem(f, e)) { fr.pop_back(); return; }
        stk.push_back(std::move(e));
        if (iter_done(f)) {  // last element: the frame becomes P
            f.x = Value();
            become_prog(f, f.q.u.list);
            return;
        }
        Cell* p = f.q.u.list;
        Frame& g = push_frame(F_PROG);
        g.pc = p;
        return;
    }
    case F_MAP:
    case F_FILTER:
    case F_SPLIT:
    case F_SOME:
    case F_ALL: {
        size_t fi = fr.size() - 1;  // a quotation's words may push frames, moving f
        const char* word = f.kind == F_MAP ? "map" : f.kind == F_FILTER ? "filter"
                         : f.kind == F_SPLIT ? "split" : f.kind == F_SOME ? "some" : "all";
        const char* what = f.kind == F_MAP ? "non-empty stack" : "value to push";
        if (f.testing) {
            Value r = test_result(*this, f, word, what);
            if (!take_each_result(*this, fi, std::move(r))) return;
        }
        for (;;) {
            Frame& g = fr[fi];
            Value e;
            if (!next_elem(g, e)) {
                finish_each(*this, word);
                return;
            }
            if (g.kind == F_FILTER || g.kind == F_SPLIT)  // keep the element (a dict: its position)
                g.z = g.x.tag == T_DICT ? Value::integer(g.n - 1) : e;
            Value r;
            if (!quick_result(g.q, &e, word, what, r)) {
                Frame& h = fr[fi];
                begin_test(h);
                stk.push_back(std::move(e));
                Cell* p = h.q.u.list;
                Frame& prog = push_frame(F_PROG);
                prog.pc = p;
                return;
            }
            if (!take_each_result(*this, fi, std::move(r))) return;
        }
    }
    case F_INFRA: {
        ListBuilder result;  // top first
        for (size_t k = stk.size(); k-- > 0;) result.push(std::move(stk[k]));
        stk.clear();
        for (Cell* c = f.x.u.list; c; c = tail(c)) stk.push_back(head(c));
        guard = f.g;
        fr.pop_back();
        stk.push_back(result.take());
        return;
    }
    case F_CONSTRUCT: {
        if (f.n) {  // a Pi's nullary has pushed its result
            need(1, "construct");
            append(f, pop());
        }
        f.n = 1;
        if (!f.pc) {
            Value results = std::move(f.y);
            restore_test(f);
            fr.pop_back();
            for (Cell* c = results.u.list; c; c = tail(c)) stk.push_back(head(c));
            return;
        }
        const Value& pi = head(f.pc);
        if (pi.tag != T_LIST) type_error("quotation", "construct");
        Cell* pl = pi.u.list;
        f.pc = tail(f.pc);
        Frame& g = push_frame(F_NULLARY);
        begin_test(g);
        Frame& h = push_frame(F_PROG);
        h.pc = pl;  // kept alive by the construct frame's x
        return;
    }
    case F_MULTI: {
        if (f.testing) append(f, test_result(*this, f, multi_word(f)));
        if (!f.pc) {
            Value results = std::move(f.y);
            fr.pop_back();
            for (Cell* c = results.u.list; c; c = tail(c)) stk.push_back(head(c));
            return;
        }
        const Value& cur = head(f.pc);
        f.pc = tail(f.pc);
        begin_test(f);
        if (f.n != 1) {  // same quotation, next arg
            stk.push_back(cur);
            Cell* p = f.q.u.list;
            Frame& g = push_frame(F_PROG);
            g.pc = p;
        } else {  // same arg, next quotation
            if (cur.tag != T_LIST) type_error("quotation", "cleave");
            stk.push_back(f.z);
            Cell* p = cur.u.list;
            Frame& g = push_frame(F_PROG);
            g.pc = p;
        }
        return;
    }
    case F_TREESTEP: {
        if (!f.pc) { fr.pop_back(); return; }
        const Value& e = head(f.pc);
        f.pc = tail(f.pc);
        if (e.tag == T_LIST) {
            Value sub = e;
            Value p = f.q;
            Frame& g = push_frame(F_TREESTEP);
            g.q = std::move(p);
            g.x = std::move(sub);
            g.pc = g.x.u.list;
            return;
        }
        stk.push_back(e);
        Cell* p = f.q.u.list;
        Frame& g = push_frame(F_PROG);
        g.pc = p;
        return;
    }
    case F_NATIVE:
        f.native(*this, f);
        return;
    default:
        error("internal error: unknown frame");
    }
}

namespace {
const Builtin table[] = {
    {"i", do_i, "[P] -> ..."},
    {"x", do_x, "[P] x -> ..."},
    {"dip", do_dip, "X [P] -> ... X"},
    {"nullary", do_nullary, "[P] -> R"},
    {"unary", do_unary, "X [P] -> R"},
    {"binary", do_binary, "X Y [P] -> R"},
    {"ternary", do_ternary, "X Y Z [P] -> R"},
    {"unary2", do_unary2, "X1 X2 [P] -> R1 R2"},
    {"unary3", do_unary3, "X1 X2 X3 [P] -> R1 R2 R3"},
    {"unary4", do_unary4, "X1 X2 X3 X4 [P] -> R1 R2 R3 R4"},
    {"app1", do_app1, "X [P] -> R"},
    {"app2", do_app2, "X1 X2 [P] -> R1 R2"},
    {"app3", do_app3, "X1 X2 X3 [P] -> R1 R2 R3"},
    {"app4", do_app4, "X1 X2 X3 X4 [P] -> R1 R2 R3 R4"},
    {"cleave", do_cleave, "X [P1] [P2] -> R1 R2"},
    {"construct", do_construct, "[P] [[P1] [P2] ..] -> R1 R2 .."},
    {"branch", do_branch, "B [T] [F] -> ..."},
    {"ifte", do_ifte, "[B] [T] [F] -> ..."},
    {"ifinteger", do_ifinteger, "X [T] [E] -> ..."},
    {"ifchar", do_ifchar, "X [T] [E] -> ..."},
    {"iflogical", do_iflogical, "X [T] [E] -> ..."},
    {"ifset", do_ifset, "X [T] [E] -> ..."},
    {"ifstring", do_ifstring, "X [T] [E] -> ..."},
    {"iflist", do_iflist, "X [T] [E] -> ..."},
    {"iffloat", do_iffloat, "X [T] [E] -> ..."},
    {"iffile", do_iffile, "X [T] [E] -> ..."},
    {"cond", do_cond, "[..[[Bi] Ti]..[D]] -> ..."},
    {"case", do_case, "X [..[X Y]..] -> Y i"},
    {"while", do_while, "[B] [D] -> ..."},
    {"times", do_times, "N [P] -> ..."},
    {"linrec", do_linrec, "[P] [T] [R1] [R2] -> ..."},
    {"tailrec", do_tailrec, "[P] [T] [R1] -> ..."},
    {"binrec", do_binrec, "[P] [T] [R1] [R2] -> ..."},
    {"genrec", do_genrec, "[B] [T] [R1] [R2] -> ..."},
    {"primrec", do_primrec, "X [I] [C] -> R"},
    {"condlinrec", do_condlinrec, "[ [C1] [C2] .. [D] ] -> ..."},
    {"condnestrec", do_condnestrec, "[ [C1] [C2] .. [D] ] -> ..."},
    {"step", do_step, "A [P] -> ..."},
    {"fold", do_fold, "A V0 [P] -> V"},
    {"map", do_map, "A [P] -> B"},
    {"filter", do_filter, "A [B] -> A1"},
    {"split", do_split, "A [B] -> A1 A2"},
    {"some", do_some, "A [B] -> X"},
    {"all", do_all, "A [B] -> X"},
    {"infra", do_infra, "L1 [P] -> L2"},
    {"treestep", do_treestep, "T [P] -> ..."},
    {"treerec", do_treerec, "T [O] [C] -> ..."},
    {"treegenrec", do_treegenrec, "T [O1] [O2] [C] -> ..."},
};
}  // namespace

BuiltinTable combinator_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
