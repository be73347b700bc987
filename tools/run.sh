#!/bin/sh
# run.sh - `make run`: loads the demo tenant into ./cxm.db when the database
# has no tenant yet, says how to sign in, then serves the dashboard and the
# API on 127.0.0.1:8080 (CXM_LISTEN to change it) until Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
DB=${CXM_DB:-sqlite:./cxm.db}
LISTEN=${CXM_LISTEN:-127.0.0.1:8080}
if [ -z "$(./cxm tenant list --db "$DB")" ]; then
	./cxm demo --db "$DB" --customers "${CXM_DEMO_CUSTOMERS:-2000}"
else
	./cxm demo --login-hint --db "$DB" 2>&1 || true
fi
exec ./cxm serve --db "$DB" --listen "$LISTEN"
