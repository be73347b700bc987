/*
 * test_rollups.c - the rollups kept with every response write against a
 * scan of the responses, on random data (tests/run.sh DB_TESTS: SQLite and
 * PostgreSQL): both paths must give identical counts for every combination
 * the rollups answer, and both must match the test's own tally. Also the
 * time-zone reader against the C library's.
 */
#include "testutil.h"

#include "cxm/metrics.h"
#include "cxm/time.h"
#include "cxm/tz.h"

#include <stdlib.h>
#include <time.h>


#define DAY_US ((int64_t)86400 * 1000000)
#define NRESP 700

static uint64_t seed = 88172645463325252ull;

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

static int64_t T(const char *s)
{
	int64_t v;
	assert_int_equal(cxm_time_parse(s, strlen(s), &v), 0);
	return v;
}

/* The local day by the C library's own zone code, for comparison. */
static int64_t libc_day(const char *zone, int64_t us)
{
	struct tm tm;
	time_t t = (time_t)(us / 1000000 - (us % 1000000 < 0));

	setenv("TZ", zone, 1);
	tzset();
	localtime_r(&t, &tm);
	return cxm_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

static void test_tz_matches_libc(void **state)
{
	static const char *const zones[] = { "America/Bogota", "Europe/Madrid", "America/Sao_Paulo",
					     "Australia/Sydney", "UTC", "Asia/Kolkata", "America/New_York" };
	(void)state;

	for (size_t z = 0; z < ARRAY_SIZE(zones); z++) {
		const struct cxm_tz *tz = cxm_tz_get(zones[z]);
		assert_non_null(tz);
		/* 1900 to 2100: the listed transitions and the rule after them */
		for (int i = 0; i < 4000; i++) {
			int64_t us = T("1900-01-01") + (int64_t)(rnd() % (uint64_t)(200LL * 365 * 86400)) * 1000000;
			if (cxm_tz_day(tz, us) != libc_day(zones[z], us))
				fail_msg("%s at %lld: %lld, libc %lld", zones[z], (long long)us,
					 (long long)cxm_tz_day(tz, us), (long long)libc_day(zones[z], us));
		}
	}
	/* Madrid's spring change, 2026-03-29 01:00Z: 23:30Z on the 28th is
	 * already 00:30 on the 29th (CET, +1); at 22:30Z in October (CEST, +2) */
	const struct cxm_tz *mad = cxm_tz_get("Europe/Madrid");
	assert_int_equal(cxm_tz_offset(mad, T("2026-03-29T00:59:59Z")), 3600);
	assert_int_equal(cxm_tz_offset(mad, T("2026-03-29T01:00:00Z")), 7200);
	assert_int_equal(cxm_tz_day(mad, T("2026-03-28T23:30:00Z")), cxm_days_from_civil(2026, 3, 29));
	assert_int_equal(cxm_tz_day(mad, T("2026-10-24T22:30:00Z")), cxm_days_from_civil(2026, 10, 25));
	assert_int_equal(cxm_tz_day(mad, T("2026-10-25T22:30:00Z")), cxm_days_from_civil(2026, 10, 25));
	assert_int_equal(cxm_tz_offset(cxm_tz_get("America/Bogota"), T("2026-06-01T00:00:00Z")), -5 * 3600);
	assert_null(cxm_tz_get("Mars/Olympus"));
	assert_null(cxm_tz_get("../etc/passwd"));
	unsetenv("TZ");
}

static void test_buckets(void **state)
{
	(void)state;
	/* 2026-04-02 is a Thursday: its ISO week starts Monday 2026-03-30 */
	int64_t d = cxm_days_from_civil(2026, 4, 2);
	assert_int_equal(cxm_bucket_start(CXM_BUCKET_DAY, d), d);
	assert_int_equal(cxm_bucket_start(CXM_BUCKET_WEEK, d), cxm_days_from_civil(2026, 3, 30));
	assert_int_equal(cxm_bucket_start(CXM_BUCKET_WEEK, cxm_days_from_civil(2026, 3, 30)),
			 cxm_days_from_civil(2026, 3, 30));
	assert_int_equal(cxm_bucket_start(CXM_BUCKET_WEEK, cxm_days_from_civil(2026, 3, 29)),
			 cxm_days_from_civil(2026, 3, 23));
	assert_int_equal(cxm_bucket_start(CXM_BUCKET_MONTH, d), cxm_days_from_civil(2026, 4, 1));
	assert_int_equal(cxm_bucket_start(CXM_BUCKET_QUARTER, d), cxm_days_from_civil(2026, 4, 1));
	assert_int_equal(cxm_bucket_start(CXM_BUCKET_QUARTER, cxm_days_from_civil(2026, 3, 31)),
			 cxm_days_from_civil(2026, 1, 1));
	assert_int_equal(cxm_bucket_start(CXM_BUCKET_NONE, d), 0);
	assert_int_equal(cxm_dim_parse("org_unit"), CXM_DIM_ORG_UNIT);
	assert_int_equal(cxm_dim_parse("colour"), CXM_DIM_COUNT);
}

/* ---- random responses ---- */

struct model {                 /* what the test itself knows of a response */
	char source[32];
	int64_t survey, unit, ts, customer;
	const char *channel, *touchpoint, *agent, *language, *segment;
	int nps, csat, ces;
	bool complete, deleted;
	int64_t id;
	const char *label, *themes; /* the comment's analysis; label NULL: no comment */
};

struct world {
	const char *zone;
	int64_t tenant, surveys[2], units[4], customers[4];
	struct model r[NRESP];
};

static const char *const channels[] = { "web", "email", "phone", "store", "whatsapp" };
static const char *const touchpoints[] = { "delivery", "checkout", "support" };
static const char *const agents[] = { "ana", "luis", "marta" };
static const char *const languages[] = { "es", "en" };
static const char *const segments[] = { "gold", "silver", "bronze" };
static const char *const labels[] = { "positive", "neutral", "negative" };
static const char *const theme_sets[] = { "", "price", "delivery", "price delivery", "staff price", "staff" };

static const char *maybe(const char *const *v, size_t n)
{
	int k = below((int)n + 1);
	return k == (int)n ? NULL : v[k];
}

/* a random analysis, or none (no comment) */
static void analysis(struct model *m)
{
	m->label = maybe(labels, 3);
	m->themes = m->label ? theme_sets[below(6)] : NULL;
}

static int score(int lo, int hi)
{
	return below(5) == 0 ? -1 : lo + below(hi - lo + 1);
}

static void put(struct world *w, struct model *m)
{
	struct cxm_response r = { .source_id = m->source, .survey_id = m->survey, .version = 1,
				  .customer_id = m->customer, .channel = m->channel, .touchpoint = m->touchpoint,
				  .agent = m->agent, .org_unit_id = m->unit, .language = m->language, .ts = m->ts,
				  .nps = m->nps, .csat = m->csat, .ces = m->ces, .answers = "{}",
				  .complete = m->complete, .text_lang = m->label ? "es" : NULL,
				  .text_label = m->label, .themes = m->themes, .text_emotions = "", .text_reasons = "" };
	enum cxm_put_result res;

	if (cxm_store_response_put(S, w->tenant, &r, &res))
		fail_msg("%s", cxm_store_errmsg(S));
	m->id = r.id;
}

static void customer(struct world *w, int i, const char *segment)
{
	char email[64], attrs[64];
	struct cxm_customer c = { .email = email, .attributes = attrs };

	snprintf(email, sizeof(email), "c%d@example.com", i);
	if (segment)
		snprintf(attrs, sizeof(attrs), "{\"segment\":\"%s\",\"tier\":%d}", segment, i % 2);
	else
		snprintf(attrs, sizeof(attrs), "{\"tier\":%d}", i % 2);
	assert_int_equal(cxm_store_customer_put(S, w->tenant, &c, &w->customers[i], NULL), 0);
}

static void build(struct world *w, const char *zone)
{
	static const char def[] = "{\"languages\":[\"es\"],\"name\":\"x\",\"questions\":[{\"id\":\"nps\","
				  "\"text\":{\"es\":\"a\"},\"type\":\"nps\"}]}";
	char name[64];
	struct cxm_tenant t = { .name = name, .time_zone = zone, .language = "es" };
	int64_t from = T("2026-01-01T00:00:00Z"), span = T("2026-07-01T00:00:00Z") - from;

	w->zone = zone;
	snprintf(name, sizeof(name), "r%lld", (long long)cxm_id_next());
	assert_int_equal(cxm_store_tenant_create(S, &t, &w->tenant), 0);
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "S%d", i);
		assert_int_equal(cxm_store_survey_create(S, w->tenant, name, def, false, &w->surveys[i]), 0);
	}
	/* region 0 holds stores 1 and 2; store 3 moves from region 0 to
	 * nowhere in April */
	for (int i = 0; i < 4; i++) {
		struct cxm_org_unit u = { .name = name, .kind = i ? "store" : "region" };
		snprintf(name, sizeof(name), "U%d", i);
		assert_int_equal(cxm_store_org_unit_add(S, w->tenant, &u, &w->units[i]), 0);
	}
	for (int i = 1; i < 4; i++) {
		struct cxm_membership m = { .member_kind = CXM_MEMBER_UNIT, .member_id = w->units[i],
					    .unit_id = w->units[0], .valid_from = T("2025-01-01T00:00:00Z"),
					    .valid_to = i == 3 ? T("2026-04-01T00:00:00Z") : CXM_TIME_MAX };
		assert_int_equal(cxm_store_membership_add(S, w->tenant, &m, NULL), 0);
	}
	for (int i = 0; i < 4; i++)
		customer(w, i, i < 3 ? segments[i] : NULL);

	for (int i = 0; i < NRESP; i++) {
		struct model *m = &w->r[i];
		snprintf(m->source, sizeof(m->source), "src-%d", i);
		m->survey = w->surveys[below(2)];
		/* a third fall within a day of a time change, or of a month's end */
		if (i % 3 == 0)
			m->ts = T(i % 2 ? "2026-03-28T12:00:00Z" : "2026-03-31T12:00:00Z") +
				(int64_t)below(36 * 3600) * 1000000;
		else
			m->ts = from + (int64_t)(rnd() % (uint64_t)(span / 1000000)) * 1000000;
		m->channel = channels[below(5)];
		m->touchpoint = maybe(touchpoints, 3);
		m->agent = maybe(agents, 3);
		m->language = maybe(languages, 2);
		m->unit = below(5) ? w->units[below(4)] : 0;
		int c = below(5);
		m->customer = c < 4 ? w->customers[c] : 0;
		m->segment = c < 3 ? segments[c] : NULL;
		m->nps = score(0, 10);
		m->csat = score(1, 5);
		m->ces = score(1, 7);
		m->complete = below(4) != 0;
		analysis(m);
		put(w, m);
	}
	/* the "gold" customer becomes "silver": earlier responses keep gold */
	char email[] = "c0@example.com";
	struct cxm_customer c0 = { .email = email, .attributes = "{\"segment\":\"silver\",\"tier\":0}" };
	assert_int_equal(cxm_store_customer_put(S, w->tenant, &c0, NULL, NULL), 0);
	for (int i = 0; i < NRESP; i++) {
		struct model *m = &w->r[i];
		if (!m->complete && below(3)) {
			/* a partial response answered further, then completed */
			m->nps = score(0, 10);
			m->csat = score(1, 5);
			m->complete = below(2);
			analysis(m);
			put(w, m);
		} else if (m->complete && below(10) == 0) {
			/* the same complete response again changes nothing */
			struct model again = *m;
			again.nps = 10;
			put(w, &again);
		}
		if (below(8) == 0) {
			/* analysed again (a taxonomy change) */
			analysis(m);
			struct cxm_response x = { .text_lang = m->label ? "en" : NULL, .text_label = m->label,
						  .themes = m->themes };
			assert_int_equal(cxm_store_response_set_text(S, w->tenant, m->id, &x), 0);
		}
		if (below(10) == 0) {
			assert_int_equal(cxm_store_response_delete(S, w->tenant, m->id), 0);
			m->deleted = true;
		}
	}
	/* a response of this tenant's customers after the change: silver */
	struct model *late = &w->r[NRESP - 1];
	if (!late->deleted && late->customer == w->customers[0])
		late->segment = "silver";
}

