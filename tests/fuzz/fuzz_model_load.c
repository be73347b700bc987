/* fuzz_model_load.c - a stored text model read back (cxm_text_model_load):
 * any bytes are refused with CXM_EINVAL or give a model that predicts in
 * 0..1, blends within -1..1, explains with NUL-terminated UTF-8 texts of the
 * right sign, and saves to the same bytes. Each input is tried as is and
 * again with its checksum made right, so the field checks behind the
 * checksum are reached too. */
#include "cxm/core.h"
#include "cxm/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const comments[] = {
	"El pedido tardó 5 días, no llegó puntual 😡",
	"Arrived on time, thanks! :)",
	"",
};

static void use(struct cxm_stemmers *st, const uint8_t *data, size_t size)
{
	struct cxm_text_model *m = NULL;
	struct cxm_arena a;
	struct cxm_buf b = CXM_BUF_INIT;
	char why[128];

	if (cxm_text_model_load(data, size, &m)) {
		if (m)
			__builtin_trap();
		return;
	}
	cxm_arena_init(&a, 4096);
	for (size_t i = 0; i < ARRAY_SIZE(comments); i++) {
		struct cxm_text t;
		if (cxm_text_tokenize(&a, comments[i], strlen(comments[i]), &t, why, sizeof(why)))
			__builtin_trap();
		double p = cxm_text_model_predict(m, &t, (enum cxm_lang)(i % 3), st);
		double c = cxm_text_model_blend(m, 0.5, p);
		if (!(p >= 0 && p <= 1) || !(c >= -1 && c <= 1))
			__builtin_trap();
	}
	for (int side = 0; side < 2; side++) {
		size_t n;
		const struct cxm_text_model_feature *f = cxm_text_model_explain(m, side, &n);
		for (size_t i = 0; i < n; i++) {
			bool sign_ok = side ? f[i].weight > 0 : f[i].weight < 0;
			if (!cxm_utf8_valid(f[i].text, strlen(f[i].text)) || !sign_ok)
				__builtin_trap();
		}
	}
	if (cxm_text_model_save(m, &b) || b.len != size || memcmp(b.p, data, size))
		__builtin_trap();
	cxm_buf_release(&b);
	cxm_arena_release(&a);
	cxm_text_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cxm_stemmers *st;

	if (!st)
		st = cxm_stemmers_new();
	use(st, data, size);
	if (size >= 12 && size <= CXM_TEXT_MODEL_MAX_BLOB) {
		uint8_t *p = malloc(size);
		uint32_t h = 0x811c9dc5u;
		memcpy(p, data, size);
		for (size_t i = 0; i < size - 4; i++)
			h = (h ^ p[i]) * 0x01000193u;
		for (int i = 0; i < 4; i++)
			p[size - 4 + i] = (uint8_t)(h >> (8 * i));
		use(st, p, size);
		free(p);
	}
	return 0;
}
