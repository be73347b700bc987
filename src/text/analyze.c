/*
 * analyze.c - one call for everything: a text's tokens, language,
 * sentiment, emotions and reasons, themes and personal data
 * (cxm_text_analyze), and the JSON that the API and `cxm text analyze`
 * answer (cxm_text_analysis_json). docs/text.md, "Analysing a text".
 */
#include "cxm/text.h"
#include "cxm/core.h"
#include "cxm/json.h"
#include "match.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void cxm_text_ctx_init(struct cxm_text_ctx *ctx)
{
	cxm_arena_init(&ctx->arena, 64 * 1024);
	ctx->stemmers = cxm_stemmers_new();
}

void cxm_text_ctx_release(struct cxm_text_ctx *ctx)
{
	cxm_arena_release(&ctx->arena);
	cxm_stemmers_free(ctx->stemmers);
	ctx->stemmers = NULL;
}

static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct cxm_taxonomy *default_tax;

static void default_compile(void)
{
	char field[128], why[256];
	size_t len;
	const char *json = cxm_taxonomy_default_json(&len);

	/* the file is ours and tested (test_text.c): failing here is a bug */
	if (cxm_taxonomy_parse(json, len, &default_tax, field, sizeof(field), why, sizeof(why)))
		abort();
}

const struct cxm_taxonomy *cxm_taxonomy_default(void)
{
	pthread_once(&default_once, default_compile);
	return default_tax;
}

const char *cxm_pii_kind_name(enum cxm_pii_kind k)
{
	switch (k) {
	case CXM_PII_EMAIL:
		return "email";
	case CXM_PII_PHONE:
		return "phone";
	case CXM_PII_CARD:
		return "card";
	case CXM_PII_NATIONAL_ID:
		return "national_id";
	}
	return "other";
}

int cxm_text_analyze(struct cxm_text_ctx *ctx, const char *text, size_t len, const struct cxm_analyze_opts *opts,
		     struct cxm_analysis *out, char *why, size_t whylen)
{
	struct cxm_arena *a = &ctx->arena;
	enum cxm_lang want = opts ? opts->lang : CXM_LANG_OTHER;
	struct cxm_pii_span first[16];
	struct cue_text ct;
	int rc;

	cxm_arena_clear(a);
	memset(out, 0, sizeof(*out));
	if ((rc = cxm_text_tokenize(a, text, len, &out->text, why, whylen)))
		return rc;
	if (want == CXM_LANG_ES || want == CXM_LANG_EN) {
		out->lang = want;
		out->lang_confidence = 1;
	} else {
		out->lang = cxm_text_language(&out->text, &out->lang_confidence);
		if (!isfinite(out->lang_confidence))
			out->lang_confidence = 0;
	}
	/* other: sentiment picks the lexicon that matches more, classify and
	 * themes use the cues and terms of both languages */
	cxm_sentiment_score(a, ctx->stemmers, &out->text, out->lang, &out->sentiment);
	if (opts && opts->model && out->text.ntok) {
		struct cxm_sentiment_score *sc = &out->sentiment.text;
		double p = cxm_text_model_predict(opts->model, &out->text, out->lang, ctx->stemmers);

		sc->compound = cxm_text_model_blend(opts->model, sc->compound, p);
		sc->label = sc->compound >= CXM_SENTIMENT_THRESHOLD	    ? CXM_SENTIMENT_POSITIVE
			    : sc->compound <= -CXM_SENTIMENT_THRESHOLD ? CXM_SENTIMENT_NEGATIVE
								       : CXM_SENTIMENT_NEUTRAL;
		out->model_weight = cxm_text_model_stats(opts->model)->blend_weight;
	}
	/* emotions, reasons and themes share the text's stems */
	cue_text_prepare(&ct, &out->text, out->lang, ctx->stemmers, a);
	text_classify_prepared(&ct, out->sentiment.text.compound, a, &out->classes);
	out->taxonomy = opts && opts->taxonomy ? opts->taxonomy : cxm_taxonomy_default();
	text_themes_prepared(&ct, out->taxonomy, a, &out->themes);
	/* most texts hold no personal data: look once into a small array */
	out->npii = cxm_pii_find(text, len, first, ARRAY_SIZE(first));
	if (out->npii) {
		out->pii = cxm_arena_alloc(a, out->npii * sizeof(*out->pii));
		if (out->npii <= ARRAY_SIZE(first))
			memcpy(out->pii, first, out->npii * sizeof(*out->pii));
		else
			out->npii = cxm_pii_find(text, len, out->pii, out->npii);
	}
	return 0;
}

static enum cxm_msg pii_placeholder(enum cxm_pii_kind k)
{
	switch (k) {
	case CXM_PII_EMAIL:
		return MSG_TX_PII_EMAIL;
	case CXM_PII_PHONE:
		return MSG_TX_PII_PHONE;
	case CXM_PII_CARD:
		return MSG_TX_PII_CARD;
	case CXM_PII_NATIONAL_ID:
		break;
	}
	return MSG_TX_PII_NATIONAL_ID;
}

