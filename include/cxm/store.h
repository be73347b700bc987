/*
 * store.h - cxm's storage layer: one API over SQLite (default, embedded)
 * and PostgreSQL, chosen by the database URL.
 *
 * Structs passed in hold borrowed pointers: the store copies what it keeps.
 * Structs handed to callbacks are borrowed too and valid only during the
 * call. Functions return 0 or a negative CXM_E* code; cxm_store_errmsg()
 * then says what happened in words.
 */
#ifndef CXM_STORE_H
#define CXM_STORE_H

#include "cxm/metrics.h"
#include "cxm/journey.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cxm_store;

#define CXM_DEFAULT_DB "sqlite:./cxm.db"

/*
 * Opens the database named by url: "sqlite:PATH", a bare path ending in
 * .db, "postgresql://..." or "postgres://...". Migrations are applied.
 * On failure *out is NULL and err (if given) says why.
 * CXM_EURL for a bad URL, CXM_EUNAVAIL if the server can't be reached,
 * CXM_EBUSY if the file is locked, CXM_EIO if it can't be opened.
 */
int cxm_store_open(struct cxm_store **out, const char *url, char *err, size_t errlen);
/* Opens without applying migrations (for `cxm migrate --status`). */
int cxm_store_open_raw(struct cxm_store **out, const char *url, char *err, size_t errlen);
void cxm_store_close(struct cxm_store *s);
/* The last error in words (never NULL). */
const char *cxm_store_errmsg(const struct cxm_store *s);
/* "sqlite" or "postgresql". */
const char *cxm_store_backend(const struct cxm_store *s);

/* Applies pending migrations; *applied (may be NULL) gets how many. */
int cxm_store_migrate(struct cxm_store *s, int *applied);
/* The schema version in the database and the newest this build knows. */
int cxm_store_schema_version(struct cxm_store *s, int *current, int *latest);

/* Transactions: one at a time per handle. */
int cxm_store_in_transaction(const struct cxm_store *s);
int cxm_store_begin(struct cxm_store *s);
int cxm_store_commit(struct cxm_store *s);
int cxm_store_rollback(struct cxm_store *s);
/*
 * Savepoints inside an open transaction: the server's writer runs each
 * request of a group commit under one, so a failing request is undone
 * without touching the others. One level deep.
 */
int cxm_store_savepoint(struct cxm_store *s);
int cxm_store_savepoint_release(struct cxm_store *s);
int cxm_store_savepoint_rollback(struct cxm_store *s);

/* ---- tenants ---------------------------------------------------------- */

struct cxm_tenant {
	int64_t id;
	const char *name;
	const char *time_zone; /* IANA name, e.g. "America/Bogota" */
	const char *language;  /* default language of the tenant: "es", "en" */
	int64_t created_at;
};

/* Creates a tenant; t->id is ignored and *id (may be NULL) receives the new
 * id. CXM_EEXIST when the name is taken. */
int cxm_store_tenant_create(struct cxm_store *s, const struct cxm_tenant *t, int64_t *id);
/* Finds a tenant by name; with name NULL, the only tenant (CXM_EAMBIGUOUS if
 * there are several, CXM_ENOTFOUND if none). The callback gets the row. */
typedef int (*cxm_tenant_cb)(const struct cxm_tenant *t, void *ctx);
int cxm_store_tenant_find(struct cxm_store *s, const char *name, cxm_tenant_cb cb, void *ctx);
int cxm_store_tenant_list(struct cxm_store *s, cxm_tenant_cb cb, void *ctx);
/* One tenant by id; CXM_ENOTFOUND if none. */
int cxm_store_tenant_get(struct cxm_store *s, int64_t id, cxm_tenant_cb cb, void *ctx);

/* ---- users and the org hierarchy ------------------------------------- */

struct cxm_user {
	int64_t id;
	const char *username;     /* login / agent code, unique per tenant */
	const char *display_name;
	const char *email;
	const char *role;         /* owner, admin, analyst, manager, agent, viewer */
	int64_t created_at;
	/* argon2id hash (cxm_auth_password_hash); NULL: cannot sign in. Read
	 * back by every user query; never print it. */
	const char *password_hash;
	const char *language;     /* dashboard language; NULL: the tenant's */
	int64_t tenant_id;        /* filled on reads; ignored by cxm_store_user_add */
};

typedef int (*cxm_user_cb)(const struct cxm_user *u, void *ctx);
/* CXM_EEXIST when the username is taken in the tenant. password_hash and
 * language are stored as given (may be NULL). */
int cxm_store_user_add(struct cxm_store *s, int64_t tenant, const struct cxm_user *u, int64_t *id);
int cxm_store_user_find(struct cxm_store *s, int64_t tenant, const char *username, cxm_user_cb cb, void *ctx);
int cxm_store_user_list(struct cxm_store *s, int64_t tenant, cxm_user_cb cb, void *ctx);

struct cxm_org_unit {
	int64_t id;
	const char *name;  /* unique per tenant */
	const char *kind;  /* company, region, store, call_centre, team, department, other */
	int64_t created_at;
};

typedef int (*cxm_org_unit_cb)(const struct cxm_org_unit *u, void *ctx);
int cxm_store_org_unit_add(struct cxm_store *s, int64_t tenant, const struct cxm_org_unit *u, int64_t *id);
int cxm_store_org_unit_find(struct cxm_store *s, int64_t tenant, const char *name, cxm_org_unit_cb cb, void *ctx);
int cxm_store_org_unit_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_org_unit_cb cb, void *ctx);
int cxm_store_org_unit_list(struct cxm_store *s, int64_t tenant, cxm_org_unit_cb cb, void *ctx);

enum cxm_member_kind { CXM_MEMBER_USER = 1, CXM_MEMBER_UNIT = 2 };

/*
 * A membership says: from valid_from (inclusive) until valid_to (exclusive;
 * CXM_TIME_MAX when open) the member (a user, or a unit) belongs to
 * unit_id. A member has at most one parent at any instant, so "which unit
 * was X in at time T" has one answer.
 */
struct cxm_membership {
	int64_t id;
	enum cxm_member_kind member_kind;
	int64_t member_id;
	int64_t unit_id;
	int64_t valid_from;
	int64_t valid_to;
};

/*
 * Moves a member into unit_id from m->valid_from on. An open membership that
 * started before valid_from is closed at valid_from; any other overlap is
 * CXM_ECONFLICT. A unit may not become its own ancestor (CXM_ECONFLICT).
 */
int cxm_store_membership_add(struct cxm_store *s, int64_t tenant, const struct cxm_membership *m, int64_t *id);
typedef int (*cxm_membership_cb)(const struct cxm_membership *m, void *ctx);
/* Every membership of one member, oldest first. */
int cxm_store_membership_history(struct cxm_store *s, int64_t tenant, enum cxm_member_kind kind,
				 int64_t member_id, cxm_membership_cb cb, void *ctx);
/* The unit a member belonged to at time `at`; CXM_ENOTFOUND if none. */
int cxm_store_org_unit_of(struct cxm_store *s, int64_t tenant, enum cxm_member_kind kind, int64_t member_id,
			  int64_t at, int64_t *unit_id);
/* Every unit -> parent-unit membership of the tenant (to compute subtrees
 * over time in one query), in (member_id, valid_from) order. */
int cxm_store_unit_memberships(struct cxm_store *s, int64_t tenant, cxm_membership_cb cb, void *ctx);
/* Users under unit (directly or through sub-units) at time `at`. */
int cxm_store_org_members(struct cxm_store *s, int64_t tenant, int64_t unit_id, int64_t at,
			  cxm_user_cb cb, void *ctx);

/* ---- customers and identities ---------------------------------------- */

enum cxm_consent_channel {
	CXM_CONSENT_EMAIL,
	CXM_CONSENT_SMS,
	CXM_CONSENT_PHONE,
	CXM_CONSENT_WHATSAPP,
	CXM_CONSENT_N
};
enum cxm_consent { CXM_CONSENT_UNKNOWN = 0, CXM_CONSENT_GRANTED = 1, CXM_CONSENT_DENIED = 2 };

