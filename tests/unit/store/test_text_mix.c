/*
 * test_text_mix.c - the emotion mix's daily rollup (text_mix) against a
 * scan of the responses, on random data (tests/run.sh DB_TESTS: SQLite and
 * PostgreSQL): responses put, completed, analysed again (set_text, also
 * under a savepoint rolled back and in a transaction rolled back) and
 * deleted; both paths must give identical counts for every grouping,
 * survey and range of local days, and the total must match the test's own
 * tally. On SQLite, the migration counts what was analysed before it.
 * Also the journey map's dims (issue 7): a segment's touchpoints, the
 * themes of a set of touchpoints, the verbatims of a set of touchpoints,
 * and migration 0015's backfill of them.
 */
#include "testutil.h"

#include "cxm/text.h"
#include "cxm/time.h"
#include "cxm/tz.h"

#include <stdlib.h>
#include <time.h>

#define NRESP 600
#define ZONE "America/Bogota"

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

static int64_t T(const char *s)
{
	int64_t v;
	assert_int_equal(cxm_time_parse(s, strlen(s), &v), 0);
	return v;
}

/* ---- random responses ---- */

struct model {
	char source[32];
	int64_t survey, ts, id;
	const char *channel, *touchpoint;
	int64_t customer;
	const char *segment; /* the customer's when the response came */
	bool complete, deleted;
	/* the analysis; lang NULL: none */
	const char *lang, *label, *themes;
	char emotions[128], reasons[128];
};

struct world {
	int64_t tenant, surveys[2], customers[3];
	struct model r[NRESP + 2];
	int n;
};

static const char *const channels[] = { "web", "email", "phone" };
static const char *const touchpoints[] = { "delivery", "checkout", "support" };
/* NULL and "" count as neutral; "mixed" is no label the mix knows */
static const char *const labels[] = { "positive", "neutral", "negative", NULL, "", "mixed" };
static const char *const theme_sets[] = { "", "price", "delivery", "price delivery", "staff price", "staff" };

static const char *maybe(const char *const *v, size_t n)
{
	int k = below((int)n + 1);
	return k == (int)n ? NULL : v[k];
}

static void cat(char *out, const char *x, size_t size)
{
	size_t n = strlen(out);
	cxm_strlcpy(out + n, x, size - n);
}

/* A random space-separated set of names, now and then one the engine does
 * not make (left out of the counts). */
static void names(char *out, size_t size, bool reasons)
{
	int count = reasons ? CXM_REASON_COUNT : CXM_EMO_COUNT;

	out[0] = '\0';
	for (int i = 0; i < count; i++) {
		if (below(4))
			continue;
		const char *x = reasons ? cxm_reason_name((enum cxm_reason)i) : cxm_emotion_name((enum cxm_emotion)i);
		if (out[0])
			cat(out, " ", size);
		cat(out, x, size);
	}
	if (below(15) == 0)
		cat(out, out[0] ? " glee" : "glee", size);
}

static void analysis(struct model *m)
{
	if (below(6) == 0) {
		m->lang = NULL;
		m->label = m->themes = NULL;
		m->emotions[0] = m->reasons[0] = '\0';
		return;
	}
	m->lang = below(2) ? "es" : "en";
	m->label = labels[below(6)];
	m->themes = theme_sets[below(6)];
	names(m->emotions, sizeof(m->emotions), false);
	names(m->reasons, sizeof(m->reasons), true);
}

static struct cxm_response text_of(const struct model *m)
{
	return (struct cxm_response){ .text_lang = m->lang, .text_label = m->label, .themes = m->themes,
				      .text_emotions = m->lang ? m->emotions : NULL,
				      .text_reasons = m->lang ? m->reasons : NULL };
}

static void put(struct world *w, struct model *m)
{
	struct cxm_response r = text_of(m);
	enum cxm_put_result res;

	r.source_id = m->source;
	r.survey_id = m->survey;
	r.version = 1;
	r.channel = m->channel;
	r.touchpoint = m->touchpoint;
	r.customer_id = m->customer;
	r.ts = m->ts;
	r.nps = below(11);
	r.csat = r.ces = -1;
	r.comment = m->lang ? "un comentario" : NULL;
	r.answers = "{}";
	r.complete = m->complete;
	if (cxm_store_response_put(S, w->tenant, &r, &res))
		fail_msg("%s", cxm_store_errmsg(S));
	m->id = r.id;
}

static void set_text(struct world *w, const struct model *m)
{
	struct cxm_response x = text_of(m);

	if (cxm_store_response_set_text(S, w->tenant, m->id, &x))
		fail_msg("%s", cxm_store_errmsg(S));
}

