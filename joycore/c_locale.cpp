// c_locale.cpp - one C locale object for the process, made on first use.
#include "c_locale.h"

#include <cstdlib>

namespace joy {

namespace {
// newlocale can fail only for lack of memory; a null locale makes
// strtod_l and uselocale fall back to the thread's own, which is the best
// that can be done then.
locale_t c_locale() {
    static const locale_t c = newlocale(LC_ALL_MASK, "C", locale_t(0));
    return c;
}
}  // namespace

double c_strtod(const char* text, char** end) {
    locale_t c = c_locale();
    return c ? strtod_l(text, end, c) : std::strtod(text, end);
}

CLocaleScope::CLocaleScope() : saved_(c_locale() ? uselocale(c_locale()) : locale_t(0)) {}

CLocaleScope::~CLocaleScope() {
    if (saved_) uselocale(saved_);
}

}  // namespace joy
