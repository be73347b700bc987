/*
 * test_journey_store.c - the journeys' storage (src/store/journey_store.c)
 * on SQLite and PostgreSQL (tests/run.sh DB_TESTS): definitions and their
 * versions, and the errors of their changes; the journeys' rollups kept on
 * ingest against a tally made from the events with the pure model, in any
 * order of arrival, batching and repeats, and against a build from the
 * sequences; updates, builds meeting live events, merges, rollbacks,
 * sequences read back, progress, and the sequences migration 0014 makes;
 * event classes added by two connections and their cap, the cap on a
 * customer's sequence, two connections ingesting one customer at once
 * (PostgreSQL: row locks), segments following the customer, tenants taking
 * turns at builds, and a handle serving many tenants. The sequences' tail
 * (migration 0016): folded at every commit or never gives the same rollups,
 * scans and progress; scans and progress see it before a fold, also for a
 * customer whose row lies outside the scan's window; rollbacks leave none
 * of it and the count of it sane; merges and rebuilds take it in; the
 * tail in memory (SQLite) after savepoint and whole rollbacks, while
 * another handle adds to and folds the tail between two transactions,
 * through merges of customers who both have tail rows, segment changes
 * of customers with tail rows (scans and funnels by segment, before and
 * after a fold), a capped customer's row written whole in an ingest call
 * that adds others' tail rows, ingest calls failing halfway, and a
 * progress read in a write transaction on a handle new to journeys.
 */
#include "testutil.h"
#include "store-internal.h" /* cxm_store_q: the tail's rows, counted */

#include "cxm/journeymap.h" /* cxm_funnel_report: a funnel by segment over the tail */
#include "cxm/time.h"

#include <pthread.h>
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

/* ---- the rollups kept on ingest -------------------------------------------- */

#define NCUST 300
#define NEV 2000
#define DAY_US ((int64_t)86400 * 1000000)
#define NDAYS 75

static const char *const J1 =
	"{\"name\":\"Compra\",\"conversion_window\":\"7d\",\"stages\":["
	"{\"key\":\"descubrimiento\",\"phase\":\"before\",\"touchpoints\":[{\"key\":\"anuncio\",\"match\":{\"type\":\"ad_click\",\"channel\":\"social\"}}]},"
	"{\"key\":\"consideracion\",\"phase\":\"before\",\"touchpoints\":[{\"key\":\"ficha\",\"match\":{\"type\":\"page_view\",\"touchpoint\":\"product\"}}]},"
	"{\"key\":\"compra\",\"phase\":\"during\",\"touchpoints\":[{\"key\":\"checkout\",\"match\":{\"type\":\"purchase\"}}]},"
	"{\"key\":\"entrega\",\"phase\":\"after\",\"touchpoints\":[{\"key\":\"envio\",\"match\":{\"type\":\"delivery\"}}]}]}";
static const char *const J1B =
	"{\"name\":\"Compra\",\"conversion_window\":\"3d\",\"stages\":["
	"{\"key\":\"consideracion\",\"phase\":\"before\",\"touchpoints\":[{\"key\":\"ficha\",\"match\":{\"type\":\"page_view\"}}]},"
	"{\"key\":\"compra\",\"phase\":\"during\",\"touchpoints\":[{\"key\":\"checkout\",\"match\":{\"type\":\"purchase\"}}]}]}";
static const char *const J2 =
	"{\"name\":\"Soporte\",\"stages\":["
	"{\"key\":\"contacto\",\"phase\":\"after\",\"touchpoints\":[{\"key\":\"llamada\",\"match\":{\"type\":\"call\",\"channel\":\"phone\"}},"
	"{\"key\":\"chat\",\"match\":{\"type\":\"chat\",\"properties\":{\"topic\":\"billing\"}}}]},"
	"{\"key\":\"resuelto\",\"phase\":\"after\",\"touchpoints\":[{\"key\":\"cierre\",\"match\":{\"type\":\"ticket_closed\"}}]}]}";

static const char *const segments[] = { "gold", "silver", NULL };

struct wev {
	char source[16];
	int cust;
	const char *type, *channel, *touchpoint, *props;
	int64_t ts;
};

static struct wev W[NEV];
static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static int below(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static int64_t T0(void)
{
	return cxm_days_from_civil(2026, 3, 1) * DAY_US;
}

static void world(void)
{
	static const struct {
		const char *type, *channel, *touchpoint, *props;
	} kinds[] = {
		{ "ad_click", "social", NULL, NULL },	      { "page_view", "web", "product", NULL },
		{ "page_view", "web", "home", NULL },	      { "purchase", "web", "checkout", NULL },
		{ "delivery", "other", NULL, NULL },	      { "call", "phone", NULL, NULL },
		{ "chat", "chat", NULL, "{\"topic\":\"billing\"}" }, { "chat", "chat", NULL, "{\"topic\":\"other\"}" },
		{ "ticket_closed", "other", NULL, NULL },     { "login", "app", NULL, NULL },
	};
	for (int i = 0; i < NEV; i++) {
		int k = below((int)ARRAY_SIZE(kinds));
		snprintf(W[i].source, sizeof(W[i].source), "e%d", i);
		W[i].cust = below(NCUST);
		W[i].type = kinds[k].type;
		W[i].channel = kinds[k].channel;
		W[i].touchpoint = kinds[k].touchpoint;
		W[i].props = kinds[k].props;
		/* seconds apart, so a customer's events never share a time */
		W[i].ts = T0() + (int64_t)(below(60 * 86400) + 0) * 1000000 + i;
	}
}

static const char *seg_of(int cust)
{
	return segments[cust % 3];
}

/* Customers of a new tenant with the world's segments; ids[i]. */
static void make_customers(int64_t tenant, int64_t *ids)
{
	for (int i = 0; i < NCUST; i++) {
		char ext[16], attrs[64];
		snprintf(ext, sizeof(ext), "c%d", i);
		if (seg_of(i))
			snprintf(attrs, sizeof(attrs), "{\"segment\":\"%s\"}", seg_of(i));
		else
			snprintf(attrs, sizeof(attrs), "{}");
		struct cxm_customer c = { .external_id = ext, .attributes = attrs };
		assert_int_equal(cxm_store_customer_put(S, tenant, &c, &ids[i], NULL), 0);
	}
}

static struct cxm_event to_event(const struct wev *w, const int64_t *ids)
{
	return (struct cxm_event){ .source_id = w->source,
				   .customer_id = ids[w->cust],
				   .type = w->type,
				   .channel = w->channel,
				   .touchpoint = w->touchpoint,
				   .ts = w->ts,
				   .properties = w->props };
}

/* The world's events sent in order[], in random batches, with repeats. */
static void send_all(int64_t tenant, const int64_t *ids, const int *order, int n)
{
	struct cxm_event batch[64];

	for (int i = 0; i < n;) {
		int m = 1 + below(40), k = 0;
		for (; k < m && i < n; k++, i++)
			batch[k] = to_event(&W[order[i]], ids);
		/* some events again: same source id, never counted twice */
		for (int r = below(4); r > 0 && i > 0; r--)
			batch[k++] = to_event(&W[order[below(i)]], ids);
		assert_int_equal(cxm_store_events_put(S, tenant, batch, (size_t)k, NULL, NULL), 0);
	}
}

struct tally {
	int64_t reached[3][NDAYS][CXM_JOURNEY_NODES_MAX]; /* [all, gold/silver/none by segment ix] */
	int64_t converted[3][NDAYS][CXM_JOURNEY_NODES_MAX];
	int64_t times[NDAYS][CXM_JOURNEY_NODES_MAX][CXM_JOURNEY_BUCKETS];
	int64_t seg_reached[3][NDAYS][CXM_JOURNEY_NODES_MAX];
	int64_t seg_converted[3][NDAYS][CXM_JOURNEY_NODES_MAX];
	int customers;
};

static void def_of(const char *text, cJSON **tree, struct cxm_journey_def *d)
{
	char field[128], why[256];
	*tree = cJSON_Parse(text);
	assert_non_null(*tree);
	if (cxm_journey_check(*tree, d, field, sizeof(field), why, sizeof(why)))
		fail_msg("%s: %s", field, why);
}

static char *canonical(const char *text)
{
	struct cxm_journey_def d;
	cJSON *tree;
	def_of(text, &tree, &d);
	cJSON *c = cxm_journey_to_json(&d);
	char *out = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	cJSON_Delete(tree);
	return out;
}

/*
 * The expected rollups from the events alone: group[i] is the customer an
 * event counts for (merges join groups), segix[g] the segment index of a
 * group (0 gold, 1 silver, 2 none).
 */
static void expect(struct tally *x, const char *def_text, int nev, const int *group, const int *segix)
{
	struct cxm_journey_def d;
	cJSON *tree;
	def_of(def_text, &tree, &d);
	memset(x, 0, sizeof(*x));
	for (int g = 0; g < NCUST; g++) {
		struct cxm_journey_state st;
		struct cxm_journey_contrib c[CXM_JOURNEY_NODES_MAX];
		bool any = false;
		cxm_journey_state_init(&st);
		for (int i = 0; i < nev; i++) {
			if (group[W[i].cust] != g)
				continue;
			int tp = cxm_journey_match_event(&d, W[i].type, W[i].channel, W[i].touchpoint, W[i].props);
			if (tp >= 0) {
				cxm_journey_state_add(&d, &st, tp, W[i].ts, i);
				any = true;
			}
		}
		if (!any)
			continue;
		size_t n = cxm_journey_contrib_of(&d, &st, c);
		x->customers++;
		for (size_t k = 0; k < n; k++) {
			int day = (int)(c[k].first / DAY_US - T0() / DAY_US);
			assert_true(day >= 0 && day < NDAYS);
			x->reached[0][day][c[k].node]++;
			x->seg_reached[segix[g]][day][c[k].node]++;
			if (c[k].converted) {
				x->converted[0][day][c[k].node]++;
				x->seg_converted[segix[g]][day][c[k].node]++;
				x->times[day][c[k].node][cxm_journey_bucket(c[k].seconds)]++;
			}
		}
	}
	cJSON_Delete(tree);
	/* the world reaches the journey (a test of nothing otherwise) */
	assert_true(x->customers > NCUST / 2);
}

/* The store's flow day by day, and over the whole range (month rows), against x. */
static void check_flow(int64_t tenant, int64_t journey, const struct tally *x)
{
	static struct cxm_journey_flow f;
	int64_t d0 = T0() / DAY_US;
	static const char *const segname[] = { "gold", "silver", "" };

	for (int day = 0; day < NDAYS; day++) {
		assert_int_equal(cxm_store_journey_flow(S, tenant, journey, d0 + day, d0 + day + 1, NULL, d0 + day, &f), 0);
		for (int node = 0; node < CXM_JOURNEY_NODES_MAX; node++) {
			if (f.reached[node] != x->reached[0][day][node] || f.converted[node] != x->converted[0][day][node])
				fail_msg("day %d node %d: reached %lld/%lld converted %lld/%lld", day, node,
					 (long long)f.reached[node], (long long)x->reached[0][day][node],
					 (long long)f.converted[node], (long long)x->converted[0][day][node]);
			assert_memory_equal(f.times[node], x->times[day][node], sizeof(f.times[node]));
		}
		for (int sg = 0; sg < 3; sg++) {
			assert_int_equal(cxm_store_journey_flow(S, tenant, journey, d0 + day, d0 + day + 1, segname[sg],
								 d0 + day, &f), 0);
			for (int node = 0; node < CXM_JOURNEY_NODES_MAX; node++) {
				assert_int_equal(f.reached[node], x->seg_reached[sg][day][node]);
				assert_int_equal(f.converted[node], x->seg_converted[sg][day][node]);
			}
		}
	}
	/* the whole range: months from month rows, mature up to day 40 */
	assert_int_equal(cxm_store_journey_flow(S, tenant, journey, d0 - 3, d0 + NDAYS, NULL, d0 + 40, &f), 0);
	for (int node = 0; node < CXM_JOURNEY_NODES_MAX; node++) {
		int64_t r = 0, c = 0, mr = 0, mc = 0, tb[CXM_JOURNEY_BUCKETS] = { 0 };
		for (int day = 0; day < NDAYS; day++) {
			r += x->reached[0][day][node];
			c += x->converted[0][day][node];
			if (day < 40) {
				mr += x->reached[0][day][node];
				mc += x->converted[0][day][node];
			}
			for (int b = 0; b < CXM_JOURNEY_BUCKETS; b++)
				tb[b] += x->times[day][node][b];
		}
		assert_int_equal(f.reached[node], r);
		assert_int_equal(f.converted[node], c);
		assert_int_equal(f.mature_reached[node], mr);
		assert_int_equal(f.mature_converted[node], mc);
		assert_memory_equal(f.times[node], tb, sizeof(tb));
	}
}

static int64_t journey_make(int64_t tenant, const char *name, const char *text)
{
	char *c = canonical(text);
	int64_t id;
	assert_int_equal(cxm_store_journey_create(S, tenant, name, c, 1, &id), 0);
	free(c);
	return id;
}

static void identity_groups(int *group, int *segix)
{
	for (int i = 0; i < NCUST; i++) {
		group[i] = i;
		segix[i] = i % 3;
	}
}

static void test_rollups_any_order(void **state)
{
	static struct tally x1, x2;
	static int order[NEV], group[NCUST], segix[NCUST];
	static int64_t ids[NCUST];
	(void)state;

	world();
	identity_groups(group, segix);
	expect(&x1, J1, NEV, group, segix);
	expect(&x2, J2, NEV, group, segix);
	for (int perm = 0; perm < 6; perm++) {
		int64_t tenant = test_tenant(S), j1, j2;
		make_customers(tenant, ids);
		for (int i = 0; i < NEV; i++)
			order[i] = i;
		for (int i = NEV - 1; i > 0; i--) {
			int k = below(i + 1), v = order[i];
			order[i] = order[k];
			order[k] = v;
		}
		if (perm < 5) {
			/* journeys first, then the events */
			j1 = journey_make(tenant, "Compra", J1);
			j2 = journey_make(tenant, "Soporte", J2);
			assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
			send_all(tenant, ids, order, NEV);
		} else {
			/* the events first, then journeys built from the sequences */
			send_all(tenant, ids, order, NEV);
			j1 = journey_make(tenant, "Compra", J1);
			j2 = journey_make(tenant, "Soporte", J2);
			struct got g;
			memset(&g, 0, sizeof(g));
			assert_int_equal(cxm_store_journey_get(S, tenant, j1, collect, &g), 0);
			assert_int_equal(g.built[0], 0);
			assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
			memset(&g, 0, sizeof(g));
			assert_int_equal(cxm_store_journey_get(S, tenant, j1, collect, &g), 0);
			assert_int_equal(g.built[0], 1);
		}
		check_flow(tenant, j1, &x1);
		check_flow(tenant, j2, &x2);
	}
}

/* A tenant with the world's customers and events and journey J1. */
static int64_t world_tenant(int64_t *ids, int64_t *j1)
{
	static int order[NEV];
	int64_t tenant = test_tenant(S);

	make_customers(tenant, ids);
	*j1 = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	for (int i = 0; i < NEV; i++)
		order[i] = i;
	send_all(tenant, ids, order, NEV);
	return tenant;
}

static void test_update_rebuilds(void **state)
{
	static struct tally x1, xb;
	static int group[NCUST], segix[NCUST];
	static int64_t ids[NCUST];
	struct cxm_journey_flow *f = malloc(sizeof(*f));
	int64_t j1, tenant;
	int version;
	char *c = canonical(J1B);
	struct got g;
	(void)state;

	world();
	identity_groups(group, segix);
	expect(&x1, J1, NEV, group, segix);
	expect(&xb, J1B, NEV, group, segix);
	tenant = world_tenant(ids, &j1);
	assert_int_equal(cxm_store_journey_update(S, tenant, j1, "Compra", c, 2, &version), 0);
	assert_int_equal(version, 2);
	/* until the build is done the map answers from version 1, also
	 * while events arrive */
	struct cxm_event late = to_event(&W[0], ids);
	late.source_id = "late";
	late.type = "login";
	late.channel = "app";
	late.touchpoint = NULL;
	late.properties = NULL;
	assert_int_equal(cxm_store_events_put(S, tenant, &late, 1, NULL, NULL), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_get(S, tenant, j1, collect, &g), 0);
	assert_int_equal(g.built[0], 1);
	check_flow(tenant, j1, &x1);
	bool pending = true;
	int steps = 0;
	while (pending) {
		assert_int_equal(cxm_store_journey_build_step(S, tenant, 50, &pending), 0);
		steps++;
	}
	assert_true(steps >= NCUST / 50);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_get(S, tenant, j1, collect, &g), 0);
	assert_int_equal(g.built[0], 2);
	assert_int_equal(cxm_store_journey_flow(S, tenant, j1, 0, 100000, NULL, 0, f), 0);
	assert_int_equal(f->version, 2);
	check_flow(tenant, j1, &xb);
	free(c);
	free(f);
}

