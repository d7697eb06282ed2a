// value.h - Joy values: a 16-byte tagged Value, immutable reference-counted
// heap objects (cons cells, strings, dictionaries, files, host handles) and
// the per-thread cell pool they are allocated from.
//
// Memory model. Joy values are immutable, so no value can ever refer to
// itself: reference counting reclaims everything, at once, and long loops
// run in constant memory. Integers, floats, chars, booleans, sets and nil are
// unboxed. Lists are chains of 32-byte cells from a free-list pool. Freeing
// is iterative, so a million-element or million-deep list never recurses on
// the C stack. A cell may be a *stub* whose contents a LazySource supplies on
// first access (a persisted list paged in row by row); every read of a cell
// goes through head()/tail(), which force stubs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace joy {

enum Tag : uint8_t {
    T_NIL,      // the null value (SQL NULL, JSON null)
    T_BOOL,
    T_CHAR,
    T_INT,
    T_FLOAT,
    T_SET,      // 64-bit set of small integers
    T_USRDEF,   // reference to a symbol (user definition or undefined name)
    T_BUILTIN,  // reference to a builtin
    // Everything from here on is a counted heap object (pointer may be null
    // only for T_LIST, the empty list).
    T_LIST,
    T_STRING,
    T_DICT,
    T_FILE,
    T_HANDLE,   // host object (persistent collections, database handles)
};
constexpr Tag FIRST_HEAP = T_LIST;

struct Cell;
struct Str;
struct Dict;
struct Sym;
struct Builtin;
struct HeapObj;
class Interp;

// Common header of every counted heap object.
struct HeapObj {
    uint32_t rc = 1;
};

// Objects with behaviour (files, host handles, lazy sources) are polymorphic.
struct Object : HeapObj {
    virtual ~Object() = default;
    virtual const char* kind() const = 0;
};

class Value {
public:
    Tag tag = T_NIL;
    union {
        int64_t i;
        double f;
        uint64_t set;
        Cell* list;
        Str* str;
        Dict* dict;
        Object* obj;
        HeapObj* heap;
        Sym* sym;
        const Builtin* bi;
    } u;

    Value() { u.i = 0; }
    ~Value() { release(); }
    Value(const Value& o) : tag(o.tag), u(o.u) { retain(); }
    Value(Value&& o) noexcept : tag(o.tag), u(o.u) { o.tag = T_NIL; }
    Value& operator=(const Value& o) {
        if (this != &o) { o.retain(); release(); tag = o.tag; u = o.u; }
        return *this;
    }
    Value& operator=(Value&& o) noexcept {
        if (this != &o) { release(); tag = o.tag; u = o.u; o.tag = T_NIL; }
        return *this;
    }

    static Value nil() { return Value(); }
    static Value boolean(bool b) { Value v; v.tag = T_BOOL; v.u.i = b; return v; }
    static Value chr(int c) { Value v; v.tag = T_CHAR; v.u.i = c & 0xff; return v; }
    // A char keeps the full value arithmetic or chr gives it, as in Joy1
    // ('s 217 + ord is 332); it prints and converts as its low byte.
    static Value char_code(int64_t c) { Value v; v.tag = T_CHAR; v.u.i = c; return v; }
    static Value integer(int64_t n) { Value v; v.tag = T_INT; v.u.i = n; return v; }
    static Value flt(double d) { Value v; v.tag = T_FLOAT; v.u.f = d; return v; }
    static Value setv(uint64_t s) { Value v; v.tag = T_SET; v.u.set = s; return v; }
    static Value usrdef(Sym* s) { Value v; v.tag = T_USRDEF; v.u.sym = s; return v; }
    static Value builtin(const Builtin* b) { Value v; v.tag = T_BUILTIN; v.u.bi = b; return v; }
    // Adopt an owned reference (the caller's count passes to the Value).
    static Value adopt_list(Cell* c) { Value v; v.tag = T_LIST; v.u.list = c; return v; }
    static Value adopt_str(Str* s) { Value v; v.tag = T_STRING; v.u.str = s; return v; }
    static Value adopt_dict(Dict* d) { Value v; v.tag = T_DICT; v.u.dict = d; return v; }
    static Value adopt_obj(Tag t, Object* o) { Value v; v.tag = t; v.u.obj = o; return v; }
    static Value empty_list() { return adopt_list(nullptr); }

    bool is_heap() const { return tag >= FIRST_HEAP; }
    bool is_list() const { return tag == T_LIST; }
    bool is_number() const { return tag == T_INT || tag == T_FLOAT; }
    // Joy1's numeric family: integers and chars (and booleans in some words).
    bool is_intlike() const { return tag == T_INT || tag == T_CHAR; }
    double as_double() const { return tag == T_FLOAT ? u.f : double(u.i); }

    // Give up ownership without releasing (for building structures in place).
    HeapObj* steal() { HeapObj* h = u.heap; tag = T_NIL; return h; }

    // The count of a heap value. Files and handles are Objects, whose vtable
    // pointer comes first: their HeapObj part is not at the address u.obj
    // holds, so they convert properly instead of reading through u.heap.
    HeapObj* counted() const { return tag >= T_FILE ? static_cast<HeapObj*>(u.obj) : u.heap; }
    void retain() const {
        if (tag >= FIRST_HEAP && u.heap) ++counted()->rc;
    }
    void release() {
        if (tag >= FIRST_HEAP && u.heap && --counted()->rc == 0) destroy(tag, counted());
        tag = T_NIL;
    }
    static void destroy(Tag t, HeapObj* h);
};
static_assert(sizeof(Value) == 16, "Value must stay 16 bytes");