struct cxm_customer {
	int64_t id;
	const char *external_id; /* the tenant's own customer id (CRM); may be NULL */
	const char *first_name;
	const char *last_name;
	const char *email;       /* normalised (lower case) */
	const char *phone;       /* normalised (+ and digits) */
	const char *language;
	const char *country;     /* ISO 3166-1 alpha-2 */
	const char *attributes;  /* JSON object text; NULL means {} */
	unsigned char consent[CXM_CONSENT_N]; /* enum cxm_consent */
	int64_t created_at;
	int64_t updated_at;
	int64_t merged_into;     /* 0 unless merged into another customer */
};

enum cxm_put_result { CXM_PUT_INSERTED = 1, CXM_PUT_UPDATED = 2, CXM_PUT_UNCHANGED = 3 };

/*
 * Inserts or updates one customer. The stored customer is found by
 * external_id, else by email, else by phone identity; when found and every
 * given field is equal, nothing is written (CXM_PUT_UNCHANGED). Fields that
 * are NULL keep the stored value. Email, phone and external_id are also
 * registered as identities. A new customer needs at least one of the three.
 * *result and *id (may be NULL) say what happened.
 * CXM_ECONFLICT when the identities given belong to different customers.
 */
int cxm_store_customer_put(struct cxm_store *s, int64_t tenant, const struct cxm_customer *c,
			   int64_t *id, enum cxm_put_result *result);

typedef int (*cxm_customer_cb)(const struct cxm_customer *c, void *ctx);
int cxm_store_customer_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_customer_cb cb, void *ctx);
/* Sets one consent of a customer (an unsubscribe link, a preference
 * centre); CXM_ENOTFOUND if no such customer. */
int cxm_store_customer_set_consent(struct cxm_store *s, int64_t tenant, int64_t id, enum cxm_consent_channel ch,
				   enum cxm_consent value);
/* Every live (not merged) customer, in id order. */
int cxm_store_customer_scan(struct cxm_store *s, int64_t tenant, cxm_customer_cb cb, void *ctx);

/*
 * Live customers with id > after_id, in id order, at most limit of them.
 * With text (may be NULL or ""), only those whose "first last" name contains
 * text (case-insensitive for ASCII letters) or that have an identity (email,
 * phone, external id, ...) starting with it.
 */
int cxm_store_customer_search(struct cxm_store *s, int64_t tenant, const char *text, int64_t after_id, int limit,
			      cxm_customer_cb cb, void *ctx);

struct cxm_identity {
	int64_t customer_id;
	const char *kind;   /* email, phone, external_id, crm_id, cookie_id, or the tenant's own */
	const char *value;  /* normalised */
	int64_t created_at;
};

/*
 * The customer an identity names; when none does, a new customer is
 * created with it (*created true). Any kind works: an unknown cookie_id
 * gives a customer known only by that cookie until more is learned.
 */
int cxm_store_customer_by_identity(struct cxm_store *s, int64_t tenant, const char *kind, const char *value,
				   int64_t *id, bool *created);
/* Adds an identity; CXM_ECONFLICT if it already names another customer. */
int cxm_store_identity_add(struct cxm_store *s, int64_t tenant, const struct cxm_identity *idn);
/* The customer an identity names; CXM_ENOTFOUND if none. */
int cxm_store_identity_resolve(struct cxm_store *s, int64_t tenant, const char *kind, const char *value,
			       int64_t *customer_id);
typedef int (*cxm_identity_cb)(const struct cxm_identity *idn, void *ctx);
int cxm_store_identity_list(struct cxm_store *s, int64_t tenant, int64_t customer_id, cxm_identity_cb cb,
			    void *ctx);
/* Every identity of the tenant of one kind (for warming caches). */
int cxm_store_identity_scan(struct cxm_store *s, int64_t tenant, const char *kind, cxm_identity_cb cb, void *ctx);
/* How many identities the tenant has. */
int cxm_store_identity_count(struct cxm_store *s, int64_t tenant, int64_t *n);

struct cxm_merge {
	int64_t id;
	int64_t survivor_id;
	int64_t merged_id;
	const char *merged_snapshot; /* JSON of the merged customer as it was */
	int64_t identities_moved;
	int64_t events_moved;
	const char *actor;           /* who asked for it */
	int64_t merged_at;
};

/*
 * Merges customer `merged` into `survivor` in one transaction: every
 * identity and event moves to the survivor, empty fields of the survivor are
 * filled from the merged one, the merged customer is kept (merged_into set)
 * and an audit row is written. *out (may be NULL) gets the audit row id.
 */
int cxm_store_customer_merge(struct cxm_store *s, int64_t tenant, int64_t survivor, int64_t merged,
			     const char *actor, int64_t *merge_id);
typedef int (*cxm_merge_cb)(const struct cxm_merge *m, void *ctx);
int cxm_store_merge_list(struct cxm_store *s, int64_t tenant, cxm_merge_cb cb, void *ctx);

/* ---- events ------------------------------------------------------------ */

struct cxm_event {
	int64_t id;              /* cxm's id, generated on insert */
	const char *source_id;   /* the id the event came with (or cxm's id as text) */
	int64_t customer_id;
	const char *type;        /* page_view, purchase, call, ticket, delivery, visit, ... */
	const char *channel;     /* web, app, email, sms, phone, store, chat, social, other */
	const char *touchpoint;  /* may be NULL */
	const char *agent;       /* the agent's username; may be NULL */
	int64_t org_unit_id;     /* 0 when none */
	int64_t ts;              /* when it happened, UTC microseconds */
	int has_amount;
	int64_t amount_micros;   /* amount in millionths of a currency unit */
	const char *currency;    /* ISO 4217, with an amount */
	/* JSON object text in canonical form (cxm_json_canonical_object: sorted
	 * keys, no spaces), so that both backends hand back the same text;
	 * NULL means {} */
	const char *properties;
};

/*
 * Stores n events. An event whose source_id is already stored for the
 * tenant (or repeated in the batch) is skipped, not stored twice.
 * inserted[i] (array may be NULL) is set to 1 for stored, 0 for duplicate;
 * *n_inserted (may be NULL) gets the count. ev[i].id is assigned by the
 * store when 0. Runs inside the caller's transaction if one is open.
 */
int cxm_store_events_put(struct cxm_store *s, int64_t tenant, struct cxm_event *ev, size_t n,
			 unsigned char *inserted, size_t *n_inserted);

typedef int (*cxm_event_cb)(const struct cxm_event *e, void *ctx);
/* Every event of the tenant in (ts, id) order. */
int cxm_store_event_scan(struct cxm_store *s, int64_t tenant, cxm_event_cb cb, void *ctx);
/* One customer's events in (ts, id) order. */
int cxm_store_event_scan_customer(struct cxm_store *s, int64_t tenant, int64_t customer_id, cxm_event_cb cb,
				  void *ctx);

/*
 * One page of a customer's timeline, newest first: events older than
 * (before_ts, before_id) (pass CXM_TIME_MAX and INT64_MAX for the first
 * page), at most limit of them.
 */
int cxm_store_event_page_customer(struct cxm_store *s, int64_t tenant, int64_t customer_id, int64_t before_ts,
				  int64_t before_id, int limit, cxm_event_cb cb, void *ctx);

/* ---- counts ------------------------------------------------------------ */

struct cxm_count {
	const char *key;
	int64_t n;
	int64_t amount_micros;
};
typedef int (*cxm_count_cb)(const struct cxm_count *c, void *ctx);

struct cxm_stats {
	int64_t customers, identities, events, users, org_units, memberships, merges;
	int64_t first_event_ts, last_event_ts; /* 0 when there are no events */
};
int cxm_store_stats(struct cxm_store *s, int64_t tenant, struct cxm_stats *st);
/* Events grouped by "channel", "type", "month" (YYYY-MM, UTC) or
 * "currency" (events with an amount only), with amounts summed: only the
 * "currency" grouping gives totals that mean something. */
int cxm_store_event_counts(struct cxm_store *s, int64_t tenant, const char *by, cxm_count_cb cb, void *ctx);