/* A build that meets new events half-way counts each once. */
static void test_build_meets_ingest(void **state)
{
	static struct tally x;
	static int group[NCUST], segix[NCUST], order[NEV];
	static int64_t ids[NCUST];
	int64_t tenant = test_tenant(S), j1;
	bool pending = true;
	(void)state;

	world();
	identity_groups(group, segix);
	expect(&x, J1, NEV, group, segix);
	make_customers(tenant, ids);
	for (int i = 0; i < NEV; i++)
		order[i] = i;
	send_all(tenant, ids, order, NEV / 2);
	j1 = journey_make(tenant, "Compra", J1);
	for (int i = NEV / 2; pending; i += 100) {
		assert_int_equal(cxm_store_journey_build_step(S, tenant, 20, &pending), 0);
		if (i < NEV)
			send_all(tenant, ids, order + i, i + 100 <= NEV ? 100 : NEV - i);
	}
	check_flow(tenant, j1, &x);
}

static void test_merge(void **state)
{
	static struct tally x;
	static int group[NCUST], segix[NCUST];
	static int64_t ids[NCUST];
	int64_t j1, tenant;
	(void)state;

	world();
	tenant = world_tenant(ids, &j1);
	/* 1 (silver) goes into 0 (gold), 5 (none) into 4 (silver) */
	assert_int_equal(cxm_store_customer_merge(S, tenant, ids[0], ids[1], "test", NULL), 0);
	assert_int_equal(cxm_store_customer_merge(S, tenant, ids[4], ids[5], "test", NULL), 0);
	identity_groups(group, segix);
	group[1] = 0;
	group[5] = 4;
	expect(&x, J1, NEV, group, segix);
	check_flow(tenant, j1, &x);
}

static void test_rollback_leaves_nothing(void **state)
{
	static struct tally x;
	static int group[NCUST], segix[NCUST];
	static int64_t ids[NCUST];
	int64_t j1, tenant;
	struct cxm_event e;
	(void)state;

	world();
	identity_groups(group, segix);
	expect(&x, J1, NEV, group, segix);
	tenant = world_tenant(ids, &j1);
	/* a failed writer job: the whole transaction goes */
	assert_int_equal(cxm_store_begin(S), 0);
	e = to_event(&W[3], ids);
	e.source_id = "gone";
	e.type = "purchase";
	e.ts = T0() + 5 * DAY_US;
	assert_int_equal(cxm_store_events_put(S, tenant, &e, 1, NULL, NULL), 0);
	assert_int_equal(cxm_store_rollback(S), 0);
	/* and one request of a batch under a savepoint */
	assert_int_equal(cxm_store_begin(S), 0);
	assert_int_equal(cxm_store_savepoint(S), 0);
	e.source_id = "gone2";
	assert_int_equal(cxm_store_events_put(S, tenant, &e, 1, NULL, NULL), 0);
	assert_int_equal(cxm_store_savepoint_rollback(S), 0);
	assert_int_equal(cxm_store_commit(S), 0);
	check_flow(tenant, j1, &x);
}

struct scan_got {
	int64_t customer;
	char segment[16];
	int n;
	int64_t ts[NEV];
	uint32_t cls[NEV];
	int customers;
};

static int scan_cb(int64_t customer_id, const char *segment, const struct cxm_seq_entry *e, size_t n, void *ctx)
{
	struct scan_got *g = ctx;
	g->customers++;
	if (customer_id != g->customer)
		return 0;
	snprintf(g->segment, sizeof(g->segment), "%s", segment ? segment : "");
	for (size_t i = 0; i < n; i++) {
		g->ts[g->n] = e[i].ts;
		g->cls[g->n++] = e[i].cls;
	}
	return 0;
}

struct class_names {
	char name[64][40];
};

static int class_cb(const struct cxm_event_class *c, void *ctx)
{
	struct class_names *n = ctx;
	assert_true(c->id < 64);
	snprintf(n->name[c->id], sizeof(n->name[0]), "%s/%s/%s", c->type, c->channel,
		 c->touchpoint ? c->touchpoint : "");
	return 0;
}

static void test_seq_scan_and_progress(void **state)
{
	static struct scan_got g;
	static struct class_names names;
	static int64_t ids[NCUST];
	int64_t j1, tenant;
	int cust = -1, want = 0, active = 0;
	int64_t from = T0() + 10 * DAY_US, to = T0() + 20 * DAY_US;
	(void)state;

	world();
	/* a silver customer with events in the range */
	for (int e = 0; e < NEV && cust < 0; e++)
		if (W[e].ts >= from && W[e].ts < to && W[e].cust % 3 == 1)
			cust = W[e].cust;
	tenant = world_tenant(ids, &j1);
	memset(&g, 0, sizeof(g));
	memset(&names, 0, sizeof(names));
	g.customer = ids[cust];
	assert_int_equal(cxm_store_event_classes(S, tenant, class_cb, &names), 0);
	assert_int_equal(cxm_store_seq_scan(S, tenant, from, to, scan_cb, &g), 0);
	/* every customer with an event in [from, to), the whole tail of theirs */
	for (int c = 0; c < NCUST; c++) {
		bool in = false;
		for (int i = 0; i < NEV; i++)
			in |= W[i].cust == c && W[i].ts >= from && W[i].ts < to;
		active += in;
	}
	assert_int_equal(g.customers, active);
	int64_t last = 0;
	for (int i = 0; i < g.n; i++) {
		assert_true(g.ts[i] >= from && g.ts[i] >= last);
		last = g.ts[i];
		/* the event of that time is of that class */
		int k = -1;
		for (int e = 0; e < NEV; e++)
			if (W[e].cust == cust && W[e].ts == g.ts[i])
				k = e;
		assert_true(k >= 0);
		char want_name[40];
		snprintf(want_name, sizeof(want_name), "%s/%s/%s", W[k].type, W[k].channel,
			 W[k].touchpoint ? W[k].touchpoint : "");
		assert_string_equal(names.name[g.cls[i]], want_name);
	}
	for (int e = 0; e < NEV; e++)
		want += W[e].cust == cust && W[e].ts >= from;
	assert_int_equal(g.n, want);
	assert_string_equal(g.segment, "silver");

	/* progress: the state of the pure model over the customer's events */
	struct cxm_journey_def d;
	struct cxm_journey_state st, got;
	cJSON *tree;
	bool any = false;
	def_of(J1, &tree, &d);
	for (int c = 0; c < 20; c++) {
		cxm_journey_state_init(&st);
		any = false;
		for (int e = 0; e < NEV; e++) {
			int tp;
			if (W[e].cust != c ||
			    (tp = cxm_journey_match_event(&d, W[e].type, W[e].channel, W[e].touchpoint, W[e].props)) < 0)
				continue;
			cxm_journey_state_add(&d, &st, tp, W[e].ts, e);
			any = true;
		}
		int ret = cxm_store_journey_progress(S, tenant, ids[c], j1, &got);
		if (!any) {
			assert_int_equal(ret, CXM_ENOTFOUND);
			continue;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(got.current, st.current);
		assert_int_equal(got.current_ts, st.current_ts);
		assert_memory_equal(got.node, st.node, sizeof(st.node));
	}
	cJSON_Delete(tree);
	assert_int_equal(cxm_store_journey_progress(S, tenant, ids[0], 12345, &got), CXM_ENOTFOUND);
}

struct count_ctx {
	int customers, entries;
};

static int count_cb(int64_t customer_id, const char *segment, const struct cxm_seq_entry *e, size_t n, void *ctx)
{
	struct count_ctx *c = ctx;
	(void)customer_id;
	(void)segment;
	(void)e;
	c->customers++;
	c->entries += (int)n;
	return 0;
}

/* Events stored before migration 0014 get their sequences from it. */
static void test_migration_makes_sequences(void **state)
{
	char path[512], url[600], err[512];
	struct cxm_store *keep = S;
	static int64_t ids[NCUST];
	static int order[NEV];
	struct count_ctx c = { 0 };
	int64_t tenant;
	(void)state;

	snprintf(path, sizeof(path), "%s/seq-backfill-%d.db", test_tmpdir(), (int)getpid());
	unlink(path);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("open: %s", err);
	world();
	tenant = test_tenant(S);
	make_customers(tenant, ids);
	for (int i = 0; i < NEV; i++)
		order[i] = i;
	send_all(tenant, ids, order, NEV);
	cxm_store_close(S);
	test_sqlite_exec(path, "DROP TABLE journeys; DROP TABLE journey_versions; DROP TABLE event_classes;"
			       " DROP TABLE customer_seq; DROP TABLE journey_rollups; DROP TABLE journey_times;"
			       " DELETE FROM customer_seq_tail; DELETE FROM schema_migrations WHERE version = 14");
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("reopen: %s", err);
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, count_cb, &c), 0);
	assert_int_equal(c.entries, NEV);
	int distinct = 0;
	for (int k = 0; k < NCUST; k++) {
		bool has = false;
		for (int i = 0; i < NEV && !has; i++)
			has = W[i].cust == k;
		distinct += has;
	}
	assert_int_equal(c.customers, distinct);
	/* and a journey made now is built from them */
	static struct tally x;
	static int group[NCUST], segix[NCUST];
	identity_groups(group, segix);
	expect(&x, J1, NEV, group, segix);
	int64_t j1 = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	check_flow(tenant, j1, &x);
	cxm_store_close(S);
	S = keep;
	unlink(path);
}

static int seg_cb(int64_t customer, const char *segment, const struct cxm_seq_entry *e, size_t n, void *ctx)
{
	(void)customer;
	(void)e;
	(void)n;
	snprintf(ctx, 32, "%s", segment ? segment : "(none)");
	return 0;
}

/* The segment a customer counts under is the one at their first entry. */
static void test_segment_frozen(void **state)
{
	int64_t tenant = test_tenant(S), id, j1;
	struct cxm_customer c = { .external_id = "ana", .attributes = "{\"segment\":\"gold\"}" };
	struct cxm_event e = { .type = "ad_click", .channel = "social", .ts = T0() + 3600000000LL };
	struct cxm_journey_flow *f = malloc(sizeof(*f));
	int64_t d0 = T0() / DAY_US;
	(void)state;

	assert_int_equal(cxm_store_customer_put(S, tenant, &c, &id, NULL), 0);
	j1 = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	e.customer_id = id;
	e.source_id = "a1";
	assert_int_equal(cxm_store_events_put(S, tenant, &e, 1, NULL, NULL), 0);
	c.attributes = "{\"segment\":\"silver\"}";
	assert_int_equal(cxm_store_customer_put(S, tenant, &c, &id, NULL), 0);
	e.id = 0;
	e.source_id = "a2";
	e.type = "page_view";
	e.channel = "web";
	e.touchpoint = "product";
	e.ts += 86400000000LL;
	assert_int_equal(cxm_store_events_put(S, tenant, &e, 1, NULL, NULL), 0);
	assert_int_equal(cxm_store_journey_flow(S, tenant, j1, d0, d0 + 10, "gold", d0, f), 0);
	assert_int_equal(f->reached[0], 1);   /* descubrimiento */
	assert_int_equal(f->converted[0], 1); /* on to consideracion within 7 days */
	assert_int_equal(f->reached[1], 1);   /* consideracion */
	assert_int_equal(cxm_store_journey_flow(S, tenant, j1, d0, d0 + 10, "silver", d0, f), 0);
	for (int n = 0; n < CXM_JOURNEY_NODES_MAX; n++)
		assert_int_equal(f->reached[n], 0);
	free(f);

	/* the sequence (funnels, paths) follows the customer's segment now */
	char seg[32] = "?";
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, seg_cb, seg), 0);
	assert_string_equal(seg, "silver");
	c.attributes = "{\"segment\":null}";
	assert_int_equal(cxm_store_customer_put(S, tenant, &c, &id, NULL), 0);
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, seg_cb, seg), 0);
	assert_string_equal(seg, "(none)");
	c.attributes = "{\"segment\":\"bronze\"}";
	assert_int_equal(cxm_store_customer_put(S, tenant, &c, &id, NULL), 0);
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, seg_cb, seg), 0);
	assert_string_equal(seg, "bronze");
}

