// c_locale.h - numbers are read and written the C way ("1.5"), whatever
// locale the host chose with setlocale(). A host running in de_DE must not
// store 1.5 as "1,5" in a definition, nor read "2.5" as 2.
#pragma once

#include <clocale>

namespace joy {

// strtod in the C locale.
double c_strtod(const char* text, char** end);

// While alive, printf-family calls of this thread use the C locale.
class CLocaleScope {
public:
    CLocaleScope();
    ~CLocaleScope();
    CLocaleScope(const CLocaleScope&) = delete;
    CLocaleScope& operator=(const CLocaleScope&) = delete;

private:
    locale_t saved_;
};

}  // namespace joy
