/*
 * sentiment.c - sentiment of a tokenized text in the manner of VADER (Hutto
 * & Gilbert, ICWSM 2014): each word's valence from a lexicon (VADER's for
 * English, our own for Spanish, docs/text.md), then rules - phrases and
 * idioms, negation with a scope, boosters and dampeners, contrast words,
 * capitals, elongations, exclamation and question marks, emoji and
 * emoticons - summed and normalised into a compound score in [-1, 1].
 *
 * The rule word lists below are our own, written from the paper's
 * description (English) and for Spanish as customers write it in Spain and
 * Latin America.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/text.h"
#include "lexicon.h"

/* VADER's constants (the paper, section 3). */
#define B_INCR 0.293   /* a booster or dampener before a word */
#define C_INCR 0.733   /* a word in capitals among words that are not */
#define N_SCALAR -0.74 /* a negated word */
#define ALPHA 15.0     /* normalisation: s / sqrt(s^2 + ALPHA) */
#define CONTRAST_BEFORE 0.5
#define CONTRAST_AFTER 1.5
/* Ours: an elongated word ("buenooo") counts like a booster; a Spanish
 * superlative ("rapidísimo") adds this much to its base word's valence;
 * "poco" before a positive word ("poco amable") negates it this much. */
#define ELONG_INCR B_INCR
#define SUPERLATIVE_INCR 0.9
#define POCO_SCALAR -0.5

enum role { R_NONE, R_NEGATOR, R_BOOST, R_DAMP, R_CONTRAST, R_POCO, R_SKIP, R_POST_BOOST };

struct rule_word {
	const char *key;
	unsigned char role;
};

/* English (sorted by key for bsearch). */
static const struct rule_word en_rules[] = {
	{"absolutely", R_BOOST}, {"ain't", R_NEGATOR}, {"aint", R_NEGATOR}, {"almost", R_DAMP},
	{"amazingly", R_BOOST}, {"aren't", R_NEGATOR}, {"arent", R_NEGATOR}, {"awfully", R_BOOST},
	{"barely", R_DAMP}, {"but", R_CONTRAST}, {"cannot", R_NEGATOR}, {"cant", R_NEGATOR},
	{"completely", R_BOOST}, {"considerably", R_BOOST}, {"couldnt", R_NEGATOR}, {"decidedly", R_BOOST},
	{"deeply", R_BOOST}, {"didnt", R_NEGATOR}, {"doesnt", R_NEGATOR}, {"dont", R_NEGATOR},
	{"enormously", R_BOOST}, {"entirely", R_BOOST}, {"especially", R_BOOST}, {"exceptionally", R_BOOST},
	{"extremely", R_BOOST}, {"fabulously", R_BOOST}, {"fully", R_BOOST}, {"greatly", R_BOOST},
	{"hadnt", R_NEGATOR}, {"hardly", R_DAMP}, {"hasnt", R_NEGATOR}, {"havent", R_NEGATOR},
	{"hella", R_BOOST}, {"highly", R_BOOST}, {"however", R_CONTRAST}, {"hugely", R_BOOST},
	{"incredibly", R_BOOST}, {"intensely", R_BOOST}, {"isnt", R_NEGATOR}, {"kinda", R_DAMP},
	{"less", R_DAMP}, {"little", R_DAMP}, {"majorly", R_BOOST}, {"marginally", R_DAMP},
	{"more", R_BOOST}, {"most", R_BOOST}, {"neither", R_NEGATOR}, {"never", R_NEGATOR},
	{"none", R_NEGATOR}, {"nope", R_NEGATOR}, {"nor", R_NEGATOR}, {"not", R_NEGATOR},
	{"nothing", R_NEGATOR}, {"nowhere", R_NEGATOR}, {"occasionally", R_DAMP}, {"particularly", R_BOOST},
	{"partly", R_DAMP}, {"purely", R_BOOST}, {"quite", R_BOOST}, {"rarely", R_NEGATOR},
	{"really", R_BOOST}, {"remarkably", R_BOOST}, {"scarcely", R_DAMP}, {"seldom", R_NEGATOR},
	{"shouldnt", R_NEGATOR}, {"slightly", R_DAMP}, {"so", R_BOOST}, {"somewhat", R_DAMP},
	{"sorta", R_DAMP}, {"substantially", R_BOOST}, {"thoroughly", R_BOOST}, {"totally", R_BOOST},
	{"tremendously", R_BOOST}, {"uber", R_BOOST}, {"unbelievably", R_BOOST}, {"unusually", R_BOOST},
	{"utterly", R_BOOST}, {"very", R_BOOST}, {"wasnt", R_NEGATOR}, {"werent", R_NEGATOR},
	{"without", R_NEGATOR}, {"wont", R_NEGATOR}, {"wouldnt", R_NEGATOR},
};

