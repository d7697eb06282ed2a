// store_internal.h - what the files of SqliteStore share (sqlite_store.cpp:
// statements and the call scope; store_sessions.cpp: definitions and
// sessions; store_heap.cpp: the persistent heap and its GC).
#pragma once
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "sqlite_store.h"

namespace joyext {
namespace store_rows {

enum NodeKind { ROOT = 0, CELL = 1, ENTRY = 2 };

// Element types stored in joy_nodes.type (Joy's typeof codes where Joy1 has
// one, so SQL readers see familiar numbers).
enum NodeType {
    NT_USRDEF = 2, NT_BUILTIN = 3, NT_BOOL = 4, NT_CHAR = 5, NT_INT = 6, NT_SET = 7,
    NT_STRING = 8, NT_LIST = 9, NT_FLOAT = 10, NT_NIL = 20, NT_DICT = 21,
};

inline int64_t now() { return int64_t(std::time(nullptr)); }

// The first column of every row of `st`, which is then reset.
std::vector<std::string> column_strings(sqlite3_stmt* st);

}  // namespace store_rows
}  // namespace joyext
