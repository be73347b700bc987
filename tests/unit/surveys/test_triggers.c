/* test_triggers.c - trigger definitions (tests/data/triggers/good and bad:
 * NAME.json with NAME.expect giving the field and a part of the reason),
 * delays, and which events match a trigger. */
#include "testutil.h"

#include "cxm/i18n.h"
#include "cxm/json.h"
#include "cxm/triggers.h"

#include <dirent.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct cxm_buf b = CXM_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		cxm_buf_add(&b, chunk, n);
	fclose(f);
	return cxm_buf_detach(&b, NULL);
}

static cJSON *load(const char *path)
{
	char *text = slurp(path), err[200];
	cJSON *j = cxm_json_parse(text, strlen(text), err, sizeof(err));
	if (!j)
		fail_msg("%s: %s", path, err);
	free(text);
	return j;
}

static void test_good(void **state)
{
	DIR *d = opendir("tests/data/triggers/good");
	struct dirent *de;
	int n = 0;
	(void)state;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[512], field[128], why[256];
		struct cxm_trigger_def def;
		if (!strstr(de->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "tests/data/triggers/good/%s", de->d_name);
		cJSON *j = load(path);
		if (cxm_trigger_check(j, &def, field, sizeof(field), why, sizeof(why)))
			fail_msg("%s: %s: %s", de->d_name, field, why);
		if (!strcmp(de->d_name, "call-solved.json")) {
			/* the channel normalised, the conditions kept, inactive */
			assert_string_equal(def.event_channel, "phone");
			assert_int_equal(cJSON_GetArraySize(def.conditions), 3);
			assert_int_equal(def.delay_seconds, 30);
			assert_string_equal(def.channel, "web");
			assert_false(def.active);
			assert_int_equal(def.survey_id, 7);
		} else if (!strcmp(de->d_name, "immediate.json")) {
			assert_null(def.event_channel);
			assert_null(def.conditions);
			assert_int_equal(def.delay_seconds, 0);
			assert_true(def.active);
		} else if (!strcmp(de->d_name, "after-delivery.json")) {
			assert_int_equal(def.survey_id, 912414082313588736LL);
			assert_int_equal(def.delay_seconds, 2 * 86400);
			assert_string_equal(def.event_type, "delivery");
			assert_true(def.active);
		}
		cJSON_Delete(j);
		n++;
	}
	closedir(d);
	assert_int_equal(n, 3);
}

static void test_bad(void **state)
{
	DIR *d = opendir("tests/data/triggers/bad");
	struct dirent *de;
	int n = 0;
	(void)state;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[512], field[128], why[256], *expect, *nl;
		struct cxm_trigger_def def;
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "tests/data/triggers/bad/%.*s.expect", (int)(len - 5), de->d_name);
		expect = slurp(path);
		nl = strchr(expect, '\n');
		assert_non_null(nl);
		*nl = '\0';
		nl[1 + strcspn(nl + 1, "\n")] = '\0';
		snprintf(path, sizeof(path), "tests/data/triggers/bad/%s", de->d_name);
		cJSON *j = load(path);
		if (!cxm_trigger_check(j, &def, field, sizeof(field), why, sizeof(why)))
			fail_msg("%s was accepted", de->d_name);
		if (strcmp(field, expect))
			fail_msg("%s: field '%s', expected '%s' (%s)", de->d_name, field, expect, why);
		if (!strstr(why, nl + 1))
			fail_msg("%s: reason '%s' lacks '%s'", de->d_name, why, nl + 1);
		cJSON_Delete(j);
		free(expect);
		n++;
	}
	closedir(d);
	assert_true(n >= 25);
}

static void test_bad_in_spanish(void **state)
{
	cJSON *j = cJSON_Parse("{\"name\":\"a\",\"survey_id\":\"1\",\"on\":{\"type\":\"x\"},\"delay\":\"2w\",\"channel\":\"web\"}");
	struct cxm_trigger_def def;
	char field[64], why[256];
	(void)state;

	cxm_i18n_set("es");
	assert_int_equal(cxm_trigger_check(j, &def, field, sizeof(field), why, sizeof(why)), CXM_EINVAL);
	cxm_i18n_set("en");
	assert_string_equal(field, "delay");
	assert_non_null(strstr(why, "número entero y una unidad"));
	cJSON_Delete(j);
}

