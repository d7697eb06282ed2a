// interp.h - the Joy evaluator: data stack, continuation frames, symbol
// table, limits, and the host interface through which all effects go.
//
// The evaluator is a trampoline over an explicit vector of frames: a frame
// is either a program being run (a list and a cursor into it) or a
// combinator waiting for its quotation to finish. Nothing recurses on the C
// stack, so recursion depth is bounded only by the frame limit.
//
// Conditions (ifte, while, linrec, filter, nullary ...) run their test on
// the live stack without copying it: a *guard* height marks what the test
// must not change; a builtin that is about to pop below the guard first
// spills the affected values to a side stack, and the test frame puts them
// back when it ends. See need() and spill().
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "value.h"

namespace joy {

class Parser;

// Capabilities a host grants to a run. Effectful builtins check for theirs.
enum Cap : uint32_t {
    CAP_OUTPUT = 1,   // print to the host's output
    CAP_FILES = 2,    // files, stdin, environment, processes
    CAP_NONDET = 4,   // time, clock, random numbers
    CAP_STORE = 8,    // persistence and SQL
    CAP_ALL = 15,
};

// Joy errors. what() is the complete message ("run time error: ...").
struct JoyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// quit / abort: the host decides what ending the program means.
struct JoyQuit {
    int status;
};
// abort: ends the statement in progress without a message (Joy1 goes back
// to its main loop and keeps the stack); a host with no such loop reports
// it as the error "abort".
struct JoyAbort : JoyError {
    JoyAbort() : JoyError("abort") {}
};

struct Builtin {
    const char* name;
    void (*fn)(Interp&);
    const char* effect;  // stack effect, as in Joy1's manual
};

struct Sym {
    std::string name;
    Value body;                   // T_LIST once defined
    const Builtin* builtin = nullptr;
    bool defined = false;
    bool hidden = false;          // private to a HIDE or MODULE block
    bool from_store = false;      // body was loaded from the host's store
    // A private word's block: its first public word (null for a block
    // without public words, whose private words are never stored).
    Sym* owner = nullptr;
};

// The name a word is stored and written under in text meant to be read
// back: its own, or for a private word the stored name of its block's
// first public word, `~`, and its own (`pub~helper`), so that a stored
// public word still reaches its private words after a restart. Empty for a
// private word that is never stored.
std::string stored_name(const Sym& s);
// The name a word is written under in text meant to be read back (stored
// definitions and values): its stored name, else its own.
std::string name_to_read_back(const Sym& s);

// Everything outside pure computation reaches the interpreter through this.
struct Host {
    virtual ~Host() = default;
    virtual void write_out(std::string_view s) = 0;
    virtual void write_err(std::string_view s) = 0;
    virtual void flush_out() {}
    // A byte from standard input, or -1 at end (only asked with CAP_FILES).
    virtual int read_stdin() { return -1; }
    // Called when a user definition changes (the store writes it through).
    virtual void on_define(Sym&) {}
    // Definitions not yet loaded may be supplied lazily by the host.
    virtual bool lookup_definition(Interp&, Sym&) { return false; }
    virtual std::vector<std::string> argv() { return {}; }
    // Definitions in the store changed (a session switch, a restore): drop
    // the ones loaded from it so they are fetched again.
    virtual void refresh_definitions(Interp&) {}
    // The database of this host, or null (persistence words then fail).
    virtual struct Store* store() { return nullptr; }
    // `"path" world-open` and friends: only a host that owns its database
    // connection (the CLI) can switch files.
    virtual void open_world(Interp& I, std::string_view path);
    virtual void close_world(Interp& I);
    // Asked every few thousand steps: true stops the run with the error
    // "interrupted" (sqlite3_interrupt(), Ctrl-C in the CLI).
    virtual bool interrupted() { return false; }
};

struct Limits {
    uint64_t steps = 0;       // 0 = unlimited
    uint64_t memory = 0;      // bytes of Joy values; 0 = unlimited
    uint64_t depth = 0;       // frames (nesting of running programs); 0 = unlimited
    // The pool's byte count at which `memory` more than `base` is reached
    // (INT64_MAX, no limit, when it is 0 or beyond what can be counted).
    // (`base` is below 0 on a thread that freed more than it made.)
    int64_t memory_mark(int64_t base) const {
        uint64_t room = base < 0 ? uint64_t(INT64_MAX) : uint64_t(INT64_MAX - base);
        if (!memory || memory >= room) return INT64_MAX;
        return base + int64_t(memory);
    }
};

enum FrameKind : uint8_t {
    F_PROG,
    F_PUSH,          // push x when resumed (dip)
    F_NULLARY,       // test frame: push result over restored stack minus n
    F_IFTE,
    F_WHILE_TEST, F_WHILE_BODY,
    F_TIMES,
    F_LINREC_TEST, F_LINREC_R1, F_LINREC_UNWIND,
    F_TAILREC_TEST, F_TAILREC_R1,
    F_BINREC_TEST, F_BINREC_R1, F_BINREC_SECOND, F_BINREC_R2,
    F_GENREC_TEST,
    F_PRIMREC,
    F_COND_TEST,
    F_CONDLIN_TEST, F_CONDLIN_R1, F_CONDLIN_R2,
    F_STEP,
    F_MAP, F_FILTER, F_SPLIT, F_SOME, F_ALL,
    F_INFRA,
    F_MULTI,         // app2..4 / unary2..4 / cleave: collect results
    F_CONSTRUCT,
    F_TREESTEP,
    F_NATIVE,        // resumed by the frame's own `native` function (other builtin files)
};

struct Frame {
    FrameKind kind;
    bool testing = false;           // between begin_test() and end_test()
    uint32_t h = 0, g = 0, sb = 0;  // test frames: saved height, outer guard, spill base
    Cell* pc = nullptr;             // cursor into a list owned by q or x
    Cell* last = nullptr;           // end of a list being built in y
    Cell* last2 = nullptr;          // end of a list being built in w
    int64_t n = 0;
    Value q, x, y, z, w;
    // F_NATIVE: called when the quotation this frame started has finished;
    // `unwind`, if set, is called when an error discards the frame.
    void (*native)(Interp&, Frame&) = nullptr;
    void (*unwind)(Interp&, Frame&) = nullptr;
    // Given its kind, a frame is built with plain stores, not the block
    // clear (rep stos) of value-initialisation, which costs more than the
    // rest of a short call.
    explicit Frame(FrameKind k) : kind(k) {}
};

class Interp {
public:
    explicit Interp(Host* host);
    ~Interp();
    Interp(const Interp&) = delete;
    Interp& operator=(const Interp&) = delete;

