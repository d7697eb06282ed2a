// utf8.h - the one UTF-8 decoder of the interpreter.
//
// Joy strings are byte strings. Where their text leaves the interpreter
// (SQL results, printed Joy notation, JSON) it must be valid UTF-8, so the
// writers ask here which bytes form characters.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace joy {

// The length (1-4) of the UTF-8 sequence at s[i], with its code point in
// `cp`; 0 if the bytes there are not one (a stray byte, a cut or overlong
// sequence, a code point past U+10FFFF). Surrogates (U+D800-DFFF) decode:
// callers decide about them.
size_t utf8_decode(std::string_view s, size_t i, uint32_t& cp);

// Whether all of `s` is valid UTF-8 (no surrogates).
bool valid_utf8(std::string_view s);

// `s` with each byte that is not part of a UTF-8 character written as
// \ddd (decimal, as Joy writes escapes): for messages that quote input.
std::string utf8_escaped(std::string_view s);

}  // namespace joy