/* ---- event classes ---------------------------------------------------------- */

struct classes_got {
	int n;
	uint32_t id[16];
	char type[16][32];
};

static int classes_collect(const struct cxm_event_class *c, void *ctx)
{
	struct classes_got *g = ctx;
	assert_true(g->n < 16);
	g->id[g->n] = c->id;
	snprintf(g->type[g->n], sizeof(g->type[0]), "%s", c->type);
	g->n++;
	return 0;
}

static int64_t one_customer(struct cxm_store *s, int64_t tenant, const char *ext)
{
	struct cxm_customer c = { .external_id = ext, .attributes = "{}" };
	int64_t id;
	assert_int_equal(cxm_store_customer_put(s, tenant, &c, &id, NULL), 0);
	return id;
}

static int put_one(struct cxm_store *s, int64_t tenant, int64_t customer, const char *source, const char *type,
		   int64_t ts)
{
	struct cxm_event e = {
		.source_id = source, .customer_id = customer, .type = type, .channel = "web", .ts = ts
	};
	return cxm_store_events_put(s, tenant, &e, 1, NULL, NULL);
}

/* Two connections adding classes: each new class gets a free id from the
 * database, never a clash (another process's import while serve runs). */
static void test_classes_two_handles(void **state)
{
	int64_t tenant = test_tenant(S), cust = one_customer(S, tenant, "ana");
	struct cxm_store *b = test_open();
	struct classes_got g = { 0 };
	(void)state;

	assert_int_equal(put_one(S, tenant, cust, "x1", "type_a", T0()), 0);
	assert_int_equal(put_one(b, tenant, cust, "x2", "type_b", T0() + 1), 0);
	assert_int_equal(put_one(S, tenant, cust, "x3", "type_c", T0() + 2), 0);
	assert_int_equal(put_one(b, tenant, cust, "x4", "type_d", T0() + 3), 0);
	assert_int_equal(put_one(S, tenant, cust, "x5", "type_b", T0() + 4), 0);
	assert_int_equal(cxm_store_event_classes(S, tenant, classes_collect, &g), 0);
	assert_int_equal(g.n, 4);
	for (int i = 0; i < 4; i++) {
		char want[16];
		snprintf(want, sizeof(want), "type_%c", 'a' + i);
		assert_int_equal(g.id[i], (uint32_t)i + 1);
		assert_string_equal(g.type[i], want);
	}
	cxm_store_close(b);
}

static int count_event(const struct cxm_event *e, void *ctx)
{
	(void)e;
	++*(int64_t *)ctx;
	return 0;
}

/* Beyond CXM_CLASSES_MAX a tenant's new classes are all class 0, "other";
 * their events are stored and count in journeys all the same. */
static void test_classes_cap(void **state)
{
	int64_t tenant = test_tenant(S), cust, j, d0 = T0() / DAY_US;
	struct cxm_store *b;
	struct classes_got g = { 0 };
	struct cxm_journey_flow *f = malloc(sizeof(*f));
	int64_t n = 0;
	(void)state;

	/* read when the handle first ingests */
	setenv("CXM_CLASSES_MAX", "2", 1);
	b = test_open();
	cust = one_customer(b, tenant, "ana");
	j = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(b, tenant), 0);
	assert_int_equal(put_one(b, tenant, cust, "x1", "login", T0()), 0);
	assert_int_equal(put_one(b, tenant, cust, "x2", "logout", T0() + 1), 0);
	assert_int_equal(put_one(b, tenant, cust, "x3", "purchase", T0() + 2), 0);
	assert_int_equal(put_one(b, tenant, cust, "x4", "signup", T0() + 3), 0);
	assert_int_equal(cxm_store_event_classes(b, tenant, classes_collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.id[0], 0);
	assert_string_equal(g.type[0], "");
	assert_string_equal(g.type[1], "login");
	assert_string_equal(g.type[2], "logout");
	assert_int_equal(cxm_store_event_scan_customer(b, tenant, cust, count_event, &n), 0);
	assert_int_equal(n, 4);
	/* the purchase (class "other") still reached the journey's checkout */
	assert_int_equal(cxm_store_journey_flow(b, tenant, j, d0, d0 + 1, NULL, d0, f), 0);
	assert_int_equal(f->reached[2], 1);
	free(f);
	cxm_store_close(b);
	unsetenv("CXM_CLASSES_MAX");
}

/* ---- the cap on a customer's sequence ----------------------------------------- */

struct scan_count {
	size_t entries;
	int64_t first_ts;
};

static int scan_count_cb(int64_t customer, const char *segment, const struct cxm_seq_entry *e, size_t n, void *ctx)
{
	struct scan_count *c = ctx;
	(void)customer;
	(void)segment;
	c->entries += n;
	if (n)
		c->first_ts = e[0].ts;
	return 0;
}

/* With CXM_SEQ_MAX=50 a customer's sequence keeps their newest 50 events,
 * whatever the order they arrive in, and the rollups are the pure tally
 * over those 50. */
static void test_seq_cap(void **state)
{
	enum { NE = 200, KEEP = 50 };
	static const struct {
		const char *type, *channel, *touchpoint;
	} kinds[] = { { "ad_click", "social", NULL }, { "page_view", "web", "product" }, { "purchase", "web", NULL },
		      { "delivery", "other", NULL },  { "login", "app", NULL } };
	int64_t tenant = test_tenant(S), cust, j, d0 = T0() / DAY_US, ts[NE];
	int kind[NE], order[NE];
	char src[NE][24];
	struct cxm_store *b;
	struct cxm_journey_flow *f = malloc(sizeof(*f));
	struct cxm_journey_def d;
	struct cxm_journey_state st;
	struct cxm_journey_contrib c[CXM_JOURNEY_NODES_MAX];
	int64_t reached[CXM_JOURNEY_NODES_MAX] = { 0 }, converted[CXM_JOURNEY_NODES_MAX] = { 0 };
	struct scan_count sc = { 0 };
	cJSON *tree;
	(void)state;

	setenv("CXM_SEQ_MAX", "50", 1);
	b = test_open();
	cust = one_customer(b, tenant, "busy");
	j = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(b, tenant), 0);
	for (int i = 0; i < NE; i++) {
		kind[i] = below((int)ARRAY_SIZE(kinds));
		ts[i] = T0() + (int64_t)i * 3 * 3600 * 1000000 + below(3600) * 1000000LL; /* in time order by i */
		order[i] = i;
		snprintf(src[i], sizeof(src[i]), "s%d", i);
	}
	/* mostly in order, some late */
	for (int i = 0; i < NE / 4; i++) {
		int x = below(NE), y = below(NE), tmp = order[x];
		order[x] = order[y];
		order[y] = tmp;
	}
	for (int i = 0; i < NE;) {
		struct cxm_event batch[8];
		int k = 0;
		for (int m = 1 + below(8); k < m && i < NE; k++, i++) {
			int e = order[i];
			batch[k] = (struct cxm_event){ .source_id = src[e], .customer_id = cust, .type = kinds[kind[e]].type,
						       .channel = kinds[kind[e]].channel,
						       .touchpoint = kinds[kind[e]].touchpoint, .ts = ts[e] };
		}
		assert_int_equal(cxm_store_events_put(b, tenant, batch, (size_t)k, NULL, NULL), 0);
	}
	assert_int_equal(cxm_store_seq_scan(b, tenant, 0, INT64_MAX, scan_count_cb, &sc), 0);
	assert_int_equal(sc.entries, KEEP);
	assert_int_equal(sc.first_ts, ts[NE - KEEP]);

	/* the pure tally over the newest KEEP events */
	def_of(J1, &tree, &d);
	cxm_journey_state_init(&st);
	bool any = false;
	for (int i = NE - KEEP, id = 0; i < NE; i++) {
		int tp = cxm_journey_match_event(&d, kinds[kind[i]].type, kinds[kind[i]].channel,
						 kinds[kind[i]].touchpoint, NULL);
		if (tp >= 0) {
			cxm_journey_state_add(&d, &st, tp, ts[i], id++);
			any = true;
		}
	}
	assert_true(any);
	/* the customer's progress (GET /api/v1/customers/{id}/journeys) is that state too */
	struct cxm_journey_state got;
	assert_int_equal(cxm_store_journey_progress(b, tenant, cust, j, &got), 0);
	assert_int_equal(got.current, st.current);
	assert_int_equal(got.current_ts, st.current_ts);
	assert_memory_equal(got.node, st.node, sizeof(st.node));
	size_t n = cxm_journey_contrib_of(&d, &st, c);
	for (size_t k = 0; k < n; k++) {
		reached[c[k].node]++;
		converted[c[k].node] += c[k].converted;
	}
	cJSON_Delete(tree);
	assert_int_equal(cxm_store_journey_flow(b, tenant, j, d0 - 1, d0 + 60, NULL, d0 - 1, f), 0);
	for (int node = 0; node < CXM_JOURNEY_NODES_MAX; node++) {
		if (f->reached[node] != reached[node] || f->converted[node] != converted[node])
			fail_msg("node %d: reached %lld/%lld converted %lld/%lld", node, (long long)f->reached[node],
				 (long long)reached[node], (long long)f->converted[node], (long long)converted[node]);
	}
	free(f);
	cxm_store_close(b);
	unsetenv("CXM_SEQ_MAX");
}

/* ---- two connections at once (PostgreSQL: several nodes) ---------------------- */

#define HAM_CUST 21 /* one busy customer and 20 new ones */
#define HAM_EV 240  /* per connection */

struct hammer {
	struct cxm_store *s;
	int64_t tenant;
	struct cxm_event ev[HAM_EV];
	char src[HAM_EV][32];
	int ret;
	char err[512];
	int64_t journeys[6];
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;

	for (int i = 0; i < HAM_EV && !h->ret;) {
		int m = 1 + i % 4;
		if (m > HAM_EV - i)
			m = HAM_EV - i;
		h->ret = cxm_store_events_put(h->s, h->tenant, h->ev + i, (size_t)m, NULL, NULL);
		i += m;
	}
	if (h->ret)
		snprintf(h->err, sizeof(h->err), "%s", cxm_store_errmsg(h->s));
	return NULL;
}

static void *create_run(void *arg)
{
	struct hammer *h = arg;

	for (int i = 0; i < 6 && !h->ret; i++) {
		char name[32];
		snprintf(name, sizeof(name), "j%p-%d", (void *)h, i);
		h->ret = cxm_store_journey_create(h->s, h->tenant, name, J2, 1, &h->journeys[i]);
	}
	if (h->ret)
		snprintf(h->err, sizeof(h->err), "%s", cxm_store_errmsg(h->s));
	return NULL;
}

/* Two connections ingest one customer's events (and the first events of
 * new customers) at once: none is lost, the rollups are the pure tally;
 * and they create journeys at once: each gets its own slot. */
