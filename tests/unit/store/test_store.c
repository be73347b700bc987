/* test_store.c - the storage API, run against SQLite and PostgreSQL alike. */
#include "testutil.h"

#include "cxm/time.h"


static int64_t T(const char *iso)
{
	int64_t v;
	assert_int_equal(cxm_time_parse(iso, strlen(iso), &v), 0);
	return v;
}

static void test_migrations_are_idempotent(void **state)
{
	int applied = -1, cur, latest;
	(void)state;
	assert_int_equal(cxm_store_migrate(S, &applied), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(cxm_store_schema_version(S, &cur, &latest), 0);
	assert_int_equal(cur, latest);
	assert_true(latest >= 1);
}

static int count_tenant(const struct cxm_tenant *t, void *ctx)
{
	(void)t;
	(*(int *)ctx)++;
	return 0;
}

static void test_tenants(void **state)
{
	struct cxm_tenant t = { .name = "acme-dup", .time_zone = "Europe/Madrid", .language = "es" };
	int n = 0;
	(void)state;
	int ret = cxm_store_tenant_create(S, &t, NULL);
	assert_true(ret == 0 || ret == CXM_EEXIST); /* PostgreSQL keeps tenants of earlier runs */
	assert_int_equal(cxm_store_tenant_create(S, &t, NULL), CXM_EEXIST);
	assert_non_null(strstr(cxm_store_errmsg(S), "acme-dup"));
	assert_int_equal(cxm_store_tenant_find(S, "acme-dup", count_tenant, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cxm_store_tenant_find(S, "nope-xyz", count_tenant, &n), CXM_ENOTFOUND);
	/* several tenants: finding "the only one" is ambiguous */
	test_tenant(S);
	assert_int_equal(cxm_store_tenant_find(S, NULL, count_tenant, &n), CXM_EAMBIGUOUS);
}

static int64_t add_user(int64_t tenant, const char *name)
{
	int64_t id;
	struct cxm_user u = { .username = name, .role = "agent", .display_name = "Agente" };
	assert_int_equal(cxm_store_user_add(S, tenant, &u, &id), 0);
	return id;
}

static int64_t add_unit(int64_t tenant, const char *name, const char *kind)
{
	int64_t id;
	struct cxm_org_unit u = { .name = name, .kind = kind };
	assert_int_equal(cxm_store_org_unit_add(S, tenant, &u, &id), 0);
	return id;
}

static void place(int64_t tenant, enum cxm_member_kind k, int64_t member, int64_t unit, const char *from, int ret)
{
	struct cxm_membership m = { .member_kind = k, .member_id = member, .unit_id = unit, .valid_from = T(from),
				    .valid_to = CXM_TIME_MAX };
	assert_int_equal(cxm_store_membership_add(S, tenant, &m, NULL), ret);
}

static int64_t unit_of(int64_t tenant, int64_t user, const char *at)
{
	int64_t unit = -1;
	int ret = cxm_store_org_unit_of(S, tenant, CXM_MEMBER_USER, user, T(at), &unit);
	return ret == CXM_ENOTFOUND ? 0 : (assert_int_equal(ret, 0), unit);
}

struct names {
	char buf[256];
};

static int collect_names(const struct cxm_user *u, void *ctx)
{
	struct names *n = ctx;
	size_t len = strlen(n->buf);
	snprintf(n->buf + len, sizeof(n->buf) - len, "%s%s", len ? "," : "", u->username);
	return 0;
}

static const char *members(int64_t tenant, int64_t unit, const char *at)
{
	static struct names n;
	n.buf[0] = '\0';
	assert_int_equal(cxm_store_org_members(S, tenant, unit, T(at), collect_names, &n), 0);
	return n.buf;
}

static void test_org_hierarchy_over_time(void **state)
{
	int64_t t = test_tenant(S);
	(void)state;
	int64_t cc = add_unit(t, "Call centre", "call_centre");
	int64_t sales = add_unit(t, "Ventas", "team");
	int64_t support = add_unit(t, "Soporte", "team");
	int64_t ana = add_user(t, "ana"), luis = add_user(t, "luis");
	struct cxm_user dup = { .username = "ana", .role = "agent" };

	assert_int_equal(cxm_store_user_add(S, t, &dup, NULL), CXM_EEXIST);
	place(t, CXM_MEMBER_UNIT, sales, cc, "2026-01-01", 0);
	place(t, CXM_MEMBER_UNIT, support, cc, "2026-01-01", 0);
	place(t, CXM_MEMBER_USER, ana, sales, "2026-01-01", 0);
	place(t, CXM_MEMBER_USER, luis, support, "2026-01-01", 0);
	/* Ana moves to support on 1 June: her sales membership is closed then */
	place(t, CXM_MEMBER_USER, ana, support, "2026-06-01", 0);

	assert_int_equal(unit_of(t, ana, "2025-12-31"), 0);
	assert_int_equal(unit_of(t, ana, "2026-03-15"), sales);
	assert_int_equal(unit_of(t, ana, "2026-05-31T23:59:59Z"), sales);
	assert_int_equal(unit_of(t, ana, "2026-06-01"), support);
	assert_int_equal(unit_of(t, ana, "2026-09-01"), support);

	assert_string_equal(members(t, sales, "2026-03-01"), "ana");
	assert_string_equal(members(t, sales, "2026-07-01"), "");
	assert_string_equal(members(t, support, "2026-03-01"), "luis");
	assert_string_equal(members(t, support, "2026-07-01"), "ana,luis");
	/* through sub-units */
	assert_string_equal(members(t, cc, "2026-03-01"), "ana,luis");
	assert_string_equal(members(t, cc, "2025-06-01"), "");

	/* a membership starting before a later one would overlap it */
	place(t, CXM_MEMBER_USER, ana, sales, "2026-03-01", CXM_ECONFLICT);
	/* a unit can't go under its own sub-unit */
	place(t, CXM_MEMBER_UNIT, cc, sales, "2026-02-01", CXM_ECONFLICT);
	place(t, CXM_MEMBER_UNIT, cc, cc, "2026-02-01", CXM_ECONFLICT);
	/* unknown member or unit */
	place(t, CXM_MEMBER_USER, 12345, sales, "2026-02-01", CXM_ENOTFOUND);
	place(t, CXM_MEMBER_USER, luis, 12345, "2026-02-01", CXM_ENOTFOUND);
}

static int64_t put(int64_t tenant, struct cxm_customer *c, enum cxm_put_result want)
{
	int64_t id = 0;
	enum cxm_put_result res = 0;
	assert_int_equal(cxm_store_customer_put(S, tenant, c, &id, &res), 0);
	assert_int_equal(res, want);
	return id;
}

struct customer_seen {
	int n;
	char first[64], attrs[256], email[64];
	int consent_email;
};

static int see_customer(const struct cxm_customer *c, void *ctx)
{
	struct customer_seen *s = ctx;
	s->n++;
	cxm_strlcpy(s->first, c->first_name ? c->first_name : "", sizeof(s->first));
	cxm_strlcpy(s->attrs, c->attributes ? c->attributes : "", sizeof(s->attrs));
	cxm_strlcpy(s->email, c->email ? c->email : "", sizeof(s->email));
	s->consent_email = c->consent[CXM_CONSENT_EMAIL];
	return 0;
}

static void test_customers_and_identities(void **state)
{
	int64_t t = test_tenant(S), other = test_tenant(S), found;
	struct customer_seen seen = { 0 };
	(void)state;
	struct cxm_customer a = { .external_id = "CRM-1", .first_name = "Ana", .email = "ana@example.co",
				  .attributes = "{\"segment\":\"gold\",\"city\":\"Bogotá\"}" };
	a.consent[CXM_CONSENT_EMAIL] = CXM_CONSENT_GRANTED;
	int64_t id = put(t, &a, CXM_PUT_INSERTED);
	assert_int_equal(put(t, &a, CXM_PUT_UNCHANGED), id);

	/* found by email; a new field and one attribute change, the others stay */
	struct cxm_customer upd = { .email = "ana@example.co", .phone = "+573001234567",
				    .attributes = "{\"segment\":\"platinum\"}" };
	assert_int_equal(put(t, &upd, CXM_PUT_UPDATED), id);
	assert_int_equal(cxm_store_customer_get(S, t, id, see_customer, &seen), 0);
	assert_string_equal(seen.first, "Ana");
	assert_string_equal(seen.attrs, "{\"city\":\"Bogotá\",\"segment\":\"platinum\"}");
	assert_int_equal(seen.consent_email, CXM_CONSENT_GRANTED);

	/* every identity names the one customer */
	assert_int_equal(cxm_store_identity_resolve(S, t, "phone", "+573001234567", &found), 0);
	assert_int_equal(found, id);
	assert_int_equal(cxm_store_identity_resolve(S, t, "external_id", "CRM-1", &found), 0);
	assert_int_equal(found, id);
	struct cxm_identity cookie = { .customer_id = id, .kind = "cookie_id", .value = "ck-1" };
	assert_int_equal(cxm_store_identity_add(S, t, &cookie), 0);
	assert_int_equal(cxm_store_identity_add(S, t, &cookie), 0);

	/* an identity can't name two customers */
	struct cxm_customer b = { .external_id = "CRM-2", .email = "b@example.co" };
	int64_t bid = put(t, &b, CXM_PUT_INSERTED);
	struct cxm_identity steal = { .customer_id = bid, .kind = "cookie_id", .value = "ck-1" };
	assert_int_equal(cxm_store_identity_add(S, t, &steal), CXM_ECONFLICT);
	struct cxm_customer clash = { .external_id = "CRM-2", .email = "ana@example.co" };
	assert_int_equal(cxm_store_customer_put(S, t, &clash, NULL, NULL), CXM_ECONFLICT);
	struct cxm_customer none = { .first_name = "Nadie" };
	assert_int_equal(cxm_store_customer_put(S, t, &none, NULL, NULL), CXM_EINVAL);

	/* tenants don't see each other */
	assert_int_equal(cxm_store_identity_resolve(S, other, "external_id", "CRM-1", &found), CXM_ENOTFOUND);
	assert_true(put(other, &a, CXM_PUT_INSERTED) != id);
	assert_int_equal(cxm_store_customer_get(S, other, id, see_customer, &seen), CXM_ENOTFOUND);
}

static struct cxm_event ev(int64_t customer, const char *source, const char *channel, const char *ts)
{
	return (struct cxm_event){ .source_id = source, .customer_id = customer, .type = "page_view",
				   .channel = channel, .ts = T(ts), .properties = "{\"page\":\"home\"}" };
}

struct event_seen {
	int n;
	char order[256];
	int64_t last_customer;
};

static int see_event(const struct cxm_event *e, void *ctx)
{
	struct event_seen *s = ctx;
	size_t len = strlen(s->order);
	s->n++;
	snprintf(s->order + len, sizeof(s->order) - len, "%s%s", len ? "," : "", e->source_id);
	s->last_customer = e->customer_id;
	return 0;
}

static int sum_counts(const struct cxm_count *k, void *ctx)
{
	char *out = ctx;
	size_t len = strlen(out);
	snprintf(out + len, 256 - len, "%s%s=%lld/%lld", len ? "," : "", k->key, (long long)k->n,
		 (long long)k->amount_micros);
	return 0;
}

static void test_events_dedup_and_scan(void **state)
{
	int64_t t = test_tenant(S);
	struct cxm_customer c = { .external_id = "C1" };
	int64_t cid = put(t, &c, CXM_PUT_INSERTED);
	struct event_seen seen = { 0 };
	unsigned char ins[4];
	size_t n = 0;
	char counts[256] = "";
	(void)state;

	struct cxm_event batch[] = {
		ev(cid, "e2", "web", "2026-02-01T00:00:00Z"),
		ev(cid, "e1", "app", "2026-01-15T08:00:00Z"),
		ev(cid, "e2", "web", "2026-02-01T00:00:00Z"), /* repeated within the batch */
	};
	batch[1].type = "purchase";
	batch[1].has_amount = 1;
	batch[1].amount_micros = 19990000;
	batch[1].currency = "EUR";
	assert_int_equal(cxm_store_events_put(S, t, batch, 3, ins, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ins[0] + ins[1] + ins[2], 2);
	assert_int_equal(ins[0], 1);
	assert_int_equal(ins[1], 1);
	assert_int_equal(ins[2], 0);

	/* sent again: nothing is stored twice */
	struct cxm_event again[] = { ev(cid, "e1", "app", "2026-01-15T08:00:00Z"), ev(cid, "e3", "store", "2026-03-01") };
	assert_int_equal(cxm_store_events_put(S, t, again, 2, ins, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ins[0], 0);
	assert_int_equal(ins[1], 1);

	assert_int_equal(cxm_store_event_scan(S, t, see_event, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.order, "e1,e2,e3"); /* by time */

	assert_int_equal(cxm_store_event_counts(S, t, "month", sum_counts, counts), 0);
	assert_string_equal(counts, "2026-01=1/19990000,2026-02=1/0,2026-03=1/0");
	counts[0] = '\0';
	assert_int_equal(cxm_store_event_counts(S, t, "channel", sum_counts, counts), 0);
	assert_string_equal(counts, "app=1/19990000,store=1/0,web=1/0");
	assert_int_equal(cxm_store_event_counts(S, t, "nonsense", sum_counts, counts), CXM_EINVAL);

	/* a rolled-back transaction leaves nothing behind */
	struct cxm_event lost = ev(cid, "e4", "web", "2026-04-01");
	assert_int_equal(cxm_store_begin(S), 0);
	assert_int_equal(cxm_store_events_put(S, t, &lost, 1, NULL, &n), 0);
	assert_int_equal(cxm_store_rollback(S), 0);
	struct cxm_stats st;
	assert_int_equal(cxm_store_stats(S, t, &st), 0);
	assert_int_equal(st.events, 3);
	assert_int_equal(st.first_event_ts, T("2026-01-15T08:00:00Z"));
}

static int see_merge(const struct cxm_merge *m, void *ctx)
{
	struct cxm_merge *out = ctx;
	*out = *m;
	out->merged_snapshot = NULL;
	assert_non_null(strstr(m->merged_snapshot, "\"b@example.co\""));
	return 0;
}

static void test_merge_moves_everything_and_is_audited(void **state)
{
	int64_t t = test_tenant(S), found, mid;
	struct cxm_customer a = { .external_id = "A", .first_name = "Ana" };
	struct cxm_customer b = { .external_id = "B", .email = "b@example.co", .first_name = "Anita",
				  .attributes = "{\"vip\":\"yes\",\"segment\":\"silver\"}" };
	struct event_seen seen = { 0 };
	struct customer_seen cs = { 0 };
	struct cxm_merge m = { 0 };
	size_t n;
	(void)state;

	a.attributes = "{\"segment\":\"gold\"}";
	int64_t aid = put(t, &a, CXM_PUT_INSERTED), bid = put(t, &b, CXM_PUT_INSERTED);
	struct cxm_event e[] = { ev(aid, "x1", "web", "2026-01-01"), ev(bid, "x2", "chat", "2026-01-02"),
				 ev(bid, "x3", "phone", "2026-01-03") };
	assert_int_equal(cxm_store_events_put(S, t, e, 3, NULL, &n), 0);

	assert_int_equal(cxm_store_customer_merge(S, t, aid, aid, "test", NULL), CXM_ECONFLICT);
	assert_int_equal(cxm_store_customer_merge(S, t, aid, bid, "test", &mid), 0);
	/* every identity of B now names A */
	assert_int_equal(cxm_store_identity_resolve(S, t, "email", "b@example.co", &found), 0);
	assert_int_equal(found, aid);
	assert_int_equal(cxm_store_identity_resolve(S, t, "external_id", "B", &found), 0);
	assert_int_equal(found, aid);
	/* and every event */
	assert_int_equal(cxm_store_event_scan_customer(S, t, aid, see_event, &seen), 0);
	assert_int_equal(seen.n, 3);
	/* A keeps its own fields, gains B's missing ones; A's attributes win */
	assert_int_equal(cxm_store_customer_get(S, t, aid, see_customer, &cs), 0);
	assert_string_equal(cs.first, "Ana");
	assert_string_equal(cs.email, "b@example.co");
	assert_string_equal(cs.attrs, "{\"segment\":\"gold\",\"vip\":\"yes\"}");
	/* B is kept for the audit but no longer listed */
	cs.n = 0;
	assert_int_equal(cxm_store_customer_scan(S, t, see_customer, &cs), 0);
	assert_int_equal(cs.n, 1);
	assert_int_equal(cxm_store_merge_list(S, t, see_merge, &m), 0);
	assert_int_equal(m.id, mid);
	assert_int_equal(m.survivor_id, aid);
	assert_int_equal(m.merged_id, bid);
	assert_int_equal(m.events_moved, 2);
	assert_int_equal(m.identities_moved, 2);
	/* merging the merged one again is refused */
	assert_int_equal(cxm_store_customer_merge(S, t, aid, bid, "test", NULL), CXM_ECONFLICT);
	/* importing B again updates A rather than resurrecting B */
	assert_int_equal(put(t, &b, CXM_PUT_UPDATED), aid);
}

static void test_no_cycle_over_time(void **state)
{
	int64_t t = test_tenant(S);
	(void)state;
	int64_t a = add_unit(t, "A", "region"), b = add_unit(t, "B", "region");

	place(t, CXM_MEMBER_UNIT, a, b, "2025-01-01", 0);
	/* B under A from 2024 would make each the other's ancestor from 2025 on */
	place(t, CXM_MEMBER_UNIT, b, a, "2024-01-01", CXM_ECONFLICT);
	/* and so would any later start */
	place(t, CXM_MEMBER_UNIT, b, a, "2026-01-01", CXM_ECONFLICT);
}

static void test_merged_external_id_is_an_alias(void **state)
{
	int64_t t = test_tenant(S), found;
	struct cxm_customer a = { .email = "a@x.co" }, b = { .external_id = "B1", .email = "b@x.co" };
	(void)state;
	int64_t aid = put(t, &a, CXM_PUT_INSERTED), bid = put(t, &b, CXM_PUT_INSERTED);

	assert_int_equal(cxm_store_customer_merge(S, t, aid, bid, "test", NULL), 0);
	/* the CRM still sends B1: it updates the survivor, which had no external_id */
	struct cxm_customer again = { .external_id = "B1", .first_name = "Bee" };
	assert_int_equal(put(t, &again, CXM_PUT_UPDATED), aid);
	assert_int_equal(cxm_store_identity_resolve(S, t, "external_id", "B1", &found), 0);
	assert_int_equal(found, aid);
	/* a customer found by email whose external_id differs is a conflict */
	struct cxm_customer c = { .external_id = "C1", .email = "c@x.co" };
	put(t, &c, CXM_PUT_INSERTED);
	struct cxm_customer clash = { .external_id = "C2", .email = "c@x.co" };
	assert_int_equal(cxm_store_customer_put(S, t, &clash, NULL, NULL), CXM_ECONFLICT);
	assert_non_null(strstr(cxm_store_errmsg(S), "C2"));
}

static void test_bad_urls(void **state)
{
	struct cxm_store *s = NULL;
	char err[512];
	(void)state;
	assert_int_equal(cxm_store_open(&s, "mysql://x", err, sizeof(err)), CXM_EURL);
	assert_non_null(strstr(err, "mysql://x"));
	assert_int_equal(cxm_store_open(&s, "sqlite:", err, sizeof(err)), CXM_EURL);
	assert_int_equal(cxm_store_open(&s, "sqlite:/nonexistent-dir/x.db", err, sizeof(err)), CXM_EIO);
	assert_non_null(strstr(err, "/nonexistent-dir"));
	assert_int_equal(cxm_store_open(&s, "sqlite:/tmp/x.db?frobnicate=1", err, sizeof(err)), CXM_EURL);
	assert_null(s);
#ifdef CXM_HAVE_PGSQL
	/* nothing listens on port 1 */
	assert_int_equal(cxm_store_open(&s, "postgresql://cxm@127.0.0.1:1/cxm?connect_timeout=2", err, sizeof(err)),
			 CXM_EUNAVAIL);
	assert_null(s);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_are_idempotent),
		cmocka_unit_test(test_tenants),
		cmocka_unit_test(test_org_hierarchy_over_time),
		cmocka_unit_test(test_customers_and_identities),
		cmocka_unit_test(test_events_dedup_and_scan),
		cmocka_unit_test(test_merge_moves_everything_and_is_audited),
		cmocka_unit_test(test_no_cycle_over_time),
		cmocka_unit_test(test_merged_external_id_is_an_alias),
		cmocka_unit_test(test_bad_urls),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
