# lib.sh: what hark's integration suites, run.sh and test.sh share (bash, sourced).
#
# Sourcing defines functions and variables only.  Parts:
#   packages  the one Debian package list and its installer (run.sh, test.sh)
#   build     configure + make in a build directory
#   mariadb   a private server in a directory of its own
#   suite     t_init, counters and assertions, HTTP requests, JSON queries
#   servers   hark-fcgi standalone, nginx, lighttpd, Apache (mod_proxy_fcgi and
#             mod_fcgid), each from a private top-level config that includes the
#             shipped conf/ example with its paths replaced (conf_subst)
#
# A suite is `tests/integration/test_X.sh BUILD_DIR`; it prints one line per
# check and, last, "N passed, N failed".  Every wait is bounded and every
# process a suite starts is stopped when it exits, however it exits.
#
# Environment a suite honours:
#   HARK_TEST_DB_SOCKET	use this running MariaDB (root over the socket, by
#			unix_socket or without a password) instead of
#			starting a private one
#   HARK_TEST_PORT_BASE	first TCP port to try (default 18080)
#   HARK_SERVERS	test_http.sh: web servers to test behind
#   HARK_KEEP=1		keep the suite's temporary directory even on success

HARK_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# ---------------------------------------------------------------- packages

# What building, running and testing hark needs on Debian 12.
HARK_PACKAGES="build-essential autoconf automake libtool pkg-config
	libfcgi-dev libjson-c-dev libmariadb-dev libcurl4-openssl-dev
	libmagic-dev libssl-dev check mariadb-server mariadb-client lighttpd
	nginx-light apache2 libapache2-mod-fcgid wrk curl clang
	libclang-rt-14-dev llvm
	nodejs npm chromium python3-requests ffmpeg espeak-ng file
	libpocketsphinx-dev pocketsphinx-en-us pocketsphinx-testdata
	python3-aiosmtpd debhelper lintian systemd logrotate
	prometheus-alertmanager groff-base"
# (The last four lines: test_clients.sh's clients and media, test.sh's npm
# ci; [transcribe] backend = pocketsphinx, its model, and the recordings
# test_transcribe checks it on; test_email.sh's SMTP server,
# test_package.sh's package tools and what its root has on a Debian host
# (systemctl, systemd-socket-activate, systemd-analyze; logrotate),
# test_hooks.sh's Alertmanager, test.sh's man-page check.)

# A package counts as there when it is installed or an installed package
# provides it: a newer nodejs from elsewhere provides (and conflicts with)
# npm, and installing Debian's npm would replace it.
hark_missing_packages() {
	local p provided
	provided=$(dpkg-query -W -f='${db:Status-Status} ${Provides}\n' 2>/dev/null |
	    awk '$1 == "installed" { $1 = ""; print }' | tr ',' '\n' |
	    sed 's/([^)]*)//g; s/^[[:space:]]*//; s/[[:space:]]*$//')
	for p in $HARK_PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q ' installed$' && continue
		printf '%s\n' "$provided" | grep -qxF "$p" || echo "$p"
	done
}

# Installs whatever of HARK_PACKAGES is missing; a no-op (and offline-safe)
# when nothing is.  While apt runs, a policy-rc.d refuses every service start,
# so installing nginx, apache2, lighttpd or mariadb-server starts nothing.
hark_install_packages() {
	local missing
	missing=$(hark_missing_packages | tr '\n' ' ')
	[ -z "${missing// /}" ] && return 0
	echo "== installing: $missing"
	if [ "$(id -u)" != 0 ]; then
		echo "missing Debian packages: $missing (run as root to install them)" >&2
		return 1
	fi
	(
		set -e
		export DEBIAN_FRONTEND=noninteractive
		prc=/usr/sbin/policy-rc.d
		if [ ! -e "$prc" ]; then
			trap 'rm -f "$prc"' EXIT
			trap 'exit 130' INT TERM
			printf '#!/bin/sh\n# added by hark run.sh/test.sh while installing\nexit 101\n' >"$prc"
			chmod 755 "$prc"
		fi
		# Update the lists once: when there are none, or when they are
		# too old to find a package.
		if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
			apt-get update -q
		fi
		# shellcheck disable=SC2086
		if ! apt-get install -y -q --no-install-recommends $missing; then
			apt-get update -q
			apt-get install -y -q --no-install-recommends $missing
		fi
	)
}

# ---------------------------------------------------------------- build

# hark_build SRCDIR BUILDDIR [configure args...]: configure when needed, make.
# Output goes to BUILDDIR/build.log; its tail is shown on failure.
hark_build() {
	local src=$1 dir=$2 jobs
	shift 2
	jobs=$(nproc 2>/dev/null || echo 2)
	if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ]; then
		echo "== $src/autogen.sh"
		(cd "$src" && ./autogen.sh) >"$src/autogen.log" 2>&1 || {
			tail -n 30 "$src/autogen.log" >&2
			return 1
		}
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$src/configure" -nt "$dir/config.status" ]; then
		echo "== configure $* in $dir"
		(cd "$dir" && "$src/configure" -q "$@") >"$dir/configure.log" 2>&1 || {
			tail -n 30 "$dir/configure.log" >&2
			return 1
		}
	fi
	echo "== make in $dir"
	make -C "$dir" -j"$jobs" >"$dir/build.log" 2>&1 || {
		grep -E 'error|Error' "$dir/build.log" | head -n 30 >&2
		tail -n 20 "$dir/build.log" >&2
		return 1
	}
}

