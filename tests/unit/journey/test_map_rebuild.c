/*
 * test_map_rebuild.c - the journey map while a new version rebuilds
 * (map_report.c; tests/run.sh DB_TESTS: SQLite and PostgreSQL): it shows
 * the built version's stages with their figures, says it is rebuilding,
 * and shows the new version once it is built.
 */
#include "testutil.h"

#include "cxm/journey.h"
#include "cxm/journeymap.h"
#include "cxm/time.h"

#include <stdlib.h>
#include <string.h>

#define V1 "{\"name\":\"Compra\",\"stages\":[" \
	   "{\"key\":\"ver\",\"phase\":\"before\",\"touchpoints\":[{\"key\":\"web\",\"match\":{\"type\":\"page_view\"}}]}," \
	   "{\"key\":\"comprar\",\"phase\":\"during\",\"touchpoints\":[{\"key\":\"caja\",\"match\":{\"type\":\"purchase\"}}]}]}"
#define V2 "{\"name\":\"Compra\",\"stages\":[" \
	   "{\"key\":\"pagar\",\"phase\":\"during\",\"touchpoints\":[{\"key\":\"caja\",\"match\":{\"type\":\"purchase\"}}]}]}"

static char *canonical(const char *text)
{
	struct cxm_journey_def d;
	char field[128], why[256];
	cJSON *tree = cJSON_Parse(text), *c;
	char *out;

	assert_non_null(tree);
	if (cxm_journey_check(tree, &d, field, sizeof(field), why, sizeof(why)))
		fail_msg("%s: %s", field, why);
	c = cxm_journey_to_json(&d);
	out = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	cJSON_Delete(tree);
	return out;
}

/* The stage keys and reached figures of the map ("-" for null). */
static void map_of(int64_t tenant, int64_t id, char *out, size_t outlen, bool *rebuilding)
{
	struct cxm_journey_map_query q = { .tenant = tenant, .journey_id = id, .lang = CXM_LANG_EN };
	cJSON *o;
	size_t n = 0;

	assert_int_equal(cxm_store_tenant_day(S, tenant, cxm_now_us(), &q.to_day), 0);
	q.to_day += 1;
	q.from_day = q.to_day - 30;
	if (cxm_journey_map_report(S, &q, &o))
		fail_msg("%s", cxm_store_errmsg(S));
	*rebuilding = !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "rebuilding"));
	out[0] = 0;
	const cJSON *stages = cJSON_GetObjectItemCaseSensitive(o, "stages");
	for (const cJSON *s = stages ? stages->child : NULL; s; s = s->next) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "reached");
		n += (size_t)snprintf(out + n, outlen - n, "%s%s=", n ? " " : "",
				      cJSON_GetObjectItemCaseSensitive(s, "key")->valuestring);
		if (cJSON_IsNumber(r))
			n += (size_t)snprintf(out + n, outlen - n, "%d", r->valueint);
		else
			n += (size_t)snprintf(out + n, outlen - n, "-");
	}
	cJSON_Delete(o);
}

static void test_map_during_rebuild(void **state)
{
	int64_t tenant = test_tenant(S), id, cust;
	int64_t now = cxm_now_us(), day = INT64_C(86400000000);
	char *c1 = canonical(V1), *c2 = canonical(V2), got[256];
	bool rebuilding, pending = true;
	int version;
	(void)state;

	struct cxm_customer cu = { .external_id = "m1", .attributes = "{}" };
	assert_int_equal(cxm_store_customer_put(S, tenant, &cu, &cust, NULL), 0);
	assert_int_equal(cxm_store_journey_create(S, tenant, "Compra", c1, now, &id), 0);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	struct cxm_event ev[] = {
		{ .source_id = "e1", .customer_id = cust, .type = "page_view", .channel = "web", .ts = now - 3 * day },
		{ .source_id = "e2", .customer_id = cust, .type = "purchase", .channel = "web", .ts = now - 2 * day },
	};
	assert_int_equal(cxm_store_events_put(S, tenant, ev, 2, NULL, NULL), 0);
	map_of(tenant, id, got, sizeof(got), &rebuilding);
	assert_string_equal(got, "ver=1 comprar=1");
	assert_false(rebuilding);

	/* version 2 rebuilds: the map stays version 1's, with its figures */
	assert_int_equal(cxm_store_journey_update(S, tenant, id, "Compra", c2, now + 1, &version), 0);
	assert_int_equal(version, 2);
	map_of(tenant, id, got, sizeof(got), &rebuilding);
	assert_string_equal(got, "ver=1 comprar=1");
	assert_true(rebuilding);
	char *def = NULL;
	assert_int_equal(cxm_store_journey_definition(S, tenant, id, 1, &def), 0);
	assert_string_equal(def, c1);
	free(def);
	assert_int_equal(cxm_store_journey_definition(S, tenant, id, 3, &def), CXM_ENOTFOUND);

	while (pending)
		assert_int_equal(cxm_store_journey_build_step(S, tenant, 50, &pending), 0);
	map_of(tenant, id, got, sizeof(got), &rebuilding);
	assert_string_equal(got, "pagar=1");
	assert_false(rebuilding);
	free(c1);
	free(c2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_during_rebuild),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
