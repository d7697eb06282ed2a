// context.cpp - per-connection interpreter, program cache and the run of
// one call (see context.h).
#include "context.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <new>
#include <mutex>
#include <set>
#include <unordered_set>

#include "../joycore/printer.h"
#include "../joycore/utf8.h"
#include "sqlite_collections.h"
#include "sqlvalue.h"
SQLITE_EXTENSION_INIT3

namespace joyext {

namespace {
// The cache keeps at most this many programs and this much program text.
constexpr size_t CACHE_PROGRAMS = 256;
constexpr size_t CACHE_TEXT_BYTES = 8u << 20;
}  // namespace

void CaptureHost::write_out(std::string_view s) {
    if (!keep) return;
    if (captured.size() + s.size() > max_bytes)
        throw joy::JoyError("run time error: output exceeds SQLite's maximum text length (" +
                            std::to_string(max_bytes) + " bytes)");
    // The output counts against the run's memory limit like its values do.
    const joy::Pool& pool = joy::tl_pool;
    if (int64_t(captured.size() + s.size()) > pool.limit - pool.bytes)
        throw joy::JoyError("run time error: memory limit exceeded (output of joy_run)");
    captured.append(s);
}

bool InterruptProbe::interrupted() {
#if SQLITE_VERSION_NUMBER >= 3041000
    return sqlite3_is_interrupted(db_);
#else
    if (!probe_.get()) {
        int rc = probe_.prepare(db_, "SELECT 1");
        if (rc != SQLITE_OK) return rc == SQLITE_INTERRUPT;
    }
    StatementUse use(probe_.get());
    return sqlite3_step(probe_.get()) == SQLITE_INTERRUPT;
#endif
}

// ---- compiled programs ----

std::shared_ptr<const Program> ProgramCache::get(std::string_view text) {
    auto hit = index_.find(text);
    if (hit == index_.end()) return nullptr;
    lru_.splice(lru_.end(), lru_, hit->second);
    return hit->second->second;
}

void ProgramCache::put(std::string_view text, std::shared_ptr<const Program> prog) {
    if (text.size() > CACHE_TEXT_BYTES / 4) return;
    text_bytes_ += text.size();
    while (!lru_.empty() && (lru_.size() >= CACHE_PROGRAMS || text_bytes_ > CACHE_TEXT_BYTES)) {
        text_bytes_ -= lru_.front().first.size();
        index_.erase(lru_.front().first);
        lru_.pop_front();
    }
    lru_.emplace_back(std::string(text), std::move(prog));
    auto last = std::prev(lru_.end());
    index_.emplace(last->first, last);
}

void ProgramCache::clear() {
    index_.clear();
    lru_.clear();
    text_bytes_ = 0;
}

namespace {
std::shared_ptr<Program> parse_program(joy::Interp& I, std::string_view text) {
    auto prog = std::make_shared<Program>();
    joy::Parser parser(I, std::string(text));
    size_t line = 1, line_start = 0, counted = 0;
    for (;;) {
        joy::Item item = parser.next();
        if (item.kind == joy::Item::END) break;
        for (; counted < item.offset && counted < text.size(); ++counted)
            if (text[counted] == '\n') ++line, line_start = counted + 1;
        prog->positions.emplace_back(line, item.offset - line_start + 1);
        prog->items.push_back(std::move(item));
    }
    return prog;
}

// `terms` with every symbol found in `bound` replaced by its binding, in
// nested quotations too (walked with an explicit stack: a stored body may
// nest to any depth).
joy::Value rebind(const joy::Value& terms, const std::map<joy::Sym*, joy::Sym*>& bound) {
    auto atom = [&](const joy::Value& x) {
        if (x.tag == joy::T_USRDEF) {
            auto it = bound.find(x.u.sym);
            if (it != bound.end()) return joy::Value::usrdef(it->second);
        }
        return x;
    };
    if (terms.tag != joy::T_LIST) return atom(terms);
    struct Open {
        joy::Cell* at;
        joy::ListBuilder out;
    };
    std::vector<Open> stack;
    stack.push_back({terms.u.list, {}});
    for (;;) {
        Open& f = stack.back();
        if (!f.at) {
            joy::Value done = f.out.take();
            stack.pop_back();
            if (stack.empty()) return done;
            stack.back().out.push(std::move(done));
            continue;
        }
        const joy::Value& x = joy::head(f.at);
        f.at = joy::tail(f.at);
        if (x.tag == joy::T_LIST) stack.push_back({x.u.list, {}});
        else f.out.push(atom(x));
    }
}

// The Joy text of the terms of `list`, user words written under their
// keys (floats exact).
std::string text_with_keys(const joy::Value& list, const std::map<joy::Sym*, std::string>& keys) {
    joy::check_text_fits(list);  // shared parts are written each time they occur
    std::string out;
    std::vector<joy::Cell*> open{list.u.list};  // the rest of each open list
    bool first = true;
    while (!open.empty()) {
        joy::Cell*& at = open.back();
        if (!at) {
            open.pop_back();
            if (!open.empty()) out += ']';
            first = false;
            continue;
        }
        const joy::Value& x = joy::head(at);
        at = joy::tail(at);
        if (!first) out += ' ';
        first = false;
        auto key = x.tag == joy::T_USRDEF ? keys.find(x.u.sym) : keys.end();
        if (key != keys.end()) {
            out += key->second;
        } else if (x.tag == joy::T_LIST) {
            out += '[';
            first = true;
            open.push_back(x.u.list);
        } else {
            joy::print_value(out, x, true);
        }
    }
    return out;
}

// The user words `terms` names, in nested quotations too; a list shared
// by several places is walked once.
void words_named(const joy::Value& terms, std::vector<joy::Sym*>& out) {
    std::vector<const joy::Value*> todo{&terms};
    std::unordered_set<joy::Cell*> walked;
    while (!todo.empty()) {
        const joy::Value* v = todo.back();
        todo.pop_back();
        if (v->tag == joy::T_USRDEF) out.push_back(v->u.sym);
        if (v->tag != joy::T_LIST) continue;
        for (joy::Cell* c = v->u.list; c && walked.insert(c).second; c = joy::tail(c)) todo.push_back(&joy::head(c));
    }
}
}  // namespace

std::shared_ptr<const Program> JoyConnection::compile(std::string_view text, Mode mode) {
    ProgramCache& cache = mode == Mode::PURE ? pure_cache_ : cache_;
    if (auto hit = cache.get(text)) return hit;
    std::shared_ptr<const Program> prog = parse_program(interp(mode), text);
    cache.put(text, prog);
    return prog;
}

CapturedWords JoyConnection::capture_words(const std::vector<std::string>& texts) {
    joy::MemoryLimitScope limit(limits);
    std::vector<joy::Sym*> todo;
    std::set<std::string> own;  // defined by the texts themselves
    for (const std::string& text : texts) {
        std::shared_ptr<Program> prog;
        try {
            prog = parse_program(*interp_, text);
        } catch (const joy::JoyError&) {
            continue;  // compiling it reports the error
        }
        for (const joy::Item& item : prog->items) {
            words_named(item.terms, todo);
            for (auto& [sym, body] : item.defs) {
                own.insert(sym->name);
                words_named(body, todo);
            }
        }
    }
    host_.sync(*interp_);
    // Every defined word reached, once; the texts name only public ones.
    std::vector<joy::Sym*> reached;
    std::set<joy::Sym*> seen;
    while (!todo.empty()) {
        joy::Sym* s = todo.back();
        todo.pop_back();
        if (s->builtin || seen.count(s) || (!s->hidden && own.count(s->name))) continue;
        seen.insert(s);
        if (!s->defined && !host_.lookup_definition(*interp_, *s)) continue;
        if (!s->defined) continue;
        reached.push_back(s);
        words_named(s->body, todo);
    }
    // A word private to a HIDE or MODULE block may share its name with a
    // public one: it is kept under a name of its own (name~1, ...).
    std::map<joy::Sym*, std::string> keys;
    std::set<std::string> taken;
    for (joy::Sym* s : reached)
        if (!s->hidden) keys[s] = s->name, taken.insert(s->name);
    for (joy::Sym* s : reached) {
        if (!s->hidden) continue;
        std::string key;
        for (int n = 1; taken.count(key = s->name + "~" + std::to_string(n)); ++n) {
        }
        keys[s] = key;
        taken.insert(key);
    }
    CapturedWords words;
    for (joy::Sym* s : reached) words.emplace(keys[s], text_with_keys(s->body, keys));
    return words;
}

std::shared_ptr<const Program> JoyConnection::compile_sealed(std::string_view text, const CapturedWords& words,
                                                             std::map<std::string, joy::Sym*>& bound) {
    joy::Interp& P = *pure_;
    joy::MemoryLimitScope limit(limits);
    std::map<joy::Sym*, joy::Sym*> binding;
    std::vector<std::pair<joy::Sym*, joy::Value>> bodies;
    for (auto& [name, body] : words) {
        joy::Sym*& own = bound[name];
        bool fresh = !own;
        if (fresh) own = P.new_private_symbol(name);
        binding[P.intern(name)] = own;
        if (!fresh) continue;
        std::shared_ptr<Program> parsed = parse_program(P, body);
        bodies.emplace_back(own, parsed->items.empty() ? joy::Value::empty_list() : parsed->items.front().terms);
    }
    for (auto& [sym, body] : bodies) {
        sym->body = rebind(body, binding);
        sym->defined = true;
    }
    auto prog = parse_program(P, text);
    for (joy::Item& item : prog->items) {
        item.terms = rebind(item.terms, binding);
        for (auto& def : item.defs) def.second = rebind(def.second, binding);
    }
    return prog;
}

// ---- the connection ----

namespace {
std::mutex loaded_mutex;
std::unordered_set<sqlite3*>& loaded() {
    static std::unordered_set<sqlite3*> dbs;
    return dbs;
}
}  // namespace

bool JoyConnection::loaded_on(sqlite3* db) {
    std::lock_guard<std::mutex> lock(loaded_mutex);
    return loaded().count(db) != 0;
}

JoyConnection::JoyConnection(sqlite3* db)
    : db_(db), interp_(std::make_unique<joy::Interp>(&host_)), pure_(std::make_unique<joy::Interp>(&pure_host_)) {
    {
        std::lock_guard<std::mutex> lock(loaded_mutex);
        loaded().insert(db);
    }
    host_.probe = &probe_;
    pure_host_.probe = &probe_;
    interp_->autoput = 1;
    host_.set_store(std::make_unique<SqliteStore>(db_), interp_.get());
    pure_->caps = 0;
    pure_->input = nullptr;
    pure_settings_ = pure_->settings();
}

namespace {
std::atomic<uint64_t> closed_count{0};
}

uint64_t JoyConnection::connections_closed() { return closed_count.load(std::memory_order_relaxed); }

JoyConnection::~JoyConnection() {
    {
        std::lock_guard<std::mutex> lock(loaded_mutex);
        loaded().erase(db_);
    }
    closed_count.fetch_add(1, std::memory_order_relaxed);
    cache_.clear();
    pure_cache_.clear();
    journal_.clear();
    interp_.reset();
    pure_.reset();
    host_.set_store(nullptr, nullptr);
}

void JoyConnection::release(void* self) {
    auto* c = static_cast<JoyConnection*>(self);
    if (--c->refs_ == 0) delete c;
}

inline void JoyConnection::begin(Mode mode) {
    if (mode == Mode::PURE) {
        joy::Interp& P = *pure_;
        P.set_limits(limits);
        P.journal = &journal_;
        pure_symbols_ = P.symbol_count();
        return;
    }
    joy::Interp& I = *interp_;
    if (mode == Mode::RUN) {
        host_.keep = true;
        host_.max_bytes = size_t(sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, -1));
    }
    I.caps = uint32_t(joy::CAP_OUTPUT | joy::CAP_NONDET | joy::CAP_STORE) | (files_enabled ? uint32_t(joy::CAP_FILES) : 0u);
    I.input = nullptr;  // `get` has no source text to read from inside SQL
    I.set_limits(limits);
    I.journal = &journal_;
    settings_before_ = I.settings();
    host_.check_before_use(I);
    host_.sqlite_store()->begin_call(false);
    call_open_ = true;
}