/* ---- accounts: users signing in, API keys, sessions, audit log --------- */

/* One user by id; CXM_ENOTFOUND if the tenant has no such user. */
int cxm_store_user_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_user_cb cb, void *ctx);
/*
 * Sets a user's password hash (borrowed; NULL: the user can no longer sign
 * in) and deletes the user's sessions, so a changed password signs every
 * browser out. CXM_ENOTFOUND if no such user.
 */
int cxm_store_user_set_password(struct cxm_store *s, int64_t tenant, int64_t user_id, const char *hash);
/* Sets the dashboard language (NULL: the tenant's). CXM_ENOTFOUND if no such user. */
int cxm_store_user_set_language(struct cxm_store *s, int64_t tenant, int64_t user_id, const char *lang);
/*
 * The users a login names: username equal to login, or email equal to
 * login lower-cased (ASCII). tenant 0 searches every tenant: then several
 * users of different tenants may answer, in (tenant_id, id) order, each
 * with u->tenant_id set. No match is not an error (the callback is simply
 * not called); *n (may be NULL) gets how many matched.
 */
int cxm_store_user_find_login(struct cxm_store *s, int64_t tenant, const char *login, cxm_user_cb cb, void *ctx,
			      int *n);

struct cxm_api_key {
	int64_t id;
	const char *name;        /* may be NULL */
	const char *role;        /* a role of cxm_roles */
	const char *secret_hash; /* cxm_auth_secret_hash() of the token's secret */
	const char *last4;       /* the token's last 4 characters, to tell keys apart */
	int64_t created_at;
	const char *created_by;  /* the actor who made it; may be NULL */
	int64_t revoked_at;      /* 0 while the key is valid */
};

typedef int (*cxm_api_key_cb)(const struct cxm_api_key *k, void *ctx);
/*
 * Stores a key. k->id is kept when non-zero (the token names the id, so
 * the caller draws it with cxm_id_next() before making the token), else
 * drawn here; *id (may be NULL) gets it. created_at and revoked_at are
 * set here (now, 0).
 */
int cxm_store_key_add(struct cxm_store *s, int64_t tenant, const struct cxm_api_key *k, int64_t *id);
/* One key, revoked or not; CXM_ENOTFOUND if none. */
int cxm_store_key_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_api_key_cb cb, void *ctx);
/* Every key of the tenant, revoked ones too, oldest first. */
int cxm_store_key_list(struct cxm_store *s, int64_t tenant, cxm_api_key_cb cb, void *ctx);
/* Revokes a key now; revoking a revoked key keeps its first revocation
 * time and is not an error. CXM_ENOTFOUND if no such key. */
int cxm_store_key_revoke(struct cxm_store *s, int64_t tenant, int64_t id);

struct cxm_session {
	int64_t id;
	int64_t user_id;
	const char *secret_hash; /* cxm_auth_secret_hash() of the cookie's secret */
	const char *csrf_token;  /* sent back in X-CSRF-Token */
	int64_t created_at;
	int64_t expires_at;      /* the caller refuses a session at or after this */
};

typedef int (*cxm_session_cb)(const struct cxm_session *ss, void *ctx);
/* Stores a session; ss->id kept when non-zero (as for keys), created_at
 * when non-zero (else now). CXM_ENOTFOUND if the user does not exist. */
int cxm_store_session_add(struct cxm_store *s, int64_t tenant, const struct cxm_session *ss, int64_t *id);
/* One session, expired or not (the caller compares expires_at with its
 * clock); CXM_ENOTFOUND if none. */
int cxm_store_session_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_session_cb cb, void *ctx);
/* Deletes one session (log out); CXM_ENOTFOUND if none. */
int cxm_store_session_delete(struct cxm_store *s, int64_t tenant, int64_t id);
/* Deletes the tenant's sessions with expires_at <= now; *n (may be NULL)
 * gets how many. */
int cxm_store_session_purge_expired(struct cxm_store *s, int64_t tenant, int64_t now, int64_t *n);

struct cxm_audit {
	int64_t id;
	int64_t at;
	const char *actor;  /* "cli:ana", "user:123", "key:456" */
	const char *action; /* "key.create", "key.revoke", "user.add", "user.passwd", ... */
	const char *target; /* what it acted on (an id, a username); may be NULL */
	const char *detail; /* JSON object text, canonical (sorted keys, no spaces) */
};

typedef int (*cxm_audit_cb)(const struct cxm_audit *a, void *ctx);
/*
 * Writes an audit row at now, inside the caller's transaction if one is
 * open (so the action and its record commit together). detail_json is a
 * JSON object text or NULL ({}); it is stored canonical. *id (may be NULL)
 * gets the row id. CXM_EINVAL when detail_json is not a JSON object.
 */
int cxm_store_audit_add(struct cxm_store *s, int64_t tenant, const char *actor, const char *action,
			const char *target, const char *detail_json, int64_t *id);
/*
 * The tenant's audit rows, newest first: those with id < before_id
 * (0: from the newest), at most limit of them (0: all). To page, pass the
 * last id seen as the next before_id.
 */
int cxm_store_audit_list(struct cxm_store *s, int64_t tenant, int64_t before_id, int64_t limit, cxm_audit_cb cb,
			 void *ctx);

/* ---- surveys and responses -------------------------------------------- */

struct cxm_survey {
	int64_t id;
	const char *name;
	const char *status;     /* draft, live, closed */
	int version;            /* the current version */
	bool is_default;        /* the tenant's default NPS survey */
	const char *definition; /* the definition of the version asked for, canonical JSON */
	int def_version;        /* which version that is */
	int64_t created_at;
	int64_t updated_at;
};

typedef int (*cxm_survey_cb)(const struct cxm_survey *sv, void *ctx);
/* Creates a survey (draft, version 1) from a checked definition (canonical
 * JSON text; borrowed). CXM_EEXIST when the tenant has a survey of that
 * name. */
int cxm_store_survey_create(struct cxm_store *s, int64_t tenant, const char *name, const char *definition,
			    bool is_default, int64_t *id);
/* One survey with the definition of `version` (0: the current one);
 * CXM_ENOTFOUND if there is no such survey or version. */
int cxm_store_survey_get(struct cxm_store *s, int64_t tenant, int64_t id, int version, cxm_survey_cb cb, void *ctx);
/* By name, with its current definition. */
int cxm_store_survey_find(struct cxm_store *s, int64_t tenant, const char *name, cxm_survey_cb cb, void *ctx);
/* The tenant's default NPS survey; CXM_ENOTFOUND if it has none yet. */
int cxm_store_survey_default(struct cxm_store *s, int64_t tenant, cxm_survey_cb cb, void *ctx);
/* Every survey, newest first, with its current definition. */
int cxm_store_survey_list(struct cxm_store *s, int64_t tenant, cxm_survey_cb cb, void *ctx);
/*
 * Replaces a survey's definition (and name). A draft's current version is
 * rewritten; a live or closed survey gets a new version, so the responses
 * already given keep the questions they answered. *version (may be NULL)
 * gets the version now current. CXM_EEXIST when the name is another
 * survey's.
 */
int cxm_store_survey_update(struct cxm_store *s, int64_t tenant, int64_t id, const char *name,
			    const char *definition, int *version);
/* Sets draft / live / closed. Closing keeps every response. */
int cxm_store_survey_set_status(struct cxm_store *s, int64_t tenant, int64_t id, const char *status);

struct cxm_response {
	int64_t id;             /* cxm's id, generated on insert */
	const char *source_id;  /* the sender's id, or one cxm made; dedupes */
	int64_t survey_id;
	int version;
	int64_t customer_id;    /* 0: anonymous */
	const char *channel;
	const char *touchpoint;
	int64_t event_id;       /* the event it follows, 0 if none */
	const char *agent;
	int64_t org_unit_id;    /* 0 when none */
	const char *language;
	int64_t ts;
	int nps, csat, ces;     /* -1 when not answered */
	const char *comment;
	const char *answers;    /* canonical JSON object of every answer */
	bool complete;
	int64_t created_at;
	int64_t updated_at;
	/* The analysis of the comment (issue 6, src/text/ingest.c); text_lang
	 * NULL when there is none (no comment). Borrowed. */
	const char *text_lang;     /* "es", "en", "other" */
	int text_score;            /* the compound sentiment x 10000 */
	const char *text_label;    /* "positive", "neutral", "negative" */
	const char *text_emotions; /* the emotions present, space-separated */
	const char *text_reasons;  /* the reasons present, space-separated */
	const char *themes;        /* the theme ids matched, space-separated ("" none) */
};

