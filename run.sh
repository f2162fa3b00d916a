#!/bin/bash
# run.sh: hark running on this machine in one command (Debian 12, as root).
#
#	./run.sh		build and run in the foreground; Ctrl-C stops it all
#	./run.sh --detach	return once GET /v1/health answers 200
#	./run.sh stop		stop what a detached run started
#	./run.sh status		say what is running
#
# Installs the Debian packages that are missing (nothing when none is, so a
# second run is fast and works offline), builds in ./build, starts a private
# MariaDB (data in var/mysql, socket var/run/mysqld.sock in a directory only
# root can enter, no TCP; root by unix_socket, hark's user with rows only and
# its password in var/db.password), applies the schema as root
# (var/migrate.conf), and serves hark with lighttpd on 127.0.0.1:$HARK_PORT (8080),
# lighttpd spawning hark-fcgi as conf/lighttpd.conf shows.  Everything lives
# under var/; a second run reuses its data.  var/demo.env holds HARK_URL,
# HARK_CONFIG, HARK_BIN and friends for scripts and demos:  . var/demo.env
#
# Environment: HARK_PORT (8080), HARK_WORKERS (8), HARK_BUILD_DIR (./build),
# HARK_VAR_DIR (./var), HARK_CAPTCHA_VERIFY_URL (hCaptcha's siteverify).
set -u -o pipefail
cd "$(dirname "$0")" || exit 2
ROOT=$(pwd)
. tests/integration/lib.sh

PORT=${HARK_PORT:-8080}
WORKERS=${HARK_WORKERS:-8}
BUILD=$(mkdir -p "${HARK_BUILD_DIR:-$ROOT/build}" && cd "${HARK_BUILD_DIR:-$ROOT/build}" && pwd)
VAR=$(mkdir -p "${HARK_VAR_DIR:-$ROOT/var}" && cd "${HARK_VAR_DIR:-$ROOT/var}" && pwd)
URL="http://127.0.0.1:$PORT"
HARK_BUILD=$BUILD		# for lib.sh's config writers
export MARIADB_DATA="$VAR/mysql"
DB_SOCKET="$VAR/run/mysqld.sock"
DB_NAME=hark
DB_USER=hark

die() {
	echo "run.sh: $*" >&2
	exit 1
}

pid_of() { cat "$VAR/run/$1.pid" 2>/dev/null; }

running() { pid_alive "$(pid_of "$1")"; }

# ---------------------------------------------------------------- stop / status

stop_all() {
	local pid
	if pid=$(pid_of batch) && pid_alive "$pid"; then
		echo "== stopping the hark-batch schedule"
		# Its own process group: the loop and a run in progress.
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
		stop_pid "$pid" 10
	fi
	rm -f "$VAR/run/batch.pid"
	if pid=$(pid_of lighttpd) && pid_alive "$pid"; then
		echo "== stopping lighttpd (and the hark-fcgi it spawned)"
		stop_pid "$pid" 30
	fi
	rm -f "$VAR/run/lighttpd.pid"
	if pid=$(pid_of mysqld) && pid_alive "$pid"; then
		echo "== stopping MariaDB"
		stop_pid "$pid" 60
	fi
}

status() {
	local what
	for what in lighttpd mysqld batch; do
		if running "$what"; then
			echo "$what: running (pid $(pid_of "$what"))"
		else
			echo "$what: stopped"
		fi
	done
	if health_is "$URL" 200; then
		echo "hark: $URL/v1/health answers 200"
	else
		echo "hark: $URL/v1/health does not answer 200"
	fi
}

# ---------------------------------------------------------------- set-up

start_mariadb() {
	if running mysqld && mariadb-admin --no-defaults -S "$DB_SOCKET" -uroot ping >/dev/null 2>&1; then
		echo "== MariaDB already running (pid $(pid_of mysqld))"
		return 0
	fi
	if [ ! -d "$MARIADB_DATA/mysql" ]; then
		echo "== creating a MariaDB data directory in $MARIADB_DATA"
	fi
	[ -d "$MARIADB_DATA" ] && chmod 700 "$MARIADB_DATA"
	mariadb_init "$VAR" || die "mariadb-install-db failed (see $VAR/log/install-db.log)"
	echo "== starting MariaDB on $DB_SOCKET"
	mariadb_start "$VAR" || die "MariaDB did not start (see $VAR/log/mariadb.log)"
	# mariadb_start keeps its pid file in var/run/mysqld.pid.
}