static void test_delays(void **state)
{
	static const struct {
		const char *in;
		int64_t secs; /* -1: refused */
		const char *out;
	} cases[] = {
		{ "0s", 0, "0s" },	    { "30s", 30, "30s" },      { "90s", 90, "90s" },
		{ "120s", 120, "2m" },	    { "90m", 5400, "90m" },   { "48h", 172800, "2d" },
		{ "2d", 172800, "2d" },	    { "25h", 90000, "25h" },  { "365d", 31536000, "365d" },
		{ "8760h", 31536000, "365d" }, { "366d", -1, NULL },    { "31536001s", -1, NULL },
		{ "2", -1, NULL },	    { "d", -1, NULL },	       { "", -1, NULL },
		{ "-1d", -1, NULL },	    { "+1d", -1, NULL },       { "1.5h", -1, NULL },
		{ "2D", -1, NULL },	    { "2w", -1, NULL },	       { " 2d", -1, NULL },
		{ "99999999999d", -1, NULL },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t v = -7;
		char buf[24];
		int ret = cxm_trigger_delay_parse(cases[i].in, &v);
		if (cases[i].secs < 0) {
			if (ret != CXM_EINVAL)
				fail_msg("'%s' was accepted", cases[i].in);
			continue;
		}
		if (ret || v != cases[i].secs)
			fail_msg("'%s': %d, %lld", cases[i].in, ret, (long long)v);
		assert_string_equal(cxm_trigger_delay_format(v, buf, sizeof(buf)), cases[i].out);
	}
	assert_int_equal(cxm_trigger_delay_parse(NULL, &(int64_t){ 0 }), CXM_EINVAL);
}

static void test_matches(void **state)
{
	cJSON *cond = cJSON_Parse("{\"outcome\":\"solved\",\"minutes\":3,\"vip\":true}");
	static const struct {
		const char *type, *channel, *props;
		bool hit;
	} cases[] = {
		{ "call", "phone", "{\"minutes\":3,\"outcome\":\"solved\",\"vip\":true}", true },
		{ "call", "phone", "{\"minutes\":3.0,\"outcome\":\"solved\",\"vip\":true,\"x\":1}", true },
		{ "call", "phone", "{\"minutes\":\"3\",\"outcome\":\"solved\",\"vip\":true}", false },
		{ "call", "phone", "{\"minutes\":3,\"outcome\":\"Solved\",\"vip\":true}", false },
		{ "call", "phone", "{\"minutes\":3,\"outcome\":\"solved\",\"vip\":false}", false },
		{ "call", "phone", "{\"minutes\":3,\"outcome\":\"solved\",\"vip\":1}", false },
		{ "call", "phone", "{\"minutes\":3,\"outcome\":\"solved\"}", false },
		{ "call", "phone", NULL, false },
		{ "call", "phone", "not json", false },
		{ "call", "chat", "{\"minutes\":3,\"outcome\":\"solved\",\"vip\":true}", false },
		{ "calls", "phone", "{\"minutes\":3,\"outcome\":\"solved\",\"vip\":true}", false },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (cxm_trigger_matches("call", "phone", cond, cases[i].type, cases[i].channel, cases[i].props) !=
		    cases[i].hit)
			fail_msg("case %zu", i);
	/* no channel and no conditions: the type alone */
	assert_true(cxm_trigger_matches("delivery", NULL, NULL, "delivery", "store", NULL));
	assert_true(cxm_trigger_matches("delivery", NULL, NULL, "delivery", NULL, "{\"a\":1}"));
	assert_false(cxm_trigger_matches("delivery", NULL, NULL, "purchase", "store", NULL));
	assert_false(cxm_trigger_matches("delivery", NULL, NULL, NULL, "store", NULL));
	cJSON_Delete(cond);
}

static void test_property_equals(void **state)
{
	/* want, have (a property value or null for absent), equal */
	static const struct {
		const char *want, *have;
		bool eq;
	} cases[] = {
		{ "\"dhl\"", "\"dhl\"", true },   { "\"dhl\"", "\"DHL\"", false },
		{ "\"3\"", "3", false },		{ "3", "3.0", true },
		{ "3", "3.5", false },		{ "3", "\"3\"", false },
		{ "true", "true", true },		{ "false", "false", true },
		{ "true", "false", false },		{ "true", "1", false },
		{ "\"dhl\"", NULL, false },		{ "null", "null", false },
		{ "[1]", "[1]", false },		{ "{\"a\":1}", "{\"a\":1}", false },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cJSON *want = cJSON_Parse(cases[i].want);
		cJSON *have = cases[i].have ? cJSON_Parse(cases[i].have) : NULL;
		assert_non_null(want);
		if (cxm_property_equals(want, have) != cases[i].eq)
			fail_msg("case %zu", i);
		cJSON_Delete(want);
		cJSON_Delete(have);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	  cmocka_unit_test(test_bad),	   cmocka_unit_test(test_bad_in_spanish),
		cmocka_unit_test(test_delays), cmocka_unit_test(test_matches),
		cmocka_unit_test(test_property_equals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
