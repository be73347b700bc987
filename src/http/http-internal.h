/*
 * http-internal.h - what the files of src/http/ share: the server, one
 * request, the route table, replies, the group-commit writer, metrics.
 *
 * Life of a request: libmicrohttpd calls access() in server.c; the route
 * is matched from the table in router.c, the body collected under its
 * cap, the caller authenticated (auth.c) and the route's handler run on
 * the HTTP worker thread with a read handle of the database. A handler
 * that writes hands a job to the writer (writer.c) and suspends the
 * connection; the writer commits the jobs that arrived together in one
 * transaction and resumes them, and the handler's finish function answers.
 * Everything a request allocates lives in its arena.
 */
#ifndef CXM_HTTP_INTERNAL_H
#define CXM_HTTP_INTERNAL_H

#include "cxm/arena.h"
#include "cxm/core.h"
#include "cxm/i18n.h"
#include "cxm/json.h"
#include "cxm/org.h"
#include "cxm/server.h"
#include "cxm/store.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

struct server;
struct req;

/* ---- roles -------------------------------------------------------------- */

enum {
	ROLE_OWNER = 1 << 0,
	ROLE_ADMIN = 1 << 1,
	ROLE_ANALYST = 1 << 2,
	ROLE_MANAGER = 1 << 3,
	ROLE_AGENT = 1 << 4,
	ROLE_VIEWER = 1 << 5,
};
#define ROLES_ANY 0x3fu
#define ROLES_WRITE (ROLES_ANY & ~(unsigned)ROLE_VIEWER)
#define ROLES_ADMIN ((unsigned)(ROLE_OWNER | ROLE_ADMIN))
#define ROLES_TENANT_WIDE ((unsigned)(ROLE_OWNER | ROLE_ADMIN | ROLE_ANALYST))
#define ROLES_SCOPED ((unsigned)(ROLE_MANAGER | ROLE_AGENT))

/* The role bit of a role name; 0 when unknown. */
unsigned role_bit(const char *name);


/* Who is calling. */
struct principal {
	int64_t tenant;
	char tenant_name[72];
	char tenant_lang[16];
	int64_t user_id;     /* 0 for an API key */
	int64_t key_id;      /* 0 for a session */
	int64_t session_id;
	unsigned role;       /* one ROLE_* bit */
	char actor[96];      /* "user:ana", "key:123" for logs and the audit */
	char language[16];   /* the user's saved language, "" if none */
	char csrf[96];       /* the session's CSRF token */
	/* for managers and agents: where their unit's subtree reached over
	 * time; NULL with scoped = 0 for tenant-wide roles */
	int scoped;
	struct cxm_span *spans; /* when each unit was inside the caller's subtree */
	size_t nspans;
};

/* true when an event of org unit `unit` at time `ts` is visible. */
bool principal_sees(const struct principal *p, int64_t unit, int64_t ts);

/* ---- routes ------------------------------------------------------------- */

#define MAX_PARAMS 2

struct route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/v1/customers/{id}": {x} matches one segment */
	int (*handle)(struct req *r);
	unsigned roles;      /* who may call it; 0: anyone, no credentials */
	unsigned flags;
};

/* route flags */
#define RF_WRITE 1u       /* changes state: CSRF with a session, never for viewers */
#define RF_SESSION_ONLY 2u /* only with a session cookie (not an API key) */
#define RF_STATIC 4u      /* dashboard assets: GET with any path under it */
#define RF_PUBLIC 8u      /* public pages: limited per address and per path */
#define RF_WEB 16u        /* the web snippet's API: CORS for any origin; with
			   * RF_PUBLIC limited per address only (one path serves every visitor) */

extern const struct route routes[];
extern const size_t routes_n;

/*
 * Finds the route of method + path. Returns it and fills params (borrowed
 * views into path); NULL when nothing matches; *method_ok is false when the
 * path matches some route but not with this method (405).
 */
const struct route *route_match(const char *method, const char *path, struct cxm_str *params, bool *method_ok);
/* The methods a path answers to, for the Allow header of a 405
 * ("GET, POST"); valid until the thread's next call. */
