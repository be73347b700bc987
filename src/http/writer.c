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

struct writer {
	struct server *srv;
	struct cxm_store *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *head, *tail;
	size_t depth;
	int running; /* a group is being committed */
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
				if (j->seal)
					j->rc = j->seal(w->db, j);
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

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	for (;;) {
		struct wjob *group, *last;
		size_t n = 0;

		pthread_mutex_lock(&w->mu);
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
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
		w->running = 1;
		pthread_mutex_unlock(&w->mu);
		run_group(w, group);
		pthread_mutex_lock(&w->mu);
		w->running = 0;
		pthread_mutex_unlock(&w->mu);
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

bool writer_busy(struct writer *w)
{
	bool busy;

	pthread_mutex_lock(&w->mu);
	busy = w->head || w->running;
	pthread_mutex_unlock(&w->mu);
	return busy;
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
