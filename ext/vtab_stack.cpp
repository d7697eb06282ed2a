// vtab_stack.cpp - the table-valued functions joy_stack and joy_each
// (eponymous virtual tables, in the manner of SQLite's series.c).
//
//   SELECT * FROM joy_stack('1 2 3');          -- depth, value, type, json
//   SELECT * FROM joy_stack('dup *', 7);       -- up to 8 args, arg1 deepest
//   SELECT * FROM joy_each('[1 "two" 3.0]');   -- idx, key, value, type
//   SELECT key, value FROM joy_each('{a: 1, b: [2]}');
//   SELECT value FROM joy_each(json_array(1, 2, 3));
//
// joy_stack runs a program as joy_eval does (DIRECTONLY) and gives one row
// per stack item, top first: depth (0 = top), value (as joy_eval returns
// it), type (Joy type name), json (the value as JSON, NULL when JSON cannot
// say it). joy_each takes a Joy value written in Joy notation (it is
// evaluated as a pure program, so also `[1 2 3] [dup *] map`), or JSON
// text with the JSON subtype, and gives a row per element of a list, set,
// dict or string: idx (from 0), key (dict key, else NULL), value, type. It
// is pure and INNOCUOUS. A NULL argument gives no rows.
#include <sqlite3ext.h>

#include <string>
#include <utility>
#include <vector>

#include "../joycore/dict.h"
#include "../joycore/json.h"
#include "../joycore/printer.h"
#include "context.h"
#include "sqlvalue.h"
SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {

constexpr int MAX_STACK_ARGS = 8;

// Both tables: the connection, and rows materialised by xFilter.
struct Table : sqlite3_vtab {
    JoyConnection* conn;
};
struct Row {
    joy::Value key;  // joy_each over a dict: the key
    joy::Value value;
};
struct Cursor : sqlite3_vtab_cursor {
    std::vector<Row> rows;
    size_t at = 0;
};

int connect(sqlite3* db, void* aux, const char* schema, bool direct_only, sqlite3_vtab** out,
            char** err) {
    int rc = sqlite3_declare_vtab(db, schema);
    if (rc != SQLITE_OK) return rc;
    auto* tab = new (std::nothrow) Table();
    if (!tab) return SQLITE_NOMEM;
    tab->conn = static_cast<JoyConnection*>(aux);
    sqlite3_vtab_config(db, direct_only ? SQLITE_VTAB_DIRECTONLY : SQLITE_VTAB_INNOCUOUS);
    *out = tab;
    return SQLITE_OK;
}

int disconnect(sqlite3_vtab* tab) {
    delete static_cast<Table*>(tab);
    return SQLITE_OK;
}

int open_cursor(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    auto* cur = new (std::nothrow) Cursor();
    if (!cur) return SQLITE_NOMEM;
    *out = cur;
    return SQLITE_OK;
}

int close_cursor(sqlite3_vtab_cursor* cur) {
    JoyConnection* conn = static_cast<Table*>(cur->pVtab)->conn;
    delete static_cast<Cursor*>(cur);
    conn->release_idle_statements();  // printing recalled lists read rows
    return SQLITE_OK;
}

int next(sqlite3_vtab_cursor* cur) {
    ++static_cast<Cursor*>(cur)->at;
    return SQLITE_OK;
}

int eof(sqlite3_vtab_cursor* cur) {
    auto* c = static_cast<Cursor*>(cur);
    return c->at >= c->rows.size();
}

int rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* out) {
    *out = sqlite3_int64(static_cast<Cursor*>(cur)->at);
    return SQLITE_OK;
}

void result_type(sqlite3_context* ctx, const joy::Value& v) {
    sqlite3_result_text(ctx, joy::type_name(v.tag), -1, SQLITE_STATIC);
}

