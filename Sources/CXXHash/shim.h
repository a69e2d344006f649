#ifndef CXXHASH_SHIM_H
#define CXXHASH_SHIM_H
// xxHash (Debian/Ubuntu: apt-get install libxxhash-dev; macOS: brew install xxhash): inlined for
// small inputs, and the library's runtime-dispatched vector code for large ones on x86-64 Linux.
// XXH_INLINE_ALL renames the functions through macros Swift cannot see, so these wrappers give
// them stable names.
#include <stddef.h>
#include <stdint.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#if defined(__x86_64__) && defined(__linux__)
// libxxhash's runtime-dispatched entry points (AVX2/AVX-512 when the CPU has them), declared
// here because xxh_x86dispatch.h does not combine with XXH_INLINE_ALL.
uint64_t XXH3_64bits_withSeed_dispatch(const void *input, size_t length, uint64_t seed);
int XXH3_64bits_update_dispatch(XXH3_state_t *state, const void *input, size_t length);
#define CXXHASH_DISPATCH 1
#endif

/// XXH3-64 of `length` bytes at `data`, with `seed`: inlined for small inputs, the library's
/// vectorised code for large ones.
static inline uint64_t cxxhash_xxh3_64(const void *data, size_t length, uint64_t seed) {
#ifdef CXXHASH_DISPATCH
    if (length >= 4096) return XXH3_64bits_withSeed_dispatch(data, length, seed);
#endif
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
#ifdef CXXHASH_DISPATCH
    XXH3_64bits_update_dispatch((XXH3_state_t *)state, data, length);
#else
    XXH3_64bits_update((XXH3_state_t *)state, data, length);
#endif
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