// (A call that ran to its end has no frame, include or spilled value left,
// and has ended the store's part.)
inline bool JoyConnection::ended_quietly(joy::Interp& I, Mode mode, bool values_end) {
    if (!journal_.empty() || I.stk.capacity() > KEEP_STACK || I.fr.capacity() > KEEP_FRAMES || probe_.prepared())
        return false;
    if (mode == Mode::PURE) return I.settings() == pure_settings_ && !(values_end && I.symbol_count() != pure_symbols_);
    return mode == Mode::EVAL && host_.sqlite_store()->keeps_no_statement();
}

inline __attribute__((always_inline)) void JoyConnection::run_items(joy::Interp& I, const Program& prog, joy::Value* below, sqlite3_value** argv, int argc,
                              Mode mode) {
    if (below) I.push(std::move(*below));
    for (int k = 0; k < argc; ++k) {
        int type = sqlite3_value_type(argv[k]);
        if (type == SQLITE_INTEGER) {
            I.push(joy::Value::integer(sqlite3_value_int64(argv[k])));
        } else {
            joy::MemoryLimitScope limit(I);  // a JSON argument may be large
            I.push(from_sql_of_type(argv[k], type));
        }
    }
    if (prog.items.size() == 1 && prog.items[0].kind == joy::Item::STATEMENT && mode != Mode::RUN) {
        I.run(prog.items[0].terms);  // most programs given to SQL: one statement, nothing printed
        if (!I.includes.empty()) joy::run_includes(I);
        return;
    }
    run_listed_items(I, prog, mode);
}

