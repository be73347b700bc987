#!/bin/sh
# test_cli.sh - the cxm command line as a person uses it: help, set-up,
# import and export, bad input, an unreachable or locked database.
# Needs CXM (the binary) and CXM_TEST_DB (sqlite:PATH or postgresql://...).
# Prints TAP lines ("ok N - ..." / "not ok N - ...").
set -u
: "${CXM:?}" "${CXM_TEST_DB:?}"
DATA=$(cd "$(dirname "$0")/../data" && pwd)
W=$(mktemp -d /tmp/cxm-cli-XXXXXX)
trap 'rm -rf "$W"' EXIT
n=0
fails=0
export CXM_LANG=en
export CXM_DB="$CXM_TEST_DB"
T="t$$x$(date +%s%N | tail -c 7)" # unique tenant prefix (PostgreSQL is shared)

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# check DESC WANT_RC PATTERN CMD...: runs CMD, wants exit WANT_RC and
# PATTERN (grep -E) in its stdout+stderr.
check() {
	desc=$1 want=$2 pat=$3
	shift 3
	"$@" >"$W/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$desc" "exit $rc, wanted $want" "$(head -5 "$W/out")"
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$W/out"; then
		not_ok "$desc" "output lacks /$pat/" "$(head -5 "$W/out")"
	else
		ok "$desc"
	fi
}

count() { # count TENANT WHAT: the number after WHAT in `cxm stats`
	"$CXM" stats --tenant "$1" 2>/dev/null | awk -v w="$2" '$1 == w {print $2; exit}'
}

check "--version" 0 '^cxm [0-9]' "$CXM" --version
check "help lists the commands" 0 'import' "$CXM" help
for c in migrate tenant user key org customer survey import export demo stats report text; do
	check "$c --help shows its usage" 0 "usage: cxm $c" "$CXM" "$c" --help
done
check "unknown command" 2 "not a cxm command" "$CXM" frobnicate
check "unknown option" 2 "unknown option '--bogus'" "$CXM" export customers --bogus
check "bad export format" 2 "'xml' is not a format" "$CXM" export customers --format xml
check "bad import kind" 2 "'orders' is not customers, events or responses" "$CXM" import orders x.csv
check "responses are not exported (yet)" 2 "'responses' is neither customers nor events" "$CXM" export responses
check "Spanish messages" 2 "no es un comando" env CXM_LANG=es "$CXM" frobnicate
check "migrate" 0 "schema at version" "$CXM" migrate
check "migrate --status" 0 "up to date" "$CXM" migrate --status
check "tenant create" 0 "created" "$CXM" tenant create "${T}a" --time-zone America/Bogota --language es
check "tenant create twice" 1 "already exists" "$CXM" tenant create "${T}a"
check "tenant with a bad time zone" 2 "not a known time zone" "$CXM" tenant create "${T}z" --time-zone Mars/Olympus
check "tenant list" 0 "${T}a" "$CXM" tenant list
check "user add" 0 "added as agent" "$CXM" user add luis.perez --role agent --name "Luis Pérez" --tenant "${T}a"
check "user add with a bad role" 2 "not a role" "$CXM" user add eva --role boss --tenant "${T}a"
check "org add-unit" 0 "added" "$CXM" org add-unit "Call Centre" --kind call_centre --tenant "${T}a"
check "org add-unit under a parent" 0 "added" "$CXM" org add-unit Soporte --kind team --parent "Call Centre" --from 2026-01-01 --tenant "${T}a"
check "org add-unit Ventas" 0 "added" "$CXM" org add-unit Ventas --kind team --parent "Call Centre" --from 2026-01-01 --tenant "${T}a"
check "org move agent" 0 "is in 'Ventas'" "$CXM" org move --user luis.perez --to Ventas --from 2026-01-01 --tenant "${T}a"
check "org move agent later" 0 "is in 'Soporte'" "$CXM" org move --user luis.perez --to Soporte --from 2026-06-01 --tenant "${T}a"
check "org unit-of in March" 0 "^Ventas$" "$CXM" org unit-of luis.perez --at 2026-03-01 --tenant "${T}a"
check "org unit-of in July" 0 "^Soporte$" "$CXM" org unit-of luis.perez --at 2026-07-01 --tenant "${T}a"
check "org unit-of before he joined" 1 "no unit" "$CXM" org unit-of luis.perez --at 2025-07-01 --tenant "${T}a"
check "org members of the call centre" 0 "luis.perez" "$CXM" org members "Call Centre" --at 2026-07-01 --tenant "${T}a"
check "org move with a bad date" 2 "not a date" "$CXM" org move --user luis.perez --to Ventas --from 2026-02-30 --tenant "${T}a"
check "org history" 0 "Ventas.*2026-01-01T00:00:00Z.*2026-06-01T00:00:00Z" "$CXM" org history luis.perez --tenant "${T}a"
check "org move overlapping" 1 "overlaps" "$CXM" org move --user luis.perez --to Ventas --from 2026-03-01 --tenant "${T}a"

