/* cmd_admin.c - `cxm migrate`, `cxm tenant`, `cxm user`. */
#include "cli.h"
#include "cxm/auth.h"
#include "cxm/customers.h"
#include "cxm/org.h"

int cmd_migrate(int argc, char **argv)
{
	struct cli c = { .cmd = "migrate" };
	bool status = false;
	const struct cli_opt opts[] = { { "--status", NULL, &status }, { NULL } };
	const char *pos[1];
	int npos, ret, cur, latest, applied = 0;
	char err[600];

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 0, &npos, MSG_USAGE_MIGRATE)))
		return ret == 1 ? 0 : ret;
	const char *url = c.db;
	ret = cxm_store_open_raw(&c.s, url, err, sizeof(err));
	if (ret)
		return cli_fail(_(MSG_DB_OPEN_FAILED), err);
	if (!status && (ret = cxm_store_migrate(c.s, &applied)))
		goto fail;
	if ((ret = cxm_store_schema_version(c.s, &cur, &latest)))
		goto fail;
	if (status)
		printf(_(MSG_MIGRATE_STATUS), cur, latest, cur == latest ? _(MSG_UP_TO_DATE) : _(MSG_PENDING));
	else
		printf(_(MSG_MIGRATE_DONE), cur, applied);
	cli_close(&c);
	return 0;
fail:
	ret = cli_store_fail(&c);
	cli_close(&c);
	return ret;
}

static int print_tenant(const struct cxm_tenant *t, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\t%s\n", t->name, t->time_zone, t->language);
	return 0;
}

int cmd_tenant(int argc, char **argv)
{
	struct cli c = { .cmd = "tenant" };
	const char *tz = "UTC", *lang = "es", *pos[2];
	const struct cli_opt opts[] = { { "--time-zone", &tz, NULL }, { "--language", &lang, NULL }, { NULL } };
	char why[256], lnorm[16];
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 2, &npos, MSG_USAGE_TENANT)))
		return ret == 1 ? 0 : ret;
	if (npos == 0)
		return cli_usage(&c, _(MSG_MISSING_ARG), "create | list");
	if (!strcmp(pos[0], "list")) {
		if (npos > 1)
			return cli_usage(&c, "%s", _(MSG_TOO_MANY_ARGS));
		if (cli_open(&c))
			return 1;
		ret = cxm_store_tenant_list(c.s, print_tenant, NULL) ? cli_store_fail(&c) : 0;
		cli_close(&c);
		return ret;
	}
	if (strcmp(pos[0], "create"))
		return cli_usage(&c, _(MSG_UNKNOWN_COMMAND), pos[0]);
	if (npos < 2)
		return cli_usage(&c, _(MSG_MISSING_ARG), "NAME");
	if (cxm_tenant_name_check(pos[1], why, sizeof(why)) || cxm_time_zone_check(tz, why, sizeof(why)) ||
	    cxm_language_normalize(lang, lnorm, sizeof(lnorm), why, sizeof(why)))
		return cli_usage(&c, "%s", why);
	if (cli_open(&c))
		return 1;
	struct cxm_tenant t = { .name = pos[1], .time_zone = tz, .language = lnorm };
	if (cxm_store_tenant_create(c.s, &t, NULL))
		ret = cli_store_fail(&c);
	else
		fprintf(stderr, _(MSG_TENANT_CREATED), pos[1]);
	cli_close(&c);
	return ret;
}

static int print_user(const struct cxm_user *u, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\t%s\t%s\n", u->username, u->role, u->display_name ? u->display_name : "",
	       u->email ? u->email : "");
	return 0;
}

