/* fuzz_taxonomy.c - a tenant's theme taxonomy (cxm_taxonomy_parse): strict
 * JSON, limits, the term checks; a taxonomy that is accepted is then
 * matched, with the emotions and reasons, on a few comments. */
#include "cxm/core.h"
#include "cxm/text.h"

#include <math.h>
#include <string.h>

static const char *const comments[] = {
	"El tiempo de espera fue eterno, no estoy contento!!",
	"The delivery was late again, fed up 😡",
	"precio precio caro = * ¿qué? #oferta @tienda http://x.co",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cxm_stemmers *st;
	struct cxm_taxonomy *tax = NULL;
	struct cxm_arena a;
	char field[64], why[256];

	if (!st)
		st = cxm_stemmers_new();
	if (cxm_taxonomy_parse((const char *)data, size, &tax, field, sizeof(field), why, sizeof(why)))
		return 0;
	cxm_arena_init(&a, 4096);
	for (size_t i = 0; i < sizeof(comments) / sizeof(comments[0]); i++) {
		struct cxm_text t;
		struct cxm_themes_found f;
		struct cxm_classification c;
		if (cxm_text_tokenize(&a, comments[i], strlen(comments[i]), &t, why, sizeof(why)))
			continue;
		cxm_text_themes(&t, (enum cxm_lang)(i % 3), st, tax, &a, &f);
		cxm_text_classify(&t, (enum cxm_lang)(i % 3), st, NAN, &a, &c);
	}
	cxm_arena_release(&a);
	cxm_taxonomy_free(tax);
	return 0;
}
