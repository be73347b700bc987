/*
 * cmd_journey.c - `cxm journey`: add a journey from a definition file (or
 * a new version of the journey of that name) and build its progress at
 * once, list the tenant's journeys, show one, archive one.
 */
#include "cli.h"
#include "cxm/id.h"
#include "cxm/journey.h"
#include "cxm/journeymap.h"
#include "cxm/json.h"
#include "cxm/report.h"
#include "cxm/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOURNEY_FILE_MAX (1 << 20)
#define BUILD_BATCH 2000 /* customers per transaction of the inline build */

_Static_assert(CXM_JOURNEY_NAME_MAX <= CLI_FOUND_NAME_MAX, "cli_found holds a journey's name");

static int keep_journey(const struct cxm_journey_row *j, void *ctx)
{
	struct cli_found *f = ctx;

	if (!f->want || !strcmp(f->want, j->name))
		cli_found_keep(f, j->id, j->name, j->status, j->version, j->built_version, j->definition);
	return 0;
}

/* An active journey of that name. */
static int journey_by_name(struct cli *c, const char *name, struct cli_found *f)
{
	int ret;

	f->want = name;
	ret = cxm_store_journey_list(c->s, c->tenant, true, 0, 0, keep_journey, f);
	f->want = NULL;
	return ret || f->n ? ret : CXM_ENOTFOUND;
}

static int journey_by_id(struct cli *c, int64_t id, struct cli_found *f)
{
	return cxm_store_journey_get(c->s, c->tenant, id, keep_journey, f);
}

/* ---- where a field is in the file ------------------------------------------ */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Past a JSON string starting at its quote. */
static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

/* Past any JSON value (the text was parsed already, so it is well formed). */
static const char *skip_value(const char *p)
{
	int depth = 0;

	for (p = skip_ws(p); *p; p++) {
		if (*p == '"') {
			p = skip_string(p) - 1;
			if (depth == 0)
				return p + 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p; /* the end of the enclosing container */
			if (--depth == 0)
				return p + 1;
		} else if (depth == 0 && strchr(", \t\r\n", *p)) {
			return p;
		}
	}
	return p;
}

/*
 * The start of the value a checker's field path names in JSON text
 * ("stages[2].touchpoints[0].match.type"), or of the deepest part of it
 * that exists: where to point the user.
 */
static const char *locate(const char *p, const char *path)
{
	p = skip_ws(p);
	while (*path == '.')
		path++;
	if (!*path)
		return p;
	if (*path == '[' && *p == '[') {
		long want = strtol(path + 1, NULL, 10), i = 0;
		const char *rest = strchr(path, ']');
		rest = rest ? rest + 1 : path + strlen(path);
		for (p = skip_ws(p + 1); *p && *p != ']'; i++) {
			if (i == want)
				return locate(p, rest);
			p = skip_ws(skip_value(p));
			if (*p == ',')
				p = skip_ws(p + 1);
		}
		return p;
	}
	if (*path != '[' && *p == '{') {
		size_t klen = strcspn(path, ".[");
		const char *at = p;
		for (p = skip_ws(p + 1); *p == '"';) {
			const char *key = p + 1, *end = skip_string(p);
			bool hit = (size_t)(end - 1 - key) == klen && !memcmp(key, path, klen);
			p = skip_ws(end);
			if (*p == ':')
				p = skip_ws(p + 1);
			if (hit)
				return locate(p, path + klen);
			p = skip_ws(skip_value(p));
			if (*p == ',')
				p = skip_ws(p + 1);
		}
		return at;
	}
	return p;
}

static int line_of(const char *text, const char *at)
{
	int line = 1;

	for (const char *p = text; p < at && *p; p++)
		line += *p == '\n';
	return line;
}

/* ---- commands ------------------------------------------------------------------ */

/* Builds the tenant's journeys now, a batch of customers per transaction. */
static int build_now(struct cli *c)
{
	bool pending = true;
	int ret = 0;

	while (pending) {
		if ((ret = cxm_store_begin(c->s)))
			return ret;
		if ((ret = cxm_store_journey_build_step(c->s, c->tenant, BUILD_BATCH, &pending))) {
			cxm_store_rollback(c->s);
			return ret;
		}
		if ((ret = cxm_store_commit(c->s)))
			return ret;
	}
	return 0;
}

