/*
 * import.c - streaming import of customers, events and survey responses
 * from CSV (libcsv) or JSONL (cJSON, strictly checked).
 *
 * The file is read in blocks and cut into lines, so a row's line number is
 * known and no row can grow past CXM_IMPORT_MAX_ROW. Each row becomes a
 * `struct rec` of field values, whichever the format, then is checked and
 * stored. The whole import is one transaction: by default the first bad
 * row stops the writing (the rest is still checked, to report every bad
 * row) and everything is rolled back; with skip_bad, bad rows go to the
 * reject file and the good ones are committed.
 *
 * Responses go one by one through cxm_response_submit (the path every
 * response takes), each under a savepoint so that a refused row leaves
 * nothing behind, not even the customer it created.
 */
#include "cxm/io.h"
#include "cxm/arena.h"
#include "cxm/core.h"
#include "cxm/customers.h"
#include "cxm/events.h"
#include "cxm/i18n.h"
#include "cxm/id.h"
#include "cxm/json.h"
#include "cxm/map.h"
#include "cxm/store.h"
#include "cxm/surveys.h"
#include "cxm/time.h"

#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>

enum field {
	F_ID,
	F_EXTERNAL_ID,
	F_EMAIL,
	F_PHONE,
	F_FIRST_NAME,
	F_LAST_NAME,
	F_LANGUAGE,
	F_COUNTRY,
	F_CONSENT_EMAIL,
	F_CONSENT_SMS,
	F_CONSENT_PHONE,
	F_CONSENT_WHATSAPP,
	F_TYPE,
	F_CHANNEL,
	F_TS,
	F_TOUCHPOINT,
	F_AGENT,
	F_ORG_UNIT,
	F_AMOUNT,
	F_CURRENCY,
	/* responses; after the event fields, so that events' content ids stay as they were */
	F_SURVEY,
	F_NPS,
	F_CSAT,
	F_CES,
	F_COMMENT,
	F_N,
	F_EXTRA = F_N /* attr.<name> / prop.<name> / q.<question id> */
};

static const char *const field_names[F_N] = {
	"id",	      "external_id",   "email",		 "phone",	 "first_name",
	"last_name",  "language",      "country",	 "consent.email", "consent.sms",
	"consent.phone", "consent.whatsapp", "type",	 "channel",	 "ts",
	"touchpoint", "agent",	       "org_unit",	 "amount",	 "currency",
	"survey",     "nps",	       "csat",		 "ces",		 "comment",
};

/* Which fields each kind reads. */
static bool field_allowed(enum cxm_io_kind kind, enum field f)
{
	if (f == F_EXTERNAL_ID || f == F_EMAIL || f == F_PHONE)
		return true;
	if (kind == CXM_IO_CUSTOMERS)
		return f >= F_FIRST_NAME && f <= F_CONSENT_WHATSAPP;
	if (kind == CXM_IO_RESPONSES)
		return f == F_ID || f == F_LANGUAGE || f == F_CHANNEL || f == F_TS || f == F_TOUCHPOINT ||
		       f == F_AGENT || f >= F_SURVEY;
	return f == F_ID || (f >= F_TYPE && f <= F_CURRENCY);
}

static const char *extra_prefix(enum cxm_io_kind kind)
{
	return kind == CXM_IO_CUSTOMERS ? "attr." : kind == CXM_IO_RESPONSES ? "q." : "prop.";
}

/* The columns a kind knows, for the error naming an unknown one. */
static const char *known_columns(enum cxm_io_kind kind)
{
	return kind == CXM_IO_CUSTOMERS ? _(MSG_IMPORT_CUSTOMER_COLUMNS)
	       : kind == CXM_IO_RESPONSES ? _(MSG_IMPORT_RESPONSE_COLUMNS)
					  : _(MSG_IMPORT_EVENT_COLUMNS);
}

struct kv {
	const char *key;  /* name after the prefix */
	const char *json; /* the value as JSON text */
};

/* One row, whatever the file format. Values are NULL when absent or empty. */
struct rec {
	const char *v[F_N];
	struct kv *extra;
	size_t nextra;
};

struct column {
	enum field f;
	const char *key; /* for F_EXTRA */
};

#define BATCH 4096
#define MAX_EXTRAS 256 /* attr. or prop. fields in one row */

struct agent_span {
	int64_t from, to, unit;
};

struct agent_info {
	int64_t user_id;
	struct agent_span *spans;
	size_t n;
};

/* A survey responses name, with its current definition. */
struct rsurvey {
	int64_t id;                 /* 0: the default survey (cxm_response_submit finds or creates it) */
	cJSON *tree;                /* owned */
	struct cxm_survey_def def;  /* borrows from tree */
};

struct importer {
	struct cxm_store *s;
	int64_t tenant;
	const struct cxm_import_opts *o;
	struct cxm_import_report *r;
	const char *path;
	enum cxm_io_format format;
	char *err;
	size_t errlen;
	int fatal;        /* a CXM_E* code once the import can't go on */
	bool writing;     /* false after a bad row in all-or-nothing mode */
	uint64_t line;    /* line being read (1-based) */
	uint64_t row_line;
	FILE *rejects;

	/* CSV */
	struct csv_parser csv;
	bool csv_open;
	struct cxm_buf raw;    /* raw text of the current row */
	struct cxm_buf fields; /* field values of the current row, NUL-separated */
	size_t *offs, *lens; /* where each field starts in `fields`, and its length */
	size_t noffs, offs_cap;
	bool bad_quotes;     /* the current line broke the CSV syntax: skip to its end */
	bool header_done;
	struct column *cols;
	size_t ncols;

	/* batching */
	struct cxm_arena arena;     /* strings of the events in the batch */
	struct cxm_event batch[BATCH];
	size_t nbatch;
	struct cxm_arena row_arena; /* per-row scratch */

	/* caches */
	struct cxm_map customers;  /* "x:ext" / "e:email" / "p:phone" -> id */
	struct cxm_map units;      /* name -> id */
	struct cxm_map agents;     /* username -> index into agent_infos (+1); 0 unknown */
	struct agent_info *agent_infos;
	size_t nagents, agents_cap;
	struct cxm_map surveys;    /* survey cell ("" for none) -> index into rsurveys (+1); 0 unknown */
	struct rsurvey *rsurveys;
	size_t nsurveys, surveys_cap;
};

#define CACHE_MAX (512 * 1024)

static void vreject(struct importer *im, uint64_t line, const char *fmt, va_list ap)
{
	char reason[512];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	im->r->rejected++;
	if (!im->o->skip_bad)
		im->writing = false;
	if (im->o->on_reject)
		im->o->on_reject(im->path, line, reason, im->o->ctx);
}

static void reject(struct importer *im, const char *fmt, ...) CXM_PRINTF(2, 3);
static void reject(struct importer *im, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreject(im, im->row_line, fmt, ap);
	va_end(ap);
}

static int fatal(struct importer *im, int code, uint64_t line, const char *fmt, ...) CXM_PRINTF(4, 5);
static int fatal(struct importer *im, int code, uint64_t line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(im->err, im->errlen, "%s:%llu: %s", im->path, (unsigned long long)line, msg);
	else
		snprintf(im->err, im->errlen, "%s: %s", im->path, msg);
	im->fatal = code;
	return code;
}

