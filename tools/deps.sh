#!/bin/sh
# deps.sh check|install - the Debian packages cxm builds, tests and runs with.
# Node and npm install the npm packages of package-lock.json at build time
# (ECharts, embedded into the binary; playwright-core for tests/browser/).
# They come from Debian's nodejs and npm only when no npm is on the PATH, so
# a node installed another way (e.g. a newer nodejs with its own npm) is left alone.
set -eu
PKGS="build-essential pkg-config sqlite3 libsqlite3-dev libpq-dev postgresql-15 postgresql-client-15
libcjson-dev libcsv-dev libcmocka-dev libsodium-dev libutf8proc-dev libstemmer-dev libmicrohttpd-dev libcurl4-openssl-dev
unicode-data wrk clang time
chromium"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

missing() {
	for p in $PKGS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
	done
}

case "${1:-check}" in
check)
	m=$(missing)
	[ -z "$m" ] && exit 0
	echo "missing packages: $(echo $m)" >&2
	exit 1
	;;
install)
	m=$(missing)
	[ -z "$m" ] && { echo "all build and test packages are installed"; exit 0; }
	SUDO=
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	echo "installing: $(echo $m)"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $m
	;;
*)
	echo "usage: deps.sh check|install" >&2
	exit 2
	;;
esac
