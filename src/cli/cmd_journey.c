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

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOURNEY_FILE_MAX (1 << 20)
#define BUILD_BATCH 2000 /* customers per transaction of the inline build */

/* What a journey callback keeps (the row it gets is borrowed). */
struct found {
	int n;
	const char *want; /* a name to look for, or NULL: the first row */
	int64_t id;
	char name[CXM_JOURNEY_NAME_MAX + 1];
	char status[16];
	int version, built_version;
	char *definition; /* owned */
};

static int keep_journey(const struct cxm_journey_row *j, void *ctx)
{
	struct found *f = ctx;

	if (f->want && strcmp(f->want, j->name))
		return 0;
	f->n++;
	f->id = j->id;
	cxm_strlcpy(f->name, j->name, sizeof(f->name));
	cxm_strlcpy(f->status, j->status, sizeof(f->status));
	f->version = j->version;
	f->built_version = j->built_version;
	free(f->definition);
	f->definition = xstrdup(j->definition);
	return 0;
}

static void found_release(struct found *f)
{
	free(f->definition);
	memset(f, 0, sizeof(*f));
}

/* The journey a user names: by name first (active ones), then by id. */
static int resolve(struct cli *c, const char *ref, struct found *f)
{
	int64_t id;
	int ret;

	f->want = ref;
	ret = cxm_store_journey_list(c->s, c->tenant, true, 0, 0, keep_journey, f);
	f->want = NULL;
	if (ret || f->n)
		return ret;
	if (cxm_parse_i64(ref, strlen(ref), &id) || id <= 0)
		return CXM_ENOTFOUND;
	return cxm_store_journey_get(c->s, c->tenant, id, keep_journey, f);
}

static int resolve_fail(struct cli *c, const char *ref, int ret)
{
	return ret == CXM_ENOTFOUND ? cli_fail(_(MSG_JC_NOT_FOUND), ref, c->tenant_label) : cli_store_fail(c);
}

/* Reads a whole file (owned, NUL-terminated) or prints "FILE: reason". */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		cli_fail("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(JOURNEY_FILE_MAX + 1);
	n = fread(buf, 1, JOURNEY_FILE_MAX + 1, f);
	if (ferror(f) || n > JOURNEY_FILE_MAX) {
		if (ferror(f))
			cli_fail("%s: %s", path, strerror(errno));
		else
			cli_fail(_(MSG_JC_FILE_TOO_BIG), path, JOURNEY_FILE_MAX);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
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
	struct found f = { 0 };
	char err[256], field[160], why[400], actor[80], idbuf[CXM_ID_BUFSZ];
	char *text, *canon = NULL;
	cJSON *body = NULL, *cj;
	size_t len;
	int64_t id = 0;
	int version = 1, ret = 1;
	bool created = false, changed = true;

	if (!(text = read_file(path, &len)))
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
	f.want = d.name;
	ret = cxm_store_journey_list(c->s, c->tenant, true, 0, 0, keep_journey, &f);
	f.want = NULL;
	if (ret)
		goto store_fail;
	if (!f.n) {
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
	found_release(&f);
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
	struct found f = { 0 };
	char err[128], idbuf[CXM_ID_BUFSZ];
	cJSON *def;
	char *out;
	int ret = resolve(c, ref, &f);

	if (ret)
		return resolve_fail(c, ref, ret);
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
	found_release(&f);
	return ret;
}

static int journey_archive(struct cli *c, const char *ref)
{
	struct found f = { 0 };
	char actor[80], idbuf[CXM_ID_BUFSZ];
	int ret;

	if ((ret = cxm_store_begin(c->s)))
		goto store_fail;
	if ((ret = resolve(c, ref, &f))) {
		ret = resolve_fail(c, ref, ret);
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
	found_release(&f);
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

static void csv_out(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
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
		csv_out(stage, false);
		csv_out(tp, false);
		for (size_t i = 0; i < k; i++)
			csv_out(v[i], i + 1 == k);
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
			csv_out(head[i], i + 1 == ARRAY_SIZE(head));
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
	const char *journey = NULL, *from = NULL, *to = NULL, *segment = NULL, *format = NULL, *pos[1];
	const struct cli_opt opts[] = { { "--journey", &journey, NULL }, { "--from", &from, NULL },
					{ "--to", &to, NULL },		 { "--segment", &segment, NULL },
					{ "--format", &format, NULL },	 { NULL } };
	struct cxm_journey_map_query q = { 0 };
	struct found f = { 0 };
	int64_t today;
	cJSON *map = NULL;
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 1, &npos, MSG_USAGE_REPORT_JOURNEY)))
		return ret == 1 ? 0 : ret;
	if (npos)
		return cli_usage(&c, "%s", _(MSG_TOO_MANY_ARGS));
	if (!journey)
		return cli_usage(&c, _(MSG_MISSING_ARG), "--journey NAME|ID");
	if (format && strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json"))
		return cli_usage(&c, _(MSG_RP_FORMAT), format);
	if (segment && (!*segment || strlen(segment) > 64))
		return cli_usage(&c, "--segment: %s", _(MSG_JA_BAD_SEGMENT));
	if (cli_open_tenant(&c))
		return 1;
	if ((ret = resolve(&c, journey, &f))) {
		ret = resolve_fail(&c, journey, ret);
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
	if (format && !strcmp(format, "json")) {
		char *text = cJSON_Print(map);
		if (!text)
			BUG("cJSON_Print failed");
		printf("%s\n", text);
		free(text);
	} else {
		print_map(map, format && !strcmp(format, "csv"));
	}
	ret = 0;
out:
	cJSON_Delete(map);
	found_release(&f);
	cli_close(&c);
	return ret;
}
