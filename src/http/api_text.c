/*
 * api_text.c - POST /api/v1/text/analyze: the analysis of one text or of
 * a batch (cxm_text_analyze, cxm_text_analysis_json), for any role. Writes
 * nothing in the database: the tenant only picks its taxonomy (read from
 * the cache of src/text/ingest.c).
 */
#include "http-internal.h"
#include "cxm/text.h"
#include "cxm/textstore.h"

/*
 * The theme taxonomy of a tenant for one request (borrowed, read-only,
 * shared by threads) and its release: the tenant's own from the cache of
 * src/text/ingest.c (textstore.h), a reference held in *hold; the default
 * one when the lookup fails. NULL, with the 503 reply set, when there is no
 * database.
 */
static const struct cxm_taxonomy *tenant_taxonomy_get(struct req *r, int64_t tenant, void **hold)
{
	struct cxm_store *db = req_db(r);
	struct cxm_tax_ref *ref = NULL;

	*hold = NULL;
	if (!db)
		return NULL;
	if (cxm_text_taxonomy_get(db, tenant, &ref))
		return cxm_taxonomy_default();
	*hold = ref;
	return cxm_text_taxonomy_of(ref);
}

static void tenant_taxonomy_put(void *hold)
{
	if (hold)
		cxm_text_taxonomy_put(hold);
}

static const char *const analyze_keys[] = { "text", "texts", "lang", NULL };

/* ?details: absent, true or false; -1 after replying 400. */
static int query_details(struct req *r, bool *out)
{
	const char *v = req_query(r, "details");

	*out = false;
	if (!v || !strcmp(v, "false") || !strcmp(v, "0"))
		return 0;
	if (!strcmp(v, "true") || !strcmp(v, "1") || !*v) {
		*out = true;
		return 0;
	}
	reply_bad_query(r, "details", T(r, MSG_TX_BAD_DETAILS));
	return -1;
}

int api_text_analyze(struct req *r)
{
	cJSON *body = body_json(r), *problem, *text, *texts, *lang, *answer = NULL, *results = NULL;
	struct cxm_analyze_opts opts = { .lang = CXM_LANG_OTHER };
	struct cxm_text_ctx ctx;
	struct cxm_model_ref *mref = NULL;
	void *hold;
	size_t n = 0, nbad = 0;
	bool details, bad = false;
	char why[256], field[48], detail[160];

	if (!body || query_details(r, &details))
		return H_DONE;
	if (!cJSON_IsObject(body)) {
		reply_invalid(r, NULL, T(r, MSG_HTTP_WANT_OBJECT));
		return H_DONE;
	}
	problem = problem_new(r, 422, "invalid", MSG_HTTP_INVALID, NULL);
	check_keys(body, analyze_keys, problem, -1);
	text = cJSON_GetObjectItemCaseSensitive(body, "text");
	texts = cJSON_GetObjectItemCaseSensitive(body, "texts");
	lang = cJSON_GetObjectItemCaseSensitive(body, "lang");
	if (lang && !cJSON_IsNull(lang)) {
		const char *l = cJSON_IsString(lang) ? lang->valuestring : "";
		if (!strcmp(l, "es"))
			opts.lang = CXM_LANG_ES;
		else if (!strcmp(l, "en"))
			opts.lang = CXM_LANG_EN;
		else if (strcmp(l, "auto"))
			item_error(problem, -1, "lang", T(r, MSG_TX_WANT_LANG), &bad);
	}
	if (!text == !texts) {
		item_error(problem, -1, text ? "texts" : "text", T(r, MSG_TX_TEXT_OR_TEXTS), &bad);
	} else if (text && !cJSON_IsString(text)) {
		item_error(problem, -1, "text", T(r, MSG_TX_WANT_TEXT), &bad);
	} else if (texts) {
		n = cJSON_IsArray(texts) ? (size_t)cJSON_GetArraySize(texts) : 0;
		if (!n || n > r->srv->o.max_batch) {
			snprintf(detail, sizeof(detail), T(r, MSG_TX_WANT_TEXTS), r->srv->o.max_batch);
			item_error(problem, -1, "texts", detail, &bad);
		}
	}
	if (bad || cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(problem, "errors"))) {
		reply_problem(r, problem);
		return H_DONE;
	}
	if (!(opts.taxonomy = tenant_taxonomy_get(r, r->who.tenant, &hold))) {
		cJSON_Delete(problem);
		return H_DONE;
	}
	/* the tenant's model, when it has one; the lexicon alone when the
	 * lookup fails */
	if (!cxm_text_model_get(req_db(r), r->who.tenant, &mref))
		opts.model = cxm_text_model_of(mref);
	cxm_text_ctx_init(&ctx);
	if (texts)
		results = cJSON_CreateArray();
	/* every text is analysed (and checked) before anything is answered:
	 * a batch with a bad text is refused whole, naming each bad one */
	long i = 0;
	for (cJSON *it = texts ? texts->child : text; it; it = texts ? it->next : NULL, i++) {
		struct cxm_analysis an;

		if (texts)
			snprintf(field, sizeof(field), "texts[%ld]", i);
		else
			cxm_strlcpy(field, "text", sizeof(field));
		if (!cJSON_IsString(it)) {
			problem_item(problem, texts ? i : -1, field, T(r, MSG_TX_WANT_TEXT));
			nbad++;
			continue;
		}
		if (cxm_text_analyze(&ctx, it->valuestring, strlen(it->valuestring), &opts, &an, why, sizeof(why))) {
			problem_item(problem, texts ? i : -1, field, why);
			nbad++;
			continue;
		}
		if (nbad)
			continue;
		if (results)
			cJSON_AddItemToArray(results, cxm_text_analysis_json(&ctx, &an, details));
		else
			answer = cxm_text_analysis_json(&ctx, &an, details);
	}
	cxm_text_ctx_release(&ctx);
	if (mref)
		cxm_text_model_put(mref);
	tenant_taxonomy_put(hold);
	if (nbad) {
		cJSON_Delete(results);
		cJSON_Delete(answer);
		if (texts) {
			reply_batch_refused(r, problem, nbad);
		} else {
			reply_problem(r, problem);
		}
		return H_DONE;
	}
	cJSON_Delete(problem);
	if (results) {
		answer = cJSON_CreateObject();
		cJSON_AddItemToObject(answer, "results", results);
	}
	reply_json(r, 200, answer);
	return H_DONE;
}
