/*
 * sender.c - the thread that delivers the outbox over SMTP with libcurl.
 *
 * One thread drives up to --smtp-concurrency transfers at once through a
 * curl multi handle. It looks at the outbox when woken (a message was just
 * queued) and every poll interval; a read handle says whether anything is
 * due, and only then does a writer job claim messages (a lease, so other
 * nodes leave them alone). Each transfer ends in a writer job too: sent
 * (the invitation becomes sent) or failed, tried again after the retry
 * base times 2^(attempt-1), until the last attempt fails and the
 * invitation is marked failed with the error kept. At stop, transfers in
 * flight are abandoned and their messages put back, due at once.
 *
 * A message queued with its link token is composed in the claim job
 * (email_compose); one whose customer has since unsubscribed, or bounced,
 * is given up there instead of sent. Every message names itself
 * "<outbox id.tenant@sender's domain>" in Message-ID, which is how the
 * provider's delivery reports find it again (api_email_events.c), and
 * carries List-Unsubscribe with one-click unsubscribing (RFC 8058).
 */
#include "http-internal.h"
#include "cxm/time.h"

#include <curl/curl.h>
#include <sodium.h>
#include <time.h>

#define MAX_ATTEMPTS 6
#define LEASE_US ((int64_t)15 * 60 * 1000000) /* longer than any transfer may take */
#define POLL_MAX_MS 1000

struct sender {
	struct server *srv;
	pthread_t thread;
	CURLM *multi;
	atomic_int stop;
	atomic_int woken;
	char from_addr[320]; /* the bare address, for MAIL FROM */
	unsigned poll_ms;
	struct flight *flights; /* in flight, owned */
};

/* A message being sent: a copy of the outbox row and its transfer. */
struct flight {
	int64_t tenant, id;
	int attempts;
	char *to, *subject, *text, *html;
	char *token, *unsub; /* the link token and the unsubscribe URL; NULL for stored bodies */
	CURL *easy;
	curl_mime *mime;
	struct curl_slist *rcpt, *headers;
	char errbuf[CURL_ERROR_SIZE];
	struct flight *next;
};

static void flight_free(struct flight *f)
{
	if (f->easy)
		curl_easy_cleanup(f->easy);
	curl_mime_free(f->mime);
	curl_slist_free_all(f->rcpt);
	curl_slist_free_all(f->headers);
	free(f->to);
	free(f->subject);
	free(f->text);
	free(f->html);
	free(f->token);
	free(f->unsub);
	free(f);
}

/* ---- writer jobs ---------------------------------------------------------- */

struct claim_job {
	struct wjob job;
	struct server *srv;
	int limit;
	struct flight *got;
	int dropped; /* given up while composing (consent denied, no invitation) */
};

static int claim_cb(const struct cxm_outbox_msg *m, void *ctx)
{
	struct claim_job *c = ctx;
	struct flight *f = xcalloc(1, sizeof(*f));

	f->tenant = m->tenant_id;
	f->id = m->id;
	f->attempts = m->attempts;
	f->to = xstrdup(m->to_address);
	f->subject = xstrdup(m->subject);
	f->text = xstrdup(m->body_text);
	f->html = xstrdup(m->body_html);
	f->token = m->link_token ? xstrdup(m->link_token) : NULL;
	f->next = c->got;
	c->got = f;
	return 0;
}

static int claim_run(struct cxm_store *db, struct wjob *j)
{
	struct claim_job *c = j->ctx;
	int64_t now = cxm_now_us();
	struct flight *f;
	int ret = cxm_store_outbox_claim(db, now, now + LEASE_US, c->limit, claim_cb, c, NULL);

	/* compose what was queued by token; give up what may not be sent */
	for (struct flight **pp = &c->got; !ret && (f = *pp);) {
		struct email_parts ep = { 0 };
		const char *why = NULL;
		if (!f->token) {
			pp = &f->next;
			continue;
		}
		ret = email_compose(db, c->srv, f->tenant, f->token, f->to, &ep, &why);
		if (ret == CXM_EINVAL && why) {
			if (!(ret = cxm_store_outbox_failed(db, f->tenant, f->id, why, 0))) {
				*pp = f->next;
				flight_free(f);
				c->dropped++;
			}
			continue;
		}
		if (ret == CXM_ENOTFOUND) {
			/* the invitation is gone: nothing to send */
			if (!(ret = cxm_store_outbox_failed(db, f->tenant, f->id, "no such invitation", 0))) {
				*pp = f->next;
				flight_free(f);
				c->dropped++;
			}
			continue;
		}
		if (!ret) {
			free(f->subject), free(f->text), free(f->html);
			f->subject = ep.subject, f->text = ep.text, f->html = ep.html, f->unsub = ep.unsubscribe;
		}
		pp = &f->next;
	}
	if (ret) {
		/* rolled back: forget what the callback copied */
		while ((f = c->got)) {
			c->got = f->next;
			flight_free(f);
		}
	}
	return ret;
}

