// sqlite_collections.cpp - pdict and plist handles over SQLite tables, and
// the stored form of their values (see sqlite_collections.h).
//
// A handle keeps the table's name and its statements' texts; each operation
// takes its statement from the store's collection cache (released when the
// SQL call ends), runs it to the end and resets it. So a handle holds
// nothing of the connection's between operations, and stays usable across
// SQL calls and for as long as the store lives.
#include "sqlite_collections.h"

#include <cmath>
#include <memory>

#include "../joycore/collections.h"
#include "../joycore/dict.h"
#include "../joycore/utf8.h"
#include "../joycore/json.h"
#include "../joycore/printer.h"
#include "sqlite_store.h"
#include "statement.h"

SQLITE_EXTENSION_INIT3

namespace joyext {

using joy::Cell;
using joy::Value;


// ---- the value column ----

void bind_stored(sqlite3_stmt* st, int i, const Value& v, std::string& text) {
    switch (v.tag) {
    case joy::T_NIL: sqlite3_bind_null(st, i); return;
    case joy::T_INT: sqlite3_bind_int64(st, i, v.u.i); return;
    case joy::T_FLOAT:
        if (std::isfinite(v.u.f)) {
            sqlite3_bind_double(st, i, v.u.f);
            return;
        }
        break;
    case joy::T_BOOL: case joy::T_STRING: case joy::T_LIST: case joy::T_DICT:
        joy::check_text_fits(v);  // shared parts: fail now, not after walking them all
        if (joy::json_exact(v)) {
            text = joy::json_write(v);
            sqlite3_bind_text64(st, i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
            return;
        }
        break;
    default: break;
    }
    text = joy::canonical_text(v);
    sqlite3_bind_blob64(st, i, text.data(), text.size(), SQLITE_STATIC);
}

Value stored_value(sqlite3_stmt* st, int col, joy::Interp* I) {
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL: return Value::nil();
    case SQLITE_INTEGER: return Value::integer(sqlite3_column_int64(st, col));
    case SQLITE_FLOAT: return Value::flt(sqlite3_column_double(st, col));
    case SQLITE_BLOB: {
        const char* p = static_cast<const char*>(sqlite3_column_blob(st, col));
        std::string_view bytes(p ? p : "", size_t(sqlite3_column_bytes(st, col)));
        try {
            return joy::read_canonical(bytes, I);
        } catch (const joy::JoyError&) {
            return joy::make_string(bytes);  // a blob SQL wrote: its bytes
        }
    }
    default: {
        const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
        std::string_view text(p ? p : "", size_t(sqlite3_column_bytes(st, col)));
        try {
            return joy::json_parse(text);
        } catch (const joy::JoyError&) {
            return joy::make_string(text);  // text SQL wrote that is not JSON
        }
    }
    }
}

// ---- tables ----

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

namespace {

// Steps a statement from the cache (its user holds a StatementUse, which
// resets it however the work ends): true while there is a row; throws on
// an error.
bool next_row(SqliteStore& store, sqlite3_stmt* st) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw store.sql_error("SQL error");
}

// Runs a statement that writes to its end.
void run_to_end(SqliteStore& store, sqlite3_stmt* st) {
    StatementUse use(st);
    while (next_row(store, st)) {
    }
}

void bind_text(sqlite3_stmt* st, int i, std::string_view s) {
    sqlite3_bind_text64(st, i, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
}

std::string column_string(sqlite3_stmt* st, int col) {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    return std::string(p ? p : "", size_t(sqlite3_column_bytes(st, col)));
}

}  // namespace

TableInfo inspect_table(SqliteStore& store, std::string_view name) {
    TableInfo info;
    sqlite3_stmt* kind = store.prepare_collection("SELECT type, wr FROM pragma_table_list(?1) WHERE schema = 'main'");
    bind_text(kind, 1, name);
    {
        StatementUse use(kind);
        if (!next_row(store, kind)) return info;
        info.exists = true;
        info.plain = column_string(kind, 0) == "table";
        info.rowid = sqlite3_column_int(kind, 1) == 0;
    }
    sqlite3_stmt* cols = store.prepare_collection("SELECT lower(name) FROM pragma_table_info(?1, 'main')");
    bind_text(cols, 1, name);
    StatementUse use(cols);
    while (next_row(store, cols)) {
        std::string col = column_string(cols, 0);
        info.has_key = info.has_key || col == "key";
        info.has_idx = info.has_idx || col == "idx";
        info.has_value = info.has_value || col == "value";
    }
    return info;
}

namespace {

// The generated column that says how `value` holds its value.
constexpr const char* FORMAT_COLUMN =
    "format TEXT GENERATED ALWAYS AS (CASE typeof(value) WHEN 'blob' THEN 'joy' "
    "WHEN 'text' THEN iif(json_valid(value), 'json', 'text') ELSE 'json' END) VIRTUAL";

// What both handles share: the table, and the store it lives in.
class TableHandle {
protected:
    TableHandle(SqliteStore& s, std::string_view name, const char* kind)
        : store_(s.weak_self()), name_(name), table_("main." + quote_identifier(name)), kind_(kind) {}

