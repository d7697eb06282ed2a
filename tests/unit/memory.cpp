// memory.cpp - reference counting frees everything, loops run in constant
// memory, huge structures free without recursion, and lazy cells page in.
#include <catch2/catch.hpp>

#include "support.h"

using namespace joy;

TEST_CASE("a finished program leaves no live cells behind", "[memory]") {
    int64_t before = tl_pool.bytes;
    {
        CaptureHost host;
        Interp I(&host);
        run(I, host, "[1 2 3] [dup *] map [2 rem 0 =] filter pop. \"abc\" \"def\" pop pop.");
        CHECK(I.stk.empty());
    }
    CHECK(tl_pool.bytes == before);
}

TEST_CASE("a long loop runs in constant memory", "[memory]") {
    CaptureHost host;
    Interp I(&host);
    run(I, host, "0 1000 [[1 2 3] [dup] map pop 1 +] times pop.");
    int64_t after_small = tl_pool.bytes;
    run(I, host, "0 200000 [[1 2 3] [dup] map pop 1 +] times pop.");
    CHECK(tl_pool.bytes == after_small);
}

TEST_CASE("freeing a deep or long list does not recurse", "[memory]") {
    int64_t before = tl_pool.bytes;
    {
        CaptureHost host;
        Interp I(&host);
        run(I, host, "[] 1000000 [[] cons] times pop.");
        run(I, host, "[] 1000000 [0 swap cons] times pop.");
    }
    CHECK(tl_pool.bytes == before);
}

namespace {
// Supplies the integers start, start+1, ... end-1, one cell at a time.
struct CountingSource : LazySource {
    int64_t end;
    int forced = 0;
    explicit CountingSource(int64_t e) : end(e) {}
    void force(Cell* stub, int64_t node) override {
        ++forced;
        Cell* next = nullptr;
        if (node + 1 < end) {
            next = alloc_cell();
            next->stub = 1;
            new (&next->head_) Value(Value::integer(node + 1));
            ++rc;
            next->tail_ = reinterpret_cast<Cell*>(this);
        }
        stub->head_ = Value::integer(node);
        stub->tail_ = next;
        stub->stub = 0;
    }
};

Value lazy_list(CountingSource* src, int64_t start) {
    Cell* c = alloc_cell();
    c->stub = 1;
    new (&c->head_) Value(Value::integer(start));
    c->tail_ = reinterpret_cast<Cell*>(src);  // takes the source's reference
    return Value::adopt_list(c);
}
}  // namespace

TEST_CASE("a lazy list pages in only what is used", "[memory][lazy]") {
    auto* src = new CountingSource(1000000);
    src->rc = 2;  // one for the list, one for this test
    CaptureHost host;
    Interp I(&host);
    I.push(lazy_list(src, 0));
    run(I, host, "rest rest first.");
    CHECK(host.out == "2\n");
    CHECK(src->forced == 3);
    I.push(lazy_list(src, 0));
    ++src->rc;
    run(I, host, "0 [+] fold.");
    CHECK(host.out == "499999500000\n");
    Value::destroy(T_HANDLE, src->rc == 1 ? src : (--src->rc, nullptr));
}