const char *route_allow(const char *path);

/* Route handler results. */
#define H_DONE 0      /* a reply is set */
#define H_SUSPEND 1   /* a writer job was submitted; finish() will answer */

/* ---- the writer (group commit) ----------------------------------------- */

struct wjob {
	/* Runs in the writer thread inside a transaction, under a savepoint:
	 * a non-zero return rolls back this job only. */
	int (*run)(struct cxm_store *db, struct wjob *j);
	/* Runs in the writer thread once the transaction ended (committed or
	 * not); for jobs of requests it resumes the connection. */
	void (*done)(struct wjob *j);
	/* Runs in the writer thread when run succeeded and the transaction
	 * committed, before done(): counts what was stored, whether or not
	 * the client is still there to hear it. May be NULL. */
	void (*committed)(struct wjob *j);
	/* Runs in the writer thread right after run, under the same
	 * savepoint, and returns the job's result (j->rc is run's): stores
	 * the answer of a request with an Idempotency-Key (idem.c). May be NULL. */
	int (*seal)(struct cxm_store *db, struct wjob *j);
	void *ctx;
	enum cxm_lang lang;  /* messages of the store in this language */
	int rc;              /* what run returned */
	int commit_rc;       /* 0 when the transaction committed */
	char errmsg[512];    /* the store's message when rc or commit_rc */
	int64_t queued_at;
	struct wjob *next;
	/* for writer_run() */
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	int finished;
};

struct writer;

int writer_start(struct server *srv, const char *url, struct writer **out, char *err, size_t errlen);
/* Queues a job; its done() is called later from the writer thread. */
void writer_submit(struct writer *w, struct wjob *j);
/* Queues a job and waits for it; returns rc, else commit_rc. */
int writer_run(struct writer *w, struct wjob *j);
/* Finishes the queued jobs, stops the thread and closes its database. */
void writer_stop(struct writer *w);
size_t writer_queue_depth(struct writer *w);
/* true while jobs are queued or being committed. */
bool writer_busy(struct writer *w);

/* ---- metrics ------------------------------------------------------------ */

#define LAT_BUCKETS 12
extern const double lat_bounds[LAT_BUCKETS]; /* seconds */

struct histogram {
	atomic_uint_fast64_t bucket[LAT_BUCKETS + 1]; /* the last is +Inf */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_us;
};

void histogram_add(struct histogram *h, int64_t us);

#define STATUS_SLOTS 24

struct metrics {
	/* requests per route (index in routes[], routes_n = no route) and status */
	atomic_uint_fast64_t *requests; /* (routes_n + 1) * STATUS_SLOTS */
	struct histogram latency;
	struct histogram commit;
	atomic_uint_fast64_t events_ingested;
	atomic_uint_fast64_t events_duplicate;
	atomic_uint_fast64_t customers_written;
	atomic_uint_fast64_t commits;
	atomic_uint_fast64_t commit_failures;
	atomic_uint_fast64_t emails_sent;     /* delivered to the SMTP server */
	atomic_uint_fast64_t emails_retried;  /* attempts that failed and will be tried again */
	atomic_uint_fast64_t emails_failed;   /* given up after the last attempt */
	atomic_int_fast64_t emails_queued;    /* waiting in the outbox (as last counted) */
	atomic_uint_fast64_t triggers_scheduled; /* invitations live events scheduled */
	atomic_uint_fast64_t triggers_sent;      /* scheduled invitations made */
	atomic_uint_fast64_t triggers_skipped;   /* ... skipped (fatigue, consent, ...) */
	atomic_uint_fast64_t triggers_failed;    /* ... given up */
	atomic_uint_fast64_t idempotent_replays; /* stored answers given again (idem.c) */
	atomic_uint_fast64_t idempotency_purged; /* stored answers deleted after their TTL */
};

void metrics_init(struct metrics *m);
void metrics_release(struct metrics *m);
void metrics_request(struct metrics *m, const struct route *rt, int status, int64_t us);
/* The Prometheus text exposition. */
void metrics_render(struct server *srv, struct cxm_buf *out);

