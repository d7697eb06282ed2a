// sql_seal.cpp - the authorizer that seals SQL a Joy program runs (see
// sql_seal.h).
#include "sql_seal.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "sqlite_collections.h"
#include "statement.h"

SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {

#ifndef SQLITE_DIRECTONLY
#define SQLITE_DIRECTONLY 0x000080000
#endif

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower((unsigned char)c));
    return out;
}
// The authorizer's arguments may be NULL.
std::string lower(const char* s) { return lower(std::string_view(s ? s : "")); }

bool one_of(const std::string& name, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

// PRAGMAs that only read: those that take a name to report on, and those
// read without a value (with a value they would set it).
bool reads_only(const std::string& pragma, const char* value) {
    if (one_of(pragma, {"table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list",
                        "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"}))
        return true;
    return !value && one_of(pragma, {"application_id", "auto_vacuum", "busy_timeout", "cache_size",
                                     "collation_list", "compile_options", "data_version", "database_list",
                                     "encoding", "foreign_keys", "freelist_count", "function_list",
                                     "journal_mode", "max_page_count", "module_list", "page_count", "page_size",
                                     "pragma_list", "recursive_triggers", "schema_version", "synchronous",
                                     "temp_store", "user_version"});
}

// Modules whose tables only compute or keep their data in the database.
bool safe_module(const std::string& module) {
    return module.rfind("pragma_", 0) == 0 || module.rfind("joy_", 0) == 0 ||
           one_of(module, {"json_each", "json_tree", "generate_series", "fts3", "fts4", "fts5", "fts5vocab", "rtree",
                           "rtree_i32", "geopoly", "dbstat", "bytecode", "tables_used", "completion"});
}

// The module after USING in a CREATE VIRTUAL TABLE statement, lower case.
std::string module_of(const std::string& create) {
    // Comments and quoted text are blanked first: "/* using json_each */"
    // must not pass for the module.
    std::string text = lower(create.c_str());
    for (size_t k = 0; k < text.size();) {
        size_t end = k + 1;
        if (text.compare(k, 2, "/*") == 0) end = std::min(text.find("*/", k + 2), text.size() - 2) + 2;
        else if (text.compare(k, 2, "--") == 0) end = std::min(text.find('\n', k), text.size());
        else if (text[k] == '\'' || text[k] == '"' || text[k] == '`' || text[k] == '[') {
            char close = text[k] == '[' ? ']' : text[k];
            end = std::min(text.find(close, k + 1), text.size() - 1) + 1;
            if (text[k] != '\'') {  // a quoted name: keep its letters, drop the quotes
                text[k] = ' ';
                text[end - 1] = ' ';
                k = end;
                continue;
            }
        } else {
            k = end;
            continue;
        }
        for (size_t j = k; j < end && j < text.size(); ++j) text[j] = ' ';
        k = end;
    }
    size_t at = text.find(" using ");
    if (at == std::string::npos) return "";
    size_t k = at + 7;
    while (k < text.size() && (text[k] == ' ' || text[k] == '"' || text[k] == '[' || text[k] == '`')) ++k;
    size_t end = k;
    while (end < text.size() && (std::isalnum((unsigned char)text[end]) || text[end] == '_')) ++end;
    return text.substr(k, end - k);
}

}  // namespace