/* ---- comparing ---- */

struct result {
	int64_t bucket[4096];
	char value[4096][40];
	struct cxm_score_counts c[4096];
	size_t n;
};

static int collect(int64_t bucket, const char *value, const struct cxm_score_counts *c, void *ctx)
{
	struct result *r = ctx;

	assert_true(r->n < ARRAY_SIZE(r->bucket));
	if (r->n) {
		/* sorted by bucket, then value */
		assert_true(r->bucket[r->n - 1] < bucket ||
			    (r->bucket[r->n - 1] == bucket && strcmp(r->value[r->n - 1], value) < 0));
	}
	r->bucket[r->n] = bucket;
	cxm_strlcpy(r->value[r->n], value, sizeof(r->value[0]));
	r->c[r->n++] = *c;
	return 0;
}

static struct result *a, *b;

static void same(struct world *w, const struct cxm_counts_query *q)
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	assert_true(cxm_counts_rollup_can(q));
	if (cxm_store_counts_rollup(S, w->tenant, q, collect, a)) fail_msg("%s", cxm_store_errmsg(S));
	assert_int_equal(cxm_store_counts_scan(S, w->tenant, q, collect, b), 0);
	if (a->n != b->n) {
		for (size_t i = 0; i < a->n; i++)
			print_message("rollup %lld '%s' %lld\n", (long long)a->bucket[i], a->value[i], (long long)a->c[i].responses);
		for (size_t i = 0; i < b->n; i++)
			print_message("scan %lld '%s' %lld\n", (long long)b->bucket[i], b->value[i], (long long)b->c[i].responses);
	}
	if (a->n != b->n)
		fail_msg("%s by %s bucket %d: %zu groups from rollups, %zu from the scan", w->zone, cxm_dim_name(q->by),
			 q->bucket, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_true(a->bucket[i] == b->bucket[i]);
		assert_string_equal(a->value[i], b->value[i]);
		assert_memory_equal(&a->c[i], &b->c[i], sizeof(a->c[i]));
	}
}

