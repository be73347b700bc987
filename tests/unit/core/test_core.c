/* test_core.c - buffers, integer parsing, UTF-8, ids, RFC 3339, strict JSON. */
#include "testutil.h"
#include <math.h>

#include "cxm/arena.h"
#include "cxm/json.h"
#include "cxm/map.h"
#include "cxm/time.h"
#include "cxm/tz.h"

static void test_buf_caps_growth(void **state)
{
	struct cxm_buf b;
	(void)state;
	cxm_buf_init(&b, 8);
	assert_int_equal(cxm_buf_addstr(&b, "12345"), 0);
	assert_int_equal(cxm_buf_addf(&b, "%d", 678), 0);
	assert_string_equal(cxm_buf_str(&b), "12345678");
	assert_int_equal(cxm_buf_addch(&b, '9'), CXM_ETOOBIG);
	assert_string_equal(cxm_buf_str(&b), "12345678"); /* unchanged */
	cxm_buf_clear(&b);
	assert_string_equal(cxm_buf_str(&b), "");
	cxm_buf_release(&b);
}

static void test_parse_i64(void **state)
{
	int64_t v;
	(void)state;
	assert_int_equal(cxm_parse_i64("9223372036854775807", 19, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(cxm_parse_i64("-9223372036854775808", 20, &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(cxm_parse_i64("9223372036854775808", 19, &v), CXM_EINVAL);
	assert_int_equal(cxm_parse_i64("12a", 3, &v), CXM_EINVAL);
	assert_int_equal(cxm_parse_i64("", 0, &v), CXM_EINVAL);
	assert_int_equal(cxm_parse_i64("-", 1, &v), CXM_EINVAL);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(cxm_utf8_valid("Peña, Bogotá 😀", strlen("Peña, Bogotá 😀")));
	assert_false(cxm_utf8_valid("Jos\xe9", 4));         /* Latin-1 */
	assert_false(cxm_utf8_valid("\xc0\xaf", 2));        /* overlong */
	assert_false(cxm_utf8_valid("\xed\xa0\x80", 3));    /* surrogate */
	assert_false(cxm_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(cxm_utf8_valid("a\0b", 3));
	assert_false(cxm_utf8_valid("\xe2\x82", 2));        /* cut short */
}

static void test_ids_increase(void **state)
{
	int64_t prev = cxm_id_next(), now = cxm_now_us() / 1000;
	(void)state;
	assert_true(prev > 0);
	for (int i = 0; i < 100000; i++) {
		int64_t id = cxm_id_next();
		assert_true(id > prev);
		prev = id;
	}
	assert_true(cxm_id_time_ms(prev) >= now - 1000 && cxm_id_time_ms(prev) <= now + 60000);
	/* the node number sits in bits 21..12 */
	prev = cxm_id_next();
	cxm_id_set_node(0); /* the lowest: still no id goes backwards */
	assert_true(cxm_id_next() > prev);
	cxm_id_set_node(517);
	assert_int_equal((cxm_id_next() >> 12) & 0x3FF, 517);
}

static void test_rfc3339_cases(void **state)
{
	const char *dir = getenv("CXM_TEST_DATA") ? getenv("CXM_TEST_DATA") : "tests/data";
	char path[512], line[256], out[CXM_TIME_BUFSZ];
	int n = 0;
	(void)state;
	snprintf(path, sizeof(path), "%s/time/rfc3339.tsv", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		int64_t got;
		int ret = cxm_time_parse(line, strlen(line), &got);
		if (!strcmp(tab + 1, "ERR")) {
			if (ret != CXM_EINVAL)
				fail_msg("'%s' should be refused", line);
		} else {
			int64_t want = strtoll(tab + 1, NULL, 10);
			if (ret || got != want)
				fail_msg("'%s': got %lld (ret %d), want %lld", line, (long long)got, ret, (long long)want);
			/* formatting and parsing again gives the same instant */
			cxm_time_format(got, out);
			assert_int_equal(cxm_time_parse(out, strlen(out), &got), 0);
			assert_true(got == want);
		}
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
	assert_string_equal(cxm_time_format(1772360100250000, out), "2026-03-01T10:15:00.25Z");
	assert_string_equal(cxm_time_format(-1, out), "1969-12-31T23:59:59.999999Z");
}

static void test_json_fixed(void **state)
{
	static const struct {
		double v;
		int places;
		const char *text;
	} cases[] = {
		{ 4.9, 1, "4.9" },	    { 100, 1, "100" },	       { -0.04, 1, "0" },	  { -0.25, 2, "-0.25" },
		{ 33.333333, 1, "33.3" }, { 0.0001, 4, "0.0001" }, { 1.10, 2, "1.1" },	  { -100, 0, "-100" },
		{ 0.5, 0, "1" },	    { 12345678.9, 1, "12345678.9" },
	};
	cJSON *o = cJSON_CreateObject();
	char name[8];
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "v%zu", i);
		cxm_json_add_fixed(o, name, cases[i].v, cases[i].places);
	}
	cxm_json_add_fixed(o, "inf", INFINITY, 1);
	char *t = cxm_json_print(o);
	cJSON *back = cJSON_Parse(t);
	assert_non_null(back);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "v%zu", i);
		const cJSON *raw = cJSON_GetObjectItemCaseSensitive(o, name);
		assert_true(cJSON_IsRaw(raw));
		assert_string_equal(raw->valuestring, cases[i].text);
		/* valid JSON that reads back as the rounded number */
		assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(back, name)));
		assert_float_equal(cJSON_GetObjectItemCaseSensitive(back, name)->valuedouble, strtod(cases[i].text, NULL), 1e-12);
	}
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(back, "inf")));
	free(t);
	cJSON_Delete(back);
	cJSON_Delete(o);
}

