// utf8.cpp - see utf8.h.
#include "utf8.h"

namespace joy {

size_t utf8_decode(std::string_view s, size_t i, uint32_t& cp) {
    unsigned char c = s[i];
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return 0;
    cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < len; ++k) {
        unsigned char d = s[i + k];
        if ((d & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (d & 0x3F);
    }
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF) return 0;
    return len;
}

bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {  // the common case, byte by byte
            ++i;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_decode(s, i, cp);
        if (len == 0 || (cp >= 0xD800 && cp < 0xE000)) return false;
        i += len;
    }
    return true;
}

std::string utf8_escaped(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        uint32_t cp;
        size_t len = utf8_decode(s, i, cp);
        if (len == 0 || (cp >= 0xD800 && cp < 0xE000)) {
            out += '\\';
            out += std::to_string(static_cast<unsigned char>(s[i]));
            ++i;
        } else {
            out.append(s.data() + i, len);
            i += len;
        }
    }
    return out;
}

}  // namespace joy
