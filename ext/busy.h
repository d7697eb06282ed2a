// busy.h - waiting for another connection's lock, fairly.
//
// SQLite's own busy handler (sqlite3_busy_timeout) sleeps longer the longer
// it has waited, up to 100 ms between tries, while a newly arrived writer
// tries after 1 ms: under a steady stream of writers an early waiter can be
// passed over until its timeout runs out. This handler tries every
// millisecond for as long as it waits, so every waiter has the same chance.
#pragma once
#include <sqlite3ext.h>

namespace joyext {

// Joy's default: wait up to 5 seconds for a lock.
constexpr int DEFAULT_BUSY_TIMEOUT_MS = 5000;

// Installs the handler on `db`, giving up after about `ms` milliseconds
// (replacing any busy handler or timeout db has).
void wait_fairly_when_busy(sqlite3* db, int ms);

// Whether db has a busy timeout (PRAGMA busy_timeout is not 0; a handler
// installed with sqlite3_busy_handler() reads as 0).
bool has_busy_timeout(sqlite3* db);

}  // namespace joyext