    // ---- running ----
    // Run a program (a list of terms). Throws JoyError / JoyQuit; on error
    // the frames are discarded and the data stack is left as it was when the
    // error struck (Joy1 keeps it too).
    void run(const Value& program);
    void set_limits(const Limits& l) { limits = l; }
    // Builtins whose work grows with their input (copying strings and
    // lists) charge extra steps, so the step limit also bounds them.
    void charge(uint64_t units) {
        tl_pool.work += units;
        if (tl_pool.work >= next_check_) periodic_check();
    }
    // Work done outside the evaluator for the run (the SQL it runs) counts
    // as steps too: true if the step limit is now exceeded. Never throws,
    // so a callback from C may call it.
    bool charge_outside(uint64_t units) noexcept {
        tl_pool.work += units;
        return limits.steps && steps_taken() >= limits.steps;
    }
    Limits limits;
    uint32_t caps = CAP_ALL;
    // Set by a host whose stored definitions may have changed since they
    // were loaded: before the first word loaded from the store runs, the
    // host is asked to refresh them (refresh_definitions), so a run that
    // uses none pays nothing.
    bool check_stored = false;
    // Steps of the current run: terms run, plus cells its words walked and
    // made, plus work charged. One counter of the thread holds them all
    // (Pool::work), so a few terms of heavy words (`size` of a long list in
    // a loop) meet the step limit and interrupts as soon as many light ones.
    uint64_t steps_taken() const { return tl_pool.work - steps_base_; }
    // Steps and memory count from here on: the outermost run() starts so;
    // a host that runs SQL for Joy outside a run (a definition stored
    // through SQL) calls it first, so that SQL counts from zero too.
    static constexpr uint64_t CHECK_INTERVAL = 1 << 14;  // steps between checks of limits and interrupts
    void begin_counting() {
        steps_base_ = tl_pool.work;
        mem_base_ = tl_pool.bytes;
        next_check_ = steps_base_ + (limits.steps && limits.steps < CHECK_INTERVAL ? limits.steps : CHECK_INTERVAL);
    }

