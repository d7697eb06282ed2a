// store_heap.cpp - SqliteStore: the persistent heap (joy_nodes,
// joy_strings, joy_roots), lazy recall and garbage collection.
#include "sqlite_store.h"

#include <array>
#include <cmath>
#include <cstring>
#include <unordered_set>

#include "../joycore/dict.h"
#include "../joycore/utf8.h"
#include "store_internal.h"

SQLITE_EXTENSION_INIT3

namespace joyext {

using joy::Cell;
using joy::Value;
using namespace store_rows;

// Supplies the cells of a recalled list from joy_nodes, one row per cell.
class NodeSource : public joy::LazySource {
public:
    // The first nodes of the lists around this one, the nearest first
    // (0: none), so that a list read inside itself is caught at once.
    static constexpr size_t KEPT_OUTER = 7;
    using Outer = std::array<int64_t, KEPT_OUTER>;
    NodeSource(std::weak_ptr<SqliteStore*> s, int64_t depth, int64_t first, const Outer& outer)
        : store_(std::move(s)), depth_(depth), first_(first), outer_(outer) {
        if (auto p = store_.lock()) (*p)->sources_.insert(this);
    }
    int64_t first() const { return first_; }
    const Outer& outer() const { return outer_; }
    ~NodeSource() override {
        if (auto p = store_.lock()) (*p)->sources_.erase(this);
    }
    bool belongs_to(const SqliteStore* s) const {
        auto p = store_.lock();
        return p && *p == s;
    }
    const char* kind() const override { return "persisted list"; }
    // How deep in lists this list was found (0: recalled itself).
    int64_t depth() const { return depth_; }
    void force(Cell* stub, int64_t node) override {
        auto s = store_.lock();
        if (!s) throw joy::JoyError("run time error: the database of a recalled list is closed");
        (*s)->force(stub, node, this);
        auto read = waiting_.find(node);
        if (read != waiting_.end()) waiting_.erase(read);
    }
    size_t cells_at_least(int64_t node, size_t cap) override {
        auto s = store_.lock();
        return s ? (*s)->cells_at_least(node, cap) : 1;
    }
    // The rows of this source's stubs not read yet: the program holds
    // them, so GC keeps what they reach.
    const std::unordered_multiset<int64_t>& waiting() const { return waiting_; }
    // The cells of one list are read in order, each once.
    CycleCheck cycle;
    // A new stub for `node` sharing this source.
    Cell* stub(int64_t node) {
        Cell* c = joy::alloc_cell();
        c->stub = 1;
        new (&c->head_) Value(Value::integer(node));
        ++rc;
        c->tail_ = reinterpret_cast<Cell*>(this);
        waiting_.insert(node);
        return c;
    }

private:
    std::weak_ptr<SqliteStore*> store_;
    std::unordered_multiset<int64_t> waiting_;
    int64_t depth_;
    int64_t first_;
    Outer outer_;
};

// ---- the heap ----

namespace {
// A string of the heap as joy_strings keeps it: TEXT, or a BLOB of its
// bytes when they are not UTF-8 (a TEXT value must be).
void bind_string(sqlite3_stmt* st, int i, std::string_view s) {
    if (joy::valid_utf8(s)) sqlite3_bind_text(st, i, s.data(), int(s.size()), SQLITE_STATIC);
    else sqlite3_bind_blob(st, i, s.data(), int(s.size()), SQLITE_STATIC);
}
}  // namespace

int64_t SqliteStore::intern_string(std::string_view s) {
    auto it = string_ids_.find(std::string(s));
    if (it != string_ids_.end()) return it->second;
    sqlite3_stmt* ins = prepare("INSERT OR IGNORE INTO main.joy_strings(value) VALUES (?1)");
    bind_string(ins, 1, s);
    step_done(ins);
    sqlite3_stmt* sel = prepare("SELECT id FROM main.joy_strings WHERE value = ?1");
    bind_string(sel, 1, s);
    bool found = false;
    int64_t id = 0;
    {
        StatementUse use(sel);
        found = sqlite3_step(sel) == SQLITE_ROW;
        if (found) id = sqlite3_column_int64(sel, 0);
    }
    if (!found) fail("interning a string");  // with SQLite's message as the reset leaves it
    if (string_ids_.size() > 100000) string_ids_.clear();
    string_ids_.emplace(std::string(s), id);
    return id;
}

std::string SqliteStore::string_of(int64_t id) {
    auto it = strings_.find(id);
    if (it != strings_.end()) return it->second;
    sqlite3_stmt* st = prepare("SELECT value FROM main.joy_strings WHERE id = ?1");
    StatementUse use(st);
    sqlite3_bind_int64(st, 1, id);
    if (!step_row(st, "reading a persisted string"))
        throw joy::JoyError("run time error: persisted string " + std::to_string(id) + " is missing");
    std::string s(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), size_t(sqlite3_column_bytes(st, 0)));
    if (strings_.size() > 100000) strings_.clear();
    strings_.emplace(id, s);
    return s;
}

