// store_host.cpp - write-through and lazy loading of definitions.
#include "store_host.h"

#include "../joycore/printer.h"
#include "../joycore/reader.h"
#include "../joycore/utf8.h"

SQLITE_EXTENSION_INIT3

namespace joyext {

void StoreHost::set_store(std::unique_ptr<SqliteStore> s, joy::Interp* I) {
    store_ = std::move(s);
    interp_ = I;
    check_pending_ = false;
    if (store_) {
        store_->attach(I);
        generation_ = store_->definitions_generation();
    }
}

void StoreHost::on_define(joy::Sym& s) {
    if (loading_ || !store_) return;
    std::string name = joy::stored_name(s);  // a private word of a block with public words too
    if (name.empty()) return;
    if (!joy::valid_utf8(name))  // joy_definitions.name is TEXT, which must be UTF-8
        throw joy::JoyError("run time error: the definition of " + joy::utf8_escaped(name) +
                            " cannot be stored: its name is not UTF-8");
    s.from_store = false;  // so a refresh does not drop the new body
    if (check_pending_) settle();
    if (sqlite3_db_readonly(store_->db(), "main") == 1)  // it would be lost at the next call
        throw joy::JoyError("run time error: the database is read-only: the definition of " + s.name +
                            " cannot be stored");
    if (!s.defined) {
        store_->drop_definition(name);
        return;
    }
    std::string body;
    joy::print_term(body, s.body.u.list, true);
    store_->save_definition(name, body);
    s.from_store = !s.hidden;  // a refresh reloads public words only
}

bool StoreHost::lookup_definition(joy::Interp& I, joy::Sym& s) {
    if (!store_ || s.hidden || loading_) return false;
    if (check_pending_) settle();
    std::string text;
    if (!store_->load_definition(s.name, text)) return false;
    loading_ = true;
    struct Done { bool& flag; ~Done() { flag = false; } } done{loading_};
    joy::Parser p(I, text);
    p.set_warnings(false);
    joy::Item item = p.next();
    joy::Value body = item.kind == joy::Item::STATEMENT ? std::move(item.terms) : joy::Value::empty_list();
    s.body = std::move(body);
    s.defined = true;
    s.from_store = true;
    return true;
}

void StoreHost::release_definitions(joy::Interp& I, bool keep) {
    for (joy::Sym* s : I.all_symbols())
        if (s->from_store) {
            s->from_store = false;
            if (keep) continue;
            s->body = joy::Value();
            s->defined = false;
        }
}

void StoreHost::close_world(joy::Interp& I) {
    if (!store_) return;
    store_->set_session("main");
    sync(I);
}

void StoreHost::settle() {
    check_pending_ = false;
    if (interp_) sync(*interp_);
}

void StoreHost::sync(joy::Interp& I) {
    check_pending_ = false;
    I.check_stored = false;
    if (!store_) return;
    // A statement sees one version of the definitions (as it sees one
    // snapshot of the tables), plus what this connection changed since.
    int64_t changes = sqlite3_total_changes64(store_->db());
    bool checked = statement && statement->definitions_checked && statement->changes == changes &&
                   !store_->wrote_in_outer_transaction();
    uint64_t g = checked ? store_->local_generation() : store_->definitions_generation();
    if (statement) {
        statement->definitions_checked = true;
        statement->changes = changes;
    }
    if (g == generation_) return;
    generation_ = g;
    release_definitions(I, false);
}

}  // namespace joyext