/* Spanish (sorted by key). R_SKIP: clitics and articles that do not count
 * towards the distance between a negator or booster and its word ("no me lo
 * recomendaron"). R_POST_BOOST: intensifiers that follow the word they raise
 * ("tardó muchísimo"). */
static const struct rule_word es_rules[] = {
	{"algo", R_DAMP}, {"apenas", R_DAMP}, {"aunque", R_CONTRAST}, {"bastante", R_BOOST},
	{"casi", R_DAMP}, {"completamente", R_BOOST}, {"demasiado", R_BOOST}, {"el", R_SKIP},
	{"extremadamente", R_BOOST}, {"increiblemente", R_BOOST}, {"jamas", R_NEGATOR}, {"la", R_SKIP},
	{"las", R_SKIP}, {"le", R_SKIP}, {"les", R_SKIP}, {"lo", R_SKIP}, {"los", R_SKIP},
	{"mas", R_BOOST}, {"me", R_SKIP}, {"medio", R_DAMP}, {"muchisimo", R_POST_BOOST},
	{"mucho", R_POST_BOOST}, {"muy", R_BOOST}, {"nada", R_NEGATOR}, {"nadie", R_NEGATOR},
	{"ni", R_NEGATOR}, {"ningun", R_NEGATOR}, {"ninguna", R_NEGATOR}, {"ninguno", R_NEGATOR},
	{"no", R_NEGATOR}, {"nos", R_SKIP}, {"nunca", R_NEGATOR}, {"os", R_SKIP}, {"pero", R_CONTRAST},
	{"poca", R_POCO}, {"pocas", R_POCO}, {"poco", R_POCO}, {"pocos", R_POCO}, {"re", R_BOOST},
	{"realmente", R_BOOST}, {"se", R_SKIP}, {"sin", R_NEGATOR}, {"sumamente", R_BOOST},
	{"super", R_BOOST}, {"tampoco", R_NEGATOR}, {"tan", R_BOOST}, {"te", R_SKIP},
	{"terriblemente", R_BOOST}, {"totalmente", R_BOOST}, {"tremenda", R_BOOST},
	{"tremendamente", R_BOOST}, {"tremendo", R_BOOST}, {"un", R_SKIP}, {"una", R_SKIP},
};

static int rule_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct rule_word *)e)->key);
}

static enum role rule_of(enum cxm_lang lang, const char *key)
{
	const struct rule_word *r;
	size_t n;

	if (lang == CXM_LANG_ES)
		r = bsearch(key, es_rules, sizeof(es_rules) / sizeof(es_rules[0]), sizeof(es_rules[0]), rule_cmp);
	else
		r = bsearch(key, en_rules, sizeof(en_rules) / sizeof(en_rules[0]), sizeof(en_rules[0]), rule_cmp);
	if (r)
		return r->role;
	/* English contractions: "don't", "isn't", "couldn’t" */
	n = strlen(key);
	if (lang == CXM_LANG_EN && ((n > 3 && !strcmp(key + n - 3, "n't")) || (n > 5 && !strcmp(key + n - 5, "n\xe2\x80\x99t"))))
		return R_NEGATOR;
	return R_NONE;
}

/* What the first pass learns about each token. */
struct tokinfo {
	float val;          /* its valence before the rules (0: none) */
	unsigned char role; /* enum role */
	unsigned char word; /* counts towards the neutral share (words, emoji, emoticons, hashtags) */
	unsigned char inlex; /* it has a valence of its own (VADER: "in the lexicon") */
	unsigned char stop; /* punctuation that ends a negation or booster scope */
};

static int sign(double v)
{
	return v > 0 ? 1 : v < 0 ? -1 : 0;
}

static const struct cxm_lexicon *lexicon_of(enum cxm_lang lang)
{
	return lang == CXM_LANG_ES ? &cxm_lex_es : &cxm_lex_en;
}