// Node ids come from a counter that only grows, so they are never reused;
// it never stays below the largest id there is (a file may carry any
// counter), which costs one look at the end of the primary key.
int64_t SqliteStore::reserve_ids(int64_t n) {
    sqlite3_stmt* st = prepare(
        "UPDATE main.joy_meta SET value = max(CAST(value AS INTEGER), "
        "(SELECT ifnull(max(id), 0) + 1 FROM main.joy_nodes)) + ?1 "
        "WHERE key = 'next_node_id' RETURNING value - ?1");
    sqlite3_bind_int64(st, 1, n);
    bool found = false;
    int64_t first = 0;
    {
        StatementUse use(st);
        found = sqlite3_step(st) == SQLITE_ROW;
        if (found && (sqlite3_column_type(st, 0) != SQLITE_INTEGER || sqlite3_column_int64(st, 0) < 1 ||
                      sqlite3_column_int64(st, 0) > INT64_MAX - n))  // past the last id SQLite has
            throw joy::JoyError("run time error: the node ids of this database are used up");
        if (found) first = sqlite3_column_int64(st, 0);
    }
    if (!found) fail("allocating node ids");  // with SQLite's message as the reset leaves it
    return first;
}

namespace {
// One row to write: what it holds and where it points.
struct Row {
    int64_t id;
    int kind;
    int type = NT_NIL;
    int64_t ival = 0;
    double fval = 0;
    bool has_ival = false, has_fval = false;
    int64_t str_id = 0, ref_id = 0, key_id = 0, next_id = 0;  // 0 = NULL
};
}  // namespace

