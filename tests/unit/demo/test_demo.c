/*
 * test_demo.c - the demo generator (src/demo/demo.c): the same seed gives the
 * same data, another seed other data, and what it makes looks like a year of
 * a real retailer: plausible counts, every event in the window and in order,
 * agents who move between units and whose work carries the unit they were in;
 * and the two journeys, whose rules match the events the demo writes, with the
 * relational survey that they explain.
 *
 * Each case works in a new tenant of the database under test (testutil.h);
 * the determinism case compares against a second database when that is
 * SQLite, so "same data" does not lean on sharing a file.
 */
#include "testutil.h"

#include "cxm/demo.h"
#include "cxm/journey.h"
#include "cxm/json.h"
#include "cxm/moments.h"
#include "cxm/surveys.h"
#include "cxm/time.h"

#define DAY_US 86400000000LL
#define N_CUSTOMERS 2000

static char second_db[300];

/* A store with a new, empty tenant in it: the database under test, or a
 * fresh SQLite file of its own with other_db (SQLite only). */
static struct cxm_store *fresh(int64_t *tenant, int other_db)
{
	struct cxm_store *s;
	char err[512];

	if (!other_db || test_is_pg()) {
		s = test_open();
	} else {
		snprintf(second_db, sizeof(second_db), "sqlite:%s/demo-second.db", test_tmpdir());
		if (cxm_store_open(&s, second_db, err, sizeof(err)))
			fail_msg("cannot open %s: %s", second_db, err);
	}
	*tenant = test_tenant(s);
	return s;
}

/* ---- id -> name maps ------------------------------------------------------ */

struct cust_info {
	int64_t id;
	char ext[24];
	char country[4];
	int64_t last_src; /* number of the customer's last event seen in a scan */
};

struct unit_info {
	int64_t id;
	char name[64];
	char kind[16];
};

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* ---- one scan of a generated tenant -------------------------------------- */

struct agent_ev {
	char agent[48];
	int64_t ts, unit;
	char unit_kind[16];
};

struct scan {
	struct cxm_store *s;
	int64_t tenant;
	struct cust_info *cust;
	size_t n_cust, cap_cust;
	struct unit_info *units;
	size_t n_units, cap_units;
	uint64_t customer_digest, event_digest;
	int64_t events, purchases, min_ts, max_ts;
	int64_t out_of_order, bad_currency, bad_amount, bad_json, store_without_unit, support_without_agent;
	int64_t accented, english_names, lang_en, lang_es, bad_email, bad_phone;
	int64_t by_country[5];
	struct agent_ev *aev;
	size_t n_aev, cap_aev;
};

static void mix(uint64_t *h, const char *s)
{
	if (!s)
		s = "\x01(null)";
	for (; *s; s++)
		*h = (*h ^ (unsigned char)*s) * 0x100000001B3ull;
	*h = (*h ^ 0xFF) * 0x100000001B3ull; /* field separator */
}

static void mix_int(uint64_t *h, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	mix(h, buf);
}

static bool email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	if (!at || at == e || !strchr(at, '.'))
		return false;
	for (; *e; e++)
		if (!((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || strchr("._@-", *e)))
			return false;
	return true;
}

