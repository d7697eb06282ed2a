// sqlvalue.h - how values cross between SQL and Joy.
//
//   SQL -> Joy: INTEGER -> integer, REAL -> float, TEXT -> string,
//   NULL -> nil, BLOB -> string of its bytes (Joy strings are byte strings),
//   TEXT with SQLite's JSON subtype (json(), json_array(), ->) -> the JSON
//   value (object -> dict, array -> list, ...), see joycore/json.h.
//
//   Joy -> SQL (joy_eval, joy, table columns): integer -> INTEGER,
//   float -> REAL, string -> TEXT, nil -> NULL, boolean -> INTEGER 1/0,
//   char -> 1-character TEXT; lists, sets, dicts, quotations and every
//   other value -> TEXT in Joy notation.
//
//   Joy -> JSON (joy_json, the json column of joy_stack): JSON text carrying
//   the JSON subtype, so json_extract() and ->> see structure. Values JSON
//   cannot say (sets, symbols, files) are an error.
#pragma once
#include <sqlite3ext.h>

#include <string>
#include <string_view>

#include "../joycore/value.h"
#include "boundary.h"

SQLITE_EXTENSION_INIT3  // (at file scope: the inline functions below call SQLite)

namespace joyext {

// The subtype SQLite's JSON functions give their results ('J').
constexpr unsigned JSON_SUBTYPE = 74;

// Throws joy::JoyError for JSON-subtype text that is not valid JSON.
// (Integers, the common case of every row, are converted inline.)
joy::Value from_sql_of_type(sqlite3_value* v, int type);
inline joy::Value from_sql(sqlite3_value* v) {
    int type = sqlite3_value_type(v);
    if (type == SQLITE_INTEGER) return joy::Value::integer(sqlite3_value_int64(v));
    return from_sql_of_type(v, type);
}
void result_non_integer(sqlite3_context* ctx, const joy::Value& v);
inline void result_value(sqlite3_context* ctx, const joy::Value& v) {
    if (v.tag == joy::T_INT || v.tag == joy::T_BOOL) sqlite3_result_int64(ctx, v.u.i);
    else result_non_integer(ctx, v);
}
// Bytes as TEXT if they are valid UTF-8, else as a BLOB: every TEXT result
// is valid UTF-8, and the bytes come back exactly either way.
void result_bytes(sqlite3_context* ctx, std::string_view bytes);
// Throws joy::JoyError for values JSON cannot represent.
void result_json(sqlite3_context* ctx, const joy::Value& v);

}  // namespace joyext
