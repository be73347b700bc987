/*
 * scheduler.c - triggers at work in `cxm serve`: events_put_live() stores
 * live events and schedules what they fire in the same transaction, and
 * the scheduler thread turns each scheduled invitation into an invitation
 * once it is due.
 *
 * The thread looks (a read handle, one indexed query) when woken after a
 * commit that scheduled something and at least every POLL_MS; when a row
 * is due, a writer job claims a few (a lease, so other nodes leave them
 * alone), and one writer job per row checks the trigger, the survey, the
 * customer's consent, exclusions and contact fatigue again and either
 * creates the invitation (an e-mail queued in the outbox with it, or a
 * "web" invitation for the widget) and marks the row sent, or marks it
 * skipped with the reason. Only the holder of the lease can mark a row, so
 * two nodes never both invite. A row whose job keeps failing is given up
 * (failed) after MAX_ATTEMPTS claims.
 *
 * The same thread retrains the tenants' text models (docs/text.md,
 * "Learning from the tenant's feedback"): every --text-retrain-s it asks
 * cxm_text_model_due of each tenant on a read handle and trains those due,
 * off the request path: the fit on this thread with a read handle, then
 * a short writer job each that stores the model. A tenant whose training
 * a request started is skipped, and fits wait for a slot
 * (CXM_TEXT_FITS_MAX in the process, src/text/train.c).
 *
 * And it backfills the analysis of responses stored before their texts
 * were analysed (docs/text.md "The backfill"): a few writer jobs of
 * BACKFILL_BATCH responses a tick, walking every tenant once after the
 * server starts.
 *
 * And it builds journeys created or changed for the customers already
 * there (cxm_store_journey_build_step): a writer job of BUILD_BATCH
 * customers a tick while any tenant has a build pending.
 */
#include "http-internal.h"
#include "cxm/id.h"
#include "cxm/time.h"
#include "cxm/textstore.h"
#include "cxm/triggers.h"

#define POLL_MS 1000
#define CLAIM_MAX 32
#define MAX_ATTEMPTS 5
#define LEASE_US ((int64_t)60 * 1000000) /* far longer than one job takes */
#define INVITATION_DAYS 30                /* as a personal link made by the API */

struct scheduler {
	struct server *srv;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int woken, stop;
	int64_t next_retrain; /* when the text models are next checked */
	/* the backfill of texts never analysed: where it is, once per process */
	int64_t backfill_tenant, backfill_after;
	bool backfill_done;
	/* a journey build was left pending at the last tick */
	bool building;
	int64_t build_tenant; /* the tenant built last: the next tick takes the next one */
};

int events_put_live(struct cxm_store *db, struct server *srv, int64_t tenant, struct cxm_event *ev, size_t n,
		    size_t *n_inserted, size_t *scheduled)
{
	unsigned char *inserted = xcalloc(n ? n : 1, 1);
	int ret = cxm_store_events_put(db, tenant, ev, n, inserted, n_inserted);

	if (!ret)
		ret = cxm_triggers_schedule(db, srv->triggers, tenant, ev, inserted, n, cxm_now_us(), scheduled);
	free(inserted);
	return ret;
}

/* ---- one due row ---------------------------------------------------------------- */

struct due_row {
	struct cxm_scheduled sc;
	struct due_row *next;
};

struct claim_job {
	struct wjob job;
	int64_t lease;
	struct due_row *got;
};

static int claim_cb(const struct cxm_scheduled *sc, void *ctx)
{
	struct claim_job *c = ctx;
	struct due_row *d = xcalloc(1, sizeof(*d));

	d->sc = *sc;
	d->sc.status = d->sc.reason = NULL; /* borrowed: not kept */
	d->next = c->got;
	c->got = d;
	return 0;
}

static void free_rows(struct due_row *d)
{
	for (struct due_row *next; d; d = next) {
		next = d->next;
		free(d);
	}
}