static int store_fatal(struct importer *im, int code)
{
	return fatal(im, code, im->row_line, "%s", cxm_store_errmsg(im->s));
}

static void write_reject(struct importer *im, const char *text, size_t len)
{
	if (im->rejects) {
		fwrite(text, 1, len, im->rejects);
		if (len == 0 || text[len - 1] != '\n')
			fputc('\n', im->rejects);
	}
}

/* ---- JSON text building ------------------------------------------------ */

/* Appends s as a JSON string, escaped as cJSON prints it. */
static void json_str(struct cxm_buf *b, const char *s)
{
	cxm_buf_addch(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': cxm_buf_add(b, "\\\"", 2); break;
		case '\\': cxm_buf_add(b, "\\\\", 2); break;
		case '\b': cxm_buf_add(b, "\\b", 2); break;
		case '\f': cxm_buf_add(b, "\\f", 2); break;
		case '\n': cxm_buf_add(b, "\\n", 2); break;
		case '\r': cxm_buf_add(b, "\\r", 2); break;
		case '\t': cxm_buf_add(b, "\\t", 2); break;
		default:
			if (*p < 0x20)
				cxm_buf_addf(b, "\\u%04x", *p);
			else
				cxm_buf_addch(b, (char)*p);
		}
	}
	cxm_buf_addch(b, '"');
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/* Builds the JSON object of the extras (sorted by key) in the row arena. */
static const char *extras_object(struct importer *im, struct rec *rec)
{
	struct cxm_buf b;
	const char *out;

	if (!rec->nextra)
		return NULL;
	qsort(rec->extra, rec->nextra, sizeof(*rec->extra), kv_cmp);
	cxm_buf_init(&b, 0);
	cxm_buf_addch(&b, '{');
	for (size_t i = 0; i < rec->nextra; i++) {
		if (i)
			cxm_buf_addch(&b, ',');
		json_str(&b, rec->extra[i].key);
		cxm_buf_addch(&b, ':');
		cxm_buf_addstr(&b, rec->extra[i].json);
	}
	cxm_buf_addch(&b, '}');
	out = cxm_arena_strndup(&im->row_arena, b.p, b.len);
	cxm_buf_release(&b);
	return out;
}

static bool extra_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* Maps a column or key name to a field; -1 when unknown. */
static int field_of(enum cxm_io_kind kind, const char *name, const char **extra)
{
	const char *pre = extra_prefix(kind);

	for (int f = 0; f < F_N; f++)
		if (!strcmp(name, field_names[f]))
			return field_allowed(kind, (enum field)f) ? f : -1;
	size_t plen = strlen(pre);

	if (!strncmp(name, pre, plen) && extra_name_ok(name + plen)) {
		*extra = name + plen;
		return F_EXTRA;
	}
	return -1;
}

/* ---- caches ------------------------------------------------------------ */

static int unit_id_cb(const struct cxm_org_unit *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

/* The id of a unit by name, creating it (kind "other") when unknown. */
static int unit_by_name(struct importer *im, const char *name, int64_t *id)
{
	int ret;

	if (cxm_map_get(&im->units, name, id))
		return 0;
	ret = cxm_store_org_unit_find(im->s, im->tenant, name, unit_id_cb, id);
	if (ret == CXM_ENOTFOUND) {
		struct cxm_org_unit u = { .name = name, .kind = "other" };
		ret = cxm_store_org_unit_add(im->s, im->tenant, &u, id);
		if (!ret)
			im->r->new_units++;
	}
	if (!ret)
		cxm_map_put(&im->units, name, *id);
	return ret;
}

static int user_id_cb(const struct cxm_user *u, void *ctx)
{
	*(int64_t *)ctx = u->id;
	return 0;
}

static int span_cb(const struct cxm_membership *m, void *ctx)
{
	struct agent_info *a = ctx;
	a->spans = xrealloc(a->spans, (a->n + 1) * sizeof(*a->spans));
	a->spans[a->n++] = (struct agent_span){ m->valid_from, m->valid_to, m->unit_id };
	return 0;
}

/* The unit an agent (a username) was in at ts; 0 when unknown. */
static int agent_unit(struct importer *im, const char *agent, int64_t ts, int64_t *unit)
{
	int64_t idx;
	int ret = 0;

	*unit = 0;
	if (!cxm_map_get(&im->agents, agent, &idx)) {
		int64_t uid = 0;
		ret = cxm_store_user_find(im->s, im->tenant, agent, user_id_cb, &uid);
		if (ret == CXM_ENOTFOUND) {
			cxm_map_put(&im->agents, agent, 0);
			return 0;
		}
		if (ret)
			return ret;
		if (im->nagents == im->agents_cap) {
			im->agents_cap = im->agents_cap ? im->agents_cap * 2 : 16;
			im->agent_infos = xrealloc(im->agent_infos, im->agents_cap * sizeof(*im->agent_infos));
		}
		struct agent_info *a = &im->agent_infos[im->nagents];
		*a = (struct agent_info){ uid, NULL, 0 };
		ret = cxm_store_membership_history(im->s, im->tenant, CXM_MEMBER_USER, uid, span_cb, a);
		if (ret) {
			free(a->spans);
			return ret;
		}
		idx = (int64_t)++im->nagents;
		cxm_map_put(&im->agents, agent, idx);
	}
	if (idx) {
		const struct agent_info *a = &im->agent_infos[idx - 1];
		for (size_t i = 0; i < a->n; i++)
			if (a->spans[i].from <= ts && ts < a->spans[i].to)
				*unit = a->spans[i].unit;
	}
	return 0;
}

/* ---- rows ---------------------------------------------------------------- */

struct norm {
	char email[CXM_EMAIL_MAX + 1];
	char phone[CXM_PHONE_MAX + 2];
};

/* Checks text fields common to both kinds; 0 or rejects the row. */
static int check_text(struct importer *im, const struct rec *rec, enum field f, size_t max)
{
	char why[200];

	if (rec->v[f] && cxm_text_check(rec->v[f], max, why, sizeof(why))) {
		reject(im, _(MSG_IMPORT_BAD_FIELD), field_names[f], why);
		return -1;
	}
	return 0;
}

/* Checks and normalises the identity fields; a row naming none is refused
 * unless anonymous rows are allowed (responses). */
static int norm_identities(struct importer *im, const struct rec *rec, struct norm *n, const char **email,
			   const char **phone)
{
	char why[200];

	*email = *phone = NULL;
	if (check_text(im, rec, F_EXTERNAL_ID, CXM_EXTERNAL_ID_MAX))
		return -1;
	if (rec->v[F_EMAIL]) {
		if (cxm_email_normalize(rec->v[F_EMAIL], n->email, sizeof(n->email), why, sizeof(why))) {
			reject(im, _(MSG_IMPORT_BAD_FIELD), "email", why);
			return -1;
		}
		*email = n->email;
	}
	if (rec->v[F_PHONE]) {
		if (cxm_phone_normalize(rec->v[F_PHONE], n->phone, sizeof(n->phone), why, sizeof(why))) {
			reject(im, _(MSG_IMPORT_BAD_FIELD), "phone", why);
			return -1;
		}
		*phone = n->phone;
	}
	if (!rec->v[F_EXTERNAL_ID] && !*email && !*phone && im->o->kind != CXM_IO_RESPONSES) {
		reject(im, "%s", _(MSG_IMPORT_NO_CUSTOMER_KEY));
		return -1;
	}
	return 0;
}

static int customer_row(struct importer *im, struct rec *rec)
{
	struct cxm_customer c = { 0 };
	struct norm n;
	char why[200], lang[16], country[4];
	enum cxm_put_result res;
	int ret;

	if (norm_identities(im, rec, &n, &c.email, &c.phone) ||
	    check_text(im, rec, F_FIRST_NAME, CXM_NAME_MAX) || check_text(im, rec, F_LAST_NAME, CXM_NAME_MAX))
		return 0;
	c.external_id = rec->v[F_EXTERNAL_ID];
	c.first_name = rec->v[F_FIRST_NAME];
	c.last_name = rec->v[F_LAST_NAME];
	if (rec->v[F_LANGUAGE]) {
		if (cxm_language_normalize(rec->v[F_LANGUAGE], lang, sizeof(lang), why, sizeof(why))) {
			reject(im, _(MSG_IMPORT_BAD_FIELD), "language", why);
			return 0;
		}
		c.language = lang;
	}
	if (rec->v[F_COUNTRY]) {
		if (cxm_country_normalize(rec->v[F_COUNTRY], country, sizeof(country), why, sizeof(why))) {
			reject(im, _(MSG_IMPORT_BAD_FIELD), "country", why);
			return 0;
		}
		c.country = country;
	}
	for (int i = 0; i < CXM_CONSENT_N; i++) {
		int v;
		enum field f = (enum field)(F_CONSENT_EMAIL + i);
		if (rec->v[f]) {
			if (cxm_consent_parse(rec->v[f], &v, why, sizeof(why))) {
				reject(im, _(MSG_IMPORT_BAD_FIELD), field_names[f], why);
				return 0;
			}
			c.consent[i] = (unsigned char)v;
		}
	}
	c.attributes = extras_object(im, rec);
	if (!im->writing)
		return 0;
	ret = cxm_store_customer_put(im->s, im->tenant, &c, NULL, &res);
	if (ret == CXM_ECONFLICT || ret == CXM_EINVAL) {
		reject(im, "%s", cxm_store_errmsg(im->s));
		return 0;
	}
	if (ret)
		return store_fatal(im, ret);
	if (res == CXM_PUT_INSERTED)
		im->r->imported++;
	else if (res == CXM_PUT_UPDATED)
		im->r->updated++;
	else
		im->r->duplicates++;
	return 0;
}

/* The cache key of an identity: "x:" external_id, "e:" email, "p:" phone. */
static void cache_key(char *key, size_t keylen, const char *kind, const char *value)
{
	char prefix = !strcmp(kind, "external_id") ? 'x' : !strcmp(kind, "email") ? 'e' : 'p';
	snprintf(key, keylen, "%c:%s", prefix, value);
}

static int warm_one(const struct cxm_identity *idn, void *ctx)
{
	char key[CXM_IDENTITY_MAX + 4];

	cache_key(key, sizeof(key), idn->kind, idn->value);
	cxm_map_put(ctx, key, idn->customer_id);
	return 0;
}

/* Loads the tenant's customer identities into the cache in three scans, so
 * that resolving the customers of an events file costs no query per
 * customer. Skipped when they would not fit. */
static int warm_customers(struct importer *im)
{
	static const char *const kinds[] = { "external_id", "email", "phone" };
	int64_t n = 0;
	int ret = cxm_store_identity_count(im->s, im->tenant, &n);

	if (ret || n > CACHE_MAX)
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(kinds) && !ret; i++)
		ret = cxm_store_identity_scan(im->s, im->tenant, kinds[i], warm_one, &im->customers);
	return ret;
}