static int id_of_user(const struct cxm_user *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

/* `cxm user passwd USERNAME`: the new password comes as one line on stdin. */
static int user_passwd(struct cli *c, const char *username)
{
	char hash[CXM_PASSWORD_HASH_BUFSZ], actor[80];
	int64_t id = 0;
	int ret;

	/* hash first: a refused password should not need the database */
	if (cli_password_stdin(hash, sizeof(hash)))
		return 1;
	if (cli_open_tenant(c))
		return 1;
	ret = cxm_store_begin(c->s);
	if (!ret)
		ret = cxm_store_user_find(c->s, c->tenant, username, id_of_user, &id);
	if (!ret)
		ret = cxm_store_user_set_password(c->s, c->tenant, id, hash);
	if (!ret)
		ret = cxm_store_audit_add(c->s, c->tenant, cli_actor(actor, sizeof(actor)), "user.passwd", username, NULL,
					  NULL);
	if (!ret)
		ret = cxm_store_commit(c->s);
	if (ret) {
		ret = ret == CXM_ENOTFOUND ? cli_fail(_(MSG_NO_SUCH_USER), username) : cli_store_fail(c);
		cxm_store_rollback(c->s);
	} else {
		fprintf(stderr, _(MSG_PASSWORD_SET), username);
	}
	cli_close(c);
	return ret;
}

int cmd_user(int argc, char **argv)
{
	struct cli c = { .cmd = "user" };
	const char *role = NULL, *name = NULL, *email = NULL, *pos[2];
	bool pw_stdin = false;
	const struct cli_opt opts[] = { { "--role", &role, NULL },
					{ "--name", &name, NULL },
					{ "--email", &email, NULL },
					{ "--password-stdin", NULL, &pw_stdin },
					{ NULL } };
	char why[256], enorm[CXM_EMAIL_MAX + 1], hash[CXM_PASSWORD_HASH_BUFSZ], actor[80];
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 2, &npos, MSG_USAGE_USER)))
		return ret == 1 ? 0 : ret;
	if (npos == 0)
		return cli_usage(&c, _(MSG_MISSING_ARG), "add | passwd | list");
	if (!strcmp(pos[0], "passwd")) {
		if (npos < 2)
			return cli_usage(&c, _(MSG_MISSING_ARG), "USERNAME");
		return user_passwd(&c, pos[1]);
	}
	if (!strcmp(pos[0], "list")) {
		if (cli_open_tenant(&c))
			return 1;
		ret = cxm_store_user_list(c.s, c.tenant, print_user, NULL) ? cli_store_fail(&c) : 0;
		cli_close(&c);
		return ret;
	}
	if (strcmp(pos[0], "add"))
		return cli_usage(&c, _(MSG_UNKNOWN_COMMAND), pos[0]);
	if (npos < 2)
		return cli_usage(&c, _(MSG_MISSING_ARG), "USERNAME");
	if (!role)
		return cli_usage(&c, _(MSG_MISSING_ARG), "--role");
	if (cxm_username_check(pos[1], why, sizeof(why)) || cxm_role_check(role, why, sizeof(why)) ||
	    (name && cxm_text_check(name, CXM_NAME_MAX, why, sizeof(why))) ||
	    (email && cxm_email_normalize(email, enorm, sizeof(enorm), why, sizeof(why))))
		return cli_usage(&c, "%s", why);
	if (pw_stdin && cli_password_stdin(hash, sizeof(hash)))
		return 1;
	if (cli_open_tenant(&c))
		return 1;
	struct cxm_user u = { .username = pos[1], .role = role, .display_name = name, .email = email ? enorm : NULL,
			      .password_hash = pw_stdin ? hash : NULL };
	char *detail = xasprintf("{\"role\":\"%s\",\"password\":%s}", role, pw_stdin ? "true" : "false");
	if ((ret = cxm_store_begin(c.s)) || (ret = cxm_store_user_add(c.s, c.tenant, &u, NULL)) ||
	    (ret = cxm_store_audit_add(c.s, c.tenant, cli_actor(actor, sizeof(actor)), "user.add", pos[1], detail,
				       NULL)) ||
	    (ret = cxm_store_commit(c.s))) {
		ret = cli_store_fail(&c);
		cxm_store_rollback(c.s);
	} else {
		fprintf(stderr, _(MSG_USER_ADDED), pos[1], role);
	}
	free(detail);
	cli_close(&c);
	return ret;
}