    // The store, if the handle is open and its database still is.
    SqliteStore& live(bool writing = false) {
        if (closed_) throw joy::JoyError(std::string("run time error: the ") + kind_ + " " + name_ + " is closed");
        auto p = store_.lock();
        if (!p) throw joy::JoyError(std::string("run time error: the database of the ") + kind_ + " " + name_ +
                                    " is closed");
        if (writing) (*p)->before_write();
        return **p;
    }
    // A statement's text, and the statement while the store's cache keeps it.
    struct Sql {
        explicit Sql(std::string t) : text(std::move(t)) {}
        std::string text;
        sqlite3_stmt* st = nullptr;
        uint64_t generation = 0;
    };
    // Reset by whoever ran it last (StatementUse), and every parameter is
    // bound anew.
    sqlite3_stmt* statement(SqliteStore& s, Sql& q) {
        if (!q.st || q.generation != s.collection_generation()) {
            q.st = s.prepare_collection(q.text);
            q.generation = s.collection_generation();
        }
        return q.st;
    }
    int64_t count(Sql& sql) {
        SqliteStore& s = live();
        sqlite3_stmt* st = statement(s, sql);
        StatementUse use(st);
        return next_row(s, st) ? sqlite3_column_int64(st, 0) : 0;
    }
    // The values of column 0 of every row, as a list.
    joy::Value column_list(Sql& sql, bool as_strings) {
        SqliteStore& s = live();
        sqlite3_stmt* st = statement(s, sql);
        StatementUse use(st);
        joy::ListBuilder b;
        while (next_row(s, st))
            b.push(as_strings ? joy::make_string(column_string(st, 0)) : stored_value(st, 0, s.interp()));
        return b.take();
    }

    std::weak_ptr<SqliteStore*> store_;
    std::string name_;
    std::string table_;  // quoted
    const char* kind_;
    bool closed_ = false;
};

class TablePDict : public joy::PDict, TableHandle {
public:
    TablePDict(SqliteStore& s, std::string_view name, bool rowid)
        : TableHandle(s, name, "pdict"),
          get_("SELECT value FROM " + table_ + " WHERE key = ?1"),
          has_("SELECT 1 FROM " + table_ + " WHERE key = ?1"),
          put_("INSERT INTO " + table_ + "(key, value) VALUES (?1, ?2) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
          del_("DELETE FROM " + table_ + " WHERE key = ?1"),
          keys_("SELECT key FROM " + table_ + (rowid ? " ORDER BY rowid" : "")),
          values_("SELECT value FROM " + table_ + (rowid ? " ORDER BY rowid" : "")),
          size_("SELECT count(*) FROM " + table_) {}

    bool get(std::string_view key, Value& out) override {
        SqliteStore& s = live();
        sqlite3_stmt* st = statement(s, get_);
        bind_text(st, 1, key);
        StatementUse use(st);
        if (!next_row(s, st)) return false;
        out = stored_value(st, 0, s.interp());
        return true;
    }
    bool has(std::string_view key) override {
        SqliteStore& s = live();
        sqlite3_stmt* st = statement(s, has_);
        bind_text(st, 1, key);
        StatementUse use(st);
        return next_row(s, st);
    }
    void put(std::string_view key, const Value& v) override {
        SqliteStore& s = live(true);
        if (!joy::valid_utf8(key))  // the key column is TEXT, which must be UTF-8
            throw joy::JoyError("run time error: a pdict key must be UTF-8 text, not " + joy::utf8_escaped(key));
        sqlite3_stmt* st = statement(s, put_);
        std::string text;
        bind_text(st, 1, key);
        bind_stored(st, 2, v, text);
        run_to_end(s, st);
    }
    bool remove(std::string_view key) override {
        SqliteStore& s = live(true);
        sqlite3_stmt* st = statement(s, del_);
        bind_text(st, 1, key);
        run_to_end(s, st);
        return sqlite3_changes(s.db()) > 0;
    }
    Value keys() override { return column_list(keys_, true); }
    Value values() override { return column_list(values_, false); }
    int64_t size() override { return count(size_); }
    void close() override { closed_ = true; }

private:
    Sql get_, has_, put_, del_, keys_, values_, size_;
};

class TablePList : public joy::PList, TableHandle {
public:
    TablePList(SqliteStore& s, std::string_view name)
        : TableHandle(s, name, "plist"),
          append_("INSERT INTO " + table_ + "(idx, value) VALUES ((SELECT coalesce(max(idx) + 1, 0) FROM " + table_ +
                  "), ?1)"),
          last_("SELECT value FROM (SELECT idx, value FROM " + table_ + " ORDER BY idx DESC LIMIT ?1) ORDER BY idx"),
          bounds_("SELECT (SELECT min(idx) FROM " + table_ + "), (SELECT max(idx) FROM " + table_ +
                  "), (SELECT count(*) FROM " + table_ + ")"),
          at_idx_("SELECT value FROM " + table_ + " WHERE idx = ?1"),
          at_offset_("SELECT value FROM " + table_ + " ORDER BY idx LIMIT 1 OFFSET ?1"),
          first_batch_("SELECT idx, value FROM " + table_ + " WHERE idx >= ?1 ORDER BY idx LIMIT ?2"),
          next_batch_("SELECT idx, value FROM " + table_ + " WHERE idx > ?1 ORDER BY idx LIMIT ?2"),
          size_("SELECT count(*) FROM " + table_) {}

