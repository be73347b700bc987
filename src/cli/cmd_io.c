/* cmd_io.c - `cxm import` and `cxm export`. */
#include "cli.h"
#include "cxm/io.h"

#include <errno.h>
#include <unistd.h>

#define MAX_REJECTS_SHOWN 50

struct import_ui {
	bool tty;
	uint64_t shown;
};

static void on_reject(const char *file, uint64_t line, const char *reason, void *ctx)
{
	struct import_ui *ui = ctx;

	if (ui->shown++ >= MAX_REJECTS_SHOWN)
		return;
	if (ui->tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s:%llu: %s\n", file, (unsigned long long)line, reason);
}

static void on_progress(uint64_t done, uint64_t total, void *ctx)
{
	struct import_ui *ui = ctx;
	int width = 40, filled;

	if (!ui->tty || !total)
		return;
	filled = (int)(done * (uint64_t)width / total);
	fprintf(stderr, "\r[%-*.*s] %3d%%  %.1f MiB", width, filled, "########################################",
		(int)(done * 100 / total), (double)done / (1 << 20));
	fflush(stderr);
}

/* responses: import only (an export of responses is not written yet) */
static int parse_kind(struct cli *c, const char *v, bool responses, enum cxm_io_kind *kind)
{
	if (!strcmp(v, "customers"))
		*kind = CXM_IO_CUSTOMERS;
	else if (!strcmp(v, "events"))
		*kind = CXM_IO_EVENTS;
	else if (responses && !strcmp(v, "responses"))
		*kind = CXM_IO_RESPONSES;
	else
		return cli_usage(c, responses ? _(MSG_BAD_IMPORT_KIND) : _(MSG_BAD_KIND), v);
	return 0;
}

static int parse_format(struct cli *c, const char *v, enum cxm_io_format *f)
{
	if (!v)
		*f = CXM_FORMAT_AUTO;
	else if (!strcmp(v, "csv"))
		*f = CXM_FORMAT_CSV;
	else if (!strcmp(v, "jsonl"))
		*f = CXM_FORMAT_JSONL;
	else
		return cli_usage(c, _(MSG_BAD_FORMAT), v);
	return 0;
}

int cmd_import(int argc, char **argv)
{
	struct cli c = { .cmd = "import" };
	const char *format = NULL, *rejects = NULL, *pos[2];
	bool skip_bad = false;
	const struct cli_opt opts[] = {
		{ "--format", &format, NULL }, { "--skip-bad", NULL, &skip_bad }, { "--rejects", &rejects, NULL }, { NULL }
	};
	struct cxm_import_opts o = { 0 };
	struct cxm_import_report r;
	struct import_ui ui = { isatty(2) == 1, 0 };
	char err[1024], *reject_path = NULL;
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 2, &npos, MSG_USAGE_IMPORT)))
		return ret == 1 ? 0 : ret;
	if (npos < 2)
		return cli_usage(&c, _(MSG_MISSING_ARG), npos ? "FILE" : "customers | events | responses");
	if (parse_kind(&c, pos[0], true, &o.kind) || parse_format(&c, format, &o.format))
		return 2;
	if (cli_open_tenant(&c))
		return 1;
	o.skip_bad = skip_bad;
	if (skip_bad)
		o.reject_path = reject_path = rejects ? xstrdup(rejects) : xasprintf("%s.rejected", pos[1]);
	o.on_reject = on_reject;
	o.progress = on_progress;
	o.ctx = &ui;
	ret = cxm_import_file(c.s, c.tenant, pos[1], &o, &r, err, sizeof(err));
	/* no scheduler here: journeys waiting for a build get it now */
	if (!ret && (ret = cxm_store_journey_build_all(c.s, c.tenant)))
		snprintf(err, sizeof(err), "%s", cxm_store_errmsg(c.s));
	if (ui.tty)
		fputs("\r\033[K", stderr);
	if (ui.shown > MAX_REJECTS_SHOWN)
		fprintf(stderr, _(MSG_IMPORT_MORE_REJECTS), (unsigned long long)(ui.shown - MAX_REJECTS_SHOWN));
	if (ret) {
		cli_fail("%s", err);
		if (r.rejected && !skip_bad)
			fputs(_(MSG_IMPORT_ROLLED_BACK), stderr);
		ret = 1;
	} else {
		fprintf(stderr, _(MSG_IMPORT_SUMMARY), pos[1], (unsigned long long)r.rows,
			(unsigned long long)r.imported, (unsigned long long)r.updated, (unsigned long long)r.duplicates,
			(unsigned long long)r.rejected);
		if (r.new_customers)
			fprintf(stderr,
				o.kind == CXM_IO_RESPONSES ? _(MSG_IMPORT_NEW_CUSTOMERS_RESPONSES)
							   : _(MSG_IMPORT_NEW_CUSTOMERS),
				(unsigned long long)r.new_customers);
		if (r.new_units)
			fprintf(stderr, _(MSG_IMPORT_NEW_UNITS), (unsigned long long)r.new_units);
		if (r.rejected && reject_path)
			fprintf(stderr, _(MSG_IMPORT_REJECTS_WRITTEN), reject_path);
	}
	free(reject_path);
	cli_close(&c);
	return ret;
}

int cmd_export(int argc, char **argv)
{
	struct cli c = { .cmd = "export" };
	const char *format = NULL, *output = NULL, *pos[1];
	const struct cli_opt opts[] = { { "--format", &format, NULL }, { "--output", &output, NULL }, { NULL } };
	enum cxm_io_kind kind;
	enum cxm_io_format f;
	FILE *out = stdout;
	uint64_t n = 0;
	char err[600];
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 1, &npos, MSG_USAGE_EXPORT)))
		return ret == 1 ? 0 : ret;
	if (npos < 1)
		return cli_usage(&c, _(MSG_MISSING_ARG), "customers | events");
	if (parse_kind(&c, pos[0], false, &kind) || parse_format(&c, format, &f))
		return 2;
	if (f == CXM_FORMAT_AUTO && output) {
		const char *dot = strrchr(output, '.');
		f = dot && !strcmp(dot, ".jsonl") ? CXM_FORMAT_JSONL : CXM_FORMAT_CSV;
	}
	if (cli_open_tenant(&c))
		return 1;
	if (output && !(out = fopen(output, "w"))) {
		ret = cli_fail("%s: %s", output, strerror(errno));
		goto out;
	}
	ret = cxm_export(c.s, c.tenant, kind, f, out, &n, err, sizeof(err));
	if (output && fclose(out) && !ret) {
		snprintf(err, sizeof(err), "%s: %s", output, strerror(errno));
		ret = CXM_EIO;
	}
	if (ret)
		ret = cli_fail("%s", err);
	else
		fprintf(stderr, _(MSG_EXPORTED), (unsigned long long)n,
			kind == CXM_IO_CUSTOMERS ? _(MSG_WORD_CUSTOMERS) : _(MSG_WORD_EVENTS));
out:
	cli_close(&c);
	return ret;
}
