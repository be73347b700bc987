/* test_web_checks.c - the pure checks of the web snippet's API
 * (web-internal.h): site keys, anonymous ids, origins, identify hashes. */
#include "testutil.h"

#include "http-internal.h"
#include "web-internal.h"

static void test_site_keys(void **state)
{
	int64_t t = 0;
	(void)state;

	assert_int_equal(web_site_key_tenant("00000000000004d2" "0123456789abcdef0123456789abcdef", &t), 0);
	assert_int_equal(t, 1234);
	assert_int_equal(web_site_key_tenant("7fffffffffffffff" "0123456789abcdef0123456789abcdef", &t), 0);
	assert_int_equal(t, INT64_MAX);
	/* wrong length, upper case, not hex, tenant 0, beyond int64 */
	assert_int_equal(web_site_key_tenant("00000000000004d2" "0123456789abcdef0123456789abcde", &t), CXM_ENOTFOUND);
	assert_int_equal(web_site_key_tenant("00000000000004D2" "0123456789abcdef0123456789abcdef", &t), CXM_ENOTFOUND);
	assert_int_equal(web_site_key_tenant("00000000000004d2" "0123456789abcdef0123456789abcdeg", &t), CXM_ENOTFOUND);
	assert_int_equal(web_site_key_tenant("0000000000000000" "0123456789abcdef0123456789abcdef", &t), CXM_ENOTFOUND);
	assert_int_equal(web_site_key_tenant("8000000000000000" "0123456789abcdef0123456789abcdef", &t), CXM_ENOTFOUND);
	assert_int_equal(web_site_key_tenant("", &t), CXM_ENOTFOUND);
	assert_int_equal(web_site_key_tenant(NULL, &t), CXM_ENOTFOUND);
}

static void test_anonymous_ids(void **state)
{
	(void)state;
	assert_true(web_anon_ok("0123abcd"));
	assert_true(web_anon_ok("visitor-1_AZ"));
	assert_true(web_anon_ok("0123456789012345678901234567890123456789012345678901234567890123"));
	assert_false(web_anon_ok("01234567890123456789012345678901234567890123456789012345678901234"));
	assert_false(web_anon_ok("short"));
	assert_false(web_anon_ok("has space 1"));
	assert_false(web_anon_ok("quote\"1234"));
	assert_false(web_anon_ok("ñandú-12345"));
	assert_false(web_anon_ok(NULL));
}

static void test_origins(void **state)
{
	(void)state;
	assert_true(web_origin_ok("https://shop.example.com"));
	assert_true(web_origin_ok("http://127.0.0.1:8080"));
	assert_true(web_origin_ok("http://[::1]:3000"));
	assert_false(web_origin_ok("shop.example.com"));
	assert_false(web_origin_ok("https://shop.example.com/"));
	assert_false(web_origin_ok("https://Shop.example.com"));
	assert_false(web_origin_ok("https://"));
	assert_false(web_origin_ok("https://shop:"));
	assert_false(web_origin_ok("ftp://shop.example.com"));
	assert_false(web_origin_ok("https://a b"));
}

static void test_identify(void **state)
{
	/* HMAC-SHA-256("key", "The quick brown fox jumps over the lazy dog"), a published test vector */
	const char *mac = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
	(void)state;

	assert_true(web_identify_ok("key", "The quick brown fox jumps over the lazy dog", mac));
	assert_true(web_identify_ok("key", "The quick brown fox jumps over the lazy dog",
				    "F7BC83F430538424B13298E6AA6FB143EF4D59A14946175997479DBC2D1A3CD8"));
	assert_false(web_identify_ok("key", "The quick brown fox jumps over the lazy cog", mac));
	assert_false(web_identify_ok("kez", "The quick brown fox jumps over the lazy dog", mac));
	assert_false(web_identify_ok("key", "The quick brown fox jumps over the lazy dog", "f7bc83"));
	assert_false(web_identify_ok("key", "The quick brown fox jumps over the lazy dog", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_site_keys),
		cmocka_unit_test(test_anonymous_ids),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_identify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