/*
 * Stores a response. A new source_id is inserted (CXM_PUT_INSERTED); a
 * stored partial response with the same source_id takes the new fields
 * (CXM_PUT_UPDATED: the caller merges the answers); a stored complete one
 * is left alone (CXM_PUT_UNCHANGED: a duplicate). r->id is set.
 */
int cxm_store_response_put(struct cxm_store *s, int64_t tenant, struct cxm_response *r,
			   enum cxm_put_result *result);
typedef int (*cxm_response_cb)(const struct cxm_response *r, void *ctx);
/* One response by source id; CXM_ENOTFOUND if none. */
int cxm_store_response_by_source(struct cxm_store *s, int64_t tenant, const char *source_id, cxm_response_cb cb,
				 void *ctx);
/*
 * Responses newest first: of one survey (0: all), with from <= ts < to,
 * older than (before_ts, before_id) (CXM_TIME_MAX and INT64_MAX for the
 * first page), at most limit.
 */
int cxm_store_response_page(struct cxm_store *s, int64_t tenant, int64_t survey_id, int64_t from, int64_t to,
			    int64_t before_ts, int64_t before_id, int limit, cxm_response_cb cb, void *ctx);

/* What cxm_store_response_find picks. */
struct cxm_response_filter {
	int64_t survey_id;   /* 0: every survey */
	int64_t from, to;    /* from <= ts < to */
	int complete;        /* 1: complete only, 0: partial only, -1: both */
	const char *channel; /* NULL or "": any */
};
/* Like cxm_store_response_page, with the filters of f. */
int cxm_store_response_find(struct cxm_store *s, int64_t tenant, const struct cxm_response_filter *f,
			    int64_t before_ts, int64_t before_id, int limit, cxm_response_cb cb, void *ctx);

/* ---- invitations -------------------------------------------------------- */

struct cxm_invitation {
	int64_t id;
	int64_t survey_id;
	int64_t customer_id;    /* 0: anonymous link */
	const char *channel;    /* link, email, web, ... */
	const char *status;     /* created, sent, delivered, opened, answered, failed */
	int64_t created_at;
	int64_t expires_at;
	int64_t opened_at;      /* 0 until opened */
	int64_t answered_at;    /* 0 until answered */
	int64_t response_id;
	int64_t sent_at;        /* 0 until our SMTP server took its e-mail */
	int64_t delivered_at;   /* 0 until reported delivered (or opened) */
	const char *failure;    /* why it failed (SMTP error, bounce, complaint), or NULL */
};

typedef int (*cxm_invitation_cb)(const struct cxm_invitation *inv, void *ctx);
/* Stores an invitation (status created); inv->id kept when non-zero. */
int cxm_store_invitation_add(struct cxm_store *s, int64_t tenant, const struct cxm_invitation *inv, int64_t *id);
int cxm_store_invitation_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_invitation_cb cb, void *ctx);
/* Filters of cxm_store_invitation_page (NULL or "": any). */
struct cxm_invitation_filter {
	const char *status;
	const char *channel;
};
/* A survey's invitations, newest first, created before (before_created,
 * before_id) (INT64_MAX, INT64_MAX for the first page), at most limit. */
int cxm_store_invitation_page(struct cxm_store *s, int64_t tenant, int64_t survey_id,
			      const struct cxm_invitation_filter *f, int64_t before_created, int64_t before_id, int limit,
			      cxm_invitation_cb cb, void *ctx);
/* The first time it is opened (later calls keep the first time). */
int cxm_store_invitation_opened(struct cxm_store *s, int64_t tenant, int64_t id, int64_t at);
/* Answered by response_id at `at`. */
int cxm_store_invitation_answered(struct cxm_store *s, int64_t tenant, int64_t id, int64_t response_id, int64_t at);

/*
 * A secret of the tenant by name ("links"), made of 32 random bytes the
 * first time it is asked for and the same afterwards (every node signs and
 * checks with it). hex gets 64 hex digits and a NUL.
 */
int cxm_store_tenant_secret(struct cxm_store *s, int64_t tenant, const char *name, char hex[65]);

/* ---- survey statistics -------------------------------------------------- */

/* The invitations of one survey with one channel and one status. */
struct cxm_invitation_count {
	const char *channel;
	const char *status;
	int64_t n;
	int64_t opened;         /* of those, how many were ever opened */
	int64_t answered;       /* and how many were answered */
	int64_t sent;           /* how many our SMTP server accepted (sent_at set) */
	int64_t delivered;      /* how many were reported delivered or were opened */
};

typedef int (*cxm_invitation_count_cb)(const struct cxm_invitation_count *c, void *ctx);
/* A survey's invitations counted by channel and status, in channel then
 * status order (nothing when it has none). */
int cxm_store_survey_invitation_counts(struct cxm_store *s, int64_t tenant, int64_t survey_id,
				       cxm_invitation_count_cb cb, void *ctx);

struct cxm_response_counts {
	int64_t total, complete;
	int64_t nps_answered, promoters, passives, detractors;
};

typedef int (*cxm_survey_total_cb)(int64_t survey_id, int64_t responses, void *ctx);
/* How many responses each survey of the tenant has (surveys with none are
 * not named), in one query. */
int cxm_store_survey_response_totals(struct cxm_store *s, int64_t tenant, cxm_survey_total_cb cb, void *ctx);

/* A survey's responses counted: all, complete, and by NPS category. */
int cxm_store_survey_response_counts(struct cxm_store *s, int64_t tenant, int64_t survey_id,
				     struct cxm_response_counts *out);
/* ---- the outbox of e-mails ------------------------------------------------ */

struct cxm_outbox_msg {
	int64_t tenant_id;      /* filled on reads; the tenant argument on writes */
	int64_t id;
	int64_t invitation_id;  /* 0: none */
	const char *to_address;
	const char *subject;
	const char *body_text;
	const char *body_html;
	int attempts;           /* delivery attempts made (claims) */
	int64_t next_attempt_at; /* 0: not due any more (sent, or given up) */
	const char *last_error; /* NULL when none */
	int64_t sent_at;        /* 0 until sent */
	int64_t created_at;
	/* the invitation's link token: the message is composed from it when
	 * sent (subject and bodies empty); NULL: the bodies are stored */
	const char *link_token;
};

typedef int (*cxm_outbox_cb)(const struct cxm_outbox_msg *m, void *ctx);
/* Queues a message, due at `due` (microseconds). m->id kept when non-zero;
 * *id (may be NULL) gets it. Borrows m. */
int cxm_store_outbox_add(struct cxm_store *s, int64_t tenant, const struct cxm_outbox_msg *m, int64_t due,
			 int64_t *id);
/*
 * Claims up to limit messages of any tenant that are due at `now`, oldest
 * due first: each one's attempts goes up by one and its next attempt moves
 * to lease_until, so no other sender (thread or node) takes it meanwhile,
 * and one that is never marked is tried again after the lease. cb gets
 * each claimed message (borrowed, with the new attempts). *n (may be NULL)
 * gets how many were claimed.
 */
int cxm_store_outbox_claim(struct cxm_store *s, int64_t now, int64_t lease_until, int limit, cxm_outbox_cb cb,
			   void *ctx, int *n);
/* Marks a message sent at `at`, and its invitation (if any) sent unless it
 * moved on already (opened, answered). CXM_ENOTFOUND if no such message. */
int cxm_store_outbox_sent(struct cxm_store *s, int64_t tenant, int64_t id, int64_t at);
/*
 * Records a failed attempt (error borrowed): tried again at next_attempt_at,
 * or, with next_attempt_at 0, given up: the invitation (if any) becomes
 * failed unless it moved on already. CXM_ENOTFOUND if no such message.
 */