/* After a build: how many customers reached each stage, over all time. */
static int print_reach(struct cli *c, int64_t id, const char *definition)
{
	struct cxm_journey_flow *flow = xmalloc(sizeof(*flow));
	struct cxm_journey_def d;
	char err[128], field[128], why[256];
	cJSON *def = cxm_json_parse(definition, strlen(definition), err, sizeof(err));
	int64_t today;
	int ret = -1;

	if (!def || cxm_journey_check(def, &d, field, sizeof(field), why, sizeof(why)))
		goto out; /* the store keeps only checked definitions */
	if ((ret = cxm_store_tenant_day(c->s, c->tenant, cxm_now_us(), &today)) ||
	    (ret = cxm_store_journey_flow(c->s, c->tenant, id, 0, today + 1, NULL, today + 1, flow)))
		goto out;
	for (int i = 0; i < d.n_stages; i++)
		fprintf(stderr, _(MSG_JC_STAGE_REACH), d.stages[i].key, (long long)flow->reached[i]);
	ret = 0;
out:
	cJSON_Delete(def);
	free(flow);
	return ret;
}

static int journey_add(struct cli *c, const char *path)
{
	struct cxm_journey_def d;
	struct cli_found f = { 0 };
	char err[256], field[160], why[400], actor[80], idbuf[CXM_ID_BUFSZ];
	char *text, *canon = NULL;
	cJSON *body = NULL, *cj;
	size_t len;
	int64_t id = 0;
	int version = 1, ret = 1;
	bool created = false, changed = true;

	if (!(text = cli_read_file(path, JOURNEY_FILE_MAX, &len)))
		return 1;
	if (!(body = cxm_json_parse(text, len, err, sizeof(err)))) {
		cli_fail("%s: %s", path, err);
		goto out;
	}
	if (cxm_journey_check(body, &d, field, sizeof(field), why, sizeof(why))) {
		cli_fail("%s:%d: %s: %s", path, line_of(text, locate(text, field)), *field ? field : "-", why);
		goto out;
	}
	cj = cxm_journey_to_json(&d);
	canon = cxm_json_print(cj);
	cJSON_Delete(cj);

	if ((ret = cxm_store_begin(c->s)))
		goto store_fail;
	ret = journey_by_name(c, d.name, &f);
	if (ret && ret != CXM_ENOTFOUND)
		goto store_fail;
	if (ret) {
		ret = cxm_store_journey_create(c->s, c->tenant, d.name, canon, cxm_now_us(), &id);
		created = !ret;
	} else {
		id = f.id;
		version = f.version;
		/* re-running the same file (a provisioning script) must not
		 * pile up versions, each one a rebuild */
		changed = strcmp(f.definition, canon) != 0;
		if (changed)
			ret = cxm_store_journey_update(c->s, c->tenant, id, d.name, canon, cxm_now_us(), &version);
	}
	if (ret == CXM_ETOOBIG) {
		cxm_store_rollback(c->s);
		ret = cli_fail(_(MSG_JA_TOO_MANY), CXM_JOURNEY_ACTIVE_MAX);
		goto out;
	}
	if (ret)
		goto store_fail;
	cxm_id_format(id, idbuf);
	if (changed && (ret = cxm_store_audit_add(c->s, c->tenant, cli_actor(actor, sizeof(actor)),
						 created ? "journey.create" : "journey.update", idbuf, NULL, NULL)))
		goto store_fail;
	if ((ret = cxm_store_commit(c->s)))
		goto store_fail;
	printf("%s\n", idbuf);
	fflush(stdout);
	fprintf(stderr, _(created ? MSG_JC_CREATED : changed ? MSG_JC_UPDATED : MSG_JC_UNCHANGED), d.name, version);
	/* the user sees what the journey makes of the events already stored */
	if ((ret = build_now(c)) || (ret = print_reach(c, id, canon))) {
		ret = cli_store_fail(c);
		goto out;
	}
	ret = 0;
	goto out;
store_fail:
	ret = cli_store_fail(c);
	cxm_store_rollback(c->s);
out:
	cli_found_release(&f);
	cJSON_Delete(body);
	free(canon);
	free(text);
	return ret;
}

