// dict.h - Joy dictionaries: string keys, any values, insertion order kept.
//
// A Dict is an immutable Joy value, but a word that holds the only
// reference to one (refcount 1) may update it in place; otherwise it copies
// first. So `dput` into a growing dict held only on the stack is O(1)
// amortised, and values seen by anyone else never change.
//
// Layout: entries in insertion order (deleted ones become holes, compacted
// when they outnumber live ones) and an open-addressing index of entry
// positions keyed by the string hash.
#pragma once
#include <string_view>
#include <vector>

#include "value.h"

namespace joy {

struct Dict : HeapObj {
    struct Entry {
        Value key;  // T_STRING; T_NIL marks a deleted entry
        Value val;
        uint64_t hash;
    };
    std::vector<Entry> entries;
    std::vector<int32_t> index;  // -1 empty, -2 deleted, else entry position
    size_t live = 0;
    size_t accounted = 0;

    static Dict* create();
    Dict* clone() const;
    const Value* get(std::string_view key) const;
    void put(Value key, Value val);  // key must be a T_STRING
    bool remove(std::string_view key);
    size_t size() const { return live; }
    template <class F> void each(F f) const {
        for (const Entry& e : entries)
            if (e.key.tag == T_STRING) f(e.key, e.val);
    }
    void account_size();
    ~Dict();

private:
    int find_slot(std::string_view key, uint64_t h) const;
    void rehash(size_t cap);
    void compact();
};

uint64_t hash_bytes(std::string_view s);

// A dict the caller may modify: `v` itself if it is the only reference,
// otherwise a copy put in its place.
Dict* dict_for_update(Value& v);

}  // namespace joy