/* The test's own count of what matches pick, over [from, to) local days. */
static struct cxm_score_counts tally(struct world *w, int64_t from, int64_t to, bool (*pick)(const struct model *, void *),
				     void *ctx)
{
	struct cxm_score_counts sum = { 0 }, one;

	for (int i = 0; i < NRESP; i++) {
		const struct model *m = &w->r[i];
		int64_t day = libc_day(w->zone, m->ts);
		if (m->deleted || day < from || day >= to || (pick && !pick(m, ctx)))
			continue;
		cxm_score_counts_of(&one, m->nps, m->csat, m->ces);
		cxm_score_counts_add(&sum, &one, 1);
	}
	unsetenv("TZ");
	return sum;
}

struct two {
	const char *channel, *agent;
};

static bool channel_and_agent(const struct model *m, void *ctx)
{
	const struct two *t = ctx;
	return !strcmp(m->channel, t->channel) && m->agent && !strcmp(m->agent, t->agent);
}

static bool in_region(const struct model *m, void *ctx)
{
	const struct world *w = ctx;
	/* the region, its stores 1 and 2 always, store 3 before April */
	return m->unit && (m->unit != w->units[3] || m->ts < T("2026-04-01T00:00:00Z"));
}

static bool tier_one(const struct model *m, void *ctx)
{
	const struct world *w = ctx;
	return m->customer == w->customers[1] || m->customer == w->customers[3];
}

