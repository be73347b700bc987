/*
 * stem.c - Snowball stems (libstemmer) of token keys, in Spanish and
 * English. A struct cxm_stemmers belongs to one thread: libstemmer's
 * stemmers keep their result in themselves.
 *
 * A stem depends on its key and language only, and one analysis asks for
 * the same word's stem several times (sentiment, emotions and reasons,
 * themes, each in es and en when the language is not known), as do the
 * comments of one survey for their common words. So each struct keeps a
 * small direct-mapped cache per language of the last stem of short keys;
 * Snowball runs only on a miss.
 */
#include "cxm/text.h"
#include "cxm/core.h"
#include "lexicon.h"

#include <libstemmer.h>
#include <string.h>

#define STEM_CACHE 4096 /* entries per language, a power of two */
#define STEM_CACHE_KEY 21 /* the longest key (and stem) kept, in bytes: 48-byte entries */

struct stem_entry {
	uint32_t hash; /* cxm_lex_hash of key */
	char key[STEM_CACHE_KEY + 1]; /* "" when empty: the empty key is never cached */
	char stem[STEM_CACHE_KEY + 1];
};

struct cxm_stemmers {
	struct sb_stemmer *es, *en;
	struct stem_entry cache[2][STEM_CACHE]; /* [0] es, [1] en */
};

struct cxm_stemmers *cxm_stemmers_new(void)
{
	struct cxm_stemmers *s = xcalloc(1, sizeof(*s));

	s->es = sb_stemmer_new("spanish", "UTF_8");
	s->en = sb_stemmer_new("english", "UTF_8");
	if (!s->es || !s->en)
		abort(); /* both are built into libstemmer; only out of memory gets here */
	return s;
}

void cxm_stemmers_free(struct cxm_stemmers *s)
{
	if (!s)
		return;
	sb_stemmer_delete(s->es);
	sb_stemmer_delete(s->en);
	free(s);
}

const char *cxm_stem(struct cxm_stemmers *s, enum cxm_lang lang, const char *key)
{
	struct sb_stemmer *st = lang == CXM_LANG_ES ? s->es : lang == CXM_LANG_EN ? s->en : NULL;
	struct stem_entry *e = NULL;
	const sb_symbol *r;
	size_t n, rn;

	if (!st)
		return key;
	n = strlen(key);
	if (n && n <= STEM_CACHE_KEY) {
		uint32_t h = cxm_lex_hash(key, n);

		e = &s->cache[lang == CXM_LANG_EN][h & (STEM_CACHE - 1)];
		if (e->hash == h && !memcmp(e->key, key, n + 1))
			return e->stem;
		e->hash = h;
		e->key[0] = 0; /* empty until the stem is in */
	}
	r = sb_stemmer_stem(st, (const sb_symbol *)key, (int)n);
	if (!r)
		return key; /* only when out of memory */
	rn = (size_t)sb_stemmer_length(st);
	if (e && rn <= STEM_CACHE_KEY) {
		memcpy(e->stem, r, rn);
		e->stem[rn] = 0;
		memcpy(e->key, key, n + 1);
		return e->stem;
	}
	return (const char *)r;
}
