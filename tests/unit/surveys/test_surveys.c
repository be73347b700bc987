/* test_surveys.c - survey definitions (tests/data/surveys/good and bad:
 * NAME.json with NAME.expect giving the field and a part of the reason)
 * and the checking of answers against a definition. */
#include "testutil.h"

#include "cxm/json.h"
#include "cxm/surveys.h"

#include <dirent.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct cxm_buf b = CXM_BUF_INIT;
	char chunk[4096];
	size_t n;

	assert_non_null(f);
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

static void test_good_definitions(void **state)
{
	DIR *d = opendir("tests/data/surveys/good");
	struct dirent *de;
	int n = 0;
	(void)state;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[512], field[128], why[256];
		struct cxm_survey_def def;
		if (!strstr(de->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "tests/data/surveys/good/%s", de->d_name);
		cJSON *j = load(path);
		if (cxm_survey_check(j, &def, field, sizeof(field), why, sizeof(why)))
			fail_msg("%s: %s: %s", de->d_name, field, why);
		cJSON_Delete(j);
		n++;
	}
	closedir(d);
	assert_true(n >= 2);
}

static void test_bad_definitions(void **state)
{
	DIR *d = opendir("tests/data/surveys/bad");
	struct dirent *de;
	int n = 0;
	(void)state;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[512], field[128], why[256], *expect, *nl;
		struct cxm_survey_def def;
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "tests/data/surveys/bad/%.*s.expect", (int)(len - 5), de->d_name);
		expect = slurp(path);
		nl = strchr(expect, '\n');
		assert_non_null(nl);
		*nl = '\0';
		nl[1 + strcspn(nl + 1, "\n")] = '\0';
		snprintf(path, sizeof(path), "tests/data/surveys/bad/%s", de->d_name);
		cJSON *j = load(path);
		if (!cxm_survey_check(j, &def, field, sizeof(field), why, sizeof(why)))
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
	assert_true(n >= 10);
}

struct answer_case {
	const char *answers;
	int ok;
	const char *field;
	int nps, csat, ces;
	int complete;
};

static void test_answers(void **state)
{
	static const struct answer_case cases[] = {
		{ "{\"nps\":3,\"why_bad\":\"Tardó mucho\\nmuchísimo\"}", 1, NULL, 3, -1, -1, 1 },
		{ "{\"nps\":10,\"liked\":[\"price\",\"staff\"],\"csat\":5,\"ces\":7}", 1, NULL, 10, 5, 7, 1 },
		{ "{\"csat\":4}", 1, NULL, -1, 4, -1, 0 }, /* the required nps is missing: partial */
		{ "{\"nps\":11}", 0, "answers.nps", 0, 0, 0, 0 },
		{ "{\"nps\":7.5}", 0, "answers.nps", 0, 0, 0, 0 },
		{ "{\"nps\":\"9\"}", 0, "answers.nps", 0, 0, 0, 0 },
		{ "{\"nps\":9,\"why_bad\":\"x\"}", 0, "answers.why_bad", 0, 0, 0, 0 },
		{ "{\"nps\":9,\"liked\":[\"price\",\"price\"]}", 0, "answers.liked", 0, 0, 0, 0 },
		{ "{\"nps\":9,\"liked\":[\"parking\"]}", 0, "answers.liked", 0, 0, 0, 0 },
		{ "{\"channel\":\"phone\"}", 0, "answers.channel", 0, 0, 0, 0 },
		{ "{\"delivery\":0}", 0, "answers.delivery", 0, 0, 0, 0 },
		{ "{\"delivery\":10}", 1, NULL, -1, -1, -1, 0 },
		{ "{\"colour\":\"red\"}", 0, "answers.colour", 0, 0, 0, 0 },
		{ "{\"comment\":\"<script>alert(1)</script>\"}", 1, NULL, -1, -1, -1, 0 },
		{ "{\"comment\":\"\\u0007\"}", 0, "answers.comment", 0, 0, 0, 0 },
	};
	cJSON *def = load("tests/data/surveys/good/posventa.json");
	struct cxm_survey_def d;
	char field[128], why[256];
	(void)state;

	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cxm_answer_summary sum;
		cJSON *a = cJSON_Parse(cases[i].answers);
		int ret = cxm_survey_check_answers(&d, a, &sum, field, sizeof(field), why, sizeof(why));
		if (cases[i].ok && ret)
			fail_msg("%s refused: %s: %s", cases[i].answers, field, why);
		if (!cases[i].ok && !ret)
			fail_msg("%s accepted", cases[i].answers);
		if (!cases[i].ok)
			assert_string_equal(field, cases[i].field);
		else {
			assert_int_equal(sum.nps, cases[i].nps);
			assert_int_equal(sum.csat, cases[i].csat);
			assert_int_equal(sum.ces, cases[i].ces);
			assert_int_equal(sum.complete, cases[i].complete);
		}
		cJSON_Delete(a);
	}
	/* a text over its limit is refused, not cut */
	cJSON *big = cJSON_CreateObject();
	char *text = xmalloc(502);
	memset(text, 'a', 501);
	text[501] = '\0';
	cJSON_AddNumberToObject(big, "nps", 0);
	cJSON_AddStringToObject(big, "why_bad", text);
	struct cxm_answer_summary sum;
	assert_int_equal(cxm_survey_check_answers(&d, big, &sum, field, sizeof(field), why, sizeof(why)), CXM_EINVAL);
	assert_non_null(strstr(why, "500"));
	free(text);
	cJSON_Delete(big);
	cJSON_Delete(def);
}

static void test_nps_categories_and_default(void **state)
{
	struct cxm_survey_def d;
	char field[128], why[256];
	(void)state;

	assert_int_equal(cxm_nps_category(0), CXM_NPS_DETRACTOR);
	assert_int_equal(cxm_nps_category(6), CXM_NPS_DETRACTOR);
	assert_int_equal(cxm_nps_category(7), CXM_NPS_PASSIVE);
	assert_int_equal(cxm_nps_category(8), CXM_NPS_PASSIVE);
	assert_int_equal(cxm_nps_category(9), CXM_NPS_PROMOTER);
	assert_int_equal(cxm_nps_category(10), CXM_NPS_PROMOTER);
	assert_int_equal(cxm_nps_category(11), CXM_NPS_NONE);
	assert_int_equal(cxm_nps_category(-1), CXM_NPS_NONE);
	/* the default survey is a valid, bilingual definition */
	cJSON *def = cxm_survey_default_nps();
	assert_int_equal(cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(d.nlanguages, 2);
	assert_int_equal(d.questions[0].type, CXM_Q_NPS);
	assert_int_equal(d.questions[1].show_if_category, CXM_NPS_DETRACTOR);
	cJSON_Delete(def);
	assert_int_equal(cxm_survey_status_check("live"), 0);
	assert_int_equal(cxm_survey_status_check("paused"), CXM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_definitions),
		cmocka_unit_test(test_bad_definitions),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_nps_categories_and_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