int cxm_store_outbox_failed(struct cxm_store *s, int64_t tenant, int64_t id, const char *error,
			    int64_t next_attempt_at);
/* One message; CXM_ENOTFOUND if none. */
int cxm_store_outbox_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_outbox_cb cb, void *ctx);
/* How many messages of every tenant wait to be sent and are due by
 * due_by (INT64_MAX: every one waiting). */
int cxm_store_outbox_queued(struct cxm_store *s, int64_t due_by, int64_t *n);

/* ---- tenant settings ----------------------------------------------------- */

/* A setting's text (owned by the caller, free() it), or NULL when unset. */
int cxm_store_setting_get(struct cxm_store *s, int64_t tenant, const char *name, char **value);
/* Sets (or replaces) a setting. */
int cxm_store_setting_set(struct cxm_store *s, int64_t tenant, const char *name, const char *value);
/* When the customer was last invited to any survey on any channel (0: never). */
int cxm_store_last_invitation(struct cxm_store *s, int64_t tenant, int64_t customer_id, int64_t *at);

/* ---- e-mail delivery reports and bulk invitations ------------------------- */

enum cxm_email_report { CXM_EMAIL_DELIVERED = 1, CXM_EMAIL_BOUNCED, CXM_EMAIL_COMPLAINED };

/*
 * Records what the mail provider reported about outbox message id at `at`:
 * delivered (the message and its invitation get delivered_at, the first
 * time), bounced (the reason kept, the invitation failed unless it was
 * opened or answered) or complained (kept; delivered too). A bounce or a
 * complaint denies the customer's e-mail consent, as an unsubscribe does.
 * reason is borrowed and may be NULL. *found is false (and nothing is
 * written) when the tenant has no such message.
 */
int cxm_store_outbox_report(struct cxm_store *s, int64_t tenant, int64_t id, enum cxm_email_report event, int64_t at,
			    const char *reason, bool *found);

/* A customer as a bulk invitation weighs them. */
struct cxm_invite_candidate {
	int64_t id;
	const char *email;       /* NULL when none */
	const char *country;
	const char *language;
	const char *attributes;  /* JSON object text */
	int consent_email;       /* enum cxm_consent */
	int64_t last_invited_at; /* 0: never invited */
};

typedef int (*cxm_invite_candidate_cb)(const struct cxm_invite_candidate *c, void *ctx);
/* Live customers with id > after_id in id order, at most limit, each with
 * when it was last invited, in one statement. */
int cxm_store_invite_candidates(struct cxm_store *s, int64_t tenant, int64_t after_id, int limit,
				cxm_invite_candidate_cb cb, void *ctx);
/* The same for one live customer (the callback is not called if none). */
int cxm_store_invite_candidate_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_invite_candidate_cb cb,
				   void *ctx);

/* An e-mail invitation of a bulk send: the invitation and its outbox row
 * (the message composed from the link token when it is sent). */
struct cxm_email_invitation {
	int64_t invitation_id;  /* drawn by the caller (the token names it) */
	int64_t survey_id;
	int64_t customer_id;
	const char *channel;    /* "email" */
	int64_t expires_at;
	const char *to_address;
	const char *link_token;
	int64_t outbox_id;      /* 0: drawn by the store */
};

/* Stores n invitations (status created) and their outbox rows, due at
 * `due`, with multi-row INSERTs (few round trips). Borrows v. */
int cxm_store_email_invitations_add(struct cxm_store *s, int64_t tenant, const struct cxm_email_invitation *v,
				    size_t n, int64_t due);
/* ---- invitations as they stand ------------------------------------------- */

/*
 * Stores an invitation with its status, times, response and failure as
 * given (created_at, opened_at, answered_at, response_id, sent_at,
 * delivered_at and failure taken from inv; 0 or NULL means none): for
 * invitations made elsewhere or earlier,
 * such as the demo's. inv->id kept when non-zero; *id (may be NULL) gets it.
 */
int cxm_store_invitation_record(struct cxm_store *s, int64_t tenant, const struct cxm_invitation *inv, int64_t *id);
/* A secret made by cxm_store_tenant_secret, without making one:
 * CXM_ENOTFOUND when the tenant has none by that name (public callers
 * name tenants that may not exist). */
int cxm_store_tenant_secret_find(struct cxm_store *s, int64_t tenant, const char *name, char hex[65]);
/* A customer's invitations on one channel still waiting for an answer
 * (not answered, not failed, expiring after now), newest first, at most
 * limit. */
int cxm_store_invitations_pending(struct cxm_store *s, int64_t tenant, int64_t customer_id, const char *channel,
				  int64_t now, int limit, cxm_invitation_cb cb, void *ctx);
/* ---- receipts of anonymous responses ------------------------------------ */

/* Keeps the hash of a receipt code (hex, borrowed) for a response; the same
 * hash again is left alone. */
int cxm_store_receipt_add(struct cxm_store *s, int64_t tenant, const char *code_hash, int64_t survey_id,
			  int64_t response_id);
/* The response a receipt of survey_id opens; CXM_ENOTFOUND if none. */
int cxm_store_receipt_find(struct cxm_store *s, int64_t tenant, int64_t survey_id, const char *code_hash,
			   int64_t *response_id);
/* One response by id; CXM_ENOTFOUND if none. */
int cxm_store_response_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_response_cb cb, void *ctx);
/*
 * Deletes a response for good, with what points at it: its receipts, and
 * the invitation it answered forgets it. CXM_ENOTFOUND if none.
 */
int cxm_store_response_delete(struct cxm_store *s, int64_t tenant, int64_t id);

/* ---- triggers and scheduled invitations ----------------------------------- */

/* A trigger: an event of event_type (and event_channel, and the property
 * equalities of conditions) schedules an invitation to survey_id on
 * channel, delay_seconds after the event. */
struct cxm_trigger {
	int64_t id;
	const char *name;
	int64_t survey_id;
	const char *event_type;
	const char *event_channel; /* NULL: any channel */
	const char *conditions;    /* canonical JSON object of property equalities ({}: none) */
	int64_t delay_seconds;
	const char *channel;       /* the invitation's channel: email, web */
	bool active;
	int64_t created_at;
	int64_t updated_at;
};

typedef int (*cxm_trigger_cb)(const struct cxm_trigger *t, void *ctx);
/* Stores a trigger (t->id kept when non-zero; created_at and updated_at are
 * now) and changes the tenant's trigger version. Borrows t. */
int cxm_store_trigger_add(struct cxm_store *s, int64_t tenant, const struct cxm_trigger *t, int64_t *id);
/* Replaces every field of trigger t->id but its creation time and changes
 * the version. CXM_ENOTFOUND if no such trigger. */
int cxm_store_trigger_update(struct cxm_store *s, int64_t tenant, const struct cxm_trigger *t);
/* Deletes a trigger and what it scheduled; changes the version.
 * CXM_ENOTFOUND if no such trigger. */
int cxm_store_trigger_delete(struct cxm_store *s, int64_t tenant, int64_t id);
/* One trigger; CXM_ENOTFOUND if none. */
int cxm_store_trigger_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_trigger_cb cb, void *ctx);
/* The tenant's triggers (only the active ones with active_only), oldest first. */
int cxm_store_trigger_list(struct cxm_store *s, int64_t tenant, bool active_only, cxm_trigger_cb cb, void *ctx);
/* A number that changes whenever the tenant's triggers change (a cache
 * key); 0 when the tenant never had a trigger. One read by primary key. */
int cxm_store_trigger_version(struct cxm_store *s, int64_t tenant, int64_t *version);

struct cxm_scheduled {
	int64_t tenant_id;      /* filled on reads */
	int64_t id;
	int64_t trigger_id;
	int64_t survey_id;
	int64_t customer_id;
	int64_t event_id;
	int64_t due_at;
	const char *status;     /* pending, sent, skipped, failed */
	const char *reason;     /* why skipped or failed; NULL otherwise */
	int64_t invitation_id;  /* 0 until sent */
	int attempts;           /* claims so far */
	int64_t lease_until;    /* 0 when not claimed */
	int64_t created_at;
	int64_t updated_at;
};

