// sqlite_collections.cpp - pdict and plist handles over SQLite tables, and
// the stored form of their values (see sqlite_collections.h).
//
// A handle keeps the table's name and its statements' texts; each operation
// takes its statement from the store's collection cache (released when the
// SQL call ends), runs it to the end and resets it. So a handle holds
// nothing of the connection's between operations, and stays usable across
// SQL calls and for as long as the store lives.
#include "sqlite_collections.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "../joycore/c_locale.h"
#include "../joycore/collections.h"
#include "../joycore/dict.h"
#include "../joycore/json.h"
#include "../joycore/printer.h"
#include "../joycore/utf8.h"
#include "sqlite_store.h"
#include "statement.h"

SQLITE_EXTENSION_INIT3

namespace joyext {

using joy::Cell;
using joy::Value;

// ---- JSON where JSON says it exactly ----

namespace {

// Valid UTF-8 without surrogates: what JSON text gives back byte for byte.
bool exact_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (!len || c > 0xF4 || i + len > s.size()) return false;
        uint32_t cp = c & (0x3F >> (len - 1));
        for (int k = 1; k < len; ++k) {
            unsigned char d = s[i + k];
            if ((d & 0xC0) != 0x80) return false;
            cp = cp << 6 | (d & 0x3F);
        }
        static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return false;
        i += len;
    }
    return true;
}

}  // namespace

bool json_exact(const Value& root) {
    std::vector<const Value*> work{&root};
    while (!work.empty()) {
        const Value& v = *work.back();
        work.pop_back();
        switch (v.tag) {
        case joy::T_NIL: case joy::T_BOOL: case joy::T_INT: break;
        case joy::T_FLOAT:
            if (!std::isfinite(v.u.f)) return false;
            break;
        case joy::T_STRING:
            if (!exact_utf8(v.u.str->view())) return false;
            break;
        case joy::T_LIST:
            for (Cell* c = v.u.list; c; c = joy::tail(c)) work.push_back(&joy::head(c));
            break;
        case joy::T_DICT: {
            bool keys_ok = true;
            v.u.dict->each([&](const Value& k, const Value& val) {
                keys_ok = keys_ok && exact_utf8(k.u.str->view());
                work.push_back(&val);
            });
            if (!keys_ok) return false;
            break;
        }
        default: return false;
        }
    }
    return true;
}

// ---- canonical Joy text ----

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Characters that end a name in canonical text.
bool is_delimiter(char c) {
    unsigned char u = c;
    return u <= ' ' || u >= 127 || c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == '\'' ||
           c == ',' || c == ';' || c == ':';
}

// A name that reads back as a symbol of that name.
bool plain_symbol(std::string_view name) {
    if (name.empty() || is_digit(name[0]) || (name[0] == '-' && name.size() > 1 && is_digit(name[1])))
        return false;
    if (name == "true" || name == "false" || name == "nil") return false;
    for (char c : name)
        if (is_delimiter(c)) return false;
    return true;
}

void escaped_byte(std::string& out, unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\%03d", c);
    out += buf;
}

// Bytes that are not part of a UTF-8 character are escaped too: the text
// is valid UTF-8 and reads back as the same bytes.
void write_string(std::string& out, std::string_view s) {
    out += '"';
    for (size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        uint32_t cp = 0;
        size_t len = c < 0x80 ? 1 : joy::utf8_decode(s, i, cp);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < ' ' || c == 127 || len == 0 || (cp >= 0xD800 && cp < 0xE000)) {
            escaped_byte(out, c);
            len = 1;
        } else {
            out.append(s.data() + i, len);
        }
        i += len ? len : 1;
    }
    out += '"';
}

void write_atom(std::string& out, const Value& v) {
    switch (v.tag) {
    case joy::T_NIL: out += "nil"; break;
    case joy::T_BOOL: out += v.u.i ? "true" : "false"; break;
    case joy::T_INT: {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v.u.i);
        out.append(buf, size_t(r.ptr - buf));
        break;
    }
    case joy::T_FLOAT:
        if (std::isnan(v.u.f)) out += "{:nan}";
        else joy::print_float(out, v.u.f, true);
        break;
    case joy::T_CHAR: {
        unsigned char c = static_cast<unsigned char>(v.u.i);
        out += '\'';
        if (c > ' ' && c < 127 && c != '\\') out += char(c);
        else escaped_byte(out, c);
        break;
    }
    case joy::T_STRING: write_string(out, v.u.str->view()); break;
    case joy::T_SET: {
        out += '{';
        bool first = true;
        for (int k = 0; k < 64; ++k)
            if (v.u.set >> k & 1) {
                if (!first) out += ' ';
                first = false;
                out += std::to_string(k);
            }
        out += '}';
        break;
    }
    case joy::T_USRDEF: case joy::T_BUILTIN: {
        std::string word = v.tag == joy::T_USRDEF ? joy::name_to_read_back(*v.u.sym) : v.u.bi->name;
        std::string_view name = word;
        if (plain_symbol(name)) {
            out += name;
        } else {
            out += "{:sym ";
            write_string(out, name);
            out += '}';
        }
        break;
    }
    case joy::T_FILE: throw joy::JoyError("run time error: a file cannot be stored in a table");
    default:
        throw joy::JoyError(std::string("run time error: a ") + v.u.obj->kind() + " handle cannot be stored in a table");
    }
}

}  // namespace