void SqliteStore::persist(std::string_view root, const Value& v) {
    int64_t top = write_rows(v, ROOT);
    sqlite3_stmt* st = prepare(
        "INSERT INTO main.joy_roots(name, node_id, created_at, modified_at) VALUES (?1, ?2, ?3, ?3) "
        "ON CONFLICT(name) DO UPDATE SET node_id = excluded.node_id, modified_at = excluded.modified_at");
    sqlite3_bind_text(st, 1, root.data(), int(root.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, top);
    sqlite3_bind_int64(st, 3, now());
    step_done(st);
}

int64_t SqliteStore::persist_cell(const Value& element) { return write_rows(element, CELL); }

// Writes the rows of v under a new top row of kind `top_kind` (a root, or a
// list cell that ends its list); returns the top row's id.
int64_t SqliteStore::write_rows(const Value& v, int top_kind) {
    ensure_schema();
    sqlite3_stmt* ins = prepare(
        "INSERT INTO main.joy_nodes(id, kind, type, ival, fval, str_id, ref_id, key_id, next_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    auto write = [&](const Row& r) {
        StatementUse use(ins);
        sqlite3_bind_int64(ins, 1, r.id);
        sqlite3_bind_int(ins, 2, r.kind);
        sqlite3_bind_int(ins, 3, r.type);
        if (r.has_ival) sqlite3_bind_int64(ins, 4, r.ival); else sqlite3_bind_null(ins, 4);
        if (r.has_fval) sqlite3_bind_double(ins, 5, r.fval); else sqlite3_bind_null(ins, 5);
        auto opt = [&](int col, int64_t id) {
            if (id) sqlite3_bind_int64(ins, col, id); else sqlite3_bind_null(ins, col);
        };
        opt(6, r.str_id);
        opt(7, r.ref_id);
        opt(8, r.key_id);
        opt(9, r.next_id);
        if (sqlite3_step(ins) != SQLITE_DONE) fail("persist");
    };

    // Shared cells (count > 1) may be reached twice; they are written once.
    std::unordered_map<const Cell*, int64_t> written;
    // Lists and dicts whose rows are reserved but not yet written.
    struct Pending { Value agg; int64_t first; };
    std::vector<Pending> pending;

    // A cell not yet read from this database is referenced by its row;
    // one from another database is read now.
    auto own_stub = [&](Cell* c) -> bool {
        if (!c->stub) return false;
        auto* src = dynamic_cast<NodeSource*>(reinterpret_cast<joy::Object*>(c->tail_));
        if (src && src->belongs_to(this)) return true;
        joy::force_stub(c);
        return false;
    };
    // Id of the first row of list `c`, reserving ids for its unshared cells.
    auto list_ref = [&](Cell* c) -> int64_t {
        if (!c) return 0;
        if (own_stub(c)) return c->head_.u.i;
        auto it = written.find(c);
        if (it != written.end()) return it->second;
        int64_t n = 0;
        for (Cell* k = c; k && !own_stub(k) && !(k != c && k->rc > 1 && written.count(k)); k = k->tail_) ++n;
        int64_t first = reserve_ids(n);
        pending.push_back({Value::adopt_list(joy::retain_cell(c)), first});
        return first;
    };
    auto dict_ref = [&](const Value& d) -> int64_t {
        size_t n = d.u.dict->size();
        if (!n) return 0;
        int64_t first = reserve_ids(int64_t(n));
        pending.push_back({d, first});
        return first;
    };
    // Fill the element part of a row from value e.
    auto fill = [&](Row& r, const Value& e) {
        switch (e.tag) {
        case joy::T_NIL: r.type = NT_NIL; break;
        case joy::T_BOOL: r.type = NT_BOOL; r.ival = e.u.i; r.has_ival = true; break;
        case joy::T_CHAR: r.type = NT_CHAR; r.ival = e.u.i; r.has_ival = true; break;
        case joy::T_INT: r.type = NT_INT; r.ival = e.u.i; r.has_ival = true; break;
        case joy::T_SET: r.type = NT_SET; r.ival = int64_t(e.u.set); r.has_ival = true; break;
        case joy::T_FLOAT:
            r.type = NT_FLOAT;
            // SQLite keeps no NaN (it stores NULL) and no -0.0 (it stores 0):
            // those keep their bits in ival instead.
            if (std::isnan(e.u.f) || (e.u.f == 0 && std::signbit(e.u.f))) {
                std::memcpy(&r.ival, &e.u.f, sizeof r.ival);
                r.has_ival = true;
            } else {
                r.fval = e.u.f;
                r.has_fval = true;
            }
            break;
        case joy::T_STRING: r.type = NT_STRING; r.str_id = intern_string(e.u.str->view()); break;
        case joy::T_USRDEF: r.type = NT_USRDEF; r.str_id = intern_string(joy::name_to_read_back(*e.u.sym)); break;
        case joy::T_BUILTIN: r.type = NT_BUILTIN; r.str_id = intern_string(e.u.bi->name); break;
        case joy::T_LIST: r.type = NT_LIST; r.ref_id = list_ref(e.u.list); break;
        case joy::T_DICT: r.type = NT_DICT; r.ref_id = dict_ref(e); break;
        default:
            throw joy::JoyError(std::string("run time error: a ") + joy::type_name(e.tag) + " cannot be persisted");
        }
    };

    Row top;
    top.id = reserve_ids(1);
    top.kind = top_kind;
    fill(top, v);
    write(top);
    while (!pending.empty()) {
        Pending p = std::move(pending.back());
        pending.pop_back();
        int64_t id = p.first;
        if (p.agg.tag == joy::T_LIST) {
            for (Cell* c = p.agg.u.list; c; c = c->tail_) {
                if (c->rc > 1) written.emplace(c, id);
                Row r;
                r.id = id;
                r.kind = CELL;
                fill(r, c->head_);
                Cell* next = c->tail_;
                if (next && (own_stub(next) || (next->rc > 1 && written.count(next)))) {
                    r.next_id = list_ref(next);
                    write(r);
                    break;
                }
                r.next_id = next ? id + 1 : 0;
                write(r);
                ++id;
            }
        } else {
            const joy::Dict* d = p.agg.u.dict;
            size_t left = d->size();
            d->each([&](const Value& k, const Value& val) {
                Row r;
                r.id = id;
                r.kind = ENTRY;
                r.key_id = intern_string(k.u.str->view());
                fill(r, val);
                r.next_id = --left ? id + 1 : 0;
                write(r);
                ++id;
            });
        }
    }
    return top.id;
}

// A list inside itself (rows whose ref_id leads back to a list around
// them) is caught at once when it is one of the 8 lists around; beyond
// that, a list nested deeper than there are rows must be inside itself.
// (Ids are never reused, so the largest one bounds the number of rows.)
Value SqliteStore::lazy_list(int64_t first_node) {
    if (!first_node) return Value::empty_list();
    NodeSource::Outer outer{};
    if (reading_) {
        bool inside = reading_->first() == first_node;
        for (int64_t around : reading_->outer()) inside |= around == first_node;
        if (inside)
            throw joy::JoyError("run time error: persisted list at node " + std::to_string(first_node) +
                                " is nested in itself");
        outer[0] = reading_->first();
        std::copy(reading_->outer().begin(), reading_->outer().end() - 1, outer.begin() + 1);
    }
    if (nesting_ > node_id_bound_) {
        sqlite3_stmt* st = prepare("SELECT max(id) FROM main.joy_nodes");
        StatementUse use(st);
        if (sqlite3_step(st) == SQLITE_ROW) node_id_bound_ = sqlite3_column_int64(st, 0);
        if (nesting_ > node_id_bound_)
            throw joy::JoyError("run time error: persisted list at node " + std::to_string(first_node) +
                                " is nested in itself");
    }
    auto* src = new NodeSource(self_, nesting_, first_node, outer);
    src->rc = 0;
    Cell* c = src->stub(first_node);
    return Value::adopt_list(c);
}

Value SqliteStore::node_value(sqlite3_stmt* row, int c0) { return load_value(sqlite3_column_int(row, c0), row, c0); }

namespace {
// Column `col` of a node row, which must hold an integer (or, if
// `null_ok`, NULL: 0): rows written by someone else may hold anything.
int64_t integer_column(sqlite3_stmt* row, int col, bool null_ok = false) {
    int type = sqlite3_column_type(row, col);
    if (type == SQLITE_INTEGER || (null_ok && type == SQLITE_NULL)) return sqlite3_column_int64(row, col);
    throw joy::JoyError(std::string("run time error: persisted node has a ") +
                        (type == SQLITE_NULL ? "NULL" : type == SQLITE_FLOAT ? "REAL" : type == SQLITE_TEXT ? "TEXT" : "BLOB") +
                        " in column " + sqlite3_column_name(row, col) + " where an integer belongs");
}
}  // namespace

// Element value of a node row (columns type, ival, fval, str_id, ref_id
// starting at col0).
Value SqliteStore::load_value(int type, sqlite3_stmt* row, int c0) {
    switch (type) {
    case NT_NIL: return Value::nil();
    case NT_BOOL: return Value::boolean(integer_column(row, c0 + 1) != 0);
    case NT_CHAR: return Value::char_code(integer_column(row, c0 + 1));
    case NT_INT: return Value::integer(integer_column(row, c0 + 1));
    case NT_SET: return Value::setv(uint64_t(integer_column(row, c0 + 1)));
    case NT_FLOAT:
        if (sqlite3_column_type(row, c0 + 2) == SQLITE_NULL && sqlite3_column_type(row, c0 + 1) == SQLITE_INTEGER) {
            int64_t bits = sqlite3_column_int64(row, c0 + 1);  // a NaN or -0.0
            double d;
            std::memcpy(&d, &bits, sizeof d);
            return Value::flt(d);
        }
        if (sqlite3_column_type(row, c0 + 2) != SQLITE_FLOAT && sqlite3_column_type(row, c0 + 2) != SQLITE_INTEGER)
            throw joy::JoyError("run time error: persisted node has no number in column fval");
        return Value::flt(sqlite3_column_double(row, c0 + 2));
    case NT_STRING: return joy::make_string(string_of(integer_column(row, c0 + 3)));
    case NT_USRDEF: case NT_BUILTIN: {
        std::string name = string_of(integer_column(row, c0 + 3));
        joy::Interp* I = interp_;
        if (!I) throw joy::JoyError("run time error: a persisted symbol needs an interpreter");
        joy::Sym* s = I->intern(name);
        if (s->builtin && !s->defined) return Value::builtin(s->builtin);
        return Value::usrdef(s);
    }
    case NT_LIST: return lazy_list(integer_column(row, c0 + 4, true));
    case NT_DICT: return load_dict(integer_column(row, c0 + 4, true));
    default:
        throw joy::JoyError("run time error: persisted node has unknown type " + std::to_string(type));
    }
}

void SqliteStore::force(Cell* stub, int64_t node, NodeSource* src) {
    sqlite3_stmt* st = prepare(
        "SELECT type, ival, fval, str_id, ref_id, next_id, kind FROM main.joy_nodes WHERE id = ?1");
    int64_t next = 0;
    Value head;
    {
        StatementUse use(st);
        sqlite3_bind_int64(st, 1, node);
        if (!step_row(st, "reading a persisted list"))
            throw joy::JoyError("run time error: persisted node " + std::to_string(node) + " is missing");
        if (sqlite3_column_int(st, 6) != CELL)
            throw joy::JoyError("run time error: persisted node " + std::to_string(node) + " is not a list cell");
        next = sqlite3_column_int64(st, 5);
        if (src->cycle.closes(node, next))
            throw joy::JoyError("run time error: persisted list at node " + std::to_string(node) + " is cyclic");
        try {
            nesting_ = src->depth() + 1;
            reading_ = src;
            head = load_value(sqlite3_column_int(st, 0), st, 0);
            nesting_ = 0;
            reading_ = nullptr;
        } catch (...) {
            nesting_ = 0;
            reading_ = nullptr;
            throw;
        }
    }
    Cell* tail = next ? src->stub(next) : nullptr;
    // Only now change the stub: nothing below can throw.
    stub->head_ = std::move(head);
    stub->tail_ = tail;
    stub->stub = 0;
}

// At least how many cells the stored list from `from` has, each nested
// list counted each time it occurs, or `cap`: what printing it would make.
// A list whose first row was measured is not read again, so a value whose
// parts are shared 2^60 times is measured from its few hundred rows. Rows
// that lead back to a list being measured, or are not cells, end what is
// counted there (a lower bound: reading them fails later with its own
// error), and so does reading more than MEASURE_ROWS rows, so that a long
// list without sharing costs little more to print than before (measured
// to its end, a 1M-element list printed 60% slower).
size_t SqliteStore::cells_at_least(int64_t from, size_t cap) {
    constexpr size_t MEASURE_ROWS = 1u << 16;
    struct Chain {
        int64_t first, at;
        size_t count;
        CycleCheck cycle;
    };
    std::unordered_map<int64_t, size_t> measured;  // first row of a list -> its cells
    std::unordered_set<int64_t> open;              // first rows of the lists being measured
    std::vector<Chain> chains{{from, from, 0, {}}};
    open.insert(from);
    sqlite3_stmt* st = prepare("SELECT type, ref_id, next_id, kind FROM main.joy_nodes WHERE id = ?1");
    size_t rows = 0, nested = 0;
    for (;;) {
        Chain& c = chains.back();
        c.count += nested;
        nested = 0;
        if (c.count >= cap) return cap;
        int64_t ref = 0;
        bool more = false;
        if (c.at && rows++ < MEASURE_ROWS) {
            StatementUse use(st);
            sqlite3_bind_int64(st, 1, c.at);
            if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 3) == CELL) {
                int64_t next = sqlite3_column_int64(st, 2);
                if (sqlite3_column_int64(st, 0) == NT_LIST) ref = sqlite3_column_int64(st, 1);
                ++c.count;
                more = true;
                c.at = c.cycle.closes(c.at, next) ? 0 : next;
            }
        }
        if (!more) {  // the end of this list
            size_t total = c.count;
            measured[c.first] = total;
            open.erase(c.first);
            chains.pop_back();
            if (chains.empty()) return std::min(total, cap);
            nested = total;
            continue;
        }
        if (!ref || open.count(ref)) continue;
        auto known = measured.find(ref);
        if (known != measured.end()) {
            nested = known->second;
            continue;
        }
        open.insert(ref);
        chains.push_back({ref, ref, 0, {}});
    }
}