typedef int (*cxm_scheduled_cb)(const struct cxm_scheduled *sc, void *ctx);
/* Stores a scheduled invitation with the status and reason given (sc->id
 * kept when non-zero). A second row for the same trigger and event is not
 * stored: *added (may be NULL) says whether this one was. Borrows sc. */
int cxm_store_scheduled_add(struct cxm_store *s, int64_t tenant, const struct cxm_scheduled *sc, bool *added);
/*
 * Claims up to limit pending rows of any tenant due at `now` whose lease
 * (if any) has run out, oldest due first: attempts goes up by one and the
 * lease moves to lease_until, so no other scheduler (thread or node) takes
 * them meanwhile. cb gets each claimed row (with the new attempts and
 * lease). *n (may be NULL) gets how many.
 */
int cxm_store_scheduled_claim(struct cxm_store *s, int64_t now, int64_t lease_until, int limit, cxm_scheduled_cb cb,
			      void *ctx, int *n);
/* Ends a claimed row: status sent, skipped or failed, with reason (may be
 * NULL) and invitation_id (0: none), provided it is still pending under
 * the lease lease_until; CXM_ECONFLICT when another claim took it. */
int cxm_store_scheduled_finish(struct cxm_store *s, int64_t tenant, int64_t id, int64_t lease_until,
			       const char *status, const char *reason, int64_t invitation_id);
/* A trigger's scheduled invitations, newest first: with id < before_id
 * (0: from the newest), of one status (NULL: any), at most limit. */
int cxm_store_scheduled_page(struct cxm_store *s, int64_t tenant, int64_t trigger_id, const char *status,
			     int64_t before_id, int limit, cxm_scheduled_cb cb, void *ctx);
/* When the next pending row of any tenant falls due (its lease counted);
 * 0 when none is pending. */
int cxm_store_scheduled_next_due(struct cxm_store *s, int64_t *at);


/* ---- rollups and scans (issue 5) -------------------------------------------
 *
 * The counts (struct cxm_score_counts, metrics.h) of a tenant's responses
 * over a range of local days (the tenant's time zone), grouped by one
 * dimension and optionally by a time bucket, two ways that give identical
 * numbers (docs/metrics.md, "Rollups and scans"):
 *   - cxm_store_counts_rollup reads the rollups table, kept up to date in
 *     the same transaction as every response written or deleted: a few
 *     rows per day whatever the number of responses. It answers a group-by
 *     on at most one dimension, with filters on that same dimension and on
 *     the survey (or no group-by and a filter on one dimension);
 *     CXM_EINVAL for anything else (the caller then scans).
 *   - cxm_store_counts_scan reads the responses themselves and answers any
 *     combination: group by a customer attribute, several filters, an org
 *     unit with its subtree as of each response's date.
 * Every response counts, complete or partial (a partial one is replaced
 * when completed). A response without a value for a dimension counts
 * under "".
 */
enum cxm_dim {
	CXM_DIM_NONE = 0,   /* no grouping: value "" */
	CXM_DIM_CHANNEL,
	CXM_DIM_TOUCHPOINT,
	CXM_DIM_AGENT,
	CXM_DIM_ORG_UNIT,   /* the unit id as decimal text: the response's unit at its time */
	CXM_DIM_LANGUAGE,
	CXM_DIM_SEGMENT,    /* the customer's "segment" attribute when the response came */
	CXM_DIM_SURVEY,     /* the survey id as decimal text */
	CXM_DIM_ATTRIBUTE,  /* a customer attribute as it is now (scan only) */
	CXM_DIM_THEME,      /* a theme id of the comment: a response counts under each of its themes, "" none */
	CXM_DIM_SENTIMENT,  /* the comment's label: positive, neutral, negative; "" no comment */
	CXM_DIM_COUNT
};
/* "none", "channel", ... "attribute"; cxm_dim_parse gives CXM_DIM_COUNT
 * for an unknown name. */
const char *cxm_dim_name(enum cxm_dim d);
enum cxm_dim cxm_dim_parse(const char *name);

enum cxm_bucket { CXM_BUCKET_NONE = 0, CXM_BUCKET_DAY, CXM_BUCKET_WEEK, CXM_BUCKET_MONTH, CXM_BUCKET_QUARTER };
/* The first day of the bucket (ISO week: its Monday) day falls in; 0 for
 * CXM_BUCKET_NONE. */
int64_t cxm_bucket_start(enum cxm_bucket b, int64_t day);

struct cxm_counts_query {
	int64_t from_day, to_day;   /* local days since 1970-01-01, from <= day < to */
	enum cxm_dim by;
	const char *attribute;      /* by or filter CXM_DIM_ATTRIBUTE: which attribute */
	enum cxm_bucket bucket;
	/* filters, NULL: none; filter[CXM_DIM_SURVEY] is the survey id as text */
	const char *filter[CXM_DIM_COUNT];
	int64_t subtree;            /* scan only: responses whose unit was in this unit's subtree
				     * on the response's date (0: no such filter) */
	/* scan only: a manager's or agent's view, when scoped: only responses
	 * whose unit was in one of these spans at the response's time (none:
	 * nothing) */
	bool scoped;
	const struct cxm_span *scope;
	size_t nscope;
};

/* A group: bucket (its first day; 0 without buckets), the dimension value
 * (borrowed) and its counts. Groups come sorted by bucket, then value. */
typedef int (*cxm_counts_cb)(int64_t bucket, const char *value, const struct cxm_score_counts *c, void *ctx);
/* Whether the rollups answer q exactly (see above). */
bool cxm_counts_rollup_can(const struct cxm_counts_query *q);
/* From the rollups; CXM_EINVAL when !cxm_counts_rollup_can(q). */
int cxm_store_counts_rollup(struct cxm_store *s, int64_t tenant, const struct cxm_counts_query *q, cxm_counts_cb cb,
			    void *ctx);
/* From the responses: any query. */
int cxm_store_counts_scan(struct cxm_store *s, int64_t tenant, const struct cxm_counts_query *q, cxm_counts_cb cb,
			  void *ctx);
/* The tenant's local day of a UTC instant; CXM_ENOTFOUND for no tenant,
 * CXM_EINVAL when its time zone is unknown to this system. */
int cxm_store_tenant_day(struct cxm_store *s, int64_t tenant, int64_t ts, int64_t *day);

/* ---- text on ingest (issue 6) ------------------------------------------------ */

/*
 * Replaces the analysis of stored response id with t's text_* and themes
 * (t's other fields are ignored), moving its contribution from the old
 * analysis to the new one in the same transaction: its theme and
 * sentiment rollups and its emotion mix rollup (text_mix). The one path
 * for every analysis of a stored response (ingest's re-analysis after a
 * taxonomy change, a backfill of unanalysed responses), so the rollups
 * stay exact. CXM_ENOTFOUND if none.
 */
int cxm_store_response_set_text(struct cxm_store *s, int64_t tenant, int64_t id, const struct cxm_response *t);
/*
 * The responses with a comment, by id from after_id up, at most limit,
 * to cb (the re-analysis after a taxonomy change walks them in batches).
 */
int cxm_store_response_comments(struct cxm_store *s, int64_t tenant, int64_t after_id, int limit,
				cxm_response_cb cb, void *ctx);
/* How many responses of the tenant have a comment. */
int cxm_store_response_comment_count(struct cxm_store *s, int64_t tenant, int64_t *n);

/* What cxm_store_verbatims picks: responses with a comment, from <= ts <
 * to, with a theme, a label and an emotion (NULL: any). */
struct cxm_verbatim_filter {
	int64_t from, to;
	const char *theme, *label, *emotion;
	int64_t survey; /* 0: every survey */
	/* only responses at one of these touchpoints (touchpoints_n 0: any;
	 * at most CXM_TP_THEMES_MAX, CXM_EINVAL above) */
	const char *const *touchpoints;
	size_t touchpoints_n;
	const char *segment;  /* only responses of customers in this segment then (NULL: any) */
};
/* Verbatims newest first, older than (before_ts, before_id), at most limit. */
int cxm_store_verbatims(struct cxm_store *s, int64_t tenant, const struct cxm_verbatim_filter *f, int64_t before_ts,
			int64_t before_id, int limit, cxm_response_cb cb, void *ctx);