static const struct cxm_lex_entry *find_word(const struct cxm_lexicon *lx, const char *key)
{
	const struct cxm_lex_entry *e = cxm_lex_find(&lx->words, key, strlen(key));

	return e && (e->flags & CXM_LEXF_VALENCE) ? e : NULL;
}

/* The valence of an emoji: the key without U+FE0F or skin tones. */
static bool emoji_valence(const char *norm, float *v)
{
	char buf[64];
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)norm;
	const struct cxm_lex_entry *e;

	while (*p && n + 4 < sizeof(buf)) {
		if (p[0] == 0xef && p[1] == 0xb8 && p[2] == 0x8f) { /* U+FE0F */
			p += 3;
			continue;
		}
		if (p[0] == 0xf0 && p[1] == 0x9f && p[2] == 0x8f && p[3] >= 0xbb && p[3] <= 0xbf) { /* U+1F3FB..F */
			p += 4;
			continue;
		}
		buf[n++] = (char)*p++;
	}
	e = cxm_lex_find(&cxm_lex_emoji.words, buf, n);
	if (!e || !(e->flags & CXM_LEXF_VALENCE))
		return false;
	*v = e->valence;
	return true;
}

static bool emoticon_valence(const char *norm, float *v)
{
	char low[32];
	size_t n = strlen(norm);
	const struct cxm_lex_entry *e = find_word(&cxm_lex_en, norm);

	if (!e && n < sizeof(low)) {
		for (size_t i = 0; i <= n; i++)
			low[i] = (char)(norm[i] >= 'A' && norm[i] <= 'Z' ? norm[i] + 32 : norm[i]);
		e = find_word(&cxm_lex_en, low);
	}
	if (!e && !strcmp(norm, "xD"))
		e = find_word(&cxm_lex_en, "x-d");
	if (!e)
		return false;
	*v = e->valence;
	return true;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n >= m && !memcmp(s + n - m, suf, m);
}

/*
 * Spanish superlatives: "rapidísimo" is "rápido" and then some. Tries the
 * base word with the endings the suffix replaced (-o, -a, -e; -co for
 * -quísimo, -go for -guísimo, -ble for -bilísimo).
 */
static bool es_superlative(const char *key, float *v)
{
	static const char *const sufs[] = {"isimos", "isimas", "isimo", "isima"};
	size_t n = strlen(key);

	for (size_t i = 0; i < sizeof(sufs) / sizeof(sufs[0]); i++) {
		static const char *const ends[] = {"o", "a", "e", ""};
		size_t stem = n - strlen(sufs[i]);
		char base[64];
		const struct cxm_lex_entry *e = NULL;

		if (!ends_with(key, n, sufs[i]) || stem < 2 || stem + 4 >= sizeof(base))
			continue;
		memcpy(base, key, stem);
		if (ends_with(key, stem, "qu") || ends_with(key, stem, "gu")) {
			base[stem - 1] = 0; /* riquísimo -> ric + o; larguísimo -> larg + o */
			base[stem - 2] = key[stem - 2] == 'q' ? 'c' : 'g';
			stem--;
		} else if (ends_with(key, stem, "bil")) {
			memcpy(base + stem - 3, "ble", 4); /* amabilísimo -> amable */
			e = find_word(&cxm_lex_es, base);
		}
		for (size_t j = 0; !e && j < sizeof(ends) / sizeof(ends[0]); j++) {
			memcpy(base + stem, ends[j], strlen(ends[j]) + 1);
			e = find_word(&cxm_lex_es, base);
		}
		if (!e)
			return false;
		*v = (float)(e->valence + sign(e->valence) * SUPERLATIVE_INCR);
		if (*v > 4.0f)
			*v = 4.0f;
		if (*v < -4.0f)
			*v = -4.0f;
		return true;
	}
	return false;
}

/* Spanish intensifying prefixes: "superbueno", "rebueno", "archiconocido". */
static bool es_prefixed(struct cxm_stemmers *st, const char *key, float *v)
{
	static const char *const pre[] = {"requete", "super", "ultra", "hiper", "archi", "re"};

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t m = strlen(pre[i]);
		const struct cxm_lex_entry *e;

		if (strncmp(key, pre[i], m) || strlen(key + m) < 4)
			continue;
		e = find_word(&cxm_lex_es, key + m);
		if (!e && st) {
			const char *stem = cxm_stem(st, CXM_LANG_ES, key + m);

			e = cxm_lex_find(&cxm_lex_es.stems, stem, strlen(stem));
		}
		if (e) {
			*v = (float)(e->valence + sign(e->valence) * B_INCR);
			return true;
		}
	}
	return false;
}