/* The customer an event names, created when unknown. */
static int event_customer(struct importer *im, const struct rec *rec, const char *email, const char *phone,
			  int64_t *cid)
{
	char key[CXM_IDENTITY_MAX + 4];
	const char *kind, *value;
	int ret;

	if (rec->v[F_EXTERNAL_ID])
		kind = "external_id", value = rec->v[F_EXTERNAL_ID];
	else if (email)
		kind = "email", value = email;
	else
		kind = "phone", value = phone;
	cache_key(key, sizeof(key), kind, value);
	if (cxm_map_get(&im->customers, key, cid))
		return 0;
	ret = cxm_store_identity_resolve(im->s, im->tenant, kind, value, cid);
	if (ret == CXM_ENOTFOUND) {
		struct cxm_customer c = { .external_id = rec->v[F_EXTERNAL_ID], .email = email, .phone = phone };
		enum cxm_put_result res;
		ret = cxm_store_customer_put(im->s, im->tenant, &c, cid, &res);
		if (!ret && res == CXM_PUT_INSERTED)
			im->r->new_customers++;
	}
	if (ret)
		return ret;
	if (cxm_map_count(&im->customers) >= CACHE_MAX)
		cxm_map_clear(&im->customers);
	cxm_map_put(&im->customers, key, *cid);
	return 0;
}

static int flush_events(struct importer *im)
{
	size_t inserted = 0;
	int ret;

	if (!im->nbatch)
		return 0;
	ret = cxm_store_events_put(im->s, im->tenant, im->batch, im->nbatch, NULL, &inserted);
	if (ret)
		return fatal(im, ret, 0, "%s", cxm_store_errmsg(im->s));
	im->r->imported += inserted;
	im->r->duplicates += im->nbatch - inserted;
	im->nbatch = 0;
	cxm_arena_clear(&im->arena);
	return 0;
}

/* 128 bits of FNV-1a over the row's fields up to `last`, then its extras:
 * the source id of an event or response that came without one, so that
 * importing the same file again finds it. Events hash the fields they had
 * before responses were added, so their ids stay as they were. */
