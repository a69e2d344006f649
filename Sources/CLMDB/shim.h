#ifndef CLMDB_SHIM_H
#define CLMDB_SHIM_H
// The system's LMDB (Debian/Ubuntu: apt-get install liblmdb-dev; macOS: brew install lmdb).
// Only Sources/LMDB imports this module.
#include <lmdb.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// Opens the environment at `path` read-only, without the lock file, reads the id of the last
// committed transaction from its meta pages (no data page is read) and closes it.
static inline int cashews_lmdb_last_txnid(const char *path, size_t *txnid) {
    MDB_env *env = NULL;
    int rc = mdb_env_create(&env);
    if (rc) return rc;
    rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0600);
    if (rc == 0) {
        MDB_envinfo info;
        mdb_env_info(env, &info);
        *txnid = info.me_last_txnid;
    }
    mdb_env_close(env);
    return rc;
}

// Walks one database with a cursor, touching every key and value byte.
static inline int cashews_lmdb_walk(MDB_txn *txn, MDB_dbi dbi, volatile uint8_t *sink) {
    MDB_cursor *cursor = NULL;
    int rc = mdb_cursor_open(txn, dbi, &cursor);
    if (rc) return rc;
    MDB_val key, data;
    while ((rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)) == 0) {
        for (size_t i = 0; i < key.mv_size; i++) *sink ^= ((const uint8_t *)key.mv_data)[i];
        for (size_t i = 0; i < data.mv_size; i += 512) *sink ^= ((const uint8_t *)data.mv_data)[i];
        if (data.mv_size) *sink ^= ((const uint8_t *)data.mv_data)[data.mv_size - 1];
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

// Reads every page reachable from the last committed meta page: the main database, each named
// database in it, and the free list. Returns 0 when LMDB found nothing wrong.
static inline int cashews_lmdb_walk_all(const char *path, size_t map_size) {
    MDB_env *env = NULL;
    int rc = mdb_env_create(&env);
    if (rc) return rc;
    mdb_env_set_maxdbs(env, 64);
    mdb_env_set_mapsize(env, map_size);
    rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0600);
    MDB_txn *txn = NULL;
    if (rc == 0) rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    volatile uint8_t sink = 0;
    MDB_dbi main_dbi = 0;
    if (rc == 0) rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
    if (rc == 0) rc = cashews_lmdb_walk(txn, 0, &sink);  // the free list (FREE_DBI)
    if (rc == 0) rc = cashews_lmdb_walk(txn, main_dbi, &sink);
    MDB_cursor *names = NULL;
    if (rc == 0) rc = mdb_cursor_open(txn, main_dbi, &names);
    if (rc == 0) {
        MDB_val key, data;
        char name[512];
        while (rc == 0 && (rc = mdb_cursor_get(names, &key, &data, MDB_NEXT)) == 0) {
            if (key.mv_size == 0 || key.mv_size >= sizeof name || memchr(key.mv_data, 0, key.mv_size)) continue;
            memcpy(name, key.mv_data, key.mv_size);
            name[key.mv_size] = 0;
            MDB_dbi dbi;
            int open = mdb_dbi_open(txn, name, 0, &dbi);
            if (open == MDB_NOTFOUND || open == MDB_INCOMPATIBLE) continue;  // a plain key, not a database
            rc = open ? open : cashews_lmdb_walk(txn, dbi, &sink);
        }
        if (rc == MDB_NOTFOUND) rc = 0;
        mdb_cursor_close(names);
    }
    if (txn) mdb_txn_abort(txn);
    mdb_env_close(env);
    return rc;
}

// Runs cashews_lmdb_walk_all in a child process, so that a damaged file that makes LMDB fault
// kills the child, not the caller. Returns 0 when the walk passed, 1 when LMDB reported damage,
// 2 when the child died of a signal or ran past `timeout_ms`, -1 (errno set) when no child could
// be started. The child runs only C code and leaves with _exit.
static inline int cashews_lmdb_verify_in_child(const char *path, size_t map_size, int timeout_ms) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        alarm((unsigned)(timeout_ms / 1000 + 1));
        _exit(cashews_lmdb_walk_all(path, map_size) == 0 ? 0 : 1);
    }
    struct timespec pause = {0, 1000000};
    for (int waited = 0;; waited++) {
        int status = 0;
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? 0 : 1;
            return 2;
        }
        if (done < 0 && errno != EINTR) return -1;
        if (waited >= timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return 2;
        }
        nanosleep(&pause, NULL);
    }
}
#endif
