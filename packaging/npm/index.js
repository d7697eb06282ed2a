// Persistent Joy for Node.js: the loadable SQLite extension of this checkout.
//
//   const sqlite3 = require('sqlite3');
//   const joy = require('persistent-joy');
//   const db = new sqlite3.Database(':memory:');
//   joy.load(db, (err) => db.get("SELECT joy_eval('[1 2 3] [dup *] map') AS r", (e, row) => console.log(row.r)));
//
// Installed from the checkout (`make && npm install ./packaging/npm`) it uses
// build/joy.so; a packed copy (`npm pack`) carries its own joy.so.
const fs = require('fs');
const path = require('path');

const bundled = path.join(__dirname, 'joy.so');
const built = path.join(__dirname, '..', '..', 'build', 'joy.so');

// The loadable file of the extension (what loadExtension takes).
exports.path = fs.existsSync(bundled) ? bundled : built;

// Loads the extension into a node-sqlite3 Database; callback(err).
exports.load = (db, callback) => db.loadExtension(exports.path, callback);
