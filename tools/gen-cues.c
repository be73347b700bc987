/*
 * gen-cues.c - build-time generator: turns the cue lists of data/text/
 * (emotions.tsv, reasons.tsv) into C tables (struct cue_set, src/text/cues.h)
 * with their words in key form, their Snowball stems and sorted indexes, so
 * that the binary carries them read-only and nothing is built at run time.
 *
 *   gen-cues NAME ENUM_PREFIX cat1,cat2,... FILE [NAME ENUM_PREFIX cats FILE]...
 *
 * writes C to stdout; a bad line stops it with the file, line and reason.
 * Line format: lang <TAB> category <TAB> weight|x <TAB> term (see the files).
 */
#include <ctype.h>
#include <errno.h>
#include <libstemmer.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cues.h"

#define MAX_WORDS 8 /* CUE_MAX_WORDS */

enum { HOW_STEM, HOW_EXACT, HOW_PREFIX };
static const char *const how_name[] = { "CUE_STEM", "CUE_EXACT", "CUE_PREFIX" };

struct gword {
	char *key, *stem;
	int how;
};
struct gcue {
	int word, nword, cat, exclude;
	double weight;
};
struct lang {
	struct gword *w;
	int nw, capw;
	struct gcue *c;
	int nc, capc;
};

static const char *cur_file;
static int cur_line;

static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gen-cues: %s:%d: ", cur_file ? cur_file : "-", cur_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "gen-cues: out of memory\n");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

/*
 * The key form of a word, as the tokenizer writes struct cxm_token.key:
 * lower case, Latin accents and diaeresis removed, ñ kept. Only the letters
 * of Spanish and English need folding here; anything else (emoji) is kept.
 */
static void key_of(const char *in, char *out, size_t cap)
{
	static const char *const fold[64] = {
		/* U+00C0..U+00FF, by the second UTF-8 byte 0x80..0xBF */
		"a", "a", "a", "a", "a", "a", NULL, "c", "e", "e", "e", "e", "i", "i", "i", "i",
		NULL, "\xc3\xb1", "o", "o", "o", "o", "o", NULL, NULL, "u", "u", "u", "u", "y", NULL, NULL,
		"a", "a", "a", "a", "a", "a", NULL, "c", "e", "e", "e", "e", "i", "i", "i", "i",
		NULL, "\xc3\xb1", "o", "o", "o", "o", "o", NULL, NULL, "u", "u", "u", "u", "y", NULL, "y",
	};
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		const char *rep = NULL;
		size_t adv = 1;
		char one[2] = { 0, 0 };
		if (*p < 0x80) {
			one[0] = (char)tolower(*p);
			rep = one;
		} else if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf && fold[p[1] - 0x80]) {
			rep = fold[p[1] - 0x80];
			adv = 2;
		}
		if (rep) {
			size_t n = strlen(rep);
			if (o + n >= cap)
				die("word too long");
			memcpy(out + o, rep, n);
			o += n;
		} else {
			if (o + 1 >= cap)
				die("word too long");
			out[o++] = (char)*p;
		}
		p += adv;
	}
	out[o] = 0;
}

/* A word with a letter in it (a-z or ñ) is a word; else (emoji) exact. */
static int has_letter(const char *k)
{
	for (const unsigned char *p = (const unsigned char *)k; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (p[0] == 0xc3 && p[1] == 0xb1))
			return 1;
	return 0;
}

