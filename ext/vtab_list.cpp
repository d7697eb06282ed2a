// vtab_list.cpp - persisted lists and dicts as SQL tables.
//
//   SELECT * FROM joy_list('events');              -- idx, value, joy, type
//   SELECT avg(value->>'age') FROM joy_list('employees')
//     WHERE value->>'dept' = 'Engineering';
//   SELECT value FROM joy_dict('users') WHERE key = 'alice';
//   CREATE VIRTUAL TABLE log USING joy_list(log);  -- an updatable view
//   INSERT INTO log(value) VALUES (json('{"level":"warn"}'));
//   DELETE FROM log WHERE idx = 0;
//
// joy_list(name) reads the list persisted as root `name` (joy_roots /
// joy_nodes), or else the plist table `name`; joy_dict(name) the dict
// persisted as root `name`, or else the pdict table `name`. Columns: idx
// (position in a persisted list, the idx column of a plist) or key; value
// (SQL's own type for numbers, strings and nil, JSON text with the JSON
// subtype for lists and dicts, as json_each gives them; Joy notation when
// JSON cannot say it); joy (the value in Joy notation, floats exact); type
// (the Joy type name).
//
// Rows are read as the scan goes: a persisted list one cell row at a time
// (LIMIT 1 reads one), a table through one statement. `WHERE key = ?` on a
// pdict and `WHERE idx = ?` on a plist use the table's primary key; on a
// persisted list idx = n walks n cells, reading only their links.
//
// CREATE VIRTUAL TABLE t USING joy_list(root) views the persisted list
// `root` (empty until something is appended): INSERT appends (the value
// column, converted as SQL arguments are, or the joy column read as Joy
// notation), DELETE removes. Such a list is changed in place: a new cell
// row is linked after the last one (the root row's ival remembers which
// that is, so appending is O(1)), and a deleted cell's row is unlinked and
// deleted. A value persisted from a recall of the list shares its cells and
// sees the change; one recalled before it may fail to read a deleted cell.
// The view is kept in the database's schema, so it works whenever the
// extension is loaded.
#include <sqlite3ext.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../joycore/dict.h"
#include "../joycore/json.h"
#include "../joycore/printer.h"
#include "../joycore/reader.h"
#include "../joycore/utf8.h"
#include "context.h"
#include "sqlite_collections.h"
#include "sqlite_store.h"
#include "sqlvalue.h"
#include "statement.h"
SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {

using joy::Value;

// joy_nodes codes (sql/schema.sql).
constexpr int KIND_CELL = 1;
constexpr int TYPE_LIST = 9;
constexpr int TYPE_DICT = 21;

// The module's user data: the store of the connection's Joy tables.
struct ModuleData {
    std::weak_ptr<SqliteStore*> store;
};

void free_module_data(void* p) { delete static_cast<ModuleData*>(p); }

struct Table : sqlite3_vtab {
    std::weak_ptr<SqliteStore*> store;
    bool is_dict = false;
    std::string root;  // CREATE VIRTUAL TABLE: the root it views ("" for joy_list(name))
    bool created = false;
};

enum Column { C_KEY, C_VALUE, C_JOY, C_TYPE, C_NAME };  // C_KEY is idx for joy_list
enum Plan { HAS_NAME = 1, HAS_KEY = 2 };

SqliteStore& store_of(const std::weak_ptr<SqliteStore*>& w) {
    auto p = w.lock();
    if (!p) throw joy::JoyError("run time error: the Joy store of this connection is closed");
    return **p;
}

// After SQL used the Joy tables from outside a call: nothing stays prepared.
void tidy(const std::weak_ptr<SqliteStore*>& w) {
    if (auto p = w.lock())
        if (!(*p)->in_call()) (*p)->release_idle_statements();
}

std::string text_of(sqlite3_value* v) {
    const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
    return std::string(p ? p : "", size_t(sqlite3_value_bytes(v)));
}

// A module argument as written: 'log', "log" or log.
std::string dequote(std::string s) {
    if (s.size() >= 2 && (s[0] == '\'' || s[0] == '"' || s[0] == '`') && s.back() == s[0]) {
        std::string out;
        for (size_t k = 1; k + 1 < s.size(); ++k) {
            out += s[k];
            if (s[k] == s[0] && s[k + 1] == s[0]) ++k;
        }
        return out;
    }
    return s;
}

// ---- the root row of a persisted value ----

struct Root {
    bool found = false;
    int64_t id = 0;     // the root row
    int type = 0;
    int64_t first = 0;  // ref_id: first cell / entry, 0 when empty
    int64_t last = 0;   // ival of a list's root: its last cell, 0 when unknown
};

Root find_root(SqliteStore& s, std::string_view name) {
    Root r;
    if (!s.has_schema()) return r;
    sqlite3_stmt* st = s.prepare_collection(
        "SELECT n.id, n.type, n.ref_id, n.ival FROM main.joy_roots r JOIN main.joy_nodes n ON n.id = r.node_id "
        "WHERE r.name = ?1");
    sqlite3_bind_text64(st, 1, name.data(), name.size(), SQLITE_STATIC, SQLITE_UTF8);
    StatementUse use(st);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r.found = true;
        r.id = sqlite3_column_int64(st, 0);
        r.type = sqlite3_column_int(st, 1);
        r.first = sqlite3_column_int64(st, 2);
        r.last = sqlite3_column_int64(st, 3);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        throw joy::JoyError(std::string("run time error: SQL error: ") + sqlite3_errmsg(s.db()));
    return r;
}

// ---- the value columns ----

void result_element(sqlite3_context* ctx, const Value& v) {
    if (v.tag == joy::T_LIST || v.tag == joy::T_DICT) {
        try {
            result_json(ctx, v);
            return;
        } catch (const joy::NoJsonForm&) {
            // Joy notation below
        }
    }
    result_value(ctx, v);
}

void result_columns(sqlite3_context* ctx, int col, const Value& v) {
    switch (col) {
    case C_VALUE: result_element(ctx, v); break;
    case C_JOY: {
        std::string s = joy::canonical_text(v);
        sqlite3_result_text64(ctx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
    }
    case C_TYPE: sqlite3_result_text(ctx, joy::type_name(v.tag), -1, SQLITE_STATIC); break;
    default: sqlite3_result_null(ctx); break;
    }
}

// ---- cursors ----

struct Cursor : sqlite3_vtab_cursor {
    enum Source { NONE, NODES, ROWS, DICT } source = NONE;
    std::string name;
    bool eof = true;
    int64_t key = 0;      // idx of the current row (NODES: its position)
    Statement st;         // NODES: cell rows by id; ROWS: the table's rows
    int64_t node = 0;     // NODES: the current cell's id
    int64_t next = 0;     // NODES: the next cell's id
    bool stepping = false;  // NODES: st is part-way through a run of ids
    bool only_one = false;  // NODES: idx = ? gave the one row to show
    Value dict;             // DICT: the persisted dict
    size_t entry = 0;       // DICT: the current entry; ROWS of a pdict: rows read
    Value element;
    bool decoded = false;
    CycleCheck cycle;       // NODES

    Table& table() { return *static_cast<Table*>(pVtab); }
    void finish() {
        st = Statement();
        source = NONE;
        eof = true;
        stepping = false;
        only_one = false;
        dict = Value();
        entry = 0;
        element = Value();
        decoded = false;
        cycle = CycleCheck();
    }
};

// NODES: put st on the row of cell `id`. Cells of one list are usually
// consecutive ids (persist writes them so), so stepping on is tried first.
void seek_node(SqliteStore& s, Cursor& c, int64_t id) {
    sqlite3_stmt* st = c.st.get();
    if (c.stepping && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == id) return;
    sqlite3_reset(st);  // to run again from `id`
    sqlite3_bind_int64(st, 1, id);
    c.stepping = true;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        throw joy::JoyError(std::string("run time error: SQL error: ") + sqlite3_errmsg(s.db()));
    if (rc != SQLITE_ROW || sqlite3_column_int64(st, 0) != id) {
        c.stepping = false;
        throw joy::JoyError("run time error: persisted node " + std::to_string(id) + " is missing");
    }
}

// NODES: make cell `id` (0: the end) the current row.
void enter_node(SqliteStore& s, Cursor& c, int64_t id) {
    c.decoded = false;
    c.element = Value();
    c.node = id;
    if (!id) {
        c.eof = true;
        return;
    }
    seek_node(s, c, id);
    if (sqlite3_column_int(c.st.get(), 7) != KIND_CELL)
        throw joy::JoyError("run time error: persisted node " + std::to_string(id) + " is not a list cell");
    c.next = sqlite3_column_int64(c.st.get(), 6);
    if (c.cycle.closes(id, c.next))
        throw joy::JoyError("run time error: persisted list at node " + std::to_string(id) + " is cyclic");
    c.eof = false;
}

Statement own_statement(SqliteStore& s, const std::string& sql) {
    Statement st;
    if (st.prepare(s.db(), sql.c_str()) != SQLITE_OK)
        throw joy::JoyError(std::string("run time error: SQL error: ") + sqlite3_errmsg(s.db()));
    return st;
}

// ROWS: step to the next row of the table.
void step_rows(SqliteStore& s, Cursor& c) {
    c.decoded = false;
    c.element = Value();
    int rc = sqlite3_step(c.st.get());
    if (rc == SQLITE_ROW) {
        c.eof = false;
        if (c.table().is_dict) ++c.entry;
        else c.key = sqlite3_column_int64(c.st.get(), 0);
        return;
    }
    c.eof = true;
    if (rc != SQLITE_DONE) throw joy::JoyError(std::string("run time error: SQL error: ") + sqlite3_errmsg(s.db()));
}

const char* NODE_ROWS = "SELECT id, type, ival, fval, str_id, ref_id, next_id, kind FROM main.joy_nodes WHERE id >= ?1";

// Starts a scan of joy_list: the persisted list or the plist `name`.
void start_list(SqliteStore& s, Cursor& c, bool has_idx, int64_t idx) {
    Table& t = c.table();
    Root r = find_root(s, c.name);
    if (r.found && r.type != TYPE_LIST)
        throw joy::JoyError("run time error: the value persisted as " + c.name + " is not a list, needed for joy_list");
    if (r.found || t.created) {
        c.source = Cursor::NODES;
        c.key = 0;
        if (!r.first) return;  // empty (or not persisted yet: maybe no joy_nodes either)
        c.st = own_statement(s, NODE_ROWS);
        enter_node(s, c, r.first);
        if (!has_idx) return;
        if (idx < 0) {
            c.eof = true;
            return;
        }
        while (!c.eof && c.key < idx) {
            enter_node(s, c, c.next);
            ++c.key;
        }
        c.only_one = true;
        return;
    }
    TableInfo info = inspect_table(s, c.name);
    if (!(info.plain && info.has_idx && info.has_value))
        throw joy::JoyError("run time error: no persisted list or plist named " + c.name + " for joy_list");
    std::string table = quote_identifier(c.name);
    c.source = Cursor::ROWS;
    c.st = own_statement(s, "SELECT idx, value FROM " + table + (has_idx ? " WHERE idx = ?1" : " ORDER BY idx"));
    if (has_idx) sqlite3_bind_int64(c.st.get(), 1, idx);
    step_rows(s, c);
}

// Starts a scan of joy_dict: the persisted dict or the pdict `name`.
void start_dict(SqliteStore& s, Cursor& c, sqlite3_value* key) {
    Root r = find_root(s, c.name);
    if (r.found) {
        if (r.type != TYPE_DICT)
            throw joy::JoyError("run time error: the value persisted as " + c.name + " is not a dict, needed for joy_dict");
        s.recall(c.name, c.dict);
        c.source = Cursor::DICT;
        c.entry = 0;
        c.eof = true;
        const auto& entries = c.dict.u.dict->entries;
        std::string wanted = key ? text_of(key) : std::string();
        for (; c.entry < entries.size(); ++c.entry) {
            const joy::Dict::Entry& e = entries[c.entry];
            if (e.key.tag == joy::T_STRING && (!key || e.key.u.str->view() == wanted)) {
                c.eof = false;
                break;
            }
        }
        c.only_one = key != nullptr;
        return;
    }
    TableInfo info = inspect_table(s, c.name);
    if (!(info.plain && info.has_key && info.has_value))
        throw joy::JoyError("run time error: no persisted dict or pdict named " + c.name + " for joy_dict");
    std::string sql = "SELECT key, value FROM " + quote_identifier(c.name);
    if (key) sql += " WHERE key = ?1";
    else if (info.rowid) sql += " ORDER BY rowid";
    c.source = Cursor::ROWS;
    c.st = own_statement(s, sql);
    if (key) sqlite3_bind_value(c.st.get(), 1, key);
    step_rows(s, c);
}

int filter(sqlite3_vtab_cursor* cur, int plan, const char*, int argc, sqlite3_value** argv) {
    auto& c = *static_cast<Cursor*>(cur);
    Table& t = c.table();
    c.finish();
    int rc = protect(cur->pVtab, [&] {
        int arg = 0;
        if (t.created) {
            c.name = t.root;
        } else {
            if (!(plan & HAS_NAME) || arg >= argc || sqlite3_value_type(argv[arg]) == SQLITE_NULL) return SQLITE_OK;
            c.name = text_of(argv[arg++]);
        }
        sqlite3_value* key = (plan & HAS_KEY) && arg < argc ? argv[arg] : nullptr;
        SqliteStore& s = store_of(t.store);
        if (t.is_dict) {
            start_dict(s, c, key);
        } else if (key && sqlite3_value_type(key) != SQLITE_INTEGER) {
            start_list(s, c, true, -1);  // idx = a non-integer matches nothing
        } else {
            start_list(s, c, key != nullptr, key ? sqlite3_value_int64(key) : 0);
        }
        return SQLITE_OK;
    });
    if (rc != SQLITE_OK) c.finish();
    return rc;
}

int next(sqlite3_vtab_cursor* cur) {
    auto& c = *static_cast<Cursor*>(cur);
    int rc = protect(cur->pVtab, [&] {
        SqliteStore& s = store_of(c.table().store);
        switch (c.source) {
        case Cursor::NODES:
            if (c.only_one) {
                c.eof = true;
                break;
            }
            enter_node(s, c, c.next);
            ++c.key;
            break;
        case Cursor::ROWS: step_rows(s, c); break;
        case Cursor::DICT: {
            c.decoded = false;
            const auto& entries = c.dict.u.dict->entries;
            c.eof = true;
            if (c.only_one) break;
            while (++c.entry < entries.size())
                if (entries[c.entry].key.tag == joy::T_STRING) {
                    c.eof = false;
                    break;
                }
            break;
        }
        case Cursor::NONE: c.eof = true; break;
        }
        return SQLITE_OK;
    });
    if (rc != SQLITE_OK) c.eof = true;
    return rc;
}

int eof(sqlite3_vtab_cursor* cur) { return static_cast<Cursor*>(cur)->eof; }

const Value& current_element(Cursor& c) {
    if (c.decoded) return c.element;
    SqliteStore& s = store_of(c.table().store);
    switch (c.source) {
    case Cursor::NODES: c.element = s.node_value(c.st.get(), 1); break;
    case Cursor::ROWS: c.element = stored_value(c.st.get(), 1, s.interp()); break;
    case Cursor::DICT: c.element = c.dict.u.dict->entries[c.entry].val; break;
    case Cursor::NONE: break;
    }
    c.decoded = true;
    return c.element;
}

int column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
    auto& c = *static_cast<Cursor*>(cur);
    protect(ctx, [&] {
        switch (col) {
        case C_KEY:
            if (!c.table().is_dict) sqlite3_result_int64(ctx, c.key);
            else if (c.source == Cursor::DICT) result_value(ctx, c.dict.u.dict->entries[c.entry].key);
            else sqlite3_result_value(ctx, sqlite3_column_value(c.st.get(), 0));
            break;
        case C_NAME: result_bytes(ctx, c.name); break;
        default: {
            // Reading a stored value in and writing its text count against
            // the memory limit of the connection's calls.
            SqliteStore& s = store_of(c.table().store);
            std::optional<joy::MemoryLimitScope> limit;
            if (s.interp()) limit.emplace(*s.interp());
            result_columns(ctx, col, current_element(c));
            break;
        }
        }
    });
    return SQLITE_OK;
}

int rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* out) {
    auto& c = *static_cast<Cursor*>(cur);
    // A persisted list's rows are its cells (DELETE finds them by id).
    *out = c.source == Cursor::NODES ? c.node : c.table().is_dict ? int64_t(c.entry) : c.key;
    return SQLITE_OK;
}

