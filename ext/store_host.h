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

class StoreHost : public joy::Host {
public:
    joy::Store* store() override { return store_.get(); }
    SqliteStore* sqlite_store() { return store_.get(); }
    void on_define(joy::Sym& s) override;
    bool lookup_definition(joy::Interp& I, joy::Sym& s) override;
    // Call before each run (statement or SQL call).
    void sync(joy::Interp& I);
    void refresh_definitions(joy::Interp& I) override { sync(I); }
    // Definitions of this host are kept in memory only (pure calls, a
    // read-only database).
    bool write_through = true;
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
    uint64_t generation_ = 0;
    bool loading_ = false;
};

}  // namespace joyext