static bool phone_ok(const char *p)
{
	size_t n = strlen(p);
	if (n < 11 || n > 14 || p[0] != '+')
		return false;
	for (size_t i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static int customer_row(const struct cxm_customer *c, void *ctx)
{
	static const char *const accents[] = { "á", "é", "í", "ó", "ú", "ñ", "Á", "É", "Í", "Ó", "Ú" };
	static const char *const english[] = { "James", "Emily", "Olivia", "Oliver", "Sarah", "Jack", "Charlotte" };
	static const char *const ccs[] = { "CO", "ES", "MX", "US", "GB" };
	struct scan *sc = ctx;
	struct cust_info *ci;
	uint64_t *h = &sc->customer_digest;

	if (sc->n_cust == sc->cap_cust) {
		sc->cap_cust = sc->cap_cust ? sc->cap_cust * 2 : 1024;
		sc->cust = xrealloc(sc->cust, sc->cap_cust * sizeof(*sc->cust));
	}
	ci = &sc->cust[sc->n_cust++];
	ci->id = c->id;
	ci->last_src = 0;
	assert_non_null(c->external_id);
	snprintf(ci->ext, sizeof(ci->ext), "%s", c->external_id);
	snprintf(ci->country, sizeof(ci->country), "%s", c->country ? c->country : "");
	/* customer_scan is in id order, which is creation order */
	mix(h, c->external_id);
	mix(h, c->first_name);
	mix(h, c->last_name);
	mix(h, c->email);
	mix(h, c->phone);
	mix(h, c->language);
	mix(h, c->country);
	mix(h, c->attributes);
	for (int i = 0; i < CXM_CONSENT_N; i++)
		mix_int(h, c->consent[i]);
	mix_int(h, c->created_at);

	for (size_t i = 0; i < ARRAY_SIZE(accents); i++)
		if ((c->first_name && strstr(c->first_name, accents[i])) ||
		    (c->last_name && strstr(c->last_name, accents[i]))) {
			sc->accented++;
			break;
		}
	for (size_t i = 0; i < ARRAY_SIZE(english); i++)
		if (c->first_name && !strcmp(c->first_name, english[i]))
			sc->english_names++;
	if (c->language && !strcmp(c->language, "en"))
		sc->lang_en++;
	if (c->language && !strcmp(c->language, "es"))
		sc->lang_es++;
	for (size_t i = 0; i < ARRAY_SIZE(ccs); i++)
		if (c->country && !strcmp(c->country, ccs[i]))
			sc->by_country[i]++;
	if (c->email && !email_ok(c->email))
		sc->bad_email++;
	if (c->phone && !phone_ok(c->phone))
		sc->bad_phone++;
	return 0;
}

static int unit_row(const struct cxm_org_unit *u, void *ctx)
{
	struct scan *sc = ctx;
	struct unit_info *ui;

	if (sc->n_units == sc->cap_units) {
		sc->cap_units = sc->cap_units ? sc->cap_units * 2 : 32;
		sc->units = xrealloc(sc->units, sc->cap_units * sizeof(*sc->units));
	}
	ui = &sc->units[sc->n_units++];
	ui->id = u->id;
	snprintf(ui->name, sizeof(ui->name), "%s", u->name);
	snprintf(ui->kind, sizeof(ui->kind), "%s", u->kind);
	return 0;
}

static const char *expected_currency(const char *country)
{
	static const char *const map[][2] = { { "CO", "COP" }, { "ES", "EUR" }, { "MX", "MXN" },
					      { "US", "USD" }, { "GB", "GBP" } };
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(country, map[i][0]))
			return map[i][1];
	return "?";
}

static int event_row(const struct cxm_event *e, void *ctx)
{
	struct scan *sc = ctx;
	uint64_t *h = &sc->event_digest;
	struct cust_info *ci = bsearch(&e->customer_id, sc->cust, sc->n_cust, sizeof(*sc->cust), cmp_id);
	struct unit_info *ui = NULL;
	const char *num;
	int64_t src = 0;
	char err[128];
	cJSON *props;

	assert_non_null(ci);
	if (e->org_unit_id) {
		ui = bsearch(&e->org_unit_id, sc->units, sc->n_units, sizeof(*sc->units), cmp_id);
		assert_non_null(ui);
	}
	/* everything but the store's own ids, which differ between databases */
	mix(h, e->source_id);
	mix(h, ci->ext);
	mix(h, e->type);
	mix(h, e->channel);
	mix(h, e->touchpoint);
	mix(h, e->agent);
	mix(h, ui ? ui->name : NULL);
	mix_int(h, e->ts);
	mix_int(h, e->has_amount);
	mix_int(h, e->has_amount ? e->amount_micros : 0);
	mix(h, e->currency);
	mix(h, e->properties);

	sc->events++;
	if (!sc->min_ts || e->ts < sc->min_ts)
		sc->min_ts = e->ts;
	if (e->ts > sc->max_ts)
		sc->max_ts = e->ts;
	/* source ids number a customer's events in the order they happened */
	num = strrchr(e->source_id, '-');
	assert_non_null(num);
	assert_int_equal(cxm_parse_i64(num + 1, strlen(num + 1), &src), 0);
	if (src <= ci->last_src)
		sc->out_of_order++;
	ci->last_src = src;

	if (!strcmp(e->type, "purchase")) {
		sc->purchases++;
		if (!e->currency || strcmp(e->currency, expected_currency(ci->country)))
			sc->bad_currency++;
		if (!e->has_amount || e->amount_micros <= 0)
			sc->bad_amount++;
	} else if (e->has_amount) {
		sc->bad_amount++;
	}
	props = cxm_json_parse(e->properties, strlen(e->properties), err, sizeof(err));
	if (!props || !cJSON_IsObject(props))
		sc->bad_json++;
	cJSON_Delete(props);
	if (!strcmp(e->channel, "store") && (!ui || strcmp(ui->kind, "store") || !e->agent))
		sc->store_without_unit++;
	if ((!strcmp(e->type, "call") || !strcmp(e->type, "chat")) && (!e->agent || !ui || strcmp(ui->kind, "team")))
		sc->support_without_agent++;
	if (e->agent) {
		struct agent_ev *a;
		if (sc->n_aev == sc->cap_aev) {
			sc->cap_aev = sc->cap_aev ? sc->cap_aev * 2 : 1024;
			sc->aev = xrealloc(sc->aev, sc->cap_aev * sizeof(*sc->aev));
		}
		a = &sc->aev[sc->n_aev++];
		snprintf(a->agent, sizeof(a->agent), "%s", e->agent);
		a->ts = e->ts;
		a->unit = e->org_unit_id;
		snprintf(a->unit_kind, sizeof(a->unit_kind), "%s", ui ? ui->kind : "");
	}
	return 0;
}

static void scan_tenant(struct cxm_store *s, int64_t tenant, struct scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->s = s;
	sc->tenant = tenant;
	sc->customer_digest = sc->event_digest = 0xCBF29CE484222325ull;
	assert_int_equal(cxm_store_customer_scan(s, tenant, customer_row, sc), 0);
	qsort(sc->cust, sc->n_cust, sizeof(*sc->cust), cmp_id);
	assert_int_equal(cxm_store_org_unit_list(s, tenant, unit_row, sc), 0);
	qsort(sc->units, sc->n_units, sizeof(*sc->units), cmp_id);
	assert_int_equal(cxm_store_event_scan(s, tenant, event_row, sc), 0);
}

static void scan_release(struct scan *sc)
{
	free(sc->cust);
	free(sc->units);
	free(sc->aev);
	memset(sc, 0, sizeof(*sc));
}

/* ---- the surveys and what customers answered ------------------------------------- */

static int64_t default_end(void);

struct fb_scan {
	struct cxm_store *s;
	int64_t tenant;
	uint64_t digest;
	int64_t responses, bad_answers, no_event, no_customer, out_of_window, comments, en;
	/* NPS after a delivery by the delivery's rating; CSAT by solved or not */
	int64_t nps_sum[6], nps_n[6], csat_sum[2], csat_n[2];
	int64_t by_survey[3];
	int64_t last_ts;
};

static const char *const demo_surveys[3] = { "NPS posventa (entrega)", "CSAT atención al cliente", "NPS tienda" };

struct fb_def {
	cJSON *tree;
	struct cxm_survey_def def;
	int64_t id;
};

static struct fb_def fb_defs[3];

static int fb_def_cb(const struct cxm_survey *sv, void *ctx)
{
	struct fb_def *d = ctx;
	char field[96], why[200];

	d->id = sv->id;
	d->tree = cJSON_Parse(sv->definition);
	assert_non_null(d->tree);
	assert_int_equal(cxm_survey_check(d->tree, &d->def, field, sizeof(field), why, sizeof(why)), 0);
	return 0;
}

static int fb_row(const struct cxm_response *r, void *ctx)
{
	struct fb_scan *f = ctx;
	struct cxm_answer_summary sum;
	char field[96], why[200];
	cJSON *a = cJSON_Parse(r->answers);
	int k = -1;

	for (int i = 0; i < 3; i++)
		if (fb_defs[i].id == r->survey_id)
			k = i;
	if (k < 0) { /* the relational survey, which follows no event: relational_nps_follows_the_journey */
		cJSON_Delete(a);
		return 0;
	}
	f->by_survey[k]++;
	f->responses++;
	if (!a || cxm_survey_check_answers(&fb_defs[k].def, a, &sum, field, sizeof(field), why, sizeof(why)) ||
	    !sum.complete || !r->complete)
		f->bad_answers++;
	f->no_event += r->event_id == 0;
	f->no_customer += r->customer_id == 0;
	f->out_of_window += r->ts >= default_end() || r->ts < default_end() - 365 * DAY_US;
	f->comments += r->comment != NULL;
	f->en += r->language && !strcmp(r->language, "en");
	if (k == 0) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(a, "delivery");
		assert_true(cJSON_IsNumber(d));
		f->nps_sum[d->valueint] += r->nps;
		f->nps_n[d->valueint]++;
	} else if (k == 1) {
		const cJSON *sv = cJSON_GetObjectItemCaseSensitive(a, "solved");
		int yes = cJSON_IsString(sv) && !strcmp(sv->valuestring, "yes");
		f->csat_sum[yes] += r->csat;
		f->csat_n[yes]++;
	}
	mix(&f->digest, demo_surveys[k]);
	mix(&f->digest, r->answers);
	mix(&f->digest, r->comment);
	mix(&f->digest, r->channel);
	mix(&f->digest, r->touchpoint);
	mix(&f->digest, r->agent);
	mix_int(&f->digest, r->ts);
	cJSON_Delete(a);
	return 0;
}

