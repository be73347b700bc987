#!/bin/sh
# bench/text/emotions.sh - how fast GET /api/v1/text/emotions counts the
# emotion mix of a year of comments: N responses with a comment (default 1
# million) spread over the 365 days up to today, each a pair of clauses from
# a pool of Spanish and English ones (so the stored analyses vary), over 10
# touchpoints and 6 channels, loaded with `cxm import responses` (each
# comment analysed on the way in); then `cxm serve` on 127.0.0.1 answers
# the year by touchpoint, by channel, by theme, and for one of two surveys,
# each REPS times (curl, one request at a time); the median and the slowest
# are printed. The figures go into docs/text.md ("The emotion mix") by hand.
#
#   CXM=build/release/cxm sh bench/text/emotions.sh [OUTDIR]
#
# Knobs: N (1000000), REPS (7), DB (a PostgreSQL URL; default a fresh
# SQLite file in OUTDIR), FROM (with a PostgreSQL DB: the SQLite file of
# an earlier run, whose analysed responses are copied in with sqlite3 and
# psql instead of imported: `cxm import` into PostgreSQL waits on a round
# trip per statement and had not finished a million after 15 minutes); the
# copy bypasses the emotion mix rollup, so text_mix is then rebuilt by
# migration 0013 (`cxm migrate`, which counts what is already analysed)
# and its time printed.
set -eu
cd "$(dirname "$0")/../.."
CXM=${CXM:-build/release/cxm}
N=${N:-1000000}
REPS=${REPS:-7}
OUT=${1:-build/bench-emotions}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
case "$CXM" in /*) ;; *) CXM=$(pwd)/$CXM ;; esac
DB=${DB:-sqlite:$OUT/emotions.db}
case "$DB" in sqlite:*) rm -f "${DB#sqlite:}" "${DB#sqlite:}-wal" "${DB#sqlite:}-shm" ;; esac
export CXM_DB="$DB"
T="--tenant bench"
SERVER=
stop() {
	[ -n "$SERVER" ] || return 0
	kill "$SERVER" 2>/dev/null || true
	wait "$SERVER" 2>/dev/null || true
	SERVER=
}
trap stop EXIT

"$CXM" tenant create bench --language es --db "$DB" >/dev/null
cat >"$OUT/survey.json" <<'EOF'
{"name": "Second", "languages": ["es", "en"],
 "questions": [{"id": "nps", "type": "nps", "required": true, "text": {"es": "¿Nos recomendaría?", "en": "Would you recommend us?"}}]}
EOF
# shellcheck disable=SC2086
"$CXM" survey import "$OUT/survey.json" --live $T --db "$DB" >/dev/null
now=$(date -u +%s)
if [ -n "${FROM:-}" ]; then
	# the same rows: tenant and surveys renumbered, customers left out
	pg_ids() { psql "$DB" -Atc "$1"; }
	printf '%s\n' '{"name": "Main", "languages": ["es", "en"],' \
		' "questions": [{"id": "nps", "type": "nps", "required": true, "text": {"es": "¿Nos recomendaría?", "en": "Would you recommend us?"}}]}' \
		>"$OUT/main.json"
	# shellcheck disable=SC2086
	"$CXM" survey import "$OUT/main.json" --live $T --db "$DB" >/dev/null
	tenant=$(pg_ids "SELECT id FROM tenants WHERE name = 'bench'")
	second=$(pg_ids "SELECT id FROM surveys WHERE tenant_id = $tenant AND name = 'Second'")
	main=$(pg_ids "SELECT id FROM surveys WHERE tenant_id = $tenant AND name = 'Main'")
	now=$(sqlite3 "${FROM#sqlite:}" "SELECT MAX(ts) / 1000000 FROM responses")
	COLS="tenant_id, id, source_id, survey_id, version, channel, touchpoint, ts, nps, comment, answers, complete"
	COLS="$COLS, created_at, updated_at, text_lang, text_score, text_label, text_emotions, text_reasons, themes"
	t0=$(date +%s.%N)
	sqlite3 -csv "${FROM#sqlite:}" "SELECT $tenant, r.id, r.source_id, CASE s.name WHEN 'Second' THEN $second ELSE $main END,
		1, r.channel, r.touchpoint, r.ts, r.nps, r.comment, r.answers, r.complete, r.created_at, r.updated_at, r.text_lang,
		r.text_score, r.text_label, r.text_emotions, r.text_reasons, r.themes FROM responses r JOIN surveys s ON s.id = r.survey_id" |
		psql "$DB" -qc "\\copy responses ($COLS) FROM STDIN WITH (FORMAT csv)"
	psql "$DB" -qc "ANALYZE responses"
	load="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') (copied)"
	t0=$(date +%s.%N)
	psql "$DB" -qc "DROP TABLE text_mix" -c "DELETE FROM schema_migrations WHERE version = 13"
	"$CXM" migrate --db "$DB" >/dev/null
	load="$load; text_mix rebuilt by migration 0013 in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
else
awk -v n="$N" -v now="$now" 'BEGIN {
	srand(7)
	split("home product_page checkout delivery support returns billing store_visit app_login call_centre", tp, " ")
	split("web app email phone store chat", ch, " ")
	c = 0
	c++; cl[c] = "el envío llegó tarde"
	c++; cl[c] = "the delivery was late again"
	c++; cl[c] = "el repartidor fue muy grosero"
	c++; cl[c] = "the staff were friendly and helpful"
	c++; cl[c] = "me encantó la atención"
	c++; cl[c] = "I love this shop"
	c++; cl[c] = "muy caro para lo que es"
	c++; cl[c] = "great prices"
	c++; cl[c] = "estoy furioso con el servicio"
	c++; cl[c] = "so frustrating, nobody answers"
	c++; cl[c] = "qué decepción con la calidad"
	c++; cl[c] = "disappointed with the quality"
	c++; cl[c] = "me preocupa que no llegue mi pedido"
	c++; cl[c] = "I am worried about my refund"
	c++; cl[c] = "qué sorpresa, llegó antes"
	c++; cl[c] = "what a nice surprise"
	c++; cl[c] = "confío en ustedes, siempre cumplen"
	c++; cl[c] = "I trust this brand"
	c++; cl[c] = "estoy triste, llegó roto"
	c++; cl[c] = "sad that it broke so soon"
	c++; cl[c] = "la web es fácil de usar"
	c++; cl[c] = "the app keeps crashing"
	c++; cl[c] = "no me dieron información del pedido"
	c++; cl[c] = "todo bien, gracias"
	print "id,survey,external_id,channel,ts,touchpoint,nps,comment"
	for (i = 1; i <= n; i++) {
		t = now - 365 * 86400 + int(i * (365 * 86400 / n))
		secs = t % 86400; days = int(t / 86400)
		z = days + 719468; era = int(z / 146097); doe = z - era * 146097
		yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
		y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
		mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
		m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
		ts = sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, int(secs / 3600), int(secs % 3600 / 60), secs % 60)
		a = 1 + int(rand() * c); b = 1 + int(rand() * c)
		printf "r%08d,%s,C%06d,%s,%s,%s,%d,\"%s, %s\"\n", i, (i % 4 ? "" : "Second"), 1 + int(rand() * 50000),
			ch[1 + int(rand() * 6)], ts, tp[1 + int(rand() * 10)], int(rand() * 11), cl[a], cl[b]
	}
}' >"$OUT/responses.csv"

t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$CXM" import responses "$OUT/responses.csv" $T --db "$DB" >"$OUT/import.log" 2>&1
load=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
rm -f "$OUT/responses.csv"
fi
# shellcheck disable=SC2086
key=$("$CXM" key create --role analyst --name bench $T --db "$DB" | tail -n 1)
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});')
URL="http://127.0.0.1:$PORT"
"$CXM" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet 2>"$OUT/serve.log" &
SERVER=$!
i=0
until curl -sf "$URL/healthz" >/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "cxm serve did not start (see $OUT/serve.log)" >&2; exit 1; }
	sleep 0.1
done
from=$(date -u -d '@'"$((now - 365 * 86400))" +%Y-%m-%d)
to=$(date -u -d '@'"$((now + 86400))" +%Y-%m-%d)
survey=$(curl -sf -H "Authorization: Bearer $key" "$URL/api/v1/surveys" |
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const x=JSON.parse(s).items.find(v=>v.name==="Second");console.log(x?x.id:"")})')

# time PATH: REPS runs; prints "median slowest comments" (seconds)
time_it() {
	curl -sf -H "Authorization: Bearer $key" "$URL$1" >"$OUT/last.json"
	for _ in $(seq "$REPS"); do
		curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$URL$1"
	done | sort -n | awk -v c="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).total.comments)' "$OUT/last.json")" \
		'{ v[NR] = $1 } END { printf "%.3f %.3f %d\n", v[int((NR + 1) / 2)], v[NR], c }'
}

echo "# $N responses with a comment over a year, $(echo "$DB" | sed 's/:.*//') backend; import ${load}s"
echo "query median_s slowest_s comments"
for by in touchpoint channel theme; do
	echo "by=$by $(time_it "/api/v1/text/emotions?from=$from&to=$to&by=$by")"
done
[ -z "$survey" ] || echo "survey,by=touchpoint $(time_it "/api/v1/text/emotions?from=$from&to=$to&survey=$survey")"
echo "90_days,by=touchpoint $(time_it "/api/v1/text/emotions")"
