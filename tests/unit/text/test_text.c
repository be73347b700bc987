/* test_text.c - the text engine's core (src/text/): tokens, their norms and
 * keys (accents, ñ, elongations, capitals), emoji sequences, emoticons
 * against times and URLs, tags, addresses, numbers and prices, sentences,
 * the language of typical comments, Snowball stems (and their cache), personal data, and
 * the texts that are refused. Language and personal-data cases are files:
 * tests/data/text/language.tsv and pii.tsv. */
#include "testutil.h"

#include "cxm/text.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cxm_arena arena;

static int setup(void **state)
{
	(void)state;
	cxm_arena_init(&arena, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cxm_arena_release(&arena);
	return 0;
}

/*
 * A line of a tests/data/text/ file, "first<TAB>second": cuts it in two
 * and returns second (line is first), or NULL for comments and blank lines.
 */
static char *data_line(char *line)
{
	line[strcspn(line, "\n")] = '\0';
	char *tab = strchr(line, '\t');
	if (line[0] == '#' || !tab)
		return NULL;
	*tab = '\0';
	return tab + 1;
}

static struct cxm_text tok(const char *s)
{
	struct cxm_text t;
	char why[128] = "";
	int rc = cxm_text_tokenize(&arena, s, strlen(s), &t, why, sizeof(why));
	if (rc)
		fail_msg("tokenize(%s): %d %s", s, rc, why);
	return t;
}

/* The text of token i as written. */
static const char *raw(const struct cxm_text *t, size_t i)
{
	return cxm_arena_strndup(&arena, t->src + t->tok[i].start, t->tok[i].len);
}

/* A text that is exactly one token of a kind, with its norm and key. */
static void one(const char *s, enum cxm_tok_kind kind, const char *norm, const char *key)
{
	struct cxm_text t = tok(s);
	if (t.ntok != 1)
		fail_msg("'%s': %zu tokens, want 1 (first '%s')", s, t.ntok, t.ntok ? raw(&t, 0) : "");
	if (t.tok[0].kind != kind)
		fail_msg("'%s': kind %d, want %d", s, t.tok[0].kind, kind);
	assert_int_equal(t.tok[0].start, 0);
	assert_int_equal(t.tok[0].len, strlen(s));
	if (norm)
		assert_string_equal(t.tok[0].norm, norm);
	if (key)
		assert_string_equal(t.tok[0].key, key);
}

static const char *key_of(const char *s)
{
	struct cxm_text t = tok(s);
	assert_int_equal(t.ntok, 1);
	return t.tok[0].key;
}

static void test_keys(void **state)
{
	(void)state;
	one("acción", CXM_TOK_WORD, "acción", "accion");
	one("CAFÉ", CXM_TOK_WORD, "café", "cafe");
	one("Pingüino", CXM_TOK_WORD, "pingüino", "pinguino");
	one("año", CXM_TOK_WORD, "año", "año");
	one("AÑO", CXM_TOK_WORD, "año", "año");
	one("tardó", CXM_TOK_WORD, "tardó", "tardo");
	one("naïve", CXM_TOK_WORD, "naïve", "naive");
	/* accented and unaccented spellings are the same word; año is not ano */
	assert_string_equal(key_of("atención"), key_of("atencion"));
	assert_string_equal(key_of("Llegó"), key_of("llego"));
	assert_string_equal(key_of("résumé"), key_of("resume"));
	assert_string_not_equal(key_of("año"), key_of("ano"));
	/* decomposed input (e + U+0301, n + U+0303) reads as composed */
	one("cafe\xCC\x81", CXM_TOK_WORD, "café", "cafe");
	one("an\xCC\x83o", CXM_TOK_WORD, "año", "año");
	/* Latin-1 letters go by table, the rest through utf8proc: both agree */
	one("ÑANDÚ", CXM_TOK_WORD, "ñandú", "ñandu");
	one("straße", CXM_TOK_WORD, "strasse", "strasse");
	one("Öl", CXM_TOK_WORD, "öl", "ol");
	one("ÆON", CXM_TOK_WORD, "æon", "æon");
	one("Ελλάδα", CXM_TOK_WORD, "ελλάδα", "ελλαδα");
	static const char *const words[] = { "Acción", "PINGÜINO", "niño", "Ñoño", "buenísimooo", "ÁÉÍÓÚ", "çà" };
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		char slow[64];
		snprintf(slow, sizeof(slow), "%s\xE2\x80\x99s", words[i]); /* ’ takes the utf8proc way */
		struct cxm_text a = tok(words[i]), b = tok(slow);
		assert_int_equal(a.ntok, 1);
		assert_int_equal(b.ntok, 1);
		assert_int_equal(a.tok[0].flags & CXM_TOKF_ELONGATED, b.tok[0].flags & CXM_TOKF_ELONGATED);
		size_t nl = strlen(a.tok[0].norm), kl = strlen(a.tok[0].key);
		assert_int_equal(strlen(b.tok[0].norm), nl + 2);
		assert_memory_equal(b.tok[0].norm, a.tok[0].norm, nl);
		assert_string_equal(b.tok[0].norm + nl, "'s");
		assert_int_equal(strlen(b.tok[0].key), kl + 2);
		assert_memory_equal(b.tok[0].key, a.tok[0].key, kl);
	}
	/* words keep inner apostrophes and hyphens */
	one("don't", CXM_TOK_WORD, "don't", "don't");
	one("don\xE2\x80\x99t", CXM_TOK_WORD, "don't", "don't");
	one("e-mail", CXM_TOK_WORD, "e-mail", "e-mail");
	one("24h", CXM_TOK_WORD, "24h", "24h");
	struct cxm_text t = tok("bien- y 'mal'");
	assert_int_equal(t.ntok, 6);
	assert_string_equal(t.tok[0].norm, "bien");
	assert_string_equal(raw(&t, 1), "-");
	assert_string_equal(t.tok[4].norm, "mal");
}

