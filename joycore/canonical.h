// canonical.h - canonical Joy text: the text of a value that reads back as
// exactly that value. It is Joy notation with floats written exactly, plus
// `{:}` for an empty dict (Joy notation reads `{}` as a set), `{:nan}`,
// `{:char N}` for a char whose value is not a byte,
// and `{:sym "name"}` for a symbol whose name Joy's reader would not read
// back; bytes that are not UTF-8 are written \ddd. The store keeps values
// in it (the `joy` column of joy_list, pdict values JSON cannot say).
#pragma once
#include <string>
#include <string_view>

#include "interp.h"
#include "value.h"

namespace joy {

// Whether v is made only of what JSON says exactly (nil, booleans,
// integers, finite floats, UTF-8 strings, lists and dicts of those).
bool json_exact(const Value& v);
std::string canonical_text(const Value& v);
// Throws JoyError if `text` is not canonical Joy text; symbols are interned in I.
Value read_canonical(std::string_view text, Interp* I);

}  // namespace joy
