// extension.cpp - entry point of the SQLite extension build/joy.so.
//
//   sqlite3 shell:  .load ./build/joy
//   Python:         conn.enable_load_extension(True); conn.load_extension("build/joy")
//   SQL:            SELECT joy_eval('[1 2 3] [dup *] map');      -- [1 4 9]
//                   SELECT * FROM joy_stack('1 2 3');            -- three rows
//
// Registers, for the loading connection, the scalar functions of
// sqlfunc.cpp and the table-valued functions of vtab_stack.cpp, all sharing
// one JoyConnection (context.h) that lives until the connection closes.
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <new>

#include "context.h"

namespace {
// Joy programs write from SQL: without a busy timeout a second writer would
// see "database is locked" at once. The connection's own setting wins.
constexpr int DEFAULT_BUSY_TIMEOUT_MS = 5000;

void default_busy_timeout(sqlite3* db) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &st, nullptr) != SQLITE_OK) return;
    bool none = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
    sqlite3_finalize(st);
    if (none) sqlite3_busy_timeout(db, DEFAULT_BUSY_TIMEOUT_MS);
}
}  // namespace

extern "C" int sqlite3_joy_init(sqlite3* db, char** errmsg, const sqlite3_api_routines* api) {
    SQLITE_EXTENSION_INIT2(api);
    auto* conn = new (std::nothrow) joyext::JoyConnection(db);
    if (!conn) return SQLITE_NOMEM;
    conn->retain();  // held while registering, so a failed registration cannot free it early
    int rc = joyext::register_scalar_functions(db, conn);
    if (rc == SQLITE_OK) rc = joyext::register_stack_tables(db, conn);
    if (rc == SQLITE_OK) rc = joyext::register_persist_functions(db, conn);
    if (rc == SQLITE_OK) rc = joyext::register_collection_tables(db, conn->store());
    if (rc == SQLITE_OK) rc = joyext::register_user_functions(db, conn);
    joyext::JoyConnection::release(conn);
    if (rc == SQLITE_OK) default_busy_timeout(db);
    if (rc != SQLITE_OK && errmsg) *errmsg = sqlite3_mprintf("joy: cannot register: %s", sqlite3_errstr(rc));
    return rc;
}