char *cxm_text_masked(struct cxm_text_ctx *ctx, const struct cxm_analysis *an, enum cxm_lang lang)
{
	const char *src = an->text.src;
	size_t len = an->text.len, need = len + 1, at = 0, n = 0;
	char *out;

	for (size_t i = 0; i < an->npii; i++)
		need += strlen(cxm_msg_in(pii_placeholder(an->pii[i].kind), lang));
	out = cxm_arena_alloc(&ctx->arena, need);
	for (size_t i = 0; i < an->npii; i++) {
		const struct cxm_pii_span *p = &an->pii[i];
		const char *ph = cxm_msg_in(pii_placeholder(p->kind), lang);
		size_t phl = strlen(ph);

		/* spans come in order and never overlap; stay safe if not */
		if (p->start < at || p->start > len || p->len > len - p->start)
			continue;
		memcpy(out + n, src + at, p->start - at);
		n += p->start - at;
		memcpy(out + n, ph, phl);
		n += phl;
		at = p->start + p->len;
	}
	memcpy(out + n, src + at, len - at);
	n += len - at;
	out[n] = '\0';
	return out;
}

/* a number that is finite, so the JSON never holds NaN or Inf */
static double finite_or_0(double v)
{
	return isfinite(v) ? v : 0;
}

struct highlight {
	uint32_t start, end;
	uint8_t kind; /* HL_* */
	const char *name;
	double weight;
	bool has_weight;
};

enum { HL_POSITIVE, HL_NEGATIVE, HL_EMOTION, HL_REASON, HL_THEME };
static const char *const hl_kind[] = { "positive", "negative", "emotion", "reason", "theme" };

static int highlight_cmp(const void *pa, const void *pb)
{
	const struct highlight *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

/* The bytes of tokens [tok, tok + ntok), or false when out of range. */
static bool token_bytes(const struct cxm_text *t, size_t tok, size_t ntok, uint32_t *start, uint32_t *end)
{
	if (!ntok || tok >= t->ntok || ntok > t->ntok - tok)
		return false;
	*start = t->tok[tok].start;
	*end = t->tok[tok + ntok - 1].start + t->tok[tok + ntok - 1].len;
	return *end >= *start && *end <= t->len;
}

static void add_highlights(struct cxm_text_ctx *ctx, const struct cxm_analysis *an, cJSON *o)
{
	const struct cxm_text *t = &an->text;
	size_t cap = an->sentiment.ntok + an->classes.nmatch + an->themes.nspan, n = 0;
	struct highlight *h = cap ? cxm_arena_alloc(&ctx->arena, cap * sizeof(*h)) : NULL;
	cJSON *arr = cJSON_AddArrayToObject(o, "highlights");

	/* the words that carried sentiment, a phrase as one */
	for (size_t i = 0; i < an->sentiment.ntok; i++) {
		double c = an->sentiment.contrib[i];
		struct highlight *x = &h[n];

		if (!isfinite(c) || c == 0 || !token_bytes(t, i, an->sentiment.span[i], &x->start, &x->end))
			continue;
		x->kind = c > 0 ? HL_POSITIVE : HL_NEGATIVE;
		x->name = NULL;
		x->weight = c;
		x->has_weight = true;
		n++;
	}
	/* the cues of the emotions and reasons named in the answer */
	for (size_t i = 0; i < an->classes.nmatch; i++) {
		const struct cxm_cue_match *m = &an->classes.match[i];
		struct highlight *x = &h[n];
		bool present;

		if (m->reason) {
			present = m->which < CXM_REASON_COUNT && an->classes.reason[m->which] >= CXM_CLASSIFY_PRESENT;
			x->name = present ? cxm_reason_name((enum cxm_reason)m->which) : NULL;
		} else {
			present = m->which < CXM_EMO_COUNT && an->classes.emotion[m->which] >= CXM_CLASSIFY_PRESENT;
			x->name = present ? cxm_emotion_name((enum cxm_emotion)m->which) : NULL;
		}
		if (!x->name || !token_bytes(t, m->tok, m->ntok, &x->start, &x->end))
			continue;
		x->kind = m->reason ? HL_REASON : HL_EMOTION;
		x->weight = m->weight;
		x->has_weight = true;
		n++;
	}
	/* every match of a theme */
	for (size_t i = 0; i < an->themes.nspan; i++) {
		const struct cxm_theme_span *s = &an->themes.span[i];
		struct highlight *x = &h[n];

		if (s->theme >= cxm_taxonomy_count(an->taxonomy) || !token_bytes(t, s->tok, s->ntok, &x->start, &x->end))
			continue;
		x->kind = HL_THEME;
		x->name = cxm_taxonomy_id(an->taxonomy, s->theme);
		x->has_weight = false;
		n++;
	}
	if (n > 1)
		qsort(h, n, sizeof(*h), highlight_cmp);
	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddNumberToObject(e, "start", h[i].start);
		cJSON_AddNumberToObject(e, "end", h[i].end);
		cJSON_AddStringToObject(e, "kind", hl_kind[h[i].kind]);
		if (h[i].kind == HL_THEME)
			cJSON_AddStringToObject(e, "theme", h[i].name);
		else if (h[i].name)
			cJSON_AddStringToObject(e, "name", h[i].name);
		if (h[i].has_weight)
			cxm_json_add_fixed(e, "weight", finite_or_0(h[i].weight), 3);
		cJSON_AddItemToArray(arr, e);
	}
}

