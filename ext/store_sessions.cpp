// store_sessions.cpp - SqliteStore: definitions, sessions and snapshots
// (joy_definitions, joy_sessions, joy_snapshots).
#include "sqlite_store.h"

#include "store_internal.h"

SQLITE_EXTENSION_INIT3

namespace joyext {

using namespace store_rows;

// ---- definitions and sessions ----

bool SqliteStore::load_definition(std::string_view name, std::string& body) {
    if (!readable_schema()) return false;
    sqlite3_stmt* st = prepare("SELECT body FROM main.joy_definitions WHERE session = ?1 AND name = ?2");
    StatementUse use(st);
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    if (!step_row(st, "reading a definition")) return false;
    body.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), size_t(sqlite3_column_bytes(st, 0)));
    return true;
}

void SqliteStore::save_definition(std::string_view name, std::string_view body) {
    ensure_schema();
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_definitions(session, name, body, created_at, modified_at) VALUES (?1, ?2, ?3, ?4, ?4) "
        "ON CONFLICT(session, name) DO UPDATE SET body = excluded.body, modified_at = excluded.modified_at "
        "WHERE body IS NOT excluded.body");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, body.data(), int(body.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now());
    step_done(st);
    sqlite3_stmt* s2 = prepare("INSERT OR IGNORE INTO main.joy_sessions(name, created_at) VALUES (?1, ?2)");
    sqlite3_bind_text(s2, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_int64(s2, 2, now());
    step_done(s2);
}

void SqliteStore::drop_definition(std::string_view name) {
    if (!has_schema()) return;
    ensure_schema();
    sqlite3_stmt* st = prepare("DELETE FROM main.joy_definitions WHERE session = ?1 AND name = ?2");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    step_done(st);
}

void SqliteStore::set_session(std::string_view name) {
    if (name.empty()) throw joy::JoyError("run time error: non-empty session name needed for session");
    if (name == session_) return;
    if (in_call_ && !session_switched_) {  // a failed call goes back to it
        call_session_ = session_;
        session_switched_ = true;
    }
    session_ = std::string(name);
    bump_generation();
}

std::vector<std::string> store_rows::column_strings(sqlite3_stmt* st) {
    StatementUse use(st);
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), size_t(sqlite3_column_bytes(st, 0)));
    return out;
}

std::vector<std::string> SqliteStore::sessions() {
    if (!readable_schema()) return session_ == "main" ? std::vector<std::string>{"main"} : std::vector<std::string>{"main", session_};
    sqlite3_stmt* st = prepare(
        "SELECT name FROM main.joy_sessions UNION SELECT session FROM main.joy_definitions UNION SELECT ?1 UNION SELECT 'main' ORDER BY 1");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    return column_strings(st);
}

void SqliteStore::snapshot(std::string_view name) {
    ensure_schema();
    sqlite3_stmt* del = prepare("DELETE FROM main.joy_snapshots WHERE session = ?1 AND name = ?2");
    sqlite3_bind_text(del, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(del, 2, name.data(), int(name.size()), SQLITE_STATIC);
    step_done(del);
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_snapshots(session, name, word, body, created_at) "
        "SELECT session, ?2, name, body, ?3 FROM main.joy_definitions WHERE session = ?1");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now());
    step_done(st);
    // An empty session still gets its snapshot (a marker row with no word).
    sqlite3_stmt* mark = prepare(
        "INSERT OR IGNORE INTO main.joy_snapshots(session, name, word, body, created_at) VALUES (?1, ?2, '', NULL, ?3)");
    sqlite3_bind_text(mark, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(mark, 2, name.data(), int(name.size()), SQLITE_STATIC);
    sqlite3_bind_int64(mark, 3, now());
    step_done(mark);
}