/* Each token carries its key's length and hash; equal keys hash alike. */
static void test_key_length_hash(void **state)
{
	(void)state;
	struct cxm_text t = tok("Hola hola HOLA, holaaa ¿qué tal? Qué bien!! 👍 #NoMeGusta @ana 25€ 3.5 "
				"www.x.co supercalifragilisticoespialidoso-total supercalifragilisticoespialidosos don't");
	assert_true(t.ntok >= 16);
	for (size_t i = 0; i < t.ntok; i++)
		assert_int_equal(t.tok[i].keylen, strlen(t.tok[i].key));
	assert_string_equal(t.tok[0].key, "hola");
	for (size_t i = 1; i <= 4; i += i == 2 ? 2 : 1) { /* hola HOLA holaaa */
		assert_string_equal(t.tok[i].key, "hola");
		assert_int_equal(t.tok[i].keyhash, t.tok[0].keyhash);
	}
	assert_int_equal(t.tok[2].flags, CXM_TOKF_CAPS);
	assert_int_equal(t.tok[4].flags, CXM_TOKF_ELONGATED);
	assert_int_equal(t.tok[6].keyhash, t.tok[9].keyhash); /* qué, Qué */
	assert_int_not_equal(t.tok[6].keyhash, t.tok[0].keyhash);
	struct cxm_text u = tok("que");
	assert_int_equal(u.tok[0].keyhash, t.tok[6].keyhash);
	/* long words, ASCII, and one that goes on past a hyphen */
	assert_string_equal(t.tok[t.ntok - 3].key, "supercalifragilisticoespialidoso-total");
	assert_string_equal(t.tok[t.ntok - 2].key, "supercalifragilisticoespialidosos");
	assert_string_equal(t.tok[t.ntok - 1].key, "don't");
}

