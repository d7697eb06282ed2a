// busy.cpp - a busy handler that tries every millisecond (see busy.h).
#include "busy.h"

#include <cstdint>

SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {
// `tries` counts the earlier calls for this lock; each sleeps 1 ms, so the
// handler gives up once it has slept `ms` times (at least `ms` ms in all).
int try_again_soon(void* ms, int tries) {
    if (tries >= int(reinterpret_cast<intptr_t>(ms))) return 0;
    sqlite3_sleep(1);
    return 1;
}
}  // namespace

void wait_fairly_when_busy(sqlite3* db, int ms) {
    sqlite3_busy_handler(db, try_again_soon, reinterpret_cast<void*>(intptr_t(ms)));
}

bool has_busy_timeout(sqlite3* db) {
    sqlite3_stmt* st = nullptr;
    bool has = false;
    if (sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        has = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return has;
}

}  // namespace joyext
