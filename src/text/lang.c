/*
 * lang.c - Spanish, English or other, for short customer comments.
 *
 * Each word votes: common function words (our own lists, by key, so
 * accents do not matter) count one for their language; spelling hints
 * count less (ñ, accented vowels, ¿ ¡ and endings such as -ción or -mente
 * for Spanish; contractions, "th", "w", "k" and endings such as -ing or
 * -ly for English). The winner needs enough evidence and a clear share of
 * it; docs/text.md gives the thresholds.
 */
#include "cxm/text.h"
#include "text-internal.h"

#include <string.h>

/* Words that are common in one language and rare in the other ("a", "no", "me" are in both). */
static const char *const es_words[] = {
	"de", "la", "que", "el", "en", "y", "los", "se", "del", "las", "un", "por", "con", "una", "su", "para",
	"es", "al", "lo", "como", "mas", "pero", "sus", "le", "ya", "este", "si", "porque", "esta", "entre",
	"cuando", "muy", "sin", "sobre", "tambien", "hasta", "hay", "donde", "quien", "desde", "todo", "nos",
	"durante", "todos", "uno", "les", "ni", "contra", "otros", "ese", "eso", "ante", "ellos", "esto", "mi",
	"antes", "algunos", "unos", "yo", "otro", "otras", "otra", "tanto", "esa", "estos", "mucho",
	"muchos", "nada", "poco", "ella", "estar", "estas", "algo", "nosotros", "mis", "tu", "te", "ti", "tus",
	"ellas", "estoy", "estaba", "fue", "fueron", "ser", "son", "era", "han", "hemos", "tiene", "tengo",
	"nunca", "siempre", "bien", "mal", "nadie", "aqui", "bueno", "buena", "gracias", "hace", "puede",
	"vez", "despues", "pues", "entonces", "aunque", "tampoco", "ningun", "ninguna", "mejor", "peor", "pedido",
	"llego", "tarde", "servicio", "atencion", "excelente", "cuenta", "dinero", "gusto", "quiero",
	"hicieron", "hizo", "dijo", "pesimo", "malo", "mala", "rapido", "lento", "precio", "producto", "tienda",
};

static const char *const en_words[] = {
	"the", "and", "is", "are", "was", "were", "be", "been", "being", "to", "of", "in", "it", "that", "this",
	"for", "with", "on", "at", "by", "from", "as", "an", "have", "has", "had", "do", "does", "did", "not",
	"but", "or", "if", "they", "we", "you", "your", "i", "my", "he", "she", "his", "her", "its", "our",
	"their", "them", "there", "what", "which", "who", "when", "where", "why", "how", "all", "any", "can",
	"could", "would", "should", "will", "just", "very", "so", "too", "than", "then", "also", "only",
	"about", "after", "before", "because", "more", "most", "some", "such", "into", "out", "up", "again",
	"don't", "didn't", "can't", "won't", "it's", "i'm", "never", "nothing", "nobody", "good", "great",
	"bad", "service", "thanks", "thank", "late", "order", "please", "love", "time", "really", "got", "get",
	"like", "delivery", "arrived", "slow", "fast", "price", "product", "store", "staff", "awful", "terrible",
};

/* Common words of Portuguese, French, Italian and German that neither language uses. */
static const char *const other_words[] = {
	"e", "nao", "uma", "um", "isso", "muito", "voce", "com", "ao", "do", "da", "dos", "das", "em", "foi", "meu",
	"et", "est", "je", "ne", "pas", "avec", "une", "des", "du", "qui", "il", "nous", "vous", "pour", "dans",
	"sur", "au", "aux", "ce", "cette", "mais", "tres", "c'est", "j'ai", "m'a", "che", "di", "per", "sono",
	"molto", "della", "gli", "und", "der", "die", "das", "ist", "nicht", "ich", "sehr", "mit", "ein", "eine",
};

static bool listed(const char *const *list, size_t n, const char *w)
{
	for (size_t k = 0; k < n; k++)
		if (list[k][0] == w[0] && !strcmp(list[k], w))
			return true;
	return false;
}

static bool ends_with(const char *w, size_t n, const char *suffix, size_t min_len)
{
	size_t m = strlen(suffix);
	return n >= min_len && n > m && !memcmp(w + n - m, suffix, m);
}