int open_cursor(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    auto* c = new (std::nothrow) Cursor();
    if (!c) return SQLITE_NOMEM;
    *out = c;
    return SQLITE_OK;
}

int close_cursor(sqlite3_vtab_cursor* cur) {
    auto* c = static_cast<Cursor*>(cur);
    std::weak_ptr<SqliteStore*> store = c->table().store;
    c->finish();
    delete c;
    tidy(store);
    return SQLITE_OK;
}

// name = ? is the function's argument (required unless the table was
// created over a root); key / idx = ? is answered by the index.
int best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
    Table& t = *static_cast<Table*>(vtab);
    int name = -1, key = -1;
    bool name_unusable = false;
    for (int k = 0; k < info->nConstraint; ++k) {
        const auto& c = info->aConstraint[k];
        if (c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
        if (c.iColumn == C_NAME && !t.created) {
            if (c.usable) name = k;
            else name_unusable = true;
        } else if (c.iColumn == C_KEY && c.usable) {
            key = k;
        }
    }
    if (!t.created && name < 0) {
        if (name_unusable) return SQLITE_CONSTRAINT;  // another join order
        return vtab_error(vtab, "joy: %s needs the name of a list", t.is_dict ? "joy_dict" : "joy_list");
    }
    int arg = 0;
    info->idxNum = 0;
    if (name >= 0) {
        info->aConstraintUsage[name].argvIndex = ++arg;
        info->aConstraintUsage[name].omit = 1;
        info->idxNum |= HAS_NAME;
    }
    if (key >= 0) {
        info->aConstraintUsage[key].argvIndex = ++arg;
        info->aConstraintUsage[key].omit = 1;
        info->idxNum |= HAS_KEY;
        info->estimatedCost = 10;
        info->estimatedRows = 1;
        info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    } else {
        info->estimatedCost = 100000;
        info->estimatedRows = 100000;
    }
    // Rows come in idx order.
    if (!t.is_dict && info->nOrderBy == 1 && info->aOrderBy[0].iColumn == C_KEY && !info->aOrderBy[0].desc)
        info->orderByConsumed = 1;
    return SQLITE_OK;
}

