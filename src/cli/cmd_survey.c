/* cmd_survey.c - `cxm survey`: import a definition file (create or new
 * version), export it back, list surveys, set their status. */
#include "cli.h"
#include "cxm/id.h"
#include "cxm/json.h"
#include "cxm/surveys.h"
#include "cxm/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far above any real definition (50 questions of 30 options in 8
 * languages), small enough to read in one go. */
#define SURVEY_FILE_MAX (4 << 20)

_Static_assert(CXM_SURVEY_NAME_MAX <= CLI_FOUND_NAME_MAX, "cli_found holds a survey's name");

static int keep_survey(const struct cxm_survey *sv, void *ctx)
{
	cli_found_keep(ctx, sv->id, sv->name, sv->status, sv->version, 0, sv->definition);
	return 0;
}

static int survey_by_name(struct cli *c, const char *name, struct cli_found *f)
{
	return cxm_store_survey_find(c->s, c->tenant, name, keep_survey, f);
}

static int survey_by_id(struct cli *c, int64_t id, struct cli_found *f)
{
	return cxm_store_survey_get(c->s, c->tenant, id, 0, keep_survey, f);
}

/* {"name":..., "version":..., "status":...} for the audit row (owned). */
static char *import_detail(const char *name, int version, const char *status, bool created)
{
	cJSON *o = cJSON_CreateObject();
	char *out;

	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddNumberToObject(o, "version", version);
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddBoolToObject(o, "created", created);
	out = cxm_json_print(o);
	cJSON_Delete(o);
	return out;
}

static int survey_import(struct cli *c, const char *path, bool live)
{
	struct cxm_survey_def d;
	struct cli_found f = { 0 };
	char err[256], field[128], why[256], actor[80], idbuf[CXM_ID_BUFSZ];
	char *text, *canon = NULL, *detail = NULL;
	cJSON *def = NULL;
	size_t len;
	const char *status = "draft";
	int64_t id = 0;
	int version = 1, ret = 1;
	bool created = false, changed = false;

	if (!(text = cli_read_file(path, SURVEY_FILE_MAX, &len)))
		return 1;
	if (!(def = cxm_json_parse(text, len, err, sizeof(err)))) {
		cli_fail("%s: %s", path, err);
		goto out;
	}
	if (cxm_survey_check(def, &d, field, sizeof(field), why, sizeof(why))) {
		cli_fail("%s: %s: %s", path, field, why);
		goto out;
	}
	cxm_json_sort(def);
	canon = cxm_json_print(def);

	/* the survey, its status and its audit row commit together */
	if ((ret = cxm_store_begin(c->s)))
		goto store_fail;
	ret = cxm_store_survey_find(c->s, c->tenant, d.name, keep_survey, &f);
	if (ret == CXM_ENOTFOUND) {
		ret = cxm_store_survey_create(c->s, c->tenant, d.name, canon, false, &id);
		created = !ret;
		status = "draft";
		changed = true;
	} else if (!ret) {
		id = f.id;
		version = f.version;
		status = f.status;
		/* re-running the same import (a provisioning script) must not
		 * pile up versions of a live survey */
		changed = strcmp(f.definition, canon) != 0;
		if (changed)
			ret = cxm_store_survey_update(c->s, c->tenant, id, d.name, canon, &version);
	}
	if (ret)
		goto store_fail;
	if (live && strcmp(status, "live")) {
		if ((ret = cxm_store_survey_set_status(c->s, c->tenant, id, "live")))
			goto store_fail;
		status = "live";
		changed = true;
	}
	cxm_id_format(id, idbuf);
	if (changed) {
		detail = import_detail(d.name, version, status, created);
		ret = cxm_store_audit_add(c->s, c->tenant, cli_actor(actor, sizeof(actor)), "survey.import", idbuf,
					  detail, NULL);
		if (ret)
			goto store_fail;
	}
	if ((ret = cxm_store_commit(c->s)))
		goto store_fail;
	printf("%s\n", idbuf);
	fflush(stdout);
	fprintf(stderr, _(created ? MSG_SURVEY_CREATED : changed ? MSG_SURVEY_UPDATED : MSG_SURVEY_UNCHANGED), d.name,
		status, version);
	ret = 0;
	goto out;
store_fail:
	ret = cli_store_fail(c);
	cxm_store_rollback(c->s);
out:
	cli_found_release(&f);
	cJSON_Delete(def);
	free(canon);
	free(detail);
	free(text);
	return ret;
}

