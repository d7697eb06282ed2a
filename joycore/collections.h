// collections.h - persistent collections: a pdict or plist handle is a Joy
// value (T_HANDLE) standing for a table of the host's database, so every
// operation on it reads or writes the table at once.
//
//   "users" pdict-open  "alice" {age: 30} dput  "alice" dget   -> {age: 30}
//   "events" plist-open  {type: "login"} pappend  10 ptake    -> [{type: "login"}]
//
// joycore knows only these interfaces; the host's Store makes the handles
// (Store::pdict_open / plist_open, ext/sqlite_collections.cpp over SQLite).
// A handle holds no database resources between operations, so it may live
// as long as any value; once closed (pdict-close, plist-close) or once its
// database is gone, every operation on it is a Joy error.
//
// Every method may throw JoyError.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "interp.h"
#include "store.h"
#include "value.h"

namespace joy {

// The kinds of the handles; as_pdict / as_plist compare addresses.
inline constexpr char PDICT_KIND[] = "pdict";
inline constexpr char PLIST_KIND[] = "plist";

// A dictionary kept in a table: string keys, any Joy values, insertion order.
struct PDict : Object {
    const char* kind() const final { return PDICT_KIND; }
    virtual bool get(std::string_view key, Value& out) = 0;
    virtual bool has(std::string_view key) = 0;
    virtual void put(std::string_view key, const Value& v) = 0;
    virtual bool remove(std::string_view key) = 0;
    virtual Value keys() = 0;    // a list of strings, in insertion order
    virtual Value values() = 0;  // a list, in the same order
    virtual int64_t size() = 0;
    virtual void close() = 0;
};

constexpr int64_t PLIST_START = INT64_MIN;

// A list kept in a table, in order of appending.
struct PList : Object {
    const char* kind() const final { return PLIST_KIND; }
    virtual void append(const Value& v) = 0;
    virtual Value last(int64_t n) = 0;  // the last n elements, oldest first
    virtual bool nth(int64_t n, Value& out) = 0;  // 0-based position
    virtual int64_t size() = 0;
    // Reads the list in pieces: up to `max` elements from `cursor` on
    // (PLIST_START at first), advancing `cursor`; false at the end.
    virtual bool next_batch(int64_t& cursor, std::vector<Value>& out, size_t max) = 0;
    virtual void close() = 0;
};

inline PDict* as_pdict(const Value& v) {
    return v.tag == T_HANDLE && v.u.obj->kind() == PDICT_KIND ? static_cast<PDict*>(v.u.obj) : nullptr;
}
inline PList* as_plist(const Value& v) {
    return v.tag == T_HANDLE && v.u.obj->kind() == PLIST_KIND ? static_cast<PList*>(v.u.obj) : nullptr;
}

// The host's store for a collection word (CAP_STORE), or a Joy error.
inline Store& collection_store(Interp& I, const char* word) {
    I.require(CAP_STORE, word);
    Store* s = I.host ? I.host->store() : nullptr;
    if (!s) I.error(std::string("a database needed for ") + word);
    return *s;
}

// L [B] -> [X ...]: the elements of plist L for which B is true, reading the
// table in pieces (pfilter on a plist; builtins_list.cpp).
void plist_filter(Interp& I);

}  // namespace joy
