/*
 * server.h - `cxm serve`: the HTTP API, the dashboard and the operational
 * endpoints over one database (src/http/).
 */
#ifndef CXM_SERVER_H
#define CXM_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct cxm_server_opts {
	const char *db_url;     /* borrowed */
	const char *listen;     /* "127.0.0.1:8080", "[::1]:8080", ":8080" */
	size_t max_body;        /* bytes in a request body (5 MB) */
	size_t max_batch;       /* items in one POST (1,000) */
	size_t max_string;      /* bytes in one JSON string (64 KiB) */
	int max_depth;          /* JSON nesting (32) */
	unsigned timeout_s;     /* a client's time to send its request (30 s) */
	unsigned threads;       /* HTTP worker threads (0: one per core, at least 2) */
	int quiet;              /* no request log lines */
	double public_per_minute; /* requests per minute to the public survey pages, per address and per link (120) */
	/* e-mail invitations (all borrowed; smtp_url NULL: e-mail is off) */
	const char *public_url; /* base of links in e-mails (NULL: http://LISTEN) */
	const char *smtp_url;   /* smtp://host:port (STARTTLS when offered) or smtps:// */
	const char *smtp_user;  /* NULL: no AUTH */
	const char *smtp_password;
	const char *smtp_from;  /* "Name <addr>" or addr */
	unsigned smtp_concurrency;   /* messages in flight at most (4) */
	unsigned smtp_retry_base_ms; /* first retry delay, doubled each time (60,000) */
	unsigned smtp_timeout_s;     /* one delivery at most (60 s) */
	const char *smtp_unsubscribe_mailto; /* an address for List-Unsubscribe mailto:; NULL: none */
	bool smtp_tls_required;      /* smtp://: refuse to send unless STARTTLS works (else STARTTLS when offered) */
	unsigned text_retrain_s;     /* how often the tenants' text models are checked for retraining (300 s) */
	unsigned idempotency_ttl_s;  /* how long the answer to an Idempotency-Key is kept (86,400 s) */
};

/* Fills the defaults above. */
void cxm_server_opts_init(struct cxm_server_opts *o);

/*
 * Opens the database, listens and serves until SIGTERM or SIGINT, then
 * stops accepting, lets requests in flight finish and returns 0. Prints
 * "listening on http://ADDR" on stderr once ready. Returns a CXM_E* code
 * (with a message in err) when it cannot start.
 */
int cxm_serve(const struct cxm_server_opts *o, char *err, size_t errlen);

#endif
