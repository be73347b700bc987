/*
 * submit.c - one response, from whichever channel (the API, an import, the
 * public survey page), checked against the survey version it answers and
 * stored: the one path every response takes (surveys.h).
 */
#include "cxm/surveys.h"
#include "cxm/core.h"
#include "cxm/i18n.h"
#include "cxm/json.h"
#include "cxm/store.h"
#include "cxm/textstore.h"

#define COMMENT_MAX 10000

struct found_survey {
	int64_t id;
	char status[16];
	int version;
	char *definition;
};

static int survey_cb(const struct cxm_survey *sv, void *ctx)
{
	struct found_survey *f = ctx;

	f->id = sv->id;
	cxm_strlcpy(f->status, sv->status, sizeof(f->status));
	f->version = sv->def_version;
	free(f->definition);
	f->definition = xstrdup(sv->definition);
	return 0;
}

/* The tenant's default NPS survey, created live on first use. */
static int default_survey(struct cxm_store *s, int64_t tenant, struct found_survey *f)
{
	int ret = cxm_store_survey_default(s, tenant, survey_cb, f);
	cJSON *def;
	char *text;
	int64_t id;

	if (ret != CXM_ENOTFOUND)
		return ret;
	def = cxm_survey_default_nps();
	cxm_json_sort(def);
	text = cxm_json_print(def);
	ret = cxm_store_survey_create(s, tenant, cJSON_GetObjectItemCaseSensitive(def, "name")->valuestring, text, true,
				      &id);
	if (!ret)
		ret = cxm_store_survey_set_status(s, tenant, id, "live");
	if (!ret)
		ret = cxm_store_survey_get(s, tenant, id, 0, survey_cb, f);
	free(text);
	cJSON_Delete(def);
	return ret;
}

struct old_response {
	bool found, complete;
	int64_t survey_id;
	int version;
	char *answers;
	char *comment;
};

static int old_cb(const struct cxm_response *r, void *ctx)
{
	struct old_response *o = ctx;

	o->found = true;
	o->complete = r->complete;
	o->survey_id = r->survey_id;
	o->version = r->version;
	o->answers = xstrdup(r->answers ? r->answers : "{}");
	o->comment = r->comment ? xstrdup(r->comment) : NULL;
	return 0;
}

