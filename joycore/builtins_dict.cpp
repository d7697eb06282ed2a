// builtins_dict.cpp - dictionaries, nil, JSON and let.
//
// Dictionaries are immutable values, but a word holding the only reference
// to one updates it in place (dict_for_update), so a loop of `dput`s into a
// dict that lives only on the stack costs O(1) per put.
//
// Keys are strings. A symbol or a char given as a key stands for its name
// (`[age] first dget` finds "age"); the dict stores the string.
//
// The dict words also take a pdict handle (collections.h) where they take a
// dict, and then read or write its table at once: `users "alice" {age: 30}
// dput` writes a row and leaves the handle, as dput on a dict leaves the
// dict.
#include <cstring>

#include "collections.h"
#include "dict.h"
#include "interp.h"
#include "json.h"
#include "printer.h"

namespace joy {
namespace {

const char* ordinal(size_t k) {
    static const char* names[] = {"top", "second", "third"};
    return names[k];
}

void check_dict(Interp& I, size_t k, const char* word) {
    if (I.peek(k).tag != T_DICT) {
        if (as_pdict(I.peek(k))) return;
        std::string what = std::string("dictionary as ") + ordinal(k) + " parameter";
        I.type_error(what.c_str(), word);
    }
}

// The text of key `k`; `buf` holds a char key's one character.
std::string_view key_text(Interp& I, const Value& k, char& buf, const char* word) {
    switch (k.tag) {
    case T_STRING: return k.u.str->view();
    case T_USRDEF: return k.u.sym->name;
    case T_BUILTIN: return k.u.bi->name;
    case T_CHAR: buf = char(k.u.i); return {&buf, 1};
    default: I.type_error("string key", word);
    }
}

// Key `k` as the string the dict stores.
Value key_string(Value k, std::string_view text) {
    return k.tag == T_STRING ? std::move(k) : make_string(text);
}

[[noreturn]] void missing_key(Interp& I, std::string_view key, const char* word) {
    std::string msg = "key ";
    print_string_literal(msg, key);
    msg += std::string(" not found for ") + word;
    I.error(msg);
}

void do_dempty(Interp& I) { I.push(Value::adopt_dict(Dict::create())); }

// The pdict at depth k, or null for a dict (the caller checked the type).
PDict* pdict_at(Interp& I, size_t k, const char* word) {
    PDict* p = as_pdict(I.peek(k));
    if (p) I.require(CAP_STORE, word);
    return p;
}

void do_dput(Interp& I) {  // D K V -> D'
    I.need(3, "dput");
    check_dict(I, 2, "dput");
    char buf;
    std::string_view text = key_text(I, I.peek(1), buf, "dput");
    if (PDict* p = pdict_at(I, 2, "dput")) {
        p->put(text, I.top());
        I.drop(2);
        return;
    }
    Value key = key_string(I.peek(1), text);
    Value val = I.pop();
    I.stk.pop_back();
    dict_for_update(I.top())->put(std::move(key), std::move(val));
}

void do_dget(Interp& I) {  // D K -> V
    I.need(2, "dget");
    check_dict(I, 1, "dget");
    char buf;
    std::string_view text = key_text(I, I.top(), buf, "dget");
    if (PDict* p = pdict_at(I, 1, "dget")) {
        Value r;
        if (!p->get(text, r)) missing_key(I, text, "dget");
        I.drop(2);
        I.push(std::move(r));
        return;
    }
    const Value* v = I.peek(1).u.dict->get(text);
    if (!v) missing_key(I, text, "dget");
    Value r = *v;
    I.drop(2);
    I.push(std::move(r));
}

void do_dgetd(Interp& I) {  // D K V -> V'
    I.need(3, "dgetd");
    check_dict(I, 2, "dgetd");
    char buf;
    std::string_view text = key_text(I, I.peek(1), buf, "dgetd");
    if (PDict* p = pdict_at(I, 2, "dgetd")) {
        Value r;
        if (!p->get(text, r)) r = I.top();
        I.drop(3);
        I.push(std::move(r));
        return;
    }
    const Value* v = I.peek(2).u.dict->get(text);
    Value r = v ? *v : I.top();
    I.drop(3);
    I.push(std::move(r));
}

void do_dhas(Interp& I) {  // D K -> B
    I.need(2, "dhas");
    check_dict(I, 1, "dhas");
    char buf;
    std::string_view text = key_text(I, I.top(), buf, "dhas");
    PDict* p = pdict_at(I, 1, "dhas");
    bool has = p ? p->has(text) : I.peek(1).u.dict->get(text) != nullptr;
    I.drop(2);
    I.push(Value::boolean(has));
}

void do_ddel(Interp& I) {  // D K -> D'
    I.need(2, "ddel");
    check_dict(I, 1, "ddel");
    char buf;
    std::string key(key_text(I, I.top(), buf, "ddel"));
    I.stk.pop_back();
    if (PDict* p = pdict_at(I, 0, "ddel")) {
        p->remove(key);
        return;
    }
    if (I.top().u.dict->get(key)) dict_for_update(I.top())->remove(key);
}

void check_one_dict(Interp& I, const char* word) {
    I.need(1, word);
    check_dict(I, 0, word);
}

void do_dkeys(Interp& I) {  // D -> [K ...]
    check_one_dict(I, "dkeys");
    if (PDict* p = pdict_at(I, 0, "dkeys")) {
        I.top() = p->keys();
        return;
    }
    ListBuilder b;
    I.top().u.dict->each([&](const Value& k, const Value&) { b.push(k); });
    I.top() = b.take();
}

void do_dvals(Interp& I) {  // D -> [V ...]
    check_one_dict(I, "dvals");
    if (PDict* p = pdict_at(I, 0, "dvals")) {
        I.top() = p->values();
        return;
    }
    ListBuilder b;
    I.top().u.dict->each([&](const Value&, const Value& v) { b.push(v); });
    I.top() = b.take();
}

void do_dsize(Interp& I) {
    check_one_dict(I, "dsize");
    if (PDict* p = pdict_at(I, 0, "dsize")) {
        I.top() = Value::integer(p->size());
        return;
    }
    I.top() = Value::integer(int64_t(I.top().u.dict->size()));
}

void do_from_dict(Interp& I) {  // D -> [[K V] ...]
    check_one_dict(I, "dict>");
    if (PDict* p = pdict_at(I, 0, "dict>")) {
        Value keys = p->keys();
        Value vals = p->values();
        ListBuilder b;
        for (Cell *k = keys.u.list, *v = vals.u.list; k && v; k = tail(k), v = tail(v)) {
            ListBuilder pair;
            pair.push(head(k));
            pair.push(head(v));
            b.push(pair.take());
        }
        I.top() = b.take();
        return;
    }
    ListBuilder b;
    I.top().u.dict->each([&](const Value& k, const Value& v) {
        ListBuilder pair;
        pair.push(k);
        pair.push(v);
        b.push(pair.take());
    });
    I.top() = b.take();
}

void do_to_dict(Interp& I) {  // [[K V] ...] -> D
    I.need(1, ">dict");
    if (I.top().tag != T_LIST) I.type_error("list of [key value] pairs", ">dict");
    Value d = Value::adopt_dict(Dict::create());
    for (Cell* c = I.top().u.list; c; c = tail(c)) {
        const Value& pair = head(c);
        Cell* k = pair.tag == T_LIST ? pair.u.list : nullptr;
        Cell* v = k ? tail(k) : nullptr;
        if (!v || tail(v)) I.type_error("list of [key value] pairs", ">dict");
        char buf;
        std::string_view text = key_text(I, head(k), buf, ">dict");
        d.u.dict->put(key_string(head(k), text), head(v));
    }
    I.top() = std::move(d);
}

void do_dmerge(Interp& I) {  // D1 D2 -> D3, D2's values win
    I.need(2, "dmerge");
    check_dict(I, 1, "dmerge");
    check_dict(I, 0, "dmerge");
    if (as_pdict(I.top())) I.type_error("dictionary as top parameter", "dmerge");
    Value d2 = I.pop();
    if (PDict* p = pdict_at(I, 0, "dmerge")) {
        d2.u.dict->each([&](const Value& k, const Value& v) { p->put(k.u.str->view(), v); });
        return;
    }
    if (d2.u.dict->size() == 0) return;
    Dict* d = dict_for_update(I.top());
    d2.u.dict->each([&](const Value& k, const Value& v) { d->put(k, v); });
}

// "name" -> D: a pdict on the table `name`, created if missing.
void do_pdict_open(Interp& I) {
    Store& s = collection_store(I, "pdict-open");
    I.need(1, "pdict-open");
    const Value& name = I.top();
    if (name.tag != T_STRING && name.tag != T_USRDEF) I.type_error("table name as top parameter", "pdict-open");
    I.top() = s.pdict_open(name.tag == T_STRING ? name.u.str->view() : std::string_view(name.u.sym->name));
}

void do_pdict_close(Interp& I) {  // D ->
    I.need(1, "pdict-close");
    PDict* p = as_pdict(I.top());
    if (!p) I.type_error("pdict as top parameter", "pdict-close");
    p->close();
    I.pop();
}

void do_dict(Interp& I) {  // X -> B
    I.need(1, "dict");
    I.top() = Value::boolean(I.top().tag == T_DICT);
}

void do_nilp(Interp& I) {  // X -> B
    I.need(1, "nil?");
    I.top() = Value::boolean(I.top().tag == T_NIL);
}

void do_from_json(Interp& I) {  // S -> V
    I.need(1, "json>");
    if (I.top().tag != T_STRING) I.type_error("string", "json>");
    I.charge(I.top().u.str->len / 16);
    I.top() = json_parse(I.top().u.str->view());
}

void do_to_json(Interp& I) {  // V -> S
    I.need(1, ">json");
    I.top() = make_string(json_write(I.top()));
}

// ---- let: X1 .. Xn [n1 .. nn] [body] -> ... ----
//
// Dynamic binding: each name is redefined, for the time the body runs, as a
// program pushing its value; the previous definitions come back when the
// body ends or an error discards it. The frame keeps the names (x) and
// their previous bodies (y, nil where a name was undefined). Bindings are
// never reported to the host, so they are not persisted.

const Builtin* builtin_named(const char* name) {
    for (const Builtin* b : Interp::builtin_table())
        if (std::strcmp(b->name, name) == 0) return b;
    return nullptr;
}

// A program that pushes v: [v], or [[v] first] for a symbol, which a
// program would run rather than push.
Value pushing(const Value& v) {
    ListBuilder b;
    if (v.tag == T_USRDEF || v.tag == T_BUILTIN) {
        static const Builtin* first = builtin_named("first");
        ListBuilder quoted;
        quoted.push(v);
        b.push(quoted.take());
        b.push(Value::builtin(first));
    } else {
        b.push(v);
    }
    return b.take();
}

// Put back the definitions saved in the frame, last name first (so a name
// given twice gets its original back).
void let_restore(Interp&, Frame& f) {
    std::vector<std::pair<Sym*, Value>> saved;
    Cell* s = f.y.u.list;
    for (Cell* c = f.x.u.list; c && s; c = tail(c), s = tail(s)) saved.emplace_back(head(c).u.sym, head(s));
    for (size_t k = saved.size(); k-- > 0;) {
        Sym* sym = saved[k].first;
        sym->defined = saved[k].second.tag == T_LIST;
        sym->body = std::move(saved[k].second);
    }
}

void let_done(Interp& I, Frame& f) {
    let_restore(I, f);
    I.fr.pop_back();
}

void do_let(Interp& I) {
    I.need(2, "let");
    if (I.top().tag != T_LIST) I.type_error("quotation as top parameter", "let");
    if (I.peek(1).tag != T_LIST) I.type_error("list of names as second parameter", "let");
    size_t n = 0;
    for (Cell* c = I.peek(1).u.list; c; c = tail(c), ++n) {
        const Value& name = head(c);
        if (name.tag == T_BUILTIN) I.error(std::string("let can't bind ") + name.u.bi->name + ": it is a builtin");
        if (name.tag != T_USRDEF) I.type_error("list of names as second parameter", "let");
    }
    I.need(n + 2, "let");
    // Everything that can fail comes before the first binding.
    std::vector<Value> bodies;
    ListBuilder saved;
    Cell* c = I.peek(1).u.list;
    for (size_t k = 0; k < n; ++k, c = tail(c)) {
        Sym* s = head(c).u.sym;
        bodies.push_back(pushing(I.peek(n + 1 - k)));
        saved.push(s->defined ? s->body : Value());
    }
    Value body = I.pop();
    Value names = I.pop();
    I.drop(n);
    Frame& f = I.push_frame(F_NATIVE);
    f.native = let_done;
    f.unwind = let_restore;
    f.x = names;
    f.y = saved.take();
    c = names.u.list;
    for (size_t k = 0; k < n; ++k, c = tail(c)) {
        Sym* s = head(c).u.sym;
        s->body = std::move(bodies[k]);
        s->defined = true;
    }
    I.call(std::move(body));
}

const Builtin table[] = {
    {"dempty", do_dempty, "-> D"},
    {"dput", do_dput, "D K V -> D'"},
    {"dget", do_dget, "D K -> V"},
    {"dgetd", do_dgetd, "D K V -> V'"},
    {"dhas", do_dhas, "D K -> B"},
    {"ddel", do_ddel, "D K -> D'"},
    {"dkeys", do_dkeys, "D -> [K ...]"},
    {"dvals", do_dvals, "D -> [V ...]"},
    {"dsize", do_dsize, "D -> I"},
    {">dict", do_to_dict, "[[K V] ...] -> D"},
    {"dict>", do_from_dict, "D -> [[K V] ...]"},
    {"dmerge", do_dmerge, "D1 D2 -> D3"},
    {"dict", do_dict, "X -> B"},
    {"pdict-open", do_pdict_open, "\"name\" -> D"},
    {"pdict-close", do_pdict_close, "D ->"},
    {"nil?", do_nilp, "X -> B"},
    {"json>", do_from_json, "S -> V"},
    {">json", do_to_json, "V -> S"},
    {"let", do_let, "X1 .. Xn [N1 .. Nn] [P] -> ..."},
};
}  // namespace

BuiltinTable dict_builtins() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace joy
