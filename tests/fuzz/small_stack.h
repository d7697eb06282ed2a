// small_stack.h - runs a fuzz input on a thread with a 256 KB stack, as a
// host may give the thread that runs SQL: input nested deeper than such a
// stack could recurse must still read, run and print (see joycore: no
// recursion on the C stack).
#pragma once
#include <pthread.h>

#include <cstdlib>

template <class Work>
void on_small_stack(Work& work) {
    pthread_attr_t attr;
    pthread_t thread;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, 256 * 1024) != 0) std::abort();
    auto run = [](void* w) -> void* {
        (*static_cast<Work*>(w))();
        return nullptr;
    };
    if (pthread_create(&thread, &attr, run, &work) != 0) std::abort();
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
}