# The database, and hark's own user of it: rows only (SELECT, INSERT, UPDATE,
# DELETE), with a random password in var/db.password (0640: the owner and the
# group hark runs with).  root gets in by unix_socket only, as the OS root;
# the schema is root's, migrated with var/migrate.conf.  A data directory
# from before (root without a password, hark with ALL, var/db-password) is
# brought to the same.
setup_database() {
	local pwfile="$VAR/db.password"
	if [ ! -s "$pwfile" ] && [ -s "$VAR/db-password" ]; then
		mv "$VAR/db-password" "$pwfile"
	fi
	rm -f "$VAR/db-password"
	if [ ! -s "$pwfile" ]; then
		(umask 077 && rand_hex 18 >"$pwfile")
	fi
	chmod 640 "$pwfile"
	DB_PASSWORD=$(cat "$pwfile")
	mariadb_secure "$DB_SOCKET" "$DB_USER@localhost" ||
	    die "cannot set root to unix_socket authentication"
	mariadb_app_db "$DB_SOCKET" "$DB_NAME" "$DB_USER" "$DB_PASSWORD" ||
	    die "cannot create database $DB_NAME"
}

# hark_conf USER [PASSWORD_FILE]: the configuration, with [database] USER.
hark_conf() {
	cat <<EOF
# written by run.sh (rewritten on every run; edit run.sh instead).
[server]
workers = $WORKERS
state_dir = $VAR/state
media_dir = $VAR/media

[log]
file = $VAR/log/hark.log
level = info
requests = yes

[database]
socket = $DB_SOCKET
name = $DB_NAME
user = $1
EOF
	[ -z "${2:-}" ] || echo "password_file = $2"
	# Where captcha tokens are checked: hCaptcha's siteverify unless set
	# (a local stand-in for tests, or Turnstile's).
	[ -z "${HARK_CAPTCHA_VERIFY_URL:-}" ] ||
	    printf '\n[widget]\ncaptcha_verify_url = %s\n' "$HARK_CAPTCHA_VERIFY_URL"
	# The learned triage's weights: this tree's, not an installed copy.
	printf '\n[triage]\nmodel_file = %s\n' "$ROOT/data/triage.model"
}

# hark.conf for hark (its own database user) and migrate.conf for harkctl
# migrate (root, by unix_socket: no password anywhere).
write_config() {
	mkdir -p "$VAR/state" "$VAR/media" "$VAR/log"
	(
		umask 077
		hark_conf "$DB_USER" "$VAR/db.password" >"$VAR/hark.conf"
		hark_conf root >"$VAR/migrate.conf"
	)
	"$BUILD/hark-fcgi" -c "$VAR/hark.conf" --check-config ||
	    die "hark-fcgi rejects $VAR/hark.conf"
}

migrate() {
	echo "== harkctl migrate"
	HARK_SCHEMA_DIR="$ROOT/schema" "$BUILD/harkctl" -c "$VAR/migrate.conf" migrate ||
	    die "harkctl migrate failed"
}