static bool has_price(const struct model *m, void *ctx)
{
	(void)ctx;
	return m->themes && strstr(m->themes, "price");
}

static bool no_comment(const struct model *m, void *ctx)
{
	(void)ctx;
	return !m->label;
}

/* The rollups by theme against the test's own tally: a response counts
 * under each of its themes. */
static void check_themes(struct world *w, int64_t jan, int64_t jul)
{
	struct cxm_counts_query q = { .from_day = jan, .to_day = jul, .by = CXM_DIM_THEME };
	struct cxm_score_counts price = tally(w, jan, jul, has_price, NULL);
	int64_t sum = 0, all = tally(w, jan, jul, NULL, NULL).responses;

	memset(a, 0, sizeof(*a));
	assert_int_equal(cxm_store_counts_rollup(S, w->tenant, &q, collect, a), 0);
	bool seen = false;
	for (size_t i = 0; i < a->n; i++) {
		sum += a->c[i].responses;
		if (!strcmp(a->value[i], "price")) {
			assert_memory_equal(&a->c[i], &price, sizeof(price));
			seen = true;
		}
	}
	assert_true(seen && price.responses > 0);
	assert_true(sum > all); /* some responses have two themes */
	q.by = CXM_DIM_SENTIMENT;
	q.filter[CXM_DIM_SENTIMENT] = "";
	memset(a, 0, sizeof(*a));
	assert_int_equal(cxm_store_counts_rollup(S, w->tenant, &q, collect, a), 0);
	struct cxm_score_counts none = tally(w, jan, jul, no_comment, NULL);
	assert_int_equal(a->n, 1);
	assert_memory_equal(&a->c[0], &none, sizeof(none));
}

