/* fuzz_survey.c - survey definitions and answers: the input is a definition,
 * a newline, then answers; both parsed strictly, the definition checked and,
 * when it holds, the answers checked against it. */
#include "fuzz.h"
#include "cxm/surveys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t dlen = nl ? (size_t)(nl - (const char *)data) : size;
	char field[128], why[300];
	struct cxm_survey_def d;
	struct cxm_answer_summary sum;
	cJSON *def = cxm_json_parse((const char *)data, dlen, why, sizeof(why)), *ans = NULL;

	if (def && !cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why))) {
		if (nl)
			ans = cxm_json_parse(nl + 1, size - dlen - 1, why, sizeof(why));
		if (ans && !cxm_survey_check_answers(&d, ans, &sum, field, sizeof(field), why, sizeof(why))) {
			if (sum.nps > 10 || sum.csat > 5 || sum.ces > 7)
				__builtin_trap(); /* a score out of its scale got through */
		}
	}
	cJSON_Delete(ans);
	cJSON_Delete(def);
	return 0;
}