    // ---- data stack (for builtins) ----
    std::vector<Value> stk;
    size_t depth() const { return stk.size(); }
    Value& top() { return stk.back(); }
    Value& peek(size_t i) { return stk[stk.size() - 1 - i]; }  // 0 = top
    void push(Value v) { stk.push_back(std::move(v)); }
    Value pop() { Value v = std::move(stk.back()); stk.pop_back(); return v; }
    void drop(size_t n) { stk.resize(stk.size() - n); }
    // A builtin that will remove or replace the top n values calls need();
    // one that only reads them calls need_read().
    void need(size_t n, const char* word) {
        if (__builtin_expect(stk.size() < n, 0)) arity_error(n, word);
        if (__builtin_expect(stk.size() - n < guard, 0)) spill(stk.size() - n);
    }
    void need_read(size_t n, const char* word) {
        if (__builtin_expect(stk.size() < n, 0)) arity_error(n, word);
    }
    [[noreturn]] void arity_error(size_t n, const char* word);
    [[noreturn]] void error(const std::string& msg);          // "run time error: " + msg
    [[noreturn]] void type_error(const char* what, const char* word);  // "<what> needed for <word>"
    void require(uint32_t cap, const char* word);

    // ---- frames (for combinators) ----
    std::vector<Frame> fr;
    Frame& push_frame(FrameKind k);
    // Run quotation `q` (a T_LIST) next.
    void call(const Value& q) { Frame& f = push_frame(F_PROG); f.pc = q.u.list; f.q = q; }
    void call(Value&& q) { Frame& f = push_frame(F_PROG); f.pc = q.u.list; f.q = std::move(q); }
    // Start a test on the current stack: the frame at index fi records the
    // stack and raises the guard; end_test() takes the top as result and
    // restores the stack to what it was at begin_test().
    void begin_test(Frame& f);
    Value end_test(Frame& f);
    void restore_test(Frame& f);  // end a test without taking a result
    // A test of a few builtins and literals (`[small]`, `[0 >]`) runs at
    // once, without frames: its terms in turn on the guarded stack, then
    // the stack put back as end_test() does. NOT_QUICK (nothing done) for
    // any other quotation, which then runs through a test frame. `word`
    // names the combinator in the error for a test that leaves no value.
    enum Quick { NOT_QUICK, QUICK_FALSE, QUICK_TRUE };
    Quick quick_test(const Value& q, const char* word, bool known_quick = false);
    // The same for the quotation of map, filter, split ...: `arg` pushed
    // first, the top left by q in `result`. False when q is not quick.
    bool quick_result(const Value& q, Value* arg, const char* word, const char* what, Value& result,
                      bool known_quick = false);
    // Whether q is quick: at most 8 terms, builtins and literals only (and
    // not `conts`, which reads the frames). The body of times, while and
    // step, when quick, runs by run_terms without a frame per turn.
    bool is_quick(const Value& q) const;
    void run_terms(Cell* p);
    bool truthy(const Value& v) const;

    // ---- symbols ----
    Sym* intern(std::string_view name);          // find or create
    Sym* find_sym(std::string_view name);        // find, or null
    Sym* new_private_symbol(std::string_view name);  // HIDE / MODULE PRIVATE
    // Symbols made since symbol_count() gave `mark` (by `intern` during a
    // run whose values are all gone) are forgotten, so a long-lived
    // interpreter fed ever new names does not grow without end.
    size_t symbol_count() const { return symbols_made_; }
    void forget_symbols_from(size_t mark) {
        if (symbols_made_ != mark) forget_symbols(mark);
    }
    void define(Sym* s, Value body);             // user definition
    void undefine(Sym* s);                       // unassign
    std::vector<Sym*> all_symbols() const;
    const Builtin* find_builtin(std::string_view name) const;
    static const std::vector<const Builtin*>& builtin_table();

    // ---- settings (Joy1's flags) ----
    int autoput = 1;
    int undeferror = 1;
    int echo = 0;
    Host* host;
    Parser* input = nullptr;     // the source being read (for `get`)
    // Joy1's input stack: the files `include` pushed and not yet read to
    // their end, the newest last (see next_item_from in reader.h).
    std::vector<std::unique_ptr<Parser>> includes;
    // Folders `include` looks in after the name as given, the last added
    // first: the CLI adds the joy binary's folder, $HOME and the program's
    // folder; a file included from a folder adds that folder.
    std::vector<std::string> include_dirs;
    std::vector<std::string> argv;
    uint64_t rand_state = 1;
    // Joy1's reading in the CLI (texts read from now on; see Parser): a
    // definition of a builtin's name warns
    // ("warning: overwriting inbuilt 'dup'"), and a module field that does
    // not exist (m.nosuch) is reported where it is read, with file, line and
    // caret, and left out of the program. Off in SQL, where nothing can
    // print to stderr and an unknown name is an error when it runs.
    bool read_warnings = false;
    // `get` at the end of all input ends the program (status 0), as in
    // Joy1's CLI; elsewhere it is an error.
    bool end_of_input_quits = false;
    // A line that begins with `$` is a shell command, run when it is read
    // (Joy1's shell escape; the CLI's, with the files capability).
    bool shell_escapes = false;