std::string canonical_text(const Value& root) {
    struct Item {
        const Value* v;
        Cell* cursor = nullptr;  // list: the next cell
        size_t pos = 0;          // dict: the next entry
        bool open = false;
        bool first = true;
    };
    std::string out;
    std::vector<Item> work{{&root}};
    size_t next_check = 1u << 16;
    while (!work.empty()) {
        if (out.size() >= next_check) {  // text counts against the memory limit as it grows
            if (next_check == 1u << 16) joy::check_text_fits(root);
            const joy::Pool& pool = joy::tl_pool;
            if (pool.limit != INT64_MAX && pool.bytes + int64_t(out.size()) > pool.limit) joy::tl_pool.over_limit();
            next_check = out.size() + (1u << 16);
        }
        Item& it = work.back();
        const Value& v = *it.v;
        if (v.tag == joy::T_LIST) {
            if (!it.open) {
                out += '[';
                it.open = true;
                it.cursor = v.u.list;
            }
            Cell* c = it.cursor;
            if (!c) {
                out += ']';
                work.pop_back();
                continue;
            }
            if (!it.first) out += ' ';
            it.first = false;
            it.cursor = joy::tail(c);
            work.push_back({&joy::head(c)});
        } else if (v.tag == joy::T_DICT) {
            const joy::Dict* d = v.u.dict;
            if (!it.open) {
                it.open = true;
                if (d->size() == 0) {
                    out += "{:}";
                    work.pop_back();
                    continue;
                }
                out += '{';
            }
            while (it.pos < d->entries.size() && d->entries[it.pos].key.tag != joy::T_STRING) ++it.pos;
            if (it.pos >= d->entries.size()) {
                out += '}';
                work.pop_back();
                continue;
            }
            const joy::Dict::Entry& e = d->entries[it.pos++];
            if (!it.first) out += ", ";
            it.first = false;
            std::string_view k = e.key.u.str->view();
            if (joy::is_plain_key(k)) out += k;
            else write_string(out, k);
            out += ": ";
            work.push_back({&e.val});
        } else {
            write_atom(out, v);
            work.pop_back();
        }
    }
    return out;
}

namespace {

// Reads what canonical_text writes. Nesting is kept on a vector, not the
// C stack.
class CanonicalReader {
public:
    CanonicalReader(std::string_view s, joy::Interp* I) : s_(s), I_(I) {}

    Value read() {
        for (;;) {
            skip_space();
            if (!open_.empty() && open_.back().is_dict && open_.back().key.tag == joy::T_NIL) {
                read_key_or_close();
            } else {
                read_factor();
            }
            if (done_) break;
        }
        skip_space();
        if (p_ != s_.size()) bad();
        return std::move(result_);
    }

private:
    struct Open {
        bool is_dict;
        joy::ListBuilder list;
        Value dict;
        Value key;  // a dict's key waiting for its value
    };

    [[noreturn]] void bad() {
        throw joy::JoyError("run time error: stored Joy text is malformed at byte " + std::to_string(p_));
    }
    void skip_space() {
        while (p_ < s_.size() && static_cast<unsigned char>(s_[p_]) <= ' ') ++p_;
    }
    bool at(char c) const { return p_ < s_.size() && s_[p_] == c; }
    void expect(char c) {
        skip_space();
        if (!at(c)) bad();
        ++p_;
    }

    void emit(Value v) {
        if (open_.empty()) {
            result_ = std::move(v);
            done_ = true;
            return;
        }
        Open& o = open_.back();
        if (o.is_dict) {
            o.dict.u.dict->put(std::move(o.key), std::move(v));
            o.key = Value();
            skip_space();
            if (at(',')) ++p_;
        } else {
            o.list.push(std::move(v));
        }
    }

    void read_key_or_close() {
        if (at('}')) {
            ++p_;
            Value d = std::move(open_.back().dict);
            open_.pop_back();
            emit(std::move(d));
            return;
        }
        Value key = at('"') ? read_string() : joy::make_string(read_name());
        expect(':');
        open_.back().key = std::move(key);
    }

