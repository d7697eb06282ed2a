// builtins_string.cpp - (being written)
#include "interp.h"

namespace joy {
namespace {
const Builtin table[] = {
    {"__placeholder_string", [](Interp&) {}, "->"},
};
}  // namespace

BuiltinTable string_builtins() { return {table, 0}; }

}  // namespace joy
