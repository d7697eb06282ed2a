// store_host.h - a joy::Host with a database: definitions write through to
// joy_definitions and are fetched lazily, the first time a word is used.
//
// Both hosts derive from it: the extension's (the database is the caller's
// connection) and the CLI's (the database is the world file it opened).
// Before every run the host calls sync(), which notices definitions changed
// elsewhere (another connection, a session switch, a rolled-back call) and
// forgets the stale ones so they are fetched again.
#pragma once
#include <memory>

#include "../joycore/interp.h"
#include "sqlite_store.h"

namespace joyext {

// Whether the definitions were checked against changes made elsewhere
// during one run of one SQL statement, and the connection's count of
// changes then (sqlite3_total_changes64).
struct DefinitionsMemo {
    bool definitions_checked = false;
    int64_t changes = -1;
};

class StoreHost : public joy::Host {
public:
    // The store, its definitions checked first if a check is pending.
    joy::Store* store() override {
        if (check_pending_) settle();
        return store_.get();
    }
    SqliteStore* sqlite_store() { return store_.get(); }
    // The next use of the store (or of a definition loaded from it) first
    // notices definitions changed elsewhere: a call that uses neither does
    // no store work at all.
    void check_before_use(joy::Interp& I) {
        check_pending_ = store_ != nullptr;
        I.check_stored = check_pending_;
    }
    // The memo of the SQL statement whose call is running, if its caller
    // keeps one (see JoyConnection::call).
    DefinitionsMemo* statement = nullptr;
    void on_define(joy::Sym& s) override;
    bool lookup_definition(joy::Interp& I, joy::Sym& s) override;
    // Call before each run (statement or SQL call), or check_before_use().
    void sync(joy::Interp& I);
    void refresh_definitions(joy::Interp& I) override { sync(I); }
    void set_store(std::unique_ptr<SqliteStore> s, joy::Interp* I);
    // Before switching databases: the definitions loaded from the current
    // one are dropped, or with `keep` kept in memory only.
    void release_definitions(joy::Interp& I, bool keep);
    // Here the world is the connection: closing it (session-close,
    // world-close) only returns to the session main.
    void close_world(joy::Interp& I) override;

protected:
    std::unique_ptr<SqliteStore> store_;

private:
    void settle();
    joy::Interp* interp_ = nullptr;
    uint64_t generation_ = 0;
    bool loading_ = false;
    bool check_pending_ = false;
};

}  // namespace joyext