static void build(struct world *w)
{
	static const char def[] = "{\"languages\":[\"es\"],\"name\":\"x\",\"questions\":[{\"id\":\"nps\","
				  "\"text\":{\"es\":\"a\"},\"type\":\"nps\"}]}";
	char name[64];
	struct cxm_tenant t = { .name = name, .time_zone = ZONE, .language = "es" };
	int64_t from = T("2026-01-01T00:00:00Z"), span = T("2026-04-01T00:00:00Z") - from;

	snprintf(name, sizeof(name), "m%lld", (long long)cxm_id_next());
	assert_int_equal(cxm_store_tenant_create(S, &t, &w->tenant), 0);
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "S%d", i);
		assert_int_equal(cxm_store_survey_create(S, w->tenant, name, def, false, &w->surveys[i]), 0);
	}
	/* customers of segment gold, silver and none */
	for (int i = 0; i < 3; i++) {
		char email[64], attrs[64];
		struct cxm_customer c = { .email = email, .attributes = attrs };
		snprintf(email, sizeof(email), "m%d@example.com", i);
		snprintf(attrs, sizeof(attrs), i < 2 ? "{\"segment\":\"%s\"}" : "{}", i ? "silver" : "gold");
		assert_int_equal(cxm_store_customer_put(S, w->tenant, &c, &w->customers[i], NULL), 0);
	}
	w->n = NRESP;
	for (int i = 0; i < NRESP; i++) {
		struct model *m = &w->r[i];
		snprintf(m->source, sizeof(m->source), "mix-%d", i);
		m->survey = w->surveys[below(2)];
		/* a third within an hour of a local midnight (05:00Z in Bogota) */
		if (i % 3 == 0)
			m->ts = from + (int64_t)below(90) * 86400000000 + (int64_t)(4 * 3600 + below(7200)) * 1000000;
		else
			m->ts = from + (int64_t)(rnd() % (uint64_t)(span / 1000000)) * 1000000;
		m->channel = channels[below(3)];
		m->touchpoint = maybe(touchpoints, 3);
		/* anonymous every fourth */
		m->customer = i % 4 < 3 ? w->customers[i % 4] : 0;
		m->segment = i % 4 == 0 ? "gold" : i % 4 == 1 ? "silver" : NULL;
		m->complete = below(4) != 0;
		analysis(m);
		put(w, m);
	}
	for (int i = 0; i < NRESP; i++) {
		struct model *m = &w->r[i];
		if (!m->complete && below(2)) {
			/* a partial response completed, with its comment analysed anew */
			m->complete = true;
			analysis(m);
			put(w, m);
		}
		int k = below(10);
		if (k < 2) {
			/* analysed again (a taxonomy change, a backfill) */
			analysis(m);
			set_text(w, m);
		} else if (k == 2) {
			/* analysed again under a savepoint rolled back: nothing moves */
			struct model other = *m;
			analysis(&other);
			assert_int_equal(cxm_store_begin(S), 0);
			assert_int_equal(cxm_store_savepoint(S), 0);
			set_text(w, &other);
			assert_int_equal(cxm_store_savepoint_rollback(S), 0);
			assert_int_equal(cxm_store_commit(S), 0);
		} else if (k == 3) {
			/* or in a transaction rolled back */
			struct model other = *m;
			analysis(&other);
			assert_int_equal(cxm_store_begin(S), 0);
			set_text(w, &other);
			assert_int_equal(cxm_store_rollback(S), 0);
		} else if (k == 4) {
			/* analysed twice in one transaction, released savepoint */
			assert_int_equal(cxm_store_begin(S), 0);
			assert_int_equal(cxm_store_savepoint(S), 0);
			analysis(m);
			set_text(w, m);
			assert_int_equal(cxm_store_savepoint_release(S), 0);
			analysis(m);
			set_text(w, m);
			assert_int_equal(cxm_store_commit(S), 0);
		}
		if (below(12) == 0) {
			assert_int_equal(cxm_store_response_delete(S, w->tenant, m->id), 0);
			m->deleted = true;
		}
	}
}

/* ---- comparing ---- */

struct answer {
	bool have_total;
	struct cxm_mix_counts total;
	char value[64][32];
	struct cxm_mix_counts c[64];
	size_t n;
};

