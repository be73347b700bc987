/* cmd_key.c - `cxm key`: API keys for machines (create, list, revoke). */
#include "cli.h"
#include "cxm/auth.h"
#include "cxm/customers.h"
#include "cxm/id.h"
#include "cxm/json.h"
#include "cxm/org.h"
#include "cxm/time.h"

#include <sodium.h>

#define KEY_NAME_MAX 128

static int print_key(const struct cxm_api_key *k, void *ctx)
{
	char id[CXM_ID_BUFSZ], created[CXM_TIME_BUFSZ], revoked[CXM_TIME_BUFSZ] = "";

	(void)ctx;
	if (k->revoked_at)
		cxm_time_format(k->revoked_at, revoked);
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", cxm_id_format(k->id, id), k->name ? k->name : "", k->role,
	       cxm_time_format(k->created_at, created), revoked, k->last4);
	return 0;
}

/* {"name":...,"role":...} for the audit row (owned). */
static char *key_detail(const char *name, const char *role)
{
	cJSON *o = cJSON_CreateObject();
	char *out;

	if (name)
		cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "role", role);
	out = cxm_json_print(o);
	cJSON_Delete(o);
	return out;
}

static int key_create(struct cli *c, const char *role, const char *name)
{
	char token[CXM_TOKEN_BUFSZ], hash[CXM_SECRET_HASH_BUFSZ], last4[5], actor[80], idbuf[CXM_ID_BUFSZ];
	int64_t id = cxm_id_next();
	char *detail = key_detail(name, role);
	int ret;

	cxm_auth_token_new(CXM_TOKEN_KEY, c->tenant, id, token, hash, last4);
	struct cxm_api_key k = { .id = id, .name = name, .role = role, .secret_hash = hash, .last4 = last4,
				 .created_by = cli_actor(actor, sizeof(actor)) };
	/* the key and its audit row commit together, or neither does */
	if ((ret = cxm_store_begin(c->s)) || (ret = cxm_store_key_add(c->s, c->tenant, &k, NULL)) ||
	    (ret = cxm_store_audit_add(c->s, c->tenant, actor, "key.create", cxm_id_format(id, idbuf), detail, NULL)) ||
	    (ret = cxm_store_commit(c->s))) {
		ret = cli_store_fail(c);
		cxm_store_rollback(c->s);
	} else {
		/* the only line on stdout, and the only time the secret is shown */
		printf("%s\n", token);
		fflush(stdout);
		fprintf(stderr, _(MSG_KEY_CREATED), idbuf, role, c->tenant_label);
	}
	sodium_memzero(token, sizeof(token));
	free(detail);
	return ret;
}

static int key_revoke(struct cli *c, const char *arg)
{
	char actor[80];
	int64_t id;
	int ret;

	if (cxm_parse_i64(arg, strlen(arg), &id) || id <= 0)
		return cli_fail(_(MSG_KEY_BAD_ID), arg);
	ret = cxm_store_begin(c->s);
	if (!ret)
		ret = cxm_store_key_revoke(c->s, c->tenant, id);
	if (!ret)
		ret = cxm_store_audit_add(c->s, c->tenant, cli_actor(actor, sizeof(actor)), "key.revoke", arg, NULL, NULL);
	if (!ret)
		ret = cxm_store_commit(c->s);
	if (ret) {
		ret = ret == CXM_ENOTFOUND ? cli_fail(_(MSG_KEY_NOT_FOUND), arg, c->tenant_label) : cli_store_fail(c);
		cxm_store_rollback(c->s);
		return ret;
	}
	fprintf(stderr, _(MSG_KEY_REVOKED), arg);
	return 0;
}

int cmd_key(int argc, char **argv)
{
	struct cli c = { .cmd = "key" };
	const char *role = NULL, *name = NULL, *pos[2];
	const struct cli_opt opts[] = { { "--role", &role, NULL }, { "--name", &name, NULL }, { NULL } };
	char why[256];
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 2, &npos, MSG_USAGE_KEY)))
		return ret == 1 ? 0 : ret;
	if (npos == 0)
		return cli_usage(&c, _(MSG_MISSING_ARG), "create | list | revoke");
	const char *sub = pos[0];
	if (!strcmp(sub, "create")) {
		if (npos > 1)
			return cli_usage(&c, "%s", _(MSG_TOO_MANY_ARGS));
		if (!role)
			return cli_usage(&c, _(MSG_MISSING_ARG), "--role");
		if (cxm_role_check(role, why, sizeof(why)) ||
		    (name && cxm_text_check(name, KEY_NAME_MAX, why, sizeof(why))))
			return cli_usage(&c, "%s", why);
	} else if (!strcmp(sub, "list")) {
		if (npos > 1)
			return cli_usage(&c, "%s", _(MSG_TOO_MANY_ARGS));
	} else if (!strcmp(sub, "revoke")) {
		if (npos < 2)
			return cli_usage(&c, _(MSG_MISSING_ARG), "ID");
	} else {
		return cli_usage(&c, _(MSG_UNKNOWN_COMMAND), sub);
	}
	if ((role || name) && strcmp(sub, "create"))
		return cli_usage(&c, _(MSG_KEY_CREATE_ONLY), role ? "--role" : "--name");
	if (cli_open_tenant(&c))
		return 1;
	if (!strcmp(sub, "create"))
		ret = key_create(&c, role, name && *name ? name : NULL);
	else if (!strcmp(sub, "revoke"))
		ret = key_revoke(&c, pos[1]);
	else if (cxm_store_key_list(c.s, c.tenant, print_key, NULL))
		ret = cli_store_fail(&c);
	cli_close(&c);
	return ret;
}
