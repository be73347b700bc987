/* cmd_serve.c - `cxm serve`: the HTTP server (src/http/). */
#include "cli.h"
#include "cxm/server.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int size_opt(const char *v, const char *what, int64_t min, int64_t max, int64_t *out)
{
	if (cli_int(v, what, out))
		return -1;
	if (*out < min || *out > max) {
		cli_fail(_(MSG_BAD_NUMBER), v, what);
		return -1;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct cli c = { .cmd = "serve" };
	const char *listen = NULL, *threads = NULL, *max_body = NULL, *max_batch = NULL, *max_string = NULL;
	const char *max_depth = NULL, *timeout = NULL, *public_rate = NULL, *pos[1];
	const char *public_url = NULL, *smtp_url = NULL, *smtp_user = NULL, *smtp_password_file = NULL;
	const char *smtp_from = NULL, *smtp_concurrency = NULL, *smtp_retry = NULL, *smtp_unsub = NULL;
	const char *smtp_tls = NULL, *text_retrain = NULL, *idem_ttl = NULL;
	char *password = NULL;
	bool quiet = false;
	const struct cli_opt opts[] = { { "--listen", &listen, NULL },	       { "--threads", &threads, NULL },
					{ "--max-body", &max_body, NULL },     { "--max-batch", &max_batch, NULL },
					{ "--max-string", &max_string, NULL }, { "--max-depth", &max_depth, NULL },
					{ "--timeout", &timeout, NULL },       { "--quiet", NULL, &quiet },
					{ "--public-per-minute", &public_rate, NULL },
					{ "--public-url", &public_url, NULL }, { "--smtp-url", &smtp_url, NULL },
					{ "--smtp-user", &smtp_user, NULL },
					{ "--smtp-password-file", &smtp_password_file, NULL },
					{ "--smtp-from", &smtp_from, NULL },
					{ "--smtp-concurrency", &smtp_concurrency, NULL },
					{ "--smtp-retry-base-ms", &smtp_retry, NULL },
					{ "--smtp-unsubscribe-mailto", &smtp_unsub, NULL },
					{ "--smtp-tls", &smtp_tls, NULL },
					{ "--text-retrain-s", &text_retrain, NULL },
					{ "--idempotency-ttl-s", &idem_ttl, NULL },
					{ NULL } };
	struct cxm_server_opts o;
	char err[512];
	int64_t v;
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 0, &npos, MSG_USAGE_SERVE)))
		return ret == 1 ? 0 : ret;
	cxm_server_opts_init(&o);
	o.db_url = c.db;
	if (listen)
		o.listen = listen;
	if (threads && size_opt(threads, "--threads", 1, 256, &v) == 0)
		o.threads = (unsigned)v;
	else if (threads)
		return 2;
	if (max_body) {
		if (size_opt(max_body, "--max-body", 1024, (int64_t)1 << 30, &v))
			return 2;
		o.max_body = (size_t)v;
	}
	if (max_batch) {
		if (size_opt(max_batch, "--max-batch", 1, 1000000, &v))
			return 2;
		o.max_batch = (size_t)v;
	}
	if (max_string) {
		if (size_opt(max_string, "--max-string", 16, (int64_t)1 << 24, &v))
			return 2;
		o.max_string = (size_t)v;
	}
	if (max_depth) {
		if (size_opt(max_depth, "--max-depth", 2, 32, &v))
			return 2;
		o.max_depth = (int)v;
	}
	if (timeout) {
		if (size_opt(timeout, "--timeout", 1, 3600, &v))
			return 2;
		o.timeout_s = (unsigned)v;
	}
	if (public_rate) {
		if (size_opt(public_rate, "--public-per-minute", 1, 1000000, &v))
			return 2;
		o.public_per_minute = (double)v;
	}
	o.quiet = quiet;
	o.public_url = public_url;
	o.smtp_url = smtp_url;
	o.smtp_user = smtp_user;
	if (smtp_tls && strcmp(smtp_tls, "try") && strcmp(smtp_tls, "required"))
		return cli_usage(&c, _(MSG_SERVE_SMTP_TLS), smtp_tls);
	o.smtp_tls_required = smtp_tls && !strcmp(smtp_tls, "required");
	o.smtp_from = smtp_from ? smtp_from : "cxm <cxm@localhost>";
	if (smtp_unsub && (!strchr(smtp_unsub, '@') || strpbrk(smtp_unsub, "<>,;?&%\" \r\n")))
		return cli_fail(_(MSG_SERVE_SMTP_UNSUB), smtp_unsub);
	o.smtp_unsubscribe_mailto = smtp_unsub;
	if (smtp_concurrency) {
		if (size_opt(smtp_concurrency, "--smtp-concurrency", 1, 64, &v))
			return 2;
		o.smtp_concurrency = (unsigned)v;
	}
	if (smtp_retry) {
		if (size_opt(smtp_retry, "--smtp-retry-base-ms", 1, 24 * 3600 * 1000, &v))
			return 2;
		o.smtp_retry_base_ms = (unsigned)v;
	}
	if (text_retrain) {
		if (size_opt(text_retrain, "--text-retrain-s", 1, 7 * 24 * 3600, &v))
			return 2;
		o.text_retrain_s = (unsigned)v;
	}
	if (idem_ttl) {
		if (size_opt(idem_ttl, "--idempotency-ttl-s", 1, 30 * 24 * 3600, &v))
			return 2;
		o.idempotency_ttl_s = (unsigned)v;
	}
	if (smtp_password_file) {
		/* from a file, so the password is in no process listing */
		FILE *f = fopen(smtp_password_file, "r");
		char buf[1024];
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (!f || ferror(f)) {
			if (f)
				fclose(f);
			return cli_fail(_(MSG_SERVE_SMTP_PASSWORD), smtp_password_file, strerror(errno));
		}
		fclose(f);
		buf[n] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		password = xstrdup(buf);
		o.smtp_password = password;
	}
	ret = cxm_serve(&o, err, sizeof(err));
	free(password);
	if (ret)
		return cli_fail("%s", err);
	return 0;
}