# ---- demo project, key and source ------------------------------------------
# A project, a secret key and a widget source for trying the API, kept across
# runs in var/demo.env.  The source (HARK_PUBLIC_KEY, pk_...) allows this
# run's own origins, http://127.0.0.1:$PORT and http://localhost:$PORT (set
# again on every run, so a new HARK_PORT is followed), and has no captcha;
# a pk_ key whose source is gone is replaced.
HARK_PROJECT_ID=
HARK_SECRET_KEY=
HARK_PUBLIC_KEY=
HARK_SOURCE_ID=
demo_project_and_key() {
	local ctl=("$BUILD/harkctl" -c "$VAR/hark.conf") out fp
	if [ -f "$VAR/demo.env" ]; then
		HARK_PROJECT_ID=$(sed -n "s/^HARK_PROJECT_ID=['\"]\{0,1\}\(prj_[A-Za-z0-9_-]*\).*/\1/p" "$VAR/demo.env")
		HARK_SECRET_KEY=$(sed -n "s/^HARK_SECRET_KEY=['\"]\{0,1\}\(sk_[A-Za-z0-9_-]*\).*/\1/p" "$VAR/demo.env")
		HARK_PUBLIC_KEY=$(sed -n "s/^HARK_PUBLIC_KEY=['\"]\{0,1\}\(pk_[A-Za-z0-9_-]*\).*/\1/p" "$VAR/demo.env")
	fi
	# A demo.env that outlived its database names a project no longer there.
	if [ -n "$HARK_PROJECT_ID" ] &&
	    ! "${ctl[@]}" project list 2>/dev/null | grep -q "^$HARK_PROJECT_ID "; then
		HARK_PROJECT_ID=
	fi
	if [ -z "$HARK_PROJECT_ID" ] || [ -z "$HARK_SECRET_KEY" ]; then
		echo "== creating the demo project and its secret key"
		out=$("${ctl[@]}" project create demo 2>&1) || die "harkctl project create: $out"
		HARK_PROJECT_ID=$(printf '%s\n' "$out" | grep -o 'prj_[A-Za-z0-9_-]*' | head -n 1)
		[ -n "$HARK_PROJECT_ID" ] || die "harkctl project create printed no prj_ id: $out"
		out=$("${ctl[@]}" key create "$HARK_PROJECT_ID" --name demo 2>&1) ||
		    die "harkctl key create failed"
		HARK_SECRET_KEY=$(printf '%s\n' "$out" | grep -o 'sk_[A-Za-z0-9_-]*' | head -n 1)
		[ -n "$HARK_SECRET_KEY" ] || die "harkctl key create printed no sk_ key"
		HARK_PUBLIC_KEY=
	fi
	# The source of a kept pk_ key: source list shows its hash's fingerprint.
	if [ -n "$HARK_PUBLIC_KEY" ]; then
		fp="sha256:$(printf '%s' "$HARK_PUBLIC_KEY" | sha256sum | cut -c1-12)"
		HARK_SOURCE_ID=$("${ctl[@]}" source list "$HARK_PROJECT_ID" 2>/dev/null |
		    awk -v fp="$fp" '$2 == fp { print $1; exit }')
		[ -n "$HARK_SOURCE_ID" ] || HARK_PUBLIC_KEY=
	fi
	if [ -z "$HARK_PUBLIC_KEY" ]; then
		echo "== creating the demo widget source"
		# The widget source: its public key is safe to put in a page.
		out=$("${ctl[@]}" source create "$HARK_PROJECT_ID" --name "demo widget" \
		    --origin "http://127.0.0.1:$PORT" --origin "http://localhost:$PORT" \
		    --no-captcha 2>&1) || die "harkctl source create failed: $out"
		HARK_PUBLIC_KEY=$(printf '%s\n' "$out" | grep -o 'pk_[A-Za-z0-9_-]*' | head -n 1)
		HARK_SOURCE_ID=$(printf '%s\n' "$out" | grep -o 'src_[a-z0-9]*' | head -n 1)
		[ -n "$HARK_PUBLIC_KEY" ] || die "harkctl source create printed no pk_ key"
	else
		out=$("${ctl[@]}" source update "$HARK_SOURCE_ID" \
		    --origin "http://127.0.0.1:$PORT" --origin "http://localhost:$PORT" 2>&1) ||
		    die "harkctl source update failed: $out"
	fi
}

# A server source (HARK_SERVER_PUBLIC_KEY): no allowlist, so the third
# seed's server-to-server flow (bootstrap and ingest without Origin) works
# with it; no captcha.  Kept across runs like the widget source.
HARK_SERVER_PUBLIC_KEY=
demo_server_source() {
	local ctl=("$BUILD/harkctl" -c "$VAR/hark.conf") out fp sid=
	[ -f "$VAR/demo.env" ] && HARK_SERVER_PUBLIC_KEY=$(sed -n \
	    "s/^HARK_SERVER_PUBLIC_KEY=['\"]\{0,1\}\(pk_[A-Za-z0-9_-]*\).*/\1/p" \
	    "$VAR/demo.env")
	if [ -n "$HARK_SERVER_PUBLIC_KEY" ]; then
		fp="sha256:$(printf '%s' "$HARK_SERVER_PUBLIC_KEY" | sha256sum | cut -c1-12)"
		sid=$("${ctl[@]}" source list "$HARK_PROJECT_ID" 2>/dev/null |
		    awk -v fp="$fp" '$2 == fp { print $1; exit }')
	fi
	[ -n "$sid" ] && return 0
	echo "== creating the demo server source"
	out=$("${ctl[@]}" source create "$HARK_PROJECT_ID" --name "demo server" \
	    --type server --no-captcha 2>&1) ||
	    die "harkctl source create failed: $out"
	HARK_SERVER_PUBLIC_KEY=$(printf '%s\n' "$out" | grep -o 'pk_[A-Za-z0-9_-]*' | head -n 1)
	[ -n "$HARK_SERVER_PUBLIC_KEY" ] || die "harkctl source create printed no pk_ key"
}

