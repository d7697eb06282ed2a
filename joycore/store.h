// store.h - the persistence interface between the interpreter and a
// database. joycore knows only this interface; ext/sqlite_store.cpp
// implements it over an SQLite connection, and the persistence words
// (builtins_persist.cpp) call it. A host that has a database returns its
// Store from Host::store().
//
// Every method may throw JoyError with a message for the user.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "value.h"

namespace joy {

struct Store {
    virtual ~Store() = default;

    // ---- Level 1: SQL on the same connection ----
    // Rows as a list of dicts (column name -> value).
    virtual Value query(std::string_view sql, const Value& params) = 0;
    // Rows changed.
    virtual int64_t exec(std::string_view sql, const Value& params) = 0;
    virtual void savepoint_begin() = 0;
    virtual void savepoint_commit() = 0;
    virtual void savepoint_rollback() = 0;
    virtual int64_t last_insert_id() = 0;
    virtual int64_t changes() = 0;

    // ---- Level 3: definitions and sessions ----
    // Joy text of a definition's body in the current session, or false.
    virtual bool load_definition(std::string_view name, std::string& body) = 0;
    virtual void save_definition(std::string_view name, std::string_view body) = 0;
    virtual void drop_definition(std::string_view name) = 0;
    virtual std::string session() = 0;
    virtual void set_session(std::string_view name) = 0;
    virtual std::vector<std::string> sessions() = 0;
    virtual void snapshot(std::string_view name) = 0;
    virtual void restore(std::string_view name) = 0;
    virtual std::vector<std::string> snapshots() = 0;
    // Names added / modified / removed in `other` relative to the current session.
    virtual void session_diff(std::string_view other, std::vector<std::string>& added,
                              std::vector<std::string>& modified, std::vector<std::string>& removed) = 0;
    // Copies every definition of `other` into the current session; on a
    // conflict (same name, different body) copies nothing and returns the
    // conflicting names.
    virtual std::vector<std::string> session_merge(std::string_view other) = 0;
    virtual void session_take(std::string_view other, std::string_view word) = 0;
    // Keeps only `words` in the current session; returns how many were dropped.
    virtual int64_t session_keep(const std::vector<std::string>& words) = 0;
    virtual void session_delete(std::string_view name) = 0;
    // Bumped whenever definitions may have changed behind the interpreter's
    // back (another connection, a session switch, a restore).
    virtual uint64_t definitions_generation() = 0;

    // ---- Level 2: persistent collections (collections.h) ----
    // A pdict / plist handle (T_HANDLE) on the table `name`, created if it
    // does not exist.
    virtual Value pdict_open(std::string_view name) = 0;
    virtual Value plist_open(std::string_view name) = 0;

    // ---- Level 4: the heap ----
    virtual void persist(std::string_view root, const Value& v) = 0;
    // The value of a root, paged in lazily; false if there is no such root.
    virtual bool recall(std::string_view root, Value& out) = 0;
    virtual std::vector<std::string> roots() = 0;
    virtual bool forget(std::string_view root) = 0;
    // Deletes heap rows no root reaches; returns how many.
    virtual int64_t collect_garbage() = 0;

    // ---- worlds ----
    virtual void checkpoint() = 0;  // durable point
    virtual std::string path() = 0;
};

}  // namespace joy
