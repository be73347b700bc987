/*
 * test_journey_store.c - the journeys' storage (src/store/journey_store.c)
 * on SQLite and PostgreSQL (tests/run.sh DB_TESTS): definitions and their
 * versions, and the errors of their changes.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#define DEF1 "{\"name\":\"Compra\",\"stages\":[]}"
#define DEF2 "{\"name\":\"Compra web\",\"stages\":[]}"

struct got {
	int n;
	int64_t id[32];
	int slot[32], version[32], built[32];
	char name[32][64], status[32][16], def[32][256];
};

static int collect(const struct cxm_journey_row *j, void *ctx)
{
	struct got *g = ctx;
	assert_true(g->n < 32);
	g->id[g->n] = j->id;
	g->slot[g->n] = j->slot;
	g->version[g->n] = j->version;
	g->built[g->n] = j->built_version;
	snprintf(g->name[g->n], sizeof(g->name[0]), "%s", j->name);
	snprintf(g->status[g->n], sizeof(g->status[0]), "%s", j->status);
	snprintf(g->def[g->n], sizeof(g->def[0]), "%s", j->definition);
	g->n++;
	return 0;
}

static void test_crud(void **state)
{
	int64_t tenant = test_tenant(S), a, b, v0, v1, v2, now = 1700000000000000;
	struct got g;
	int version;
	(void)state;

	assert_int_equal(cxm_store_journey_version(S, tenant, &v0), 0);
	assert_int_equal(cxm_store_journey_create(S, tenant, "Compra", DEF1, now, &a), 0);
	assert_int_equal(cxm_store_journey_version(S, tenant, &v1), 0);
	assert_true(v1 != v0);
	assert_int_equal(cxm_store_journey_create(S, tenant, "Compra", DEF1, now, &b), CXM_EEXIST);
	assert_int_equal(cxm_store_journey_create(S, tenant, "Soporte", DEF1, now, &b), 0);

	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_get(S, tenant, a, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.name[0], "Compra");
	assert_string_equal(g.status[0], "active");
	assert_string_equal(g.def[0], DEF1);
	assert_int_equal(g.version[0], 1);
	assert_int_equal(g.built[0], 0);
	assert_int_equal(g.slot[0], 0);

	assert_int_equal(cxm_store_journey_update(S, tenant, a, "Compra web", DEF2, now + 1, &version), 0);
	assert_int_equal(version, 2);
	assert_int_equal(cxm_store_journey_update(S, tenant, a, "Soporte", DEF2, now + 1, &version), CXM_EEXIST);
	assert_int_equal(cxm_store_journey_version(S, tenant, &v2), 0);
	assert_true(v2 != v1);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_get(S, tenant, a, collect, &g), 0);
	assert_int_equal(g.version[0], 2);
	assert_string_equal(g.name[0], "Compra web");
	assert_string_equal(g.def[0], DEF2);

	/* archived: out of the active list, its name and slot free again */
	assert_int_equal(cxm_store_journey_archive(S, tenant, a, now + 2), 0);
	assert_int_equal(cxm_store_journey_archive(S, tenant, a, now + 2), CXM_ECONFLICT);
	assert_int_equal(cxm_store_journey_update(S, tenant, a, "x", DEF2, now + 3, &version), CXM_ECONFLICT);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_list(S, tenant, true, 0, 0, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.id[0], b);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_list(S, tenant, false, 0, 0, collect, &g), 0);
	assert_int_equal(g.n, 2);
	int64_t c;
	assert_int_equal(cxm_store_journey_create(S, tenant, "Compra web", DEF1, now, &c), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_get(S, tenant, c, collect, &g), 0);
	assert_int_equal(g.slot[0], 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_list(S, tenant, false, a < b ? a : b, 1, collect, &g), 0);
	assert_int_equal(g.n, 1);

	/* unknown ids and other tenants */
	assert_int_equal(cxm_store_journey_get(S, tenant, 12345, collect, &g), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_journey_get(S, test_tenant(S), b, collect, &g), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_journey_update(S, tenant, 12345, "y", DEF2, now, &version), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_journey_archive(S, tenant, 12345, now), CXM_ENOTFOUND);
}

static void test_active_limit(void **state)
{
	int64_t tenant = test_tenant(S), id;
	char name[32];
	(void)state;

	for (int i = 0; i < CXM_JOURNEY_ACTIVE_MAX; i++) {
		snprintf(name, sizeof(name), "j%d", i);
		assert_int_equal(cxm_store_journey_create(S, tenant, name, DEF1, 1, &id), 0);
	}
	assert_int_equal(cxm_store_journey_create(S, tenant, "one more", DEF1, 1, &id), CXM_ETOOBIG);
	assert_int_equal(cxm_store_journey_archive(S, tenant, id, 2), 0);
	assert_int_equal(cxm_store_journey_create(S, tenant, "one more", DEF1, 1, &id), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crud),
		cmocka_unit_test(test_active_limit),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