# import: good files, twice
check "import customers" 0 "5 imported" "$CXM" import customers "$DATA/import/good/customers.csv" --tenant "${T}a"
check "import events" 0 "7 imported" "$CXM" import events "$DATA/import/good/events.csv" --tenant "${T}a"
check "import events (JSONL)" 0 "2 imported" "$CXM" import events "$DATA/import/good/events.jsonl" --tenant "${T}a"
check "import events again" 0 "0 imported, 0 updated, 7 duplicate" "$CXM" import events "$DATA/import/good/events.csv" --tenant "${T}a"
check "event of an agent gets his unit at that time" 0 "luis.perez,Soporte" "$CXM" export events --tenant "${T}a"

# bad input: clear message, non-zero exit, nothing written
check "no tenant named" 1 "no tenant named" "$CXM" stats --tenant nobody-here
check "several tenants need --tenant" 1 "--tenant" sh -c "'$CXM' tenant create '${T}b' >/dev/null 2>&1; '$CXM' stats"
check "missing file" 1 "nofile.csv: cannot open the file" "$CXM" import customers "$W/nofile.csv" --tenant "${T}b"
check "directory as file" 1 "cannot open the file" "$CXM" import customers "$W" --tenant "${T}b"
for f in unclosed_quote stray_quote column_count invalid_utf8 unknown_column bad_email; do
	check "bad customers file $f" 1 "$f.csv:[0-9]+: " "$CXM" import customers "$DATA/import/bad/$f.csv" --tenant "${T}b"
done
for f in bad_date bad_number bad_channel amount_no_currency no_customer_column; do
	check "bad events file $f" 1 "$f.csv:[0-9]+: " "$CXM" import events "$DATA/import/bad/$f.csv" --tenant "${T}b"
done
if [ "$(count "${T}b" customers)" = 0 ] && [ "$(count "${T}b" events)" = 0 ]; then
	ok "bad files wrote nothing"
else
	not_ok "bad files wrote nothing" "stats: $("$CXM" stats --tenant "${T}b" 2>&1 | head -4)"
fi
check "--skip-bad imports the good rows" 0 "2 imported.*1 rejected" "$CXM" import customers "$DATA/import/bad/stray_quote.csv" --skip-bad --rejects "$W/rej.csv" --tenant "${T}b"
if grep -q 'Lu"is' "$W/rej.csv" 2>/dev/null && [ "$(wc -l <"$W/rej.csv")" -eq 2 ]; then ok "reject file holds the header and the bad row"; else not_ok "reject file holds the header and the bad row" "$(cat "$W/rej.csv" 2>&1)"; fi
check "bad --db URL" 1 "not a database URL" "$CXM" stats --db mysql://localhost/x
check "database in a missing directory" 1 "does not exist" "$CXM" stats --db sqlite:/nonexistent-dir/x.db
check "unreachable PostgreSQL" 1 "cannot connect to PostgreSQL" "$CXM" stats --db "postgresql://cxm@127.0.0.1:1/cxm?connect_timeout=2"

# export then import into an empty tenant gives the same data
"$CXM" export customers --tenant "${T}a" >"$W/c1.csv" 2>/dev/null
"$CXM" export events --tenant "${T}a" >"$W/e1.csv" 2>/dev/null
"$CXM" tenant create "${T}c" >/dev/null 2>&1
check "re-import exported customers" 0 "6 imported" "$CXM" import customers "$W/c1.csv" --tenant "${T}c"
check "re-import exported events" 0 "9 imported" "$CXM" import events "$W/e1.csv" --tenant "${T}c"
"$CXM" export customers --tenant "${T}c" >"$W/c2.csv" 2>/dev/null
"$CXM" export events --tenant "${T}c" >"$W/e2.csv" 2>/dev/null
if cmp -s "$W/c1.csv" "$W/c2.csv" && cmp -s "$W/e1.csv" "$W/e2.csv" && [ "$(wc -l <"$W/e1.csv")" -eq 10 ]; then
	ok "export, import, export round-trips"