/* ---- request-rate limits (flood.c) --------------------------------------- */

struct flood;
/* A limiter of per_minute requests per key, allowing bursts of burst. */
struct flood *flood_new(double per_minute, double burst);
void flood_free(struct flood *f);
/* 0 when key may go now (a request is counted), else seconds to wait. */
int64_t flood_take(struct flood *f, const char *key, int64_t now_us);
/* Like flood_take without counting a request: 0 when key may go now. */
int64_t flood_wait(struct flood *f, const char *key, int64_t now_us);

/* ---- the server --------------------------------------------------------- */

struct server {
	struct cxm_server_opts o;
	char db_url[1024];
	char listen_addr[128];
	struct MHD_Daemon *daemon;
	struct writer *writer;
	struct metrics metrics;
	struct cxm_ratelimit *logins;
	struct flood *public_flood; /* the public survey pages */
	/* argon2id is slow and takes memory: at most this many at once */
	pthread_mutex_t hash_mu;
	int hashing;
	/* read handles, one per worker thread at most */
	pthread_mutex_t pool_mu;
	struct cxm_store **pool;
	size_t npool;
	atomic_int inflight;
	atomic_int stopping;
	int64_t started_at;
	char backend[16];
	pthread_mutex_t log_mu;
	/* a secret of this process (session cookies carry their own secrets) */
	unsigned char key[32];
	/* e-mail: the base of links in messages, and the sender (NULL: off) */
	char public_url[512];
	/* the SMTP server is on this machine: only then does a demo tenant's
	 * e-mail go out (its customers' addresses are made up) */
	bool smtp_local;
	struct sender *sender;
	struct flood *receipt_flood; /* wrong receipt codes, per address */
	/* triggers (scheduler.c): each tenant's active ones, and the thread
	 * that sends what they scheduled */
	struct cxm_trigger_cache *triggers;
	struct scheduler *scheduler;
	struct idem_state *idem; /* Idempotency-Keys in flight (idem.c) */
};

/* ---- e-mail (api_email.c, sender.c) -------------------------------------- */

struct sender;

/* Starts the thread that sends the outbox over SMTP (srv->o.smtp_*). */
int sender_start(struct server *srv, struct sender **out, char *err, size_t errlen);
/* Looks at the outbox now rather than at the next poll. */
void sender_wake(struct sender *s);
/* Stops sending: messages in flight go back to the queue, due at once. */
void sender_stop(struct sender *s);

/*
 * In a writer job: queues the e-mail of invitation inv_id (token: its
 * link token) to the customer, built from the templates in the customer's
 * language. to (may be NULL) is the address the invitation named. On a
 * refusal returns CXM_EINVAL with *refused set to a message id and *field
 * to the field to blame.
 */
int email_queue(struct cxm_store *db, struct server *srv, int64_t tenant, int64_t customer_id, const char *to,
		int64_t inv_id, const char *token, int *refused, const char **field);

/* A composed message; every string owned by the holder (free() each). */
struct email_parts {
	char *subject, *text, *html;
	char *unsubscribe; /* the one-click unsubscribe URL */
};

/*
 * In a writer job: composes the message of the invitation a link token
 * names, for the address `to`, in the customer's language, into
 * *out. CXM_EINVAL with *why (English, static) when the customer may not
 * be e-mailed any more (no address, consent denied); CXM_ENOTFOUND when
 * the invitation is gone.
 */
int email_compose(struct cxm_store *db, struct server *srv, int64_t tenant, const char *token, const char *to,
		  struct email_parts *out, const char **why);

#define LINKS_MAC_HEX 32
/*
 * HMAC-SHA-256 (its first 128 bits, in hex) of msg under the tenant's
 * "links" secret (api_links.c), which signs every public survey token.
 * make: create the secret if the tenant has none yet (making a link);
 * otherwise a tenant without one gets CXM_ENOTFOUND and nothing is written
 * (checking: a public caller may name any tenant).
 */
int links_mac(struct cxm_store *db, int64_t tenant, const char *msg, bool make, char out[LINKS_MAC_HEX + 1]);
/* Adds a survey token's "path" (/s/TOKEN), "url" (from the request's Host)
 * and "token" to o (api_links.c). */
