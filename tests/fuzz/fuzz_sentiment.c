/* fuzz_sentiment.c - the sentiment engine on whatever the tokenizer
 * accepts, in each language, with the promises of text.h checked: a
 * compound in [-1, 1] whose label follows the thresholds, shares that add
 * up to one, one score per sentence and one contribution per token, all
 * finite. */
#include "cxm/text.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static void check(const struct cxm_sentiment_score *s)
{
	if (!isfinite(s->compound) || s->compound < -1 || s->compound > 1 || !isfinite(s->pos) ||
	    fabs(s->pos + s->neu + s->neg - 1) > 1e-6 || s->pos < 0 || s->neu < 0 || s->neg < 0)
		__builtin_trap();
	if ((s->label == CXM_SENTIMENT_POSITIVE) != (s->compound >= CXM_SENTIMENT_THRESHOLD) ||
	    (s->label == CXM_SENTIMENT_NEGATIVE) != (s->compound <= -CXM_SENTIMENT_THRESHOLD))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cxm_stemmers *st;
	struct cxm_arena a;
	struct cxm_text t;
	char why[128];

	if (!st)
		st = cxm_stemmers_new();
	cxm_arena_init(&a, 4096);
	if (!cxm_text_tokenize(&a, (const char *)data, size, &t, why, sizeof(why))) {
		for (int lang = 0; lang < 3; lang++) {
			struct cxm_sentiment s;

			cxm_sentiment_score(&a, st, &t, (enum cxm_lang)lang, &s);
			if ((s.lang != CXM_LANG_ES && s.lang != CXM_LANG_EN) || s.ntok != t.ntok ||
			    s.nsentences != t.nsentences || s.matched > t.ntok)
				__builtin_trap();
			check(&s.text);
			for (size_t i = 0; i < s.nsentences; i++)
				check(&s.sentence[i]);
			for (size_t i = 0; i < s.ntok; i++)
				if (!isfinite(s.contrib[i]) || !s.span[i] || i + s.span[i] > s.ntok)
					__builtin_trap();
		}
	}
	cxm_arena_release(&a);
	return 0;
}
