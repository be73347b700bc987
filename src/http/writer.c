/*
 * writer.c - the one thread that writes. Requests queue jobs; the writer
 * takes every job that arrived while the previous commit ran, runs them in
 * one transaction (each under a savepoint, so a job that fails is undone
 * alone) and commits once: a group commit. Only then are the requests
 * answered, so a 2xx always means committed. On SQLite this is also the
 * only way to write without waiting on the database lock.
 */
#include "http-internal.h"
#include "cxm/time.h"

/* Tenants whose recent events wait to join the customer timeline index
 * (store.h, cxm_store_timeline_flush). The writer flushes a chunk after a
 * group when nothing else is queued, and also under load once a tail is
 * long, so reading a timeline never has to scan more than about that. */
#define FLUSH_CHUNK 2000
#define TAIL_MAX 50000
#define MAX_TAILS 64

struct tail {
	int64_t tenant;
	int64_t pending;
};

struct writer {
	struct server *srv;
	struct cxm_store *db;
	struct tail tails[MAX_TAILS]; /* only the writer thread touches them */
	size_t ntails;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *head, *tail;
	size_t depth;
	int stop;
};

#define GROUP_MAX 4096 /* jobs in one transaction at most */

static void finish_group(struct writer *w, struct wjob *group, int commit_rc)
{
	for (struct wjob *j = group, *next; j; j = next) {
		next = j->next; /* done() may free the job */
		j->commit_rc = commit_rc;
		if (commit_rc && !j->rc)
			cxm_strlcpy(j->errmsg, cxm_store_errmsg(w->db), sizeof(j->errmsg));
		if (!commit_rc && !j->rc && j->committed)
			j->committed(j);
		j->done(j);
	}
}

static void run_group(struct writer *w, struct wjob *group)
{
	struct metrics *m = &w->srv->metrics;
	int64_t t0 = cxm_now_us();
	int ret;

	ret = cxm_store_begin(w->db);
	if (!ret) {
		for (struct wjob *j = group; j; j = j->next) {
			cxm_i18n_set(j->lang == CXM_LANG_ES ? "es" : "en");
			j->rc = cxm_store_savepoint(w->db);
			if (!j->rc) {
				j->rc = j->run(w->db, j);
				if (j->rc) {
					cxm_strlcpy(j->errmsg, cxm_store_errmsg(w->db), sizeof(j->errmsg));
					if (cxm_store_savepoint_rollback(w->db))
						break; /* the transaction is gone: the commit fails */
				} else if (cxm_store_savepoint_release(w->db)) {
					j->rc = CXM_ESTORE;
					cxm_strlcpy(j->errmsg, cxm_store_errmsg(w->db), sizeof(j->errmsg));
				}
			}
		}
		ret = cxm_store_commit(w->db);
	}
	histogram_add(&m->commit, cxm_now_us() - t0);
	atomic_fetch_add(&m->commits, 1);
	if (ret)
		atomic_fetch_add(&m->commit_failures, 1);
	finish_group(w, group, ret);
}

static struct tail *tail_of(struct writer *w, int64_t tenant)
{
	for (size_t i = 0; i < w->ntails; i++)
		if (w->tails[i].tenant == tenant)
			return &w->tails[i];
	if (w->ntails == MAX_TAILS)
		return NULL; /* that many busy tenants: the rest are flushed by importers or later */
	w->tails[w->ntails] = (struct tail){ tenant, 0 };
	return &w->tails[w->ntails++];
}

void writer_note_events(struct writer *w, int64_t tenant, size_t n)
{
	struct tail *t = cxm_store_defers_timeline(w->db) ? tail_of(w, tenant) : NULL;

	if (t)
		t->pending += (int64_t)n;
}

