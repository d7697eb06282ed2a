// builtins_list.cpp - aggregates: lists, strings, sets and dicts taken apart
// and put together (first rest cons concat size at take in ...), `equal`,
// and the list-shaped combinators app11, app12 and opcase.
//
// Joy1 semantics: a string's elements are chars, a set's are its members in
// ascending order, a dict's are its values in insertion order. Lists share
// structure: rest and drop return the tail itself, concat copies only its
// first operand, so every word here is O(1) or one pass.
//
// Persistent lists (collections.h) have words of their own: plist-open
// pappend ptake pnth plist-close, pfilter (via builtins_numeric.cpp), and
// `size` takes a plist or a pdict handle too.
#include <cstring>

#include "collections.h"
#include "dict.h"
#include "interp.h"

namespace joy {

bool is_aggregate(const Value& v) {
    return v.tag == T_LIST || v.tag == T_STRING || v.tag == T_SET || v.tag == T_DICT;
}

namespace {

constexpr int SET_BITS = 64;

int lowest_member(uint64_t set) { return __builtin_ctzll(set); }

Value substring(std::string_view s, size_t from, size_t len) { return make_string(s.substr(from, len)); }

const Dict::Entry* first_entry(const Dict* d) {
    for (const Dict::Entry& e : d->entries)
        if (e.key.tag == T_STRING) return &e;
    return nullptr;
}

[[noreturn]] void empty_error(Interp& I, const Value& a, const char* word) {
    const char* what = a.tag == T_LIST     ? "non-empty list"
                     : a.tag == T_STRING ? "non-empty string"
                     : a.tag == T_SET    ? "non-empty set"
                                         : "non-empty dict";
    I.type_error(what, word);
}

bool is_empty(const Value& a) {
    switch (a.tag) {
    case T_LIST: return !a.u.list;
    case T_STRING: return a.u.str->len == 0;
    case T_SET: return a.u.set == 0;
    case T_DICT: return a.u.dict->size() == 0;
    default: return false;
    }
}

void check_nonempty(Interp& I, const Value& a, const char* word) {
    if (!is_aggregate(a)) I.type_error("aggregate parameter", word);
    if (is_empty(a)) empty_error(I, a, word);
}

// The first element of an aggregate that passed check_nonempty().
Value first_of(const Value& a) {
    switch (a.tag) {
    case T_LIST: return head(a.u.list);
    case T_STRING: return Value::chr(static_cast<unsigned char>(a.u.str->data[0]));
    case T_SET: return Value::integer(lowest_member(a.u.set));
    default: return first_entry(a.u.dict)->val;
    }
}

// Everything but the first element of an aggregate that passed
// check_nonempty(); `a` is consumed (a dict held only here is updated in
// place).
Value rest_of(Value a) {
    switch (a.tag) {
    case T_LIST: return Value::adopt_list(retain_cell(tail(a.u.list)));
    case T_STRING: return substring(a.u.str->view(), 1, std::string_view::npos);
    case T_SET: return Value::setv(a.u.set & (a.u.set - 1));
    default: {
        Dict* d = dict_for_update(a);
        Value key = first_entry(d)->key;  // keeps the key alive while it is removed
        d->remove(key.u.str->view());
        return a;
    }
    }
}

void do_first(Interp& I) {
    I.need(1, "first");
    check_nonempty(I, I.top(), "first");
    Value f = first_of(I.top());
    I.top() = std::move(f);
}

void do_rest(Interp& I) {
    I.need(1, "rest");
    check_nonempty(I, I.top(), "rest");
    I.push(rest_of(I.pop()));
}

void do_uncons(Interp& I) {  // A -> F R
    I.need(1, "uncons");
    check_nonempty(I, I.top(), "uncons");
    Value f = first_of(I.top());
    Value r = rest_of(I.pop());
    I.push(std::move(f));
    I.push(std::move(r));
}

void do_unswons(Interp& I) {  // A -> R F
    I.need(1, "unswons");
    check_nonempty(I, I.top(), "unswons");
    Value f = first_of(I.top());
    I.push(rest_of(I.pop()));
    I.push(std::move(f));
}

// x put in front of aggregate a (a list, string or set).
Value insert_front(Interp& I, Value x, Value a, const char* word) {
    switch (a.tag) {
    case T_LIST: return cons(std::move(x), std::move(a));
    case T_SET:
        if (!x.is_intlike() || x.u.i < 0 || x.u.i >= SET_BITS) I.type_error("small numeric", word);
        return Value::setv(a.u.set | (uint64_t(1) << x.u.i));
    case T_STRING: {
        if (x.tag != T_CHAR) I.type_error("character", word);
        std::string_view s = a.u.str->view();
        I.charge(s.size() / 64);
        Str* r = alloc_str(s.size() + 1);
        r->data[0] = char(x.u.i);
        if (!s.empty()) std::memcpy(r->data + 1, s.data(), s.size());
        return Value::adopt_str(r);
    }
    default: I.type_error("aggregate parameter", word);
    }
}

void do_cons(Interp& I) {  // X A -> B
    I.need(2, "cons");
    Value a = I.pop();
    Value b = insert_front(I, I.pop(), std::move(a), "cons");
    I.push(std::move(b));
}

void do_swons(Interp& I) {  // A X -> B
    I.need(2, "swons");
    Value x = I.pop();
    Value b = insert_front(I, std::move(x), I.pop(), "swons");
    I.push(std::move(b));
}

Value concatenate(Interp& I, const Value& s, const Value& t, const char* word) {
    if (s.tag != t.tag) I.type_error("two parameters of the same type", word);
    switch (s.tag) {
    case T_SET: return Value::setv(s.u.set | t.u.set);
    case T_STRING: {
        std::string_view a = s.u.str->view(), b = t.u.str->view();
        I.charge((a.size() + b.size()) / 64);
        Str* r = alloc_str(a.size() + b.size());
        if (!a.empty()) std::memcpy(r->data, a.data(), a.size());
        if (!b.empty()) std::memcpy(r->data + a.size(), b.data(), b.size());
        return Value::adopt_str(r);
    }
    case T_LIST: {
        ListBuilder out;
        uint64_t n = 0;
        for (Cell* c = s.u.list; c; c = tail(c), ++n) out.push(head(c));
        I.charge(n / 16);
        out.append_tail(t.u.list);  // the second list is shared, not copied
        return out.take();
    }
    default: I.type_error("aggregate parameter", word);
    }
}

void do_concat(Interp& I) {  // S T -> U
    I.need(2, "concat");
    Value u = concatenate(I, I.peek(1), I.peek(0), "concat");
    I.drop(2);
    I.push(std::move(u));
}

void do_enconcat(Interp& I) {  // X S T -> U: S, then X, then T
    I.need(3, "enconcat");
    if (I.peek(0).tag != I.peek(1).tag) I.type_error("two parameters of the same type", "enconcat");
    Value xt = insert_front(I, I.peek(2), I.peek(0), "enconcat");
    Value u = concatenate(I, I.peek(1), xt, "enconcat");
    I.drop(3);
    I.push(std::move(u));
}

void do_size(Interp& I) {
    I.need(1, "size");
    Value& a = I.top();
    int64_t n;
    switch (a.tag) {
    case T_LIST: n = int64_t(list_length(a.u.list)); break;
    case T_STRING: n = a.u.str->len; break;
    case T_SET: n = __builtin_popcountll(a.u.set); break;
    case T_DICT: n = int64_t(a.u.dict->size()); break;
    case T_HANDLE:
        if (PList* l = as_plist(a)) {
            I.require(CAP_STORE, "size");
            n = l->size();
            break;
        }
        if (PDict* d = as_pdict(a)) {
            I.require(CAP_STORE, "size");
            n = d->size();
            break;
        }
        I.type_error("aggregate parameter", "size");
    default: I.type_error("aggregate parameter", "size");
    }
    a = Value::integer(n);
}

// Element number `index` (from 0) of an aggregate, for at and of.
Value element_at(Interp& I, const Value& a, const Value& index, const char* word) {
    if (index.tag != T_INT || index.u.i < 0) I.type_error("non-negative integer", word);
    uint64_t k = uint64_t(index.u.i);
    if (a.tag != T_LIST && a.tag != T_STRING && a.tag != T_SET) I.type_error("aggregate parameter", word);
    if (is_empty(a)) empty_error(I, a, word);
    switch (a.tag) {
    case T_LIST: {
        Cell* c = a.u.list;
        for (; k > 0; --k) {
            c = tail(c);
            if (!c) I.type_error("smaller index", word);
        }
        return head(c);
    }
    case T_STRING:
        if (k >= a.u.str->len) I.type_error("smaller index", word);
        return Value::chr(static_cast<unsigned char>(a.u.str->data[k]));
    default: {
        uint64_t set = a.u.set;
        for (; set; set &= set - 1)
            if (k-- == 0) return Value::integer(lowest_member(set));
        I.type_error("smaller index", word);
    }
    }
}

void do_at(Interp& I) {  // A I -> X
    I.need(2, "at");
    Value x = element_at(I, I.peek(1), I.peek(0), "at");
    I.drop(2);
    I.push(std::move(x));
}

void do_of(Interp& I) {  // I A -> X
    I.need(2, "of");
    Value x = element_at(I, I.peek(0), I.peek(1), "of");
    I.drop(2);
    I.push(std::move(x));
}

// The count argument of take and drop; negative counts act as zero.
uint64_t count_arg(Interp& I, const char* word) {
    const Value& a = I.peek(1);
    if (a.tag != T_LIST && a.tag != T_STRING && a.tag != T_SET) I.type_error("aggregate parameter", word);
    const Value& n = I.peek(0);
    if (n.tag != T_INT) I.type_error("integer", word);
    return n.u.i < 0 ? 0 : uint64_t(n.u.i);
}

void do_take(Interp& I) {  // A N -> B
    I.need(2, "take");
    uint64_t n = count_arg(I, "take");
    I.drop(1);
    Value& a = I.top();
    switch (a.tag) {
    case T_LIST: {
        Cell* end = a.u.list;
        uint64_t k = 0;
        for (; end && k < n; ++k) end = tail(end);
        if (!end) return;  // the whole list: keep it
        ListBuilder out;
        for (Cell* c = a.u.list; c != end; c = tail(c)) out.push(head(c));
        a = out.take();
        break;
    }
    case T_STRING:
        if (n < a.u.str->len) a = substring(a.u.str->view(), 0, n);
        break;
    default: {
        uint64_t kept = 0;
        for (uint64_t set = a.u.set; set && n > 0; set &= set - 1, --n) kept |= set & -set;
        a.u.set = kept;
        break;
    }
    }
}

void do_drop(Interp& I) {  // A N -> B
    I.need(2, "drop");
    uint64_t n = count_arg(I, "drop");
    I.drop(1);
    Value& a = I.top();
    switch (a.tag) {
    case T_LIST: {
        Cell* c = a.u.list;
        for (; c && n > 0; --n) c = tail(c);
        a = Value::adopt_list(retain_cell(c));
        break;
    }
    case T_STRING:
        if (n > 0) a = substring(a.u.str->view(), n < a.u.str->len ? n : a.u.str->len, std::string_view::npos);
        break;
    default:
        for (; a.u.set && n > 0; --n) a.u.set &= a.u.set - 1;
        break;
    }
}

// Joy1 membership: list elements and dict values match when `compare`
// finds them equal (so lists never match); sets and strings hold codes.
bool contains(Interp& I, const Value& a, const Value& x, const char* word) {
    switch (a.tag) {
    case T_SET: return x.is_intlike() && x.u.i >= 0 && x.u.i < SET_BITS && (a.u.set >> x.u.i & 1);
    case T_STRING:
        if (!x.is_intlike() || x.u.i < 0 || x.u.i > 255) return false;
        I.charge(a.u.str->len / 16);
        return a.u.str->view().find(char(x.u.i)) != std::string_view::npos;
    case T_LIST:
        for (Cell* c = a.u.list; c; c = tail(c))
            if (compare_charged(I, head(c), x) == 0) return true;
        return false;
    case T_DICT: {
        bool found = false;
        a.u.dict->each([&](const Value&, const Value& v) {
            if (!found && compare_charged(I, v, x) == 0) found = true;
        });
        return found;
    }
    default: I.type_error("aggregate parameter", word);
    }
}

void do_in(Interp& I) {  // X A -> B
    I.need(2, "in");
    bool b = contains(I, I.peek(0), I.peek(1), "in");
    I.drop(2);
    I.push(Value::boolean(b));
}

void do_has(Interp& I) {  // A X -> B
    I.need(2, "has");
    bool b = contains(I, I.peek(1), I.peek(0), "has");
    I.drop(2);
    I.push(Value::boolean(b));
}

void do_null(Interp& I) {  // empty aggregate or numeric zero
    I.need(1, "null");
    I.top() = Value::boolean(is_null_value(I.top()));
}

void do_small(Interp& I) {  // fewer than two elements, or an integer below 2
    I.need(1, "small");
    Value& a = I.top();
    bool b;
    switch (a.tag) {
    case T_LIST: b = !a.u.list || !tail(a.u.list); break;
    case T_STRING: b = a.u.str->len < 2; break;
    case T_SET: b = (a.u.set & (a.u.set - 1)) == 0; break;
    case T_DICT: b = a.u.dict->size() < 2; break;
    case T_BOOL: case T_INT: b = a.u.i < 2; break;
    default: I.type_error("different type", "small");
    }
    a = Value::boolean(b);
}

void do_leaf(Interp& I) {
    I.need(1, "leaf");
    I.top() = Value::boolean(I.top().tag != T_LIST);
}

void do_choice(Interp& I) {  // B T F -> X
    I.need(3, "choice");
    Value x = I.truthy(I.peek(2)) ? std::move(I.peek(1)) : std::move(I.peek(0));
    I.drop(3);
    I.push(std::move(x));
}

bool same_type(const Value& a, const Value& b) {
    return a.tag == b.tag && (a.tag != T_BUILTIN || a.u.bi == b.u.bi);
}

// X [..[X Xs]..] -> X [Xs]: the rest of the first case whose head has X's
// type; the last case is the default and is taken whole.
void do_opcase(Interp& I) {
    I.need(2, "opcase");
    if (I.top().tag != T_LIST) I.type_error("list", "opcase");
    if (!I.top().u.list) I.type_error("non-empty list", "opcase");
    const Value& x = I.peek(1);
    Cell* c = I.top().u.list;
    for (;;) {
        const Value& option = head(c);
        if (option.tag != T_LIST) I.type_error("internal list", "opcase");
        if (!tail(c)) {
            Value whole = option;
            I.top() = std::move(whole);
            return;
        }
        if (option.u.list && same_type(head(option.u.list), x)) {
            Value rest = Value::adopt_list(retain_cell(tail(option.u.list)));
            I.top() = std::move(rest);
            return;
        }
        c = tail(c);
    }
}

// Joy1 `equal`: lists (and dicts) element by element, anything else as
// `compare` sees it. Iterative, so nesting depth is unbounded. Each pair
// compared is a step: lists that share structure can take exponentially
// longer to compare than to build.
bool joy_equal(Interp& I, const Value& a0, const Value& b0) {
    std::vector<std::pair<const Value*, const Value*>> work{{&a0, &b0}};
    while (!work.empty()) {
        const Value* a = work.back().first;  // not a structured binding: the lambda below captures b
        const Value* b = work.back().second;
        work.pop_back();
        I.charge(1);
        if (a->tag == T_LIST && b->tag == T_LIST) {
            Cell* x = a->u.list;
            Cell* y = b->u.list;
            for (; x && y && x != y; x = tail(x), y = tail(y)) work.emplace_back(&head(x), &head(y));
            if (x != y) return false;  // one ended first
        } else if (a->tag == T_DICT && b->tag == T_DICT) {
            if (a->u.dict->size() != b->u.dict->size()) return false;
            bool same_keys = true;
            a->u.dict->each([&](const Value& k, const Value& v) {
                const Value* w = same_keys ? b->u.dict->get(k.u.str->view()) : nullptr;
                if (w) work.emplace_back(&v, w);
                else same_keys = false;
            });
            if (!same_keys) return false;
        } else if (compare_charged(I, *a, *b) != 0) {
            return false;
        }
    }
    return true;
}

void do_equal(Interp& I) {
    I.need(2, "equal");
    bool b = joy_equal(I, I.peek(1), I.peek(0));
    I.drop(2);
    I.push(Value::boolean(b));
}

// app11: X Y [P] -> R, P run as by i, then X removed from under its result.
void finish_app11(Interp& I, Frame&) {
    I.fr.pop_back();
    I.need(2, "app11");
    std::swap(I.peek(0), I.peek(1));
    I.stk.pop_back();
}

void do_app11(Interp& I) {
    I.need(3, "app11");
    if (I.top().tag != T_LIST) I.type_error("quotation as top parameter", "app11");
    Value p = I.pop();
    Frame& f = I.push_frame(F_NATIVE);
    f.native = finish_app11;
    I.call(std::move(p));
}

// app12: X Y1 Y2 [P] -> R1 R2, P run on Y1 and on Y2 each over the stack
// below them (as unary2 does), then X removed. Frame: q = P, y = Y2, x = R1,
// n = how many runs have finished.
void resume_app12(Interp& I, Frame& f) {
    Value r = I.end_test(f);
    if (f.n == 0) {
        f.n = 1;
        f.x = std::move(r);
        I.begin_test(f);
        I.push(std::move(f.y));
        Value p = f.q;
        I.call(std::move(p));  // may move the frame: f is not used after this
        return;
    }
    Value r1 = std::move(f.x);
    I.fr.pop_back();
    I.need(1, "app12");
    I.top() = std::move(r1);
    I.push(std::move(r));
}

void do_app12(Interp& I) {
    I.need(4, "app12");
    if (I.top().tag != T_LIST) I.type_error("quotation as top parameter", "app12");
    Value p = I.pop();
    Value y2 = I.pop();
    Value y1 = I.pop();
    Frame& f = I.push_frame(F_NATIVE);
    f.native = resume_app12;
    f.q = p;
    f.y = std::move(y2);
    f.n = 0;
    I.begin_test(f);
    I.push(std::move(y1));
    I.call(std::move(p));
}

// ---- persistent lists ----

PList* plist_at(Interp& I, size_t k, const char* word) {
    PList* p = as_plist(I.peek(k));
    if (!p) I.type_error(k ? "plist as second parameter" : "plist as top parameter", word);
    I.require(CAP_STORE, word);
    return p;
}

void do_plist_open(Interp& I) {  // "name" -> L
    Store& s = collection_store(I, "plist-open");
    I.need(1, "plist-open");
    const Value& name = I.top();
    if (name.tag != T_STRING && name.tag != T_USRDEF) I.type_error("table name as top parameter", "plist-open");
    I.top() = s.plist_open(name.tag == T_STRING ? name.u.str->view() : std::string_view(name.u.sym->name));
}

void do_plist_close(Interp& I) {  // L ->
    I.need(1, "plist-close");
    plist_at(I, 0, "plist-close")->close();
    I.pop();
}

void do_pappend(Interp& I) {  // L X -> L
    I.need(2, "pappend");
    plist_at(I, 1, "pappend")->append(I.top());
    I.pop();
}

int64_t plist_count(Interp& I, const char* word) {
    const Value& n = I.top();
    if (n.tag != T_INT || n.u.i < 0) I.type_error("non-negative integer", word);
    return n.u.i;
}

void do_ptake(Interp& I) {  // L N -> [X ...], the last N, oldest first
    I.need(2, "ptake");
    PList* p = plist_at(I, 1, "ptake");
    Value r = p->last(plist_count(I, "ptake"));
    I.drop(2);
    I.push(std::move(r));
}

void do_pnth(Interp& I) {  // L N -> X, counting from 0
    I.need(2, "pnth");
    PList* p = plist_at(I, 1, "pnth");
    Value r;
    if (!p->nth(plist_count(I, "pnth"), r)) I.type_error("smaller index", "pnth");
    I.drop(2);
    I.push(std::move(r));
}

// pfilter over a plist: the table is read a batch at a time, so memory
// holds one batch and the result, never the whole list. Frame: x the
// handle, q the test, y the result (last = its end cell), w the batch
// (pc = its next cell), z the element under test, n the read cursor.
constexpr size_t PFILTER_BATCH = 256;

void pfilter_next(Interp& I, Frame& f) {
    if (!f.pc) {
        std::vector<Value> batch;
        as_plist(f.x)->next_batch(f.n, batch, PFILTER_BATCH);
        ListBuilder b;
        for (Value& v : batch) b.push(std::move(v));
        f.w = b.take();
        f.pc = f.w.u.list;
        if (!f.pc) {
            Value result = std::move(f.y);
            I.fr.pop_back();
            I.push(std::move(result));
            return;
        }
    }
    f.z = head(f.pc);
    f.pc = tail(f.pc);
    I.begin_test(f);
    I.push(f.z);
    Value q = f.q;
    I.call(std::move(q));  // may move the frame: f is not used after this
}

void pfilter_resume(Interp& I, Frame& f) {
    Value r = I.end_test(f);
    if (I.truthy(r)) {
        Cell* c = cons_cell(std::move(f.z), nullptr);
        if (f.last) f.last->tail_ = c; else f.y = Value::adopt_list(c);
        f.last = c;
    }
    f.z = Value();
    pfilter_next(I, f);
}

const Builtin table[] = {
    {"first", do_first, "A -> F"},
    {"rest", do_rest, "A -> R"},
    {"cons", do_cons, "X A -> B"},
    {"swons", do_swons, "A X -> B"},
    {"uncons", do_uncons, "A -> F R"},
    {"unswons", do_unswons, "A -> R F"},
    {"concat", do_concat, "S T -> U"},
    {"enconcat", do_enconcat, "X S T -> U"},
    {"size", do_size, "A -> I"},
    {"at", do_at, "A I -> X"},
    {"of", do_of, "I A -> X"},
    {"take", do_take, "A N -> B"},
    {"drop", do_drop, "A N -> B"},
    {"in", do_in, "X A -> B"},
    {"has", do_has, "A X -> B"},
    {"null", do_null, "X -> B"},
    {"small", do_small, "X -> B"},
    {"leaf", do_leaf, "X -> B"},
    {"choice", do_choice, "B T F -> X"},
    {"opcase", do_opcase, "X [..[X Xs]..] -> X [Xs]"},
    {"equal", do_equal, "T U -> B"},
    {"app11", do_app11, "X Y [P] -> R"},
    {"app12", do_app12, "X Y1 Y2 [P] -> R1 R2"},
    {"plist-open", do_plist_open, "\"name\" -> L"},
    {"plist-close", do_plist_close, "L ->"},
    {"pappend", do_pappend, "L X -> L"},
    {"ptake", do_ptake, "L N -> [X ...]"},
    {"pnth", do_pnth, "L N -> X"},
};

}  // namespace

void plist_filter(Interp& I) {
    I.need(2, "pfilter");
    if (I.top().tag != T_LIST) I.type_error("quotation as top parameter", "pfilter");
    plist_at(I, 1, "pfilter");
    Value q = I.pop();
    Value l = I.pop();
    Frame& f = I.push_frame(F_NATIVE);
    f.native = pfilter_resume;
    f.x = std::move(l);
    f.q = std::move(q);
    f.y = Value::empty_list();
    f.n = PLIST_START;
    pfilter_next(I, f);
}

BuiltinTable list_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
