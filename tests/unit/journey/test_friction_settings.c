/* test_friction_settings.c - the tenant's setting "journeys" (friction.c):
 * what the map reads from a stored setting, whatever it holds, and what a
 * PUT may store (the weights adding up to 1 within 1e-9, bands increasing,
 * every refusal naming its field). */
#include "testutil.h"

#include "cxm/i18n.h"
#include "cxm/journey.h"

static void assert_weights(const struct cxm_friction_weights *w, double d, double e, double s, double amber, double red)
{
	assert_true(w->dropoff == d && w->effort == e && w->sentiment == s);
	assert_true(w->bands[0] == amber && w->bands[1] == red);
}

static void test_read(void **state)
{
	struct cxm_friction_weights w;
	(void)state;

	cxm_friction_weights_read(NULL, &w);
	assert_weights(&w, 0.4, 0.3, 0.3, 25, 50);
	cxm_friction_weights_read("not json", &w);
	assert_weights(&w, 0.4, 0.3, 0.3, 25, 50);
	cxm_friction_weights_read("{\"friction_weights\":{\"dropoff\":0.5,\"effort\":0.5,\"sentiment\":0},"
				  "\"friction_bands\":[20,40]}", &w);
	assert_weights(&w, 0.5, 0.5, 0, 20, 40);
	/* each value out of range keeps its default, the rest is read */
	cxm_friction_weights_read("{\"friction_weights\":{\"dropoff\":1.5,\"effort\":0.1,\"sentiment\":\"x\"},"
				  "\"friction_bands\":[40,20]}", &w);
	assert_weights(&w, 0.4, 0.1, 0.3, 25, 50);
	/* weights that would weigh nothing: the defaults */
	cxm_friction_weights_read("{\"friction_weights\":{\"dropoff\":0,\"effort\":0,\"sentiment\":0}}", &w);
	assert_weights(&w, 0.4, 0.3, 0.3, 25, 50);
}

/* Checks TEXT; returns the field refused ("" when accepted) into field. */
static int check(const char *text, struct cxm_friction_weights *w, char *field)
{
	char why[300];
	cJSON *o = cJSON_Parse(text);
	int ret;

	assert_non_null(o);
	field[0] = '\0';
	ret = cxm_journey_settings_check(o, w, field, 96, why, sizeof(why));
	if (ret)
		assert_true(why[0] != '\0');
	cJSON_Delete(o);
	return ret;
}

static void test_check(void **state)
{
	static const struct {
		const char *text, *field;
	} refused[] = {
		{ "[]", "" },
		{ "{\"weights\":{}}", "weights" },
		{ "{\"friction_weights\":{\"dropoff\":0.5,\"effort\":0.5}}", "friction_weights.sentiment" },
		{ "{\"friction_weights\":{\"dropoff\":0.5,\"effort\":0.5,\"sentiment\":0,\"x\":0}}", "friction_weights.x" },
		{ "{\"friction_weights\":{\"dropoff\":-0.1,\"effort\":0.6,\"sentiment\":0.5}}", "friction_weights.dropoff" },
		{ "{\"friction_weights\":{\"dropoff\":0.5,\"effort\":true,\"sentiment\":0.5}}", "friction_weights.effort" },
		{ "{\"friction_weights\":{\"dropoff\":0.5,\"effort\":0.5,\"sentiment\":0.000000002}}", "friction_weights" },
		{ "{\"friction_weights\":{\"dropoff\":0.3,\"effort\":0.3,\"sentiment\":0.3}}", "friction_weights" },
		{ "{\"friction_weights\":\"equal\"}", "friction_weights" },
		{ "{\"friction_bands\":[25]}", "friction_bands" },
		{ "{\"friction_bands\":[25,\"50\"]}", "friction_bands[1]" },
		{ "{\"friction_bands\":[0,50]}", "friction_bands" },
		{ "{\"friction_bands\":[50,50]}", "friction_bands" },
		{ "{\"friction_bands\":[50,100.5]}", "friction_bands" },
	};
	struct cxm_friction_weights w;
	char field[96];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		assert_int_equal(check(refused[i].text, &w, field), CXM_EINVAL);
		assert_string_equal(field, refused[i].field);
	}
	/* left out: the defaults; within 1e-9 of 1 is 1 */
	assert_int_equal(check("{}", &w, field), 0);
	assert_weights(&w, 0.4, 0.3, 0.3, 25, 50);
	assert_int_equal(check("{\"friction_weights\":{\"dropoff\":0.1,\"effort\":0.2,\"sentiment\":0.7000000005}}", &w,
			       field), 0);
	assert_int_equal(check("{\"friction_weights\":{\"dropoff\":1,\"effort\":0,\"sentiment\":0},\"friction_bands\":[1,100]}",
			       &w, field), 0);
	assert_weights(&w, 1, 0, 0, 1, 100);
	/* what a PUT stores reads back the same */
	cJSON *o = cxm_journey_settings_json(&w);
	char *text = cJSON_PrintUnformatted(o);
	struct cxm_friction_weights back;
	cxm_friction_weights_read(text, &back);
	assert_weights(&back, 1, 0, 0, 1, 100);
	free(text);
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_check),
	};
	cxm_i18n_set("en");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
