/* cmd_org.c - `cxm org`: units, and who belongs where over time. */
#include "cli.h"
#include "cxm/customers.h"
#include "cxm/org.h"
#include "cxm/time.h"

static int id_of_unit(const struct cxm_org_unit *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

static int id_of_user(const struct cxm_user *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

static int find_unit(struct cli *c, const char *name, int64_t *id)
{
	int ret = cxm_store_org_unit_find(c->s, c->tenant, name, id_of_unit, id);
	if (ret == CXM_ENOTFOUND)
		return cli_fail(_(MSG_NO_SUCH_UNIT), name);
	return ret ? cli_store_fail(c) : 0;
}

static int find_user(struct cli *c, const char *name, int64_t *id)
{
	int ret = cxm_store_user_find(c->s, c->tenant, name, id_of_user, id);
	if (ret == CXM_ENOTFOUND)
		return cli_fail(_(MSG_NO_SUCH_USER), name);
	return ret ? cli_store_fail(c) : 0;
}

static int print_unit(const struct cxm_org_unit *u, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\n", u->name, u->kind);
	return 0;
}

static int unit_name(const struct cxm_org_unit *u, void *ctx)
{
	cxm_strlcpy(ctx, u->name, 200);
	return 0;
}

/* Memberships are collected first: the unit names are looked up after the
 * history query is over (a connection runs one query at a time). */
struct history {
	struct cxm_membership *m;
	size_t n;
};

static int collect_span(const struct cxm_membership *m, void *ctx)
{
	struct history *h = ctx;
	h->m = xrealloc(h->m, (h->n + 1) * sizeof(*h->m));
	h->m[h->n++] = *m;
	return 0;
}

static int print_history(struct cli *c, const struct history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		char name[200] = "?", from[CXM_TIME_BUFSZ], to[CXM_TIME_BUFSZ] = "";
		int ret = cxm_store_org_unit_get(c->s, c->tenant, h->m[i].unit_id, unit_name, name);
		if (ret)
			return ret;
		cxm_time_format(h->m[i].valid_from, from);
		if (h->m[i].valid_to != CXM_TIME_MAX)
			cxm_time_format(h->m[i].valid_to, to);
		printf("%s\t%s\t%s\n", name, from, to);
	}
	return 0;
}

static int print_member(const struct cxm_user *u, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\t%s\n", u->username, u->role, u->display_name ? u->display_name : "");
	return 0;
}

int cmd_org(int argc, char **argv)
{
	struct cli c = { .cmd = "org" };
	const char *kind = NULL, *parent = NULL, *from_s = NULL, *until_s = NULL, *at_s = NULL;
	const char *user = NULL, *unit = NULL, *to = NULL, *pos[2];
	const struct cli_opt opts[] = {
		{ "--kind", &kind, NULL }, { "--parent", &parent, NULL }, { "--from", &from_s, NULL },
		{ "--until", &until_s, NULL }, { "--at", &at_s, NULL },	  { "--user", &user, NULL },
		{ "--unit", &unit, NULL },     { "--to", &to, NULL },	  { NULL }
	};
	int64_t from = cxm_now_us(), until = CXM_TIME_MAX, at = cxm_now_us(), id = 0, uid = 0;
	char why[256], when[CXM_TIME_BUFSZ];
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 2, &npos, MSG_USAGE_ORG)))
		return ret == 1 ? 0 : ret;
	if (npos == 0)
		return cli_usage(&c, _(MSG_MISSING_ARG), "add-unit | move | unit-of | members | history | list");
	if ((from_s && cli_time(from_s, "--from", &from)) || (until_s && cli_time(until_s, "--until", &until)) ||
	    (at_s && cli_time(at_s, "--at", &at)))
		return 2;
	const char *sub = pos[0];
	bool needs_name = strcmp(sub, "list") && strcmp(sub, "move");
	if (needs_name && npos < 2)
		return cli_usage(&c, _(MSG_MISSING_ARG), "NAME");
	if (!needs_name && npos > 1)
		return cli_usage(&c, "%s", _(MSG_TOO_MANY_ARGS));
	if (!strcmp(sub, "add-unit")) {
		if (!kind)
			return cli_usage(&c, _(MSG_MISSING_ARG), "--kind");
		if (cxm_unit_kind_check(kind, why, sizeof(why)) || cxm_text_check(pos[1], 128, why, sizeof(why)) ||
		    !*pos[1])
			return cli_usage(&c, "%s", why);
	} else if (!strcmp(sub, "move")) {
		if (!to || (!user == !unit))
			return cli_usage(&c, _(MSG_MISSING_ARG), "(--user | --unit) --to");
	} else if (strcmp(sub, "unit-of") && strcmp(sub, "members") && strcmp(sub, "history") && strcmp(sub, "list")) {
		return cli_usage(&c, _(MSG_UNKNOWN_COMMAND), sub);
	}
	if (cli_open_tenant(&c))
		return 1;
	ret = 0;
	if (!strcmp(sub, "add-unit")) {
		int64_t pid = 0;
		struct cxm_org_unit u = { .name = pos[1], .kind = kind };
		if (parent && (ret = find_unit(&c, parent, &pid)))
			goto out;
		if ((ret = cxm_store_begin(c.s)) || (ret = cxm_store_org_unit_add(c.s, c.tenant, &u, &id)))
			goto store_fail;
		if (parent) {
			struct cxm_membership m = { .member_kind = CXM_MEMBER_UNIT, .member_id = id, .unit_id = pid,
						    .valid_from = from, .valid_to = until };
			if ((ret = cxm_store_membership_add(c.s, c.tenant, &m, NULL)))
				goto store_fail;
		}
		if ((ret = cxm_store_commit(c.s)))
			goto store_fail;
		fprintf(stderr, _(MSG_UNIT_ADDED), pos[1], kind);
	} else if (!strcmp(sub, "move")) {
		int64_t unit_id;
		struct cxm_membership m = { .member_kind = user ? CXM_MEMBER_USER : CXM_MEMBER_UNIT,
					    .valid_from = from, .valid_to = until };
		if ((ret = user ? find_user(&c, user, &m.member_id) : find_unit(&c, unit, &m.member_id)) ||
		    (ret = find_unit(&c, to, &unit_id)))
			goto out;
		m.unit_id = unit_id;
		if ((ret = cxm_store_membership_add(c.s, c.tenant, &m, NULL)))
			goto store_fail;
		fprintf(stderr, _(MSG_MOVED), user ? user : unit, to, cxm_time_format(from, when));
	} else if (!strcmp(sub, "unit-of")) {
		char name[200];
		if ((ret = find_user(&c, pos[1], &uid)))
			goto out;
		ret = cxm_store_org_unit_of(c.s, c.tenant, CXM_MEMBER_USER, uid, at, &id);
		if (ret == CXM_ENOTFOUND) {
			fprintf(stderr, _(MSG_NO_UNIT_AT), pos[1], cxm_time_format(at, when));
			ret = 1;
			goto out;
		}
		if (ret || (ret = cxm_store_org_unit_get(c.s, c.tenant, id, unit_name, name)))
			goto store_fail;
		printf("%s\n", name);
	} else if (!strcmp(sub, "members")) {
		if ((ret = find_unit(&c, pos[1], &id)))
			goto out;
		if ((ret = cxm_store_org_members(c.s, c.tenant, id, at, print_member, NULL)))
			goto store_fail;
	} else if (!strcmp(sub, "history")) {
		struct history h = { NULL, 0 };
		if ((ret = find_user(&c, pos[1], &uid)))
			goto out;
		ret = cxm_store_membership_history(c.s, c.tenant, CXM_MEMBER_USER, uid, collect_span, &h);
		if (!ret)
			ret = print_history(&c, &h);
		free(h.m);
		if (ret)
			goto store_fail;
	} else {
		if ((ret = cxm_store_org_unit_list(c.s, c.tenant, print_unit, NULL)))
			goto store_fail;
	}
	goto out;
store_fail:
	ret = cli_store_fail(&c);
	cxm_store_rollback(c.s);
out:
	cli_close(&c);
	return ret;
}
