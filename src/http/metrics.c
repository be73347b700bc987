/*
 * metrics.c - counters for /metrics (Prometheus text format 0.0.4):
 * requests by route and status, request latency, events ingested, commit
 * latency and writer queue depth. Lock-free: atomics only.
 */
#include "http-internal.h"
#include "cxm/textstore.h"

const double lat_bounds[LAT_BUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
					 0.05,	 0.1,	0.25,	0.5,   1,    5 };

/* The status codes cxm answers with get a slot each; the last is "other". */
static const int status_codes[STATUS_SLOTS - 1] = { 200, 201, 202, 204, 301, 304, 400, 401, 403, 404, 405,
						     408, 409, 413, 415, 422, 429, 499, 500, 503, 0,   0,   0 };

static int status_slot(int status)
{
	for (int i = 0; i < STATUS_SLOTS - 1; i++)
		if (status_codes[i] == status)
			return i;
	return STATUS_SLOTS - 1;
}

void histogram_add(struct histogram *h, int64_t us)
{
	double s = (double)us / 1e6;
	int i = 0;

	while (i < LAT_BUCKETS && s > lat_bounds[i])
		i++;
	atomic_fetch_add(&h->bucket[i], 1);
	atomic_fetch_add(&h->count, 1);
	atomic_fetch_add(&h->sum_us, (uint_fast64_t)(us > 0 ? us : 0));
}

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->requests = xcalloc((routes_n + 1) * STATUS_SLOTS, sizeof(*m->requests));
}

void metrics_release(struct metrics *m)
{
	free((void *)m->requests);
	m->requests = NULL;
}

void metrics_request(struct metrics *m, const struct route *rt, int status, int64_t us)
{
	size_t ri = rt ? (size_t)(rt - routes) : routes_n;

	atomic_fetch_add(&m->requests[ri * STATUS_SLOTS + (size_t)status_slot(status)], 1);
	histogram_add(&m->latency, us);
}

static void histogram_render(struct cxm_buf *b, const char *name, const char *help, struct histogram *h)
{
	uint_fast64_t cum = 0;

	cxm_buf_addf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (int i = 0; i <= LAT_BUCKETS; i++) {
		cum += atomic_load(&h->bucket[i]);
		if (i < LAT_BUCKETS)
			cxm_buf_addf(b, "%s_bucket{le=\"%g\"} %llu\n", name, lat_bounds[i], (unsigned long long)cum);
		else
			cxm_buf_addf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
	}
	cxm_buf_addf(b, "%s_sum %.6f\n%s_count %llu\n", name, (double)atomic_load(&h->sum_us) / 1e6, name,
		     (unsigned long long)atomic_load(&h->count));
}

static void counter(struct cxm_buf *b, const char *name, const char *help, uint_fast64_t v)
{
	cxm_buf_addf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, (unsigned long long)v);
}

void metrics_render(struct server *srv, struct cxm_buf *b)
{
	struct metrics *m = &srv->metrics;

	cxm_buf_addstr(b, "# HELP cxm_http_requests_total HTTP requests answered, by route and status.\n"
			  "# TYPE cxm_http_requests_total counter\n");
	for (size_t ri = 0; ri <= routes_n; ri++) {
		for (int si = 0; si < STATUS_SLOTS; si++) {
			uint_fast64_t v = atomic_load(&m->requests[ri * STATUS_SLOTS + (size_t)si]);
			if (!v)
				continue;
			char status[8];
			if (si < STATUS_SLOTS - 1 && status_codes[si])
				snprintf(status, sizeof(status), "%d", status_codes[si]);
			else
				cxm_strlcpy(status, "other", sizeof(status));
			cxm_buf_addf(b, "cxm_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
				     ri < routes_n ? routes[ri].method : "", ri < routes_n ? routes[ri].pattern : "none",
				     status, (unsigned long long)v);
		}
	}
	histogram_render(b, "cxm_http_request_duration_seconds", "Time from request start to answer.",
			 &m->latency);
	counter(b, "cxm_events_ingested_total", "Events stored through the API.", atomic_load(&m->events_ingested));
	counter(b, "cxm_events_duplicate_total", "Events received again and not stored twice.",
		atomic_load(&m->events_duplicate));
	counter(b, "cxm_customers_written_total", "Customers created or updated through the API.",
		atomic_load(&m->customers_written));
	counter(b, "cxm_commits_total", "Group commits of the writer.", atomic_load(&m->commits));
	counter(b, "cxm_commit_failures_total", "Group commits that failed (their requests got 5xx).",
		atomic_load(&m->commit_failures));
	counter(b, "cxm_emails_sent_total", "E-mails accepted by the SMTP server.", atomic_load(&m->emails_sent));
	counter(b, "cxm_email_attempts_failed_total", "E-mail deliveries that failed and will be tried again.",
		atomic_load(&m->emails_retried));
	counter(b, "cxm_emails_failed_total", "E-mails given up after their last attempt.", atomic_load(&m->emails_failed));
	cxm_buf_addf(b, "# HELP cxm_emails_queued E-mails waiting in the outbox.\n"
			"# TYPE cxm_emails_queued gauge\ncxm_emails_queued %lld\n",
		     (long long)atomic_load(&m->emails_queued));
	histogram_render(b, "cxm_commit_duration_seconds", "Time of one group commit, from BEGIN to COMMIT.",
			 &m->commit);
	cxm_buf_addf(b, "# HELP cxm_writer_queue_depth Write jobs waiting for the writer.\n"
			"# TYPE cxm_writer_queue_depth gauge\ncxm_writer_queue_depth %zu\n",
		     writer_queue_depth(srv->writer));
	cxm_buf_addf(b, "# HELP cxm_http_in_flight Requests being served.\n"
			"# TYPE cxm_http_in_flight gauge\ncxm_http_in_flight %d\n",
		     atomic_load(&srv->inflight));
	counter(b, "cxm_idempotent_replays_total", "Stored answers to an Idempotency-Key given again.",
		atomic_load(&m->idempotent_replays));
	counter(b, "cxm_idempotency_keys_purged_total", "Stored answers to Idempotency-Keys deleted after their TTL.",
		atomic_load(&m->idempotency_purged));
	counter(b, "cxm_invitations_scheduled_total", "Invitations that live events scheduled through triggers.",
		atomic_load(&m->triggers_scheduled));
	cxm_buf_addf(b, "# HELP cxm_scheduled_invitations_total Scheduled invitations this server dealt with, by outcome.\n"
			"# TYPE cxm_scheduled_invitations_total counter\n"
			"cxm_scheduled_invitations_total{outcome=\"sent\"} %llu\n"
			"cxm_scheduled_invitations_total{outcome=\"skipped\"} %llu\n"
			"cxm_scheduled_invitations_total{outcome=\"failed\"} %llu\n",
		     (unsigned long long)atomic_load(&m->triggers_sent),
		     (unsigned long long)atomic_load(&m->triggers_skipped),
		     (unsigned long long)atomic_load(&m->triggers_failed));
	unsigned fits;
	uint64_t waited;
	cxm_text_train_counts(&fits, &waited);
	cxm_buf_addf(b, "# HELP cxm_text_fits_running Text model fits running now.\n"
			"# TYPE cxm_text_fits_running gauge\ncxm_text_fits_running %u\n",
		     fits);
	counter(b, "cxm_text_fits_waited_total", "Text model fits that waited for a fit slot.", waited);
}
