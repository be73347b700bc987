/*
 * cmd_text.c - `cxm text analyze`: one text per line on stdin, one JSON
 * line per text on stdout (cxm_text_analysis_json). A line that cannot be
 * analysed gets a JSON line with its error and a message on stderr, and
 * the rest go on; the exit status says whether any failed.
 */
#include "cli.h"
#include "cxm/json.h"
#include "cxm/text.h"

#include <errno.h>

/* "es", "en", "auto" into an analysis language (other: detect). */
static int parse_lang(const char *v, enum cxm_lang *out)
{
	if (!v || !strcmp(v, "auto"))
		*out = CXM_LANG_OTHER;
	else if (!strcmp(v, "es"))
		*out = CXM_LANG_ES;
	else if (!strcmp(v, "en"))
		*out = CXM_LANG_EN;
	else
		return -1;
	return 0;
}

static void print_json(cJSON *o)
{
	char *s = cxm_json_print(o);

	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
}

static int analyze(const struct cxm_analyze_opts *opts, bool details)
{
	struct cxm_text_ctx ctx;
	char *line = NULL, why[256];
	size_t cap = 0;
	ssize_t got;
	long lineno = 0;
	int ret = 0;

	cxm_text_ctx_init(&ctx);
	errno = 0;
	while ((got = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)got;
		struct cxm_analysis an;
		cJSON *o;

		lineno++;
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		if (cxm_text_analyze(&ctx, line, len, opts, &an, why, sizeof(why))) {
			o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "line", (double)lineno);
			cJSON_AddStringToObject(o, "error", why);
			fputs(_(MSG_ERROR_PREFIX), stderr);
			fprintf(stderr, _(MSG_TX_LINE_FAILED), lineno, why);
			fputc('\n', stderr);
			ret = 1;
		} else {
			o = cxm_text_analysis_json(&ctx, &an, details);
		}
		print_json(o);
		cJSON_Delete(o);
		errno = 0;
	}
	if (errno && ferror(stdin))
		ret = cli_fail(_(MSG_TX_READ_FAILED), strerror(errno));
	if (fflush(stdout) || ferror(stdout))
		ret = cli_fail(_(MSG_TX_WRITE_FAILED), strerror(errno));
	free(line);
	cxm_text_ctx_release(&ctx);
	return ret;
}

int cmd_text(int argc, char **argv)
{
	struct cli c = { .cmd = "text" };
	const char *lang = NULL, *pos[1];
	bool details = false;
	int npos, rc;
	const struct cli_opt opts[] = { { "--lang", &lang, NULL }, { "--details", NULL, &details }, { NULL, NULL, NULL } };
	struct cxm_analyze_opts ao = { .lang = CXM_LANG_OTHER };

	if ((rc = cli_parse(&c, argc, argv, opts, pos, 1, &npos, MSG_USAGE_TEXT)))
		return rc == 1 ? 0 : rc;
	if (npos != 1)
		return cli_usage(&c, _(MSG_MISSING_ARG), "analyze");
	if (strcmp(pos[0], "analyze"))
		return cli_usage(&c, _(MSG_TX_WANT_ANALYZE), pos[0]);
	if (parse_lang(lang, &ao.lang))
		return cli_usage(&c, _(MSG_TX_BAD_LANG), lang);
	return analyze(&ao, details);
}
