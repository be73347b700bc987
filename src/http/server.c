/*
 * server.c - cxm serve: the libmicrohttpd daemon (internal thread pool,
 * epoll), the life of a request (see http-internal.h), the pool of read
 * handles, request logging and a clean stop on SIGTERM.
 */
#include "http-internal.h"
#include "cxm/auth.h"
#include "cxm/time.h"
#include "cxm/triggers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void cxm_server_opts_init(struct cxm_server_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->db_url = CXM_DEFAULT_DB;
	o->listen = "127.0.0.1:8080";
	o->max_body = 5 * 1000 * 1000;
	o->max_batch = 1000;
	o->max_string = 64 * 1024;
	o->max_depth = 32;
	o->timeout_s = 30;
	o->public_per_minute = 120;
	o->smtp_concurrency = 4;
	o->smtp_retry_base_ms = 60 * 1000;
	o->text_retrain_s = 300;
	o->smtp_timeout_s = 60;
	o->idempotency_ttl_s = 24 * 3600;
}

/* ---- read handles ------------------------------------------------------- */

struct cxm_store *pool_get(struct server *srv, char *err, size_t errlen)
{
	struct cxm_store *db = NULL;

	pthread_mutex_lock(&srv->pool_mu);
	if (srv->npool)
		db = srv->pool[--srv->npool];
	pthread_mutex_unlock(&srv->pool_mu);
	if (db)
		return db;
	if (cxm_store_open_raw(&db, srv->db_url, err, errlen))
		return NULL;
	return db;
}

