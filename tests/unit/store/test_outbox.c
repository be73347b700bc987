/* test_outbox.c - the outbox of e-mails in the store: queue, claim (with a
 * lease), sent, failed with a next attempt or given up, and what each does
 * to the invitation; the provider's delivery reports; the customers a bulk
 * invitation weighs; run against SQLite and PostgreSQL alike (tests/run.sh
 * DB_TESTS). */
#include "testutil.h"

#include "cxm/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seen_msg {
	int n;
	int64_t tenant, id, invitation_id, next, sent_at;
	int attempts;
	char to[64], subject[64], text[64], html[64], error[128], token[64];
	bool error_null;
};

static int seen_msg(const struct cxm_outbox_msg *m, void *ctx)
{
	struct seen_msg *s = ctx;

	s->n++;
	s->tenant = m->tenant_id;
	s->id = m->id;
	s->invitation_id = m->invitation_id;
	s->next = m->next_attempt_at;
	s->sent_at = m->sent_at;
	s->attempts = m->attempts;
	cxm_strlcpy(s->to, m->to_address, sizeof(s->to));
	cxm_strlcpy(s->subject, m->subject, sizeof(s->subject));
	cxm_strlcpy(s->text, m->body_text, sizeof(s->text));
	cxm_strlcpy(s->html, m->body_html, sizeof(s->html));
	s->error_null = !m->last_error;
	cxm_strlcpy(s->error, m->last_error ? m->last_error : "", sizeof(s->error));
	cxm_strlcpy(s->token, m->link_token ? m->link_token : "", sizeof(s->token));
	return 0;
}

/* Claimed messages of one tenant (other programs' tenants may share the
 * database, and a claim takes any tenant's). */
struct claimed {
	int64_t tenant;
	int n;
	int64_t ids[8];
	int attempts[8];
};

static int claimed_cb(const struct cxm_outbox_msg *m, void *ctx)
{
	struct claimed *c = ctx;

	if (m->tenant_id == c->tenant && c->n < 8) {
		c->attempts[c->n] = m->attempts;
		c->ids[c->n++] = m->id;
	}
	return 0;
}

static char inv_status[16];
static int inv_cb(const struct cxm_invitation *inv, void *ctx)
{
	(void)ctx;
	cxm_strlcpy(inv_status, inv->status, sizeof(inv_status));
	return 0;
}

static int64_t new_invitation(int64_t t)
{
	struct cxm_invitation inv = { .survey_id = 1, .channel = "email", .expires_at = cxm_now_us() + 86400000000LL };
	int64_t id = 0;

	assert_int_equal(cxm_store_invitation_add(S, t, &inv, &id), 0);
	return id;
}

static int64_t queue(int64_t t, int64_t inv, const char *to, int64_t due)
{
	struct cxm_outbox_msg m = { .invitation_id = inv, .to_address = to, .subject = "¿Cómo lo hicimos?",
				    .body_text = "hola", .body_html = "<p>hola</p>" };
	int64_t id = 0;

	assert_int_equal(cxm_store_outbox_add(S, t, &m, due, &id), 0);
	assert_true(id > 0);
	return id;
}

