// sqlite_collections.h - persistent collections over SQLite tables, and how
// their tables hold Joy values.
//
// A pdict is a table `name(key TEXT PRIMARY KEY, value, format)`, a plist a
// table `name(idx INTEGER PRIMARY KEY, value, format)`; `format` is a
// generated column, so SQL inserts give key and value only:
//   INSERT INTO users VALUES ('carol', json('{"age": 35}'));
// Any table with those columns will do (pdict-open on an existing table
// takes it as it is). Insertion order: a pdict keeps its rows' rowid order,
// a plist its idx order; pappend gives idx 0, 1, 2, ...
//
// The value column, by SQL type (format says which):
//   NULL, INTEGER, REAL   nil, integer, float (format 'json')
//   TEXT, valid JSON      booleans, strings, and lists and dicts JSON says
//                         exactly (format 'json'): value->>'age' works
//   TEXT, not JSON        a string (only SQL writes these; format 'text')
//   BLOB                  canonical Joy text, for everything else: chars,
//                         sets, quotations, non-finite floats, lists
//                         holding any of those (format 'joy')
// so every Joy value reads back exactly as it was written (1 stays an
// integer, 1.0 a float, 'a a char). Canonical Joy text: joycore/canonical.h.
#pragma once
#include <sqlite3ext.h>

#include <string>
#include <string_view>

#include "../joycore/canonical.h"
#include "../joycore/interp.h"
#include "../joycore/value.h"

namespace joyext {

class SqliteStore;

// Binds v as the value column holds it; `text` keeps the bound bytes until
// the statement has run. Throws JoyError for files and handles.
void bind_stored(sqlite3_stmt* st, int i, const joy::Value& v, std::string& text);
// The Joy value of a value column; symbols are interned in I.
joy::Value stored_value(sqlite3_stmt* st, int col, joy::Interp* I);


// "name" quoted as an SQL identifier.
std::string quote_identifier(std::string_view name);

// What the table (or view) `name` is, as far as collections care.
struct TableInfo {
    bool exists = false;
    bool plain = false;  // an ordinary table (not a view or a virtual table)
    bool rowid = false;  // has a rowid (not WITHOUT ROWID)
    bool has_key = false, has_idx = false, has_value = false;
};
TableInfo inspect_table(SqliteStore& store, std::string_view name);

}  // namespace joyext