/* The spelling hints of one word: its norm (accents) and key (endings, letters). */
/* Letters with marks that Spanish does not use: ã õ ç à â è ê ë î ï ô û ù œ ß ä ö. */
static bool foreign_marks(const char *norm)
{
	static const char *const marks[] = { "ã", "õ", "ç", "à", "â", "è", "ê", "ë", "î", "ï", "ô", "û", "ù", "œ", "ß",
					     "ä", "ö" };
	for (size_t k = 0; k < sizeof(marks) / sizeof(*marks); k++)
		if (strstr(norm, marks[k]))
			return true;
	return false;
}

static void hints(const struct cxm_token *tok, double *es, double *en, double *other)
{
	const char *norm = tok->norm, *key = tok->key;
	size_t n = strlen(key);

	if (strstr(norm, "\xC3\xB1")) /* ñ */
		*es += 1.0;
	else if (foreign_marks(norm))
		*other += 1.0;
	else if (strcmp(norm, key)) /* á é í ó ú ü */
		*es += 0.75;
	if (ends_with(key, n, "cion", 5) || ends_with(key, n, "mente", 7) || ends_with(key, n, "ado", 5) ||
	    ends_with(key, n, "ido", 5) || ends_with(key, n, "aron", 5) || ends_with(key, n, "ando", 5))
		*es += 0.5;
	if (ends_with(key, n, "ing", 5) || ends_with(key, n, "tion", 5) || ends_with(key, n, "ly", 5) ||
	    ends_with(key, n, "ness", 5) || ends_with(key, n, "ed", 5) || strchr(key, '\''))
		*en += 0.5;
	if (ends_with(key, n, "ou", 4) || strstr(key, "nh") || strstr(key, "lh"))
		*other += 0.5; /* Portuguese: chegou, ninguém, olhar */
	if (strstr(key, "th") || strstr(key, "sh") || strchr(key, 'w') || strchr(key, 'k'))
		*en += 0.3;
}

enum cxm_lang cxm_text_language(const struct cxm_text *t, double *confidence)
{
	double es = 0, en = 0, other = 0;
	size_t words = 0, voted = 0;
	enum cxm_lang lang = CXM_LANG_OTHER;
	double conf = 0;

	for (size_t i = 0; i < t->ntok; i++) {
		const struct cxm_token *tok = &t->tok[i];
		if (tok->kind == CXM_TOK_PUNCT && (!strncmp(tok->norm, "\xC2\xBF", 2) || !strncmp(tok->norm, "\xC2\xA1", 2))) {
			es += 1.0; /* ¿ ¡ */
			continue;
		}
		if (tok->kind != CXM_TOK_WORD && tok->kind != CXM_TOK_HASHTAG)
			continue;
		if (!ascii_alpha((unsigned char)tok->key[0]) && (unsigned char)tok->key[0] < 0x80)
			continue; /* "24h" */
		words++;
		double e0 = es, n0 = en;
		if (listed(es_words, sizeof(es_words) / sizeof(*es_words), tok->key))
			es += 1.0;
		if (listed(en_words, sizeof(en_words) / sizeof(*en_words), tok->key))
			en += 1.0;
		if (listed(other_words, sizeof(other_words) / sizeof(*other_words), tok->key))
			other += 1.0;
		hints(tok, &es, &en, &other);
		voted += es > e0 || en > n0;
	}
	double total = es + en;
	/*
	 * Enough evidence (about two function words), a share of at least 70%,
	 * and, in longer texts, votes from at least a fifth of the words (a
	 * Portuguese or French comment shares a few words with Spanish), and
	 * at least twice the evidence for a third language.
	 */
	if (total >= 1.5 && (words < 6 || voted * 5 >= words) && (es > en ? es : en) >= 2 * other) {
		double share = (es > en ? es : en) / total;
		if (share >= 0.7) {
			lang = es > en ? CXM_LANG_ES : CXM_LANG_EN;
			conf = share * (total >= 4 ? 1.0 : total / 4);
		}
	}
	if (confidence)
		*confidence = conf;
	return lang;
}

const char *cxm_lang_code(enum cxm_lang l)
{
	switch (l) {
	case CXM_LANG_ES:
		return "es";
	case CXM_LANG_EN:
		return "en";
	default:
		return "other";
	}
}
