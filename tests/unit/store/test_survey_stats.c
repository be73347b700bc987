/* test_survey_stats.c - the counts behind GET /api/v1/surveys/{id}/stats:
 * invitations by channel and status, responses by completeness and NPS
 * category; one survey's, one tenant's. Run on SQLite and PostgreSQL
 * (tests/run.sh DB_TESTS). */
#include "testutil.h"

#include "cxm/time.h"

#include <stdio.h>
#include <string.h>

#define DEF "{\"languages\":[\"en\"],\"name\":\"%s\",\"questions\":[{\"id\":\"nps\",\"required\":true," \
	    "\"text\":{\"en\":\"How likely?\"},\"type\":\"nps\"}]}"

static int64_t survey(int64_t t, const char *name)
{
	char def[512];
	int64_t id = 0;

	snprintf(def, sizeof(def), DEF, name);
	assert_int_equal(cxm_store_survey_create(S, t, name, def, false, &id), 0);
	return id;
}

static int64_t invite(int64_t t, int64_t sv, const char *channel)
{
	struct cxm_invitation inv = { .survey_id = sv, .channel = channel, .expires_at = cxm_now_us() + 86400000000LL };
	int64_t id = 0;

	assert_int_equal(cxm_store_invitation_add(S, t, &inv, &id), 0);
	return id;
}

static int64_t respond(int64_t t, int64_t sv, const char *source, int nps, bool complete)
{
	struct cxm_response r = { .source_id = source, .survey_id = sv, .version = 1, .channel = "web",
				  .ts = cxm_now_us(), .nps = nps, .csat = -1, .ces = -1, .answers = "{}",
				  .complete = complete };
	enum cxm_put_result res;

	assert_int_equal(cxm_store_response_put(S, t, &r, &res), 0);
	return r.id;
}

struct seen {
	int n;
	struct {
		char channel[32], status[16];
		int64_t n, opened, answered;
	} row[16];
};

static int seen_count(const struct cxm_invitation_count *c, void *ctx)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	cxm_strlcpy(s->row[s->n].channel, c->channel, sizeof(s->row[0].channel));
	cxm_strlcpy(s->row[s->n].status, c->status, sizeof(s->row[0].status));
	s->row[s->n].n = c->n;
	s->row[s->n].opened = c->opened;
	s->row[s->n].answered = c->answered;
	s->n++;
	return 0;
}

static void test_empty(void **state)
{
	int64_t t = test_tenant(S), sv = survey(t, "Empty");
	struct seen s = { 0 };
	struct cxm_response_counts rc;
	(void)state;

	assert_int_equal(cxm_store_survey_invitation_counts(S, t, sv, seen_count, &s), 0);
	assert_int_equal(s.n, 0);
	memset(&rc, 0xff, sizeof(rc));
	assert_int_equal(cxm_store_survey_response_counts(S, t, sv, &rc), 0);
	assert_int_equal(rc.total, 0);
	assert_int_equal(rc.complete, 0);
	assert_int_equal(rc.nps_answered, 0);
	assert_int_equal(rc.promoters, 0);
	assert_int_equal(rc.passives, 0);
	assert_int_equal(rc.detractors, 0);
}

static void test_counts(void **state)
{
	int64_t t = test_tenant(S), sv = survey(t, "Counted"), other = survey(t, "Other");
	int64_t now = cxm_now_us();
	struct seen s = { 0 };
	struct cxm_response_counts rc;
	(void)state;

	/* links: three made, two opened, one of them answered */
	int64_t l1 = invite(t, sv, "link"), l2 = invite(t, sv, "link");
	invite(t, sv, "link");
	assert_int_equal(cxm_store_invitation_opened(S, t, l1, now), 0);
	assert_int_equal(cxm_store_invitation_opened(S, t, l2, now), 0);
	int64_t r1 = respond(t, sv, "inv-1", 3, true);
	assert_int_equal(cxm_store_invitation_answered(S, t, l1, r1, now), 0);
	/* email: one made (created) */
	invite(t, sv, "email");
	/* another survey's invitation and responses are not counted */
	invite(t, other, "link");
	respond(t, other, "o-1", 10, true);

	/* responses: detractor (above), passive complete, promoter partial, no score */
	respond(t, sv, "r-2", 8, true);
	respond(t, sv, "r-3", 9, false);
	respond(t, sv, "r-4", -1, false);
	respond(t, sv, "r-5", 10, true);
	respond(t, sv, "r-6", 0, true);

	assert_int_equal(cxm_store_survey_invitation_counts(S, t, sv, seen_count, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.row[0].channel, "email");
	assert_string_equal(s.row[0].status, "created");
	assert_int_equal(s.row[0].n, 1);
	assert_string_equal(s.row[1].channel, "link");
	assert_string_equal(s.row[1].status, "answered");
	assert_int_equal(s.row[1].n, 1);
	assert_int_equal(s.row[1].opened, 1);
	assert_int_equal(s.row[1].answered, 1);
	assert_string_equal(s.row[2].status, "created");
	assert_int_equal(s.row[2].n, 1);
	assert_int_equal(s.row[2].opened, 0);
	assert_string_equal(s.row[3].status, "opened");
	assert_int_equal(s.row[3].n, 1);
	assert_int_equal(s.row[3].opened, 1);
	assert_int_equal(s.row[3].answered, 0);

	assert_int_equal(cxm_store_survey_response_counts(S, t, sv, &rc), 0);
	assert_int_equal(rc.total, 6);
	assert_int_equal(rc.complete, 4);
	assert_int_equal(rc.nps_answered, 5);
	assert_int_equal(rc.promoters, 2);
	assert_int_equal(rc.passives, 1);
	assert_int_equal(rc.detractors, 2);
}

static void test_tenants_apart(void **state)
{
	int64_t t1 = test_tenant(S), t2 = test_tenant(S), sv = survey(t1, "Mine");
	struct seen s = { 0 };
	struct cxm_response_counts rc;
	(void)state;

	invite(t1, sv, "link");
	respond(t1, sv, "a", 9, true);
	/* the other tenant asking for the same survey id sees nothing */
	assert_int_equal(cxm_store_survey_invitation_counts(S, t2, sv, seen_count, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(cxm_store_survey_response_counts(S, t2, sv, &rc), 0);
	assert_int_equal(rc.total, 0);
	assert_int_equal(cxm_store_survey_response_counts(S, t1, sv, &rc), 0);
	assert_int_equal(rc.total, 1);
	assert_int_equal(rc.promoters, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_tenants_apart),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