/* ---- the tenant's learned text model (issue 6, src/text/train.c) ------------- */

/* The last training of a tenant's text model: blob (hex of
 * cxm_text_model_save) NULL when it found too little data; rates in
 * millionths. */
struct cxm_text_model_row {
	char *blob; /* owned by the row: cxm_text_model_row_free */
	int64_t trained_at;
	int64_t labelled, npos, nneg;
	int64_t cv_accuracy, auc, weight;
};
/* Replaces the tenant's row. */
int cxm_store_text_model_put(struct cxm_store *s, int64_t tenant, const struct cxm_text_model_row *m);
/* The tenant's row into *m; *found false (and *m zeroed) when none. */
int cxm_store_text_model_get(struct cxm_store *s, int64_t tenant, struct cxm_text_model_row *m, bool *found);
void cxm_text_model_row_free(struct cxm_text_model_row *m);
/* The tenants that have a response with a comment (the retraining loop
 * walks them), after tenant after, at most limit, in order, into ids. */
/* When the tenant's row was last written (its trained_at), 0 when none:
 * what the caches of loaded models compare. */
int cxm_store_text_model_trained_at(struct cxm_store *s, int64_t tenant, int64_t *at);
int cxm_store_text_model_tenants(struct cxm_store *s, int64_t after, int limit, int64_t *ids, size_t *n);

/* How many of the tenant's responses with text (an analysed text, or a
 * comment) teach the text model: promoter-like (NPS 9-10, or without NPS
 * CSAT 4-5) into *npos, detractor-like (NPS 0-6, or CSAT 1-2) into *nneg. */
int cxm_store_text_labelled_counts(struct cxm_store *s, int64_t tenant, int64_t *npos, int64_t *nneg);

/* ---- the emotion mix of the comments (issue 6, GET /api/v1/text/emotions) ---- */

/* What the mix is grouped by: a response column. */
enum cxm_mix_by { CXM_MIX_TOUCHPOINT, CXM_MIX_CHANNEL, CXM_MIX_THEME };

struct cxm_mix_query {
	int64_t from_day, to_day; /* the tenant's local days, from <= day < to */
	int64_t survey;           /* 0: every survey */
	enum cxm_mix_by by;
	/* a manager's or agent's view, when scoped: only responses whose unit
	 * was in one of these spans at the response's time (always scanned:
	 * the subtree depends on the unit at the response's time) */
	bool scoped;
	const struct cxm_span *scope;
	size_t nscope;
	bool scan; /* scan the responses even when unscoped (the tests compare both paths) */
	/* only the comments of customers of this segment ("": none) when the
	 * response came; by must be CXM_MIX_TOUCHPOINT (NULL: every comment) */
	const char *segment;
};

#define CXM_MIX_LABELS 3   /* positive, neutral, negative */
#define CXM_MIX_EMOTIONS 8 /* in the order of enum cxm_emotion (text.h) */
#define CXM_MIX_REASONS 7  /* in the order of enum cxm_reason (text.h) */

/* How many analysed comments, and how many of them have each label (one
 * without a label is neutral), each emotion and each reason. */
struct cxm_mix_counts {
	int64_t comments;
	int64_t labels[CXM_MIX_LABELS];
	int64_t emotions[CXM_MIX_EMOTIONS];
	int64_t reasons[CXM_MIX_REASONS];
};
/*
 * The counts of a group (a touchpoint, a channel or a theme id; "" for
 * none), or with group NULL the total of the range (for CXM_MIX_THEME a
 * comment counts under each of its themes, and once in the total). All
 * borrowed for the call.
 */
typedef int (*cxm_mix_cb)(const char *group, const struct cxm_mix_counts *c, void *ctx);
/*
 * The emotion mix of the tenant's analysed comments of q: first the total,
 * then each group that has comments, in no particular order. Unscoped, it
 * reads the daily rollup text_mix (kept in the same transaction as each
 * response's analysis, by the tenant's local day); scoped (or q->scan), it
 * counts the responses themselves, cut at the first instant of each local
 * day. Both give the same counts.
 */
int cxm_store_text_mix(struct cxm_store *s, int64_t tenant, const struct cxm_mix_query *q, cxm_mix_cb cb, void *ctx);

/* ---- a response's texts (issue 6, docs/text.md "The response's text") ------- */

/*
 * The responses that may have text to analyse: a comment, or an answer
 * given as a JSON string (a free-text question's, or a choice's: the
 * caller tells them apart by the survey version), by id from after_id up,
 * at most limit, to cb.
 */
int cxm_store_response_texts(struct cxm_store *s, int64_t tenant, int64_t after_id, int limit, cxm_response_cb cb,
			     void *ctx);
/* How many responses cxm_store_response_texts walks. */
int cxm_store_response_text_count(struct cxm_store *s, int64_t tenant, int64_t *n);

/*
 * As cxm_store_response_texts, only the responses not analysed (text_lang
 * NULL): those stored before their texts were analysed, and those whose
 * strings are no text (the backfill of the scheduler walks them once).
 */
int cxm_store_response_texts_unanalysed(struct cxm_store *s, int64_t tenant, int64_t after_id, int limit,
					cxm_response_cb cb, void *ctx);

/* ---- journeys (issue 7, docs/journeys.md) ------------------------------------ */

struct cxm_journey_state;
struct cxm_journey_def;
struct cxm_seq_entry;
struct cxm_event_class;

struct cxm_journey_row {
	int64_t id;
	int slot;                  /* 0..255, unique among the tenant's journeys: tags in sequences */
	const char *name;
	const char *status;        /* "active" or "archived" */
	int version;               /* of the definition; every update adds one */
	int built_version;         /* what progress and rollups describe; < version while rebuilding */
	double rebuilt;            /* 0..1: how far the rebuild of version has come */
	const char *definition;    /* canonical JSON (cxm_journey_to_json) of version */
	int64_t created_at, updated_at;
};
typedef int (*cxm_journey_cb)(const struct cxm_journey_row *j, void *ctx);

/*
 * A new journey from a checked, canonical definition. CXM_EEXIST when the
 * name is taken, CXM_ETOOBIG beyond CXM_JOURNEY_ACTIVE_MAX active journeys.
 * Its progress is built in the background (cxm_store_journey_build_step).
 */
int cxm_store_journey_create(struct cxm_store *s, int64_t tenant, const char *name, const char *definition,
			     int64_t now, int64_t *id);
/* A new version; the map answers from the previous one until it is built. */
int cxm_store_journey_update(struct cxm_store *s, int64_t tenant, int64_t id, const char *name,
			     const char *definition, int64_t now, int *version);
/* Archives it: it stops being tracked; its rollups are dropped. */
int cxm_store_journey_archive(struct cxm_store *s, int64_t tenant, int64_t id, int64_t now);
int cxm_store_journey_get(struct cxm_store *s, int64_t tenant, int64_t id, cxm_journey_cb cb, void *ctx);
/* By id, from after_id up, at most limit (0: all). */
int cxm_store_journey_list(struct cxm_store *s, int64_t tenant, bool active_only, int64_t after_id, int limit,
			   cxm_journey_cb cb, void *ctx);
/* A number that changes whenever the tenant's journeys change (a cache key). */
int cxm_store_journey_version(struct cxm_store *s, int64_t tenant, int64_t *version);
/*
 * Builds (or rebuilds, after an update) the progress and rollups of the
 * tenant's journeys whose built_version < version, at most max_customers
 * customers per call, inside the caller's transaction (the scheduler calls
 * it in writer jobs). *pending: whether work is left.
 */
int cxm_store_journey_build_step(struct cxm_store *s, int64_t tenant, int max_customers, bool *pending);