void link_json(struct req *r, cJSON *o, const char *token);
/*
 * The signed invitation tokens of api_links.c, for other channels: checks
 * one (CXM_ENOTFOUND when forged, altered or expired) giving its tenant and
 * invitation; makes one into out (at least 128 bytes) for an invitation
 * expiring at expires_us. Making one may create the tenant's "links"
 * secret; checking never does.
 */
int link_token_check(struct cxm_store *db, const char *token, int64_t *tenant, int64_t *invitation);
int link_token_make(struct cxm_store *db, int64_t tenant, int64_t invitation, int64_t expires_us, char *out,
		    size_t outlen);
/*
 * Many tokens with one read of the secret (a bulk send, api_bulk.c):
 * links_key loads the tenant's "links" key (make: create the secret if
 * none yet), link_token_sign makes the token link_token_make would.
 */
#define LINKS_KEY_BYTES 32
#define LINK_TOKEN_MAX 128
int links_key(struct cxm_store *db, int64_t tenant, bool make, unsigned char key[LINKS_KEY_BYTES]);
void link_token_sign(const unsigned char key[LINKS_KEY_BYTES], int64_t tenant, int64_t invitation, int64_t expires_us,
		     char out[LINK_TOKEN_MAX]);

/* POST /api/v1/surveys/{id}/invitations with an array or an audience
 * (api_bulk.c); body is the parsed request body (borrowed). */
int api_invitation_bulk(struct req *r, int64_t survey_id, cJSON *body);

/* ---- triggers (scheduler.c) ------------------------------------------------ */

struct scheduler;

/*
 * Stores live events (cxm_store_events_put) and, in the same transaction,
 * schedules the invitations they fire (cxm_triggers_schedule): the path of
 * every live event; imports of history use cxm_store_events_put alone.
 * *n_inserted and *scheduled (may be NULL) get how many events were new
 * and how many invitations were scheduled; when some were, call
 * scheduler_wake() after the commit.
 */
int events_put_live(struct cxm_store *db, struct server *srv, int64_t tenant, struct cxm_event *ev, size_t n,
		    size_t *n_inserted, size_t *scheduled);
/* Starts the thread that turns due scheduled invitations into invitations. */
void scheduler_start(struct server *srv, struct scheduler **out);
/* Looks at the scheduled invitations now rather than at the next poll. */
void scheduler_wake(struct scheduler *s);
void scheduler_stop(struct scheduler *s);

/* A database handle for reading, from the pool (or newly opened). */
struct cxm_store *pool_get(struct server *srv, char *err, size_t errlen);
void pool_put(struct server *srv, struct cxm_store *db);

/* ---- one request -------------------------------------------------------- */

struct header {
	const char *name, *value;
	struct header *next;
};

enum req_state { RS_NEW, RS_BODY, RS_WAITING, RS_ANSWERED };

struct req {
	struct server *srv;
	struct MHD_Connection *conn;
	enum req_state state;
	const char *method;
	const char *path;
	const struct route *route;
	struct cxm_str params[MAX_PARAMS];
	int nparams;
	struct cxm_arena arena;
	struct cxm_buf body;
	bool body_too_big;
	cJSON *json;          /* the parsed body, freed with the request */
	struct cxm_store *db; /* see req_db() */
	struct principal who;
	bool authed;
	enum cxm_lang lang;
	int64_t t0;
	/* the answer */
	int status;
	struct cxm_buf out;
	const char *content_type;
	const unsigned char *static_body; /* set instead of out for embedded files */
	size_t static_len;
	struct header *headers;
	/* a write in progress */
	struct wjob job;
	int (*finish)(struct req *r); /* answers after the job */
	void *data;                     /* the handler's state across the job */
	struct idem *idem;              /* its Idempotency-Key, NULL without (idem.c) */
};

/* The read handle of the request (opened on first use); NULL with a 503
 * reply set when the database is unavailable. */