else
	not_ok "export, import, export round-trips" "$(diff "$W/e1.csv" "$W/e2.csv" | head -5)"
fi

# merge two customers
check "customer merge" 0 "merged into" "$CXM" customer merge external_id:CRM-0001 email:nuevo@example.co --tenant "${T}a" --actor test
check "customer show follows the merge" 0 '"nuevo@example.co"' "$CXM" customer show email:nuevo@example.co --tenant "${T}a"
check "customer merges lists the audit" 0 "test" "$CXM" customer merges --tenant "${T}a"
check "merge a customer into itself" 1 "itself" "$CXM" customer merge external_id:CRM-0002 email:jose.nunez@example.es --tenant "${T}a"

# demo data: a believable, deterministic year
check "demo" 0 "demo tenant '${T}d'" "$CXM" demo --customers 150 --seed 7 --tenant "${T}d"
check "demo twice into one tenant" 1 "already" "$CXM" demo --customers 150 --seed 7 --tenant "${T}d"
check "demo with another name" 0 "demo tenant" "$CXM" demo --customers 150 --seed 7 --tenant "${T}e"
"$CXM" export events --tenant "${T}d" >"$W/d1.csv" 2>/dev/null
"$CXM" export events --tenant "${T}e" >"$W/d2.csv" 2>/dev/null
if cmp -s "$W/d1.csv" "$W/d2.csv" && [ "$(wc -l <"$W/d1.csv")" -gt 1000 ]; then
	ok "demo is deterministic for a seed and has a year of events"
else
	not_ok "demo is deterministic for a seed and has a year of events" "$(wc -l "$W/d1.csv" "$W/d2.csv")"
fi
# reports on the demo's answers (the same code as GET /api/v1/metrics)
R="--tenant ${T}d --from 2025-11-01 --to 2026-11-01"
check "report nps by channel" 0 '^email +[0-9]+ +-?[0-9.]+ \[' "$CXM" report nps $R --by channel
check "report csat as CSV" 0 '^value,n,score,ci_low,ci_high,colour,p_vs_rest,verdict' "$CXM" report csat $R --by agent --format csv
check "report ces as JSON" 0 '"metric":"ces"' "$CXM" report ces $R --format json
check "report by month" 0 '^2026-10-01 ' "$CXM" report nps $R --interval month
check "report in Spanish" 0 'frente al resto' env CXM_LANG=es "$CXM" report nps $R --by channel
check "report of an unknown metric" 2 "nps, csat or ces" "$CXM" report nos $R
check "report by an unknown dimension" 2 "must be one of channel" "$CXM" report nps $R --by colour
check "report with an inverted range" 2 "must come after from" "$CXM" report nps --tenant "${T}d" --from 2026-05-01 --to 2026-04-01
check "report with a bad day" 2 "must be a day" "$CXM" report nps --tenant "${T}d" --from 2026-02-30
"$CXM" report nps $R --format json >"$W/r.json" 2>/dev/null
"$CXM" report nps $R --by channel --format json >"$W/rc.json" 2>/dev/null
if node -e '
const a = JSON.parse(require("fs").readFileSync(process.argv[1])), b = JSON.parse(require("fs").readFileSync(process.argv[2]));
const n = b.groups.reduce((s, g) => s + g.n, 0);
process.exit(a.overall.n > 20 && n === a.overall.n && JSON.stringify(a.overall) === JSON.stringify(b.overall) ? 0 : 1);' "$W/r.json" "$W/rc.json"; then
	ok "report: the channels add up to the whole"
else
	not_ok "report: the channels add up to the whole" "$(head -c 300 "$W/r.json")"
