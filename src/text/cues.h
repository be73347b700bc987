/*
 * cues.h - word sequences matched on the tokens of a text (internal to
 * src/text/): the compiled form shared by the emotion and reason tables
 * (generated at build time from data/text/emotions.tsv and reasons.tsv
 * by tools/gen-cues.c) and the theme taxonomies (compiled at run time
 * from JSON by themes.c).
 *
 * A cue is one to CUE_MAX_WORDS words matched on consecutive tokens of one
 * sentence. Each word is written in key form (struct cxm_token.key: case
 * folded, no accents) and matches a token
 *   CUE_STEM:   whose key is the word, or whose Snowball stem (in the cue's
 *               language) is the word's stem ("decepcionado" ~ "decepcionada");
 *   CUE_EXACT:  whose key is the word ("=caro" is not "cara");
 *   CUE_PREFIX: whose key starts with the word ("tard*").
 * An exclusion cue of category c matches like any other, and the tokens it
 * covers can then not be part of a cue of c ("buenas tardes" is not waiting).
 */
#ifndef CXM_TEXT_CUES_H
#define CXM_TEXT_CUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CUE_MAX_WORDS 8
/* categories of one set are bits of a 64-bit mask per token */
#define CUE_MAX_CATS 64

enum cue_how { CUE_STEM, CUE_EXACT, CUE_PREFIX };

struct cue_word {
	const char *key;
	const char *stem; /* CUE_STEM only, else NULL */
	uint8_t how;      /* enum cue_how */
};

struct cue {
	uint32_t word; /* index of its first word in the language's words */
	uint8_t nword;
	uint8_t cat;     /* emotion, reason or theme */
	uint8_t exclude; /* 1: an exclusion */
	float weight;
};

/* An index entry: the key or stem of a cue's first word, and the cue. */
struct cue_ref {
	const char *s;
	uint32_t cue;
};

/* The cues of one language, with their indexes (sorted by strcmp). */
struct cue_lang {
	const struct cue *cue;
	size_t ncue;
	const struct cue_word *word;
	size_t nword;
	const struct cue_ref *by_key; /* first words (CUE_STEM and CUE_EXACT) by key */
	size_t nkey;
	const struct cue_ref *by_stem; /* first words (CUE_STEM) by stem */
	size_t nstem;
	const uint32_t *by_prefix; /* cues whose first word is a CUE_PREFIX */
	size_t nprefix;
	/* hash tables over by_key and by_stem: slot = 1 + the index of the first
	 * entry of a run of equal strings, 0 empty; mask + 1 slots (a power of 2) */
	const uint32_t *key_slot, *stem_slot;
	uint32_t key_mask, stem_mask;
	/* CUE_PREFIX_BITS bits: the first 1 to 3 bytes of every first word's key
	 * and stem (cue_prefix_bit); a token whose key begins with none of them
	 * starts no cue, and needs no stem for that */
	const uint8_t *first_bits;
};

/* FNV-1a, for the hash tables of struct cue_lang */
static inline uint32_t cue_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/*
 * Fills slots (mask + 1 of them, zeroed, at least twice the number of
 * distinct strings) for r[0..n), sorted so that equal strings are together.
 */
static inline void cue_hash_fill(const struct cue_ref *r, size_t n, uint32_t *slots, uint32_t mask)
{
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(r[i].s, r[i - 1].s))
			continue;
		uint32_t h = cue_hash(r[i].s) & mask;
		while (slots[h])
			h = (h + 1) & mask;
		slots[h] = (uint32_t)i + 1;
	}
}

/*
 * The prefix filter. A Snowball stem keeps the first letters of its word
 * (Spanish keeps at least two, and the third unless the stem is shorter;
 * English too, but for a few irregular forms such as "skies" -> "sky"), so
 * a token can match a first word by key, stem or prefix only if one of
 * its first 1, 2 or 3 bytes is the first min(3, length) bytes of that
 * word's key or stem.
 */
#define CUE_PREFIX_BITS 16384

static inline uint32_t cue_prefix_bit(const char *s, size_t n)
{
	uint32_t h = (uint32_t)n * 2654435761u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return (h >> 7) % CUE_PREFIX_BITS;
}

static inline void cue_prefix_add(uint8_t *bits, const char *s)
{
	size_t n = strlen(s);
	uint32_t b = cue_prefix_bit(s, n < 3 ? n : 3);
	bits[b / 8] |= (uint8_t)(1u << (b % 8));
}

static inline bool cue_prefix_may(const uint8_t *bits, const char *key)
{
	for (size_t n = 1; n <= 3 && key[n - 1]; n++) {
		uint32_t b = cue_prefix_bit(key, n);
		if (bits[b / 8] & (1u << (b % 8)))
			return true;
	}
	return false;
}

/* The mask of a table for n strings: 2n slots or more, a power of 2. */
static inline uint32_t cue_hash_mask(size_t n)
{
	uint32_t cap = 2;
	while (cap < 2 * n)
		cap *= 2;
	return cap - 1;
}

/* [0] Spanish, [1] English */
struct cue_set {
	struct cue_lang lang[2];
};

/* The built-in tables (generated: build/<variant>/gen/text_cues.c). */
extern const struct cue_set cxm_emotion_cues, cxm_reason_cues;

/* The default taxonomy, data/text/themes.json (generated). */
extern const unsigned char cxm_default_themes_json[];
extern const size_t cxm_default_themes_json_len;

#endif
