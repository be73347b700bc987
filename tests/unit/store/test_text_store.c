/*
 * test_text_store.c - text on ingest against the store (tests/run.sh
 * DB_TESTS: SQLite and PostgreSQL): a comment analysed and stored with its
 * response, verbatims filtered by theme, label and emotion, the tenant's
 * taxonomy cached per revision, the re-analysis after a change moving the
 * theme rollups, and what verbatims show (highlights, masked PII).
 */
#include "testutil.h"

#include "cxm/textstore.h"
#include "cxm/time.h"

#include <unistd.h>


static int64_t T(const char *s)
{
	int64_t v;
	assert_int_equal(cxm_time_parse(s, strlen(s), &v), 0);
	return v;
}

static int64_t survey(int64_t t)
{
	int64_t sid;
	assert_int_equal(cxm_store_survey_create(S, t, "S", "{\"languages\":[\"es\"],\"name\":\"S\",\"questions\":[]}",
						 false, &sid), 0);
	return sid;
}

static int64_t put(int64_t t, int64_t sid, const char *source, const char *comment, int nps, const char *ts)
{
	struct cxm_text_stored st;
	struct cxm_response r = { .source_id = source, .survey_id = sid, .version = 1, .channel = "web",
				  .ts = T(ts), .nps = nps, .csat = -1, .ces = -1, .comment = comment, .answers = "{}",
				  .complete = true };

	assert_int_equal(cxm_text_ingest(S, t, comment, &st, &r), 0);
	if (cxm_store_response_put(S, t, &r, NULL))
		fail_msg("%s", cxm_store_errmsg(S));
	return r.id;
}

struct seen {
	int n;
	char themes[4][128], labels[4][16], emotions[4][128];
	int64_t ids[4];
};

static int seen_cb(const struct cxm_response *r, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 4) {
		cxm_strlcpy(s->themes[s->n], r->themes ? r->themes : "(null)", sizeof(s->themes[0]));
		cxm_strlcpy(s->labels[s->n], r->text_label ? r->text_label : "(null)", sizeof(s->labels[0]));
		cxm_strlcpy(s->emotions[s->n], r->text_emotions ? r->text_emotions : "(null)", sizeof(s->emotions[0]));
		s->ids[s->n] = r->id;
	}
	s->n++;
	return 0;
}

static struct seen verbatims(int64_t t, const char *theme, const char *label, const char *emotion)
{
	struct cxm_verbatim_filter f = { .from = INT64_MIN, .to = CXM_TIME_MAX, .theme = theme, .label = label,
					 .emotion = emotion };
	struct seen s = { 0 };

	if (cxm_store_verbatims(S, t, &f, CXM_TIME_MAX, INT64_MAX, 100, seen_cb, &s))
		fail_msg("%s", cxm_store_errmsg(S));
	return s;
}

static void test_stored_with_the_response(void **state)
{
	int64_t t = test_tenant(S), sid = survey(t);
	(void)state;

	int64_t late = put(t, sid, "a", "El envío llegó tarde y el repartidor fue grosero", 1, "2026-02-01T10:00:00Z");
	put(t, sid, "b", "The staff were friendly and helpful, great service!", 10, "2026-02-02T10:00:00Z");
	put(t, sid, "c", NULL, 7, "2026-02-03T10:00:00Z");
	put(t, sid, "d", "   ", 7, "2026-02-04T10:00:00Z");

	struct seen s = { 0 };
	assert_int_equal(cxm_store_response_get(S, t, late, seen_cb, &s), 0);
	assert_string_equal(s.labels[0], "negative");
	assert_non_null(strstr(s.themes[0], "delivery"));
	assert_non_null(strstr(s.themes[0], "staff"));

	/* verbatims: only comments analysed, newest first, filtered */
	s = verbatims(t, NULL, NULL, NULL);
	assert_int_equal(s.n, 2);
	assert_non_null(strstr(s.themes[0], "staff"));
	assert_int_equal(s.ids[1], late);
	assert_int_equal(verbatims(t, "delivery", NULL, NULL).n, 1);
	assert_int_equal(verbatims(t, "delivery", "positive", NULL).n, 0);
	assert_int_equal(verbatims(t, "staff", NULL, NULL).n, 2);
	assert_int_equal(verbatims(t, "price", NULL, NULL).n, 0);
	s = verbatims(t, NULL, NULL, "joy");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.labels[0], "positive");
	/* an emotion is a whole word of the list, and letters only */
	assert_int_equal(verbatims(t, NULL, NULL, "jo").n, 0);
	struct cxm_verbatim_filter f = { .from = INT64_MIN, .to = CXM_TIME_MAX, .emotion = "j%" };
	assert_int_equal(cxm_store_verbatims(S, t, &f, CXM_TIME_MAX, INT64_MAX, 10, seen_cb, &s), CXM_EINVAL);
	/* another tenant sees none of it */
	assert_int_equal(verbatims(test_tenant(S), NULL, NULL, NULL).n, 0);
}

