/*
 * idem.c - Idempotency-Key on writes (docs/api.md "Idempotency").
 *
 * An authenticated POST or PATCH of a route with RF_WRITE that carries the
 * header is looked up first (idem_begin, one indexed read): a stored
 * answer to the same request is replayed without running the handler, a
 * stored answer to another request is a 422, a repeat while the first is
 * still in flight on this server a 409. Otherwise the handler runs; when
 * it writes through the writer (req_write), its finish function runs in
 * the writer thread right after the job, on the writer's handle, and the
 * answer it gives is stored in the same transaction as the write
 * (idem_seal), so the write and its stored answer commit or vanish
 * together. Answers of handlers that wrote nothing through req_write
 * (validation errors, the bulk and training routes) are stored by a small
 * writer job after the answer; 5xx answers are never stored. The
 * scheduler deletes answers older than the TTL (idem_purge).
 */
#include "http-internal.h"
#include "cxm/time.h"

#include <sodium.h>
#include <strings.h>

#define IDEM_KEY_MAX 255
#define FLIGHT_BUCKETS 256
#define PURGE_BATCH 500 /* answers per writer job */
#define PURGE_JOBS 4    /* jobs per scheduler tick at most */

/* A key being served on this server: (tenant, principal, key). */
struct flight {
	struct flight *next;
	int64_t tenant;
	char principal[24];
	char key[IDEM_KEY_MAX + 1];
};

struct idem_state {
	pthread_mutex_t mu;
	struct flight *bucket[FLIGHT_BUCKETS];
	int64_t next_purge; /* the scheduler's next look at expired answers */
};

/* A request's Idempotency-Key (in its arena). */
struct idem {
	struct flight *fl;      /* held until the answer is stored or given up */
	char hash[crypto_generichash_BYTES * 2 + 1];
	struct header *headers0; /* the answer's headers before the handler */
	int run_rc;             /* what the write job returned */
	bool finished;          /* finish() ran in the writer (idem_seal) */
	bool stored;            /* the answer went into the write's transaction */
	bool taken;             /* ... but the key had an answer already */
};

struct idem_state *idem_state_new(void)
{
	struct idem_state *st = xcalloc(1, sizeof(*st));

	pthread_mutex_init(&st->mu, NULL);
	return st;
}

void idem_state_free(struct idem_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < FLIGHT_BUCKETS; i++)
		for (struct flight *f = st->bucket[i], *next; f; f = next) {
			next = f->next;
			free(f);
		}
	pthread_mutex_destroy(&st->mu);
	free(st);
}

static size_t bucket_of(int64_t tenant, const char *principal, const char *key)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)tenant;

	for (const char *s = principal; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	for (const char *s = key; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)(h % FLIGHT_BUCKETS);
}

/* Marks the key in flight; NULL when it already is. */
static struct flight *flight_take(struct idem_state *st, int64_t tenant, const char *principal, const char *key)
{
	size_t b = bucket_of(tenant, principal, key);
	struct flight *f;

