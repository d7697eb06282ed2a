// sqlfunc.cpp - the scalar SQL functions of the Joy extension.
//
//   joy_eval(program, arg1, ...)  push the args (arg1 deepest), run, return
//                                 the top of the stack (NULL if empty);
//                                 lists, sets, dicts come back in Joy notation.
//   joy_json(program, arg1, ...)  the same, the result as JSON text with the
//                                 JSON subtype: joy_json('{a: [1 2]}') ->> '$.a[1]'
//   joy(program, arg1, ...)       pure: no output, files, time, randomness,
//                                 persistence; it sees the builtins and the
//                                 definitions in its own text, never a stored
//                                 one, and all it defines or sets is undone
//                                 when it returns. INNOCUOUS and DETERMINISTIC,
//                                 so usable in views, CHECK, indexes, generated
//                                 columns.
//   joy_run(program, arg1, ...)   returns what the program printed (`.`, put, ...)
//   joy_limits()                  current limits as JSON
//   joy_limits(steps, memory_bytes, depth)
//                                 set the limits of every later call on this
//                                 connection: 0 = unlimited, NULL = unchanged.
//                                 Steps and memory count per statement.
//   joy_config('files' [, 0|1])   let joy_eval/joy_run/joy_stack use files,
//                                 environment, processes (off by default);
//                                 returns the setting. Standard input is
//                                 never read inside SQL. joy_limits and
//                                 joy_config refuse to run from SQL that a
//                                 Joy program runs.
//   joy_version()                 version string
//
// Program statements end with `.` or the end of the text; in joy_eval,
// joy_json and joy a `.` does not print (the stack is the result); joy_run
// prints and pops as Joy1 does. A NULL program gives NULL. Every function
// that can change state or has effects is DIRECTONLY: a view, trigger or
// schema of an untrusted database cannot call it.
#include <sqlite3ext.h>

#include "../joycore/version.h"
#include "context.h"
#include "sqlvalue.h"
SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {

JoyConnection& connection_of(sqlite3_context* ctx) {
    return *static_cast<JoyConnection*>(sqlite3_user_data(ctx));
}

enum class Result { TOP, TOP_JSON, OUTPUT };

struct KeptProgram {
    std::shared_ptr<const Program> program;
    Mode mode;
    JoyConnection::StatementMemo statement;
    static void destroy(void* p) { delete static_cast<KeptProgram*>(p); }
};

// The program of argv[0] compiled, kept with the argument for the rest of
// the statement: SQLite keeps auxiliary data on a constant argument while
// the statement runs, so its presence also means an earlier row of this
// statement ran (and passed the schema guard). No reference is taken while
// it runs: an atomic count would cost more than the rest of a short call.
// Null (the result set) for a NULL program (the result is NULL) or when
// the schema guard refuses. `held` keeps the program for this call, as
// SQLite may free the kept copy at once (a program that is not constant).
std::shared_ptr<const Program> compiled_program(sqlite3_context* ctx, int argc, sqlite3_value** argv,
                                                JoyConnection& conn, Mode mode, const char* name) {
    if (argc < 1) {
        sqlite3_result_error(ctx, "joy: a program (TEXT) is needed as the first argument", -1);
        return nullptr;
    }
    sqlite3_value* text_arg = argv[0];
    if (sqlite3_value_type(text_arg) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return nullptr;
    }
    if (mode != Mode::PURE && refused_in_schema(ctx, name)) return nullptr;
    const char* text = reinterpret_cast<const char*>(sqlite3_value_text(text_arg));
    std::shared_ptr<const Program> compiled =
        conn.compile(std::string_view(text ? text : "", size_t(sqlite3_value_bytes(text_arg))), mode);
    sqlite3_set_auxdata(ctx, 0, new KeptProgram{compiled, mode, {}}, KeptProgram::destroy);
    return compiled;
}

// One row: the program run, its result set on ctx.
void run_row(sqlite3_context* ctx, JoyConnection& conn, const Program& prog, JoyConnection::StatementMemo* statement,
             int argc, sqlite3_value** argv, Mode mode, Result result) {
    conn.call(prog, nullptr, argv + 1, argc - 1, mode, true, statement, [&](joy::Interp& I) {
        if (result == Result::TOP && !I.stk.empty() && I.stk.back().tag == joy::T_INT) {
            sqlite3_result_int64(ctx, I.stk.back().u.i);
            return;
        }
        joy::MemoryLimitScope limit(I);  // making the text of a large value
        if (result == Result::OUTPUT)
            result_bytes(ctx, conn.take_output());
        else if (I.stk.empty())
            sqlite3_result_null(ctx);
        else if (result == Result::TOP_JSON)
            result_json(ctx, I.stk.back());
        else
            result_value(ctx, I.stk.back());
    });
}

// The first row of a statement (or every row of a program that is not
// constant): compiled, then run.
__attribute__((noinline)) void run_first_row(sqlite3_context* ctx, JoyConnection& conn, int argc, sqlite3_value** argv,
                                             Mode mode, Result result, const char* name) {
    std::shared_ptr<const Program> held = compiled_program(ctx, argc, argv, conn, mode, name);
    if (!held) return;
    auto* kept = static_cast<KeptProgram*>(sqlite3_get_auxdata(ctx, 0));  // null if SQLite let it go
    run_row(ctx, conn, *held, kept ? &kept->statement : nullptr, argc, argv, mode, result);
}

void run_program(sqlite3_context* ctx, int argc, sqlite3_value** argv, Mode mode, Result result,
                 const char* name) {
    JoyConnection& conn = connection_of(ctx);
    protect(ctx, [&] {
        auto* kept = argc >= 1 ? static_cast<KeptProgram*>(sqlite3_get_auxdata(ctx, 0)) : nullptr;
        if (kept && kept->mode == mode)
            run_row(ctx, conn, *kept->program, &kept->statement, argc, argv, mode, result);
        else
            run_first_row(ctx, conn, argc, argv, mode, result, name);
    });
}

void joy_eval_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    run_program(ctx, argc, argv, Mode::EVAL, Result::TOP, "joy_eval");
}
void joy_json_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    run_program(ctx, argc, argv, Mode::EVAL, Result::TOP_JSON, "joy_json");
}
void joy_pure_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    run_program(ctx, argc, argv, Mode::PURE, Result::TOP, "joy");
}
void joy_run_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    run_program(ctx, argc, argv, Mode::RUN, Result::OUTPUT, "joy_run");
}