/* The valence of a single Spanish word that is not a key of the lexicon. */
static bool es_inflected(struct cxm_stemmers *st, const char *key, float *v)
{
	const struct cxm_lex_entry *e;
	const char *stem;

	if (es_superlative(key, v))
		return true;
	if (st && strlen(key) >= 3) {
		stem = cxm_stem(st, CXM_LANG_ES, key);
		e = cxm_lex_find(&cxm_lex_es.stems, stem, strlen(stem));
		if (e) {
			*v = e->valence;
			return true;
		}
	}
	return es_prefixed(st, key, v);
}

static bool is_wordish(const struct cxm_token *k)
{
	return k->kind == CXM_TOK_WORD || k->kind == CXM_TOK_HASHTAG;
}

/*
 * A phrase of the lexicon starting at token i ("vale la pena", "cobrar de
 * más", "fed up"): the number of tokens it spans (0: none) and its valence.
 */
static size_t match_phrase(const struct cxm_lexicon *lx, const struct cxm_text *t, size_t i, unsigned maxw,
			   float *v)
{
	char buf[256];

	for (unsigned w = maxw; w >= 2; w--) {
		size_t n = 0;
		const struct cxm_lex_entry *e;
		unsigned k;

		if (i + w > t->ntok)
			continue;
		for (k = 0; k < w; k++) {
			const struct cxm_token *tk = &t->tok[i + k];
			size_t m = strlen(tk->key);

			if ((tk->kind != CXM_TOK_WORD && tk->kind != CXM_TOK_NUMBER) || tk->sentence != t->tok[i].sentence || n + m + 2 > sizeof(buf))
				break;
			if (k)
				buf[n++] = ' ';
			memcpy(buf + n, tk->key, m);
			n += m;
		}
		if (k < w)
			continue;
		e = cxm_lex_find(&lx->words, buf, n);
		if (e && (e->flags & CXM_LEXF_VALENCE)) {
			*v = e->valence;
			return w;
		}
	}
	return 0;
}

/* Laughter as typed in Spanish: "jaja", "jajajsj", "jejeje", "jiji". */
static bool is_laugh(const char *key)
{
	size_t n = strlen(key), js = 0;

	if (n < 4 || key[0] != 'j')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!strchr("jaeis", key[i]))
			return false;
		js += key[i] == 'j';
	}
	return js >= 2 && js * 3 >= n;
}

/* Does this token carry a valence in lang (for the rules that look ahead)? */
static bool rated(struct cxm_stemmers *st, const struct cxm_text *t, size_t i, enum cxm_lang lang)
{
	float v;

	if (i >= t->ntok || t->tok[i].kind != CXM_TOK_WORD)
		return false;
	if (find_word(lexicon_of(lang), t->tok[i].key))
		return true;
	return lang == CXM_LANG_ES && rule_of(lang, t->tok[i].key) == R_NONE && es_inflected(st, t->tok[i].key, &v);
}

/* How many word tokens each lexicon knows: picks the language of an "other" text. */
static enum cxm_lang pick_lang(struct cxm_stemmers *st, const struct cxm_text *t)
{
	size_t es = 0, en = 0;

	for (size_t i = 0; i < t->ntok; i++) {
		const char *key = t->tok[i].key;
		float v;

		if (t->tok[i].kind != CXM_TOK_WORD)
			continue;
		if (find_word(&cxm_lex_en, key) || rule_of(CXM_LANG_EN, key) != R_NONE)
			en++;
		if (find_word(&cxm_lex_es, key) || rule_of(CXM_LANG_ES, key) != R_NONE || es_inflected(st, key, &v))
			es++;
	}
	return es > en ? CXM_LANG_ES : CXM_LANG_EN;
}