/* One chunk of the longest tail into the index, in its own transaction. */
static void flush_some(struct writer *w, bool idle)
{
	struct tail *longest = NULL;
	int64_t flushed = 0;
	int ret;

	for (size_t i = 0; i < w->ntails; i++)
		if (w->tails[i].pending > 0 && (!longest || w->tails[i].pending > longest->pending))
			longest = &w->tails[i];
	if (!longest || (!idle && longest->pending < TAIL_MAX))
		return;
	ret = cxm_store_timeline_flush(w->db, longest->tenant, FLUSH_CHUNK, &flushed);
	if (ret) {
		/* left for later (the next events of this tenant, or an import) */
		log_line(w->srv, "{\"event\":\"timeline_flush_failed\",\"code\":%d}", ret);
		longest->pending = 0;
		return;
	}
	atomic_fetch_add(&w->srv->metrics.timeline_flushed, (uint_fast64_t)flushed);
	longest->pending = flushed < FLUSH_CHUNK ? 0 : longest->pending - flushed;
}

static int pending_of(const struct cxm_tenant *t, void *ctx)
{
	struct writer *w = ctx;
	struct tail *tl;

	if ((tl = tail_of(w, t->id)))
		tl->pending = -1; /* counted below: a query may not run inside a row callback */
	return 0;
}

static bool tails_pending(const struct writer *w)
{
	for (size_t i = 0; i < w->ntails; i++)
		if (w->tails[i].pending > 0)
			return true;
	return false;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	/* tails left by an earlier process (a crash, a kill) */
	if (cxm_store_defers_timeline(w->db) && !cxm_store_tenant_list(w->db, pending_of, w))
		for (size_t i = 0; i < w->ntails; i++)
			if (cxm_store_timeline_pending(w->db, w->tails[i].tenant, &w->tails[i].pending))
				w->tails[i].pending = 0;

	for (;;) {
		struct wjob *group, *last;
		size_t n = 0;

		pthread_mutex_lock(&w->mu);
		if (!w->head && !w->stop) {
			/* idle: catch up on the timeline before sleeping */
			pthread_mutex_unlock(&w->mu);
			flush_some(w, true);
			pthread_mutex_lock(&w->mu);
		}
		while (!w->head && !w->stop && !tails_pending(w))
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head && !w->stop) {
			pthread_mutex_unlock(&w->mu);
			continue;
		}
		if (!w->head) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		/* take what is queued, up to GROUP_MAX */
		group = last = w->head;
		for (n = 1; last->next && n < GROUP_MAX; n++)
			last = last->next;
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		w->depth -= n;
		pthread_mutex_unlock(&w->mu);
		run_group(w, group);
		flush_some(w, false);
	}
	return NULL;
}

int writer_start(struct server *srv, const char *url, struct writer **out, char *err, size_t errlen)
{
	struct writer *w = xcalloc(1, sizeof(*w));
	int ret = cxm_store_open_raw(&w->db, url, err, errlen);

	if (ret) {
		free(w);
		return ret;
	}
	w->srv = srv;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w))
		BUG("cannot start the writer thread");
	*out = w;
	return 0;
}

void writer_submit(struct writer *w, struct wjob *j)
{
	j->next = NULL;
	j->queued_at = cxm_now_us();
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->depth++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void sync_done(struct wjob *j)
{
	pthread_mutex_lock(j->mu);
	j->finished = 1;
	pthread_cond_signal(j->cv);
	pthread_mutex_unlock(j->mu);
}

int writer_run(struct writer *w, struct wjob *j)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

	j->mu = &mu;
	j->cv = &cv;
	j->finished = 0;
	j->done = sync_done;
	writer_submit(w, j);
	pthread_mutex_lock(&mu);
	while (!j->finished)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	pthread_cond_destroy(&cv);
	pthread_mutex_destroy(&mu);
	return j->rc ? j->rc : j->commit_rc;
}

size_t writer_queue_depth(struct writer *w)
{
	size_t n;

	pthread_mutex_lock(&w->mu);
	n = w->depth;
	pthread_mutex_unlock(&w->mu);
	return n;
}

void writer_stop(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	cxm_store_close(w->db);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
