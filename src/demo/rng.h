/*
 * rng.h - the demo's small deterministic generator (xoshiro256** seeded
 * through splitmix64), shared by demo.c and feedback.c. Internal to
 * src/demo/.
 */
#ifndef CXM_DEMO_RNG_H
#define CXM_DEMO_RNG_H

#include "cxm/core.h"

/* ---- a small deterministic generator --------------------------------------- */

/*
 * C leaves the order in which a call's arguments (or the operands of +) are
 * evaluated unspecified, so no expression here makes more than one draw:
 * otherwise the same seed could give other data with another compiler.
 */

struct rng {
	uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Stream `stream` of the generator for `seed`. */
static inline void rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;
	uint64_t k = splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ull);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&k);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 for our n). */
static inline uint64_t below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* Uniform in [lo, hi]. */
static inline int64_t between(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)below(r, (uint64_t)(hi - lo + 1));
}

/* true with probability permille / 1000. */
static inline bool chance(struct rng *r, unsigned permille)
{
	return below(r, 1000) < permille;
}

static inline size_t pick_weighted(struct rng *r, const unsigned *w, size_t n)
{
	uint64_t total = 0, u;

	for (size_t i = 0; i < n; i++)
		total += w[i];
	u = below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (u < w[i])
			return i;
		u -= w[i];
	}
	BUG("weights changed under pick_weighted");
}

#define PICK(r, arr) ((arr)[below((r), ARRAY_SIZE(arr))])

/* A bijective 64-bit mix: distinct inputs give distinct outputs. */
static inline uint64_t fmix64(uint64_t z)
{
	z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDull;
	z = (z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53ull;
	return z ^ (z >> 33);
}

#endif