static void test_two_connections(void **state)
{
	static const struct {
		const char *type, *channel, *touchpoint;
	} kinds[] = { { "ad_click", "social", NULL }, { "page_view", "web", "product" }, { "purchase", "web", NULL },
		      { "delivery", "other", NULL },  { "login", "app", NULL } };
	static struct hammer h[2];
	int64_t tenant = test_tenant(S), j, d0 = T0() / DAY_US, cust[HAM_CUST];
	struct cxm_journey_flow *f = malloc(sizeof(*f));
	struct cxm_journey_def d;
	cJSON *tree;
	int64_t reached[CXM_JOURNEY_NODES_MAX] = { 0 }, converted[CXM_JOURNEY_NODES_MAX] = { 0 };
	pthread_t th[2];
	struct got g;
	(void)state;

	for (int i = 0; i < HAM_CUST; i++) {
		char ext[16];
		snprintf(ext, sizeof(ext), "h%d", i);
		cust[i] = one_customer(S, tenant, ext);
	}
	j = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	def_of(J1, &tree, &d);
	for (int k = 0; k < 2; k++) {
		h[k].s = test_open();
		h[k].tenant = tenant;
		h[k].ret = 0;
		for (int i = 0; i < HAM_EV; i++) {
			int kind = below((int)ARRAY_SIZE(kinds));
			/* the busy customer mostly; new customers' first events at the same moment in both */
			int c = i % 12 == 0 ? 1 + (i / 12) % (HAM_CUST - 1) : 0;
			snprintf(h[k].src[i], sizeof(h[k].src[i]), "h%d-%d", k, i);
			h[k].ev[i] = (struct cxm_event){ .source_id = h[k].src[i], .customer_id = cust[c],
							 .type = kinds[kind].type, .channel = kinds[kind].channel,
							 .touchpoint = kinds[kind].touchpoint,
							 .ts = T0() + (int64_t)(i * 2 + k) * 600 * 1000000 };
		}
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&th[k], NULL, hammer_run, &h[k]), 0);
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_join(th[k], NULL), 0);
	for (int k = 0; k < 2; k++)
		if (h[k].ret)
			fail_msg("connection %d: %d %s", k, h[k].ret, h[k].err);

	/* the pure tally, customer by customer, over both connections' events */
	for (int c = 0; c < HAM_CUST; c++) {
		struct cxm_journey_state st;
		struct cxm_journey_contrib ct[CXM_JOURNEY_NODES_MAX];
		bool any = false;
		cxm_journey_state_init(&st);
		/* in time order: i * 2 + k */
		for (int i = 0; i < HAM_EV; i++)
			for (int k = 0; k < 2; k++) {
				const struct cxm_event *e = &h[k].ev[i];
				if (e->customer_id != cust[c])
					continue;
				int tp = cxm_journey_match_event(&d, e->type, e->channel, e->touchpoint, NULL);
				if (tp >= 0) {
					cxm_journey_state_add(&d, &st, tp, e->ts, i * 2 + k);
					any = true;
				}
			}
		if (!any)
			continue;
		size_t n = cxm_journey_contrib_of(&d, &st, ct);
		for (size_t x = 0; x < n; x++) {
			reached[ct[x].node]++;
			converted[ct[x].node] += ct[x].converted;
		}
	}
	cJSON_Delete(tree);
	assert_int_equal(cxm_store_journey_flow(S, tenant, j, d0 - 1, d0 + 60, NULL, d0 - 1, f), 0);
	for (int node = 0; node < CXM_JOURNEY_NODES_MAX; node++)
		if (f->reached[node] != reached[node] || f->converted[node] != converted[node])
			fail_msg("node %d: reached %lld/%lld converted %lld/%lld", node, (long long)f->reached[node],
				 (long long)reached[node], (long long)f->converted[node], (long long)converted[node]);
	free(f);

	/* journeys created at once: all made, every slot different */
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&th[k], NULL, create_run, &h[k]), 0);
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_join(th[k], NULL), 0);
	for (int k = 0; k < 2; k++)
		if (h[k].ret)
			fail_msg("connection %d: %d %s", k, h[k].ret, h[k].err);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_list(S, tenant, true, 0, 0, collect, &g), 0);
	assert_int_equal(g.n, 13);
	for (int a = 0; a < g.n; a++)
		for (int b = a + 1; b < g.n; b++)
			assert_int_not_equal(g.slot[a], g.slot[b]);
	for (int k = 0; k < 2; k++)
		cxm_store_close(h[k].s);
}

/* ---- which tenant builds next ---------------------------------------------------- */

/* Tenants with builds pending take turns; a stored definition that does
 * not check is marked built by a step, not looked at again every tick;
 * with CXM_JOURNEYS=off nothing is ever pending. */
static void test_building_turns(void **state)
{
	int64_t t1 = test_tenant(S), t2 = test_tenant(S), t, j;
	struct cxm_store *off;
	bool found, pending;
	struct got g;
	(void)state;

	/* builds left from other tests' tenants: finish them first */
	for (t = 0;;) {
		assert_int_equal(cxm_store_journey_building(S, &t, &found), 0);
		if (!found)
			break;
		assert_int_equal(cxm_store_journey_build_all(S, t), 0);
	}
	journey_make(t1, "Compra", J1);
	journey_make(t2, "Compra", J1);
	t = 0;
	assert_int_equal(cxm_store_journey_building(S, &t, &found), 0);
	assert_true(found);
	assert_int_equal(t, t1 < t2 ? t1 : t2);
	assert_int_equal(cxm_store_journey_building(S, &t, &found), 0);
	assert_int_equal(t, t1 < t2 ? t2 : t1);
	assert_int_equal(cxm_store_journey_building(S, &t, &found), 0);
	assert_int_equal(t, t1 < t2 ? t1 : t2); /* round again */

	setenv("CXM_JOURNEYS", "off", 1);
	off = test_open();
	t = 0;
	assert_int_equal(cxm_store_journey_building(off, &t, &found), 0);
	assert_false(found);
	cxm_store_close(off);
	unsetenv("CXM_JOURNEYS");

	assert_int_equal(cxm_store_journey_build_all(S, t1), 0);
	assert_int_equal(cxm_store_journey_build_all(S, t2), 0);
	/* a definition that no longer checks */
	assert_int_equal(cxm_store_journey_create(S, t1, "Rota", "{\"stages\":\"no\"}", 1, &j), 0);
	t = 0;
	assert_int_equal(cxm_store_journey_building(S, &t, &found), 0);
	assert_true(found);
	assert_int_equal(t, t1);
	assert_int_equal(cxm_store_journey_build_step(S, t1, 100, &pending), 0);
	assert_false(pending);
	t = 0;
	assert_int_equal(cxm_store_journey_building(S, &t, &found), 0);
	assert_false(found);
	memset(&g, 0, sizeof(g));
	assert_int_equal(cxm_store_journey_get(S, t1, j, collect, &g), 0);
	assert_int_equal(g.built[0], g.version[0]);
}

/* ---- a handle serving many tenants -------------------------------------------------- */

/* Events of many tenants in turn (more than the handle keeps compiled
 * journeys for) track each tenant's own journeys, and a change made
 * through another handle is seen at once. */
static void test_many_tenants(void **state)
{
	enum { NT = 20 };
	int64_t tenant[NT], cust[NT], j[NT], d0 = T0() / DAY_US;
	struct cxm_journey_flow *f = malloc(sizeof(*f));
	struct cxm_store *b = test_open();
	(void)state;

	for (int i = 0; i < NT; i++) {
		tenant[i] = test_tenant(S);
		cust[i] = one_customer(S, tenant[i], "ana");
		/* even tenants track ad clicks at stage 0, odd ones page views */
		j[i] = journey_make(tenant[i], "Compra", i % 2 ? J1B : J1);
		assert_int_equal(cxm_store_journey_build_all(S, tenant[i]), 0);
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < NT; i++) {
			char src[24];
			snprintf(src, sizeof(src), "r%d", round);
			struct cxm_event e = { .source_id = src, .customer_id = cust[i],
					       .type = round == 1 ? "page_view" : "ad_click",
					       .channel = round == 1 ? "web" : "social",
					       .touchpoint = round == 1 ? "product" : NULL,
					       .ts = T0() + round * 3600000000LL };
			assert_int_equal(cxm_store_events_put(b, tenant[i], &e, 1, NULL, NULL), 0);
			if (round == 0 && i == NT / 2) {
				/* tenant 0's journey changes meanwhile, elsewhere */
				char *c = canonical(J1B);
				int version;
				assert_int_equal(cxm_store_journey_update(S, tenant[0], j[0], "Compra", c, 2, &version), 0);
				free(c);
				assert_int_equal(cxm_store_journey_build_all(S, tenant[0]), 0);
			}
		}
	for (int i = 0; i < NT; i++) {
		assert_int_equal(cxm_store_journey_flow(S, tenant[i], j[i], d0 - 1, d0 + 5, NULL, d0 - 1, f), 0);
		/* J1: ad click (stage 0) on to the product page (stage 1);
		 * J1B: the page view is its stage 0 */
		if (i % 2 || i == 0) {
			assert_int_equal(f->reached[0], 1);
			assert_int_equal(f->converted[0], 0);
			assert_int_equal(f->reached[1], 0);
		} else {
			assert_int_equal(f->reached[0], 1);
			assert_int_equal(f->converted[0], 1);
			assert_int_equal(f->reached[1], 1);
		}
	}
	free(f);
	cxm_store_close(b);
}

/* A merge gives the survivor the merged customer's segment when it had
 * none: the survivor's sequence follows. */
static void test_merge_segment(void **state)
{
	int64_t tenant = test_tenant(S), a, b, mid;
	struct cxm_customer ca = { .external_id = "a", .attributes = "{}" };
	struct cxm_customer cb = { .external_id = "b", .attributes = "{\"segment\":\"gold\"}" };
	char seg[32] = "?";
	(void)state;

	assert_int_equal(cxm_store_customer_put(S, tenant, &ca, &a, NULL), 0);
	assert_int_equal(cxm_store_customer_put(S, tenant, &cb, &b, NULL), 0);
	assert_int_equal(put_one(S, tenant, a, "x1", "login", T0()), 0);
	assert_int_equal(put_one(S, tenant, b, "x2", "login", T0() + 1), 0);
	assert_int_equal(cxm_store_customer_merge(S, tenant, a, b, "test", &mid), 0);
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, seg_cb, seg), 0);
	assert_string_equal(seg, "gold");
}

/* cxm_store_seq_scan_until: entries up to until only, and in any order (two
 * halves on two connections) the same customers with the same entries. */
struct until_got {
	const int64_t *ids;
	int64_t from, until;
	int n[NCUST];
	int customers, calls, stop_after;
	bool bad;
};

static int until_cb(int64_t customer_id, const char *segment, const struct cxm_seq_entry *e, size_t n, void *ctx)
{
	struct until_got *g = ctx;
	int c = 0;

	while (c < NCUST && g->ids[c] != customer_id)
		c++;
	g->bad |= c == NCUST;
	if (c == NCUST)
		return 0;
	g->bad |= (segment == NULL) != (seg_of(c) == NULL) || (segment && strcmp(segment, seg_of(c)));
	for (size_t i = 0; i < n; i++)
		g->bad |= e[i].ts < g->from || e[i].ts > g->until || (i && e[i].ts < e[i - 1].ts);
	g->n[c] += (int)n;
	g->customers++;
	return g->stop_after && ++g->calls == g->stop_after ? 42 : 0;
}

static void test_seq_scan_until(void **state)
{
	static struct until_got g;
	static int64_t ids[NCUST];
	int64_t j1, tenant, from = T0() + 10 * DAY_US, to = T0() + 20 * DAY_US, until = to + 3 * DAY_US;
	int want[NCUST], active = 0;
	(void)state;

	world();
	tenant = world_tenant(ids, &j1);
	for (int c = 0; c < NCUST; c++) {
		bool in = false;
		want[c] = 0;
		for (int i = 0; i < NEV; i++) {
			in |= W[i].cust == c && W[i].ts >= from && W[i].ts < to;
			want[c] += W[i].cust == c && W[i].ts >= from && W[i].ts <= until;
		}
		if (!in)
			want[c] = 0;
		active += in;
	}
	assert_true(active > 10);
	for (int any = 0; any < 2; any++) {
		memset(&g, 0, sizeof(g));
		g.ids = ids, g.from = from, g.until = until;
		assert_int_equal(cxm_store_seq_scan_until(S, tenant, from, to, until, any, until_cb, &g), 0);
		assert_false(g.bad);
		assert_int_equal(g.customers, active);
		for (int c = 0; c < NCUST; c++)
			assert_int_equal(g.n[c], want[c]);
		/* a refusal stops the scan, no callback after it */
		memset(&g, 0, sizeof(g));
		g.ids = ids, g.from = from, g.until = until, g.stop_after = 3;
		assert_int_equal(cxm_store_seq_scan_until(S, tenant, from, to, until, any, until_cb, &g), 42);
		assert_int_equal(g.customers, 3);
	}
	/* no limit: what cxm_store_seq_scan hands over */
	memset(&g, 0, sizeof(g));
	g.ids = ids, g.from = from, g.until = INT64_MAX;
	assert_int_equal(cxm_store_seq_scan_until(S, tenant, from, to, INT64_MAX, true, until_cb, &g), 0);
	for (int c = 0; c < NCUST; c++) {
		int tail = 0;
		for (int i = 0; i < NEV && g.n[c]; i++)
			tail += W[i].cust == c && W[i].ts >= from;
		assert_int_equal(g.n[c], tail);
	}
}

/* ---- the sequences' tail ------------------------------------------------- */

/* The tenant's tail rows (of one customer, or of all: 0). */
static int64_t tail_rows(int64_t tenant, int64_t customer)
{
	static const char all[] = "SELECT COUNT(*) FROM customer_seq_tail WHERE tenant_id = ?";
	static const char one[] = "SELECT COUNT(*) FROM customer_seq_tail WHERE tenant_id = ? AND customer_id = ?";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer) };
	int64_t n = -1;
	if (cxm_store_q(S, customer ? one : all, p, customer ? 2 : 1, cxm_store_int_row, &n, NULL))
		fail_msg("tail rows: %s", cxm_store_errmsg(S));
	return n;
}

/* A scan's output as one number per customer (by world index), order free. */
struct digest {
	const int64_t *ids;
	uint64_t h[NCUST];
	int entries, customers, bad;
};

static int digest_cb(int64_t customer_id, const char *segment, const struct cxm_seq_entry *e, size_t n, void *ctx)
{
	struct digest *d = ctx;
	int c = 0;
	uint64_t h = 1469598103934665603ull;

	while (c < NCUST && d->ids[c] != customer_id)
		c++;
	if (c == NCUST) {
		d->bad++;
		return 0;
	}
	for (const char *p = segment ? segment : "-"; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (size_t i = 0; i < n; i++) {
		h = (h ^ (uint64_t)e[i].ts) * 1099511628211ull;
		h = (h ^ e[i].cls) * 1099511628211ull;
		for (uint32_t t = 0; t < e[i].ntags; t++)
			h = (h ^ e[i].tags[t]) * 1099511628211ull;
		d->bad += i && e[i].ts < e[i - 1].ts;
	}
	d->h[c] = h;
	d->entries += (int)n;
	d->customers++;
	return 0;
}

struct tail_run {
	struct digest scan, half, until;
	struct cxm_journey_state st[NCUST];
	int found[NCUST];
	int64_t tail;
};

/* The world, journeys first, events in order[] at tail size max: what the
 * store answers. */
static void tail_world(int64_t max, const int *order, struct tail_run *r, const struct tally *x1,
		       const struct tally *x2)
{
	static int64_t ids[NCUST];
	int64_t tenant = test_tenant(S), j1, j2;
	int64_t from = T0() + 10 * DAY_US, to = T0() + 20 * DAY_US;

	assert_int_equal(cxm_store_seq_tail_max(S, max), 0);
	make_customers(tenant, ids);
	j1 = journey_make(tenant, "Compra", J1);
	j2 = journey_make(tenant, "Soporte", J2);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	send_all(tenant, ids, order, NEV);
	r->tail = tail_rows(tenant, 0);
	check_flow(tenant, j1, x1);
	check_flow(tenant, j2, x2);
	memset(&r->scan, 0, sizeof(r->scan));
	memset(&r->half, 0, sizeof(r->half));
	memset(&r->until, 0, sizeof(r->until));
	r->scan.ids = r->half.ids = r->until.ids = ids;
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, digest_cb, &r->scan), 0);
	assert_int_equal(cxm_store_seq_scan_until(S, tenant, from, to, to + DAY_US, true, digest_cb, &r->half), 0);
	assert_int_equal(cxm_store_seq_scan_until(S, tenant, from, to, to + DAY_US, false, digest_cb, &r->until), 0);
	for (int c = 0; c < NCUST; c++) {
		int ret = cxm_store_journey_progress(S, tenant, ids[c], j1, &r->st[c]);
		assert_true(ret == 0 || ret == CXM_ENOTFOUND);
		r->found[c] = !ret;
	}
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