/* The first pass: each token's own valence and role. */
static size_t lookup(struct cxm_stemmers *st, const struct cxm_text *t, enum cxm_lang lang, struct tokinfo *ti)
{
	const struct cxm_lexicon *lx = lexicon_of(lang);
	size_t matched = 0;

	for (size_t i = 0; i < t->ntok; i++) {
		const struct cxm_token *k = &t->tok[i];
		struct tokinfo *x = &ti[i];
		const struct cxm_lex_entry *e;
		float v = 0;

		switch (k->kind) {
		case CXM_TOK_EMOJI:
			x->word = 1;
			if (emoji_valence(k->norm, &v))
				x->val = v;
			break;
		case CXM_TOK_EMOTICON:
			x->word = 1;
			if (emoticon_valence(k->norm, &v))
				x->val = v;
			break;
		case CXM_TOK_PUNCT:
			/* these end a negation's or a booster's reach; '-' '\'' do not */
			x->stop = strchr(".,;:!?¡¿()[]\"", k->norm[0]) != NULL || !strncmp(k->norm, "\xe2\x80\xa6", 3);
			break;
		case CXM_TOK_WORD:
		case CXM_TOK_HASHTAG:
			x->word = 1;
			e = cxm_lex_find(&lx->words, k->key, strlen(k->key));
			if (e && (e->flags >> CXM_LEXF_PHRASE_SHIFT) && k->kind == CXM_TOK_WORD) {
				size_t w = match_phrase(lx, t, i, e->flags >> CXM_LEXF_PHRASE_SHIFT, &v);

				if (w) {
					x->val = v;
					x->inlex = 1;
					matched++;
					for (size_t j = 1; j < w; j++)
						ti[i + j].word = 1; /* inside the phrase: no valence or role */
					i += w - 1;
					break;
				}
			}
			x->role = (unsigned char)rule_of(lang, k->key);
			if (e && (e->flags & CXM_LEXF_VALENCE))
				x->val = e->valence;
			else if (lang == CXM_LANG_ES && x->role == R_NONE && es_inflected(st, k->key, &v))
				x->val = v;
			else if (is_laugh(k->key))
				x->val = 1.6f;
			/* Spanish "bien" before a rated word is "very": "bien caro" */
			if (lang == CXM_LANG_ES && !strcmp(k->key, "bien") && rated(st, t, i + 1, lang)) {
				x->role = R_BOOST;
				x->val = 0;
			}
			/* "para nada" that ends a clause answers "not at all" */
			if (lang == CXM_LANG_ES && !strcmp(k->key, "para") && i + 1 < t->ntok &&
			    !strcmp(t->tok[i + 1].key, "nada") &&
			    (i + 2 >= t->ntok || t->tok[i + 2].kind == CXM_TOK_PUNCT ||
			     t->tok[i + 2].sentence != k->sentence))
				x->val = -1.0f;
			/* two-word rule words */
			if (lang == CXM_LANG_ES && i + 1 < t->ntok && t->tok[i + 1].kind == CXM_TOK_WORD) {
				const char *next = t->tok[i + 1].key;

				if ((!strcmp(k->key, "sin") && !strcmp(next, "embargo")) ||
				    (!strcmp(k->key, "no") && !strcmp(next, "obstante"))) {
					x->role = R_CONTRAST;
					x->val = 0;
					ti[i + 1].word = 1;
					i++;
				} else if (!strcmp(k->key, "un") && (!strcmp(next, "poco") || !strcmp(next, "poquito"))) {
					ti[i + 1].word = 1;
					ti[i + 1].role = R_DAMP;
					i++;
				}
			}
			if (lang == CXM_LANG_EN && i + 1 < t->ntok && t->tok[i + 1].kind == CXM_TOK_WORD &&
			    (!strcmp(k->key, "kind") || !strcmp(k->key, "sort")) && !strcmp(t->tok[i + 1].key, "of")) {
				x->val = 0; /* "kind of": a dampener, not kindness */
				ti[i + 1].word = 1;
				ti[i + 1].role = R_DAMP;
				i++;
			}
			/* boosters carry no valence of their own; in Spanish no
			 * rule word does. English negators keep VADER's ("no" is
			 * -1.2), except "no" before a rated word ("no problems"). */
			if (x->role == R_BOOST || x->role == R_DAMP || x->role == R_CONTRAST || x->role == R_POCO ||
			    (lang == CXM_LANG_ES && x->role != R_NONE && x->role != R_SKIP))
				x->val = 0;
			if (lang == CXM_LANG_EN && !strcmp(k->key, "no")) {
				x->role = R_NEGATOR;
				if (i + 1 < t->ntok && find_word(lx, t->tok[i + 1].key))
					x->val = 0;
			}
			if (x->val != 0)
				x->inlex = 1;
			break;
		default:
			break;
		}
		if (x->val != 0)
			matched++;
	}
	return matched;
}

