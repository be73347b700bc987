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
#include "lexicon.h"
#include "text-internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Words that are common in one language and rare in the other ("a", "no", "me" are in both). */
static const char *const es_words[] = {
	"al", "algo", "algunos", "ante", "antes", "aqui", "atencion", "aunque", "bien", "buena", "bueno", "como",
	"con", "contra", "cuando", "cuenta", "de", "del", "desde", "despues", "dijo", "dinero", "donde", "durante",
	"el", "ella", "ellas", "ellos", "en", "entonces", "entre", "era", "es", "esa", "ese", "eso", "esta", "estaba",
	"estar", "estas", "este", "esto", "estos", "estoy", "excelente", "fue", "fueron", "gracias", "gusto", "hace",
	"han", "hasta", "hay", "hemos", "hicieron", "hizo", "la", "las", "le", "lento", "les", "llego", "lo", "los",
	"mal", "mala", "malo", "mas", "mejor", "mi", "mis", "mucho", "muchos", "muy", "nada", "nadie", "ni", "ningun",
	"ninguna", "nos", "nosotros", "nunca", "otra", "otras", "otro", "otros", "para", "pedido", "peor", "pero",
	"pesimo", "poco", "por", "porque", "precio", "producto", "puede", "pues", "que", "quien", "quiero", "rapido",
	"se", "ser", "servicio", "si", "siempre", "sin", "sobre", "son", "su", "sus", "tambien", "tampoco", "tanto",
	"tarde", "te", "tengo", "ti", "tienda", "tiene", "todo", "todos", "tu", "tus", "un", "una", "uno", "unos",
	"vez", "y", "ya", "yo",
};

static const char *const en_words[] = {
	"about", "after", "again", "all", "also", "an", "and", "any", "are", "arrived", "as", "at", "awful", "bad",
	"be", "because", "been", "before", "being", "but", "by", "can", "can't", "could", "delivery", "did", "didn't",
	"do", "does", "don't", "fast", "for", "from", "get", "good", "got", "great", "had", "has", "have", "he",
	"her", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "late", "like",
	"love", "more", "most", "my", "never", "nobody", "not", "nothing", "of", "on", "only", "or", "order", "our",
	"out", "please", "price", "product", "really", "service", "she", "should", "slow", "so", "some", "staff",
	"store", "such", "terrible", "than", "thank", "thanks", "that", "the", "their", "them", "then", "there",
	"they", "this", "time", "to", "too", "up", "very", "was", "we", "were", "what", "when", "where", "which",
	"who", "why", "will", "with", "won't", "would", "you", "your",
};

/* Common words of Portuguese, French, Italian and German that neither language uses. */
static const char *const other_words[] = {
	"ao", "au", "aux", "avec", "c'est", "ce", "cette", "che", "com", "da", "dans", "das", "della", "der", "des",
	"di", "die", "do", "dos", "du", "e", "ein", "eine", "em", "est", "et", "foi", "gli", "ich", "il", "isso",
	"ist", "j'ai", "je", "m'a", "mais", "meu", "mit", "molto", "muito", "nao", "ne", "nicht", "nous", "pas",
	"per", "pour", "qui", "sehr", "sono", "sur", "tres", "um", "uma", "und", "une", "voce", "vous",
};

/*
 * The three lists in one hash table (open addressing, linear probing, by
 * cxm_lex_hash), built once and then read-only: a word is looked up once,
 * not bsearched in each list. A slot holds 1 + the list (0 es, 1 en,
 * 2 other) in its low 2 bits, the word's length in the next 4 and 1 + its
 * index in that list above; 0 is empty. A word in two lists belongs to the
 * first (es, en, other), as when the lists were searched in that order.
 */
#define LIST_SLOTS 1024
#define LIST_MAX_LEN 10 /* function words are short: longer keys are not looked up */

enum { LIST_ES, LIST_EN, LIST_OTHER, LIST_NONE };

static const struct {
	const char *const *w;
	size_t n;
} lists[] = {
	{ es_words, sizeof(es_words) / sizeof(*es_words) },
	{ en_words, sizeof(en_words) / sizeof(*en_words) },
	{ other_words, sizeof(other_words) / sizeof(*other_words) },
};

static uint32_t list_slot[LIST_SLOTS];
static pthread_once_t list_once = PTHREAD_ONCE_INIT;

/* Which list holds w (len bytes, cxm_lex_hash h), or LIST_NONE. */
static int list_find(const char *w, size_t len, uint32_t h)
{
	for (uint32_t i = h & (LIST_SLOTS - 1); list_slot[i]; i = (i + 1) & (LIST_SLOTS - 1)) {
		uint32_t s = list_slot[i];
		int l = (int)(s & 3) - 1;

		if (((s >> 2) & 15) == len && !memcmp(lists[l].w[(s >> 6) - 1], w, len))
			return l;
	}
	return LIST_NONE;
}

static void list_build(void)
{
	for (size_t l = 0; l < sizeof(lists) / sizeof(*lists); l++)
		for (size_t j = 0; j < lists[l].n; j++) {
			const char *w = lists[l].w[j];
			size_t len = strlen(w);
			uint32_t i = cxm_lex_hash(w, len) & (LIST_SLOTS - 1);

			if (list_find(w, len, cxm_lex_hash(w, len)) != LIST_NONE)
				continue;
			while (list_slot[i])
				i = (i + 1) & (LIST_SLOTS - 1);
			list_slot[i] = (uint32_t)(j + 1) << 6 | (uint32_t)len << 2 | (uint32_t)(l + 1);
		}
}