static void fb_scan_tenant(struct cxm_store *s, int64_t tenant, struct fb_scan *f)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 3; i++) {
		cJSON_Delete(fb_defs[i].tree);
		memset(&fb_defs[i], 0, sizeof(fb_defs[i]));
		assert_int_equal(cxm_store_survey_find(s, tenant, demo_surveys[i], fb_def_cb, &fb_defs[i]), 0);
	}
	assert_int_equal(cxm_store_response_page(s, tenant, 0, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 1000000,
						 fb_row, f),
			 0);
}

struct inv_tally {
	int64_t total, answered, failed, opened;
};

static int inv_count_row(const struct cxm_invitation_count *c, void *ctx)
{
	struct inv_tally *t = ctx;

	assert_string_equal(c->channel, "email");
	t->total += c->n;
	t->answered += c->answered;
	t->opened += c->opened;
	if (!strcmp(c->status, "failed"))
		t->failed += c->n;
	return 0;
}

/* ---- the shared tenant: seed 7, 2000 customers ------------------------------ */

struct progress {
	int calls;
	int64_t done, total;
	int backwards;
};

static void on_progress(int64_t done, int64_t total, void *ctx)
{
	struct progress *p = ctx;
	if (done < p->done)
		p->backwards++;
	p->calls++;
	p->done = done;
	p->total = total;
}

static struct cxm_store *main_s;
static int64_t main_tenant;
static struct cxm_demo_report main_report;
static struct progress main_progress;
static struct scan main_scan;

static int64_t default_end(void)
{
	int64_t end;
	assert_int_equal(cxm_time_parse("2026-10-31T23:59:59Z", 20, &end), 0);
	return end;
}

static int setup(void **state)
{
	struct cxm_demo_opts o = { .customers = N_CUSTOMERS, .seed = 7, .progress = on_progress,
				   .progress_ctx = &main_progress };
	(void)state;

	main_s = fresh(&main_tenant, 0);
	if (cxm_demo_generate(main_s, main_tenant, &o, &main_report)) {
		fprintf(stderr, "demo: %s\n", cxm_store_errmsg(main_s));
		return -1;
	}
	scan_tenant(main_s, main_tenant, &main_scan);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	scan_release(&main_scan);
	for (int i = 0; i < 3; i++)
		cJSON_Delete(fb_defs[i].tree);
	cxm_store_close(main_s);
	if (second_db[0]) {
		static const char *const suffixes[] = { "", "-wal", "-shm" };
		for (size_t k = 0; k < ARRAY_SIZE(suffixes); k++) {
			char path[320];
			snprintf(path, sizeof(path), "%s%s", second_db + strlen("sqlite:"), suffixes[k]);
			unlink(path);
		}
	}
	return 0;
}