static void content_id(const struct rec *rec, enum field last, const char *props, char *out, size_t outlen)
{
	uint64_t h1 = 1469598103934665603ull, h2 = 0x6c62272e07bb0142ull;

	for (int f = 0; f <= (int)last + 1; f++) {
		const char *v = f <= (int)last ? rec->v[f] : props;
		if (f == F_ID)
			continue;
		for (const unsigned char *p = (const unsigned char *)(v ? v : ""); ; p++) {
			unsigned c = *p;
			h1 = (h1 ^ c) * 1099511628211ull;
			h2 = (h2 ^ c) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
			if (!c)
				break;
		}
		h1 = (h1 ^ 0xff) * 1099511628211ull;
	}
	snprintf(out, outlen, "row:%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

static char *keep(struct importer *im, const char *s)
{
	return s ? cxm_arena_strdup(&im->arena, s) : NULL;
}

static int event_row(struct importer *im, struct rec *rec)
{
	struct cxm_event e = { 0 };
	struct norm n;
	const char *email, *phone, *props;
	char why[200], channel[16], currency[4], idbuf[48];
	int ret;

	if (norm_identities(im, rec, &n, &email, &phone) || check_text(im, rec, F_ID, CXM_SOURCE_ID_MAX) ||
	    check_text(im, rec, F_TOUCHPOINT, CXM_TOUCHPOINT_MAX) || check_text(im, rec, F_AGENT, 64) ||
	    check_text(im, rec, F_ORG_UNIT, 128))
		return 0;
	for (enum field f = F_TYPE; f <= F_TS; f++) {
		if (!rec->v[f]) {
			reject(im, _(MSG_IMPORT_MISSING_FIELD), field_names[f]);
			return 0;
		}
	}
	if (cxm_event_type_check(rec->v[F_TYPE], why, sizeof(why))) {
		reject(im, _(MSG_IMPORT_BAD_FIELD), "type", why);
		return 0;
	}
	if (cxm_channel_normalize(rec->v[F_CHANNEL], channel, sizeof(channel), why, sizeof(why))) {
		reject(im, _(MSG_IMPORT_BAD_FIELD), "channel", why);
		return 0;
	}
	if (cxm_time_parse(rec->v[F_TS], strlen(rec->v[F_TS]), &e.ts)) {
		reject(im, _(MSG_IMPORT_BAD_TS), rec->v[F_TS]);
		return 0;
	}
	if (rec->v[F_AMOUNT]) {
		if (cxm_amount_parse(rec->v[F_AMOUNT], &e.amount_micros, why, sizeof(why))) {
			reject(im, _(MSG_IMPORT_BAD_FIELD), "amount", why);
			return 0;
		}
		if (!rec->v[F_CURRENCY]) {
			reject(im, "%s", _(MSG_IMPORT_AMOUNT_NEEDS_CURRENCY));
			return 0;
		}
		e.has_amount = 1;
	}
	if (rec->v[F_CURRENCY]) {
		if (!rec->v[F_AMOUNT]) {
			reject(im, "%s", _(MSG_IMPORT_CURRENCY_NEEDS_AMOUNT));
			return 0;
		}
		if (cxm_currency_normalize(rec->v[F_CURRENCY], currency, sizeof(currency), why, sizeof(why))) {
			reject(im, _(MSG_IMPORT_BAD_FIELD), "currency", why);
			return 0;
		}
	}
	props = extras_object(im, rec);
	if (!im->writing)
		return 0;

	if ((ret = event_customer(im, rec, email, phone, &e.customer_id))) {
		if (ret == CXM_ECONFLICT || ret == CXM_EINVAL) {
			reject(im, "%s", cxm_store_errmsg(im->s));
			return 0;
		}
		return store_fatal(im, ret);
	}
	if (rec->v[F_ORG_UNIT])
		ret = unit_by_name(im, rec->v[F_ORG_UNIT], &e.org_unit_id);
	else if (rec->v[F_AGENT])
		ret = agent_unit(im, rec->v[F_AGENT], e.ts, &e.org_unit_id);
	if (ret)
		return store_fatal(im, ret);
	if (!rec->v[F_ID])
		content_id(rec, F_CURRENCY, props, idbuf, sizeof(idbuf));
	e.source_id = keep(im, rec->v[F_ID] ? rec->v[F_ID] : idbuf);
	e.type = keep(im, rec->v[F_TYPE]);
	e.channel = keep(im, channel);
	e.touchpoint = keep(im, rec->v[F_TOUCHPOINT]);
	e.agent = keep(im, rec->v[F_AGENT]);
	e.currency = e.has_amount ? keep(im, currency) : NULL;
	e.properties = keep(im, props);
	im->batch[im->nbatch++] = e;
	if (im->nbatch == BATCH)
		return flush_events(im);
	return 0;
}

/* ---- responses ---------------------------------------------------------- */

struct found_def {
	int64_t id;
	char *definition;
};

static int found_def_cb(const struct cxm_survey *sv, void *ctx)
{
	struct found_def *f = ctx;

	f->id = sv->id;
	free(f->definition);
	f->definition = xstrdup(sv->definition);
	return 0;
}

static bool all_digits(const char *s)
{
	size_t n = strspn(s, "0123456789");
	return n > 0 && n <= 18 && s[n] == '\0';
}

/*
 * The survey a response row names (an id, else a name; NULL: the tenant's
 * default NPS survey, whose definition is cxm_survey_default_nps() until
 * the first response creates it). *sv is NULL when there is no such survey.
 */
static int lookup_survey(struct importer *im, const char *name, const struct rsurvey **sv)
{
	struct found_def f = { 0 };
	cJSON *tree = NULL;
	char field[96], why[300];
	int64_t idx;
	int ret;

	*sv = NULL;
	if (cxm_map_get(&im->surveys, name ? name : "", &idx)) {
		if (idx)
			*sv = &im->rsurveys[idx - 1];
		return 0;
	}
	if (!name) {
		ret = cxm_store_survey_default(im->s, im->tenant, found_def_cb, &f);
		if (ret == CXM_ENOTFOUND) {
			tree = cxm_survey_default_nps();
			ret = 0;
		}
	} else {
		ret = CXM_ENOTFOUND;
		if (all_digits(name))
			ret = cxm_store_survey_get(im->s, im->tenant, strtoll(name, NULL, 10), 0, found_def_cb, &f);
		if (ret == CXM_ENOTFOUND)
			ret = cxm_store_survey_find(im->s, im->tenant, name, found_def_cb, &f);
	}
	if (ret == CXM_ENOTFOUND) {
		if (cxm_map_count(&im->surveys) < CACHE_MAX)
			cxm_map_put(&im->surveys, name ? name : "", 0);
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	if (!tree)
		tree = cJSON_Parse(f.definition);
	if (im->nsurveys == im->surveys_cap) {
		im->surveys_cap = im->surveys_cap ? im->surveys_cap * 2 : 8;
		im->rsurveys = xrealloc(im->rsurveys, im->surveys_cap * sizeof(*im->rsurveys));
	}
	struct rsurvey *r = &im->rsurveys[im->nsurveys];
	r->id = name ? f.id : 0;
	r->tree = tree;
	tree = NULL;
	if (!r->tree || cxm_survey_check(r->tree, &r->def, field, sizeof(field), why, sizeof(why)))
		BUG("a stored survey definition does not check");
	cxm_map_put(&im->surveys, name ? name : "", (int64_t)++im->nsurveys);
	*sv = r;
out:
	cJSON_Delete(tree);
	free(f.definition);
	return ret;
}

static const struct cxm_question *question_of_type(const struct cxm_survey_def *d, enum cxm_question_type t)
{
	for (size_t i = 0; i < d->nquestions; i++)
		if (d->questions[i].type == t)
			return &d->questions[i];
	return NULL;
}

static const struct cxm_question *question_by_id(const struct cxm_survey_def *d, const char *id)
{
	for (size_t i = 0; i < d->nquestions; i++)
		if (!strcmp(d->questions[i].id, id))
			return &d->questions[i];
	return NULL;
}

/* A whole number as a cell holds it: digits with an optional '-'. */
static bool parse_score(const char *s, int *v)
{
	char *end;
	long n;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return false;
	errno = 0;
	n = strtol(s, &end, 10);
	if (*end || errno || n < INT_MIN || n > INT_MAX)
		return false;
	*v = (int)n;
	return true;
}

/*
 * Turns a cell into the answer question q takes: a number for scores and
 * ratings, a list for multiple choice ("a|b"), else the text. A typed JSONL
 * value is kept as it is (cxm_response_submit checks it). Takes v; returns
 * the answer, or NULL with why set.
 */
static cJSON *answer_of(const struct cxm_question *q, cJSON *v, char *why, size_t whylen)
{
	const char *text;
	int n;

	if (!cJSON_IsString(v))
		return v;
	text = v->valuestring;
	switch (q->type) {
	case CXM_Q_NPS:
	case CXM_Q_CSAT:
	case CXM_Q_CES:
	case CXM_Q_RATING:
		if (!parse_score(text, &n)) {
			snprintf(why, whylen, _(MSG_IMPORT_NOT_WHOLE_NUMBER), text);
			cJSON_Delete(v);
			return NULL;
		}
		cJSON_Delete(v);
		return cJSON_CreateNumber(n);
	case CXM_Q_MULTIPLE: {
		cJSON *list = cJSON_CreateArray();
		for (const char *p = text; *p;) {
			size_t len = strcspn(p, "|");
			const char *b = p, *e = p + len;
			while (b < e && *b == ' ')
				b++;
			while (e > b && e[-1] == ' ')
				e--;
			if (e > b) {
				char *opt = xstrndup(b, (size_t)(e - b));
				cJSON_AddItemToArray(list, cJSON_CreateString(opt));
				free(opt);
			}
			p += len;
			if (*p == '|')
				p++;
		}
		cJSON_Delete(v);
		return list;
	}
	default:
		return v;
	}
}

/* Adds an answer unless its question is answered already (by nps and q.nps). */
static int add_answer(struct importer *im, cJSON *answers, const struct cxm_question *q, const char *column,
		      cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(answers, q->id)) {
		cJSON_Delete(v);
		reject(im, _(MSG_IMPORT_ANSWERED_TWICE), column, q->id);
		return -1;
	}
	cJSON_AddItemToObject(answers, q->id, v);
	return 0;
}

/* The answers of a row, keyed by question id; NULL when the row is refused. */
static cJSON *row_answers(struct importer *im, struct rec *rec, const struct rsurvey *sv)
{
	static const enum cxm_question_type score_type[] = { CXM_Q_NPS, CXM_Q_CSAT, CXM_Q_CES };
	cJSON *answers = cJSON_CreateObject();
	char why[300], column[80];

	for (enum field f = F_NPS; f <= F_CES; f++) {
		const struct cxm_question *q;
		int n;
		if (!rec->v[f])
			continue;
		if (!(q = question_of_type(&sv->def, score_type[f - F_NPS]))) {
			reject(im, _(MSG_IMPORT_NO_SUCH_QUESTION_TYPE), field_names[f], field_names[f]);
			goto bad;
		}
		if (!parse_score(rec->v[f], &n)) {
			snprintf(why, sizeof(why), _(MSG_IMPORT_NOT_WHOLE_NUMBER), rec->v[f]);
			reject(im, _(MSG_IMPORT_BAD_FIELD), field_names[f], why);
			goto bad;
		}
		if (add_answer(im, answers, q, field_names[f], cJSON_CreateNumber(n)))
			goto bad;
	}
	for (size_t i = 0; i < rec->nextra; i++) {
		const struct cxm_question *q = question_by_id(&sv->def, rec->extra[i].key);
		cJSON *v = cJSON_Parse(rec->extra[i].json);
		if (!v)
			BUG("extras hold JSON");
		if (cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring)) {
			cJSON_Delete(v); /* an empty cell is no answer */
			continue;
		}
		snprintf(column, sizeof(column), "q.%s", rec->extra[i].key);
		if (!q) {
			cJSON_Delete(v);
			reject(im, _(MSG_IMPORT_NO_SUCH_QUESTION), column, rec->extra[i].key);
			goto bad;
		}
		if (!(v = answer_of(q, v, why, sizeof(why)))) {
			reject(im, _(MSG_IMPORT_BAD_FIELD), column, why);
			goto bad;
		}
		if (add_answer(im, answers, q, column, v))
			goto bad;
	}
	return answers;
bad:
	cJSON_Delete(answers);
	return NULL;
}

/* The column a refused answer came from ("answers.nps" -> "nps" or
 * "q.nps"), so the reason names what the file says; else the field. */
static const char *answer_column(const struct rec *rec, const struct rsurvey *sv, const char *field, char *buf,
				 size_t buflen)
{
	static const enum cxm_question_type score_type[] = { CXM_Q_NPS, CXM_Q_CSAT, CXM_Q_CES };
	const char *qid;

	if (strncmp(field, "answers.", 8))
		return field;
	qid = field + 8;
	for (enum field f = F_NPS; f <= F_CES; f++) {
		const struct cxm_question *q = question_of_type(&sv->def, score_type[f - F_NPS]);
		if (rec->v[f] && q && !strcmp(q->id, qid))
			return field_names[f];
	}
	for (size_t i = 0; i < rec->nextra; i++)
		if (!strcmp(rec->extra[i].key, qid)) {
			snprintf(buf, buflen, "q.%s", qid);
			return buf;
		}
	return field;
}

static int response_row(struct importer *im, struct rec *rec)
{
	struct cxm_response_in in = { 0 };
	struct cxm_response_out out;
	const struct rsurvey *sv;
	struct norm n;
	const char *email, *phone, *extras;
	char why[300], field[96], channel[16], lang[16], idbuf[48];
	cJSON *answers = NULL;
	uint64_t new_before = im->r->new_customers;
	bool keep_row = false;
	int ret = 0;

	if (norm_identities(im, rec, &n, &email, &phone) || check_text(im, rec, F_ID, CXM_SOURCE_ID_MAX) ||
	    check_text(im, rec, F_SURVEY, CXM_SURVEY_NAME_MAX) ||
	    check_text(im, rec, F_TOUCHPOINT, CXM_TOUCHPOINT_MAX) || check_text(im, rec, F_AGENT, 64))
		return 0;
	if (!rec->v[F_CHANNEL] || !rec->v[F_TS]) {
		reject(im, _(MSG_IMPORT_MISSING_FIELD), rec->v[F_CHANNEL] ? "ts" : "channel");
		return 0;
	}
	if (cxm_channel_normalize(rec->v[F_CHANNEL], channel, sizeof(channel), why, sizeof(why))) {
		reject(im, _(MSG_IMPORT_BAD_FIELD), "channel", why);
		return 0;
	}
	if (cxm_time_parse(rec->v[F_TS], strlen(rec->v[F_TS]), &in.ts)) {
		reject(im, _(MSG_IMPORT_BAD_TS), rec->v[F_TS]);
		return 0;
	}
	if (rec->v[F_LANGUAGE]) {
		if (cxm_language_normalize(rec->v[F_LANGUAGE], lang, sizeof(lang), why, sizeof(why))) {
			reject(im, _(MSG_IMPORT_BAD_FIELD), "language", why);
			return 0;
		}
		in.language = lang;
	}
	if ((ret = lookup_survey(im, rec->v[F_SURVEY], &sv)))
		return store_fatal(im, ret);
	if (!sv) {
		reject(im, _(MSG_IMPORT_NO_SURVEY), rec->v[F_SURVEY]);
		return 0;
	}
	if (!(answers = row_answers(im, rec, sv)))
		return 0;
	extras = extras_object(im, rec);
	if (!rec->v[F_ID])
		content_id(rec, F_N - 1, extras, idbuf, sizeof(idbuf));
	in.source_id = rec->v[F_ID] ? rec->v[F_ID] : idbuf;
	in.survey_id = sv->id;
	in.channel = channel;
	in.touchpoint = rec->v[F_TOUCHPOINT];
	in.agent = rec->v[F_AGENT];
	in.comment = rec->v[F_COMMENT];
	in.answers = answers;
	in.historic = true;

	/* Checked and stored even once nothing is to be written, so that every
	 * bad row is reported; the savepoint then undoes it. */
	if ((ret = cxm_store_savepoint(im->s)))
		goto store_error;
	if (email || phone || rec->v[F_EXTERNAL_ID]) {
		ret = event_customer(im, rec, email, phone, &in.customer_id);
		if (ret == CXM_ECONFLICT || ret == CXM_EINVAL) {
			reject(im, "%s", cxm_store_errmsg(im->s));
			goto undo;
		}
		if (ret)
			goto store_error;
	}
	ret = cxm_response_submit(im->s, im->tenant, &in, &out, field, sizeof(field), why, sizeof(why));
	if (ret == CXM_EINVAL || ret == CXM_ENOTFOUND || ret == CXM_ECONFLICT) {
		char column[104]; /* "q." and a field of up to 95 bytes */
		if (*field)
			reject(im, _(MSG_IMPORT_BAD_FIELD), answer_column(rec, sv, field, column, sizeof(column)), why);
		else
			reject(im, "%s", why);
		goto undo;
	}
	if (ret)
		goto store_error;
	if (!im->writing)
		goto undo;
	if ((ret = cxm_store_savepoint_release(im->s)))
		goto store_error;
	if (out.result == CXM_PUT_INSERTED)
		im->r->imported++;
	else if (out.result == CXM_PUT_UPDATED)
		im->r->updated++;
	else
		im->r->duplicates++;
	keep_row = true;
	ret = 0;
	goto out;
undo:
	if ((ret = cxm_store_savepoint_rollback(im->s)))
		goto store_error;
	goto out;
store_error:
	ret = store_fatal(im, ret);
out:
	if (!keep_row && im->r->new_customers != new_before) {
		/* the customers this row created are gone again */
		im->r->new_customers = new_before;
		cxm_map_clear(&im->customers);
	}
	cJSON_Delete(answers);
	return ret;
}

static int process(struct importer *im, struct rec *rec)
{
	im->r->rows++;
	switch (im->o->kind) {
	case CXM_IO_CUSTOMERS: return customer_row(im, rec);
	case CXM_IO_EVENTS: return event_row(im, rec);
	case CXM_IO_RESPONSES: return response_row(im, rec);
	}
	BUG("unknown import kind");
}

/* ---- CSV ----------------------------------------------------------------- */

static void csv_field_cb(void *data, size_t len, void *ctx)
{
	struct importer *im = ctx;

	if (im->noffs == im->offs_cap) {
		im->offs_cap = im->offs_cap ? im->offs_cap * 2 : 32;
		im->offs = xrealloc(im->offs, im->offs_cap * sizeof(*im->offs));
		im->lens = xrealloc(im->lens, im->offs_cap * sizeof(*im->lens));
	}
	im->lens[im->noffs] = data ? len : 0;
	im->offs[im->noffs++] = im->fields.len;
	cxm_buf_add(&im->fields, data ? data : "", data ? len : 0);
	cxm_buf_addch(&im->fields, '\0');
}

static int csv_header(struct importer *im)
{
	bool have[F_N] = { false };
	const char *missing = NULL;
	int nextra = 0;

	im->ncols = im->noffs;
	im->cols = xcalloc(im->ncols, sizeof(*im->cols));
	for (size_t i = 0; i < im->noffs; i++) {
		const char *name = im->fields.p + im->offs[i], *key = NULL;
		size_t len = im->lens[i];
		if (!cxm_utf8_valid(name, len))
			return fatal(im, CXM_EINVAL, im->row_line, "%s", _(MSG_IMPORT_HEADER_UTF8));
		while (len && name[len - 1] == ' ')
			len--;
		char *trimmed = cxm_arena_strndup(&im->row_arena, name, len);
		int f = field_of(im->o->kind, trimmed, &key);
		if (f < 0)
			return fatal(im, CXM_EINVAL, im->row_line, _(MSG_IMPORT_UNKNOWN_COLUMN), trimmed,
				     known_columns(im->o->kind));
		for (size_t k = 0; k < i; k++)
			if (im->cols[k].f == (enum field)f &&
			    (f != F_EXTRA || !strcmp(im->cols[k].key, key)))
				return fatal(im, CXM_EINVAL, im->row_line, _(MSG_IMPORT_DUP_COLUMN), trimmed);
		im->cols[i].f = (enum field)f;
		im->cols[i].key = key ? xstrdup(key) : NULL;
		if (f == F_EXTRA && ++nextra > MAX_EXTRAS)
			return fatal(im, CXM_EINVAL, im->row_line, _(MSG_IMPORT_TOO_MANY_EXTRAS), MAX_EXTRAS,
				     extra_prefix(im->o->kind));
		if (f < F_N)
			have[f] = true;
	}
	if (im->o->kind == CXM_IO_RESPONSES) {
		/* no customer column: anonymous answers */
		if (!have[F_CHANNEL])
			missing = "channel";
		else if (!have[F_TS])
			missing = "ts";
	} else if (!have[F_EXTERNAL_ID] && !have[F_EMAIL] && !have[F_PHONE])
		missing = "external_id | email | phone";
	else if (im->o->kind == CXM_IO_EVENTS && !have[F_TYPE])
		missing = "type";
	else if (im->o->kind == CXM_IO_EVENTS && !have[F_CHANNEL])
		missing = "channel";
	else if (im->o->kind == CXM_IO_EVENTS && !have[F_TS])
		missing = "ts";
	if (missing)
		return fatal(im, CXM_EINVAL, im->row_line, _(MSG_IMPORT_MISSING_COLUMN), missing);
	cxm_arena_clear(&im->row_arena);
	if (im->rejects)
		write_reject(im, im->raw.p, im->raw.len);
	return 0;
}

static void csv_row_done(struct importer *im)
{
	cxm_buf_clear(&im->raw);
	cxm_buf_clear(&im->fields);
	im->noffs = 0;
	cxm_arena_clear(&im->row_arena);
}

static void csv_row_cb(int c, void *ctx)
{
	struct importer *im = ctx;
	struct kv extras[MAX_EXTRAS];
	struct rec rec = { .extra = extras };
	uint64_t before;

	(void)c;
	if (im->fatal)
		goto out;
	if (!im->header_done) {
		im->header_done = true;
		csv_header(im);
		goto out;
	}
	/* a line with nothing on it is not a row */
	if (im->noffs == 1 && im->fields.p[im->offs[0]] == '\0')
		goto out;
	if (im->noffs != im->ncols) {
		im->r->rows++;
		reject(im, _(MSG_IMPORT_COLUMN_COUNT), im->noffs, im->ncols);
		write_reject(im, im->raw.p, im->raw.len);
		goto out;
	}
	for (size_t i = 0; i < im->noffs; i++) {
		const char *v = im->fields.p + im->offs[i];
		size_t len = im->lens[i]; /* a NUL inside makes it invalid below */
		const struct column *col = &im->cols[i];
		if (!cxm_utf8_valid(v, len)) {
			im->r->rows++;
			reject(im, _(MSG_IMPORT_BAD_UTF8),
			       col->f == F_EXTRA ? col->key : field_names[col->f]);
			write_reject(im, im->raw.p, im->raw.len);
			goto out;
		}
		if (!len)
			continue;
		if (col->f == F_EXTRA) {
			struct cxm_buf b;
			cxm_buf_init(&b, 0);
			json_str(&b, v);
			extras[rec.nextra].key = col->key;
			extras[rec.nextra++].json = cxm_arena_strndup(&im->row_arena, b.p, b.len);
			cxm_buf_release(&b);
		} else {
			rec.v[col->f] = v;
		}
	}
	before = im->r->rejected;
	process(im, &rec);
	if (im->r->rejected != before)
		write_reject(im, im->raw.p, im->raw.len);
out:
	csv_row_done(im);
	im->row_line = im->line + 1;
}

/* A row whose quotes broke the CSV syntax ends with its line: reject it
 * and start afresh on the next line. */
static void end_bad_quotes(struct importer *im)
{
	im->r->rows++;
	reject(im, "%s", _(MSG_IMPORT_BAD_QUOTES));
	write_reject(im, im->raw.p, im->raw.len);
	im->bad_quotes = false;
	csv_row_done(im);
	im->row_line = im->line + 1;
}

/* Feeds one line, or a piece of one, with its newline if any, to libcsv. */
static int csv_line(struct importer *im, const char *p, size_t len)
{
	bool eol = len && p[len - 1] == '\n';

	if (im->raw.len + len > CXM_IMPORT_MAX_ROW)
		return fatal(im, CXM_ETOOBIG, im->row_line, _(MSG_IMPORT_ROW_TOO_LONG), CXM_IMPORT_MAX_ROW / 1024);
	cxm_buf_add(&im->raw, p, len);
	if (im->bad_quotes) {
		if (eol)
			end_bad_quotes(im);
		return 0;
	}
	if (csv_parse(&im->csv, p, len, csv_field_cb, csv_row_cb, im) != len) {
		if (im->fatal)
			return im->fatal;
		/* a quote where none may be: the parser can't go on with this row */
		csv_free(&im->csv);
		csv_init(&im->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
		im->noffs = 0;
		cxm_buf_clear(&im->fields);
		im->bad_quotes = true;
		if (eol)
			end_bad_quotes(im);
		return 0;
	}
	/* libcsv reports no row for a blank line: keep the line count true */
	if (im->csv.pstate == 0 && im->noffs == 0) {
		cxm_buf_clear(&im->raw);
		if (eol)
			im->row_line = im->line + 1;
	}
	return im->fatal;
}

static int csv_finish(struct importer *im)
{
	if (im->bad_quotes) {
		end_bad_quotes(im);
		return im->fatal;
	}
	if (csv_fini(&im->csv, csv_field_cb, csv_row_cb, im)) {
		if (im->fatal)
			return im->fatal;
		im->r->rows++;
		reject(im, "%s", _(MSG_IMPORT_UNCLOSED_QUOTE));
		write_reject(im, im->raw.p, im->raw.len);
	}
	if (!im->fatal && !im->header_done)
		return fatal(im, CXM_EINVAL, 0, "%s", _(MSG_IMPORT_EMPTY_FILE));
	return im->fatal;
}

/* ---- JSONL --------------------------------------------------------------- */

static int jsonl_line(struct importer *im, const char *p, size_t len)
{
	char why[200];
	struct kv extras[MAX_EXTRAS];
	struct rec rec = { .extra = extras };
	cJSON *root;
	uint64_t before = im->r->rejected;

	im->row_line = im->line;
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' '))
		len--;
	if (!len)
		return 0;
	if (len > CXM_IMPORT_MAX_ROW)
		return fatal(im, CXM_ETOOBIG, im->line, _(MSG_IMPORT_ROW_TOO_LONG), CXM_IMPORT_MAX_ROW / 1024);
	root = cxm_json_parse(p, len, why, sizeof(why));
	if (!root || !cJSON_IsObject(root)) {
		im->r->rows++;
		reject(im, _(MSG_IMPORT_BAD_JSON), root ? _(MSG_IMPORT_NOT_OBJECT) : why);
		goto out;
	}
	for (cJSON *it = root->child; it; it = it->next) {
		const char *key = NULL;
		int f = field_of(im->o->kind, it->string, &key);
		if (f < 0) {
			im->r->rows++;
			reject(im, _(MSG_IMPORT_UNKNOWN_KEY), it->string);
			goto out;
		}
		if (f == F_EXTRA) {
			if (rec.nextra == ARRAY_SIZE(extras)) {
				im->r->rows++;
				reject(im, _(MSG_IMPORT_TOO_MANY_EXTRAS), MAX_EXTRAS, extra_prefix(im->o->kind));
				goto out;
			}
			cxm_json_sort(it);
			char *json = cxm_json_print(it);
			extras[rec.nextra].key = key;
			extras[rec.nextra++].json = cxm_arena_strdup(&im->row_arena, json);
			free(json);
			continue;
		}
		if (cJSON_IsNull(it))
			continue;
		if (rec.v[f]) { /* a key given twice would keep only one value */
			im->r->rows++;
			reject(im, _(MSG_IMPORT_DUP_KEY), it->string);
			goto out;
		}
		if (cJSON_IsString(it)) {
			if (*it->valuestring)
				rec.v[f] = it->valuestring;
		} else if (cJSON_IsNumber(it) &&
			   (f == F_AMOUNT || f == F_ID || f == F_EXTERNAL_ID || (f >= F_NPS && f <= F_CES))) {
			/* an amount keeps its shortest decimal form, which the amount
			 * rules then check (more than 6 decimals is refused, not
			 * rounded), as a score does (7.5 is refused); ids must be
			 * whole numbers */
			char num[64];
			if (f == F_AMOUNT || (f >= F_NPS && f <= F_CES)) {
				snprintf(num, sizeof(num), "%.15g", it->valuedouble);
			} else if (it->valuedouble != floor(it->valuedouble)) {
				im->r->rows++;
				reject(im, _(MSG_IMPORT_KEY_NOT_STRING), it->string);
				goto out;
			} else {
				snprintf(num, sizeof(num), "%.0f", it->valuedouble);
			}
			rec.v[f] = cxm_arena_strdup(&im->row_arena, num);
		} else if (cJSON_IsBool(it) && f >= F_CONSENT_EMAIL && f <= F_CONSENT_WHATSAPP) {
			rec.v[f] = cJSON_IsTrue(it) ? "true" : "false";
		} else {
			im->r->rows++;
			reject(im, _(MSG_IMPORT_KEY_NOT_STRING), it->string);
			goto out;
		}
	}
	{
		/* a key given twice keeps only one value: refuse it */
		for (size_t i = 1; i < rec.nextra; i++)
			for (size_t k = 0; k < i; k++)
				if (!strcmp(extras[i].key, extras[k].key)) {
					im->r->rows++;
					reject(im, _(MSG_IMPORT_DUP_KEY), extras[i].key);
					goto out;
				}
	}
	process(im, &rec);
out:
	if (im->r->rejected != before)
		write_reject(im, p, len);
	cJSON_Delete(root);
	cxm_arena_clear(&im->row_arena);
	return im->fatal;
}

