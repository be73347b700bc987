/* cmd_serve.c - `cxm serve`: the HTTP server (src/http/). */
#include "cli.h"
#include "cxm/server.h"

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
	bool quiet = false;
	const struct cli_opt opts[] = { { "--listen", &listen, NULL },	       { "--threads", &threads, NULL },
					{ "--max-body", &max_body, NULL },     { "--max-batch", &max_batch, NULL },
					{ "--max-string", &max_string, NULL }, { "--max-depth", &max_depth, NULL },
					{ "--timeout", &timeout, NULL },       { "--quiet", NULL, &quiet },
					{ "--public-per-minute", &public_rate, NULL },
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
	ret = cxm_serve(&o, err, sizeof(err));
	if (ret)
		return cli_fail("%s", err);
	return 0;
}
