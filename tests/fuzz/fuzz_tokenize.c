/* fuzz_tokenize.c - what customers write: the tokenizer, the language
 * guess and the personal-data finder on the same bytes, with the promises
 * of text.h checked (tokens in order inside the text, sentences that hold
 * them, spans inside the text and in order). */
#include "cxm/text.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cxm_pii_span spans[64];
	const char *s = (const char *)data;
	struct cxm_arena a;
	struct cxm_text t;
	char why[128];
	double conf;

	cxm_arena_init(&a, 4096);
	if (!cxm_text_tokenize(&a, s, size, &t, why, sizeof(why))) {
		uint32_t end = 0;
		for (size_t i = 0; i < t.ntok; i++) {
			const struct cxm_token *k = &t.tok[i];
			if (!k->len || k->start < end || k->start + k->len > size || !k->norm || !k->key ||
			    k->sentence >= t.nsentences || k->start < t.sent_start[k->sentence] ||
			    k->start + k->len > t.sent_end[k->sentence])
				__builtin_trap();
			if (i && k->sentence < t.tok[i - 1].sentence)
				__builtin_trap();
			end = k->start + k->len;
		}
		for (size_t i = 0; i < t.nsentences; i++)
			if (t.sent_start[i] >= t.sent_end[i] || t.sent_end[i] > size ||
			    (i && t.sent_start[i] < t.sent_end[i - 1]))
				__builtin_trap();
		enum cxm_lang l = cxm_text_language(&t, &conf);
		if (conf < 0 || conf > 1 || (l == CXM_LANG_OTHER && conf != 0))
			__builtin_trap();
	} else if (!why[0]) {
		__builtin_trap();
	}
	size_t n = cxm_pii_find(s, size, spans, 64);
	for (size_t i = 0; i < n && i < 64; i++)
		if (!spans[i].len || spans[i].start + spans[i].len > size ||
		    (i && spans[i].start < spans[i - 1].start + spans[i - 1].len))
			__builtin_trap();
	cxm_arena_release(&a);
	return 0;
}
