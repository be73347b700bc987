/*
 * discover.c - themes discovered in a tenant's own comments: the phrases
 * that set one group (say, detractors) apart from the other (promoters),
 * by the weighted log-odds ratio with an informative Dirichlet prior of
 * Monroe, Colaresi and Quinn (2008), "Fightin' Words". The formula and its
 * choices are in docs/text.md ("Themes").
 */
#include "cxm/core.h"
#include "cxm/map.h"
#include "cxm/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Stop words (key form): our own short lists of Spanish and English
 * function words. Negators ("no", "nunca", "sin", "not", "never") are not
 * stop words, so "no llegó" stays a phrase; nor are words that carry
 * sentiment or intensity on their own ("bien", "mal", "muy", "poco").
 */
static const char *const stop_es[] = {
	"a", "al", "algo", "algun", "alguna", "algunas", "alguno", "algunos", "ante", "antes", "asi", "aun",
	"cada", "como", "con", "cual", "cuando", "de", "del", "desde", "donde", "durante", "e", "el", "ella",
	"ellas", "ellos", "en", "entre", "era", "eran", "es", "esa", "esas", "ese", "eso", "esos", "esta",
	"estaba", "estado", "estan", "estar", "estas", "este", "esto", "estos", "estoy", "fue", "fueron", "ha",
	"habia", "han", "hasta", "hay", "he", "hemos", "la", "las", "le", "les", "lo", "los", "me", "mi", "mis",
	"nos", "nosotros", "o", "os", "otra", "otras", "otro", "otros", "para", "pero", "por", "porque", "que",
	"quien", "se", "sea", "ser", "si", "sido", "sobre", "son", "soy", "su", "sus", "te", "tambien", "tengo",
	"ti", "tiene", "tienen", "todo", "todos", "tu", "tus", "u", "un", "una", "unas", "uno", "unos", "usted",
	"ustedes", "vez", "y", "ya", "yo",
};
static const char *const stop_en[] = {
	"a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
	"before", "being", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have",
	"he", "her", "here", "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its",
	"just", "me", "my", "of", "on", "or", "our", "out", "she", "so", "some", "than", "that", "the", "their",
	"them", "then", "there", "these", "they", "this", "those", "to", "up", "us", "was", "we", "were", "what",
	"when", "where", "which", "while", "who", "will", "with", "would", "you", "your",
};

static bool listed(const char *const *list, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], key))
			return true;
	return false;
}

static bool stop_word(enum cxm_lang lang, const char *key)
{
	return (lang != CXM_LANG_EN && listed(stop_es, sizeof(stop_es) / sizeof(*stop_es), key)) ||
	       (lang != CXM_LANG_ES && listed(stop_en, sizeof(stop_en) / sizeof(*stop_en), key));
}

#define MAX_GRAM 3
#define GRAM_BYTES 256

struct gram {
	char *text;
	uint8_t nwords;
	uint32_t count[2];
	size_t last_doc; /* counts a phrase once per text */
	uint32_t example[2][3];
	uint8_t nexample[2];
};

struct grams {
	struct cxm_map index;
	struct gram *g;
	size_t n, cap;
};

static void count_gram(struct grams *G, const char *text, uint8_t nwords, size_t doc, uint8_t group)
{
	int64_t at;
	struct gram *g;
	if (cxm_map_get(&G->index, text, &at)) {
		g = &G->g[at];
		if (g->last_doc == doc)
			return;
	} else {
		if (G->n == G->cap) {
			G->cap = G->cap ? 2 * G->cap : 1024;
			G->g = xrealloc(G->g, G->cap * sizeof(*G->g));
		}
		cxm_map_put(&G->index, text, (int64_t)G->n);
		g = &G->g[G->n++];
		*g = (struct gram){ .text = xstrdup(text), .nwords = nwords };
	}
	g->last_doc = doc;
	g->count[group]++;
	if (g->nexample[group] < 3)
		g->example[group][g->nexample[group]++] = (uint32_t)doc;
}