fi
chans=$(cut -d, -f6 "$W/d1.csv" | sort -u | tr '\n' ' ')
case "$chans" in
*phone*store*web*) ok "demo spans channels ($chans)" ;;
*) not_ok "demo spans channels" "$chans" ;;
esac
check "demo --customers not a number" 2 "not a number" "$CXM" demo --customers lots
check "demo too large" 2 "from 1 to 10000000" "$CXM" demo --customers 20000000 --tenant "${T}f"
if "$CXM" tenant list 2>/dev/null | grep -q "^${T}f"; then not_ok "a failed demo leaves no tenant"; else ok "a failed demo leaves no tenant"; fi

# accounts: API keys, passwords, the demo's sign-in user
"$CXM" key create --role analyst --name "nightly etl" --tenant "${T}a" >"$W/key" 2>"$W/key.err"
rc=$?
key=$(cat "$W/key")
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$W/key")" -eq 1 ] &&
	echo "$key" | grep -Eq '^cxm_[1-9][0-9]*_[1-9][0-9]*_[A-Za-z0-9_-]{43}$'; then
	ok "key create prints the key alone on one line"
else
	not_ok "key create prints the key alone on one line" "exit $rc" "$(cat "$W/key" "$W/key.err")"
fi
kid=$(echo "$key" | cut -d_ -f3)
secret=$(echo "$key" | cut -d_ -f4-)
if grep -q "shown only this once" "$W/key.err"; then ok "key create message goes to stderr"; else not_ok "key create message goes to stderr" "$(cat "$W/key.err")"; fi
check "key list shows the key" 0 "^$kid	nightly etl	analyst	[0-9T:.Z-]+		${secret#"${secret%????}"}\$" "$CXM" key list --tenant "${T}a"
"$CXM" key list --tenant "${T}a" >"$W/keys" 2>&1
if [ -n "$secret" ] && ! grep -qF -- "$secret" "$W/keys" && ! grep -qF -- "${secret%????}" "$W/keys"; then
	ok "key list never shows the secret"
else
	not_ok "key list never shows the secret" "$(cat "$W/keys")"
fi
check "key create with a bad role" 2 "not a role" "$CXM" key create --role boss --tenant "${T}a"
check "key create without a role" 2 "missing --role" "$CXM" key create --tenant "${T}a"
check "key revoke" 0 "revoked" "$CXM" key revoke "$kid" --tenant "${T}a"
check "key list shows it revoked" 0 "^$kid	nightly etl	analyst	[0-9T:.Z-]+	[0-9T:.Z-]+	" "$CXM" key list --tenant "${T}a"
check "key revoke an unknown id" 1 "no API key 12345" "$CXM" key revoke 12345 --tenant "${T}a"
check "key revoke a key of another tenant" 1 "no API key $kid" "$CXM" key revoke "$kid" --tenant "${T}b"
check "key revoke not an id" 1 "not a key id" "$CXM" key revoke abc --tenant "${T}a"
check "user passwd too short" 1 "at least 10 characters" sh -c "echo short | '$CXM' user passwd luis.perez --tenant '${T}a'"
check "user passwd with nothing on stdin" 1 "no password on stdin" sh -c "'$CXM' user passwd luis.perez --tenant '${T}a' </dev/null"
check "user passwd" 0 "password of 'luis.perez' set" sh -c "echo 'a long enough password' | '$CXM' user passwd luis.perez --tenant '${T}a'"
check "user passwd of an unknown user" 1 "no user 'nadie'" sh -c "echo 'a long enough password' | '$CXM' user passwd nadie --tenant '${T}a'"
check "user add --password-stdin" 0 "added as owner" sh -c "echo 'otra contraseña larga' | '$CXM' user add eva --role owner --password-stdin --tenant '${T}a'"
check "user add --password-stdin too short" 1 "at least 10" sh -c "echo corta | '$CXM' user add eve --role viewer --password-stdin --tenant '${T}a'"
check "user add as owner" 0 "added as owner" "$CXM" user add olga --role owner --tenant "${T}a"
check "demo prints its sign-in user" 0 "sign in as 'demo' \\(or demo@casavoltia.example\\) with the password 'casavoltia-demo'" "$CXM" demo --customers 20 --tenant "${T}g"
check "demo's sign-in user is an owner" 0 "^demo	owner	Demo	demo@casavoltia.example$" "$CXM" user list --tenant "${T}g"