	pthread_mutex_lock(&st->mu);
	for (f = st->bucket[b]; f; f = f->next)
		if (f->tenant == tenant && !strcmp(f->principal, principal) && !strcmp(f->key, key))
			break;
	if (f) {
		pthread_mutex_unlock(&st->mu);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->tenant = tenant;
	cxm_strlcpy(f->principal, principal, sizeof(f->principal));
	cxm_strlcpy(f->key, key, sizeof(f->key));
	f->next = st->bucket[b];
	st->bucket[b] = f;
	pthread_mutex_unlock(&st->mu);
	return f;
}

static void flight_give(struct idem_state *st, struct flight *f)
{
	size_t b;

	if (!f)
		return;
	b = bucket_of(f->tenant, f->principal, f->key);
	pthread_mutex_lock(&st->mu);
	for (struct flight **p = &st->bucket[b]; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	pthread_mutex_unlock(&st->mu);
	free(f);
}

static int64_t ttl_us(struct server *srv)
{
	return (int64_t)srv->o.idempotency_ttl_s * 1000000;
}

static enum MHD_Result hash_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	crypto_generichash_state *h = cls;
	(void)kind;

	crypto_generichash_update(h, (const unsigned char *)key, strlen(key) + 1);
	if (value)
		crypto_generichash_update(h, (const unsigned char *)value, strlen(value));
	crypto_generichash_update(h, (const unsigned char *)"\n", 1);
	return MHD_YES;
}

/* BLAKE2b of the request: method, path, query arguments and body. */
static void request_hash(struct req *r, char *out, size_t outlen)
{
	crypto_generichash_state h;
	unsigned char d[crypto_generichash_BYTES];

	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	crypto_generichash_update(&h, (const unsigned char *)r->method, strlen(r->method) + 1);
	crypto_generichash_update(&h, (const unsigned char *)r->path, strlen(r->path) + 1);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, hash_arg, &h);
	crypto_generichash_update(&h, (const unsigned char *)"\0", 1);
	if (r->body.len)
		crypto_generichash_update(&h, (const unsigned char *)r->body.p, r->body.len);
	crypto_generichash_final(&h, d, sizeof(d));
	sodium_bin2hex(out, outlen, d, sizeof(d));
}

static void principal_of(const struct principal *who, char out[24])
{
	if (who->key_id)
		snprintf(out, 24, "k%lld", (long long)who->key_id);
	else
		snprintf(out, 24, "u%lld", (long long)who->user_id);
}

static void reply_key_problem(struct req *r, int status, const char *slug, enum cxm_msg title, enum cxm_msg why)
{
	cJSON *p = problem_new(r, status, slug, title, T(r, why));

	problem_item(p, -1, "Idempotency-Key", T(r, why));
	reply_problem(r, p);
}

/* Sets the stored answer a as the reply. */
static void replay(struct req *r, const struct cxm_idem_answer *a)
{
	cxm_buf_clear(&r->out);
	cxm_buf_addstr(&r->out, a->body);
	r->status = a->status;
	r->content_type = a->content_type ? cxm_arena_strdup(&r->arena, a->content_type) : NULL;
	if (a->location)
		req_add_header(r, "Location", a->location);
	req_add_header(r, "Idempotent-Replayed", "true");
	atomic_fetch_add(&r->srv->metrics.idempotent_replays, 1);
}

struct lookup {
	struct req *r;
	const char *hash;
};

static int lookup_cb(const struct cxm_idem_answer *a, void *ctx)
{
	struct lookup *l = ctx;
	struct req *r = l->r;

	if (strcmp(a->method, r->method) || strcmp(a->path, r->path) || strcmp(a->request_hash, l->hash))
		reply_key_problem(r, 422, "idempotency-key-reused", MSG_IK_REUSED_TITLE, MSG_IK_REUSED);
	else
		replay(r, a);
	return 0;
}

static bool key_ok(const char *k)
{
	size_t n = strlen(k);

	if (n < 1 || n > IDEM_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x20 || (unsigned char)k[i] > 0x7e)
			return false;
	return true;
}

int idem_begin(struct req *r)
{
	const char *key;
	struct cxm_store *db;
	struct idem *st;
	struct lookup l;
	char principal[24];
	int ret;

	if (!r->authed || !(r->route->flags & RF_WRITE) || (strcmp(r->method, "POST") && strcmp(r->method, "PATCH")))
		return 0;
	key = req_header(r, "Idempotency-Key");
	if (!key)
		return 0;
	if (!key_ok(key)) {
		reply_key_problem(r, 400, "bad-idempotency-key", MSG_IK_BAD_TITLE, MSG_IK_BAD_KEY);
		return 1;
	}
	st = cxm_arena_alloc(&r->arena, sizeof(*st));
	memset(st, 0, sizeof(*st));
	request_hash(r, st->hash, sizeof(st->hash));
	principal_of(&r->who, principal);
	if (!(db = req_db(r)))
		return 1;
	l = (struct lookup){ r, st->hash };
	ret = cxm_store_idem_get(db, r->who.tenant, principal, key, cxm_now_us() - ttl_us(r->srv), lookup_cb, &l);
	if (!ret)
		return 1; /* replayed, or 422 */
	if (ret != CXM_ENOTFOUND) {
		reply_store_error(r, ret, cxm_store_errmsg(db));
		return 1;
	}
	st->fl = flight_take(r->srv->idem, r->who.tenant, principal, key);
	if (!st->fl) {
		reply_key_problem(r, 409, "idempotency-key-in-flight", MSG_IK_BUSY_TITLE, MSG_IK_BUSY);
		req_add_header(r, "Retry-After", "1");
		return 1;
	}
	st->headers0 = r->headers;
	r->idem = st;
	return 0;
}

