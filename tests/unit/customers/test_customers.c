/* test_customers.c - normal forms and refusals of customer fields. */
#include "testutil.h"

#include "cxm/customers.h"

typedef int (*norm_fn)(const char *, char *, size_t, char *, size_t);

static void check(norm_fn fn, const char *in, const char *want)
{
	char out[300], why[300];
	int ret = fn(in, out, sizeof(out), why, sizeof(why));
	if (want) {
		if (ret || strcmp(out, want))
			fail_msg("'%s' -> '%s' (ret %d), wanted '%s'", in, ret ? why : out, ret, want);
	} else if (!ret) {
		fail_msg("'%s' should be refused, got '%s'", in, out);
	} else if (!strstr(why, in)) {
		fail_msg("the reason for '%s' should quote it: %s", in, why);
	}
}

static void test_email(void **state)
{
	(void)state;
	check(cxm_email_normalize, "Ana.Gomez@Example.CO", "ana.gomez@example.co");
	check(cxm_email_normalize, "josé@correo.es", "josé@correo.es");
	check(cxm_email_normalize, "a+tag@x.io", "a+tag@x.io");
	check(cxm_email_normalize, "no-at-sign", NULL);
	check(cxm_email_normalize, "two@@x.co", NULL);
	check(cxm_email_normalize, "@x.co", NULL);
	check(cxm_email_normalize, "a@nodot", NULL);
	check(cxm_email_normalize, "a@x..co", NULL);
	check(cxm_email_normalize, "a b@x.co", NULL);
	check(cxm_email_normalize, "a@x.co.", NULL);
}

static void test_phone(void **state)
{
	(void)state;
	check(cxm_phone_normalize, "+57 300 123 4567", "+573001234567");
	check(cxm_phone_normalize, "0034 612-345-678", "+34612345678");
	check(cxm_phone_normalize, "(206) 555.0199", "2065550199");
	check(cxm_phone_normalize, "12345", NULL);
	check(cxm_phone_normalize, "+57 300 ABC", NULL);
	check(cxm_phone_normalize, "+1234567890123456", NULL);
}

static void test_language_country(void **state)
{
	(void)state;
	check(cxm_language_normalize, "ES", "es");
	check(cxm_language_normalize, "pt_br", "pt-BR");
	check(cxm_language_normalize, "en-GB", "en-GB");
	check(cxm_language_normalize, "e", NULL);
	check(cxm_language_normalize, "spanish", NULL);
	check(cxm_language_normalize, "es-1", NULL);
	check(cxm_country_normalize, "co", "CO");
	check(cxm_country_normalize, "COL", NULL);
	check(cxm_country_normalize, "1A", NULL);
}

static void test_consent_and_text(void **state)
{
	int v;
	char why[200];
	(void)state;
	const char *yes[] = { "yes", "TRUE", "1", "granted", "sí", "si", "opt-in" };
	const char *no[] = { "no", "False", "0", "denied", "opt-out" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		assert_int_equal(cxm_consent_parse(yes[i], &v, why, sizeof(why)), 0);
		assert_int_equal(v, CXM_CONSENT_GRANTED);
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		assert_int_equal(cxm_consent_parse(no[i], &v, why, sizeof(why)), 0);
		assert_int_equal(v, CXM_CONSENT_DENIED);
	}
	assert_int_equal(cxm_consent_parse("", &v, why, sizeof(why)), 0);
	assert_int_equal(v, CXM_CONSENT_UNKNOWN);
	assert_int_equal(cxm_consent_parse("maybe", &v, why, sizeof(why)), CXM_EINVAL);
	assert_string_equal(cxm_consent_name(CXM_CONSENT_GRANTED), "granted");
	assert_int_equal(cxm_text_check("Peña", 10, why, sizeof(why)), 0);
	assert_int_equal(cxm_text_check("a\tb", 10, why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_text_check("abcdef", 5, why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_identity_kind_check("cookie_id", why, sizeof(why)), 0);
	assert_int_equal(cxm_identity_kind_check("Cookie", why, sizeof(why)), CXM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_language_country),
		cmocka_unit_test(test_consent_and_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