// Hidden argument columns start at `first_arg`: use the equality
// constraints on them, in column order, as the function's arguments. The
// first hidden column (the program or value) is required; idxNum is the
// number of arguments passed.
int best_index(sqlite3_vtab* tab, sqlite3_index_info* info, int first_arg, int n_args, const char* fn) {
    int slot[1 + MAX_STACK_ARGS];
    for (int& s : slot) s = -1;
    bool unusable = false;
    for (int k = 0; k < info->nConstraint; ++k) {
        const auto& c = info->aConstraint[k];
        int col = c.iColumn - first_arg;
        if (col < 0 || col > n_args) continue;
        if (c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
        if (!c.usable) { unusable = true; continue; }
        slot[col] = k;
    }
    if (slot[0] < 0) {
        if (unusable) return SQLITE_CONSTRAINT;  // try another join order
        return vtab_error(tab, "joy: %s needs its first argument", fn);
    }
    int used = 0;
    while (used <= n_args && slot[used] >= 0) {
        info->aConstraintUsage[slot[used]].argvIndex = used + 1;
        info->aConstraintUsage[slot[used]].omit = 1;
        ++used;
    }
    info->idxNum = used - 1;
    info->estimatedCost = 10;
    info->estimatedRows = 10;
    return SQLITE_OK;
}

// ---- joy_stack ----

enum StackColumn { S_DEPTH, S_VALUE, S_TYPE, S_JSON, S_PROGRAM };

// The columns of joy_stack: the program and its arguments are hidden.
const std::string& stack_schema() {
    static const std::string schema = [] {
        std::string s = "CREATE TABLE x(depth INTEGER, value, type TEXT, json TEXT, program HIDDEN";
        for (int k = 1; k <= MAX_STACK_ARGS; ++k) s += ", arg" + std::to_string(k) + " HIDDEN";
        return s + ")";
    }();
    return schema;
}

int stack_connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char** err) {
    return connect(db, aux, stack_schema().c_str(), true, out, err);
}

int stack_best_index(sqlite3_vtab* tab, sqlite3_index_info* info) {
    return best_index(tab, info, S_PROGRAM, MAX_STACK_ARGS, "joy_stack");
}

int stack_filter(sqlite3_vtab_cursor* cur, int idx_num, const char*, int argc, sqlite3_value** argv) {
    auto* c = static_cast<Cursor*>(cur);
    auto* tab = static_cast<Table*>(cur->pVtab);
    c->rows.clear();
    c->at = 0;
    if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return SQLITE_OK;
    const char* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    std::string_view program(text ? text : "", size_t(sqlite3_value_bytes(argv[0])));
    int rc = protect(cur->pVtab, [&] {
        JoyConnection& conn = *tab->conn;
        conn.call(*conn.compile(program, Mode::EVAL), nullptr, argv + 1, idx_num, Mode::EVAL, false, nullptr,
                  [&](joy::Interp& I) {
                      c->rows.reserve(I.stk.size());
                      for (size_t k = I.stk.size(); k-- > 0;) c->rows.push_back({joy::Value(), std::move(I.stk[k])});
                      // The rows' text is made later, column by column: a value
                      // whose text cannot fit (the memory limit, SQLite's length
                      // limit) fails the call now, before it commits.
                      joy::MemoryLimitScope limit(I);
                      size_t longest = size_t(sqlite3_limit(conn.db(), SQLITE_LIMIT_LENGTH, -1));
                      for (const Row& row : c->rows) {
                          joy::check_text_fits(row.value);
                          const joy::Value& v = row.value;
                          if (v.tag == joy::T_STRING ? v.u.str->len > longest : joy::text_longer_than(v, longest))
                              throw joy::JoyError("run time error: a value's text is longer than SQLite's length "
                                                  "limit (" + std::to_string(longest) + ")");
                      }
                  });
        return SQLITE_OK;
    });
    if (rc != SQLITE_OK) c->rows.clear();
    return rc;
}

int stack_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
    auto* c = static_cast<Cursor*>(cur);
    const joy::Value& v = c->rows[c->at].value;
    // Printing a recalled list reads it in: count that against the limit.
    joy::MemoryLimitScope limit(static_cast<Table*>(cur->pVtab)->conn->interp());
    // Reading a recalled list in may fail (a broken row, a limit).
    protect(ctx, [&] {
        switch (col) {
        case S_DEPTH: sqlite3_result_int64(ctx, sqlite3_int64(c->at)); break;
        case S_VALUE: result_value(ctx, v); break;
        case S_TYPE: result_type(ctx, v); break;
        case S_JSON:
            try {
                result_json(ctx, v);
            } catch (const joy::NoJsonForm&) {
                sqlite3_result_null(ctx);
            }
            break;
        default: sqlite3_result_null(ctx); break;  // hidden arguments are not kept
        }
    });
    return SQLITE_OK;
}

// ---- joy_each ----

enum EachColumn { E_IDX, E_KEY, E_VALUE, E_TYPE, E_INPUT };

int each_connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char** err) {
    return connect(db, aux, "CREATE TABLE x(idx INTEGER, key TEXT, value, type TEXT, input HIDDEN)", false, out,
                   err);
}

int each_best_index(sqlite3_vtab* tab, sqlite3_index_info* info) {
    return best_index(tab, info, E_INPUT, 0, "joy_each");
}

