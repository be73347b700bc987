/*
 * feedback.h - the demo tenant's surveys and what its customers answered
 * (feedback.c). Internal to src/demo/: demo.c marks the events that can be
 * followed by a survey (a delivery, a call or chat, a store purchase), and
 * for each one feedback.c decides, from its own random stream, whether the
 * customer was asked and what they answered, scores that follow what
 * happened (a late delivery, an unresolved call, the agent) so that the
 * demo's metrics and drivers have something true to find.
 */
#ifndef CXM_DEMO_FEEDBACK_H
#define CXM_DEMO_FEEDBACK_H

#include "rng.h"

#include <stdbool.h>
#include <stdint.h>

struct cxm_store;
struct cxm_event;

enum demo_fb_kind { FB_NONE, FB_DELIVERED, FB_CONTACT, FB_STORE };

/* An event that may be followed by a survey, as demo.c made it. */
struct demo_fb_chance {
	enum demo_fb_kind kind;
	bool bad;       /* a late delivery, an unresolved contact */
	int64_t wait_s; /* a call's wait (0 for others) */
	int64_t ts;
	const char *channel, *touchpoint, *agent;
};

/* The customer it happened to. */
struct demo_fb_customer {
	int64_t id;
	const char *language; /* "es" or "en" */
	int mood;             /* -2 (leaving) .. +2 (loyal): how they lean */
	bool has_email;
};

/*
 * What a customer went through that their relationship NPS remembers: a
 * late delivery, a contact left unresolved, a store purchase (whose
 * adviser's steady effect counts), or nothing worth remembering.
 */
enum demo_rel_kind { REL_NONE, REL_LATE, REL_UNRESOLVED, REL_STORE };

struct demo_rel_fact {
	enum demo_rel_kind kind;
	int64_t ts;
	const char *agent; /* the adviser of a store purchase */
};

/* The memory of the relational survey: facts older than this are forgotten. */
#define DEMO_REL_MEMORY_US (180LL * 86400 * 1000000)

/*
 * The relational NPS a customer leans to at time t (0..10, no noise):
 * 7.6 + 0.8 mood, minus 2.6 after a late delivery and 2.2 after an
 * unresolved contact in the last 180 days, plus half the effect (-2..+1)
 * of the adviser of their last store purchase then. Reviews and referrals
 * (demo.c) follow it too.
 */
double demo_rel_leaning(int mood, const struct demo_rel_fact *facts, size_t n, int64_t t);

struct demo_feedback;

/* Creates the demo's four live surveys in the tenant. */
int demo_feedback_new(struct cxm_store *s, int64_t tenant, uint64_t seed, int64_t end,
		      struct demo_feedback **out);
/* Starts a customer (their own random stream; n is their number). */
void demo_feedback_customer(struct demo_feedback *f, int64_t n, const struct demo_fb_customer *c);
/* Decides about one chance; batch_ix is the event's place in the batch
 * being made, whose ids are known when demo_feedback_flush is called. */
void demo_feedback_chance(struct demo_feedback *f, const struct demo_fb_chance *ch, size_t batch_ix);
/* Stores the responses and invitations decided since the last flush,
 * tied to the events of the batch just stored. */
int demo_feedback_flush(struct demo_feedback *f, const struct cxm_event *batch);
/*
 * The relational survey ("NPS relacional", by e-mail at the times sends[])
 * for the current customer, who is active in [lo, hi) and went through
 * facts. Drawn from a stream of its own; call it after the customer's
 * chances, before the flush (the invitations respect the 30-day fatigue
 * against the customer's other invitations decided so far).
 */
void demo_feedback_relational(struct demo_feedback *f, int64_t n, const int64_t *sends, size_t n_sends, int64_t lo,
			      int64_t hi, const struct demo_rel_fact *facts, size_t n_facts);
/* The relational survey's id: the journeys' outcome survey. */
int64_t demo_feedback_relational_id(const struct demo_feedback *f);
/* How many responses and invitations were stored: of the three surveys
 * that follow events, and of the relational one. */
void demo_feedback_counts(const struct demo_feedback *f, int64_t *responses, int64_t *invitations);
void demo_feedback_relational_counts(const struct demo_feedback *f, int64_t *responses, int64_t *invitations);
void demo_feedback_free(struct demo_feedback *f);

#endif
