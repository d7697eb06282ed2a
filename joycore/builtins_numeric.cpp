// builtins_numeric.cpp - (being written)
#include "interp.h"

namespace joy {
namespace {
const Builtin table[] = {
    {"__placeholder_numeric", [](Interp&) {}, "->"},
};
}  // namespace

BuiltinTable numeric_builtins() { return {table, 0}; }

}  // namespace joy