// The value joy_each walks: JSON-subtype text parsed, other text evaluated
// as a pure Joy program (its top), other SQL types as they map.
joy::Value each_input(JoyConnection& conn, sqlite3_value* arg) {
    if (sqlite3_value_type(arg) != SQLITE_TEXT || sqlite3_value_subtype(arg) == JSON_SUBTYPE)
        return from_sql(arg);
    const char* text = reinterpret_cast<const char*>(sqlite3_value_text(arg));
    std::string_view program(text ? text : "", size_t(sqlite3_value_bytes(arg)));
    joy::Value top;
    conn.call(*conn.compile(program, Mode::PURE), nullptr, nullptr, 0, Mode::PURE, false, nullptr, [&](joy::Interp& I) {
        if (I.stk.empty()) throw joy::JoyError("run time error: joy_each: the text gives no value");
        top = std::move(I.stk.back());
    });
    return top;
}

void each_rows(const joy::Value& v, std::vector<Row>& rows) {
    switch (v.tag) {
    case joy::T_LIST:
        for (joy::Cell* c = v.u.list; c; c = joy::tail(c)) rows.push_back({joy::Value(), joy::head(c)});
        break;
    case joy::T_SET:
        for (int k = 0; k < 64; ++k)
            if (v.u.set >> k & 1) rows.push_back({joy::Value(), joy::Value::integer(k)});
        break;
    case joy::T_STRING:
        for (char ch : v.u.str->view()) rows.push_back({joy::Value(), joy::Value::chr(ch)});
        break;
    case joy::T_DICT:
        v.u.dict->each([&](const joy::Value& k, const joy::Value& val) { rows.push_back({k, val}); });
        break;
    default:
        throw joy::JoyError(std::string("run time error: list, set, dict or string needed for joy_each (got ") +
                            joy::type_name(v.tag) + ")");
    }
}

int each_filter(sqlite3_vtab_cursor* cur, int, const char*, int argc, sqlite3_value** argv) {
    auto* c = static_cast<Cursor*>(cur);
    auto* tab = static_cast<Table*>(cur->pVtab);
    c->rows.clear();
    c->at = 0;
    if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return SQLITE_OK;
    int rc = protect(cur->pVtab, [&] {
        each_rows(each_input(*tab->conn, argv[0]), c->rows);
        return SQLITE_OK;
    });
    if (rc != SQLITE_OK) c->rows.clear();
    return rc;
}

int each_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
    auto* c = static_cast<Cursor*>(cur);
    const Row& row = c->rows[c->at];
    joy::MemoryLimitScope limit(static_cast<Table*>(cur->pVtab)->conn->interp());
    protect(ctx, [&] {
        switch (col) {
        case E_IDX: sqlite3_result_int64(ctx, sqlite3_int64(c->at)); break;
        case E_KEY: result_value(ctx, row.key); break;
        case E_VALUE: result_value(ctx, row.value); break;
        case E_TYPE: result_type(ctx, row.value); break;
        default: sqlite3_result_null(ctx); break;
        }
    });
    return SQLITE_OK;
}

sqlite3_module make_module(decltype(sqlite3_module::xConnect) connect_fn,
                           decltype(sqlite3_module::xBestIndex) best_index_fn,
                           decltype(sqlite3_module::xFilter) filter_fn,
                           decltype(sqlite3_module::xColumn) column_fn) {
    sqlite3_module m{};
    m.xConnect = connect_fn;  // no xCreate: eponymous only
    m.xBestIndex = best_index_fn;
    m.xDisconnect = disconnect;
    m.xOpen = open_cursor;
    m.xClose = close_cursor;
    m.xFilter = filter_fn;
    m.xNext = next;
    m.xEof = eof;
    m.xColumn = column_fn;
    m.xRowid = rowid;
    return m;
}

const sqlite3_module stack_module = make_module(stack_connect, stack_best_index, stack_filter, stack_column);
const sqlite3_module each_module = make_module(each_connect, each_best_index, each_filter, each_column);

}  // namespace

int register_stack_tables(sqlite3* db, JoyConnection* conn) {
    stack_schema();  // built now, where a failure is a failed load
    conn->retain();  // released by SQLite, also if registration fails
    int rc = sqlite3_create_module_v2(db, "joy_stack", &stack_module, conn, JoyConnection::release);
    if (rc != SQLITE_OK) return rc;
    conn->retain();
    return sqlite3_create_module_v2(db, "joy_each", &each_module, conn, JoyConnection::release);
}

}  // namespace joyext