struct seg_tp {
	const char *segment, *touchpoint;
};

static bool segment_and_touchpoint(const struct model *m, void *ctx)
{
	const struct seg_tp *st = ctx;
	return m->segment && !strcmp(m->segment, st->segment) && m->touchpoint && !strcmp(m->touchpoint, st->touchpoint);
}

static void check_world(struct world *w)
{
	struct cxm_score_counts want;
	int64_t jan = cxm_days_from_civil(2026, 1, 1), jul = cxm_days_from_civil(2026, 7, 1);
	int64_t ranges[][2] = { { jan, jul }, { cxm_days_from_civil(2026, 2, 10), cxm_days_from_civil(2026, 4, 5) },
				{ cxm_days_from_civil(2026, 3, 29), cxm_days_from_civil(2026, 3, 30) } };
	char survey[24], unit[24];

	snprintf(survey, sizeof(survey), "%lld", (long long)w->surveys[1]);
	snprintf(unit, sizeof(unit), "%lld", (long long)w->units[2]);
	const char *some[CXM_DIM_COUNT] = { NULL, "email", "support", "marta", unit, "en", "gold", NULL, NULL, "price",
					    "negative" };

	for (size_t r = 0; r < ARRAY_SIZE(ranges); r++) {
		for (int by = CXM_DIM_NONE; by < CXM_DIM_COUNT; by++) {
			if (by == CXM_DIM_ATTRIBUTE)
				continue;
			for (int bucket = CXM_BUCKET_NONE; bucket <= CXM_BUCKET_QUARTER; bucket++) {
				struct cxm_counts_query q = { .from_day = ranges[r][0], .to_day = ranges[r][1],
							      .by = (enum cxm_dim)by, .bucket = (enum cxm_bucket)bucket };
				same(w, &q);
				q.filter[CXM_DIM_SURVEY] = survey;
				same(w, &q);
				if (some[by]) {
					q.filter[by] = some[by];
					same(w, &q);
					q.filter[by] = "";   /* the responses without one */
					same(w, &q);
				}
			}
		}
		/* no grouping, one filter on any dimension */
		for (int d = CXM_DIM_CHANNEL; d < CXM_DIM_COUNT; d++) {
			if (d == CXM_DIM_SURVEY || d == CXM_DIM_ATTRIBUTE)
				continue;
			struct cxm_counts_query q = { .from_day = ranges[r][0], .to_day = ranges[r][1],
						      .bucket = CXM_BUCKET_MONTH };
			q.filter[d] = some[d];
			same(w, &q);
		}
	}

	/* a segment's touchpoints (issue 7, the rollup dim touchpoint_segment):
	 * by touchpoint, or one touchpoint, with and without a survey */
	static const char *const segs[] = { "gold", "silver", "bronze", "", "nobody" };
	for (size_t r = 0; r < ARRAY_SIZE(ranges); r++) {
		for (size_t k = 0; k < ARRAY_SIZE(segs); k++) {
			for (int bucket = CXM_BUCKET_NONE; bucket <= CXM_BUCKET_QUARTER; bucket++) {
				struct cxm_counts_query q = { .from_day = ranges[r][0], .to_day = ranges[r][1],
							      .by = CXM_DIM_TOUCHPOINT, .bucket = (enum cxm_bucket)bucket };
				q.filter[CXM_DIM_SEGMENT] = segs[k];
				same(w, &q);
				q.filter[CXM_DIM_SURVEY] = survey;
				same(w, &q);
				q.filter[CXM_DIM_TOUCHPOINT] = "support";
				same(w, &q);
				q.by = CXM_DIM_NONE;
				q.filter[CXM_DIM_TOUCHPOINT] = "";
				same(w, &q);
			}
		}
	}
	struct seg_tp st = { "gold", "delivery" };
	struct cxm_counts_query qs = { .from_day = jan, .to_day = jul, .by = CXM_DIM_TOUCHPOINT };
	qs.filter[CXM_DIM_SEGMENT] = "gold";
	memset(a, 0, sizeof(*a));
	assert_int_equal(cxm_store_counts_rollup(S, w->tenant, &qs, collect, a), 0);
	want = tally(w, jan, jul, segment_and_touchpoint, &st);
	assert_true(want.responses > 10);
	assert_int_equal(a->n, 4); /* "", checkout, delivery, support */
	assert_string_equal(a->value[2], "delivery");
	assert_memory_equal(&a->c[2], &want, sizeof(want));
	/* anything more is the scan's */
	qs.filter[CXM_DIM_CHANNEL] = "email";
	assert_false(cxm_counts_rollup_can(&qs));
	qs.filter[CXM_DIM_CHANNEL] = NULL;
	qs.by = CXM_DIM_SEGMENT;
	qs.filter[CXM_DIM_TOUCHPOINT] = "delivery";
	assert_false(cxm_counts_rollup_can(&qs));

	/* both against the test's own tally */
	struct cxm_counts_query all = { .from_day = jan, .to_day = jul };
	want = tally(w, jan, jul, NULL, NULL);
	memset(a, 0, sizeof(*a));
	assert_int_equal(cxm_store_counts_rollup(S, w->tenant, &all, collect, a), 0);
	assert_int_equal(a->n, 1);
	assert_memory_equal(&a->c[0], &want, sizeof(want));
	assert_true(want.responses > NRESP / 2);
	check_themes(w, jan, jul);

	/* what only the scan answers: two filters at once */
	struct two t = { "email", "ana" };
	struct cxm_counts_query q2 = { .from_day = jan, .to_day = jul };
	q2.filter[CXM_DIM_CHANNEL] = "email";
	q2.filter[CXM_DIM_AGENT] = "ana";
	assert_false(cxm_counts_rollup_can(&q2));
	assert_int_equal(cxm_store_counts_rollup(S, w->tenant, &q2, collect, a), CXM_EINVAL);
	want = tally(w, jan, jul, channel_and_agent, &t);
	memset(b, 0, sizeof(*b));
	assert_int_equal(cxm_store_counts_scan(S, w->tenant, &q2, collect, b), 0);
	assert_int_equal(b->n, want.responses ? 1 : 0);
	if (b->n)
		assert_memory_equal(&b->c[0], &want, sizeof(want));

	/* the region's subtree as of each response's date */
	struct cxm_counts_query q3 = { .from_day = jan, .to_day = jul, .subtree = w->units[0] };
	assert_false(cxm_counts_rollup_can(&q3));
	want = tally(w, jan, jul, in_region, w);
	memset(b, 0, sizeof(*b));
	assert_int_equal(cxm_store_counts_scan(S, w->tenant, &q3, collect, b), 0);
	assert_int_equal(b->n, 1);
	assert_memory_equal(&b->c[0], &want, sizeof(want));

	/* a customer attribute as it is now */
	struct cxm_counts_query q4 = { .from_day = jan, .to_day = jul, .by = CXM_DIM_ATTRIBUTE, .attribute = "tier" };
	want = tally(w, jan, jul, tier_one, w);
	memset(b, 0, sizeof(*b));
	assert_int_equal(cxm_store_counts_scan(S, w->tenant, &q4, collect, b), 0);
	assert_int_equal(b->n, 3); /* "" (anonymous), "0", "1" */
	assert_string_equal(b->value[2], "1");
	assert_memory_equal(&b->c[2], &want, sizeof(want));
}

