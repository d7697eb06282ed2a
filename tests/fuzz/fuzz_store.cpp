// fuzz_store.cpp - libFuzzer target: reading persisted values back from
// joy_nodes rows that anyone could have written.
//
// The input becomes the rows of an in-memory database's joy_nodes,
// joy_strings and joy_roots: wrong kinds and types, values of the wrong SQL
// storage class, missing strings, dangling ids, cycles through next_id and
// ref_id. Recalling a root and walking all of it (which pages the lists in
// through SqliteStore::force), persisting what was recalled and collecting
// garbage must give values or Joy errors: never a crash, and never an
// endless walk of one list (a list of R rows has at most R cells).
#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../../ext/sqlite_store.h"
#include "../../joycore/dict.h"
#include "../../joycore/interp.h"

namespace {

struct SilentHost : joy::Host {
    void write_out(std::string_view) override {}
    void write_err(std::string_view) override {}
};

// Reads the input front to back; zeros once it runs out.
struct Bytes {
    const uint8_t* p;
    size_t n;
    uint8_t byte() {
        if (!n) return 0;
        --n;
        return *p++;
    }
    int64_t int64() {
        uint64_t v = 0;
        for (int k = 0; k < 8; ++k) v = v << 8 | byte();
        return int64_t(v);
    }
};

constexpr int MAX_ID = 24;
const char* const strings[] = {"a", "key", "dup", "torture-x", "[", "", "DEFINE", "a b"};
// joy_nodes.type values the store knows, and one it does not.
const int types[] = {2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 21, 99};

// Binds a column value of a storage class the input picks.
void bind_any(sqlite3_stmt* st, int col, Bytes& in) {
    switch (in.byte() % 7) {
    case 0: sqlite3_bind_null(st, col); break;
    case 1: case 2: sqlite3_bind_int64(st, col, int64_t(in.byte() % (MAX_ID + 2)) - 1); break;
    case 3: sqlite3_bind_int64(st, col, in.int64()); break;
    case 4: {
        double d;
        int64_t bits = in.int64();
        std::memcpy(&d, &bits, sizeof d);
        sqlite3_bind_double(st, col, d);
        break;
    }
    case 5: sqlite3_bind_text(st, col, in.byte() % 2 ? "12" : "x", -1, SQLITE_STATIC); break;
    default: sqlite3_bind_blob(st, col, "\x01\x02", 2, SQLITE_STATIC); break;
    }
}

void exec(sqlite3* db, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) __builtin_trap();
}

void write_rows(sqlite3* db, Bytes& in, int& rows) {
    exec(db, "DELETE FROM joy_nodes; DELETE FROM joy_strings; DELETE FROM joy_roots");
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO joy_strings(id, value) VALUES (?1, ?2)", -1, &st, nullptr);
    uint8_t present = in.byte();
    for (int k = 0; k < 8; ++k) {
        if (!(present >> k & 1)) continue;  // a missing string
        sqlite3_bind_int(st, 1, k + 1);
        sqlite3_bind_text(st, 2, strings[k], -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db,
                       "INSERT OR REPLACE INTO joy_nodes(id, kind, type, ival, fval, str_id, ref_id, key_id, next_id) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                       -1, &st, nullptr);
    rows = 1 + in.byte() % MAX_ID;
    for (int r = 0; r < rows; ++r) {
        sqlite3_bind_int(st, 1, 1 + in.byte() % MAX_ID);
        uint8_t kind = in.byte();
        if (kind < 240) sqlite3_bind_int(st, 2, kind % 3);
        else bind_any(st, 2, in);
        uint8_t type = in.byte();
        if (type < 240) sqlite3_bind_int(st, 3, types[type % (sizeof types / sizeof *types)]);
        else bind_any(st, 3, in);
        for (int col = 4; col <= 9; ++col) bind_any(st, col, in);
        sqlite3_step(st);  // may fail a NOT NULL constraint: then the row is not there
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "INSERT INTO joy_roots(name, node_id, created_at, modified_at) VALUES (?1, ?2, 0, 0)", -1,
                       &st, nullptr);
    for (const char* name : {"r", "s"}) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, in.byte() % (MAX_ID + 1));
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

// Visits every element reachable from v, at most `budget` in all (a list
// nested in itself is an error once it is read deeper than there are
// rows). One list must end.
void walk(const joy::Value& root, int rows) {
    std::vector<joy::Value> work{root};
    size_t budget = 20000;
    while (!work.empty() && budget) {
        joy::Value v = std::move(work.back());
        work.pop_back();
        if (v.tag == joy::T_LIST) {
            size_t length = 0;
            for (joy::Cell* c = v.u.list; c && budget; c = joy::tail(c), --budget) {
                if (++length > size_t(4 * rows + 16)) __builtin_trap();  // a cycle the store did not catch
                work.push_back(joy::head(c));
            }
        } else if (v.tag == joy::T_DICT) {
            v.u.dict->each([&](const joy::Value&, const joy::Value& e) { work.push_back(e); });
            --budget;
        } else {
            --budget;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sqlite3* db = [] {
        sqlite3* handle = nullptr;
        if (sqlite3_open(":memory:", &handle) != SQLITE_OK) __builtin_trap();
        joyext::SqliteStore schema(handle);
        schema.ensure_schema();
        return handle;
    }();
    Bytes in{data, size};
    int rows = 0;
    write_rows(db, in, rows);
    SilentHost host;
    joy::Interp I(&host);
    auto store = std::make_unique<joyext::SqliteStore>(db);
    store->attach(&I);
    for (const char* root : {"r", "s"}) {
        joy::Value v;
        try {
            if (store->recall(root, v)) walk(v, rows);
        } catch (joy::JoyError&) {
        }
        try {
            if (store->recall(root, v)) store->persist("copy", v);
        } catch (joy::JoyError&) {
        }
    }
    try {
        store->roots();
        store->collect_garbage();
    } catch (joy::JoyError&) {
    }
    store.reset();
    return 0;
}
