/* test_triggers.c - triggers in the store: their rows and version, the
 * scheduling of live events through the per-tenant cache (matching,
 * duplicates, stale, inactive, reload on change), claiming with a lease,
 * finishing only under the lease, paging, and the shared contact check;
 * run against SQLite and PostgreSQL alike (tests/run.sh DB_TESTS). */
#include "testutil.h"

#include "cxm/time.h"
#include "cxm/triggers.h"

#define HOUR 3600000000LL
#define DAY (24 * HOUR)

static int64_t add_trigger(int64_t t, const char *type, const char *channel, const char *cond, int64_t delay_s,
			   bool active)
{
	struct cxm_trigger tr = { .name = "tras la entrega", .survey_id = 42, .event_type = type,
				  .event_channel = channel, .conditions = cond, .delay_seconds = delay_s,
				  .channel = "email", .active = active };
	int64_t id = 0;

	assert_int_equal(cxm_store_trigger_add(S, t, &tr, &id), 0);
	assert_true(id > 0);
	return id;
}

struct seen_trigger {
	int n;
	char name[64], type[32], channel[16], cond[128];
	bool has_channel, active;
	int64_t delay, survey;
};

static int seen_trigger(const struct cxm_trigger *tr, void *ctx)
{
	struct seen_trigger *s = ctx;

	s->n++;
	cxm_strlcpy(s->name, tr->name, sizeof(s->name));
	cxm_strlcpy(s->type, tr->event_type, sizeof(s->type));
	s->has_channel = tr->event_channel != NULL;
	cxm_strlcpy(s->channel, tr->event_channel ? tr->event_channel : "", sizeof(s->channel));
	cxm_strlcpy(s->cond, tr->conditions, sizeof(s->cond));
	s->active = tr->active;
	s->delay = tr->delay_seconds;
	s->survey = tr->survey_id;
	return 0;
}