void JoyConnection::call(const Program& prog, joy::Value* below, sqlite3_value** argv, int argc, Mode mode,
                         bool values_end, StatementMemo* statement, TakeFn take, void* take_arg) {
    if (busy_) refuse_nested();
    busy_ = true;
    joy::Interp& I = interp(mode);
    try {
        begin(mode);
        host_.statement = statement;
        if (mode == Mode::PURE) {
            run_items(I, prog, below, argv, argc, mode);  // never touches the store
        } else {
            try {
                run_items(I, prog, below, argv, argc, mode);
            } catch (...) {
                run_again_or_rethrow(prog, below, argv, argc, mode);
            }
        }
        take(take_arg, I);
        if (call_open_) {
            call_open_ = false;
            host_.sqlite_store()->end_call(true);
        }
    } catch (...) {
        host_.statement = nullptr;
        finish(mode, false, values_end);
        throw;
    }
    host_.statement = nullptr;
    I.stk.clear();
    I.journal = nullptr;
    if (ended_quietly(I, mode, values_end)) busy_ = false;
    else finish(mode, true, values_end);
}

// A call that lost a write conflict (SqliteStore::begin_call) changed
// nothing: its writes are rolled back and its output is still in
// host_.captured. It runs again, taking the write lock first, unless its
// arguments are gone (an aggregate's accumulator was moved onto the stack)
// or it may have written files, which no rollback undoes.
void JoyConnection::run_again_or_rethrow(const Program& prog, joy::Value* below, sqlite3_value** argv, int argc,
                                         Mode mode) {
    SqliteStore* store = host_.sqlite_store();
    call_open_ = false;
    store->end_call(false);
    if (below || files_enabled || !store->write_conflict()) throw;
    prepare_to_run_again();
    store->begin_call(true);
    call_open_ = true;
    run_items(*interp_, prog, below, argv, argc, mode);
}

