// The extension in Node.js through the `sqlite3` package (node-sqlite3).
//   node tests/node/host.js <path of joy.so> <scratch folder>
// Prints one line per check, "ok <what>", and exits 1 on the first failure.
const assert = require('assert');
const path = require('path');
const sqlite3 = require('sqlite3');

const [extension, scratch] = process.argv.slice(2);

function open(file) {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(db)));
  });
}
const load = (db) => new Promise((resolve, reject) => db.loadExtension(extension, (e) => (e ? reject(e) : resolve())));
const get = (db, sql, ...params) =>
  new Promise((resolve, reject) => db.get(sql, params, (e, row) => (e ? reject(e) : resolve(row))));
const close = (db) => new Promise((resolve, reject) => db.close((e) => (e ? reject(e) : resolve())));

async function main() {
  // The README's example
  const db = await open(':memory:');
  await load(db);
  assert.deepStrictEqual(await get(db, "SELECT joy_eval('[1 2 3] [dup *] map') AS r"), { r: '[1 4 9]' });
  assert.deepStrictEqual(await get(db, "SELECT joy_eval('dup *', ?) AS r", 7), { r: 49 });
  console.log('ok README example');

  // An error is an SQL error that starts with joy:
  await assert.rejects(get(db, "SELECT joy_eval('pop')"), /joy: run time error: one parameter needed for pop/);
  console.log('ok error');

  // The step limit stops a runaway program, and the connection goes on
  await get(db, 'SELECT joy_limits(100000, NULL, NULL)');
  await assert.rejects(get(db, "SELECT joy_eval('[true] [] while')"), /step limit exceeded/);
  assert.deepStrictEqual(await get(db, "SELECT joy_eval('2 3 +') AS r"), { r: 5 });
  console.log('ok step limit');

  // A function written in Joy
  await get(db, "SELECT joy_create_function('cubed', 1, 'dup dup * *')");
  assert.deepStrictEqual(await get(db, 'SELECT cubed(3) AS r'), { r: 27 });
  console.log('ok user function');
  await close(db);

  // A definition persisted by one connection is seen by another
  const file = path.join(scratch, 'node.db');
  const a = await open(file);
  await load(a);
  await get(a, "SELECT joy_define('sq', 'dup *')");
  await close(a);
  const b = await open(file);
  await load(b);
  assert.deepStrictEqual(await get(b, "SELECT joy_eval('7 sq') AS r"), { r: 49 });
  await close(b);
  console.log('ok persisted definition');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
