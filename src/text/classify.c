/*
 * classify.c - the emotions and reasons of a comment, from the built-in
 * bilingual cue lists (data/text/emotions.tsv, reasons.tsv, compiled into
 * the binary by tools/gen-cues.c), with negation, boosters and the lean on
 * sentiment described in docs/text.md.
 */
#include "match.h"

#include <math.h>
#include <string.h>

static const char *const emotion_names[CXM_EMO_COUNT] = {
	"joy", "trust", "surprise", "anger", "frustration", "disappointment", "worry", "sadness",
};
static const char *const reason_names[CXM_REASON_COUNT] = {
	"price", "speed", "convenience", "quality", "staff", "reliability", "information",
};

const char *cxm_emotion_name(enum cxm_emotion e)
{
	return (unsigned)e < CXM_EMO_COUNT ? emotion_names[e] : NULL;
}

const char *cxm_reason_name(enum cxm_reason r)
{
	return (unsigned)r < CXM_REASON_COUNT ? reason_names[r] : NULL;
}

/* Words (keys) that negate what follows them, es and en. "poco" alone
 * ("poco amable") negates; "un poco" dampens (below). */
static const char *const negators[] = {
	"no", "nunca", "jamas", "ni", "tampoco", "sin", "nada", "nadie", "ningun", "ninguna", "ninguno", "poco",
	"not", "never", "neither", "nor", "without", "cannot", "nobody", "none", "dont", "didnt", "doesnt",
	"isnt", "wasnt", "arent", "werent", "cant", "couldnt", "wont", "wouldnt", "havent", "hasnt", "hadnt",
	"shouldnt", NULL,
};

/* A negation scope ends at these (and at , ; : and the end of a sentence). */
static const char *const scope_ends[] = { "pero", "aunque", "sino", "but", "although", "though", "however",
					  NULL };

static const char *const boosters[] = {
	"muy", "super", "tan", "tanto", "demasiado", "totalmente", "completamente", "realmente", "extremadamente",
	"increiblemente", "sumamente", "re", "requete", "muchisimo", "mucho", "absolutamente", "bien",
	"very", "really", "so", "extremely", "totally", "completely", "absolutely", "incredibly", "utterly",
	"truly", "deeply", "highly", "such", "super", "too", NULL,
};

static const char *const dampeners[] = {
	"algo", "apenas", "ligeramente", "medio", "casi", "slightly", "somewhat", "barely", "fairly", "rather",
	"partly", NULL,
};

static bool in(const char *const *list, const char *key)
{
	for (; key && *list; list++)
		if (!strcmp(*list, key))
			return true;
	return false;
}

static bool is_word(const struct cxm_token *k)
{
	return k->kind == CXM_TOK_WORD && k->key;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n > m && !memcmp(s + n - m, suffix, m);
}

/* Words ending in n't ("don't", "isn't") negate too, however the
 * tokenizer writes the apostrophe. */
static bool negator(const struct cxm_text *t, size_t i)
{
	const struct cxm_token *k = &t->tok[i];
	if (!is_word(k))
		return false;
	size_t n = strlen(k->key);
	if (ends_with(k->key, n, "n't") || ends_with(k->key, n, "n\xe2\x80\x99t"))
		return true;
	if (!in(negators, k->key))
		return false;
	/* "no solo ... sino", "not only": not a negation */
	if (i + 1 < t->ntok && is_word(&t->tok[i + 1]) &&
	    (!strcmp(t->tok[i + 1].key, "solo") || !strcmp(t->tok[i + 1].key, "only")))
		return false;
	/* "un poco" dampens */
	if (!strcmp(k->key, "poco") && i > 0 && is_word(&t->tok[i - 1]) && !strcmp(t->tok[i - 1].key, "un"))
		return false;
	return true;
}

static bool scope_end(const struct cxm_token *k)
{
	if (k->kind == CXM_TOK_PUNCT)
		return k->norm && strchr(",;:", k->norm[0]);
	return is_word(k) && in(scope_ends, k->key);
}

/* Whether a negator stands in the 3 words before token i (same sentence,
 * no comma or "but" between). */
static bool negated(const struct cxm_text *t, size_t i)
{
	size_t words = 0;
	for (size_t j = i; j-- > 0 && words < 3;) {
		const struct cxm_token *k = &t->tok[j];
		if (k->sentence != t->tok[i].sentence || scope_end(k))
			return false;
		if (negator(t, j)) {
			/* "nunca tan feliz", "never so happy": praise, not negation */
			bool so = j + 1 < i && is_word(&t->tok[j + 1]) &&
				  (!strcmp(t->tok[j + 1].key, "tan") || !strcmp(t->tok[j + 1].key, "so"));
			return !((!strcmp(k->key, "nunca") || !strcmp(k->key, "never")) && so);
		}
		if (k->kind == CXM_TOK_WORD)
			words++;
	}
	return false;
}

