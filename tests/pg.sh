#!/bin/sh
# pg.sh start DIR | stop DIR - a throw-away PostgreSQL 15 for tests.
#
# `start` creates a cluster in DIR (made if missing), starts it on a free
# loopback port with durability off (fsync, synchronous_commit and
# full_page_writes: the data is thrown away), creates the database `cxm`
# owned by the superuser `cxm` (trust auth) and prints its URL on stdout,
# e.g. postgresql://cxm@127.0.0.1:PORT/cxm. Everything else goes to stderr
# or DIR/log. `stop` stops the server and removes DIR.
#
# initdb refuses to run as root, so as root the server runs as the
# unprivileged `postgres` user (made by Debian's postgresql-15 package) and
# DIR is handed to it; DIR's parents must then be traversable by that user
# (a directory from `mktemp -d` under /tmp is).
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGUSER_OS=postgres
MARK=.cxm-pg

die() {
	echo "pg.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: tests/pg.sh start DIR | tests/pg.sh stop DIR" >&2
	exit 2
}

# Runs a command as the server's owner: ourselves, or `postgres` when root.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PGUSER_OS" -- "$@"
	else
		"$@"
	fi
}

# A port from 20000-59999 that nothing listens on as far as ss can tell;
# start() still retries, since another process may take it first.
pick_port() {
	i=0
	while [ $i -lt 50 ]; do
		n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		p=$((20000 + n % 40000))
		if ! command -v ss >/dev/null 2>&1 || [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
		i=$((i + 1))
	done
	die "found no free port"
}

# Fails unless every directory above $1 can be entered by the server's owner.
check_parents() {
	d=$1
	while [ "$d" != / ] && [ -n "$d" ]; do
		d=$(dirname "$d")
		as_owner test -x "$d" || die "user $(as_owner id -un) cannot enter '$d' (use a DIR under /tmp, e.g. from mktemp -d)"
	done
}

start() {
	[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] && [ -x "$PGBIN/postgres" ] ||
		die "PostgreSQL 15 is not installed in $PGBIN (apt-get install postgresql-15)"
	mkdir -p "$1"
	dir=$(cd "$1" && pwd -P)
	[ -e "$dir/data" ] && die "'$dir' already holds a cluster (tests/pg.sh stop $1 first)"
	: >"$dir/$MARK"
	chmod 755 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		id "$PGUSER_OS" >/dev/null 2>&1 || die "no user '$PGUSER_OS' to run the server as (apt-get install postgresql-15)"
		chown "$PGUSER_OS" "$dir"
		check_parents "$dir"
	fi
	# Commands run from DIR, so the owner never needs access to our cwd.
	cd "$dir"
	if ! as_owner "$PGBIN/initdb" -D "$dir/data" -U cxm --auth=trust -E UTF8 --locale=C.UTF-8 \
		-N >"$dir/initdb.log" 2>&1; then
		rm -rf "$dir/data"
		as_owner "$PGBIN/initdb" -D "$dir/data" -U cxm --auth=trust -E UTF8 --locale=C \
			-N >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			die "initdb failed"
		}
	fi
	tries=0
	while :; do
		port=$(pick_port)
		if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -s start \
			-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir" \
			-o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null 2>&1; then
			break
		fi
		tries=$((tries + 1))
		[ $tries -lt 5 ] || {
			tail -n 20 "$dir/log" >&2 2>/dev/null || true
			die "the server did not start (see $dir/log)"
		}
	done
	echo "$port" >"$dir/port"
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U cxm -d postgres \
		-c "CREATE DATABASE cxm" >/dev/null </dev/null || die "could not create database cxm"
	echo "postgresql://cxm@127.0.0.1:$port/cxm"
}

stop() {
	[ -d "$1" ] || return 0
	dir=$(cd "$1" && pwd -P)
	# Only ever remove a directory this script set up.
	[ -e "$dir/$MARK" ] || die "'$dir' was not made by tests/pg.sh start; not removing it"
	cd /
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -w -t 60 -s stop -m fast >/dev/null 2>&1 ||
			as_owner "$PGBIN/pg_ctl" -D "$dir/data" -w -t 10 -s stop -m immediate >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case "$1" in
start) start "$2" ;;
stop) stop "$2" ;;
*) usage ;;
esac