/* One customer's progress in a journey (as built). CXM_ENOTFOUND: none. */
int cxm_store_journey_progress(struct cxm_store *s, int64_t tenant, int64_t customer_id, int64_t journey_id,
			       struct cxm_journey_state *out);
/*
 * One customer's progress in each active journey, by journey id, their
 * sequence read once (on SQLite outside the writer, one scan of the
 * unindexed tail for all journeys): cb gets the journey, its checked
 * definition and the customer's state in it, NULL when they never entered
 * it. A non-zero return from cb stops the walk and is returned. A journey
 * whose stored definition no longer checks is left out.
 */
typedef int (*cxm_journey_progress_cb)(const struct cxm_journey_row *j, const struct cxm_journey_def *def,
				       const struct cxm_journey_state *st, void *ctx);
int cxm_store_journey_progress_all(struct cxm_store *s, int64_t tenant, int64_t customer_id,
				   cxm_journey_progress_cb cb, void *ctx);

/*
 * A journey's flow for entries on local days [from_day, to_day), all
 * customers or one segment (the customer's "segment" attribute when they
 * first entered the journey): per node, customers who entered, who
 * converted to a next stage within the window, and the same for entries
 * before mature_day only (older than the window: what did not convert
 * then has dropped off), with the histogram of time to convert.
 */
struct cxm_journey_flow {
	int version;
	int64_t reached[CXM_JOURNEY_NODES_MAX], converted[CXM_JOURNEY_NODES_MAX];
	int64_t mature_reached[CXM_JOURNEY_NODES_MAX], mature_converted[CXM_JOURNEY_NODES_MAX];
	int64_t times[CXM_JOURNEY_NODES_MAX][CXM_JOURNEY_BUCKETS];
};
int cxm_store_journey_flow(struct cxm_store *s, int64_t tenant, int64_t journey_id, int64_t from_day,
			   int64_t to_day, const char *segment, int64_t mature_day, struct cxm_journey_flow *out);

/* Every event class of the tenant (the dictionary of sequences). */
typedef int (*cxm_event_class_cb)(const struct cxm_event_class *c, void *ctx);
int cxm_store_event_classes(struct cxm_store *s, int64_t tenant, cxm_event_class_cb cb, void *ctx);
/*
 * Every customer with an event at or after from_ts and before to_ts: their
 * sequence entries from from_ts on (all of them, also those after to_ts),
 * in (ts, id) order, and their "segment" attribute (NULL when none). The
 * entries are borrowed for the call.
 */
typedef int (*cxm_seq_cb)(int64_t customer_id, const char *segment, const struct cxm_seq_entry *e, size_t n,
			  void *ctx);
int cxm_store_seq_scan(struct cxm_store *s, int64_t tenant, int64_t from_ts, int64_t to_ts, cxm_seq_cb cb,
		       void *ctx);
/* Runs cxm_store_journey_build_step until no build is pending (the CLI's
 * import and demo, which have no scheduler), in transactions of its own
 * unless the caller has one. */
int cxm_store_journey_build_all(struct cxm_store *s, int64_t tenant);
/* A tenant with a journey build pending (*found false: none, or
 * CXM_JOURNEYS=off): the first after *tenant by id (on entry: the one built
 * last, 0: none), else the first, so tenants take turns. */
int cxm_store_journey_building(struct cxm_store *s, int64_t *tenant, bool *found);
/*
 * cxm_store_seq_scan, with two more things. Entries after until_ts are left
 * out (not even decoded): a report whose window ends there never looks at
 * them (INT64_MAX: none left out; below to_ts counts as to_ts). With
 * any_order the customers may come in any order (the callbacks still never
 * run at once, but some run on another thread, so they must not use the
 * store): outside a transaction the scan reads the two halves of the
 * customer id range at once on two connections (the second opened on first
 * use and kept), each from its own snapshot. For reports whose answer does
 * not depend on the order of customers (funnels).
 */
int cxm_store_seq_scan_until(struct cxm_store *s, int64_t tenant, int64_t from_ts, int64_t to_ts, int64_t until_ts,
			     bool any_order, cxm_seq_cb cb, void *ctx);
/* The canonical definition of one version of a journey (owned by the
 * caller; src/store/journey_versions.c); CXM_ENOTFOUND: no such version. */
int cxm_store_journey_definition(struct cxm_store *s, int64_t tenant, int64_t journey_id, int version,
				 char **definition);
/* The sequences' tail (migration 0016, docs/journeys.md): a commit that
 * brings it to `entries` (20,000 unless set; per handle) folds it into the
 * customers' rows; cxm_store_seq_tail_fold folds it now, in the caller's
 * transaction or its own. Loads and scans read rows and tail alike. */
int cxm_store_seq_tail_max(struct cxm_store *s, int64_t entries);
int cxm_store_seq_tail_fold(struct cxm_store *s);

/* ---- journey scores (issue 7): a journey touchpoint's feedback -------------------
 *
 * The scores of touchpoints for a segment: cxm_store_counts_rollup answers
 * by CXM_DIM_TOUCHPOINT (or no group-by with a touchpoint filter) with
 * filter[CXM_DIM_SEGMENT] from the rollup dim touchpoint_segment. Their
 * emotion mix for a segment: cxm_mix_query.segment. Their verbatims:
 * cxm_verbatim_filter.touchpoints.
 */

/* The themes of the comments at a set of touchpoints. */
struct cxm_tp_themes_query {
	int64_t from_day, to_day; /* the tenant's local days, from <= day < to */
	int64_t survey;           /* 0: every survey */
	const char *const *touchpoints;
	size_t touchpoints_n;     /* 1..CXM_TP_THEMES_MAX */
	bool scan;                /* scan the responses (the tests compare both paths) */
};
#define CXM_TP_THEMES_MAX 64
/*
 * The emotion mix of the analysed comments at any of q's touchpoints: first
 * the total (each comment once), then each theme id ("" for none) that has
 * comments, as cxm_store_text_mix does by CXM_MIX_THEME. From the daily
 * rollup text_mix (dim touchpoint_theme) unless q->scan; both give the
 * same counts. CXM_EINVAL for no touchpoints or too many.
 */
int cxm_store_touchpoint_themes(struct cxm_store *s, int64_t tenant, const struct cxm_tp_themes_query *q,
				cxm_mix_cb cb, void *ctx);

/* ---- idempotency keys (docs/api.md "Idempotency"; src/store/idempotency.c) ----
 *
 * The answer to a write sent with an Idempotency-Key, per tenant and per
 * credential (principal: "k<key id>", "u<user id>"), kept for a while so a
 * repeat of the request gets it again instead of running twice.
 */
struct cxm_idem_answer {
	const char *method, *path;
	const char *request_hash; /* hex digest of method, path, query and body */
	int status;
	const char *content_type; /* may be NULL */
	const char *location;     /* the Location header; may be NULL */
	const char *body;         /* text ("" for none) */
	int64_t created_at;       /* microseconds */
};
/* Gets a cxm_idem_answer whose strings are valid during the call. */
typedef int (*cxm_idem_cb)(const struct cxm_idem_answer *a, void *ctx);
/*
 * The stored answer of key created at or after since (older ones have
 * expired) to cb; CXM_ENOTFOUND when there is none.
 */
int cxm_store_idem_get(struct cxm_store *s, int64_t tenant, const char *principal, const char *key, int64_t since,
		       cxm_idem_cb cb, void *ctx);
/*
 * Stores a's answer for key (a borrowed). An expired answer (created
 * before since) is replaced; CXM_ECONFLICT when the key has a live one.
 */
int cxm_store_idem_put(struct cxm_store *s, int64_t tenant, const char *principal, const char *key,
		       const struct cxm_idem_answer *a, int64_t since);
/*
 * Deletes at most limit answers created before `before`, all of one
 * tenant (the one with the oldest); *n gets how many. 0 with *n = 0 when
 * nothing has expired.
 */
int cxm_store_idem_purge(struct cxm_store *s, int64_t before, int limit, int64_t *n);
/* When the oldest stored answer (of any tenant) was stored; INT64_MAX for none. */
int cxm_store_idem_oldest(struct cxm_store *s, int64_t *created_at);

#endif