# The key that signs widget tokens ([widget] token_secret_file, by default
# state_dir's token.secret), made once with mode 0600; kept across runs so
# tokens handed out before a restart stay valid.
token_secret() {
	[ -s "$VAR/state/token.secret" ] && return 0
	echo "== harkctl secret init"
	"$BUILD/harkctl" -c "$VAR/hark.conf" secret init ||
	    die "harkctl secret init failed"
}
# The widget from this tree (conf/lighttpd.conf's /widget/ names the
# installed copy) and the demo page at $URL/demo/ (widget/demo/), with
# var/demo/config.js telling it the demo source's public key.
demo_site() {
	local d=$1
	mkdir -p "$VAR/demo"
	printf '/* written by run.sh: the demo widget source */\nwindow.HARK_DEMO = { publicKey: "%s" };\n' \
	    "$HARK_PUBLIC_KEY" >"$VAR/demo/config.js.tmp" &&
	    mv "$VAR/demo/config.js.tmp" "$VAR/demo/config.js" || return 1
	sed -i "s|/usr/share/hark/widget/|$ROOT/widget/|g" "$d/hark-site.conf"
	cat >>"$d/lighttpd.conf" <<EOF
# the demo page (run.sh)
\$HTTP["url"] =^ "/demo/" {
	fastcgi.server = ()
	alias.url = ( "/demo/config.js" => "$VAR/demo/config.js", "/demo/" => "$ROOT/widget/demo/" )
	index-file.names = ( "index.html" )
	mimetype.assign = ( ".js" => "text/javascript", ".css" => "text/css",
	    ".html" => "text/html; charset=utf-8" )
	# A strict policy, as a careful site has: the widget needs no more.
	setenv.add-response-header = ( "Cache-Control" => "no-cache",
	    "Content-Security-Policy" => "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self' http://127.0.0.1:$PORT http://localhost:$PORT; form-action 'none'; base-uri 'none'" )
}
EOF
	lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.out" 2>&1 || {
		cat "$d/check.out" >&2
		return 1
	}
}

# -----------------------------------------------------------------------------

start_lighttpd() {
	if port_in_use "$PORT"; then
		die "127.0.0.1:$PORT is taken by something else; set HARK_PORT"
	fi
	lighttpd_write_conf "$VAR/lighttpd" "$PORT" "$VAR/hark.conf" "$VAR/log" ||
	    die "lighttpd rejects the generated $VAR/lighttpd/lighttpd.conf"
	demo_site "$VAR/lighttpd" ||
	    die "lighttpd rejects the demo page's $VAR/lighttpd/lighttpd.conf"
	echo "== starting lighttpd on $URL (it spawns $BUILD/hark-fcgi)"
	# Its own session: a Ctrl-C reaches this script, which stops it in order.
	setsid lighttpd -D -f "$VAR/lighttpd/lighttpd.conf" </dev/null \
	    >>"$VAR/log/lighttpd.out" 2>&1 &
	LIGHTTPD_PID=$!
	echo "$LIGHTTPD_PID" >"$VAR/run/lighttpd.pid"
}

# hark-batch every minute, as conf/hark.cron has it on an installed host:
# voice submissions go processing -> done (or error) by themselves.  Its
# own session (setsid) and pid file; ./run.sh stop stops it.
start_batch() {
	if running batch; then
		stop_pid "$(pid_of batch)" 10
	fi
	echo "== starting hark-batch every minute (log: $VAR/log/hark-batch.log)"
	setsid bash -c 'while :; do "$0" -c "$1" >>"$2" 2>&1; sleep 60; done' \
	    "$BUILD/hark-batch" "$VAR/hark.conf" "$VAR/log/hark-batch.log" \
	    </dev/null >/dev/null 2>&1 &
	echo "$!" >"$VAR/run/batch.pid"
}

