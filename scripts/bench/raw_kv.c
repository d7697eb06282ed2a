/* raw_kv.c - the raw SQLite rate bench_collections.py compares pdict with:
 * N upserts through one prepared statement in one transaction, then N point
 * lookups of the same keys, on a table like a pdict's. Keys "1".."N", values
 * the JSON text dput stores for the same strings. Prints both times in
 * seconds.   usage: raw_kv DBFILE N */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void check(sqlite3* db, int rc) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "raw_kv: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
}

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    int n = atoi(argv[2]);
    sqlite3* db;
    check(db, sqlite3_open(argv[1], &db));
    /* as the joy CLI opens its files */
    check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL; DROP TABLE IF EXISTS raw;"
                               "CREATE TABLE raw(key TEXT PRIMARY KEY, value)", 0, 0, 0));
    sqlite3_stmt *put, *get;
    check(db, sqlite3_prepare_v2(db, "INSERT INTO raw(key, value) VALUES (?1, ?2) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", -1, &put, 0));
    check(db, sqlite3_prepare_v2(db, "SELECT value FROM raw WHERE key = ?1", -1, &get, 0));
    char key[32], value[40];
    double t0 = now();
    check(db, sqlite3_exec(db, "BEGIN", 0, 0, 0));
    for (int i = 1; i <= n; ++i) {
        int kl = snprintf(key, sizeof key, "%d", i);
        int vl = snprintf(value, sizeof value, "\"%d\"", i);
        sqlite3_bind_text(put, 1, key, kl, SQLITE_STATIC);
        sqlite3_bind_text(put, 2, value, vl, SQLITE_STATIC);
        check(db, sqlite3_step(put));
        sqlite3_reset(put);
    }
    check(db, sqlite3_exec(db, "COMMIT", 0, 0, 0));
    double t1 = now();
    long bytes = 0;
    check(db, sqlite3_exec(db, "BEGIN", 0, 0, 0));
    for (int i = 1; i <= n; ++i) {
        int kl = snprintf(key, sizeof key, "%d", i);
        sqlite3_bind_text(get, 1, key, kl, SQLITE_STATIC);
        if (sqlite3_step(get) == SQLITE_ROW) bytes += sqlite3_column_bytes(get, 0);
        sqlite3_reset(get);
    }
    check(db, sqlite3_exec(db, "COMMIT", 0, 0, 0));
    double t2 = now();
    printf("%.6f %.6f\n", t1 - t0, t2 - t1);
    sqlite3_finalize(put);
    sqlite3_finalize(get);
    sqlite3_close(db);
    return bytes == 0;
}
