// printer.h - Joy1's notation for every value.
#pragma once
#include <string>

#include "value.h"

namespace joy {

// Append the Joy notation of v (as Joy1's writefactor prints it).
// exact_floats: the text reads back as the same value (stored text such
// as persisted definitions): every float as the same double, instead of
// Joy1's %g, and a private word by its stored name (see stored_name).
void print_value(std::string& out, const Value& v, bool exact_floats = false);
// The elements of a list separated by spaces, without brackets (writeterm).
void print_term(std::string& out, Cell* list, bool exact_floats = false);

// The text of a value can be exponentially longer than the value (parts
// shared many times are written each time). Writers (Joy, JSON, canonical
// text) call this once their text has grown past a first size: it fails
// with the memory-limit error at once if the text of `v` cannot fit what
// the run's limit leaves, measuring shared parts once.
void check_text_fits(const Value& v);
// Whether the Joy text of v is longer than n bytes (shared parts measured once).
bool text_longer_than(const Value& v, size_t n);
std::string to_joy(const Value& v);
// Floats as Joy1 prints them (exact: see print_value).
void print_float(std::string& out, double d, bool exact = false);
// A string literal with Joy escapes, quotes included.
void print_string_literal(std::string& out, std::string_view s);
// Whether a dict key prints bare (`name:`) or quoted (`"first name":`).
bool is_plain_key(std::string_view k);

}  // namespace joy
