/*
 * taxonomy.c - a theme taxonomy from JSON: the structure, the limits and
 * the refusals with field and reason (the terms themselves are compiled by
 * themes.c). The format is in docs/text.md ("Themes").
 */
#include "themes-internal.h"

#include "cxm/check.h"
#include "cxm/core.h"
#include "cxm/json.h"

#include <stdlib.h>
#include <string.h>

static const char *const lang_keys[2] = { "es", "en" };

void tax_free(struct cxm_taxonomy *tax)
{
	if (!tax)
		return;
	for (size_t i = 0; i < tax->n; i++) {
		free(tax->id[i]);
		free(tax->name[0][i]);
		free(tax->name[1][i]);
	}
	free(tax->id);
	free(tax->name[0]);
	free(tax->name[1]);
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < tax->nword[l]; i++) {
			free((char *)tax->word[l][i].key);
			free((char *)tax->word[l][i].stem);
		}
		free(tax->word[l]);
		free(tax->cue[l]);
		free(tax->by_key[l]);
		free(tax->by_stem[l]);
		free(tax->by_prefix[l]);
		free(tax->key_slot[l]);
		free(tax->stem_slot[l]);
		free(tax->first_bits[l]);
	}
	free(tax);
}

static bool good_id(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > TAX_ID_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int names(const cJSON *o, const char *where, struct cxm_taxonomy *tax, size_t t, struct cxm_err *e)
{
	static const char *const keys[] = { "es", "en", NULL };
	char f[96];
	if (!cJSON_IsObject(o))
		return cxm_fail(e, where, "%s", _(MSG_TX_WANT_LANGS));
	if (cxm_only_keys(o, keys, where, MSG_TX_UNKNOWN_KEY, e))
		return CXM_EINVAL;
	for (int l = 0; l < 2; l++) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, lang_keys[l]);
		snprintf(f, sizeof(f), "%s.%s", where, lang_keys[l]);
		if (!cJSON_IsString(s) || !s->valuestring[0] || strlen(s->valuestring) > TAX_NAME_MAX)
			return cxm_fail(e, f, "%s", _(MSG_TX_BAD_NAME));
		tax->name[l][t] = xstrdup(s->valuestring);
	}
	return 0;
}

/* The terms (or exclusions) of theme t; counts what was added per language. */
static int terms(const cJSON *o, const char *where, bool exclude, struct tax_build *b, struct cxm_taxonomy *tax,
		 unsigned t, size_t count[2], struct cxm_err *e)
{
	static const char *const keys[] = { "es", "en", NULL };
	char f[128], bad[TAX_MAX_TERM_BYTES + 1];
	if (!cJSON_IsObject(o))
		return cxm_fail(e, where, "%s", _(MSG_TX_WANT_LANGS));
	if (cxm_only_keys(o, keys, where, MSG_TX_UNKNOWN_KEY, e))
		return CXM_EINVAL;
	for (int l = 0; l < 2; l++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, lang_keys[l]), *it;
		size_t i = 0;
		if (!list)
			continue;
		snprintf(f, sizeof(f), "%s.%s", where, lang_keys[l]);
		if (!cJSON_IsArray(list))
			return cxm_fail(e, f, "%s", _(MSG_TX_WANT_TERMS));
		cJSON_ArrayForEach(it, list)
		{
			snprintf(f, sizeof(f), "%s.%s[%zu]", where, lang_keys[l], i++);
			if (!cJSON_IsString(it))
				return cxm_fail(e, f, "%s", _(MSG_TX_WANT_TERMS));
			if (++count[l] > TAX_MAX_TERMS)
				return cxm_fail(e, f, _(MSG_TX_TOO_MANY_TERMS), TAX_MAX_TERMS);
			switch (tax_add_term(b, tax, l, t, exclude, it->valuestring, bad, sizeof(bad))) {
			case TERM_OK:
				break;
			case TERM_EMPTY:
				return cxm_fail(e, f, "%s", _(MSG_TX_TERM_EMPTY));
			case TERM_LONG:
				return cxm_fail(e, f, _(MSG_TX_TERM_LONG), TAX_MAX_TERM_BYTES, CUE_MAX_WORDS);
			case TERM_WORD:
				return cxm_fail(e, f, _(MSG_TX_TERM_WORD), bad);
			case TERM_PREFIX:
				return cxm_fail(e, f, _(MSG_TX_TERM_PREFIX), bad);
			case TERM_DUP:
				return cxm_fail(e, f, _(MSG_TX_TERM_DUP), it->valuestring);
			}
		}
	}
	return 0;
}