static void test_rollups_agree_with_scan(void **state)
{
	static struct world bogota, madrid;
	(void)state;

	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	build(&bogota, "America/Bogota");
	build(&madrid, "Europe/Madrid");
	check_world(&bogota);
	check_world(&madrid);
	free(a);
	free(b);
}

static int64_t segment_count(int64_t tenant, const char *segment)
{
	struct cxm_counts_query q = { .from_day = 0, .to_day = 100000, .by = CXM_DIM_SEGMENT };
	int64_t n = 0;

	q.filter[CXM_DIM_SEGMENT] = segment;
	memset(a, 0, sizeof(*a));
	assert_int_equal(cxm_store_counts_rollup(S, tenant, &q, collect, a), 0);
	for (size_t i = 0; i < a->n; i++)
		n += a->c[i].responses;
	return n;
}

static void test_segment_is_a_snapshot(void **state)
{
	int64_t t = test_tenant(S), cid, sid;
	struct cxm_customer c = { .email = "x@example.com", .attributes = "{\"segment\":\"vip\"}" };
	struct cxm_response r = { .source_id = "one", .version = 1, .channel = "web", .ts = T("2026-02-01T10:00:00Z"),
				  .nps = 9, .csat = -1, .ces = -1, .answers = "{}", .complete = true };
	(void)state;

	a = malloc(sizeof(*a));
	assert_int_equal(cxm_store_survey_create(S, t, "S", "{\"languages\":[\"es\"],\"name\":\"S\",\"questions\":[]}",
						 false, &sid), 0);
	assert_int_equal(cxm_store_customer_put(S, t, &c, &cid, NULL), 0);
	r.customer_id = cid;
	r.survey_id = sid;
	assert_int_equal(cxm_store_response_put(S, t, &r, NULL), 0);
	c.attributes = "{\"segment\":\"basic\"}";
	assert_int_equal(cxm_store_customer_put(S, t, &c, NULL, NULL), 0);
	r.source_id = "two";
	assert_int_equal(cxm_store_response_put(S, t, &r, NULL), 0);
	assert_int_equal(segment_count(t, "vip"), 1);
	assert_int_equal(segment_count(t, "basic"), 1);
	/* deleting takes it out of the rollups */
	assert_int_equal(cxm_store_response_delete(S, t, r.id), 0);
	assert_int_equal(segment_count(t, "basic"), 0);
	assert_int_equal(segment_count(t, "vip"), 1);
	free(a);
}


