/* cmd_demo.c - `cxm demo` (a demo tenant) and `cxm stats` (what a tenant holds). */
#include "cli.h"
#include "cxm/auth.h"
#include "cxm/demo.h"
#include "cxm/events.h"
#include "cxm/time.h"

#include <unistd.h>

/* The demo's sign-in user, for trying the dashboard locally (README). */
#define DEMO_LOGIN "demo"
#define DEMO_EMAIL "demo@casavoltia.example"
#define DEMO_PASSWORD "casavoltia-demo"

static void demo_progress(int64_t done, int64_t total, void *ctx)
{
	(void)ctx;
	if (total > 0)
		fprintf(stderr, "\r%3d%%", (int)(done * 100 / total));
}

int cmd_demo(int argc, char **argv)
{
	struct cli c = { .cmd = "demo" };
	const char *n_s = NULL, *seed_s = NULL, *pos[1];
	bool hint = false;
	const struct cli_opt opts[] = { { "--customers", &n_s, NULL },
					{ "--seed", &seed_s, NULL },
					{ "--login-hint", NULL, &hint },
					{ NULL } };
	struct cxm_demo_opts o = { .customers = 2000, .seed = 42 };
	struct cxm_demo_report r = { 0 };
	int64_t tenant, v;
	int npos, ret;

	if ((ret = cli_parse(&c, argc, argv, opts, pos, 0, &npos, MSG_USAGE_DEMO)))
		return ret == 1 ? 0 : ret;
	if (hint) {
		/* `make run` on a database loaded before: say how to sign in, if
		 * the demo's user is still there */
		if (!c.tenant_name)
			c.tenant_name = "demo";
		if (cli_open_tenant(&c))
			return 1;
		ret = cxm_store_user_find(c.s, c.tenant, DEMO_LOGIN, NULL, NULL);
		if (!ret)
			fprintf(stderr, _(MSG_DEMO_LOGIN), DEMO_LOGIN, DEMO_EMAIL, DEMO_PASSWORD);
		cxm_store_close(c.s);
		return ret ? 1 : 0;
	}
	if (n_s) {
		if (cli_int(n_s, "--customers", &v))
			return 2;
		if (v < 1 || v > CXM_DEMO_MAX_CUSTOMERS)
			return cli_usage(&c, _(MSG_DEMO_COUNT), (long long)CXM_DEMO_MAX_CUSTOMERS);
		o.customers = v;
	}
	if (seed_s) {
		if (cli_int(seed_s, "--seed", &v))
			return 2;
		o.seed = (uint64_t)v;
	}
	const char *name = c.tenant_name ? c.tenant_name : "demo";
	char hash[CXM_PASSWORD_HASH_BUFSZ], why[256];
	if (cxm_auth_password_hash(DEMO_PASSWORD, hash, why, sizeof(why)))
		return cli_fail("%s", why);
	struct cxm_user login = { .username = DEMO_LOGIN, .display_name = "Demo", .email = DEMO_EMAIL,
				  .role = "owner", .password_hash = hash };
	if (cli_open(&c))
		return 1;
	if (isatty(2)) {
		o.progress = demo_progress;
	}
	/* the tenant and its data in one transaction: a failure leaves neither */
	struct cxm_tenant t = { .name = name, .time_zone = "America/Bogota", .language = "es" };
	if ((ret = cxm_store_begin(c.s))) {
		ret = cli_store_fail(&c);
		goto out;
	}
	ret = cxm_store_tenant_create(c.s, &t, &tenant);
	if (!ret)
		ret = cxm_demo_generate(c.s, tenant, &o, &r);
	if (!ret && !(ret = cxm_store_user_add(c.s, tenant, &login, NULL)))
		r.users++;
	/* journeys the demo defines are built before it is handed over */
	if (!ret)
		ret = cxm_store_journey_build_all(c.s, tenant);
	if (!ret)
		ret = cxm_store_commit(c.s);
	if (ret) {
		ret = ret == CXM_EEXIST || ret == CXM_ECONFLICT ? cli_fail(_(MSG_DEMO_EXISTS), name) : cli_store_fail(&c);
		cxm_store_rollback(c.s);
		goto out;
	}
	if (o.progress)
		fputs("\r", stderr);
	fprintf(stderr, _(MSG_DEMO_DONE), name, (long long)r.customers, (long long)r.identities, (long long)r.events,
		(long long)r.purchases, (long long)r.users, (long long)r.org_units, (long long)r.memberships);
	fprintf(stderr, _(MSG_DEMO_FEEDBACK), (long long)(r.responses + r.relational_responses),
		(long long)(r.invitations + r.relational_invitations), 4);
	fprintf(stderr, _(MSG_DEMO_LOGIN), DEMO_LOGIN, DEMO_EMAIL, DEMO_PASSWORD);
out:
	cli_close(&c);
	return ret;
}

/* Amounts are summed only per currency: a total across currencies means nothing. */
static int print_count(const struct cxm_count *k, void *ctx)
{
	char amount[40];
	bool with_amount = *(const bool *)ctx;

	printf("  %-14s %10lld", k->key ? k->key : "", (long long)k->n);
	if (with_amount)
		printf("  %s", cxm_amount_format(k->amount_micros, amount, sizeof(amount)));
	putchar('\n');
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	struct cli c = { .cmd = "stats" };
	const char *pos[1];
	struct cxm_stats st;
	char a[CXM_TIME_BUFSZ], b[CXM_TIME_BUFSZ];
	int npos, ret;
	static const char *const by[] = { "channel", "type", "month", "currency" };
	const enum cxm_msg by_msg[] = { MSG_WORD_CHANNEL, MSG_WORD_TYPE, MSG_WORD_MONTH, MSG_WORD_CURRENCY };

	if ((ret = cli_parse(&c, argc, argv, NULL, pos, 0, &npos, MSG_USAGE_STATS)))
		return ret == 1 ? 0 : ret;
	if (cli_open_tenant(&c))
		return 1;
	if ((ret = cxm_store_stats(c.s, c.tenant, &st))) {
		ret = cli_store_fail(&c);
		goto out;
	}
	printf(_(MSG_STATS_HEAD), c.tenant_label, c.tenant_tz, c.tenant_lang, cxm_store_backend(c.s),
	       (long long)st.customers, (long long)st.identities, (long long)st.events, (long long)st.users,
	       (long long)st.org_units, (long long)st.merges);
	if (st.events)
		printf(_(MSG_STATS_SPAN), cxm_time_format(st.first_event_ts, a), cxm_time_format(st.last_event_ts, b));
	for (size_t i = 0; i < ARRAY_SIZE(by) && st.events; i++) {
		printf(_(MSG_STATS_BY), _(by_msg[i]));
		bool with_amount = !strcmp(by[i], "currency");
		if (cxm_store_event_counts(c.s, c.tenant, by[i], print_count, &with_amount)) {
			ret = cli_store_fail(&c);
			goto out;
		}
	}
out:
	cli_close(&c);
	return ret;
}
