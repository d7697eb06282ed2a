// busy.cpp - a busy handler that tries every millisecond (see busy.h).
#include "busy.h"

#include <cstdint>

#include "statement.h"

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
    Statement st;
    return st.prepare(db, "PRAGMA busy_timeout") == SQLITE_OK && sqlite3_step(st.get()) == SQLITE_ROW &&
           sqlite3_column_int(st.get(), 0) != 0;
}

}  // namespace joyext