static const char *location_of(struct req *r)
{
	for (struct header *h = r->headers; h && h != r->idem->headers0; h = h->next)
		if (!strcasecmp(h->name, "Location"))
			return h->value;
	return NULL;
}

int idem_seal(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	struct idem *st = r->idem;
	struct cxm_idem_answer a;
	int ret;

	st->run_rc = j->rc;
	if (j->rc)
		cxm_strlcpy(j->errmsg, cxm_store_errmsg(db), sizeof(j->errmsg));
	/* answer now, as if committed, reading through this transaction */
	j->commit_rc = 0;
	r->db = db;
	r->finish(r);
	r->db = NULL;
	if (!r->status)
		BUG("finish returned without an answer");
	st->finished = true;
	if (j->rc || r->status >= 500)
		return j->rc; /* nothing written: a 4xx is stored after the answer */
	a = (struct cxm_idem_answer){
		.method = r->method,
		.path = r->path,
		.request_hash = st->hash,
		.status = r->status,
		.content_type = r->content_type,
		.location = location_of(r),
		.body = cxm_buf_str(&r->out),
		.created_at = cxm_now_us(),
	};
	ret = cxm_store_idem_put(db, r->who.tenant, st->fl->principal, st->fl->key, &a,
				 a.created_at - ttl_us(r->srv));
	if (ret == CXM_ECONFLICT)
		st->taken = true; /* another server stored it meanwhile: undo this write */
	else if (!ret)
		st->stored = true;
	return ret;
}

static void reset_answer(struct req *r)
{
	r->status = 0;
	cxm_buf_clear(&r->out);
	r->content_type = NULL;
	r->headers = r->idem->headers0;
}

bool idem_resumed(struct req *r)
{
	struct idem *st = r->idem;
	int rc;

	if (!st || !st->finished)
		return false;
	rc = r->job.rc ? r->job.rc : r->job.commit_rc;
	if (st->taken) {
		reset_answer(r);
		reply_key_problem(r, 409, "idempotency-key-in-flight", MSG_IK_BUSY_TITLE, MSG_IK_BUSY);
		req_add_header(r, "Retry-After", "1");
	} else if (!st->run_rc && rc) {
		/* answered as if committed, but the commit (or storing the
		 * answer) failed: what a request without a key would get */
		reset_answer(r);
		st->stored = false;
		reply_store_error(r, rc, r->job.errmsg);
	}
	/* finish ran before the commit: the sender it woke found nothing yet */
	if (!rc)
		sender_wake(r->srv->sender);
	return true;
}

/* ---- storing an answer after it was given -------------------------------- */

struct idem_save {
	struct wjob job;
	struct server *srv;
	struct flight *fl;
	int64_t tenant;
	struct cxm_idem_answer a;
	char *strings; /* method, path, hash, content type, location, body */
};

static int save_run(struct cxm_store *db, struct wjob *j)
{
	struct idem_save *s = j->ctx;
	int ret = cxm_store_idem_put(db, s->tenant, s->fl->principal, s->fl->key, &s->a,
				     s->a.created_at - ttl_us(s->srv));

	return ret == CXM_ECONFLICT ? 0 : ret; /* stored meanwhile: nothing to do */
}

