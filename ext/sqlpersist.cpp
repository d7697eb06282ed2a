// sqlpersist.cpp - SQL functions over the persistent side of Joy.
//
//   joy_define(name, body)   persist a definition (as DEFINE name == body.)
//                            in the current session; returns name
//   joy_undefine(name)       drop it; returns name
//   joy_gc()                 collect joy_nodes rows no root reaches;
//                            returns how many were freed
//
// All are DIRECTONLY: they write to the database.
#include <sqlite3ext.h>

#include "boundary.h"
#include "context.h"
SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {

JoyConnection& connection_of(sqlite3_context* ctx) {
    return *static_cast<JoyConnection*>(sqlite3_user_data(ctx));
}

std::string_view text_arg(sqlite3_value* v) {
    const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
    return p ? std::string_view(p, size_t(sqlite3_value_bytes(v))) : std::string_view();
}

void need_text_args(int argc, sqlite3_value** argv, const char* fn) {
    for (int k = 0; k < argc; ++k)
        if (sqlite3_value_type(argv[k]) != SQLITE_TEXT)
            throw joy::JoyError(std::string(fn) + " needs TEXT arguments");
}

void joy_define_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    if (refused_in_schema(ctx, "joy_define")) return;
    protect(ctx, [&] {
        need_text_args(argc, argv, "joy_define");
        connection_of(ctx).define(text_arg(argv[0]), text_arg(argv[1]));
        sqlite3_result_value(ctx, argv[0]);
    });
}

void joy_undefine_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    if (refused_in_schema(ctx, "joy_undefine")) return;
    protect(ctx, [&] {
        need_text_args(argc, argv, "joy_undefine");
        connection_of(ctx).undefine(text_arg(argv[0]));
        sqlite3_result_value(ctx, argv[0]);
    });
}

void joy_gc_fn(sqlite3_context* ctx, int, sqlite3_value**) {
    if (refused_in_schema(ctx, "joy_gc")) return;
    protect(ctx, [&] { sqlite3_result_int64(ctx, connection_of(ctx).collect_garbage()); });
}

struct FunctionSpec {
    const char* name;
    int n_args;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
};

const FunctionSpec functions[] = {
    {"joy_define", 2, joy_define_fn},
    {"joy_undefine", 1, joy_undefine_fn},
    {"joy_gc", 0, joy_gc_fn},
};

}  // namespace

int register_persist_functions(sqlite3* db, JoyConnection* conn) {
    for (const FunctionSpec& f : functions) {
        conn->retain();
        int rc = sqlite3_create_function_v2(db, f.name, f.n_args, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn, f.fn,
                                            nullptr, nullptr, JoyConnection::release);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

}  // namespace joyext
