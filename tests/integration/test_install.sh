#!/bin/bash
# test_install.sh: what an install leaves open to the other users of the host.
#
#	tests/integration/test_install.sh BUILD_DIR
#
# The suite's private MariaDB (lib.sh's, as every suite has it) and run.sh's
# stack (./run.sh --detach in a var/ of its own, then a second run over a
# data directory made the old way): root gets into MariaDB only as the OS
# root (unix_socket), the socket sits in a directory other users cannot enter,
# hark's database user reads and writes rows and can change nothing else,
# and hark still serves; lighttpd's access log has no query string and is
# 0640.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

# as USER SQL...: the mariadb client run as the OS user USER, on SOCK.
as() {
	local user=$1
	shift
	su "$user" -s /bin/sh -c "mariadb --no-defaults -S '$SOCK' $* </dev/null" 2>&1
}

# hark_sql USER PASSWORD SQL: SQL as hark's database user (as OS root).
hark_sql() {
	mariadb --no-defaults -S "$SOCK" -u"$1" -p"$2" -N -B "$DB" -e "$3" 2>&1
}

# check_db_locked LABEL USER PASSWORD: the checks every install must pass.
check_db_locked() {
	local label=$1 user=$2 pw=$3 out plugin grants
	out=$(as nobody -uroot -N -e "'SELECT COUNT(*) FROM mysql.global_priv'")
	if [ $? -ne 0 ] && [[ "$out" != *[0-9]* || "$out" == *ERROR* ]]; then
		pass "$label: nobody cannot connect as MariaDB root"
	else
		fail "$label: nobody cannot connect as MariaDB root" "got: $out"
	fi
	out=$(as nobody -u"$user" -p"'$pw'" -N -e "'SELECT 1'" "$DB")
	if [ $? -ne 0 ]; then
		pass "$label: nobody cannot reach the socket, even with hark's password"
	else
		fail "$label: nobody cannot reach the socket, even with hark's password" "got: $out"
	fi
	plugin=$(mariadb_sql "$SOCK" "SELECT JSON_VALUE(Priv, '\$.plugin')
	    FROM mysql.global_priv WHERE User = 'root' AND Host = 'localhost'")
	if [ "$plugin" = unix_socket ] ||
	    mariadb_sql "$SOCK" "SELECT Priv FROM mysql.global_priv WHERE User = 'root'" |
	    grep -q '"auth_or":\[{.*"plugin":"unix_socket"'; then
		pass "$label: root authenticates by unix_socket"
	else
		fail "$label: root authenticates by unix_socket" "plugin '$plugin'"
	fi
	out=$(mariadb_sql "$SOCK" "SELECT CONCAT(User, '@', Host) FROM mysql.global_priv
	    WHERE User = '' OR (User = 'root' AND Host <> 'localhost')")
	check "$label: no anonymous or remote root account" test -z "$out"
	out=$(hark_sql "$user" "$pw" "SELECT COUNT(*) FROM schema_migrations")
	check "$label: hark's user reads rows" eval '[[ "$out" =~ ^[1-9][0-9]*$ ]]'
	out=$(hark_sql "$user" "$pw" "CREATE TABLE hark_probe (a INT)")
	check "$label: hark's user cannot CREATE a table" eval '[[ "$out" == *denied* ]]'
	out=$(hark_sql "$user" "$pw" "DROP TABLE schema_migrations")
	check "$label: hark's user cannot DROP a table" eval '[[ "$out" == *denied* ]]'
	out=$(hark_sql "$user" "$pw" "ALTER TABLE feedback ADD COLUMN probe INT")
	check "$label: hark's user cannot ALTER a table" eval '[[ "$out" == *denied* ]]'
	out=$(hark_sql "$user" "$pw" "GRANT SELECT ON \`$DB\`.* TO '$user'@'localhost'")
	check "$label: hark's user cannot GRANT" eval '[[ "$out" == *denied* ]]'
	out=$(hark_sql "$user" "$pw" "CREATE USER 'probe'@'localhost'")
	check "$label: hark's user cannot CREATE USER" eval '[[ "$out" == *denied* ]]'
	out=$(hark_sql "$user" "$pw" "SELECT COUNT(*) FROM mysql.global_priv")
	check "$label: hark's user cannot read the account table" \
	    eval '[[ "$out" == *denied* ]]'
	grants=$(hark_sql "$user" "$pw" "SHOW GRANTS" | grep -F " ON \`$DB\`.* TO ")
	if [[ "$grants" == "GRANT SELECT, INSERT, UPDATE, DELETE ON \`$DB\`.* TO"* ]] &&
	    [ "$(hark_sql "$user" "$pw" "SHOW GRANTS" | grep -vc 'GRANT USAGE ON \*\.\*')" = 1 ]; then
		pass "$label: hark's grants are SELECT, INSERT, UPDATE, DELETE on its database"
	else
		fail "$label: hark's grants are SELECT, INSERT, UPDATE, DELETE on its database" \
		    "$(hark_sql "$user" "$pw" "SHOW GRANTS" | tr '\n' '|')"
	fi
}

# mode_of FILE: its octal mode and group, "750 root".
mode_of() { stat -c '%a %G' "$1" 2>/dev/null; }

t_init "${1:-}" install

# ---------------------------------------------------------------- lib.sh's MariaDB

t_ctx "test stack"
t_db private
SOCK=$HARK_DB_SOCKET
DB=$HARK_DB_NAME
check "socket directory is root:www-data 0750" \
    eval '[ "$(mode_of "$(dirname "$SOCK")")" = "750 www-data" ]'
check_db_locked "test stack" "$HARK_DB_USER" "$HARK_DB_PASSWORD"
# www-data can reach the socket (mod_fcgid's hark runs as www-data), so this
# is unix_socket itself refusing, not the directory.
out=$(as www-data -uroot -N -e "'SELECT 1'")
check "www-data reaches the socket but is refused as root" \
    eval '[[ "$out" == *"Access denied"* ]]'
out=$(as www-data -u"$HARK_DB_USER" -p"'$HARK_DB_PASSWORD'" -N -e "'SELECT 1'")
check "www-data connects as hark's user with its password" test "$out" = 1

# ---------------------------------------------------------------- run.sh

t_ctx "run.sh"
VAR="$T/var"
PORT=$(pick_port) || exit 2
URL="http://127.0.0.1:$PORT"
SV_PORT=$(pick_port) || exit 2
t_spawn siteverify /usr/bin/python3 "$HARK_SRCDIR/tests/integration/siteverify.py" \
    "$SV_PORT" install-captcha-secret "$T/siteverify.log"
run() {
	env HARK_VAR_DIR="$VAR" HARK_PORT="$PORT" HARK_BUILD_DIR="$HARK_BUILD" \
	    HARK_CAPTCHA_VERIFY_URL="http://127.0.0.1:$SV_PORT/siteverify" \
	    HARK_WORKERS=2 HARK_TEST_DIR="$T" "$HARK_SRCDIR/run.sh" "$@" \
	    >>"$T/run.out" 2>&1
}
# Stopped on exit whatever happens (lighttpd first, then MariaDB).
remember_run_pids() {
	local p
	p=$(cat "$VAR/run/mysqld.pid" 2>/dev/null) && T_PIDS+=("$p")
	p=$(cat "$VAR/run/lighttpd.pid" 2>/dev/null) && T_PIDS+=("$p")
}

# run_checks LABEL: run.sh's stack after a run.
run_checks() {
	local label=$1 env_sock env_db
	SOCK="$VAR/run/mysqld.sock"
	DB=hark
	check "$label: var/run (the socket's directory) is root:root 0750" \
	    eval '[ "$(mode_of "$VAR/run")" = "750 root" ]'
	check "$label: var/db.password is 0640" \
	    eval '[ "$(stat -c %a "$VAR/db.password")" = 640 ]'
	check "$label: no var/db-password left" test ! -e "$VAR/db-password"
	check "$label: var/mysql (the data) is 0700" \
	    eval '[ "$(stat -c %a "$VAR/mysql")" = 700 ]'
	check "$label: hark.conf names hark's user and var/db.password" \
	    eval "grep -qx 'user = hark' '$VAR/hark.conf' &&
	    grep -qx 'password_file = $VAR/db.password' '$VAR/hark.conf'"
	check "$label: migrate.conf names root and no password" \
	    eval "grep -qx 'user = root' '$VAR/migrate.conf' &&
	    ! grep -q password '$VAR/migrate.conf'"
	check_db_locked "$label" hark "$(cat "$VAR/db.password")"
	# demo.env's socket and database are still root's way in (as OS root).
	env_sock=$(. "$VAR/demo.env" && echo "$HARK_DB_SOCKET")
	env_db=$(. "$VAR/demo.env" && echo "$HARK_DB_NAME")
	check "$label: demo.env's HARK_DB_SOCKET and HARK_DB_NAME let root in" \
	    eval "[ \"\$(mariadb_sql '$env_sock' 'SELECT COUNT(*) FROM \`$env_db\`.schema_migrations')\" -ge 1 ]"
	# hark still serves, with its rows-only user.
	req GET "$URL/v1/health"
	check_status "$label: GET /v1/health is 200" 200
	check_json "$label: health database is ok" database ok
	local key prj
	key=$(. "$VAR/demo.env" && echo "$HARK_SECRET_KEY")
	prj=$(. "$VAR/demo.env" && echo "$HARK_PROJECT_ID")
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $key" \
	    -H 'Content-Type: application/json' \
	    --data-binary "{\"projectId\": \"$prj\", \"text\": \"install test\"}"
	check_status "$label: POST /v1/feedback is 201" 201
	req GET "$URL/v1/feedback?limit=1&q=secret$(rand_hex 4)" -H "Authorization: Bearer $key"
	check_status "$label: GET /v1/feedback?q=... is 200" 200
	# The third seed's flow as it documents it, on the demo sources: the
	# widget's from its own origin, the server's without Origin.
	local pk spk tok
	pk=$(. "$VAR/demo.env" && echo "$HARK_PUBLIC_KEY")
	spk=$(. "$VAR/demo.env" && echo "$HARK_SERVER_PUBLIC_KEY")
	req GET "$URL/feedback/widget/bootstrap?publicKey=$pk" -H "Origin: $URL"
	check_status "$label: the demo widget's bootstrap from its origin is 200" 200
	tok=$(json data.token)
	req POST "$URL/feedback/ingest" -H "Origin: $URL" \
	    -H 'Content-Type: application/json' --data-binary \
	    "{\"publicKey\": \"$pk\", \"token\": \"$tok\", \"message\": \"The registration form does not validate emails correctly $label\", \"category\": \"bug\", \"pageUrl\": \"https://myapp.com/register\", \"locale\": \"en\"}"
	check_status "$label: and its ingest is 201" 201
	req GET "$URL/feedback/widget/bootstrap?publicKey=$pk"
	check_status "$label: the widget's bootstrap without Origin is 403" 403
	req GET "$URL/feedback/widget/bootstrap?publicKey=$spk"
	check_status "$label: the demo server's bootstrap without Origin is 200" 200
	tok=$(json data.token)
	req POST "$URL/feedback/ingest" -H 'Content-Type: application/json' \
	    --data-binary "{\"publicKey\": \"$spk\", \"token\": \"$tok\", \"message\": \"Nightly sync failed $label\"}"
	check_status "$label: and its ingest is 201" 201
	# With captcha: a source that requires it, checked by the local
	# siteverify stand-in run.sh was pointed at.
	local cpk
	printf 'install-captcha-secret\n' >"$T/captcha.secret"
	cpk=$("$HARK_BUILD/harkctl" -c "$VAR/hark.conf" source create "$prj" \
	    --name "captcha $label" --origin "$URL" --captcha hcaptcha \
	    --captcha-sitekey site-1 --captcha-secret-file "$T/captcha.secret" 2>/dev/null)
	req GET "$URL/feedback/widget/bootstrap?publicKey=$cpk" -H "Origin: $URL"
	check_json "$label: a captcha source's bootstrap asks for it" \
	    data.config.requireCaptcha true
	tok=$(json data.token)
	req POST "$URL/feedback/ingest" -H "Origin: $URL" \
	    -H 'Content-Type: application/json' --data-binary \
	    "{\"publicKey\": \"$cpk\", \"token\": \"$tok\", \"message\": \"With a captcha $label\", \"captchaToken\": \"good-token\"}"
	check_status "$label: its ingest with a solved captcha is 201" 201
	req POST "$URL/feedback/ingest" -H "Origin: $URL" \
	    -H 'Content-Type: application/json' --data-binary \
	    "{\"publicKey\": \"$cpk\", \"token\": \"$tok\", \"message\": \"Without a captcha $label\"}"
	check_status "$label: without one, 400" 400
	# run.sh runs hark-batch every minute by itself; the first run at once.
	check "$label: the hark-batch schedule runs" \
	    eval 'pid_alive "$(cat "$VAR/run/batch.pid" 2>/dev/null)"'
	check "$label: and has finished a run" \
	    wait_until 30 grep -q 'hark-batch.*run: [0-9]* done' "$VAR/log/hark.log"
	# A voice submission goes processing -> done with its transcript by
	# hark-batch (pocketsphinx, run.sh's build), here at once with --once.
	local clip=/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav
	if [ -r "$clip" ] && "$HARK_BUILD/hark-batch" --version >/dev/null 2>&1; then
		local sid="0193a3c4-5d6e-7f80-9a1b-$(rand_hex 6)"
		ffmpeg -nostdin -v error -y -i "$clip" -c:a libopus -b:a 24k \
		    "$T/voice-$label.webm" 2>/dev/null
		printf '{"sessionId":"%s","transcript":"","context":{"dom":null,"console":[],"network":[],"device":{},"page":{},"screenshotUrl":null,"capturedAt":"2026-12-03T10:00:00Z"},"identity":null}' \
		    "$sid" >"$T/voice-$label.json"
		req POST "$URL/v1/feedback" -H "x-earshot-project: $prj" \
		    -H "x-earshot-key: $pk" -H "Origin: $URL" \
		    -F "payload=<$T/voice-$label.json;type=application/json" \
		    -F "audio=@$T/voice-$label.webm;type=audio/webm"
		check_status "$label: a voice submission is 202" 202
		check_json "$label: processing" status processing
		"$HARK_BUILD/hark-batch" -c "$VAR/hark.conf" --once >/dev/null 2>&1
		req GET "$URL/v1/feedback/session/$sid/state" \
		    -H "x-earshot-project: $prj" -H "x-earshot-key: $pk" -H "Origin: $URL"
		check_json "$label: after hark-batch --once it is done" status done
		check "$label: with its transcript (\"$(json transcript)\")" \
		    eval "[[ '$(json transcript)' == *disposed* || '$(json transcript)' == *young* ]]"
	fi
	# lighttpd's access log: the path without the query, in a 0640 file.
	local alog="$VAR/log/hark-access.log"
	check "$label: access log has the request's path" \
	    wait_until 10 grep -qF '"GET /v1/feedback HTTP/1.1" 200' "$alog"
	check "$label: access log holds no query string" \
	    eval "! grep -qF 'secret' '$alog'"
	check "$label: access log is 0640" eval '[ "$(stat -c %a "$alog")" = 640 ]'
}

if run --detach; then
	pass "run.sh --detach starts the stack"
	remember_run_pids
	run_checks "first run"
else
	remember_run_pids
	fail "run.sh --detach starts the stack" "$(tail -n 8 "$T/run.out" | tr '\n' '|')"
fi

# A var/ from before: root without a password, hark with ALL PRIVILEGES and
# its password in var/db-password.  The next run closes it.
if [ -S "$VAR/run/mysqld.sock" ]; then
	SOCK="$VAR/run/mysqld.sock"
	mariadb_sql "$SOCK" "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('');
	    CREATE USER ''@'localhost';
	    GRANT ALL PRIVILEGES ON hark.* TO 'hark'@'localhost';"
	mv "$VAR/db.password" "$VAR/db-password"
	chmod 755 "$VAR/run"
	if run --detach; then
		pass "run.sh --detach over an old var/"
		remember_run_pids
		run_checks "second run"
	else
		remember_run_pids
		fail "run.sh --detach over an old var/" "$(tail -n 8 "$T/run.out" | tr '\n' '|')"
	fi
fi

run stop
check "run.sh stop stops the hark-batch schedule" \
    eval '! pgrep -f "hark-batch.*$VAR/hark.conf" >/dev/null'
check "run.sh stop stops MariaDB and lighttpd" \
    eval "! pid_alive \"\$(cat '$VAR/run/mysqld.pid' 2>/dev/null)\" &&
    ! pid_alive \"\$(cat '$VAR/run/lighttpd.pid' 2>/dev/null)\""

t_ctx
t_summary