int connect_table(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out, char** err,
                  bool is_dict) {
    bool created = argc > 3;
    if (created && (is_dict || argc != 4)) {
        *err = sqlite3_mprintf("joy: CREATE VIRTUAL TABLE ... USING joy_list(root) takes one root name");
        return SQLITE_ERROR;
    }
    int rc = sqlite3_declare_vtab(db, is_dict ? "CREATE TABLE x(key TEXT, value, joy TEXT, type TEXT, name HIDDEN)"
                                              : "CREATE TABLE x(idx INTEGER, value, joy TEXT, type TEXT, name HIDDEN)");
    if (rc != SQLITE_OK) return rc;
    auto* t = new (std::nothrow) Table();
    if (!t) return SQLITE_NOMEM;
    t->store = static_cast<ModuleData*>(aux)->store;
    t->is_dict = is_dict;
    t->created = created;
    if (created) {
        try {
            t->root = dequote(argv[3]);
        } catch (const std::bad_alloc&) {
            delete t;
            return SQLITE_NOMEM;
        }
    }
    // Reading is harmless anywhere; a view that writes is for direct SQL.
    sqlite3_vtab_config(db, created ? SQLITE_VTAB_DIRECTONLY : SQLITE_VTAB_INNOCUOUS);
    *out = t;
    return SQLITE_OK;
}

