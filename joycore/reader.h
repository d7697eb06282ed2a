// reader.h - Joy source text to values.
//
// A Parser walks one source text and yields top-level items: a statement
// (the terms before a `.`) or a block of definitions (DEFINE/LIBRA, HIDE,
// MODULE). Names are resolved when read, as Joy1 does: builtins become
// builtin references, everything else a symbol (defined now or later).
// Definitions are returned, not applied, so a compiled program can be run
// again (the SQL functions cache compiled programs).
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "interp.h"

namespace joy {

struct Item {
    enum Kind { END, STATEMENT, DEFINITIONS, INCOMPLETE } kind = END;
    Value terms;                                  // STATEMENT: the program
    std::vector<std::pair<Sym*, Value>> defs;     // DEFINITIONS
    bool ended_with_period = false;               // STATEMENT: Joy1 autoputs
    size_t offset = 0;                            // where the item began
};

class Parser {
public:
    // `interactive`: running out of text inside an item yields INCOMPLETE
    // (the REPL asks for another line) instead of ending the item.
    Parser(Interp& interp, std::string text, bool interactive = false);
    // The name of the text in messages (a file's name as given, or stdin).
    void set_name(std::string name) { name_ = std::move(name); }
    const std::string& name() const { return name_; }
    // Joy1's read-time messages (Interp::read_warnings) for this text; off
    // for stored definitions, which were read once already.
    void set_warnings(bool on) { warnings_ = on; }
    // Next item; throws JoyError on a syntax error, after skipping past the
    // next `.` so that reading can go on.
    Item next();
    // One factor (for the `get` word); throws at end of text.
    Value read_factor();
    // Append more text (REPL) and rewind to the start of the item that was
    // incomplete.
    void feed(std::string_view more);
    // Forget text fed but not yet read as an item (the REPL's Ctrl-C).
    void drop_unread();
    bool at_end();
    bool interactive() const { return interactive_; }
    size_t line() const;
    std::string_view source() const { return src_; }

private:
    enum Tok { T_EOF, T_LBRACK, T_RBRACK, T_LBRACE, T_RBRACE, T_SEMI, T_PERIOD, T_EQDEF,
               T_INTLIT, T_FLOATLIT, T_CHARLIT, T_STRLIT, T_IDENT, T_KEY, T_COMMA };
    struct Token {
        Tok kind = T_EOF;
        std::string text;  // identifier / string contents / key
        int64_t i = 0;
        double f = 0;
        size_t pos = 0;
    };
    Token peek();
    Token take();
    void scan(Token& t);
    void skip_space();
    [[noreturn]] void syntax(const std::string& msg, size_t pos);
    Value parse_term();
    Value parse_factor(Token& t);
    Value parse_nested(const Token& open);
    Value parse_set(size_t pos);
    static constexpr size_t MAX_BLOCK_DEPTH = 64;
    void enter_block();
    void parse_defs(std::vector<std::pair<Sym*, Value>>& out, int scope);
    void parse_hide(std::vector<std::pair<Sym*, Value>>& out, int outer);
    void parse_module(std::vector<std::pair<Sym*, Value>>& out);
    void declare_private(const char* stop1, const char* stop2);
    void own_private_words(int scope, Sym* first_public);
    static Sym* first_defined(const std::vector<std::pair<Sym*, Value>>& out, size_t from);
    Sym* definition_target(const std::string& name, int scope);
    Value resolve(const std::string& name);
    void recover();
    Item next_item();
    void echo_read_lines(bool after_item);
    void echo_line(const std::string& text);
    void took_period(const Token& period);

    void warn_where_read(const std::string& message);
    size_t line_counted_ = 0, line_number_ = 1;  // lines before src_[line_counted_]
    size_t escapes_run_upto_ = 0;  // shell escape lines before this were run
    bool unknown_field(const Token& t);

    Interp& I_;
    std::string name_ = "stdin";
    bool warnings_;
    std::string src_;
    size_t pos_ = 0;
    bool interactive_;
    bool have_peek_ = false;
    size_t echo_start_ = 0;  // start of the first line not yet read (setecho)
    size_t echo_line_ = 1;
    // The kinds and ends of the last two tokens taken, and where the last
    // period ended (npos: the item did not end with one).
    Tok last_kind_ = T_EOF, before_last_kind_ = T_EOF;
    size_t last_end_ = 0, before_last_end_ = 0;
    size_t period_end_ = std::string::npos;
    bool period_after_word_ = false;
    Token peeked_;
    // Scopes of HIDE/MODULE: name -> symbol, innermost last.
    std::vector<std::unordered_map<std::string, Sym*>> scopes_;
    std::string module_prefix_;
    struct Incomplete {};
};

// Parse and run every item of `text` (files, the CLI, include). Errors are
// reported through the host's error stream and reading continues.
void run_text(Interp& interp, std::string text, bool stop_on_error = false);
// Execute one item: apply definitions or run a statement (with autoput).
void execute_item(Interp& interp, Item& item);

// Joy1's input stack. The next item to run: from the newest file `include`
// pushed that has one left (a file read to its end is dropped), else from
// `main`, which becomes interp.input (the bottom of the stack).
Item next_item_from(Interp& interp, Parser& main);
// A regular file's whole text (false for anything else: a folder, a FIFO
// that could block forever, a file that cannot be read). Throws the memory
// limit's error for a file larger than a running program may still use.
bool read_regular_file(const std::string& path, std::string& text);
// Joy1's search for an included file: `name` as given, then, for a
// relative name, in interp.include_dirs, the last added first. A file
// found under a folder adds that folder. `found` is the path read.
bool find_include(Interp& interp, const std::string& name, std::string& text, std::string& found);

// `get`: the next factor of the input, as Joy1's scanner reads it: from the
// newest included file (even one the running statement just included),
// going on below when a file ends. Throws at the end of all input.
Value read_input_factor(Interp& interp);
// Runs the included files pending, each to its end (for hosts that run
// compiled statements rather than read them: SQL calls). Errors propagate.
void run_includes(Interp& interp);

}  // namespace joy
