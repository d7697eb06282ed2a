// printer.cpp - writes values in Joy notation without recursing on the C
// stack (a list nested a million deep prints fine).
#include "printer.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "dict.h"
#include "c_locale.h"
#include "file.h"
#include "interp.h"
#include "text_walk.h"
#include "utf8.h"

namespace joy {

// Joy1 prints %g and makes sure a float never looks like an integer:
// 1.0 -> "1.0", 1e+20 -> "1.0e+20"; inf and nan stay as they are.
void print_float(std::string& out, double d, bool exact) {
    CLocaleScope c_locale;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", d);
    if (exact && std::isinf(d)) {  // reads back as a float (the reader's strtod overflows to inf)
        out += d < 0 ? "-1.0e999" : "1.0e999";
        return;
    }
    // The shortest of %.15g .. %.17g that reads back as the same double.
    for (int digits = 15; exact && std::isfinite(d) && c_strtod(buf, nullptr) != d && digits <= 17; ++digits)
        std::snprintf(buf, sizeof buf, "%.*g", digits, d);
    std::string s = buf;
    if (std::isfinite(d) && s.find('.') == std::string::npos) {
        size_t e = s.find('e');
        if (e == std::string::npos) s += ".0";
        else s.insert(e, ".0");
    }
    out += s;
}

// Control characters 8..13 get their letter escapes, others \ddd (decimal,
// as the reader reads them). Unlike Joy1 a backslash is escaped too, so
// that every printed string reads back as the same string.
static void print_escaped_byte(std::string& out, unsigned char c) {
    static const char letters[] = "btnvfr";
    if (c >= 8 && c <= 13) {
        out += '\\';
        out += letters[c - 8];
    } else if (c < 32 || c >= 127) {  // a byte past 127 alone is not UTF-8
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\%03d", c);
        out += buf;
    } else {
        out += char(c);
    }
}

// Bytes that are not part of a UTF-8 character are written as \ddd too,
// so printed text is always valid UTF-8 and reads back as the same bytes.
void print_string_literal(std::string& out, std::string_view s) {
    out += '"';
    for (size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c == '"') out += "\\\"";
            else if (c == '\\') out += "\\\\";
            else print_escaped_byte(out, c);
            ++i;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_decode(s, i, cp);
        if (len == 0 || (cp >= 0xD800 && cp < 0xE000)) {
            print_escaped_byte(out, c);
            ++i;
        } else {
            out.append(s.data() + i, len);
            i += len;
        }
    }
    out += '"';
}

bool is_plain_key(std::string_view k) {
    if (k.empty()) return false;
    unsigned char c0 = k[0];
    if (!(std::isalpha(c0) || c0 == '_')) return false;
    for (unsigned char c : k)
        if (!(std::isalnum(c) || c == '_' || c == '-')) return false;
    return true;
}

namespace {
// Chars as Joy1 writes them: 'a, '\n, and space or other control
// characters as '\ddd.
void print_char(std::string& out, int c) {
    out += '\'';
    if (c == ' ') out += "\\032";
    else if (c == '\\') out += "\\\\";  // a lone backslash would escape what follows it
    else print_escaped_byte(out, (unsigned char)c);
}

void print_set(std::string& out, uint64_t s) {
    out += '{';
    bool first = true;
    for (int i = 0; i < 64; ++i)
        if (s >> i & 1) {
            if (!first) out += ' ';
            first = false;
            out += std::to_string(i);
        }
    out += '}';
}

}  // namespace

static void print_scalar(std::string& out, const Value& v, bool exact_floats) {
    char buf[32];
    switch (v.tag) {
    case T_NIL: out += "nil"; break;
    case T_BOOL: out += v.u.i ? "true" : "false"; break;
    case T_CHAR: print_char(out, int(v.u.i)); break;
    case T_INT: std::snprintf(buf, sizeof buf, "%" PRId64, v.u.i); out += buf; break;
    case T_FLOAT: print_float(out, v.u.f, exact_floats); break;
    case T_SET: print_set(out, v.u.set); break;
    case T_STRING: print_string_literal(out, v.u.str->view()); break;
    case T_USRDEF:
        if (exact_floats && v.u.sym->hidden) out += name_to_read_back(*v.u.sym);
        else out += v.u.sym->name;
        break;
    case T_BUILTIN: out += v.u.bi->name; break;
    case T_FILE: print_file(out, *static_cast<const FileObj*>(v.u.obj)); break;
    case T_HANDLE: out += v.u.obj->kind(); break;
    default: break;
    }
}

// The text of a value can be exponentially longer than the value (lists
// that share structure print in full each time), so the text counts
// against the memory limit of the run in progress as it grows.
static void check_text_size(size_t size) {
    if (tl_pool.limit != INT64_MAX && tl_pool.bytes + int64_t(size) > tl_pool.limit) tl_pool.over_limit();
}