static void save_done(struct wjob *j)
{
	struct idem_save *s = j->ctx;

	flight_give(s->srv->idem, s->fl);
	free(s->strings);
	free(s);
}

static const char *put_str(char **at, const char *v)
{
	char *p = *at;
	size_t n;

	if (!v)
		return NULL;
	n = strlen(v) + 1;
	memcpy(p, v, n);
	*at = p + n;
	return p;
}

void idem_end(struct req *r)
{
	struct idem *st = r->idem;
	const char *loc, *body;
	struct idem_save *s;
	char *at;
	size_t n;

	if (!st || !st->fl)
		return;
	if (st->stored || r->status >= 500 || st->taken) {
		/* stored with the write, or not to be stored */
		flight_give(r->srv->idem, st->fl);
		st->fl = NULL;
		return;
	}
	/* the key stays in flight until its answer is stored */
	loc = location_of(r);
	body = cxm_buf_str(&r->out);
	n = strlen(r->method) + strlen(r->path) + strlen(st->hash) + strlen(body) + 4 +
	    (r->content_type ? strlen(r->content_type) + 1 : 0) + (loc ? strlen(loc) + 1 : 0);
	s = xcalloc(1, sizeof(*s));
	s->strings = at = xmalloc(n);
	s->srv = r->srv;
	s->fl = st->fl;
	s->tenant = r->who.tenant;
	s->a.method = put_str(&at, r->method);
	s->a.path = put_str(&at, r->path);
	s->a.request_hash = put_str(&at, st->hash);
	s->a.status = r->status;
	s->a.content_type = put_str(&at, r->content_type);
	s->a.location = put_str(&at, loc);
	s->a.body = put_str(&at, body);
	s->a.created_at = cxm_now_us();
	s->job = (struct wjob){ .run = save_run, .done = save_done, .ctx = s, .lang = r->lang };
	st->fl = NULL;
	writer_submit(r->srv->writer, &s->job);
}

void idem_release(struct req *r)
{
	if (r->idem && r->idem->fl) {
		flight_give(r->srv->idem, r->idem->fl);
		r->idem->fl = NULL;
	}
}

/* ---- expiry ------------------------------------------------------------------ */

struct purge_job {
	struct wjob job;
	int64_t before, n;
};

static int purge_run(struct cxm_store *db, struct wjob *j)
{
	struct purge_job *p = j->ctx;

	return cxm_store_idem_purge(db, p->before, PURGE_BATCH, &p->n);
}

void idem_purge(struct server *srv)
{
	struct idem_state *st = srv->idem;
	int64_t now = cxm_now_us(), oldest = INT64_MAX;
	struct cxm_store *db;
	char err[256];
	int ret;

	if (now < st->next_purge)
		return;
	if (!(db = pool_get(srv, err, sizeof(err))))
		return;
	ret = cxm_store_idem_oldest(db, &oldest);
	pool_put(srv, db);
	if (ret)
		return;
	if (oldest < now - ttl_us(srv)) {
		/* a few batches, one tenant each; what is left at the next tick */
		for (int k = 0; k < PURGE_JOBS; k++) {
			struct purge_job p = { .before = now - ttl_us(srv) };
			p.job = (struct wjob){ .run = purge_run, .ctx = &p, .lang = CXM_LANG_EN };
			if ((ret = writer_run(srv->writer, &p.job))) {
				log_line(srv, "{\"event\":\"idempotency_purge\",\"store_error\":%d}", ret);
				return;
			}
			atomic_fetch_add(&srv->metrics.idempotency_purged, (uint_fast64_t)p.n);
			if (!p.n)
				break;
		}
		return;
	}
	/* nothing expires before the oldest answer does, nor an answer stored
	 * from now on before one TTL; look again then, or in a minute at most */
	st->next_purge = now + (ttl_us(srv) < 60 * 1000000 ? ttl_us(srv) : 60 * 1000000);
	if (oldest != INT64_MAX && oldest + ttl_us(srv) < st->next_purge)
		st->next_purge = oldest + ttl_us(srv);
}