static void feedback_follows_the_experience(void **state)
{
	const struct cxm_demo_report *r = &main_report;
	struct fb_scan f;
	struct inv_tally t = { 0 };
	struct cxm_response_counts rc;
	(void)state;

	fb_scan_tenant(main_s, main_tenant, &f);
	assert_int_equal(f.responses, r->responses);
	/* about one response per two or three customers, on all three surveys */
	assert_in_range(r->responses, N_CUSTOMERS / 4, N_CUSTOMERS);
	for (int i = 0; i < 3; i++)
		assert_true(f.by_survey[i] >= r->responses / 10);
	assert_int_equal(f.bad_answers, 0);
	assert_int_equal(f.no_event, 0);
	assert_int_equal(f.no_customer, 0);
	assert_int_equal(f.out_of_window, 0);
	assert_true(f.comments > r->responses / 4 && f.comments < r->responses);
	assert_true(f.en > r->responses / 10 && f.en < r->responses / 2);

	/* a bad delivery drags NPS down; an unresolved contact, CSAT */
	assert_true(f.nps_n[1] + f.nps_n[2] >= 10 && f.nps_n[4] + f.nps_n[5] >= 10);
	assert_true((double)(f.nps_sum[1] + f.nps_sum[2]) / (double)(f.nps_n[1] + f.nps_n[2]) + 2.0 <
		    (double)(f.nps_sum[4] + f.nps_sum[5]) / (double)(f.nps_n[4] + f.nps_n[5]));
	assert_true(f.csat_n[0] >= 10 && f.csat_n[1] >= 10);
	assert_true((double)f.csat_sum[0] / (double)f.csat_n[0] + 1.0 < (double)f.csat_sum[1] / (double)f.csat_n[1]);

	/* the delivery survey goes out by e-mail; every answer came through one */
	assert_int_equal(cxm_store_survey_invitation_counts(main_s, main_tenant, fb_defs[0].id, inv_count_row, &t), 0);
	assert_int_equal(t.total, r->invitations);
	assert_int_equal(t.answered, f.by_survey[0]);
	assert_true(t.opened >= t.answered && t.opened < t.total);
	assert_true(t.failed > 0 && t.failed < t.total / 10);
	assert_int_equal(cxm_store_survey_response_counts(main_s, main_tenant, fb_defs[0].id, &rc), 0);
	assert_int_equal(rc.total, f.by_survey[0]);
	assert_int_equal(rc.nps_answered, rc.promoters + rc.passives + rc.detractors);
	/* more promoters than detractors after deliveries, but not everyone */
	assert_true(rc.promoters > rc.detractors && rc.detractors > 0);
}

/* ---- cases ------------------------------------------------------------------ */

static void same_seed_same_data(void **state)
{
	struct cxm_demo_opts o = { .customers = N_CUSTOMERS, .seed = 7 };
	struct cxm_demo_report r;
	struct scan sc;
	int64_t tenant;
	struct cxm_store *s = fresh(&tenant, 1);
	(void)state;

	assert_int_equal(cxm_demo_generate(s, tenant, &o, &r), 0);
	scan_tenant(s, tenant, &sc);
	assert_int_equal(sc.events, main_scan.events);
	assert_true(sc.customer_digest == main_scan.customer_digest);
	assert_true(sc.event_digest == main_scan.event_digest);
	assert_int_equal(r.events, main_report.events);
	assert_int_equal(r.identities, main_report.identities);
	assert_int_equal(r.purchases, main_report.purchases);
	assert_int_equal(r.revenue_micros, main_report.revenue_micros);
	{
		struct fb_scan a, b;
		fb_scan_tenant(main_s, main_tenant, &a);
		fb_scan_tenant(s, tenant, &b);
		assert_int_equal(a.responses, b.responses);
		assert_true(a.digest == b.digest);
		assert_int_equal(r.responses, main_report.responses);
		assert_int_equal(r.invitations, main_report.invitations);
	}
	scan_release(&sc);
	cxm_store_close(s);
}

static void other_seed_other_data(void **state)
{
	struct cxm_demo_opts o = { .customers = N_CUSTOMERS, .seed = 8 };
	struct cxm_demo_report r;
	struct scan sc;
	int64_t tenant;
	struct cxm_store *s = fresh(&tenant, 0);
	(void)state;

	assert_int_equal(cxm_demo_generate(s, tenant, &o, &r), 0);
	scan_tenant(s, tenant, &sc);
	assert_int_equal(r.customers, N_CUSTOMERS);
	assert_true(sc.customer_digest != main_scan.customer_digest);
	assert_true(sc.event_digest != main_scan.event_digest);
	assert_true(r.revenue_micros != main_report.revenue_micros);
	scan_release(&sc);
	cxm_store_close(s);
}

static void counts_are_plausible(void **state)
{
	const struct cxm_demo_report *r = &main_report;
	struct cxm_stats st;
	(void)state;

	assert_int_equal(cxm_store_stats(main_s, main_tenant, &st), 0);
	assert_int_equal(r->customers, N_CUSTOMERS);
	assert_int_equal(st.customers, N_CUSTOMERS);
	assert_int_equal(st.events, r->events);
	assert_int_equal(st.identities, r->identities);
	assert_int_equal(st.users, r->users);
	assert_int_equal(st.org_units, r->org_units);
	assert_int_equal(st.memberships, r->memberships);
	assert_int_equal(main_scan.events, r->events);
	assert_int_equal(main_scan.purchases, r->purchases);

	/* 15-40 events a customer; every customer has an external id and most
	 * an email and a phone; some also a cookie */
	assert_in_range(r->events, 15 * N_CUSTOMERS, 40 * N_CUSTOMERS);
	assert_in_range(r->identities, 2 * N_CUSTOMERS, 4 * N_CUSTOMERS);
	assert_in_range(r->users, 25, 40);
	assert_in_range(r->org_units, 12, 20);
	/* every unit but the root is placed, every user has one or two */
	assert_in_range(r->memberships, r->org_units - 1 + r->users + 5, r->org_units - 1 + 2 * r->users);
	assert_in_range(r->purchases, N_CUSTOMERS, 5 * N_CUSTOMERS);
	assert_non_null(r->currency);
	assert_string_equal(r->currency, "EUR");
	/* electronics: a few hundred euros a purchase on average */
	assert_in_range(r->revenue_micros / r->purchases, 100 * 1000000LL, 1500 * 1000000LL);

	assert_true(main_progress.calls >= 1);
	assert_int_equal(main_progress.backwards, 0);
	assert_int_equal(main_progress.done, N_CUSTOMERS);
	assert_int_equal(main_progress.total, N_CUSTOMERS);
}