static int collect(const char *group, const struct cxm_mix_counts *c, void *ctx)
{
	struct answer *a = ctx;

	if (!group) {
		assert_false(a->have_total);
		assert_int_equal(a->n, 0); /* the total comes first */
		a->have_total = true;
		a->total = *c;
		return 0;
	}
	assert_true(a->n < ARRAY_SIZE(a->value));
	assert_true(c->comments > 0);
	/* each group once, kept sorted by value */
	size_t at = a->n;
	while (at > 0 && strcmp(a->value[at - 1], group) > 0)
		at--;
	assert_true(at == 0 || strcmp(a->value[at - 1], group) != 0);
	memmove(&a->value[at + 1], &a->value[at], (a->n - at) * sizeof(a->value[0]));
	memmove(&a->c[at + 1], &a->c[at], (a->n - at) * sizeof(a->c[0]));
	cxm_strlcpy(a->value[at], group, sizeof(a->value[0]));
	a->c[at] = *c;
	a->n++;
	return 0;
}

static int64_t local_day(int64_t ts)
{
	return cxm_tz_day(cxm_tz_get(ZONE), ts);
}

/* The test's own count of the comments in [from, to) and how many are
 * negative, show anger and speak of price. */
static void own_total(const struct world *w, const struct cxm_mix_query *q, int64_t want[4])
{
	memset(want, 0, 4 * sizeof(want[0]));
	for (int i = 0; i < w->n; i++) {
		const struct model *m = &w->r[i];
		int64_t day = local_day(m->ts);
		if (m->deleted || !m->lang || day < q->from_day || day >= q->to_day || (q->survey && q->survey != m->survey))
			continue;
		if (q->segment && strcmp(q->segment, m->segment ? m->segment : ""))
			continue;
		want[0]++;
		want[1] += m->label && !strcmp(m->label, "negative");
		want[2] += !strncmp(m->emotions, "anger", 5) || strstr(m->emotions, " anger") != NULL;
		want[3] += !strncmp(m->reasons, "price", 5) || strstr(m->reasons, " price") != NULL;
	}
}

static struct answer *ra, *sa;

static void same(const struct world *w, struct cxm_mix_query q)
{
	int64_t want[4];

	memset(ra, 0, sizeof(*ra));
	memset(sa, 0, sizeof(*sa));
	q.scan = false;
	if (cxm_store_text_mix(S, w->tenant, &q, collect, ra))
		fail_msg("%s", cxm_store_errmsg(S));
	q.scan = true;
	if (cxm_store_text_mix(S, w->tenant, &q, collect, sa))
		fail_msg("%s", cxm_store_errmsg(S));
	assert_true(ra->have_total && sa->have_total);
	assert_memory_equal(&ra->total, &sa->total, sizeof(ra->total));
	own_total(w, &q, want);
	assert_int_equal(ra->total.comments, want[0]);
	assert_int_equal(ra->total.labels[2], want[1]);
	assert_int_equal(ra->total.emotions[CXM_EMO_ANGER], want[2]);
	assert_int_equal(ra->total.reasons[CXM_REASON_PRICE], want[3]);
	if (ra->n != sa->n)
		fail_msg("by %d from %lld to %lld: %zu groups from the rollup, %zu from the scan", q.by,
			 (long long)q.from_day, (long long)q.to_day, ra->n, sa->n);
	for (size_t i = 0; i < ra->n; i++) {
		assert_string_equal(ra->value[i], sa->value[i]);
		assert_memory_equal(&ra->c[i], &sa->c[i], sizeof(ra->c[i]));
	}
}

/* The themes of a set of touchpoints, both paths and the test's own count
 * of the comments at them. */
static void same_tp(const struct world *w, struct cxm_tp_themes_query q)
{
	int64_t want = 0;

	memset(ra, 0, sizeof(*ra));
	memset(sa, 0, sizeof(*sa));
	q.scan = false;
	if (cxm_store_touchpoint_themes(S, w->tenant, &q, collect, ra))
		fail_msg("%s", cxm_store_errmsg(S));
	q.scan = true;
	if (cxm_store_touchpoint_themes(S, w->tenant, &q, collect, sa))
		fail_msg("%s", cxm_store_errmsg(S));
	assert_true(ra->have_total && sa->have_total);
	assert_memory_equal(&ra->total, &sa->total, sizeof(ra->total));
	for (int i = 0; i < w->n; i++) {
		const struct model *m = &w->r[i];
		int64_t day = local_day(m->ts);
		bool at = false;
		for (size_t k = 0; k < q.touchpoints_n; k++)
			at |= !strcmp(q.touchpoints[k], m->touchpoint ? m->touchpoint : "");
		want += at && !m->deleted && m->lang && day >= q.from_day && day < q.to_day &&
			(!q.survey || q.survey == m->survey);
	}
	assert_int_equal(ra->total.comments, want);
	assert_int_equal(ra->n, sa->n);
	for (size_t i = 0; i < ra->n; i++) {
		assert_string_equal(ra->value[i], sa->value[i]);
		assert_memory_equal(&ra->c[i], &sa->c[i], sizeof(ra->c[i]));
	}
}

