/*
 * pii.c - cxm_pii_find: e-mail addresses, phone numbers, payment cards and
 * national ids in a comment, so that they can be masked. One pass over
 * the bytes; what is detected, exactly, is written down in docs/text.md.
 * Prices, percentages, dates, thousands ("1.500.000") and order numbers
 * ("#12345") are not personal data and are left alone.
 */
#include "cxm/text.h"
#include "text-internal.h"

#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

struct found {
	struct cxm_pii_span *spans;
	size_t max, n;
};

static void add(struct found *f, enum cxm_pii_kind kind, size_t start, size_t len)
{
	if (f->n < f->max)
		f->spans[f->n] = (struct cxm_pii_span){ .kind = kind, .start = (uint32_t)start, .len = (uint32_t)len };
	f->n++;
}

static bool at_alnum(const char *s, size_t len, size_t i)
{
	return i < len && ascii_alnum((unsigned char)s[i]);
}

bool text_email_local(unsigned char c)
{
	return ascii_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool text_maybe_email(const char *s, size_t len, size_t i)
{
	while (i < len && ascii_alnum((unsigned char)s[i]))
		i++;
	return i < len && (s[i] == '@' || s[i] == '.' || s[i] == '_' || s[i] == '%' || s[i] == '+' || s[i] == '-');
}

size_t text_scan_email(const char *s, size_t len, size_t i)
{
	size_t j = i;

	while (j < len && text_email_local((unsigned char)s[j]))
		j++;
	if (j == i || j >= len || s[j] != '@' || s[j - 1] == '.')
		return 0;
	size_t d = ++j, last_dot = 0;
	while (j < len && (ascii_alnum((unsigned char)s[j]) || s[j] == '-' ||
			   (s[j] == '.' && j + 1 < len && ascii_alnum((unsigned char)s[j + 1])))) {
		if (s[j] == '.')
			last_dot = j;
		j++;
	}
	if (!last_dot || last_dot == d || j - last_dot - 1 < 2)
		return 0;
	for (size_t k = last_dot + 1; k < j; k++)
		if (!ascii_alpha((unsigned char)s[k]))
			return 0;
	return j - i;
}

static char dni_letter(unsigned long n)
{
	return "TRWAGMYFPDXBNJZSQVHLCKE"[n % 23];
}

/*
 * A Spanish DNI (8 digits and its letter) or NIE (X, Y or Z, 7 digits and
 * the letter), with an optional '-' before the letter: its length when the
 * check letter is right, 0 otherwise. *shape says whether it looked like
 * one at all, so that a wrong letter is skipped rather than read again.
 */
static size_t scan_dni(const char *s, size_t len, size_t i, bool *shape)
{
	size_t j = i, digits = 0, want;
	unsigned long n = 0;
	int first = ascii_upper((unsigned char)s[i]);

	*shape = false;
	if (first == 'X' || first == 'Y' || first == 'Z') {
		n = (unsigned long)(first - 'X');
		j++;
		if (j < len && s[j] == '-')
			j++;
		want = 7;
	} else if (ascii_digit(first)) {
		want = 8;
	} else {
		return 0;
	}
	while (j < len && ascii_digit((unsigned char)s[j]) && digits <= want) {
		n = n * 10 + (unsigned long)(s[j] - '0');
		digits++;
		j++;
	}
	if (digits != want)
		return 0;
	if (j + 1 < len && s[j] == '-' && ascii_alpha((unsigned char)s[j + 1]))
		j++;
	if (j >= len || !ascii_alpha((unsigned char)s[j]) || at_alnum(s, len, j + 1))
		return 0;
	*shape = true;
	return ascii_upper((unsigned char)s[j]) == dni_letter(n) ? j + 1 - i : 0;
}

/* Mexico's CURP: AAAA######HAAAAAX# (18 characters). */
static size_t scan_curp(const char *s, size_t len, size_t i)
{
	static const char shape[] = "AVAA######SAACCCX#";

	if (len - i < 18 || at_alnum(s, len, i + 18))
		return 0;
	for (size_t k = 0; k < 18; k++) {
		int c = s[i + k];
		if (c >= 'a' && c <= 'z')
			c -= 32;
		switch (shape[k]) {
		case 'A':
			if (c < 'A' || c > 'Z')
				return 0;
			break;
		case 'V':
			if (!c || !strchr("AEIOUX", c))
				return 0;
			break;
		case '#':
			if (!ascii_digit(c))
				return 0;
			break;
		case 'S':
			if (c != 'H' && c != 'M' && c != 'X')
				return 0;
			break;
		case 'C':
			if (c < 'A' || c > 'Z' || strchr("AEIOU", c))
				return 0;
			break;
		default:
			if (!ascii_alnum(c))
				return 0;
		}
	}
	return 18;
}

/* Words that name an id, lower case (ASCII letters compared without case). */
static const char *const id_cues[] = { "cédula", "cedula", "cc", "c.c", "ci", "c.i", "dni", "nie", "nif", "rut",
				       "run", "curp", "pasaporte", "passport", "ssn", "documento", "identificación",
				       "identificacion", "rfc", "cpf" };
/* What may stand between the cue and the number: "cédula de ciudadanía no. 123". */
static const char *const id_fillers[] = { "no", "nº", "n°", "num", "número", "numero", "number", "nro", "de",
					  "ciudadanía", "ciudadania", "identidad", "es", "is", "mi", "my" };

/* The first two bytes of each of id_cues (all have two or more), a bit a
 * pair: most words start no cue (built once). */
static uint8_t cue_heads[65536 / 8];
static pthread_once_t cue_heads_once = PTHREAD_ONCE_INIT;

static void cue_heads_build(void)
{
	for (size_t k = 0; k < sizeof(id_cues) / sizeof(*id_cues); k++) {
		unsigned pair = (unsigned char)id_cues[k][0] << 8 | (unsigned char)id_cues[k][1];
		cue_heads[pair >> 3] |= (uint8_t)(1u << (pair & 7));
	}
}

/* The word at i if it is in list: its length, else 0. */
static size_t word_in(const char *s, size_t len, size_t i, const char *const *list, size_t n)
{
	int first = ascii_lower((unsigned char)s[i]);

	for (size_t k = 0; k < n; k++) {
		if ((unsigned char)list[k][0] != first)
			continue;
		size_t m = strlen(list[k]), q;
		if (len - i < m)
			continue;
		for (q = 0; q < m; q++)
			if (ascii_lower((unsigned char)s[i + q]) != (unsigned char)list[k][q])
				break;
		if (q == m && !at_alnum(s, len, i + m) && !(i + m < len && (unsigned char)s[i + m] >= 0x80))
			return m;
	}
	return 0;
}

/*
 * An id named by a cue word at i: the number after it (5 to 15 digits,
 * letters and dots or dashes allowed, no spaces). *start and *idlen get
 * the number's bytes; returns the bytes to skip, or 0.
 */
static size_t scan_named_id(const char *s, size_t len, size_t i, size_t *start, size_t *idlen)
{
	unsigned pair = i + 1 < len ? (unsigned)ascii_lower((unsigned char)s[i]) << 8 |
					  (unsigned)ascii_lower((unsigned char)s[i + 1]) : 0;
	size_t m, j, digits = 0;
	bool dni = false;

	if (!(cue_heads[pair >> 3] >> (pair & 7) & 1))
		return 0;
	m = word_in(s, len, i, id_cues, sizeof(id_cues) / sizeof(*id_cues));
	if (!m)
		return 0;
	dni = m == 3 && (ascii_lower((unsigned char)s[i]) == 'd' || ascii_lower((unsigned char)s[i]) == 'n');
	j = i + m;
	for (int rounds = 0; rounds < 6; rounds++) {
		size_t k = j;
		while (k < len && s[k] && strchr(" :#.-\t", s[k]))
			k++;
		size_t f = k < len ? word_in(s, len, k, id_fillers, sizeof(id_fillers) / sizeof(*id_fillers)) : 0;
		j = k + f;
		if (!f)
			break;
	}
	size_t b = j;
	while (j < len && (ascii_alnum((unsigned char)s[j]) ||
			   ((s[j] == '.' || s[j] == '-') && j + 1 < len && ascii_alnum((unsigned char)s[j + 1])))) {
		digits += ascii_digit((unsigned char)s[j]);
		j++;
	}
	if (digits < 5 || digits > 15 || j - b > 24)
		return 0;
	if (dni) { /* a DNI or NIE with its letter must have the right one */
		bool shape;
		size_t d = scan_dni(s, len, b, &shape);
		if (shape && d != j - b)
			return 0;
	}
	*start = b;
	*idlen = j - b;
	return j - i;
}

static bool luhn(const char *digits, size_t n)
{
	unsigned sum = 0;
	for (size_t k = 0; k < n; k++) {
		unsigned d = (unsigned)(digits[n - 1 - k] - '0');
		if (k & 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/* A currency sign or word just before i (one space allowed) or just after j. */
static bool money_near(const char *s, size_t len, size_t i, size_t j)
{
	static const char *const words[] = { "pesos", "peso", "euros", "euro", "dólares", "dolares", "dollars",
					     "usd", "eur", "cop", "mxn", "clp", "ars", "pen", "gbp" };
	size_t b = i && s[i - 1] == ' ' ? i - 1 : i;
	if (b && (s[b - 1] == '$' || (b >= 3 && !memcmp(s + b - 3, "\xE2\x82\xAC", 3)) ||
		  (b >= 2 && !memcmp(s + b - 2, "\xC2\xA3", 2))))
		return true;
	size_t a = j < len && s[j] == ' ' ? j + 1 : j;
	if (a < len && (s[a] == '$' || (len - a >= 3 && !memcmp(s + a, "\xE2\x82\xAC", 3)) ||
			(len - a >= 2 && !memcmp(s + a, "\xC2\xA3", 2))))
		return true;
	return a < len && word_in(s, len, a, words, sizeof(words) / sizeof(*words));
}

static bool is_paren(char c)
{
	return c == '(' || c == ')';
}

/*
 * A run of digits at i with single separators (space, '-', '.', and
 * parentheses around an area code), maybe after a '+': a card, a phone,
 * or nothing. Returns the bytes to skip.
 */
static size_t scan_digits(const char *s, size_t len, size_t i, struct found *f)
{
	char dig[32];
	size_t groups[16], ng = 0, cur = 0, digits = 0, j = i, end = i;
	bool plus = s[i] == '+', dots = false, other_sep = false, paren = false;

	if (plus)
		j++;
	while (j < len) {
		unsigned char c = (unsigned char)s[j];
		if (ascii_digit(c)) {
			if (digits < sizeof(dig))
				dig[digits] = (char)c;
			digits++;
			cur++;
			end = ++j;
			continue;
		}
		/* a separator, or two when one is a parenthesis: ") ", " (" */
		size_t k = j, seps = 0;
		while (k < len && seps < 2 && s[k] && strchr(" -.()", s[k])) {
			if (s[k] == '(' || s[k] == ')')
				paren = true;
			else if (s[k] == '.')
				dots = true;
			else
				other_sep = true;
			k++;
			seps++;
		}
		if (!seps || k >= len || !ascii_digit((unsigned char)s[k]) ||
		    (seps == 2 && !is_paren(s[j]) && !is_paren(s[j + 1])))
			break;
		if (cur) {
			if (ng < 16)
				groups[ng++] = cur;
			cur = 0;
		}
		j = k;
	}
	if (cur && ng < 16)
		groups[ng++] = cur;
	size_t skip = end - i;
	if (!digits || at_alnum(s, len, end) || (end < len && (s[end] == '%' || s[end] == '@')))
		return skip ? skip : 1;

	/* cards: 13 to 19 digits in groups of spaces or dashes, Luhn-valid */
	if (!plus && !dots && !paren && digits >= 13 && digits <= 19 && luhn(dig, digits)) {
		add(f, CXM_PII_CARD, i, end - i);
		return skip;
	}
	if (digits > 15 || money_near(s, len, i, end))
		return skip;
	/* dates: 2024-01-15, 15.01.2024 */
	if (ng == 3 && ((groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2) ||
			(groups[0] <= 2 && groups[1] <= 2 && groups[2] == 4)))
		return skip;
	/* thousands: 1.500.000 */
	bool thousands = dots && !other_sep && !paren && ng >= 2 && groups[0] <= 3;
	for (size_t g = 1; thousands && g < ng; g++)
		thousands = groups[g] == 3;
	if (thousands)
		return skip;
	bool phone = false;
	if (plus) {
		phone = digits >= 8;
	} else if (digits >= 7 && digits <= 12) {
		if (ng >= 2) {
			phone = true;
			for (size_t g = 0; g < ng; g++)
				phone = phone && groups[g] >= 2;
		} else {
			phone = (digits == 10 && dig[0] == '3') || (digits == 9 && dig[0] >= '6');
		}
	}
	if (phone)
		add(f, CXM_PII_PHONE, i, end - i);
	return skip;
}

/* A letter or digit at i; *n gets its bytes. */
static bool letter_at(const char *s, size_t len, size_t i, size_t *n)
{
	int32_t cp = text_decode(s, len, i, n);
	if (cp < 0x80)
		return ascii_alnum(cp);
	int c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ND;
}

/* Whether a letter or digit ends just before i. */
static bool word_before(const char *s, size_t len, size_t i)
{
	size_t j = i, n;

	if (!i)
		return false;
	if ((unsigned char)s[i - 1] < 0x80)
		return ascii_alnum((unsigned char)s[i - 1]) || s[i - 1] == '_';
	do
		j--;
	while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80 && i - j < 4);
	return letter_at(s, len, j, &n);
}

size_t cxm_pii_find(const char *text, size_t len, struct cxm_pii_span *spans, size_t max)
{
	struct found f = { .spans = spans, .max = max };
	const char *s = text;
	size_t i = 0, m, n;
	/* the first '@' at or after i (len: none): an address needs one, and most texts have none */
	const char *at = len ? memchr(s, '@', len) : NULL;
	size_t next_at = at ? (size_t)(at - s) : len;

	pthread_once(&cue_heads_once, cue_heads_build);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';
		bool shape;

		if (next_at < i) {
			at = memchr(s + i, '@', len - i);
			next_at = at ? (size_t)(at - s) : len;
		}
		if (ascii_alnum(c) && next_at < len && !text_email_local(prev) && prev != '@' &&
		    text_maybe_email(s, len, i) && (m = text_scan_email(s, len, i))) {
			add(&f, CXM_PII_EMAIL, i, m);
			i += m;
			continue;
		}
		if (word_before(s, len, i) || prev == '#' || prev == '.' || prev == ',') {
			/* the rest of a word or of a number that is not ours: "abc123", "#12345", "1.5" */
			while (i < len && ascii_alnum((unsigned char)s[i]))
				i++;
			while (i < len && letter_at(s, len, i, &n))
				i += n;
			if (i < len && !letter_at(s, len, i, &n))
				i += n;
			continue;
		}
		if (ascii_alpha(c)) {
			size_t b, idlen;
			if ((m = scan_dni(s, len, i, &shape)) || shape) {
				if (m)
					add(&f, CXM_PII_NATIONAL_ID, i, m);
				i += m ? m : 1;
			} else if ((m = scan_curp(s, len, i))) {
				add(&f, CXM_PII_NATIONAL_ID, i, m);
				i += m;
			} else if ((m = scan_named_id(s, len, i, &b, &idlen))) {
				add(&f, CXM_PII_NATIONAL_ID, b, idlen);
				i += m;
			} else {
				while (i < len && ascii_alnum((unsigned char)s[i]))
					i++;
				while (i < len && letter_at(s, len, i, &n))
					i += n;
			}
			continue;
		}
		if (ascii_digit(c) && ((m = scan_dni(s, len, i, &shape)) || shape)) {
			if (m)
				add(&f, CXM_PII_NATIONAL_ID, i, m);
			i += m ? m : 1;
			continue;
		}
		if (ascii_digit(c) || ((c == '+' || c == '(') && i + 1 < len && ascii_digit((unsigned char)s[i + 1]))) {
			i += scan_digits(s, len, i, &f);
			continue;
		}
		text_decode(s, len, i, &n);
		i += n;
	}
	return f.n;
}