static void events_in_window_and_in_order(void **state)
{
	int64_t end = default_end();
	(void)state;

	assert_true(main_scan.min_ts >= end - 365 * DAY_US);
	assert_true(main_scan.max_ts < end);
	/* the year is used: something in its first and in its last week */
	assert_true(main_scan.min_ts < end - 358 * DAY_US);
	assert_true(main_scan.max_ts > end - 7 * DAY_US);
	assert_int_equal(main_scan.out_of_order, 0);
	assert_int_equal(main_scan.bad_json, 0);
}

struct months {
	int64_t n[13];
};

static int month_row(const struct cxm_count *c, void *ctx)
{
	struct months *m = ctx;
	int month = atoi(c->key + 5);
	if (month >= 1 && month <= 12)
		m->n[month] += c->n;
	return 0;
}

static void black_friday_and_christmas_are_busier(void **state)
{
	struct months m = { { 0 } };
	int64_t quiet;
	(void)state;

	assert_int_equal(cxm_store_event_counts(main_s, main_tenant, "month", month_row, &m), 0);
	quiet = (m.n[1] + m.n[2] + m.n[3] + m.n[4]) / 4;
	assert_true(m.n[11] * 10 > quiet * 13);
	assert_true(m.n[12] * 10 > quiet * 13);
}

struct history {
	int n;
	int64_t from[4], unit[4];
};

static int history_row(const struct cxm_membership *m, void *ctx)
{
	struct history *h = ctx;
	if (h->n < 4) {
		h->from[h->n] = m->valid_from;
		h->unit[h->n] = m->unit_id;
	}
	h->n++;
	return 0;
}

struct users {
	char name[40][48];
	char role[40][16];
	int64_t id[40];
	int n;
};

static int user_row(const struct cxm_user *u, void *ctx)
{
	struct users *us = ctx;
	assert_true(us->n < 40);
	snprintf(us->name[us->n], sizeof(us->name[0]), "%s", u->username);
	snprintf(us->role[us->n], sizeof(us->role[0]), "%s", u->role);
	us->id[us->n++] = u->id;
	return 0;
}

static void agents_move_during_the_year(void **state)
{
	struct users us = { .n = 0 };
	int agents = 0, movers = 0, roles[4] = { 0 };
	int64_t end = default_end();
	(void)state;

	assert_int_equal(cxm_store_user_list(main_s, main_tenant, user_row, &us), 0);
	for (int i = 0; i < us.n; i++) {
		struct history h = { 0 };
		int64_t before, after;

		roles[0] += !strcmp(us.role[i], "admin");
		roles[1] += !strcmp(us.role[i], "manager");
		roles[2] += !strcmp(us.role[i], "analyst");
		if (strcmp(us.role[i], "agent"))
			continue;
		agents++;
		assert_int_equal(cxm_store_membership_history(main_s, main_tenant, CXM_MEMBER_USER, us.id[i],
							       history_row, &h),
				 0);
		assert_in_range(h.n, 1, 2);
		if (h.n < 2)
			continue;
		movers++;
		/* moved inside the year: a unit on a day before and another after */
		assert_true(h.from[1] > end - 365 * DAY_US && h.from[1] < end);
		assert_int_equal(cxm_store_org_unit_of(main_s, main_tenant, CXM_MEMBER_USER, us.id[i],
						       h.from[1] - DAY_US, &before),
				 0);
		assert_int_equal(cxm_store_org_unit_of(main_s, main_tenant, CXM_MEMBER_USER, us.id[i],
						       h.from[1] + DAY_US, &after),
				 0);
		assert_true(before != after);
		assert_true(before == h.unit[0] && after == h.unit[1]);
	}
	assert_in_range(agents, 20, 35);
	assert_in_range(movers * 100 / agents, 15, 40); /* about a quarter */
	assert_true(roles[0] >= 1 && roles[1] >= 2 && roles[2] >= 1);
}

/* Every event an agent handled carries the unit the agent was in then. */
static void agent_events_carry_the_agents_unit(void **state)
{
	struct users us = { .n = 0 };
	int64_t team_events = 0, mismatches = 0;
	int moved_in_events = 0;
	(void)state;

	assert_int_equal(main_scan.store_without_unit, 0);
	assert_int_equal(main_scan.support_without_agent, 0);
	assert_int_equal(cxm_store_user_list(main_s, main_tenant, user_row, &us), 0);
	assert_true(main_scan.n_aev > 0);
	for (size_t i = 0; i < main_scan.n_aev; i++) {
		const struct agent_ev *a = &main_scan.aev[i];
		int64_t unit = 0;
		int k;
		for (k = 0; k < us.n && strcmp(us.name[k], a->agent); k++)
			;
		assert_true(k < us.n);
		assert_int_equal(cxm_store_org_unit_of(main_s, main_tenant, CXM_MEMBER_USER, us.id[k], a->ts, &unit), 0);
		mismatches += unit != a->unit;
		team_events += !strcmp(a->unit_kind, "team");
	}
	assert_int_equal(mismatches, 0);
	assert_true(team_events > N_CUSTOMERS / 10);
	/* and some agent's work shows up under two units */
	for (int k = 0; k < us.n && !moved_in_events; k++) {
		int64_t first = 0;
		for (size_t i = 0; i < main_scan.n_aev; i++) {
			const struct agent_ev *a = &main_scan.aev[i];
			if (strcmp(a->agent, us.name[k]))
				continue;
			if (!first)
				first = a->unit;
			else if (a->unit != first) {
				moved_in_events = 1;
				break;
			}
		}
	}
	assert_true(moved_in_events);
}