struct cxm_store *req_db(struct req *r);
/* Query parameter (borrowed; NULL when absent). */
const char *req_query(struct req *r, const char *name);
/* Request header (borrowed; NULL when absent). */
const char *req_header(struct req *r, const char *name);
/* The value of a path parameter as a NUL-terminated arena string. */
const char *req_param(struct req *r, int i);
/* Adds a response header (copied into the arena). */
void req_add_header(struct req *r, const char *name, const char *value);
/* The message in the request's language. */
#define T(r, id) cxm_msg_in((id), (r)->lang)

/* In a finish function: when the job or its commit failed, replies with
 * the store's error and returns true. */
bool job_failed(struct req *r);

/* Submits j = &r->job for this request and suspends the connection;
 * returns H_SUSPEND. finish runs on a worker thread after the commit. */
int req_write(struct req *r, int (*run)(struct cxm_store *, struct wjob *), int (*finish)(struct req *));
/* The same with a committed() hook (see struct wjob). */
int req_write_counted(struct req *r, int (*run)(struct cxm_store *, struct wjob *), int (*finish)(struct req *),
		      void (*committed)(struct wjob *));

/* ---- replies (reply.c) ------------------------------------------------- */

/* Prints body (deleting it) as the JSON answer. */
void reply_json(struct req *r, int status, cJSON *body);
void reply_text(struct req *r, int status, const char *content_type, const char *text, size_t len);
void reply_empty(struct req *r, int status);

/*
 * Problem details (RFC 9457): problem_new starts one; problem_item adds an
 * entry to "errors" (index < 0: none; field may be NULL); reply_problem
 * sends it. slug names the type: https://cxm.dev/problems/<slug>.
 */
cJSON *problem_new(struct req *r, int status, const char *slug, enum cxm_msg title, const char *detail);
void problem_item(cJSON *p, long index, const char *field, const char *message);
void reply_problem(struct req *r, cJSON *p);
/* The usual one-liner: status, slug, title and a detail (may be NULL). */
void reply_error(struct req *r, int status, const char *slug, enum cxm_msg title, const char *detail);
/* Adds the space-separated words of list (NULL: none) to o as the array
 * NAME (a stored analysis's themes, emotions, reasons). */
void json_add_words(cJSON *o, const char *name, const char *list);
/* Appends s escaped for HTML text and quoted attribute values. */
void html_escape(struct cxm_buf *b, const char *s);
/* A batch refused for its bad items: problem (taken) gets the count as its
 * detail and is sent (422, or what it says). */
void reply_batch_refused(struct req *r, cJSON *problem, size_t nbad);
/* A batch stored: 202 with answer (taken); with partial, the bad items of
 * problem (taken, freed) are listed as "rejected" and "errors". */
void reply_batch_accepted(struct req *r, cJSON *answer, cJSON *problem, bool partial, size_t nbad);
/* 400 naming one query parameter. */
void reply_bad_query(struct req *r, const char *param, const char *message);
/* The query parameter NAME as one of the tenant's days (YYYY-MM-DD or an
 * RFC 3339 instant; DFLT when absent) into *out: 0, or -1 when it was bad
 * and a 400 naming it was sent. */
int req_day_param(struct req *r, struct cxm_store *db, const char *name, int64_t dflt, int64_t *out);
/* A report's range of the tenant's days, from <= day < to: `to` defaults
 * to tomorrow, `from` to DFLT_DAYS before `to`; 0, or -1 when a 400 naming
 * the bad parameter (or the store's error) was sent. */
int req_day_range(struct req *r, struct cxm_store *db, int64_t dflt_days, int64_t max_days, int64_t *from,
		  int64_t *to);
/* 422 naming one field. */
void reply_invalid(struct req *r, const char *field, const char *message);
/* Maps a store error code to its HTTP answer (404, 409, 503 ...). */
void reply_store_error(struct req *r, int code, const char *message);

/* ---- request bodies (body.c) -------------------------------------------- */

/*
 * Parses the request body as JSON under the server's limits (depth,
 * string length). Replies 415 / 400 / 413 itself and returns NULL on
 * failure. The tree is owned by the request (freed with it).
 */
