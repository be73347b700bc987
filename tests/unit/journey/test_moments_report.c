/*
 * test_moments_report.c - the moments of truth of a journey from stored
 * responses (moments_report.c; tests/run.sh DB_TESTS: SQLite and
 * PostgreSQL). Customers rate delivery (CSAT), checkout (CES) and support
 * (NPS) before answering a relationship NPS planted on delivery and
 * support: those two come out on top; each touchpoint's primary score is
 * found; ratings after the outcome or before the window do not count; the
 * tenant's NPS outside the journey's touchpoints is the outcome when no
 * survey is chosen; a segment keeps its customers only.
 */
#include "testutil.h"

#include "cxm/journey.h"
#include "cxm/moments.h"
#include "cxm/org.h"

#include <math.h>
#include <stdlib.h>

#define NCUST 300
#define DAY_US ((int64_t)86400 * 1000000)

static uint64_t rng = 0x8BADF00DDEADBEEFull;

static double uniform(void)
{
	rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
	return ((double)((rng * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

static int clip(double x, int lo, int hi)
{
	return (int)fmin(hi, fmax(lo, round(x)));
}

struct world {
	int64_t tenant, relation, delivery, checkout, support;
	int64_t t0; /* the period's start */
	int rated[3];
	double delivery_sum;
};

static void put(struct world *w, int64_t survey, int64_t customer, const char *tp, int64_t ts, int nps, int csat,
		int ces)
{
	static int n;
	char source[32];
	struct cxm_response r = { .source_id = source, .survey_id = survey, .version = 1, .customer_id = customer,
				  .channel = "email", .touchpoint = tp, .ts = ts, .nps = nps, .csat = csat, .ces = ces,
				  .answers = "{}", .complete = true };
	enum cxm_put_result res;

	snprintf(source, sizeof(source), "mt-%d", n++);
	if (cxm_store_response_put(S, w->tenant, &r, &res))
		fail_msg("%s", cxm_store_errmsg(S));
}

static void build(struct world *w)
{
	static const char def[] = "{\"languages\":[\"es\"],\"name\":\"x\",\"questions\":[{\"id\":\"nps\","
				  "\"text\":{\"es\":\"a\"},\"type\":\"nps\"}]}";

	memset(w, 0, sizeof(*w));
	w->tenant = test_tenant(S);
	w->t0 = (int64_t)20454 * DAY_US; /* 2026-01-01 */
	assert_int_equal(cxm_store_survey_create(S, w->tenant, "Relación", def, false, &w->relation), 0);
	assert_int_equal(cxm_store_survey_create(S, w->tenant, "Entrega", def, false, &w->delivery), 0);
	assert_int_equal(cxm_store_survey_create(S, w->tenant, "Pago", def, false, &w->checkout), 0);
	assert_int_equal(cxm_store_survey_create(S, w->tenant, "Soporte", def, false, &w->support), 0);
	for (int i = 0; i < NCUST; i++) {
		char email[64], attrs[64];
		struct cxm_customer c = { .email = email, .attributes = attrs };
		int64_t id;
		snprintf(email, sizeof(email), "mt%d@example.com", i);
		snprintf(attrs, sizeof(attrs), "{\"segment\":\"%s\"}", i % 2 ? "silver" : "gold");
		assert_int_equal(cxm_store_customer_put(S, w->tenant, &c, &id, NULL), 0);

		double qd = normal(), qc = normal(), qs = normal();
		int64_t at = w->t0 + (int64_t)(i % 50) * DAY_US; /* the outcome's day */
		if (uniform() < 0.8) {
			int v = clip(3 + 1.1 * qd, 1, 5);
			put(w, w->delivery, id, "entrega", at - 10 * DAY_US, -1, v, -1);
			w->rated[0]++;
			w->delivery_sum += v;
			/* older than the window (30 days), and after the outcome:
			 * neither counts */
			put(w, w->delivery, id, "entrega", at - 45 * DAY_US, -1, 1, -1);
			put(w, w->delivery, id, "entrega", at + DAY_US, -1, 5, -1);
		}
		if (uniform() < 0.8) {
			put(w, w->checkout, id, "checkout", at - 15 * DAY_US, -1, -1, clip(4 + 1.4 * qc, 1, 7));
			w->rated[1]++;
		}
		if (uniform() < 0.7) {
			put(w, w->support, id, "soporte", at - 5 * DAY_US, clip(6 + 2 * qs, 0, 10), -1, -1);
			w->rated[2]++;
		}
		/* an earlier outcome is replaced by the latest */
		put(w, w->relation, id, NULL, at - 2 * DAY_US, 10, -1, -1);
		put(w, w->relation, id, NULL, at, clip(6 + 2 * qd + 1.6 * qs + 0.2 * qc + normal(), 0, 10), -1, -1);
	}
	/* an anonymous outcome counts for nobody */
	put(w, w->relation, 0, NULL, w->t0 + DAY_US, 0, -1, -1);
}

static void journey(struct cxm_journey_def *d, int64_t outcome)
{
	static const char *const keys[] = { "anuncios", "entrega", "pago", "soporte" };
	static const char *const fb[] = { NULL, "entrega", "checkout", "soporte" };

	memset(d, 0, sizeof(*d));
	d->name = "Compra";
	d->window_s = 30 * 86400;
	d->outcome_survey_id = outcome;
	d->n_stages = 1;
	d->n_tps = 4;
	d->stages[0] = (struct cxm_journey_stage){ .key = "compra", .name = "Compra", .first_tp = 0, .n_tp = 4 };
	for (int t = 0; t < 4; t++) {
		d->tps[t] = (struct cxm_journey_touchpoint){ .key = keys[t], .name = keys[t] };
		d->tps[t].match.type = "visit";
		if (fb[t]) {
			d->tps[t].feedback[0] = fb[t];
			d->tps[t].feedback_n = 1;
		}
	}
}

static void test_moments_from_responses(void **state)
{
	static struct world w;
	struct cxm_journey_def d;
	struct cxm_moments_report *r = calloc(2, sizeof(*r));
	char field[32], why[256];
	int64_t from, to;
	(void)state;

	build(&w);
	from = w.t0, to = w.t0 + 60 * DAY_US;
	journey(&d, w.relation);
	if (cxm_moments_report(S, w.tenant, &d, from, to, NULL, &r[0], field, sizeof(field), why, sizeof(why)))
		fail_msg("%s: %s", field, why);
	const struct cxm_moments *m = &r[0].m;
	assert_int_equal(m->k, 3);
	assert_int_equal(r[0].tp[0], 1);
	assert_int_equal(r[0].tp[1], 2);
	assert_int_equal(r[0].tp[2], 3);
	assert_int_equal(r[0].kind[0], CXM_MOMENT_CSAT);
	assert_int_equal(r[0].kind[1], CXM_MOMENT_CES);
	assert_int_equal(r[0].kind[2], CXM_MOMENT_NPS);
	assert_int_equal(m->customers, NCUST);
	for (int j = 0; j < 3; j++)
		assert_int_equal(m->m[j].rated, w.rated[j]);
	/* only the rating inside the window and before the outcome */
	assert_true(fabs(m->m[0].mean - w.delivery_sum / w.rated[0]) < 1e-9);
	assert_int_equal(m->analysed, 3);
	assert_true(m->m[0].top && m->m[2].top);
	assert_true(m->m[0].share > m->m[1].share && m->m[2].share > m->m[1].share);
	assert_true(m->m[0].lift.valid && m->m[0].lift.significant && m->m[0].lift.diff > 0);

	/* as JSON */
	cJSON *o = cxm_moments_json(&r[0], &d, CXM_LANG_ES);
	const cJSON *tps = cJSON_GetObjectItemCaseSensitive(o, "touchpoints"), *t0 = cJSON_GetArrayItem(tps, 0);
	assert_int_equal(cJSON_GetArraySize(tps), 3);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(o, "customers")->valueint, NCUST);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "method")->valuestring,
			    m->listwise ? "listwise" : "pairwise");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t0, "key")->valuestring, "entrega");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t0, "score")->valuestring, "csat");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t0, "analysed")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(t0, "reason")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t0, "moment_of_truth")));
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t0, "quadrant")));
	const cJSON *lift = cJSON_GetObjectItemCaseSensitive(t0, "lift");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(lift, "well_n")->valueint, m->m[0].well.nps_n);
	assert_true(!strncmp(cJSON_GetObjectItemCaseSensitive(lift, "text")->valuestring,
			     "clientes que valoran bien entrega: NPS ", 39));
	cJSON_Delete(o);

	/* no outcome survey chosen: the NPS at no journey touchpoint, the
	 * relationship survey here (support's NPS is feedback, not outcome) */
	journey(&d, 0);
	assert_int_equal(cxm_moments_report(S, w.tenant, &d, from, to, NULL, &r[1], field, sizeof(field), why,
					    sizeof(why)), 0);
	assert_int_equal(r[1].m.customers, NCUST);
	for (int j = 0; j < 3; j++)
		assert_true(r[1].m.m[j].importance == m->m[j].importance);

	/* one segment: half the customers */
	assert_int_equal(cxm_moments_report(S, w.tenant, &d, from, to, "gold", &r[1], field, sizeof(field), why,
					    sizeof(why)), 0);
	assert_int_equal(r[1].m.customers, NCUST / 2);
	assert_int_equal(cxm_moments_report(S, w.tenant, &d, from, to, "nobody", &r[1], field, sizeof(field), why,
					    sizeof(why)), CXM_EINVAL);
	assert_string_equal(field, "rows");

	/* a manager's subtree: only the responses of its units (here the
	 * responses have no unit, 0) while the span lasts */
	const struct cxm_span all_time = { 0, INT64_MIN, INT64_MAX }, other_unit = { 42, INT64_MIN, INT64_MAX };
	assert_int_equal(cxm_moments_report_scoped(S, w.tenant, &d, from, to, NULL, &all_time, 1, &r[1], field,
						   sizeof(field), why, sizeof(why)), 0);
	assert_int_equal(r[1].m.customers, NCUST);
	assert_int_equal(cxm_moments_report_scoped(S, w.tenant, &d, from, to, NULL, &other_unit, 1, &r[1], field,
						   sizeof(field), why, sizeof(why)), CXM_EINVAL);
	assert_string_equal(field, "rows");
	assert_int_equal(cxm_moments_report_scoped(S, w.tenant, &d, from, to, NULL, NULL, 0, &r[1], field,
						   sizeof(field), why, sizeof(why)), CXM_EINVAL);

	/* a period with the outcomes of the first 10 days only */
	assert_int_equal(cxm_moments_report(S, w.tenant, &d, from, from + 10 * DAY_US, NULL, &r[1], field,
					    sizeof(field), why, sizeof(why)), 0);
	/* 6 customers a day: days 0-9, and days 10 and 11 by their earlier
	 * answer (two days before) */
	assert_int_equal(r[1].m.customers, 12 * (NCUST / 50));

	/* a journey as the API takes it: feedback defaults to the match's
	 * touchpoints; two of them feed one journey touchpoint */
	char text[1024];
	snprintf(text, sizeof(text),
		 "{\"name\": \"Compra\", \"outcome_survey_id\": \"%lld\", \"stages\": ["
		 "{\"key\": \"compra\", \"phase\": \"during\", \"touchpoints\": ["
		 "{\"key\": \"pago\", \"match\": {\"type\": \"purchase\", \"touchpoint\": \"checkout\"}}]},"
		 "{\"key\": \"posventa\", \"phase\": \"after\", \"touchpoints\": ["
		 "{\"key\": \"servicio\", \"name\": \"Servicio\", \"match\": {\"type\": \"delivery\"},"
		 " \"feedback\": [\"entrega\", \"soporte\"]}]}]}",
		 (long long)w.relation);
	cJSON *body = cJSON_Parse(text);
	struct cxm_journey_def api;
	assert_non_null(body);
	if (cxm_journey_check(body, &api, field, sizeof(field), why, sizeof(why)))
		fail_msg("%s: %s", field, why);
	assert_int_equal(cxm_moments_report(S, w.tenant, &api, from, to, NULL, &r[1], field, sizeof(field), why,
					    sizeof(why)), 0);
	assert_int_equal(r[1].m.k, 2);
	assert_int_equal(r[1].kind[0], CXM_MOMENT_CES);
	/* delivery's CSAT and support's NPS: CSAT is answered more */
	assert_int_equal(r[1].kind[1], CXM_MOMENT_CSAT);
	assert_true(r[1].m.m[1].rated >= w.rated[0]);
	assert_true(r[1].m.m[1].share > r[1].m.m[0].share);
	cJSON_Delete(body);

	/* a journey without feedback */
	for (int t = 0; t < 4; t++)
		d.tps[t].feedback_n = 0;
	assert_int_equal(cxm_moments_report(S, w.tenant, &d, from, to, NULL, &r[1], field, sizeof(field), why,
					    sizeof(why)), CXM_EINVAL);
	assert_string_equal(field, "journey");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moments_from_responses),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
