/*
 * export.c - writes customers or events as CSV or JSONL in the very
 * format import reads, so that export then import round-trips.
 *
 * CSV needs its header before the first row, and attr./prop. columns are
 * whatever keys the data has, so CSV export reads the rows twice: once to
 * learn the keys, once to write.
 */
#include "cxm/io.h"
#include "cxm/core.h"
#include "cxm/customers.h"
#include "cxm/events.h"
#include "cxm/i18n.h"
#include "cxm/json.h"
#include "cxm/map.h"
#include "cxm/store.h"
#include "cxm/time.h"

#include <errno.h>

struct exporter {
	struct cxm_store *s;
	int64_t tenant;
	enum cxm_io_kind kind;
	enum cxm_io_format format;
	FILE *out;
	uint64_t n;
	char err[256];
	/* extra keys (attr./prop.), sorted, for CSV */
	char **keys;
	size_t nkeys;
	struct cxm_map keyset;
	/* customer id -> reference text and unit id -> name, for events */
	struct cxm_map refs_by_id;   /* decimal id -> index into refs */
	char **refs;                 /* "x:..." "e:..." "p:..." */
	size_t nrefs, refs_cap;
	struct cxm_map units_by_id;  /* decimal id -> index into units */
	char **units;
	size_t nunits;
	struct cxm_buf line;
};

static void csv_field(struct cxm_buf *b, const char *v)
{
	if (!v)
		return;
	size_t len = strlen(v);

	/* libcsv trims unquoted spaces and tabs at either end: quote them */
	if (!strpbrk(v, ",\"\r\n") &&
	    (!len || (v[0] != ' ' && v[0] != '\t' && v[len - 1] != ' ' && v[len - 1] != '\t'))) {
		cxm_buf_addstr(b, v);
		return;
	}
	cxm_buf_addch(b, '"');
	for (; *v; v++) {
		if (*v == '"')
			cxm_buf_addch(b, '"');
		cxm_buf_addch(b, *v);
	}
	cxm_buf_addch(b, '"');
}