// Why `table` (in `schema`, or wherever SQLite found it when empty) may
// not be used from Joy: a virtual table of a module that is not safe.
std::string SqlSeal::table_refusal(const std::string& schema, const std::string& table) {
    std::string key = schema + "." + table;
    auto known = table_verdicts_.find(key);
    if (known != table_verdicts_.end()) return known->second;
    std::string module;
    bool is_table = false;
    // A table of the database: a virtual one names its module when created.
    Statement list;
    if (list.prepare(db_, "SELECT schema, type FROM pragma_table_list(?1) WHERE ?2 = '' OR schema = ?2") ==
        SQLITE_OK) {
        sqlite3_stmt* st = list.get();
        sqlite3_bind_text(st, 1, table.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, schema.c_str(), -1, SQLITE_TRANSIENT);
        std::vector<std::string> virtual_in;
        while (sqlite3_step(st) == SQLITE_ROW) {
            is_table = true;
            if (column_text(st, 1) == "virtual") virtual_in.emplace_back(column_text(st, 0));
        }
        for (const std::string& in : virtual_in) {
            std::string sql =
                "SELECT sql FROM " + quote_identifier(in) + ".sqlite_schema WHERE type = 'table' AND lower(name) = ?1";
            Statement create;
            if (create.prepare(db_, sql) == SQLITE_OK) {
                sqlite3_bind_text(create.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
                if (sqlite3_step(create.get()) == SQLITE_ROW && sqlite3_column_text(create.get(), 0)) {
                    std::string m = module_of(std::string(column_text(create.get(), 0)));
                    if (!safe_module(m)) module = m.empty() ? "?" : m;
                }
            }
            if (!module.empty()) break;
        }
    }
    // Not a table of any schema: an eponymous virtual table (fsdir('/')).
    if (!is_table && !safe_module(table)) {
        Statement known;
        if (known.prepare(db_, "SELECT 1 FROM pragma_module_list WHERE lower(name) = ?1") == SQLITE_OK) {
            sqlite3_bind_text(known.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
            if (sqlite3_step(known.get()) == SQLITE_ROW) module = table;
        }
    }
    std::string verdict;
    if (!module.empty())
        verdict = "the virtual table " + table + " (module " + module +
                  ") is not allowed in SQL run by Joy unless files are enabled";
    table_verdicts_.emplace(key, verdict);
    return verdict;
}

namespace {
constexpr int PROGRESS_OPS = 1000;
}

void SqlSeal::load_unsafe_modules() {
    unsafe_modules_.clear();
    Statement modules;
    if (modules.prepare(db_, "SELECT name FROM pragma_module_list") == SQLITE_OK)
        while (sqlite3_step(modules.get()) == SQLITE_ROW) {
            std::string m = lower(column_text(modules.get(), 0));
            if (!safe_module(m)) unsafe_modules_.insert(m);
        }
}

void SqlSeal::install(sqlite3* db) {
    db_ = db;
    sqlite3_set_authorizer(db, authorize, this);
    sqlite3_progress_handler(db, PROGRESS_OPS, progress, this);
}

void SqlSeal::uninstall() {
    if (db_) {
        sqlite3_set_authorizer(db_, nullptr, nullptr);
        sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    }
    db_ = nullptr;
}

int SqlSeal::progress(void* self) {
    auto* seal = static_cast<SqlSeal*>(self);
    joy::Interp* run = seal->sealed_ ? seal->run_ : seal->call_run_;
    if (!run || !run->charge_outside(PROGRESS_OPS)) return 0;
    seal->refusal_ = "step limit exceeded (" + std::to_string(run->limits.steps) + " steps, " +
                     (seal->sealed_ ? "SQL run by Joy" : "the SQL of the call") + " counting a step per instruction)";
    return 1;
}

namespace {
// Whether an action the authorizer sees may write a table, change a schema
// or attach one; reading, calling functions and transactions may not.
// (An integrity check counts too: it runs every CHECK constraint.)
bool may_write(int action, const char* a, const char* b) {
    auto checks = [](const char* name) {
        return name && (sqlite3_strnicmp(name, "integrity_check", 15) == 0 || sqlite3_strnicmp(name, "quick_check", 11) == 0 ||
                        sqlite3_strnicmp(name, "pragma_integrity_check", 22) == 0 ||
                        sqlite3_strnicmp(name, "pragma_quick_check", 18) == 0);
    };
    switch (action) {
    case SQLITE_READ:
        return checks(a);
    case SQLITE_SELECT:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
        return false;
    case SQLITE_PRAGMA:
        return b != nullptr || checks(a);
    default:
        return true;
    }
}
}  // namespace

int SqlSeal::authorize(void* self, int action, const char* a, const char* b, const char* db, const char*) {
    auto* seal = static_cast<SqlSeal*>(self);
    seal->probe_seen_ = true;
    if (!seal->call_run_ && !seal->sealed_ && may_write(action, a, b)) ++seal->schema_epoch_;
    if (!seal->sealed_) return SQLITE_OK;
    seal->consulted_ = true;
    seal->db_name_ = db;
    return seal->decide(action, a, b);
}

int SqlSeal::decide(int action, const char* a, const char* b) {
    switch (action) {
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
        refusal_ = std::string(action == SQLITE_TRANSACTION ? a : "SAVEPOINT and RELEASE") +
                   " is not allowed in SQL run by Joy: a call's writes are one unit, undone if it fails "
                   "(db-begin, db-commit and db-rollback nest inside it)";
        return SQLITE_DENY;
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        if (files_) return SQLITE_OK;
        refusal_ = "ATTACH, DETACH and VACUUM are not allowed in SQL run by Joy unless files are enabled";
        return SQLITE_DENY;
    case SQLITE_PRAGMA: {
        std::string pragma = lower(a);
        if (files_ || reads_only(pragma, b)) return SQLITE_OK;
        refusal_ = "PRAGMA " + pragma + (b ? " with a value" : "") +
                   " is not allowed in SQL run by Joy unless files are enabled (only PRAGMAs that read are)";
        return SQLITE_DENY;
    }
    case SQLITE_FUNCTION:
        if (files_ || !b) return SQLITE_OK;
        // The shell's edit() runs a program and readfile() reads a file,
        // though neither is marked SQLITE_DIRECTONLY.
        if (one_of(lower(b), {"edit", "readfile", "writefile", "load_extension", "fts3_tokenizer"})) {
            refusal_ = lower(b) + "() is not allowed in SQL run by Joy unless files are enabled";
            return SQLITE_DENY;
        }
        functions_.push_back(lower(b));
        return SQLITE_OK;
    case SQLITE_CREATE_TEMP_TRIGGER:
    case SQLITE_CREATE_TEMP_VIEW:
        if (files_) return SQLITE_OK;
        refusal_ = "TEMP triggers and views are not allowed in SQL run by Joy unless files are enabled "
                   "(they may call functions kept to direct SQL)";
        return SQLITE_DENY;
    case SQLITE_CREATE_VTABLE:
        if (files_ || (b && safe_module(lower(b)))) return SQLITE_OK;
        refusal_ = std::string("virtual tables of module ") + (b ? b : "?") +
                   " are not allowed in SQL run by Joy unless files are enabled";
        return SQLITE_DENY;
    case SQLITE_READ:
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE: {
        if (files_ || !a) return SQLITE_OK;
        // a: the table; its schema comes as the third argument. The table
        // of a module that is not safe, read by its own name (fsdir('/')),
        // is refused here too, where a statement prepared again after a
        // change of schema is also seen.
        std::pair<std::string, std::string> t{db_name_ ? db_name_ : "", lower(a)};
        if (unsafe_modules_.count(t.second)) {
            refusal_ = "the virtual table " + t.second + " is not allowed in SQL run by Joy unless files are enabled";
            return SQLITE_DENY;
        }
        if (tables_.empty() || tables_.back() != t) tables_.push_back(std::move(t));
        return SQLITE_OK;
    }
    default:
        return SQLITE_OK;
    }
}

bool SqlSeal::is_direct_only(const std::string& function) {
    auto it = direct_only_.find(function);
    if (it != direct_only_.end()) return it->second;
    direct_only_.clear();
    Statement functions;
    if (functions.prepare(db_, "SELECT name, max(flags & ?1 != 0) FROM pragma_function_list GROUP BY name") ==
        SQLITE_OK) {
        sqlite3_stmt* st = functions.get();
        sqlite3_bind_int(st, 1, SQLITE_DIRECTONLY);
        while (sqlite3_step(st) == SQLITE_ROW) direct_only_[lower(column_text(st, 0))] = sqlite3_column_int(st, 1) != 0;
    }
    it = direct_only_.find(function);
    // A name SQLite does not list cannot be told apart: refuse it.
    return it == direct_only_.end() || it->second;
}

// A few statements (VACUUM) consult the authorizer only when they run:
// whether it is still this one is asked with a statement that consults it.
bool SqlSeal::authorizer_is_ours() {
    probe_seen_ = false;
    Statement().prepare(db_, "SELECT 1");
    return probe_seen_;
}

bool SqlSeal::still_installed() {
    Statement().prepare(db_, "SELECT 1");
    return consulted_;
}

std::string SqlSeal::check_prepared() {
    std::vector<std::string> functions;
    functions.swap(functions_);
    if (!consulted_ && !still_installed())
        return "the host replaced the extension's authorizer (sqlite3_set_authorizer), so SQL run by Joy "
               "cannot be checked and is refused";
    bool was_sealed = sealed_;
    sealed_ = false;  // the function list is read by the extension, not by Joy
    std::string refusal;
    for (const std::string& f : functions)
        if (is_direct_only(f)) {
            refusal = f + "() is not allowed in SQL run by Joy unless files are enabled: it may only be "
                          "called directly (SQLITE_DIRECTONLY)";
            break;
        }
    std::vector<std::pair<std::string, std::string>> tables;
    tables.swap(tables_);
    for (size_t k = 0; k < tables.size() && refusal.empty(); ++k) refusal = table_refusal(tables[k].first, tables[k].second);
    sealed_ = was_sealed;
    return refusal;
}

}  // namespace joyext