static void test_elongations(void **state)
{
	(void)state;
	static const struct {
		const char *in, *norm, *key;
		bool cut;
	} cases[] = {
		{ "buenísimooo", "buenísimo", "buenisimo", true },
		{ "siiii", "si", "si", true },
		{ "siiiiiiiiiii", "si", "si", true },
		{ "graciaaas", "gracias", "gracias", true },
		{ "Nooooo", "no", "no", true },
		{ "soooo", "so", "so", true },
		{ "goooood", "god", "god", true }, /* the letter's run is cut to one */
		{ "leer", "leer", "leer", false },
		{ "llamar", "llamar", "llamar", false },
		{ "acción", "acción", "accion", false },
		{ "cool", "cool", "cool", false },
		{ "coffee", "coffee", "coffee", false },
		{ "ááá", "á", "a", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cxm_text t = tok(cases[i].in);
		assert_int_equal(t.ntok, 1);
		assert_string_equal(t.tok[0].norm, cases[i].norm);
		assert_string_equal(t.tok[0].key, cases[i].key);
		assert_int_equal(!!(t.tok[0].flags & CXM_TOKF_ELONGATED), cases[i].cut);
	}
}

static void test_caps(void **state)
{
	(void)state;
	struct cxm_text t = tok("PÉSIMO servicio, OK? I Hola NO!!! A1");
	assert_string_equal(raw(&t, 0), "PÉSIMO");
	assert_true(t.tok[0].flags & CXM_TOKF_CAPS);
	assert_string_equal(t.tok[0].norm, "pésimo");
	assert_false(t.tok[1].flags & CXM_TOKF_CAPS);
	assert_string_equal(raw(&t, 3), "OK");
	assert_true(t.tok[3].flags & CXM_TOKF_CAPS);
	assert_string_equal(raw(&t, 5), "I");
	assert_false(t.tok[5].flags & CXM_TOKF_CAPS); /* one letter */
	assert_false(t.tok[6].flags & CXM_TOKF_CAPS);
	assert_string_equal(raw(&t, 7), "NO");
	assert_true(t.tok[7].flags & CXM_TOKF_CAPS);
	assert_string_equal(raw(&t, 9), "A1");
	assert_false(t.tok[9].flags & CXM_TOKF_CAPS);
	t = tok("ÆON Ελλάδα ΕΛΛΆΔΑ"); /* through utf8proc */
	assert_int_equal(t.tok[0].flags, CXM_TOKF_CAPS);
	assert_int_equal(t.tok[1].flags, 0);
	assert_int_equal(t.tok[2].flags, CXM_TOKF_CAPS);
	t = tok("MALÍSIMOOO");
	assert_int_equal(t.tok[0].flags, CXM_TOKF_CAPS | CXM_TOKF_ELONGATED);
}

static void test_emoji(void **state)
{
	(void)state;
	one("👍", CXM_TOK_EMOJI, "👍", "👍");
	one("👍🏽", CXM_TOK_EMOJI, "👍🏽", "👍");           /* skin tone: the key is the plain emoji */
	one("👨‍👩‍👧", CXM_TOK_EMOJI, "👨‍👩‍👧", "👨‍👩‍👧"); /* ZWJ family */
	one("👩🏽‍💻", CXM_TOK_EMOJI, NULL, "👩‍💻");
	one("🇨🇴", CXM_TOK_EMOJI, "🇨🇴", "🇨🇴");           /* flag: a pair of regional indicators */
	one("❤️", CXM_TOK_EMOJI, "❤️", "❤");             /* VS16 */
	one("❤", CXM_TOK_EMOJI, "❤", "❤");               /* a heart without VS16 is still one */
	one("1️⃣", CXM_TOK_EMOJI, NULL, NULL);           /* keycap */
	one("🏴󠁧󠁢󠁳󠁣󠁴󠁿", CXM_TOK_EMOJI, NULL, NULL);            /* tag sequence (Scotland) */
	struct cxm_text t = tok("👍👍");
	assert_int_equal(t.ntok, 2);
	assert_int_equal(t.tok[0].kind, CXM_TOK_EMOJI);
	assert_int_equal(t.tok[1].kind, CXM_TOK_EMOJI);
	t = tok("🇨🇴🇪🇸");
	assert_int_equal(t.ntok, 2);
	assert_string_equal(raw(&t, 1), "🇪🇸");
	t = tok("genial😍😍 gracias");
	assert_int_equal(t.ntok, 4);
	assert_int_equal(t.tok[1].kind, CXM_TOK_EMOJI);
	/* © without VS16 is a symbol; "1" alone is a number */
	t = tok("© 2024");
	assert_int_equal(t.ntok, 2);
	assert_int_equal(t.tok[0].kind, CXM_TOK_PUNCT);
	assert_int_equal(t.tok[1].kind, CXM_TOK_NUMBER);
}

static void test_emoticons(void **state)
{
	(void)state;
	static const char *const faces[] = { ":)", ":-)", ":(", ":-(", ":D", "xD", "XD", ":P", ";)", ":/", ":'(",
					     "<3", "</3", "^^", "-_-", ":v", ":)))", "=)", "D:" };
	for (size_t i = 0; i < sizeof(faces) / sizeof(*faces); i++)
		one(faces[i], CXM_TOK_EMOTICON, faces[i], faces[i]);

	struct cxm_text t = tok("llegó a las 10:30 :)");
	assert_int_equal(t.ntok, 5);
	assert_int_equal(t.tok[3].kind, CXM_TOK_NUMBER);
	assert_string_equal(raw(&t, 3), "10:30");
	assert_int_equal(t.tok[4].kind, CXM_TOK_EMOTICON);
	t = tok("genial:) de 9:00 a 18:30");
	assert_int_equal(t.tok[1].kind, CXM_TOK_EMOTICON);
	assert_int_equal(t.tok[3].kind, CXM_TOK_NUMBER);
	assert_int_equal(t.tok[5].kind, CXM_TOK_NUMBER);
	one("http://tienda.com/x", CXM_TOK_URL, NULL, NULL);
	t = tok("<30 Dani :Do");
	for (size_t i = 0; i < t.ntok; i++)
		assert_int_not_equal(t.tok[i].kind, CXM_TOK_EMOTICON);
}

static void test_tags_urls_emails(void **state)
{
	(void)state;
	one("#PésimoServicio", CXM_TOK_HASHTAG, "pésimoservicio", "pesimoservicio");
	one("@tienda_co", CXM_TOK_MENTION, "tienda_co", "tienda_co");
	one("www.tienda.co", CXM_TOK_URL, NULL, NULL);
	one("Juan.Perez@Mail.com", CXM_TOK_EMAIL, "juan.perez@mail.com", "juan.perez@mail.com");

	struct cxm_text t = tok("ver https://tienda.com/a?b=1. y (www.x.com/p), #12345");
	assert_int_equal(t.tok[1].kind, CXM_TOK_URL);
	assert_string_equal(raw(&t, 1), "https://tienda.com/a?b=1");
	assert_string_equal(raw(&t, 2), ".");
	assert_int_equal(t.tok[5].kind, CXM_TOK_URL);
	assert_string_equal(raw(&t, 5), "www.x.com/p");
	/* an order number is not a hashtag */
	assert_int_equal(t.tok[8].kind, CXM_TOK_PUNCT);
	assert_int_equal(t.tok[9].kind, CXM_TOK_NUMBER);
	/* a sign inside a word is not a tag; an address needs a domain with a dot */
	t = tok("a@b c#d escribe a juan@correo");
	for (size_t i = 0; i < t.ntok; i++) {
		assert_int_not_equal(t.tok[i].kind, CXM_TOK_EMAIL);
		assert_int_not_equal(t.tok[i].kind, CXM_TOK_HASHTAG);
		assert_int_not_equal(t.tok[i].kind, CXM_TOK_MENTION);
	}
}

static void test_numbers_prices(void **state)
{
	(void)state;
	static const char *const numbers[] = { "3", "1.000", "1,000", "3,5", "4.5", "10%", "1.000.000", "10:30" };
	for (size_t i = 0; i < sizeof(numbers) / sizeof(*numbers); i++)
		one(numbers[i], CXM_TOK_NUMBER, numbers[i], numbers[i]);
	static const char *const prices[] = { "$25.000", "$ 25", "25€", "25 €", "£10", "USD 10", "10 USD",
					      "COP 50.000", "10 dólares", "30 euros", "US$ 15", "S/ 30", "50 pesos",
					      "$1,200.50 USD" };
	for (size_t i = 0; i < sizeof(prices) / sizeof(*prices); i++)
		one(prices[i], CXM_TOK_PRICE, prices[i], NULL);

	struct cxm_text t = tok("pagué $25.000, o sea 3,5 veces más.");
	assert_int_equal(t.tok[1].kind, CXM_TOK_PRICE);
	assert_string_equal(raw(&t, 1), "$25.000");
	assert_string_equal(raw(&t, 2), ",");
	assert_string_equal(raw(&t, 5), "3,5");
	/* "usd" in lower case before a number is a word; a lone $ is a mark */
	t = tok("usd 10 $");
	assert_int_equal(t.tok[0].kind, CXM_TOK_WORD);
	assert_int_equal(t.tok[1].kind, CXM_TOK_PRICE); /* "10 $" */
	t = tok("$");
	assert_int_equal(t.tok[0].kind, CXM_TOK_PUNCT);
}

static void test_punct(void **state)
{
	(void)state;
	struct cxm_text t = tok("¡¡Qué bien!!! ¿Y eso?! Bueno... vale…");
	const char *want[] = { "¡¡", "Qué", "bien", "!!!", "¿", "Y", "eso", "?!", "Bueno", "...", "vale", "…" };
	assert_int_equal(t.ntok, sizeof(want) / sizeof(*want));
	for (size_t i = 0; i < t.ntok; i++)
		assert_string_equal(raw(&t, i), want[i]);
	assert_int_equal(t.tok[0].kind, CXM_TOK_PUNCT);
	assert_int_equal(t.tok[7].kind, CXM_TOK_PUNCT);
}

static const char *sentence(const struct cxm_text *t, size_t i)
{
	return cxm_arena_strndup(&arena, t->src + t->sent_start[i], t->sent_end[i] - t->sent_start[i]);
}

static void test_sentences(void **state)
{
	(void)state;
	struct cxm_text t = tok("Hola. ¿Cómo estás? ¡Muy bien!!! 😀 Gracias");
	assert_int_equal(t.nsentences, 4);
	assert_string_equal(sentence(&t, 0), "Hola.");
	assert_string_equal(sentence(&t, 1), "¿Cómo estás?");
	assert_string_equal(sentence(&t, 2), "¡Muy bien!!! 😀"); /* the emoji stays with its sentence */
	assert_string_equal(sentence(&t, 3), "Gracias");
	assert_int_equal(t.tok[t.ntok - 1].sentence, 3);
	assert_int_equal(t.tok[0].sentence, 0);

	/* decimals, titles and initials do not end sentences */
	t = tok("Costó 3.5 euros y el Sr. García, p. ej. la tienda de J. Pérez, no vino. The delivery was late.");
	assert_int_equal(t.nsentences, 2);
	assert_string_equal(sentence(&t, 1), "The delivery was late.");
	/* "etc." ends one before a capital only */
	t = tok("papeles, etc. y más. Luego, etc. Nunca más");
	assert_int_equal(t.nsentences, 3);
	assert_string_equal(sentence(&t, 1), "Luego, etc.");
	t = tok("uno\xE2\x80\xA8" "dos… Tres");
	assert_int_equal(t.nsentences, 3);
	/* new lines end sentences; empty lines make none */
	t = tok("primero\n\n\nsegundo\r\ntercero :)\n");
	assert_int_equal(t.nsentences, 3);
	assert_string_equal(sentence(&t, 2), "tercero :)");
	/* an ellipsis goes on unless a capital follows */
	t = tok("bueno... no sé... Otra vez");
	assert_int_equal(t.nsentences, 2);
	assert_string_equal(sentence(&t, 0), "bueno... no sé...");
	/* a closing quote stays */
	t = tok("Dijo \"¡Nunca más!\" y se fue.");
	assert_int_equal(t.nsentences, 2);
	assert_string_equal(sentence(&t, 0), "Dijo \"¡Nunca más!\"");
}

static void test_language(void **state)
{
	(void)state;
	FILE *f = fopen("tests/data/text/language.tsv", "r");
	char line[1024];
	size_t n = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *text = data_line(line);
		if (!text)
			continue;
		struct cxm_text t = tok(text);
		double conf = -1;
		enum cxm_lang l = cxm_text_language(&t, &conf);
		if (strcmp(cxm_lang_code(l), line))
			fail_msg("'%s': %s, want %s", text, cxm_lang_code(l), line);
		assert_true(conf >= 0 && conf <= 1);
		if (l == CXM_LANG_OTHER)
			assert_true(conf == 0);
		else
			assert_true(conf >= 0.5);
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
	struct cxm_text t = tok("la la");
	assert_int_equal(cxm_text_language(&t, NULL), CXM_LANG_ES);
	assert_string_equal(cxm_lang_code(CXM_LANG_ES), "es");
	assert_string_equal(cxm_lang_code(CXM_LANG_EN), "en");
	assert_string_equal(cxm_lang_code(CXM_LANG_OTHER), "other");
}

static void test_stems(void **state)
{
	(void)state;
	struct cxm_stemmers *s = cxm_stemmers_new();
	assert_string_equal(cxm_stem(s, CXM_LANG_ES, "tardo"), "tard");
	assert_string_equal(cxm_stem(s, CXM_LANG_ES, "tardaron"), "tard");
	assert_string_equal(cxm_stem(s, CXM_LANG_ES, "pedidos"), "ped");
	assert_string_equal(cxm_stem(s, CXM_LANG_EN, "delivered"), "deliv");
	assert_string_equal(cxm_stem(s, CXM_LANG_EN, "stores"), "store");
	assert_string_equal(cxm_stem(s, CXM_LANG_OTHER, "tardo"), "tardo");
	/* the keys of accented and unaccented spellings share a stem */
	assert_string_equal(cxm_stem(s, CXM_LANG_ES, key_of("Tardó")), "tard");
	cxm_stemmers_free(s);
	cxm_stemmers_free(NULL);
}

/*
 * cxm_stem keeps recent stems (stem.c): whatever the order, after
 * evictions and colliding slots, with keys too long to keep and the empty
 * key, every answer is Snowball's, as a stemmer of our own tells it.
 */
static void test_stem_cache(void **state)
{
	(void)state;
	static const char *const syl[] = { "ta", "re", "do", "mi", "sa", "ción", "an", "men", "ito", "ñe", "ed", "ing" };
	const size_t ns = sizeof(syl) / sizeof(*syl), nw = ns * ns * ns * ns;
	struct cxm_stemmers *s = cxm_stemmers_new();
	struct sb_stemmer *oracle[2] = { sb_stemmer_new("spanish", "UTF_8"), sb_stemmer_new("english", "UTF_8") };
	size_t checked = 0;

	assert_non_null(oracle[0]);
	assert_non_null(oracle[1]);
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < nw; i++) {
			/* pass 1 goes backwards, pass 2 strides across the words */
			size_t k = pass == 0 ? i : pass == 1 ? nw - 1 - i : (i * 7919) % nw;
			char w[64];
			snprintf(w, sizeof(w), "%s%s%s%s%s", syl[k % ns], syl[k / ns % ns], syl[k / ns / ns % ns],
				 syl[k / ns / ns / ns], k % 5 ? "" : "amientosdelasnubes"); /* some longer than kept */
			for (int l = 0; l < 2; l++) {
				const char *want = (const char *)sb_stemmer_stem(oracle[l], (const sb_symbol *)w, (int)strlen(w));
				assert_non_null(want);
				assert_string_equal(cxm_stem(s, l ? CXM_LANG_EN : CXM_LANG_ES, w), want);
				checked++;
			}
		}
	}
	assert_int_equal(checked, 3 * 2 * nw);
	assert_string_equal(cxm_stem(s, CXM_LANG_ES, ""), "");
	assert_string_equal(cxm_stem(s, CXM_LANG_ES, "tardaron"), "tard");
	assert_string_equal(cxm_stem(s, CXM_LANG_ES, "tardaron"), "tard"); /* from the cache */
	assert_string_equal(cxm_stem(s, CXM_LANG_EN, "tardaron"), "tardaron");
	sb_stemmer_delete(oracle[0]);
	sb_stemmer_delete(oracle[1]);
	cxm_stemmers_free(s);
}