static void customers_look_real(void **state)
{
	const struct scan *sc = &main_scan;
	(void)state;

	assert_int_equal(sc->n_cust, N_CUSTOMERS);
	/* Spanish names with accents, English names, ~70/30 */
	assert_true(sc->accented > N_CUSTOMERS / 5);
	assert_true(sc->english_names > 0);
	assert_in_range(sc->lang_es * 100 / N_CUSTOMERS, 60, 80);
	assert_in_range(sc->lang_en * 100 / N_CUSTOMERS, 20, 40);
	assert_int_equal(sc->lang_es + sc->lang_en, N_CUSTOMERS);
	for (size_t i = 0; i < ARRAY_SIZE(sc->by_country); i++)
		assert_true(sc->by_country[i] > N_CUSTOMERS / 20);
	assert_int_equal(sc->bad_email, 0);
	assert_int_equal(sc->bad_phone, 0);
}

static void purchases_in_the_customers_currency(void **state)
{
	(void)state;
	assert_true(main_scan.purchases > 0);
	assert_int_equal(main_scan.bad_currency, 0);
	assert_int_equal(main_scan.bad_amount, 0);
}

static void second_run_conflicts(void **state)
{
	struct cxm_demo_opts o = { .customers = 10, .seed = 7 };
	struct cxm_demo_report r;
	struct cxm_stats before, after;
	(void)state;

	assert_int_equal(cxm_store_stats(main_s, main_tenant, &before), 0);
	assert_int_equal(cxm_demo_generate(main_s, main_tenant, &o, &r), CXM_ECONFLICT);
	assert_int_equal(cxm_store_stats(main_s, main_tenant, &after), 0);
	assert_memory_equal(&before, &after, sizeof(before));
	/* the store is still usable: no transaction was left open */
	assert_int_equal(cxm_store_begin(main_s), 0);
	assert_int_equal(cxm_store_rollback(main_s), 0);
}

static void end_date_moves_the_window(void **state)
{
	struct cxm_demo_opts o = { .customers = 300, .seed = 3 };
	struct cxm_demo_report r;
	struct scan sc;
	int64_t tenant, end;
	struct cxm_store *s = fresh(&tenant, 0);
	(void)state;

	assert_int_equal(cxm_time_parse("2025-06-30", 10, &end), 0);
	o.end_us = end;
	assert_int_equal(cxm_demo_generate(s, tenant, &o, &r), 0);
	scan_tenant(s, tenant, &sc);
	assert_int_equal(r.customers, 300);
	assert_true(sc.events > 300 * 10);
	assert_true(sc.min_ts >= end - 365 * DAY_US);
	assert_true(sc.max_ts < end);
	assert_int_equal(sc.out_of_order, 0);
	scan_release(&sc);
	cxm_store_close(s);
}

static void bad_options(void **state)
{
	struct cxm_demo_opts o = { .customers = -1 };
	struct cxm_stats st;
	int64_t tenant;
	struct cxm_store *s = fresh(&tenant, 0);
	(void)state;

	assert_int_equal(cxm_demo_generate(s, tenant, &o, NULL), CXM_EINVAL);
	o.customers = 100000000;
	assert_int_equal(cxm_demo_generate(s, tenant, &o, NULL), CXM_ETOOBIG);
	o.customers = 5;
	o.end_us = 1000;
	assert_int_equal(cxm_demo_generate(s, tenant, &o, NULL), CXM_EINVAL);
	o.end_us = 0;
	assert_int_equal(cxm_demo_generate(s, -1, &o, NULL), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_stats(s, tenant, &st), 0);
	assert_int_equal(st.customers + st.users + st.org_units + st.events, 0);
	cxm_store_close(s);
}

/* ---- the journeys and the relational survey ----------------------------------- */

#define MAX_JOURNEYS 2

struct jr_scan {
	int n;
	int64_t id[MAX_JOURNEYS], outcome[MAX_JOURNEYS];
	cJSON *tree[MAX_JOURNEYS];
	struct cxm_journey_def def[MAX_JOURNEYS];
	/* per journey and stage: which customers (by place in main_scan.cust) reached it */
	unsigned char *reached[MAX_JOURNEYS][CXM_JOURNEY_STAGES_MAX];
	int64_t late_in_entrega;  /* late deliveries that reached the retail Entrega stage */
	int64_t arrived_late, arrived_late_not_delivery;
	/* per customer, in (ts, id) order: the largest event id so far, whether
	 * that event is a delivery, whether it was found to have come late */
	int64_t *max_id;
	unsigned char *max_delivered, *max_late;
	int64_t *first_late;      /* per customer: the time of their first late delivery (0: none) */
};

static int journey_row(const struct cxm_journey_row *j, void *ctx)
{
	struct jr_scan *js = ctx;
	char field[96], why[300];
	int k = js->n++;
	const cJSON *o;

	assert_true(k < MAX_JOURNEYS);
	js->id[k] = j->id;
	js->tree[k] = cJSON_Parse(j->definition);
	assert_non_null(js->tree[k]);
	/* what the store keeps is a journey the model accepts */
	assert_int_equal(cxm_journey_check(js->tree[k], &js->def[k], field, sizeof(field), why, sizeof(why)), 0);
	o = cJSON_GetObjectItemCaseSensitive(js->tree[k], "outcome_survey_id");
	assert_true(cJSON_IsString(o));
	js->outcome[k] = strtoll(o->valuestring, NULL, 10);
	for (int st = 0; st < js->def[k].n_stages; st++)
		js->reached[k][st] = xcalloc(main_scan.n_cust, 1);
	return 0;
}

