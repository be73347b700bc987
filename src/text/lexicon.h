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

struct cxm_lex_entry {
	const char *key; /* a token key, a phrase of keys joined by ' ', an emoji or a stem */
	float valence;   /* -4..+4, VADER's scale */
	unsigned flags;  /* CXM_LEXF_* */
};

/* An open-addressing hash table: slots hold entry index + 1, 0 is empty. */
struct cxm_lex_table {
	const struct cxm_lex_entry *entries;
	size_t n;
	const uint32_t *slots;
	size_t mask; /* slots - 1, a power of two minus one */
};

struct cxm_lexicon {
	struct cxm_lex_table words; /* keys and phrases */
	struct cxm_lex_table stems; /* Snowball stems (Spanish only; empty otherwise) */
};

extern const struct cxm_lexicon cxm_lex_en, cxm_lex_es, cxm_lex_emoji;

/* The entry for key[0..len) in t, or NULL. Borrows everything. */
static inline const struct cxm_lex_entry *cxm_lex_find(const struct cxm_lex_table *t, const char *key, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 16777619u;
	}
	for (i = h & t->mask;; i = (i + 1) & t->mask) {
		uint32_t s = t->slots[i];
		const struct cxm_lex_entry *e;

		if (!s)
			return NULL;
		e = &t->entries[s - 1];
		if (!strncmp(e->key, key, len) && !e->key[len])
			return e;
	}
}

#endif