/* The spans found in s, as "KIND:text" joined by '|'. */
static const char *pii(const char *s)
{
	static const char *const kinds[] = { "EMAIL", "PHONE", "CARD", "ID" };
	struct cxm_pii_span spans[8];
	size_t n = cxm_pii_find(s, strlen(s), spans, 8);
	char *out = cxm_arena_alloc(&arena, 1024), *o = out;

	*o = '\0';
	for (size_t i = 0; i < n && i < 8; i++) {
		if (i)
			assert_true(spans[i].start >= spans[i - 1].start + spans[i - 1].len);
		o += snprintf(o, 1024 - (size_t)(o - out), "%s%s:%.*s", i ? "|" : "", kinds[spans[i].kind],
			      (int)spans[i].len, s + spans[i].start);
	}
	return out;
}

static void test_pii(void **state)
{
	(void)state;
	FILE *f = fopen("tests/data/text/pii.tsv", "r");
	char line[1024];
	size_t n = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *want = data_line(line);
		if (!want)
			continue;
		const char *got = pii(line);
		if (strcmp(got, strcmp(want, "-") ? want : ""))
			fail_msg("'%s': got '%s', want '%s'", line, got, want);
		n++;
	}
	fclose(f);
	assert_true(n >= 27);
	assert_string_equal(pii(""), "");
	/* more spans than room: the count is still right */
	struct cxm_pii_span one_span;
	assert_int_equal(cxm_pii_find("a@b.co c@d.co e@f.co", 20, &one_span, 1), 3);
	assert_int_equal(one_span.kind, CXM_PII_EMAIL);
	assert_int_equal(cxm_pii_find("a@b.co", 6, NULL, 0), 1);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct cxm_text t;
	char why[128];
	static const struct {
		const char *s;
		size_t len;
		const char *why;
	} bad[] = {
		{ "bien \xFF mal", 10, "not valid UTF-8" },
		{ "\xC0\xAF", 2, "not valid UTF-8" },     /* overlong */
		{ "\xED\xA0\x80", 3, "not valid UTF-8" }, /* a surrogate */
		{ "caf\xC3", 4, "not valid UTF-8" },      /* cut short */
		{ "hola\0mundo", 10, "\\u0000 is not allowed" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why[0] = '\0';
		assert_int_equal(cxm_text_tokenize(&arena, bad[i].s, bad[i].len, &t, why, sizeof(why)), CXM_EINVAL);
		assert_non_null(strstr(why, bad[i].why));
		assert_int_equal(t.ntok, 0);
	}
	size_t big = CXM_TEXT_MAX_BYTES + 1;
	char *s = cxm_arena_alloc(&arena, big);
	memset(s, 'a', big);
	assert_int_equal(cxm_text_tokenize(&arena, s, big, &t, why, sizeof(why)), CXM_EINVAL);
	assert_string_equal(why, "is longer than 65536 bytes");
	cxm_i18n_set("es");
	assert_int_equal(cxm_text_tokenize(&arena, s, big, &t, why, sizeof(why)), CXM_EINVAL);
	assert_string_equal(why, "tiene más de 65536 bytes");
	cxm_i18n_set("en");
	/* the limit itself is fine: a long text of words, each token in place */
	static const char word[] = "buenísimo ";
	memset(s, ' ', big);
	size_t words = 0;
	for (size_t i = 0; i + sizeof(word) < big; i += sizeof(word) - 1, words++)
		memcpy(s + i, word, sizeof(word) - 1);
	assert_int_equal(cxm_text_tokenize(&arena, s, big - 1, &t, why, sizeof(why)), 0);
	assert_int_equal(t.ntok, words);
	assert_string_equal(t.tok[words - 1].key, "buenisimo");
	for (size_t i = 1; i < t.ntok; i++)
		assert_true(t.tok[i].start >= t.tok[i - 1].start + t.tok[i - 1].len);

	/* texts are not NUL-terminated: every scanner stops at the end (ASan checks the reads) */
	static const char *const ends[] = { "10", "10 ", "$", "$ ", "USD", "25 \xE2\x82\xAC", "x", ":", "#", "@",
					    "www.", "a@b.c", "http://", "1\xEF\xB8\x8F", "\xF0\x9F\x87\xA8", "Sr.",
					    "DNI 1234567", "+57 300", "4111 1111 1111 111" };
	for (size_t i = 0; i < sizeof(ends) / sizeof(*ends); i++) {
		size_t n = strlen(ends[i]);
		char *b = malloc(n);
		struct cxm_pii_span sp[4];
		memcpy(b, ends[i], n);
		assert_int_equal(cxm_text_tokenize(&arena, b, n, &t, why, sizeof(why)), 0);
		assert_true(t.ntok >= 1);
		cxm_pii_find(b, n, sp, 4);
		free(b);
	}

	/* empty and blank texts: no tokens, no sentences */
	assert_int_equal(cxm_text_tokenize(&arena, "", 0, &t, why, sizeof(why)), 0);
	assert_int_equal(t.ntok, 0);
	assert_int_equal(t.nsentences, 0);
	assert_int_equal(cxm_text_tokenize(&arena, NULL, 0, &t, why, sizeof(why)), 0);
	assert_int_equal(t.ntok, 0);
	t = tok(" \n\t\r\n ");
	assert_int_equal(t.ntok, 0);
	assert_int_equal(t.nsentences, 0);
	/* odd texts still get tokens: only marks, lone combining marks and joiners, other scripts */
	t = tok("!!!???...");
	assert_int_equal(t.ntok, 2);
	t = tok("\xCC\x81\xE2\x80\x8D\xEF\xB8\x8F x");
	assert_int_equal(t.ntok, 1);
	assert_string_equal(t.tok[0].norm, "x");
	t = tok("東京 Привет");
	assert_int_equal(t.ntok, 2);
	assert_string_equal(t.tok[1].norm, "привет");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),	   cmocka_unit_test(test_key_length_hash),
		cmocka_unit_test(test_elongations),
		cmocka_unit_test(test_caps),	   cmocka_unit_test(test_emoji),
		cmocka_unit_test(test_emoticons),  cmocka_unit_test(test_tags_urls_emails),
		cmocka_unit_test(test_numbers_prices), cmocka_unit_test(test_punct),
		cmocka_unit_test(test_sentences),  cmocka_unit_test(test_language),
		cmocka_unit_test(test_stems),	   cmocka_unit_test(test_stem_cache),
		cmocka_unit_test(test_pii),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
