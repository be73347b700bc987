/*
 * gen-lexicon.c - a build-time tool: turns word lists into a C lexicon
 * table (src/text/lexicon.h) that is compiled into the binary, so cxm
 * reads no lexicon file at run time.
 *
 *   gen-lexicon NAME LANG FILE...  > NAME.c
 *
 * Each FILE is either VADER's vader_lexicon.txt (token TAB mean TAB sd TAB
 * ratings) or one of ours (key TAB valence [TAB exact], '#' comments).
 * The first file that names a key wins; within a file, its last line does
 * (VADER's lexicon names a few keys twice, and VADER keeps the last).
 * A key with spaces is a phrase ("vale la pena"): its first word is marked
 * as the head of a phrase of that many words. LANG is es, en or none; for
 * es every key that is not marked exact also gets an entry under its
 * Snowball stem (the mean valence of the keys sharing that stem), so that
 * "tardaron" finds "tardar".
 *
 * The rule words of src/text/sentiment-rules.h (negators, boosters, ...)
 * go into the same table with their role.
 *
 * With --emoji-names EMOJI_TEST VADER_LEXICON (last), every emoji of
 * Unicode's emoji-test.txt that the files did not rate gets the summed
 * valence of the words of its English name in VADER's lexicon ("loudly
 * crying face" -> crying), as VADER itself reads emoji.
 *
 * Keys are looked up through an open-addressing hash table (cxm_lex_hash,
 * linear probing) that is generated here too, with a Bloom filter (FNV-1a)
 * of the stems.
 */
#define _GNU_SOURCE
#include <libstemmer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/text/lexicon.h"
#include "../src/text/sentiment-rules.h"

#define MAX_ENTRIES 40000

struct entry {
	char *key;
	int file; /* the index of the file that gave its valence */
	double valence;
	int has_valence;
	int exact;
	int phrase_words; /* the longest phrase this key starts (0 = none) */
	int role;         /* enum role of sentiment-rules.h, 0 for none */
};

static struct entry ents[MAX_ENTRIES];
static size_t nents;

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static struct entry *find(const char *key)
{
	for (size_t i = 0; i < nents; i++)
		if (!strcmp(ents[i].key, key))
			return &ents[i];
	return NULL;
}

static struct entry *add(const char *key)
{
	struct entry *e = find(key);

	if (e)
		return e;
	if (nents == MAX_ENTRIES) {
		fprintf(stderr, "gen-lexicon: too many entries\n");
		exit(1);
	}
	e = &ents[nents++];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	return e;
}

/* Drops U+FE0F (emoji presentation selector) so "❤️" and "❤" are one key. */
static void strip_vs16(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if ((unsigned char)r[0] == 0xef && (unsigned char)r[1] == 0xb8 && (unsigned char)r[2] == 0x8f) {
			r += 3;
			continue;
		}
		*w++ = *r++;
	}
	*w = 0;
}

static void read_file(const char *path, int file)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0;

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *fields[4] = {0};
		int nf = 0;
		char *p = line, *end;
		double v;

		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		while (nf < 4) {
			fields[nf++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = 0;
		}
		if (nf < 2) {
			fprintf(stderr, "%s:%d: expected key TAB valence\n", path, lineno);
			exit(1);
		}
		v = strtod(fields[1], &end);
		if (end == fields[1] || *end || v < -4.0 || v > 4.0) {
			fprintf(stderr, "%s:%d: bad valence '%s'\n", path, lineno, fields[1]);
			exit(1);
		}
		strip_vs16(fields[0]);
		if (!fields[0][0])
			continue;
		{
			struct entry *e = add(fields[0]);
			int words = 1;

			/* the first file wins; within a file the last line does,
			 * as when VADER reads its lexicon into a dict */
			if (e->has_valence && e->file != file)
				continue;
			e->has_valence = 1;
			e->file = file;
			e->valence = v;
			e->exact = nf >= 3 && !strcmp(fields[2], "exact");
			for (const char *c = fields[0]; *c; c++)
				words += *c == ' ';
			if (words > 1) {
				char head[256];
				size_t hl = strcspn(fields[0], " ");
				struct entry *h;

				if (hl >= sizeof(head))
					continue;
				memcpy(head, fields[0], hl);
				head[hl] = 0;
				h = add(head);
				if (h->phrase_words < words)
					h->phrase_words = words;
				/* the first two words of a longer phrase, so that a
				 * lookup can give up after the second word */
				if (words > 2) {
					size_t pl = hl + 1 + strcspn(fields[0] + hl + 1, " ");

					if (pl < sizeof(head)) {
						memcpy(head, fields[0], pl);
						head[pl] = 0;
						add(head);
					}
				}
			}
		}
	}
	fclose(f);
}

