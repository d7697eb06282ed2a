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

#include "busy.h"
#include "context.h"

extern "C" __attribute__((visibility("default"))) int sqlite3_joy_init(sqlite3* db, char** errmsg, const sqlite3_api_routines* api) {
    SQLITE_EXTENSION_INIT2(api);
    // The newest call used is sqlite3_db_name(): an older library's table
    // of routines has no such entry.
    if (sqlite3_libversion_number() < 3039000) {
        if (errmsg) *errmsg = sqlite3_mprintf("joy: SQLite 3.39.0 or later needed, not %s", sqlite3_libversion());
        return SQLITE_ERROR;
    }
    // A library built without some features has no entry for their
    // routines (SQLite's loadext.c leaves them null): refuse to load rather
    // than call one. better-sqlite3, for one, omits the progress handler,
    // which bounds SQL run by Joy.
    // (Linked into SQLite itself, SQLITE_CORE, there is no table: api is null.)
    struct Needed {
        bool present;
        const char* what;
    };
    const Needed needed[] = {
        {!api || api->progress_handler, "the progress handler (it was built with SQLITE_OMIT_PROGRESS_CALLBACK)"},
        {!api || api->set_authorizer, "the authorizer (it was built with SQLITE_OMIT_AUTHORIZATION)"},
        {!api || api->create_module_v2, "virtual tables (it was built with SQLITE_OMIT_VIRTUALTABLE)"},
        {!api || api->wal_checkpoint_v2, "WAL (it was built with SQLITE_OMIT_WAL)"},
        {!api || api->create_window_function, "window functions (it was built with SQLITE_OMIT_WINDOWFUNC)"},
        {!api || (api->commit_hook && api->rollback_hook), "commit and rollback hooks"},
    };
    for (const Needed& n : needed)
        if (!n.present) {
            if (errmsg) *errmsg = sqlite3_mprintf("joy: this SQLite library lacks %s, which the extension needs", n.what);
            return SQLITE_ERROR;
        }
    if (joyext::JoyConnection::loaded_on(db)) return SQLITE_OK;  // loading again changes nothing
    joyext::JoyConnection* conn = nullptr;
    int rc = SQLITE_OK;
    try {  // SQLite is C: nothing may be thrown through it (see boundary.h)
        conn = new joyext::JoyConnection(db);
        conn->retain();  // held while registering, so a failed registration cannot free it early
        // Joy programs write from SQL: without a busy handler a second writer
        // would see "database is locked" at once. The connection's own timeout
        // wins. First, as loading reads joy_functions, which may have to wait.
        if (!joyext::has_busy_timeout(db)) joyext::wait_fairly_when_busy(db, joyext::DEFAULT_BUSY_TIMEOUT_MS);
        rc = joyext::register_scalar_functions(db, conn);
        if (rc == SQLITE_OK) rc = joyext::register_stack_tables(db, conn);
        if (rc == SQLITE_OK) rc = joyext::register_persist_functions(db, conn);
        if (rc == SQLITE_OK) rc = joyext::register_collection_tables(db, conn->store());
        if (rc == SQLITE_OK) rc = joyext::register_user_functions(db, conn);
    } catch (...) {
        rc = SQLITE_NOMEM;
    }
    if (conn) joyext::JoyConnection::release(conn);
    if (rc != SQLITE_OK && errmsg) *errmsg = sqlite3_mprintf("joy: cannot register: %s", sqlite3_errstr(rc));
    return rc;
}