void result_limits(sqlite3_context* ctx, const joy::Limits& l) {
    std::string s = "{\"steps\":" + std::to_string(l.steps) + ",\"memory\":" + std::to_string(l.memory) +
                    ",\"depth\":" + std::to_string(l.depth) + "}";
    sqlite3_result_text(ctx, s.c_str(), int(s.size()), SQLITE_TRANSIENT);
    sqlite3_result_subtype(ctx, JSON_SUBTYPE);
}

// The sandbox and the limits are the connection owner's: SQL that a Joy
// program runs cannot change them.
bool refused_inside_joy(sqlite3_context* ctx, const JoyConnection& conn, const char* function) {
    if (!conn.running()) return false;
    char* msg = sqlite3_mprintf("joy: %s() cannot be called from SQL that a Joy program runs", function);
    if (msg) sqlite3_result_error(ctx, msg, -1);
    else sqlite3_result_error_nomem(ctx);
    sqlite3_free(msg);
    return true;
}

void joy_limits_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    JoyConnection& conn = connection_of(ctx);
    if (refused_inside_joy(ctx, conn, "joy_limits") || refused_in_schema(ctx, "joy_limits")) return;
    if (argc != 0 && argc != 3) {
        sqlite3_result_error(ctx, "joy: joy_limits takes no arguments or (steps, memory_bytes, depth)", -1);
        return;
    }
    joy::Limits l = conn.limits;
    uint64_t* fields[3] = {&l.steps, &l.memory, &l.depth};
    static const char* names[3] = {"steps", "memory_bytes", "depth"};
    for (int k = 0; k < argc; ++k) {
        int type = sqlite3_value_type(argv[k]);
        if (type == SQLITE_NULL) continue;
        if (type != SQLITE_INTEGER || sqlite3_value_int64(argv[k]) < 0) {
            char* msg = sqlite3_mprintf(
                "joy: joy_limits: %s must be a non-negative integer (0 = unlimited, NULL = unchanged)", names[k]);
            if (msg) sqlite3_result_error(ctx, msg, -1);
            else sqlite3_result_error_nomem(ctx);
            sqlite3_free(msg);
            return;
        }
        *fields[k] = uint64_t(sqlite3_value_int64(argv[k]));
    }
    conn.limits = l;
    protect(ctx, [&] { result_limits(ctx, l); });
}

void joy_config_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    JoyConnection& conn = connection_of(ctx);
    if (refused_inside_joy(ctx, conn, "joy_config") || refused_in_schema(ctx, "joy_config")) return;
    const char* name = argc >= 1 ? reinterpret_cast<const char*>(sqlite3_value_text(argv[0])) : nullptr;
    if (argc < 1 || argc > 2 || !name || std::string_view(name) != "files") {
        sqlite3_result_error(ctx, "joy: joy_config takes ('files') or ('files', 0 or 1)", -1);
        return;
    }
    if (argc == 2) conn.files_enabled = sqlite3_value_int64(argv[1]) != 0;
    sqlite3_result_int(ctx, conn.files_enabled);
}

void joy_version_fn(sqlite3_context* ctx, int, sqlite3_value**) {
    sqlite3_result_text(ctx, JOY_VERSION, -1, SQLITE_STATIC);
}

#ifndef SQLITE_SUBTYPE
#define SQLITE_SUBTYPE 0
#endif
#ifndef SQLITE_RESULT_SUBTYPE
#define SQLITE_RESULT_SUBTYPE 0
#endif

struct FunctionSpec {
    const char* name;
    int n_args;
    int flags;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
};

const FunctionSpec functions[] = {
    {"joy_eval", -1, SQLITE_DIRECTONLY | SQLITE_SUBTYPE, joy_eval_fn},
    {"joy_json", -1, SQLITE_DIRECTONLY | SQLITE_SUBTYPE | SQLITE_RESULT_SUBTYPE, joy_json_fn},
    {"joy", -1, SQLITE_INNOCUOUS | SQLITE_DETERMINISTIC | SQLITE_SUBTYPE, joy_pure_fn},
    {"joy_run", -1, SQLITE_DIRECTONLY | SQLITE_SUBTYPE, joy_run_fn},
    {"joy_limits", -1, SQLITE_DIRECTONLY | SQLITE_RESULT_SUBTYPE, joy_limits_fn},
    {"joy_config", -1, SQLITE_DIRECTONLY, joy_config_fn},
    {"joy_version", 0, SQLITE_INNOCUOUS | SQLITE_DETERMINISTIC, joy_version_fn},
};

}  // namespace

int register_scalar_functions(sqlite3* db, JoyConnection* conn) {
    for (const FunctionSpec& f : functions) {
        conn->retain();  // released by SQLite, also if registration fails
        int rc = sqlite3_create_function_v2(db, f.name, f.n_args, SQLITE_UTF8 | f.flags, conn, f.fn, nullptr,
                                            nullptr, JoyConnection::release);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

}  // namespace joyext