int list_connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out, char** err) {
    return connect_table(db, aux, argc, argv, out, err, false);
}

int dict_connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out, char** err) {
    return connect_table(db, aux, argc, argv, out, err, true);
}

int disconnect(sqlite3_vtab* vtab) {
    delete static_cast<Table*>(vtab);
    return SQLITE_OK;
}

// ---- changes through a created joy_list ----

struct NodeLinks {
    bool found = false;
    int kind = 0;
    int64_t next = 0;
};

NodeLinks links_of(SqliteStore& s, int64_t id) {
    NodeLinks l;
    sqlite3_stmt* st = s.prepare_collection("SELECT kind, next_id FROM main.joy_nodes WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    StatementUse use(st);
    if (sqlite3_step(st) == SQLITE_ROW) {
        l.found = true;
        l.kind = sqlite3_column_int(st, 0);
        l.next = sqlite3_column_int64(st, 1);
    }
    return l;
}

void update_node(SqliteStore& s, const char* sql, int64_t id, int64_t v) {
    sqlite3_stmt* st = s.prepare_collection(sql);
    if (v) sqlite3_bind_int64(st, 1, v);
    else sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, id);
    StatementUse use(st);
    if (sqlite3_step(st) != SQLITE_DONE)
        throw joy::JoyError(std::string("run time error: SQL error: ") + sqlite3_errmsg(s.db()));
}