static void add_cue(struct lang *L, struct sb_stemmer *st, char *term, int cat, int exclude, double weight)
{
	char *words[MAX_WORDS + 1];
	int n = 0;
	for (char *tok = strtok(term, " "); tok; tok = strtok(NULL, " ")) {
		if (n == MAX_WORDS)
			die("more than %d words", MAX_WORDS);
		words[n++] = tok;
	}
	if (!n)
		die("empty term");
	if (L->nc == L->capc) {
		L->capc = L->capc ? 2 * L->capc : 256;
		L->c = xrealloc(L->c, (size_t)L->capc * sizeof(*L->c));
	}
	L->c[L->nc++] = (struct gcue){ .word = L->nw, .nword = n, .cat = cat, .exclude = exclude, .weight = weight };
	for (int i = 0; i < n; i++) {
		char key[256];
		const char *w = words[i];
		int how = HOW_STEM;
		size_t len = strlen(w);
		if (w[0] == '=') {
			how = HOW_EXACT;
			w++;
		} else if (len > 1 && w[len - 1] == '*') {
			how = HOW_PREFIX;
			words[i][len - 1] = 0;
		}
		key_of(w, key, sizeof(key));
		if (!*key)
			die("empty word in a term");
		if (how == HOW_STEM && !has_letter(key))
			how = HOW_EXACT;
		if (how == HOW_PREFIX && strlen(key) < 3)
			die("a prefix needs 3 letters: '%s*'", key);
		if (L->nw == L->capw) {
			L->capw = L->capw ? 2 * L->capw : 512;
			L->w = xrealloc(L->w, (size_t)L->capw * sizeof(*L->w));
		}
		struct gword *W = &L->w[L->nw++];
		W->key = xstrdup(key);
		W->how = how;
		W->stem = NULL;
		if (how == HOW_STEM) {
			const sb_symbol *s = sb_stemmer_stem(st, (const sb_symbol *)key, (int)strlen(key));
			if (!s)
				die("stemmer failed");
			W->stem = xstrdup((const char *)s);
		}
	}
}

static int ref_cmp(const void *a, const void *b)
{
	const struct cue_ref *x = a, *y = b;
	int c = strcmp(x->s, y->s);
	return c ? c : (x->cue > y->cue) - (x->cue < y->cue);
}

static void put_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\%03o", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void emit_refs(const char *name, const char *suffix, struct cue_ref *r, int n)
{
	qsort(r, (size_t)n, sizeof(*r), ref_cmp);
	printf("static const struct cue_ref %s_%s[] = {\n", name, suffix);
	for (int i = 0; i < n; i++) {
		printf("\t{ ");
		put_string(r[i].s);
		printf(", %u },\n", r[i].cue);
	}
	if (!n)
		printf("\t{ \"\", 0 }\n");
	printf("};\n");
	uint32_t mask = cue_hash_mask((size_t)n);
	uint32_t *slots = calloc((size_t)mask + 1, sizeof(*slots));
	if (!slots)
		die("out of memory");
	cue_hash_fill(r, (size_t)n, slots, mask);
	printf("static const uint32_t %s_%s_slot[] = {", name, suffix);
	for (uint32_t i = 0; i <= mask; i++)
		printf("%s%u,", i % 16 ? " " : "\n\t", slots[i]);
	printf("\n};\n#define %s_%s_mask %uu\n", name, suffix, mask);
	free(slots);
}

static void emit_lang(const char *name, const char *prefix, char **cats, struct lang *L)
{
	struct cue_ref *key = xrealloc(NULL, (size_t)(L->nc + 1) * sizeof(*key));
	struct cue_ref *stem = xrealloc(NULL, (size_t)(L->nc + 1) * sizeof(*stem));
	int nkey = 0, nstem = 0, nprefix = 0;

	printf("static const struct cue_word %s_word[] = {\n", name);
	for (int i = 0; i < L->nw; i++) {
		printf("\t{ ");
		put_string(L->w[i].key);
		printf(", ");
		if (L->w[i].stem)
			put_string(L->w[i].stem);
		else
			printf("NULL");
		printf(", %s },\n", how_name[L->w[i].how]);
	}
	printf("};\nstatic const struct cue %s_cue[] = {\n", name);
	for (int i = 0; i < L->nc; i++) {
		const struct gcue *c = &L->c[i];
		const struct gword *first = &L->w[c->word];
		char cat[64];
		size_t j;
		for (j = 0; cats[c->cat][j] && j + 1 < sizeof(cat); j++)
			cat[j] = (char)toupper((unsigned char)cats[c->cat][j]);
		cat[j] = 0;
		printf("\t{ .word = %d, .nword = %d, .cat = %s%s, .exclude = %d, .weight = %.3ff },\n", c->word,
		       c->nword, prefix, cat, c->exclude, c->weight);
		if (first->how == HOW_PREFIX) {
			nprefix++;
			continue;
		}
		key[nkey++] = (struct cue_ref){ first->key, (uint32_t)i };
		if (first->how == HOW_STEM)
			stem[nstem++] = (struct cue_ref){ first->stem, (uint32_t)i };
	}
	printf("};\n");
	emit_refs(name, "key", key, nkey);
	emit_refs(name, "stem", stem, nstem);
	printf("static const uint32_t %s_prefix[] = {", name);
	for (int i = 0; i < L->nc; i++)
		if (L->w[L->c[i].word].how == HOW_PREFIX)
			printf(" %d,", i);
	printf(nprefix ? " };\n" : " 0 };\n");
	uint8_t bits[CUE_PREFIX_BITS / 8] = { 0 };
	for (int i = 0; i < L->nc; i++) {
		const struct gword *first = &L->w[L->c[i].word];
		cue_prefix_add(bits, first->key);
		if (first->stem)
			cue_prefix_add(bits, first->stem);
	}
	printf("static const uint8_t %s_bits[] = {", name);
	for (size_t i = 0; i < sizeof(bits); i++)
		printf("%s%u,", i % 24 ? " " : "\n\t", bits[i]);
	printf("\n};\n");
	free(key);
	free(stem);
	printf("#define %s_counts %d, %s_word, %d, %s_key, %d, %s_stem, %d, %s_prefix, %d, \\\n", name, L->nc, name,
	       L->nw, name, nkey, name, nstem, name, nprefix);
	printf("\t%s_key_slot, %s_stem_slot, %s_key_mask, %s_stem_mask, %s_bits\n", name, name, name, name, name);
}

