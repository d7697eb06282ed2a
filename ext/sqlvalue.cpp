// sqlvalue.cpp - SQL values to Joy values and back (see sqlvalue.h).
#include "sqlvalue.h"

#include <cstdarg>
#include <new>

#include "../joycore/json.h"
#include "../joycore/printer.h"
#include "../joycore/utf8.h"
#include "context.h"
SQLITE_EXTENSION_INIT3

namespace joyext {

joy::Value from_sql_of_type(sqlite3_value* v, int type) {
    switch (type) {
    case SQLITE_INTEGER:
        return joy::Value::integer(sqlite3_value_int64(v));
    case SQLITE_FLOAT:
        return joy::Value::flt(sqlite3_value_double(v));
    case SQLITE_TEXT: {
        const char* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
        std::string_view s(text ? text : "", size_t(sqlite3_value_bytes(v)));
        if (sqlite3_value_subtype(v) == JSON_SUBTYPE) return joy::json_parse(s);
        return joy::make_string(s);
    }
    case SQLITE_BLOB: {
        const char* bytes = static_cast<const char*>(sqlite3_value_blob(v));
        return joy::make_string(std::string_view(bytes ? bytes : "", size_t(sqlite3_value_bytes(v))));
    }
    default:
        return joy::Value::nil();
    }
}

namespace {
// SQLite refuses a result longer than SQLITE_LIMIT_LENGTH only after the
// function returned: refuse it here, so that the call fails and keeps nothing.
void check_length(sqlite3_context* ctx, size_t n) {
    int limit = sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1);
    if (n > size_t(limit))
        throw joy::JoyError("run time error: the result (" + std::to_string(n) +
                            " bytes) is longer than SQLite's length limit (" + std::to_string(limit) + ")");
}
}  // namespace

void result_bytes(sqlite3_context* ctx, std::string_view bytes) {
    check_length(ctx, bytes.size());
    if (joy::valid_utf8(bytes))
        sqlite3_result_text64(ctx, bytes.data(), bytes.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    else
        sqlite3_result_blob64(ctx, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
}

void result_non_integer(sqlite3_context* ctx, const joy::Value& v) {
    switch (v.tag) {
    case joy::T_NIL:
        sqlite3_result_null(ctx);
        return;
    case joy::T_BOOL:
    case joy::T_INT:
        sqlite3_result_int64(ctx, v.u.i);
        return;
    case joy::T_FLOAT:
        sqlite3_result_double(ctx, v.u.f);
        return;
    case joy::T_CHAR: {
        char c = char(v.u.i);  // its low byte (a char may hold more after arithmetic)
        if ((v.u.i & 0xff) < 0x80) sqlite3_result_text(ctx, &c, 1, SQLITE_TRANSIENT);
        else sqlite3_result_blob(ctx, &c, 1, SQLITE_TRANSIENT);  // a byte past 127 is no UTF-8 text
        return;
    }
    case joy::T_STRING:
        result_bytes(ctx, v.u.str->view());
        return;
    default: {
        std::string s;
        joy::print_value(s, v, true);  // floats exact: the text reads back as the same value
        result_bytes(ctx, s);  // (a symbol's name read from bytes may not be UTF-8)
        return;
    }
    }
}

void result_json(sqlite3_context* ctx, const joy::Value& v) {
    std::string s = joy::json_write(v);
    check_length(ctx, s.size());
    sqlite3_result_text64(ctx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    sqlite3_result_subtype(ctx, JSON_SUBTYPE);
}

void result_current_error(sqlite3_context* ctx) noexcept {
    try {
        throw;
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(ctx);
    } catch (...) {
        try {
            std::string msg = current_error_message();
            sqlite3_result_error(ctx, msg.c_str(), int(msg.size()));
        } catch (...) {
            sqlite3_result_error_nomem(ctx);
        }
    }
}

int vtab_error(sqlite3_vtab* tab, const char* format, ...) noexcept {
    va_list args;
    va_start(args, format);
    sqlite3_free(tab->zErrMsg);
    tab->zErrMsg = sqlite3_vmprintf(format, args);
    va_end(args);
    return SQLITE_ERROR;
}

int vtab_current_error(sqlite3_vtab* tab) noexcept {
    try {
        throw;
    } catch (const std::bad_alloc&) {
        return SQLITE_NOMEM;
    } catch (...) {
        try {
            return vtab_error(tab, "%s", current_error_message().c_str());
        } catch (...) {
            return SQLITE_NOMEM;
        }
    }
}

}  // namespace joyext