cJSON *body_json(struct req *r);
/*
 * Items of a POST that takes one object, an array of them, or NDJSON
 * (application/x-ndjson). *items gets an arena array of trees owned by the
 * request. Replies itself and returns -1 on failure.
 */
int body_items(struct req *r, cJSON ***items, size_t *n);
/* The same over r->body, JSON or NDJSON as told (no headers read). */
int body_items_parse(struct req *r, bool ndjson, cJSON ***items, size_t *n);
/* Checks that obj has only keys from allowed (NULL-ended); adds a problem
 * item per unknown key. Returns the number of unknown keys. */
int check_keys(const cJSON *obj, const char *const *allowed, cJSON *problem, long index);
/* The depth / string-length checks, as used by body_json; 0 or sets why. */
int json_limits(const cJSON *root, int max_depth, size_t max_string, char *why, size_t whylen);
/* A string member of an item: absent or null gives NULL; any other type
 * adds a problem item (index idx) and sets *bad. Borrowed from o. */
const char *item_str(struct req *r, const cJSON *o, const char *k, cJSON *problem, long idx, bool *bad);
/* Adds a problem item for an item of a batch and sets *bad. */
void item_error(cJSON *problem, long idx, const char *field, const char *msg, bool *bad);
/* item_str, also checked as text (valid UTF-8, no controls, at most max bytes). */
const char *item_text(struct req *r, const cJSON *o, const char *k, size_t max, cJSON *problem, long idx, bool *bad);
/* Parses a decimal id given as a JSON string or a path segment. */
int parse_id(const char *s, int64_t *out);
/* A limit query parameter: default, and at most max. -1 with a reply set on junk. */
int query_limit(struct req *r, int dflt, int max);
/* A time query parameter (RFC 3339) into *out, dflt without one; -1 after replying 400. */
int query_time(struct req *r, const char *name, int64_t dflt, int64_t *out);
/*
 * A two-part page cursor "A.B" (a time or key, then an id) from ?cursor into
 * *a and *b, left as they are without one; -1 after replying 400.
 */
int query_cursor2(struct req *r, int64_t *a, int64_t *b);
/* Adds "next_cursor": "A.B" to o (the page's last item). */
void add_cursor2(cJSON *o, int64_t a, int64_t b);

/* ---- auth (auth.c) ------------------------------------------------------ */

/* Identifies the caller from a bearer key or the session cookie; fills
 * r->who. Replies 401/403 itself and returns -1 when refused. */
int auth_request(struct req *r);
/* Computes r->who.spans for a scoped role. */
int auth_load_scope(struct req *r, struct cxm_store *db);
/* Whether a customer is visible to the caller (scoped roles: one of the
 * customer's events is inside the caller's subtree). */
int auth_sees_customer(struct req *r, struct cxm_store *db, int64_t customer_id, bool *visible);

/* The value of cookie `name` in a Cookie header, copied into out. */
bool http_cookie_value(const char *header, const char *name, char *out, size_t outlen);

/* ---- checking request items (pure: arena, language and limits of r) ---- */

/* Checks the items of POST /api/v1/events; problems go into `problem` with
 * each item's index. Returns how many items are bad. */
size_t events_check(struct req *r, cJSON **items, size_t n, cJSON *problem);
/* After events_check: whether item i is bad; and storing the checked
 * items as POST /api/v1/events does (tenant r->who.tenant, tenant-wide),
 * answering 202 with the counts. Returns H_SUSPEND. */
bool events_item_bad(struct req *r, size_t i);
int events_write(struct req *r);
/* Checks the body of POST /api/v1/customers; problems go into `problem`. */
void customer_check(struct req *r, const cJSON *body, cJSON *problem);

/* The stored form of an identity value: emails and phones normalised as
 * the customer fields are, other kinds as given. NULL with why set when
 * the value is not valid for its kind. Arena memory. */
const char *identity_value(struct req *r, const char *kind, const char *value, char *why, size_t whylen);

/* ---- JSON of records (shared by the handlers) -------------------------- */

char *id_str(struct req *r, int64_t id);
cJSON *customer_json(struct req *r, const struct cxm_customer *c);
cJSON *event_json(struct req *r, const struct cxm_event *e);

