// builtins_system.cpp - the program's environment and the interpreter's
// own state: argv, time and random numbers, the process, Joy1's flags,
// help and the manual, symbols, quit and abort.
//
// Capabilities: argc argv getenv system need CAP_FILES; time clock rand
// localtime mktime (which depend on the moment or the local time zone) need
// CAP_NONDET; help and the manuals print, so they need CAP_OUTPUT.
#include <cstdlib>
#include <ctime>
#include <string>

#include "interp.h"
#include "store.h"
#include "printer.h"

namespace joy {
namespace {

bool numeric(const Value& v) { return v.tag == T_INT || v.tag == T_CHAR || v.tag == T_BOOL; }

// ---- the command line and the environment ----

std::vector<std::string> program_args(Interp& I) { return I.argv.empty() ? I.host->argv() : I.argv; }

void do_argc(Interp& I) {  // -> I
    I.require(CAP_FILES, "argc");
    I.push(Value::integer(int64_t(program_args(I).size())));
}

void do_argv(Interp& I) {  // -> A
    I.require(CAP_FILES, "argv");
    ListBuilder b;
    for (const std::string& a : program_args(I)) b.push(make_string(a));
    I.push(b.take());
}

void do_getenv(Interp& I) {  // "variable" -> "value"   ("" when unset)
    I.need(1, "getenv");
    if (I.top().tag != T_STRING) I.type_error("string", "getenv");
    I.require(CAP_FILES, "getenv");
    const char* value = std::getenv(I.top().u.str->data);
    I.top() = make_string(value ? value : "");
}

void do_system(Interp& I) {  // "command" ->
    I.need(1, "system");
    if (I.top().tag != T_STRING) I.type_error("string", "system");
    I.require(CAP_FILES, "system");
    I.host->flush_out();  // what was printed before comes before the command's output
    int status = std::system(I.top().u.str->data);
    (void)status;  // Joy1 ignores the command's status
    I.stk.pop_back();
}

// ---- time ----

void do_time(Interp& I) {  // -> I
    I.require(CAP_NONDET, "time");
    I.push(Value::integer(int64_t(std::time(nullptr))));
}

void do_clock(Interp& I) {  // -> I   (processor time used, in clock ticks)
    I.require(CAP_NONDET, "clock");
    I.push(Value::integer(int64_t(std::clock())));
}

// Joy1's time list: [year month day hour minute second isdst yearday
// weekday], month 1..12, weekday 1..7 with Sunday 7.
Value time_list(const struct tm& t) {
    ListBuilder b;
    b.push(Value::integer(int64_t(t.tm_year) + 1900));
    b.push(Value::integer(t.tm_mon + 1));
    b.push(Value::integer(t.tm_mday));
    b.push(Value::integer(t.tm_hour));
    b.push(Value::integer(t.tm_min));
    b.push(Value::integer(t.tm_sec));
    b.push(Value::boolean(t.tm_isdst > 0));
    b.push(Value::integer(t.tm_yday));
    b.push(Value::integer(t.tm_wday == 0 ? 7 : t.tm_wday));
    return b.take();
}

template <struct tm* (*Convert)(const time_t*, struct tm*)>
void broken_down_time(Interp& I, const char* word) {  // I -> T
    I.need(1, word);
    if (I.top().tag != T_INT) I.type_error("integer", word);
    time_t when = time_t(I.top().u.i);
    struct tm t;
    if (!Convert(&when, &t)) I.type_error("time in range", word);
    I.top() = time_list(t);
}
void do_gmtime(Interp& I) { broken_down_time<gmtime_r>(I, "gmtime"); }
void do_localtime(Interp& I) {
    I.require(CAP_NONDET, "localtime");
    broken_down_time<localtime_r>(I, "localtime");
}

// Reads a time list as Joy1 does: fields in order while they have the
// expected type; missing ones are zero.
struct tm decode_time(Interp& I, Cell* c, const char* word) {
    struct tm t = {};
    int* fields[] = {&t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min, &t.tm_sec,
                     &t.tm_isdst, &t.tm_yday, &t.tm_wday};
    const int offsets[] = {1900, 1, 0, 0, 0, 0, 0, 0, 0};
    for (int k = 0; k < 9 && c; ++k, c = tail(c)) {
        const Value& v = head(c);
        if (v.tag != (k == 6 ? T_BOOL : T_INT)) break;
        int64_t n = v.u.i - offsets[k];
        if (n < -2147483647 || n > 2147483647) I.type_error("time list with fields in range", word);
        *fields[k] = int(n);
    }
    if (t.tm_wday == 7) t.tm_wday = 0;  // Joy1's Sunday
    return t;
}

void do_mktime(Interp& I) {  // T -> I
    I.need(1, "mktime");
    if (I.top().tag != T_LIST) I.type_error("list", "mktime");
    I.require(CAP_NONDET, "mktime");
    struct tm t = decode_time(I, I.top().u.list, "mktime");
    I.top() = Value::integer(int64_t(std::mktime(&t)));
}

void do_strftime(Interp& I) {  // T S1 -> S2
    I.need(2, "strftime");
    if (I.top().tag != T_STRING) I.type_error("string", "strftime");
    if (I.peek(1).tag != T_LIST) I.type_error("list", "strftime");
    I.require(CAP_NONDET, "strftime");  // its text follows the time zone and locale
    struct tm t = decode_time(I, I.peek(1).u.list, "strftime");
    const char* fmt = I.top().u.str->data;
    std::string buf;
    // strftime gives 0 both for "too small" and for an empty result, so
    // grow to a bound and take what fits.
    for (size_t size = 256; size <= (1u << 20); size *= 4) {
        buf.assign(size, '\0');
        size_t n = std::strftime(&buf[0], size, fmt, &t);
        if (n > 0 || size >= (1u << 20)) {
            buf.resize(n);
            break;
        }
    }
    I.drop(1);
    I.top() = make_string(buf);
}

// ---- random numbers: splitmix64 on I.rand_state, so a seed gives the same
// sequence everywhere; values in 0..2^31-1 like Joy1's C rand().

void do_rand(Interp& I) {  // -> I
    I.require(CAP_NONDET, "rand");
    uint64_t z = (I.rand_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    I.push(Value::integer(int64_t(z >> 33)));
}

void do_srand(Interp& I) {  // I ->
    I.need(1, "srand");
    if (I.top().tag != T_INT) I.type_error("integer", "srand");
    I.rand_state = uint64_t(I.top().u.i);
    I.stk.pop_back();
}

// ---- ending ----

void do_quit(Interp&) { throw JoyQuit{0}; }

// Joy1 abandons the statement in progress and goes back to its main loop,
// silently, keeping the stack.
void do_abort(Interp&) { throw JoyAbort(); }

// ---- Joy1's flags ----

template <int Interp::*Flag>
void set_flag(Interp& I, const char* word) {
    I.need(1, word);
    if (!numeric(I.top())) I.type_error("numeric", word);
    I.*Flag = int(I.top().u.i);
    I.stk.pop_back();
}
void do_setautoput(Interp& I) { set_flag<&Interp::autoput>(I, "setautoput"); }
void do_setundeferror(Interp& I) { set_flag<&Interp::undeferror>(I, "setundeferror"); }
void do_setecho(Interp& I) { set_flag<&Interp::echo>(I, "setecho"); }
void do_autoput(Interp& I) { I.push(Value::integer(I.autoput)); }
void do_undeferror(Interp& I) { I.push(Value::integer(I.undeferror)); }
void do_echo(Interp& I) { I.push(Value::integer(I.echo)); }

// ---- symbols ----

void do_undefs(Interp& I) {  // -> [..]   names used but not defined (not those starting with _)
    I.require(CAP_NONDET, "undefs");
    ListBuilder b;
    for (Sym* s : I.all_symbols()) {
        if (s->defined || s->builtin || s->name.empty() || s->name[0] == '_') continue;
        if (I.host && I.host->lookup_definition(I, *s) && s->defined) continue;
        b.push(make_string(s->name));
    }
    I.push(b.take());
}

// The symbol named by a one-element quotation [N], as assign and unassign take it.
Sym* quoted_symbol(Interp& I, const char* word) {
    if (I.top().tag != T_LIST) I.type_error("quotation as top parameter", word);
    Cell* c = I.top().u.list;
    if (!c) I.type_error("non-empty list", word);
    if (head(c).tag != T_USRDEF) I.type_error("user defined symbol", word);
    return head(c).u.sym;
}

void do_assign(Interp& I) {  // V [N] ->   N now pushes V
    I.need(2, "assign");
    Sym* s = quoted_symbol(I, "assign");
    Value body = cons(I.peek(1), Value::empty_list());
    I.drop(2);
    I.define(s, std::move(body));
}

void do_unassign(Interp& I) {  // [N] ->   N is undefined again
    I.need(1, "unassign");
    Sym* s = quoted_symbol(I, "unassign");
    I.stk.pop_back();
    I.undefine(s);
}

// conts: the continuation, innermost first: what remains of every program
// being run (the rest of the current one first). Combinators waiting for
// a quotation hold no program text of their own and are left out.
void do_conts(Interp& I) {  // -> [[P] [Q] ..]
    ListBuilder b;
    for (size_t k = I.fr.size(); k-- > 0;) {
        const Frame& f = I.fr[k];
        if (f.kind == F_PROG && f.pc) b.push(Value::adopt_list(retain_cell(f.pc)));
    }
    if (I.top_rest) b.push(Value::adopt_list(retain_cell(I.top_rest)));
    I.push(b.take());
}

// __dump: Joy1's dump holds values its combinators set aside; this
// evaluator keeps them inside its frames, not as a Joy list, so the dump is
// empty (as Joy1 itself shows it).
void do_dump(Interp& I) { I.push(Value::empty_list()); }

// ---- memory and the symbol table ----

// Values are reference counted and freed as soon as nothing holds them, so
// there is nothing for gc to collect in memory. With a database, gc sweeps
// the persistent heap (joy_nodes rows no root reaches).
void do_gc(Interp& I) {
    if (!I.host || !I.host->store() || !(I.caps & CAP_STORE)) return;
    I.host->store()->collect_garbage();
}

// Joy1's collector trace level; reference counting has nothing to trace.
void do_settracegc(Interp& I) {  // I ->
    I.need(1, "__settracegc");
    if (!numeric(I.top())) I.type_error("numeric", "__settracegc");
    I.stk.pop_back();
}

// The words that tell the state of the interpreter, which earlier runs and
// the host change, give a pure run (no CAP_NONDET) nothing to depend on.
void do_memoryindex(Interp& I) {  // bytes in use
    I.require(CAP_NONDET, "__memoryindex");
    I.push(Value::integer(int64_t(tl_pool.bytes)));
}
void do_memorymax(Interp& I) {  // 0: no limit
    I.require(CAP_NONDET, "__memorymax");
    I.push(Value::integer(int64_t(I.limits.memory)));
}

void do_symtabindex(Interp& I) {  // builtins and user words known
    I.require(CAP_NONDET, "__symtabindex");
    size_t users = 0;
    for (Sym* s : I.all_symbols()) users += !s->builtin;
    I.push(Value::integer(int64_t(Interp::builtin_table().size() + users)));
}
void do_symtabmax(Interp& I) { I.push(Value::integer(0)); }  // the table has no fixed size

// ---- help and the manual ----

// Names separated by spaces, lines kept within 72 columns, as Joy1 prints them.
void print_names(Interp& I, bool underscored) {
    I.require(CAP_OUTPUT, underscored ? "_help" : "help");
    std::string text;
    size_t column = 0;
    auto add = [&](const std::string& name) {
        if (name.empty() || (name[0] == '_') != underscored) return;
        if (column + name.size() + 1 > 72) {
            text += '\n';
            column = 0;
        }
        text += name;
        text += ' ';
        column += name.size() + 1;
    };
    for (Sym* s : I.all_symbols())
        if (s->defined) add(s->name);
    for (const Builtin* b : Interp::builtin_table()) add(b->name);
    text += '\n';
    I.out(text);
}
void do_help(Interp& I) { print_names(I, false); }
void do_underscore_help(Interp& I) { print_names(I, true); }

// helpdetail: [S1 S2 ..] -> ; for each element (a word, or a string naming
// one) its definition or stack effect.
void do_helpdetail(Interp& I) {
    I.need(1, "helpdetail");
    if (I.top().tag != T_LIST) I.type_error("list", "helpdetail");
    I.require(CAP_OUTPUT, "helpdetail");
    std::string text = "\n";
    for (Cell* c = I.top().u.list; c; c = tail(c)) {
        Value v = head(c);
        if (v.tag == T_STRING) {
            std::string_view n = v.u.str->view();
            if (Sym* s = I.find_sym(n); s && s->defined) v = Value::usrdef(s);
            else if (const Builtin* b = I.find_builtin(n)) v = Value::builtin(b);
        }
        if (v.tag == T_USRDEF && v.u.sym->defined) {
            text += v.u.sym->name + "  ==\n    ";
            print_term(text, v.u.sym->body.u.list);
            text += "\n";
        } else if (v.tag == T_USRDEF) {
            text += v.u.sym->name + "\t:   undefined.\n";
        } else if (v.tag == T_BUILTIN) {
            text += std::string(v.u.bi->name) + "\t:   " + v.u.bi->effect + ".\n";
        } else {
            // Printed into `text` itself, so all of it counts against the
            // memory limit (values sharing structure print exponentially long).
            size_t start = text.size();
            print_value(text, v);
            std::string lit = text.substr(start);
            text += "\t:   -> " + lit + ".\n";
        }
        text += "\n";
    }
    I.stk.pop_back();
    I.out(text);
}

enum ManualStyle { PLAIN, HTML, LATEX };

std::string html_escaped(const char* s) {
    std::string out;
    for (; *s; ++s) {
        if (*s == '<') out += "&lt;";
        else if (*s == '>') out += "&gt;";
        else if (*s == '&') out += "&amp;";
        else out += *s;
    }
    return out;
}

// Every builtin with its stack effect (words starting with _ are internal).
void print_manual(Interp& I, ManualStyle style, const char* word) {
    I.require(CAP_OUTPUT, word);
    std::string text = style == HTML ? "<HTML>\n<DL>\n" : "";
    for (const Builtin* b : Interp::builtin_table()) {
        if (b->name[0] == '_') continue;
        switch (style) {
        case PLAIN: text += std::string(b->name) + "\t:  " + b->effect + "\n\n"; break;
        case HTML:
            text += "\n<DT>" + html_escaped(b->name) + " <CODE>      :  </CODE> " + html_escaped(b->effect) +
                    "\n<DD>\n\n";
            break;
        case LATEX: text += std::string("\\item[\\JX{") + b->name + "}]  \\verb#" + b->effect + "#\n\n"; break;
        }
    }
    if (style == HTML) text += "\n</DL>\n</HTML>\n";
    I.out(text);
}
void do_manual(Interp& I) { print_manual(I, PLAIN, "manual"); }
void do_html_manual(Interp& I) { print_manual(I, HTML, "__html_manual"); }
void do_latex_manual(Interp& I) { print_manual(I, LATEX, "__latex_manual"); }

void do_manual_list(Interp& I) {  // -> L   [[name effect] ..] for every builtin
    ListBuilder all;
    for (const Builtin* b : Interp::builtin_table()) {
        ListBuilder entry;
        entry.push(make_string(b->name));
        entry.push(make_string(b->effect));
        all.push(entry.take());
    }
    I.push(all.take());
}

const Builtin table[] = {
    {"argc", do_argc, "-> I"},
    {"argv", do_argv, "-> A"},
    {"getenv", do_getenv, "\"variable\" -> \"value\""},
    {"system", do_system, "\"command\" ->"},
    {"time", do_time, "-> I"},
    {"clock", do_clock, "-> I"},
    {"gmtime", do_gmtime, "I -> T"},
    {"localtime", do_localtime, "I -> T"},
    {"mktime", do_mktime, "T -> I"},
    {"strftime", do_strftime, "T S1 -> S2"},
    {"rand", do_rand, "-> I"},
    {"srand", do_srand, "I ->"},
    {"quit", do_quit, "->"},
    {"abort", do_abort, "->"},
    {"setautoput", do_setautoput, "I ->"},
    {"autoput", do_autoput, "-> I"},
    {"setundeferror", do_setundeferror, "I ->"},
    {"undeferror", do_undeferror, "-> I"},
    {"setecho", do_setecho, "I ->"},
    {"echo", do_echo, "-> I"},
    {"undefs", do_undefs, "-> [..]"},
    {"assign", do_assign, "V [N] ->"},
    {"unassign", do_unassign, "[N] ->"},
    {"conts", do_conts, "-> [[P] [Q] ..]"},
    {"__dump", do_dump, "-> [..]"},
    {"gc", do_gc, "->"},
    {"__settracegc", do_settracegc, "I ->"},
    {"__memoryindex", do_memoryindex, "-> I"},
    {"__memorymax", do_memorymax, "-> I"},
    {"__symtabindex", do_symtabindex, "-> I"},
    {"__symtabmax", do_symtabmax, "-> I"},
    {"help", do_help, "->"},
    {"_help", do_underscore_help, "->"},
    {"helpdetail", do_helpdetail, "[ S1 S2 .. ] ->"},
    {"manual", do_manual, "->"},
    {"__html_manual", do_html_manual, "->"},
    {"__latex_manual", do_latex_manual, "->"},
    {"__manual_list", do_manual_list, "-> L"},
};

}  // namespace

BuiltinTable system_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
