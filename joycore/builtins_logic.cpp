// builtins_logic.cpp - (being written)
#include "interp.h"

namespace joy {
namespace {
const Builtin table[] = {
    {"__placeholder_logic", [](Interp&) {}, "->"},
};
}  // namespace

BuiltinTable logic_builtins() { return {table, 0}; }

}  // namespace joy