/* The second pass: the rules that read a word's neighbours. */
static void apply_rules(const struct cxm_text *t, enum cxm_lang lang, const struct tokinfo *ti, double *out,
			bool cap_diff)
{
	unsigned window = lang == CXM_LANG_ES ? 4 : 3;

	for (size_t i = 0; i < t->ntok; i++) {
		const struct cxm_token *k = &t->tok[i];
		double v = ti[i].val;
		bool negated = false;
		unsigned dist = 0;

		out[i] = 0;
		if (v == 0)
			continue;
		if ((k->flags & CXM_TOKF_CAPS) && cap_diff)
			v += sign(v) * C_INCR;
		if (k->flags & CXM_TOKF_ELONGATED)
			v += sign(v) * ELONG_INCR;
		/* look back: boosters, dampeners and negators within the window */
		for (size_t j = i; j-- > 0 && dist < window;) {
			const struct tokinfo *p = &ti[j];
			const struct cxm_token *pk = &t->tok[j];
			double s = 0;

			if (pk->sentence != k->sentence || p->stop || p->role == R_CONTRAST)
				break;
			if (!p->word)
				continue;
			if (p->role == R_SKIP)
				continue;
			if (!p->inlex) {
				if (p->role == R_BOOST || p->role == R_DAMP) {
					s = p->role == R_BOOST ? B_INCR : -B_INCR;
					if (v < 0)
						s = -s;
					if ((pk->flags & CXM_TOKF_CAPS) && cap_diff)
						s += sign(s) * C_INCR;
				} else if (p->role == R_POCO && dist == 0) {
					if (v > 0)
						v *= POCO_SCALAR;
					else
						s = v < 0 ? B_INCR : 0;
				}
				if (dist == 1)
					s *= 0.95;
				else if (dist >= 2)
					s *= 0.9;
				v += s;
			}
			if (p->role == R_NEGATOR)
				negated = true;
			/* VADER's "least": negates unless "at least", "very least" */
			if (lang == CXM_LANG_EN && dist == 0 && !strcmp(pk->key, "least") &&
			    !(j > 0 && (!strcmp(t->tok[j - 1].key, "at") || !strcmp(t->tok[j - 1].key, "very"))))
				negated = true;
			dist++;
		}
		/* Spanish intensifiers after the word: "tardó muchísimo" */
		if (lang == CXM_LANG_ES) {
			for (size_t j = i + 1, d = 0; j < t->ntok && d < 2; j++) {
				if (t->tok[j].sentence != k->sentence || ti[j].stop || ti[j].inlex)
					break;
				if (!ti[j].word || ti[j].role == R_SKIP)
					continue;
				if (ti[j].role == R_POST_BOOST || (ti[j].role == R_BOOST && d == 0 &&
								    (j + 1 >= t->ntok || !ti[j + 1].inlex))) {
					v += sign(v) * B_INCR * (strcmp(t->tok[j].key, "muchisimo") ? 1 : 2);
					break;
				}
				d++;
			}
		}
		if (negated)
			v *= N_SCALAR;
		out[i] = v;
	}

	/* contrast: the clause before weighs less, the one after more */
	for (size_t c = 0; c < t->ntok; c++) {
		size_t s, first;

		if (ti[c].role != R_CONTRAST)
			continue;
		s = t->tok[c].sentence;
		first = c;
		while (first > 0 && t->tok[first - 1].sentence == s)
			first--;
		/* a sentence that opens with "Pero" weighs down the one before */
		if (first == c && first > 0) {
			size_t prev = t->tok[first - 1].sentence;

			while (first > 0 && t->tok[first - 1].sentence == prev)
				first--;
		}
		for (size_t j = first; j < c; j++)
			out[j] *= CONTRAST_BEFORE;
		for (size_t j = c + 1; j < t->ntok && t->tok[j].sentence == s; j++)
			out[j] *= CONTRAST_AFTER;
	}
}