# cxm text analyze: one JSON line per input line, bad lines reported and skipped
ta() { # ta DESC WANT_RC LINE_NO PATTERN ARGS... < input: line LINE_NO of stdout matches PATTERN
	desc=$1 want=$2 ln=$3 pat=$4
	shift 4
	"$CXM" text analyze "$@" >"$W/ta.out" 2>"$W/ta.err"
	rc=$?
	line=$(sed -n "${ln}p" "$W/ta.out")
	if [ "$rc" -ne "$want" ]; then
		not_ok "$desc" "exit $rc, wanted $want" "$(head -3 "$W/ta.err")"
	elif ! printf '%s\n' "$line" | grep -Eq -- "$pat"; then
		not_ok "$desc" "line $ln lacks /$pat/" "$line"
	else
		ok "$desc"
	fi
}
printf 'El envío llegó tarde y el repartidor fue muy grosero\n' >"$W/es.txt"
ta "text analyze: Spanish, detected" 0 1 '^\{"lang":"es","sentiment":\{"score":-0\.[0-9]+,"label":"negative"\},"emotions":\{.*\},"reasons":\[.*"staff".*\],"themes":\["delivery".*\]\}$' <"$W/es.txt"
printf 'Great product, fast delivery! Love it\n' >"$W/en.txt"
ta "text analyze: English, detected" 0 1 '^\{"lang":"en","sentiment":\{"score":0\.[0-9]+,"label":"positive"\},"emotions":\{"joy":' <"$W/en.txt"
ta "text analyze --lang es: forced" 0 1 '^\{"lang":"es",' --lang es <"$W/en.txt"
ta "text analyze --lang auto" 0 1 '^\{"lang":"en",' --lang auto <"$W/en.txt"
printf '😡😡😡\n' >"$W/in1.txt"
ta "text analyze: only emoji" 0 1 '^\{"lang":"other","sentiment":\{"score":-0\.[0-9]+,"label":"negative"\}' <"$W/in1.txt"
printf 'primero\n\ntercero\n' >"$W/in2.txt"
ta "text analyze: an empty line gets a neutral result" 0 2 '^\{"lang":"other","sentiment":\{"score":0,"label":"neutral"\},"emotions":\{\},"reasons":\[\],"themes":\[\]\}$' <"$W/in2.txt"
if [ "$(wc -l <"$W/ta.out")" -eq 3 ]; then ok "text analyze: one line out per line in"; else not_ok "text analyze: one line out per line in" "$(cat "$W/ta.out")"; fi
printf 'bien\nmal \377 aqui\nexcelente\n' >"$W/in3.txt"
ta "text analyze: invalid UTF-8 gives an error line" 1 2 '^\{"line":2,"error":"[^"]+"\}$' <"$W/in3.txt"
if grep -q 'line 2: ' "$W/ta.err" && sed -n 3p "$W/ta.out" | grep -q '"label":"positive"'; then
	ok "text analyze: the error names the line on stderr and the next line goes on"
else
	not_ok "text analyze: the error names the line on stderr and the next line goes on" "$(cat "$W/ta.err")" "$(sed -n 3p "$W/ta.out")"
fi
printf 'ok\nbinario \000\001 aqui\n' >"$W/in4.txt"
ta "text analyze: a NUL byte (binary data) gives an error line" 1 2 '^\{"line":2,"error":"[^"]+"\}$' <"$W/in4.txt"
awk 'BEGIN { s = ""; for (i = 0; i < 14000; i++) s = s "malo "; print s; print "bueno" }' >"$W/long.txt"
ta "text analyze: a line over 64 KiB is refused" 1 1 '^\{"line":1,"error":"[^"]+"\}$' <"$W/long.txt"
ta "text analyze: and the next is analysed" 1 2 '"label":"positive"' <"$W/long.txt"
printf 'Escríbame a ana@example.com\n' >"$W/in5.txt"
ta "text analyze --details: personal data masked" 0 1 '"pii":\[\{"start":13,"end":28,"kind":"email"\}\],"masked":"Escríbame a \[correo\]"' --details <"$W/in5.txt"
check "text analyze: a bad --lang" 2 "'fr' is not a language" "$CXM" text analyze --lang fr
check "text: an unknown subcommand" 2 "unknown text command 'summarise'" "$CXM" text summarise
check "text: no subcommand" 2 "missing analyze" "$CXM" text

