/*
 * raw_lmdb: the raw-LMDB anchor of the side-by-side comparison (make bench-compare).
 * The same workloads as the Swift `Compare` runner, written straight against liblmdb.
 *
 *   raw_lmdb <dir> <workload> <keys> <value-bytes> <sync|nosync>
 *
 * workloads: get-hit get-miss set set-batch delete sweep open, and get-hit-threads<N> (N threads,
 * each with its own read transaction, reading keys*3 random hits in all; the anchor of the
 * throughput-against-concurrency rows).
 * Prints "<workload> <ops> <seconds> <ops/s>" on stdout.
 * Keys are "key-%010u" (14 bytes), as in python-diskcache's and our own runs.
 * COMPARE_OPS, when set, is the number of timed gets of get-hit/get-miss and of deletes of sweep
 * (instead of keys*3 and keys): the scaling rows time the same number of operations at every size.
 */
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, mdb_strerror(rc_)); exit(1); } } while (0)

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t next_random(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)rng; }

/* One reader thread of get-hit-threads<N>: its own read transaction, reset/renew per get. */
struct reader { MDB_env *env; MDB_dbi dbi; unsigned keys, ops, seed; unsigned sink; };

static void *read_hits(void *arg) {
    struct reader *r = arg;
    uint64_t state = 88172645463325252ULL ^ ((uint64_t)r->seed * 0x9E3779B97F4A7C15ULL);
    char kbuf[32];
    MDB_val k, v;
    MDB_txn *rtxn;
    CHECK(mdb_txn_begin(r->env, NULL, MDB_RDONLY, &rtxn));
    mdb_txn_reset(rtxn);
    for (unsigned i = 0; i < r->ops; i++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        k.mv_size = (size_t)snprintf(kbuf, sizeof kbuf, "key-%010u", (uint32_t)state % r->keys); k.mv_data = kbuf;
        CHECK(mdb_txn_renew(rtxn));
        CHECK(mdb_get(rtxn, r->dbi, &k, &v));
        r->sink += (unsigned)v.mv_size + ((unsigned char *)v.mv_data)[0];
        mdb_txn_reset(rtxn);
    }
    mdb_txn_abort(rtxn);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: raw_lmdb <dir> <workload> <keys> <value-bytes> <sync|nosync>\n"); return 2; }
    const char *dir = argv[1], *workload = argv[2];
    unsigned keys = (unsigned)atoi(argv[3]);
    size_t vsize = (size_t)atoi(argv[4]);
    unsigned flags = MDB_NOTLS | (strcmp(argv[5], "nosync") == 0 ? MDB_NOSYNC : 0);

    MDB_env *env; MDB_dbi dbi; MDB_txn *txn;
    CHECK(mdb_env_create(&env));
    CHECK(mdb_env_set_mapsize(env, (size_t)1 << 36));
    CHECK(mdb_env_set_maxdbs(env, 4));
    CHECK(mdb_env_set_maxreaders(env, 256));
    CHECK(mdb_env_open(env, dir, flags, 0600));
    CHECK(mdb_txn_begin(env, NULL, 0, &txn));
    CHECK(mdb_dbi_open(txn, "data", MDB_CREATE, &dbi));
    CHECK(mdb_txn_commit(txn));

    char kbuf[32];
    char *value = malloc(vsize ? vsize : 1);
    memset(value, 'v', vsize);
    MDB_val k, v;
    int preload = strcmp(workload, "set") != 0 && strcmp(workload, "set-batch") != 0;
    if (preload) {
        for (unsigned start = 0; start < keys; start += 100000) {
            CHECK(mdb_txn_begin(env, NULL, 0, &txn));
            for (unsigned i = start; i < keys && i < start + 100000; i++) {
                k.mv_size = (size_t)snprintf(kbuf, sizeof kbuf, "key-%010u", i); k.mv_data = kbuf;
                v.mv_size = vsize; v.mv_data = value;
                CHECK(mdb_put(txn, dbi, &k, &v, 0));
            }
            CHECK(mdb_txn_commit(txn));
        }
    }

    unsigned ops = keys;
    const char *fixed = getenv("COMPARE_OPS");
    unsigned fixed_ops = fixed ? (unsigned)atoi(fixed) : 0;
    volatile unsigned sink = 0;
    double start = now();
    if (strncmp(workload, "get-hit-threads", 15) == 0) {
        unsigned threads = (unsigned)atoi(workload + 15);
        if (threads < 1 || threads > 200) { fprintf(stderr, "get-hit-threads<N>: N from 1 to 200\n"); return 2; }
        pthread_t ids[200];
        struct reader readers[200];
        ops = keys * 3 / threads * threads;
        for (unsigned t = 0; t < threads; t++) {
            readers[t] = (struct reader){env, dbi, keys, keys * 3 / threads, t, 0};
            if (pthread_create(&ids[t], NULL, read_hits, &readers[t])) { perror("pthread_create"); return 1; }
        }
        for (unsigned t = 0; t < threads; t++) { pthread_join(ids[t], NULL); sink += readers[t].sink; }
    } else if (strcmp(workload, "get-hit") == 0 || strcmp(workload, "get-miss") == 0) {
        int miss = workload[4] == 'm';
        ops = fixed_ops ? fixed_ops : keys * 3;
        MDB_txn *rtxn;
        CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &rtxn));
        mdb_txn_reset(rtxn);
        for (unsigned i = 0; i < ops; i++) {
            unsigned id = next_random() % keys;
            k.mv_size = (size_t)snprintf(kbuf, sizeof kbuf, miss ? "nokey-%010u" : "key-%010u", id); k.mv_data = kbuf;
            CHECK(mdb_txn_renew(rtxn));
            int rc = mdb_get(rtxn, dbi, &k, &v);
            if (rc == 0) sink += (unsigned)v.mv_size + ((unsigned char *)v.mv_data)[0];
            else if (rc != MDB_NOTFOUND) CHECK(rc);
            mdb_txn_reset(rtxn);
        }
        mdb_txn_abort(rtxn);
    } else if (strcmp(workload, "set") == 0) {
        for (unsigned i = 0; i < keys; i++) {
            CHECK(mdb_txn_begin(env, NULL, 0, &txn));
            k.mv_size = (size_t)snprintf(kbuf, sizeof kbuf, "key-%010u", i); k.mv_data = kbuf;
            v.mv_size = vsize; v.mv_data = value;
            CHECK(mdb_put(txn, dbi, &k, &v, 0));
            CHECK(mdb_txn_commit(txn));
        }
    } else if (strcmp(workload, "set-batch") == 0) {
        for (unsigned i = 0; i < keys; i += 1000) {
            CHECK(mdb_txn_begin(env, NULL, 0, &txn));
            for (unsigned j = i; j < i + 1000 && j < keys; j++) {
                k.mv_size = (size_t)snprintf(kbuf, sizeof kbuf, "key-%010u", j); k.mv_data = kbuf;
                v.mv_size = vsize; v.mv_data = value;
                CHECK(mdb_put(txn, dbi, &k, &v, 0));
            }
            CHECK(mdb_txn_commit(txn));
        }
    } else if (strcmp(workload, "delete") == 0) {
        for (unsigned i = 0; i < keys; i++) {
            CHECK(mdb_txn_begin(env, NULL, 0, &txn));
            k.mv_size = (size_t)snprintf(kbuf, sizeof kbuf, "key-%010u", i); k.mv_data = kbuf;
            CHECK(mdb_del(txn, dbi, &k, NULL));
            CHECK(mdb_txn_commit(txn));
        }
    } else if (strcmp(workload, "sweep") == 0) {
        /* Delete every entry with a cursor, 1000 per transaction (the raw rate a sweep can reach). */
        unsigned left = fixed_ops && fixed_ops < keys ? fixed_ops : keys;
        ops = left;
        while (left > 0) {
            MDB_cursor *cur;
            CHECK(mdb_txn_begin(env, NULL, 0, &txn));
            CHECK(mdb_cursor_open(txn, dbi, &cur));
            for (unsigned j = 0; j < 1000 && left > 0; j++, left--) {
                CHECK(mdb_cursor_get(cur, &k, &v, MDB_FIRST));
                CHECK(mdb_cursor_del(cur, 0));
            }
            mdb_cursor_close(cur);
            CHECK(mdb_txn_commit(txn));
        }
    } else if (strcmp(workload, "open") == 0) {
        /* Close, then open again 200 times: create, open, open the database, one read txn. */
        mdb_env_close(env);
        ops = 200;
        for (unsigned i = 0; i < ops; i++) {
            MDB_stat st;
            CHECK(mdb_env_create(&env));
            CHECK(mdb_env_set_mapsize(env, (size_t)1 << 36));
            CHECK(mdb_env_set_maxdbs(env, 4));
            CHECK(mdb_env_open(env, dir, flags, 0600));
            CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
            CHECK(mdb_dbi_open(txn, "data", 0, &dbi));
            CHECK(mdb_stat(txn, dbi, &st));
            sink += (unsigned)st.ms_entries;
            mdb_txn_abort(txn);
            if (i + 1 < ops) mdb_env_close(env);
        }
    } else {
        fprintf(stderr, "unknown workload %s\n", workload);
        return 2;
    }
    double elapsed = now() - start;
    printf("%s %u %.6f %.0f\n", workload, ops, elapsed, ops / elapsed);
    (void)sink;
    mdb_env_close(env);
    free(value);
    return 0;
}