static void digest_equal(const struct digest *a, const struct digest *b)
{
	assert_int_equal(a->bad, 0);
	assert_int_equal(b->bad, 0);
	assert_int_equal(a->customers, b->customers);
	assert_int_equal(a->entries, b->entries);
	assert_memory_equal(a->h, b->h, sizeof(a->h));
}

/* Folded at every commit, every 100 entries or never: the same answers. */
static void test_tail_fold_equivalence(void **state)
{
	static struct tally x1, x2;
	static struct tail_run r[3];
	static int order[NEV], group[NCUST], segix[NCUST];
	static const int64_t max[3] = { 1, 100, INT64_MAX };
	(void)state;

	world();
	identity_groups(group, segix);
	expect(&x1, J1, NEV, group, segix);
	expect(&x2, J2, NEV, group, segix);
	for (int i = 0; i < NEV; i++)
		order[i] = i;
	for (int i = NEV - 1; i > 0; i--) {
		int k = below(i + 1), v = order[i];
		order[i] = order[k];
		order[k] = v;
	}
	for (int v = 0; v < 3; v++) {
		/* the same batches and repeats each time */
		uint64_t keep = seed;
		tail_world(max[v], order, &r[v], &x1, &x2);
		seed = keep;
	}
	assert_int_equal(r[0].tail, 0); /* every commit folded */
	assert_true(r[2].tail > NEV / 10); /* nothing folded: most entries in the tail */
	assert_int_equal(r[0].scan.entries, NEV);
	for (int v = 1; v < 3; v++) {
		digest_equal(&r[0].scan, &r[v].scan);
		digest_equal(&r[0].half, &r[v].half);
		digest_equal(&r[0].until, &r[v].until);
		for (int c = 0; c < NCUST; c++) {
			assert_int_equal(r[0].found[c], r[v].found[c]);
			if (!r[0].found[c])
				continue;
			assert_int_equal(r[0].st[c].current, r[v].st[c].current);
			assert_int_equal(r[0].st[c].current_ts, r[v].st[c].current_ts);
			assert_memory_equal(r[0].st[c].node, r[v].st[c].node, sizeof(r[0].st[c].node));
		}
	}
	digest_equal(&r[0].half, &r[0].until);
}

static int64_t put_type(int64_t tenant, int64_t customer, const char *source, const char *type, int64_t ts)
{
	struct cxm_event e = { .source_id = source, .customer_id = customer, .type = type, .channel = "web", .ts = ts };
	return cxm_store_events_put(S, tenant, &e, 1, NULL, NULL);
}

/* Scans and progress read the tail before any fold: also a customer whose
 * row's times are all outside the window their tail is in, and a new
 * customer with no row yet (their segment from the tail, following the
 * customer's attributes). */
static void test_tail_scan_window(void **state)
{
	static struct scan_got g;
	int64_t tenant = test_tenant(S), a, b, j1;
	struct cxm_customer ca = { .external_id = "a", .attributes = "{\"segment\":\"gold\"}" };
	struct cxm_customer cb = { .external_id = "b", .attributes = "{}" };
	int64_t from = T0() + 29 * DAY_US, to = T0() + 31 * DAY_US;
	struct cxm_journey_state st;
	(void)state;

	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	assert_int_equal(cxm_store_customer_put(S, tenant, &ca, &a, NULL), 0);
	assert_int_equal(cxm_store_customer_put(S, tenant, &cb, &b, NULL), 0);
	j1 = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	/* first events (a enters the journey), folded into rows */
	assert_int_equal(put_type(tenant, a, "a1", "purchase", T0() + DAY_US), 0);
	assert_int_equal(put_type(tenant, b, "b1", "login", T0() + 30 * DAY_US), 0);
	assert_int_equal(tail_rows(tenant, 0), 2);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	/* then a's delivery a month later, and a late ad click: the tail */
	assert_int_equal(put_type(tenant, a, "a2", "delivery", T0() + 30 * DAY_US), 0);
	struct cxm_event ad = { .source_id = "a3", .customer_id = a, .type = "ad_click", .channel = "social",
				.ts = T0() };
	assert_int_equal(cxm_store_events_put(S, tenant, &ad, 1, NULL, NULL), 0);
	assert_int_equal(tail_rows(tenant, a), 2);
	/* and a new customer, in the tail only */
	struct cxm_customer cc = { .external_id = "c", .attributes = "{\"segment\":\"silver\"}" };
	int64_t c3;
	assert_int_equal(cxm_store_customer_put(S, tenant, &cc, &c3, NULL), 0);
	assert_int_equal(put_type(tenant, c3, "c1", "login", T0() + 30 * DAY_US), 0);
	assert_int_equal(tail_rows(tenant, c3), 1);

	for (int k = 0; k < 6; k++) {
		memset(&g, 0, sizeof(g));
		g.customer = k < 3 ? a : c3;
		if (k % 3 == 0)
			assert_int_equal(cxm_store_seq_scan(S, tenant, from, to, scan_cb, &g), 0);
		else
			assert_int_equal(cxm_store_seq_scan_until(S, tenant, from, to, INT64_MAX, k % 3 == 2, scan_cb, &g),
					 0);
		assert_int_equal(g.customers, 3); /* a from row and tail, b from the row, c from the tail */
		assert_int_equal(g.n, 1);
		assert_true(g.ts[0] == T0() + 30 * DAY_US);
		assert_string_equal(g.segment, k < 3 ? "gold" : "silver");
	}
	/* c's segment follows their attributes before any fold */
	cc.attributes = "{\"segment\":\"gold\"}";
	assert_int_equal(cxm_store_customer_put(S, tenant, &cc, &c3, NULL), 0);
	memset(&g, 0, sizeof(g));
	g.customer = c3;
	assert_int_equal(cxm_store_seq_scan(S, tenant, from, to, scan_cb, &g), 0);
	assert_string_equal(g.segment, "gold");
	/* the whole range: the row's entry and the tail's, in order */
	memset(&g, 0, sizeof(g));
	g.customer = a;
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, scan_cb, &g), 0);
	assert_int_equal(g.n, 3);
	assert_true(g.ts[0] == T0() && g.ts[1] == T0() + DAY_US && g.ts[2] == T0() + 30 * DAY_US);
	/* progress: the model's state of ad, purchase and delivery */
	{
		static const char *const types[] = { "ad_click", "purchase", "delivery" };
		static const char *const channels[] = { "social", "web", "web" };
		const int64_t ts[] = { T0(), T0() + DAY_US, T0() + 30 * DAY_US };
		struct cxm_journey_def d;
		struct cxm_journey_state want;
		cJSON *tree;
		def_of(J1, &tree, &d);
		cxm_journey_state_init(&want);
		for (int i = 0; i < 3; i++) {
			int tp = cxm_journey_match_event(&d, types[i], channels[i], NULL, NULL);
			assert_true(tp >= 0);
			cxm_journey_state_add(&d, &want, tp, ts[i], i);
		}
		cJSON_Delete(tree);
		assert_int_equal(cxm_store_journey_progress(S, tenant, a, j1, &st), 0);
		assert_int_equal(st.current, want.current);
		assert_true(st.current_ts == T0() + 30 * DAY_US && want.current_ts == st.current_ts);
		assert_memory_equal(st.node, want.node, sizeof(st.node));
	}
	/* a fold changes none of it */
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	memset(&g, 0, sizeof(g));
	g.customer = a;
	assert_int_equal(cxm_store_seq_scan(S, tenant, from, to, scan_cb, &g), 0);
	assert_int_equal(g.customers, 3);
	assert_int_equal(g.n, 1);
	memset(&g, 0, sizeof(g));
	g.customer = c3;
	assert_int_equal(cxm_store_seq_scan(S, tenant, from, to, scan_cb, &g), 0);
	assert_string_equal(g.segment, "gold");
	struct cxm_journey_state st2;
	assert_int_equal(cxm_store_journey_progress(S, tenant, a, j1, &st2), 0);
	assert_int_equal(st.current, st2.current);
	assert_memory_equal(st.node, st2.node, sizeof(st.node));
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* A rollback, whole or of a savepoint, leaves no tail rows, and the count
 * of the tail stays true: a fold comes when the tail reaches its size, at
 * the commit or, outside a savepoint, within a long transaction. */
static void test_tail_rollback(void **state)
{
	int64_t tenant = test_tenant(S), a;
	struct cxm_customer ca = { .external_id = "a", .attributes = "{}" };
	struct cxm_event many[100];
	char src[100][16];
	struct count_ctx c = { 0 };
	(void)state;

	assert_int_equal(cxm_store_customer_put(S, tenant, &ca, &a, NULL), 0);
	assert_int_equal(put_type(tenant, a, "first", "login", T0()), 0);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0); /* every tenant's */
	assert_int_equal(cxm_store_seq_tail_max(S, 50), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(src[i], sizeof(src[i]), "m%d", i);
		many[i] = (struct cxm_event){ .source_id = src[i], .customer_id = a, .type = "login", .channel = "app",
					      .ts = T0() + (i + 1) * 1000000 };
	}
	/* 100 entries under a savepoint rolled back, then one kept: no fold */
	assert_int_equal(cxm_store_begin(S), 0);
	assert_int_equal(cxm_store_savepoint(S), 0);
	assert_int_equal(cxm_store_events_put(S, tenant, many, 100, NULL, NULL), 0);
	assert_int_equal(tail_rows(tenant, a), 1);
	assert_int_equal(cxm_store_savepoint_rollback(S), 0);
	assert_int_equal(tail_rows(tenant, a), 0);
	assert_int_equal(put_type(tenant, a, "kept1", "login", T0() + DAY_US), 0);
	assert_int_equal(cxm_store_commit(S), 0);
	assert_int_equal(tail_rows(tenant, a), 1);
	/* the same with the whole transaction */
	assert_int_equal(cxm_store_begin(S), 0);
	assert_int_equal(cxm_store_events_put(S, tenant, many, 100, NULL, NULL), 0);
	assert_int_equal(cxm_store_rollback(S), 0);
	assert_int_equal(tail_rows(tenant, a), 1);
	assert_int_equal(put_type(tenant, a, "kept2", "login", T0() + 2 * DAY_US), 0);
	assert_int_equal(tail_rows(tenant, a), 2);
	/* 60 more reach 50: that commit folds */
	assert_int_equal(cxm_store_events_put(S, tenant, many, 60, NULL, NULL), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, count_cb, &c), 0);
	assert_int_equal(c.customers, 1);
	assert_int_equal(c.entries, 63);
	/* a long transaction (an import: no savepoint) folds as it goes */
	assert_int_equal(cxm_store_begin(S), 0);
	for (int i = 0; i < 60; i++) {
		snprintf(src[i], sizeof(src[i]), "x%d", i);
		many[i] = (struct cxm_event){ .source_id = src[i], .customer_id = a, .type = "login", .channel = "app",
					      .ts = T0() + 3 * DAY_US + i };
	}
	if (cxm_store_events_put(S, tenant, many, 30, NULL, NULL))
		fail_msg("put: %s", cxm_store_errmsg(S));
	assert_int_equal(tail_rows(tenant, a), 1);
	assert_int_equal(cxm_store_events_put(S, tenant, many + 30, 30, NULL, NULL), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	assert_int_equal(cxm_store_commit(S), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, count_cb, &c), 0);
	assert_int_equal(c.entries, 123);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* Merges and rebuilds with tail rows: they take them in. */
static void test_tail_merge_rebuild(void **state)
{
	static struct tally x, xb;
	static int group[NCUST], segix[NCUST];
	static int64_t ids[NCUST];
	static struct scan_got g;
	int64_t j1, tenant;
	int version, want = 0;
	char *c = canonical(J1B);
	bool pending = true;
	(void)state;

	world();
	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	tenant = world_tenant(ids, &j1);
	assert_true(tail_rows(tenant, ids[0]) > 0 && tail_rows(tenant, ids[1]) > 0);
	assert_int_equal(cxm_store_customer_merge(S, tenant, ids[0], ids[1], "test", NULL), 0);
	assert_int_equal(tail_rows(tenant, ids[0]), 0);
	assert_int_equal(tail_rows(tenant, ids[1]), 0);
	identity_groups(group, segix);
	group[1] = 0;
	expect(&x, J1, NEV, group, segix);
	check_flow(tenant, j1, &x);
	memset(&g, 0, sizeof(g));
	g.customer = ids[0];
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, scan_cb, &g), 0);
	for (int i = 0; i < NEV; i++)
		want += W[i].cust == 0 || W[i].cust == 1;
	assert_int_equal(g.n, want);
	/* a new version built over sequences with tails */
	assert_true(tail_rows(tenant, 0) > 0);
	assert_int_equal(cxm_store_journey_update(S, tenant, j1, "Compra", c, 2, &version), 0);
	while (pending)
		assert_int_equal(cxm_store_journey_build_step(S, tenant, 50, &pending), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	expect(&xb, J1B, NEV, group, segix);
	check_flow(tenant, j1, &xb);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
	free(c);
}