static int claim_run(struct cxm_store *db, struct wjob *j)
{
	struct claim_job *c = j->ctx;
	int64_t now = cxm_now_us();
	int ret;

	c->lease = now + LEASE_US;
	if ((ret = cxm_store_scheduled_claim(db, now, c->lease, CLAIM_MAX, claim_cb, c, NULL))) {
		free_rows(c->got); /* rolled back: forget them */
		c->got = NULL;
	}
	return ret;
}

struct work {
	struct wjob job;
	struct server *srv;
	const struct cxm_scheduled *sc;
	int64_t lease;
	const char *outcome; /* what happened, for the log */
	bool emailed;
};

struct facts {
	bool active;
	char channel[16];
	char survey_status[16];
	bool anonymous;
	int64_t merged_into;
	char email[256];
	int consent;
};

static int trigger_cb(const struct cxm_trigger *t, void *ctx)
{
	struct facts *f = ctx;

	f->active = t->active;
	cxm_strlcpy(f->channel, t->channel, sizeof(f->channel));
	return 0;
}

static int survey_cb(const struct cxm_survey *sv, void *ctx)
{
	struct facts *f = ctx;

	cxm_strlcpy(f->survey_status, sv->status, sizeof(f->survey_status));
	f->anonymous = anon_survey(sv->definition);
	return 0;
}

static int customer_cb(const struct cxm_customer *c, void *ctx)
{
	struct facts *f = ctx;

	f->merged_into = c->merged_into;
	cxm_strlcpy(f->email, c->email ? c->email : "", sizeof(f->email));
	f->consent = c->consent[CXM_CONSENT_EMAIL];
	return 0;
}

/* Marks the row skipped for reason. */
static int skip(struct cxm_store *db, struct work *w, const char *reason)
{
	w->outcome = reason;
	return cxm_store_scheduled_finish(db, w->sc->tenant_id, w->sc->id, w->lease, "skipped", reason, 0);
}

static int work_run(struct cxm_store *db, struct wjob *j)
{
	struct work *w = j->ctx;
	const struct cxm_scheduled *sc = w->sc;
	int64_t tenant = sc->tenant_id, customer = sc->customer_id, now = cxm_now_us(), inv_id, expires;
	struct facts f;
	struct cxm_contact contact;
	char token[160];
	int ret, refused = 0;
	const char *field = NULL;

	memset(&f, 0, sizeof(f));
	if (sc->attempts > MAX_ATTEMPTS) {
		w->outcome = "error";
		return cxm_store_scheduled_finish(db, tenant, sc->id, w->lease, "failed", "error", 0);
	}
	ret = cxm_store_trigger_get(db, tenant, sc->trigger_id, trigger_cb, &f);
	if (ret == CXM_ENOTFOUND)
		return 0; /* deleted with its rows meanwhile */
	if (ret)
		return ret;
	if (!f.active)
		return skip(db, w, "inactive");
	if (sc->due_at < now - CXM_TRIGGER_STALE_S * 1000000)
		return skip(db, w, "stale");
	ret = cxm_store_survey_get(db, tenant, sc->survey_id, 0, survey_cb, &f);
	if (ret && ret != CXM_ENOTFOUND)
		return ret;
	if (ret || strcmp(f.survey_status, "live"))
		return skip(db, w, "survey_not_live");
	if (f.anonymous)
		return skip(db, w, "anonymous"); /* made anonymous since: it invites nobody */
	ret = cxm_store_customer_get(db, tenant, customer, customer_cb, &f);
	if (!ret && f.merged_into) {
		/* the customer was merged since: invite the survivor */
		customer = f.merged_into;
		ret = cxm_store_customer_get(db, tenant, customer, customer_cb, &f);
	}
	if (ret == CXM_ENOTFOUND)
		return skip(db, w, "no_customer");
	if (ret)
		return ret;
	if (!strcmp(f.channel, "email")) {
		if (f.consent == CXM_CONSENT_DENIED)
			return skip(db, w, "no_consent");
		if (!f.email[0] || strpbrk(f.email, "\r\n<>,; "))
			return skip(db, w, "no_email");
	}
	if ((ret = cxm_contact_check(db, tenant, customer, now, &contact)))
		return ret;
	if (contact.verdict == CXM_CONTACT_EXCLUDED)
		return skip(db, w, "excluded");
	if (contact.verdict == CXM_CONTACT_FATIGUE)
		return skip(db, w, "fatigue");

	/* the invitation, as POST /api/v1/surveys/{id}/invitations makes it */
	expires = now / 1000000 + (int64_t)INVITATION_DAYS * 86400;
	struct cxm_invitation inv = { .id = cxm_id_next(), .survey_id = sc->survey_id, .customer_id = customer,
				      .channel = f.channel, .expires_at = expires * 1000000 };
	if ((ret = cxm_store_invitation_add(db, tenant, &inv, &inv_id)))
		return ret;
	if (!strcmp(f.channel, "email")) {
		if ((ret = link_token_make(db, tenant, inv_id, expires * 1000000, token, sizeof(token))) ||
		    (ret = email_queue(db, w->srv, tenant, customer, NULL, inv_id, token, &refused, &field)))
			return ret; /* a refusal checked above cannot happen: undone, tried again */
		w->emailed = true;
	}
	w->outcome = "sent";
	return cxm_store_scheduled_finish(db, tenant, sc->id, w->lease, "sent", NULL, inv_id);
}