struct mark_job {
	struct wjob job;
	struct flight *f;
	const char *error; /* NULL: sent */
	int64_t next;      /* with an error: the next attempt, 0 to give up */
};

static int mark_run(struct cxm_store *db, struct wjob *j)
{
	struct mark_job *m = j->ctx;

	if (!m->error)
		return cxm_store_outbox_sent(db, m->f->tenant, m->f->id, cxm_now_us());
	return cxm_store_outbox_failed(db, m->f->tenant, m->f->id, m->error, m->next);
}

/* ---- sending -------------------------------------------------------------- */

/* An RFC 2047 encoded word for a header with non-ASCII text. */
static char *encoded_word(const char *s)
{
	size_t n = strlen(s), b64len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = xmalloc(b64len), *out;
	bool ascii = true;

	for (const char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80 || *p == '\r' || *p == '\n')
			ascii = false;
	if (ascii) {
		free(b64);
		return xstrdup(s);
	}
	sodium_bin2base64(b64, b64len, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
	out = xasprintf("=?UTF-8?B?%s?=", b64);
	free(b64);
	return out;
}

static int progress_cb(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct sender *s = ctx;

	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load(&s->stop) ? 1 : 0; /* abandon the transfer at stop */
}

static void add_part(curl_mime *mime, const char *data, const char *type)
{
	curl_mimepart *part = curl_mime_addpart(mime);

	curl_mime_data(part, data, CURL_ZERO_TERMINATED);
	curl_mime_type(part, type);
	curl_mime_encoder(part, "quoted-printable");
}

static void start_flight(struct sender *s, struct flight *f)
{
	const struct cxm_server_opts *o = &s->srv->o;
	char date[64], *line, *subj;
	curl_mime *alt;
	curl_mimepart *part;
	time_t now = time(NULL);
	struct tm tm;

	f->easy = curl_easy_init();
	if (!f->easy)
		BUG("curl_easy_init failed");
	curl_easy_setopt(f->easy, CURLOPT_URL, o->smtp_url);
	curl_easy_setopt(f->easy, CURLOPT_PRIVATE, f);
	curl_easy_setopt(f->easy, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(f->easy, CURLOPT_TIMEOUT, (long)o->smtp_timeout_s);
	curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* smtp://: STARTTLS whenever the server offers it, or (--smtp-tls
	 * required) never without it; smtps:// is TLS anyway */
	curl_easy_setopt(f->easy, CURLOPT_USE_SSL, (long)(o->smtp_tls_required ? CURLUSESSL_ALL : CURLUSESSL_TRY));
	curl_easy_setopt(f->easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(f->easy, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(f->easy, CURLOPT_XFERINFODATA, s);
	if (o->smtp_user) {
		curl_easy_setopt(f->easy, CURLOPT_USERNAME, o->smtp_user);
		curl_easy_setopt(f->easy, CURLOPT_PASSWORD, o->smtp_password ? o->smtp_password : "");
	}
	curl_easy_setopt(f->easy, CURLOPT_MAIL_FROM, s->from_addr);
	f->rcpt = curl_slist_append(NULL, f->to);
	curl_easy_setopt(f->easy, CURLOPT_MAIL_RCPT, f->rcpt);

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
	f->headers = curl_slist_append(f->headers, date);
	line = xasprintf("From: %s", o->smtp_from);
	f->headers = curl_slist_append(f->headers, line);
	free(line);
	line = xasprintf("To: <%s>", f->to);
	f->headers = curl_slist_append(f->headers, line);
	free(line);
	subj = encoded_word(f->subject);
	line = xasprintf("Subject: %s", subj);
	f->headers = curl_slist_append(f->headers, line);
	free(line);
	free(subj);
	line = xasprintf("Message-ID: <%lld.%lld@%s>", (long long)f->id, (long long)f->tenant,
			 strchr(s->from_addr, '@') + 1);
	f->headers = curl_slist_append(f->headers, line);
	free(line);
	f->headers = curl_slist_append(f->headers, "Auto-Submitted: auto-generated");
	if (f->unsub) {
		/* RFC 2369 and RFC 8058: mail readers offer a one-click button
		 * that POSTs List-Unsubscribe=One-Click to the https URL */
		if (o->smtp_unsubscribe_mailto)
			line = xasprintf("List-Unsubscribe: <%s>, <mailto:%s?subject=unsubscribe%%20%s>", f->unsub,
					 o->smtp_unsubscribe_mailto, f->token);
		else
			line = xasprintf("List-Unsubscribe: <%s>", f->unsub);
		f->headers = curl_slist_append(f->headers, line);
		free(line);
		f->headers = curl_slist_append(f->headers, "List-Unsubscribe-Post: List-Unsubscribe=One-Click");
	}
	curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->headers);

	/* multipart/mixed holding one multipart/alternative: text, then HTML */
	f->mime = curl_mime_init(f->easy);
	alt = curl_mime_init(f->easy);
	add_part(alt, f->text, "text/plain; charset=utf-8");
	add_part(alt, f->html, "text/html; charset=utf-8");
	part = curl_mime_addpart(f->mime);
	curl_mime_subparts(part, alt);
	curl_mime_type(part, "multipart/alternative");
	curl_easy_setopt(f->easy, CURLOPT_MIMEPOST, f->mime);
	curl_easy_setopt(f->easy, CURLOPT_UPLOAD, 1L);
	curl_multi_add_handle(s->multi, f->easy);
	f->next = s->flights;
	s->flights = f;
}

/* Records how a transfer ended (result) and forgets it. */
static void land(struct sender *s, struct flight *f, CURLcode result)
{
	struct metrics *m = &s->srv->metrics;
	struct mark_job mj = { .f = f };
	char error[CURL_ERROR_SIZE + 64];
	int ret;

	if (result == CURLE_OK) {
		atomic_fetch_add(&m->emails_sent, 1);
	} else {
		long code = 0;
		curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &code);
		snprintf(error, sizeof(error), "%s%s%s (SMTP %ld)", curl_easy_strerror(result), f->errbuf[0] ? ": " : "",
			 f->errbuf, code);
		mj.error = error;
		if (atomic_load(&s->stop)) {
			mj.next = cxm_now_us(); /* not the message's fault: again at the next start */
		} else if (f->attempts >= MAX_ATTEMPTS) {
			mj.next = 0;
			atomic_fetch_add(&m->emails_failed, 1);
		} else {
			mj.next = cxm_now_us() + (int64_t)s->srv->o.smtp_retry_base_ms * 1000 * ((int64_t)1 << (f->attempts - 1));
			atomic_fetch_add(&m->emails_retried, 1);
		}
	}
	curl_multi_remove_handle(s->multi, f->easy);
	for (struct flight **pp = &s->flights; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	mj.job = (struct wjob){ .run = mark_run, .ctx = &mj, .lang = CXM_LANG_EN };
	if ((ret = writer_run(s->srv->writer, &mj.job)))
		log_line(s->srv, "{\"event\":\"email\",\"outbox\":%lld,\"store_error\":%d}", (long long)f->id, ret);
	if (!s->srv->o.quiet)
		log_line(s->srv, "{\"event\":\"email\",\"outbox\":%lld,\"attempt\":%d,\"sent\":%s}", (long long)f->id,
			 f->attempts, result == CURLE_OK ? "true" : "false");
	flight_free(f);
}

/* Counts the queue for the gauge; true when something is due now. */
static bool look(struct sender *s)
{
	char err[256];
	struct cxm_store *db = pool_get(s->srv, err, sizeof(err));
	int64_t n = 0;
	bool due = false;

	if (!db)
		return false;
	if (!cxm_store_outbox_queued(db, INT64_MAX, &n))
		atomic_store(&s->srv->metrics.emails_queued, n);
	if (n && !cxm_store_outbox_queued(db, cxm_now_us(), &n))
		due = n > 0;
	pool_put(s->srv, db);
	return due;
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	int in_flight = 0, limit = (int)s->srv->o.smtp_concurrency;
	int64_t next_look = 0;

	while (!atomic_load(&s->stop)) {
		int running = 0, left;
		CURLMsg *msg;

		if (in_flight < limit && (atomic_exchange(&s->woken, 0) || cxm_now_us() >= next_look)) {
			next_look = cxm_now_us() + (int64_t)s->poll_ms * 1000;
			if (look(s)) {
				struct claim_job c = { .srv = s->srv, .limit = limit - in_flight };
				c.job = (struct wjob){ .run = claim_run, .ctx = &c, .lang = CXM_LANG_EN };
				if (writer_run(s->srv->writer, &c.job) == 0) {
					for (struct flight *f = c.got, *next; f; f = next) {
						next = f->next;
						f->next = NULL;
						start_flight(s, f);
						in_flight++;
					}
					if (c.dropped) {
						/* given up, not sent: counted as failed, and the
						 * places they took are free at once */
						atomic_fetch_add(&s->srv->metrics.emails_failed, (uint_fast64_t)c.dropped);
						next_look = 0;
					}
				}
			}
		}
		curl_multi_perform(s->multi, &running);
		while ((msg = curl_multi_info_read(s->multi, &left))) {
			struct flight *f;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&f);
			land(s, f, msg->data.result);
			in_flight--;
			next_look = 0; /* recount the queue for the gauge, claim more */
		}
		curl_multi_poll(s->multi, NULL, 0, in_flight ? 100 : (int)s->poll_ms, NULL);
	}
	/* stopping: abandon what is in flight and put it back */
	while (s->flights)
		land(s, s->flights, CURLE_ABORTED_BY_CALLBACK);
	return NULL;
}

/* Whether the SMTP server is on this machine (a test sink or a local relay). */
static bool smtp_is_local(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	bool local = false;

	if (u && !curl_url_set(u, CURLUPART_URL, url, 0) && !curl_url_get(u, CURLUPART_HOST, &host, 0))
		local = !strncmp(host, "127.", 4) || !strcmp(host, "localhost") || !strcmp(host, "[::1]");
	curl_free(host);
	curl_url_cleanup(u);
	return local;
}

int sender_start(struct server *srv, struct sender **out, char *err, size_t errlen)
{
	const struct cxm_server_opts *o = &srv->o;
	struct sender *s;
	const char *lt, *gt, *from = o->smtp_from ? o->smtp_from : "";
	size_t n;

	lt = strrchr(from, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt)
		from = lt + 1, n = (size_t)(gt - lt - 1);
	else
		n = strlen(from);
	if (!n || n >= 320 || !memchr(from, '@', n) || memchr(from, '\r', n) || memchr(from, '\n', n)) {
		snprintf(err, errlen, "%s", _(MSG_SERVE_SMTP_FROM));
		return CXM_EINVAL;
	}
	if (strncmp(o->smtp_url, "smtp://", 7) && strncmp(o->smtp_url, "smtps://", 8)) {
		snprintf(err, errlen, "%s", _(MSG_SERVE_SMTP_URL));
		return CXM_EINVAL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		BUG("curl_global_init failed");
	srv->smtp_local = smtp_is_local(o->smtp_url);
	s = xcalloc(1, sizeof(*s));
	s->srv = srv;
	memcpy(s->from_addr, from, n);
	s->poll_ms = o->smtp_retry_base_ms < POLL_MAX_MS ? (o->smtp_retry_base_ms ? o->smtp_retry_base_ms : 1) : POLL_MAX_MS;
	s->multi = curl_multi_init();
	if (!s->multi)
		BUG("curl_multi_init failed");
	if (pthread_create(&s->thread, NULL, sender_main, s))
		BUG("cannot start the e-mail sender thread");
	*out = s;
	return 0;
}

void sender_wake(struct sender *s)
{
	if (!s)
		return;
	atomic_store(&s->woken, 1);
	curl_multi_wakeup(s->multi);
}

void sender_stop(struct sender *s)
{
	atomic_store(&s->stop, 1);
	curl_multi_wakeup(s->multi);
	pthread_join(s->thread, NULL);
	curl_multi_cleanup(s->multi);
	curl_global_cleanup();
	free(s);
}
