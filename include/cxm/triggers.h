/*
 * triggers.h - an event schedules an invitation: "2 days after a delivery
 * event, invite by e-mail" (docs/surveys.md, Triggers).
 *
 * A trigger as the API takes it:
 *
 *   {"name": "After delivery", "survey_id": "123",
 *    "on": {"type": "delivery", "channel": "store", "properties": {"carrier": "dhl"}},
 *    "delay": "2d", "channel": "email", "active": true}
 *
 * on.type is required; on.channel (any channel when absent) and
 * on.properties (each one must equal the event's property of that name:
 * a string, number or boolean) narrow it. delay is a whole number and a
 * unit: "30s", "90m", "48h", "2d" (0 to 365 days). channel is "email" or
 * "web". active defaults to true.
 *
 * The definition check is pure; the rest of this header uses the store.
 */
#ifndef CXM_TRIGGERS_H
#define CXM_TRIGGERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define CXM_TRIGGER_NAME_MAX 120
#define CXM_TRIGGER_CONDITIONS_MAX 20
#define CXM_TRIGGER_DELAY_MAX ((int64_t)365 * 86400) /* seconds */
/* A scheduled invitation due longer ago than this is skipped as "stale"
 * (a late event, a server that was down for days): an invitation about
 * something the customer has long forgotten does more harm than good. */
#define CXM_TRIGGER_STALE_S ((int64_t)7 * 86400)

/* A checked trigger: borrows from the tree it was made from, except
 * event_channel (normalised into channel_buf). */
struct cxm_trigger_def {
	const char *name;
	int64_t survey_id;
	const char *event_type;
	const char *event_channel; /* NULL: any */
	char channel_buf[16];
	const cJSON *conditions;   /* object of property equalities; NULL: none */
	int64_t delay_seconds;
	const char *channel;       /* "email" or "web" */
	bool active;
};

/*
 * Checks a trigger body. On success fills d and returns 0; else CXM_EINVAL
 * with the offending field ("on.type", "delay") and the reason in the
 * current language.
 */
int cxm_trigger_check(const cJSON *body, struct cxm_trigger_def *d, char *field, size_t fieldlen, char *why,
		      size_t whylen);
/* "2d", "90m": seconds into *out; CXM_EINVAL for anything else or more
 * than CXM_TRIGGER_DELAY_MAX. */
int cxm_trigger_delay_parse(const char *s, int64_t *out);
/* The shortest form of a delay in the largest whole unit ("2d", "90m",
 * "0s"); out at least 24 bytes. Returns out. */
char *cxm_trigger_delay_format(int64_t seconds, char *out, size_t outlen);
/*
 * Whether an event fires a trigger: same type, same channel unless
 * event_channel is NULL, and every condition equal to the event's property
 * (props_json: the event's properties object text, NULL for {}).
 */
bool cxm_trigger_matches(const char *event_type, const char *event_channel, const cJSON *conditions,
			 const char *type, const char *channel, const char *props_json);
/*
 * One property condition: want (a string, number or boolean) equals have,
 * of the same JSON type. Any other want, or a NULL have, never matches.
 * Shared by triggers and journey touchpoint rules (journey.h); borrows both.
 */
bool cxm_property_equals(const cJSON *want, const cJSON *have);

/* ---- with the store (trigger_run.c) --------------------------------------- */

struct cxm_store;
struct cxm_event;

/*
 * The active triggers of each tenant, kept in memory and reloaded when the
 * tenant's trigger version (cxm_store_trigger_version) changes. Safe to
 * share between threads.
 */
struct cxm_trigger_cache;
struct cxm_trigger_cache *cxm_trigger_cache_new(void);
void cxm_trigger_cache_free(struct cxm_trigger_cache *c);

/*
 * Schedules the invitations that n live events fire, inside the caller's
 * transaction (the one that stored them): for each event with inserted[i]
 * set (duplicates are not), one row per matching active trigger, due at
 * the event's time plus the delay; a row already due longer ago than
 * CXM_TRIGGER_STALE_S at `now` is stored skipped "stale". A tenant with no
 * triggers costs one read. *scheduled (may be NULL) gets how many rows are
 * pending. Historic imports do not call this.
 */
int cxm_triggers_schedule(struct cxm_store *s, struct cxm_trigger_cache *c, int64_t tenant,
			  const struct cxm_event *ev, const unsigned char *inserted, size_t n, int64_t now,
			  size_t *scheduled);

/* Contact fatigue and exclusions (surveys.h), the one check every way of
 * inviting a customer makes. */
enum cxm_contact_verdict { CXM_CONTACT_OK = 0, CXM_CONTACT_EXCLUDED, CXM_CONTACT_FATIGUE };

struct cxm_contact {
	enum cxm_contact_verdict verdict;
	char which[300];  /* EXCLUDED: the exclusion, "attribute=value" */
	int64_t last;     /* FATIGUE: when the customer was last invited */
	int64_t next;     /* FATIGUE: when they may be invited again */
};

/*
 * May the customer be invited at `now`? Reads the tenant's survey settings,
 * the customer's attributes and their last invitation; fills out (verdict
 * CXM_CONTACT_OK when nothing stands in the way). CXM_ENOTFOUND if no such
 * customer; other codes are store errors.
 */
int cxm_contact_check(struct cxm_store *s, int64_t tenant, int64_t customer_id, int64_t now,
		      struct cxm_contact *out);

#endif
