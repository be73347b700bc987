/*
 * cmd_report.c - `cxm report nps|csat|ces`: the report of
 * GET /api/v1/metrics/{metric} (src/metrics/report.c, the same code) for
 * the whole tenant, as a table, CSV or the API's JSON.
 */
#include "cli.h"
#include "cxm/json.h"
#include "cxm/report.h"
#include "cxm/time.h"

#define DEFAULT_DAYS 90
#define MAX_DAYS 3660

static const char *text_of(const cJSON *o, const char *name, char *buf, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsNumber(v))
		snprintf(buf, len, "%g", v->valuedouble);
	else if (cJSON_IsRaw(v)) /* a rounded figure, written as its digits */
		snprintf(buf, len, "%s", v->valuestring);
	else if (cJSON_IsString(v))
		snprintf(buf, len, "%s", v->valuestring);
	else if (cJSON_IsBool(v))
		snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else
		snprintf(buf, len, "-");
	return buf;
}

/* One row: the label (group value, bucket or "all"), the figure, the test. */
static void row(const char *label, const cJSON *f, bool csv)
{
	const cJSON *rest = cJSON_GetObjectItemCaseSensitive(f, "vs_rest");
	char n[32], score[32], lo[32], hi[32], colour[16], verdict[200], p[32];

	text_of(f, "n", n, sizeof(n));
	text_of(f, "score", score, sizeof(score));
	text_of(f, "ci_low", lo, sizeof(lo));
	text_of(f, "ci_high", hi, sizeof(hi));
	text_of(f, "colour", colour, sizeof(colour));
	text_of(rest, "verdict", verdict, sizeof(verdict));
	text_of(rest, "p", p, sizeof(p));
	if (csv) {
		const char *cols[] = { label, n, score, lo, hi, colour, p, verdict };
		for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
			cli_csv_field(cols[i], i + 1 == ARRAY_SIZE(cols));
	} else {
		char ci[72];
		snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
		printf("%-28.28s %8s %8s %-18s %-6s %s\n", label[0] ? label : "-", n, score, ci, colour,
		       rest ? verdict : "");
	}
}

static void print_report(const cJSON *rep, bool csv)
{
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(rep, "groups");
	const cJSON *series = cJSON_GetObjectItemCaseSensitive(rep, "series");
	char label[128];

	if (csv) {
		const char *head[] = { "value", "n", "score", "ci_low", "ci_high", "colour", "p_vs_rest", "verdict" };
		for (size_t i = 0; i < ARRAY_SIZE(head); i++)
			cli_csv_field(head[i], i + 1 == ARRAY_SIZE(head));
	} else {
		printf(_(MSG_RP_HEAD), cJSON_GetObjectItemCaseSensitive(rep, "metric")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(rep, "from")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(rep, "to")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(rep, "source")->valuestring);
		printf("%-28s %8s %8s %-18s %-6s %s\n", _(MSG_RP_COL_VALUE), "n", _(MSG_RP_COL_SCORE), _(MSG_RP_COL_CI),
		       _(MSG_RP_COL_COLOUR), _(MSG_RP_COL_VS_REST));
	}
	row(_(MSG_RP_ALL), cJSON_GetObjectItemCaseSensitive(rep, "overall"), csv);
	for (const cJSON *g = groups ? groups->child : NULL; g; g = g->next) {
		const cJSON *gs = cJSON_GetObjectItemCaseSensitive(g, "series");
		row(cJSON_GetObjectItemCaseSensitive(g, "value")->valuestring, g, csv);
		for (const cJSON *b = gs ? gs->child : NULL; b; b = b->next) {
			snprintf(label, sizeof(label), "%s %s", cJSON_GetObjectItemCaseSensitive(g, "value")->valuestring,
				 cJSON_GetObjectItemCaseSensitive(b, "bucket")->valuestring);
			row(label, b, csv);
		}
	}
	for (const cJSON *b = series ? series->child : NULL; b; b = b->next)
		row(cJSON_GetObjectItemCaseSensitive(b, "bucket")->valuestring, b, csv);
}

