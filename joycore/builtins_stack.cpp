// builtins_stack.cpp - shuffling the data stack: dup, swap, pop, rollup ...
//
// Pattern for every builtin family: a static function per word that checks
// its arity with I.need() (or I.need_read() when it only reads), then works
// on I.stk directly; a table at the end maps names to functions.
#include "interp.h"

namespace joy {
namespace {

void do_id(Interp&) {}

void do_dup(Interp& I) {
    I.need_read(1, "dup");
    I.push(I.top());
}

void do_dupd(Interp& I) {  // Y Z -> Y Y Z
    I.need(2, "dupd");
    Value z = I.pop();
    I.push(I.top());
    I.push(std::move(z));
}

void do_pop(Interp& I) {
    I.need(1, "pop");
    I.stk.pop_back();
}

void do_popd(Interp& I) {  // Y Z -> Z
    I.need(2, "popd");
    std::swap(I.peek(0), I.peek(1));
    I.stk.pop_back();
}

void do_swap(Interp& I) {
    I.need(2, "swap");
    std::swap(I.peek(0), I.peek(1));
}

void do_swapd(Interp& I) {  // X Y Z -> Y X Z
    I.need(3, "swapd");
    std::swap(I.peek(1), I.peek(2));
}

void do_over(Interp& I) {  // X Y -> X Y X
    I.need_read(2, "over");
    I.push(I.peek(1));
}

void do_rollup(Interp& I) {  // X Y Z -> Z X Y
    I.need(3, "rollup");
    Value z = std::move(I.peek(0));
    I.peek(0) = std::move(I.peek(1));
    I.peek(1) = std::move(I.peek(2));
    I.peek(2) = std::move(z);
}

void do_rolldown(Interp& I) {  // X Y Z -> Y Z X
    I.need(3, "rolldown");
    Value x = std::move(I.peek(2));
    I.peek(2) = std::move(I.peek(1));
    I.peek(1) = std::move(I.peek(0));
    I.peek(0) = std::move(x);
}

void do_rotate(Interp& I) {  // X Y Z -> Z Y X
    I.need(3, "rotate");
    std::swap(I.peek(0), I.peek(2));
}

// The "d" forms work one position down, leaving the top in place.
template <void (*Op)(Interp&)>
void under_top(Interp& I, const char* word) {
    I.need(4, word);
    Value w = I.pop();
    Op(I);
    I.push(std::move(w));
}
void do_rollupd(Interp& I) { under_top<do_rollup>(I, "rollupd"); }
void do_rolldownd(Interp& I) { under_top<do_rolldown>(I, "rolldownd"); }
void do_rotated(Interp& I) { under_top<do_rotate>(I, "rotated"); }

// As in Joy1, an index past the bottom picks the last item, and a negative
// one the top.
void do_pick(Interp& I) {  // X Y Z 2 -> X Y Z X
    I.need(2, "pick");
    if (I.top().tag != T_INT) I.type_error("integer", "pick");
    int64_t n = I.top().u.i;
    size_t below = I.depth() - 1;  // items under the index
    size_t k = n < 0 ? 0 : uint64_t(n) >= below ? below - 1 : size_t(n);
    I.top() = I.peek(k + 1);
}

void do_stack(Interp& I) {  // .. X Y Z -> .. X Y Z [Z Y X ..]
    ListBuilder b;
    for (size_t k = I.depth(); k-- > 0;) b.push(I.stk[k]);
    I.push(b.take());
}

void do_unstack(Interp& I) {  // [X Y ..] -> ..Y X
    I.need(1, "unstack");
    if (I.top().tag != T_LIST) I.type_error("list", "unstack");
    Value l = I.pop();
    I.need(I.depth(), "unstack");
    std::vector<Value> items;
    for (Cell* c = l.u.list; c; c = tail(c)) items.push_back(head(c));
    I.stk.clear();
    for (size_t k = items.size(); k-- > 0;) I.push(std::move(items[k]));
}

const Builtin table[] = {
    {"id", do_id, "->"},
    {"dup", do_dup, "X -> X X"},
    {"dupd", do_dupd, "Y Z -> Y Y Z"},
    {"pop", do_pop, "X ->"},
    {"popd", do_popd, "Y Z -> Z"},
    {"swap", do_swap, "X Y -> Y X"},
    {"swapd", do_swapd, "X Y Z -> Y X Z"},
    {"over", do_over, "X Y -> X Y X"},
    {"rollup", do_rollup, "X Y Z -> Z X Y"},
    {"rolldown", do_rolldown, "X Y Z -> Y Z X"},
    {"rotate", do_rotate, "X Y Z -> Z Y X"},
    {"rollupd", do_rollupd, "X Y Z W -> Z X Y W"},
    {"rolldownd", do_rolldownd, "X Y Z W -> Y Z X W"},
    {"rotated", do_rotated, "X Y Z W -> Z Y X W"},
    {"pick", do_pick, "X Y Z 2 -> X Y Z X"},
    {"stack", do_stack, ".. X Y Z -> .. X Y Z [Z Y X ..]"},
    {"unstack", do_unstack, "[X Y ..] -> ..Y X"},
};

}  // namespace

BuiltinTable stack_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
