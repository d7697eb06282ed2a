// sqlfunc_user.cpp - SQL functions written in Joy.
//
//   joy_create_function(name, n_args, program [, 'effects'])
//       registers the scalar function name(x1, ..., xn): the arguments are
//       pushed (x1 deepest), the program runs, the top of the stack is the
//       result (NULL if the stack is empty), converted as joy_eval's are.
//       Pure by default: no output, files, time, randomness or persistence
//       (those words are errors), so the function is INNOCUOUS and
//       DETERMINISTIC and may serve views, indexes, CHECK constraints and
//       generated columns, also in a database opened with trusted_schema=OFF.
//       'effects' allows what joy_eval allows and makes it DIRECTONLY.
//   joy_create_aggregate(name, n_args, init, step, final [, inverse])
//       registers a pure aggregate: `init` pushes the starting accumulator,
//       `step` turns `acc x1 .. xn` into the new accumulator, `final` turns
//       the accumulator into the result ('' keeps it as it is). `inverse`
//       undoes a step; with it the aggregate is also a window function that
//       SQLite can slide over a frame.
//   joy_drop_function(name)
//       removes a function made by the two above.
//
// All three return the name and are DIRECTONLY (they write the database).
// The definitions are kept in joy_functions and registered again whenever
// the extension is loaded on the database, in any host. Programs are
// compiled when the function is created (a syntax error is reported then)
// and may use persisted definitions (joy_define), looked up when they run.
// Errors name the function: "joy: cubed: run time error: ...". Limits are
// those of joy_eval, per call.
//
// SQLite refuses to replace or delete a function while any statement of the
// connection is running, which is always the case inside one of these
// calls. So a function created again with the same kind, purity and number
// of arguments is changed in place, and a dropped function stays registered
// on this connection, failing with a message, until the connection closes;
// other connections never see it.
#include <sqlite3ext.h>

#include <algorithm>

