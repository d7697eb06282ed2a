// json.h - JSON text to Joy values and back (json>, >json, the SQL layer).
//
// object <-> dict, array <-> list, integer <-> integer, number with a
// fraction or exponent <-> float (1.0 stays a float: written "1.0"),
// true/false <-> booleans, null <-> nil, string <-> string (UTF-8). A char
// is written as a one-character string. Both directions are iterative, so
// nesting depth is bounded only by memory.
#pragma once
#include <string>
#include <string_view>

#include "interp.h"
#include "value.h"

namespace joy {

// Parse one JSON document. Throws JoyError ("run time error: invalid JSON
// at line L, column C: ...") on malformed text.
Value json_parse(std::string_view text);

// The error for a value JSON cannot say; callers that fall back to Joy
// text catch this, not every error (a limit must still stop them).
struct NoJsonForm : JoyError {
    using JoyError::JoyError;
};

// Compact JSON for v. Throws NoJsonForm for values JSON cannot say: sets,
// symbols (quotations of code), non-finite floats, files and handles.
// Strings are written as UTF-8; bytes that are not valid UTF-8 become
// U+FFFD, and surrogates (as json_parse stores a lone \uD800) are escaped.
std::string json_write(const Value& v);

}  // namespace joy