static int survey_export(struct cli *c, const char *ref)
{
	struct cli_found f = { 0 };
	char err[128];
	cJSON *def;
	char *out;
	int ret = cli_resolve(c, ref, &f, survey_by_name, survey_by_id);

	if (ret)
		return cli_resolve_fail(c, ref, ret, MSG_SURVEY_NOT_FOUND);
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

static int print_survey(const struct cxm_survey *sv, void *ctx)
{
	char id[CXM_ID_BUFSZ];

	(void)ctx;
	printf("%s\t%s\t%s\t%d\t%s\n", cxm_id_format(sv->id, id), sv->name, sv->status, sv->version,
	       sv->is_default ? "yes" : "no");
	return 0;
}

/* A page callback that only counts. */
static int count_response(const struct cxm_response *r, void *ctx)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

static int survey_status(struct cli *c, const char *ref, const char *status)
{
	struct cli_found f = { 0 };
	char actor[80], idbuf[CXM_ID_BUFSZ], *detail = NULL;
	int ret, responses = 0;

	if ((ret = cxm_store_begin(c->s)))
		goto store_fail;
	if ((ret = cli_resolve(c, ref, &f, survey_by_name, survey_by_id))) {
		ret = cli_resolve_fail(c, ref, ret, MSG_SURVEY_NOT_FOUND);
		cxm_store_rollback(c->s);
		goto out;
	}
	if (!strcmp(f.status, status)) {
		cxm_store_rollback(c->s);
		fprintf(stderr, _(MSG_SURVEY_STATUS_SAME), f.name, status);
		goto out;
	}
	/* a draft's version is rewritten in place by the next import: the
	 * responses that answered it would then point at other questions */
	if (!strcmp(status, "draft")) {
		ret = cxm_store_response_page(c->s, c->tenant, f.id, 0, CXM_TIME_MAX, CXM_TIME_MAX, INT64_MAX, 1,
					      count_response, &responses);
		if (ret)
			goto store_fail;
		if (responses) {
			ret = cli_fail(_(MSG_SURVEY_HAS_RESPONSES), f.name);
			cxm_store_rollback(c->s);
			goto out;
		}
	}
	{
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", f.name);
		cJSON_AddStringToObject(o, "from", f.status);
		cJSON_AddStringToObject(o, "to", status);
		detail = cxm_json_print(o);
		cJSON_Delete(o);
	}
	if ((ret = cxm_store_survey_set_status(c->s, c->tenant, f.id, status)) ||
	    (ret = cxm_store_audit_add(c->s, c->tenant, cli_actor(actor, sizeof(actor)), "survey.status",
				       cxm_id_format(f.id, idbuf), detail, NULL)) ||
	    (ret = cxm_store_commit(c->s)))
		goto store_fail;
	fprintf(stderr, _(MSG_SURVEY_STATUS_SET), f.name, status);
	goto out;
store_fail:
	ret = cli_store_fail(c);
	cxm_store_rollback(c->s);
out:
	free(detail);
	cli_found_release(&f);
	return ret;
}

int cmd_survey(int argc, char **argv)
{
	struct cli c = { .cmd = "survey" };
	const char *pos[4];
	bool live = false;
	const struct cli_opt opts[] = { { "--live", NULL, &live }, { NULL } };
	int npos, ret, want;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 4, &npos, MSG_USAGE_SURVEY)))
		return ret == 1 ? 0 : ret;
	if (npos == 0)
		return cli_usage(&c, _(MSG_MISSING_ARG), "import | export | list | status");
	const char *sub = pos[0];
	if (!strcmp(sub, "import") || !strcmp(sub, "export"))
		want = 2;
	else if (!strcmp(sub, "list"))
		want = 1;
	else if (!strcmp(sub, "status"))
		want = 3;
	else
		return cli_usage(&c, _(MSG_UNKNOWN_COMMAND), sub);
	if (npos < want)
		return cli_usage(&c, _(MSG_MISSING_ARG),
				 !strcmp(sub, "import") ? "FILE" : npos == 1 && want > 1 ? "NAME|ID" : "draft|live|closed");
	if (npos > want)
		return cli_usage(&c, "%s", _(MSG_TOO_MANY_ARGS));
	if (live && strcmp(sub, "import"))
		return cli_usage(&c, "%s", _(MSG_SURVEY_LIVE_IMPORT_ONLY));
	if (!strcmp(sub, "status") && cxm_survey_status_check(pos[2]))
		return cli_usage(&c, _(MSG_SV_BAD_STATUS), pos[2]);
	if (cli_open_tenant(&c))
		return 1;
	if (!strcmp(sub, "import"))
		ret = survey_import(&c, pos[1], live);
	else if (!strcmp(sub, "export"))
		ret = survey_export(&c, pos[1]);
	else if (!strcmp(sub, "status"))
		ret = survey_status(&c, pos[1], pos[2]);
	else if (cxm_store_survey_list(c.s, c.tenant, print_survey, NULL))
		ret = cli_store_fail(&c);
	cli_close(&c);
	return ret;
}
