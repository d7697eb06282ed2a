// text_walk.h - the one walk that every writer of a value's text shares:
// Joy notation (printer.cpp), canonical text (canonical.cpp) and JSON
// (json.cpp). Nesting is kept on a vector, not the C stack, so values of
// any depth are written on a small stack; and the text counts against the
// run's memory limit as it grows: past 64 KB the value is measured once
// (shared parts once, see check_text_fits), and the text itself from then on.
//
// A Format says how the parts are written:
//   const char* list_open, list_separator, list_close, dict_close
//   void scalar(std::string& out, const Value& v)       anything but a list or dict
//   bool dict_open(std::string& out, const Dict& d)      false: it wrote the dict whole
//   void dict_key(std::string& out, std::string_view key, bool first)
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "dict.h"
#include "value.h"

namespace joy {

// Called by write_text each time its text has grown by another 64 KB; all
// of `out` counts (a writer may gather many values' text in one string).
void text_grew(const Value& root, size_t text_size, bool& measured);

template <class Format>
void write_text(std::string& out, const Value& root, Format& format) {
    struct Item {
        const Value* v;
        Cell* cursor;  // list: the next cell
        size_t pos;    // dict: the next entry
        bool open;     // its opening has been written
        bool first;    // no element written yet
    };
    constexpr size_t CHECK_EVERY = 1u << 16;
    std::vector<Item> work{{&root, nullptr, 0, false, true}};
    size_t next_check = out.size() + CHECK_EVERY;
    bool measured = false;
    while (!work.empty()) {
        if (__builtin_expect(out.size() >= next_check, 0)) {
            text_grew(root, out.size(), measured);
            next_check = out.size() + CHECK_EVERY;
        }
        Item& it = work.back();
        const Value& v = *it.v;
        if (v.tag == T_LIST) {
            if (!it.open) {
                out += format.list_open;
                it.open = true;
                it.cursor = v.u.list;
            }
            Cell* c = it.cursor;
            if (!c) {
                out += format.list_close;
                work.pop_back();
                continue;
            }
            if (!it.first) out += format.list_separator;
            it.first = false;
            it.cursor = tail(c);
            work.push_back({&head(c), nullptr, 0, false, true});
        } else if (v.tag == T_DICT) {
            const Dict* d = v.u.dict;
            if (!it.open) {
                it.open = true;
                if (!format.dict_open(out, *d)) {
                    work.pop_back();
                    continue;
                }
            }
            while (it.pos < d->entries.size() && d->entries[it.pos].key.tag != T_STRING) ++it.pos;
            if (it.pos >= d->entries.size()) {
                out += format.dict_close;
                work.pop_back();
                continue;
            }
            const Dict::Entry& e = d->entries[it.pos++];
            format.dict_key(out, e.key.u.str->view(), it.first);
            it.first = false;
            work.push_back({&e.val, nullptr, 0, false, true});
        } else {
            format.scalar(out, v);
            work.pop_back();
        }
    }
}

}  // namespace joy