constexpr const char* SET_NEXT = "UPDATE main.joy_nodes SET next_id = ?1 WHERE id = ?2";
constexpr const char* SET_FIRST = "UPDATE main.joy_nodes SET ref_id = ?1 WHERE id = ?2";
constexpr const char* SET_LAST = "UPDATE main.joy_nodes SET ival = ?1 WHERE id = ?2";

// The last cell of the list: from the root's note of it while that is
// still a cell, else from the first cell (following any cells linked since).
int64_t last_cell(SqliteStore& s, const Root& r) {
    int64_t at = r.first;
    if (r.last) {
        NodeLinks l = links_of(s, r.last);
        if (l.found && l.kind == KIND_CELL) at = r.last;
    }
    CycleCheck cycle;
    for (;;) {
        NodeLinks l = links_of(s, at);
        if (!l.found) throw joy::JoyError("run time error: persisted node " + std::to_string(at) + " is missing");
        if (!l.next) return at;
        if (cycle.closes(at, l.next)) throw joy::JoyError("run time error: the persisted list is cyclic");
        at = l.next;
    }
}

// New cells and links are written before anything points at them, so a
// failure part-way leaves unreachable rows (for the GC), never a broken list.
void append_to_root(SqliteStore& s, const std::string& name, const Value& v) {
    Root r = find_root(s, name);
    if (!r.found) {
        s.persist(name, joy::cons(v, Value::empty_list()));
        return;
    }
    if (r.type != TYPE_LIST) throw joy::JoyError("run time error: the value persisted as " + name + " is not a list");
    int64_t cell = s.persist_cell(v);
    if (!r.first) update_node(s, SET_FIRST, r.id, cell);
    else update_node(s, SET_NEXT, last_cell(s, r), cell);
    update_node(s, SET_LAST, r.id, cell);
}

