/* test_anon.c - anonymous surveys without a database: the definition flag,
 * receipt codes (format, reading back, hash), and the public page's form
 * parser (form.c): percent-decoding, '+', bad escapes, repeated keys, huge
 * values, and answers for a definition. */
#include "testutil.h"

#include "cxm/form.h"
#include "cxm/json.h"
#include "cxm/receipt.h"
#include "cxm/surveys.h"

#include <sodium.h>

static const char def_text[] =
	"{\"name\":\"A\",\"languages\":[\"es\",\"en\"],\"anonymous\":true,\"questions\":["
	"{\"id\":\"nps\",\"type\":\"nps\",\"required\":true,\"text\":{\"es\":\"a\",\"en\":\"a\"}},"
	"{\"id\":\"why\",\"type\":\"text\",\"show_if\":{\"question\":\"nps\",\"category\":\"detractor\"},"
	"\"text\":{\"es\":\"b\",\"en\":\"b\"}},"
	"{\"id\":\"staff\",\"type\":\"multiple_choice\",\"text\":{\"es\":\"c\",\"en\":\"c\"},\"options\":["
	"{\"id\":\"kind\",\"text\":{\"es\":\"k\",\"en\":\"k\"}},{\"id\":\"fast\",\"text\":{\"es\":\"f\",\"en\":\"f\"}}]},"
	"{\"id\":\"shop\",\"type\":\"single_choice\",\"text\":{\"es\":\"d\",\"en\":\"d\"},\"options\":["
	"{\"id\":\"web\",\"text\":{\"es\":\"w\",\"en\":\"w\"}},{\"id\":\"store\",\"text\":{\"es\":\"s\",\"en\":\"s\"}}]},"
	"{\"id\":\"comment\",\"type\":\"text\",\"text\":{\"es\":\"e\",\"en\":\"e\"}}]}";

static void test_definition_flag(void **state)
{
	struct cxm_survey_def d;
	char field[96], why[300];
	cJSON *def = cJSON_Parse(def_text);
	(void)state;

	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), 0);
	assert_true(d.anonymous);
	cJSON_DeleteItemFromObject(def, "anonymous");
	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), 0);
	assert_false(d.anonymous);
	cJSON_AddFalseToObject(def, "anonymous");
	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), 0);
	assert_false(d.anonymous);
	cJSON_DeleteItemFromObject(def, "anonymous");
	cJSON_AddNumberToObject(def, "anonymous", 1);
	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), CXM_EINVAL);
	assert_string_equal(field, "anonymous");
	cJSON_Delete(def);
}

static void test_receipt_code(void **state)
{
	unsigned char seed[CXM_RECEIPT_SEED_BYTES], other[CXM_RECEIPT_SEED_BYTES];
	char code[CXM_RECEIPT_BUFSZ], again[CXM_RECEIPT_BUFSZ], norm[CXM_RECEIPT_CHARS + 1];
	(void)state;

	randombytes_buf(seed, sizeof(seed));
	cxm_receipt_code(seed, code);
	/* XXXX-XXXX-XXXX-XXXX in Crockford's alphabet: 16 x 5 = 80 bits */
	assert_int_equal(strlen(code), 19);
	for (int i = 0; i < 19; i++) {
		if (i % 5 == 4)
			assert_int_equal(code[i], '-');
		else
			assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", code[i]));
	}
	cxm_receipt_code(seed, again);
	assert_string_equal(code, again); /* the same form twice: the same code */
	memcpy(other, seed, sizeof(other));
	other[0] ^= 1;
	cxm_receipt_code(other, again);
	assert_string_not_equal(code, again);

	/* read back as people type it */
	assert_int_equal(cxm_receipt_normalize("abcd-efgh-jkmn-pqrs", norm), 0);
	assert_string_equal(norm, "ABCDEFGHJKMNPQRS");
	assert_int_equal(cxm_receipt_normalize(" 0oO1 iIlL 2345 6789 tvwx ", norm), CXM_EINVAL); /* 20 chars */
	assert_int_equal(cxm_receipt_normalize("oO1i IlL2 3456 789t", norm), 0);
	assert_string_equal(norm, "001111123456789T");
	assert_int_equal(cxm_receipt_normalize("ABCD-EFGH-JKMN-PQRU", norm), CXM_EINVAL); /* U is not a digit */
	assert_int_equal(cxm_receipt_normalize("ABCD-EFGH-JKMN", norm), CXM_EINVAL);
	assert_int_equal(cxm_receipt_normalize("ABCD-EFGH-JKMN-PQR!", norm), CXM_EINVAL);
	assert_int_equal(cxm_receipt_normalize("", norm), CXM_EINVAL);
}

