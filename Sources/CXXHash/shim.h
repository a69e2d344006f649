#ifndef CXXHASH_SHIM_H
#define CXXHASH_SHIM_H
// xxHash (Debian/Ubuntu: apt-get install libxxhash-dev; macOS: brew install xxhash), used
// header-only: every function is inlined, so nothing needs linking. XXH_INLINE_ALL renames the
// functions through macros Swift cannot see, so these wrappers give them stable names.
#include <stddef.h>
#include <stdint.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

/// XXH3-64 of `length` bytes at `data`, with `seed`.
static inline uint64_t cxxhash_xxh3_64(const void *data, size_t length, uint64_t seed) {
    return XXH3_64bits_withSeed(data, length, seed);
}

/// XXH3-128 of `length` bytes at `data`, as its high and low halves.
static inline void cxxhash_xxh3_128(const void *data, size_t length, uint64_t *high, uint64_t *low) {
    XXH128_hash_t hash = XXH3_128bits(data, length);
    *high = hash.high64;
    *low = hash.low64;
}

/// A streaming XXH3-64 state (heap-allocated; free it with cxxhash_state_free).
static inline void *cxxhash_state_new(uint64_t seed) {
    XXH3_state_t *state = XXH3_createState();
    if (state) XXH3_64bits_reset_withSeed(state, seed);
    return state;
}

/// Adds `length` bytes at `data` to a streaming state.
static inline void cxxhash_state_update(void *state, const void *data, size_t length) {
    XXH3_64bits_update((XXH3_state_t *)state, data, length);
}

/// The XXH3-64 of everything added so far.
static inline uint64_t cxxhash_state_digest(const void *state) {
    return XXH3_64bits_digest((const XXH3_state_t *)state);
}

/// Frees a streaming state.
static inline void cxxhash_state_free(void *state) {
    XXH3_freeState((XXH3_state_t *)state);
}
#endif
