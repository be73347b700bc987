#!/bin/sh
# bench/text/run.sh - cxm's sentiment (src/text/) next to its npm peers, in
# one run, on evaluation data kept outside the repository
# (../shared/data/sentiment, see its README; never copied in, and no weight
# is fitted to it):
# - English: Pearson r of the compound score against the human mean rating
#   of VADER's ground truth (amazon reviews, nyt editorials), next to npm
#   vader-sentiment on the same sentences.
# - Spanish: accuracy on the P and N tweets of TASS 2020 (dev), label = sign
#   of the score, next to npm natural's SentimentAnalyzer (Spanish,
#   senticon, PorterStemmerEs).
# - Throughput: MB of text a second on one core, tokenizing and scoring
#   (cxm: bench/text/score.c over libcxm.a, CPU time; the peers in node).
# Writes the table into docs/benchmarks.md between the text markers.
#
# Knobs: BUDGET (seconds of each throughput measurement, default 5), DATA.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DATA=${DATA:-$ROOT/../shared/data/sentiment}
BUDGET=${BUDGET:-5}
OUT=$ROOT/bench/out/text
die() { echo "text bench: $*" >&2; exit 1; }
[ -f "$DATA/en_amazon_groundtruth.tsv" ] || die "no evaluation data at $DATA (set DATA)"
mkdir -p "$OUT"
make -s cxm npm >&2
[ -f node_modules/natural/package.json ] || die "natural is missing (make npm)"
cc -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -Iinclude -o "$OUT/score" bench/text/score.c \
	build/release/libcxm.a -lutf8proc -lstemmer -lcjson -lm
LOADAVG=$(cut -d' ' -f1 /proc/loadavg)
VADER_VERSION=$(node -p "require('./node_modules/vader-sentiment/package.json').version")
NATURAL_VERSION=$(node -p "require('./node_modules/natural/package.json').version")
echo "== text: scoring (throughput $BUDGET s each)" >&2
node bench/text/eval.mjs "$OUT/score" "$DATA" "$BUDGET" >"$OUT/rows.md"

TABLE=$OUT/table.md
{
	echo "<!-- text:begin (written by bench/text/run.sh) -->"
	echo "### Text: sentiment in Spanish and English, one run on $(date -u +%Y-%m-%d)"
	echo
	cat "$OUT/rows.md"
	echo
	echo "English: the sentences of VADER's ground truth (Hutto & Gilbert 2014; 20 raters each), Pearson r"
	echo "of the compound score against the human mean; VADER's paper reports 0.565 (amazon) and 0.492 (nyt)."
	echo "Spanish: the tweets labelled P or N in TASS 2020 task 1 dev (Costa Rica, Spain, Mexico, Peru,"
	echo "Uruguay); a tweet is read as P when its score is above 0 and N when below. A tweet scored exactly 0"
	echo "(no word of the lexicon, or words that cancel) is a miss in the first accuracy row; the second row"
	echo "counts it as N, the majority class (always answering N scores 0.575). The lexicons were written"
	echo "by hand and never fitted to these tweets or sentences (docs/text.md). Peers: npm vader-sentiment"
	echo "$VADER_VERSION (the JavaScript port of VADER) and natural $NATURAL_VERSION, both in node $(node --version)."
	echo "Throughput is bytes of text per second of CPU time on one core: cxm tokenizes (NFC, case"
	echo "folding, emoji, sentences) and scores each text through libcxm.a (\`bench/text/score.c\`); the peers"
	echo "score the same texts in a loop (natural after its own tokenizer); the full analysis row runs"
	echo "\`cxm_text_analyze\` (language, sentiment, emotions, reasons, themes, personal data). $(nproc) cores shared with other"
	echo "work (load average $LOADAVG when the run started)."
	echo "<!-- text:end -->"
} >"$TABLE"

DOC=docs/benchmarks.md
if grep -q '<!-- text:begin' "$DOC"; then
	awk -v table="$TABLE" '
		/<!-- text:begin/ { while ((getline line < table) > 0) print line; skip = 1; next }
		/<!-- text:end/ { skip = 0; next }
		!skip { print }' "$DOC" >"$OUT/benchmarks.md"
else
	{ cat "$DOC"; echo; cat "$TABLE"; } >"$OUT/benchmarks.md"
fi
mv "$OUT/benchmarks.md" "$DOC"
cat "$TABLE"