static int jr_event(const struct cxm_event *e, void *ctx)
{
	struct jr_scan *js = ctx;
	struct cust_info *ci = bsearch(&e->customer_id, main_scan.cust, main_scan.n_cust, sizeof(*main_scan.cust),
				       cmp_id);
	size_t c;
	bool late = strstr(e->properties, "\"on_time\":false") != NULL;

	assert_non_null(ci);
	c = (size_t)(ci - main_scan.cust);
	/* an event with a larger id before this one: that one was stored after it */
	if (e->id < js->max_id[c] && !js->max_late[c]) {
		js->max_late[c] = 1;
		js->arrived_late++;
		js->arrived_late_not_delivery += !js->max_delivered[c];
	}
	if (e->id > js->max_id[c]) {
		js->max_id[c] = e->id;
		js->max_delivered[c] = !strcmp(e->type, "delivery") && !strcmp(e->touchpoint, "delivered");
		js->max_late[c] = 0;
	}
	if (late && !js->first_late[c])
		js->first_late[c] = e->ts;
	for (int k = 0; k < js->n; k++) {
		const struct cxm_journey_def *d = &js->def[k];
		int tp = cxm_journey_match_event(d, e->type, e->channel, e->touchpoint, e->properties);
		if (tp < 0)
			continue;
		js->reached[k][d->tps[tp].stage][c] = 1;
		if (late && !strcmp(d->name, "Compra online") && !strcmp(d->stages[d->tps[tp].stage].key, "entrega"))
			js->late_in_entrega++;
	}
	return 0;
}

static int64_t jr_count(const struct jr_scan *js, int k, int stage)
{
	int64_t n = 0;

	for (size_t c = 0; c < main_scan.n_cust; c++)
		n += js->reached[k][stage][c];
	return n;
}

static void jr_scan_tenant(struct jr_scan *js)
{
	memset(js, 0, sizeof(*js));
	js->max_id = xcalloc(main_scan.n_cust, sizeof(*js->max_id));
	js->max_delivered = xcalloc(main_scan.n_cust, 1);
	js->max_late = xcalloc(main_scan.n_cust, 1);
	js->first_late = xcalloc(main_scan.n_cust, sizeof(*js->first_late));
	assert_int_equal(cxm_store_journey_list(main_s, main_tenant, true, 0, 0, journey_row, js), 0);
	assert_int_equal(cxm_store_event_scan(main_s, main_tenant, jr_event, js), 0);
}

static void jr_release(struct jr_scan *js)
{
	for (int k = 0; k < js->n; k++) {
		cJSON_Delete(js->tree[k]);
		for (int st = 0; st < js->def[k].n_stages; st++)
			free(js->reached[k][st]);
	}
	free(js->max_id);
	free(js->max_delivered);
	free(js->max_late);
	free(js->first_late);
}

static int64_t survey_id_cb_value;

static int survey_id_cb(const struct cxm_survey *sv, void *ctx)
{
	(void)ctx;
	survey_id_cb_value = sv->id;
	return 0;
}

static int64_t relational_survey(void)
{
	survey_id_cb_value = 0;
	assert_int_equal(cxm_store_survey_find(main_s, main_tenant, "NPS relacional", survey_id_cb, NULL), 0);
	return survey_id_cb_value;
}

/* The two journeys are stored, check, and their rules match the events the demo writes. */
static void journeys_match_the_demo_events(void **state)
{
	static const char *const retail[] = { "descubrimiento", "consideracion", "compra", "entrega",
					      "uso",		"postventa",	 "recomendacion" };
	static const char *const centre[] = { "contacto", "espera", "atencion", "resolucion", "seguimiento" };
	struct jr_scan js;
	int64_t rel = relational_survey(), prev = INT64_MAX;
	(void)state;

	jr_scan_tenant(&js);
	assert_int_equal(js.n, 2);
	assert_string_equal(js.def[0].name, "Compra online");
	assert_string_equal(js.def[1].name, "Atención al cliente");
	assert_int_equal(js.def[0].n_stages, (int)ARRAY_SIZE(retail));
	assert_int_equal(js.def[1].n_stages, (int)ARRAY_SIZE(centre));
	for (int k = 0; k < 2; k++) {
		assert_true(rel > 0);
		assert_true(js.outcome[k] == rel);
		assert_true(js.def[k].outcome_survey_id == rel);
	}
	/* every stage is reached, by a fair number of customers */
	for (size_t st = 0; st < ARRAY_SIZE(retail); st++) {
		int64_t n = jr_count(&js, 0, (int)st);
		assert_string_equal(js.def[0].stages[st].key, retail[st]);
		assert_true(n >= N_CUSTOMERS / 20);
		/* from the purchase on, fewer customers at each stage */
		if (st >= 2) {
			assert_true(n < prev);
			prev = n;
		} else {
			prev = n < prev ? n : prev;
		}
	}
	for (size_t st = 0; st < ARRAY_SIZE(centre); st++) {
		assert_string_equal(js.def[1].stages[st].key, centre[st]);
		assert_true(jr_count(&js, 1, (int)st) >= N_CUSTOMERS / 20);
	}
	/* what ingest kept (late arrivals included) is what the events say:
	 * per stage, the customers who reached it */
	for (int k = 0; k < 2; k++) {
		struct cxm_journey_flow fl;
		assert_int_equal(cxm_store_journey_flow(main_s, main_tenant, js.id[k], 0, INT32_MAX, NULL, INT32_MAX,
							&fl),
				 0);
		assert_int_equal(fl.version, 1);
		for (int st = 0; st < js.def[k].n_stages; st++)
			assert_int_equal(fl.reached[cxm_journey_stage_node(st)], jr_count(&js, k, st));
	}
	/* unresolved cases are followed up: fewer than were closed */
	assert_true(jr_count(&js, 1, 4) < jr_count(&js, 1, 3));
	/* Entrega has its late deliveries */
	assert_true(js.late_in_entrega >= N_CUSTOMERS / 50);
	/* a few deliveries were stored after later events of their customer, and nothing else was */
	assert_true(js.arrived_late >= 10);
	assert_int_equal(js.arrived_late_not_delivery, 0);
	jr_release(&js);
}