static int print_row(const struct cxm_journey_row *j, void *ctx)
{
	char id[CXM_ID_BUFSZ];

	(void)ctx;
	printf("%s\t%s\t%s\t%d\t%d\n", cxm_id_format(j->id, id), j->name, j->status, j->version, j->built_version);
	return 0;
}

static int journey_show(struct cli *c, const char *ref)
{
	struct cli_found f = { 0 };
	char err[128], idbuf[CXM_ID_BUFSZ];
	cJSON *def;
	char *out;
	int ret = cli_resolve(c, ref, &f, journey_by_name, journey_by_id);

	if (ret)
		return cli_resolve_fail(c, ref, ret, MSG_JC_NOT_FOUND);
	fprintf(stderr, _(MSG_JC_SHOW), cxm_id_format(f.id, idbuf), f.name, f.status, f.version, f.built_version);
	def = cxm_json_parse(f.definition, strlen(f.definition), err, sizeof(err));
	if (!def) {
		ret = cli_fail("%s", err); /* the store only keeps checked JSON */
		goto out;
	}
	out = cJSON_Print(def);
	if (!out)
		BUG("cJSON_Print failed");
	printf("%s\n", out);
	free(out);
	cJSON_Delete(def);
out:
	cli_found_release(&f);
	return ret;
}

static int journey_archive(struct cli *c, const char *ref)
{
	struct cli_found f = { 0 };
	char actor[80], idbuf[CXM_ID_BUFSZ];
	int ret;

	if ((ret = cxm_store_begin(c->s)))
		goto store_fail;
	if ((ret = cli_resolve(c, ref, &f, journey_by_name, journey_by_id))) {
		ret = cli_resolve_fail(c, ref, ret, MSG_JC_NOT_FOUND);
		cxm_store_rollback(c->s);
		goto out;
	}
	if ((ret = cxm_store_journey_archive(c->s, c->tenant, f.id, cxm_now_us())) ||
	    (ret = cxm_store_audit_add(c->s, c->tenant, cli_actor(actor, sizeof(actor)), "journey.archive",
				       cxm_id_format(f.id, idbuf), NULL, NULL)) ||
	    (ret = cxm_store_commit(c->s)))
		goto store_fail;
	fprintf(stderr, _(MSG_JC_ARCHIVED), f.name);
	goto out;
store_fail:
	ret = cli_store_fail(c);
	cxm_store_rollback(c->s);
out:
	cli_found_release(&f);
	return ret;
}

int cmd_journey(int argc, char **argv)
{
	struct cli c = { .cmd = "journey" };
	const char *pos[3];
	bool all = false;
	const struct cli_opt opts[] = { { "--all", NULL, &all }, { NULL } };
	int npos, ret, want;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 3, &npos, MSG_USAGE_JOURNEY)))
		return ret == 1 ? 0 : ret;
	if (npos == 0)
		return cli_usage(&c, _(MSG_MISSING_ARG), "add | list | show | archive");
	const char *sub = pos[0];
	if (!strcmp(sub, "add") || !strcmp(sub, "show") || !strcmp(sub, "archive"))
		want = 2;
	else if (!strcmp(sub, "list"))
		want = 1;
	else
		return cli_usage(&c, _(MSG_UNKNOWN_COMMAND), sub);
	if (npos < want)
		return cli_usage(&c, _(MSG_MISSING_ARG), !strcmp(sub, "add") ? "FILE" : "NAME|ID");
	if (npos > want)
		return cli_usage(&c, "%s", _(MSG_TOO_MANY_ARGS));
	if (all && strcmp(sub, "list"))
		return cli_usage(&c, "%s", _(MSG_JC_ALL_LIST_ONLY));
	if (cli_open_tenant(&c))
		return 1;
	if (!strcmp(sub, "add"))
		ret = journey_add(&c, pos[1]);
	else if (!strcmp(sub, "show"))
		ret = journey_show(&c, pos[1]);
	else if (!strcmp(sub, "archive"))
		ret = journey_archive(&c, pos[1]);
	else if (cxm_store_journey_list(c.s, c.tenant, !all, 0, 0, print_row, NULL))
		ret = cli_store_fail(&c);
	cli_close(&c);
	return ret;
}

