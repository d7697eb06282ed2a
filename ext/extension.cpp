// extension.cpp - entry point of the SQLite extension build/joy.so.
//
//   .load ./build/joy          (sqlite3 shell)
//   SELECT joy_version();
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "../joycore/version.h"

namespace {
void joy_version_fn(sqlite3_context* ctx, int, sqlite3_value**) {
    sqlite3_result_text(ctx, JOY_VERSION, -1, SQLITE_STATIC);
}
}  // namespace

extern "C" int sqlite3_joy_init(sqlite3* db, char** errmsg, const sqlite3_api_routines* api) {
    SQLITE_EXTENSION_INIT2(api);
    (void)errmsg;
    return sqlite3_create_function(db, "joy_version", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS | SQLITE_DETERMINISTIC,
                                   nullptr, joy_version_fn, nullptr, nullptr);
}
