#!/bin/sh
# run.sh - `make run`: until the server exists, the main job loads a demo
# tenant into ./cxm.db (once) and prints what it holds.
set -eu
cd "$(dirname "$0")/.."
DB=${CXM_DB:-sqlite:./cxm.db}
if ./cxm stats --db "$DB" --tenant demo >/dev/null 2>&1; then
	echo "demo tenant already loaded in $DB"
else
	./cxm demo --db "$DB" --customers "${CXM_DEMO_CUSTOMERS:-2000}"
fi
./cxm stats --db "$DB" --tenant demo