struct count {
	const char *want;
	int64_t n;
};

static int count_cb(int64_t b, const char *v, const struct cxm_score_counts *k, void *ctx)
{
	struct count *c = ctx;
	(void)b;
	if (!strcmp(v, c->want))
		c->n += k->responses;
	return 0;
}

/* Responses under a theme, from the rollups. */
static int64_t theme_n(int64_t t, const char *theme)
{
	struct cxm_counts_query q = { .from_day = 0, .to_day = 100000, .by = CXM_DIM_THEME };
	struct count c = { theme, 0 };

	q.filter[CXM_DIM_THEME] = theme;
	assert_int_equal(cxm_store_counts_rollup(S, t, &q, count_cb, &c), 0);
	return c.n;
}

static const char coffee_tax[] = "{\"themes\":[{\"id\":\"coffee\",\"name\":{\"es\":\"Café\",\"en\":\"Coffee\"},"
				 "\"terms\":{\"es\":[\"café\"],\"en\":[\"coffee\"]}}]}";

static void test_taxonomy_change_reanalyses(void **state)
{
	int64_t t = test_tenant(S), sid = survey(t), n = 0;
	struct cxm_tax_ref *r1, *r2, *r3;
	(void)state;

	put(t, sid, "a", "El envío llegó tarde, el café frío", 2, "2026-03-01T10:00:00Z");
	put(t, sid, "b", "I love the coffee", 10, "2026-03-02T10:00:00Z");
	put(t, sid, "c", "ok", 8, "2026-03-03T10:00:00Z");
	assert_int_equal(theme_n(t, "delivery"), 1);
	assert_int_equal(theme_n(t, "coffee"), 0);
	assert_int_equal(theme_n(t, ""), 2);

	/* one compiled taxonomy per revision, shared */
	assert_int_equal(cxm_text_taxonomy_get(S, t, &r1), 0);
	assert_int_equal(cxm_text_taxonomy_get(S, t, &r2), 0);
	assert_ptr_equal(r1, r2);
	assert_true(cxm_taxonomy_count(cxm_text_taxonomy_of(r1)) > 10);
	assert_int_equal(cxm_store_setting_set(S, t, CXM_TEXT_THEMES_SETTING, coffee_tax), 0);
	/* the JSON alone is not a new revision: the cache keeps what it had */
	assert_int_equal(cxm_text_taxonomy_get(S, t, &r3), 0);
	assert_ptr_equal(r3, r1);
	cxm_text_taxonomy_put(r3);
	assert_int_equal(cxm_store_setting_set(S, t, CXM_TEXT_THEMES_REV_SETTING, "2"), 0);
	assert_int_equal(cxm_text_taxonomy_get(S, t, &r3), 0);
	assert_true(r3 != r1);
	assert_int_equal(cxm_taxonomy_count(cxm_text_taxonomy_of(r3)), 1);
	/* the old one stays usable by its holders */
	assert_true(cxm_taxonomy_find(cxm_text_taxonomy_of(r1), "delivery") >= 0);
	cxm_text_taxonomy_put(r1);
	cxm_text_taxonomy_put(r2);

	assert_int_equal(cxm_text_reanalyze(S, t, cxm_text_taxonomy_of(r3), &n), 0);
	cxm_text_taxonomy_put(r3);
	assert_int_equal(n, 3);
	assert_int_equal(theme_n(t, "coffee"), 2);
	assert_int_equal(theme_n(t, "delivery"), 0);
	assert_int_equal(theme_n(t, ""), 1);
	assert_int_equal(verbatims(t, "coffee", NULL, NULL).n, 2);
	assert_int_equal(verbatims(t, "delivery", NULL, NULL).n, 0);
	/* the scan agrees */
	struct cxm_counts_query q = { .from_day = 0, .to_day = 100000, .by = CXM_DIM_THEME };
	struct count c = { "coffee", 0 };
	assert_int_equal(cxm_store_counts_scan(S, t, &q, count_cb, &c), 0);
	assert_int_equal(c.n, 2);
	/* a new response takes the new taxonomy */
	put(t, sid, "d", "Buen café", 9, "2026-03-04T10:00:00Z");
	assert_int_equal(theme_n(t, "coffee"), 3);
}