case "$CXM_TEST_DB" in
sqlite:*)
	db=${CXM_TEST_DB#sqlite:}
	db=${db%%\?*}
	h=$(sqlite3 "$db" "SELECT u.password_hash FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.name = '${T}g' AND u.username = 'demo'")
	case "$h" in
	'$argon2id$'*) ok "demo's password is stored as an argon2id hash" ;;
	*) not_ok "demo's password is stored as an argon2id hash" "$h" ;;
	esac
	audit=$(sqlite3 "$db" "SELECT a.action || ' ' || a.target FROM audit_log a JOIN tenants t ON t.id = a.tenant_id WHERE t.name = '${T}a' ORDER BY a.id" | tr '\n' ',')
	case "$audit" in
	"user.add luis.perez,key.create $kid,key.revoke $kid,user.passwd luis.perez,user.add eva,user.add olga,") ok "key and password changes are audited" ;;
	*) not_ok "key and password changes are audited" "$audit" ;;
	esac
	;;
esac

# surveys: import a definition, export it back, versions once live
"$CXM" tenant create "${T}s" >/dev/null 2>&1
S="--tenant ${T}s"
"$CXM" survey import "$DATA/surveys/good/posventa.json" $S >"$W/sid" 2>"$W/sid.err"
rc=$?
sid=$(cat "$W/sid")
if [ "$rc" -eq 0 ] && echo "$sid" | grep -Eq '^[1-9][0-9]*$' && grep -q "created (draft, version 1)" "$W/sid.err"; then
	ok "survey import prints the new survey's id"
else
	not_ok "survey import prints the new survey's id" "exit $rc" "$(cat "$W/sid" "$W/sid.err")"
fi
check "survey list shows it" 0 "^$sid	NPS posventa	draft	1	no\$" "$CXM" survey list $S
"$CXM" survey export "NPS posventa" $S >"$W/sv1.json" 2>"$W/sv1.err"
check "survey export by id is the same" 0 "" sh -c "'$CXM' survey export $sid $S | cmp - '$W/sv1.json'"
check "survey export is pretty JSON" 0 '^	"name":	"NPS posventa",$' cat "$W/sv1.json"
check "survey import of the export changes nothing" 0 "unchanged \\(draft, version 1\\)" "$CXM" survey import "$W/sv1.json" $S
"$CXM" tenant create "${T}r" >/dev/null 2>&1
check "survey import of the export into another tenant" 0 "created" "$CXM" survey import "$W/sv1.json" --tenant "${T}r"
"$CXM" survey export "NPS posventa" --tenant "${T}r" >"$W/sv2.json" 2>&1
if cmp -s "$W/sv1.json" "$W/sv2.json" && [ -s "$W/sv1.json" ]; then
	ok "survey export, import, export round-trips"
else
	not_ok "survey export, import, export round-trips" "$(diff "$W/sv1.json" "$W/sv2.json" | head -5)"