void JoyConnection::prepare_to_run_again() {
    joy::Interp& I = *interp_;
    I.includes.clear();
    I.stk.clear();
    I.spill_stack.clear();
    I.guard = 0;
    I.undo(journal_);
    I.restore(settings_before_);
    host_.captured.clear();
    host_.sync(I);
}

void JoyConnection::run_listed_items(joy::Interp& I, const Program& prog, Mode mode) {
    for (size_t k = 0; k < prog.items.size(); ++k) {
        const joy::Item& item = prog.items[k];
        if (item.kind == joy::Item::DEFINITIONS) {
            for (auto& [sym, body] : item.defs) I.define(sym, body);
            continue;
        }
        if (item.kind != joy::Item::STATEMENT) continue;
        try {
            I.run(item.terms);
            if (!I.includes.empty()) joy::run_includes(I);  // read after the statement, as Joy1
        } catch (const joy::JoyAbort&) {
            throw;
        } catch (const joy::JoyError& e) {
            if (prog.items.size() < 2 || k >= prog.positions.size()) throw;
            auto [line, column] = prog.positions[k];
            throw joy::JoyError(std::string(e.what()) + " (in the statement at line " + std::to_string(line) +
                                ", column " + std::to_string(column) + ")");
        }
        if (mode == Mode::RUN && item.ended_with_period && I.autoput && !I.stk.empty()) {
            joy::MemoryLimitScope limit(I);
            std::string line;
            joy::print_value(line, I.stk.back());
            line += '\n';
            I.stk.pop_back();
            I.out(line);
        }
    }
}

