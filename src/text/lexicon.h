/*
 * lexicon.h - the sentiment lexicons compiled into the binary (internal to
 * src/text/). The tables are generated at build time by tools/gen-lexicon.c
 * from node_modules/vader-sentiment/vader_lexicon.txt (English) and
 * data/lexicons/ (Spanish, emoji, English idioms); see docs/text.md.
 */
#ifndef CXM_TEXT_LEXICON_H
#define CXM_TEXT_LEXICON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CXM_LEXF_VALENCE 0x1u    /* the key carries a valence */
#define CXM_LEXF_PHRASE_SHIFT 4 /* bits 4..7: words of the longest phrase the key starts */
#define CXM_LEXF_ROLE_SHIFT 8   /* bits 8..11: the key's rule role (sentiment-rules.h), 0 none */
#define CXM_LEX_ROLE(e) (((e)->flags >> CXM_LEXF_ROLE_SHIFT) & 0xfu)

struct cxm_lex_entry {
	const char *key; /* a token key, a phrase of keys joined by ' ', an emoji or a stem */
	float valence;   /* -4..+4, VADER's scale */
	unsigned flags;  /* CXM_LEXF_* */
	uint32_t hash;   /* cxm_lex_hash of key: most probes end on it */
	uint32_t len;    /* strlen(key) */
};

/*
 * An open-addressing hash table (linear probing). A slot holds the top 16
 * bits of its key's hash and, in the low 16 bits, entry index + 1 (0 is
 * empty), so most probes that miss never touch the entries.
 */
struct cxm_lex_table {
	const struct cxm_lex_entry *entries;
	size_t n;
	const uint32_t *slots;
	size_t mask; /* slots - 1, a power of two minus one */
};

struct cxm_lexicon {
	struct cxm_lex_table words; /* keys and phrases */
	struct cxm_lex_table stems; /* Snowball stems (Spanish only; empty otherwise) */
	size_t stem_min;            /* the shortest stem's length */
	const uint8_t *stem_bloom;  /* 65536 bits: CXM_LEX_BLOOM_HIT of every stem's hash is set */
	const uint8_t *stem_heads;  /* 65536 bits: the same for every prefix of a stem (the stem too) */
	/*
	 * 65536 bits: for every key of words with a space (a phrase or the
	 * first two words of one), cut at its spaces into words w1 .. wn,
	 * CXM_LEX_BLOOM_HIT of cxm_lex_phrase_hash(cxm_lex_hash(w1),
	 * cxm_lex_hash(wn), n) is set; so n keys without spaces joined by
	 * spaces make no key of words unless their first, last and n hit it.
	 */
	const uint8_t *phrase_bloom;
};

/* A Bloom filter with two bits per key, both taken from its FNV-1a hash h
 * (FNV-1a: the prefixes of a word hash one byte at a time). */
#define CXM_LEX_BLOOM_BIT(b, i) (((b)[(i) >> 3] >> ((i) & 7)) & 1u)
#define CXM_LEX_BLOOM_HIT(b, h) (CXM_LEX_BLOOM_BIT(b, (h) & 0xffffu) && CXM_LEX_BLOOM_BIT(b, (h) >> 16))

extern const struct cxm_lexicon cxm_lex_en, cxm_lex_es, cxm_lex_emoji;

#define CXM_LEX_FNV_INIT 2166136261u
#define CXM_LEX_FNV_STEP(h, c) (((h) ^ (unsigned char)(c)) * 16777619u)

/* Whether a[0..len) and b[0..len) are the same bytes: keys are short, and
 * a loop is cheaper than a call to memcmp. */
static inline int cxm_lex_same(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The entry for key[0..len), whose cxm_lex_hash is h, in t, or NULL. */
static inline const struct cxm_lex_entry *cxm_lex_find_hashed(const struct cxm_lex_table *t, const char *key,
							       size_t len, uint32_t h)
{
	uint32_t tag = h >> 16;

	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		uint32_t s = t->slots[i];
		const struct cxm_lex_entry *e;

		if (!s)
			return NULL;
		if (s >> 16 != tag)
			continue;
		e = &t->entries[(s & 0xffffu) - 1];
		if (e->hash == h && e->len == len && cxm_lex_same(e->key, key, len))
			return e;
	}
}

static inline uint32_t cxm_lex_load32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The hash of the tables: eight bytes at a time (read as little-endian, so
 * the generator and cxm agree on any host), mixed by multiplication.
 */
static inline uint32_t cxm_lex_hash(const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
			     (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;

		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	if (len) { /* 1 to 7 bytes: two overlapping words, or the first, middle and last byte */
		uint64_t w;

		if (len >= 4)
			w = (uint64_t)cxm_lex_load32(p) | (uint64_t)cxm_lex_load32(p + len - 4) << 32;
		else
			w = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/* The hash of a phrase of n words by its first and last word's cxm_lex_hash. */
static inline uint32_t cxm_lex_phrase_hash(uint32_t first, uint32_t last, unsigned n)
{
	uint64_t h = ((uint64_t)first << 32 | last) * 0xff51afd7ed558ccdull;

	h = (h ^ h >> 29 ^ n) * 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h >> 32 ^ h);
}

/*
 * Whether lx may have a key of n words (keys without spaces joined by
 * spaces) whose first and last have the cxm_lex_hash first and last;
 * false: it has none.
 */
static inline int cxm_lex_may_phrase(const struct cxm_lexicon *lx, uint32_t first, uint32_t last, unsigned n)
{
	uint32_t h = cxm_lex_phrase_hash(first, last, n);

	return CXM_LEX_BLOOM_HIT(lx->phrase_bloom, h);
}

/* The entry for key[0..len) in t, or NULL. Borrows everything. */
static inline const struct cxm_lex_entry *cxm_lex_find(const struct cxm_lex_table *t, const char *key, size_t len)
{
	return cxm_lex_find_hashed(t, key, len, cxm_lex_hash(key, len));
}

/*
 * Whether some prefix of key[0..len) is a stem of lx: a cheap test before
 * stemming, since a Snowball stem of an unaccented key is a prefix of it.
 * The Bloom filter (8 KB) keeps most prefixes away from the table, and the
 * one of the stems' prefixes ends the search at the first prefix of key
 * that no stem starts with (most words, after two to four bytes).
 */
static inline int cxm_lex_has_stem_prefix(const struct cxm_lexicon *lx, const char *key, size_t len)
{
	const struct cxm_lex_table *t = &lx->stems;
	uint32_t h = CXM_LEX_FNV_INIT;
	size_t min = lx->stem_min;

	if (!t->n || len < min)
		return 0;
	for (size_t i = 0; i < len; i++) {
		h = CXM_LEX_FNV_STEP(h, key[i]);
		if (!CXM_LEX_BLOOM_HIT(lx->stem_heads, h))
			return 0;
		if (i + 1 >= min && CXM_LEX_BLOOM_HIT(lx->stem_bloom, h) && cxm_lex_find(t, key, i + 1))
			return 1;
	}
	return 0;
}

#endif