static int user_cb(const struct cxm_user *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

static int merged_cb(const struct cxm_customer *c, void *ctx)
{
	*(int64_t *)ctx = c->merged_into ? c->merged_into : c->id;
	return 0;
}

int cxm_response_submit(struct cxm_store *s, int64_t tenant, const struct cxm_response_in *in,
			struct cxm_response_out *out, char *field, size_t fieldlen, char *why, size_t whylen)
{
	struct found_survey f = { 0 };
	struct old_response old = { 0 };
	struct cxm_survey_def def;
	struct cxm_answer_summary sum;
	struct cxm_text_stored *text = NULL;
	struct cxm_text_parts *parts = NULL;
	cJSON *deftree = NULL, *answers = NULL;
	char *answers_text = NULL;
	enum cxm_put_result res;
	int ret;

	memset(out, 0, sizeof(*out));
	*field = '\0';
	/* a partial response given before keeps its survey and version */
	ret = cxm_store_response_by_source(s, tenant, in->source_id, old_cb, &old);
	if (ret && ret != CXM_ENOTFOUND)
		goto out;
	if (old.found && old.complete) {
		/* the same response again: a duplicate, nothing changes */
		out->result = CXM_PUT_UNCHANGED;
		out->survey_id = old.survey_id;
		out->version = old.version;
		out->complete = true;
		ret = 0;
		goto out;
	}
	if (old.found)
		ret = cxm_store_survey_get(s, tenant, old.survey_id, old.version, survey_cb, &f);
	else if (in->survey_id)
		ret = cxm_store_survey_get(s, tenant, in->survey_id, 0, survey_cb, &f);
	else if (in->survey_name)
		ret = cxm_store_survey_find(s, tenant, in->survey_name, survey_cb, &f);
	else
		ret = default_survey(s, tenant, &f);
	if (ret == CXM_ENOTFOUND) {
		cxm_strlcpy(field, "survey", fieldlen);
		snprintf(why, whylen, "%s", _(MSG_SV_NO_SUCH));
		goto out;
	}
	if (ret)
		goto out;
	if (!in->historic && strcmp(f.status, "live")) {
		cxm_strlcpy(field, "survey", fieldlen);
		snprintf(why, whylen, "%s", !strcmp(f.status, "closed") ? _(MSG_SV_CLOSED) : _(MSG_SV_DRAFT));
		ret = CXM_EINVAL;
		goto out;
	}
	deftree = cJSON_Parse(f.definition);
	if (!deftree || cxm_survey_check(deftree, &def, field, fieldlen, why, whylen))
		BUG("a stored survey definition does not check");

	if (def.anonymous && (in->customer_id || in->customer_kind)) {
		/* an anonymous survey stores no identity, from any channel */
		cxm_strlcpy(field, in->customer_kind ? in->customer_kind : "customer_id", fieldlen);
		snprintf(why, whylen, "%s", _(MSG_AN_NO_CUSTOMER));
		ret = CXM_EINVAL;
		goto out;
	}

	/* the answers: the earlier partial ones, then the new ones over them */
	answers = old.found ? cJSON_Parse(old.answers) : cJSON_CreateObject();
	if (in->answers) {
		for (const cJSON *a = in->answers->child; a; a = a->next) {
			cJSON_DeleteItemFromObjectCaseSensitive(answers, a->string);
			cJSON_AddItemToObject(answers, a->string, cJSON_Duplicate(a, 1));
		}
	}
	if ((ret = cxm_survey_check_answers(&def, answers, &sum, field, fieldlen, why, whylen)))
		goto out;
	if (in->hold_open)
		sum.complete = false;
	if (in->comment && strlen(in->comment) > COMMENT_MAX) {
		cxm_strlcpy(field, "comment", fieldlen);
		snprintf(why, whylen, _(MSG_SV_COMMENT_LIMIT), COMMENT_MAX);
		ret = CXM_EINVAL;
		goto out;
	}

	/* the customer, unless anonymous */
	if (in->customer_id) {
		ret = cxm_store_customer_get(s, tenant, in->customer_id, merged_cb, &out->customer_id);
		if (ret == CXM_ENOTFOUND) {
			cxm_strlcpy(field, "customer_id", fieldlen);
			snprintf(why, whylen, "%s", _(MSG_SV_NO_CUSTOMER));
		}
	} else if (in->customer_kind) {
		ret = cxm_store_customer_by_identity(s, tenant, in->customer_kind, in->customer_value, &out->customer_id,
						     &out->new_customer);
		if (ret == CXM_ECONFLICT || ret == CXM_EINVAL) {
			cxm_strlcpy(field, in->customer_kind, fieldlen);
			snprintf(why, whylen, "%s", cxm_store_errmsg(s));
		}
	}
	if (ret)
		goto out;
	/* the agent's unit when it happened */
	if (in->agent) {
		int64_t uid = 0;
		ret = cxm_store_user_find(s, tenant, in->agent, user_cb, &uid);
		if (!ret)
			ret = cxm_store_org_unit_of(s, tenant, CXM_MEMBER_USER, uid, in->ts, &out->org_unit_id);
		if (ret == CXM_ENOTFOUND)
			ret = 0;
		if (ret)
			goto out;
	}

	cxm_json_sort(answers);
	answers_text = cxm_json_print(answers);
	struct cxm_response r = {
		.source_id = in->source_id,
		.survey_id = f.id,
		.version = f.version,
		.customer_id = out->customer_id,
		.channel = in->channel,
		.touchpoint = in->touchpoint,
		.event_id = in->event_id,
		.agent = in->agent,
		.org_unit_id = out->org_unit_id,
		.language = in->language,
		.ts = in->ts,
		.nps = sum.nps,
		.csat = sum.csat,
		.ces = sum.ces,
		.comment = in->comment ? in->comment : old.comment,
		.answers = answers_text,
		.complete = sum.complete,
	};
	/* the analysis of its text (the comment and the free-text answers) is
	 * stored with it, in the same transaction */
	text = xmalloc(sizeof(*text));
	parts = xmalloc(sizeof(*parts));
	cxm_text_parts_of(&def, answers, r.comment, parts);
	if (!(ret = cxm_text_ingest_parts(s, tenant, parts, text, &r)))
		ret = cxm_store_response_put(s, tenant, &r, &res);
	if (!ret) {
		out->response_id = r.id;
		out->survey_id = f.id;
		out->version = f.version;
		out->result = (int)res;
		out->complete = sum.complete;
	}
out:
	cJSON_Delete(deftree);
	cJSON_Delete(answers);
	free(answers_text);
	free(f.definition);
	free(old.answers);
	free(old.comment);
	free(text);
	free(parts);
	return ret;
}