static int64_t total(int64_t tenant)
{
	struct cxm_counts_query q = { .from_day = 0, .to_day = 100000 };
	int64_t n = 0;

	memset(a, 0, sizeof(*a));
	assert_int_equal(cxm_store_counts_rollup(S, tenant, &q, collect, a), 0);
	for (size_t i = 0; i < a->n; i++)
		n += a->c[i].responses;
	return n;
}

static void put_one(int64_t t, int64_t sid, const char *source)
{
	struct cxm_response r = { .source_id = source, .survey_id = sid, .version = 1, .channel = "web",
				  .ts = T("2026-02-01T10:00:00Z"), .nps = 9, .csat = -1, .ces = -1, .answers = "{}",
				  .complete = true };
	assert_int_equal(cxm_store_response_put(S, t, &r, NULL), 0);
}

/* The rollups follow the transaction they were changed in: a savepoint
 * rolled back (a refused job of the group-commit writer, a bad import
 * row) and a transaction rolled back leave nothing behind. */
static void test_rollups_follow_the_transaction(void **state)
{
	int64_t t = test_tenant(S), sid;
	(void)state;

	a = malloc(sizeof(*a));
	assert_int_equal(cxm_store_survey_create(S, t, "S", "{\"languages\":[\"es\"],\"name\":\"S\",\"questions\":[]}",
						 false, &sid), 0);
	assert_int_equal(cxm_store_begin(S), 0);
	put_one(t, sid, "kept-1");
	assert_int_equal(cxm_store_savepoint(S), 0);
	put_one(t, sid, "undone");
	assert_int_equal(cxm_store_savepoint_rollback(S), 0);
	assert_int_equal(cxm_store_savepoint(S), 0);
	put_one(t, sid, "kept-2");
	assert_int_equal(cxm_store_savepoint_release(S), 0);
	/* read inside the transaction: its own changes count */
	assert_int_equal(total(t), 2);
	put_one(t, sid, "kept-3");
	assert_int_equal(cxm_store_commit(S), 0);
	assert_int_equal(total(t), 3);

	assert_int_equal(cxm_store_begin(S), 0);
	put_one(t, sid, "gone");
	assert_int_equal(cxm_store_rollback(S), 0);
	assert_int_equal(total(t), 3);
	free(a);
}