template <class F>
void JoyConnection::as_call(F work) {
    if (busy_) refuse_nested();
    joy::Interp& I = *interp_;
    busy_ = true;
    bool ok = false;
    struct Finish { JoyConnection& c; bool& ok; ~Finish() { c.finish(Mode::EVAL, ok); } } finish_after{*this, ok};
    I.caps = joy::CAP_STORE;
    I.journal = &journal_;
    I.set_limits(limits);
    I.begin_counting();
    settings_before_ = I.settings();
    host_.check_before_use(I);
    SqliteStore* store = host_.sqlite_store();
    for (bool immediate = false;; immediate = true) {
        store->begin_call(immediate);
        try {
            work(I);
            break;
        } catch (...) {
            store->end_call(false);
            if (immediate || files_enabled || !store->write_conflict()) throw;
        }
        prepare_to_run_again();
    }
    store->end_call(true);
    ok = true;
}

void JoyConnection::define(std::string_view name, std::string_view body) {
    as_call([&](joy::Interp& I) {
        joy::Parser check(I, std::string(name));
        joy::Item named = check.next();
        bool plain = named.kind == joy::Item::STATEMENT && named.terms.u.list && !joy::tail(named.terms.u.list) &&
                     joy::head(named.terms.u.list).tag == joy::T_USRDEF && check.at_end();
        if (!plain) throw joy::JoyError("run time error: a word name needed for joy_define, not \"" + std::string(name) + "\"");
        joy::Sym* sym = joy::head(named.terms.u.list).u.sym;
        joy::Parser p(I, std::string(body));
        joy::Item item = p.next();
        if (item.kind == joy::Item::END) item.terms = joy::Value::empty_list();
        else if (item.kind != joy::Item::STATEMENT || !p.at_end())
            throw joy::JoyError("run time error: a single term needed as the body for joy_define");
        I.define(sym, std::move(item.terms));
    });
}

void JoyConnection::undefine(std::string_view name) {
    as_call([&](joy::Interp& I) {
        joy::Sym* sym = I.intern(name);
        if (sym->builtin && !sym->defined) throw joy::JoyError("run time error: " + std::string(name) + " is a builtin");
        I.undefine(sym);
        host_.sqlite_store()->drop_definition(name);
    });
}

void JoyConnection::store_call(const std::function<void(SqliteStore&)>& work) {
    as_call([&](joy::Interp&) { work(*host_.sqlite_store()); });
}

int64_t JoyConnection::collect_garbage() {
    int64_t freed = 0;
    as_call([&](joy::Interp&) { freed = host_.sqlite_store()->collect_garbage(); });
    return freed;
}

void JoyConnection::finish(Mode mode, bool ok, bool values_end) {
    joy::Interp& I = interp(mode);
    I.includes.clear();
    I.stk.clear();
    I.spill_stack.clear();
    I.guard = 0;
    if (I.stk.capacity() > KEEP_STACK) I.stk.shrink_to_fit();
    if (I.fr.capacity() > KEEP_FRAMES) I.fr.shrink_to_fit();
    I.journal = nullptr;
    probe_.release();
    if (mode == Mode::PURE) {
        if (!journal_.empty()) I.undo(journal_);
        I.restore(pure_settings_);
        if (values_end) I.forget_symbols_from(pure_symbols_);
    } else {
        if (call_open_) {
            call_open_ = false;
            host_.sqlite_store()->end_call(false);
        }
        if (!ok) {
            if (!journal_.empty()) I.undo(journal_);
            I.restore(settings_before_);
        }
        journal_.clear();
        host_.captured.clear();
        host_.keep = false;
        release_idle_statements();
    }
    busy_ = false;
}

void JoyConnection::release_idle_statements() {
    SqliteStore* store = host_.sqlite_store();
    if (store && !store->in_call()) store->release_idle_statements();
}