/* ---- cxm report journey ---------------------------------------------------------- */

#define REPORT_DEFAULT_DAYS 90
#define REPORT_MAX_DAYS 3660

/*
 * What `cxm report journey|funnel|paths` check alike before they open the
 * database: the options (usage), no positional argument, the option *need
 * given (need NULL: none; named need_what when missing) and *format one of
 * table, csv, json. Returns -1 to go on, else the exit code (0 after --help).
 */
static int report_args(struct cli *c, int argc, char **argv, const struct cli_opt *opts, enum cxm_msg usage,
		       const char *const *format, const char *const *need, const char *need_what)
{
	const char *pos[1];
	int npos, ret;

	if ((ret = cli_parse(c, argc, argv, opts, pos, 1, &npos, usage)))
		return ret == 1 ? 0 : ret;
	if (npos)
		return cli_usage(c, "%s", _(MSG_TOO_MANY_ARGS));
	if (need && !*need)
		return cli_usage(c, _(MSG_MISSING_ARG), need_what);
	if (*format && strcmp(*format, "table") && strcmp(*format, "csv") && strcmp(*format, "json"))
		return cli_usage(c, _(MSG_RP_FORMAT), *format);
	return -1;
}

/* Prints a report as --format says: JSON as the API answers it, else by
 * print (a table, or CSV when csv). */
static void report_print(const cJSON *o, const char *format, void (*print)(const cJSON *o, bool csv))
{
	if (format && !strcmp(format, "json")) {
		char *text = cJSON_Print(o);
		if (!text)
			BUG("cJSON_Print failed");
		printf("%s\n", text);
		free(text);
	} else {
		print(o, format && !strcmp(format, "csv"));
	}
}

/* A number of the map as text: "" for null (CSV), "-" in tables. */
static const char *num_text(const cJSON *o, const char *name, bool csv, char *buf, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsNumber(v))
		snprintf(buf, len, "%lld", (long long)v->valuedouble);
	else if (cJSON_IsRaw(v))
		snprintf(buf, len, "%s", v->valuestring);
	else
		snprintf(buf, len, "%s", csv ? "" : "-");
	return buf;
}

/* A member of a member ("conversion" "value"). */
static const char *sub_text(const cJSON *o, const char *name, const char *sub, bool csv, char *buf, size_t len)
{
	return num_text(cJSON_GetObjectItemCaseSensitive(o, name), sub, csv, buf, len);
}

static void map_row(const char *stage, const char *tp, const cJSON *n, bool csv)
{
	static const char *const cols[] = { "reached", "converted", "dropped", "in_progress", "completed" };
	char v[16][32];
	size_t k = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		num_text(n, cols[i], csv, v[k++], sizeof(v[0]));
	sub_text(n, "conversion", "value", csv, v[k++], sizeof(v[0]));
	sub_text(n, "conversion", "ci_low", csv, v[k++], sizeof(v[0]));
	sub_text(n, "conversion", "ci_high", csv, v[k++], sizeof(v[0]));
	sub_text(n, "time_in_stage", "p50_s", csv, v[k++], sizeof(v[0]));
	sub_text(n, "time_in_stage", "p90_s", csv, v[k++], sizeof(v[0]));
	sub_text(n, "nps", "score", csv, v[k++], sizeof(v[0]));
	sub_text(n, "csat", "score", csv, v[k++], sizeof(v[0]));
	sub_text(n, "ces", "score", csv, v[k++], sizeof(v[0]));
	sub_text(n, "friction", "value", csv, v[k++], sizeof(v[0]));
	sub_text(n, "feeling", "value", csv, v[k++], sizeof(v[0]));
	if (csv) {
		cli_csv_field(stage, false);
		cli_csv_field(tp, false);
		for (size_t i = 0; i < k; i++)
			cli_csv_field(v[i], i + 1 == k);
		return;
	}
	printf("%-20s %-20s", stage, tp);
	for (size_t i = 0; i < k; i++)
		printf(" %9s", v[i]);
	putchar('\n');
}

