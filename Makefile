# cxm - GNU Makefile. `make` builds ./cxm; `make test` runs every test;
# `make run` builds and starts the main job with demo data.

VARIANT ?= release
B := build/$(VARIANT)
CC ?= cc

HAVE_PGSQL := $(shell pkg-config --exists libpq 2>/dev/null && echo 1)

CPPFLAGS += -Iinclude -D_GNU_SOURCE -MMD -MP
CFLAGS_WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
ifeq ($(VARIANT),asan)
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(VARIANT),fuzz)
CC := clang
OPT := -O1 -g -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(VARIANT),debug)
OPT := -O0 -g
else ifeq ($(VARIANT),norollups)
# bench/surveys/ingest.sh only: the release build without the rollup writes,
# to measure what keeping the rollups costs ingest (docs/metrics.md)
OPT := -O2 -g -DCXM_BENCH_NO_ROLLUPS
else
OPT := -O2 -g
endif
CFLAGS += $(CFLAGS_WARN) $(OPT)
# the text engine's loops (bench/text) gain 5-8% from -O3 in the release build
ifeq ($(VARIANT),release)
$(B)/src/text/%.o: OPT := -O3 -g
endif
LDFLAGS += $(filter -fsanitize=%,$(OPT))
LIBS := -lsqlite3 -lcjson -lcsv -lmicrohttpd -lsodium -lcurl -lutf8proc -lstemmer -lpthread -lm
ifeq ($(HAVE_PGSQL),1)
CPPFLAGS += -DCXM_HAVE_PGSQL $(shell pkg-config --cflags libpq)
LIBS += $(shell pkg-config --libs libpq)
endif

LIB_SRCS := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRCS := $(wildcard src/cli/*.c)
GEN_SRCS := $(B)/gen/migrations_sqlite.c $(B)/gen/migrations_pgsql.c $(B)/gen/web_assets.c $(B)/gen/openapi.c $(B)/gen/emoji_table.c
# the text engine's cue lists and default themes (data/text/, rules below)
GEN_SRCS += $(B)/gen/text_cues.c $(B)/gen/themes_json.c
GEN_SRCS += $(B)/gen/lex_en.c $(B)/gen/lex_es.c $(B)/gen/lex_emoji.c
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(GEN_SRCS:%.c=%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
TEST_SRCS := $(wildcard tests/unit/*/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(B)/tests/%)

.PHONY: all deps run test unit clean bench check-deps fuzz fuzz-build FORCE npm
all: cxm

cxm: $(B)/cxm
	@if [ "$(VARIANT)" = release ]; then cp $(B)/cxm cxm.tmp && mv -f cxm.tmp cxm; fi

$(B)/cxm: $(CLI_OBJS) $(B)/libcxm.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(B)/libcxm.a $(LIBS)

$(B)/libcxm.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(CPPFLAGS) -Isrc/store -Isrc/text $(CFLAGS) -c -o $@ $<

# The list of migration files, rewritten only when it changes, so that
# removing or renaming a migration also rebuilds the embedded set.
$(B)/gen/migrations-%.list: FORCE
	@mkdir -p $(dir $@)
	@ls src/store/migrations/$*/*.sql > $@.tmp; cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(B)/gen/migrations_%.c: tools/embed-migrations.sh $(B)/gen/migrations-%.list $(wildcard src/store/migrations/*/*.sql)
	@mkdir -p $(dir $@)
	sh tools/embed-migrations.sh $* src/store/migrations/$* > $@

FORCE:

# generated files are kept (not deleted as intermediates), so that a
# build with nothing changed does nothing
.SECONDARY: $(GEN_SRCS) $(B)/gen/migrations-sqlite.list $(B)/gen/migrations-pgsql.list

# npm packages (package-lock.json): ECharts is embedded into the binary,
# playwright-core drives chromium in tests/browser/, @duckdb/node-api is
# a peer in bench/metrics/. `npm ci` runs again
# whenever the lock file is newer than the stamp it leaves behind.
NPM_STAMP := node_modules/.cxm-npm-ci
ECHARTS_JS := node_modules/echarts/dist/echarts.min.js
$(NPM_STAMP): package-lock.json package.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: run 'make deps'" >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

# The dashboard: every file under web/ (and the directories, so that adding
# or removing a file rebuilds too) and the ECharts bundle.
WEB_FILES := $(shell find web -type f ! -name README.md) $(shell find web -type d)
$(B)/gen/web_assets.c: tools/embed-web.sh $(WEB_FILES) $(NPM_STAMP)
	@mkdir -p $(dir $@)
	sh tools/embed-web.sh web $(ECHARTS_JS) > $@.tmp && mv $@.tmp $@

$(B)/gen/openapi.c: tools/embed-file.sh docs/openapi.json
	@mkdir -p $(dir $@)
	sh tools/embed-file.sh cxm_openapi_json docs/openapi.json > $@

# The emoji of src/text/: ranges of code points generated from Unicode's
# emoji-test.txt (Debian unicode-data) by a small C program built for the host.
EMOJI_TEST := /usr/share/unicode/emoji/emoji-test.txt
HOSTCC ?= cc
$(B)/gen/emoji_table.c: tools/gen-emoji.c $(EMOJI_TEST)
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 -o $(B)/gen/gen-emoji tools/gen-emoji.c
	$(B)/gen/gen-emoji $(EMOJI_TEST) > $@.tmp && mv $@.tmp $@