/* VADER's words, sorted, for rating emoji by their names. */
struct word_val {
	char *w;
	double v;
};
static struct word_val *vwords;
static size_t nvwords;

static int wv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct word_val *)a)->w, ((const struct word_val *)b)->w);
}

static void load_vader_words(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	if (!f) {
		perror(path);
		exit(1);
	}
	vwords = calloc(MAX_ENTRIES, sizeof(*vwords));
	while (fgets(line, sizeof(line), f) && nvwords < MAX_ENTRIES) {
		char *tab = strchr(line, '\t');

		if (!tab)
			continue;
		*tab = 0;
		vwords[nvwords].w = strdup(line);
		vwords[nvwords++].v = strtod(tab + 1, NULL);
	}
	fclose(f);
	qsort(vwords, nvwords, sizeof(*vwords), wv_cmp);
}

static void rate_emoji_by_name(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int feeling = 0; /* in a subgroup of faces, hearts, hands or gestures */

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "; fully-qualified"), *name, emoji[64], word[64];

		/* only emoji that show a feeling: the names of objects, food or
		 * activities mislead ("game die") */
		if (!strncmp(line, "# subgroup: ", 12)) {
			const char *sg = line + 12;

			feeling = (!strncmp(sg, "face-", 5) || !strncmp(sg, "cat-face", 8) || !strncmp(sg, "heart", 5) ||
				   !strncmp(sg, "emotion", 7) || !strncmp(sg, "hand", 4) ||
				   !strncmp(sg, "person-gesture", 14)) &&
				  strncmp(sg, "face-costume", 12);
			continue;
		}
		if (!feeling)
			continue;
		double sum = 0;
		size_t n;

		if (!p || !(p = strchr(p, '#')))
			continue;
		p += 2;
		n = strcspn(p, " ");
		if (n >= sizeof(emoji) || strstr(p, "skin tone"))
			continue;
		memcpy(emoji, p, n);
		emoji[n] = 0;
		strip_vs16(emoji);
		if (find(emoji))
			continue;
		name = p + n + 1;
		if (name[0] == 'E') /* the version token, "E1.0" */
			name += strcspn(name, " ") + 1;
		for (p = name; *p && *p != '\n';) {
			struct word_val key, *hit;

			n = 0;
			while (*p >= 'a' && *p <= 'z' && n + 1 < sizeof(word))
				word[n++] = *p++;
			word[n] = 0;
			if (!n) {
				p++;
				continue;
			}
			key.w = word;
			/* VADER rates "hand" 2.2 (as in "give a hand"): not in a name */
			if (!strcmp(word, "hand") || !strcmp(word, "hands"))
				continue;
			hit = bsearch(&key, vwords, nvwords, sizeof(*vwords), wv_cmp);
			if (hit)
				sum += hit->v;
		}
		if (sum != 0) {
			struct entry *en = add(emoji);

			en->has_valence = 1;
			en->valence = sum > 3.5 ? 3.5 : sum < -3.5 ? -3.5 : sum;
		}
	}
	fclose(f);
}

struct stem_entry {
	char *stem;
	double sum;
	int n;
	double min, max;
};

static struct stem_entry stems_tab[MAX_ENTRIES];
static size_t nstem_tab;

