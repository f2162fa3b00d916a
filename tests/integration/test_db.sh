#!/usr/bin/env bash
# test_db.sh: hark's MariaDB layer, schema and `harkctl migrate` against a
# private MariaDB server started for the run and removed after it.
#
# usage: tests/integration/test_db.sh BUILD_DIR
#   BUILD_DIR holds harkctl and tests/integration/db_check.
# Prints one line per check and "N passed, N failed"; exits 1 on a failure,
# 77 (skip) when no MariaDB server is installed.
set -u

build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd) || exit 2
src=$(cd "$(dirname "$0")/../.." && pwd)
harkctl=$build/harkctl
db_check=$build/tests/integration/db_check

passed=0
failed=0
tmp=
mysqld_pid=

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "FAIL - $1${2:+: $2}"; failed=$((failed + 1)); }

for prog in mariadb-install-db mariadbd mariadb; do
	if ! command -v "$prog" >/dev/null 2>&1 &&
	    ! [ -x "/usr/sbin/$prog" ]; then
		echo "skip: $prog not installed (apt-get install mariadb-server)"
		exit 77
	fi
done
PATH=$PATH:/usr/sbin
for f in "$harkctl" "$db_check"; do
	[ -x "$f" ] || { echo "missing $f: build it first" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hark-test-db.XXXXXX") || exit 2
sock=$tmp/mysqld.sock
conf=$tmp/hark.conf
user_opt=
[ "$(id -u)" = 0 ] && user_opt=--user=root

stop_db() {
	[ -n "$mysqld_pid" ] || return 0
	kill "$mysqld_pid" 2>/dev/null
	for _ in $(seq 1 300); do
		kill -0 "$mysqld_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$mysqld_pid" 2>/dev/null
	wait "$mysqld_pid" 2>/dev/null
	mysqld_pid=
}

start_db() {
	mariadbd --no-defaults --datadir="$tmp/data" --socket="$sock" \
	    --skip-networking --pid-file="$tmp/mysqld.pid" $user_opt \
	    --log-error="$tmp/mysqld.err" --innodb-buffer-pool-size=32M \
	    --innodb-log-file-size=16M >/dev/null 2>&1 &
	mysqld_pid=$!
	for _ in $(seq 1 300); do
		if [ -S "$sock" ] && mariadb --no-defaults -S "$sock" -uroot \
		    -e 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$mysqld_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "mariadbd did not start; its log:" >&2
	tail -20 "$tmp/mysqld.err" >&2
	return 1
}

dbc_pid=
cleanup() {
	if [ -n "$dbc_pid" ]; then
		exec {dbc_in}>&- 2>/dev/null
		kill "$dbc_pid" 2>/dev/null
	fi
	stop_db
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

sql() { mariadb --no-defaults -S "$sock" -uroot -N -B "$@"; }

# ---- a private server ---------------------------------------------------

mariadb-install-db --no-defaults --force --auth-root-authentication-method=normal \
    --datadir="$tmp/data" $user_opt --skip-test-db \
    >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log" >&2; exit 1; }
start_db || exit 1
sql -e "CREATE DATABASE hark CHARACTER SET utf8mb4;
    CREATE USER 'hark'@'localhost' IDENTIFIED BY 'test-pw';
    GRANT ALL ON hark.* TO 'hark'@'localhost';" || exit 1

cat >"$conf" <<EOF
[database]
socket = $sock
name = hark
user = hark
password = test-pw
connect_timeout = 2
retries = 3
EOF

# ---- harkctl migrate ----------------------------------------------------

out=$("$harkctl" -c "$conf" migrate --schema-dir "$src/schema" 2>&1)
if [ $? = 0 ] && [[ $out == "applied "*" migration(s), schema version "* ]]; then
	ok "migrate applies the schema ($out)"
else
	not_ok "migrate applies the schema" "$out"
fi

out=$(HARK_SCHEMA_DIR=$src/schema "$harkctl" -c "$conf" migrate 2>&1)
if [ $? = 0 ] && [[ $out == "schema is up to date (version "* ]]; then
	ok "second migrate applies nothing ($out)"
else
	not_ok "second migrate applies nothing" "$out"
fi

want="api_keys audit_log comments feedback feedback_labels jobs media
project_origins projects schema_migrations sessions source_origins sources"
have=$(sql hark -e 'SHOW TABLES' | tr '\n' ' ')
missing=
for t in $want; do
	[[ " $have " == *" $t "* ]] || missing="$missing $t"
done
if [ -z "$missing" ]; then
	ok "every table exists"
else
	not_ok "every table exists" "missing:$missing"
fi

n=$(sql hark -e "SELECT COUNT(*) FROM information_schema.tables
    WHERE table_schema = 'hark' AND (engine <> 'InnoDB'
    OR table_collation NOT LIKE 'utf8mb4%')")
[ "$n" = 0 ] && ok "every table is InnoDB and utf8mb4" ||
	not_ok "every table is InnoDB and utf8mb4" "$n tables are not"

n=$(sql hark -e "SELECT COUNT(*) FROM schema_migrations")
nfiles=$(ls "$src/schema/"[0-9]*.sql | wc -l)
[ "$n" = "$nfiles" ] && ok "schema_migrations records one version per file" ||
	not_ok "schema_migrations records one version per file" \
	    "it has $n rows for $nfiles files"

out=$("$harkctl" -c "$conf" migrate --schema-dir "$tmp/no-such-dir" 2>&1)
rc=$?
if [ $rc = 1 ] && [[ $out == *no-such-dir* ]]; then
	ok "migrate with a missing schema dir fails naming it"
else
	not_ok "migrate with a missing schema dir fails naming it" "exit $rc: $out"
fi

mkdir -p "$tmp/bad-schema"
cp "$src/schema/"*.sql "$tmp/bad-schema/"
printf -- '-- broken on purpose\nCREATE TABLE t_ok (id INT PRIMARY KEY);\nCREATE TABLEX oops;\n' \
    >"$tmp/bad-schema/900_broken.sql"
out=$("$harkctl" -c "$conf" migrate --schema-dir "$tmp/bad-schema" 2>&1)
rc=$?
n=$(sql hark -e "SELECT COUNT(*) FROM schema_migrations WHERE version = 900")
if [ $rc = 1 ] && [[ $out == *"900_broken.sql: line 3:"* ]] && [ "$n" = 0 ]; then
	ok "a failing migration names file and line and is not recorded"
else
	not_ok "a failing migration names file and line and is not recorded" \
	    "exit $rc, recorded $n: $out"
fi
sql hark -e 'DROP TABLE IF EXISTS t_ok'

# A migration outlasts the service's statement and read limits (a FULLTEXT
# index built on a big table): migrate is not cut off by them.
mkdir -p "$tmp/slow-schema"
cp "$src/schema/"*.sql "$tmp/slow-schema/"
printf -- '-- slower than the limits below\nDO SLEEP(3);\n' \
    >"$tmp/slow-schema/901_slow.sql"
{ cat "$conf"; printf 'statement_timeout = 1\nread_timeout = 2\n'; } >"$tmp/short.conf"
out=$("$harkctl" -c "$tmp/short.conf" migrate --schema-dir "$tmp/slow-schema" 2>&1)
rc=$?
n=$(sql hark -e "SELECT COUNT(*) FROM schema_migrations WHERE version = 901")
if [ $rc = 0 ] && [ "$n" = 1 ]; then
	ok "migrate runs past statement_timeout and read_timeout"
else
	not_ok "migrate runs past statement_timeout and read_timeout" \
	    "exit $rc, recorded $n: $out"
fi
sql hark -e 'DELETE FROM schema_migrations WHERE version = 901'

out=$("$harkctl" -c "$conf" migrate --bogus 2>&1)
rc=$?
[ $rc = 2 ] && [[ $out == *usage:* ]] && ok "a bad option exits 2 with usage" ||
	not_ok "a bad option exits 2 with usage" "exit $rc"

out=$("$harkctl" -c "$conf" frobnicate 2>&1)
rc=$?
[ $rc = 2 ] && [[ $out == *usage:* ]] && ok "an unknown command exits 2 with usage" ||
	not_ok "an unknown command exits 2 with usage" "exit $rc"

out=$("$harkctl" version 2>&1)
[ $? = 0 ] && [[ $out == harkctl* ]] && ok "version prints ($out)" ||
	not_ok "version prints" "$out"

# ---- lib/db through db_check --------------------------------------------

# db_check keeps one handle across the server's stop and restart.
# It freezes mariadbd (SIGSTOP) itself for commit_stopped.
exec {dbc_in}> >(HARK_TEST_MYSQLD_PID=$mysqld_pid exec "$db_check" "$conf" \
    >"$tmp/dbc.out" 2>"$tmp/dbc.err")
dbc_pid=$!

# Sends one check and waits for its answer: db_check answers every line
# with exactly one line, so the n-th check's answer is line n.
dbc_n=0
dbc() {
	local name=$1 line i
	dbc_n=$((dbc_n + 1))
	echo "$name" >&"$dbc_in"
	for i in $(seq 1 600); do
		line=$(sed -n "${dbc_n}p" "$tmp/dbc.out")
		if [ -n "$line" ]; then
			case $line in
			"ok $name"*) ok "db: ${line#ok }" ;;
			*) not_ok "db: ${line#FAIL }" ;;
			esac
			return
		fi
		if ! kill -0 "$dbc_pid" 2>/dev/null; then
			not_ok "db: $name" "db_check died: $(tail -3 "$tmp/dbc.err")"
			dbc_n=$((dbc_n - 1))
			return
		fi
		sleep 0.1
	done
	not_ok "db: $name" "no answer in 60 s"
}

for c in setup session roundtrip duplicate errors callback nested cache tx \
    killed killed_in_tx lost_in_callback lock_wait cascade version \
    statement_timeout read_timeout commit_stopped; do
	dbc "$c"
done

stop_db
dbc down
start_db || not_ok "restart the server"
dbc up
dbc roundtrip

exec {dbc_in}>&-
for _ in $(seq 1 50); do
	kill -0 "$dbc_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -s "$tmp/dbc.err" ] && grep -qiE 'sanitizer|runtime error' "$tmp/dbc.err"; then
	not_ok "db_check ran clean" "$(head -5 "$tmp/dbc.err")"
fi
dbc_pid=

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