namespace {

// A lower bound of the length of v's text, or `cap` if it is at least
// that. Lists and dicts that several places share are measured once
// (memo), so a value whose text is exponentially long is measured in
// time proportional to the value. Cells not read in yet (a recalled list)
// count as one byte: measuring never reads the database.
size_t scalar_length_at_least(const Value& v) {
    switch (v.tag) {
    case T_INT: {
        size_t n = v.u.i < 0 ? 2 : 1;
        for (uint64_t m = v.u.i < 0 ? 0 - uint64_t(v.u.i) : uint64_t(v.u.i); m >= 10; m /= 10) ++n;
        return n;
    }
    case T_BOOL: return v.u.i ? 4 : 5;
    case T_FLOAT: case T_NIL: return 3;  // 1.0
    case T_CHAR: case T_SET: return 2;
    case T_STRING: {  // every byte, and the escapes at least a control character, \ and " take
        size_t n = v.u.str->len + 2;
        for (unsigned char c : v.u.str->view()) n += c < 0x20 || c == '\\' || c == '"';
        return n;
    }
    case T_USRDEF: return v.u.sym->name.size();
    case T_BUILTIN: return std::strlen(v.u.bi->name);
    default: return 1;
    }
}

size_t text_length_at_least(const Value& root, size_t cap) {
    // A walk along a chain of cells, or the entries of a dict.
    struct Walk {
        Cell* first;       // the list walked (null for a dict)
        Cell* at;          // the next cell
        const Dict* dict;  // the dict walked
        size_t entry;      // its next entry
        size_t length;     // so far
        // Shared cells met on the way, with the length before them: the
        // length from each to the end is known when the walk ends.
        std::vector<std::pair<const void*, size_t>> shared;
    };
    std::unordered_map<const void*, size_t> memo;
    std::vector<Walk> work;
    size_t result = 0;  // of the walk that ended last
    auto begin = [&](const Value& v) -> bool {  // true: result holds v's length
        if (v.tag == T_LIST) {
            Cell* c = v.u.list;
            if (!c) return result = 2, true;
            auto it = memo.find(c);
            if (it != memo.end()) return result = it->second, true;
            work.push_back({c, c, nullptr, 0, 1, {}});
            return false;
        }
        if (v.tag == T_DICT) {
            auto it = memo.find(v.u.dict);
            if (it != memo.end()) return result = it->second, true;
            work.push_back({nullptr, nullptr, v.u.dict, 0, 1, {}});
            return false;
        }
        if (v.tag == T_STRING && v.u.str->len > 256) {  // a long string met again is not scanned again
            auto it = memo.find(v.u.str);
            if (it != memo.end()) return result = it->second, true;
            return result = memo[v.u.str] = scalar_length_at_least(v), true;
        }
        result = scalar_length_at_least(v);
        return true;
    };
    if (begin(root)) return std::min(result, cap);
    bool have_result = false;  // a nested walk just ended with `result`
    while (!work.empty()) {
        Walk& w = work.back();
        if (have_result) {
            w.length += result;
            have_result = false;
        }
        if (w.length >= cap) return cap;
        bool more = false;
        if (w.dict) {
            const auto& entries = w.dict->entries;
            while (w.entry < entries.size() && entries[w.entry].key.tag != T_STRING) ++w.entry;
            if (w.entry < entries.size()) {
                const Dict::Entry& e = entries[w.entry++];
                w.length += e.key.u.str->len + 3;  // key, ": " (or ", " before the next)
                more = true;
                if (begin(e.val)) w.length += result;
                else continue;
            }
        } else if (w.at) {
            Cell* c = w.at;
            if (c != w.first && c->rc > 1) {
                auto it = memo.find(c);
                if (it != memo.end()) {
                    w.length += it->second;
                    w.at = nullptr;
                    continue;
                }
                w.shared.emplace_back(c, w.length);
            }
            more = true;
            if (c->stub) {  // not read in: its source measures it (two bytes a cell at least)
                size_t cells = reinterpret_cast<LazySource*>(c->tail_)->cells_at_least(c->head_.u.i, cap);
                w.length += cells >= cap / 2 ? cap : 2 * cells;
                w.at = nullptr;
            } else {
                w.at = c->tail_;
                if (w.at) w.length += 1;  // the separator
                if (begin(c->head_)) w.length += result;
                else continue;
            }
        }
        if (more) continue;
        size_t total = w.length + 1;  // the closing bracket
        for (auto& [cell, before] : w.shared) memo[cell] = total - before - 1;
        const void* key = w.dict ? static_cast<const void*>(w.dict) : w.first;
        bool keep = w.dict ? w.dict->rc > 1 : w.first->rc > 1;
        if (keep) memo[key] = total;
        work.pop_back();
        result = total;
        have_result = true;
    }
    return std::min(result, cap);
}

}  // namespace

void check_text_fits(const Value& v) {
    if (tl_pool.limit == INT64_MAX) return;
    size_t room = size_t(std::max<int64_t>(0, tl_pool.limit - tl_pool.bytes));
    if (text_length_at_least(v, room + 1) > room) tl_pool.over_limit();
}

bool text_longer_than(const Value& v, size_t n) { return text_length_at_least(v, n + 1) > n; }

void text_grew(const Value& root, size_t text_size, bool& measured) {
    check_text_size(text_size);
    if (!measured) {
        measured = true;
        check_text_fits(root);
    }
}

namespace {
struct JoyNotation {
    bool exact_floats;
    const char* list_open = "[";
    const char* list_separator = " ";
    const char* list_close = "]";
    const char* dict_close = "}";
    void scalar(std::string& out, const Value& v) { print_scalar(out, v, exact_floats); }
    bool dict_open(std::string& out, const Dict&) {
        out += '{';
        return true;
    }
    void dict_key(std::string& out, std::string_view k, bool first) {
        if (!first) out += ", ";
        if (is_plain_key(k)) out += k;
        else print_string_literal(out, k);
        out += ": ";
    }
};
}  // namespace

void print_value(std::string& out, const Value& root, bool exact_floats) {
    JoyNotation format{exact_floats};
    write_text(out, root, format);
}

void print_term(std::string& out, Cell* list, bool exact_floats) {
    for (bool first = true; list; list = tail(list), first = false) {
        if (!first) out += ' ';
        print_value(out, head(list), exact_floats);
    }
}

std::string to_joy(const Value& v) {
    std::string s;
    print_value(s, v);
    return s;
}

}  // namespace joy