# ---------------------------------------------------------------- small tools

say() { printf '%s\n' "$*"; }

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds;
# 1 when SECONDS of wall time pass first (however long COMMAND takes).
wait_until() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 15).
stop_pid() {
	local pid=$1 secs=${2:-15}
	pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! wait_until "$secs" eval "! kill -0 $pid"; then
		echo "   (pid $pid ignored SIGTERM for ${secs}s: SIGKILL)" >&2
		kill -KILL "$pid" 2>/dev/null
		wait_until 5 eval "! kill -0 $pid"
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# children_of PID: the pids whose parent is PID, one a line (from /proc, so
# no procps is needed).
children_of() {
	local want=$1 f line rest ppid
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		rest=${line##*) }
		ppid=${rest#* }
		ppid=${ppid%% *}
		if [ "$ppid" = "$want" ]; then
			f=${f#/proc/}
			echo "${f%/stat}"
		fi
	done
}

# pids_with_env NAME=VALUE: processes whose environment holds exactly that.
pids_with_env() {
	local f pid
	for f in /proc/[0-9]*/environ; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" = "$$" ] && continue
		tr '\0' '\n' 2>/dev/null <"$f" | grep -qxF -- "$1" && echo "$pid"
	done
}

# live_hark_pids: live (not zombie) processes started with this suite's
# HARK_TEST_DIR in their environment: every hark-fcgi it ran or had run.
live_hark_pids() {
	local pid st
	for pid in $(pids_with_env "HARK_TEST_DIR=$T"); do
		st=$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f2)
		[ -n "$st" ] && [ "$st" != Z ] && echo "$pid"
	done
}

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pick_port: prints the next free port from HARK_TEST_PORT_BASE on (18080
# unless told otherwise), never one it printed before in this suite (the
# count lives in $T, so `port=$(pick_port)` works from a subshell).
pick_port() {
	local p tries=0 state="${T:-/tmp}/.next_port"
	p=$(cat "$state" 2>/dev/null) || p=
	[ -n "$p" ] || p=${HARK_TEST_PORT_BASE:-18080}
	while port_in_use "$p"; do
		p=$((p + 1))
		tries=$((tries + 1))
		[ "$tries" -gt 40 ] && { echo "no free port" >&2; return 1; }
	done
	[ -n "${T:-}" ] && echo $((p + 1)) >"$state"
	echo "$p"
}

rand_hex() { od -An -N"${1:-16}" -tx1 /dev/urandom | tr -d ' \n'; }

# ---------------------------------------------------------------- mariadb

# The layout of a private server in DIR: data in DIR/data (or
# $MARIADB_DATA), socket and pid file in DIR/run, logs in DIR/log.  Nothing
# listens on TCP.  root is authenticated by unix_socket, so only the OS root
# gets in as root (no password to leak, none to guess), and DIR/run is 0750:
# only its owner, and the group that mariadb_socket_group gives it, can even
# reach the socket (mariadbd makes the socket itself 0777).

# mariadb_init DIR: a new data directory (no-op when there is one).
mariadb_init() {
	local dir=$1 data=${MARIADB_DATA:-$1/data}
	mkdir -p "$data" "$dir/run" "$dir/log"
	chmod 750 "$dir/run"
	[ -d "$data/mysql" ] && return 0
	local user=()
	[ "$(id -u)" = 0 ] && user=(--user=root)
	mariadb-install-db --no-defaults --force \
	    --auth-root-authentication-method=socket \
	    "${user[@]}" --datadir="$data" --skip-test-db \
	    >"$dir/log/install-db.log" 2>&1 || {
		tail -n 20 "$dir/log/install-db.log" >&2
		return 1
	}
	chmod 700 "$data"
}

# mariadb_start DIR [extra mariadbd options]: starts mariadbd on
# DIR/run/mysqld.sock (no TCP) in its own session, waits until it answers.
# Sets MARIADB_PID.
mariadb_start() {
	local dir=$1 data=${MARIADB_DATA:-$1/data} sock
	shift
	sock="$dir/run/mysqld.sock"
	local user=()
	[ "$(id -u)" = 0 ] && user=(--user=root)
	mkdir -p "$dir/run" "$dir/log"
	# Before the socket exists: it is never reachable through a wider dir.
	chmod 750 "$dir/run"
	rm -f "$sock"
	setsid mariadbd --no-defaults --datadir="$data" --socket="$sock" \
	    --skip-networking --pid-file="$dir/run/mysqld.pid" \
	    --log-error="$dir/log/mariadb.log" "${user[@]}" \
	    --skip-name-resolve --innodb-buffer-pool-size=64M \
	    --max-connections=300 "$@" </dev/null >>"$dir/log/mariadb.out" 2>&1 &
	MARIADB_PID=$!
	if ! wait_until 60 mariadb-admin --no-defaults -S "$sock" -uroot \
	    --connect-timeout=2 ping; then
		echo "MariaDB did not start in 60 s; $dir/log/mariadb.log:" >&2
		tail -n 20 "$dir/log/mariadb.log" >&2
		return 1
	fi
}

# mariadb_stop DIR: stops the server of DIR/run/mysqld.pid, bounded.
mariadb_stop() {
	local pid
	pid=$(cat "$1/run/mysqld.pid" 2>/dev/null) || return 0
	stop_pid "$pid" 60
}

# mariadb_socket_group SOCKET GROUP: the socket's directory root:GROUP 0750,
# for a hark that runs as a member of GROUP (mod_fcgid's www-data, say).
# Only a directory this user owns is changed: a system server's is left be.
mariadb_socket_group() {
	local d
	d=$(dirname "$1")
	[ -O "$d" ] || return 0
	chgrp "$2" "$d" && chmod 750 "$d"
}

# mariadb_sql SOCKET SQL: runs SQL as root, tab-separated output, no headers.
mariadb_sql() {
	mariadb --no-defaults -S "$1" -uroot -N -B -e "$2"
}

# mariadb_secure SOCKET [USER@HOST...]: what mariadb_init makes, for a data
# directory made before it did (root without a password, anonymous
# accounts): root by unix_socket only, and no account but root, mariadb.sys
# and the USER@HOSTs given (hark@localhost, say).
mariadb_secure() {
	local sock=$1 keep="'root@localhost','mariadb.sys@localhost'" a drop
	shift
	for a in "$@"; do keep="$keep,'$a'"; done
	mariadb_sql "$sock" "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket;" ||
	    return 1
	drop=$(mariadb_sql "$sock" "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host))
	    FROM mysql.global_priv WHERE CONCAT(User, '@', Host) NOT IN ($keep)") ||
	    return 1
	[ -z "$drop" ] && return 0
	mariadb_sql "$sock" "DROP USER $(printf '%s\n' "$drop" | paste -sd, -);"
}

# mariadb_app_db SOCKET DB USER PASSWORD: the database and hark's user of it,
# with what hark needs and nothing more: reading and writing rows (SELECT,
# INSERT, UPDATE, DELETE).  The schema belongs to root: `harkctl migrate`
# runs with a configuration naming root (unix_socket, no password).
mariadb_app_db() {
	mariadb_sql "$1" "CREATE DATABASE IF NOT EXISTS \`$2\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$3'@'localhost' IDENTIFIED BY '$4';
ALTER USER '$3'@'localhost' IDENTIFIED BY '$4';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$3'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$2\`.* TO '$3'@'localhost';"
}

# ---------------------------------------------------------------- suite

T=			# the suite's temporary directory
T_PASS=0
T_FAIL=0
T_CTX=			# prefix of check names, e.g. the web server
T_PIDS=()		# processes to stop on exit, in start order
T_DB_PRIVATE=		# this suite started its own MariaDB

# t_init BUILD_DIR NAME: checks the build, makes the temporary directory,
# installs the exit trap.  Sets HARK_BUILD, T.
t_init() {
	local build=${1:-}
	if [ -z "$build" ] || [ ! -d "$build" ]; then
		echo "usage: $0 BUILD_DIR (a configured and built hark tree)" >&2
		exit 2
	fi
	HARK_BUILD=$(cd "$build" && pwd)
	if [ ! -x "$HARK_BUILD/hark-fcgi" ]; then
		echo "$HARK_BUILD/hark-fcgi is not built" >&2
		exit 2
	fi
	T=$(mktemp -d "${TMPDIR:-/tmp}/hark-$2.XXXXXX")
	# Web server workers (www-data, nobody) reach sockets and files in here.
	chmod 755 "$T"
	mkdir -p "$T/tmp"
	trap t_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	t_build_jsonq
}

# t_spawn NAME COMMAND...: starts COMMAND in the background, remembers it.
t_spawn() {
	local name=$1
	shift
	"$@" </dev/null >>"$T/$name.out" 2>&1 &
	T_PIDS+=("$!")
	SPAWNED_PID=$!
}

t_cleanup() {
	local rc=$? i pid
	trap - EXIT INT TERM HUP
	for ((i = ${#T_PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${T_PIDS[$i]}" 20
	done
	# Whatever a web server spawned with our config and left behind.
	for pid in $(pids_with_env "HARK_TEST_DIR=$T"); do
		kill -KILL "$pid" 2>/dev/null
	done
	[ -n "$T_DB_PRIVATE" ] && mariadb_stop "$T/db"
	if [ "$T_FAIL" -gt 0 ] || [ -n "${HARK_KEEP:-}" ] || [ "$rc" -ne 0 ]; then
		echo "(logs kept in $T)"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}

t_ctx() { T_CTX=${1:+[$1] }; }

pass() {
	T_PASS=$((T_PASS + 1))
	say "ok   - $T_CTX$1"
}

fail() {
	T_FAIL=$((T_FAIL + 1))
	say "FAIL - $T_CTX$1${2:+ -- $2}"
}

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi
}

# t_summary: the last line of every suite; exit status 1 on any failure.
t_summary() {
	say "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# ---------------------------------------------------------------- JSON

# jsonq, built from json-c (a build dependency, so always there):
#   jsonq PATH < doc	prints the value at PATH ("a.b.0.c"): a string raw, anything
#			else as compact JSON; exit 1 when doc is not one JSON
#			value, 2 when PATH is absent.  PATH "." is the document.
#   jsonq -t PATH	prints the type (object, array, string, int, double,
#			boolean, null)
#   jsonq -k PATH	prints an object's keys, sorted, comma-separated
t_build_jsonq() {
	JSONQ="$T/jsonq"
	local cflags libs
	cflags=$(pkg-config --cflags json-c 2>/dev/null)
	libs=$(pkg-config --libs json-c 2>/dev/null || echo -ljson-c)
	# shellcheck disable=SC2086
	cc -std=c11 -O1 -Wall -o "$JSONQ" -x c - $cflags $libs <<'EOF' || { echo "cannot build jsonq" >&2; exit 2; }
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	static char buf[1 << 22];
	struct json_tokener *tok;
	struct json_object *doc, *cur;
	char mode = 'v', *path, *seg, *save = NULL, *keys[4096];
	size_t len, nk = 0, i;
	int ai = 1;

	if (argc > 2 && argv[1][0] == '-') {
		mode = argv[1][1];
		ai = 2;
	}
	path = strdup(ai < argc ? argv[ai] : ".");
	len = fread(buf, 1, sizeof(buf) - 1, stdin);
	tok = json_tokener_new();
	doc = json_tokener_parse_ex(tok, buf, (int)len);
	if (doc == NULL || json_tokener_get_error(tok) != json_tokener_success)
		return 1;
	for (i = (size_t)json_tokener_get_parse_end(tok); i < len; i++)
		if (strchr(" \t\r\n", buf[i]) == NULL)
			return 1;
	cur = doc;
	for (seg = strtok_r(path, ".", &save); seg != NULL;
	    seg = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(cur, json_type_array)) {
			char *end;
			long n = strtol(seg, &end, 10);
			if (*end != '\0' || n < 0 ||
			    (size_t)n >= json_object_array_length(cur))
				return 2;
			cur = json_object_array_get_idx(cur, (size_t)n);
		} else if (!json_object_object_get_ex(cur, seg, &cur))
			return 2;
	}
	if (mode == 't') {
		puts(json_type_to_name(json_object_get_type(cur)));
	} else if (mode == 'k') {
		if (!json_object_is_type(cur, json_type_object))
			return 2;
		json_object_object_foreach(cur, k, v) {
			(void)v;
			if (nk < 4096)
				keys[nk++] = k;
		}
		qsort(keys, nk, sizeof(keys[0]), cmp);
		for (i = 0; i < nk; i++)
			printf("%s%s", i ? "," : "", keys[i]);
		putchar('\n');
	} else if (json_object_is_type(cur, json_type_string)) {
		puts(json_object_get_string(cur));
	} else {
		puts(json_object_to_json_string_ext(cur, JSON_C_TO_STRING_PLAIN));
	}
	return 0;
}
EOF
}

# json PATH [BODY]: the value at PATH in BODY (default: the last response).
json() { printf '%s' "${2-$R_BODY}" | "$JSONQ" "$1"; }
json_type() { printf '%s' "${2-$R_BODY}" | "$JSONQ" -t "$1"; }
json_keys() { printf '%s' "${2-$R_BODY}" | "$JSONQ" -k "$1"; }
json_valid() { printf '%s' "${1-$R_BODY}" | "$JSONQ" . >/dev/null; }

# check_json NAME PATH EXPECTED: the value at PATH of the last response.
check_json() {
	local got
	got=$(json "$2" 2>/dev/null) || got="<absent or not JSON>"
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2 is '$got', want '$3'; body: ${R_BODY:0:200}"
	fi
}

# ---------------------------------------------------------------- HTTP

R_STATUS=
R_BODY=
R_TIME=

# req METHOD URL [curl options...]: one request.  Sets R_STATUS (000 when no
# answer came), R_BODY, R_TIME (seconds); headers in $T/r.hdrs.  With
# HARK_RESPONSE_LOG set, each answer is appended to that file as a JSON line
# (tests/openapi/record.pl) for tests/openapi/validate.js to check against
# doc/openapi.yaml.
req() {
	local method=$1 url=$2 out
	shift 2
	local m=(-X "$method")
	[ "$method" = HEAD ] && m=(-I)
	out=$(curl -sS --max-time "${REQ_TIMEOUT:-20}" "${m[@]}" -o "$T/r.body" \
	    -D "$T/r.hdrs" -w '%{http_code} %{time_total}' "$@" "$url" \
	    2>"$T/r.err") || true
	R_STATUS=${out%% *}
	R_TIME=${out#* }
	[ -n "$R_STATUS" ] || R_STATUS=000
	if [ -n "${HARK_RESPONSE_LOG:-}" ] && [ "$R_STATUS" != 000 ]; then
		# (curl -I writes the headers to -o: a HEAD answer has no body.)
		local body=$T/r.body
		[ "$method" = HEAD ] && body=/dev/null
		perl "$HARK_SRCDIR/tests/openapi/record.pl" "$HARK_RESPONSE_LOG" \
		    "$method" "$url" "$R_STATUS" "$T/r.hdrs" "$body" \
		    "$(basename "$0" .sh)" ||
		    echo "   (could not record the response in $HARK_RESPONSE_LOG)" >&2
	fi
	R_BODY=$(cat "$T/r.body" 2>/dev/null)
	: >"$T/r.body"
}

# hdr NAME: the last response's header NAME (last one if repeated), trimmed.
hdr() {
	grep -i "^$1:" "$T/r.hdrs" 2>/dev/null | tail -n 1 | cut -d: -f2- |
	    tr -d '\r' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
}

# check_status NAME WANT: WANT is an extended regex ("400|414", "4..").
check_status() {
	if [[ "$R_STATUS" =~ ^($2)$ ]]; then
		pass "$1"
	else
		fail "$1" "status $R_STATUS, want $2; body: $(printf '%s' "${R_BODY:0:200}" | tr '\n' ' ')"
	fi
}

# is_hark_error: the last response is hark's JSON error document.
is_hark_error() {
	json_valid && [ "$(json_type error)" = object ]
}

# check_hark_error NAME STATUS: STATUS, hark's error shape, its content type.
check_hark_error() {
	local ct code msg
	ct=$(hdr Content-Type)
	if [ "$R_STATUS" != "$2" ]; then
		fail "$1" "status $R_STATUS, want $2; body: ${R_BODY:0:200}"
	elif ! json_valid; then
		fail "$1" "body is not JSON: ${R_BODY:0:200}"
	elif ! code=$(json error.code) || ! [[ "$code" =~ ^[a-z][a-z0-9_]*$ ]]; then
		fail "$1" "error.code '$code' is not snake_case: ${R_BODY:0:200}"
	elif ! msg=$(json error.message) || [ -z "$msg" ] ||
	    [ "$(json_type error.message)" != string ]; then
		fail "$1" "error.message missing: ${R_BODY:0:200}"
	elif [ "$ct" != "application/json; charset=utf-8" ]; then
		fail "$1" "Content-Type '$ct'"
	else
		pass "$1"
	fi
}

# check_rejected NAME HARK_STATUS: hark's JSON error with HARK_STATUS, or the
# web server's own 4xx (not JSON) when it refused the request itself.
check_rejected() {
	if json_valid 2>/dev/null && [ "$(json_type error)" = object ]; then
		check_hark_error "$1" "$2"
	elif [[ "$R_STATUS" =~ ^4[0-9][0-9]$ ]]; then
		pass "$1 (refused by the web server: $R_STATUS)"
	else
		fail "$1" "status $R_STATUS, want hark's $2 or a web server 4xx; body: ${R_BODY:0:200}"
	fi
}

# raw_request HOST PORT TEXT: sends TEXT as is over TCP, prints the answer's
# first line (bounded by a 10 s read timeout).
raw_request() {
	local line=
	(
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf '%b' "$3" >&3
		IFS= read -r -t 10 line <&3
		printf '%s\n' "${line%$'\r'}"
	) 2>/dev/null
}

# parallel_get N URL OUT: N GETs at once; their statuses appended to OUT.
# (Waits for those N only: a bare `wait` would wait for the servers too.)
parallel_get() {
	local i pids=()
	for ((i = 0; i < $1; i++)); do
		curl -s -o /dev/null --max-time 20 -w '%{http_code}\n' "$2" >>"$3" &
		pids+=("$!")
	done
	wait "${pids[@]}"
}

# health_is URL CODE: GET URL/v1/health answers CODE.
health_is() {
	[ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$1/v1/health")" = "$2" ]
}

# answers URL: any HTTP answer at all.
answers() {
	[ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$1/v1/health")" != 000 ]
}

# ---------------------------------------------------------------- test database

# t_db: a migrated database for this suite, HARK_DB_* set (HARK_DB_USER may
# read and write rows, nothing more; $T/migrate.conf names root, for harkctl
# migrate).  Uses the MariaDB of HARK_TEST_DB_SOCKET when set (and
# private=no), else starts one in $T/db.
t_db() {
	local private=${1:-no}
	if [ -n "${HARK_TEST_DB_SOCKET:-}" ] && [ "$private" = no ]; then
		HARK_DB_SOCKET=$HARK_TEST_DB_SOCKET
	else
		mariadb_init "$T/db" || exit 2
		T_DB_PRIVATE=1
		mariadb_start "$T/db" || exit 2
		HARK_DB_SOCKET="$T/db/run/mysqld.sock"
	fi
	# mod_fcgid runs hark as www-data: the socket's group.
	mariadb_socket_group "$HARK_DB_SOCKET" www-data
	HARK_DB_NAME="hark_t$(rand_hex 4)"
	HARK_DB_USER=$HARK_DB_NAME
	HARK_DB_PASSWORD=$(rand_hex 12)
	mariadb_app_db "$HARK_DB_SOCKET" "$HARK_DB_NAME" "$HARK_DB_USER" \
	    "$HARK_DB_PASSWORD" || exit 2
	# The schema is root's (hark's user has rows only): root by unix_socket.
	write_hark_conf "$T/migrate.conf" database.user=root \
	    database.password=- || exit 2
	if ! HARK_SCHEMA_DIR="$HARK_SRCDIR/schema" "$HARK_BUILD/harkctl" \
	    -c "$T/migrate.conf" migrate >"$T/migrate.out" 2>&1; then
		fail "harkctl migrate" "$(tail -n 5 "$T/migrate.out" | tr '\n' ' ')"
	fi
}

# ---------------------------------------------------------------- hark.conf

# write_hark_conf FILE [section.key=value ...]: a hark.conf for this suite.
# A value "-" leaves the key out.  Only keys hark knows are written (an
# unknown key is fatal by design).
write_hark_conf() {
	local file=$1 kv
	shift
	declare -A o=(
		[server.workers]=2
		[server.max_requests]=0
		[server.shutdown_timeout]=20
		[server.socket_mode]=0666
		# Between max_json_body (64K) and the web-server examples' 128k,
		# so hark's own 413 for max_body is seen through each of them.
		[server.max_body]=100K
		[server.state_dir]="$T/state"
		[server.media_dir]="$T/media"
		[log.file]="$T/hark.log"
		[log.level]=info
		[log.requests]=yes
		[database.socket]="$HARK_DB_SOCKET"
		[database.name]="$HARK_DB_NAME"
		[database.user]="$HARK_DB_USER"
		[database.password]="$HARK_DB_PASSWORD"
		[database.connect_timeout]=2
		[database.read_timeout]=10
		[database.write_timeout]=10
		[database.retries]=2
		# the built tree's weights, not an installed copy
		[triage.model_file]="$HARK_SRCDIR/data/triage.model"
	)
	local order=(server.workers server.max_requests server.shutdown_timeout
	    server.socket_mode server.max_body server.state_dir server.media_dir
	    log.file log.level log.requests database.socket database.name
	    database.user database.password database.connect_timeout
	    database.read_timeout database.write_timeout database.retries
	    triage.model_file)
	local sects=" server log database limits cors widget batch transcribe
	    enrich linear triage webhook email "
	for kv in "$@"; do
		# A key of a section left out below would be dropped unseen.
		case $sects in
		*[[:space:]]"${kv%%.*}"[[:space:]]*) ;;
		*) echo "write_hark_conf: no section for $kv" >&2; return 2;;
		esac
		[[ -v "o[${kv%%=*}]" ]] || order+=("${kv%%=*}")
		o[${kv%%=*}]=${kv#*=}
	done
	local sect k cur=
	{
		echo "# written by $(basename "$0") for a test"
		for sect in $sects; do
			for k in "${order[@]}"; do
				[ "${k%%.*}" = "$sect" ] || continue
				[ "${o[$k]}" = - ] && continue
				if [ "$cur" != "$sect" ]; then
					printf '\n[%s]\n' "$sect"
					cur=$sect
				fi
				printf '%s = %s\n' "${k#*.}" "${o[$k]}"
			done
		done
	} >"$file"
	mkdir -p "${o[server.state_dir]}" "${o[server.media_dir]}"
}

# ---------------------------------------------------------------- conf/ examples

# conf_subst EXAMPLE OUT VAR=VALUE...: the shipped example with its installed
# paths replaced: BIN (hark-fcgi), CONF (hark.conf), SOCK (hark's socket),
# RUNDIR (lighttpd's run directory), LOGDIR (the web server's log
# directory), PORT.  Fails when an installed path is left over, so the
# examples and this harness cannot drift apart.
conf_subst() {
	local in=$1 out=$2 kv BIN= CONF= SOCK= RUNDIR= LOGDIR= PORT=
	shift 2
	for kv in "$@"; do
		case ${kv%%=*} in
		BIN | CONF | SOCK | RUNDIR | LOGDIR | PORT) printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
		esac
	done
	sed -e "s|/usr/sbin/hark-fcgi|$BIN|g" \
	    -e "s|/etc/hark/hark.conf|$CONF|g" \
	    -e "s|/run/hark/hark.sock|$SOCK|g" \
	    -e "s|/run/lighttpd/|$RUNDIR/|g" \
	    -e "s|/var/log/nginx/|$LOGDIR/|g" \
	    -e "s|/var/log/lighttpd/|$LOGDIR/|g" \
	    -e "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$PORT;|" \
	    -e '/^[[:space:]]*listen \[::\]:80;/d' \
	    -e "s|<VirtualHost \*:80>|<VirtualHost 127.0.0.1:$PORT>|" \
	    "$in" >"$out"
	if grep -v '^[[:space:]]*#' "$out" |
	    grep -nE '/usr/sbin/hark|/etc/hark/|/run/hark/|/run/lighttpd/|(^|[[:space:]"])/var/log/|listen 80;|\*:80>'; then
		echo "conf_subst: $in still names an installed path (above)" >&2
		return 1
	fi
}

# access_log_file FILE: an access log made 0640 before the web server
# opens it, as the examples say (a server makes a new one 0644).
access_log_file() {
	[ -e "$1" ] || install -m 0640 /dev/null "$1"
}

# ---------------------------------------------------------------- hark-fcgi

# hark_standalone NAME CONF WORKERS [args...]: hark-fcgi --listen on
# $T/NAME/hark.sock in the background.  Sets HARK_MASTER, HARK_SOCK.
hark_standalone() {
	local name=$1 conf=$2 workers=$3
	shift 3
	mkdir -p "$T/$name"
	HARK_SOCK="$T/$name/hark.sock"
	rm -f "$HARK_SOCK"
	t_spawn "$name/hark-fcgi" env HARK_TEST_DIR="$T" \
	    "$HARK_BUILD/hark-fcgi" -c "$conf" --listen "unix:$HARK_SOCK" \
	    --workers "$workers" --pid-file "$T/$name/hark.pid" "$@"
	HARK_MASTER=$SPAWNED_PID
	if ! wait_until 20 test -S "$HARK_SOCK"; then
		echo "hark-fcgi made no socket in 20 s; $T/$name/hark-fcgi.out:" >&2
		tail -n 20 "$T/$name/hark-fcgi.out" >&2
		return 1
	fi
	# env execs hark-fcgi, so $! is the master itself.
	return 0
}

# worker_pids MASTER: its children, sorted, space-separated; not its
# commit queue's writer (named hark-writer: [server] commit_queue).
worker_children() {
	local p
	for p in $(children_of "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hark-writer ] || echo "$p"
	done
}
# writers_of MASTER: its commit queue's writers, one a line.
writers_of() {
	local p
	for p in $(children_of "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hark-writer ] && echo "$p"
	done
}
worker_pids() { worker_children "$1" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
worker_count() { worker_children "$1" | wc -l; }

# ---------------------------------------------------------------- nginx

# nginx_start NAME PORT HARK_SOCK: nginx with conf/nginx.conf in front of a
# standalone hark.  Workers run as nginx's default unprivileged user.  The
# site's access log is $T/NAME/logs/hark-access.log.
# NGINX_EXTRA, when set, is more configuration for the http block (another
# server, say).
nginx_start() {
	local name=$1 port=$2 sock=$3 d
	d="$T/$name"
	mkdir -p "$d/logs" "$d/tmp"
	cp /etc/nginx/fastcgi_params "$d/fastcgi_params"
	conf_subst "$HARK_SRCDIR/conf/nginx.conf" "$d/hark-site.conf" \
	    SOCK="$sock" PORT="$port" LOGDIR="$d/logs" || return 1
	access_log_file "$d/logs/hark-access.log"
	cat >"$d/nginx.conf" <<EOF
# private top level for a test; the site is the shipped conf/nginx.conf
worker_processes 2;
pid $d/nginx.pid;
error_log $d/logs/error.log info;
events { worker_connections 512; }
http {
	access_log $d/logs/access.log;
	client_body_temp_path $d/tmp/body;
	fastcgi_temp_path $d/tmp/fastcgi;
	proxy_temp_path $d/tmp/proxy;
	scgi_temp_path $d/tmp/scgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	include $d/hark-site.conf;
${NGINX_EXTRA:-}
}
EOF
	if ! nginx -t -q -c "$d/nginx.conf" -e "$d/logs/error.log" >"$d/check.out" 2>&1; then
		cat "$d/check.out" >&2
		return 1
	fi
	t_spawn "$name/nginx" nginx -c "$d/nginx.conf" -e "$d/logs/error.log" \
	    -g 'daemon off;'
	wait_until 20 port_in_use "$port" || {
		echo "nginx did not listen on $port" >&2
		tail -n 20 "$d/logs/error.log" >&2
		return 1
	}
}

# ---------------------------------------------------------------- lighttpd

# lighttpd_write_conf DIR PORT HARK_CONF [LOGDIR]: DIR/lighttpd.conf, a
# private top level (pid, logs, uploads under DIR) including DIR/hark-site.conf,
# the shipped conf/lighttpd.conf, which spawns hark-fcgi itself (bin-path)
# with HARK_CONFIG=HARK_CONF.  Listens on 127.0.0.1:PORT; the access log is
# LOGDIR/hark-access.log.
lighttpd_write_conf() {
	local d=$1 port=$2 conf=$3 logs=${4:-$1/logs}
	mkdir -p "$logs" "$d/run" "$d/www" "$d/tmp"
	conf_subst "$HARK_SRCDIR/conf/lighttpd.conf" "$d/hark-site.conf" \
	    BIN="$HARK_BUILD/hark-fcgi" CONF="$conf" RUNDIR="$d/run" \
	    LOGDIR="$logs" || return 1
	access_log_file "$logs/hark-access.log"
	cat >"$d/lighttpd.conf" <<EOF
# private top level; the site is the shipped conf/lighttpd.conf
server.document-root = "$d/www"
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$d/run/lighttpd.pid"
server.errorlog = "$logs/lighttpd-error.log"
server.upload-dirs = ( "$d/tmp" )
include "$d/hark-site.conf"
EOF
	lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.out" 2>&1 || {
		cat "$d/check.out" >&2
		return 1
	}
}

# lighttpd_start NAME PORT HARK_CONF: lighttpd_write_conf in $T/NAME, then
# lighttpd in the foreground of a background job.  Runs as root (lighttpd and
# what it spawns), as it is the test's own.  LIGHTTPD_MAX_PROCS, when set,
# replaces the example's "max-procs" => 1 (so many hark-fcgi masters, side
# by side on one state_dir).
lighttpd_start() {
	local name=$1 port=$2 conf=$3 d
	d="$T/$name"
	lighttpd_write_conf "$d" "$port" "$conf" || return 1
	if [ -n "${LIGHTTPD_MAX_PROCS:-}" ]; then
		sed -i "s|\"max-procs\" => 1,|\"max-procs\" => $LIGHTTPD_MAX_PROCS,|" \
		    "$d/hark-site.conf"
		grep -q "\"max-procs\" => $LIGHTTPD_MAX_PROCS," "$d/hark-site.conf" ||
		    { echo "lighttpd_start: no max-procs to replace" >&2; return 1; }
	fi
	# The environment marks what lighttpd spawns, so cleanup finds it.
	sed -i "s|\"HARK_CONFIG\" => \"$conf\"|&, \"HARK_TEST_DIR\" => \"$T\"|" \
	    "$d/hark-site.conf"
	t_spawn "$name/lighttpd" lighttpd -D -f "$d/lighttpd.conf"
	wait_until 20 port_in_use "$port" || {
		echo "lighttpd did not listen on $port" >&2
		tail -n 20 "$d/logs/lighttpd-error.log" >&2
		return 1
	}
}

# ---------------------------------------------------------------- Apache

# apache_start NAME PORT MODE HARK_CONF|HARK_SOCK: Apache with the shipped
# conf/apache-proxy-fcgi.conf (MODE proxy-fcgi, to a standalone hark's
# socket) or conf/apache-fcgid.conf (MODE fcgid, spawning hark-fcgi with
# HARK_CONF).  Started as root, children run as www-data.
apache_start() {
	local name=$1 port=$2 mode=$3 arg=$4 d mods
	d="$T/$name"
	# tmp: TMPDIR, where mod_fcgid would spool a request body.
	mkdir -p "$d/logs" "$d/run" "$d/fcgid" "$d/tmp"
	chown www-data: "$d/tmp"
	case $mode in
	proxy-fcgi)
		conf_subst "$HARK_SRCDIR/conf/apache-proxy-fcgi.conf" \
		    "$d/hark-site.conf" SOCK="$arg" PORT="$port" || return 1
		mods="proxy proxy_fcgi"
		;;
	fcgid)
		# Apache's children (www-data) exec it: the build directory may
		# be out of their reach (a checkout under /root), $T is not.
		mkdir -p "$d/bin"
		cp "$HARK_BUILD/hark-fcgi" "$d/bin/hark-fcgi"
		chmod 755 "$d/bin" "$d/bin/hark-fcgi"
		conf_subst "$HARK_SRCDIR/conf/apache-fcgid.conf" \
		    "$d/hark-site.conf" BIN="$d/bin/hark-fcgi" \
		    CONF="$arg" PORT="$port" || return 1
		sed -i "s|^\([[:space:]]*\)FcgidInitialEnv HARK_CONFIG .*|&\n\1FcgidInitialEnv HARK_TEST_DIR $T|" \
		    "$d/hark-site.conf"
		mods="fcgid"
		chown -R www-data: "$d/fcgid"
		;;
	esac
	{
		cat <<EOF
# private top level for a test; the site is the shipped conf/apache-$mode.conf
ServerRoot "$d"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$d/run/httpd.pid"
DefaultRuntimeDir "$d/run"
Mutex file:$d/run default
ErrorLog "$d/logs/error.log"
LogLevel warn
Define APACHE_LOG_DIR $d/logs
User www-data
Group www-data
Timeout 60
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule reqtimeout_module /usr/lib/apache2/modules/mod_reqtimeout.so
EOF
		for m in $mods; do
			echo "LoadModule ${m}_module /usr/lib/apache2/modules/mod_$m.so"
		done
		cat <<EOF
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
MinSpareThreads 4
MaxSpareThreads 32
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined
<Directory />
	AllowOverride None
	Require all denied
</Directory>
EOF
		[ "$mode" = fcgid ] && cat <<EOF
FcgidIPCDir "$d/fcgid"
FcgidProcessTableFile "$d/fcgid/shm"
EOF
		echo "Include \"$d/hark-site.conf\""
	} >"$d/httpd.conf"
	access_log_file "$d/logs/hark-access.log"
	if ! apache2 -t -f "$d/httpd.conf" -d "$d" >"$d/check.out" 2>&1; then
		cat "$d/check.out" >&2
		return 1
	fi
	t_spawn "$name/apache" env TMPDIR="$d/tmp" apache2 -f "$d/httpd.conf" \
	    -d "$d" -DFOREGROUND
	# 60 s: on a loaded 2-core machine Apache's start has taken over 20.
	wait_until 60 port_in_use "$port" || {
		echo "apache did not listen on $port" >&2
		tail -n 20 "$d/logs/error.log" "$T/$name/apache.out" >&2
		return 1
	}
}
