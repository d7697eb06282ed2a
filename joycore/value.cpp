// value.cpp - the cell pool, iterative freeing, strings, structural equality.
#include "value.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "dict.h"
#include "interp.h"

namespace joy {

__thread Pool tl_pool __attribute__((tls_model("initial-exec")));

namespace {
constexpr size_t CHUNK_CELLS = 4096;

// Objects whose count reached zero wait here, so freeing a deep structure
// never recurses.
thread_local std::vector<std::pair<Tag, HeapObj*>>* tl_pending = nullptr;
thread_local std::vector<std::pair<Tag, HeapObj*>>* tl_draining = nullptr;  // the queue in use
thread_local bool tl_freeing = false;
thread_local bool tl_thread_ended = false;  // the end hook below has run

// Cells are never given back to the system: a thread that ends leaves its
// free cells here for the next thread that needs some, so hosts that run
// Joy on many short threads reuse the same memory. `chunks` keeps every
// block allocated (a cell may be in use on any thread).
struct SharedCells {
    std::mutex lock;
    Cell* free_list = nullptr;
    std::vector<Cell*> chunks;
};
SharedCells& shared_cells() {
    static SharedCells* shared = new SharedCells;  // outlives every thread's exit
    return *shared;
}

// Made on a thread's first refill; at the thread's end it hands the free
// cells on (tl_pool itself stays trivial, so using it costs no TLS wrapper).
struct ThreadEnd {
    bool armed = false;
    ~ThreadEnd() {
        tl_thread_ended = true;
        delete tl_pending;
        tl_pending = nullptr;
        Pool& p = tl_pool;
        if (!p.free_list) return;
        Cell* last = p.free_list;
        while (last->tail_) last = last->tail_;
        SharedCells& s = shared_cells();
        std::lock_guard<std::mutex> guard(s.lock);
        last->tail_ = s.free_list;
        s.free_list = p.free_list;
        p.free_list = nullptr;
    }
};
thread_local ThreadEnd tl_thread_end;

void free_one(Tag t, HeapObj* h, std::vector<std::pair<Tag, HeapObj*>>& pending) {
    auto drop = [&](Value& v) {
        if (v.tag >= FIRST_HEAP && v.u.heap && --v.counted()->rc == 0) pending.emplace_back(v.tag, v.counted());
        v.tag = T_NIL;
    };
    switch (t) {
    case T_LIST: {
        Cell* c = static_cast<Cell*>(h);
        for (;;) {
            Cell* next;
            if (c->stub) {
                Object* src = reinterpret_cast<Object*>(c->tail_);
                next = nullptr;
                c->head_.tag = T_NIL;
                if (--src->rc == 0) pending.emplace_back(T_HANDLE, src);
            } else {
                drop(c->head_);
                next = c->tail_;
            }
            Pool& p = tl_pool;
            c->tail_ = p.free_list;
            p.free_list = c;
            p.bytes -= sizeof(Cell);
            if (!next || --next->rc != 0) break;
            c = next;
        }
        break;
    }
    case T_STRING: {
        Str* s = static_cast<Str*>(h);
        unaccount(sizeof(Str) + s->len);
        std::free(s);
        break;
    }
    case T_DICT: {
        Dict* d = static_cast<Dict*>(h);
        for (auto& e : d->entries) { drop(e.key); drop(e.val); }
        delete d;
        break;
    }
    default:
        delete static_cast<Object*>(h);
        break;
    }
}
}  // namespace

void Value::destroy(Tag t, HeapObj* h) {
    if (tl_freeing) {  // already draining: queue it
        tl_draining->emplace_back(t, h);
        return;
    }
    // Values freed by thread_local objects destroyed after the thread's end
    // hook use a queue of their own, not one that would outlive the thread.
    std::vector<std::pair<Tag, HeapObj*>> last_queue;
    if (!tl_pending && !tl_thread_ended) {
        tl_pending = new std::vector<std::pair<Tag, HeapObj*>>();
        tl_thread_end.armed = true;
    }
    auto& pending = tl_thread_ended ? last_queue : *tl_pending;
    tl_draining = &pending;
    tl_freeing = true;
    free_one(t, h, pending);
    while (!pending.empty()) {
        auto [pt, ph] = pending.back();
        pending.pop_back();
        free_one(pt, ph, pending);
    }
    tl_freeing = false;
}

Cell* refill_pool() {
    tl_thread_end.armed = true;  // constructs it: the hand-over runs at this thread's end
    Pool& p = tl_pool;
    SharedCells& s = shared_cells();
    std::lock_guard<std::mutex> guard(s.lock);
    if (s.free_list) {  // cells a finished thread left: take a chunk's worth
        Cell* first = s.free_list;
        Cell* last = first;
        for (size_t n = 1; n < CHUNK_CELLS && last->tail_; ++n) last = last->tail_;
        s.free_list = last->tail_;
        last->tail_ = nullptr;
        p.free_list = first;
        return first;
    }
    Cell* chunk = static_cast<Cell*>(std::malloc(CHUNK_CELLS * sizeof(Cell)));
    if (!chunk) throw std::bad_alloc();
    s.chunks.push_back(chunk);
    for (size_t i = 0; i < CHUNK_CELLS; ++i) chunk[i].tail_ = i + 1 < CHUNK_CELLS ? &chunk[i + 1] : nullptr;
    p.free_list = chunk;
    return chunk;
}

void Pool::over_limit() {
    throw JoyError("run time error: memory limit exceeded");
}

void force_stub(Cell* c) {
    LazySource* src = reinterpret_cast<LazySource*>(c->tail_);
    int64_t node = c->head_.u.i;
    src->force(c, node);  // fills head_ and tail_, clears stub
    if (--src->rc == 0) Value::destroy(T_HANDLE, src);
}

Str* alloc_str(size_t len) {
    if (len > UINT32_MAX - 64) throw JoyError("run time error: string too long");
    account(sizeof(Str) + len);
    tl_pool.work += len / 16;  // a string is filled in proportion to its length: steps
    Str* s = static_cast<Str*>(std::malloc(sizeof(Str) + len));
    if (!s) { unaccount(sizeof(Str) + len); throw std::bad_alloc(); }
    s->rc = 1;
    s->len = uint32_t(len);
    s->data[len] = 0;
    return s;
}

Value make_string(std::string_view sv) {
    Str* s = alloc_str(sv.size());
    if (!sv.empty()) std::memcpy(s->data, sv.data(), sv.size());
    return Value::adopt_str(s);
}

size_t list_length(Cell* c) {
    size_t n = 0;
    for (; c; c = tail(c)) ++n;
    return n;
}

bool values_equal(const Value& a0, const Value& b0, Interp* charge_to) {
    std::vector<std::pair<const Value*, const Value*>> work;
    work.emplace_back(&a0, &b0);
    auto scalar_eq = [](const Value& a, const Value& b) -> int {
        if (a.tag == T_LIST || b.tag == T_LIST) return -1;  // handled by caller
        if (a.is_number() && b.is_number()) {
            if (a.tag == T_INT && b.tag == T_INT) return a.u.i == b.u.i;
            return a.as_double() == b.as_double();
        }
        if ((a.tag == T_INT || a.tag == T_CHAR || a.tag == T_BOOL) &&
            (b.tag == T_INT || b.tag == T_CHAR || b.tag == T_BOOL))
            return a.tag == b.tag ? a.u.i == b.u.i : 0;
        if (a.tag != b.tag) return 0;
        switch (a.tag) {
        case T_NIL: return 1;
        case T_SET: return a.u.set == b.u.set;
        case T_STRING: return a.u.str->view() == b.u.str->view();
        case T_USRDEF: return a.u.sym == b.u.sym;
        case T_BUILTIN: return a.u.bi == b.u.bi;
        case T_DICT: return -2;
        default: return a.u.heap == b.u.heap;
        }
    };
    while (!work.empty()) {
        auto [a, b] = work.back();
        work.pop_back();
        if (charge_to) charge_to->charge(1);
        if (a->tag == T_LIST && b->tag == T_LIST) {
            Cell* x = a->u.list;
            Cell* y = b->u.list;
            while (x && y) {
                if (x == y) { x = y = nullptr; break; }
                work.emplace_back(&head(x), &head(y));
                x = tail(x);
                y = tail(y);
            }
            if (x || y) return false;
            continue;
        }
        int r = scalar_eq(*a, *b);
        if (r == 0 || r == -1) return false;
        if (r == -2) {
            const Dict* da = a->u.dict;
            const Dict* db = b->u.dict;
            if (da == db) continue;
            if (da->size() != db->size()) return false;
            bool ok = true;
            da->each([&](const Value& k, const Value& v) {
                if (!ok) return;
                const Value* w = db->get(k.u.str->view());
                if (!w) ok = false;
                else work.emplace_back(&v, w);
            });
            if (!ok) return false;
        }
    }
    return true;
}

}  // namespace joy