/* A page of verbatims of f as GET /api/v1/text/verbatims answers it
 * ({"items", "next_cursor"}: texts masked by the tenant's policy, the
 * caller's scope applied) into *out (api_text_store.c); -1 after replying. */
int verbatims_json(struct req *r, struct cxm_store *db, const struct cxm_verbatim_filter *f, int limit,
		   int64_t before_ts, int64_t before_id, cJSON **out);

/* ---- logging ------------------------------------------------------------ */

void log_request(struct req *r, int64_t us);
/* Appends s as a JSON string (quoted, escaped). */
void json_escape(struct cxm_buf *b, const char *s);
void log_line(struct server *srv, const char *fmt, ...) CXM_PRINTF(2, 3);

/* ---- anonymous surveys: open links and receipts (api_anon.c) ------------ */

#define ANON_NONCE_MAX 80
/* The open link of an anonymous survey: "TENANT.o.SURVEY.MAC" (128 bytes). */
int anon_open_token(struct cxm_store *db, int64_t tenant, int64_t survey, char out[128]);
/* 0 when token is a genuine open link (tenant and survey filled), else
 * CXM_ENOTFOUND (or a store error). */
int anon_open_check(struct cxm_store *db, const char *token, int64_t *tenant, int64_t *survey);
/* A new signed one-time form nonce of the open link's page. */
int anon_nonce_new(struct cxm_store *db, int64_t tenant, int64_t survey, char out[ANON_NONCE_MAX]);
/* 0 and the nonce's seed when it is genuine for this survey; else CXM_ENOTFOUND. */
int anon_nonce_check(struct cxm_store *db, int64_t tenant, int64_t survey, const char *nonce,
		     unsigned char seed[16]);
/* The response source id of a nonce's seed ("open:" and a hash; 48 bytes). */
void anon_source_id(const unsigned char seed[16], char out[48]);
/* Whether a stored survey definition (JSON text) is anonymous. */
bool anon_survey(const char *definition);
/* "es", "en" from Accept-Language, or NULL. */
const char *anon_accept_lang(struct req *r);
/* The thank-you page of an open link, with the receipt code of seed. */
void anon_thanks(struct req *r, const char *lang, const char *token, const unsigned char seed[16]);
/* The public 429: a small HTML page in the visitor's language, Retry-After. */
void public_slow_down(struct req *r, int64_t wait);
/* A public HTML page around body (api_links.c). */
void html_page(struct req *r, int status, const char *lang, const char *title, struct cxm_buf *body);

/* ---- a tenant setting stored whole (settings_write.c) ---------------------- */

/* Stores value (borrowed; printed as it is) as the tenant's setting name and
 * audits it as action, in the writer's transaction; then answer(r) replies
 * (the route's GET). Returns what req_write returns. */
int setting_write(struct req *r, const char *name, const char *action, const cJSON *value, int (*answer)(struct req *r));

/* ---- Idempotency-Key (idem.c) -------------------------------------------- */

struct idem_state;
struct idem_state *idem_state_new(void);
void idem_state_free(struct idem_state *st);
/*
 * Before the handler of an authenticated POST or PATCH with RF_WRITE: with
 * an Idempotency-Key, replays its stored answer or refuses (400 bad key,
 * 422 key used for another request, 409 in flight) and returns 1; else
 * notes the key in r->idem and returns 0 (the handler runs).
 */
int idem_begin(struct req *r);
/* The wjob seal of a request with a key: answers (r->finish) inside the
 * write's transaction and stores the answer there. */
int idem_seal(struct cxm_store *db, struct wjob *j);
/* On resuming: true when idem_seal answered already (the answer is fixed
 * up if the commit failed), so finish must not run again. */
bool idem_resumed(struct req *r);
/* Before the answer is sent: stores it if it was not stored with a write
 * (and is not a 5xx). */
void idem_end(struct req *r);
/* When the request ends: lets go of its key if still held. */
void idem_release(struct req *r);
/* The scheduler's expiry of stored answers, in a few bounded batches. */
void idem_purge(struct server *srv);

#endif
