// dict.cpp - insertion-ordered hash map behind Joy dictionaries.
#include "dict.h"

namespace joy {

// Work in proportion to their input counts as steps (Pool::work): hashing
// a long key, copying or rehashing a dict of many entries.
uint64_t hash_bytes(std::string_view s) {
    tl_pool.work += s.size() / 16;
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : s) { h ^= c; h *= 1099511628211ull; }
    return h;
}

Dict* Dict::create() {
    account(sizeof(Dict));
    Dict* d = new Dict();
    d->accounted = 0;
    return d;
}

Dict::~Dict() { unaccount(sizeof(Dict) + accounted); }

void Dict::account_size() {
    size_t now = entries.capacity() * sizeof(Entry) + index.capacity() * sizeof(int32_t);
    if (now > accounted) account(now - accounted);
    else unaccount(accounted - now);
    accounted = now;
}

Dict* Dict::clone() const {
    Dict* d = create();
    tl_pool.work += entries.size();
    d->entries.reserve(live);
    for (const Entry& e : entries)
        if (e.key.tag == T_STRING) d->entries.push_back(e);
    d->live = live;
    d->rehash(index.empty() ? 8 : index.size());
    d->account_size();
    return d;
}

int Dict::find_slot(std::string_view key, uint64_t h) const {
    if (index.empty()) return -1;
    size_t mask = index.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        int32_t e = index[i];
        if (e == -1) return -1;
        if (e >= 0 && entries[e].hash == h && entries[e].key.u.str->view() == key) return int(i);
    }
}

const Value* Dict::get(std::string_view key) const {
    int s = find_slot(key, hash_bytes(key));
    return s < 0 ? nullptr : &entries[index[s]].val;
}

void Dict::rehash(size_t cap) {
    while (cap < 8 || cap < entries.size() * 2) cap *= 2;
    tl_pool.work += cap;
    index.assign(cap, -1);
    size_t mask = cap - 1;
    for (size_t k = 0; k < entries.size(); ++k) {
        if (entries[k].key.tag != T_STRING) continue;
        size_t i = entries[k].hash & mask;
        while (index[i] != -1) i = (i + 1) & mask;
        index[i] = int32_t(k);
    }
}

void Dict::compact() {
    size_t w = 0;
    for (size_t r = 0; r < entries.size(); ++r)
        if (entries[r].key.tag == T_STRING) {
            if (w != r) entries[w] = std::move(entries[r]);
            ++w;
        }
    entries.resize(w);
    rehash(index.size());
}

void Dict::put(Value key, Value val) {
    std::string_view k = key.u.str->view();
    uint64_t h = hash_bytes(k);
    int s = find_slot(k, h);
    if (s >= 0) {
        entries[index[s]].val = std::move(val);
        return;
    }
    if ((entries.size() + 1) * 4 > index.size() * 3) {
        if (entries.size() > live * 2 && entries.size() > 16) compact();
        if ((entries.size() + 1) * 4 > index.size() * 3) rehash(index.empty() ? 8 : index.size() * 2);
    }
    size_t mask = index.size() - 1;
    size_t i = h & mask;
    while (index[i] >= 0) i = (i + 1) & mask;
    index[i] = int32_t(entries.size());
    entries.push_back(Entry{std::move(key), std::move(val), h});
    ++live;
    account_size();
}

bool Dict::remove(std::string_view key) {
    int s = find_slot(key, hash_bytes(key));
    if (s < 0) return false;
    Entry& e = entries[index[s]];
    e.key = Value();
    e.val = Value();
    index[s] = -2;
    --live;
    if (live == 0) {
        entries.clear();
        index.assign(index.size(), -1);
    }
    return true;
}

Dict* dict_for_update(Value& v) {
    if (v.u.dict->rc == 1) return v.u.dict;
    v = Value::adopt_dict(v.u.dict->clone());
    return v.u.dict;
}

}  // namespace joy