    // ---- undoing a run ----
    // What a run may change on the interpreter beside its stack and its
    // definitions: Joy1's flags and the random state. A host that must put
    // them back (after a failed call, after every pure call) saves them.
    struct Settings {
        int autoput, undeferror, echo;
        uint64_t rand_state;
        bool operator==(const Settings& o) const {
            return autoput == o.autoput && undeferror == o.undeferror && echo == o.echo && rand_state == o.rand_state;
        }
    };
    Settings settings() const { return {autoput, undeferror, echo, rand_state}; }
    void restore(const Settings& s) {
        autoput = s.autoput;
        undeferror = s.undeferror;
        echo = s.echo;
        rand_state = s.rand_state;
    }
    // While a host keeps a journal, define() and undefine() record what
    // they replace; undo() puts it back, newest first (so a word changed
    // twice gets its original back) and empties the journal.
    struct Redefinition {
        Sym* sym;
        Value body;
        bool defined, from_store;
    };
    std::vector<Redefinition>* journal = nullptr;
    void undo(std::vector<Redefinition>& changes);

    // Output helpers (honour CAP_OUTPUT).
    void out(std::string_view s);

    // ---- internals used by combinators.cpp ----
    size_t guard = 0;
    std::vector<Value> spill_stack;
    void spill(size_t lo);
    void resume(Frame& f);
    void reset_after_error();
    void unwind_frames(size_t base);  // discard frames above base as an error does
    void put_back_test(size_t outer_guard, size_t spill_base);
    // The rest of the outermost program while it runs without a frame
    // (see run_outermost), or null.
    Cell* top_rest = nullptr;

private:
    void loop(size_t base);
    void run_outermost(const Value& program);
    struct OutermostRun;
    bool running_ = false;
    void periodic_check();
    // Both in units of tl_pool.work: where the run started, and where the
    // next check of limits and interrupts is due.
    uint64_t steps_base_ = 0;
    uint64_t next_check_ = 0;
    bool step_due() { return __builtin_expect(++tl_pool.work >= next_check_, 0); }
    int64_t mem_base_ = 0;
    std::unordered_map<std::string, Sym*> symtab_;
    std::deque<Sym> syms_;
    size_t symbols_made_ = 0;  // syms_.size(), which a deque computes
    void forget_symbols(size_t mark);
    void redefine(Sym* s, Value body, bool defined);
    std::unordered_map<std::string_view, const Builtin*> builtins_;
};

// While it lives, the interpreter's memory limit also bounds work done on a
// run's results after run() returned, such as printing the top of the
// stack: the text of lists that share structure can be exponentially
// larger than the lists.
class MemoryLimitScope {
public:
    explicit MemoryLimitScope(const Interp& I) : MemoryLimitScope(I.limits) {}
    explicit MemoryLimitScope(const Limits& limits) : saved_(tl_pool.limit) {
        if (saved_ == INT64_MAX) tl_pool.limit = limits.memory_mark(tl_pool.bytes);
    }
    ~MemoryLimitScope() { tl_pool.limit = saved_; }
    MemoryLimitScope(const MemoryLimitScope&) = delete;
    MemoryLimitScope& operator=(const MemoryLimitScope&) = delete;

private:
    int64_t saved_;
};

// The builtin families (one file each) expose their tables here.
struct BuiltinTable {
    const Builtin* items;
    size_t count;
};
BuiltinTable stack_builtins();
BuiltinTable arith_builtins();
BuiltinTable logic_builtins();
BuiltinTable list_builtins();
BuiltinTable combinator_builtins();
BuiltinTable string_builtins();
BuiltinTable io_builtins();
BuiltinTable system_builtins();
BuiltinTable dict_builtins();
BuiltinTable numeric_builtins();
BuiltinTable persist_builtins();

// Helpers shared by builtin families.
const char* type_name(Tag t);
int joy_typeof(const Value& v);
bool is_aggregate(const Value& v);
// Joy1's Compare: -1, 0 or 1; values it cannot order (lists, mixtures)
// give 1, unequal. See builtins_logic.cpp.
int compare_values(const Value& a, const Value& b);
// compare_values charging steps for its work: names compare byte by byte.
int compare_charged(Interp& I, const Value& a, const Value& b);
// Empty aggregate, numeric zero, NULL file or nil: what `null` tests.
bool is_null_value(const Value& v);

}  // namespace joy