/* ---- the thread -------------------------------------------------------------------- */

/* True when a row is due now; *next gets when the next one is (0: none). */
static bool look(struct scheduler *s, int64_t *next)
{
	char err[256];
	struct cxm_store *db = pool_get(s->srv, err, sizeof(err));
	bool due = false;

	*next = 0;
	if (!db)
		return false;
	if (!cxm_store_scheduled_next_due(db, next))
		due = *next && *next <= cxm_now_us();
	pool_put(s->srv, db);
	return due;
}

static void run_due(struct scheduler *s)
{
	struct claim_job c = { .got = NULL };
	bool emailed = false;
	int ret;

	c.job = (struct wjob){ .run = claim_run, .ctx = &c, .lang = CXM_LANG_EN };
	if (writer_run(s->srv->writer, &c.job)) {
		free_rows(c.got); /* the commit failed: nothing was claimed */
		return;
	}
	for (struct due_row *d = c.got; d; d = d->next) {
		struct work w = { .srv = s->srv, .sc = &d->sc, .lease = c.lease };
		w.job = (struct wjob){ .run = work_run, .ctx = &w, .lang = CXM_LANG_EN };
		ret = writer_run(s->srv->writer, &w.job);
		if (!ret && w.emailed)
			emailed = true;
		if (!ret && w.outcome)
			atomic_fetch_add(!strcmp(w.outcome, "sent")	   ? &s->srv->metrics.triggers_sent
					 : !strcmp(w.outcome, "error") ? &s->srv->metrics.triggers_failed
								       : &s->srv->metrics.triggers_skipped,
					 1);
		if (!s->srv->o.quiet || ret)
			log_line(s->srv, "{\"event\":\"trigger\",\"scheduled\":%lld,\"outcome\":\"%s\",\"store_error\":%d}",
				 (long long)d->sc.id, ret ? "retry" : w.outcome ? w.outcome : "gone", ret);
	}
	free_rows(c.got);
	if (emailed)
		sender_wake(s->srv->sender);
}

/* ---- the text models ---------------------------------------------------------- */

#define TENANT_BATCH 100

struct train_job {
	struct wjob job;
	int64_t tenant;
	struct cxm_text_fit fit;
};

static int train_run(struct cxm_store *db, struct wjob *j)
{
	struct train_job *t = j->ctx;

	return cxm_text_train_save(db, t->tenant, &t->fit);
}