int cmd_report(int argc, char **argv)
{
	struct cli c = { .cmd = "report" };
	const char *from = NULL, *to = NULL, *by = NULL, *interval = NULL, *window = NULL, *survey = NULL;
	const char *filter = NULL, *format = NULL, *pos[1];
	const struct cli_opt opts[] = { { "--from", &from, NULL },	   { "--to", &to, NULL },
					{ "--by", &by, NULL },		   { "--interval", &interval, NULL },
					{ "--window", &window, NULL },	   { "--survey", &survey, NULL },
					{ "--filter", &filter, NULL },	   { "--format", &format, NULL },
					{ NULL } };
	struct cxm_report_query rq = { 0 };
	struct cxm_bands bands;
	char attribute[72] = "", fattr[72] = "", fdim[96];
	int64_t today, v;
	cJSON *rep = NULL;
	int npos, ret;

	if (argc > 1 && !strcmp(argv[1], "journey"))
		return cmd_report_journey(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "funnel"))
		return cmd_report_funnel(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "paths"))
		return cmd_report_paths(argc - 1, argv + 1);
	if ((ret = cli_parse(&c, argc, argv, opts, pos, 1, &npos, MSG_USAGE_REPORT)))
		return ret == 1 ? 0 : ret;
	if (npos != 1 || cxm_metric_parse(pos[0], &rq.metric))
		return cli_usage(&c, "%s", _(MSG_RP_WHICH));
	if (format && strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json"))
		return cli_usage(&c, _(MSG_RP_FORMAT), format);
	if (by && (rq.q.by = cxm_report_dim(by, attribute, sizeof(attribute))) == CXM_DIM_COUNT)
		return cli_usage(&c, "--by: %s", _(MSG_RP_BAD_DIMENSION));
	if (interval && cxm_bucket_parse(interval, &rq.q.bucket))
		return cli_usage(&c, "--interval: %s", _(MSG_RP_BAD_INTERVAL));
	if (window) {
		if (cli_int(window, "--window", &v))
			return 2;
		if (v < 1 || v > 52 || !interval)
			return cli_usage(&c, "--window: %s", _(MSG_RP_BAD_WINDOW));
		rq.window = (size_t)v;
	}
	if (survey) {
		if (cli_int(survey, "--survey", &v))
			return 2;
		rq.q.filter[CXM_DIM_SURVEY] = survey;
	}
	if (filter) {
		const char *eq = strchr(filter, '=');
		enum cxm_dim d;
		if (!eq || eq == filter || !eq[1] || (size_t)(eq - filter) >= sizeof(fdim))
			return cli_usage(&c, "--filter: %s", _(MSG_RP_BAD_FILTER));
		memcpy(fdim, filter, (size_t)(eq - filter));
		fdim[eq - filter] = '\0';
		if ((d = cxm_report_dim(fdim, fattr, sizeof(fattr))) == CXM_DIM_COUNT)
			return cli_usage(&c, "--filter: %s", _(MSG_RP_BAD_DIMENSION));
		if (d == CXM_DIM_ATTRIBUTE && attribute[0] && strcmp(attribute, fattr))
			return cli_usage(&c, "--filter: %s", _(MSG_RP_ONE_ATTRIBUTE));
		if (d == CXM_DIM_ATTRIBUTE)
			cxm_strlcpy(attribute, fattr, sizeof(attribute));
		if (d == CXM_DIM_ORG_UNIT) {
			if (cli_int(eq + 1, "--filter org_unit", &rq.q.subtree))
				return 2;
		} else {
			rq.q.filter[d] = eq + 1;
		}
	}
	if (attribute[0])
		rq.q.attribute = attribute;
	if (cli_open_tenant(&c))
		return 1;
	if ((ret = cxm_store_tenant_day(c.s, c.tenant, cxm_now_us(), &today))) {
		ret = cli_store_fail(&c);
		goto out;
	}
	rq.q.to_day = today + 1;
	if (to && cxm_report_day(c.s, c.tenant, to, &rq.q.to_day)) {
		ret = cli_usage(&c, "--to: %s", _(MSG_RP_WANT_DAY));
		goto out;
	}
	rq.q.from_day = rq.q.to_day - DEFAULT_DAYS;
	if (from && cxm_report_day(c.s, c.tenant, from, &rq.q.from_day)) {
		ret = cli_usage(&c, "--from: %s", _(MSG_RP_WANT_DAY));
		goto out;
	}
	if (rq.q.from_day >= rq.q.to_day) {
		ret = cli_usage(&c, "--to: %s", _(MSG_RP_INVERTED));
		goto out;
	}
	if (rq.q.to_day - rq.q.from_day > MAX_DAYS) {
		ret = cli_usage(&c, _(MSG_RP_TOO_LONG), MAX_DAYS);
		goto out;
	}
	{
		char *stored = NULL, field[96], why[300];
		cJSON *settings;
		if ((ret = cxm_store_setting_get(c.s, c.tenant, "metrics", &stored))) {
			ret = cli_store_fail(&c);
			goto out;
		}
		settings = stored ? cJSON_Parse(stored) : NULL;
		free(stored);
		if (!settings || cxm_metrics_settings_check(settings, &bands, field, sizeof(field), why, sizeof(why)))
			cxm_bands_default(&bands);
		cJSON_Delete(settings);
	}
	rq.bands = &bands;
	rq.lang = cxm_i18n_lang();
	if ((ret = cxm_report(c.s, c.tenant, &rq, &rep))) {
		ret = cli_store_fail(&c);
		goto out;
	}
	if (format && !strcmp(format, "json")) {
		char *text = cxm_json_print(rep);
		puts(text);
		free(text);
	} else {
		print_report(rep, format && !strcmp(format, "csv"));
	}
	ret = 0;
out:
	cJSON_Delete(rep);
	cli_close(&c);
	return ret;
}
