/* cmd_customer.c - `cxm customer`: show one customer, merge two, list merges. */
#include "cli.h"
#include "cxm/customers.h"
#include "cxm/id.h"
#include "cxm/json.h"
#include "cxm/time.h"

/* A customer by id, or by KIND:VALUE of one of its identities. */
static int resolve(struct cli *c, const char *ref, int64_t *id)
{
	const char *colon = strchr(ref, ':');
	char kind[40], norm[CXM_IDENTITY_MAX + 1], why[200];
	int ret;

	if (!colon) {
		if (cxm_parse_i64(ref, strlen(ref), id))
			return cli_fail(_(MSG_NO_SUCH_CUSTOMER), ref);
		return 0;
	}
	snprintf(kind, sizeof(kind), "%.*s", (int)(colon - ref), ref);
	if (!strcmp(kind, "email"))
		ret = cxm_email_normalize(colon + 1, norm, sizeof(norm), why, sizeof(why));
	else if (!strcmp(kind, "phone"))
		ret = cxm_phone_normalize(colon + 1, norm, sizeof(norm), why, sizeof(why));
	else
		ret = cxm_strlcpy(norm, colon + 1, sizeof(norm)) >= sizeof(norm);
	if (ret)
		return cli_fail(_(MSG_NO_SUCH_CUSTOMER), ref);
	ret = cxm_store_identity_resolve(c->s, c->tenant, kind, norm, id);
	if (ret == CXM_ENOTFOUND)
		return cli_fail(_(MSG_NO_SUCH_CUSTOMER), ref);
	return ret ? cli_store_fail(c) : 0;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static int show_cb(const struct cxm_customer *cu, void *ctx)
{
	static const char *consent_names[] = { "email", "sms", "phone", "whatsapp" };
	cJSON *o = ctx, *consent = cJSON_CreateObject();
	char buf[CXM_ID_BUFSZ], t[CXM_TIME_BUFSZ], why[100];

	add_str(o, "id", cxm_id_format(cu->id, buf));
	add_str(o, "external_id", cu->external_id);
	add_str(o, "first_name", cu->first_name);
	add_str(o, "last_name", cu->last_name);
	add_str(o, "email", cu->email);
	add_str(o, "phone", cu->phone);
	add_str(o, "language", cu->language);
	add_str(o, "country", cu->country);
	cJSON *attrs = cu->attributes ? cxm_json_parse(cu->attributes, strlen(cu->attributes), why, sizeof(why)) : NULL;
	cJSON_AddItemToObject(o, "attributes", attrs ? attrs : cJSON_CreateObject());
	for (int i = 0; i < CXM_CONSENT_N; i++) {
		const char *n = cxm_consent_name(cu->consent[i]);
		add_str(consent, consent_names[i], *n ? n : NULL);
	}
	cJSON_AddItemToObject(o, "consent", consent);
	add_str(o, "created_at", cxm_time_format(cu->created_at, t));
	add_str(o, "updated_at", cxm_time_format(cu->updated_at, t));
	if (cu->merged_into)
		add_str(o, "merged_into", cxm_id_format(cu->merged_into, buf));
	return 0;
}

static int identity_cb(const struct cxm_identity *idn, void *ctx)
{
	cJSON *a = ctx, *o = cJSON_CreateObject();
	add_str(o, "kind", idn->kind);
	add_str(o, "value", idn->value);
	cJSON_AddItemToArray(a, o);
	return 0;
}

static int event_count_cb(const struct cxm_event *e, void *ctx)
{
	(void)e;
	(*(int64_t *)ctx)++;
	return 0;
}

static int merge_cb(const struct cxm_merge *m, void *ctx)
{
	char a[CXM_ID_BUFSZ], b[CXM_ID_BUFSZ], t[CXM_TIME_BUFSZ];
	(void)ctx;
	printf("%s\t%s\t%s\t%lld\t%lld\t%s\t%s\n", cxm_time_format(m->merged_at, t), cxm_id_format(m->survivor_id, a),
	       cxm_id_format(m->merged_id, b), (long long)m->identities_moved, (long long)m->events_moved,
	       m->actor ? m->actor : "", m->merged_snapshot);
	return 0;
}

static int find_merge_cb(const struct cxm_merge *m, void *ctx)
{
	struct cxm_merge *want = ctx;
	if (m->id == want->id) {
		want->identities_moved = m->identities_moved;
		want->events_moved = m->events_moved;
	}
	return 0;
}

int cmd_customer(int argc, char **argv)
{
	struct cli c = { .cmd = "customer" };
	const char *actor = NULL, *pos[3];
	const struct cli_opt opts[] = { { "--actor", &actor, NULL }, { NULL } };
	int64_t a, b, merge_id;
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 3, &npos, MSG_USAGE_CUSTOMER)))
		return ret == 1 ? 0 : ret;
	if (npos == 0)
		return cli_usage(&c, _(MSG_MISSING_ARG), "show | merge | merges");
	const char *sub = pos[0];
	int want = !strcmp(sub, "show") ? 2 : !strcmp(sub, "merge") ? 3 : !strcmp(sub, "merges") ? 1 : -1;
	if (want < 0)
		return cli_usage(&c, _(MSG_UNKNOWN_COMMAND), sub);
	if (npos != want)
		return cli_usage(&c, npos < want ? _(MSG_MISSING_ARG) : "%s",
				 npos < want ? "REF" : _(MSG_TOO_MANY_ARGS));
	if (cli_open_tenant(&c))
		return 1;
	ret = 0;
	if (want == 2) {
		int64_t nev = 0;
		if ((ret = resolve(&c, pos[1], &a)))
			goto out;
		cJSON *o = cJSON_CreateObject(), *ids = cJSON_CreateArray();
		if ((ret = cxm_store_customer_get(c.s, c.tenant, a, show_cb, o)) ||
		    (ret = cxm_store_identity_list(c.s, c.tenant, a, identity_cb, ids)) ||
		    (ret = cxm_store_event_scan_customer(c.s, c.tenant, a, event_count_cb, &nev))) {
			cJSON_Delete(o);
			cJSON_Delete(ids);
			ret = ret == CXM_ENOTFOUND ? cli_fail(_(MSG_NO_SUCH_CUSTOMER), pos[1]) : cli_store_fail(&c);
			goto out;
		}
		cJSON_AddItemToObject(o, "identities", ids);
		cJSON_AddNumberToObject(o, "events", (double)nev);
		char *text = cJSON_Print(o);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(o);
	} else if (want == 3) {
		char x[CXM_ID_BUFSZ], y[CXM_ID_BUFSZ], z[CXM_ID_BUFSZ];
		if ((ret = resolve(&c, pos[1], &a)) || (ret = resolve(&c, pos[2], &b)))
			goto out;
		if (cxm_store_customer_merge(c.s, c.tenant, a, b, actor ? actor : getenv("USER"), &merge_id)) {
			ret = cli_store_fail(&c);
			goto out;
		}
		struct cxm_merge m = { .id = merge_id };
		if (cxm_store_merge_list(c.s, c.tenant, find_merge_cb, &m)) {
			ret = cli_store_fail(&c);
			goto out;
		}
		fprintf(stderr, _(MSG_MERGED), cxm_id_format(b, y), cxm_id_format(a, x), (long long)m.identities_moved,
			(long long)m.events_moved, cxm_id_format(merge_id, z));
	} else {
		if (cxm_store_merge_list(c.s, c.tenant, merge_cb, NULL))
			ret = cli_store_fail(&c);
	}
out:
	cli_close(&c);
	return ret;
}