static void test_strict_json(void **state)
{
	char err[128];
	cJSON *j;
	(void)state;
	j = cxm_json_parse("{\"b\":1,\"a\":{\"d\":2,\"c\":[3]}}", 27, err, sizeof(err));
	assert_non_null(j);
	cxm_json_sort(j);
	char *t = cxm_json_print(j);
	assert_string_equal(t, "{\"a\":{\"c\":[3],\"d\":2},\"b\":1}");
	free(t);
	cJSON_Delete(j);
	assert_null(cxm_json_parse("{} x", 4, err, sizeof(err)));
	assert_non_null(strstr(err, "after the JSON value"));
	/* a key given twice, at any depth, is refused; the same key in two objects is fine */
	assert_null(cxm_json_parse("{\"a\":1,\"b\":2,\"a\":3}", 19, err, sizeof(err)));
	assert_non_null(strstr(err, "'a'"));
	assert_null(cxm_json_parse("[{\"x\":{\"k\":1,\"k\":1}}]", 21, err, sizeof(err)));
	j = cxm_json_parse("[{\"k\":1},{\"k\":2}]", 17, err, sizeof(err));
	assert_non_null(j);
	cJSON_Delete(j);
	assert_null(cxm_json_parse("{\"a\":\"x\\u0000y\"}", 16, err, sizeof(err)));
	assert_null(cxm_json_parse("{\"a\":\"\xe9\"}", 8, err, sizeof(err)));
	assert_null(cxm_json_parse("{\"n\":9007199254740993}", 22, err, sizeof(err)));
	j = cxm_json_parse("{\"a\":\"x\\\\u0000y\"}", 17, err, sizeof(err)); /* an escaped backslash */
	assert_non_null(j);
	cJSON_Delete(j);
	assert_null(cxm_json_parse("{\"a\":", 5, err, sizeof(err)));
	char deep[81];
	memset(deep, '[', 40);
	memset(deep + 40, ']', 40);
	deep[80] = '\0';
	assert_null(cxm_json_parse(deep, strlen(deep), err, sizeof(err)));
	char *c = cxm_json_canonical_object("{\"z\":1,\"a\":2}", err, sizeof(err));
	assert_string_equal(c, "{\"a\":2,\"z\":1}");
	free(c);
	assert_null(cxm_json_canonical_object("[1]", err, sizeof(err)));
}

static void test_map_and_arena(void **state)
{
	struct cxm_map m;
	struct cxm_arena a;
	char key[32];
	int64_t v;
	(void)state;
	cxm_map_init(&m);
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		cxm_map_put(&m, key, i);
	}
	cxm_map_put(&m, "k5", -5);
	assert_int_equal(cxm_map_count(&m), 10000);
	assert_true(cxm_map_get(&m, "k9999", &v) && v == 9999);
	assert_true(cxm_map_get(&m, "k5", &v) && v == -5);
	assert_false(cxm_map_get(&m, "nope", &v));
	cxm_map_release(&m);
	cxm_arena_init(&a, 64);
	char *s1 = cxm_arena_strdup(&a, "hola");
	char *s2 = cxm_arena_alloc(&a, 1000);
	memset(s2, 'x', 1000);
	assert_string_equal(s1, "hola");
	cxm_arena_clear(&a);
	cxm_arena_release(&a);
}

/* Local day starts, also where DST skips midnight (Havana, Santiago in
 * September: the day starts at 01:00) or repeats the hour before it. */
static void test_tz_day_start(void **state)
{
	(void)state;
	static const struct {
		const char *zone;
		int y, m, d;
		int64_t start;  /* UTC seconds */
	} cases[] = {
		{ "America/Havana", 2024, 3, 10, INT64_C(1710046800) },    /* 05:00Z = 01:00 CDT */
		{ "America/Santiago", 2024, 9, 8, INT64_C(1725768000) },   /* 04:00Z = 01:00 -03 */
		{ "America/Santiago", 2024, 4, 7, INT64_C(1712462400) },   /* 04:00Z = 00:00 -04 */
		{ "Europe/Madrid", 2026, 3, 29, INT64_C(1774738800) },
		{ "Asia/Kolkata", 2026, 1, 1, INT64_C(1767205800) },
		{ "UTC", 2026, 2, 28, INT64_C(1772236800) },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cxm_tz *z = cxm_tz_get(cases[i].zone);
		assert_non_null(z);
		int64_t day = cxm_days_from_civil(cases[i].y, (unsigned)cases[i].m, (unsigned)cases[i].d);
		int64_t t = cxm_tz_day_start(z, day);
		assert_int_equal(t, cases[i].start * 1000000);
		assert_int_equal(cxm_tz_day(z, t), day);
		assert_int_equal(cxm_tz_day(z, t - 1), day - 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_caps_growth), cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_utf8),		cmocka_unit_test(test_ids_increase),
		cmocka_unit_test(test_rfc3339_cases),	cmocka_unit_test(test_strict_json), cmocka_unit_test(test_json_fixed),
		cmocka_unit_test(test_map_and_arena), cmocka_unit_test(test_tz_day_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