// A dict is read whole (its lists lazily). Dicts nested in it are read
// with a stack of levels, not by recursion, and every entry row may be
// read once only: rows that lead back to an entry are cyclic.
Value SqliteStore::load_dict(int64_t first) {
    struct Level {
        Value dict;
        int64_t next;   // the next entry row to read, 0 at the end
        Value key;      // the key of this dict in the level below
    };
    std::vector<Level> levels;
    levels.push_back({Value::adopt_dict(joy::Dict::create()), first, Value()});
    std::unordered_set<int64_t> seen;
    sqlite3_stmt* st =
        prepare("SELECT type, ival, fval, str_id, ref_id, next_id, key_id FROM main.joy_nodes WHERE id = ?1");
    for (;;) {
        int64_t id = levels.back().next;
        if (!id) {
            if (levels.size() == 1) return std::move(levels.back().dict);
            Level done = std::move(levels.back());
            levels.pop_back();
            levels.back().dict.u.dict->put(std::move(done.key), std::move(done.dict));
            continue;
        }
        if (!seen.insert(id).second)
            throw joy::JoyError("run time error: persisted dict at node " + std::to_string(id) + " is cyclic");
        int type = 0;
        int64_t ref = 0;
        Value key, val;
        {
            StatementUse use(st);
            sqlite3_bind_int64(st, 1, id);
            if (!step_row(st, "reading a persisted dict"))
                throw joy::JoyError("run time error: persisted node " + std::to_string(id) + " is missing");
            type = sqlite3_column_int(st, 0);
            ref = sqlite3_column_int64(st, 4);
            levels.back().next = sqlite3_column_int64(st, 5);
            key = joy::make_string(string_of(sqlite3_column_int64(st, 6)));
            if (type != NT_DICT) val = load_value(type, st, 0);
        }
        if (type == NT_DICT && ref) {
            levels.push_back({Value::adopt_dict(joy::Dict::create()), ref, std::move(key)});
            continue;
        }
        if (type == NT_DICT) val = Value::adopt_dict(joy::Dict::create());
        levels.back().dict.u.dict->put(std::move(key), std::move(val));
    }
}

