/*
 * settings_write.c - the write of a tenant setting that a PUT stores whole
 * (GET/PUT /api/v1/settings/metrics, /surveys, /journeys): in the writer's
 * transaction the setting and its audit entry (the stored text as its
 * detail); once committed, the route's GET answers.
 */
#include "http-internal.h"

struct setting_put {
	const char *name, *action, *text;
	int (*answer)(struct req *r);
};

static int setting_run(struct cxm_store *db, struct wjob *j)
{
	struct req *r = j->ctx;
	const struct setting_put *p = r->data;
	int ret = cxm_store_setting_set(db, r->who.tenant, p->name, p->text);

	if (!ret)
		ret = cxm_store_audit_add(db, r->who.tenant, r->who.actor, p->action, NULL, p->text, NULL);
	return ret;
}

static int setting_finish(struct req *r)
{
	const struct setting_put *p = r->data;

	if (job_failed(r))
		return 0;
	return p->answer(r);
}

int setting_write(struct req *r, const char *name, const char *action, const cJSON *value, int (*answer)(struct req *r))
{
	struct setting_put *p = cxm_arena_alloc(&r->arena, sizeof(*p));
	char *text = cxm_json_print(value);

	p->name = name;
	p->action = action;
	p->text = cxm_arena_strdup(&r->arena, text);
	p->answer = answer;
	free(text);
	r->data = p;
	return req_write(r, setting_run, setting_finish);
}
