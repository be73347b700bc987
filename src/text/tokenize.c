/*
 * tokenize.c - cxm_text_tokenize: a comment cut into words, numbers,
 * prices, emoji, emoticons, hashtags, mentions, URLs, e-mail addresses and
 * punctuation, each with its normalised form and its accent-free key, and
 * grouped into sentences. The rules are written down in docs/text.md.
 *
 * One pass left to right; at each position the first scanner that matches
 * wins, in the order of cxm_text_tokenize's loop. Everything lives in the
 * caller's arena; nothing here keeps state between calls.
 */
#include "cxm/text.h"
#include "cxm/core.h"
#include "cxm/i18n.h"
#include "lexicon.h"
#include "text-internal.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

struct tz {
	struct cxm_arena *a;
	const char *s;
	size_t len;
	struct cxm_token *tok;
	size_t ntok, cap;
	uint32_t *ss, *se;
	size_t nsent, scap;
	bool brk_line; /* a newline since the last token */
	bool brk_term; /* the last token ended a sentence */
	size_t at; /* the first '@' at or after the last position asked about (len: none) */
};

/* ---- character classes ---------------------------------------------------- */

static bool in_ranges(const uint32_t (*r)[2], size_t n, int32_t cp)
{
	size_t lo = 0, hi = n;
	uint32_t c = (uint32_t)cp;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c < r[mid][0])
			hi = mid;
		else if (c > r[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool emoji_pres(int32_t cp)
{
	return cp >= 0x80 && in_ranges(cxm_emoji_pres, cxm_emoji_pres_n, cp);
}

static bool emoji_text(int32_t cp)
{
	return cp >= 0x80 && in_ranges(cxm_emoji_text, cxm_emoji_text_n, cp);
}

static bool is_ri(int32_t cp)
{
	return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

static bool is_skin(int32_t cp)
{
	return cp >= 0x1F3FB && cp <= 0x1F3FF;
}

static bool is_tag(int32_t cp)
{
	return cp >= 0xE0020 && cp <= 0xE007F;
}

static int category(int32_t cp)
{
	return (int)utf8proc_category(cp);
}

/* U+00C0..U+00FF but for × and ÷: Latin-1's letters (Lu or Ll), without a table lookup. */
static bool latin1_letter(int32_t cp)
{
	return cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7;
}

/* Letters start words. */
static bool is_letter(int32_t cp)
{
	if (cp < 0x80)
		return ascii_alpha(cp);
	if (latin1_letter(cp))
		return true;
	int c = category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* Letters, combining marks and digits continue them. */
static bool is_wordchar(int32_t cp)
{
	if (cp < 0x80)
		return ascii_alnum(cp);
	if (latin1_letter(cp))
		return true;
	int c = category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ND;
}

static int32_t cp_at(const struct tz *t, size_t i, size_t *n)
{
	size_t dummy;
	if (!n)
		n = &dummy;
	if (i >= t->len) {
		*n = 0;
		return -1;
	}
	return text_decode(t->s, t->len, i, n);
}

/* The code point before byte i (-1 at the start). */
static int32_t cp_before(const struct tz *t, size_t i)
{
	size_t j = i, n;

	if (!i)
		return -1;
	do
		j--;
	while (j > 0 && ((unsigned char)t->s[j] & 0xC0) == 0x80 && i - j < 4);
	return text_decode(t->s, t->len, j, &n);
}

static bool wordchar_before(const struct tz *t, size_t i)
{
	int32_t cp = cp_before(t, i);
	return cp >= 0 && is_wordchar(cp);
}

static bool wordchar_at(const struct tz *t, size_t i)
{
	int32_t cp = cp_at(t, i, NULL);
	return cp >= 0 && is_wordchar(cp);
}

static bool prefix_ci(const struct tz *t, size_t i, const char *lit)
{
	size_t n = strlen(lit);
	if (t->len - i < n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (ascii_lower((unsigned char)t->s[i + k]) != (unsigned char)lit[k])
			return false;
	return true;
}

/* ---- scanners: each returns the bytes of its token at i, or 0 ----------- */

static bool url_stop(unsigned char c)
{
	return c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`' || c == '{' || c == '}' || c == '|' ||
	       c == '\\' || c == '^';
}

static size_t scan_url(const struct tz *t, size_t i)
{
	size_t j;

	if (wordchar_before(t, i))
		return 0;
	if (prefix_ci(t, i, "https://"))
		j = i + 8;
	else if (prefix_ci(t, i, "http://"))
		j = i + 7;
	else if (prefix_ci(t, i, "www.") && i + 4 < t->len && ascii_alnum((unsigned char)t->s[i + 4]))
		j = i + 4;
	else
		return 0;
	size_t body = j;
	while (j < t->len && !url_stop((unsigned char)t->s[j]))
		j++;
	/* what ends a sentence or a parenthesis is not part of the address */
	while (j > body && strchr(".,;:!?)]'", t->s[j - 1]))
		j--;
	return j > body ? j - i : 0;
}

/* local@domain.tld (pii.c's rule), not inside a longer word. */
static size_t scan_email(const struct tz *t, size_t i)
{
	size_t m;

	if (i && text_email_local((unsigned char)t->s[i - 1]))
		return 0;
	m = text_scan_email(t->s, t->len, i);
	return m && !wordchar_at(t, i + m) ? m : 0;
}

/* #word or @name: a sign, not after a word, then word characters. */
static size_t scan_tag(const struct tz *t, size_t i, bool need_letter)
{
	size_t j = i + 1, n;
	bool letter = false;

	if (wordchar_before(t, i))
		return 0;
	while (j < t->len) {
		unsigned char c = (unsigned char)t->s[j];
		if (ascii_alnum(c) || c == '_') { /* the common case, without decoding */
			letter = letter || ascii_alpha(c);
			j++;
			continue;
		}
		int32_t cp = cp_at(t, j, &n);
		if (cp == '_' || is_wordchar(cp)) {
			letter = letter || is_letter(cp);
			j += n;
		} else {
			break;
		}
	}
	if (j == i + 1 || (need_letter && !letter))
		return 0;
	return j - i;
}

/*
 * Emoticons, longest first. Those that begin with ':' or ';' may follow a
 * word ("genial:)"); the others must stand alone. None may be followed by
 * a letter or digit, so "10:30", "http://" and "<30" are not faces.
 */
static const char *const emoticons[] = {
	">:-(", ":'-(", ":'-)", ">:(", "</3", ":'(", ":')", ":-)", ":-(", ":-D", ":-P", ":-p", ":-/", ":-|", ":-O",
	":-o", ":-*", ";-)", "^_^", "-_-", "-.-", "T_T", "T.T", ";_;", "<3",  ":)",  ":(",  ":D",  ":P",  ":p",
	":/",  ":|",  ":O",  ":o",  ":*",  ":S",  ":s",  ":v",  ":]",  ":[",  ";)",  ";(",  ";D",  ";P",  ";p",
	"=)",  "=(",  "=D",  "^^",  "xD",  "XD",  "xd",  "D:",
};

static bool emoticon_start(unsigned char c)
{
	switch (c) {
	case ':': case ';': case '=': case '<': case '>': case '^': case '-': case 'T': case 'x': case 'X': case 'D':
		return true;
	default:
		return false;
	}
}

static size_t scan_emoticon(const struct tz *t, size_t i)
{
	const char *s = t->s;

	for (size_t e = 0; e < sizeof(emoticons) / sizeof(*emoticons); e++) {
		const char *em = emoticons[e];
		if (em[0] != s[i])
			continue;
		size_t n = strlen(em);
		if (t->len - i < n || memcmp(s + i, em, n))
			continue;
		int32_t before = cp_before(t, i);
		if (em[0] == ':' || em[0] == ';') {
			if (before >= 0 && (ascii_digit(before) || before == ':' || before == '/'))
				continue;
		} else if (before >= 0 && (is_wordchar(before) || (before < 0x80 && strchr("<>^-=;:", (int)before)))) {
			continue;
		}
		size_t j = i + n;
		char last = em[n - 1];
		if (last == ')' || last == '(' || last == 'D')
			while (j < t->len && s[j] == last)
				j++;
		if (j < t->len && (wordchar_at(t, j) || s[j] == '/' || (last == ':' && s[j] == ':')))
			continue;
		return j - i;
	}
	return 0;
}

/* Digits with inner thousands or decimal marks, a time (10:30), or a percentage. */
static size_t scan_number(const struct tz *t, size_t i)
{
	const char *s = t->s;
	size_t j = i;

	while (j < t->len && ascii_digit((unsigned char)s[j]))
		j++;
	if (j - i <= 2 && j + 2 < t->len && s[j] == ':' && ascii_digit((unsigned char)s[j + 1]) &&
	    ascii_digit((unsigned char)s[j + 2]) && (j + 3 >= t->len || !ascii_digit((unsigned char)s[j + 3])))
		return j + 3 - i;
	while (j + 1 < t->len && (s[j] == '.' || s[j] == ',') && ascii_digit((unsigned char)s[j + 1])) {
		j++;
		while (j < t->len && ascii_digit((unsigned char)s[j]))
			j++;
	}
	if (j < t->len && s[j] == '%')
		j++;
	return j - i;
}

/* Codes (upper case only) and words (any case) that name a currency. */
static const char *const currency_codes[] = { "USD", "EUR", "COP", "MXN", "CLP", "ARS", "PEN", "GBP", "UYU",
					      "BOB", "PYG", "DOP", "GTQ", "CRC", "BRL", "CAD" };
static const char *const currency_words[] = { "euros", "euro", "dólares", "dolares", "dólar", "dolar",
					      "dollars", "dollar", "pesos", "peso", "soles", "libras", "pounds" };

/* The bytes of a currency sign at i ($ € £), or 0. */
static size_t currency_sign(const struct tz *t, size_t i)
{
	const char *s = t->s;
	if (i >= t->len)
		return 0;
	if (s[i] == '$')
		return 1;
	if (t->len - i >= 3 && !memcmp(s + i, "\xE2\x82\xAC", 3))
		return 3;
	if (t->len - i >= 2 && !memcmp(s + i, "\xC2\xA3", 2))
		return 2;
	return 0;
}

/* A currency code or word of exactly the letters at i (not followed by a word character). */
static size_t currency_name(const struct tz *t, size_t i, bool words)
{
	if (i >= t->len)
		return 0;
	/* every code is three capitals: most capitals start none */
	bool code = t->len - i >= 3 && t->s[i + 1] >= 'A' && t->s[i + 1] <= 'Z' && t->s[i + 2] >= 'A' &&
		    t->s[i + 2] <= 'Z';
	for (size_t k = 0; code && k < sizeof(currency_codes) / sizeof(*currency_codes); k++)
		if (t->s[i] == currency_codes[k][0] && t->len - i >= 3 && !memcmp(t->s + i, currency_codes[k], 3) &&
		    !wordchar_at(t, i + 3))
			return 3;
	for (size_t k = 0; words && k < sizeof(currency_words) / sizeof(*currency_words); k++) {
		size_t n = strlen(currency_words[k]);
		if (ascii_lower((unsigned char)t->s[i]) == currency_words[k][0] && prefix_ci(t, i, currency_words[k]) &&
		    !wordchar_at(t, i + n))
			return n;
	}
	return 0;
}

/* A currency after a number ending at j: "25€", "25 €", "10 USD", "10 dólares". */
static size_t currency_after(const struct tz *t, size_t j)
{
	size_t k = j < t->len && t->s[j] == ' ' ? j + 1 : j, n;

	if ((n = currency_sign(t, k)) && !wordchar_at(t, k + n))
		return k + n - j;
	if ((n = currency_name(t, k, true)))
		return k + n - j;
	return 0;
}

/* A currency before a number: "$25.000", "$ 25", "US$ 10", "COP 50.000", "S/ 30". */
static size_t scan_price_prefix(const struct tz *t, size_t i)
{
	size_t j, n;

	if ((n = currency_sign(t, i)))
		j = i + n;
	else if (ascii_lower((unsigned char)t->s[i]) == 'u' && (prefix_ci(t, i, "us$") || prefix_ci(t, i, "u$s")))
		j = i + 3;
	else if (t->len - i >= 2 && !memcmp(t->s + i, "S/", 2) && !wordchar_before(t, i))
		j = i + 2;
	else if ((n = currency_name(t, i, false)) && !wordchar_before(t, i))
		j = i + n;
	else
		return 0;
	if (j < t->len && t->s[j] == ' ')
		j++;
	if (j >= t->len || !ascii_digit((unsigned char)t->s[j]))
		return 0;
	n = scan_number(t, j);
	if (t->s[j + n - 1] == '%' || wordchar_at(t, j + n))
		return 0;
	return j + n + currency_after(t, j + n) - i; /* "$1,200.50 USD" */
}

/* One emoji with its selectors, skin tones, tags and ZWJ sequence; a flag; a keycap. */
static size_t scan_emoji(const struct tz *t, size_t i)
{
	size_t j = i, n, n2;
	int32_t cp = cp_at(t, j, &n), next;

	if (cp < 0x80) {
		if (!ascii_digit(cp) && cp != '#' && cp != '*')
			return 0;
		j += n;
		if ((next = cp_at(t, j, &n2)) == 0xFE0F)
			next = cp_at(t, j += n2, &n2);
		return next == 0x20E3 ? j + n2 - i : 0;
	}
	if (is_ri(cp)) {
		j += n;
		if (is_ri(cp_at(t, j, &n2)))
			j += n2;
		return j - i;
	}
	next = cp_at(t, j + n, NULL);
	if (!emoji_pres(cp) && !(emoji_text(cp) && (next == 0xFE0F || is_skin(next) || cp >= 0x2300)))
		return 0;
	j += n;
	while (j < t->len) {
		cp = cp_at(t, j, &n);
		if (cp == 0xFE0F || cp == 0xFE0E || is_skin(cp) || is_tag(cp) || cp == 0x20E3) {
			j += n;
			continue;
		}
		if (cp == 0x200D) {
			next = cp_at(t, j + n, &n2);
			if (next >= 0 && (emoji_pres(next) || emoji_text(next))) {
				j += n + n2;
				continue;
			}
		}
		break;
	}
	return j - i;
}

/* Letters, digits and marks, with inner apostrophes and hyphens before a letter. */
static size_t scan_word(const struct tz *t, size_t i)
{
	size_t j = i, n, n2;

	while (j < t->len) {
		unsigned char c = (unsigned char)t->s[j];
		if (ascii_alnum(c)) { /* the common case, without decoding */
			j++;
			continue;
		}
		if (c < 0x80 && c != '\'' && c != '-') /* a space, a mark: the end */
			break;
		int32_t cp = cp_at(t, j, &n);
		if (is_wordchar(cp)) {
			j += n;
			continue;
		}
		if ((cp == '\'' || cp == 0x2019 || cp == '-') && j > i && is_letter(cp_at(t, j + n, &n2))) {
			j += n + n2;
			continue;
		}
		break;
	}
	return j - i;
}

/* One mark, a run of the same mark, or a run of ! and ? mixed ("?!"). */
static size_t scan_punct(const struct tz *t, size_t i)
{
	size_t j = i, n;
	int32_t cp = cp_at(t, i, &n), c;

	j += n;
	if (cp == '!' || cp == '?') {
		while (j < t->len && (t->s[j] == '!' || t->s[j] == '?'))
			j++;
		return j - i;
	}
	while ((c = cp_at(t, j, &n)) == cp)
		j += n;
	return j - i;
}

/* ---- normalisation ---------------------------------------------------------- */

/* Cuts runs of 3+ of one letter to one; true when it cut anything. */
static bool cut_runs(int32_t *cp, size_t *n)
{
	size_t j = 0, run = 0;
	bool cut = false;

	for (size_t k = 0; k < *n; k++) {
		int32_t c = cp[k];
		if (j && c == cp[j - 1] && is_letter(c)) {
			run++;
			if (run == 3) {
				j--;
				cut = true;
			} else if (run < 3) {
				cp[j++] = c;
			}
		} else {
			run = 1;
			cp[j++] = c;
		}
	}
	*n = j;
	return cut;
}

static const char *encode(struct cxm_arena *a, const int32_t *cp, size_t n)
{
	char *out = cxm_arena_alloc(a, n * 4 + 1), *o = out;
	for (size_t k = 0; k < n; k++)
		o += text_encode(cp[k], o);
	*o = '\0';
	return out;
}

/*
 * The accent-free letter of a Latin-1 letter U+00C0..U+00FF in lower
 * case ('n' + 0x80 for ñ, which keeps its tilde), or 0 for those left to
 * utf8proc (Æ Ð × Ø Þ ß æ ð ÷ ø þ).
 */
static const char latin1_base[32] = "aaaaaa\0ceeeeiiii\0" "\xF1ooooo\0\0uuuuy\0\0";

/* A UTF-8 writer that cuts runs of 3+ of one letter to one. */
struct runs {
	char *p;
	size_t n, run, run_at;
	int32_t last;
	bool cut;
};

static void runs_add(struct runs *o, int32_t cp, bool letter)
{
	if (letter && o->run && cp == o->last) {
		o->run++;
		if (o->run == 3) {
			o->n = o->run_at + text_encode(cp, o->p + o->run_at);
			o->cut = true;
		} else if (o->run < 3) {
			o->n += text_encode(cp, o->p + o->n);
		}
		return;
	}
	o->run = letter;
	o->run_at = o->n;
	o->last = cp;
	o->n += text_encode(cp, o->p + o->n);
}

/*
 * The fast way for words in ASCII and Latin-1 letters (most Spanish and
 * English): already NFC, folded and stripped by table. false when the
 * word needs utf8proc.
 */
static bool normalize_latin1(struct tz *t, struct cxm_token *tok, const char *p, size_t n)
{
	struct runs norm = { .p = cxm_arena_alloc(t->a, n + 1) }, key = { .p = cxm_arena_alloc(t->a, n + 1) };
	size_t letters = 0, upper = 0;

	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)p[k];
		if (c < 0x80) {
			bool alpha = ascii_alpha(c);
			int lc = ascii_lower(c);
			letters += alpha;
			upper += lc != c;
			runs_add(&norm, lc, alpha);
			runs_add(&key, lc, alpha);
			continue;
		}
		if (c != 0xC3 || k + 1 >= n)
			return false;
		int32_t cp = 0xC0 + ((unsigned char)p[++k] & 0x3F), lc = cp < 0xE0 ? cp + 0x20 : cp;
		char base = latin1_base[lc - 0xE0];
		if (!base || lc == 0xF7)
			return false;
		letters++;
		upper += cp < 0xE0;
		runs_add(&norm, lc, true);
		runs_add(&key, base == (char)0xF1 ? 0xF1 : base, true);
	}
	norm.p[norm.n] = key.p[key.n] = '\0';
	if (letters >= 2 && upper == letters)
		tok->flags |= CXM_TOKF_CAPS;
	if (norm.cut)
		tok->flags |= CXM_TOKF_ELONGATED;
	tok->norm = norm.p;
	tok->key = norm.n == key.n && !memcmp(norm.p, key.p, key.n) ? norm.p : key.p;
	tok->keylen = (uint32_t)key.n;
	return true;
}

/* norm and key of a word (or of a hashtag's or mention's name); CAPS and ELONGATED flags. */
static void normalize_word(struct tz *t, struct cxm_token *tok, const char *p, size_t n)
{
	size_t k, letters = 0, upper = 0;

	/* ASCII (most words): folded in the same pass that finds out; the first
	 * byte that is not hands the word to the ways below. Runs of three
	 * letters to cut are rare: a word with one is folded again, cutting. */
	{
		char *o = cxm_arena_alloc(t->a, n + 1);
		bool triple = false;
		for (k = 0; k < n; k++) {
			unsigned c = (unsigned char)p[k];
			bool alpha = ascii_alpha((int)c);
			if (c >= 0x80)
				break;
			o[k] = (char)(c | (unsigned)alpha << 5);
			letters += alpha;
			upper += alpha && !(c & 0x20);
			triple |= alpha && k >= 2 && o[k] == o[k - 1] && o[k] == o[k - 2];
		}
		if (k == n) {
			size_t j = n, run = 0;
			if (triple) {
				for (k = j = 0; k < n; k++) {
					int c = (unsigned char)p[k], lc = ascii_lower(c);
					if (j && lc == o[j - 1] && ascii_alpha(c)) {
						run++;
						if (run == 3)
							j--;
						else if (run < 3)
							o[j++] = (char)lc;
					} else {
						run = 1;
						o[j++] = (char)lc;
					}
				}
				tok->flags |= CXM_TOKF_ELONGATED;
			}
			o[j] = '\0';
			tok->norm = tok->key = o;
			tok->keylen = (uint32_t)j;
			if (letters >= 2 && upper == letters)
				tok->flags |= CXM_TOKF_CAPS;
			return;
		}
		letters = upper = 0;
	}
	if (normalize_latin1(t, tok, p, n))
		return;

	size_t m;
	for (k = 0; k < n; k += m) {
		int32_t cp = text_decode(p, n, k, &m);
		int c = category(cp);
		if (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) {
			letters++;
			upper += c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
		}
	}
	if (letters >= 2 && upper == letters)
		tok->flags |= CXM_TOKF_CAPS;

	const utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD;
	utf8proc_ssize_t cap = (utf8proc_ssize_t)n * 2 + 8, r;
	int32_t *d = cxm_arena_alloc(t->a, (size_t)cap * sizeof(*d));
	r = utf8proc_decompose((const utf8proc_uint8_t *)p, (utf8proc_ssize_t)n, d, cap, opt);
	if (r > cap) {
		cap = r;
		d = cxm_arena_alloc(t->a, (size_t)cap * sizeof(*d));
		r = utf8proc_decompose((const utf8proc_uint8_t *)p, (utf8proc_ssize_t)n, d, cap, opt);
	}
	if (r < 0 || r > cap) { /* not reached for valid UTF-8 */
		tok->norm = tok->key = cxm_arena_strndup(t->a, p, n);
		return;
	}
	size_t len = (size_t)r;
	for (k = 0; k < len; k++)
		if (d[k] == 0x2019 || d[k] == 0x02BC)
			d[k] = '\'';

	/* key: the decomposed letters without their marks, but ñ keeps its tilde */
	int32_t *key = cxm_arena_alloc(t->a, len * sizeof(*key) + 4);
	size_t kn = 0;
	for (k = 0; k < len; k++) {
		int c = category(d[k]);
		if (c == UTF8PROC_CATEGORY_MN && !(d[k] == 0x0303 && kn && key[kn - 1] == 'n'))
			continue;
		key[kn++] = d[k];
	}
	r = utf8proc_normalize_utf32(key, (utf8proc_ssize_t)kn, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	kn = r >= 0 ? (size_t)r : kn;
	r = utf8proc_normalize_utf32(d, (utf8proc_ssize_t)len, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	len = r >= 0 ? (size_t)r : len;
	if (cut_runs(d, &len))
		tok->flags |= CXM_TOKF_ELONGATED;
	cut_runs(key, &kn);
	tok->norm = encode(t->a, d, len);
	tok->key = kn == len && !memcmp(key, d, len * sizeof(*d)) ? tok->norm : encode(t->a, key, kn);
}

/* An emoji's key: without variation selectors and skin tones, so 👍🏽 is 👍. */
static void normalize_emoji(struct tz *t, struct cxm_token *tok, const char *p, size_t n)
{
	char *key = cxm_arena_alloc(t->a, n + 1), *o = key;
	size_t m;

	tok->norm = cxm_arena_strndup(t->a, p, n);
	for (size_t k = 0; k < n; k += m) {
		int32_t cp = text_decode(p, n, k, &m);
		if (cp != 0xFE0F && cp != 0xFE0E && !is_skin(cp)) {
			memcpy(o, p + k, m);
			o += m;
		}
	}
	*o = '\0';
	tok->key = o == key ? tok->norm : key;
}

/* ---- tokens and sentences ------------------------------------------------- */

static bool is_closer(const struct tz *t, const struct cxm_token *tok)
{
	if (tok->kind != CXM_TOK_PUNCT || !t->brk_term)
		return false;
	const char *p = t->s + tok->start;
	size_t n = tok->len;
	return strchr(")]}\"'", p[0]) || (n >= 2 && !memcmp(p, "\xC2\xBB", 2)) ||
	       (n >= 3 && (!memcmp(p, "\xE2\x80\x9D", 3) || !memcmp(p, "\xE2\x80\x99", 3)));
}

static struct cxm_token *push(struct tz *t, enum cxm_tok_kind kind, size_t start, size_t len)
{
	if (t->ntok == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct cxm_token *tok = cxm_arena_alloc(t->a, cap * sizeof(*tok));
		if (t->ntok)
			memcpy(tok, t->tok, t->ntok * sizeof(*tok));
		t->tok = tok;
		t->cap = cap;
	}
	struct cxm_token *tok = &t->tok[t->ntok++];
	memset(tok, 0, sizeof(*tok));
	tok->kind = kind;
	tok->start = (uint32_t)start;
	tok->len = (uint32_t)len;

	/* emoji, emoticons and closing marks right after a full stop stay in its sentence */
	bool sticky = kind == CXM_TOK_EMOJI || kind == CXM_TOK_EMOTICON || is_closer(t, tok);
	if (!t->nsent || t->brk_line || (t->brk_term && !sticky)) {
		if (t->nsent == t->scap) {
			size_t cap = t->scap ? t->scap * 2 : 16;
			uint32_t *ss = cxm_arena_alloc(t->a, cap * sizeof(*ss));
			uint32_t *se = cxm_arena_alloc(t->a, cap * sizeof(*se));
			if (t->nsent) {
				memcpy(ss, t->ss, t->nsent * sizeof(*ss));
				memcpy(se, t->se, t->nsent * sizeof(*se));
			}
			t->ss = ss;
			t->se = se;
			t->scap = cap;
		}
		t->ss[t->nsent++] = (uint32_t)start;
		t->brk_line = t->brk_term = false;
	}
	tok->sentence = (uint16_t)(t->nsent - 1);
	t->se[t->nsent - 1] = (uint32_t)(start + len);
	return tok;
}

/*
 * Eight bytes at once, for ascii_word: a mask with the high bit of each
 * byte of x (little-endian) that lies in lo..hi, of those below 0x80.
 */
#define SWAR_HI 0x8080808080808080ull
#define SWAR_LO7 0x7F7F7F7F7F7F7F7Full
#define SWAR_ONES 0x0101010101010101ull

static uint64_t swar_in(uint64_t x, unsigned lo, unsigned hi)
{
	uint64_t x7 = x & SWAR_LO7; /* no byte carries into the next below */

	return ((x7 + SWAR_ONES * (0x80 - lo)) & ~(x7 + SWAR_ONES * (0x7F - hi)) & ~x) & SWAR_HI;
}

/* The number of bytes of a mask of high bits. */
static unsigned swar_count(uint64_t m)
{
	return (unsigned)(((m >> 7) * SWAR_ONES) >> 56);
}

/*
 * ascii_word for a word shorter than eight bytes with eight bytes to read:
 * all of it from one load. 0 when it cannot tell (the caller goes on).
 */
static size_t ascii_word8(struct tz *t, size_t i)
{
	const unsigned char *s = (const unsigned char *)t->s + i;
	uint64_t x = 0;

	for (unsigned b = 0; b < 8; b++)
		x |= (uint64_t)s[b] << (8 * b);
	uint64_t upper = swar_in(x, 'A', 'Z'), alpha = upper | swar_in(x, 'a', 'z');
	uint64_t other = ~(alpha | swar_in(x, '0', '9')) & SWAR_HI;
	if (!other)
		return 0; /* eight bytes or more */
	/* the first byte that is no letter or digit: its index from its lowest bit */
	unsigned n = (unsigned)((((other & (~other + 1)) >> 7) * 0x0001020304050607ull) >> 56);
	if (s[n] >= 0x80 || s[n] == '\'' || s[n] == '-')
		return 0; /* the word may go on */
	uint64_t in = (1ull << (8 * n)) - 1, low = (x | upper >> 2) & in;
	/* a byte equal to the one before it, and that one to the one before */
	uint64_t d = low ^ low << 8, same = ~(((d & SWAR_LO7) + SWAR_LO7) | d) & SWAR_HI;
	if (same & same << 8 & alpha & in)
		return 0; /* a run to cut: normalize_word */

	struct cxm_token *tok = push(t, CXM_TOK_WORD, i, n);
	char *o = cxm_arena_alloc(t->a, 16);
	for (unsigned b = 0; b < 8; b++)
		o[b] = (char)(low >> (8 * b));
	unsigned letters = swar_count(alpha & in), caps = swar_count(upper & in);
	tok->norm = tok->key = o;
	tok->keylen = n;
	if (letters >= 2 && caps == letters)
		tok->flags |= CXM_TOKF_CAPS;
	return n;
}

/*
 * The common word, all ASCII letters and digits up to a space or an ASCII
 * mark: scanned, folded and pushed in one pass (what scan_word, push and
 * normalize_word would make of it). 0 when the word at i is not such a
 * word or is longer than 32 bytes; the caller takes the long way then.
 */
static size_t ascii_word(struct tz *t, size_t i)
{
	const unsigned char *s = (const unsigned char *)t->s;
	char w[32] = { 0 };
	size_t j = i, n, letters = 0, upper = 0;
	bool triple = false;

	if (t->len - i >= 8 && (n = ascii_word8(t, i)))
		return n;
	for (; j < t->len && ascii_alnum(s[j]); j++) {
		unsigned c = s[j], alpha = ascii_alpha((int)c);

		if (j - i == sizeof(w))
			return 0;
		w[j - i] = (char)(c | alpha << 5);
		letters += alpha;
		upper += alpha && !(c & 0x20);
		triple |= alpha && j - i >= 2 && w[j - i] == w[j - i - 1] && w[j - i] == w[j - i - 2];
	}
	if (j < t->len && (s[j] >= 0x80 || s[j] == '\'' || s[j] == '-'))
		return 0; /* the word may go on */
	n = j - i;
	if (triple)
		return 0; /* a run to cut: normalize_word */

	struct cxm_token *tok = push(t, CXM_TOK_WORD, i, n);
	/* most words fit in 16 bytes, copied at once (the arena rounds up to 16 anyway) */
	char *o = cxm_arena_alloc(t->a, n < 16 ? 16 : n + 1);

	if (n < 16)
		memcpy(o, w, 16);
	else
		memcpy(o, w, n);
	o[n] = '\0';
	tok->norm = tok->key = o;
	tok->keylen = (uint32_t)n;
	if (letters >= 2 && upper == letters)
		tok->flags |= CXM_TOKF_CAPS;
	return n;
}

/* Titles never end a sentence; the other abbreviations do before a capital. */
static const char *const titles[] = { "sr", "sra", "srta", "sres", "dr", "dra", "lic", "ing", "mr", "mrs",
				      "ms", "prof", "st", "jr", "ud", "uds", "vd", "av", "tel", "núm", "num" };
static const char *const abbrevs[] = { "etc", "ej", "pág", "pag", "aprox", "approx", "vs", "cf", "dept",
				       "inc", "ltd", "atte" };

/* the longest title or abbreviation, in bytes ("approx") */
#define ABBREV_MAX 6

static bool in_list(const char *const *list, size_t n, const char *w)
{
	for (size_t k = 0; k < n; k++)
		if (list[k][0] == w[0] && !strcmp(list[k], w))
			return true;
	return false;
}

/* Whether the next thing after byte j starts a new sentence: a capital, ¿, ¡, a line end or the end. */
static bool capital_follows(const struct tz *t, size_t j)
{
	while (j < t->len && (t->s[j] == ' ' || t->s[j] == '\t' || t->s[j] == '"'))
		j++;
	if (j >= t->len || t->s[j] == '\n' || t->s[j] == '\r')
		return true;
	int32_t cp = cp_at(t, j, NULL);
	int c = category(cp);
	return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT || cp == 0xBF || cp == 0xA1;
}

/* After a punctuation token: does it end its sentence? */
static bool ends_sentence(const struct tz *t, const struct cxm_token *tok)
{
	const char *p = t->s + tok->start;
	size_t n = tok->len, end = tok->start + tok->len;

	if (p[0] == '!' || p[0] == '?')
		return true;
	if ((n >= 3 && !memcmp(p, "\xE2\x80\xA6", 3)) || (p[0] == '.' && n > 1))
		return capital_follows(t, end); /* an ellipsis often goes on */
	if (p[0] != '.')
		return false;
	if (tok == t->tok)
		return true;
	const struct cxm_token *prev = tok - 1;
	if (prev->kind != CXM_TOK_WORD || prev->start + prev->len != tok->start)
		return true;
	size_t m, kn = strlen(prev->key);
	text_decode(prev->key, kn, 0, &m);
	if (prev->key[m] == '\0')
		return false; /* an initial: "J. Pérez", "p. ej." */
	if (kn > ABBREV_MAX)
		return true;
	if (in_list(titles, sizeof(titles) / sizeof(*titles), prev->key))
		return false;
	if (in_list(abbrevs, sizeof(abbrevs) / sizeof(*abbrevs), prev->key))
		return capital_follows(t, end);
	return true;
}

/*
 * Whether an '@' comes at or after byte i: an e-mail address needs one, and
 * most texts have none, so the scanners need not look at most words. Asked
 * with i growing, so each byte is searched once.
 */
static bool at_follows(struct tz *t, size_t i)
{
	if (t->at < i) {
		const char *p = memchr(t->s + i, '@', t->len - i);
		t->at = p ? (size_t)(p - t->s) : t->len;
	}
	return t->at < t->len;
}

/*
 * cxm_utf8_valid of a text without NUL bytes, eight bytes at a time while
 * they are ASCII (always valid then); each other sequence is checked by
 * cxm_utf8_valid on its own bytes.
 */
static bool utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t w;
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
		/* the eight bytes (or the rest) one at a time, then eight again */
		for (size_t stop = len - i > 8 ? i + 8 : len; i < stop;) {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x80) {
				i++;
				continue;
			}
			if (c >= 0xC2 && c <= 0xDF && i + 1 < len && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
				i += 2; /* U+0080..U+07FF, Latin letters among them: always valid */
				continue;
			}
			size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			if (n > len - i)
				n = len - i;
			if (!cxm_utf8_valid(s + i, n))
				return false;
			i += n;
		}
	}
	return true;
}

int cxm_text_tokenize(struct cxm_arena *a, const char *text, size_t len, struct cxm_text *out, char *why,
		      size_t whylen)
{
	struct tz t = { .a = a, .s = text, .len = len, .at = len };
	size_t i = 0, n, m;

	memset(out, 0, sizeof(*out));
	/* the reasons are the catalogue's, in the thread's language, for a field of an API error */
	if (len > CXM_TEXT_MAX_BYTES) {
		snprintf(why, whylen, _(MSG_SV_TOO_LONG), CXM_TEXT_MAX_BYTES);
		return CXM_EINVAL;
	}
	if (len && memchr(text, '\0', len)) {
		snprintf(why, whylen, "%s", _(MSG_JSON_NUL));
		return CXM_EINVAL;
	}
	if (!utf8_valid(text, len)) {
		snprintf(why, whylen, "%s", _(MSG_V_UTF8));
		return CXM_EINVAL;
	}
	if (len) {
		const char *p = memchr(text, '@', len);
		t.at = p ? (size_t)(p - text) : len;
	}

	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		int32_t cp = c < 0x80 ? (int32_t)c : cp_at(&t, i, &n);
		struct cxm_token *tok;

		if (c < 0x80)
			n = 1;
		if (c == '\n' || (cp >= 0x80 && (category(cp) == UTF8PROC_CATEGORY_ZL ||
						  category(cp) == UTF8PROC_CATEGORY_ZP))) {
			t.brk_line = t.ntok > 0;
			i += n;
			continue;
		}
		if (c <= ' ' || c == 0x7F || (cp >= 0x80 && category(cp) == UTF8PROC_CATEGORY_ZS)) {
			i += n;
			continue;
		}
		/* (the second byte first: most words starting so start no address or price) */
		if ((c == 'h' || c == 'H' || c == 'w' || c == 'W') && i + 1 < len &&
		    (text[i + 1] | 0x20) == ((c | 0x20) == 'h' ? 't' : 'w') && (m = scan_url(&t, i))) {
			tok = push(&t, CXM_TOK_URL, i, m);
			tok->norm = tok->key = cxm_arena_strndup(a, text + i, m);
			tok->keylen = (uint32_t)m;
		} else if (ascii_alnum(c) && at_follows(&t, i) && text_maybe_email(t.s, t.len, i) &&
			   (m = scan_email(&t, i))) {
			tok = push(&t, CXM_TOK_EMAIL, i, m);
			char *e = cxm_arena_strndup(a, text + i, m);
			for (size_t k = 0; k < m; k++)
				e[k] = (char)ascii_lower((unsigned char)e[k]);
			tok->norm = tok->key = e;
			tok->keylen = (uint32_t)m;
		} else if ((c == '#' || c == '@') && (m = scan_tag(&t, i, c == '#'))) {
			tok = push(&t, c == '#' ? CXM_TOK_HASHTAG : CXM_TOK_MENTION, i, m);
			normalize_word(&t, tok, text + i + 1, m - 1);
			tok->flags &= (uint8_t)~CXM_TOKF_CAPS;
		} else if (emoticon_start(c) && (m = scan_emoticon(&t, i))) {
			tok = push(&t, CXM_TOK_EMOTICON, i, m);
			tok->norm = tok->key = cxm_arena_strndup(a, text + i, m);
			tok->keylen = (uint32_t)m;
		} else if ((c == '$' || c == 0xE2 || c == 0xC2 || c == 'u' || c == 'U' || c == 'S' ||
			    (c >= 'A' && c <= 'Z' && i + 1 < len && text[i + 1] >= 'A' && text[i + 1] <= 'Z')) &&
			   (m = scan_price_prefix(&t, i))) {
			tok = push(&t, CXM_TOK_PRICE, i, m);
			tok->norm = tok->key = cxm_arena_strndup(a, text + i, m);
			tok->keylen = (uint32_t)m;
		} else if (ascii_digit(c) && (m = scan_emoji(&t, i))) { /* a keycap */
			tok = push(&t, CXM_TOK_EMOJI, i, m);
			normalize_emoji(&t, tok, text + i, m);
		} else if (ascii_digit(c)) {
			m = scan_number(&t, i);
			size_t cur = currency_after(&t, i + m);
			if (cur && text[i + m - 1] != '%') {
				m += cur;
				tok = push(&t, CXM_TOK_PRICE, i, m);
				tok->norm = tok->key = cxm_arena_strndup(a, text + i, m);
				tok->keylen = (uint32_t)m;
			} else if (!wordchar_at(&t, i + m)) {
				tok = push(&t, CXM_TOK_NUMBER, i, m);
				tok->norm = tok->key = cxm_arena_strndup(a, text + i, m);
				tok->keylen = (uint32_t)m;
			} else { /* "24h", "2do", "mp3" */
				m = scan_word(&t, i);
				tok = push(&t, CXM_TOK_WORD, i, m);
				normalize_word(&t, tok, text + i, m);
				tok->flags &= (uint8_t)~CXM_TOKF_CAPS;
			}
		} else if ((c == '#' || c == '*' || c >= 0x80) && (m = scan_emoji(&t, i))) {
			tok = push(&t, CXM_TOK_EMOJI, i, m);
			normalize_emoji(&t, tok, text + i, m);
		} else if (is_letter(cp)) {
			if (c >= 0x80 || !(m = ascii_word(&t, i))) {
				m = scan_word(&t, i);
				tok = push(&t, CXM_TOK_WORD, i, m);
				normalize_word(&t, tok, text + i, m);
			}
		} else {
			int cat = c < 0x80 ? UTF8PROC_CATEGORY_PO : category(cp);
			if (c < 0x80 || (cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_SO)) {
				m = scan_punct(&t, i);
				tok = push(&t, CXM_TOK_PUNCT, i, m);
				tok->norm = tok->key = cxm_arena_strndup(a, text + i, m);
				tok->keylen = (uint32_t)m;
				if (ends_sentence(&t, tok))
					t.brk_term = true;
			} else { /* marks without a letter, format and unassigned code points */
				m = n;
			}
		}
		i += m;
	}

	/* each key's length and hash, once: the sentiment lexicons and the
	 * language lists look keys up by them */
	for (size_t k = 0; k < t.ntok; k++) {
		struct cxm_token *tok = &t.tok[k];

		if (!tok->keylen) /* not set on the way */
			tok->keylen = (uint32_t)strlen(tok->key);
		tok->keyhash = cxm_lex_hash(tok->key, tok->keylen);
	}
	out->src = text;
	out->len = len;
	out->tok = t.tok;
	out->ntok = t.ntok;
	out->nsentences = t.nsent;
	out->sent_start = t.ss;
	out->sent_end = t.se;
	return 0;
}
