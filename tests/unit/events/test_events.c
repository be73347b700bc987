/* test_events.c - channels, types, currencies and amounts of events. */
#include "testutil.h"

#include "cxm/events.h"
#include "cxm/org.h"

static void test_amounts(void **state)
{
	static const struct {
		const char *in;
		int64_t micros;
		const char *out;
	} ok[] = {
		{ "1999", 1999000000, "1999" },	   { "19.99", 19990000, "19.99" }, { "-5.5", -5500000, "-5.5" },
		{ "0.000001", 1, "0.000001" },	   { "+7", 7000000, "7" },	   { "1299900", 1299900000000, "1299900" },
		{ "9000000000000", 9000000000000000000, "9000000000000" },
	};
	static const char *bad[] = { "", "1.", ".5", "1,000", "1.234.56", "1e6", "1.1234567", "abc", "10000000000000", "-" };
	char why[200], out[40];
	int64_t v;
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		if (cxm_amount_parse(ok[i].in, &v, why, sizeof(why)) || v != ok[i].micros)
			fail_msg("'%s' -> %lld, wanted %lld", ok[i].in, (long long)v, (long long)ok[i].micros);
		assert_string_equal(cxm_amount_format(v, out, sizeof(out)), ok[i].out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (!cxm_amount_parse(bad[i], &v, why, sizeof(why)))
			fail_msg("'%s' should be refused", bad[i]);
}

static void test_channels_types_currencies(void **state)
{
	char why[200], out[16];
	(void)state;
	for (size_t i = 0; i < cxm_channels_n; i++)
		assert_int_equal(cxm_channel_normalize(cxm_channels[i], out, sizeof(out), why, sizeof(why)), 0);
	assert_int_equal(cxm_channel_normalize("WEB", out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "web");
	/* the messaging channel of Latin America and Spain */
	assert_int_equal(cxm_channel_normalize("WhatsApp", out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "whatsapp");
	assert_int_equal(cxm_channel_normalize("fax", out, sizeof(out), why, sizeof(why)), CXM_EINVAL);
	assert_non_null(strstr(why, "fax"));
	assert_int_equal(cxm_event_type_check("page_view", why, sizeof(why)), 0);
	assert_int_equal(cxm_event_type_check("Page View", why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_event_type_check("", why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_currency_normalize("cop", out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "COP");
	assert_int_equal(cxm_currency_normalize("EURO", out, sizeof(out), why, sizeof(why)), CXM_EINVAL);
}

static void test_org_rules(void **state)
{
	char why[200];
	(void)state;
	assert_int_equal(cxm_role_check("agent", why, sizeof(why)), 0);
	assert_int_equal(cxm_role_check("boss", why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_unit_kind_check("call_centre", why, sizeof(why)), 0);
	assert_int_equal(cxm_unit_kind_check("shop", why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_time_zone_check("America/Bogota", why, sizeof(why)), 0);
	assert_int_equal(cxm_time_zone_check("UTC", why, sizeof(why)), 0);
	assert_int_equal(cxm_time_zone_check("Mars/Olympus", why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_time_zone_check("../../etc/passwd", why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_tenant_name_check("acme-co", why, sizeof(why)), 0);
	assert_int_equal(cxm_tenant_name_check("acme co", why, sizeof(why)), CXM_EINVAL);
	assert_int_equal(cxm_username_check("ana.gomez", why, sizeof(why)), 0);
	assert_int_equal(cxm_username_check("Ana", why, sizeof(why)), CXM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_channels_types_currencies),
		cmocka_unit_test(test_org_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
