/* fuzz_form.c - the public survey page's form (form.c): the input is a
 * form body, decoded pair by pair and read as answers to a fixed survey
 * with every kind of question; the answers are then checked against it as
 * the page does. A receipt code typed on the receipt page is read back too. */
#include "fuzz.h"
#include "cxm/form.h"
#include "cxm/receipt.h"
#include "cxm/surveys.h"

static const char def_text[] =
	"{\"name\":\"F\",\"languages\":[\"es\"],\"anonymous\":true,\"questions\":["
	"{\"id\":\"nps\",\"type\":\"nps\",\"required\":true,\"text\":{\"es\":\"a\"}},"
	"{\"id\":\"why\",\"type\":\"text\",\"max_length\":50,\"show_if\":{\"question\":\"nps\",\"category\":\"detractor\"},"
	"\"text\":{\"es\":\"b\"}},"
	"{\"id\":\"csat\",\"type\":\"csat\",\"text\":{\"es\":\"c\"}},"
	"{\"id\":\"staff\",\"type\":\"multiple_choice\",\"text\":{\"es\":\"d\"},\"options\":["
	"{\"id\":\"kind\",\"text\":{\"es\":\"k\"}},{\"id\":\"fast\",\"text\":{\"es\":\"f\"}}]},"
	"{\"id\":\"shop\",\"type\":\"single_choice\",\"text\":{\"es\":\"e\"},\"options\":["
	"{\"id\":\"web\",\"text\":{\"es\":\"w\"}}]}]}";

static int count(const char *k, const char *v, void *ctx)
{
	(void)k;
	(void)v;
	++*(size_t *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *def;
	static struct cxm_survey_def d;
	char field[128], why[300], *s = xstrndup((const char *)data, size), *out = xmalloc(size + 1);
	char norm[CXM_RECEIPT_CHARS + 1], hex[CXM_RECEIPT_HASH_HEX];
	struct cxm_answer_summary sum;
	struct cxm_form f;
	size_t pairs = 0;

	if (!def && (!(def = cJSON_Parse(def_text)) || cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why))))
		__builtin_trap();
	if (cxm_form_decode((const char *)data, size, out) > size)
		__builtin_trap(); /* decoding never grows */
	cxm_form_parse((const char *)data, size, count, &pairs);
	if (pairs > size / 2 + 1)
		__builtin_trap();
	cxm_form_answers(&d, NULL, (const char *)data, size, &f);
	if (strlen(f.lang) >= sizeof(f.lang) || strlen(f.nonce) >= sizeof(f.nonce))
		__builtin_trap();
	if (!cxm_survey_check_answers(&d, f.answers, &sum, field, sizeof(field), why, sizeof(why)) &&
	    (sum.nps > 10 || sum.csat > 5))
		__builtin_trap(); /* a score out of its scale got through */
	cxm_form_release(&f);
	if (!cxm_receipt_normalize(s, norm) && (strlen(norm) != CXM_RECEIPT_CHARS || cxm_receipt_hash(1, s, hex)))
		__builtin_trap();
	free(out);
	free(s);
	return 0;
}