static void print_map(const cJSON *map, bool csv)
{
	static const char *const head[] = { "stage", "touchpoint", "reached", "converted", "dropped", "in_progress",
					    "completed", "conversion", "conv_low", "conv_high", "p50_s", "p90_s",
					    "nps", "csat", "ces", "friction", "feeling" };
	const cJSON *stages = cJSON_GetObjectItemCaseSensitive(map, "stages");

	for (size_t i = 0; i < ARRAY_SIZE(head); i++) {
		if (csv)
			cli_csv_field(head[i], i + 1 == ARRAY_SIZE(head));
		else
			printf(i < 2 ? "%-20s " : " %9s", head[i]);
	}
	if (!csv)
		putchar('\n');
	for (const cJSON *st = stages ? stages->child : NULL; st; st = st->next) {
		const char *key = cJSON_GetObjectItemCaseSensitive(st, "key")->valuestring;
		map_row(key, "", st, csv);
		const cJSON *tps = cJSON_GetObjectItemCaseSensitive(st, "touchpoints");
		for (const cJSON *tp = tps ? tps->child : NULL; tp; tp = tp->next)
			map_row(key, cJSON_GetObjectItemCaseSensitive(tp, "key")->valuestring, tp, csv);
	}
}

int cmd_report_journey(int argc, char **argv)
{
	struct cli c = { .cmd = "report" };
	const char *journey = NULL, *from = NULL, *to = NULL, *segment = NULL, *format = NULL;
	const struct cli_opt opts[] = { { "--journey", &journey, NULL }, { "--from", &from, NULL },
					{ "--to", &to, NULL },		 { "--segment", &segment, NULL },
					{ "--format", &format, NULL },	 { NULL } };
	struct cxm_journey_map_query q = { 0 };
	struct cli_found f = { 0 };
	int64_t today;
	cJSON *map = NULL;
	int ret;

	if ((ret = report_args(&c, argc, argv, opts, MSG_USAGE_REPORT_JOURNEY, &format, &journey, "--journey NAME|ID")) >= 0)
		return ret;
	if (segment && (!*segment || strlen(segment) > 64))
		return cli_usage(&c, "--segment: %s", _(MSG_JA_BAD_SEGMENT));
	if (cli_open_tenant(&c))
		return 1;
	if ((ret = cli_resolve(&c, journey, &f, journey_by_name, journey_by_id))) {
		ret = cli_resolve_fail(&c, journey, ret, MSG_JC_NOT_FOUND);
		goto out;
	}
	if ((ret = cxm_store_tenant_day(c.s, c.tenant, cxm_now_us(), &today))) {
		ret = cli_store_fail(&c);
		goto out;
	}
	q.tenant = c.tenant;
	q.journey_id = f.id;
	q.lang = cxm_i18n_lang();
	q.segment = segment;
	q.to_day = today + 1;
	if (to && cxm_report_day(c.s, c.tenant, to, &q.to_day)) {
		ret = cli_usage(&c, "--to: %s", _(MSG_RP_WANT_DAY));
		goto out;
	}
	q.from_day = q.to_day - REPORT_DEFAULT_DAYS;
	if (from && cxm_report_day(c.s, c.tenant, from, &q.from_day)) {
		ret = cli_usage(&c, "--from: %s", _(MSG_RP_WANT_DAY));
		goto out;
	}
	if (q.from_day >= q.to_day) {
		ret = cli_usage(&c, "--to: %s", _(MSG_RP_INVERTED));
		goto out;
	}
	if (q.to_day - q.from_day > REPORT_MAX_DAYS) {
		ret = cli_usage(&c, _(MSG_RP_TOO_LONG), REPORT_MAX_DAYS);
		goto out;
	}
	if ((ret = cxm_journey_map_report(c.s, &q, &map))) {
		ret = cli_store_fail(&c);
		goto out;
	}
	report_print(map, format, print_map);
	ret = 0;
out:
	cJSON_Delete(map);
	cli_found_release(&f);
	cli_close(&c);
	return ret;
}

/* ---- cxm report funnel, cxm report paths -------------------------------------------- */

/* Prints a refusal's items as "field: message"; returns 2. */
static int print_errors(const cJSON *errors)
{
	for (const cJSON *e = errors ? errors->child : NULL; e; e = e->next) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");
		cli_fail("%s: %s", cJSON_IsString(f) ? f->valuestring : "-",
			 cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring);
	}
	return 2;
}