static int collect_keys(struct exporter *ex, const char *json)
{
	char why[128];
	cJSON *o;

	if (!json || !strcmp(json, "{}"))
		return 0;
	o = cxm_json_parse(json, strlen(json), why, sizeof(why));
	if (!o)
		return 0;
	for (cJSON *it = o->child; it; it = it->next) {
		int64_t v;
		if (!cxm_map_get(&ex->keyset, it->string, &v)) {
			cxm_map_put(&ex->keyset, it->string, 1);
			ex->keys = xrealloc(ex->keys, (ex->nkeys + 1) * sizeof(*ex->keys));
			ex->keys[ex->nkeys++] = xstrdup(it->string);
		}
	}
	cJSON_Delete(o);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int flush_line(struct exporter *ex)
{
	cxm_buf_addch(&ex->line, '\n');
	if (fwrite(ex->line.p, 1, ex->line.len, ex->out) != ex->line.len) {
		snprintf(ex->err, sizeof(ex->err), "%s", strerror(errno));
		return CXM_EIO;
	}
	cxm_buf_clear(&ex->line);
	ex->n++;
	return 0;
}

/* Writes the extras of one row: CSV cells for every known key, or JSONL keys. */
static void add_extras(struct exporter *ex, const char *json, const char *prefix)
{
	char why[128];
	cJSON *o = json ? cxm_json_parse(json, strlen(json), why, sizeof(why)) : NULL;

	if (ex->format == CXM_FORMAT_CSV) {
		for (size_t i = 0; i < ex->nkeys; i++) {
			cJSON *it = o ? cJSON_GetObjectItemCaseSensitive(o, ex->keys[i]) : NULL;
			cxm_buf_addch(&ex->line, ',');
			if (!it || cJSON_IsNull(it))
				continue;
			if (cJSON_IsString(it)) {
				csv_field(&ex->line, it->valuestring);
			} else {
				char *t = cxm_json_print(it);
				csv_field(&ex->line, t);
				free(t);
			}
		}
	} else if (o) {
		cxm_json_sort(o);
		for (cJSON *it = o->child; it; it = it->next) {
			char *t = cxm_json_print(it);
			cJSON *k = cJSON_CreateString(it->string);
			char *kt = cxm_json_print(k);
			/* "prop.<key>": strip the quotes of the printed key */
			cxm_buf_addf(&ex->line, ",\"%s%s:%s", prefix, kt + 1, t);
			free(kt);
			cJSON_Delete(k);
			free(t);
		}
	}
	cJSON_Delete(o);
}

/* Adds "name":value for JSONL, a cell for CSV. */
static void add(struct exporter *ex, const char *name, const char *v, bool first)
{
	if (ex->format == CXM_FORMAT_CSV) {
		if (!first)
			cxm_buf_addch(&ex->line, ',');
		csv_field(&ex->line, v);
		return;
	}
	if (!v)
		return;
	cJSON *s = cJSON_CreateString(v);
	char *t = cxm_json_print(s);
	cxm_buf_addf(&ex->line, "%s\"%s\":%s", ex->line.len > 1 ? "," : "", name, t);
	free(t);
	cJSON_Delete(s);
}

static void begin_line(struct exporter *ex)
{
	cxm_buf_clear(&ex->line);
	if (ex->format == CXM_FORMAT_JSONL)
		cxm_buf_addch(&ex->line, '{');
}

static int end_line(struct exporter *ex)
{
	if (ex->format == CXM_FORMAT_JSONL)
		cxm_buf_addch(&ex->line, '}');
	return flush_line(ex);
}

/* ---- customers ------------------------------------------------------------ */

static const char *const customer_cols[] = { "external_id",   "first_name",  "last_name",	   "email",
					     "phone",	      "language",    "country",	   "consent.email",
					     "consent.sms",   "consent.phone", "consent.whatsapp" };

static int customer_keys_cb(const struct cxm_customer *c, void *ctx)
{
	return collect_keys(ctx, c->attributes);
}

static int customer_cb(const struct cxm_customer *c, void *ctx)
{
	struct exporter *ex = ctx;
	const char *vals[] = { c->external_id,
			       c->first_name,
			       c->last_name,
			       c->email,
			       c->phone,
			       c->language,
			       c->country,
			       cxm_consent_name(c->consent[CXM_CONSENT_EMAIL]),
			       cxm_consent_name(c->consent[CXM_CONSENT_SMS]),
			       cxm_consent_name(c->consent[CXM_CONSENT_PHONE]),
			       cxm_consent_name(c->consent[CXM_CONSENT_WHATSAPP]) };

	begin_line(ex);
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
		add(ex, customer_cols[i], vals[i] && *vals[i] ? vals[i] : NULL, i == 0);
	add_extras(ex, c->attributes, "attr.");
	return end_line(ex);
}

/* ---- events --------------------------------------------------------------- */

static const char *const event_cols[] = { "id",	      "external_id", "email", "phone",	  "type",    "channel",
					  "ts",	      "touchpoint",  "agent", "org_unit", "amount", "currency" };

static int ref_cb(const struct cxm_customer *c, void *ctx)
{
	struct exporter *ex = ctx;
	char key[32];

	snprintf(key, sizeof(key), "%lld", (long long)c->id);
	if (ex->nrefs == ex->refs_cap) {
		ex->refs_cap = ex->refs_cap ? ex->refs_cap * 2 : 256;
		ex->refs = xrealloc(ex->refs, ex->refs_cap * sizeof(*ex->refs));
	}
	ex->refs[ex->nrefs] = c->external_id ? xasprintf("x:%s", c->external_id)
			      : c->email    ? xasprintf("e:%s", c->email)
					    : xasprintf("p:%s", c->phone ? c->phone : "");
	cxm_map_put(&ex->refs_by_id, key, (int64_t)ex->nrefs++);
	return 0;
}

static int unit_cb(const struct cxm_org_unit *u, void *ctx)
{
	struct exporter *ex = ctx;
	char key[32];

	snprintf(key, sizeof(key), "%lld", (long long)u->id);
	ex->units = xrealloc(ex->units, (ex->nunits + 1) * sizeof(*ex->units));
	ex->units[ex->nunits] = xstrdup(u->name);
	cxm_map_put(&ex->units_by_id, key, (int64_t)ex->nunits++);
	return 0;
}

static int event_keys_cb(const struct cxm_event *e, void *ctx)
{
	return collect_keys(ctx, e->properties);
}

static int event_cb(const struct cxm_event *e, void *ctx)
{
	struct exporter *ex = ctx;
	char key[32], ts[CXM_TIME_BUFSZ], amount[40];
	const char *ref = NULL, *unit = NULL;
	int64_t idx;

	snprintf(key, sizeof(key), "%lld", (long long)e->customer_id);
	if (cxm_map_get(&ex->refs_by_id, key, &idx))
		ref = ex->refs[idx];
	if (e->org_unit_id) {
		snprintf(key, sizeof(key), "%lld", (long long)e->org_unit_id);
		if (cxm_map_get(&ex->units_by_id, key, &idx))
			unit = ex->units[idx];
	}
	const char *vals[] = {
		e->source_id,
		ref && ref[0] == 'x' ? ref + 2 : NULL,
		ref && ref[0] == 'e' ? ref + 2 : NULL,
		ref && ref[0] == 'p' ? ref + 2 : NULL,
		e->type,
		e->channel,
		cxm_time_format(e->ts, ts),
		e->touchpoint,
		e->agent,
		unit,
		e->has_amount ? cxm_amount_format(e->amount_micros, amount, sizeof(amount)) : NULL,
		e->currency,
	};
	begin_line(ex);
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
		add(ex, event_cols[i], vals[i], i == 0);
	add_extras(ex, e->properties, "prop.");
	return end_line(ex);
}

static int write_header(struct exporter *ex, const char *const *cols, size_t n, const char *prefix)
{
	cxm_buf_clear(&ex->line);
	for (size_t i = 0; i < n; i++) {
		if (i)
			cxm_buf_addch(&ex->line, ',');
		cxm_buf_addstr(&ex->line, cols[i]);
	}
	qsort(ex->keys, ex->nkeys, sizeof(*ex->keys), cmp_str);
	for (size_t i = 0; i < ex->nkeys; i++)
		cxm_buf_addf(&ex->line, ",%s%s", prefix, ex->keys[i]);
	int ret = flush_line(ex);
	ex->n = 0;
	return ret;
}

int cxm_export(struct cxm_store *s, int64_t tenant, enum cxm_io_kind kind, enum cxm_io_format format, FILE *out,
	       uint64_t *n, char *err, size_t errlen)
{
	struct exporter ex = { .s = s, .tenant = tenant, .kind = kind, .out = out };
	int ret;

	ex.format = format == CXM_FORMAT_JSONL ? CXM_FORMAT_JSONL : CXM_FORMAT_CSV;
	cxm_map_init(&ex.keyset);
	cxm_map_init(&ex.refs_by_id);
	cxm_map_init(&ex.units_by_id);
	cxm_buf_init(&ex.line, 0);
	if (kind == CXM_IO_CUSTOMERS) {
		if (ex.format == CXM_FORMAT_CSV &&
		    ((ret = cxm_store_customer_scan(s, tenant, customer_keys_cb, &ex)) ||
		     (ret = write_header(&ex, customer_cols, ARRAY_SIZE(customer_cols), "attr."))))
			goto out;
		ret = cxm_store_customer_scan(s, tenant, customer_cb, &ex);
	} else {
		if ((ret = cxm_store_customer_scan(s, tenant, ref_cb, &ex)) ||
		    (ret = cxm_store_org_unit_list(s, tenant, unit_cb, &ex)))
			goto out;
		if (ex.format == CXM_FORMAT_CSV &&
		    ((ret = cxm_store_event_scan(s, tenant, event_keys_cb, &ex)) ||
		     (ret = write_header(&ex, event_cols, ARRAY_SIZE(event_cols), "prop."))))
			goto out;
		ret = cxm_store_event_scan(s, tenant, event_cb, &ex);
	}
	if (!ret && fflush(out)) {
		snprintf(ex.err, sizeof(ex.err), "%s", strerror(errno));
		ret = CXM_EIO;
	}
out:
	if (ret)
		snprintf(err, errlen, "%s", ex.err[0] ? ex.err : cxm_store_errmsg(s));
	if (n)
		*n = ex.n;
	for (size_t i = 0; i < ex.nkeys; i++)
		free(ex.keys[i]);
	free(ex.keys);
	for (size_t i = 0; i < ex.nrefs; i++)
		free(ex.refs[i]);
	free(ex.refs);
	for (size_t i = 0; i < ex.nunits; i++)
		free(ex.units[i]);
	free(ex.units);
	cxm_map_release(&ex.keyset);
	cxm_map_release(&ex.refs_by_id);
	cxm_map_release(&ex.units_by_id);
	cxm_buf_release(&ex.line);
	return ret;
}
