#!/bin/bash
# test_cgi.sh: hark-fcgi as a plain CGI program, and its command line.
#
#	tests/integration/test_cgi.sh BUILD_DIR
#
# With fd 0 not a socket and GATEWAY_INTERFACE set, hark-fcgi answers one
# request from its environment and exits (shared hosts without FastCGI).
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

# cgi METHOD URI [STDIN_FILE [ENV=VALUE...]]: one CGI run.  Sets CGI_RC,
# CGI_STATUS (from "Status:", 200 when absent as RFC 3875 allows), R_BODY,
# headers in $T/r.hdrs.
cgi() {
	local method=$1 uri=$2 in=${3:-/dev/null} path query=
	shift 3 2>/dev/null || shift $#
	path=${uri%%\?*}
	[[ "$uri" == *\?* ]] && query=${uri#*\?}
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HARK_CONFIG="$CONF" \
	    HARK_TEST_DIR="$T" GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD="$method" REQUEST_URI="$uri" SCRIPT_NAME= \
	    PATH_INFO="$path" QUERY_STRING="$query" SERVER_PROTOCOL=HTTP/1.1 \
	    SERVER_NAME=localhost SERVER_PORT=80 SERVER_SOFTWARE=hark-test \
	    REMOTE_ADDR=127.0.0.1 REMOTE_PORT=40000 HTTP_HOST=localhost "$@" \
	    timeout 20 "$HARK_BUILD/hark-fcgi" <"$in" >"$T/cgi.out" 2>"$T/cgi.err"
	CGI_RC=$?
	# Headers end at the first empty line (CRLF or LF).
	awk 'BEGIN { h = 1 } h && /^\r?$/ { h = 0; next } h { print }' \
	    "$T/cgi.out" >"$T/r.hdrs"
	R_BODY=$(awk 'BEGIN { h = 1 } h && /^\r?$/ { h = 0; next } !h { print }' "$T/cgi.out")
	CGI_STATUS=$(hdr Status)
	CGI_STATUS=${CGI_STATUS%% *}
	[ -n "$CGI_STATUS" ] || CGI_STATUS=200
	R_STATUS=$CGI_STATUS
}

t_init "${1:-}" cgi
t_db
CONF="$T/hark.conf"
write_hark_conf "$CONF" server.workers=1

t_ctx cgi
cgi GET /v1/health
check "GET /v1/health exits 0" test "$CGI_RC" -eq 0
if [ -n "$(hdr Status)" ]; then pass "output has a Status: line"; else fail "output has a Status: line" "$(head -c 200 "$T/cgi.out")"; fi
check_status "GET /v1/health is Status: 200" 200
check "Content-Type is application/json; charset=utf-8" \
    test "$(hdr Content-Type)" = "application/json; charset=utf-8"
check_json "health status is ok" status ok
check_json "health database is ok" database ok
check_json "health version is 0.1.0" version 0.1.0

cgi GET /v1/no-such-thing
check_hark_error "unknown path is a JSON 404" 404
check "404 run exits 0" test "$CGI_RC" -eq 0

cgi DELETE /v1/health
check_hark_error "DELETE /v1/health is a JSON 405" 405
check "405 names the allowed methods" eval '[[ "$(hdr Allow)" == *GET* ]]'

head -c 2097152 /dev/zero | tr '\0' a >"$T/big"
cgi POST /v1/health "$T/big" CONTENT_LENGTH=2097152 CONTENT_TYPE=application/json
check_hark_error "CONTENT_LENGTH over max_body is a JSON 413" 413

cgi GET '/v1/%00/health'
check_hark_error "path with %00 is a JSON 400" 400
cgi GET '/v1/../v1/health'
check_hark_error "path with a .. segment is a JSON 400" 400

secret="q$(rand_hex 6)"
cgi GET "/v1/health?token=$secret" /dev/null HTTP_AUTHORIZATION="Bearer sk_$secret"
check_status "health with a query string is 200" 200
check "request log line written" \
    grep -qE 'GET /v1/health 200 [0-9]+(\.[0-9]+)?ms [0-9]+' "$T/hark.log"
check "log holds neither query string nor credentials" \
    eval "! grep -q '$secret' '$T/hark.log' '$T/cgi.err'"

# Not a socket and no GATEWAY_INTERFACE: nothing to serve; it must say so
# and exit rather than wait for a request that never comes.
env -i PATH=/usr/bin:/bin HARK_CONFIG="$CONF" HARK_TEST_DIR="$T" \
    timeout 10 "$HARK_BUILD/hark-fcgi" </dev/null >"$T/nocgi.out" 2>&1
rc=$?
check "without a socket or CGI environment it exits non-zero at once" \
    eval "[ $rc -ne 0 ] && [ $rc -ne 124 ]"

t_ctx cli
out=$("$HARK_BUILD/hark-fcgi" --version 2>&1)
check "hark-fcgi --version prints 0.1.0" eval '[[ "$out" == *0.1.0* ]]'
check "hark-fcgi --check-config accepts a good file" \
    "$HARK_BUILD/hark-fcgi" -c "$CONF" --check-config
# A check that only parses would call a broken installation ready.
sed "s|^state_dir = .*|state_dir = $T/no-such-state|" "$CONF" >"$T/nostate.conf"
out=$("$HARK_BUILD/hark-fcgi" -c "$T/nostate.conf" --check-config 2>&1)
rc=$?
check "--check-config refuses a missing state directory" test "$rc" -ne 0
check "and names it" eval '[[ "$out" == *no-such-state* ]]'
sed "s|^socket = .*|socket = $T/no-such.sock|" "$CONF" >"$T/nodb.conf"
out=$("$HARK_BUILD/hark-fcgi" -c "$T/nodb.conf" --check-config 2>&1)
rc=$?
check "--check-config refuses a database that does not answer" test "$rc" -ne 0
check "and says it is the database" eval '[[ "$out" == *database:* ]]'
sed "s|^file = .*|file = $T/no-such-logdir/hark.log|" "$CONF" >"$T/nolog.conf"
out=$("$HARK_BUILD/hark-fcgi" -c "$T/nolog.conf" --check-config 2>&1)
rc=$?
check "--check-config refuses a log file whose directory is missing" \
    test "$rc" -ne 0
check "and names it" eval '[[ "$out" == *no-such-logdir* ]]'
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	# As root with [server] user, what counts is what that user may do.
	U=$(mktemp -d /tmp/hark-chk.XXXXXX)
	chmod 0755 "$U"
	mkdir "$U/state" "$U/media" "$U/log"
	chown nobody "$U/media" "$U/log"
	sed -e "s|^state_dir = .*|state_dir = $U/state|" \
	    -e "s|^media_dir = .*|media_dir = $U/media|" \
	    -e "s|^file = .*|file = $U/log/hark.log|" \
	    -e "s|^\\[server\\]\$|[server]\\nuser = nobody|" "$CONF" >"$T/asuser.conf"
	out=$("$HARK_BUILD/hark-fcgi" -c "$T/asuser.conf" --check-config 2>&1)
	rc=$?
	check "as root with user = nobody, a state_dir only root may write is not ready" \
	    eval '[ "$rc" -ne 0 ] && [[ "$out" == *"state_dir $U/state"* ]]'
	chown nobody "$U/state"
	out=$("$HARK_BUILD/hark-fcgi" -c "$T/asuser.conf" --check-config 2>&1)
	check "and ready once nobody owns it ($out)" eval '[[ "$out" == *": ok" ]]'
	rm -rf "$U"
else
	say "# skipped: --check-config as [server] user needs root and a nobody user"
fi
mkdir -p "$T/spawn-nostate"
env -i PATH=/usr/bin:/bin HARK_TEST_DIR="$T" timeout 20 \
    "$HARK_BUILD/hark-fcgi" -c "$T/nostate.conf" \
    --listen "unix:$T/spawn-nostate/hark.sock" >"$T/nostate.out" 2>&1
rc=$?
check "start-up stops when the rate limiter cannot work" \
    eval "[ $rc -ne 0 ] && [ $rc -ne 124 ]"
check "naming the rate-limit file" grep -q 'no-such-state/ratelimit3.db' "$T/nostate.out"
check "and leaves no socket behind" test ! -e "$T/spawn-nostate/hark.sock"
cp "$CONF" "$T/broken.conf"
sed -i 's/^\[server\]$/[server]\nno_such_key = 1/' "$T/broken.conf"
line=$(grep -n '^no_such_key' "$T/broken.conf" | cut -d: -f1)
out=$("$HARK_BUILD/hark-fcgi" -c "$T/broken.conf" --check-config 2>&1)
rc=$?
check "--check-config rejects an unknown key" test "$rc" -ne 0
check "--check-config names file:line of the unknown key" \
    eval '[[ "$out" == *broken.conf:$line:* ]]'
out=$(HARK_CONFIG="$T/broken.conf" "$HARK_BUILD/hark-fcgi" --check-config 2>&1)
check "\$HARK_CONFIG is read when there is no -c" \
    eval '[[ "$out" == *broken.conf:$line:* ]]'
check "hark-fcgi with a missing config file fails" \
    eval "! '$HARK_BUILD/hark-fcgi' -c '$T/none.conf' --check-config"
check "harkctl migrate again is a no-op that succeeds" \
    env HARK_SCHEMA_DIR="$HARK_SRCDIR/schema" "$HARK_BUILD/harkctl" -c "$T/migrate.conf" migrate
check "schema_migrations has a row" \
    eval "[ \"\$(mariadb_sql '$HARK_DB_SOCKET' 'SELECT COUNT(*) FROM \`$HARK_DB_NAME\`.schema_migrations')\" -ge 1 ]"

# ---------------------------------------------------------------- as root

# can_connect USER SOCKET: USER may connect to the unix socket (what a web
# server's worker running as USER does; EACCES there is nginx's 502).
can_connect() {
	runuser -u "$1" -- python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])' "$2" 2>/dev/null
}

