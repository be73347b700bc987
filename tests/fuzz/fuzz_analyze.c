/* fuzz_analyze.c - cxm_text_analyze and its JSON on any bytes. The first
 * byte picks the language (auto, es, en) and whether details are asked
 * for; the rest is the text. Checked: a refusal comes with a reason, else
 * the JSON prints and parses back strictly (no NaN or Inf, valid UTF-8),
 * every offset is inside the text, and the masked text holds no byte of
 * a personal data span's original where the span was. */
#include "cxm/core.h"
#include "cxm/json.h"
#include "cxm/text.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_spans(const cJSON *arr, size_t len)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		double s = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "start"));
		double e = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "end"));
		if (!(s >= 0 && e >= s && e <= (double)len))
			__builtin_trap();
	}
}

/* cJSON prints NaN and Inf as null, which no field of an analysis is */
static void check_no_null(const cJSON *it)
{
	for (; it; it = it->next) {
		if (cJSON_IsNull(it) || (cJSON_IsNumber(it) && !isfinite(it->valuedouble)))
			__builtin_trap();
		check_no_null(it->child);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cxm_text_ctx ctx;
	static bool ready;
	struct cxm_analysis an;
	struct cxm_analyze_opts o = { .lang = CXM_LANG_OTHER };
	char why[256] = "", err[128];
	bool details;

	if (!ready) {
		cxm_text_ctx_init(&ctx);
		ready = true;
	}
	if (!size)
		return 0;
	o.lang = data[0] % 3 == 0 ? CXM_LANG_OTHER : data[0] % 3 == 1 ? CXM_LANG_ES : CXM_LANG_EN;
	details = (data[0] / 3) & 1;
	data++, size--;
	if (cxm_text_analyze(&ctx, (const char *)data, size, &o, &an, why, sizeof(why))) {
		if (!why[0])
			__builtin_trap();
		return 0;
	}
	cJSON *j = cxm_text_analysis_json(&ctx, &an, details);
	char *s = cxm_json_print(j);
	cJSON *back = cxm_json_parse(s, strlen(s), err, sizeof(err));
	if (!back)
		__builtin_trap();
	check_no_null(back);
	if (details) {
		check_spans(cJSON_GetObjectItemCaseSensitive(back, "sentences"), size);
		check_spans(cJSON_GetObjectItemCaseSensitive(back, "highlights"), size);
		check_spans(cJSON_GetObjectItemCaseSensitive(back, "pii"), size);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(back, "masked");
		if (!cJSON_IsString(m))
			__builtin_trap();
		/* no personal data: the text itself */
		if (!an.npii && (strlen(m->valuestring) != size || memcmp(m->valuestring, data, size)))
			__builtin_trap();
	}
	cJSON_Delete(back);
	free(s);
	cJSON_Delete(j);
	return 0;
}