    void append(const Value& v) override {
        SqliteStore& s = live(true);
        sqlite3_stmt* st = statement(s, append_);
        std::string text;
        bind_stored(st, 1, v, text);
        run_to_end(s, st);
    }
    Value last(int64_t n) override {
        SqliteStore& s = live();
        sqlite3_stmt* st = statement(s, last_);
        sqlite3_bind_int64(st, 1, n);
        StatementUse use(st);
        joy::ListBuilder b;
        while (next_row(s, st)) b.push(stored_value(st, 0, s.interp()));
        return b.take();
    }
    // By idx when the idx values run without gaps (as pappend makes them),
    // else by counting rows.
    bool nth(int64_t n, Value& out) override {
        SqliteStore& s = live();
        sqlite3_stmt* b = statement(s, bounds_);
        int64_t lo = 0, hi = 0, count = 0;
        {
            StatementUse use(b);
            if (next_row(s, b)) {
                lo = sqlite3_column_int64(b, 0);
                hi = sqlite3_column_int64(b, 1);
                count = sqlite3_column_int64(b, 2);
            }
        }
        if (n < 0 || n >= count) return false;
        bool dense = hi - lo + 1 == count;
        sqlite3_stmt* st = statement(s, dense ? at_idx_ : at_offset_);
        sqlite3_bind_int64(st, 1, dense ? lo + n : n);
        StatementUse use(st);
        if (!next_row(s, st)) return false;
        out = stored_value(st, 0, s.interp());
        return true;
    }
    int64_t size() override { return count(size_); }
    bool next_batch(int64_t& cursor, std::vector<Value>& out, size_t max) override {
        SqliteStore& s = live();
        sqlite3_stmt* st = statement(s, cursor == joy::PLIST_START ? first_batch_ : next_batch_);
        sqlite3_bind_int64(st, 1, cursor);
        sqlite3_bind_int64(st, 2, int64_t(max));
        StatementUse use(st);
        out.clear();
        while (next_row(s, st)) {
            cursor = sqlite3_column_int64(st, 0);
            out.push_back(stored_value(st, 1, s.interp()));
        }
        return !out.empty();
    }
    void close() override { closed_ = true; }

private:
    Sql append_, last_, bounds_, at_idx_, at_offset_, first_batch_, next_batch_, size_;
};

enum class Kind { PDICT, PLIST };

// The table `name` for a collection of kind k: created if missing, else
// checked for the columns the collection uses.
TableInfo collection_table(SqliteStore& s, std::string_view name, Kind k, const char* word) {
    if (name.empty()) throw joy::JoyError(std::string("run time error: a table name needed for ") + word);
    // The extension's own tables (the heap, definitions, ...) keep rows of
    // their own form: written as a collection they would break the heap.
    std::string lowered;
    for (char c : name) lowered += char(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (lowered.compare(0, 4, "joy_") == 0 || lowered.compare(0, 7, "sqlite_") == 0)
        throw joy::JoyError("run time error: " + std::string(name) + " is a name kept for " +
                            (lowered[0] == 'j' ? "the Joy extension's own tables" : "SQLite's own tables") +
                            "; " + word + " needs a table of your own");
    TableInfo info = inspect_table(s, name);
    if (!info.exists) {
        s.before_write();
        std::string sql = "CREATE TABLE main." + quote_identifier(name) +
                          (k == Kind::PDICT ? "(key TEXT PRIMARY KEY, value, " : "(idx INTEGER PRIMARY KEY, value, ") +
                          FORMAT_COLUMN + ")";
        if (sqlite3_exec(s.db(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
            throw s.sql_error("cannot create the table " + std::string(name) + " for " + word);
        info.exists = info.plain = info.rowid = info.has_value = true;
        (k == Kind::PDICT ? info.has_key : info.has_idx) = true;
        return info;
    }
    bool fits = info.plain && info.has_value && (k == Kind::PDICT ? info.has_key : info.has_idx);
    if (!fits)
        throw joy::JoyError("run time error: " + std::string(name) + " is not a table with columns " +
                            (k == Kind::PDICT ? "key" : "idx") + " and value, needed for " + word);
    return info;
}

// (Host objects are not counted against the memory limit: nothing gives
// their bytes back when they are freed.)
Value handle(joy::Object* obj) { return Value::adopt_obj(joy::T_HANDLE, obj); }

}  // namespace

Value SqliteStore::pdict_open(std::string_view name) {
    TableInfo info = collection_table(*this, name, Kind::PDICT, "pdict-open");
    return handle(new TablePDict(*this, name, info.rowid));
}

Value SqliteStore::plist_open(std::string_view name) {
    collection_table(*this, name, Kind::PLIST, "plist-open");
    return handle(new TablePList(*this, name));
}

}  // namespace joyext