sock_owner() { stat -c '%U:%G %a' "$1"; }

# root_start NAME [section.key=value...]: hark-fcgi --listen started as root
# with the settings given, state and logs where its user can write.
root_start() {
	local name=$1
	shift
	mkdir -p "$T/$name/state" "$T/$name/media"
	chmod 1777 "$T/$name" "$T/$name/state" "$T/$name/media"
	write_hark_conf "$T/$name/hark.conf" server.state_dir="$T/$name/state" \
	    server.media_dir="$T/$name/media" log.file="$T/$name/hark.log" "$@"
	hark_standalone "$name" "$T/$name/hark.conf" 1
}

if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null; then
	t_ctx root
	# hark.conf(5)'s nginx example: user and group, nothing else.
	if root_start example server.user=nobody server.group=www-data \
	    server.socket_mode=-; then
		check "as root with user/group the socket is user:group 0660" \
		    test "$(sock_owner "$HARK_SOCK")" = "nobody:www-data 660"
		check "so the web server's user in that group may connect" \
		    can_connect www-data "$HARK_SOCK"
		check "and a user outside it may not" \
		    eval "! can_connect daemon '$HARK_SOCK'"
		check "the master runs as the configured user" \
		    test "$(stat -c %U "/proc/$HARK_MASTER")" = nobody
		stop_pid "$HARK_MASTER" 20
	else
		fail "hark-fcgi starts as root with user and group"
	fi
	if root_start owner server.user=nobody server.group=nogroup \
	    server.listen_owner=www-data server.listen_group=daemon \
	    server.socket_mode=- server.listen_mode=0640; then
		check "listen_owner, listen_group and listen_mode set the socket" \
		    test "$(sock_owner "$HARK_SOCK")" = "www-data:daemon 640"
		check "the owner may connect" can_connect www-data "$HARK_SOCK"
		check "the workers' user, neither owner nor in the group, may not" \
		    eval "! can_connect nobody '$HARK_SOCK'"
		stop_pid "$HARK_MASTER" 20
	else
		fail "hark-fcgi starts with listen_owner and listen_group"
	fi
	mkdir -p "$T/badowner"
	write_hark_conf "$T/badowner/hark.conf" server.user=nobody \
	    server.listen_owner=no-such-user-hark
	out=$(env HARK_TEST_DIR="$T" timeout 20 "$HARK_BUILD/hark-fcgi" \
	    -c "$T/badowner/hark.conf" --listen "unix:$T/badowner/hark.sock" 2>&1)
	check "an unknown listen_owner stops start-up naming it" \
	    eval '[[ "$out" == *"listen_owner: no such user: no-such-user-hark"* ]]'
	check "and leaves no socket" test ! -e "$T/badowner/hark.sock"

	# initgroups: a root:G 0640 password file, G one of the user's
	# supplementary groups (not its primary nor [server] group), is still
	# readable when a SIGHUP re-reads the configuration.
	supp=$(getent group | awk -F: '$4 != "" { split($4, u, ","); print $1 ":" u[1]; exit }')
	if [ -n "$supp" ]; then
		sgroup=${supp%%:*} suser=${supp#*:}
		mkdir -p "$T/secret"
		printf '%s\n' "$HARK_DB_PASSWORD" >"$T/secret/db.password"
		chown "root:$sgroup" "$T/secret/db.password"
		chmod 0640 "$T/secret/db.password"
		if root_start secret server.user="$suser" \
		    database.password=- database.password_file="$T/secret/db.password"; then
			# The socket is there before the master's signal handlers
			# surely are (slow under ASan): its first worker says they are.
			wait_until 30 eval '[ "$(worker_count "$HARK_MASTER")" -ge 1 ]'
			kill -HUP "$HARK_MASTER"
			wait_until 30 grep -qE 'configuration reloaded|reload refused' \
			    "$T/secret/hark.log" "$T/secret/hark-fcgi.out"
			check "after SIGHUP a secret readable through a supplementary group ($suser in $sgroup) is read again" \
			    grep -q 'configuration reloaded' "$T/secret/hark.log" \
			    "$T/secret/hark-fcgi.out"
			# Reopened by the user after the reload: root made it.
			check "the log file made as root is the user's, and still written after the reload" \
			    eval '[ "$(stat -c %U "$T/secret/hark.log")" = "$suser" ] &&
			    grep -q "configuration reloaded" "$T/secret/hark.log"'
			check "with nothing on stderr instead" \
			    eval '! grep -q "configuration reloaded" "$T/secret/hark-fcgi.out"'
			stop_pid "$HARK_MASTER" 20
		else
			fail "hark-fcgi starts with a password file of a supplementary group"
		fi
	else
		say "skip - no user with a supplementary group on this system"
	fi
fi

t_ctx
t_summary