static void one_table(const char *table, const char *prefix, const char *catlist, const char *file)
{
	char *cats[64];
	int ncat = 0;
	char *list = xstrdup(catlist);
	for (char *c = strtok(list, ","); c; c = strtok(NULL, ","))
		if (ncat < 64)
			cats[ncat++] = c;
	struct sb_stemmer *st[2] = { sb_stemmer_new("spanish", "UTF_8"), sb_stemmer_new("english", "UTF_8") };
	if (!st[0] || !st[1])
		die("no Snowball stemmer");
	struct lang L[2] = { 0 };

	FILE *f = fopen(file, "r");
	cur_file = file;
	cur_line = 0;
	if (!f)
		die("%s", strerror(errno));
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		cur_line++;
		size_t len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (!len || line[0] == '#')
			continue;
		char *field[4];
		int nf = 0;
		for (char *p = line, *tab; nf < 4; p = tab + 1) {
			field[nf++] = p;
			if (!(tab = strchr(p, '\t')))
				break;
			if (nf < 4)
				*tab = 0;
		}
		if (nf != 4 || strchr(field[3], '\t'))
			die("want 4 tab-separated fields");
		int lang = !strcmp(field[0], "es") ? 0 : !strcmp(field[0], "en") ? 1 : -1;
		if (lang < 0)
			die("language '%s' is neither es nor en", field[0]);
		int cat = -1;
		for (int i = 0; i < ncat; i++)
			if (!strcmp(cats[i], field[1]))
				cat = i;
		if (cat < 0)
			die("unknown category '%s'", field[1]);
		double w = 0;
		int excl = !strcmp(field[2], "x");
		if (!excl) {
			char *end;
			w = strtod(field[2], &end);
			if (*end || !(w >= 0.1 && w <= 2))
				die("weight '%s' is not 0.1..2 or x", field[2]);
		}
		add_cue(&L[lang], st[lang], field[3], cat, excl, w);
	}
	fclose(f);

	char name[2][80];
	for (int i = 0; i < 2; i++) {
		snprintf(name[i], sizeof(name[i]), "%s_%s", table, i ? "en" : "es");
		emit_lang(name[i], prefix, cats, &L[i]);
	}
	printf("const struct cue_set cxm_%s_cues = { {\n", table);
	for (int i = 0; i < 2; i++)
		printf("\t{ %s_cue, %s_counts },\n", name[i], name[i]);
	printf("} };\n\n");
	sb_stemmer_delete(st[0]);
	sb_stemmer_delete(st[1]);
}

int main(int argc, char **argv)
{
	if (argc < 5 || (argc - 1) % 4) {
		fprintf(stderr, "usage: gen-cues NAME ENUM_PREFIX cat1,cat2,... FILE...\n");
		return 2;
	}
	printf("/* generated by tools/gen-cues.c - do not edit */\n");
	printf("#include \"cues.h\"\n#include \"cxm/text.h\"\n\n");
	for (int i = 1; i < argc; i += 4)
		one_table(argv[i], argv[i + 1], argv[i + 2], argv[i + 3]);
	return 0;
}