void delete_from_root(SqliteStore& s, const std::string& name, int64_t cell) {
    Root r = find_root(s, name);
    if (!r.found || r.type != TYPE_LIST || !r.first) return;
    NodeLinks gone = links_of(s, cell);
    if (!gone.found || gone.kind != KIND_CELL) return;
    int64_t before = 0;
    if (r.first != cell) {
        CycleCheck cycle;
        for (int64_t at = r.first; at; ) {
            NodeLinks l = links_of(s, at);
            if (!l.found) throw joy::JoyError("run time error: persisted node " + std::to_string(at) + " is missing");
            if (l.next == cell) {
                before = at;
                break;
            }
            if (cycle.closes(at, l.next)) throw joy::JoyError("run time error: the persisted list is cyclic");
            at = l.next;
        }
        if (!before) return;  // not in this list
        update_node(s, SET_NEXT, before, gone.next);
    } else {
        update_node(s, SET_FIRST, r.id, gone.next);
    }
    if (!gone.next || r.last == cell) update_node(s, SET_LAST, r.id, gone.next ? 0 : before);
    sqlite3_stmt* del = s.prepare_collection("DELETE FROM main.joy_nodes WHERE id = ?1");
    sqlite3_bind_int64(del, 1, cell);
    StatementUse use(del);
    if (sqlite3_step(del) != SQLITE_DONE)
        throw joy::JoyError(std::string("run time error: SQL error: ") + sqlite3_errmsg(s.db()));
}