static void add_stems(struct sb_stemmer *st)
{
	size_t base = nents;

	for (size_t i = 0; i < base; i++) {
		struct entry *e = &ents[i];
		const sb_symbol *s;
		char stem[256];
		size_t j;

		if (!e->has_valence || e->exact || strchr(e->key, ' '))
			continue;
		s = sb_stemmer_stem(st, (const sb_symbol *)e->key, (int)strlen(e->key));
		if (!s || (size_t)sb_stemmer_length(st) >= sizeof(stem))
			continue;
		memcpy(stem, s, (size_t)sb_stemmer_length(st));
		stem[sb_stemmer_length(st)] = 0;
		for (j = 0; j < nstem_tab; j++)
			if (!strcmp(stems_tab[j].stem, stem))
				break;
		if (j == nstem_tab) {
			stems_tab[j].stem = strdup(stem);
			stems_tab[j].min = stems_tab[j].max = e->valence;
			nstem_tab++;
		}
		stems_tab[j].sum += e->valence;
		stems_tab[j].n++;
		if (e->valence < stems_tab[j].min)
			stems_tab[j].min = e->valence;
		if (e->valence > stems_tab[j].max)
			stems_tab[j].max = e->valence;
	}
	for (size_t j = 0; j < nstem_tab; j++)
		if (stems_tab[j].min < 0 && stems_tab[j].max > 0)
			fprintf(stderr, "gen-lexicon: warning: stem '%s' mixes signs (%.1f..%.1f); mark a key exact\n",
				stems_tab[j].stem, stems_tab[j].min, stems_tab[j].max);
}

static void bloom_set(uint8_t *bloom, uint32_t h)
{
	bloom[(h & 0xffffu) >> 3] |= (uint8_t)(1u << (h & 7));
	bloom[(h >> 16) >> 3] |= (uint8_t)(1u << ((h >> 16) & 7));
}

/* The Bloom filter of the keys with spaces by their first and last word (lexicon.h's phrase_bloom). */
static void emit_phrase_bloom(const char *name)
{
	static uint8_t bloom[8192];

	for (size_t i = 0; i < nents; i++) {
		const char *k = ents[i].key, *first_end = strchr(k, ' '), *last = strrchr(k, ' ');
		unsigned words = 1;

		if (!first_end)
			continue;
		for (const char *c = k; *c; c++)
			words += *c == ' ';
		last++;
		bloom_set(bloom, cxm_lex_phrase_hash(cxm_lex_hash(k, (size_t)(first_end - k)),
						     cxm_lex_hash(last, strlen(last)), words));
	}
	printf("static const uint8_t %s_phrase_bloom[8192] = {", name);
	for (size_t i = 0; i < sizeof(bloom); i++)
		printf("%s%u,", i % 32 ? "" : "\n\t", bloom[i]);
	printf("\n};\n");
}