static int theme(const cJSON *o, unsigned t, struct tax_build *b, struct cxm_taxonomy *tax, struct cxm_err *e)
{
	static const char *const keys[] = { "id", "name", "terms", "exclude", NULL };
	char where[32], f[64];
	size_t count[2] = { 0, 0 };
	int ret;

	snprintf(where, sizeof(where), "themes[%u]", t);
	if (!cJSON_IsObject(o))
		return cxm_fail(e, where, "%s", _(MSG_TX_WANT_OBJECT));
	if (cxm_only_keys(o, keys, where, MSG_TX_UNKNOWN_KEY, e))
		return CXM_EINVAL;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	snprintf(f, sizeof(f), "%s.id", where);
	if (!cJSON_IsString(id) || !good_id(id->valuestring))
		return cxm_fail(e, f, "%s", _(MSG_TX_BAD_ID));
	for (size_t i = 0; i < t; i++)
		if (!strcmp(tax->id[i], id->valuestring))
			return cxm_fail(e, f, _(MSG_TX_DUP_ID), id->valuestring);
	tax->id[t] = xstrdup(id->valuestring);
	tax->n = t + 1;
	snprintf(f, sizeof(f), "%s.name", where);
	if ((ret = names(cJSON_GetObjectItemCaseSensitive(o, "name"), f, tax, t, e)))
		return ret;
	snprintf(f, sizeof(f), "%s.terms", where);
	if ((ret = terms(cJSON_GetObjectItemCaseSensitive(o, "terms"), f, false, b, tax, t, count, e)))
		return ret;
	if (!count[0] && !count[1])
		return cxm_fail(e, f, "%s", _(MSG_TX_NO_TERMS));
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "exclude");
	snprintf(f, sizeof(f), "%s.exclude", where);
	if (ex && (ret = terms(ex, f, true, b, tax, t, count, e)))
		return ret;
	return 0;
}

int tax_parse(const char *json, size_t len, struct cxm_taxonomy **out, char *field, size_t fieldlen, char *why,
	      size_t whylen)
{
	static const char *const keys[] = { "themes", NULL };
	struct cxm_err e = { field, fieldlen, why, whylen };
	struct cxm_taxonomy *tax = NULL;
	struct tax_build *b = NULL;
	cJSON *root = NULL;
	char err[200];
	int ret = CXM_EINVAL;

	*out = NULL;
	if (fieldlen)
		field[0] = 0;
	if (whylen)
		why[0] = 0;
	if (len > TAX_MAX_BYTES) {
		cxm_fail(&e, "", _(MSG_TX_TOO_BIG), (size_t)TAX_MAX_BYTES);
		ret = CXM_ETOOBIG;
		goto out;
	}
	if (!(root = cxm_json_parse(json, len, err, sizeof(err)))) {
		cxm_fail(&e, "", _(MSG_TX_BAD_JSON), err);
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		cxm_fail(&e, "", "%s", _(MSG_TX_WANT_OBJECT));
		goto out;
	}
	if (cxm_only_keys(root, keys, "", MSG_TX_UNKNOWN_KEY, &e))
		goto out;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "themes"), *it;
	if (!cJSON_IsArray(list) || !cJSON_GetArraySize(list)) {
		cxm_fail(&e, "themes", "%s", _(MSG_TX_WANT_THEMES));
		goto out;
	}
	if (cJSON_GetArraySize(list) > TAX_MAX_THEMES) {
		cxm_fail(&e, "themes", _(MSG_TX_TOO_MANY_THEMES), TAX_MAX_THEMES);
		goto out;
	}
	size_t n = (size_t)cJSON_GetArraySize(list);
	tax = xcalloc(1, sizeof(*tax));
	tax->id = xcalloc(n, sizeof(*tax->id));
	tax->name[0] = xcalloc(n, sizeof(*tax->name[0]));
	tax->name[1] = xcalloc(n, sizeof(*tax->name[1]));
	b = tax_build_new();
	unsigned t = 0;
	cJSON_ArrayForEach(it, list)
	{
		if (theme(it, t++, b, tax, &e))
			goto out;
	}
	tax_finish(tax);
	*out = tax;
	tax = NULL;
	ret = 0;
out:
	tax_free(tax);
	tax_build_free(b);
	cJSON_Delete(root);
	return ret;
}