void SqliteStore::restore(std::string_view name) {
    ensure_schema();
    sqlite3_stmt* chk = prepare("SELECT 1 FROM main.joy_snapshots WHERE session = ?1 AND name = ?2 LIMIT 1");
    sqlite3_bind_text(chk, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(chk, 2, name.data(), int(name.size()), SQLITE_STATIC);
    bool found = false;
    {
        StatementUse use(chk);
        found = sqlite3_step(chk) == SQLITE_ROW;
    }
    if (!found) throw joy::JoyError("run time error: no snapshot named \"" + std::string(name) + "\" in session " + session_);
    sqlite3_stmt* del = prepare("DELETE FROM main.joy_definitions WHERE session = ?1");
    sqlite3_bind_text(del, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    step_done(del);
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_definitions(session, name, body, created_at, modified_at) "
        "SELECT session, word, body, ?3, ?3 FROM main.joy_snapshots WHERE session = ?1 AND name = ?2 AND word <> ''");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name.data(), int(name.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now());
    step_done(st);
    bump_generation();
}

std::vector<std::string> SqliteStore::snapshots() {
    if (!readable_schema()) return {};
    sqlite3_stmt* st = prepare("SELECT DISTINCT name FROM main.joy_snapshots WHERE session = ?1 ORDER BY name");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    return column_strings(st);
}

void SqliteStore::session_diff(std::string_view other, std::vector<std::string>& added,
                               std::vector<std::string>& modified, std::vector<std::string>& removed) {
    if (!readable_schema()) return;
    auto run = [&](const char* sql, std::vector<std::string>& out) {
        sqlite3_stmt* st = prepare(sql);
        sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, other.data(), int(other.size()), SQLITE_STATIC);
        out = column_strings(st);
    };
    run("SELECT o.name FROM main.joy_definitions o WHERE o.session = ?2 AND NOT EXISTS "
        "(SELECT 1 FROM main.joy_definitions c WHERE c.session = ?1 AND c.name = o.name) ORDER BY 1",
        added);
    run("SELECT o.name FROM main.joy_definitions o JOIN main.joy_definitions c ON c.name = o.name "
        "WHERE o.session = ?2 AND c.session = ?1 AND c.body <> o.body ORDER BY 1",
        modified);
    run("SELECT c.name FROM main.joy_definitions c WHERE c.session = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM main.joy_definitions o WHERE o.session = ?2 AND o.name = c.name) ORDER BY 1",
        removed);
}

std::vector<std::string> SqliteStore::session_merge(std::string_view other) {
    ensure_schema();
    std::vector<std::string> added, modified, removed;
    session_diff(other, added, modified, removed);
    if (!modified.empty()) return modified;
    sqlite3_stmt* st = prepare(
        "INSERT OR IGNORE INTO main.joy_definitions(session, name, body, created_at, modified_at) "
        "SELECT ?1, name, body, ?3, ?3 FROM main.joy_definitions WHERE session = ?2");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, other.data(), int(other.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now());
    step_done(st);
    bump_generation();
    return {};
}

void SqliteStore::session_take(std::string_view other, std::string_view word) {
    ensure_schema();
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_definitions(session, name, body, created_at, modified_at) "
        "SELECT ?1, name, body, ?4, ?4 FROM main.joy_definitions WHERE session = ?2 AND name = ?3 "
        "ON CONFLICT(session, name) DO UPDATE SET body = excluded.body, modified_at = excluded.modified_at");
    sqlite3_bind_text(st, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, other.data(), int(other.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, word.data(), int(word.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now());
    step_done(st);
    if (sqlite3_changes(db_) == 0)
        throw joy::JoyError("run time error: session " + std::string(other) + " has no definition of " +
                            std::string(word));
    bump_generation();
}

int64_t SqliteStore::session_keep(const std::vector<std::string>& words) {
    ensure_schema();
    std::unordered_set<std::string> keep(words.begin(), words.end());
    sqlite3_stmt* names = prepare("SELECT name FROM main.joy_definitions WHERE session = ?1");
    sqlite3_bind_text(names, 1, session_.data(), int(session_.size()), SQLITE_STATIC);
    std::vector<std::string> drop;
    for (std::string& name : column_strings(names))
        if (!keep.count(name)) drop.push_back(std::move(name));
    for (const std::string& name : drop) drop_definition(name);
    bump_generation();
    return int64_t(drop.size());
}

void SqliteStore::session_delete(std::string_view name) {
    if (!has_schema()) return;
    ensure_schema();
    for (const char* sql : {"DELETE FROM main.joy_definitions WHERE session = ?1", "DELETE FROM main.joy_sessions WHERE name = ?1",
                            "DELETE FROM main.joy_snapshots WHERE session = ?1"}) {
        sqlite3_stmt* st = prepare(sql);
        sqlite3_bind_text(st, 1, name.data(), int(name.size()), SQLITE_STATIC);
        step_done(st);
    }
    bump_generation();
}

}  // namespace joyext