void JoyConnection::refuse_nested() {
    throw joy::JoyError("run time error: a Joy SQL function cannot be called while Joy is running "
                        "on the same connection");
}

namespace {
bool identifier_char(char c) { return std::isalnum((unsigned char)c) || c == '_' || c == '$'; }

// Past white space and comments from `k`.
size_t skip_blank(const std::string& sql, size_t k) {
    while (k < sql.size()) {
        if (std::isspace((unsigned char)sql[k])) ++k;
        else if (sql.compare(k, 2, "--") == 0) k = std::min(sql.find('\n', k), sql.size());
        else if (sql.compare(k, 2, "/*") == 0) k = std::min(sql.find("*/", k + 2), sql.size() - 2) + 2;
        else break;
    }
    return k;
}

// Whether `sql` calls `function` (lower case): read as SQL tokens, an
// identifier of that name, bare or quoted, then an opening parenthesis --
// unless it names a table (after TABLE, EXISTS, REFERENCES or a dot).
bool calls_function(const std::string& sql, std::string_view function) {
    std::string previous;  // the previous token, lower case ("." for a dot)
    size_t k = skip_blank(sql, 0);
    while (k < sql.size()) {
        char c = sql[k];
        std::string name;
        if (c == '\'') {  // a string literal ('' inside is a quote)
            for (++k; k < sql.size(); ++k)
                if (sql[k] == '\'' && !(k + 1 < sql.size() && sql[k + 1] == '\'' && ++k)) break;
            k = skip_blank(sql, k + 1);
            previous.clear();
            continue;
        }
        if (c == '"' || c == '`' || c == '[') {
            char close = c == '[' ? ']' : c;
            size_t end = sql.find(close, k + 1);
            if (end == std::string::npos) return false;
            name = sql.substr(k + 1, end - k - 1);
            k = end + 1;
        } else if (identifier_char(c)) {
            size_t end = k;
            while (end < sql.size() && identifier_char(sql[end])) ++end;
            name = sql.substr(k, end - k);
            k = end;
        } else {
            previous = c == '.' ? "." : "";
            k = skip_blank(sql, k + 1);
            continue;
        }
        for (char& ch : name) ch = char(std::tolower((unsigned char)ch));
        k = skip_blank(sql, k);
        bool names_table = previous == "table" || previous == "exists" || previous == "references" || previous == ".";
        if (k < sql.size() && sql[k] == '(' && name == function && !names_table) return true;
        previous = std::move(name);
    }
    return false;
}

// The first table, as "schema.table", whose definition calls `function`.
std::string table_naming(sqlite3* db, std::string_view function) {
    return schema_object_calling(db, function, true);
}
}  // namespace

std::string schema_object_calling(sqlite3* db, std::string_view function, bool tables_only) {
    std::string name(function);
    for (char& c : name) c = char(std::tolower((unsigned char)c));
    std::vector<std::string> schemas;
    Statement list;
    if (list.prepare(db, "SELECT name FROM pragma_database_list") == SQLITE_OK)
        while (sqlite3_step(list.get()) == SQLITE_ROW) schemas.emplace_back(column_text(list.get(), 0));
    std::string found;
    for (const std::string& schema : schemas) {
        Statement objects;
        // (SQLite reads a schema row's type in any case: 'Table' is a table.)
        std::string sql = "SELECT lower(type), name, sql FROM " + quote_identifier(schema) +
                          ".sqlite_schema WHERE instr(lower(sql), ?1)" +
                          (tables_only ? " AND lower(type) = 'table'" : "");
        if (objects.prepare(db, sql) != SQLITE_OK) return schema + " (its schema cannot be read)";
        sqlite3_stmt* st = objects.get();
        sqlite3_bind_text(st, 1, name.data(), int(name.size()), SQLITE_STATIC);
        while (found.empty() && sqlite3_step(st) == SQLITE_ROW) {
            const char* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
            if (text && calls_function(text, name))
                found = (tables_only ? "" : std::string(column_text(st, 0)) + " ") + schema + "." +
                        std::string(column_text(st, 1));
        }
        if (!found.empty()) break;
    }
    return found;
}

namespace {
bool refused_by_schema(sqlite3_context* ctx, std::string_view function);
}