/* ---- the file ------------------------------------------------------------ */

static enum cxm_io_format guess_format(const char *path, const char *head, size_t n)
{
	const char *dot = strrchr(path, '.');

	if (dot && (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".ndjson") || !strcasecmp(dot, ".json")))
		return CXM_FORMAT_JSONL;
	if (dot && (!strcasecmp(dot, ".csv") || !strcasecmp(dot, ".txt")))
		return CXM_FORMAT_CSV;
	for (size_t i = 0; i < n; i++)
		if (head[i] != ' ' && head[i] != '\n' && head[i] != '\r' && head[i] != '\t')
			return head[i] == '{' ? CXM_FORMAT_JSONL : CXM_FORMAT_CSV;
	return CXM_FORMAT_CSV;
}

static int feed_line(struct importer *im, const char *p, size_t len)
{
	int ret = im->format == CXM_FORMAT_CSV ? csv_line(im, p, len) : jsonl_line(im, p, len);
	if (len && p[len - 1] == '\n')
		im->line++;
	return ret;
}

static int read_all(struct importer *im, FILE *f, uint64_t size)
{
	static const size_t block = 256 * 1024;
	char *buf = xmalloc(block);
	struct cxm_buf partial; /* a JSONL line split across blocks */
	uint64_t done = 0, last_progress = 0;
	bool first = true;
	size_t n;
	int ret = 0;

	cxm_buf_init(&partial, CXM_IMPORT_MAX_ROW + 1);
	while ((n = fread(buf, 1, block, f)) > 0) {
		const char *p = buf, *end = buf + n;
		if (first) {
			first = false;
			if (im->format == CXM_FORMAT_AUTO)
				im->format = guess_format(im->path, buf, n);
			if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
				p += 3; /* a BOM, as spreadsheets write */
		}
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
			if (im->format == CXM_FORMAT_CSV) {
				/* libcsv is incremental: feed pieces as they come */
				ret = feed_line(im, p, len);
			} else if (!nl || partial.len) {
				if (cxm_buf_add(&partial, p, len)) {
					ret = fatal(im, CXM_ETOOBIG, im->line, _(MSG_IMPORT_ROW_TOO_LONG),
						    CXM_IMPORT_MAX_ROW / 1024);
				} else if (nl) {
					ret = feed_line(im, partial.p, partial.len);
					cxm_buf_clear(&partial);
				}
			} else {
				ret = feed_line(im, p, len);
			}
			if (ret)
				goto out;
			p += len;
		}
		done += n;
		if (im->o->progress && done - last_progress >= (1 << 20)) {
			im->o->progress(done, size, im->o->ctx);
			last_progress = done;
		}
	}
	if (ferror(f)) {
		ret = fatal(im, CXM_EIO, 0, _(MSG_IMPORT_READ_FAILED), strerror(errno));
		goto out;
	}
	if (im->format == CXM_FORMAT_AUTO)
		im->format = guess_format(im->path, "", 0);
	if (partial.len)
		ret = feed_line(im, partial.p, partial.len);
	if (!ret && im->format == CXM_FORMAT_CSV)
		ret = csv_finish(im);
	if (!ret && im->o->progress)
		im->o->progress(done, size, im->o->ctx);