/* The entries of customer's sequence as a scan of handle h reads them. */
static int mem_entries(struct cxm_store *h, int64_t tenant)
{
	struct count_ctx c = { 0 };
	assert_int_equal(cxm_store_seq_scan(h, tenant, 0, INT64_MAX, count_cb, &c), 0);
	return c.entries;
}

/* One login of customer a at T0() + i seconds, through handle h. */
static int mem_put(struct cxm_store *h, int64_t tenant, int64_t a, const char *tag, int i)
{
	char src[32];
	snprintf(src, sizeof(src), "%s%d", tag, i);
	struct cxm_event e = { .source_id = src, .customer_id = a, .type = "login", .channel = "app",
			       .ts = T0() + (int64_t)i * 1000000 };
	return cxm_store_events_put(h, tenant, &e, 1, NULL, NULL);
}

/* The tail in memory (SQLite) after a failing request in a batch (a
 * savepoint rolled back) and a whole rollback: the customer's next events
 * and the fold see only what was kept, as a fresh handle does. */
static void test_tail_mem_rollback(void **state)
{
	int64_t tenant = test_tenant(S), a;
	struct cxm_customer ca = { .external_id = "a", .attributes = "{}" };
	struct cxm_store *fresh;
	(void)state;

	assert_int_equal(cxm_store_customer_put(S, tenant, &ca, &a, NULL), 0);
	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	assert_int_equal(mem_put(S, tenant, a, "k", 1), 0);
	/* a batch: a request kept, one rolled back, one kept */
	assert_int_equal(cxm_store_begin(S), 0);
	assert_int_equal(cxm_store_savepoint(S), 0);
	assert_int_equal(mem_put(S, tenant, a, "k", 2), 0);
	assert_int_equal(cxm_store_savepoint_release(S), 0);
	assert_int_equal(cxm_store_savepoint(S), 0);
	for (int i = 3; i < 8; i++)
		assert_int_equal(mem_put(S, tenant, a, "gone", i), 0);
	assert_int_equal(cxm_store_savepoint_rollback(S), 0);
	assert_int_equal(cxm_store_savepoint(S), 0);
	assert_int_equal(mem_put(S, tenant, a, "k", 8), 0);
	assert_int_equal(cxm_store_savepoint_release(S), 0);
	assert_int_equal(cxm_store_commit(S), 0);
	assert_int_equal(tail_rows(tenant, a), 3);
	/* a whole transaction rolled back */
	assert_int_equal(cxm_store_begin(S), 0);
	for (int i = 10; i < 14; i++)
		assert_int_equal(mem_put(S, tenant, a, "gone", i), 0);
	assert_int_equal(cxm_store_rollback(S), 0);
	assert_int_equal(mem_put(S, tenant, a, "k", 20), 0);
	assert_int_equal(tail_rows(tenant, a), 4);
	/* the same rows loaded by a fresh handle and by this one */
	fresh = test_open();
	assert_int_equal(mem_entries(fresh, tenant), 4);
	assert_int_equal(mem_entries(S, tenant), 4);
	/* this handle's fold takes in its map: the 4 kept, nothing rolled back */
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	assert_int_equal(mem_entries(fresh, tenant), 4);
	/* and a rolled back fold leaves the tail whole */
	assert_int_equal(mem_put(S, tenant, a, "k", 21), 0);
	assert_int_equal(cxm_store_begin(S), 0);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	assert_int_equal(cxm_store_rollback(S), 0);
	assert_int_equal(tail_rows(tenant, a), 1);
	assert_int_equal(mem_put(S, tenant, a, "k", 22), 0);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(mem_entries(fresh, tenant), 6);
	cxm_store_close(fresh);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* Another handle on the same database (a second server, an import) adds
 * to the tail and folds it between two transactions of this one: this
 * handle's next transactions see it (SQLite: PRAGMA data_version). */
static void test_tail_mem_two_handles(void **state)
{
	int64_t tenant = test_tenant(S), a, b2;
	struct cxm_customer ca = { .external_id = "a", .attributes = "{}" };
	struct cxm_customer cb = { .external_id = "b", .attributes = "{}" };
	struct cxm_store *o = test_open();
	(void)state;

	assert_int_equal(cxm_store_customer_put(S, tenant, &ca, &a, NULL), 0);
	assert_int_equal(cxm_store_customer_put(S, tenant, &cb, &b2, NULL), 0);
	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	assert_int_equal(cxm_store_seq_tail_max(o, INT64_MAX), 0);
	assert_int_equal(mem_put(S, tenant, a, "s", 1), 0);
	/* the other appends to a's tail and starts b's */
	assert_int_equal(mem_put(o, tenant, a, "o", 2), 0);
	assert_int_equal(mem_put(o, tenant, b2, "o", 3), 0);
	assert_int_equal(mem_put(S, tenant, a, "s", 4), 0);
	assert_int_equal(tail_rows(tenant, a), 3);
	assert_int_equal(mem_entries(S, tenant), 4);
	/* this handle's fold takes in the other's rows */
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	assert_int_equal(mem_entries(o, tenant), 4);
	/* the other folds what this one added: this one's next load reads the row */
	assert_int_equal(mem_put(S, tenant, a, "s", 5), 0);
	assert_int_equal(cxm_store_seq_tail_fold(o), 0);
	assert_int_equal(mem_put(S, tenant, a, "s", 6), 0);
	assert_int_equal(tail_rows(tenant, a), 1);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(mem_entries(o, tenant), 6);
	cxm_store_close(o);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* ---- the tail in memory: merges, segments, capped rows, failed calls ------- */

/* What a scan shows of some customers (their entries' times and segment),
 * and how many customers in all. */
#define CS_MAX 8
struct cseqs {
	int64_t id[CS_MAX];
	int nid;
	int n[CS_MAX];
	int64_t ts[CS_MAX][16];
	char seg[CS_MAX][16];
	int customers, bad;
};

static int cseqs_cb(int64_t customer_id, const char *segment, const struct cxm_seq_entry *e, size_t n, void *ctx)
{
	struct cseqs *c = ctx;
	int k = 0;

	c->customers++;
	while (k < c->nid && c->id[k] != customer_id)
		k++;
	if (k == c->nid)
		return 0;
	c->bad += c->n[k] != 0 || n > 16; /* twice, or more than any test sends */
	snprintf(c->seg[k], sizeof(c->seg[k]), "%s", segment ? segment : "-");
	for (size_t i = 0; i < n && i < 16; i++) {
		c->ts[k][i] = e[i].ts;
		c->bad += i && e[i].ts <= e[i - 1].ts; /* an entry twice, or out of order */
	}
	c->n[k] = (int)n;
	return 0;
}

/* The whole sequences of ids[0..nid) as handle h scans them (in two
 * halves: halves). */
static void cseqs_scan(struct cxm_store *h, int64_t tenant, const int64_t *ids, int nid, bool halves,
		       struct cseqs *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->id, ids, (size_t)nid * sizeof(*ids));
	c->nid = nid;
	if (halves)
		assert_int_equal(cxm_store_seq_scan_until(h, tenant, 0, INT64_MAX, INT64_MAX, true, cseqs_cb, c), 0);
	else
		assert_int_equal(cxm_store_seq_scan(h, tenant, 0, INT64_MAX, cseqs_cb, c), 0);
	assert_int_equal(c->bad, 0);
}

static void cseqs_equal(const struct cseqs *a, const struct cseqs *b)
{
	assert_int_equal(a->customers, b->customers);
	for (int k = 0; k < a->nid; k++) {
		assert_int_equal(a->n[k], b->n[k]);
		assert_string_equal(a->seg[k], b->seg[k]);
		assert_memory_equal(a->ts[k], b->ts[k], sizeof(a->ts[k]));
	}
}

/* The tenant's customer_seq rows of a customer (0: none). */
static int64_t seq_rows(int64_t tenant, int64_t customer)
{
	static const char sql[] = "SELECT COUNT(*) FROM customer_seq WHERE tenant_id = ? AND customer_id = ? AND n > 0";
	struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(customer) };
	int64_t n = -1;
	if (cxm_store_q(S, sql, p, 2, cxm_store_int_row, &n, NULL))
		fail_msg("seq rows: %s", cxm_store_errmsg(S));
	return n;
}

/* A statement of a text made at run time (cxm_store_q keeps statements
 * prepared by their text's address: static texts only). */
static void sql_exec(const char *sql)
{
	if (S->ops->exec(S, sql))
		fail_msg("%s: %s", sql, cxm_store_errmsg(S));
}

/* The model's state in J1 of events types[i] (channel web) at ts[i]. */
static void j1_state(const char *const *types, const int64_t *ts, int n, struct cxm_journey_state *st)
{
	struct cxm_journey_def d;
	cJSON *tree;

	def_of(J1, &tree, &d);
	cxm_journey_state_init(st);
	for (int i = 0, k = 0; i < n; i++) {
		int tp = cxm_journey_match_event(&d, types[i], "web", NULL, NULL);
		if (tp >= 0)
			cxm_journey_state_add(&d, st, tp, ts[i], k++);
	}
	cJSON_Delete(tree);
}

static void state_equal(const struct cxm_journey_state *a, const struct cxm_journey_state *b)
{
	assert_int_equal(a->current, b->current);
	assert_true(a->current_ts == b->current_ts);
	assert_memory_equal(a->node, b->node, sizeof(a->node));
}

/* Merges of customers who both have tail rows (one with a row too, one
 * with the tail only), in one transaction with an ingest after them: the
 * survivor takes every entry, the merged customer's rows and map entry
 * are gone (a fold by the handle that merged brings nothing of them
 * back), and a fresh handle reads the same as this one. */
static void test_tail_mem_merge(void **state)
{
	static const char *const ext[4] = { "a", "b", "d", "e" };
	static const char *const attrs[4] = { "{\"segment\":\"gold\"}", "{\"segment\":\"silver\"}", "{}",
					      "{\"segment\":\"bronze\"}" };
	int64_t tenant = test_tenant(S), id[4], j1, t = T0();
	struct cseqs c, cf;
	struct cxm_journey_state st, want;
	struct cxm_store *fresh;
	(void)state;

	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	for (int i = 0; i < 4; i++) {
		struct cxm_customer cu = { .external_id = ext[i], .attributes = attrs[i] };
		assert_int_equal(cxm_store_customer_put(S, tenant, &cu, &id[i], NULL), 0);
	}
	j1 = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	/* a and e: a row, then a tail; b: two tail rows, d: one, no row */
	assert_int_equal(put_type(tenant, id[0], "a1", "login", t), 0);
	assert_int_equal(put_type(tenant, id[3], "e1", "login", t + 5 * DAY_US), 0);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(put_type(tenant, id[0], "a2", "purchase", t + DAY_US), 0);
	assert_int_equal(put_type(tenant, id[1], "b1", "login", t + 2 * DAY_US), 0);
	assert_int_equal(put_type(tenant, id[1], "b2", "delivery", t + 3 * DAY_US), 0);
	assert_int_equal(put_type(tenant, id[2], "d1", "login", t + 4 * DAY_US), 0);
	assert_int_equal(put_type(tenant, id[3], "e2", "delivery", t + 6 * DAY_US), 0);
	assert_int_equal(tail_rows(tenant, id[0]), 1);
	assert_int_equal(tail_rows(tenant, id[1]), 2);
	assert_int_equal(tail_rows(tenant, id[2]), 1);
	assert_int_equal(tail_rows(tenant, id[3]), 1);

	assert_int_equal(cxm_store_begin(S), 0);
	assert_int_equal(cxm_store_customer_merge(S, tenant, id[0], id[1], "test", NULL), 0);
	assert_int_equal(cxm_store_customer_merge(S, tenant, id[2], id[3], "test", NULL), 0);
	assert_int_equal(put_type(tenant, id[0], "a3", "login", t + 7 * DAY_US), 0);
	assert_int_equal(cxm_store_commit(S), 0);
	assert_int_equal(tail_rows(tenant, id[0]), 1); /* a3 */
	assert_int_equal(tail_rows(tenant, id[1]), 0);
	assert_int_equal(tail_rows(tenant, id[2]), 0);
	assert_int_equal(tail_rows(tenant, id[3]), 0);
	assert_int_equal(seq_rows(tenant, id[1]), 0);
	assert_int_equal(seq_rows(tenant, id[3]), 0);

	fresh = test_open();
	for (int pass = 0; pass < 2; pass++) {
		/* before the fold, then after this handle's fold (its map) */
		cseqs_scan(S, tenant, id, 4, false, &c);
		assert_int_equal(c.customers, 2);
		assert_int_equal(c.n[0], 5);
		for (int i = 0; i < 5; i++)
			assert_true(c.ts[0][i] == t + (i < 4 ? i : 7) * DAY_US);
		assert_string_equal(c.seg[0], "gold");
		assert_int_equal(c.n[1], 0);
		assert_int_equal(c.n[2], 3);
		for (int i = 0; i < 3; i++)
			assert_true(c.ts[2][i] == t + (4 + i) * DAY_US);
		assert_string_equal(c.seg[2], "bronze"); /* e's, the merge's attributes */
		assert_int_equal(c.n[3], 0);
		cseqs_scan(fresh, tenant, id, 4, true, &cf);
		cseqs_equal(&c, &cf);
		/* a's progress: purchase then delivery (b's) */
		{
			static const char *const types[] = { "login", "purchase", "login", "delivery", "login" };
			const int64_t ts[] = { t, t + DAY_US, t + 2 * DAY_US, t + 3 * DAY_US, t + 7 * DAY_US };
			j1_state(types, ts, 5, &want);
			assert_int_equal(cxm_store_journey_progress(fresh, tenant, id[0], j1, &st), 0);
			state_equal(&st, &want);
			assert_int_equal(cxm_store_journey_progress(S, tenant, id[2], j1, &st), 0);
			assert_true(st.current_ts == t + 6 * DAY_US);
			assert_int_equal(cxm_store_journey_progress(S, tenant, id[1], j1, &st), CXM_ENOTFOUND);
		}
		if (!pass) {
			assert_int_equal(cxm_store_seq_tail_fold(S), 0);
			assert_int_equal(tail_rows(tenant, 0), 0);
			assert_int_equal(seq_rows(tenant, id[1]), 0);
			assert_int_equal(seq_rows(tenant, id[3]), 0);
		}
	}
	cxm_store_close(fresh);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* The reached count of a login funnel's group key (NULL: the customers
 * without a segment) by segment over the first month; -1: no such group. */