// A lazy source fills stub cells on demand. force() must set the stub's head
// and tail (tail may itself be a new stub) and must not throw after it has
// modified the stub.
struct LazySource : Object {
    const char* kind() const override { return "lazy source"; }
    virtual void force(Cell* stub, int64_t node) = 0;
    // At least how many cells the list from `node` on has, a nested list
    // counted each time it occurs (as its text writes it), or at least
    // `cap`. Measured where the cells are kept, without making them, so a
    // value whose parts are shared many times is measured in time linear
    // in what is kept (see check_text_fits).
    virtual size_t cells_at_least(int64_t node, size_t cap) { return 1; }
};

struct Cell : HeapObj {
    uint32_t stub;   // nonzero: head holds the node id (T_INT), tail is a LazySource*
    Value head_;
    Cell* tail_;
};
static_assert(sizeof(Cell) == 32, "Cell must stay 32 bytes");

// Per-thread allocation pool and memory accounting. `limit` is the budget in
// bytes for the run in progress; allocation beyond it throws a Joy error.
// Counts are signed: a value made on one thread may be freed on another
// (a connection used from several threads), so one thread's net count can
// go below zero.
struct Pool {
    Cell* free_list = nullptr;
    int64_t bytes = 0;       // live bytes in cells, strings, dicts, objects
    int64_t limit = INT64_MAX;
    // The thread's step counter: terms the interpreter ran, and cells
    // walked (tail) and made (alloc_cell), the work of words whose cost
    // grows with their input. An Interp counts its steps from it.
    uint64_t work = 0;
    // While a run is on: when `work` reaches check_at, making a cell calls
    // the run's check of limits and interrupts (a single word that builds a
    // huge list meets them as it builds).
    uint64_t check_at = UINT64_MAX;
    void (*check)(void*) = nullptr;
    void* check_arg = nullptr;
    [[noreturn]] void over_limit();
};
// __thread, not thread_local: its initializer is constant, so no access
// goes through a per-access initialization check (a call) of thread_local.
extern __thread Pool tl_pool __attribute__((tls_model("initial-exec")));

void force_stub(Cell* c);
inline const Value& head(Cell* c) {
    if (__builtin_expect(c->stub, 0)) force_stub(c);
    return c->head_;
}
inline Cell* tail(Cell* c) {
    if (__builtin_expect(c->stub, 0)) force_stub(c);
    ++tl_pool.work;
    return c->tail_;
}

struct Str : HeapObj {
    uint32_t len;
    char data[1];  // len bytes + NUL
    std::string_view view() const { return {data, len}; }
};


Cell* refill_pool();
inline Cell* alloc_cell() {
    Pool& p = tl_pool;
    if (__builtin_expect(++p.work >= p.check_at, 0)) p.check(p.check_arg);
    Cell* c = p.free_list;
    if (__builtin_expect(!c, 0)) c = refill_pool();
    p.free_list = c->tail_;
    p.bytes += sizeof(Cell);
    if (__builtin_expect(p.bytes > p.limit, 0)) {
        c->tail_ = p.free_list;
        p.free_list = c;
        p.bytes -= sizeof(Cell);
        p.over_limit();
    }
    c->rc = 1;
    c->stub = 0;
    return c;
}
// Account bytes outside the cell pool (strings, dict tables, host objects).
inline void account(size_t n) {
    Pool& p = tl_pool;
    p.bytes += int64_t(n);
    if (__builtin_expect(p.bytes > p.limit, 0)) { p.bytes -= int64_t(n); p.over_limit(); }
}
inline void unaccount(size_t n) { tl_pool.bytes -= int64_t(n); }

// cons: a new cell owning `h` and one reference to `t` (transferred).
inline Cell* cons_cell(Value h, Cell* t) {
    Cell* c = alloc_cell();
    new (&c->head_) Value(std::move(h));
    c->tail_ = t;
    return c;
}
inline Value cons(Value h, Value t) {  // t must be a list
    Cell* tc = static_cast<Cell*>(t.steal());
    return Value::adopt_list(cons_cell(std::move(h), tc));
}
inline Cell* retain_cell(Cell* c) { if (c) ++c->rc; return c; }

// Strings
Value make_string(std::string_view s);
Str* alloc_str(size_t len);  // uninitialised contents, NUL-terminated

// Builds a list front to back in O(1) per element.
class ListBuilder {
public:
    void push(Value v) {
        Cell* c = cons_cell(std::move(v), nullptr);
        if (last_) last_->tail_ = c; else head_ = Value::adopt_list(c);
        last_ = c;
    }
    // Append a shared tail (the builder takes one reference).
    void append_tail(Cell* t) {
        if (last_) last_->tail_ = retain_cell(t);
        else head_ = Value::adopt_list(retain_cell(t));
    }
    bool empty() const { return last_ == nullptr; }
    Value take() { last_ = nullptr; return std::move(head_); }
private:
    Value head_ = Value::empty_list();
    Cell* last_ = nullptr;
};

size_t list_length(Cell* c);

// Structural helpers.
// Joy1 `equal`, iterative; each pair compared is charged to `charge_to` as a
// step if given (shared structure can make comparing exponential).
bool values_equal(const Value& a, const Value& b, Interp* charge_to = nullptr);

}  // namespace joy