#include <iterator>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../joycore/dict.h"
#include "../joycore/json.h"
#include "context.h"
#include "sqlvalue.h"
#include "statement.h"
SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {

// The most Joy functions one database registers (see Registry::load_saved).
constexpr size_t MAX_FUNCTIONS = 10000;

#ifndef SQLITE_SUBTYPE
#define SQLITE_SUBTYPE 0
#endif

enum class Kind { SCALAR, AGGREGATE, WINDOW };
const char* const KIND_NAMES[] = {"scalar", "aggregate", "window"};

// The programs of a function, by what they do.
enum Role { PROGRAM, INIT, STEP, FINAL, INVERSE, ROLES };
const char* const ROLE_NAMES[ROLES] = {"program", "init", "step", "final", "inverse"};

bool uses(Kind kind, Role role) {
    switch (role) {
    case PROGRAM: return kind == Kind::SCALAR;
    case INVERSE: return kind == Kind::WINDOW;
    default: return kind != Kind::SCALAR;
    }
}

// One row of joy_functions.
struct Definition {
    std::string name;
    Kind kind = Kind::SCALAR;
    int n_args = 0;
    bool effects = false;
    std::string text[ROLES];
    // A pure function's stored words, captured when it was created (see
    // JoyConnection::capture_words); a saved row without them has none.
    CapturedWords words;
    bool has_words = false;
};

class Registry;

// One registration with SQLite: its user data, deleted by SQLite.
struct UserFunction {
    UserFunction(Registry* r, Definition d);
    ~UserFunction();
    UserFunction(const UserFunction&) = delete;
    UserFunction& operator=(const UserFunction&) = delete;

    // The compiled program for `role` (compiled on first use); throws when
    // the function was dropped.
    const Program& program(Role role);
    Mode mode() const { return def.effects ? Mode::EVAL : Mode::PURE; }
    JoyConnection& connection();

    Registry* registry;
    Definition def;
    std::shared_ptr<const Program> compiled[ROLES];
    std::map<std::string, joy::Sym*> bound;  // the private copies of def.words
    std::string gone;  // why calls fail: dropped, or now defined with other arguments
    SchemaGuard schema_guard;  // effects only: refused when a table's CHECK calls it
};

// Per connection: the functions written in Joy that it registered, by
// lower-case name. Held by the management functions and by each
// UserFunction; the last release frees it and releases the connection.
class Registry {
public:
    Registry(sqlite3* db, JoyConnection* conn) : db_(db), conn_(conn) {
        conn->retain();
        conn->store()->set_transaction_listener({transaction_ended, this});
    }
    void retain() { ++refs_; }
    static void release(void* self);
    JoyConnection& connection() { return *conn_; }

    void create(Definition def);
    void drop(std::string_view name);
    bool same_as_registered(const Definition& def);
    void refuse_while_used(const std::string& name, const char* change);
    // Registers the functions saved in joy_functions (on loading).
    int load_saved();
    void forget(UserFunction* f);

private:
    void install(const Definition& def, const std::shared_ptr<const Program>* compiled,
                 const std::map<std::string, joy::Sym*>& bound);
    void save(const Definition& def);
    // What a registration or a drop changed, put back if the transaction it
    // ran in rolls back (its row of joy_functions goes back with it); a
    // function it made then fails as rolled back.
    struct Undo {
        UserFunction* f;
        bool made;
        Definition def;
        std::shared_ptr<const Program> compiled[ROLES];
        std::map<std::string, joy::Sym*> bound;
        std::string gone;
    };
    std::vector<Undo> undo_;
    void remember(UserFunction* f, bool made);
    static void transaction_ended(void* self, bool committed);

    sqlite3* db_;
    JoyConnection* conn_;
    int refs_ = 0;
    std::unordered_map<std::string, std::vector<UserFunction*>> by_name_;
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

bool is_identifier(std::string_view s) {
    if (s.empty() || s.size() > 128) return false;
    for (size_t k = 0; k < s.size(); ++k) {
        char c = s[k];
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && !(k > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

// The extension's own names, and the functions SQL calls for an operator
// (x REGEXP y, x MATCH y): a database file must not answer those for the
// host's statements that never name a function.
bool is_reserved(std::string_view lower_name) {
    return lower_name == "joy" || lower_name.rfind("joy_", 0) == 0 || lower_name == "regexp" || lower_name == "match";
}

// Lower-case names of the SQL functions the connection has (builtin_only:
// those SQLite itself provides). Empty if SQLite cannot tell.
std::unordered_set<std::string> sql_function_names(sqlite3* db, bool builtin_only) {
    std::unordered_set<std::string> names;
    Statement st;
    const char* sql = builtin_only ? "SELECT name FROM pragma_function_list WHERE builtin"
                                   : "SELECT name FROM pragma_function_list";
    if (st.prepare(db, sql) != SQLITE_OK) return names;
    while (sqlite3_step(st.get()) == SQLITE_ROW) {
        const char* name = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
        if (name) names.insert(lower(name));
    }
    return names;
}

bool table_exists(sqlite3* db, const char* name) {
    Statement st;
    if (st.prepare(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1") != SQLITE_OK) return false;
    sqlite3_bind_text(st.get(), 1, name, -1, SQLITE_STATIC);
    return sqlite3_step(st.get()) == SQLITE_ROW;
}

[[noreturn]] void fail(const std::string& msg) { throw joy::JoyError("run time error: " + msg); }

void capture(JoyConnection& conn, Definition& def) {
    if (def.effects || def.has_words) return;
    std::vector<std::string> texts;
    for (int r = 0; r < ROLES; ++r)
        if (uses(def.kind, Role(r))) texts.push_back(def.text[r]);
    def.words = conn.capture_words(texts);
    def.has_words = true;
}

// An effects function runs on the connection's interpreter and sees its
// definitions as they are; a pure one, sealed, sees the words captured.
std::shared_ptr<const Program> compile_role(JoyConnection& conn, Definition& def, Role role,
                                            std::map<std::string, joy::Sym*>& bound) {
    try {
        if (def.effects) return conn.compile(def.text[role], Mode::EVAL);
        capture(conn, def);
        return conn.compile_sealed(def.text[role], def.words, bound);
    } catch (const joy::JoyError& e) {
        if (role == PROGRAM) throw;
        throw joy::JoyError(std::string(ROLE_NAMES[role]) + " program: " + e.what());
    }
}

// ---- UserFunction ----

UserFunction::UserFunction(Registry* r, Definition d) : registry(r), def(std::move(d)) { registry->retain(); }

UserFunction::~UserFunction() {
    registry->forget(this);
    Registry::release(registry);
}

JoyConnection& UserFunction::connection() { return registry->connection(); }

const Program& UserFunction::program(Role role) {
    if (!gone.empty()) throw joy::JoyError(gone);
    if (!compiled[role]) compiled[role] = compile_role(connection(), def, role, bound);
    return *compiled[role];
}

void destroy_function(void* f) { delete static_cast<UserFunction*>(f); }

UserFunction& function_of(sqlite3_context* ctx) { return *static_cast<UserFunction*>(sqlite3_user_data(ctx)); }

// "joy: <name>: <what went wrong>" for the exception being handled.
void result_error(sqlite3_context* ctx, const UserFunction& f) noexcept {
    try {
        std::string msg = current_error_message();  // "joy: ..."
        msg.insert(5, f.def.name + ": ");
        sqlite3_result_error(ctx, msg.c_str(), int(msg.size()));
    } catch (...) {
        sqlite3_result_error_nomem(ctx);
    }
}

// ---- calls ----

void scalar_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    UserFunction& f = function_of(ctx);
    if (f.def.effects && f.schema_guard.refused(ctx, f.def.name, f.connection().store()->seal())) return;
    try {
        f.connection().call(f.program(PROGRAM), nullptr, argv, argc, f.mode(), true, nullptr, [&](joy::Interp& I) {
            if (I.stk.empty()) {
                sqlite3_result_null(ctx);
            } else if (I.stk.back().tag == joy::T_INT) {
                sqlite3_result_int64(ctx, I.stk.back().u.i);
            } else {
                joy::MemoryLimitScope limit(I);  // making the text of a large value
                result_value(ctx, I.stk.back());
            }
        });
    } catch (...) {
        result_error(ctx, f);
    }
}

// Runs `role` with *acc (moved, may be null) under the arguments; false if
// it left the stack empty, else `out` is the top.
bool run_role(UserFunction& f, Role role, joy::Value* acc, sqlite3_value** argv, int argc, joy::Value& out) {
    bool some = false;
    f.connection().call(f.program(role), acc, argv, argc, Mode::PURE, false, nullptr, [&](joy::Interp& I) {
        some = !I.stk.empty();
        if (some) out = I.pop();
    });
    return some;
}

joy::Value starting_accumulator(UserFunction& f) {
    joy::Value acc;
    if (!run_role(f, INIT, nullptr, nullptr, 0, acc)) fail("the init program left the stack empty");
    return acc;
}

// A group's state, in sqlite3_aggregate_context (zeroed by SQLite).
struct AggregateState {
    joy::Value* acc;  // null before the first row
    bool failed;      // a step failed: the statement is ending with its error
};

AggregateState* state_of(sqlite3_context* ctx, bool create) {
    return static_cast<AggregateState*>(sqlite3_aggregate_context(ctx, create ? int(sizeof(AggregateState)) : 0));
}

void update(sqlite3_context* ctx, int argc, sqlite3_value** argv, Role role) {
    UserFunction& f = function_of(ctx);
    AggregateState* state = state_of(ctx, true);
    if (!state) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (state->failed) return;
    try {
        if (!state->acc) state->acc = new joy::Value(starting_accumulator(f));
        // Moved onto the stack, so a dict accumulator is updated in place.
        joy::Value next;
        if (!run_role(f, role, state->acc, argv, argc, next))
            fail(std::string("the ") + ROLE_NAMES[role] + " program left no accumulator");
        *state->acc = std::move(next);
    } catch (...) {
        state->failed = true;
        result_error(ctx, f);
    }
}

void step_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) { update(ctx, argc, argv, STEP); }
void inverse_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) { update(ctx, argc, argv, INVERSE); }

void result_final(sqlite3_context* ctx, UserFunction& f, joy::Value acc) {
    joy::Value result;
    if (run_role(f, FINAL, &acc, nullptr, 0, result)) {
        joy::MemoryLimitScope limit(f.connection().limits);  // making the text of a large value
        result_value(ctx, result);
    }
    else
        sqlite3_result_null(ctx);
}

void final_fn(sqlite3_context* ctx) {
    UserFunction& f = function_of(ctx);
    AggregateState* state = state_of(ctx, false);
    std::unique_ptr<joy::Value> acc(state ? state->acc : nullptr);
    if (state) state->acc = nullptr;
    if (state && state->failed) return;
    try {
        result_final(ctx, f, acc ? std::move(*acc) : starting_accumulator(f));
    } catch (...) {
        result_error(ctx, f);
    }
}

// A window's current value: final applied to a copy of the accumulator.
void value_fn(sqlite3_context* ctx) {
    UserFunction& f = function_of(ctx);
    AggregateState* state = state_of(ctx, false);
    if (state && state->failed) return;
    try {
        result_final(ctx, f, state && state->acc ? *state->acc : starting_accumulator(f));
    } catch (...) {
        result_error(ctx, f);
    }
}

int register_with_sqlite(sqlite3* db, UserFunction* f) {
    const Definition& d = f->def;
    int flags = SQLITE_UTF8 | SQLITE_SUBTYPE |
                (d.effects ? SQLITE_DIRECTONLY : SQLITE_INNOCUOUS | SQLITE_DETERMINISTIC);
    switch (d.kind) {
    case Kind::SCALAR:
        return sqlite3_create_function_v2(db, d.name.c_str(), d.n_args, flags, f, scalar_fn, nullptr, nullptr,
                                          destroy_function);
    case Kind::AGGREGATE:
        return sqlite3_create_function_v2(db, d.name.c_str(), d.n_args, flags, f, nullptr, step_fn, final_fn,
                                          destroy_function);
    case Kind::WINDOW:
        return sqlite3_create_window_function(db, d.name.c_str(), d.n_args, flags, f, step_fn, final_fn, value_fn,
                                              inverse_fn, destroy_function);
    }
    return SQLITE_MISUSE;
}

// ---- Registry ----

void Registry::release(void* self) {
    auto* r = static_cast<Registry*>(self);
    if (--r->refs_ > 0) return;
    if (SqliteStore* store = r->conn_->store()) store->set_transaction_listener({});
    JoyConnection::release(r->conn_);
    delete r;
}

void Registry::remember(UserFunction* f, bool made) {
    Undo u{f, made, f->def, {}, f->bound, f->gone};
    for (int r = 0; r < ROLES; ++r) u.compiled[r] = f->compiled[r];
    undo_.push_back(std::move(u));
}

void Registry::transaction_ended(void* self, bool committed) {
    auto* r = static_cast<Registry*>(self);
    if (!committed)
        for (auto u = r->undo_.rbegin(); u != r->undo_.rend(); ++u) {
            UserFunction* f = u->f;
            if (u->made) {
                f->gone = "the transaction that made the function was rolled back";
                continue;
            }
            f->def = u->def;
            f->bound = u->bound;
            for (int k = 0; k < ROLES; ++k) f->compiled[k] = u->compiled[k];
            f->gone = u->gone;
        }
    r->undo_.clear();
}

void Registry::forget(UserFunction* f) {
    undo_.erase(std::remove_if(undo_.begin(), undo_.end(), [f](const Undo& u) { return u.f == f; }), undo_.end());
    auto it = by_name_.find(lower(f->def.name));
    if (it == by_name_.end()) return;
    std::vector<UserFunction*>& fs = it->second;
    for (size_t k = 0; k < fs.size(); ++k)
        if (fs[k] == f) {
            fs.erase(fs.begin() + long(k));
            break;
        }
    if (fs.empty()) by_name_.erase(it);
}

// `compiled`: the programs by role, their words bound in `bound`, or null
// to compile them on first use.
void Registry::install(const Definition& def, const std::shared_ptr<const Program>* compiled,
                       const std::map<std::string, joy::Sym*>& bound) {
    std::string key = lower(def.name);
    UserFunction* same = nullptr;
    for (UserFunction* f : by_name_[key])
        if (f->def.n_args == def.n_args) same = f;
    if (same && same->def.kind == def.kind && same->def.effects == def.effects) {
        remember(same, false);
        same->def = def;
        same->bound = bound;
        for (int r = 0; r < ROLES; ++r) same->compiled[r] = compiled ? compiled[r] : nullptr;
        same->gone.clear();
    } else {
        auto* f = new UserFunction(this, def);
        f->bound = bound;
        for (int r = 0; r < ROLES && compiled; ++r) f->compiled[r] = compiled[r];
        by_name_[key].push_back(f);
        if (register_with_sqlite(db_, f) != SQLITE_OK) {  // SQLite has deleted f
            std::string why = sqlite3_errmsg(db_);
            if (same)
                why += " (" + def.name + " is registered on this connection as another kind of function; " +
                       "create it on a new connection, or under another name)";
            fail("cannot register " + def.name + ": " + why);
        }
        remember(f, true);
    }
    for (UserFunction* f : by_name_[key])
        if (f->def.n_args != def.n_args && f->gone.empty()) {
            remember(f, false);
            f->gone = "the function now takes " + std::to_string(def.n_args) + " argument(s)";
        }
}

void Registry::save(const Definition& def) {
    joy::Value programs = joy::Value::adopt_dict(joy::Dict::create());
    for (int r = 0; r < ROLES; ++r)
        if (uses(def.kind, Role(r)))
            programs.u.dict->put(joy::make_string(ROLE_NAMES[r]), joy::make_string(def.text[r]));
    if (!def.effects) {
        joy::Value words = joy::Value::adopt_dict(joy::Dict::create());
        for (auto& [name, body] : def.words) words.u.dict->put(joy::make_string(name), joy::make_string(body));
        programs.u.dict->put(joy::make_string("words"), std::move(words));
    }
    std::string json = joy::json_write(programs);
    int rc;
    {
        Statement st;
        if (st.prepare(db_,
                       "INSERT OR REPLACE INTO main.joy_functions(name, kind, n_args, programs, flags, created_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, CAST(strftime('%s', 'now') AS INTEGER))") != SQLITE_OK)
            fail(std::string("cannot save the function: ") + sqlite3_errmsg(db_));
        sqlite3_stmt* ins = st.get();
        sqlite3_bind_text(ins, 1, def.name.data(), int(def.name.size()), SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, KIND_NAMES[int(def.kind)], -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 3, def.n_args);
        sqlite3_bind_text(ins, 4, json.data(), int(json.size()), SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, def.effects ? "effects" : "pure", -1, SQLITE_STATIC);
        rc = sqlite3_step(ins);
    }
    if (rc != SQLITE_DONE) fail(std::string("cannot save the function: ") + sqlite3_errmsg(db_));
}

void Registry::create(Definition def) {
    // Compiling reads stored words; whatever happens, no statement is left
    // prepared (the host could not close the connection).
    struct Release {
        JoyConnection& conn;
        ~Release() { conn.release_idle_statements(); }
    } release{*conn_};
    std::string key = lower(def.name);
    if (is_reserved(key))
        fail(def.name + (key == "regexp" || key == "match" ? " is called by an SQL operator" : " is a name of the Joy extension"));
    if (sql_function_names(db_, true).count(key)) fail(def.name + " is a built-in SQL function");
    if (!by_name_.count(key) && by_name_.size() >= MAX_FUNCTIONS)
        fail("a database holds at most " + std::to_string(MAX_FUNCTIONS) + " Joy functions");
    std::shared_ptr<const Program> compiled[ROLES];
    std::map<std::string, joy::Sym*> bound;
    for (int r = 0; r < ROLES; ++r)
        if (uses(def.kind, Role(r))) {
            try {
                compiled[r] = compile_role(*conn_, def, Role(r), bound);
            } catch (const joy::JoyError& e) {
                throw joy::JoyError(def.name + ": " + e.what());
            }
        }
    bool same = same_as_registered(def);
    conn_->store_call([&](SqliteStore& store) {  // (statements read while compiling are released at its end)
        if (!same) refuse_while_used(def.name, "made again with another program");
        store.ensure_schema();
        save(def);
        install(def, compiled, bound);
    });
}

// Whether `def` is exactly a function of that name and arity in use
// (programs, effects, captured words): making it again changes nothing.
// (Any other making under the name, with another arity too, replaces the
// one row of joy_functions that other connections read.)
bool Registry::same_as_registered(const Definition& def) {
    auto it = by_name_.find(lower(def.name));
    if (it == by_name_.end()) return false;
    for (UserFunction* f : it->second)
        if (f->gone.empty() && f->def.n_args == def.n_args)
            return f->def.kind == def.kind && f->def.effects == def.effects &&
                   std::equal(std::begin(def.text), std::end(def.text), std::begin(f->def.text)) &&
                   f->def.words == def.words;
    return false;
}

// What an index, a generated column, a view or a CHECK computed with a
// function must stay what the function computes: it is not made again
// differently, nor dropped, while the schema of a database calls it.
void Registry::refuse_while_used(const std::string& name, const char* change) {
    std::string user = schema_object_calling(db_, name, false);
    if (!user.empty())
        fail(name + " cannot be " + change + " while " + user + " calls it (what it computed would no longer hold); "
             "drop that first");
}

void Registry::drop(std::string_view name) {
    conn_->store_call([&](SqliteStore& store) {
        refuse_while_used(std::string(name), "dropped");
        bool saved = false;
        if (table_exists(db_, "joy_functions")) {
            store.ensure_schema();
            int rc;
            {
                Statement st;
                if (st.prepare(db_, "DELETE FROM main.joy_functions WHERE name = ?1") != SQLITE_OK)
                    fail(std::string("cannot drop the function: ") + sqlite3_errmsg(db_));
                sqlite3_bind_text(st.get(), 1, name.data(), int(name.size()), SQLITE_STATIC);
                rc = sqlite3_step(st.get());
            }
            if (rc != SQLITE_DONE) fail(std::string("cannot drop the function: ") + sqlite3_errmsg(db_));
            saved = sqlite3_changes(db_) > 0;
        }
        bool registered = false;
        auto it = by_name_.find(lower(name));
        if (it != by_name_.end())
            for (UserFunction* f : it->second)
                if (f->gone.empty()) {
                    remember(f, false);
                    f->gone = "the function was dropped (joy_drop_function)";
                    registered = true;
                }
        if (!saved && !registered) fail("no function " + std::string(name) + " was made with joy_create_function");
    });
}

// A row of joy_functions as a definition; false for a row this version
// cannot use (made by hand or by a newer version).
bool read_definition(sqlite3_stmt* row, Definition& def) {
    auto text = [&](int col) {
        const char* p = reinterpret_cast<const char*>(sqlite3_column_text(row, col));
        return std::string(p ? p : "", size_t(sqlite3_column_bytes(row, col)));
    };
    def.name = text(0);
    std::string kind = text(1), programs = text(3), flags = text(4);
    const int kinds = int(std::size(KIND_NAMES));
    int k = 0;
    while (k < kinds && kind != KIND_NAMES[k]) ++k;
    if (k == kinds || !is_identifier(def.name) || is_reserved(lower(def.name))) return false;
    def.kind = Kind(k);
    if (sqlite3_column_type(row, 2) != SQLITE_INTEGER) return false;
    int64_t n_args = sqlite3_column_int64(row, 2);
    if (n_args < -1 || n_args > 127) return false;
    def.n_args = int(n_args);
    if (flags != "pure" && flags != "effects") return false;
    def.effects = flags == "effects";
    if (def.effects && def.kind != Kind::SCALAR) return false;
    try {
        joy::Value parsed = joy::json_parse(programs);
        if (parsed.tag != joy::T_DICT) return false;
        for (int r = 0; r < ROLES; ++r) {
            if (!uses(def.kind, Role(r))) continue;
            const joy::Value* v = parsed.u.dict->get(ROLE_NAMES[r]);
            if (!v || v->tag != joy::T_STRING) return false;
            def.text[r] = std::string(v->u.str->view());
        }
        if (const joy::Value* words = parsed.u.dict->get("words")) {
            if (words->tag != joy::T_DICT || def.effects) return false;
            bool strings = true;
            words->u.dict->each([&](const joy::Value& name, const joy::Value& body) {
                if (body.tag != joy::T_STRING) strings = false;
                else def.words.emplace(std::string(name.u.str->view()), std::string(body.u.str->view()));
            });
            if (!strings) return false;
        }
        // A pure row without words (made by hand, or by a version before
        // words were captured) captures none: were they captured by each
        // connection from its definitions, two connections could compute
        // two values for one index.
        def.has_words = !def.effects;
    } catch (const joy::JoyError&) {
        return false;
    }
    return true;
}

// Rows that cannot be used, or that name a function the connection already
// has (SQLite's own, or the host's), are left out: a database does not
// replace the functions of the program that opens it.
// SQLite looks functions up in a hash of a few buckets, so registering
// each costs in proportion to those there already: a file of 300,000 rows
// took minutes to load. One holds at most MAX_FUNCTIONS (the first by name).
int Registry::load_saved() {
    if (!table_exists(db_, "joy_functions")) return SQLITE_OK;
    std::vector<Definition> defs;
    int rc;
    {
        Statement st;
        if (st.prepare(db_, "SELECT name, kind, n_args, programs, flags FROM main.joy_functions ORDER BY name LIMIT " +
                                std::to_string(MAX_FUNCTIONS)) != SQLITE_OK)
            return SQLITE_OK;  // a table of another shape under this name: not ours
        while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
            Definition def;
            if (read_definition(st.get(), def)) defs.push_back(std::move(def));
        }
    }
    if (rc != SQLITE_DONE) return rc;
    std::unordered_set<std::string> taken = sql_function_names(db_, false);
    for (const Definition& def : defs) {
        if (taken.count(lower(def.name))) continue;
        try {
            install(def, nullptr, {});
        } catch (const joy::JoyError&) {
            return sqlite3_errcode(db_) != SQLITE_OK ? sqlite3_errcode(db_) : SQLITE_ERROR;
        }
    }
    return SQLITE_OK;
}

// ---- the management functions ----

Registry& registry_of(sqlite3_context* ctx) { return *static_cast<Registry*>(sqlite3_user_data(ctx)); }

std::string text_of(sqlite3_value* v) {
    const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
    return std::string(p ? p : "", size_t(sqlite3_value_bytes(v)));
}

std::string text_arg(sqlite3_value* v, const std::string& what, const char* fn) {
    if (sqlite3_value_type(v) != SQLITE_TEXT) fail(what + " (TEXT) needed for " + fn);
    return text_of(v);
}

// The common arguments: name and number of arguments.
Definition definition_args(sqlite3_context* ctx, sqlite3_value** argv, const char* fn) {
    Definition def;
    def.name = text_arg(argv[0], "a name", fn);
    if (!is_identifier(def.name))
        fail("a name (letters, digits, _) needed for " + std::string(fn) + ", not \"" + def.name + "\"");
    int max_args = sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_FUNCTION_ARG, -1);
    if (sqlite3_value_type(argv[1]) != SQLITE_INTEGER || sqlite3_value_int64(argv[1]) < -1 ||
        sqlite3_value_int64(argv[1]) > max_args)
        fail("the number of arguments (-1 to " + std::to_string(max_args) + ") needed for " + fn);
    def.n_args = int(sqlite3_value_int64(argv[1]));
    return def;
}

void joy_create_function_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    if (refused_in_schema(ctx, "joy_create_function")) return;
    try {
        if (argc != 3 && argc != 4)
            fail("joy_create_function takes (name, n_args, program [, 'effects'])");
        Definition def = definition_args(ctx, argv, "joy_create_function");
        def.text[PROGRAM] = text_arg(argv[2], "a program", "joy_create_function");
        if (argc == 4) {
            std::string purity = sqlite3_value_type(argv[3]) == SQLITE_TEXT ? text_of(argv[3]) : "";
            if (purity != "effects" && purity != "pure")
                fail("'effects' or 'pure' needed as the fourth argument of joy_create_function");
            def.effects = purity == "effects";
        }
        registry_of(ctx).create(def);
        sqlite3_result_text(ctx, def.name.data(), int(def.name.size()), SQLITE_TRANSIENT);
    } catch (...) {
        result_current_error(ctx);
    }
}

void joy_create_aggregate_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    if (refused_in_schema(ctx, "joy_create_aggregate")) return;
    try {
        if (argc != 5 && argc != 6)
            fail("joy_create_aggregate takes (name, n_args, init, step, final [, inverse])");
        Definition def = definition_args(ctx, argv, "joy_create_aggregate");
        def.kind = argc == 6 && sqlite3_value_type(argv[5]) != SQLITE_NULL ? Kind::WINDOW : Kind::AGGREGATE;
        for (Role r : {INIT, STEP, FINAL, INVERSE})  // argv[2] .. argv[5], in Role order
            if (uses(def.kind, r))
                def.text[r] = text_arg(argv[r + 1], std::string("the ") + ROLE_NAMES[r] + " program",
                                       "joy_create_aggregate");
        registry_of(ctx).create(def);
        sqlite3_result_text(ctx, def.name.data(), int(def.name.size()), SQLITE_TRANSIENT);
    } catch (...) {
        result_current_error(ctx);
    }
}