static void test_queue_claim_lease(void **state)
{
	int64_t t = test_tenant(S), inv = new_invitation(t);
	int64_t due = cxm_now_us() + 3600000000LL; /* an hour ahead: only this test's claims reach it */
	int64_t before = 0, after = 0, id;
	struct seen_msg m = { 0 };
	struct claimed c = { .tenant = t };

	(void)state;
	assert_int_equal(cxm_store_outbox_queued(S, INT64_MAX, &before), 0);
	id = queue(t, inv, "ana@example.com", due);
	assert_int_equal(cxm_store_outbox_queued(S, INT64_MAX, &after), 0);
	assert_int_equal(after, before + 1);

	assert_int_equal(cxm_store_outbox_get(S, t, id, seen_msg, &m), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.tenant, t);
	assert_int_equal(m.invitation_id, inv);
	assert_int_equal(m.attempts, 0);
	assert_int_equal(m.next, due);
	assert_int_equal(m.sent_at, 0);
	assert_true(m.error_null);
	assert_string_equal(m.to, "ana@example.com");
	assert_string_equal(m.subject, "¿Cómo lo hicimos?");
	assert_string_equal(m.html, "<p>hola</p>");

	/* not due yet */
	assert_int_equal(cxm_store_outbox_claim(S, due - 1, due + 1000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 0);
	/* due: claimed once, with the attempt counted and a lease */
	assert_int_equal(cxm_store_outbox_claim(S, due, due + 1000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.ids[0], id);
	assert_int_equal(c.attempts[0], 1);
	c.n = 0;
	assert_int_equal(cxm_store_outbox_claim(S, due + 999, due + 2000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 0); /* leased */
	/* a lease that ran out (the sender died): claimed again */
	assert_int_equal(cxm_store_outbox_claim(S, due + 1000, due + 3000, 100, claimed_cb, &c, NULL), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.attempts[0], 2);

	/* a failed attempt: the error kept, due again later; invitation unchanged */
	assert_int_equal(cxm_store_outbox_failed(S, t, id, "451 try again later", due + 5000), 0);
	memset(&m, 0, sizeof(m));
	assert_int_equal(cxm_store_outbox_get(S, t, id, seen_msg, &m), 0);
	assert_string_equal(m.error, "451 try again later");
	assert_int_equal(m.next, due + 5000);
	assert_int_equal(cxm_store_invitation_get(S, t, inv, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "created");

	/* sent: no longer queued, the invitation sent, the error cleared */
	assert_int_equal(cxm_store_outbox_sent(S, t, id, due + 6000), 0);
	memset(&m, 0, sizeof(m));
	assert_int_equal(cxm_store_outbox_get(S, t, id, seen_msg, &m), 0);
	assert_int_equal(m.sent_at, due + 6000);
	assert_int_equal(m.next, 0);
	assert_true(m.error_null);
	assert_int_equal(cxm_store_invitation_get(S, t, inv, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "sent");
	assert_int_equal(cxm_store_outbox_queued(S, INT64_MAX, &after), 0);
	assert_int_equal(after, before);
}

static void test_given_up(void **state)
{
	int64_t t = test_tenant(S), inv = new_invitation(t), now = cxm_now_us();
	int64_t id = queue(t, inv, "bo@example.com", now + 7200000000LL);
	struct seen_msg m = { 0 };

	(void)state;
	assert_int_equal(cxm_store_outbox_failed(S, t, id, "550 no such user", 0), 0);
	assert_int_equal(cxm_store_outbox_get(S, t, id, seen_msg, &m), 0);
	assert_int_equal(m.next, 0);
	assert_int_equal(m.sent_at, 0);
	assert_string_equal(m.error, "550 no such user");
	assert_int_equal(cxm_store_invitation_get(S, t, inv, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "failed");
}

static void test_invitation_moved_on(void **state)
{
	int64_t t = test_tenant(S), inv = new_invitation(t), now = cxm_now_us();
	int64_t id = queue(t, inv, "cy@example.com", now + 7200000000LL);

	(void)state;
	/* answered through the link before the sender marked the message */
	assert_int_equal(cxm_store_invitation_answered(S, t, inv, 42, now), 0);
	assert_int_equal(cxm_store_outbox_sent(S, t, id, now), 0);
	assert_int_equal(cxm_store_invitation_get(S, t, inv, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "answered");
	assert_int_equal(cxm_store_outbox_failed(S, t, id, "late", 0), 0);
	assert_int_equal(cxm_store_invitation_get(S, t, inv, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "answered");
}

static void test_tenants_isolated(void **state)
{
	int64_t t = test_tenant(S), u = test_tenant(S), now = cxm_now_us();
	int64_t id = queue(t, 0, "di@example.com", now + 7200000000LL);

	(void)state;
	assert_int_equal(cxm_store_outbox_get(S, u, id, NULL, NULL), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_outbox_sent(S, u, id, now), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_outbox_failed(S, u, id, "x", 0), CXM_ENOTFOUND);
	assert_int_equal(cxm_store_outbox_get(S, t, id, NULL, NULL), 0);
	/* no invitation: marking works all the same */
	assert_int_equal(cxm_store_outbox_sent(S, t, id, now), 0);
}

static int64_t customer(int64_t t, const char *ext, const char *email)
{
	struct cxm_customer c = { .external_id = ext, .email = email, .first_name = "Eva", .country = "CO" };
	int64_t id = 0;

	assert_int_equal(cxm_store_customer_put(S, t, &c, &id, NULL), 0);
	return id;
}

static int consent_cb(const struct cxm_customer *c, void *ctx)
{
	*(int *)ctx = c->consent[CXM_CONSENT_EMAIL];
	return 0;
}

static int email_consent(int64_t t, int64_t id)
{
	int v = -1;
	assert_int_equal(cxm_store_customer_get(S, t, id, consent_cb, &v), 0);
	return v;
}

static int64_t invitation_of(int64_t t, int64_t cust)
{
	struct cxm_invitation inv = { .survey_id = 1, .customer_id = cust, .channel = "email",
				      .expires_at = cxm_now_us() + 86400000000LL };
	int64_t id = 0;

	assert_int_equal(cxm_store_invitation_add(S, t, &inv, &id), 0);
	return id;
}

static void test_reports(void **state)
{
	int64_t t = test_tenant(S), u = test_tenant(S), now = cxm_now_us();
	int64_t ana = customer(t, "R-ANA", "ana@example.com"), bo = customer(t, "R-BO", "bo@example.com");
	int64_t inv_a = invitation_of(t, ana), inv_b = invitation_of(t, bo);
	int64_t msg_a = queue(t, inv_a, "ana@example.com", now + 7200000000LL);
	int64_t msg_b = queue(t, inv_b, "bo@example.com", now + 7200000000LL);
	bool found = true;

	(void)state;
	assert_int_equal(cxm_store_outbox_sent(S, t, msg_a, now), 0);
	assert_int_equal(cxm_store_outbox_sent(S, t, msg_b, now), 0);
	/* another tenant, or no such message: nothing found, nothing written */
	assert_int_equal(cxm_store_outbox_report(S, u, msg_a, CXM_EMAIL_BOUNCED, now, "x", &found), 0);
	assert_false(found);
	assert_int_equal(cxm_store_outbox_report(S, t, msg_a + 1000000, CXM_EMAIL_DELIVERED, now, NULL, &found), 0);
	assert_false(found);
	assert_int_equal(cxm_store_invitation_get(S, t, inv_a, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "sent");
	assert_int_equal(email_consent(t, ana), CXM_CONSENT_UNKNOWN);
	/* delivered */
	assert_int_equal(cxm_store_outbox_report(S, t, msg_a, CXM_EMAIL_DELIVERED, now, NULL, &found), 0);
	assert_true(found);
	assert_int_equal(cxm_store_invitation_get(S, t, inv_a, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "delivered");
	assert_int_equal(email_consent(t, ana), CXM_CONSENT_UNKNOWN);
	/* opened, then a complaint: still opened, consent denied */
	assert_int_equal(cxm_store_invitation_opened(S, t, inv_a, now), 0);
	assert_int_equal(cxm_store_outbox_report(S, t, msg_a, CXM_EMAIL_COMPLAINED, now, "spam", &found), 0);
	assert_int_equal(cxm_store_invitation_get(S, t, inv_a, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "opened");
	assert_int_equal(email_consent(t, ana), CXM_CONSENT_DENIED);
	/* a bounce: failed, consent denied */
	assert_int_equal(cxm_store_outbox_report(S, t, msg_b, CXM_EMAIL_BOUNCED, now, "550 unknown", &found), 0);
	assert_true(found);
	assert_int_equal(cxm_store_invitation_get(S, t, inv_b, inv_cb, NULL), 0);
	assert_string_equal(inv_status, "failed");
	assert_int_equal(email_consent(t, bo), CXM_CONSENT_DENIED);
}

struct cands {
	int n;
	int64_t id[4], last[4];
	char email[4][64];
};

static int cand_cb(const struct cxm_invite_candidate *c, void *ctx)
{
	struct cands *x = ctx;

	if (x->n < 4) {
		x->id[x->n] = c->id;
		x->last[x->n] = c->last_invited_at;
		cxm_strlcpy(x->email[x->n], c->email ? c->email : "", sizeof(x->email[0]));
		x->n++;
	}
	return 0;
}

static void test_candidates(void **state)
{
	int64_t t = test_tenant(S);
	int64_t a = customer(t, "C-A", "a@example.com"), b = customer(t, "C-B", NULL);
	int64_t at = 0;
	struct cands x = { 0 };

	(void)state;
	invitation_of(t, a);
	assert_int_equal(cxm_store_last_invitation(S, t, a, &at), 0);
	assert_int_equal(cxm_store_invite_candidates(S, t, 0, 100, cand_cb, &x), 0);
	assert_int_equal(x.n, 2);
	assert_true(x.id[0] == a && x.id[1] == b);
	assert_string_equal(x.email[0], "a@example.com");
	assert_string_equal(x.email[1], "");
	assert_int_equal(x.last[0], at);
	assert_true(at > 0);
	assert_int_equal(x.last[1], 0);
	/* in chunks: one at a time, after the last seen */
	memset(&x, 0, sizeof(x));
	assert_int_equal(cxm_store_invite_candidates(S, t, 0, 1, cand_cb, &x), 0);
	assert_int_equal(x.n, 1);
	assert_int_equal(cxm_store_invite_candidates(S, t, x.id[0], 1, cand_cb, &x), 0);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.id[1], b);
	/* one by id; another tenant's is not there */
	memset(&x, 0, sizeof(x));
	assert_int_equal(cxm_store_invite_candidate_get(S, t, b, cand_cb, &x), 0);
	assert_int_equal(x.n, 1);
	assert_int_equal(cxm_store_invite_candidate_get(S, test_tenant(S), b, cand_cb, &x), 0);
	assert_int_equal(x.n, 1);
}

static void test_email_invitations_add(void **state)
{
	enum { N = 70 }; /* two statements of 32 rows and six of one */
	int64_t t = test_tenant(S), due = cxm_now_us() + 9000000000LL, before = 0, after = 0, at = 0;
	struct cxm_email_invitation v[N];
	char to[N][32], tok[N][32];
	int64_t cust[N];
	struct seen_msg m = { 0 };

	(void)state;
	for (int i = 0; i < N; i++) {
		char ext[16];
		snprintf(ext, sizeof(ext), "B-%d", i);
		snprintf(to[i], sizeof(to[i]), "b%d@example.com", i);
		snprintf(tok[i], sizeof(tok[i]), "tok-%d", i);
		cust[i] = customer(t, ext, to[i]);
		v[i] = (struct cxm_email_invitation){ .invitation_id = cxm_id_next(), .survey_id = 7, .customer_id = cust[i],
						      .channel = "email", .expires_at = due, .to_address = to[i],
						      .link_token = tok[i], .outbox_id = cxm_id_next() };
	}
	assert_int_equal(cxm_store_outbox_queued(S, INT64_MAX, &before), 0);
	assert_int_equal(cxm_store_email_invitations_add(S, t, v, N, due), 0);
	assert_int_equal(cxm_store_outbox_queued(S, INT64_MAX, &after), 0);
	assert_int_equal(after, before + N);
	for (int i = 0; i < N; i += 23) {
		assert_int_equal(cxm_store_invitation_get(S, t, v[i].invitation_id, inv_cb, NULL), 0);
		assert_string_equal(inv_status, "created");
		assert_int_equal(cxm_store_last_invitation(S, t, cust[i], &at), 0);
		assert_true(at > 0);
	}
	/* rows of both statement shapes: the address and the token, bodies empty */
	for (int i = 0; i < N; i += N - 1) {
		memset(&m, 0, sizeof(m));
		assert_int_equal(cxm_store_outbox_get(S, t, v[i].outbox_id, seen_msg, &m), 0);
		assert_int_equal(m.invitation_id, v[i].invitation_id);
		assert_int_equal(m.next, due);
		assert_string_equal(m.to, to[i]);
		assert_string_equal(m.token, tok[i]);
		assert_string_equal(m.subject, "");
		assert_string_equal(m.html, "");
	}
	/* leave nothing queued for the servers of later tests on this database */
	for (int i = 0; i < N; i++)
		assert_int_equal(cxm_store_outbox_sent(S, t, v[i].outbox_id, due), 0);
	assert_int_equal(cxm_store_outbox_queued(S, INT64_MAX, &after), 0);
	assert_int_equal(after, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_claim_lease),
		cmocka_unit_test(test_given_up),
		cmocka_unit_test(test_invitation_moved_on),
		cmocka_unit_test(test_tenants_isolated),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_email_invitations_add),
	};
	return cmocka_run_group_tests(tests, test_group_open, test_group_close);
}
