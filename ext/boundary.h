// boundary.h - the one protected boundary between SQLite and the extension.
//
// SQLite is C: an exception thrown through its frames ends the host
// process. So every callback SQLite makes into the extension (scalar
// functions, aggregate steps and finals, every virtual-table method) runs
// its body through protect(), as Lua runs C code under
// luaD_rawrunprotected: a Joy error becomes the SQL error "joy: ...", a
// refused allocation SQLITE_NOMEM, anything else an error that names it.
#pragma once
#include <sqlite3ext.h>

namespace joyext {

// Report the exception being handled as the SQL error of ctx.
void result_current_error(sqlite3_context* ctx) noexcept;
// Report the exception being handled as the error of a virtual table: its
// message in zErrMsg, its code returned.
int vtab_current_error(sqlite3_vtab* tab) noexcept;
// Set a virtual table's error message (printf-style, as sqlite3_mprintf);
// returns SQLITE_ERROR.
int vtab_error(sqlite3_vtab* tab, const char* format, ...) noexcept;

// A SQL function's body: an error becomes the function's result.
template <class Body>
inline __attribute__((always_inline)) void protect(sqlite3_context* ctx, Body&& body) noexcept {
    try {
        body();
    } catch (...) {
        result_current_error(ctx);
    }
}

// A virtual-table method's body, which returns an SQLite code.
template <class Body>
int protect(sqlite3_vtab* tab, Body&& body) noexcept {
    try {
        return body();
    } catch (...) {
        return vtab_current_error(tab);
    }
}

}  // namespace joyext
