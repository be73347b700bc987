/*
 * sentiment.c - sentiment of a tokenized text in the manner of VADER (Hutto
 * & Gilbert, ICWSM 2014): each word's valence from a lexicon (VADER's for
 * English, our own for Spanish, docs/text.md), then rules - phrases and
 * idioms, negation with a scope, boosters and dampeners, contrast words,
 * capitals, elongations, exclamation and question marks, emoji and
 * emoticons - summed and normalised into a compound score in [-1, 1].
 * Spanish then gets a pass for how things are said (es_discourse: wishes,
 * questions, irony, rueful laughter, speech markers, negative weighting).
 *
 * The lexicons are compiled into hash tables at build time (lexicon.h,
 * tools/gen-lexicon.c); the rule words (negators, boosters, ...) are in
 * sentiment-rules.h and, with their roles, in the same tables.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/text.h"
#include "lexicon.h"
#include "sentiment-rules.h"

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
/* Ours: a Spanish negated event with no rated word ("no me devolvieron el
 * dinero", "nunca llamaron"): what customers write is a failure. */
#define NEG_EVENT -0.9

/*
 * The role of a word that is a rule rather than a valence (rule words are
 * in the lexicon's hash table with their role, see sentiment-rules.h);
 * English contractions ("don't", "couldn’t") are negators too.
 */
static enum role role_of(enum cxm_lang lang, const struct cxm_lex_entry *e, const char *key)
{
	size_t n;

	if (e && CXM_LEX_ROLE(e))
		return (enum role)CXM_LEX_ROLE(e);
	if (lang != CXM_LANG_EN)
		return R_NONE;
	n = strlen(key);
	if ((n > 3 && !memcmp(key + n - 3, "n't", 3)) || (n > 5 && !memcmp(key + n - 5, "n\xe2\x80\x99t", 5)))
		return R_NEGATOR;
	return R_NONE;
}

/* Punctuation that ends a negation's or a booster's reach ('-' does not). */
static bool ends_scope(const char *p)
{
	return (p[0] && strchr(".,;:!?()[]\"", p[0])) || !strncmp(p, "\xc2\xa1", 2) /* ¡ */ ||
	       !strncmp(p, "\xc2\xbf", 2) /* ¿ */ || !strncmp(p, "\xe2\x80\xa6", 3) /* … */;
}

