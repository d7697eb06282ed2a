-- Persistent Joy schema, version 1.
-- Created on first use inside the caller's transaction; every table is
-- ordinary SQL, readable (and, with care, writable) by any SQLite client.

-- Key/value facts about this database's Joy tables.
--   schema_version  the version of this schema (upgraded in place)
--   next_node_id    the next id joy_nodes will use (ids are never reused)
CREATE TABLE IF NOT EXISTS main.joy_meta(
  key   TEXT PRIMARY KEY,
  value
);
INSERT OR IGNORE INTO main.joy_meta(key, value) VALUES ('schema_version', 1);
INSERT OR IGNORE INTO main.joy_meta(key, value) VALUES ('next_node_id', 1);

-- Definitions (DEFINE, joy_define), one namespace per session.
CREATE TABLE IF NOT EXISTS main.joy_definitions(
  session     TEXT NOT NULL DEFAULT 'main',
  name        TEXT NOT NULL,
  body        TEXT NOT NULL,      -- the body in Joy notation
  created_at  INTEGER NOT NULL,   -- unix time
  modified_at INTEGER NOT NULL,
  PRIMARY KEY (session, name)
);

-- Sessions that have been used (a session exists once it has a definition).
CREATE TABLE IF NOT EXISTS main.joy_sessions(
  name       TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);

-- Snapshots: copies of a session's definitions under a name. A row with
-- word = '' marks a snapshot of an empty session.
CREATE TABLE IF NOT EXISTS main.joy_snapshots(
  session    TEXT NOT NULL,
  name       TEXT NOT NULL,
  word       TEXT NOT NULL,
  body       TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (session, name, word)
);

-- Interned strings of the heap (string values, symbol names, dict keys).
CREATE TABLE IF NOT EXISTS main.joy_strings(
  id    INTEGER PRIMARY KEY,
  value TEXT NOT NULL UNIQUE
);

-- The persistent heap: one row per node.
--   kind    0 a root value, 1 a list cell, 2 a dict entry
--   type    what the node holds: 2 symbol, 3 builtin, 4 boolean, 5 char,
--           6 integer, 7 set, 8 string, 9 list, 10 float, 20 nil, 21 dict
--   ival    integer, char code, boolean (0/1) or set bits
--   fval    float
--   str_id  string or symbol name (joy_strings.id)
--   ref_id  a list's first cell or a dict's first entry (NULL when empty)
--   key_id  a dict entry's key (joy_strings.id)
--   next_id the next cell or entry (NULL at the end)
CREATE TABLE IF NOT EXISTS main.joy_nodes(
  id      INTEGER PRIMARY KEY,
  kind    INTEGER NOT NULL,
  type    INTEGER NOT NULL,
  ival    INTEGER,
  fval    REAL,
  str_id  INTEGER,
  ref_id  INTEGER,
  key_id  INTEGER,
  next_id INTEGER
);

-- Named roots: `X "name" persist` makes one; GC keeps what they reach.
CREATE TABLE IF NOT EXISTS main.joy_roots(
  name        TEXT PRIMARY KEY,
  node_id     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  modified_at INTEGER NOT NULL
);

-- SQL functions written in Joy (joy_create_function, joy_create_aggregate),
-- registered again on every connection that loads the extension.
--   kind      'scalar', 'aggregate', or 'window' (an aggregate with an inverse)
--   n_args    the number of SQL arguments (-1: any number)
--   programs  JSON object of program texts: {"program": ...} for a scalar,
--             {"init": ..., "step": ..., "final": ...[, "inverse": ...]} else
--   flags     'pure' (no effects: usable in views, indexes, generated columns)
--             or 'effects' (persistence and SQL allowed; direct calls only)
CREATE TABLE IF NOT EXISTS main.joy_functions(
  name       TEXT PRIMARY KEY COLLATE NOCASE,
  kind       TEXT NOT NULL,
  n_args     INTEGER NOT NULL,
  programs   TEXT NOT NULL,
  flags      TEXT NOT NULL,
  created_at INTEGER NOT NULL     -- unix time
);
