/* test_i18n.c - every catalogue entry has both languages with the same
 * printf conversions, so switching language can never crash a printf. */
#include "testutil.h"

#include "cxm/i18n.h"

/* The conversion letters of a format, in order ("%s %zu %%" -> "s zu"). */
static void conversions(const char *fmt, char *out, size_t outlen)
{
	size_t n = 0;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		while (*p && strchr("-+ #0123456789.*", *p))
			p++;
		while (*p && strchr("hlzjt", *p) && n + 1 < outlen)
			out[n++] = *p++;
		if (n + 2 < outlen) {
			out[n++] = *p;
			out[n++] = ' ';
		}
	}
	out[n] = '\0';
}

static void test_catalogue_is_complete_and_consistent(void **state)
{
	(void)state;
	assert_true(CXM_MSG_COUNT > 50);
	for (int i = 0; i < CXM_MSG_COUNT; i++) {
		const char *en = cxm_msg_in((enum cxm_msg)i, CXM_LANG_EN), *es = cxm_msg_in((enum cxm_msg)i, CXM_LANG_ES);
		char a[64], b[64];
		if (!*en || !*es)
			fail_msg("%s is empty in a language", cxm_msg_name((enum cxm_msg)i));
		conversions(en, a, sizeof(a));
		conversions(es, b, sizeof(b));
		if (strcmp(a, b))
			fail_msg("%s: English takes '%s', Spanish '%s'", cxm_msg_name((enum cxm_msg)i), a, b);
	}
}

static void test_language_choice(void **state)
{
	(void)state;
	cxm_i18n_set("es_CO.UTF-8");
	assert_int_equal(cxm_i18n_lang(), CXM_LANG_ES);
	assert_string_equal(_(MSG_WORD_EVENTS), "eventos");
	cxm_i18n_set("en-US");
	assert_string_equal(_(MSG_WORD_EVENTS), "events");
	cxm_i18n_set("estonian");
	assert_int_equal(cxm_i18n_lang(), CXM_LANG_EN);
	setenv("CXM_LANG", "es", 1);
	cxm_i18n_from_env();
	assert_int_equal(cxm_i18n_lang(), CXM_LANG_ES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_is_complete_and_consistent),
		cmocka_unit_test(test_language_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
