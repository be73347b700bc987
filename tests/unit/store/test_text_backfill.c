/*
 * test_text_backfill.c - the backfill of responses stored before their
 * texts were analysed (tests/run.sh DB_TESTS: SQLite and PostgreSQL):
 * cxm_text_backfill walks only the unanalysed responses that may have
 * text, in batches with a cursor, analyses a free-text answer as on
 * ingest, leaves a response whose only string is a choice alone, and moves
 * the sentiment and theme rollups from "" exactly once (the rollups agree
 * with a scan of the responses after every step).
 */
#include "testutil.h"

#include "cxm/json.h"
#include "cxm/textstore.h"
#include "cxm/time.h"

static const char def_json[] =
	"{\"languages\":[\"es\"],\"name\":\"B\",\"questions\":["
	"{\"id\":\"nps\",\"type\":\"nps\",\"text\":{\"es\":\"¿Nos recomendaría?\"}},"
	"{\"id\":\"why\",\"type\":\"text\",\"text\":{\"es\":\"¿Por qué?\"}},"
	"{\"id\":\"where\",\"type\":\"single_choice\",\"text\":{\"es\":\"¿Dónde?\"},"
	"\"options\":[{\"id\":\"web\",\"text\":{\"es\":\"Web\"}},{\"id\":\"shop\",\"text\":{\"es\":\"Tienda\"}}]}]}";

/* Stores a response as an older cxm stored it: no analysis at all. */
static int64_t put_raw(int64_t t, int64_t sid, const char *source, int nps, const char *comment, const char *answers)
{
	struct cxm_response r = { .source_id = source, .survey_id = sid, .version = 1, .channel = "web",
				  .ts = 1772000000000000, .nps = nps, .csat = -1, .ces = -1, .comment = comment,
				  .answers = answers, .complete = true };

	if (cxm_store_response_put(S, t, &r, NULL))
		fail_msg("%s", cxm_store_errmsg(S));
	return r.id;
}

/* Stores a response as cxm_response_submit does now: analysed. */
static void put_analysed(int64_t t, int64_t sid, const char *source, int nps, const char *comment)
{
	struct cxm_text_stored st;
	struct cxm_response r = { .source_id = source, .survey_id = sid, .version = 1, .channel = "web",
				  .ts = 1772000000000000, .nps = nps, .csat = -1, .ces = -1, .comment = comment,
				  .answers = "{}", .complete = true };

	assert_int_equal(cxm_text_ingest(S, t, comment, &st, &r), 0);
	assert_non_null(r.text_lang);
	if (cxm_store_response_put(S, t, &r, NULL))
		fail_msg("%s", cxm_store_errmsg(S));
}

#define MAXV 16

struct groups {
	size_t n;
	char value[MAXV][64];
	int64_t responses[MAXV], detractors[MAXV];
};

static int group_cb(int64_t b, const char *v, const struct cxm_score_counts *c, void *ctx)
{
	struct groups *g = ctx;
	(void)b;
	assert_true(g->n < MAXV);
	cxm_strlcpy(g->value[g->n], v, sizeof(g->value[0]));
	g->responses[g->n] = c->responses;
	g->detractors[g->n++] = c->detractors;
	return 0;
}

static int64_t group_n(const struct groups *g, const char *v)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->value[i], v))
			return g->responses[i];
	return 0;
}

/* The groups by dim from the rollups, checked against a scan of the
 * responses: the rollups moved exactly as the rows did. */
static struct groups by(int64_t t, enum cxm_dim dim)
{
	struct cxm_counts_query q = { .from_day = 0, .to_day = 100000, .by = dim };
	struct groups rolled = { 0 }, scanned = { 0 };

	assert_int_equal(cxm_store_counts_rollup(S, t, &q, group_cb, &rolled), 0);
	assert_int_equal(cxm_store_counts_scan(S, t, &q, group_cb, &scanned), 0);
	assert_int_equal(rolled.n, scanned.n);
	for (size_t i = 0; i < rolled.n; i++) {
		assert_string_equal(rolled.value[i], scanned.value[i]);
		assert_int_equal(rolled.responses[i], scanned.responses[i]);
		assert_int_equal(rolled.detractors[i], scanned.detractors[i]);
	}
	return rolled;
}

struct row {
	int64_t id;
	char label[16], themes[128];
};