/* Boosters, dampeners, capitals, elongation and '!' around a cue. */
static double intensity(const struct cxm_text *t, uint32_t tok, uint32_t ntok)
{
	double f = 1;
	size_t words = 0;
	for (size_t j = tok; j-- > 0 && words < 2;) {
		const struct cxm_token *k = &t->tok[j];
		if (k->sentence != t->tok[tok].sentence || !is_word(k))
			break;
		if (in(boosters, k->key)) {
			f *= 1.5;
			break;
		}
		if (in(dampeners, k->key) || (!strcmp(k->key, "poco") && j > 0 && is_word(&t->tok[j - 1]) &&
					       !strcmp(t->tok[j - 1].key, "un")) ||
		    ((!strcmp(k->key, "bit") || !strcmp(k->key, "little")) && j > 0 && is_word(&t->tok[j - 1]) &&
		     !strcmp(t->tok[j - 1].key, "a"))) {
			f *= 0.5;
			break;
		}
		words++;
	}
	for (uint32_t j = tok; j < tok + ntok; j++) {
		if (t->tok[j].flags & CXM_TOKF_CAPS) {
			f *= 1.3;
			break;
		}
	}
	for (uint32_t j = tok; j < tok + ntok; j++) {
		if (t->tok[j].flags & CXM_TOKF_ELONGATED) {
			f *= 1.2;
			break;
		}
	}
	for (size_t j = tok + ntok; j < t->ntok && t->tok[j].sentence == t->tok[tok].sentence; j++) {
		if (t->tok[j].kind == CXM_TOK_PUNCT && t->tok[j].norm && t->tok[j].norm[0] == '!') {
			f *= 1.2;
			break;
		}
	}
	return f > 2 ? 2 : f;
}

/*
 * How much an emotion's evidence counts given the text's sentiment:
 * anger, frustration and disappointment need a negative text, joy and
 * trust a positive one; a neutral text halves them; worry and sadness are
 * halved by a positive text; surprise goes either way.
 */
static double lean(enum cxm_emotion e, double c)
{
	bool neg = c <= -0.05, pos = c >= 0.05;
	switch (e) {
	case CXM_EMO_ANGER:
	case CXM_EMO_FRUSTRATION:
	case CXM_EMO_DISAPPOINTMENT:
		return neg ? 1 + 0.5 * -c : pos ? 0 : 0.5;
	case CXM_EMO_JOY:
	case CXM_EMO_TRUST:
		return pos ? 1 + 0.5 * c : neg ? 0 : 0.5;
	case CXM_EMO_WORRY:
	case CXM_EMO_SADNESS:
		return pos ? 0.5 : 1;
	default:
		return 1;
	}
}

/* Evidence to a score in [0, 1): one clear cue gives about 0.63. */
static double score(double evidence)
{
	return evidence > 0 ? 1 - exp(-evidence) : 0;
}

void cxm_text_classify(const struct cxm_text *t, enum cxm_lang lang, struct cxm_stemmers *s, double compound,
		       struct cxm_arena *a, struct cxm_classification *out)
{
	struct cue_text ct;

	cue_text_prepare(&ct, t, lang, s, a);
	text_classify_prepared(&ct, compound, a, out);
}

void text_classify_prepared(struct cue_text *ct, double compound, struct cxm_arena *a,
			    struct cxm_classification *out)
{
	const struct cxm_text *t = ct->t;
	struct cue_hit *eh, *rh;
	double ev[CXM_EMO_COUNT] = { 0 }, rv[CXM_REASON_COUNT] = { 0 };

	memset(out, 0, sizeof(*out));
	size_t ne = cue_match(&cxm_emotion_cues, ct, a, &eh);
	size_t nr = cue_match(&cxm_reason_cues, ct, a, &rh);
	size_t nprice = 0;
	for (size_t i = 0; i < t->ntok; i++)
		nprice += t->tok[i].kind == CXM_TOK_PRICE;

	struct cxm_cue_match *m = cxm_arena_alloc(a, (ne + nr + nprice + 1) * sizeof(*m));
	size_t n = 0;
	for (size_t i = 0; i < ne; i++) {
		const struct cue_hit *h = &eh[i];
		if (negated(t, h->tok))
			continue;
		double w = cxm_emotion_cues.lang[h->lang].cue[h->cue].weight * intensity(t, h->tok, h->ntok);
		ev[h->cat] += w;
		m[n++] = (struct cxm_cue_match){ .reason = false, .which = h->cat, .tok = h->tok, .ntok = h->ntok,
						 .weight = w };
	}
	for (size_t i = 0; i < nr; i++) {
		const struct cue_hit *h = &rh[i];
		double w = cxm_reason_cues.lang[h->lang].cue[h->cue].weight;
		rv[h->cat] += w;
		m[n++] = (struct cxm_cue_match){ .reason = true, .which = h->cat, .tok = h->tok, .ntok = h->ntok,
						 .weight = w };
	}
	/* an amount of money is about price */
	for (size_t i = 0; i < t->ntok; i++) {
		if (t->tok[i].kind != CXM_TOK_PRICE)
			continue;
		rv[CXM_REASON_PRICE] += 1;
		m[n++] = (struct cxm_cue_match){ .reason = true, .which = CXM_REASON_PRICE, .tok = (uint32_t)i,
						 .ntok = 1, .weight = 1 };
	}
	for (int e = 0; e < CXM_EMO_COUNT; e++)
		out->emotion[e] = score(isnan(compound) ? ev[e] : ev[e] * lean((enum cxm_emotion)e, compound));
	for (int r = 0; r < CXM_REASON_COUNT; r++)
		out->reason[r] = score(rv[r]);

	/* keep the matches that still count, in text order */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].reason || out->emotion[m[i].which] > 0)
			m[kept++] = m[i];
	for (size_t i = 1; i < kept; i++) {
		struct cxm_cue_match x = m[i];
		size_t j = i;
		for (; j > 0 && m[j - 1].tok > x.tok; j--)
			m[j] = m[j - 1];
		m[j] = x;
	}
	out->match = kept ? m : NULL;
	out->nmatch = kept;
}