/* The phrases of one text: n-grams of the words of each run of words. */
static void count_doc(struct grams *G, const struct cxm_discover_doc *d, size_t doc)
{
	const struct cxm_text *t = d->text;
	if (d->group > 1)
		BUG("a discovery group is 0 or 1");
	for (size_t i = 0; i < t->ntok; i++) {
		char buf[GRAM_BYTES];
		size_t len = 0;
		for (size_t n = 0; n < MAX_GRAM && i + n < t->ntok; n++) {
			const struct cxm_token *k = &t->tok[i + n];
			if (k->kind != CXM_TOK_WORD || !k->key || k->sentence != t->tok[i].sentence)
				break;
			size_t kl = strlen(k->key);
			if (len + kl + 2 > sizeof(buf))
				break;
			if (n)
				buf[len++] = ' ';
			memcpy(buf + len, k->key, kl + 1);
			len += kl;
			if (stop_word(d->lang, t->tok[i].key))
				break; /* a phrase does not start with a stop word */
			if (!stop_word(d->lang, k->key))
				count_gram(G, buf, (uint8_t)(n + 1), doc, d->group);
		}
	}
}

/* whether phrase a holds phrase b, on word boundaries */
static bool holds(const char *a, const char *b)
{
	size_t n = strlen(b);
	for (const char *p = a; (p = strstr(p, b)); p++)
		if ((p == a || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

struct ranked {
	const struct gram *g;
	double delta, z;
};

static int by_z(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;
	if (a->z != b->z)
		return a->z > b->z ? -1 : 1;
	if (a->g->nwords != b->g->nwords)
		return b->g->nwords - a->g->nwords; /* the longer phrase says more */
	return strcmp(a->g->text, b->g->text);
}

void cxm_text_discover(const struct cxm_discover_doc *docs, size_t ndocs, const struct cxm_discover_opts *opts,
		       struct cxm_arena *a, struct cxm_discovered *out)
{
	size_t top_k = opts && opts->top_k ? opts->top_k : 10;
	uint32_t min_count = opts && opts->min_count ? opts->min_count : 3;
	struct grams G = { 0 };
	double n[2] = { 0, 0 };

	memset(out, 0, sizeof(*out));
	cxm_map_init(&G.index);
	for (size_t i = 0; i < ndocs; i++)
		count_doc(&G, &docs[i], i);
	for (size_t i = 0; i < G.n; i++)
		n[0] += G.g[i].count[0], n[1] += G.g[i].count[1];
	double a0 = opts && opts->prior > 0 ? opts->prior : n[0] + n[1];

	struct ranked *r = xcalloc(G.n + 1, sizeof(*r));
	size_t nr = 0;
	for (size_t i = 0; i < G.n && n[0] > 0 && n[1] > 0; i++) {
		const struct gram *g = &G.g[i];
		double y0 = g->count[0], y1 = g->count[1];
		if (y0 + y1 < min_count)
			continue;
		double aw = a0 * (y0 + y1) / (n[0] + n[1]);
		double d = log((y1 + aw) / (n[1] + a0 - y1 - aw)) - log((y0 + aw) / (n[0] + a0 - y0 - aw));
		double var = 1 / (y1 + aw) + 1 / (y0 + aw);
		r[nr++] = (struct ranked){ g, d, d / sqrt(var) };
	}

	for (int side = 0; side < 2; side++) {
		/* z > 0 leans to group 1; the other side reads the ranking negated */
		for (size_t i = 0; i < nr; i++)
			r[i].z = -r[i].z, r[i].delta = -r[i].delta;
		qsort(r, nr, sizeof(*r), by_z);
		struct cxm_phrase *p = cxm_arena_alloc(a, (top_k + 1) * sizeof(*p));
		size_t np = 0;
		for (size_t i = 0; i < nr && np < top_k && r[i].z > 0; i++) {
			const struct gram *g = r[i].g;
			if (!g->count[side])
				continue;
			/*
			 * A phrase mostly seen inside (or around) one already
			 * listed says nothing new: "espera" after "tiempo de espera".
			 */
			bool dup = false;
			for (size_t j = 0; j < np && !dup; j++) {
				double c = g->count[side], cj = p[j].count[side];
				dup = (holds(p[j].text, g->text) || holds(g->text, p[j].text)) &&
				      fabs(c - cj) <= 0.2 * (c > cj ? c : cj);
			}
			if (dup)
				continue;
			p[np] = (struct cxm_phrase){ .text = cxm_arena_strdup(a, g->text), .nwords = g->nwords,
						     .group = (uint8_t)side, .delta = r[i].delta, .z = r[i].z,
						     .count = { g->count[0], g->count[1] },
						     .nexample = g->nexample[side] };
			memcpy(p[np].example, g->example[side], sizeof(p[np].example));
			np++;
		}
		out->phrase[side] = p;
		out->nphrase[side] = np;
	}
	free(r);
	for (size_t i = 0; i < G.n; i++)
		free(G.g[i].text);
	free(G.g);
	cxm_map_release(&G.index);
}