/* "event:TYPE[/TOUCHPOINT]", "stage:KEY", "touchpoint:KEY" into a step of
 * the API's body; NULL when it is none of them. */
static cJSON *cli_step(const char *text, size_t len, const char *journey_id)
{
	char buf[200];
	cJSON *s;

	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	s = cJSON_CreateObject();
	if (!strncmp(buf, "event:", 6) && buf[6]) {
		char *slash = strchr(buf + 6, '/');
		cJSON *e = cJSON_AddObjectToObject(s, "event");
		if (slash)
			*slash = '\0';
		cJSON_AddStringToObject(e, "type", buf + 6);
		if (slash)
			cJSON_AddStringToObject(e, "touchpoint", slash + 1);
		return s;
	}
	const char *kind = !strncmp(buf, "stage:", 6) ? "stage" : !strncmp(buf, "touchpoint:", 11) ? "touchpoint" : NULL;
	if (kind && journey_id) {
		cJSON_AddStringToObject(s, "journey", journey_id);
		cJSON_AddStringToObject(s, kind, strchr(buf, ':') + 1);
		return s;
	}
	cJSON_Delete(s);
	return NULL;
}

static void print_funnel(const cJSON *f, bool csv)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(f, "steps");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "time_to_convert");
	char a[32], b[32], c[32], d[32];
	int k = 0;

	if (csv)
		printf("step,label,reached,conversion,conversion_from_first,dropped\n");
	else
		printf("%-4s %-40s %9s %10s %10s %9s\n", "step", "label", "reached", "conversion", "from_first", "dropped");
	for (const cJSON *s = steps ? steps->child : NULL; s; s = s->next) {
		const char *label = cJSON_GetObjectItemCaseSensitive(s, "label")->valuestring;
		num_text(s, "reached", csv, a, sizeof(a));
		sub_text(s, "conversion", "value", csv, b, sizeof(b));
		sub_text(s, "conversion_from_first", "value", csv, c, sizeof(c));
		num_text(s, "dropped", csv, d, sizeof(d));
		k++;
		if (csv) {
			printf("%d,", k);
			cli_csv_field(label, false);
			printf("%s,%s,%s,%s\n", a, b, c, d);
		} else {
			printf("%-4d %-40s %9s %10s %10s %9s\n", k, label, a, b, c, d);
		}
	}
	if (!csv)
		printf(_(MSG_JC_FUNNEL_TIME), num_text(t, "p50_s", false, a, sizeof(a)),
		       num_text(t, "p90_s", false, b, sizeof(b)));
}

/* The id of the journey a user names (for steps and levels on it). */
static int journey_id_of(struct cli *c, const char *ref, char id[CXM_ID_BUFSZ])
{
	struct cli_found f = { 0 };
	int ret = cli_resolve(c, ref, &f, journey_by_name, journey_by_id);

	if (ret) {
		ret = cli_resolve_fail(c, ref, ret, MSG_JC_NOT_FOUND);
	} else {
		cxm_id_format(f.id, id);
	}
	cli_found_release(&f);
	return ret;
}