out:
	cxm_buf_release(&partial);
	free(buf);
	return ret;
}

int cxm_import_file(struct cxm_store *s, int64_t tenant, const char *path, const struct cxm_import_opts *o,
		    struct cxm_import_report *r, char *err, size_t errlen)
{
	struct importer *im = xcalloc(1, sizeof(*im));
	struct stat st;
	FILE *f = NULL;
	bool drop_rejects;
	int ret;

	memset(r, 0, sizeof(*r));
	im->s = s;
	im->tenant = tenant;
	im->o = o;
	im->r = r;
	im->path = path;
	im->format = o->format;
	im->err = err;
	im->errlen = errlen;
	im->writing = true;
	im->line = 1;
	im->row_line = 1;
	err[0] = '\0';
	cxm_buf_init(&im->raw, 0);
	cxm_buf_init(&im->fields, 0);
	cxm_arena_init(&im->arena, 256 * 1024);
	cxm_arena_init(&im->row_arena, 16 * 1024);
	cxm_map_init(&im->customers);
	cxm_map_init(&im->units);
	cxm_map_init(&im->agents);
	cxm_map_init(&im->surveys);

	f = fopen(path, "rb");
	if (!f) {
		ret = fatal(im, errno == ENOENT ? CXM_ENOTFOUND : CXM_EIO, 0, _(MSG_IMPORT_OPEN_FAILED),
			    strerror(errno));
		goto done;
	}
	if (fstat(fileno(f), &st)) {
		ret = fatal(im, CXM_EIO, 0, _(MSG_IMPORT_OPEN_FAILED), strerror(errno));
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = fatal(im, CXM_EIO, 0, _(MSG_IMPORT_OPEN_FAILED), strerror(EISDIR));
		goto done;
	}
	if (o->skip_bad && o->reject_path) {
		struct stat rst;
		if (!stat(o->reject_path, &rst) && rst.st_dev == st.st_dev && rst.st_ino == st.st_ino) {
			snprintf(err, errlen, _(MSG_IMPORT_REJECTS_IS_INPUT), o->reject_path);
			ret = CXM_EINVAL;
			goto done;
		}
		im->rejects = fopen(o->reject_path, "wb");
		if (!im->rejects) {
			snprintf(err, errlen, "%s: %s", o->reject_path, strerror(errno));
			ret = CXM_EIO;
			goto done;
		}
	}
	if (csv_init(&im->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL))
		BUG("csv_init");
	im->csv_open = true;
	if ((ret = cxm_store_begin(s))) {
		snprintf(err, errlen, "%s", cxm_store_errmsg(s));
		goto done;
	}
	if (o->kind != CXM_IO_CUSTOMERS && (ret = warm_customers(im))) {
		snprintf(err, errlen, "%s", cxm_store_errmsg(s));
		cxm_store_rollback(s);
		goto done;
	}
	ret = read_all(im, f, (uint64_t)st.st_size);
	if (!ret && im->writing)
		ret = flush_events(im);
	if (!ret && !im->writing) {
		snprintf(err, errlen, _(MSG_IMPORT_NOTHING_IMPORTED), (unsigned long long)r->rejected);
		ret = CXM_EINVAL;
	}
	if (ret) {
		cxm_store_rollback(s);
	} else if ((ret = cxm_store_commit(s))) {
		snprintf(err, errlen, "%s", cxm_store_errmsg(s));
	} else {
		r->committed = true;
	}
done:
	/* a reject file is kept only beside rows that were imported */
	drop_rejects = im->rejects && (!r->committed || r->rejected == 0);
	if (im->rejects && fclose(im->rejects) && !ret) {
		snprintf(err, errlen, "%s: %s", o->reject_path, strerror(errno));
		ret = CXM_EIO;
	}
	if (drop_rejects)
		remove(o->reject_path);
	if (f)
		fclose(f);
	if (im->csv_open)
		csv_free(&im->csv);
	for (size_t i = 0; i < im->ncols; i++)
		free((char *)im->cols[i].key);
	free(im->cols);
	free(im->offs);
	free(im->lens);
	for (size_t i = 0; i < im->nagents; i++)
		free(im->agent_infos[i].spans);
	free(im->agent_infos);
	cxm_buf_release(&im->raw);
	cxm_buf_release(&im->fields);
	cxm_arena_release(&im->arena);
	cxm_arena_release(&im->row_arena);
	cxm_map_release(&im->customers);
	cxm_map_release(&im->units);
	cxm_map_release(&im->agents);
	for (size_t i = 0; i < im->nsurveys; i++)
		cJSON_Delete(im->rsurveys[i].tree);
	free(im->rsurveys);
	cxm_map_release(&im->surveys);
	free(im);
	return ret;
}