// The value an INSERT gives: the joy column as the canonical text that
// SELECT gives (so every value goes back exactly, an empty dict `{:}`
// too) or else as Joy notation; without it, the value column as a SQL
// argument.
Value inserted_value(SqliteStore& s, sqlite3_value* value, sqlite3_value* joy_text) {
    if (sqlite3_value_type(joy_text) == SQLITE_NULL) return from_sql(value);
    joy::Interp* I = s.interp();
    if (!I) throw joy::JoyError("run time error: reading Joy notation needs an interpreter");
    std::string text = text_of(joy_text);
    try {
        return joy::read_canonical(text, I);
    } catch (const joy::JoyError&) {
        // not canonical: read as a program would
    }
    joy::Parser p(*I, text);
    if (p.at_end()) throw joy::JoyError("run time error: the joy column is empty: one value in Joy notation needed");
    Value v = p.read_factor();
    if (!p.at_end())
        throw joy::JoyError("run time error: one value needed in the joy column, not several: " +
                            joy::utf8_escaped(text.size() > 60 ? text.substr(0, 60) + "..." : text));
    return v;
}

int update(sqlite3_vtab* vtab, int argc, sqlite3_value** argv, sqlite3_int64* rowid_out) {
    Table& t = *static_cast<Table*>(vtab);
    if (!t.created)
        return vtab_error(vtab, "joy: joy_list(name) is read-only: CREATE VIRTUAL TABLE ... USING joy_list(name) "
                                "to change a list");
    bool insert = sqlite3_value_type(argv[0]) == SQLITE_NULL;
    if (argc > 1 && !insert) return vtab_error(vtab, "joy: a joy_list view takes INSERT and DELETE, not UPDATE");
    int rc = protect(vtab, [&] {
        SqliteStore& s = store_of(t.store);
        s.before_write();
        if (argc == 1) {
            delete_from_root(s, t.root, sqlite3_value_int64(argv[0]));
        } else {
            if (sqlite3_value_type(argv[1]) != SQLITE_NULL || sqlite3_value_type(argv[2 + C_KEY]) != SQLITE_NULL)
                throw joy::JoyError("run time error: rows of a joy_list view are appended: idx cannot be given");
            append_to_root(s, t.root, inserted_value(s, argv[2 + C_VALUE], argv[2 + C_JOY]));
            *rowid_out = 0;
        }
        return SQLITE_OK;
    });
    tidy(t.store);
    return rc;
}

sqlite3_module make_module(bool is_dict) {
    sqlite3_module m{};
    if (!is_dict) {
        m.xCreate = list_connect;  // the same: joy_list(name) and CREATE VIRTUAL TABLE both work
        m.xDestroy = disconnect;
        m.xUpdate = update;
    }
    m.xConnect = is_dict ? dict_connect : list_connect;
    m.xBestIndex = best_index;
    m.xDisconnect = disconnect;
    m.xOpen = open_cursor;
    m.xClose = close_cursor;
    m.xFilter = filter;
    m.xNext = next;
    m.xEof = eof;
    m.xColumn = column;
    m.xRowid = rowid;
    return m;
}

const sqlite3_module list_module = make_module(false);
const sqlite3_module dict_module = make_module(true);

}  // namespace

int register_collection_tables(sqlite3* db, SqliteStore* store) {
    for (auto [name, module] : {std::pair{"joy_list", &list_module}, std::pair{"joy_dict", &dict_module}}) {
        auto* data = new (std::nothrow) ModuleData{store->weak_self()};
        if (!data) return SQLITE_NOMEM;
        int rc = sqlite3_create_module_v2(db, name, module, data, free_module_data);
        if (rc != SQLITE_OK) return rc;
    }
    // Making the store may have read the database (outside any call).
    store->release_idle_statements();
    return SQLITE_OK;
}

}  // namespace joyext