static void test_receipt_hash(void **state)
{
	char a[CXM_RECEIPT_HASH_HEX], b[CXM_RECEIPT_HASH_HEX];
	(void)state;

	assert_int_equal(cxm_receipt_hash(7, "ABCD-EFGH-JKMN-PQRS", a), 0);
	assert_int_equal(strlen(a), 64);
	assert_null(strstr(a, "ABCD"));
	/* any spelling of the same code, the same hash */
	assert_int_equal(cxm_receipt_hash(7, "abcdefghjkmnpqrs", b), 0);
	assert_string_equal(a, b);
	/* another tenant or another code: another hash */
	assert_int_equal(cxm_receipt_hash(8, "ABCD-EFGH-JKMN-PQRS", b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(cxm_receipt_hash(7, "ABCD-EFGH-JKMN-PQRT", b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(cxm_receipt_hash(7, "not a code", b), CXM_EINVAL);
}

static void test_form_decode(void **state)
{
	char out[64];
	(void)state;

	assert_int_equal(cxm_form_decode("a+b%20c", 7, out), 5);
	assert_string_equal(out, "a b c");
	assert_int_equal(cxm_form_decode("%C3%B1%c3%b1", 12, out), 4);
	assert_string_equal(out, "ññ");
	/* bad escapes stay as they are */
	cxm_form_decode("100%", 4, out);
	assert_string_equal(out, "100%");
	cxm_form_decode("%4", 2, out);
	assert_string_equal(out, "%4");
	cxm_form_decode("%zz%4g", 6, out);
	assert_string_equal(out, "%zz%4g");
	/* only n bytes are read */
	cxm_form_decode("%41%42", 4, out);
	assert_string_equal(out, "A%");
	/* %2B is a plus, not a space */
	cxm_form_decode("1%2B1", 5, out);
	assert_string_equal(out, "1+1");
	/* %00 ends a C string but is counted */
	assert_int_equal(cxm_form_decode("a%00b", 5, out), 3);
	assert_string_equal(out, "a");
	assert_int_equal(cxm_form_decode("", 0, out), 0);
	assert_string_equal(out, "");
}

struct pairs {
	char seen[512];
};

static int collect(const char *k, const char *v, void *ctx)
{
	struct pairs *p = ctx;
	size_t n = strlen(p->seen);
	snprintf(p->seen + n, sizeof(p->seen) - n, "[%s=%s]", k, v);
	return 0;
}

static int stop_at_b(const char *k, const char *v, void *ctx)
{
	(void)v;
	++*(int *)ctx;
	return !strcmp(k, "b") ? 42 : 0;
}

static void test_form_parse(void **state)
{
	struct pairs p = { "" };
	const char body[] = "a=1&&b=&novalue&c+d=e%26f&=empty&a=2";
	int n = 0;
	(void)state;

	assert_int_equal(cxm_form_parse(body, strlen(body), collect, &p), 0);
	assert_string_equal(p.seen, "[a=1][b=][c d=e&f][=empty][a=2]");
	assert_int_equal(cxm_form_parse(body, strlen(body), stop_at_b, &n), 42);
	assert_int_equal(n, 2);
	/* only len bytes */
	p.seen[0] = '\0';
	assert_int_equal(cxm_form_parse("x=1&y=2", 3, collect, &p), 0);
	assert_string_equal(p.seen, "[x=1]");
}

static void form_of(const char *body, const cJSON *earlier, struct cxm_form *f, char **text)
{
	struct cxm_survey_def d;
	char field[96], why[300];
	cJSON *def = cJSON_Parse(def_text);

	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), 0);
	cxm_form_answers(&d, earlier, body, strlen(body), f);
	cxm_json_sort(f->answers);
	*text = cJSON_PrintUnformatted(f->answers);
	cJSON_Delete(def);
}

static void test_form_answers(void **state)
{
	struct cxm_form f;
	char *t;
	(void)state;

	/* a score opens its follow-up: held open */
	form_of("q.nps=3&lang=es&n=abc.def&q.comment=", NULL, &f, &t);
	assert_string_equal(t, "{\"nps\":3}");
	assert_string_equal(f.lang, "es");
	assert_string_equal(f.nonce, "abc.def");
	assert_true(f.hold_open);
	free(t);
	cxm_form_release(&f);

	/* the follow-up answered with it, or asked before: not held */
	form_of("q.nps=3&q.why=slow+service", NULL, &f, &t);
	assert_string_equal(t, "{\"nps\":3,\"why\":\"slow service\"}");
	assert_false(f.hold_open);
	free(t);
	cxm_form_release(&f);
	cJSON *earlier = cJSON_Parse("{\"nps\":3}");
	form_of("q.why=x", earlier, &f, &t);
	assert_false(f.hold_open);
	free(t);
	cxm_form_release(&f);
	cJSON_Delete(earlier);

	/* repeated keys: the first value wins, choices gather */
	form_of("q.nps=9&q.nps=2&q.shop=web&q.shop=store&q.staff=kind&q.staff=fast", NULL, &f, &t);
	assert_string_equal(t, "{\"nps\":9,\"shop\":\"web\",\"staff\":[\"kind\",\"fast\"]}");
	assert_false(f.hold_open); /* a promoter: no follow-up here */
	free(t);
	cxm_form_release(&f);

	/* not numbers, unknown questions, other keys: kept for the answer check
	 * to refuse, or ignored */
	form_of("q.nps=ten&q.nope=1&x.y=2&q.=3&lang=waytoolongforalanguage", NULL, &f, &t);
	assert_string_equal(t, "{\"\":\"3\",\"nope\":\"1\",\"nps\":\"ten\"}");
	assert_string_equal(f.lang, "");
	free(t);
	cxm_form_release(&f);
	form_of("q.nps=99999999999999999999", NULL, &f, &t);
	assert_string_equal(t, "{\"nps\":\"99999999999999999999\"}");
	free(t);
	cxm_form_release(&f);

	/* a huge value arrives whole (the answer check applies its limit) */
	size_t big = 300000;
	char *body = xmalloc(big + 32);
	memcpy(body, "q.comment=", 10);
	memset(body + 10, 'a', big);
	body[10 + big] = '\0';
	form_of(body, NULL, &f, &t);
	assert_int_equal(strlen(cJSON_GetObjectItem(f.answers, "comment")->valuestring), big);
	free(t);
	free(body);
	cxm_form_release(&f);

	/* nothing at all */
	form_of("", NULL, &f, &t);
	assert_string_equal(t, "{}");
	free(t);
	cxm_form_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_definition_flag), cmocka_unit_test(test_receipt_code),
		cmocka_unit_test(test_receipt_hash),	cmocka_unit_test(test_form_decode),
		cmocka_unit_test(test_form_parse),	cmocka_unit_test(test_form_answers),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