/* Trains the models of the tenants that are due, one writer job each. */
static void retrain_due(struct scheduler *s)
{
	int64_t ids[TENANT_BATCH], due[TENANT_BATCH], after = INT64_MIN;
	size_t n, ndue;
	char err[256];

	do {
		struct cxm_store *db = pool_get(s->srv, err, sizeof(err));
		bool d;

		if (!db)
			return;
		ndue = 0;
		if (cxm_store_text_model_tenants(db, after, TENANT_BATCH, ids, &n))
			n = 0;
		for (size_t i = 0; i < n; i++)
			if (!cxm_text_model_due(db, ids[i], &d) && d)
				due[ndue++] = ids[i];
		for (size_t i = 0; i < ndue; i++) {
			struct train_job t = { .tenant = due[i] };
			int ret;

			/* a training asked for meanwhile is running: it is the one */
			if (!cxm_text_train_claim(t.tenant, false))
				continue;
			/* the fit here, on the read handle (this thread's only
			 * one, so waiting for a slot with it is fine): the writer
			 * only stores */
			cxm_text_fit_slot_take();
			ret = cxm_text_train_fit(db, t.tenant, &t.fit);
			cxm_text_fit_slot_give();
			if (!ret) {
				t.job = (struct wjob){ .run = train_run, .ctx = &t, .lang = CXM_LANG_EN };
				ret = writer_run(s->srv->writer, &t.job);
			}
			cxm_text_train_unclaim(t.tenant, false);
			if (!s->srv->o.quiet || ret)
				log_line(s->srv,
					 "{\"event\":\"text_model\",\"tenant\":%lld,\"trained\":%s,\"labelled\":%lld,"
					 "\"store_error\":%d}",
					 (long long)t.tenant, t.fit.res.trained ? "true" : "false",
					 (long long)t.fit.res.labelled, ret);
			cxm_text_fit_release(&t.fit);
		}
		pool_put(s->srv, db);
		if (n)
			after = ids[n - 1];
	} while (n == TENANT_BATCH);
}

/* ---- the backfill of texts never analysed ---------------------------------------- */

#define BACKFILL_BATCH 50 /* responses per writer job */
#define BACKFILL_JOBS 2   /* writer jobs per tick: live traffic goes between them */

struct backfill_job {
	struct wjob job;
	int64_t tenant, after, analysed;
	size_t read;
};

static int backfill_run(struct cxm_store *db, struct wjob *j)
{
	struct backfill_job *b = j->ctx;

	return cxm_text_backfill(db, b->tenant, &b->after, BACKFILL_BATCH, &b->read, &b->analysed);
}

/* Moves the backfill to the next tenant: 1, or 0 when there is none (the
 * backfill is done), or -1 when the store could not say (again later). */
static int backfill_next_tenant(struct scheduler *s)
{
	char err[256];
	struct cxm_store *db = pool_get(s->srv, err, sizeof(err));
	int64_t id;
	size_t n = 0;
	int ret;

	if (!db)
		return -1;
	ret = cxm_store_text_model_tenants(db, s->backfill_tenant, 1, &id, &n);
	pool_put(s->srv, db);
	if (ret)
		return -1;
	if (!n) {
		s->backfill_done = true;
		return 0;
	}
	s->backfill_tenant = id;
	s->backfill_after = INT64_MIN;
	return 1;
}

/*
 * A few small writer jobs that analyse responses stored before their texts
 * were (docs/text.md "The backfill"), walking the tenants once per process
 * start; a job that fails is tried again at the next tick.
 */