/* What the first pass learns about each token. */
struct tokinfo {
	float val;          /* its valence before the rules (0: none) */
	unsigned char role; /* enum role */
	unsigned char word; /* counts towards the neutral share (words, emoji, emoticons, hashtags) */
	unsigned char inlex; /* it has a valence of its own (VADER: "in the lexicon") */
	unsigned char stop; /* punctuation that ends a negation or booster scope */
	unsigned char fixed; /* its valence is final: no neighbour changes it (but contrast does) */
	unsigned char span;  /* tokens of its phrase (1: a single token) */
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
		/* U+200D U+2640 / U+2642: the woman's or man's form ("🤦‍♀️") */
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0x8d && p[3] == 0xe2 && p[4] == 0x99 &&
		    (p[5] == 0x80 || p[5] == 0x82)) {
			p += 6;
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

/* The valence of an emoticon: VADER's, as written or in lower case (":D", "xD"). */
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
static bool es_superlative(const char *key, size_t n, float *v)
{
	static const char *const sufs[] = {"isimos", "isimas", "isimo", "isima"};

	if (n < 7 ||
	    (memcmp(key + n - 6, "isim", 4) && memcmp(key + n - 5, "isim", 4) && memcmp(key + n - 4, "isim", 4)))
		return false;
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
static bool es_prefixed(struct cxm_stemmers *st, const char *key, size_t n, float *v)
{
	static const char *const pre[] = {"requete", "super", "ultra", "hiper", "archi", "re"};

	if (n < 6 || (key[0] != 'r' && key[0] != 's' && key[0] != 'u' && key[0] != 'h' && key[0] != 'a'))
		return false;
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t m = strlen(pre[i]);
		const struct cxm_lex_entry *e;

		if (strncmp(key, pre[i], m) || strlen(key + m) < 4)
			continue;
		e = find_word(&cxm_lex_es, key + m);
		if (!e && st && cxm_lex_has_stem_prefix(&cxm_lex_es, key + m, strlen(key + m))) {
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

/*
 * Spanish diminutives keep their word's valence: "malito", "tristito",
 * "cansadita", "pobrecito", "nuevecito", "poquito" (-quito: -co),
 * "amiguitos" (-guito: -go). Only a key of the lexicon counts as the base.
 */
static bool es_diminutive(const char *key, size_t n, float *v)
{
	static const char *const sufs[] = {"ecitos", "ecitas", "ecito", "ecita", "citos", "citas", "cito", "cita",
					   "itos",   "itas",   "ito",   "ita",   "illos", "illas", "illo", "illa"};
	/* the base keeps the suffix's gender ("ratito" is no "rata"); an
	 * adjective may be a key only in the masculine ("cansadita") */
	static const char *const masc[] = {"o", "e", "", NULL}, *const fem[] = {"a", "e", "", "o"};

	size_t sg = n && key[n - 1] == 's' ? n - 1 : n; /* without a plural's s */

	/* every suffix ends in -ito/-ita or -illo/-illa */
	if (sg < 5 || (key[sg - 1] != 'o' && key[sg - 1] != 'a') ||
	    !((key[sg - 3] == 'i' && key[sg - 2] == 't') ||
	      (key[sg - 4] == 'i' && key[sg - 3] == 'l' && key[sg - 2] == 'l')))
		return false;
	for (size_t i = 0; i < sizeof(sufs) / sizeof(sufs[0]); i++) {
		size_t stem = n - strlen(sufs[i]), m = strlen(sufs[i]);
		const char *const *ends = sufs[i][m - 1] == 'a' || sufs[i][m - 2] == 'a' ? fem : masc;
		char base[64];

		if (!ends_with(key, n, sufs[i]) || n < strlen(sufs[i]) + 2 || stem + 4 >= sizeof(base))
			continue;
		memcpy(base, key, stem);
		if (ends_with(key, stem, "qu") || ends_with(key, stem, "gu")) {
			base[stem - 2] = key[stem - 2] == 'q' ? 'c' : 'g';
			stem--;
		}
		for (size_t j = 0; j < 4 && ends[j]; j++) {
			const struct cxm_lex_entry *e;

			memcpy(base + stem, ends[j], strlen(ends[j]) + 1);
			if ((e = find_word(&cxm_lex_es, base)) && e->valence != 0) {
				*v = e->valence;
				return true;
			}
		}
	}
	return false;
}

/*
 * Spanish preterites and imperfects of -er and -ir verbs lose their suffix
 * with their accent ("suspendí", "perdió", "sufría" become the keys
 * "suspendi", "perdio", "sufria", which Snowball's suffixes, written with
 * the accent, miss): the stem of the accented form finds the verb
 * ("suspender", "perder", "sufrir"). Tried only on a key some prefix of
 * which is a stem of the lexicon.
 */
static bool es_accented_verb(struct cxm_stemmers *st, const char *norm, float *v)
{
	size_t n = strlen(norm);
	const unsigned char *p = (const unsigned char *)norm + n;
	const struct cxm_lex_entry *e;
	const char *stem;

	if (!st || n < 5)
		return false;
	/* í, ió; ía; ías, ían; íamos (í is C3 AD, ó C3 B3) */
	if (!(p[-2] == 0xc3 && (p[-1] == 0xad || (p[-1] == 0xb3 && p[-3] == 'i'))) &&
	    !(p[-3] == 0xc3 && p[-2] == 0xad && p[-1] == 'a') &&
	    !(p[-4] == 0xc3 && p[-3] == 0xad && p[-2] == 'a' && (p[-1] == 's' || p[-1] == 'n')) &&
	    !(n >= 7 && !memcmp(p - 6, "\xc3\xad" "amos", 6)))
		return false;
	stem = cxm_stem(st, CXM_LANG_ES, norm);
	e = cxm_lex_find(&cxm_lex_es.stems, stem, strlen(stem));
	if (!e || e->valence == 0)
		return false;
	*v = e->valence;
	return true;
}

/* The valence of a single Spanish word that is not a key of the lexicon;
 * norm is its accented form, if known and not the key. */
static bool es_inflected(struct cxm_stemmers *st, const char *key, const char *norm, float *v)
{
	const struct cxm_lex_entry *e;
	const char *stem;
	size_t n = strlen(key);

	if (es_superlative(key, n, v))
		return true;
	if (st && n >= 3 && cxm_lex_has_stem_prefix(&cxm_lex_es, key, n)) {
		stem = cxm_stem(st, CXM_LANG_ES, key);
		e = cxm_lex_find(&cxm_lex_es.stems, stem, strlen(stem));
		if (e) {
			*v = e->valence;
			return true;
		}
		if (norm && es_accented_verb(st, norm, v))
			return true;
	}
	return es_prefixed(st, key, n, v) || es_diminutive(key, n, v);
}

/*
 * A phrase of the lexicon starting at token i ("vale la pena", "cobrar de
 * más", "fed up"): the number of tokens it spans (0: none) and its valence.
 */
static size_t match_phrase(const struct cxm_lexicon *lx, const struct cxm_text *t, size_t i, unsigned maxw,
			   float *v)
{
	char buf[256];
	const struct cxm_token *a = &t->tok[i], *b = &t->tok[i + 1];
	size_t la, lb;

	/* every phrase's first two words are a key: most heads end here */
	if (i + 1 >= t->ntok || (b->kind != CXM_TOK_WORD && b->kind != CXM_TOK_NUMBER) || b->sentence != a->sentence ||
	    !cxm_lex_may_phrase(lx, a->keyhash, b->keyhash, 2))
		return 0;
	la = a->keylen;
	lb = b->keylen;
	if (la + lb + 2 > sizeof(buf))
		return 0;
	memcpy(buf, a->key, la);
	buf[la] = ' ';
	memcpy(buf + la + 1, b->key, lb);
	if (!cxm_lex_find(&lx->words, buf, la + 1 + lb))
		return 0;
	for (unsigned w = maxw; w >= 2; w--) {
		size_t n = 0;
		const struct cxm_lex_entry *e;
		unsigned k;

		if (i + w > t->ntok || !cxm_lex_may_phrase(lx, a->keyhash, t->tok[i + w - 1].keyhash, w))
			continue;
		for (k = 0; k < w; k++) {
			const struct cxm_token *tk = &t->tok[i + k];
			size_t m = tk->keylen;

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
	size_t n, js = 0;

	if (key[0] != 'j' || (n = strlen(key)) < 4)
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
	return lang == CXM_LANG_ES && !cxm_lex_find(&cxm_lex_es.words, t->tok[i].key, strlen(t->tok[i].key)) &&
	       es_inflected(st, t->tok[i].key, t->tok[i].norm != t->tok[i].key ? t->tok[i].norm : NULL, &v);
}

/* How many word tokens each lexicon knows: picks the language of an "other" text. */
static enum cxm_lang pick_lang(struct cxm_stemmers *st, const struct cxm_text *t)
{
	size_t es = 0, en = 0;

	for (size_t i = 0; i < t->ntok; i++) {
		const char *key = t->tok[i].key;
		size_t n = t->tok[i].keylen;

		if (t->tok[i].kind != CXM_TOK_WORD)
			continue;
		en += cxm_lex_find_hashed(&cxm_lex_en.words, key, n, t->tok[i].keyhash) != NULL;
		es += cxm_lex_find_hashed(&cxm_lex_es.words, key, n, t->tok[i].keyhash) != NULL;
	}
	/* a tie: Spanish inflections decide (stemming only then) */
	for (size_t i = 0; es == en && en && i < t->ntok; i++) {
		float v;

		if (t->tok[i].kind == CXM_TOK_WORD && es_inflected(st, t->tok[i].key, NULL, &v))
			es++;
	}
	return es > en ? CXM_LANG_ES : CXM_LANG_EN;
}

/*
 * A hashtag written in CamelCase is words: "#QuéVergüenza", "#NoMeGusta",
 * "#Todo_Mal". Splits its source at capitals, '_' and digits, reads the
 * words as keys (lower case, no accents), takes the phrase they make if
 * the lexicon has it, else sums the words, a negator turning the rest.
 */
static bool hashtag_valence(struct cxm_stemmers *st, const struct cxm_text *t, const struct cxm_token *k,
			    enum cxm_lang lang, float *v)
{
	const struct cxm_lexicon *lx = lexicon_of(lang);
	const unsigned char *p = (const unsigned char *)t->src + k->start + 1, *end = p + k->len - 1;
	char keys[8][48], phrase[400];
	size_t nk = 0, n = 0, pn = 0;
	double sum = 0;
	bool negated = false, rated = false;

	if (k->len < 2 || t->src[k->start] != '#')
		return false;
	for (; p <= end; p++) {
		int c = p < end ? *p : 0;
		bool upper = (c >= 'A' && c <= 'Z') ||
			     (c == 0xc3 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9e); /* À..Þ */
		bool brk = !c || c == '_' || (c >= '0' && c <= '9') || (upper && n > 0);

		if (brk && n) {
			if (nk == sizeof(keys) / sizeof(keys[0]))
				return false;
			keys[nk][n] = 0;
			nk++;
			n = 0;
		}
		if (!c || c == '_' || (c >= '0' && c <= '9'))
			continue;
		if (nk == sizeof(keys) / sizeof(keys[0]) || n + 3 >= sizeof(keys[0]))
			return false;
		if (c == 0xc3 && p + 1 < end) { /* U+00C0..U+00FF: accents dropped, ñ kept */
			static const char fold[] = "aaaaaaaceeeeiiiidnooooo" "xouuuuyts"; /* À..ß, à..ÿ */
			unsigned lo = p[1] >= 0xa0 ? p[1] - 0xa0u : p[1] - 0x80u;
			char f = lo < 32 ? fold[lo] : 0;

			if (lo == 0x11) { /* Ñ, ñ */
				keys[nk][n++] = (char)0xc3;
				keys[nk][n++] = (char)0xb1;
			} else if (f && !strchr("xtsd", f)) {
				keys[nk][n++] = f;
			} else {
				return false;
			}
			p++;
			continue;
		}
		if (c >= 0x80)
			return false;
		keys[nk][n++] = (char)(upper ? c + 32 : c);
	}
	if (nk < 2)
		return false;
	for (size_t i = 0; i < nk; i++) {
		size_t m = strlen(keys[i]);

		if (pn + m + 2 > sizeof(phrase))
			return false;
		if (i)
			phrase[pn++] = ' ';
		memcpy(phrase + pn, keys[i], m + 1);
		pn += m;
	}
	if (find_word(lx, phrase)) {
		*v = find_word(lx, phrase)->valence;
		return *v != 0;
	}
	for (size_t i = 0; i < nk; i++) {
		const struct cxm_lex_entry *e = cxm_lex_find(&lx->words, keys[i], strlen(keys[i]));
		float w = 0;

		if (e && role_of(lang, e, keys[i]) == R_NEGATOR) {
			negated = true;
			continue;
		}
		if (e && (e->flags & CXM_LEXF_VALENCE))
			w = e->valence;
		else if (lang == CXM_LANG_ES && !e && !es_inflected(st, keys[i], NULL, &w))
			w = 0;
		sum += negated ? w * N_SCALAR : w;
		rated |= w != 0;
	}
	if (!rated || sum == 0)
		return false;
	*v = (float)(sum > 4 ? 4 : sum < -4 ? -4 : sum);
	return true;
}

/*
 * Rule words whose role depends on the next word; returns the last token
 * they took (i, or i + 1 for a two-word rule).
 */
static size_t rule_in_context(struct cxm_stemmers *st, const struct cxm_text *t, enum cxm_lang lang,
			      struct tokinfo *ti, size_t i)
{
	const struct cxm_token *k = &t->tok[i];
	struct tokinfo *x = &ti[i];
	const char *next = i + 1 < t->ntok && t->tok[i + 1].kind == CXM_TOK_WORD ? t->tok[i + 1].key : "";

	if (lang == CXM_LANG_ES) {
		if (!strcmp(k->key, "bien")) {
			/* before a rated word it means "very": "bien caro" */
			x->role = R_NONE;
			if (rated(st, t, i + 1, lang)) {
				x->role = R_BOOST;
				x->val = 0;
			}
		} else if (k->key[0] == 'g' && !strcmp(k->key, "gran")) {
			/* before a rated word it raises it ("gran ayuda", "una gran
			 * decepción"); before a neutral noun it praises ("un gran día") */
			x->role = R_NONE;
			if (rated(st, t, i + 1, lang)) {
				x->role = R_BOOST;
				x->val = 0;
			}
		} else if (!strcmp(k->key, "para")) {
			/* "para nada" that ends a clause answers "not at all",
			 * unless it stresses a negation before it ("no me gustó
			 * para nada") */
			bool negated = false;

			x->role = R_NONE;
			for (size_t j = i, n = 0; j-- > 0 && n < 12 && t->tok[j].sentence == k->sentence && !ti[j].stop; n++)
				negated |= ti[j].role == R_NEGATOR;
			if (!negated && !strcmp(next, "nada") &&
			    (i + 2 >= t->ntok || t->tok[i + 2].kind == CXM_TOK_PUNCT ||
			     t->tok[i + 2].sentence != k->sentence))
				x->val = -1.0f;
		} else if ((!strcmp(k->key, "sin") && !strcmp(next, "embargo")) ||
			   (!strcmp(k->key, "no") && !strcmp(next, "obstante"))) {
			x->role = R_CONTRAST;
			ti[i + 1].word = 1;
			return i + 1;
		} else if (!strcmp(k->key, "no") &&
			   (!strcmp(next, "solo") || !strcmp(next, "solamente") || !strcmp(next, "unicamente"))) {
			x->role = R_NONE; /* "no solo ... sino": not only, but also */
		} else if (!strcmp(k->key, "un") && (!strcmp(next, "poco") || !strcmp(next, "poquito"))) {
			ti[i + 1].word = 1;
			ti[i + 1].role = R_DAMP;
			return i + 1;
		}
		return i;
	}
	if (x->role == R_SPECIAL) { /* "kind of", "sort of": a dampener, not kindness */
		x->role = R_NONE;
		if (!strcmp(next, "of")) {
			x->val = 0;
			ti[i + 1].word = 1;
			ti[i + 1].role = R_DAMP;
			return i + 1;
		}
	}
	if (!strcmp(k->key, "no")) { /* VADER: "no" before a rated word is only a negator */
		x->role = R_NEGATOR;
		if (next[0] && find_word(&cxm_lex_en, next))
			x->val = 0;
	}
	return i;
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
			x->stop = ends_scope(k->norm);
			break;
		case CXM_TOK_WORD:
		case CXM_TOK_HASHTAG:
			x->word = 1;
			e = cxm_lex_find_hashed(&lx->words, k->key, k->keylen, k->keyhash);
			if (e && ((e->flags >> CXM_LEXF_PHRASE_SHIFT) & 0xfu) && k->kind == CXM_TOK_WORD) {
				size_t w = match_phrase(lx, t, i, (e->flags >> CXM_LEXF_PHRASE_SHIFT) & 0xfu, &v);

				if (w) {
					x->val = v;
					x->inlex = 1;
					x->span = (unsigned char)w;
					for (size_t j = 1; j < w; j++)
						ti[i + j].word = 1; /* inside the phrase: no valence or role */
					i += w - 1;
					break;
				}
			}
			x->role = (unsigned char)role_of(lang, e, k->key);
			if (e && (e->flags & CXM_LEXF_VALENCE))
				x->val = e->valence;
			else if (lang == CXM_LANG_ES && !e &&
				 /* the tokenizer shares norm and key when they are the same */
				 es_inflected(st, k->key, k->norm != k->key ? k->norm : NULL, &v))
				x->val = v;
			else if (x->role == R_NONE && is_laugh(k->key))
				x->val = 1.6f;
			else if (k->kind == CXM_TOK_HASHTAG && hashtag_valence(st, t, k, lang, &v))
				x->val = v;
			if (x->role != R_NONE && x->role != R_BOOST)
				i = rule_in_context(st, t, lang, ti, i);
			/* boosters carry no valence of their own; in Spanish no
			 * rule word does. English negators keep VADER's ("no" is
			 * -1.2), except "no" before a rated word ("no problems"). */
			if (x->role == R_BOOST || x->role == R_DAMP || x->role == R_CONTRAST || x->role == R_POCO ||
			    (lang == CXM_LANG_ES && x->role != R_NONE && x->role != R_SKIP))
				x->val = 0;
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

/* strcmp, inline: the keys and the words of the lists are short. */
static int key_cmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p && *p == *q)
		p++, q++;
	return (int)*p - (int)*q;
}

/* Whether key is in list, a static list in strcmp order (the lists below are). */
static bool key_in(const char *key, const char *const *list, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(key, list[mid]);

		if (!c)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

#define KEY_IN(key, list) key_in(key, list, sizeof(list) / sizeof(list[0]))

/*
 * More Spanish negated events (docs/text.md, rule 6): "ni" ("ni me
 * contestaron"), "ningún"/"ninguna" ("ninguna respuesta"), and "sin" after
 * a verb of lasting or running out, or "todavía", "aún", "otra vez", "de
 * nuevo": "sigo sin entender", "llevamos una semana sin respuesta", "me
 * quedé sin saldo", "otra vez sin cobertura".
 */
static bool es_more_negated_events(const struct cxm_text *t, const struct tokinfo *ti, size_t i)
{
	static const char *const more[] = {"ni", "ningun", "ninguna", "ninguno"};
	static const char *const lasting[] = {"aun", "continua", "continuan", "lleva", "llevamos", "llevan",
		"llevas", "llevo", "nuevamente", "nuevo", "quedado", "quedamos", "quedaron", "quedarse",
		"quedaste", "quede", "quedo", "seguia", "seguian", "seguimos", "seguir", "sigo", "sigue",
		"siguen", "sigues", "todavia", "vez"};
	const char *k = t->tok[i].key;

	if (KEY_IN(k, more))
		return true;
	if (strcmp(k, "sin"))
		return false;
	/* up to three words back in its sentence, past clitics */
	for (size_t j = i, n = 0; j-- > 0 && n < 3 && t->tok[j].sentence == t->tok[i].sentence && !ti[j].stop;) {
		if (t->tok[j].kind != CXM_TOK_WORD || ti[j].role == R_SKIP)
			continue;
		if (KEY_IN(t->tok[j].key, lasting))
			return true;
		n++;
	}
	return false;
}

/* "No sabía que...", "no esperaba", "no creo que": a negated thought is no failure. */
static bool es_negated_thought(const struct cxm_text *t, size_t i)
{
	static const char *const think[] = {"creia", "creo", "esperaba", "esperabamos", "imaginaba", "imagine",
		"pensaba", "pense", "sabe", "sabemos", "sabia", "sabiamos", "sabian"};

	if (i + 1 >= t->ntok || t->tok[i + 1].sentence != t->tok[i].sentence)
		return false;
	return KEY_IN(t->tok[i + 1].key, think) || !strcmp(t->tok[i + 1].norm, "s\xc3\xa9"); /* sé */
}

/* Spanish negative concord: after "no" these repeat its negation ("no vino
 * nadie", "no me dijeron nada"), they do not add one. */
static bool es_concord(const char *key)
{
	static const char *const concord[] = {"jamas", "nada", "nadie", "ni", "ningun", "ninguna", "ninguno",
		"nunca", "tampoco"};

	return KEY_IN(key, concord);
}

/* "¿Por qué no ...?" asks for what did not happen: a complaint, not a question. */
static bool es_why_not(const struct cxm_text *t, size_t i)
{
	const char *p1 = i > 0 ? t->tok[i - 1].key : "", *p2 = i > 1 ? t->tok[i - 2].key : "";

	if (strcmp(t->tok[i].key, "no"))
		return false;
	return !strcmp(p1, "porque") || !strcmp(p1, "xq") || !strcmp(p1, "pq") ||
	       (!strcmp(p1, "que") && !strcmp(p2, "por"));
}

/*
 * Spanish negated events: "no", "nunca", "jamás", "tampoco" or "nadie"
 * whose scope (the next 4 words up to a comma, full stop or contrast word)
 * holds words but none with a valence: "no me devolvieron el dinero", "el
 * técnico nunca vino". In a customer's comment that is a failure, so the
 * negator carries NEG_EVENT itself. Not in a question ("¿no tienen
 * envío?"), nor for "no solo ... sino".
 */
static void es_negated_events(const struct cxm_text *t, struct tokinfo *ti)
{
	static const char *const negs[] = {"no", "nunca", "jamas", "tampoco", "nadie"};

	for (size_t i = 0; i < t->ntok; i++) {
		const struct cxm_token *k = &t->tok[i];
		size_t words = 0, j, d;
		bool rated = false, known = false, question = false;

		if (ti[i].role != R_NEGATOR)
			continue;
		for (d = 0; d < sizeof(negs) / sizeof(negs[0]); d++)
			known |= !strcmp(k->key, negs[d]);
		known = (known || es_more_negated_events(t, ti, i)) && !es_negated_thought(t, i);
		if (!known || (i + 1 < t->ntok && (!strcmp(t->tok[i + 1].key, "solo") || !strcmp(t->tok[i + 1].key, "sólo"))))
			continue;
		for (j = i + 1, d = 0; j < t->ntok && d < 4 && t->tok[j].sentence == k->sentence; j++) {
			if (ti[j].stop || ti[j].role == R_CONTRAST)
				break;
			if (ti[j].val == 0 && es_concord(t->tok[j].key))
				continue; /* "no me dijeron nada": one negation */
			if (ti[j].val != 0 || ti[j].role == R_NEGATOR) {
				rated = true;
				break;
			}
			if (ti[j].word && ti[j].role != R_SKIP) {
				words++;
				d++;
			}
		}
		if (rated || !words)
			continue;
		for (j = i; j < t->ntok && t->tok[j].sentence == k->sentence; j++)
			question |= t->tok[j].kind == CXM_TOK_PUNCT && strchr(t->tok[j].norm, '?');
		for (j = i; j-- > 0 && t->tok[j].sentence == k->sentence;)
			question |= !strncmp(t->tok[j].norm, "\xc2\xbf", 2); /* ¿ */
		if (question && !es_why_not(t, i))
			continue;
		ti[i].val = NEG_EVENT;
		ti[i].fixed = 1;
	}
}

/* Whether token i is a word whose first letter is a capital and whose
 * others are not all capitals (ASCII A-Z or Latin-1 À..Þ in UTF-8). */
static bool es_capitalised(const struct cxm_text *t, size_t i)
{
	const unsigned char *p = (const unsigned char *)t->src + t->tok[i].start;

	if (t->tok[i].kind != CXM_TOK_WORD || (t->tok[i].flags & CXM_TOKF_CAPS))
		return false;
	return (p[0] >= 'A' && p[0] <= 'Z') || (p[0] == 0xc3 && t->tok[i].len > 1 && p[1] >= 0x80 && p[1] <= 0x9e);
}

/*
 * Proper nouns (docs/text.md, rule 2). Spanish capitalises names and
 * little else (no days, months, nationalities, languages or titles), so a
 * capitalised word inside a sentence is most likely part of a name ("vivo
 * en Buenos Aires", "el hospital Buen Pastor", "hablé con Feliz", "ganó el
 * Real Madrid"): its valence says nothing of the writer. Tweets often drop
 * the full stop between two sentences, so a capital after a content word
 * may open a new one ("pésimo servicio Nunca más"); the word counts as a
 * name only after a word that cannot end a sentence (an article, a
 * preposition, a conjunction: "en", "del", "con", "y") or next to another
 * capitalised word of the sentence ("Hospital Buen Pastor"). A text in
 * title case (most words capitalised) names nothing by its capitals.
 * Single words only: a phrase of the lexicon keeps its valence. Called
 * only for a text with a capitalised rated word inside a sentence.
 */
static void es_names(const struct cxm_text *t, struct tokinfo *ti)
{
	static const char *const before[] = {"a", "al", "ante", "con", "contra", "de", "del", "desde", "don", "doña",
		"e", "el", "en", "entre", "hacia", "hasta", "la", "las", "los", "mi", "mis", "o", "para",
		"por", "san", "santa", "sr", "sra", "su", "sus", "tu", "tus", "u", "un", "una", "y"};
	size_t inner = 0, caps = 0, i;

	/* title case: capitals on most words that do not open a sentence */
	for (i = 1; i < t->ntok; i++) {
		if (t->tok[i].kind != CXM_TOK_WORD || t->tok[i - 1].kind != CXM_TOK_WORD ||
		    t->tok[i - 1].sentence != t->tok[i].sentence)
			continue;
		inner++;
		caps += es_capitalised(t, i);
	}
	if (caps * 2 > inner)
		return;
	for (i = 1; i < t->ntok; i++) {
		const struct cxm_token *p = &t->tok[i - 1];
		bool nxt;

		if (ti[i].val == 0 || ti[i].span > 1 || ti[i].role != R_NONE || !es_capitalised(t, i) ||
		    p->kind != CXM_TOK_WORD || p->sentence != t->tok[i].sentence)
			continue;
		nxt = i + 1 < t->ntok && t->tok[i + 1].sentence == t->tok[i].sentence && es_capitalised(t, i + 1);
		if (!nxt && !KEY_IN(p->key, before) && !(i >= 2 && t->tok[i - 2].kind == CXM_TOK_WORD &&
							 t->tok[i - 2].sentence == p->sentence && es_capitalised(t, i - 1)))
			continue;
		ti[i].val = 0;
		ti[i].inlex = 0;
	}
}

/*
 * The plural imperatives of a demand to a company ("¡contesten!",
 * "arreglen", es_valence.tsv) are also its present subjunctive, and negated
 * they report the same failure: "es increíble que no contesten", "me
 * indigna que no me devuelvan el dinero". Negation does not turn them.
 */
static bool es_demand(const char *key)
{
	static const char *const demands[] = {"arreglen", "atiendan", "contesten", "devuelvan", "respondan",
		"solucionen"};

	return KEY_IN(key, demands);
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
		/* an emoji or emoticon says how the writer feels: no word turns it */
		if (k->kind == CXM_TOK_EMOJI || k->kind == CXM_TOK_EMOTICON || ti[i].fixed) {
			out[i] = v;
			continue;
		}
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
			if (p->role == R_LEAST && dist == 0 &&
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
		if (negated && !(lang == CXM_LANG_ES && v < 0 && es_demand(k->key)))
			v *= N_SCALAR;
		out[i] = v;
	}

	/*
	 * contrast: the clause before weighs less, the one after more. Per
	 * sentence, its last contrast word counts (as VADER's one "but"), so
	 * the pass is linear however many there are.
	 */
	for (size_t first = 0, prev_first = 0; first < t->ntok;) {
		size_t end = first, c = SIZE_MAX, from;

		while (end < t->ntok && t->tok[end].sentence == t->tok[first].sentence) {
			if (ti[end].role == R_CONTRAST)
				c = end;
			end++;
		}
		if (c != SIZE_MAX) {
			/* a sentence that opens with "Pero" weighs down the one before */
			from = c == first ? prev_first : first;
			for (size_t j = from; j < c; j++)
				out[j] *= CONTRAST_BEFORE;
			for (size_t j = c + 1; j < end; j++)
				out[j] *= CONTRAST_AFTER;
		}
		prev_first = first;
		first = end;
	}
}

/* What a text or a sentence adds up to, before it becomes a score. */
struct mass {
	double sum, pos, neg, neu; /* VADER's sum and its positive, negative and neutral masses */
	unsigned bang, qm;         /* '!' and '?' marks */
};

static void add_token(struct mass *m, const struct cxm_token *k, const struct tokinfo *x, double c)
{
	m->sum += c;
	if (c > 0)
		m->pos += c + 1;
	else if (c < 0)
		m->neg += c - 1;
	else if (x->word)
		m->neu += 1;
	if (k->kind == CXM_TOK_PUNCT)
		for (const char *p = k->norm; *p; p++) {
			m->bang += *p == '!';
			m->qm += *p == '?';
		}
}

static void finish(const struct mass *m, struct cxm_sentiment_score *sc)
{
	double sum = m->sum, pos = m->pos, neg = m->neg, emph, total;

	memset(sc, 0, sizeof(*sc));
	if (sum == 0) {
		sc->neu = 1;
		sc->label = CXM_SENTIMENT_NEUTRAL;
		return;
	}
	/* VADER's emphasis of '!' (up to 4) and '?' (more than one) marks */
	emph = (m->bang > 4 ? 4 : m->bang) * 0.292;
	if (m->qm > 1)
		emph += m->qm <= 3 ? m->qm * 0.18 : 0.96;
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
	total = pos - neg + m->neu;
	sc->pos = pos / total;
	sc->neg = -neg / total;
	sc->neu = m->neu / total;
	sc->label = sc->compound >= CXM_SENTIMENT_THRESHOLD    ? CXM_SENTIMENT_POSITIVE
		    : sc->compound <= -CXM_SENTIMENT_THRESHOLD ? CXM_SENTIMENT_NEGATIVE
							       : CXM_SENTIMENT_NEUTRAL;
}

/*
 * ---- Spanish discourse: wishes, questions, markers, irony, laughter ----
 *
 * A pass over the contributions once the word rules and contrast are done
 * (docs/text.md, rules 9 to 16).
 */

/* Ours: a positive word in a wish or a "should" ("ojalá fuera rápido",
 * "deberían ser más amables") names what is missing, not what happened;
 * one in a question asks rather than says ("¿es bueno?"). Irony turns
 * praise as a negation does ("Genial, otra vez sin luz"). */
#define IRREALIS_SCALAR 0.2
#define QUESTION_SCALAR 0.5
#define IRONY_SCALAR N_SCALAR
/* SO-CAL's negative weighting (Taboada et al., Computational Linguistics
 * 2011): a negative word weighs half as much again, since positive words
 * are the more common ones. Spanish only; English keeps VADER's sum. */
#define NEGATIVITY_WEIGHT 1.5

/* The key of the word token at i if it is in sentence s, else "". */
static const char *word_at(const struct cxm_text *t, size_t i, unsigned s)
{
	return i < t->ntok && t->tok[i].sentence == s && t->tok[i].kind == CXM_TOK_WORD ? t->tok[i].key : "";
}

/* A past subjunctive after "si" ("si fuera", "si tuvieran", "si hubiese"). */
static bool es_past_subjunctive(const char *key)
{
	static const char *const ends[] = {"iera", "ieras", "ieran", "ieramos", "ara", "aras", "aran", "aramos",
					   "iese", "ieses", "iesen", "ase", "asen", "uera", "ueran"};
	size_t n = strlen(key);

	if (n < 4 || !strcmp(key, "para") || !strcmp(key, "cara") || !strcmp(key, "clara"))
		return false;
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (ends_with(key, n, ends[i]))
			return true;
	return false;
}

/* Whether key is a Spanish infinitive, bare or with clitics ("ser", "volver", "decirle", "devolvérmelo"). */
static bool es_infinitive(const char *key)
{
	static const char *const clitics[] = {"las", "les", "los", "nos", "la", "le", "lo", "me", "os", "se", "te"};
	size_t n = strlen(key);

	for (int pass = 0; pass < 2; pass++) { /* up to two clitics: "darmelo" */
		size_t c;

		if (n >= 3 && key[n - 1] == 'r' && strchr("aei", key[n - 2]))
			return true;
		for (c = 0; c < sizeof(clitics) / sizeof(clitics[0]); c++) {
			size_t m = strlen(clitics[c]);

			if (n > m + 2 && !memcmp(key + n - m, clitics[c], m)) {
				n -= m;
				break;
			}
		}
		if (c == sizeof(clitics) / sizeof(clitics[0]))
			return false;
	}
	return n >= 3 && key[n - 1] == 'r' && strchr("aei", key[n - 2]);
}

/*
 * Does token i open a wish or a "should": "ojalá", "quisiera", "me
 * gustaría", "deberían", "podrían", "espero que", "quiero que", "tendrían
 * que", "a ver si", "si tan solo", "si fuera"? Returns its tokens (0: no).
 */
static size_t es_irrealis_at(const struct cxm_text *t, const struct tokinfo *ti, size_t i)
{
	unsigned s = t->tok[i].sentence;
	const char *k = t->tok[i].key, *n1, *n2;

	if (t->tok[i].kind != CXM_TOK_WORD)
		return 0;
	/* the conditional of ser, estar, poder is irrealis (SO-CAL's, Taboada
	 * et al. 2011): "sería genial que contestaran"; "seria" without its
	 * accent is "serious" */
	if (ti[i].role == R_WISH || (ti[i].role == R_COND && strstr(t->tok[i].norm, "\xc3\xad"))) /* í */
		return 1;
	/* "esperamos" keeps its own valence (we wait), so it is no rule word */
	if (ti[i].role == R_WISH_QUE || (k[0] == 'e' && !strcmp(k, "esperamos"))) {
		n1 = word_at(t, i + 1, s);
		/* "quiero que", "espero que"; a verb of will before an infinitive
		 * wants it too ("quiero ser feliz", "esperaba encontrar algo mejor") */
		return !strcmp(n1, "que") ? 2 : es_infinitive(n1) ? 1 : 0;
	}
	if ((k[0] == 'a' && !k[1]) || (k[0] == 's' && k[1] == 'i' && !k[2])) { /* "a ver si", "si ..." */
		n1 = word_at(t, i + 1, s);
		n2 = word_at(t, i + 2, s);
		if (k[0] == 'a')
			return !strcmp(n1, "ver") && !strcmp(n2, "si") ? 3 : 0;
		if (!strcmp(n1, "tan") && !strcmp(n2, "solo"))
			return 3;
		return es_past_subjunctive(n1) ? 1 : 0;
	}
	return 0;
}

/* Wishes: positive contributions from the trigger to the end of its clause. */
static void es_irrealis(const struct cxm_text *t, const struct tokinfo *ti, double *out)
{
	for (size_t i = 0; i < t->ntok; i++) {
		size_t w = es_irrealis_at(t, ti, i), j;

		if (!w)
			continue;
		for (j = i; j < t->ntok && t->tok[j].sentence == t->tok[i].sentence; j++) {
			if (j >= i + w && (ti[j].stop || ti[j].role == R_CONTRAST))
				break;
			if (out[j] > 0)
				out[j] *= j < i + w ? 0 : IRREALIS_SCALAR; /* "me gustaría" itself is no praise */
		}
		i = j ? j - 1 : 0;
	}
}

/* Questions: positive contributions between "¿" (or the sentence's start) and "?". */
static void es_questions(const struct cxm_text *t, double *out)
{
	for (size_t first = 0; first < t->ntok;) {
		size_t end = first, from = first;
		bool asked = false;

		for (; end < t->ntok && t->tok[end].sentence == t->tok[first].sentence; end++) {
			if (t->tok[end].kind != CXM_TOK_PUNCT)
				continue;
			if (!strncmp(t->tok[end].norm, "\xc2\xbf", 2) && !asked) /* ¿ */
				from = end;
			asked |= strchr(t->tok[end].norm, '?') != NULL;
		}
		for (size_t j = from; asked && j < end; j++)
			if (out[j] > 0)
				out[j] *= QUESTION_SCALAR;
		first = end;
	}
}

/* The first word of sentence s at or after i, past the fillers of speech. */
static size_t es_sentence_head(const struct cxm_text *t, size_t i)
{
	static const char *const fillers[] = {"ah", "ay", "bueno", "muy", "oh", "pues", "que", "uy", "y"};
	unsigned s = t->tok[i].sentence;

	while (i < t->ntok && t->tok[i].sentence == s &&
	       (t->tok[i].kind == CXM_TOK_PUNCT || (i + 1 < t->ntok && t->tok[i + 1].kind == CXM_TOK_WORD &&
						    KEY_IN(t->tok[i].key, fillers))))
		i++;
	return i;
}

/* Whether token i is a comma, an ellipsis, a full stop or an exclamation mark. */
static bool es_pause(const struct cxm_text *t, size_t i)
{
	const char *p;

	if (i >= t->ntok || t->tok[i].kind != CXM_TOK_PUNCT)
		return false;
	p = t->tok[i].norm;
	return p[0] == ',' || p[0] == '.' || p[0] == '!' || !strncmp(p, "\xe2\x80\xa6", 3);
}

/*
 * "Bueno, ..." and "Vale, ..." that open a sentence are markers of speech
 * ("well", "OK"), not praise.
 */
static void es_markers(const struct cxm_text *t, double *out)
{
	static const char *const markers[] = {"bno", "bueno", "vale", "weno"};

	for (size_t i = 0; i < t->ntok; i++) {
		size_t j = i;

		if (i && t->tok[i - 1].sentence == t->tok[i].sentence)
			continue;
		while (j < t->ntok && t->tok[j].sentence == t->tok[i].sentence && t->tok[j].kind == CXM_TOK_PUNCT)
			j++;
		if (j + 1 < t->ntok && t->tok[j].sentence == t->tok[i].sentence && t->tok[j].kind == CXM_TOK_WORD &&
		    KEY_IN(t->tok[j].key, markers) && es_pause(t, j + 1) && t->tok[j + 1].norm[0] != '!')
			out[j] = 0;
	}
}

/*
 * Irony: praise that opens a sentence, alone before a pause, followed by a
 * text that adds up negative with no contrast word ("Genial, otra vez sin
 * luz", "Qué bien... me cobraron dos veces", "Gracias, llegó roto") is
 * turned like a negated word.
 */
static void es_irony(const struct cxm_text *t, const struct tokinfo *ti, double *out)
{
	static const char *const praise[] = {"bien", "bonito", "bravo", "buenisimo", "enhorabuena",
		"estupendo", "excelente", "fantastico", "felicidades", "fenomenal", "genial", "gracias",
		"lindo", "maravilla", "maravilloso", "ole", "perfecta", "perfecto"};

	for (size_t i = 0; i < t->ntok; i++) {
		size_t r, span;
		double rest = 0;
		bool turn = false;

		if (i && t->tok[i - 1].sentence == t->tok[i].sentence)
			continue;
		r = es_sentence_head(t, i);
		/* "qué bien", "muy bonito": the phrase's valence sits on its first word */
		while (r > i && t->tok[r - 1].kind == CXM_TOK_WORD && ti[r - 1].span > 1)
			r--;
		if (r >= t->ntok || out[r] <= 0 || t->tok[r].sentence != t->tok[i].sentence)
			continue;
		span = ti[r].span ? ti[r].span : 1;
		if (!KEY_IN(t->tok[r + span - 1].key, praise) || !es_pause(t, r + span))
			continue;
		for (size_t j = r + span; j < t->ntok; j++) {
			if (ti[j].role == R_CONTRAST)
				break;
			rest += out[j];
			turn = j + 1 == t->ntok && rest < 0;
		}
		if (turn)
			out[r] *= IRONY_SCALAR;
	}
}

/* Whether token i is laughter: "jajaja", "jeje", "jsjs", "xd", "lol", and
 * the laughing faces 😂 😅 😆 😹 🤣 (U+1F602, 1F605, 1F606, 1F639, 1F923). */
static bool es_laughter(const struct cxm_text *t, size_t i)
{
	static const char *const faces[] = {"\xf0\x9f\x98\x82", "\xf0\x9f\x98\x85", "\xf0\x9f\x98\x86",
					    "\xf0\x9f\x98\xb9", "\xf0\x9f\xa4\xa3"};
	const char *k = t->tok[i].key;

	if (t->tok[i].kind == CXM_TOK_EMOJI)
		return KEY_IN(t->tok[i].norm, faces);
	if (t->tok[i].kind == CXM_TOK_EMOTICON)
		return (k[0] == 'x' || k[0] == 'X') && (k[1] == 'd' || k[1] == 'D') && !k[2];
	return t->tok[i].kind == CXM_TOK_WORD &&
	       (is_laugh(k) || (k[0] == 'x' && !strcmp(k, "xd")) || (k[0] == 'l' && !strcmp(k, "lol")));
}

/* Laughter in a text that adds up negative is rueful, not joy: it adds nothing. */
static void es_rueful_laughter(const struct cxm_text *t, double *out)
{
	double rest = 0;
	bool laughs = false;

	for (size_t i = 0; i < t->ntok; i++) {
		if (es_laughter(t, i))
			laughs = true;
		else
			rest += out[i];
	}
	for (size_t i = 0; laughs && rest < 0 && i < t->ntok; i++)
		if (es_laughter(t, i) && out[i] > 0)
			out[i] = 0;
}

/*
 * "Mejor" before a clitic or "no" is "I'd rather" ("mejor me voy", "mejor
 * no digo nada", "mejor lo dejo"), not "better": no praise. "El mejor",
 * "lo mejor", "mi mejor" stay.
 */
static void es_rather(const struct cxm_text *t, double *out)
{
	static const char *const next[] = {"la", "le", "les", "lo", "me", "ni", "no", "nos", "os", "se", "te"};
	static const char *const det[] = {"el", "la", "las", "lo", "los", "mi", "mis", "nuestra", "nuestro",
		"su", "sus", "tu", "tus", "un", "una"};

	for (size_t i = 0; i + 1 < t->ntok; i++) {
		if (out[i] <= 0 || strcmp(t->tok[i].key, "mejor") || t->tok[i + 1].sentence != t->tok[i].sentence ||
		    !KEY_IN(t->tok[i + 1].key, next))
			continue;
		if (i > 0 && t->tok[i - 1].sentence == t->tok[i].sentence && KEY_IN(t->tok[i - 1].key, det))
			continue;
		out[i] = 0;
	}
}

/*
 * Lacking: "falta", "faltan", "carece" turn the positive words of their
 * clause, up to 3 words on ("le falta calidad", "carece de sentido común",
 * "faltó amabilidad"), as a negation does; their own valence stays.
 */
static void es_lacking(const struct cxm_text *t, const struct tokinfo *ti, double *out)
{
	static const char *const lack[] = {"carece", "carecemos", "carecen", "carecia", "carecian", "falta",
		"faltaba", "faltaban", "faltan", "faltaron", "falto"};

	for (size_t i = 0; i < t->ntok; i++) {
		const char *k = t->tok[i].key;

		if (t->tok[i].kind != CXM_TOK_WORD || (k[0] != 'f' && k[0] != 'c') || strlen(k) < 5 || !KEY_IN(k, lack))
			continue;
		for (size_t j = i + 1, d = 0; j < t->ntok && d < 3 && t->tok[j].sentence == t->tok[i].sentence; j++) {
			if (ti[j].stop || ti[j].role == R_CONTRAST)
				break;
			if (!ti[j].word || ti[j].role == R_SKIP || !strcmp(t->tok[j].key, "de"))
				continue;
			if (out[j] > 0)
				out[j] *= N_SCALAR;
			d++;
		}
	}
}

/*
 * "Aunque" that opens its sentence opens the concession, not the point:
 * "Aunque tardó, el producto es excelente". The contrast rule weighed the
 * whole sentence after it x1.5; the concession, up to the first comma,
 * weighs x0.5 instead (as the words before "pero" do).
 */
static void es_concession(const struct cxm_text *t, const struct tokinfo *ti, double *out)
{
	for (size_t i = 0; i < t->ntok; i++) {
		size_t j, c = i;
		bool comma = false;

		if ((i && t->tok[i - 1].sentence == t->tok[i].sentence) || strcmp(t->tok[i].key, "aunque"))
			continue;
		/* only when it is its sentence's last contrast word (the one the rule applied) */
		for (j = i + 1; j < t->ntok && t->tok[j].sentence == t->tok[i].sentence; j++) {
			if (ti[j].role == R_CONTRAST)
				c = j;
			if (!comma && t->tok[j].kind == CXM_TOK_PUNCT && t->tok[j].norm[0] == ',')
				comma = true;
		}
		if (c != i || !comma)
			continue;
		for (j = i + 1; j < t->ntok && !(t->tok[j].kind == CXM_TOK_PUNCT && t->tok[j].norm[0] == ','); j++)
			out[j] *= CONTRAST_BEFORE / CONTRAST_AFTER;
	}
}

/*
 * Phatic formulas (docs/text.md, rule 15): greetings, thanks and
 * leave-takings that open or close a text are ritual politeness, not an
 * evaluation ("Buenos días, llevo una semana sin luz", "Todo llegó roto.
 * Saludos", "Hola, me encantó"). Each is a string of keys; F_OPEN may open
 * a text, F_CLOSE close it.
 */
enum { F_OPEN = 1, F_CLOSE = 2 };

static const struct {
	const char *words;
	unsigned char where;
} es_formulas[] = {
	{"abrazos", F_CLOSE}, {"adios", F_CLOSE}, {"atentamente", F_CLOSE}, {"besitos", F_CLOSE},
	{"besos", F_CLOSE}, {"bendiciones", F_CLOSE}, {"buen dia", F_OPEN | F_CLOSE},
	{"buen fin de semana", F_OPEN | F_CLOSE}, {"buen finde", F_OPEN | F_CLOSE}, {"buenas", F_OPEN},
	{"buenas noches", F_OPEN | F_CLOSE}, {"buenas tardes", F_OPEN | F_CLOSE},
	{"buenos dias", F_OPEN | F_CLOSE}, {"chao", F_CLOSE}, {"cordiales saludos", F_CLOSE},
	{"cordialmente", F_CLOSE}, {"feliz dia", F_OPEN | F_CLOSE}, {"feliz fin de semana", F_OPEN | F_CLOSE},
	{"feliz finde", F_OPEN | F_CLOSE}, {"feliz noche", F_OPEN | F_CLOSE}, {"feliz semana", F_OPEN | F_CLOSE},
	{"feliz tarde", F_OPEN | F_CLOSE}, {"gracias", F_OPEN | F_CLOSE}, {"graciass", F_OPEN | F_CLOSE},
	{"hasta luego", F_CLOSE}, {"hasta pronto", F_CLOSE}, {"hola", F_OPEN}, {"mil gracias", F_OPEN | F_CLOSE},
	{"muchas gracias", F_OPEN | F_CLOSE}, {"muchisimas gracias", F_OPEN | F_CLOSE}, {"nos vemos", F_CLOSE},
	{"salu2", F_OPEN | F_CLOSE}, {"saludo", F_CLOSE}, {"saludos", F_OPEN | F_CLOSE},
	{"saludos cordiales", F_CLOSE}, {"un abrazo", F_CLOSE}, {"un beso", F_CLOSE},
	{"un fuerte abrazo", F_CLOSE}, {"un saludo", F_OPEN | F_CLOSE},
};

/* The tokens of formula f if the word tokens from i spell it, in one sentence (0: no). */
static size_t es_formula_at(const struct cxm_text *t, size_t i, const char *f)
{
	size_t n = 0;

	for (const char *w = f; *w; n++) {
		size_t m = strcspn(w, " ");

		if (i + n >= t->ntok || t->tok[i + n].kind != CXM_TOK_WORD ||
		    t->tok[i + n].sentence != t->tok[i].sentence || strncmp(t->tok[i + n].key, w, m) ||
		    t->tok[i + n].key[m])
			return 0;
		w += m + (w[m] == ' ');
	}
	return n;
}

/* Tokens that frame a text without saying anything: marks, mentions, links, hashtags, emoji. */
static bool es_frame(const struct cxm_token *k)
{
	return k->kind == CXM_TOK_PUNCT || k->kind == CXM_TOK_MENTION || k->kind == CXM_TOK_URL ||
	       k->kind == CXM_TOK_HASHTAG || k->kind == CXM_TOK_EMOJI || k->kind == CXM_TOK_EMOTICON;
}

/* The longest formula of kind where spelled from token i: its tokens (0: none). */
static size_t es_formula(const struct cxm_text *t, size_t i, unsigned where)
{
	size_t best = 0;

	if (i >= t->ntok || t->tok[i].kind != CXM_TOK_WORD || !strchr("abcfghmnsu", t->tok[i].key[0]))
		return 0;
	for (size_t f = 0; f < sizeof(es_formulas) / sizeof(es_formulas[0]); f++) {
		size_t n;

		if ((es_formulas[f].where & where) && es_formulas[f].words[0] == t->tok[i].key[0] &&
		    (n = es_formula_at(t, i, es_formulas[f].words)) > best)
			best = n;
	}
	return best;
}

/*
 * The formulas that open and close the text weigh nothing when the rest of
 * it says something (when it says nothing else, the greeting or the thanks
 * is the message: "¡Muchas gracias!"). Thanks for something is praise, not
 * a formula ("gracias por la rapidez", "gracias a ustedes"); a greeting
 * opens the text, a leave-taking closes it after a pause ("..., saludos";
 * "les doy las gracias" is no formula); "Buenas" opens only before a pause
 * ("Buenas noticias" is news).
 */
static void es_phatic(const struct cxm_text *t, double *out)
{
	static const char *const thanks_for[] = {"a", "de", "por", "porque", "x"};
	/* the first words of the opening formulas and the last of the closing ones, to skip most texts */
	static const char *const opening[] = {"buen", "buenas", "buenos", "feliz", "gracias", "graciass", "hola",
		"mil", "muchas", "muchisimas", "salu2", "saludos", "un"};
	static const char *const closing[] = {"abrazo", "abrazos", "adios", "atentamente", "bendiciones", "besitos",
		"beso", "besos", "chao", "cordiales", "cordialmente", "dia", "finde", "gracias", "graciass", "luego",
		"noche", "noches", "pronto", "salu2", "saludo", "saludos", "semana", "tarde", "tardes", "vemos"};
	size_t o = 0, on = 0, c = t->ntok, cn = 0, j;
	double rest = 0;
	bool praise_o = false, praise_c = false;

	while (o < t->ntok && es_frame(&t->tok[o]))
		o++;
	while (c > o && es_frame(&t->tok[c - 1]))
		c--;
	/* a formula weighs only when praise is within 4 tokens of an edge: most texts stop here */
	for (j = 0; j < 4; j++) {
		praise_o |= o + j < c && out[o + j] > 0;
		praise_c |= c > o + j && out[c - 1 - j] > 0;
	}
	if (praise_o && strchr("bfghmsu", t->tok[o].key[0]) && KEY_IN(t->tok[o].key, opening) &&
	    (on = es_formula(t, o, F_OPEN))) {
		const char *last = t->tok[o + on - 1].key;

		for (j = o + on; j < t->ntok && t->tok[j].kind == CXM_TOK_MENTION; j++)
			;
		if ((!strcmp(last, "buenas") && o + 1 < t->ntok && t->tok[o + 1].kind == CXM_TOK_WORD) ||
		    (strstr(last, "gracias") && j < t->ntok && t->tok[j].kind == CXM_TOK_WORD &&
		     KEY_IN(t->tok[j].key, thanks_for)))
			on = 0;
	}
	/* the longest closing formula that ends at c and follows a pause or opens its sentence */
	for (size_t n = 4; praise_c && c > o + on && KEY_IN(t->tok[c - 1].key, closing) && n >= 1 && !cn; n--) {
		size_t f = c >= n ? c - n : 0;

		if (c < n || f < o + on || es_formula(t, f, F_CLOSE) != n)
			continue;
		if (f > 0 && t->tok[f - 1].sentence == t->tok[f].sentence && !es_frame(&t->tok[f - 1]))
			continue;
		cn = n;
	}
	if (!on && !cn)
		return;
	for (j = 0; j < t->ntok; j++)
		if ((j < o || j >= o + on) && (j < c - cn || j >= c))
			rest += out[j];
	if (rest == 0)
		return;
	for (j = o; j < o + on; j++)
		out[j] = out[j] > 0 ? 0 : out[j];
	for (j = c - cn; j < c; j++)
		out[j] = out[j] > 0 ? 0 : out[j];
}

/*
 * Decline and doubt: praise of how things were ("antes era buenísimo",
 * "solía ser rápido") says they are no longer so, and "supuesto",
 * "supuestamente" doubt what they qualify ("el supuesto buen servicio"):
 * the positive words of that clause are turned like negated ones.
 */
static void es_decline(const struct cxm_text *t, const struct tokinfo *ti, double *out)
{
	static const char *const was[] = {"era", "eran", "eras", "estaba", "estaban", "fue", "fueron",
		"funcionaba", "funcionaban", "habia", "tenia", "tenian"};
	static const char *const used[] = {"solia", "solian", "supuesta", "supuestamente", "supuestas",
		"supuesto", "supuestos"};

	for (size_t i = 0; i < t->ntok; i++) {
		unsigned s = t->tok[i].sentence;
		const char *k = t->tok[i].key, *next = word_at(t, i + 1, s);
		size_t j = i + 1;

		if (t->tok[i].kind != CXM_TOK_WORD || (k[0] != 'a' && k[0] != 's') || strlen(k) < 5)
			continue;
		if (!strcmp(k, "antes")) {
			/* "antes" + a past of being, within two words ("antes todo era", "antes sí era") */
			size_t d = 0;

			if (!strcmp(next, "de") || !strcmp(next, "que"))
				continue;
			for (; j < t->ntok && d < 3 && t->tok[j].sentence == s && !ti[j].stop; j++, d++)
				if (t->tok[j].kind == CXM_TOK_WORD && KEY_IN(t->tok[j].key, was))
					break;
			if (d == 3 || j >= t->ntok || t->tok[j].sentence != s || ti[j].stop)
				continue;
		} else if (!KEY_IN(k, used) || (i > 0 && !strcmp(t->tok[i - 1].key, "por"))) {
			continue; /* "por supuesto" is "of course" */
		}
		for (; j < t->ntok && t->tok[j].sentence == s; j++) {
			if (ti[j].stop || ti[j].role == R_CONTRAST)
				break;
			if (out[j] > 0)
				out[j] *= N_SCALAR;
		}
	}
}

/* Whether a mark is a quotation mark: " “ ” « » (straight, curly, angled). */
static bool es_quote(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return u[0] == '"' || (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0x9c || u[2] == 0x9d)) ||
	       (u[0] == 0xc2 && (u[1] == 0xab || u[1] == 0xbb));
}

/*
 * Scare quotes: Spanish marks a word used ironically with quotation marks
 * (the RAE's Ortografía, 2010, on "comillas"): 'el "excelente" servicio',
 * 'la «rapidez» de siempre'. A positive word quoted alone or with one
 * other word inside running text is turned as a negated one; a longer
 * quotation (what someone said, a title) stays.
 */
static void es_scare_quotes(const struct cxm_text *t, const struct tokinfo *ti, double *out)
{
	for (size_t i = 0; i < t->ntok; i++) {
		size_t j, words = 0;
		bool praise = false, outside = false;

		if (t->tok[i].kind != CXM_TOK_PUNCT || !es_quote(t->tok[i].norm))
			continue;
		for (j = i + 1; j < t->ntok && t->tok[j].kind != CXM_TOK_PUNCT && words <= 2; j++) {
			words += ti[j].word;
			praise |= out[j] > 0;
		}
		/* the mark at j, if it is no closing one, may open the next quotation */
		if (j >= t->ntok || !es_quote(t->tok[j].norm) || !words || words > 2)
			continue;
		/* a text that is only the quotation is no irony */
		for (size_t q = 0; q < t->ntok && !outside; q++)
			outside = (q < i || q > j) && t->tok[q].kind == CXM_TOK_WORD;
		for (size_t q = i + 1; praise && outside && q < j; q++)
			if (out[q] > 0)
				out[q] *= IRONY_SCALAR;
		i = j;
	}
}

/* What a text holds that the passes of es_discourse look for. */
enum {
	D_AUNQUE = 1, D_MARKER = 2, D_MEJOR = 4, D_LACK = 8, D_DECLINE = 16, D_WISH = 32, D_ASK = 64,
	D_POS = 128, D_NEG = 256, D_LAUGH = 512, D_QUOTE = 1024
};

/* One scan of the text, so that most texts skip most passes. */
static unsigned es_scan(const struct cxm_text *t, const struct tokinfo *ti, const double *out)
{
	static const char *const lack[] = {"carece", "carecemos", "carecen", "carecia", "carecian", "falta",
		"faltaba", "faltaban", "faltan", "faltaron", "falto"};
	static const char *const doubt[] = {"solia", "solian", "supuesta", "supuestamente", "supuestas", "supuesto",
		"supuestos"};
	unsigned f = 0;

	for (size_t i = 0; i < t->ntok; i++) {
		const struct cxm_token *k = &t->tok[i];
		const char *w = k->key;

		f |= out[i] > 0 ? D_POS : out[i] < 0 ? D_NEG : 0;
		if (k->kind == CXM_TOK_PUNCT) {
			f |= strchr(k->norm, '?') ? D_ASK : 0;
			f |= es_quote(k->norm) ? D_QUOTE : 0;
			continue;
		}
		if (k->kind != CXM_TOK_WORD) {
			f |= es_laughter(t, i) ? D_LAUGH : 0;
			continue;
		}
		switch (w[0]) {
		case 'a':
			f |= !w[1] ? D_WISH : !strcmp(w, "aunque") ? D_AUNQUE : !strcmp(w, "antes") ? D_DECLINE : 0;
			break;
		case 'b':
		case 'v':
		case 'w':
			f |= D_MARKER;
			break;
		case 'c':
		case 'f':
			f |= strlen(w) >= 5 && KEY_IN(w, lack) ? D_LACK : 0;
			break;
		case 'j':
		case 'l':
		case 'x':
			f |= es_laughter(t, i) ? D_LAUGH : 0;
			break;
		case 'm':
			f |= !strcmp(w, "mejor") ? D_MEJOR : 0;
			break;
		case 's':
			f |= w[1] == 'i' && !w[2] ? D_WISH : strlen(w) >= 5 && KEY_IN(w, doubt) ? D_DECLINE : 0;
			break;
		default:
			break;
		}
		/* only rule words, "a" (ver si), "si" and "esperamos" can open a wish */
		if (!(f & D_WISH) && (ti[i].role >= R_WISH || (w[0] == 'a' && !w[1]) || (w[0] == 's' && w[1] == 'i' && !w[2]) ||
				      (w[0] == 'e' && w[1] == 's' && w[2] == 'p')) &&
		    es_irrealis_at(t, ti, i))
			f |= D_WISH;
	}
	/* lacking and decline turn praise negative */
	if (f & (D_LACK | D_DECLINE))
		f |= D_NEG;
	return f;
}

static void es_discourse(const struct cxm_text *t, const struct tokinfo *ti, double *out)
{
	unsigned f = es_scan(t, ti, out);

	if (f & D_AUNQUE)
		es_concession(t, ti, out);
	if (f & D_MARKER)
		es_markers(t, out);
	if (f & D_MEJOR)
		es_rather(t, out);
	if (f & D_LACK)
		es_lacking(t, ti, out);
	if (f & D_DECLINE)
		es_decline(t, ti, out);
	if (f & D_WISH)
		es_irrealis(t, ti, out);
	if ((f & D_ASK) && (f & D_POS))
		es_questions(t, out);
	if ((f & D_QUOTE) && (f & D_POS))
		es_scare_quotes(t, ti, out);
	if ((f & D_NEG) && (f & D_POS))
		es_irony(t, ti, out);
	if ((f & D_NEG) && (f & D_LAUGH))
		es_rueful_laughter(t, out);
	if (f & D_POS) /* a formula weighs only by its praise */
		es_phatic(t, out);
	if (!(f & D_NEG))
		return;
	for (size_t i = 0; i < t->ntok; i++)
		if (out[i] < 0 && (t->tok[i].kind == CXM_TOK_WORD || t->tok[i].kind == CXM_TOK_HASHTAG))
			out[i] *= NEGATIVITY_WEIGHT;
}

const char *cxm_sentiment_label_name(enum cxm_sentiment_label l)
{
	return l == CXM_SENTIMENT_POSITIVE ? "positive" : l == CXM_SENTIMENT_NEGATIVE ? "negative" : "neutral";
}

void cxm_sentiment_score(struct cxm_arena *a, struct cxm_stemmers *stemmers, const struct cxm_text *t,
			 enum cxm_lang lang, struct cxm_sentiment *out)
{
	struct tokinfo *ti;
	size_t ncaps = 0, nwords = 0;
	bool name = false;
	struct mass all = {0}, sm = {0};

	memset(out, 0, sizeof(*out));
	if (lang != CXM_LANG_ES && lang != CXM_LANG_EN)
		lang = pick_lang(stemmers, t);
	out->lang = lang;
	out->ntok = t->ntok;
	out->nsentences = t->nsentences;
	out->contrib = cxm_arena_alloc(a, (t->ntok ? t->ntok : 1) * sizeof(*out->contrib));
	out->span = cxm_arena_alloc(a, t->ntok ? t->ntok : 1);
	out->sentence = cxm_arena_alloc(a, (t->nsentences ? t->nsentences : 1) * sizeof(*out->sentence));
	ti = cxm_arena_alloc(a, (t->ntok ? t->ntok : 1) * sizeof(*ti));
	memset(ti, 0, (t->ntok ? t->ntok : 1) * sizeof(*ti));

	out->matched = lookup(stemmers, t, lang, ti);
	for (size_t i = 0; i < t->ntok; i++) {
		if (t->tok[i].kind != CXM_TOK_WORD)
			continue;
		nwords++;
		ncaps += (t->tok[i].flags & CXM_TOKF_CAPS) != 0;
		/* a rated word with a capital after a word of its sentence: maybe a name */
		name |= ti[i].val != 0 && lang == CXM_LANG_ES && i && t->tok[i - 1].kind == CXM_TOK_WORD &&
			t->tok[i - 1].sentence == t->tok[i].sentence && es_capitalised(t, i);
	}
	if (lang == CXM_LANG_ES) {
		if (name)
			es_names(t, ti);
		es_negated_events(t, ti);
	}
	/* capitals stand out only among words that are not */
	apply_rules(t, lang, ti, out->contrib, ncaps > 0 && ncaps < nwords);
	if (lang == CXM_LANG_ES)
		es_discourse(t, ti, out->contrib);
	for (size_t i = 0; i < t->ntok; i++)
		out->span[i] = ti[i].span ? ti[i].span : 1;
	/* one pass for the text and its sentences (tokens come in sentence order) */
	for (size_t i = 0, s = 0; i <= t->ntok; i++) {
		if (i == t->ntok || t->tok[i].sentence != s) {
			if (s < t->nsentences)
				finish(&sm, &out->sentence[s]);
			if (i == t->ntok)
				break;
			for (s++; s < t->tok[i].sentence; s++) /* a sentence without tokens */
				finish(&(struct mass){0}, &out->sentence[s]);
			memset(&sm, 0, sizeof(sm));
		}
		add_token(&sm, &t->tok[i], &ti[i], out->contrib[i]);
		add_token(&all, &t->tok[i], &ti[i], out->contrib[i]);
	}
	for (size_t s = t->ntok ? t->tok[t->ntok - 1].sentence + 1 : 0; s < t->nsentences; s++)
		finish(&(struct mass){0}, &out->sentence[s]);
	finish(&all, &out->text);
}
