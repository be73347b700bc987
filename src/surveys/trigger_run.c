/*
 * trigger_run.c - the parts of triggers that use the store (triggers.h):
 * the per-tenant cache of active triggers, scheduling the invitations that
 * live events fire, and the contact check (fatigue, exclusions) every way
 * of inviting shares.
 */
#include "cxm/triggers.h"
#include "cxm/core.h"
#include "cxm/json.h"
#include "cxm/store.h"
#include "cxm/surveys.h"

#include <pthread.h>

struct rule {
	int64_t id, survey_id, delay_us;
	char *event_type, *event_channel;
	cJSON *conditions; /* NULL: none */
};

struct tenant_rules {
	int64_t tenant, version;
	struct rule *v;
	size_t n;
};

struct cxm_trigger_cache {
	pthread_mutex_t mu;
	struct tenant_rules *t;
	size_t n, cap;
};

struct cxm_trigger_cache *cxm_trigger_cache_new(void)
{
	struct cxm_trigger_cache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->mu, NULL);
	return c;
}

static void rules_clear(struct tenant_rules *tr)
{
	for (size_t i = 0; i < tr->n; i++) {
		free(tr->v[i].event_type);
		free(tr->v[i].event_channel);
		cJSON_Delete(tr->v[i].conditions);
	}
	free(tr->v);
	tr->v = NULL;
	tr->n = 0;
}

void cxm_trigger_cache_free(struct cxm_trigger_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		rules_clear(&c->t[i]);
	free(c->t);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static int rule_cb(const struct cxm_trigger *t, void *ctx)
{
	struct tenant_rules *tr = ctx;
	struct rule *r;
	cJSON *cond = t->conditions ? cJSON_Parse(t->conditions) : NULL;

	tr->v = xrealloc(tr->v, (tr->n + 1) * sizeof(*tr->v));
	r = &tr->v[tr->n++];
	r->id = t->id;
	r->survey_id = t->survey_id;
	r->delay_us = t->delay_seconds * 1000000;
	r->event_type = xstrdup(t->event_type);
	r->event_channel = t->event_channel ? xstrdup(t->event_channel) : NULL;
	if (cond && !cond->child) {
		cJSON_Delete(cond);
		cond = NULL;
	}
	r->conditions = cond;
	return 0;
}

/* The tenant's rules at version (loaded when the cache has another), with
 * c->mu held. */
static int rules_for(struct cxm_store *s, struct cxm_trigger_cache *c, int64_t tenant, int64_t version,
		     struct tenant_rules **out)
{
	struct tenant_rules *tr = NULL;
	int ret;

	for (size_t i = 0; i < c->n && !tr; i++)
		if (c->t[i].tenant == tenant)
			tr = &c->t[i];
	if (!tr) {
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 8;
			c->t = xrealloc(c->t, c->cap * sizeof(*c->t));
		}
		tr = &c->t[c->n++];
		memset(tr, 0, sizeof(*tr));
		tr->tenant = tenant;
	}
	if (tr->version != version) {
		rules_clear(tr);
		tr->version = 0;
		if ((ret = cxm_store_trigger_list(s, tenant, true, rule_cb, tr))) {
			rules_clear(tr);
			return ret;
		}
		tr->version = version;
	}
	*out = tr;
	return 0;
}

int cxm_triggers_schedule(struct cxm_store *s, struct cxm_trigger_cache *c, int64_t tenant,
			  const struct cxm_event *ev, const unsigned char *inserted, size_t n, int64_t now,
			  size_t *scheduled)
{
	struct tenant_rules *tr;
	int64_t version = 0;
	size_t pending = 0;
	int ret;

	if (scheduled)
		*scheduled = 0;
	if ((ret = cxm_store_trigger_version(s, tenant, &version)) || !version)
		return ret;
	pthread_mutex_lock(&c->mu);
	ret = rules_for(s, c, tenant, version, &tr);
	for (size_t i = 0; !ret && i < n; i++) {
		if (inserted && !inserted[i])
			continue;
		for (size_t k = 0; !ret && k < tr->n; k++) {
			const struct rule *r = &tr->v[k];
			bool added = false;
			if (!cxm_trigger_matches(r->event_type, r->event_channel, r->conditions, ev[i].type, ev[i].channel,
						 ev[i].properties))
				continue;
			struct cxm_scheduled sc = { .trigger_id = r->id,
						    .survey_id = r->survey_id,
						    .customer_id = ev[i].customer_id,
						    .event_id = ev[i].id,
						    .due_at = ev[i].ts + r->delay_us,
						    .status = "pending" };
			if (sc.due_at < now - CXM_TRIGGER_STALE_S * 1000000) {
				sc.status = "skipped";
				sc.reason = "stale";
			}
			ret = cxm_store_scheduled_add(s, tenant, &sc, &added);
			if (!ret && added && !sc.reason)
				pending++;
		}
	}
	pthread_mutex_unlock(&c->mu);
	if (!ret && scheduled)
		*scheduled = pending;
	return ret;
}

/* ---- the contact check ------------------------------------------------------ */

static int attrs_cb(const struct cxm_customer *cu, void *ctx)
{
	free(*(char **)ctx);
	*(char **)ctx = xstrdup(cu->attributes ? cu->attributes : "{}");
	return 0;
}

int cxm_contact_check(struct cxm_store *s, int64_t tenant, int64_t customer_id, int64_t now,
		      struct cxm_contact *out)
{
	char *stored = NULL, *attrs = NULL;
	cJSON *settings = NULL;
	int64_t last = 0;
	int days, ret;

	memset(out, 0, sizeof(*out));
	if ((ret = cxm_store_setting_get(s, tenant, "surveys", &stored)))
		goto out;
	settings = cxm_survey_settings(stored);
	days = cJSON_GetObjectItemCaseSensitive(settings, "fatigue_days")->valueint;
	if ((ret = cxm_store_customer_get(s, tenant, customer_id, attrs_cb, &attrs)))
		goto out;
	if (!attrs) {
		ret = CXM_ENOTFOUND;
		goto out;
	}
	if (cxm_survey_excluded(settings, attrs, out->which, sizeof(out->which))) {
		out->verdict = CXM_CONTACT_EXCLUDED;
		goto out;
	}
	if (days > 0 && !(ret = cxm_store_last_invitation(s, tenant, customer_id, &last)) && last &&
	    last + (int64_t)days * 86400 * 1000000 > now) {
		out->verdict = CXM_CONTACT_FATIGUE;
		out->last = last;
		out->next = last + (int64_t)days * 86400 * 1000000;
	}
out:
	cJSON_Delete(settings);
	free(stored);
	free(attrs);
	return ret;
}