static void backfill(struct scheduler *s)
{
	for (int k = 0; k < BACKFILL_JOBS && !s->backfill_done; k++) {
		struct backfill_job b = { .tenant = s->backfill_tenant, .after = s->backfill_after };
		int ret;

		if (b.tenant == INT64_MIN) {
			if (backfill_next_tenant(s) < 0)
				return;
			continue;
		}
		b.job = (struct wjob){ .run = backfill_run, .ctx = &b, .lang = CXM_LANG_EN };
		if ((ret = writer_run(s->srv->writer, &b.job))) {
			log_line(s->srv, "{\"event\":\"text_backfill\",\"tenant\":%lld,\"store_error\":%d}",
				 (long long)b.tenant, ret);
			return;
		}
		if (b.analysed && !s->srv->o.quiet)
			log_line(s->srv, "{\"event\":\"text_backfill\",\"tenant\":%lld,\"analysed\":%lld}",
				 (long long)b.tenant, (long long)b.analysed);
		s->backfill_after = b.after;
		if (b.read < BACKFILL_BATCH && backfill_next_tenant(s) < 0)
			return;
	}
}

/* ---- journey builds ---------------------------------------------------------------- */

#define BUILD_BATCH 500 /* customers per writer job */

struct build_job {
	struct wjob job;
	int64_t tenant;
	bool pending;
};

static int build_run(struct cxm_store *db, struct wjob *j)
{
	struct build_job *b = j->ctx;

	return cxm_store_journey_build_step(db, b->tenant, BUILD_BATCH, &b->pending);
}

/* One writer job of the next tenant with a journey build pending (in turn,
 * so one big build does not starve the others); soon again only while
 * work is left. */
static void build_journeys(struct scheduler *s)
{
	char err[256];
	struct cxm_store *db = pool_get(s->srv, err, sizeof(err));
	struct build_job b = { .tenant = s->build_tenant };
	bool found = false;
	int ret;

	s->building = false;
	if (!db)
		return;
	ret = cxm_store_journey_building(db, &b.tenant, &found);
	pool_put(s->srv, db);
	if (ret || !found)
		return;
	b.job = (struct wjob){ .run = build_run, .ctx = &b, .lang = CXM_LANG_EN };
	if ((ret = writer_run(s->srv->writer, &b.job))) {
		log_line(s->srv, "{\"event\":\"journey_build\",\"tenant\":%lld,\"store_error\":%d}",
			 (long long)b.tenant, ret);
		return;
	}
	s->build_tenant = b.tenant;
	s->building = b.pending; /* look again soon: this or another tenant */
}

static void *scheduler_main(void *arg)
{
	struct scheduler *s = arg;

	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		int64_t next = 0, now, wait_us;
		struct timespec ts;

		s->woken = 0;
		pthread_mutex_unlock(&s->mu);
		if (look(s, &next))
			run_due(s);
		if (!s->backfill_done)
			backfill(s);
		build_journeys(s);
		idem_purge(s->srv);
		now = cxm_now_us();
		if (now >= s->next_retrain) {
			retrain_due(s);
			now = cxm_now_us();
			s->next_retrain = now + (int64_t)s->srv->o.text_retrain_s * 1000000;
		}
		wait_us = (int64_t)POLL_MS * 1000;
		if (next > now && next - now < wait_us)
			wait_us = next - now;
		if ((next && next <= now) || !s->backfill_done || s->building)
			wait_us = 50 * 1000; /* more are due: a short breath, then again */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)(wait_us / 1000000);
		ts.tv_nsec += (long)(wait_us % 1000000) * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&s->mu);
		while (!s->stop && !s->woken)
			if (pthread_cond_timedwait(&s->cv, &s->mu, &ts))
				break;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void scheduler_start(struct server *srv, struct scheduler **out)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));

	s->srv = srv;
	/* the first check after one interval, not while the server starts */
	s->next_retrain = cxm_now_us() + (int64_t)srv->o.text_retrain_s * 1000000;
	s->backfill_tenant = INT64_MIN;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->thread, NULL, scheduler_main, s))
		BUG("cannot start the trigger scheduler thread");
	*out = s;
}

void scheduler_wake(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->woken = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void scheduler_stop(struct scheduler *s)
{
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
