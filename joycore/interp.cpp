// interp.cpp - the evaluator loop, limits, symbols and the stack guard.
#include "interp.h"

#include <algorithm>
#include <new>
#include <stdexcept>

#include "dict.h"
#include "file.h"
#include "printer.h"
#include "reader.h"

namespace joy {

namespace {

std::vector<const Builtin*> make_table() {
    std::vector<const Builtin*> all;
    for (BuiltinTable t : {stack_builtins(), arith_builtins(), logic_builtins(), list_builtins(),
                           combinator_builtins(), string_builtins(), io_builtins(), system_builtins(),
                           dict_builtins(), numeric_builtins(), persist_builtins()})
        for (size_t i = 0; i < t.count; ++i) all.push_back(&t.items[i]);
    return all;
}
}  // namespace

const std::vector<const Builtin*>& Interp::builtin_table() {
    static const std::vector<const Builtin*> table = make_table();
    return table;
}

Interp::Interp(Host* h) : host(h) {
    for (const Builtin* b : builtin_table()) builtins_.emplace(b->name, b);
    stk.reserve(64);
    fr.reserve(64);
}

Interp::~Interp() {
    includes.clear();
    stk.clear();
    fr.clear();
    spill_stack.clear();
    for (Sym& s : syms_) s.body = Value();
}

const Builtin* Interp::find_builtin(std::string_view name) const {
    auto it = builtins_.find(name);
    return it != builtins_.end() ? it->second : nullptr;
}

Sym* Interp::find_sym(std::string_view name) {
    auto it = symtab_.find(std::string(name));
    return it == symtab_.end() ? nullptr : it->second;
}

Sym* Interp::intern(std::string_view name) {
    std::string key(name);
    auto it = symtab_.find(key);
    if (it != symtab_.end()) return it->second;
    syms_.emplace_back();
    ++symbols_made_;
    Sym* s = &syms_.back();
    s->name = key;
    s->builtin = find_builtin(name);
    symtab_.emplace(std::move(key), s);
    if (!s->builtin && host) host->lookup_definition(*this, *s);
    return s;
}

void Interp::forget_symbols(size_t mark) {
    for (; symbols_made_ > mark; --symbols_made_) {
        Sym& s = syms_.back();
        auto it = symtab_.find(s.name);
        if (it != symtab_.end() && it->second == &s) symtab_.erase(it);
        syms_.pop_back();
    }
}

Sym* Interp::new_private_symbol(std::string_view name) {
    syms_.emplace_back();
    ++symbols_made_;
    Sym* s = &syms_.back();
    s->name = std::string(name);
    s->hidden = true;
    return s;
}

std::string stored_name(const Sym& s) {
    std::string key = s.name;
    const Sym* at = &s;
    for (int depth = 0; at->hidden; ++depth) {  // blocks nest at most 64 deep
        if (!at->owner || depth > 64) return std::string();
        at = at->owner;
        key = at->name + "~" + key;
    }
    return key;
}

std::string name_to_read_back(const Sym& s) {
    if (!s.hidden) return s.name;
    std::string key = stored_name(s);
    return key.empty() ? s.name : key;
}

void Interp::define(Sym* s, Value body) {
    redefine(s, std::move(body), true);
}

void Interp::undefine(Sym* s) {
    redefine(s, Value(), false);
}

// A definition the host cannot store (a read-only or broken database) is
// not made either: what the word was comes back.
void Interp::redefine(Sym* s, Value body, bool defined) {
    Redefinition before{s, s->body, s->defined, s->from_store};
    if (journal) journal->push_back(before);
    s->body = std::move(body);
    s->defined = defined;
    if (!host) return;
    try {
        host->on_define(*s);
    } catch (...) {
        s->body = std::move(before.body);
        s->defined = before.defined;
        s->from_store = before.from_store;
        throw;
    }
}

void Interp::undo(std::vector<Redefinition>& changes) {
    while (!changes.empty()) {
        Redefinition& r = changes.back();
        r.sym->body = std::move(r.body);
        r.sym->defined = r.defined;
        r.sym->from_store = r.from_store;
        changes.pop_back();
    }
}

std::vector<Sym*> Interp::all_symbols() const {
    std::vector<Sym*> out;
    for (auto& [name, s] : symtab_) out.push_back(s);
    std::sort(out.begin(), out.end(), [](Sym* a, Sym* b) { return a->name < b->name; });
    return out;
}

void Host::open_world(Interp& I, std::string_view) {
    I.error("opening a database file is not possible here (the world is this connection's database)");
}

void Host::close_world(Interp& I) {
    I.error("closing the world is not possible here (the world is this connection's database)");
}

// ---- errors ----

void Interp::error(const std::string& msg) { throw JoyError("run time error: " + msg); }

void Interp::arity_error(size_t n, const char* word) {
    static const char* names[] = {"no", "one", "two", "three", "four", "five", "six"};
    std::string count = n < 7 ? names[n] : std::to_string(n);
    error(count + (n == 1 ? " parameter" : " parameters") + " needed for " + word);
}

void Interp::type_error(const char* what, const char* word) {
    error(std::string(what) + " needed for " + word);
}

void Interp::require(uint32_t cap, const char* word) {
    if (caps & cap) return;
    const char* what = cap == CAP_FILES ? "file and system access"
                     : cap == CAP_OUTPUT ? "output"
                     : cap == CAP_NONDET ? "time and random numbers"
                     : "persistence and SQL";
    error(std::string(word) + " is not allowed here (" + what + " disabled)");
}

void Interp::out(std::string_view s) {
    if (!(caps & CAP_OUTPUT)) require(CAP_OUTPUT, "output");
    host->write_out(s);
}

// ---- the stack guard ----

// Values between lo and the guard are about to be popped or replaced by a
// builtin while a test is running: keep copies so the test frame can put
// the stack back. They are kept top first.
void Interp::spill(size_t lo) {
    for (size_t i = guard; i-- > lo;) spill_stack.push_back(stk[i]);
    guard = lo;
}

void Interp::begin_test(Frame& f) {
    f.h = uint32_t(stk.size());
    f.g = uint32_t(guard);
    f.sb = uint32_t(spill_stack.size());
    f.testing = true;
    guard = stk.size();
}

Value Interp::end_test(Frame& f) {
    if (stk.empty()) error("a value needed as result of a quotation, but the stack is empty");
    Value result;
    if (stk.size() > guard) {
        result = std::move(stk.back());
        stk.pop_back();
    } else {
        result = stk.back();  // the test consumed its input: the top is an original
    }
    restore_test(f);
    return result;
}

void Interp::restore_test(Frame& f) {
    put_back_test(f.g, f.sb);
    f.testing = false;
}

void Interp::put_back_test(size_t outer_guard, size_t spill_base) {
    stk.resize(std::min(stk.size(), guard));
    while (spill_stack.size() > spill_base) {
        stk.push_back(std::move(spill_stack.back()));
        spill_stack.pop_back();
    }
    guard = outer_guard;
}

Interp::Quick Interp::quick_test(const Value& q, const char* word, bool known_quick) {
    Value result;
    if (!quick_result(q, nullptr, word, "value to push", result, known_quick)) return NOT_QUICK;
    return truthy(result) ? QUICK_TRUE : QUICK_FALSE;
}

bool Interp::is_quick(const Value& q) const {
    constexpr int MOST_TERMS = 8;
    static const Builtin* conts = find_builtin("conts");
    int terms = 0;
    for (Cell* c = q.u.list; c; c = c->tail_) {
        if (c->stub || c->head_.tag == T_USRDEF || ++terms > MOST_TERMS) return false;
        if (c->head_.tag == T_BUILTIN && c->head_.u.bi == conts) return false;
    }
    return true;
}

void Interp::run_terms(Cell* p) {
    size_t base = fr.size();
    if (!p && step_due()) periodic_check();  // an empty quotation is a step
    for (Cell* c = p; c; c = c->tail_) {
        if (step_due()) periodic_check();
        const Value& x = c->head_;
        if (x.tag == T_BUILTIN) {
            x.u.bi->fn(*this);
            if (fr.size() > base) loop(base);  // a combinator among the terms
        } else {
            stk.push_back(x);
        }
    }
}

bool Interp::quick_result(const Value& q, Value* arg, const char* word, const char* what, Value& result,
                          bool known_quick) {
    if (!known_quick && !is_quick(q)) return false;
    size_t outer_guard = guard, spill_base = spill_stack.size(), base = fr.size();
    guard = stk.size();
    try {
        if (arg) stk.push_back(std::move(*arg));
        run_terms(q.u.list);
        if (stk.empty()) type_error(what, word);
    } catch (...) {
        unwind_frames(base);
        put_back_test(outer_guard, spill_base);
        throw;
    }
    if (stk.size() > guard) {
        result = std::move(stk.back());
        stk.pop_back();
    } else {
        result = stk.back();  // the test consumed its input: the top is an original
    }
    put_back_test(outer_guard, spill_base);
    return true;
}

bool Interp::truthy(const Value& v) const {
    switch (v.tag) {
    case T_NIL: return false;
    case T_FLOAT: return v.u.f != 0.0;
    case T_LIST: return v.u.list != nullptr;
    case T_STRING: return v.u.str->len != 0;
    case T_DICT: return v.u.dict->size() != 0;
    case T_SET: return v.u.set != 0;
    case T_FILE: return !is_null_file(v);
    case T_USRDEF: case T_BUILTIN: case T_HANDLE: return true;
    default: return v.u.i != 0;
    }
}

// ---- frames ----

Frame& Interp::push_frame(FrameKind k) {
    if (__builtin_expect(limits.depth && fr.size() >= limits.depth, 0))
        error("recursion depth exceeded (limit " + std::to_string(limits.depth) + ")");
    return fr.emplace_back(k);
}

void Interp::periodic_check() {
    uint64_t taken = steps_taken();
    if (limits.steps && taken >= limits.steps)
        error("step limit exceeded (" + std::to_string(limits.steps) + " steps)");
    if (host && host->interrupted()) error("interrupted");
    if (limits.memory) {
        int64_t used = tl_pool.bytes + int64_t(stk.capacity() * sizeof(Value) + fr.capacity() * sizeof(Frame) +
                                               spill_stack.capacity() * sizeof(Value));
        if (used > limits.memory_mark(mem_base_)) error("memory limit exceeded");
    }
    uint64_t interval = CHECK_INTERVAL;
    if (limits.steps && limits.steps - taken < interval) interval = limits.steps - taken;
    next_check_ = tl_pool.work + interval;
    if (tl_pool.check_arg == this) tl_pool.check_at = next_check_;
}

// After an error the frames are dropped; values spilled by running tests
// go back, so the stack is whole (Joy1 keeps the stack after an error).
void Interp::reset_after_error() {
    top_rest = nullptr;
    unwind_frames(0);
    spill_stack.clear();
    guard = 0;
}

void Interp::unwind_frames(size_t base) {
    while (fr.size() > base) {
        Frame& f = fr.back();
        if (f.testing) {
            put_back_test(f.g, f.sb);
        } else if (f.unwind) {
            f.unwind(*this, f);
        } else if (f.kind == F_INFRA) {  // put the set-aside stack back
            stk.clear();
            for (Cell* c = f.x.u.list; c; c = tail(c)) stk.push_back(head(c));
            guard = f.g;
        }
        fr.pop_back();
    }
}

namespace {
// The error being handled, as the JoyError a run throws: the system
// refusing memory (or a container its size) is a Joy error like any other,
// and the host lives on; so is any other failure.
[[noreturn]] void rethrow_as_joy_error() {
    try {
        throw;
    } catch (const JoyError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw JoyError("run time error: out of memory");
    } catch (const std::length_error&) {
        throw JoyError("run time error: out of memory");
    } catch (const std::exception& e) {
        throw JoyError(std::string("run time error: internal error: ") + e.what());
    }
}
}  // namespace

// The outermost run counts steps and memory from zero, and registers its
// checks for the cells it makes (see Pool::check_at); a run on another
// interpreter nested in this one (SQL from Joy) registers its own, so the
// ones it found are put back when it ends.
struct Interp::OutermostRun {
    Interp& I;
    int64_t limit = tl_pool.limit;
    uint64_t check_at = tl_pool.check_at;
    void (*check)(void*) = tl_pool.check;
    void* check_arg = tl_pool.check_arg;
    explicit OutermostRun(Interp& in) : I(in) {
        I.begin_counting();
        tl_pool.limit = I.limits.memory_mark(tl_pool.bytes);
        tl_pool.check = [](void* self) { static_cast<Interp*>(self)->periodic_check(); };
        tl_pool.check_arg = &I;
        tl_pool.check_at = I.next_check_;
        I.running_ = true;
    }
    ~OutermostRun() {
        I.running_ = false;
        tl_pool.limit = limit;
        tl_pool.check_at = check_at;
        tl_pool.check = check;
        tl_pool.check_arg = check_arg;
    }
};

void Interp::run(const Value& program) {
    if (program.tag != T_LIST) error("program must be a list");
    if (running_) {  // include, or a nested program: the outermost run cleans up
        size_t base = fr.size();
        try {
            call(program);
            loop(base);
        } catch (...) {
            rethrow_as_joy_error();
        }
        return;
    }
    OutermostRun outermost(*this);
    try {
        run_outermost(program);
    } catch (...) {
        reset_after_error();
        rethrow_as_joy_error();
    }
}

// The outermost program runs without a frame while its terms are builtins
// and literals (most programs given to SQL functions are): each term in
// turn, and whatever frames a builtin pushes run to their end before the
// next term. From its first user word on, the rest runs as a program
// frame. `top_rest` is the rest meanwhile, for conts.
__attribute__((always_inline)) inline void Interp::run_outermost(const Value& program) {
    Cell* c = program.u.list;
    if (!c) {  // an empty program is a step, as an empty quotation is
        if (step_due()) periodic_check();
        return;
    }
    for (; c; c = top_rest) {
        if (__builtin_expect(c->stub, 0)) force_stub(c);
        const Value& x = c->head_;
        if (x.tag == T_USRDEF) break;
        if (step_due()) periodic_check();
        top_rest = c->tail_;
        if (x.tag == T_BUILTIN) {
            x.u.bi->fn(*this);
            if (!fr.empty()) loop(0);
        } else {
            stk.push_back(x);
        }
    }
    top_rest = nullptr;
    if (!c) return;
    Frame& f = push_frame(F_PROG);
    f.pc = c;
    f.q = program;
    loop(0);
}

void Interp::loop(size_t base) {
    while (fr.size() > base) {
        Frame& f = fr.back();
        if (f.kind != F_PROG) {
            resume(f);
            continue;
        }
        Cell* c = f.pc;
        if (!c) {
            // Running an empty quotation is a step too: loops over one
            // (`maxint [] times`) must still meet the step limit.
            if (step_due()) periodic_check();
            fr.pop_back();
            continue;
        }
        if (step_due()) periodic_check();
        if (__builtin_expect(c->stub, 0)) force_stub(c);
        f.pc = c->tail_;
        const Value& x = c->head_;
        switch (x.tag) {
        case T_BUILTIN: {
            void (*fn)(Interp&) = x.u.bi->fn;
            if (!f.pc) fr.pop_back();  // tail position: this program is done
            fn(*this);
            break;
        }
        case T_USRDEF: {
            Sym* s = x.u.sym;
            if (__builtin_expect(s->from_store & check_stored, 0)) {
                check_stored = false;
                host->refresh_definitions(*this);
            }
            if (__builtin_expect(!s->defined, 0)) {
                if (s->builtin) {  // a builtin the host supplies late
                    void (*fn)(Interp&) = s->builtin->fn;
                    if (!f.pc) fr.pop_back();
                    fn(*this);
                    break;
                }
                if (!(host && host->lookup_definition(*this, *s)) || !s->defined) {
                    if (undeferror) error("definition needed for " + s->name);
                    if (!f.pc) fr.pop_back();
                    break;
                }
            }
            if (!f.pc) {  // tail call: reuse the frame
                f.pc = s->body.u.list;
                f.q = s->body;
            } else {
                Frame& g = push_frame(F_PROG);
                g.pc = s->body.u.list;
                g.q = s->body;
            }
            break;
        }
        default:
            stk.push_back(x);
            if (!f.pc) fr.pop_back();
            break;
        }
    }
}

}  // namespace joy