    void read_factor() {
        if (p_ >= s_.size()) bad();
        char c = s_[p_];
        if (c == '[') {
            ++p_;
            open_.push_back({false, {}, Value(), Value()});
        } else if (c == ']') {
            if (open_.empty() || open_.back().is_dict) bad();
            ++p_;
            Value l = open_.back().list.take();
            open_.pop_back();
            emit(std::move(l));
        } else if (c == '{') {
            ++p_;
            read_brace();
        } else if (c == '"') {
            emit(read_string());
        } else if (c == '\'') {
            ++p_;
            emit(Value::chr(read_char_code()));
        } else if (is_digit(c) || (c == '-' && p_ + 1 < s_.size() && is_digit(s_[p_ + 1]))) {
            emit(read_number());
        } else {
            std::string name = read_name();
            if (name == "true" || name == "false") emit(Value::boolean(name == "true"));
            else if (name == "nil") emit(Value::nil());
            else emit(symbol(name));
        }
    }

    // After '{': a special form, a set or a dict.
    void read_brace() {
        skip_space();
        if (at(':')) {
            ++p_;
            skip_space();
            if (at('}')) {
                ++p_;
                emit(Value::adopt_dict(joy::Dict::create()));
                return;
            }
            std::string what = read_name();
            if (what == "nan") {
                emit(Value::flt(std::nan("")));
            } else if (what == "sym") {
                skip_space();
                Value name = read_string();
                emit(symbol(std::string(name.u.str->view())));
            } else {
                bad();
            }
            expect('}');
            return;
        }
        if (at('}') || (p_ < s_.size() && is_digit(s_[p_]))) {
            uint64_t set = 0;
            for (;;) {
                skip_space();
                if (at('}')) break;
                int64_t m = 0;
                auto r = std::from_chars(s_.data() + p_, s_.data() + s_.size(), m);
                if (r.ec != std::errc() || m < 0 || m >= 64) bad();
                p_ = size_t(r.ptr - s_.data());
                set |= uint64_t(1) << m;
            }
            ++p_;
            emit(Value::setv(set));
            return;
        }
        open_.push_back({true, {}, Value::adopt_dict(joy::Dict::create()), Value()});
    }

    Value read_string() {
        ++p_;  // the opening quote
        std::string out;
        for (;;) {
            if (p_ >= s_.size()) bad();
            char c = s_[p_++];
            if (c == '"') break;
            if (c == '\\') {
                out += char(read_escape());
                continue;
            }
            out += c;
        }
        return joy::make_string(out);
    }

    // After a backslash: \ddd (decimal), or the character itself.
    int read_escape() {
        if (p_ + 3 <= s_.size() && is_digit(s_[p_]) && is_digit(s_[p_ + 1]) && is_digit(s_[p_ + 2])) {
            int code = (s_[p_] - '0') * 100 + (s_[p_ + 1] - '0') * 10 + (s_[p_ + 2] - '0');
            p_ += 3;
            if (code > 255) bad();
            return code;
        }
        if (p_ >= s_.size()) bad();
        return static_cast<unsigned char>(s_[p_++]);
    }

    int read_char_code() {
        if (p_ >= s_.size()) bad();
        char c = s_[p_++];
        return c == '\\' ? read_escape() : static_cast<unsigned char>(c);
    }

    Value read_number() {
        size_t start = p_;
        bool is_float = false;
        if (at('-')) ++p_;
        while (p_ < s_.size() && !is_delimiter(s_[p_])) {
            char c = s_[p_];
            if (c == '.' || c == 'e' || c == 'E') is_float = true;
            ++p_;
        }
        std::string text(s_.substr(start, p_ - start));
        if (is_float) {
            char* end = nullptr;
            double d = joy::c_strtod(text.c_str(), &end);
            if (*end) bad();
            return Value::flt(d);
        }
        int64_t n = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), n);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size()) bad();
        return Value::integer(n);
    }

    std::string read_name() {
        size_t start = p_;
        while (p_ < s_.size() && !is_delimiter(s_[p_])) ++p_;
        if (p_ == start) bad();
        return std::string(s_.substr(start, p_ - start));
    }

    // As a recalled symbol: the builtin, unless the user defined the name.
    Value symbol(const std::string& name) {
        if (!I_) throw joy::JoyError("run time error: a stored symbol needs an interpreter");
        joy::Sym* s = I_->intern(name);
        if (s->builtin && !s->defined) return Value::builtin(s->builtin);
        return Value::usrdef(s);
    }

    std::string_view s_;
    joy::Interp* I_;
    size_t p_ = 0;
    std::vector<Open> open_;
    Value result_;
    bool done_ = false;
};

}  // namespace

Value read_canonical(std::string_view text, joy::Interp* I) { return CanonicalReader(text, I).read(); }

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
        if (json_exact(v)) {
            text = joy::json_write(v);
            sqlite3_bind_text64(st, i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
            return;
        }
        break;
    default: break;
    }
    text = canonical_text(v);
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
            return read_canonical(bytes, I);
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