bool SqliteStore::recall(std::string_view root, Value& out) {
    if (!readable_schema()) return false;
    sqlite3_stmt* st = prepare(
        "SELECT n.type, n.ival, n.fval, n.str_id, n.ref_id FROM main.joy_roots r JOIN main.joy_nodes n ON n.id = r.node_id "
        "WHERE r.name = ?1");
    StatementUse use(st);
    sqlite3_bind_text(st, 1, root.data(), int(root.size()), SQLITE_STATIC);
    if (!step_row(st, "recall")) return false;
    out = load_value(sqlite3_column_int(st, 0), st, 0);
    return true;
}

std::vector<std::string> SqliteStore::roots() {
    if (!readable_schema()) return {};
    return column_strings(prepare("SELECT name FROM main.joy_roots ORDER BY name"));
}

bool SqliteStore::forget(std::string_view root) {
    if (!has_schema()) return false;
    ensure_schema();
    sqlite3_stmt* st = prepare("DELETE FROM main.joy_roots WHERE name = ?1");
    sqlite3_bind_text(st, 1, root.data(), int(root.size()), SQLITE_STATIC);
    step_done(st);
    return sqlite3_changes(db_) > 0;
}

// Mark from the roots with a recursive query, sweep the rest.
int64_t SqliteStore::collect_garbage() {
    if (!has_schema()) return 0;
    ensure_schema();
    // Lazily recalled values the program still holds are roots too.
    std::string held = "[";
    for (const NodeSource* src : sources_)
        for (int64_t id : src->waiting()) held += (held.size() > 1 ? "," : "") + std::to_string(id);
    held += "]";
    sqlite3_stmt* sweep = prepare(
        "WITH RECURSIVE live(id) AS ("
        "  SELECT node_id FROM main.joy_roots"
        "  UNION SELECT value FROM json_each(?1)"
        "  UNION SELECT n.next_id FROM main.joy_nodes n JOIN live ON n.id = live.id WHERE n.next_id IS NOT NULL"
        "  UNION SELECT n.ref_id FROM main.joy_nodes n JOIN live ON n.id = live.id WHERE n.ref_id IS NOT NULL"
        ") DELETE FROM main.joy_nodes WHERE id NOT IN (SELECT id FROM live)");
    sqlite3_bind_text(sweep, 1, held.data(), int(held.size()), SQLITE_TRANSIENT);
    {
        StatementUse use(sweep);
        if (sqlite3_step(sweep) != SQLITE_DONE) fail("gc");
    }
    int64_t freed = sqlite3_changes64(db_);
    const char* strings =
        "DELETE FROM main.joy_strings WHERE id NOT IN (SELECT str_id FROM main.joy_nodes WHERE str_id IS NOT NULL "
        "UNION SELECT key_id FROM main.joy_nodes WHERE key_id IS NOT NULL)";
    if (sqlite3_exec(db_, strings, nullptr, nullptr, nullptr) != SQLITE_OK) fail("gc");
    string_ids_.clear();
    strings_.clear();
    return freed;
}

// A checkpoint inside a transaction waits until the transaction ends:
// only then is what was written durable.
void SqliteStore::checkpoint() {
    checkpoint_pending_ = true;
    if (sqlite3_get_autocommit(db_)) run_pending_checkpoint();
}

void SqliteStore::run_pending_checkpoint() {
    if (!checkpoint_pending_ || !sqlite3_get_autocommit(db_)) return;
    checkpoint_pending_ = false;
    int log = 0, ckpt = 0;
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_FULL, &log, &ckpt);
}

std::string SqliteStore::path() {
    const char* p = sqlite3_db_filename(db_, "main");
    return p ? p : "";
}

}  // namespace joyext