static void test_trigger_rows(void **state)
{
	int64_t t = test_tenant(S), u = test_tenant(S), v0 = -1, v1 = -1, v2 = -1, v3 = -1;
	struct seen_trigger s = { 0 };
	int64_t id;

	(void)state;
	assert_int_equal(cxm_store_trigger_version(S, t, &v0), 0);
	assert_int_equal(v0, 0); /* never had one */
	id = add_trigger(t, "delivery", "store", "{\"carrier\":\"dhl\"}", 172800, true);
	assert_int_equal(cxm_store_trigger_version(S, t, &v1), 0);
	assert_true(v1 > 0);
	assert_int_equal(cxm_store_trigger_get(S, t, id, seen_trigger, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.name, "tras la entrega");
	assert_string_equal(s.type, "delivery");
	assert_string_equal(s.channel, "store");
	assert_string_equal(s.cond, "{\"carrier\":\"dhl\"}");
	assert_int_equal(s.delay, 172800);
	assert_int_equal(s.survey, 42);
	assert_true(s.active);

	struct cxm_trigger upd = { .id = id, .name = "otro", .survey_id = 43, .event_type = "call", .event_channel = NULL,
				   .conditions = NULL, .delay_seconds = 60, .channel = "web", .active = false };
	assert_int_equal(cxm_store_trigger_update(S, t, &upd), 0);
	assert_int_equal(cxm_store_trigger_version(S, t, &v2), 0);
	assert_true(v2 != v1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(cxm_store_trigger_get(S, t, id, seen_trigger, &s), 0);
	assert_string_equal(s.type, "call");
	assert_false(s.has_channel);
	assert_string_equal(s.cond, "{}");
	assert_false(s.active);

	/* lists: all, or the active ones only */
	add_trigger(t, "visit", NULL, NULL, 0, true);
	memset(&s, 0, sizeof(s));
	assert_int_equal(cxm_store_trigger_list(S, t, false, seen_trigger, &s), 0);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(cxm_store_trigger_list(S, t, true, seen_trigger, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.type, "visit");

	/* another tenant sees nothing and changes nothing */
	upd.id = id;
	assert_int_equal(cxm_store_trigger_get(S, u, id, NULL, NULL), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_trigger_update(S, u, &upd), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_trigger_delete(S, u, id), CXM_ENOTFOUND);
	memset(&s, 0, sizeof(s));
	assert_int_equal(cxm_store_trigger_list(S, u, false, seen_trigger, &s), 0);
	assert_int_equal(s.n, 0);

	assert_int_equal(cxm_store_trigger_delete(S, t, id), 0);
	assert_int_equal(cxm_store_trigger_get(S, t, id, NULL, NULL), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_trigger_delete(S, t, id), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_trigger_version(S, t, &v3), 0);
	assert_true(v3 != v2 && v3 != v1);
}

/* The scheduled rows of one trigger, newest first. */
struct rows {
	int n;
	int64_t id[16], customer[16], event[16], due[16], inv[16];
	char status[16][12], reason[16][24];
	int attempts[16];
};

static int rows_cb(const struct cxm_scheduled *sc, void *ctx)
{
	struct rows *r = ctx;

	if (r->n < 16) {
		r->id[r->n] = sc->id;
		r->customer[r->n] = sc->customer_id;
		r->event[r->n] = sc->event_id;
		r->due[r->n] = sc->due_at;
		r->inv[r->n] = sc->invitation_id;
		r->attempts[r->n] = sc->attempts;
		cxm_strlcpy(r->status[r->n], sc->status, sizeof(r->status[0]));
		cxm_strlcpy(r->reason[r->n], sc->reason ? sc->reason : "", sizeof(r->reason[0]));
		r->n++;
	}
	return 0;
}

static struct rows page(int64_t t, int64_t trig, const char *status)
{
	struct rows r = { 0 };

	assert_int_equal(cxm_store_scheduled_page(S, t, trig, status, 0, 100, rows_cb, &r), 0);
	return r;
}

static void test_schedule_from_events(void **state)
{
	int64_t t = test_tenant(S), now = cxm_now_us();
	int64_t soon = add_trigger(t, "delivery", "store", NULL, 2 * 86400, true);
	int64_t props = add_trigger(t, "call", NULL, "{\"outcome\":\"solved\"}", 60, true);
	int64_t off = add_trigger(t, "delivery", NULL, NULL, 0, false);
	struct cxm_trigger_cache *c = cxm_trigger_cache_new();
	struct cxm_event ev[] = {
		{ .id = 101, .customer_id = 1, .type = "delivery", .channel = "store", .ts = now },
		{ .id = 102, .customer_id = 2, .type = "delivery", .channel = "web", .ts = now },
		{ .id = 103, .customer_id = 3, .type = "delivery", .channel = "store", .ts = now - 10 * DAY },
		{ .id = 104, .customer_id = 4, .type = "call", .channel = "phone", .ts = now, .properties = "{\"outcome\":\"solved\"}" },
		{ .id = 105, .customer_id = 5, .type = "call", .channel = "phone", .ts = now, .properties = "{\"outcome\":\"open\"}" },
		{ .id = 106, .customer_id = 6, .type = "delivery", .channel = "store", .ts = now },
	};
	unsigned char inserted[] = { 1, 1, 1, 1, 1, 0 }; /* the last is a duplicate */
	size_t n = 99;
	struct rows r;

	(void)state;
	assert_int_equal(cxm_triggers_schedule(S, c, t, ev, inserted, ARRAY_SIZE(ev), now, &n), 0);
	assert_int_equal(n, 2); /* 101 and 104 pending; 103 stale */
	r = page(t, soon, NULL);
	assert_int_equal(r.n, 2);
	/* newest first: 103 (stale) was added after 101 */
	assert_int_equal(r.event[0], 103);
	assert_string_equal(r.status[0], "skipped");
	assert_string_equal(r.reason[0], "stale");
	assert_int_equal(r.event[1], 101);
	assert_string_equal(r.status[1], "pending");
	assert_int_equal(r.due[1], now + 2 * DAY);
	assert_int_equal(r.customer[1], 1);
	r = page(t, props, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.event[0], 104);
	assert_int_equal(r.due[0], now + 60000000LL);
	assert_int_equal(page(t, off, NULL).n, 0);
	assert_int_equal(page(t, soon, "pending").n, 1);
	assert_int_equal(page(t, soon, "skipped").n, 1);
	assert_int_equal(page(t, soon, "sent").n, 0);

	/* the same events again: nothing more (one row per trigger and event) */
	unsigned char all[] = { 1, 1, 1, 1, 1, 1 };
	assert_int_equal(cxm_triggers_schedule(S, c, t, ev, all, 5, now, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(page(t, soon, NULL).n, 2);

	/* a change is seen at once: the inactive one turned on */
	struct cxm_trigger on = { .id = off, .name = "x", .survey_id = 42, .event_type = "delivery", .delay_seconds = 0,
				  .channel = "web", .active = true };
	assert_int_equal(cxm_store_trigger_update(S, t, &on), 0);
	assert_int_equal(cxm_triggers_schedule(S, c, t, &ev[5], NULL, 1, now, &n), 0);
	assert_int_equal(n, 2); /* soon and off */
	assert_int_equal(page(t, off, NULL).n, 1);

	/* a tenant without triggers: nothing */
	int64_t u = test_tenant(S);
	assert_int_equal(cxm_triggers_schedule(S, c, u, ev, NULL, ARRAY_SIZE(ev), now, &n), 0);
	assert_int_equal(n, 0);
	/* deleting a trigger deletes its rows */
	assert_int_equal(cxm_store_trigger_delete(S, t, soon), 0);
	assert_int_equal(page(t, soon, NULL).n, 0);
	cxm_trigger_cache_free(c);
}

struct claimed {
	int64_t tenant;
	int n;
	int64_t ids[8], lease[8];
	int attempts[8];
};

static int claimed_cb(const struct cxm_scheduled *sc, void *ctx)
{
	struct claimed *c = ctx;

	if (sc->tenant_id == c->tenant && c->n < 8) {
		c->ids[c->n] = sc->id;
		c->lease[c->n] = sc->lease_until;
		c->attempts[c->n++] = sc->attempts;
	}
	return 0;
}

static void test_claim_lease_finish(void **state)
{
	int64_t t = test_tenant(S), due = cxm_now_us() + 2 * HOUR; /* ahead: only this test reaches it */
	int64_t trig = add_trigger(t, "delivery", NULL, NULL, 0, true), next = 0;
	struct cxm_scheduled sc = { .trigger_id = trig, .survey_id = 42, .customer_id = 9, .event_id = 900, .due_at = due };
	struct claimed c = { .tenant = t };
	bool added = false;
	struct rows r;

	(void)state;
	assert_int_equal(cxm_store_scheduled_add(S, t, &sc, &added), 0);
	assert_true(added);
	assert_int_equal(cxm_store_scheduled_add(S, t, &sc, &added), 0);
	assert_false(added);
	assert_int_equal(cxm_store_scheduled_next_due(S, &next), 0);
	assert_true(next > 0 && next <= due);

	assert_int_equal(cxm_store_scheduled_claim(S, due - 1, due + 1000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 0); /* not due */
	assert_int_equal(cxm_store_scheduled_claim(S, due, due + 1000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.attempts[0], 1);
	assert_int_equal(c.lease[0], due + 1000);
	c.n = 0;
	assert_int_equal(cxm_store_scheduled_claim(S, due + 999, due + 2000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 0); /* leased */
	/* the lease ran out: another scheduler takes it */
	assert_int_equal(cxm_store_scheduled_claim(S, due + 1000, due + 3000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.attempts[0], 2);
	/* the first claimer can no longer mark it; the holder can, once */
	assert_int_equal(cxm_store_scheduled_finish(S, t, c.ids[0], due + 1000, "sent", NULL, 77), CXM_ECONFLICT);
	assert_int_equal(cxm_store_scheduled_finish(S, t + 1, c.ids[0], due + 3000, "sent", NULL, 77), CXM_ECONFLICT);
	assert_int_equal(cxm_store_scheduled_finish(S, t, c.ids[0], due + 3000, "sent", NULL, 77), 0);
	assert_int_equal(cxm_store_scheduled_finish(S, t, c.ids[0], due + 3000, "skipped", "fatigue", 0), CXM_ECONFLICT);
	r = page(t, trig, NULL);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.status[0], "sent");
	assert_int_equal(r.inv[0], 77);
	assert_int_equal(r.attempts[0], 2);
	/* done: never claimed again */
	c.n = 0;
	assert_int_equal(cxm_store_scheduled_claim(S, due + 9000, due + 10000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 0);

	/* paging with a cursor */
	for (int i = 0; i < 3; i++) {
		struct cxm_scheduled more = { .trigger_id = trig, .survey_id = 42, .customer_id = 9, .event_id = 901 + i,
					      .due_at = due + 5 * DAY, .status = "skipped", .reason = "stale" };
		assert_int_equal(cxm_store_scheduled_add(S, t, &more, NULL), 0);
	}
	struct rows p1 = { 0 }, p2 = { 0 };
	assert_int_equal(cxm_store_scheduled_page(S, t, trig, NULL, 0, 2, rows_cb, &p1), 0);
	assert_int_equal(p1.n, 2);
	assert_int_equal(cxm_store_scheduled_page(S, t, trig, NULL, p1.id[1], 2, rows_cb, &p2), 0);
	assert_int_equal(p2.n, 2);
	assert_true(p2.id[0] < p1.id[1]);
	assert_int_equal(p2.event[1], 900);
}

static void test_contact_check(void **state)
{
	int64_t t = test_tenant(S), a = 0, b = 0, now = cxm_now_us();
	struct cxm_customer ca = { .external_id = "A", .attributes = "{\"segment\":\"vip\"}" };
	struct cxm_customer cb = { .external_id = "B", .attributes = "{\"segment\":\"normal\"}" };
	struct cxm_contact out;

	(void)state;
	assert_int_equal(cxm_store_customer_put(S, t, &ca, &a, NULL), 0);
	assert_int_equal(cxm_store_customer_put(S, t, &cb, &b, NULL), 0);
	assert_int_equal(cxm_contact_check(S, t, b, now, &out), 0);
	assert_int_equal(out.verdict, CXM_CONTACT_OK);
	assert_int_equal(cxm_contact_check(S, t, 12345, now, &out), CXM_ENOTFOUND);

	assert_int_equal(cxm_store_setting_set(S, t, "surveys",
					       "{\"exclude\":[{\"attribute\":\"segment\",\"value\":\"vip\"}],\"fatigue_days\":10}"),
			 0);
	assert_int_equal(cxm_contact_check(S, t, a, now, &out), 0);
	assert_int_equal(out.verdict, CXM_CONTACT_EXCLUDED);
	assert_string_equal(out.which, "segment=vip");

	struct cxm_invitation inv = { .survey_id = 1, .customer_id = b, .channel = "web", .expires_at = now + DAY };
	assert_int_equal(cxm_store_invitation_add(S, t, &inv, NULL), 0);
	assert_int_equal(cxm_contact_check(S, t, b, cxm_now_us(), &out), 0);
	assert_int_equal(out.verdict, CXM_CONTACT_FATIGUE);
	assert_true(out.last > 0 && out.next == out.last + 10 * DAY);
	/* ten days on, the next may go */
	assert_int_equal(cxm_contact_check(S, t, b, out.last + 10 * DAY + 1, &out), 0);
	assert_int_equal(out.verdict, CXM_CONTACT_OK);
	/* fatigue off */
	assert_int_equal(cxm_store_setting_set(S, t, "surveys", "{\"fatigue_days\":0}"), 0);
	assert_int_equal(cxm_contact_check(S, t, b, now, &out), 0);
	assert_int_equal(out.verdict, CXM_CONTACT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trigger_rows),
		cmocka_unit_test(test_schedule_from_events),
		cmocka_unit_test(test_claim_lease_finish),
		cmocka_unit_test(test_contact_check),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