static void put_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\%03o", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Emits keys[] as entries plus their hash slots; returns the slot count. */
static size_t emit_table(const char *name, const char *suffix, char **keys, const double *val, const unsigned *flags,
		       size_t n)
{
	size_t size = 16;
	uint32_t *slots;

	while (size < 2 * n)
		size *= 2;
	slots = calloc(size, sizeof(*slots));
	if (n >= 0xffff) {
		fprintf(stderr, "gen-lexicon: more than 65534 keys\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t hash = cxm_lex_hash(keys[i], strlen(keys[i]));
		size_t h = hash & (size - 1);

		while (slots[h])
			h = (h + 1) & (size - 1);
		slots[h] = (hash >> 16) << 16 | ((uint32_t)i + 1);
	}
	printf("static const struct cxm_lex_entry %s%s_entries[%zu] = {\n", name, suffix, n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		printf("\t{");
		put_string(keys[i]);
		printf(", %.3ff, %uu, %uu, %zuu},\n", val[i], flags[i], cxm_lex_hash(keys[i], strlen(keys[i])),
		       strlen(keys[i]));
	}
	if (!n)
		printf("\t{\"\", 0.0f, 0u, 0u, 0u},\n");
	printf("};\n");
	printf("static const uint32_t %s%s_slots[%zu] = {", name, suffix, size);
	for (size_t i = 0; i < size; i++)
		printf("%s%u,", i % 16 ? " " : "\n\t", slots[i]);
	printf("\n};\n");
	free(slots);
	return size;
}

int main(int argc, char **argv)
{
	struct sb_stemmer *st = NULL;
	const char *name, *lang;
	char **keys;
	double *val;
	unsigned *flags;
	size_t wsize, ssize, stem_min;

	if (argc < 4) {
		fprintf(stderr, "usage: gen-lexicon NAME es|en|none FILE...\n");
		return 2;
	}
	name = argv[1];
	lang = argv[2];
	if (!strcmp(lang, "es"))
		st = sb_stemmer_new("spanish", "UTF_8");
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--emoji-names") && i + 2 < argc) {
			load_vader_words(argv[i + 2]);
			rate_emoji_by_name(argv[i + 1]);
			break;
		}
		read_file(argv[i], i);
	}
	if (st)
		add_stems(st);
	/* the rule words, after the stems: a rule is not a valence */
	if (!strcmp(lang, "es"))
		for (size_t i = 0; i < sizeof(es_rules) / sizeof(es_rules[0]); i++)
			add(es_rules[i].key)->role = es_rules[i].role;
	if (!strcmp(lang, "en"))
		for (size_t i = 0; i < sizeof(en_rules) / sizeof(en_rules[0]); i++)
			add(en_rules[i].key)->role = en_rules[i].role;

	keys = calloc(nents + nstem_tab + 1, sizeof(*keys));
	val = calloc(nents + nstem_tab + 1, sizeof(*val));
	flags = calloc(nents + nstem_tab + 1, sizeof(*flags));
	printf("/* generated by tools/gen-lexicon.c from");
	for (int i = 3; i < argc; i++)
		printf(" %s", strcmp(argv[i], "--emoji-names") ? argv[i] : "and the names of");
	printf(" - do not edit */\n#include <stdint.h>\n#include \"lexicon.h\"\n\n");
	for (size_t i = 0; i < nents; i++) {
		keys[i] = ents[i].key;
		val[i] = ents[i].valence;
		flags[i] = (ents[i].has_valence ? CXM_LEXF_VALENCE : 0) |
			   (unsigned)ents[i].phrase_words << CXM_LEXF_PHRASE_SHIFT |
			   (unsigned)ents[i].role << CXM_LEXF_ROLE_SHIFT;
	}
	wsize = emit_table(name, "", keys, val, flags, nents);
	for (size_t j = 0; j < nstem_tab; j++) {
		keys[j] = stems_tab[j].stem;
		val[j] = stems_tab[j].sum / stems_tab[j].n;
		flags[j] = CXM_LEXF_VALENCE;
	}
	ssize = emit_table(name, "_stem", keys, val, flags, nstem_tab);
	{
		static uint8_t bloom[8192], heads[8192];
		size_t min = nstem_tab ? 1000 : 0;

		for (size_t j = 0; j < nstem_tab; j++) {
			const char *stem = stems_tab[j].stem;
			size_t n = strlen(stem);
			uint32_t h = fnv1a(stem), ph = CXM_LEX_FNV_INIT;

			if (n < min)
				min = n;
			bloom_set(bloom, h);
			for (size_t k = 0; k < n; k++) {
				ph = CXM_LEX_FNV_STEP(ph, stem[k]);
				bloom_set(heads, ph);
			}
		}
		printf("static const uint8_t %s_bloom[8192] = {", name);
		for (size_t i = 0; i < sizeof(bloom); i++)
			printf("%s%u,", i % 32 ? "" : "\n\t", bloom[i]);
		printf("\n};\n");
		printf("static const uint8_t %s_stem_heads[8192] = {", name);
		for (size_t i = 0; i < sizeof(heads); i++)
			printf("%s%u,", i % 32 ? "" : "\n\t", heads[i]);
		printf("\n};\n");
		stem_min = min;
	}
	emit_phrase_bloom(name);
	printf("const struct cxm_lexicon %s = {\n", name);
	printf("\t{%s_entries, %zu, %s_slots, %zu},\n", name, nents, name, wsize - 1);
	printf("\t{%s_stem_entries, %zu, %s_stem_slots, %zu},\n", name, nstem_tab, name, ssize - 1);
	printf("\t%zu, %s_bloom, %s_stem_heads, %s_phrase_bloom,\n", stem_min, name, name, name);
	printf("};\n");
	if (st)
		sb_stemmer_delete(st);
	return 0;
}