static int funnel_group(struct cxm_store *h, int64_t tenant, const char *key, int *groups)
{
	char from[CXM_TIME_BUFSZ], to[CXM_TIME_BUFSZ], text[512];
	cJSON *body, *out = NULL, *errors = NULL;
	const cJSON *g;
	int got = -1;

	cxm_time_format(T0() - DAY_US, from);
	cxm_time_format(T0() + 30 * DAY_US, to);
	snprintf(text, sizeof(text),
		 "{\"steps\":[{\"event\":{\"type\":\"login\"}}],\"from\":\"%s\",\"to\":\"%s\",\"by\":\"segment\"}", from,
		 to);
	body = cJSON_Parse(text);
	assert_non_null(body);
	assert_int_equal(cxm_funnel_report(h, tenant, body, CXM_LANG_EN, &out, &errors), 0);
	*groups = 0;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(out, "groups"))
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(g, "key");
		const cJSON *steps = cJSON_GetObjectItemCaseSensitive(g, "steps");
		(*groups)++;
		if (key ? cJSON_IsString(k) && !strcmp(k->valuestring, key) : cJSON_IsNull(k))
			got = (int)cJSON_GetNumberValue(
				cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(steps, 0), "reached"));
	}
	cJSON_Delete(out);
	cJSON_Delete(errors);
	cJSON_Delete(body);
	return got;
}

/* A segment change of customers with tail rows (a new one with the tail
 * only, one with a row and a tail, one whose tail row entered a journey),
 * in the same transaction as more of their events, then a fold: scans
 * and funnels by segment show the new segment before and after the fold,
 * on this handle and on a fresh one; a second change after the fold too. */