static void test_what_verbatims_show(void **state)
{
	static const char text[] = "Escríbeme a ana@example.com o al +34 612 345 678, el envío llegó roto";
	struct cxm_tax_ref *ref;
	struct cxm_text_highlight h[16];
	int64_t t = test_tenant(S);
	(void)state;

	char *m = cxm_text_mask_pii(text);
	assert_int_equal(strlen(m), strlen(text));
	assert_null(strstr(m, "ana@"));
	assert_null(strstr(m, "612"));
	assert_non_null(strstr(m, "Escríbeme a ***************"));
	assert_non_null(strstr(m, "el envío llegó roto"));

	assert_int_equal(cxm_text_taxonomy_get(S, t, &ref), 0);
	size_t n = cxm_text_highlights(m, cxm_text_taxonomy_of(ref), h, ARRAY_SIZE(h));
	bool theme = false, neg = false;
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(h[i - 1].start <= h[i].start);
		if (h[i].kind == 0 && !strncmp(m + h[i].start, "envío", h[i].len))
			theme = !strcmp(cxm_taxonomy_id(cxm_text_taxonomy_of(ref), (size_t)h[i].theme), "delivery");
		neg |= h[i].kind < 0;
	}
	assert_true(theme);
	assert_true(neg);
	assert_int_equal(cxm_text_highlights("", cxm_text_taxonomy_of(ref), h, ARRAY_SIZE(h)), 0);
	cxm_text_taxonomy_put(ref);
	free(m);
}

/* Responses stored before migration 0011 count under theme "" and
 * sentiment "" once it runs, as the scan sees them (SQLite: the migration
 * is undone by hand). */
static void test_migration_0011(void **state)
{
	char path[512], url[600], err[512];
	struct cxm_store *keep = S;
	(void)state;

	snprintf(path, sizeof(path), "%s/text-0011-%d.db", test_tmpdir(), (int)getpid());
	unlink(path);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("open: %s", err);
	int64_t t = test_tenant(S), sid = survey(t);
	put(t, sid, "a", "El envío llegó tarde", 2, "2026-03-01T10:00:00Z");
	put(t, sid, "b", NULL, 10, "2026-03-02T10:00:00Z");
	put(t, sid, "c", "Great staff", 9, "2026-04-02T10:00:00Z");
	cxm_store_close(S);
	test_sqlite_exec(path, "DROP TABLE response_themes; ALTER TABLE responses DROP COLUMN text_lang;"
			  " ALTER TABLE responses DROP COLUMN text_score; ALTER TABLE responses DROP COLUMN text_label;"
			  " ALTER TABLE responses DROP COLUMN text_emotions; ALTER TABLE responses DROP COLUMN text_reasons;"
			  " ALTER TABLE responses DROP COLUMN themes;"
			  " DELETE FROM rollups WHERE dim IN ('theme', 'theme@month', 'sentiment', 'sentiment@month');"
			  " DELETE FROM schema_migrations WHERE version = 11");
	if (cxm_store_open(&S, url, err, sizeof(err)))
		fail_msg("reopen: %s", err);
	for (int d = CXM_DIM_THEME; d <= CXM_DIM_SENTIMENT; d++) {
		struct cxm_counts_query q = { .from_day = 0, .to_day = 100000, .by = (enum cxm_dim)d,
					      .bucket = CXM_BUCKET_MONTH };
		struct count roll = { "", 0 }, scan = { "", 0 };
		assert_int_equal(cxm_store_counts_rollup(S, t, &q, count_cb, &roll), 0);
		assert_int_equal(cxm_store_counts_scan(S, t, &q, count_cb, &scan), 0);
		assert_int_equal(roll.n, 3);
		assert_int_equal(scan.n, 3);
		/* a range of days inside a month reads the day rows */
		q.from_day = cxm_days_from_civil(2026, 3, 1);
		q.to_day = cxm_days_from_civil(2026, 3, 2);
		roll.n = 0;
		assert_int_equal(cxm_store_counts_rollup(S, t, &q, count_cb, &roll), 0);
		assert_int_equal(roll.n, 1);
	}
	assert_int_equal(verbatims(t, NULL, NULL, NULL).n, 0);
	cxm_store_close(S);
	S = keep;
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stored_with_the_response),
		cmocka_unit_test(test_taxonomy_change_reanalyses),
		cmocka_unit_test(test_what_verbatims_show),
	};
	const struct CMUnitTest sqlite_only[] = {
		cmocka_unit_test(test_migration_0011),
	};

	if (!test_is_pg() && cmocka_run_group_tests(sqlite_only, NULL, NULL))
		return 1;
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
