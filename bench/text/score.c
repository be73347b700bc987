/*
 * score.c - bench/text's driver: reads one text per line from stdin and
 * writes cxm's compound sentiment score for each, one per line, with the
 * language that scored it. With -t SECONDS, instead times tokenize +
 * sentiment over all the lines again and again for that long and prints
 * "bytes seconds" (CPU seconds of this one-threaded process, so that other
 * work on the machine does not count); -n ROUNDS does the same for exactly
 * that many rounds over the lines (steady counts for perf stat). With -a,
 * each text goes through the full cxm_text_analyze (tokens, language,
 * sentiment, emotions and reasons, themes, personal data) instead of
 * tokenize + sentiment.
 *
 *   score [-a] [-l es|en|auto] [-t SECONDS | -n ROUNDS] < texts.txt
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cxm/arena.h"
#include "cxm/text.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	enum cxm_lang lang = CXM_LANG_OTHER;
	double budget = 0;
	long rounds = 0;
	char **lines = NULL;
	size_t n = 0, cap = 0, bytes = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	struct cxm_arena a;
	struct cxm_stemmers *st = cxm_stemmers_new();
	struct cxm_text_ctx ctx;
	bool full = false;
	int opt;

	while ((opt = getopt(argc, argv, "al:n:t:")) != -1) {
		if (opt == 'a')
			full = true;
		else if (opt == 'l')
			lang = !strcmp(optarg, "es") ? CXM_LANG_ES : !strcmp(optarg, "en") ? CXM_LANG_EN : CXM_LANG_OTHER;
		else if (opt == 't')
			budget = atof(optarg);
		else if (opt == 'n')
			rounds = atol(optarg);
		else
			return 2;
	}
	while ((len = getline(&line, &lcap, stdin)) > 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			lines = realloc(lines, cap * sizeof(*lines));
			if (!lines)
				abort();
		}
		lines[n++] = strdup(line);
		bytes += (size_t)len;
	}
	free(line);
	cxm_arena_init(&a, 64 * 1024);
	cxm_text_ctx_init(&ctx);
	if (budget > 0 || rounds > 0) {
		double t0 = now(), t;
		size_t done = 0;
		long round = 0;

		do {
			for (size_t i = 0; i < n; i++) {
				struct cxm_text t1;
				struct cxm_sentiment s;
				char why[128];

				if (full) {
					struct cxm_analyze_opts o = { .lang = lang };
					struct cxm_analysis an;

					cxm_text_analyze(&ctx, lines[i], strlen(lines[i]), &o, &an, why, sizeof(why));
					continue;
				}
				cxm_arena_clear(&a);
				if (cxm_text_tokenize(&a, lines[i], strlen(lines[i]), &t1, why, sizeof(why)))
					continue;
				cxm_sentiment_score(&a, st, &t1, lang == CXM_LANG_OTHER ? cxm_text_language(&t1, NULL) : lang,
						    &s);
			}
			done += bytes;
			t = now() - t0;
		} while (rounds > 0 ? ++round < rounds : t < budget);
		printf("%zu %.6f\n", done, t);
	} else {
		for (size_t i = 0; i < n; i++) {
			struct cxm_text t1;
			struct cxm_sentiment s;
			char why[128];

			if (full) {
				struct cxm_analyze_opts o = { .lang = lang };
				struct cxm_analysis an;

				if (cxm_text_analyze(&ctx, lines[i], strlen(lines[i]), &o, &an, why, sizeof(why)))
					printf("0\terror\n");
				else
					printf("%.4f\t%s\n", an.sentiment.text.compound, cxm_lang_code(an.lang));
				continue;
			}
			cxm_arena_clear(&a);
			if (cxm_text_tokenize(&a, lines[i], strlen(lines[i]), &t1, why, sizeof(why))) {
				printf("0\terror\n");
				continue;
			}
			cxm_sentiment_score(&a, st, &t1, lang == CXM_LANG_OTHER ? cxm_text_language(&t1, NULL) : lang, &s);
			printf("%.4f\t%s\n", s.text.compound, cxm_lang_code(s.lang));
		}
	}
	cxm_arena_release(&a);
	cxm_text_ctx_release(&ctx);
	cxm_stemmers_free(st);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return 0;
}