static void test_tail_mem_segment(void **state)
{
	static const char *const ext[3] = { "x", "y", "z" };
	int64_t tenant = test_tenant(S), id[3], t = T0();
	struct cseqs c, cf;
	struct cxm_store *fresh = test_open();
	int groups;
	(void)state;

	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	for (int i = 0; i < 3; i++) {
		struct cxm_customer cu = { .external_id = ext[i], .attributes = "{\"segment\":\"gold\"}" };
		assert_int_equal(cxm_store_customer_put(S, tenant, &cu, &id[i], NULL), 0);
	}
	journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	assert_int_equal(put_type(tenant, id[1], "y1", "login", t), 0);
	assert_int_equal(put_type(tenant, id[2], "z1", "login", t), 0);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(put_type(tenant, id[0], "x1", "login", t + 3 * DAY_US), 0);   /* new: the tail only */
	assert_int_equal(put_type(tenant, id[1], "y2", "login", t + DAY_US), 0);       /* row and tail */
	assert_int_equal(put_type(tenant, id[2], "z2", "purchase", t + 2 * DAY_US), 0); /* enters J1 in the tail */
	assert_int_equal(funnel_group(S, tenant, "gold", &groups), 3);
	assert_int_equal(groups, 1);

	assert_int_equal(cxm_store_begin(S), 0);
	for (int i = 0; i < 3; i++) {
		struct cxm_customer cu = { .external_id = ext[i], .attributes = "{\"segment\":\"silver\"}" };
		assert_int_equal(cxm_store_customer_put(S, tenant, &cu, &id[i], NULL), 0);
	}
	assert_int_equal(put_type(tenant, id[0], "x2", "login", t + 4 * DAY_US), 0);
	assert_int_equal(put_type(tenant, id[1], "y3", "login", t + 5 * DAY_US), 0);
	assert_int_equal(put_type(tenant, id[2], "z3", "delivery", t + 6 * DAY_US), 0);
	assert_int_equal(cxm_store_commit(S), 0);
	for (int pass = 0; pass < 3; pass++) {
		/* before the fold, after it, and after a change to none */
		const char *want = pass < 2 ? "silver" : "-";
		cseqs_scan(S, tenant, id, 3, false, &c);
		assert_int_equal(c.customers, 3);
		assert_int_equal(c.n[0], pass < 2 ? 2 : 3);
		assert_int_equal(c.n[1], 3);
		assert_int_equal(c.n[2], 3);
		for (int i = 0; i < 3; i++)
			assert_string_equal(c.seg[i], want);
		cseqs_scan(fresh, tenant, id, 3, true, &cf);
		cseqs_equal(&c, &cf);
		assert_int_equal(funnel_group(S, tenant, pass < 2 ? "silver" : NULL, &groups), 3);
		assert_int_equal(groups, 1);
		assert_int_equal(funnel_group(fresh, tenant, pass < 2 ? "silver" : NULL, &groups), 3);
		assert_int_equal(groups, 1);
		if (pass == 0) {
			assert_int_equal(cxm_store_seq_tail_fold(S), 0);
			assert_int_equal(tail_rows(tenant, 0), 0);
		} else if (pass == 1) {
			/* x enters J1 in a new tail row (with segment and segs),
			 * the change to none, a fold: one transaction */
			assert_int_equal(cxm_store_begin(S), 0);
			assert_int_equal(put_type(tenant, id[0], "x3", "purchase", t + 7 * DAY_US), 0);
			for (int i = 0; i < 3; i++) {
				struct cxm_customer cu = { .external_id = ext[i], .attributes = "{\"segment\":null}" };
				assert_int_equal(cxm_store_customer_put(S, tenant, &cu, &id[i], NULL), 0);
			}
			assert_int_equal(cxm_store_seq_tail_fold(S), 0);
			assert_int_equal(cxm_store_commit(S), 0);
			assert_int_equal(tail_rows(tenant, 0), 0);
		}
	}
	cxm_store_close(fresh);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* A capped customer's row written whole (CXM_SEQ_MAX=5) by an ingest call
 * whose other customers add tail rows, inserted at the call's end: none
 * of the capped customer's rows is inserted again, before or after a
 * fold, and they keep their newest 5 entries. No journey tags any of
 * these events (the cap once moved tags from a NULL array: UBSan). */
static void test_tail_mem_capped(void **state)
{
	int64_t tenant = test_tenant(S), id[3], t = T0();
	struct cxm_store *h;
	struct cseqs c, cf;
	struct cxm_event ev[8];
	char src[8][32];
	int seq = 0;
	(void)state;

	setenv("CXM_SEQ_MAX", "5", 1);
	h = test_open();
	for (int i = 0; i < 3; i++)
		id[i] = one_customer(h, tenant, i == 0 ? "b" : i == 1 ? "a" : "c");
	assert_int_equal(cxm_store_seq_tail_max(h, INT64_MAX), 0);
	unsetenv("CXM_SEQ_MAX");
	/* calls of (customer index, count): a is id[1], between b and c */
	static const int calls[4][3] = { { 2, 3, 3 }, { 0, 1, 0 }, { 1, 3, 1 }, { 0, 1, 0 } };
	for (int k = 0; k < 4; k++) {
		int n = 0;
		for (int i = 0; i < 3; i++)
			for (int m = 0; m < calls[k][i]; m++, seq++) {
				snprintf(src[n], sizeof(src[n]), "s%d", seq);
				ev[n] = (struct cxm_event){ .source_id = src[n], .customer_id = id[i], .type = "login",
							    .channel = "app", .ts = t + seq * 1000000LL };
				n++;
			}
		if (k == 2) {
			/* a's row written whole, b's and c's tail rows added: under a
			 * writer's savepoint, then committed */
			assert_int_equal(tail_rows(tenant, id[1]), 2);
			assert_int_equal(cxm_store_begin(h), 0);
			assert_int_equal(cxm_store_savepoint(h), 0);
			assert_int_equal(cxm_store_events_put(h, tenant, ev, (size_t)n, NULL, NULL), 0);
			assert_int_equal(cxm_store_savepoint_release(h), 0);
			assert_int_equal(cxm_store_commit(h), 0);
			assert_int_equal(tail_rows(tenant, id[1]), 0);
			assert_int_equal(tail_rows(tenant, id[0]), 2);
			assert_int_equal(tail_rows(tenant, id[2]), 2);
		} else {
			assert_int_equal(cxm_store_events_put(h, tenant, ev, (size_t)n, NULL, NULL), 0);
		}
	}
	/* a's logins are s2 s3 s4, s8, s10 s11 s12, s14: the newest 5 kept;
	 * b has 3 (two tail rows), c 4 (two) */
	for (int pass = 0; pass < 2; pass++) {
		static const int kept[5] = { 8, 10, 11, 12, 14 };
		cseqs_scan(h, tenant, id, 3, false, &c);
		assert_int_equal(c.customers, 3);
		assert_int_equal(c.n[0], 3);
		assert_int_equal(c.n[1], 5);
		for (int i = 0; i < 5; i++)
			assert_true(c.ts[1][i] == t + kept[i] * 1000000LL);
		assert_int_equal(c.n[2], 4);
		cseqs_scan(S, tenant, id, 3, true, &cf);
		cseqs_equal(&c, &cf);
		assert_int_equal(tail_rows(tenant, id[1]), 0);
		if (!pass) {
			assert_int_equal(cxm_store_seq_tail_fold(h), 0);
			assert_int_equal(tail_rows(tenant, 0), 0);
		}
	}
	cxm_store_close(h);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

static int cmp_i64(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	return (a > b) - (a < b);
}

/* Makes inserts into table fail for the rows where `col = v` (a trigger),
 * or removes that (table NULL). */
static void fail_on(const char *table, const char *col, const char *v)
{
	char sql[512];

	if (!table) {
		if (test_is_pg()) {
			sql_exec("DROP TRIGGER cxm_test_fail_seq ON customer_seq_tail");
			sql_exec("DROP TRIGGER cxm_test_fail_cls ON event_classes");
			sql_exec("DROP FUNCTION cxm_test_fail_seq()");
			sql_exec("DROP FUNCTION cxm_test_fail_cls()");
		} else {
			sql_exec("DROP TRIGGER cxm_test_fail_seq");
			sql_exec("DROP TRIGGER cxm_test_fail_cls");
		}
		return;
	}
	const char *name = !strcmp(table, "event_classes") ? "cls" : "seq";
	if (test_is_pg()) {
		snprintf(sql, sizeof(sql),
			 "CREATE FUNCTION cxm_test_fail_%s() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
			 " IF NEW.%s::text = '%s' THEN RAISE EXCEPTION 'test failure'; END IF; RETURN NEW; END$$",
			 name, col, v);
		sql_exec(sql);
		snprintf(sql, sizeof(sql),
			 "CREATE TRIGGER cxm_test_fail_%s BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION"
			 " cxm_test_fail_%s()",
			 name, table, name);
	} else {
		snprintf(sql, sizeof(sql),
			 "CREATE TRIGGER cxm_test_fail_%s BEFORE INSERT ON %s WHEN CAST(NEW.%s AS TEXT) = '%s'"
			 " BEGIN SELECT RAISE(ABORT, 'test failure'); END",
			 name, table, col, v);
	}
	sql_exec(sql);
}

/* Ingest calls that fail halfway under a writer's savepoint: one when a
 * customer's class cannot be written (earlier customers' tail rows are in
 * the map, not yet in the table), one when the 36th of 40 tail rows cannot
 * be inserted (the first 32 were, in one statement). The savepoint's
 * rollback leaves nothing of either, in the table or the map: the same
 * transaction goes on, and a fold by this handle and a fresh handle's
 * scan see only the calls that succeeded. */
static void test_tail_mem_failed_ingest(void **state)
{
	enum { N = 40 };
	int64_t tenant = test_tenant(S), id[N], sorted[N], t = T0();
	struct cxm_event ev[N];
	char src[N][32], v[32];
	struct count_ctx c;
	struct cxm_store *fresh;
	(void)state;

	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	for (int i = 0; i < N; i++) {
		snprintf(src[i], sizeof(src[i]), "c%d", i);
		id[i] = one_customer(S, tenant, src[i]);
	}
	memcpy(sorted, id, sizeof(id));
	qsort(sorted, N, sizeof(*sorted), cmp_i64); /* the order ingest takes them in */
	/* one login each: 40 tail rows */
	for (int i = 0; i < N; i++) {
		snprintf(src[i], sizeof(src[i]), "first%d", i);
		ev[i] = (struct cxm_event){ .source_id = src[i], .customer_id = sorted[i], .type = "login",
					    .channel = "app", .ts = t + i };
	}
	assert_int_equal(cxm_store_events_put(S, tenant, ev, N, NULL, NULL), 0);
	assert_int_equal(tail_rows(tenant, 0), N);

	snprintf(v, sizeof(v), "%lld", (long long)sorted[35]);
	fail_on("customer_seq_tail", "customer_id", v);
	fail_on("event_classes", "type", "boom");
	assert_int_equal(cxm_store_begin(S), 0);
	for (int k = 0; k < 2; k++) {
		/* k 0: the 21st customer's event is of a new class that fails;
		 * k 1: every class is known, the 36th tail row fails */
		for (int i = 0; i < N; i++) {
			snprintf(src[i], sizeof(src[i]), "f%d_%d", k, i);
			ev[i] = (struct cxm_event){ .source_id = src[i], .customer_id = sorted[i],
						    .type = k == 0 && i == 20 ? "boom" : "login", .channel = "app",
						    .ts = t + DAY_US + k * N + i };
		}
		assert_int_equal(cxm_store_savepoint(S), 0);
		assert_int_not_equal(cxm_store_events_put(S, tenant, ev, N, NULL, NULL), 0);
		assert_int_equal(cxm_store_savepoint_rollback(S), 0);
		/* the next request of the batch: customer 0 again */
		assert_int_equal(cxm_store_savepoint(S), 0);
		snprintf(src[0], sizeof(src[0]), "ok%d", k);
		ev[0] = (struct cxm_event){ .source_id = src[0], .customer_id = sorted[0], .type = "login",
					    .channel = "app", .ts = t + 2 * DAY_US + k };
		assert_int_equal(cxm_store_events_put(S, tenant, ev, 1, NULL, NULL), 0);
		assert_int_equal(cxm_store_savepoint_release(S), 0);
	}
	assert_int_equal(cxm_store_commit(S), 0);
	fail_on(NULL, NULL, NULL);
	assert_int_equal(tail_rows(tenant, 0), N + 2);
	assert_int_equal(tail_rows(tenant, sorted[35]), 1);

	fresh = test_open();
	for (int pass = 0; pass < 2; pass++) {
		struct cseqs cs;
		memset(&c, 0, sizeof(c));
		assert_int_equal(cxm_store_seq_scan(fresh, tenant, 0, INT64_MAX, count_cb, &c), 0);
		assert_int_equal(c.customers, N);
		assert_int_equal(c.entries, N + 2);
		cseqs_scan(S, tenant, sorted, 1, false, &cs);
		assert_int_equal(cs.n[0], 3);
		/* this handle's fold: from its map, rebuilt after the rollbacks */
		if (!pass) {
			assert_int_equal(cxm_store_seq_tail_fold(S), 0);
			assert_int_equal(tail_rows(tenant, 0), 0);
		}
	}
	cxm_store_close(fresh);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* A customer's progress read inside a write transaction by a handle that
 * never ingested nor merged (the journey store not set up on it yet): the
 * tail's map is built for it, and it reads what a reader outside a
 * transaction reads (it once crashed on the missing store). */
static void test_tail_mem_progress_first(void **state)
{
	int64_t tenant = test_tenant(S), a, j1, t = T0();
	struct cxm_customer ca = { .external_id = "a", .attributes = "{}" };
	struct cxm_journey_state st, want;
	struct cxm_store *h;
	(void)state;

	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	assert_int_equal(cxm_store_customer_put(S, tenant, &ca, &a, NULL), 0);
	j1 = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	assert_int_equal(put_type(tenant, a, "a1", "purchase", t), 0);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(put_type(tenant, a, "a2", "delivery", t + DAY_US), 0);
	assert_int_equal(tail_rows(tenant, a), 1);
	assert_int_equal(cxm_store_journey_progress(S, tenant, a, j1, &want), 0);
	assert_true(want.current_ts == t + DAY_US);
	h = test_open();
	assert_int_equal(cxm_store_begin(h), 0);
	assert_int_equal(cxm_store_journey_progress(h, tenant, a, j1, &st), 0);
	state_equal(&st, &want);
	assert_int_equal(cxm_store_rollback(h), 0);
	cxm_store_close(h);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* A customer's sequence row is found by the next load and fold whether
 * another connection made it after this handle's map was built (its
 * commit is seen at BEGIN) or this handle's own fold did. A row missed
 * would lose its entries or fail the next fold's insert. */
static void test_rows_two_handles(void **state)
{
	int64_t tenant = test_tenant(S), a, b;
	struct cxm_customer ca = { .external_id = "a", .attributes = "{}" };
	struct cxm_customer cb = { .external_id = "b", .attributes = "{}" };
	struct cxm_store *o = test_open();
	(void)state;

	assert_int_equal(cxm_store_customer_put(S, tenant, &ca, &a, NULL), 0);
	assert_int_equal(cxm_store_customer_put(S, tenant, &cb, &b, NULL), 0);
	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	assert_int_equal(cxm_store_seq_tail_max(o, INT64_MAX), 0);
	/* this handle's map is built while nobody has a row */
	assert_int_equal(mem_put(S, tenant, a, "s", 1), 0);
	/* the other gives b a row, and a one (its fold takes the whole tail) */
	assert_int_equal(mem_put(o, tenant, b, "o", 2), 0);
	assert_int_equal(cxm_store_seq_tail_fold(o), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	/* this handle loads both rows, and its fold updates them */
	assert_int_equal(mem_put(S, tenant, b, "s", 3), 0);
	assert_int_equal(mem_put(S, tenant, a, "s", 4), 0);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(mem_entries(o, tenant), 4);
	/* a row this handle's own fold made: found by its next load and fold */
	{
		struct cxm_customer cc = { .external_id = "c", .attributes = "{}" };
		int64_t c;
		assert_int_equal(cxm_store_customer_put(S, tenant, &cc, &c, NULL), 0);
		assert_int_equal(mem_put(S, tenant, c, "s", 5), 0);
		assert_int_equal(cxm_store_seq_tail_fold(S), 0);
		assert_int_equal(mem_put(S, tenant, c, "s", 6), 0);
		assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	}
	assert_int_equal(mem_entries(o, tenant), 6);
	assert_int_equal(mem_entries(S, tenant), 6);
	cxm_store_close(o);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

/* A row filter that fills up is built again from the table, as many
 * times as it takes, and hides no row meanwhile: 40 customers buy, then
 * get two deliveries, in turns, folded every few entries, through a handle
 * whose filter holds 8 customers before it is full. A hidden row would
 * lose the purchase from the state the deliveries move the rollups from. */
static void test_rows_filter_full(void **state)
{
	int64_t tenant = test_tenant(S), id[40], j, d0 = T0() / DAY_US;
	struct cxm_store *h;
	struct count_ctx c = { 0 };
	static struct cxm_journey_flow f;
	(void)state;

	setenv("CXM_ROWS_BITS", "64", 1); /* read at the handle's first journey call */
	h = test_open();
	j = journey_make(tenant, "Compra", J1);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	assert_int_equal(cxm_store_seq_tail_max(h, 7), 0);
	for (int i = 0; i < 40; i++) {
		char ext[16];
		snprintf(ext, sizeof(ext), "f%d", i);
		struct cxm_customer cu = { .external_id = ext, .attributes = "{}" };
		assert_int_equal(cxm_store_customer_put(h, tenant, &cu, &id[i], NULL), 0);
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 40; i++) {
			char src[32];
			snprintf(src, sizeof(src), "f%d-%d", round, i);
			struct cxm_event e = { .source_id = src, .customer_id = id[i],
					       .type = round ? "delivery" : "purchase", .channel = "web",
					       .ts = T0() + (int64_t)(round * 100 + i) * 1000000 };
			assert_int_equal(cxm_store_events_put(h, tenant, &e, 1, NULL, NULL), 0);
		}
	assert_int_equal(cxm_store_seq_tail_fold(h), 0);
	assert_int_equal(tail_rows(tenant, 0), 0);
	assert_int_equal(cxm_store_seq_scan(S, tenant, 0, INT64_MAX, count_cb, &c), 0);
	assert_int_equal(c.customers, 40);
	assert_int_equal(c.entries, 120);
	/* every customer entered at checkout once and went on to delivery */
	assert_int_equal(cxm_store_journey_flow(S, tenant, j, d0 - 1, d0 + 2, NULL, d0 + 2, &f), 0);
	assert_int_equal(f.reached[cxm_journey_stage_node(2)], 40);
	assert_int_equal(f.converted[cxm_journey_stage_node(2)], 40);
	assert_int_equal(f.reached[cxm_journey_stage_node(3)], 40);
	cxm_store_close(h);
	unsetenv("CXM_ROWS_BITS");
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

struct all_got {
	int n, stop_at;
	int64_t id[4];
	bool entered[4];
	struct cxm_journey_state st[4];
};

static int all_cb(const struct cxm_journey_row *j, const struct cxm_journey_def *d,
		  const struct cxm_journey_state *st, void *ctx)
{
	struct all_got *g = ctx;

	assert_true(g->n < 4);
	assert_string_equal(j->status, "active");
	assert_true(d->n_stages > 0);
	g->id[g->n] = j->id;
	g->entered[g->n] = st != NULL;
	if (st)
		g->st[g->n] = *st;
	return ++g->n == g->stop_at ? CXM_EINVAL : 0;
}

/* Each active journey's progress, the sequence read once: the same as
 * asking journey by journey, for a customer with a row and a tail, one
 * with a tail only and one with nothing; read through the map (in a
 * transaction), through the table (outside one) and by a second handle. */
static void test_progress_all(void **state)
{
	int64_t tenant = test_tenant(S), cust[3], j[3], t = T0();
	struct cxm_customer c = { .attributes = "{}" };
	const char *ext[] = { "a", "b", "c" };
	struct cxm_store *h = test_open();
	(void)state;

	assert_int_equal(cxm_store_seq_tail_max(S, INT64_MAX), 0);
	for (int i = 0; i < 3; i++) {
		c.external_id = ext[i];
		assert_int_equal(cxm_store_customer_put(S, tenant, &c, &cust[i], NULL), 0);
	}
	j[0] = journey_make(tenant, "Compra", J1);
	j[1] = journey_make(tenant, "Soporte", J2);
	j[2] = journey_make(tenant, "Vieja", J1B);
	assert_int_equal(cxm_store_journey_archive(S, tenant, j[2], 1), 0);
	assert_int_equal(cxm_store_journey_build_all(S, tenant), 0);
	assert_int_equal(put_type(tenant, cust[0], "a1", "purchase", t), 0);
	assert_int_equal(cxm_store_seq_tail_fold(S), 0);
	assert_int_equal(put_type(tenant, cust[0], "a2", "delivery", t + DAY_US), 0);
	assert_int_equal(put_type(tenant, cust[1], "b1", "delivery", t + 2 * DAY_US), 0);
	assert_int_equal(tail_rows(tenant, cust[0]), 1);
	assert_int_equal(tail_rows(tenant, cust[1]), 1);

	for (int k = 0; k < 3; k++) {
		struct cxm_store *on = k == 2 ? h : S;
		if (k == 1)
			assert_int_equal(cxm_store_begin(S), 0);
		for (int i = 0; i < 3; i++) {
			struct all_got g = { 0 };
			struct cxm_journey_state want;
			assert_int_equal(cxm_store_journey_progress_all(on, tenant, cust[i], all_cb, &g), 0);
			assert_int_equal(g.n, 2); /* not the archived one */
			for (int n = 0; n < 2; n++) {
				int ret = cxm_store_journey_progress(on, tenant, cust[i], j[n], &want);
				assert_true(g.id[n] == j[n]);
				assert_int_equal(g.entered[n], ret == 0);
				if (!ret)
					state_equal(&g.st[n], &want);
				else
					assert_int_equal(ret, CXM_ENOTFOUND);
			}
			/* only Compra has tags of theirs; c has none */
			assert_int_equal(g.entered[0], i < 2);
			assert_false(g.entered[1]);
		}
		if (k == 1)
			assert_int_equal(cxm_store_rollback(S), 0);
	}
	/* a's Compra from the row and the tail: checkout, then envio */
	{
		struct all_got g = { 0 };
		assert_int_equal(cxm_store_journey_progress_all(h, tenant, cust[0], all_cb, &g), 0);
		assert_int_equal(g.st[0].current, 3);
		assert_true(g.st[0].current_ts == t + DAY_US);
		assert_true(g.st[0].node[cxm_journey_stage_node(2)].first == t);
	}
	/* the callback's error stops the walk */
	{
		struct all_got g = { .stop_at = 1 };
		assert_int_equal(cxm_store_journey_progress_all(S, tenant, cust[0], all_cb, &g), CXM_EINVAL);
		assert_int_equal(g.n, 1);
	}
	/* a stored definition that no longer checks is left out, the rest answered */
	{
		static const char bad[] = "UPDATE journey_versions SET definition = '{\"stages\":[]}'"
					  " WHERE tenant_id = ? AND journey_id = ?";
		struct sqlval p[] = { SQLV_INT(tenant), SQLV_INT(j[0]) };
		struct all_got g = { 0 };
		assert_int_equal(cxm_store_q(S, bad, p, 2, NULL, NULL, NULL), 0);
		assert_int_equal(cxm_store_journey_progress_all(S, tenant, cust[0], all_cb, &g), 0);
		assert_int_equal(g.n, 1);
		assert_true(g.id[0] == j[1]);
	}
	cxm_store_close(h);
	assert_int_equal(cxm_store_seq_tail_max(S, 20000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crud),
		cmocka_unit_test(test_active_limit),
		cmocka_unit_test(test_rollups_any_order),
		cmocka_unit_test(test_update_rebuilds),
		cmocka_unit_test(test_build_meets_ingest),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_rollback_leaves_nothing),
		cmocka_unit_test(test_seq_scan_and_progress),
		cmocka_unit_test(test_segment_frozen),
		cmocka_unit_test(test_classes_two_handles),
		cmocka_unit_test(test_classes_cap),
		cmocka_unit_test(test_seq_cap),
		cmocka_unit_test(test_two_connections),
		cmocka_unit_test(test_building_turns),
		cmocka_unit_test(test_many_tenants),
		cmocka_unit_test(test_merge_segment),
		cmocka_unit_test(test_seq_scan_until),
		cmocka_unit_test(test_tail_fold_equivalence),
		cmocka_unit_test(test_tail_scan_window),
		cmocka_unit_test(test_tail_rollback),
		cmocka_unit_test(test_tail_merge_rebuild),
		cmocka_unit_test(test_tail_mem_rollback),
		cmocka_unit_test(test_tail_mem_two_handles),
		cmocka_unit_test(test_tail_mem_merge),
		cmocka_unit_test(test_tail_mem_segment),
		cmocka_unit_test(test_tail_mem_capped),
		cmocka_unit_test(test_tail_mem_failed_ingest),
		cmocka_unit_test(test_tail_mem_progress_first),
		cmocka_unit_test(test_progress_all),
		cmocka_unit_test(test_rows_two_handles),
		cmocka_unit_test(test_rows_filter_full),
	};
	const struct CMUnitTest sqlite_only[] = {
		cmocka_unit_test(test_migration_makes_sequences),
	};
	if (!test_is_pg() && cmocka_run_group_tests(sqlite_only, NULL, NULL))
		return 1;
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