# The text engine's emotion and reason cues (data/text/*.tsv) become C tables
# with their Snowball stems: tools/gen-cues.c is a host program run at build
# time. The default theme taxonomy is embedded as JSON.
EMOTIONS := joy,trust,surprise,anger,frustration,disappointment,worry,sadness
REASONS := price,speed,convenience,quality,staff,reliability,information
$(B)/tools/gen-cues: tools/gen-cues.c src/text/cues.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -O1 -Wall -Wextra -Werror -Isrc/text -o $@ $< -lstemmer

$(B)/gen/text_cues.c: $(B)/tools/gen-cues data/text/emotions.tsv data/text/reasons.tsv
	@mkdir -p $(dir $@)
	$(B)/tools/gen-cues emotion CXM_EMO_ $(EMOTIONS) data/text/emotions.tsv \
		reason CXM_REASON_ $(REASONS) data/text/reasons.tsv > $@.tmp && mv $@.tmp $@

$(B)/gen/themes_json.c: tools/embed-file.sh data/text/themes.json
	@mkdir -p $(dir $@)
	sh tools/embed-file.sh cxm_default_themes_json data/text/themes.json > $@

# The sentiment lexicons (src/text/lexicon.h), generated by a host tool:
# English from vader-sentiment's vader_lexicon.txt (npm) and our idioms,
# Spanish and emoji from data/lexicons/ (Spanish keys also under their
# Snowball stems; emoji we did not rate read by their names in Unicode's
# emoji-test.txt through VADER's words).
LEXGEN := $(B)/tools/gen-lexicon
$(LEXGEN): tools/gen-lexicon.c src/text/lexicon.h src/text/sentiment-rules.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $< -lstemmer

$(B)/gen/lex_en.c: $(LEXGEN) $(NPM_STAMP) data/lexicons/en_idioms.tsv
	@mkdir -p $(dir $@)
	$(LEXGEN) cxm_lex_en en data/lexicons/en_idioms.tsv node_modules/vader-sentiment/vader_lexicon.txt > $@.tmp && mv $@.tmp $@

$(B)/gen/lex_es.c: $(LEXGEN) data/lexicons/es_valence.tsv
	@mkdir -p $(dir $@)
	$(LEXGEN) cxm_lex_es es data/lexicons/es_valence.tsv > $@.tmp && mv $@.tmp $@

$(B)/gen/lex_emoji.c: $(LEXGEN) data/lexicons/emoji_valence.tsv $(EMOJI_TEST) $(NPM_STAMP)
	@mkdir -p $(dir $@)
	$(LEXGEN) cxm_lex_emoji none data/lexicons/emoji_valence.tsv \
		--emoji-names $(EMOJI_TEST) node_modules/vader-sentiment/vader_lexicon.txt > $@.tmp && mv $@.tmp $@

$(B)/gen/lex_%.o: $(B)/gen/lex_%.c src/text/lexicon.h
	$(CC) $(CPPFLAGS) -Isrc/text $(CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/libcxm.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit -Isrc/store -Isrc/http $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libcxm.a $(LIBS) -lcmocka

unit: $(TEST_BINS) $(B)/cxm

# libFuzzer harnesses over the parsers that read outside input
# (tests/fuzz/): `make fuzz` runs each for FUZZ_SECONDS from its seed corpus.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/bin/%)
FUZZ_SECONDS ?= 60

build/fuzz/bin/%: tests/fuzz/%.c tests/fuzz/fuzz.h build/fuzz/libcxm.a
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) -Isrc/http -Isrc/store $(CFLAGS_WARN) -O1 -g -fsanitize=address,undefined,fuzzer \
		-fno-sanitize-recover=all -o $@ $< build/fuzz/libcxm.a $(LIBS)

fuzz-build:
	$(MAKE) VARIANT=fuzz build/fuzz/libcxm.a
	$(MAKE) VARIANT=fuzz $(FUZZ_BINS)

fuzz: check-deps fuzz-build
	@for f in $(FUZZ_BINS); do \
		name=$$(basename $$f); mkdir -p build/fuzz/corpus/$$name; \
		echo "== $$name ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -max_len=65536 \
			build/fuzz/corpus/$$name tests/fuzz/corpus/$$(echo $$name | sed 's/^fuzz_//') 2>&1 | \
			grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|Done)' || exit 1; \
	done

npm: $(NPM_STAMP)

# Installs the Debian packages the build, the tests and `make run` need.
deps:
	sh tools/deps.sh install

check-deps:
	@sh tools/deps.sh check || sh tools/deps.sh install

run: check-deps
	$(MAKE) cxm
	sh tools/run.sh

test: check-deps
	sh tests/run.sh

bench: check-deps
	$(MAKE) cxm npm
	sh bench/import/run.sh
	sh bench/ingest/run.sh
	sh bench/surveys/run.sh
	sh bench/metrics/run.sh
	sh bench/text/run.sh

clean:
	rm -rf build cxm

-include $(LIB_SRCS:%.c=$(B)/%.d) $(CLI_OBJS:.o=.d)