int cmd_report_funnel(int argc, char **argv)
{
	struct cli c = { .cmd = "report" };
	const char *steps = NULL, *journey = NULL, *window = NULL, *from = NULL, *to = NULL, *by = NULL, *format = NULL;
	const struct cli_opt opts[] = { { "--steps", &steps, NULL }, { "--journey", &journey, NULL },
					{ "--window", &window, NULL }, { "--from", &from, NULL },
					{ "--to", &to, NULL },	       { "--by", &by, NULL },
					{ "--format", &format, NULL }, { NULL } };
	char jid[CXM_ID_BUFSZ];
	cJSON *body = NULL, *out = NULL, *errors = NULL, *arr;
	int ret;

	if ((ret = report_args(&c, argc, argv, opts, MSG_USAGE_REPORT_FUNNEL, &format, &steps, "--steps")) >= 0)
		return ret;
	if (cli_open_tenant(&c))
		return 1;
	if (journey && (ret = journey_id_of(&c, journey, jid)))
		goto out;
	body = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(body, "steps");
	for (const char *p = steps; *p;) {
		size_t n = strcspn(p, ",");
		cJSON *s = cli_step(p, n, journey ? jid : NULL);
		if (!s) {
			ret = cli_usage(&c, "--steps: %s", _(MSG_JC_BAD_STEP));
			goto out;
		}
		cJSON_AddItemToArray(arr, s);
		p += n;
		p += *p == ',';
	}
	if (window)
		cJSON_AddStringToObject(body, "window", window);
	if (from)
		cJSON_AddStringToObject(body, "from", from);
	if (to)
		cJSON_AddStringToObject(body, "to", to);
	if (by)
		cJSON_AddStringToObject(body, "by", by);
	ret = cxm_funnel_report(c.s, c.tenant, body, cxm_i18n_lang(), &out, &errors);
	if (ret == CXM_EINVAL && errors) {
		ret = print_errors(errors);
		goto out;
	}
	if (ret) {
		ret = cli_store_fail(&c);
		goto out;
	}
	report_print(out, format, print_funnel);
	const cJSON *warn = cJSON_GetObjectItemCaseSensitive(out, "warnings");
	for (const cJSON *w = warn ? warn->child : NULL; w; w = w->next)
		fprintf(stderr, "%s: %s\n", cJSON_GetObjectItemCaseSensitive(w, "field")->valuestring,
			cJSON_GetObjectItemCaseSensitive(w, "message")->valuestring);
	ret = 0;
out:
	cJSON_Delete(body);
	cJSON_Delete(out);
	cJSON_Delete(errors);
	cli_close(&c);
	return ret;
}

static void print_paths(const cJSON *out, bool csv)
{
	const cJSON *seqs = cJSON_GetObjectItemCaseSensitive(out, "sequences");

	printf(csv ? "customers,path\n" : "%9s  %s\n", "customers", "path");
	for (const cJSON *s = seqs ? seqs->child : NULL; s; s = s->next) {
		struct cxm_buf b;
		cxm_buf_init(&b, 0);
		for (const cJSON *l = cJSON_GetObjectItemCaseSensitive(s, "labels")->child; l; l = l->next)
			cxm_buf_addf(&b, "%s%s", l == cJSON_GetObjectItemCaseSensitive(s, "labels")->child ? "" : " > ",
				     l->valuestring);
		long long n = (long long)cJSON_GetObjectItemCaseSensitive(s, "customers")->valuedouble;
		if (csv) {
			printf("%lld,", n);
			cli_csv_field(b.p ? b.p : "", true);
		} else {
			printf("%9lld  %s\n", n, b.p ? b.p : "");
		}
		cxm_buf_release(&b);
	}
}

int cmd_report_paths(int argc, char **argv)
{
	struct cli c = { .cmd = "report" };
	struct cxm_paths_params pp = { 0 };
	const char *journey = NULL, *format = NULL;
	const struct cli_opt opts[] = { { "--start", &pp.start, NULL },	   { "--end", &pp.end, NULL },
					{ "--level", &pp.level, NULL },	   { "--journey", &journey, NULL },
					{ "--max-steps", &pp.max_steps, NULL }, { "--top", &pp.top, NULL },
					{ "--from", &pp.from, NULL },	   { "--to", &pp.to, NULL },
					{ "--window", &pp.window, NULL },	   { "--format", &format, NULL },
					{ NULL } };
	char jid[CXM_ID_BUFSZ], field[32], why[300];
	cJSON *out = NULL;
	int ret;

	if ((ret = report_args(&c, argc, argv, opts, MSG_USAGE_REPORT_PATHS, &format, NULL, NULL)) >= 0)
		return ret;
	if (cli_open_tenant(&c))
		return 1;
	if (journey) {
		if ((ret = journey_id_of(&c, journey, jid)))
			goto out;
		pp.journey = jid;
	}
	ret = cxm_paths_report(c.s, c.tenant, &pp, cxm_i18n_lang(), &out, field, sizeof(field), why, sizeof(why));
	if (ret == CXM_EINVAL) {
		ret = cli_usage(&c, "--%s: %s", !strcmp(field, "max_steps") ? "max-steps" : field, why);
		goto out;
	}
	if (ret) {
		ret = cli_store_fail(&c);
		goto out;
	}
	report_print(out, format, print_paths);
	ret = 0;
out:
	cJSON_Delete(out);
	cli_close(&c);
	return ret;
}