/* Responses stored before migration 0010 get counted when it runs, with
 * their customer's segment (SQLite: the migration is undone by hand). */
static void test_migration_counts_what_was_there(void **state)
{
	char path[512], url[600], err[512];
	struct cxm_store *keep = S;
	static struct world w;
	(void)state;

	snprintf(path, sizeof(path), "%s/backfill-%d.db", test_tmpdir(), (int)getpid());
	unlink(path);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("open: %s", err);
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	build(&w, "Europe/Madrid");
	cxm_store_close(S);
	test_sqlite_exec(path, "DROP TABLE rollups; ALTER TABLE responses DROP COLUMN segment;"
			  " DELETE FROM schema_migrations WHERE version = 10");
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("reopen: %s", err);
	/* segments come back as the customers' are now: the model's gold
	 * customer is silver since build() changed it */
	for (int i = 0; i < NRESP; i++)
		if (w.r[i].customer == w.customers[0])
			w.r[i].segment = "silver";
	int64_t jan = cxm_days_from_civil(2026, 1, 1), jul = cxm_days_from_civil(2026, 7, 1);
	struct cxm_counts_query q = { .from_day = jan, .to_day = jul };
	struct cxm_score_counts want = tally(&w, jan, jul, NULL, NULL);
	memset(a, 0, sizeof(*a));
	assert_int_equal(cxm_store_counts_rollup(S, w.tenant, &q, collect, a), 0);
	assert_int_equal(a->n, 1);
	assert_memory_equal(&a->c[0], &want, sizeof(want));
	for (int by = CXM_DIM_NONE; by <= CXM_DIM_SURVEY; by++) {
		q.by = (enum cxm_dim)by;
		q.bucket = CXM_BUCKET_WEEK;
		same(&w, &q);
	}
	q.by = CXM_DIM_SEGMENT;
	q.bucket = CXM_BUCKET_NONE;
	q.filter[CXM_DIM_SEGMENT] = "gold";
	memset(a, 0, sizeof(*a));
	assert_int_equal(cxm_store_counts_rollup(S, w.tenant, &q, collect, a), 0);
	assert_int_equal(a->n, 0);
	cxm_store_close(S);
	S = keep;
	free(a);
	free(b);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tz_matches_libc),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_rollups_agree_with_scan),
		cmocka_unit_test(test_segment_is_a_snapshot),
		cmocka_unit_test(test_rollups_follow_the_transaction),
	};
	const struct CMUnitTest sqlite_only[] = {
		cmocka_unit_test(test_migration_counts_what_was_there),
	};

	if (!test_is_pg() && cmocka_run_group_tests(sqlite_only, NULL, NULL))
		return 1;
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
