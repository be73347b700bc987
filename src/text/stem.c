/*
 * stem.c - Snowball stems (libstemmer) of token keys, in Spanish and
 * English. A struct cxm_stemmers belongs to one thread: libstemmer's
 * stemmers keep their result in themselves.
 */
#include "cxm/text.h"
#include "cxm/core.h"

#include <libstemmer.h>
#include <string.h>

struct cxm_stemmers {
	struct sb_stemmer *es, *en;
};

struct cxm_stemmers *cxm_stemmers_new(void)
{
	struct cxm_stemmers *s = xmalloc(sizeof(*s));

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
	const sb_symbol *r;

	if (!st)
		return key;
	r = sb_stemmer_stem(st, (const sb_symbol *)key, (int)strlen(key));
	return r ? (const char *)r : key; /* NULL only when out of memory */
}