static void add_details(struct cxm_text_ctx *ctx, const struct cxm_analysis *an, cJSON *o)
{
	const struct cxm_text *t = &an->text;
	cJSON *arr = cJSON_AddArrayToObject(o, "sentences");

	for (size_t i = 0; i < t->nsentences; i++) {
		cJSON *e = cJSON_CreateObject();
		const struct cxm_sentiment_score *s =
			i < an->sentiment.nsentences ? &an->sentiment.sentence[i] : &an->sentiment.text;

		cJSON_AddNumberToObject(e, "start", t->sent_start[i]);
		cJSON_AddNumberToObject(e, "end", t->sent_end[i]);
		cxm_json_add_fixed(e, "score", finite_or_0(s->compound), 4);
		cJSON_AddStringToObject(e, "label", cxm_sentiment_label_name(s->label));
		cJSON_AddItemToArray(arr, e);
	}
	add_highlights(ctx, an, o);
	arr = cJSON_AddArrayToObject(o, "pii");
	for (size_t i = 0; i < an->npii; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddNumberToObject(e, "start", an->pii[i].start);
		cJSON_AddNumberToObject(e, "end", (double)an->pii[i].start + an->pii[i].len);
		cJSON_AddStringToObject(e, "kind", cxm_pii_kind_name(an->pii[i].kind));
		cJSON_AddItemToArray(arr, e);
	}
	/* placeholders in the text's language; other: the language whose
	 * lexicon scored it */
	enum cxm_lang ml = an->lang != CXM_LANG_OTHER ? an->lang : an->sentiment.lang;
	cJSON_AddStringToObject(o, "masked", cxm_text_masked(ctx, an, ml == CXM_LANG_ES ? CXM_LANG_ES : CXM_LANG_EN));
}

cJSON *cxm_text_analysis_json(struct cxm_text_ctx *ctx, const struct cxm_analysis *an, bool details)
{
	cJSON *o = cJSON_CreateObject(), *s, *emo, *arr;
	uint8_t order[CXM_REASON_COUNT];
	size_t n = 0;

	cJSON_AddStringToObject(o, "lang", cxm_lang_code(an->lang));
	s = cJSON_AddObjectToObject(o, "sentiment");
	cxm_json_add_fixed(s, "score", finite_or_0(an->sentiment.text.compound), 4);
	cJSON_AddStringToObject(s, "label", cxm_sentiment_label_name(an->sentiment.text.label));
	if (an->model_weight > 0)
		cxm_json_add_fixed(s, "model_weight", finite_or_0(an->model_weight), 4);
	/* only the emotions present, so a reader sees what the text says */
	emo = cJSON_AddObjectToObject(o, "emotions");
	for (int e = 0; e < CXM_EMO_COUNT; e++)
		if (an->classes.emotion[e] >= CXM_CLASSIFY_PRESENT)
			cxm_json_add_fixed(emo, cxm_emotion_name((enum cxm_emotion)e), finite_or_0(an->classes.emotion[e]), 2);
	/* the reasons present, strongest first (ties in the enum's order) */
	for (int r = 0; r < CXM_REASON_COUNT; r++) {
		size_t j = n++;

		if (!(an->classes.reason[r] >= CXM_CLASSIFY_PRESENT)) {
			n--;
			continue;
		}
		while (j > 0 && an->classes.reason[order[j - 1]] < an->classes.reason[r]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (uint8_t)r;
	}
	arr = cJSON_AddArrayToObject(o, "reasons");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(cxm_reason_name((enum cxm_reason)order[i])));
	arr = cJSON_AddArrayToObject(o, "themes");
	for (size_t i = 0; i < an->themes.ntheme; i++)
		if (an->themes.theme[i] < cxm_taxonomy_count(an->taxonomy))
			cJSON_AddItemToArray(arr, cJSON_CreateString(cxm_taxonomy_id(an->taxonomy, an->themes.theme[i])));
	if (details)
		add_details(ctx, an, o);
	return o;
}