void joy_drop_function_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
    if (refused_in_schema(ctx, "joy_drop_function")) return;
    try {
        std::string name = text_arg(argv[0], "a name", "joy_drop_function");
        registry_of(ctx).drop(name);
        sqlite3_result_value(ctx, argv[0]);
    } catch (...) {
        result_current_error(ctx);
    }
}

struct FunctionSpec {
    const char* name;
    int n_args;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
};

const FunctionSpec functions[] = {
    {"joy_create_function", -1, joy_create_function_fn},
    {"joy_create_aggregate", -1, joy_create_aggregate_fn},
    {"joy_drop_function", 1, joy_drop_function_fn},
};

}  // namespace

int register_user_functions(sqlite3* db, JoyConnection* conn) {
    auto* registry = new (std::nothrow) Registry(db, conn);
    if (!registry) return SQLITE_NOMEM;
    registry->retain();  // held while registering
    int rc = SQLITE_OK;
    for (const FunctionSpec& f : functions) {
        registry->retain();  // released by SQLite, also if registration fails
        rc = sqlite3_create_function_v2(db, f.name, f.n_args, SQLITE_UTF8 | SQLITE_DIRECTONLY, registry, f.fn,
                                        nullptr, nullptr, Registry::release);
        if (rc != SQLITE_OK) break;
    }
    if (rc == SQLITE_OK) rc = registry->load_saved();
    Registry::release(registry);
    return rc;
}

}  // namespace joyext