struct rel_tally {
	struct jr_scan *js;
	int64_t n[2], promoters[2], detractors[2], comments, bad;
};

static int rel_row(const struct cxm_response *r, void *ctx)
{
	struct rel_tally *t = ctx;
	struct cust_info *ci = bsearch(&r->customer_id, main_scan.cust, main_scan.n_cust, sizeof(*main_scan.cust),
				       cmp_id);
	int late;

	assert_non_null(ci);
	/* late: a late delivery in the half year before the answer */
	late = t->js->first_late[ci - main_scan.cust] && t->js->first_late[ci - main_scan.cust] <= r->ts &&
	       t->js->first_late[ci - main_scan.cust] > r->ts - 180 * DAY_US;
	t->bad += r->nps < 0 || r->nps > 10 || r->event_id != 0 || strcmp(r->channel, "email") || !r->complete;
	t->n[late]++;
	t->promoters[late] += r->nps >= 9;
	t->detractors[late] += r->nps <= 6;
	t->comments += r->comment != NULL;
	return 0;
}

/* The relational survey's NPS follows what customers went through: a late
 * delivery costs a clear gap. */
static void relational_nps_follows_the_journey(void **state)
{
	struct jr_scan js;
	struct rel_tally t = { 0 };
	struct inv_tally inv = { 0 };
	int64_t rel = relational_survey();
	double nps[2];
	(void)state;

	jr_scan_tenant(&js);
	t.js = &js;
	assert_int_equal(cxm_store_response_page(main_s, main_tenant, rel, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX,
						 1000000, rel_row, &t),
			 0);
	assert_int_equal(t.bad, 0);
	assert_int_equal(t.n[0] + t.n[1], main_report.relational_responses);
	assert_true(main_report.relational_responses >= N_CUSTOMERS / 10);
	assert_true(t.n[1] >= 30 && t.n[0] >= 30);
	for (int i = 0; i < 2; i++)
		nps[i] = 100.0 * (double)(t.promoters[i] - t.detractors[i]) / (double)t.n[i];
	assert_true(nps[0] - nps[1] >= 25.0);
	assert_true(t.comments > (t.n[0] + t.n[1]) / 4);
	/* asked by e-mail, with the statuses an e-mail invitation goes through */
	assert_int_equal(cxm_store_survey_invitation_counts(main_s, main_tenant, rel, inv_count_row, &inv), 0);
	assert_int_equal(inv.total, main_report.relational_invitations);
	assert_int_equal(inv.answered, t.n[0] + t.n[1]);
	assert_true(inv.failed > 0 && inv.opened > inv.answered);
	jr_release(&js);
}

/*
 * The relational NPS is best predicted by how the delivery went: in the
 * retail journey Entrega is a moment of truth, and every touchpoint rated
 * by enough customers to be analysed is in Entrega or Postventa (the support
 * line and the chat are rated within the window before a relational answer
 * by fewer than CXM_MOMENTS_MIN_PAIRS customers: docs/demo.md).
 */
static void moments_of_truth_are_delivery_and_support(void **state)
{
	struct jr_scan js;
	struct cxm_moments_report mr;
	char field[96], why[300];
	bool entrega = false;
	(void)state;

	jr_scan_tenant(&js);
	assert_string_equal(js.def[0].name, "Compra online");
	assert_int_equal(cxm_moments_report(main_s, main_tenant, &js.def[0], 0, CXM_TIME_MAX, NULL, &mr, field,
					    sizeof(field), why, sizeof(why)),
			 0);
	assert_true(mr.m.customers >= N_CUSTOMERS / 10);
	assert_true(mr.m.analysed >= 1);
	for (size_t j = 0; j < mr.m.k; j++) {
		const struct cxm_moment *m = &mr.m.m[j];
		const struct cxm_journey_touchpoint *tp = &js.def[0].tps[mr.tp[j]];
		const char *stage = js.def[0].stages[tp->stage].key;
		if (m->reason != CXM_MOMENT_IN)
			continue;
		assert_true(!strcmp(stage, "entrega") || !strcmp(stage, "postventa"));
		if (!strcmp(tp->key, "entregado")) {
			entrega = true;
			assert_true(m->top);
			assert_true(m->corr > 0.2);
		}
	}
	assert_true(entrega);
	jr_release(&js);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_seed_same_data),
		cmocka_unit_test(other_seed_other_data),
		cmocka_unit_test(counts_are_plausible),
		cmocka_unit_test(feedback_follows_the_experience),
		cmocka_unit_test(events_in_window_and_in_order),
		cmocka_unit_test(black_friday_and_christmas_are_busier),
		cmocka_unit_test(agents_move_during_the_year),
		cmocka_unit_test(agent_events_carry_the_agents_unit),
		cmocka_unit_test(customers_look_real),
		cmocka_unit_test(purchases_in_the_customers_currency),
		cmocka_unit_test(second_run_conflicts),
		cmocka_unit_test(end_date_moves_the_window),
		cmocka_unit_test(bad_options),
		cmocka_unit_test(journeys_match_the_demo_events),
		cmocka_unit_test(relational_nps_follows_the_journey),
		cmocka_unit_test(moments_of_truth_are_delivery_and_support),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