fi
for f in "$DATA"/surveys/bad/*.json; do
	field=$(head -1 "${f%.json}.expect" | sed 's/[].[]/\\&/g')
	check "survey import $(basename "$f") fails naming the file and field" 1 "$(basename "$f"): $field: " \
		"$CXM" survey import "$f" $S
done
printf '{"name": "Dup", "languages": ["es"], "name": "Otra",\n "questions": [{"id": "nps", "type": "nps", "text": {"es": "x"}}]}\n' >"$W/dup.json"
check "survey import with a key given twice" 1 "dup.json: the key 'name' appears twice" "$CXM" survey import "$W/dup.json" $S
check "survey import of a missing file" 1 "nothere.json: No such file" "$CXM" survey import "$W/nothere.json" $S
check "survey import of broken JSON" 1 "broken.json: " sh -c "echo '{\"name\":' >'$W/broken.json'; '$CXM' survey import '$W/broken.json' $S"
check "survey import of a file over 4 MiB" 1 "big.json: larger than 4194304 bytes" sh -c "head -c 4194305 /dev/zero | tr '\\0' ' ' >'$W/big.json'; '$CXM' survey import '$W/big.json' $S"
check "failed imports create nothing" 0 "" sh -c "[ \$('$CXM' survey list $S | wc -l) -eq 1 ]"
sed 's/Anything else?/Anything more?/' "$W/sv1.json" >"$W/sv1b.json"
check "survey import while draft keeps version 1" 0 "updated \\(draft, version 1\\)" "$CXM" survey import "$W/sv1b.json" $S
check "survey status live" 0 "is now live" "$CXM" survey status "NPS posventa" live $S
check "survey status live again" 0 "is live already" "$CXM" survey status "$sid" live $S
check "survey import when live makes version 2" 0 "updated \\(live, version 2\\)" "$CXM" survey import "$W/sv1.json" $S
check "survey list shows version 2" 0 "^$sid	NPS posventa	live	2	no\$" "$CXM" survey list $S
check "survey import of the same file again stays at version 2" 0 "unchanged \\(live, version 2\\)" "$CXM" survey import "$W/sv1.json" $S
check "survey export gives version 2" 0 "" sh -c "'$CXM' survey export $sid $S | cmp - '$W/sv1.json'"
check "survey status closed" 0 "is now closed" "$CXM" survey status "NPS posventa" closed $S
check "survey list shows it closed" 0 "^$sid	NPS posventa	closed	2	no\$" "$CXM" survey list $S
check "survey status draft" 0 "is now draft" "$CXM" survey status "NPS posventa" draft $S
check "survey import --live" 0 "created \\(live, version 1\\)" "$CXM" survey import "$DATA/surveys/good/one-language.json" --live $S
check "survey status with a bad status" 2 "'paused' is not a status" "$CXM" survey status "$sid" paused $S
check "survey status of an unknown survey" 1 "no survey named or numbered 'nadie'" "$CXM" survey status nadie live $S
check "survey export of another tenant's survey" 1 "no survey named or numbered '$sid'" "$CXM" survey export "$sid" --tenant "${T}a"
check "survey --live outside import" 2 "goes with 'import' only" "$CXM" survey list --live $S
check "survey status without a status" 2 "missing draft\\|live\\|closed" "$CXM" survey status "$sid" $S
check "survey usage in Spanish" 0 "uso: cxm survey import FICHERO" env CXM_LANG=es "$CXM" survey --help
case "$CXM_TEST_DB" in
sqlite:*)
	db=${CXM_TEST_DB#sqlite:}
	db=${db%%\?*}
	audit=$(sqlite3 "$db" "SELECT a.actor || ' ' || a.action || ' ' || a.target FROM audit_log a JOIN tenants t ON t.id = a.tenant_id WHERE t.name = '${T}s' AND a.target = '$sid' ORDER BY a.id" | tr '\n' ',')
	u=cli:${USER:-}
	[ -n "${USER:-}" ] || u=cli
	want="$u survey.import $sid,$u survey.import $sid,$u survey.status $sid,$u survey.import $sid,$u survey.status $sid,$u survey.status $sid,"
	if [ "$audit" = "$want" ]; then ok "survey changes are audited, and only changes"; else not_ok "survey changes are audited, and only changes" "$audit"; fi
	# a response (the CLI takes none yet) pins the version it answered
	sqlite3 "$db" "INSERT INTO responses (id, tenant_id, source_id, survey_id, version, channel, ts, complete, created_at, updated_at) SELECT 1, id, 'r1', $sid, 1, 'web', 1, 1, 1, 1 FROM tenants WHERE name = '${T}s'"
	check "survey with responses can go live" 0 "is now live" "$CXM" survey status "$sid" live $S
	check "survey with responses cannot go back to draft" 1 "has responses" "$CXM" survey status "$sid" draft $S
	check "survey list shows it still live" 0 "^$sid	NPS posventa	live	" "$CXM" survey list $S
	;;
esac

# journeys: the file and name checks the CLI shares with surveys
check "journey add of a missing file" 1 "nothere.json: No such file" "$CXM" journey add "$W/nothere.json" $S
check "journey add of a file over 1 MiB" 1 "big.json: larger than 1048576 bytes" "$CXM" journey add "$W/big.json" $S
check "journey show of an unknown name" 1 "no journey named or numbered 'nadie' in tenant '${T}s'" "$CXM" journey show nadie $S
check "journey archive of an unknown id" 1 "no journey named or numbered '42'" "$CXM" journey archive 42 $S

# responses: historic answers, into a draft survey and the default NPS survey
V="--tenant ${T}v"
check "tenant for responses" 0 "created" "$CXM" tenant create "${T}v"
check "survey for responses (a draft)" 0 "" "$CXM" survey import "$DATA/surveys/good/posventa.json" $V
check "import --help names responses" 0 "Response columns: id, survey" "$CXM" import --help
check "import responses" 0 "4 rows: 4 imported, 0 updated, 0 duplicate, 0 rejected" \
	"$CXM" import responses "$DATA/import/good/responses.csv" $V
check "import responses again changes nothing" 0 "4 rows: 0 imported, 0 updated, 4 duplicate, 0 rejected" \
	"$CXM" import responses "$DATA/import/good/responses.csv" $V
check "import responses (JSONL)" 0 "^1 new customers created for responses" \
	"$CXM" import responses "$DATA/import/good/responses.jsonl" $V
check "import responses (JSONL) again" 0 "3 rows: 0 imported, 0 updated, 3 duplicate" \
	"$CXM" import responses "$DATA/import/good/responses.jsonl" $V
check "responses created their customers" 0 "^5\$" count "${T}v" customers
check "the default NPS survey was made for rows without survey" 0 "	NPS	live	1	yes\$" "$CXM" survey list $V
for f in "$DATA"/import/bad/responses-*.csv; do
	b=$(basename "$f")
	check "bad responses file $b" 1 "$b:[0-9]+: " "$CXM" import responses "$f" $V
done
check "bad responses files left nothing" 0 "^5\$" count "${T}v" customers
check "unknown response column names the columns" 1 "unknown column 'score' \\(known: id, survey, " \
	"$CXM" import responses "$DATA/import/bad/responses-unknown_column.csv" $V
check "--skip-bad imports the good responses" 0 "1 imported.*1 rejected" \
	"$CXM" import responses "$DATA/import/bad/responses-bad_option.csv" --skip-bad --rejects "$W/rrej.csv" $V
check "--skip-bad names the bad response" 0 "responses-bad_option.csv:3: q.liked: 'gold' is not an option" \
	"$CXM" import responses "$DATA/import/bad/responses-bad_option.csv" --skip-bad --rejects "$W/rrej2.csv" --tenant "${T}v"
printf 'id,survey,external_id,channel,ts,nps,comment,q.liked\na2,NPS posventa,C2,web,2026-01-01T00:00:00Z,10,,staff|gold\n' >"$W/rrej.want"
if cmp -s "$W/rrej.csv" "$W/rrej.want"; then ok "--skip-bad writes the bad response to the reject file"; else not_ok "--skip-bad writes the bad response to the reject file" "$(cat "$W/rrej.csv" 2>&1 | head -3)"; fi
check "the refused response's customer is not kept" 0 "^6\$" count "${T}v" customers

# a database locked by another writer (SQLite)
case "$CXM_TEST_DB" in
sqlite:*)
	db="$W/locked.db"
	"$CXM" tenant create lockme --db "sqlite:$db" >/dev/null 2>&1
	# hold the write lock; the marker says when it is held
	(printf 'BEGIN IMMEDIATE;\nINSERT INTO tenants VALUES (1, %s, %s, %s, 0);\n.shell touch %s\n' \
		"'x'" "'UTC'" "'es'" "$W/locked"; sleep 5) | sqlite3 "$db" &
	i=0
	while [ ! -e "$W/locked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	check "locked database" 1 "locked" "$CXM" import customers "$DATA/import/good/customers.csv" --db "sqlite:$db?busy_timeout=300"
	wait
	if [ "$("$CXM" stats --db "sqlite:$db" --tenant lockme 2>/dev/null | awk '$1=="customers"{print $2}')" = 0 ]; then
		ok "the locked import wrote nothing"
	else
		not_ok "the locked import wrote nothing"
	fi
	# URL options: both, joined by &; a bad one is named with what is known
	check "sqlite URL with cache_mb and busy_timeout" 0 "" \
		"$CXM" stats --db "sqlite:$db?cache_mb=8&busy_timeout=300" --tenant lockme
	check "sqlite URL with cache_mb 0" 1 "bad sqlite URL option 'cache_mb=0'.*cache_mb=MiB" \
		"$CXM" stats --db "sqlite:$db?busy_timeout=300&cache_mb=0" --tenant lockme
	check "sqlite URL with an unknown option" 1 "bad sqlite URL option 'mmap=1'" \
		"$CXM" stats --db "sqlite:$db?mmap=1" --tenant lockme
	;;
esac

echo "1..$n"
[ "$fails" -eq 0 ]