/* VADER's emphasis of '!' (up to 4) and '?' (more than one) marks. */
static double punct_emphasis(const struct cxm_text *t, size_t from, size_t to)
{
	unsigned bang = 0, qm = 0;
	double e;

	for (size_t i = from; i < to; i++) {
		const struct cxm_token *k = &t->tok[i];

		if (k->kind != CXM_TOK_PUNCT)
			continue;
		for (const char *p = k->norm; *p; p++) {
			bang += *p == '!';
			qm += *p == '?';
		}
	}
	e = (bang > 4 ? 4 : bang) * 0.292;
	if (qm > 1)
		e += qm <= 3 ? qm * 0.18 : 0.96;
	return e;
}

static void score_range(const struct cxm_text *t, const struct tokinfo *ti, const double *contrib, size_t from,
			size_t to, struct cxm_sentiment_score *sc)
{
	double sum = 0, pos = 0, neg = 0, neu = 0, emph, total;

	for (size_t i = from; i < to; i++) {
		double c = contrib[i];

		sum += c;
		if (c > 0)
			pos += c + 1;
		else if (c < 0)
			neg += c - 1;
		else if (ti[i].word)
			neu += 1;
	}
	memset(sc, 0, sizeof(*sc));
	if (sum == 0) {
		sc->neu = 1;
		sc->label = CXM_SENTIMENT_NEUTRAL;
		return;
	}
	emph = punct_emphasis(t, from, to);
	sum += sign(sum) * emph;
	sc->compound = sum / sqrt(sum * sum + ALPHA);
	if (sc->compound > 1)
		sc->compound = 1;
	if (sc->compound < -1)
		sc->compound = -1;
	if (pos > -neg)
		pos += emph;
	else if (pos < -neg)
		neg -= emph;
	total = pos - neg + neu;
	sc->pos = pos / total;
	sc->neg = -neg / total;
	sc->neu = neu / total;
	sc->label = sc->compound >= CXM_SENTIMENT_THRESHOLD    ? CXM_SENTIMENT_POSITIVE
		    : sc->compound <= -CXM_SENTIMENT_THRESHOLD ? CXM_SENTIMENT_NEGATIVE
							       : CXM_SENTIMENT_NEUTRAL;
}

const char *cxm_sentiment_label_name(enum cxm_sentiment_label l)
{
	return l == CXM_SENTIMENT_POSITIVE ? "positive" : l == CXM_SENTIMENT_NEGATIVE ? "negative" : "neutral";
}

void cxm_sentiment_score(struct cxm_arena *a, struct cxm_stemmers *stemmers, const struct cxm_text *t,
			 enum cxm_lang lang, struct cxm_sentiment *out)
{
	struct tokinfo *ti;
	size_t ncaps = 0, nwords = 0, from = 0;

	memset(out, 0, sizeof(*out));
	if (lang != CXM_LANG_ES && lang != CXM_LANG_EN)
		lang = pick_lang(stemmers, t);
	out->lang = lang;
	out->ntok = t->ntok;
	out->nsentences = t->nsentences;
	out->contrib = cxm_arena_alloc(a, (t->ntok ? t->ntok : 1) * sizeof(*out->contrib));
	out->sentence = cxm_arena_alloc(a, (t->nsentences ? t->nsentences : 1) * sizeof(*out->sentence));
	ti = cxm_arena_alloc(a, (t->ntok ? t->ntok : 1) * sizeof(*ti));
	memset(ti, 0, (t->ntok ? t->ntok : 1) * sizeof(*ti));

	out->matched = lookup(stemmers, t, lang, ti);
	for (size_t i = 0; i < t->ntok; i++) {
		if (t->tok[i].kind != CXM_TOK_WORD)
			continue;
		nwords++;
		ncaps += (t->tok[i].flags & CXM_TOKF_CAPS) != 0;
	}
	/* capitals stand out only among words that are not */
	apply_rules(t, lang, ti, out->contrib, ncaps > 0 && ncaps < nwords);
	score_range(t, ti, out->contrib, 0, t->ntok, &out->text);
	for (size_t s = 0; s < t->nsentences; s++) {
		size_t to = from;

		while (to < t->ntok && t->tok[to].sentence == s)
			to++;
		score_range(t, ti, out->contrib, from, to, &out->sentence[s]);
		from = to;
	}
}