wait_healthy() {
	local f
	if wait_until 30 health_is "$URL" 200; then
		return 0
	fi
	echo "run.sh: $URL/v1/health did not answer 200 within 30 s" \
	    "(it answers $(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$URL/v1/health"))." >&2
	for f in hark.log lighttpd-error.log lighttpd.out mariadb.log; do
		[ -s "$VAR/log/$f" ] || continue
		echo "--- $VAR/log/$f (last lines)" >&2
		tail -n 15 "$VAR/log/$f" >&2
	done
	stop_all
	exit 1
}

write_env() {
	local v
	{
		echo "# written by run.sh: . var/demo.env"
		for v in HARK_URL HARK_DB_SOCKET HARK_DB_NAME HARK_CONFIG HARK_BIN \
		    HARK_PROJECT_ID HARK_SECRET_KEY HARK_PUBLIC_KEY HARK_SOURCE_ID \
		    HARK_SERVER_PUBLIC_KEY; do
			[ -n "${!v}" ] && printf '%s=%q\n' "$v" "${!v}"
		done
	} >"$VAR/demo.env.tmp"
	chmod 600 "$VAR/demo.env.tmp"
	mv "$VAR/demo.env.tmp" "$VAR/demo.env"
}

# ---------------------------------------------------------------- main

MODE=foreground
case ${1:-} in
"") ;;
--detach | -d) MODE=detach ;;
stop) stop_all; exit 0 ;;
status) status; exit 0 ;;
-h | --help | help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument '$1' (try --help)" ;;
esac

mkdir -p "$VAR/run" "$VAR/log"
chmod 750 "$VAR/run"		# MariaDB's socket: root's alone
if running lighttpd; then
	echo "== a previous run is still serving: restarting lighttpd"
	stop_pid "$(pid_of lighttpd)" 30
fi

hark_install_packages || die "cannot install the packages hark needs"
hark_build "$ROOT" "$BUILD" || die "the build failed (see $BUILD/build.log)"

# From here on, a failure or Ctrl-C stops what was started.
trap 'stop_all' EXIT
trap 'exit 130' INT TERM HUP

start_mariadb
setup_database
write_config
migrate
token_secret
demo_project_and_key
demo_server_source
start_lighttpd
wait_healthy
start_batch

HARK_URL=$URL
HARK_DB_SOCKET=$DB_SOCKET
HARK_DB_NAME=$DB_NAME
HARK_CONFIG="$VAR/hark.conf"
HARK_BIN=$BUILD
write_env

cat <<EOF

hark is up: $URL  (GET $URL/v1/health)
  config   $VAR/hark.conf
  logs     $VAR/log/ (hark.log, lighttpd-error.log, hark-access.log, mariadb.log,
           hark-batch.log)
  batch    hark-batch every minute (transcription, enrichment, housekeeping);
           at once: $BUILD/hark-batch -c $VAR/hark.conf --once
  database mariadb --no-defaults -S $DB_SOCKET -uroot $DB_NAME  (as root: unix_socket)
  env      . $VAR/demo.env
  project  $HARK_PROJECT_ID
  key      $HARK_SECRET_KEY  (secret: server side only)
  widget   $HARK_PUBLIC_KEY  (public; source $HARK_SOURCE_ID, origins
           http://127.0.0.1:$PORT and http://localhost:$PORT, no captcha)
  server   $HARK_SERVER_PUBLIC_KEY  (public; a server source: no Origin needed)

The widget: open $URL/demo/ in a browser (widget/demo/, the demo source's key).

Send feedback:
  curl -X POST $URL/v1/feedback \\
    -H "Authorization: Bearer $HARK_SECRET_KEY" \\
    -H "Content-Type: application/json" \\
    -d '{"projectId": "$HARK_PROJECT_ID", "text": "De login knop werkt niet op mobiel", "page": "/login", "userEmail": "user@example.com"}'

The widget flow from a server (no Origin):
  curl "$URL/feedback/widget/bootstrap?publicKey=$HARK_SERVER_PUBLIC_KEY"
EOF

if [ "$MODE" = detach ]; then
	trap - EXIT INT TERM HUP
	echo "  stop     ./run.sh stop"
	exit 0
fi
echo "  stop     Ctrl-C"
# Until Ctrl-C (the EXIT trap stops everything) or lighttpd dies.
wait "$LIGHTTPD_PID"
echo "run.sh: lighttpd exited; stopping" >&2
exit 1