static int row_cb(const struct cxm_response *r, void *ctx)
{
	struct row *w = ctx;

	if (r->id == w->id) {
		cxm_strlcpy(w->label, r->text_label ? r->text_label : "(null)", sizeof(w->label));
		cxm_strlcpy(w->themes, r->themes ? r->themes : "(null)", sizeof(w->themes));
	}
	return 0;
}

static struct row row_of(int64_t t, int64_t id)
{
	struct row w = { .id = id };

	assert_int_equal(cxm_store_response_texts(S, t, INT64_MIN, 100, row_cb, &w), 0);
	return w;
}

static void test_backfill(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S), sid, osid, after = INT64_MIN, analysed = -1;
	size_t read = 99;
	(void)state;

	assert_int_equal(cxm_store_survey_create(S, t, "B", def_json, false, &sid), 0);
	assert_int_equal(cxm_store_survey_create(S, other, "B", def_json, false, &osid), 0);
	int64_t rude = put_raw(t, sid, "rude", 2, NULL, "{\"nps\":2,\"why\":\"El repartidor fue muy grosero y caro\"}");
	int64_t choice = put_raw(t, sid, "choice", 9, NULL, "{\"nps\":9,\"where\":\"web\"}");
	put_raw(t, sid, "bare", 8, NULL, "{\"nps\":8}");
	put_analysed(t, sid, "fine", 10, "Todo excelente, muy amables");
	int64_t theirs = put_raw(other, osid, "theirs", 3, NULL, "{\"nps\":3,\"why\":\"Muy caro y lento\"}");

	/* before: the three unanalysed ones count under no label and no theme */
	struct groups s0 = by(t, CXM_DIM_SENTIMENT), th0 = by(t, CXM_DIM_THEME);
	assert_int_equal(group_n(&s0, ""), 3);
	assert_int_equal(group_n(&s0, "positive"), 1);
	assert_int_equal(group_n(&th0, ""), 3);
	assert_string_equal(row_of(t, rude).label, "(null)");

	/* one at a time: the rude answer, then the choice (no text: not
	 * written), then the end */
	assert_int_equal(cxm_text_backfill(S, t, &after, 1, &read, &analysed), 0);
	assert_int_equal(read, 1);
	assert_int_equal(analysed, 1);
	assert_int_equal(after, rude);
	struct row r = row_of(t, rude);
	assert_string_equal(r.label, "negative");
	assert_non_null(strstr(r.themes, "price"));
	assert_int_equal(cxm_text_backfill(S, t, &after, 1, &read, &analysed), 0);
	assert_int_equal(read, 1);
	assert_int_equal(analysed, 0);
	assert_int_equal(after, choice);
	assert_string_equal(row_of(t, choice).label, "(null)");
	assert_int_equal(cxm_text_backfill(S, t, &after, 1, &read, &analysed), 0);
	assert_int_equal(read, 0);
	assert_int_equal(after, choice);

	/* the rollups moved once: the rude answer left "" for its label and themes */
	struct groups s1 = by(t, CXM_DIM_SENTIMENT), th1 = by(t, CXM_DIM_THEME);
	assert_int_equal(group_n(&s1, ""), 2);
	assert_int_equal(group_n(&s1, "negative"), 1);
	assert_int_equal(group_n(&s1, "positive"), 1);
	assert_int_equal(group_n(&th1, ""), 2);
	assert_int_equal(group_n(&th1, "price"), 1);

	/* a second pass from the start finds nothing more to do */
	after = INT64_MIN;
	assert_int_equal(cxm_text_backfill(S, t, &after, 50, &read, &analysed), 0);
	assert_int_equal(read, 1); /* the choice only: walked, not written */
	assert_int_equal(analysed, 0);
	struct groups s2 = by(t, CXM_DIM_SENTIMENT);
	assert_int_equal(group_n(&s2, ""), 2);
	assert_int_equal(group_n(&s2, "negative"), 1);

	/* the other tenant's response was not touched by t's backfill */
	assert_string_equal(row_of(other, theirs).label, "(null)");
	after = INT64_MIN;
	assert_int_equal(cxm_text_backfill(S, other, &after, 50, &read, &analysed), 0);
	assert_int_equal(analysed, 1);
	assert_string_equal(row_of(other, theirs).label, "negative");
	struct groups so = by(other, CXM_DIM_SENTIMENT);
	assert_int_equal(group_n(&so, "negative"), 1);
	assert_int_equal(group_n(&so, ""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backfill),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