static void compare_journey(const struct world *w)
{
	static const char *const segs[] = { "gold", "silver", "", "nobody" };
	static const char *const sets[][3] = { { "delivery" }, { "checkout", "support" }, { "", "delivery", "x" } };
	static const size_t set_n[] = { 1, 2, 3 };
	int64_t jan = cxm_days_from_civil(2026, 1, 1), apr = cxm_days_from_civil(2026, 4, 1);

	for (size_t i = 0; i < ARRAY_SIZE(segs); i++) {
		struct cxm_mix_query q = { .from_day = jan - 1, .to_day = apr + 1, .segment = segs[i] };
		same(w, q);
		assert_true(i == 3 ? ra->total.comments == 0 : ra->total.comments > 0);
		q.survey = w->surveys[0];
		same(w, q);
		for (int k = 0; k < 5; k++) {
			q.from_day = jan + below(90);
			q.to_day = q.from_day + 1 + below(40);
			q.survey = below(2) ? 0 : w->surveys[below(2)];
			same(w, q);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		struct cxm_tp_themes_query q = { .from_day = jan - 1, .to_day = apr + 1, .touchpoints = sets[i],
						 .touchpoints_n = set_n[i] };
		same_tp(w, q);
		assert_true(ra->total.comments > 0 && ra->n >= 3);
		for (int k = 0; k < 5; k++) {
			q.from_day = jan + below(90);
			q.to_day = q.from_day + 1 + below(40);
			q.survey = below(2) ? 0 : w->surveys[below(2)];
			same_tp(w, q);
		}
	}
	/* a segment asks for touchpoints, nothing else; a set of touchpoints
	 * is 1..CXM_TP_THEMES_MAX */
	struct cxm_mix_query bad = { .from_day = jan, .to_day = apr, .by = CXM_MIX_THEME, .segment = "gold" };
	assert_int_equal(cxm_store_text_mix(S, w->tenant, &bad, collect, ra), CXM_EINVAL);
	struct cxm_tp_themes_query none = { .from_day = jan, .to_day = apr };
	assert_int_equal(cxm_store_touchpoint_themes(S, w->tenant, &none, collect, ra), CXM_EINVAL);
}

static void compare_all(const struct world *w)
{
	int64_t jan = cxm_days_from_civil(2026, 1, 1), apr = cxm_days_from_civil(2026, 4, 1);

	for (int by = CXM_MIX_TOUCHPOINT; by <= CXM_MIX_THEME; by++) {
		struct cxm_mix_query q = { .from_day = jan - 1, .to_day = apr + 1, .by = (enum cxm_mix_by)by };
		same(w, q);
		q.survey = w->surveys[1];
		same(w, q);
		for (int k = 0; k < 15; k++) {
			q.from_day = jan + below(90);
			q.to_day = q.from_day + 1 + below(20);
			q.survey = below(2) ? 0 : w->surveys[below(2)];
			same(w, q);
		}
	}
	compare_journey(w);
}

static void test_rollup_agrees_with_scan(void **state)
{
	static struct world w;
	(void)state;

	build(&w);
	/* something was counted, and under several themes */
	struct cxm_mix_query q = { .from_day = cxm_days_from_civil(2026, 1, 1),
				   .to_day = cxm_days_from_civil(2026, 4, 1), .by = CXM_MIX_THEME };
	memset(ra, 0, sizeof(*ra));
	assert_int_equal(cxm_store_text_mix(S, w.tenant, &q, collect, ra), 0);
	assert_true(ra->total.comments > NRESP / 2);
	assert_true(ra->n >= 4);
	compare_all(&w);
	/* a whole day is exact at the local midnight: a comment at 04:59:59Z
	 * belongs to the day before in Bogota */
	struct model *m = &w.r[w.n++];
	m->ts = T("2026-02-10T04:59:59Z");
	snprintf(m->source, sizeof(m->source), "mix-edge");
	m->survey = w.surveys[0];
	m->channel = "web";
	m->touchpoint = "delivery";
	m->complete = true;
	m->lang = "es";
	m->label = "negative";
	m->themes = "price";
	cxm_strlcpy(m->emotions, "anger", sizeof(m->emotions));
	cxm_strlcpy(m->reasons, "price", sizeof(m->reasons));
	put(&w, m);
	q = (struct cxm_mix_query){ .from_day = cxm_days_from_civil(2026, 2, 9),
				    .to_day = cxm_days_from_civil(2026, 2, 10) };
	same(&w, q);
	q.from_day++, q.to_day++;
	same(&w, q);
	/* inside a transaction the rollup counts what it wrote so far, and a
	 * rollback takes it away */
	int64_t before = ra->total.comments;
	struct model *late = &w.r[w.n++];
	*late = *m;
	snprintf(late->source, sizeof(late->source), "mix-late");
	late->ts = T("2026-02-10T05:00:00Z"); /* the first instant of 10 February in Bogota */
	assert_int_equal(cxm_store_begin(S), 0);
	put(&w, late);
	memset(ra, 0, sizeof(*ra));
	assert_int_equal(cxm_store_text_mix(S, w.tenant, &q, collect, ra), 0);
	int64_t want[4];
	own_total(&w, &q, want);
	assert_int_equal(want[0], before + 1);
	assert_int_equal(ra->total.comments, want[0]);
	assert_int_equal(ra->total.emotions[CXM_EMO_ANGER], want[2]);
	assert_int_equal(cxm_store_rollback(S), 0);
	w.n--;
	same(&w, q);
	assert_int_equal(ra->total.comments, before);
}

/* Responses analysed before migration 0013 are counted by it. */
static void test_migration_counts_what_was_there(void **state)
{
	char path[512], url[600], err[512];
	struct cxm_store *keep = S;
	static struct world w;
	(void)state;

	snprintf(path, sizeof(path), "%s/mix-backfill-%d.db", test_tmpdir(), (int)getpid());
	unlink(path);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("open: %s", err);
	build(&w);
	cxm_store_close(S);
	test_sqlite_exec(path, "DROP TABLE text_mix; DELETE FROM schema_migrations WHERE version = 13");
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("reopen: %s", err);
	compare_all(&w);
	cxm_store_close(S);
	/* migration 0015 counts the journey map's rows from scratch */
	test_sqlite_exec(path, "DELETE FROM text_mix WHERE dim = 'touchpoint_theme';"
			       " UPDATE text_mix SET comments = comments + 7 WHERE dim = 'touchpoint_segment';"
			       " DELETE FROM schema_migrations WHERE version = 15");
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("reopen: %s", err);
	compare_journey(&w);
	cxm_store_close(S);
	S = keep;
	unlink(path);
}

/* The verbatims of a set of touchpoints: exactly the analysed comments at
 * them, newest first. */
static int verbatim_row(const struct cxm_response *r, void *ctx)
{
	int64_t *n = ctx;

	assert_true(r->touchpoint && (!strcmp(r->touchpoint, "delivery") || !strcmp(r->touchpoint, "support")));
	n[0]++;
	n[1] = r->id;
	return 0;
}

static void test_verbatims_by_touchpoint(void **state)
{
	static struct world w;
	static const char *const tps[] = { "delivery", "support" };
	int64_t n[2] = { 0, 0 }, want = 0;
	(void)state;

	build(&w);
	struct cxm_verbatim_filter f = { .from = T("2025-12-01T00:00:00Z"), .to = T("2026-05-01T00:00:00Z"),
					 .touchpoints = tps, .touchpoints_n = 2 };
	assert_int_equal(cxm_store_verbatims(S, w.tenant, &f, INT64_MAX, INT64_MAX, 10000, verbatim_row, n), 0);
	for (int i = 0; i < w.n; i++) {
		const struct model *m = &w.r[i];
		want += !m->deleted && m->lang && m->touchpoint && strcmp(m->touchpoint, "checkout");
	}
	assert_true(want > 100);
	assert_int_equal(n[0], want);
	/* with another filter too, and paging */
	f.survey = w.surveys[1];
	n[0] = 0;
	assert_int_equal(cxm_store_verbatims(S, w.tenant, &f, INT64_MAX, INT64_MAX, 10, verbatim_row, n), 0);
	assert_int_equal(n[0], 10);
	f.touchpoints_n = CXM_TP_THEMES_MAX + 1;
	assert_int_equal(cxm_store_verbatims(S, w.tenant, &f, INT64_MAX, INT64_MAX, 10, verbatim_row, n), CXM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollup_agrees_with_scan),
		cmocka_unit_test(test_verbatims_by_touchpoint),
	};
	const struct CMUnitTest sqlite_only[] = {
		cmocka_unit_test(test_migration_counts_what_was_there),
	};
	int ret;

	ra = malloc(sizeof(*ra));
	sa = malloc(sizeof(*sa));
	ret = !test_is_pg() && cmocka_run_group_tests(sqlite_only, NULL, NULL);
	if (!ret)
		ret = cmocka_run_group_tests(tests, test_group_open, test_group_close);
	free(ra);
	free(sa);
	return ret;
}