bool refused_in_schema(sqlite3_context* ctx, std::string_view function) noexcept {
    try {
        return refused_by_schema(ctx, function);
    } catch (...) {  // out of memory reading the schema: refuse, with the reason
        result_current_error(ctx);
        return true;
    }
}

bool SchemaGuard::check(sqlite3_context* ctx, std::string_view function, SqlSeal& seal) noexcept {
    try {
        uint64_t epoch = seal.schema_epoch();
        if (seal.authorizer_is_ours() && table_naming(sqlite3_context_db_handle(ctx), function).empty() &&
            seal.schema_epoch() == epoch) {
            clean_at_ = epoch;
            return false;
        }
    } catch (...) {  // out of memory: the check below says so
    }
    return refused_in_schema(ctx, function);
}

namespace {
// Whether `st` checks the database's integrity, which evaluates every
// CHECK constraint of the file without writing (PRAGMA integrity_check,
// quick_check, or their table-valued forms). Asked once per statement.
bool checks_integrity(sqlite3_stmt* st) {
    const char* sql = sqlite3_sql(st);
    std::string text(sql ? sql : "");
    for (char& c : text) c = char(std::tolower((unsigned char)c));
    return text.find("integrity_check") != std::string::npos || text.find("quick_check") != std::string::npos;
}

bool refused_by_schema(sqlite3_context* ctx, std::string_view function) {
    sqlite3* db = sqlite3_context_db_handle(ctx);
    // A CHECK constraint runs in a statement that writes (so inside a
    // write transaction), and in an integrity check, which reads.
    // (An integrity check is looked for whatever the authorizer saw: the
    // host may have replaced the extension's.)
    bool writing = sqlite3_txn_state(db, nullptr) == SQLITE_TXN_WRITE;
    sqlite3_stmt* writer = nullptr;
    for (sqlite3_stmt* st = sqlite3_next_stmt(db, nullptr); st && !writer; st = sqlite3_next_stmt(db, st))
        if (sqlite3_stmt_busy(st) && ((writing && !sqlite3_stmt_readonly(st)) || checks_integrity(st))) writer = st;
    if (!writer) return false;
    // The answer holds while the statement and the schema stay the same. A
    // change of schema (here or in another connection, an ATTACH or DETACH)
    // makes the statement prepare itself again; a statement run many times
    // (executemany) so reads the schema once.
    // (A connection closed and another opened at the same address is told
    // apart by the count of connections closed.)
    struct Checked {
        sqlite3* db = nullptr;
        uint64_t closed = 0;
        sqlite3_stmt* statement = nullptr;
        int prepared = -1, databases = -1;
        std::string sql, function, table;
    };
    thread_local Checked last;
    int prepared = sqlite3_stmt_status(writer, SQLITE_STMTSTATUS_REPREPARE, 0);
    int databases = 0;
    while (sqlite3_db_name(db, databases)) ++databases;
    const char* sql = sqlite3_sql(writer);
    uint64_t closed = JoyConnection::connections_closed();
    if (last.db != db || last.closed != closed || last.statement != writer || last.prepared != prepared ||
        last.databases != databases || last.function != function || last.sql != (sql ? sql : ""))
        last = {db, closed, writer, prepared, databases, sql ? sql : "", std::string(function),
                table_naming(db, function)};
    if (last.table.empty()) return false;
    std::string msg = "joy: unsafe use of " + std::string(function) + "() in the schema of table " + last.table +
                      ": only joy() and pure functions may be called from a schema";
    sqlite3_result_error(ctx, msg.c_str(), int(msg.size()));
    return true;
}
}  // namespace

std::string current_error_message() {
    try {
        throw;
    } catch (const joy::JoyError& e) {
        std::string_view what = e.what();
        return "joy: " + (joy::valid_utf8(what) ? std::string(what) : joy::utf8_escaped(what));
    } catch (const joy::JoyQuit& q) {
        return "joy: the program ended with quit or abort (status " + std::to_string(q.status) + ")";
    } catch (const std::bad_alloc&) {
        return "joy: out of memory";
    } catch (const std::exception& e) {
        return std::string("joy: ") + e.what();
    } catch (...) {
        return "joy: unknown error";
    }
}

}  // namespace joyext