void pool_put(struct server *srv, struct cxm_store *db)
{
	size_t cap = srv->o.threads * 2;

	if (!db)
		return;
	if (cxm_store_in_transaction(db))
		cxm_store_rollback(db);
	pthread_mutex_lock(&srv->pool_mu);
	if (srv->npool < cap) {
		srv->pool[srv->npool++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&srv->pool_mu);
	cxm_store_close(db);
}

struct cxm_store *req_db(struct req *r)
{
	char err[512];

	if (!r->db) {
		r->db = pool_get(r->srv, err, sizeof(err));
		if (!r->db) {
			/* the reason may name hosts and paths: for the log only */
			log_line(r->srv, "{\"event\":\"database_unavailable\"}");
			reply_error(r, 503, "unavailable", MSG_HTTP_UNAVAILABLE, NULL);
			req_add_header(r, "Retry-After", "1");
		}
	}
	return r->db;
}

/* ---- request helpers ---------------------------------------------------- */

const char *req_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_param(struct req *r, int i)
{
	if (i >= r->nparams)
		BUG("no such path parameter");
	return cxm_arena_strndup(&r->arena, r->params[i].p, r->params[i].len);
}

void req_add_header(struct req *r, const char *name, const char *value)
{
	struct header *h = cxm_arena_alloc(&r->arena, sizeof(*h));

	h->name = cxm_arena_strdup(&r->arena, name);
	h->value = cxm_arena_strdup(&r->arena, value);
	h->next = r->headers;
	r->headers = h;
}

static void job_done(struct wjob *j)
{
	struct req *r = j->ctx;

	MHD_resume_connection(r->conn);
}

int req_write(struct req *r, int (*run)(struct cxm_store *, struct wjob *), int (*finish)(struct req *))
{
	return req_write_counted(r, run, finish, NULL);
}

int req_write_counted(struct req *r, int (*run)(struct cxm_store *, struct wjob *), int (*finish)(struct req *),
		      void (*committed)(struct wjob *))
{
	/* the read handle goes back to the pool while the write waits: the
	 * requests waiting for a commit can far outnumber the workers */
	pool_put(r->srv, r->db);
	r->db = NULL;
	memset(&r->job, 0, sizeof(r->job));
	r->job.run = run;
	r->job.committed = committed;
	r->job.seal = r->idem ? idem_seal : NULL;
	r->job.done = job_done;
	r->job.ctx = r;
	r->job.lang = r->lang;
	r->finish = finish;
	r->state = RS_WAITING;
	/* suspend first: the writer may finish before we return */
	MHD_suspend_connection(r->conn);
	writer_submit(r->srv->writer, &r->job);
	return H_SUSPEND;
}

bool job_failed(struct req *r)
{
	int rc = r->job.rc ? r->job.rc : r->job.commit_rc;

	if (rc)
		reply_store_error(r, rc, r->job.errmsg);
	return rc != 0;
}

/* The language of the answer: the caller's saved language, else
 * Accept-Language, else the tenant's, else English. */
static enum cxm_lang pick_lang(struct req *r)
{
	const char *al;

	if (r->authed && r->who.language[0])
		return r->who.language[0] == 'e' && r->who.language[1] == 's' ? CXM_LANG_ES : CXM_LANG_EN;
	al = req_header(r, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	if (al) {
		/* the first language named wins (q-values are rare in practice) */
		while (*al == ' ')
			al++;
		if ((al[0] == 'e' || al[0] == 'E') && (al[1] == 's' || al[1] == 'S'))
			return CXM_LANG_ES;
		if ((al[0] == 'e' || al[0] == 'E') && (al[1] == 'n' || al[1] == 'N'))
			return CXM_LANG_EN;
	}
	if (r->authed && r->who.tenant_lang[0] == 'e' && r->who.tenant_lang[1] == 's')
		return CXM_LANG_ES;
	return CXM_LANG_EN;
}

static void set_lang(struct req *r, enum cxm_lang lang)
{
	r->lang = lang;
	cxm_i18n_set(lang == CXM_LANG_ES ? "es" : "en");
}

/* ---- answering ---------------------------------------------------------- */

static enum MHD_Result queue(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	idem_end(r);
	if (r->static_body)
		resp = MHD_create_response_from_buffer(r->static_len, (void *)r->static_body,
						       MHD_RESPMEM_PERSISTENT);
	else
		resp = MHD_create_response_from_buffer(r->out.len, r->out.p ? r->out.p : (char *)"",
						       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (r->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	bool cache_set = false; /* a handler that says how to cache (the web snippet) is heard */
	for (struct header *h = r->headers; h; h = h->next)
		cache_set |= !strcasecmp(h->name, MHD_HTTP_HEADER_CACHE_CONTROL);
	if ((!r->route || !(r->route->flags & RF_STATIC)) && !cache_set)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (r->route && (r->route->flags & RF_WEB))
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
	for (struct header *h = r->headers; h; h = h->next)
		MHD_add_response_header(resp, h->name, h->value);
	if (atomic_load(&r->srv->stopping))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	/* the read handle is not needed to send the answer */
	pool_put(r->srv, r->db);
	r->db = NULL;
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	r->state = RS_ANSWERED;
	return ret;
}

static bool write_method(const char *m)
{
	return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

/* Runs the route: authentication, role, CSRF, then the handler. */
static void dispatch(struct req *r)
{
	const struct route *rt = r->route;

	if (r->body_too_big) {
		char detail[128];
		snprintf(detail, sizeof(detail), T(r, MSG_HTTP_BODY_LIMIT), r->srv->o.max_body);
		reply_error(r, 413, "too-large", MSG_HTTP_TOO_LARGE, detail);
		return;
	}
	if (rt->flags & RF_PUBLIC) {
		/* a flood from one address, or on one link, is slowed down */
		char addr[INET6_ADDRSTRLEN + 8], key[600];
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const struct sockaddr *sa = ci ? ci->client_addr : NULL;
		int64_t now = cxm_now_us(), wait;
		cxm_strlcpy(addr, "?", sizeof(addr));
		if (sa && sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr, sizeof(addr));
		else if (sa && sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr, sizeof(addr));
		snprintf(key, sizeof(key), "addr:%s", addr);
		wait = flood_take(r->srv->public_flood, key, now);
		if (!wait && !(rt->flags & RF_WEB)) {
			snprintf(key, sizeof(key), "path:%.500s", r->path);
			wait = flood_take(r->srv->public_flood, key, now);
		}
		if (wait) {
			char secs[24];
			snprintf(secs, sizeof(secs), "%lld", (long long)wait);
			/* people read the survey pages: they get a page, machines JSON */
			if (!strncmp(r->path, "/api/", 5) || !strncmp(r->path, "/w/", 3))
				reply_error(r, 429, "slow-down", MSG_HTTP_SLOW_DOWN, NULL);
			else
				public_slow_down(r, wait);
			req_add_header(r, "Retry-After", secs);
			return;
		}
	}
	if (rt->roles) {
		if (auth_request(r))
			return;
		set_lang(r, pick_lang(r));
		if (!(rt->roles & r->who.role)) {
			reply_error(r, 403, "forbidden", MSG_HTTP_FORBIDDEN, T(r, MSG_HTTP_ROLE_CANNOT));
			return;
		}
		if ((rt->flags & RF_SESSION_ONLY) && !r->who.session_id) {
			reply_error(r, 403, "forbidden", MSG_HTTP_FORBIDDEN, T(r, MSG_HTTP_SESSION_ONLY));
			return;
		}
		if (r->who.session_id && write_method(r->method)) {
			const char *tok = req_header(r, "X-CSRF-Token");
			if (!tok || strlen(tok) != strlen(r->who.csrf) ||
			    sodium_memcmp(tok, r->who.csrf, strlen(tok)) != 0) {
				reply_error(r, 403, "csrf", MSG_HTTP_FORBIDDEN, T(r, MSG_HTTP_CSRF));
				return;
			}
		}
	}
	if (rt->roles && idem_begin(r))
		return;
	if (rt->handle(r) == H_SUSPEND)
		return;
	if (!r->status)
		BUG("handler returned without an answer");
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct req *r = *con_cls;
	(void)version;

	if (!r) {
		bool method_ok = true;
		const char *cl;

		r = xcalloc(1, sizeof(*r));
		*con_cls = r;
		atomic_fetch_add(&srv->inflight, 1);
		r->srv = srv;
		r->conn = conn;
		r->t0 = cxm_now_us();
		cxm_arena_init(&r->arena, 16 * 1024);
		cxm_buf_init(&r->body, srv->o.max_body);
		cxm_buf_init(&r->out, 0);
		r->method = method;
		r->path = cxm_arena_strdup(&r->arena, url);
		set_lang(r, pick_lang(r));
		r->route = route_match(method, url, r->params, &method_ok);
		for (int i = 0; r->route && i < MAX_PARAMS; i++)
			if (r->params[i].p)
				r->nparams = i + 1;
		cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > srv->o.max_body)
			r->body_too_big = true;
		r->state = RS_BODY;
		if (atomic_load(&srv->stopping)) {
			/* a keep-alive client's next request while we stop */
			reply_error(r, 503, "stopping", MSG_HTTP_STOPPING, NULL);
			req_add_header(r, "Retry-After", "1");
		} else if (!r->route && method_ok) {
			reply_error(r, 404, "not-found", MSG_HTTP_NOT_FOUND, NULL);
		} else if (!r->route) {
			reply_error(r, 405, "method", MSG_HTTP_METHOD, NULL);
			req_add_header(r, "Allow", route_allow(url));
		} else if (r->body_too_big) {
			char detail[128];
			snprintf(detail, sizeof(detail), T(r, MSG_HTTP_BODY_LIMIT), srv->o.max_body);
			reply_error(r, 413, "too-large", MSG_HTTP_TOO_LARGE, detail);
		}
		/* refused before the body: answer now, do not read it */
		if (r->status)
			return queue(r);
		return MHD_YES;
	}
	if (r->state == RS_BODY && *upload_size) {
		if (!r->body_too_big && !r->status && cxm_buf_add(&r->body, upload_data, *upload_size))
			r->body_too_big = true;
		*upload_size = 0; /* consumed (or dropped past the cap) */
		return MHD_YES;
	}
	if (r->state == RS_BODY) {
		cxm_i18n_set(r->lang == CXM_LANG_ES ? "es" : "en");
		if (!r->status)
			dispatch(r);
		if (r->state == RS_WAITING)
			return MHD_YES;
		return queue(r);
	}
	if (r->state == RS_WAITING) {
		/* resumed by the writer: finish answers, also when the commit
		 * failed (r->job.commit_rc), so it can free what it holds */
		cxm_i18n_set(r->lang == CXM_LANG_ES ? "es" : "en");
		if (!idem_resumed(r))
			r->finish(r);
		if (!r->status)
			BUG("finish returned without an answer");
		return queue(r);
	}
	return MHD_NO;
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct req *r = *con_cls;
	int64_t us;
	(void)conn;

	if (!r)
		return;
	if (r->state != RS_ANSWERED && !r->status)
		r->status = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 : 499;
	us = cxm_now_us() - r->t0;
	metrics_request(&srv->metrics, r->route, r->status, us);
	if (!srv->o.quiet)
		log_request(r, us);
	idem_release(r);
	pool_put(srv, r->db);
	cJSON_Delete(r->json);
	cxm_buf_release(&r->body);
	cxm_buf_release(&r->out);
	cxm_arena_release(&r->arena);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

/* ---- logging ------------------------------------------------------------ */

void json_escape(struct cxm_buf *b, const char *s)
{
	cxm_buf_addch(b, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			cxm_buf_addf(b, "\\%c", c);
		else if (c < 0x20)
			cxm_buf_addf(b, "\\u%04x", c);
		else
			cxm_buf_addch(b, (char)c);
	}
	cxm_buf_addch(b, '"');
}

void log_line(struct server *srv, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&srv->log_mu);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&srv->log_mu);
}

/* One JSON line per request: method, route (the pattern, never the query
 * string, which may hold a search for a person), status, duration,
 * tenant. Never secrets, tokens or what customers wrote. */
void log_request(struct req *r, int64_t us)
{
	struct cxm_buf b = CXM_BUF_INIT;
	char ts[CXM_TIME_BUFSZ];

	cxm_buf_addf(&b, "{\"ts\":\"%s\",\"method\":", cxm_time_format(cxm_now_us(), ts));
	json_escape(&b, r->method);
	cxm_buf_addstr(&b, ",\"route\":");
	json_escape(&b, r->route ? r->route->pattern : "(none)");
	cxm_buf_addf(&b, ",\"status\":%d,\"ms\":%.3f", r->status, (double)us / 1000.0);
	if (r->authed) {
		cxm_buf_addstr(&b, ",\"tenant\":");
		json_escape(&b, r->who.tenant_name);
	}
	cxm_buf_addch(&b, '}');
	log_line(r->srv, "%s", cxm_buf_str(&b));
	cxm_buf_release(&b);
}

/* ---- start and stop ----------------------------------------------------- */

static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(s, ':');
	int64_t port;

	if (!colon || cxm_parse_i64(colon + 1, strlen(colon + 1), &port) || port < 0 || port > 65535)
		return CXM_EINVAL;
	if (colon > s) {
		size_t n = (size_t)(colon - s);
		if (s[0] == '[' && colon[-1] == ']')
			s++, n -= 2;
		if (n >= sizeof(host))
			return CXM_EINVAL;
		memcpy(host, s, n);
		host[n] = '\0';
	}
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return CXM_EINVAL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *srv = cls;
	char line[512];

	struct cxm_buf b = CXM_BUF_INIT;

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	json_escape(&b, line);
	if (!srv->o.quiet)
		log_line(srv, "{\"event\":\"httpd\",\"message\":%s}", cxm_buf_str(&b));
	cxm_buf_release(&b);
}

int cxm_serve(const struct cxm_server_opts *o, char *err, size_t errlen)
{
	struct server *srv = xcalloc(1, sizeof(*srv));
	struct sockaddr_storage ss;
	socklen_t sslen;
	sigset_t sigs;
	struct cxm_store *db = NULL;
	int ret = CXM_EINVAL, sig;
	int64_t t0 = cxm_now_us();
	const union MHD_DaemonInfo *info;

	srv->o = *o;
	if (!srv->o.threads) {
		/* one worker per core: writes do not hold a worker while they
		 * wait for their commit, and the writer needs a core too */
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		srv->o.threads = n > 2 ? (unsigned)n : 2;
	}
	if (sodium_init() < 0)
		BUG("libsodium cannot start");
	randombytes_buf(srv->key, sizeof(srv->key));
	cxm_strlcpy(srv->db_url, o->db_url, sizeof(srv->db_url));
	pthread_mutex_init(&srv->pool_mu, NULL);
	pthread_mutex_init(&srv->log_mu, NULL);
	pthread_mutex_init(&srv->hash_mu, NULL);
	srv->pool = xcalloc(srv->o.threads * 2, sizeof(*srv->pool));
	metrics_init(&srv->metrics);
	if (parse_listen(o->listen, &ss, &sslen)) {
		snprintf(err, errlen, _(MSG_HTTP_BAD_LISTEN), o->listen);
		goto out;
	}
	/* open (and migrate) once here, so workers open migrated databases */
	ret = cxm_store_open(&db, srv->db_url, err, errlen);
	if (ret)
		goto out;
	cxm_strlcpy(srv->backend, cxm_store_backend(db), sizeof(srv->backend));
	pool_put(srv, db);
	srv->triggers = cxm_trigger_cache_new();
	srv->idem = idem_state_new();
	ret = writer_start(srv, srv->db_url, &srv->writer, err, errlen);
	if (ret)
		goto out;
	srv->logins = cxm_ratelimit_new(0);
	srv->receipt_flood = flood_new(1, 5); /* 5 wrong receipt codes, then one a minute */
	srv->public_flood = flood_new(srv->o.public_per_minute, srv->o.public_per_minute / 2 > 10 ? srv->o.public_per_minute / 2 : 10);

	/* signals go to this thread only: block them before threads start */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
					       MHD_USE_ERROR_LOG,
				       0, NULL, NULL, access_cb, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
				       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				       MHD_OPTION_THREAD_POOL_SIZE, srv->o.threads, MHD_OPTION_CONNECTION_TIMEOUT,
				       srv->o.timeout_s, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv,
				       MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				       (size_t)64 * 1024, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!srv->daemon) {
		snprintf(err, errlen, _(MSG_HTTP_CANNOT_LISTEN), o->listen, strerror(errno));
		ret = CXM_EIO;
		goto out;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	{
		char host[64];
		const char *colon = strrchr(o->listen, ':');
		size_t n = colon ? (size_t)(colon - o->listen) : 0;
		snprintf(host, sizeof(host), "%.*s", (int)n, o->listen);
		snprintf(srv->listen_addr, sizeof(srv->listen_addr), "%s:%u", n ? host : "127.0.0.1",
			 info ? (unsigned)info->port : 0);
	}
	if (o->public_url && *o->public_url)
		cxm_strlcpy(srv->public_url, o->public_url, sizeof(srv->public_url));
	else
		snprintf(srv->public_url, sizeof(srv->public_url), "http://%s", srv->listen_addr);
	{
		size_t n = strlen(srv->public_url);
		while (n && srv->public_url[n - 1] == '/')
			srv->public_url[--n] = '\0';
	}
	if (o->smtp_url && (ret = sender_start(srv, &srv->sender, err, errlen)))
		goto out;
	scheduler_start(srv, &srv->scheduler);
	srv->started_at = cxm_now_us();
	fprintf(stderr, _(MSG_HTTP_LISTENING), srv->listen_addr, srv->backend,
		(double)(srv->started_at - t0) / 1000.0);
	fputc('\n', stderr);
	fflush(stderr);

	while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
	atomic_store(&srv->stopping, 1);
	log_line(srv, "{\"event\":\"stopping\",\"in_flight\":%d}", atomic_load(&srv->inflight));

	MHD_quiesce_daemon(srv->daemon);
	/* let requests in flight finish (at most the client timeout); every
	 * answer now says Connection: close, so keep-alive clients go away */
	for (int64_t deadline = cxm_now_us() + (int64_t)srv->o.timeout_s * 1000000;
	     atomic_load(&srv->inflight) > 0 && cxm_now_us() < deadline;)
		usleep(10 * 1000);
	/* libmicrohttpd may not be stopped with a connection suspended: let
	 * the writer commit what is queued, and give the resumed requests a
	 * moment to be answered */
	while (writer_busy(srv->writer))
		usleep(10 * 1000);
	usleep(100 * 1000);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	/* no request can wake it now; what it was doing is committed or left
	 * under a lease that runs out */
	scheduler_stop(srv->scheduler);
	srv->scheduler = NULL;
	if (srv->sender) {
		/* no request can wake it now; what is being sent goes back to
		 * the queue for the next start */
		sender_stop(srv->sender);
		srv->sender = NULL;
	}
	log_line(srv, "{\"event\":\"stopped\"}");
	ret = 0;
out:
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	if (srv->scheduler)
		scheduler_stop(srv->scheduler);
	if (srv->sender)
		sender_stop(srv->sender);
	if (srv->writer)
		writer_stop(srv->writer);
	for (size_t i = 0; i < srv->npool; i++)
		cxm_store_close(srv->pool[i]);
	free(srv->pool);
	metrics_release(&srv->metrics);
	pthread_mutex_destroy(&srv->pool_mu);
	pthread_mutex_destroy(&srv->log_mu);
	pthread_mutex_destroy(&srv->hash_mu);
	cxm_ratelimit_free(srv->logins);
	flood_free(srv->public_flood);
	flood_free(srv->receipt_flood);
	cxm_trigger_cache_free(srv->triggers);
	idem_state_free(srv->idem);
	free(srv);
	return ret;
}