/* Which list holds the token's key, or LIST_NONE (list_build done). */
static int listed(const struct cxm_token *tok)
{
	return tok->keylen > LIST_MAX_LEN ? LIST_NONE : list_find(tok->key, tok->keylen, tok->keyhash);
}

/*
 * Marks in a norm: 1 for ñ, 2 for a letter Spanish does not use (ã õ ç à
 * â è ê ë î ï ô û ù œ ß ä ö), 0 for neither. All are two bytes, C3 xx or
 * C5 93; a lead byte is never inside another character, so a scan of the
 * byte pairs finds what searching for each letter found.
 */
static int foreign_marks(const char *norm)
{
	static const char other_c3[] = "\xA3\xB5\xA7\xA0\xA2\xA8\xAA\xAB\xAE\xAF\xB4\xBB\xB9\x9F\xA4\xB6";
	bool other = false;

	for (const unsigned char *p = (const unsigned char *)norm; *p; p++) {
		if (*p == 0xC3 && p[1] == 0xB1)
			return 1;
		if (*p == 0xC3 && p[1] && strchr(other_c3, p[1]))
			other = true;
		else if (*p == 0xC5 && p[1] == 0x93)
			other = true;
	}
	return other ? 2 : 0;
}

static bool ends_with(const char *w, size_t n, const char *suffix, size_t m, size_t min_len)
{
	return n >= min_len && n > m && !memcmp(w + n - m, suffix, m);
}

/*
 * The spelling hints of one word: its norm (accents) and key (endings,
 * letters). Only words with a non-ASCII norm look for marks: ñ, the
 * Spanish accents (norm and key differ), or letters Spanish does not use
 * (ã õ ç à â è ê ë î ï ô û ù œ ß ä ö).
 */
/* What a byte of a key may hint, without a branch per byte. */
enum { H_W = 1, H_TH = 2, H_NH = 4, H_APOS = 8, H_HIGH = 16 };
#define HIGH8(b) [b] = H_HIGH, [b + 1] = H_HIGH, [b + 2] = H_HIGH, [b + 3] = H_HIGH, [b + 4] = H_HIGH, \
		 [b + 5] = H_HIGH, [b + 6] = H_HIGH, [b + 7] = H_HIGH
#define HIGH32(b) HIGH8(b), HIGH8(b + 8), HIGH8(b + 16), HIGH8(b + 24)
static const unsigned char letter_hint[256] = {
	['w'] = H_W, ['k'] = H_W, ['t'] = H_TH, ['s'] = H_TH, ['n'] = H_NH, ['l'] = H_NH, ['\''] = H_APOS,
	HIGH32(0x80), HIGH32(0xA0), HIGH32(0xC0), HIGH32(0xE0),
};

static void hints(const struct cxm_token *tok, size_t n, double *es, double *en, double *other)
{
	const char *norm = tok->norm, *key = tok->key;
	bool w = false, th = false, nh = false, apos = false, high = false;

	unsigned seen = 0;

	for (size_t k = 0; k < n; k++) {
		unsigned c = letter_hint[(unsigned char)key[k]];
		/* t, s, n, l count only before an h */
		seen |= (c & (H_W | H_APOS | H_HIGH)) | (key[k + 1] == 'h' ? c & (H_TH | H_NH) : 0);
	}
	w = seen & H_W;
	th = seen & H_TH;
	nh = seen & H_NH;
	apos = seen & H_APOS;
	high = seen & H_HIGH;
	if (norm != key || high) {
		int marks = foreign_marks(norm);

		if (marks == 1)
			*es += 1.0;
		else if (marks == 2)
			*other += 1.0;
		else if (strcmp(norm, key))
			*es += 0.75;
	}
	/* the endings, by the last letter (none is shorter than 4 letters) */
	bool es_end = false, en_end = apos, other_end = nh;
	switch (n >= 4 ? key[n - 1] : 0) {
	case 'n':
		es_end = ends_with(key, n, "cion", 4, 5) || ends_with(key, n, "aron", 4, 5);
		en_end = en_end || ends_with(key, n, "tion", 4, 5);
		break;
	case 'e':
		es_end = ends_with(key, n, "mente", 5, 7);
		break;
	case 'o':
		es_end = ends_with(key, n, "ado", 3, 5) || ends_with(key, n, "ido", 3, 5) ||
			 ends_with(key, n, "ando", 4, 5);
		break;
	case 'g':
		en_end = en_end || ends_with(key, n, "ing", 3, 5);
		break;
	case 'y':
		en_end = en_end || ends_with(key, n, "ly", 2, 5);
		break;
	case 's':
		en_end = en_end || ends_with(key, n, "ness", 4, 5);
		break;
	case 'd':
		en_end = en_end || ends_with(key, n, "ed", 2, 5);
		break;
	case 'u':
		other_end = other_end || ends_with(key, n, "ou", 2, 4);
		break;
	}
	if (es_end)
		*es += 0.5;
	if (en_end)
		*en += 0.5;
	if (other_end)
		*other += 0.5; /* Portuguese: chegou, ninguém, olhar */
	if (th || w)
		*en += 0.3;
}

enum cxm_lang cxm_text_language(const struct cxm_text *t, double *confidence)
{
	double es = 0, en = 0, other = 0;
	size_t words = 0, voted = 0;
	enum cxm_lang lang = CXM_LANG_OTHER;
	double conf = 0;

	pthread_once(&list_once, list_build);
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
		size_t n = tok->keylen;
		switch (listed(tok)) {
		case LIST_ES:
			es += 1.0;
			break;
		case LIST_EN:
			en += 1.0;
			break;
		case LIST_OTHER:
			other += 1.0;
			break;
		}
		hints(tok, n, &es, &en, &other);
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
