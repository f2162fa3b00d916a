#!/bin/bash
# package-inner.sh: what test_package.sh runs inside its fresh root (a copy
# of this system in a mount namespace, chroot'ed): the .deb installed as
# apt-get would on a new machine, set up by doc/INSTALL's steps (the
# installed page's own command lines, checked to be there word for word),
# hark-fcgi.socket enabled and served, the Fluister example behind nginx
# and then Apache (mod_proxy_fcgi), harkctl doctor all ok behind each, the
# timer instead of cron, an upgrade in place, then removed and purged.
# systemctl enables here but starts nothing (no systemd as init): the
# units' own ExecStart, users, groups and socket, and the web servers'
# start commands, stand in for "systemctl start" and "reload".
#
#	DEB=/path/hark_*.deb PORT=N PORT2=N bash package-inner.sh
#
# Prints "ok   - ..." and "FAIL - ..." lines; the outer test counts them.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
LOG=/tmp/package-inner.log
PIDS=()

ok() { echo "ok   - $1"; }
no() { echo "FAIL - $1${2:+ -- $2}"; }
ck() {
	local name=$1
	shift
	if "$@" >>"$LOG" 2>&1; then ok "$name"; else no "$name"; fi
}
owner_mode() { stat -c '%U:%G %a' "$1" 2>/dev/null; }
sql() { mariadb --no-defaults -S /run/mysqld/mysqld.sock -uroot -N -B -e "$1"; }
APACHE_UP=
stop_apache() {
	local i pid
	[ -n "$APACHE_UP" ] || return 0
	pid=$(cat /run/apache2/apache2.pid 2>/dev/null)
	apache2ctl stop >>"$LOG" 2>&1
	for i in $(seq 1 40); do
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	APACHE_UP=
}
cleanup() {
	local i
	stop_apache
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill "${PIDS[$i]}" 2>/dev/null
	done
	sleep 1
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -9 "${PIDS[$i]}" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# doc/INSTALL as installed.  doc NAME LINE [RUN]: LINE is one of the page's
# command lines (indented four spaces there), word for word but for a
# trailing comment; it is run, or RUN is when the test must change it (a
# port, a URL, no systemd).
INSTALL_TXT=
doc_load() {
	INSTALL_TXT=$(zcat /usr/share/doc/hark/INSTALL.gz 2>/dev/null ||
	    cat /usr/share/doc/hark/INSTALL 2>/dev/null)
	# Its command lines without their trailing comments.
	INSTALL_CMDS=$(sed -n 's/^    //; T; s/[[:space:]][[:space:]]*# .*$//; p' \
	    <<<"$INSTALL_TXT")
}
doc() {
	local name=$1 line=$2 run=${3:-$2}
	if ! grep -qxF "$line" <<<"$INSTALL_CMDS"; then
		no "$name" "doc/INSTALL has no line: $line"
		return 1
	fi
	echo "+ $run" >>"$LOG"
	if bash -c "$run" >>"$LOG" 2>&1; then ok "$name"; else no "$name"; fi
}
# doc_block NAME FIRST LAST: the page's lines from FIRST to LAST (a
# here-document, say), run as one script.
doc_block() {
	local name=$1 script
	script=$(sed -n "/^    $2\$/,/^    $3\$/s/^    //p" <<<"$INSTALL_TXT")
	if [ -z "$script" ]; then
		no "$name" "doc/INSTALL has no block from: $2"
		return 1
	fi
	printf '+ %s\n' "$script" >>"$LOG"
	if bash -c "$script" >>"$LOG" 2>&1; then ok "$name"; else no "$name"; fi
}
# The Fluister seed's example (its curl, as written but for the base URL,
# the key and the project).  fluister URL FILE: prints the status, the
# body in FILE.
fluister() {
	curl -s -o "$2" -w '%{http_code}' -X POST "$1/v1/feedback" \
	    -H "Authorization: Bearer $SK" \
	    -H "Content-Type: application/json" \
	    -d '{
    "projectId": "'"$PRJ"'",
    "text": "De login knop werkt niet op mobiel",
    "page": "/login",
    "userEmail": "user@example.com"
  }'
}
# served_by NAME URL: GET /v1/health, the Fluister example and its row,
# harkctl doctor as hark, all ok.
served_by() {
	local name=$1 url=$2 code id i
	for i in $(seq 1 40); do
		curl -s -o /dev/null "$url/v1/health" && break
		sleep 0.25
	done
	ck "GET /v1/health through $name: 200" test "$(curl -s -o /dev/null \
	    -w '%{http_code}' "$url/v1/health")" = 200
	code=$(fluister "$url" "/tmp/pkgtest-$name.body")
	ck "the Fluister example through $name: 201 ($code)" test "$code" = 201
	id=$(sed -n 's/.*"id":"\(fb_[a-z0-9]*\)".*/\1/p' "/tmp/pkgtest-$name.body")
	ck "its row is in MariaDB, as sent" test "$(sql "SELECT CONCAT_WS('|',
	    project_id, text, page, user_email) FROM hark.feedback
	    WHERE id = '$id'")" = \
	    "$PRJ|De login knop werkt niet op mobiel|/login|user@example.com"
	doc "harkctl doctor behind $name is all ok (as hark)" \
	    "runuser -u hark -- harkctl doctor --url https://feedback.example.com" \
	    "runuser -u hark -- harkctl doctor --url $url >/tmp/pkgtest-doctor.out"
	if grep -qx '0 failed, 0 warnings' /tmp/pkgtest-doctor.out &&
	    ! grep -vE '^ok ' /tmp/pkgtest-doctor.out |
	    grep -vqx '0 failed, 0 warnings'; then
		ok "every doctor line behind $name says ok"
	else
		no "every doctor line behind $name says ok" \
		    "$(grep -vE '^ok ' /tmp/pkgtest-doctor.out | tr '\n' '|')"
	fi
	cat /tmp/pkgtest-doctor.out >>"$LOG"
}

# What boot makes and a bare tmpfs on /run lacks (systemd-tmpfiles'
# /run/lock, which apache2ctl's /var/lock/apache2 is in).
install -d -m 1777 /run/lock

# ---------------------------------------------------------------- install
if dpkg -s hark >/dev/null 2>&1; then
	no "the fresh root has no hark installed"
	exit 0
fi
# doc/INSTALL's "apt-get install ./../hark_0.1.0_amd64.deb", with the
# package's path: every dependency is here already, nothing is fetched.
DEBIAN_FRONTEND=noninteractive apt-get install -y "$DEB" \
    >/tmp/pkgtest-apt.out 2>&1
ck "apt-get install of the .deb on a root without hark" dpkg -s hark
cat /tmp/pkgtest-apt.out >>"$LOG"
ck "a first install says how to go on (doc/INSTALL, enable the socket)" \
    grep -q 'systemctl enable --now hark-fcgi.socket' /tmp/pkgtest-apt.out
ck "and no warning from adduser or dpkg" eval "! grep -iE \
    '^(adduser: )?warning|^dpkg: warning' /tmp/pkgtest-apt.out"
ck "the hark system user exists" getent passwd hark
ck "it is a system user" test "$(id -u hark)" -lt 1000
ck "and its group" getent group hark
ck "/var/lib/hark is hark:hark 0750" test "$(owner_mode /var/lib/hark)" = \
    "hark:hark 750"
ck "/var/lib/hark/media is hark:hark 0750" \
    test "$(owner_mode /var/lib/hark/media)" = "hark:hark 750"
ck "/var/log/hark is hark:adm 2750" test "$(owner_mode /var/log/hark)" = \
    "hark:adm 2750"
ck "/etc/hark/hark.conf is root:hark 0640" \
    test "$(owner_mode /etc/hark/hark.conf)" = "root:hark 640"
ck "it is a conffile" grep -qx /etc/hark/hark.conf \
    /var/lib/dpkg/info/hark.conffiles
ck "it logs to /var/log/hark/hark.log" grep -qx \
    'file = /var/log/hark/hark.log' /etc/hark/hark.conf
ck "the cron entry runs hark-batch as hark, while it is installed" grep -qE \
    '^\* \* \* \* \*[[:space:]]+hark[[:space:]]+\[ -x /usr/sbin/hark-batch \] && /usr/sbin/hark-batch ' \
    /etc/cron.d/hark
ck "logrotate's file" test -f /etc/logrotate.d/hark
# (The package does not need logrotate; its file is checked where it is.
# logrotate -d exits 0 whatever it finds: its messages say.)
if command -v logrotate >/dev/null; then
	out=$(logrotate -d /etc/logrotate.d/hark 2>&1)
	err=$(grep -m 1 '^error' <<<"$out")
	ck "logrotate takes its one entry${err:+ ($err)}" eval \
	    "test -z \"\$err\" && grep -q '^Handling 1 logs' <<<\"\$out\""
fi
for u in hark-fcgi.service hark-fcgi.socket hark-batch.service \
    hark-batch.timer; do
	ck "systemd unit $u" test -f "/lib/systemd/system/$u"
done
ck "no unit is enabled: hark-fcgi needs its database first" eval "! ls \
    /etc/systemd/system/*.wants/hark-* >/dev/null 2>&1"
ck "nor recorded to be enabled later" eval "! ls \
    /var/lib/systemd/deb-systemd-helper-enabled/*.wants/hark-* \
    >/dev/null 2>&1"
for f in nginx.conf apache-proxy-fcgi.conf apache-fcgid.conf lighttpd.conf; do
	ck "example $f" test -f "/usr/share/doc/hark/examples/$f"
done
ck "the examples name the installed paths" grep -q \
    'unix:/run/hark/hark.sock' /usr/share/doc/hark/examples/nginx.conf
ck "the schema is installed" test -f /usr/share/hark/schema/001_init.sql
doc_load
ck "doc/INSTALL is installed" test -n "$INSTALL_TXT"

# Before the database: hark-batch as cron runs it (the line's command, its
# environment) fails quietly into hark's log, so cron mails nothing.
CRON_CMD=$(sed -n 's/^\* \* \* \* \*[[:space:]]*hark[[:space:]]*//p' \
    /etc/cron.d/hark)
cron_run() {
	(cd /var/lib/hark && setpriv --reuid=hark --regid=hark --init-groups \
	    env -i SHELL=/bin/sh PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    HARK_CONFIG=/etc/hark/hark.conf /bin/sh -c "$CRON_CMD")
}
out=$(cron_run 2>&1)
ck "before the database, cron's hark-batch prints nothing (${out:0:60})" \
    test -z "$out"
ck "and logs why to /var/log/hark/hark.log" grep -q 'database unavailable' \
    /var/log/hark/hark.log

# ---------------------------------------------------------------- doc/INSTALL
# The MariaDB server of the clean system: mariadb-server's own layout and
# socket, started by hand (no systemd here).
mkdir -p /var/lib/pkgtest-db /run/mysqld
chown mysql:mysql /var/lib/pkgtest-db /run/mysqld
ck "MariaDB's data directory" mariadb-install-db --no-defaults \
    --user=mysql --datadir=/var/lib/pkgtest-db --skip-test-db \
    --auth-root-authentication-method=socket
mariadbd --no-defaults --user=mysql --datadir=/var/lib/pkgtest-db \
    --socket=/run/mysqld/mysqld.sock --skip-networking \
    --log-error=/tmp/pkgtest-mariadb.err >>"$LOG" 2>&1 &
PIDS+=("$!")
for i in $(seq 1 60); do
	sql "SELECT 1" >/dev/null 2>&1 && break
	sleep 0.5
done
ck "MariaDB answers on the default socket" sql "SELECT 1"

# Section 3.
doc "3: the service's password file" \
    "install -m 0640 -o root -g hark /dev/null /etc/hark/db.password"
doc "3: its password" "head -c 18 /dev/urandom | base64 >/etc/hark/db.password"
doc "3: the migration account's password file" \
    "install -m 0600 -o root -g root /dev/null /etc/hark/admin.password"
doc "3: its password" \
    "head -c 18 /dev/urandom | base64 >/etc/hark/admin.password"
doc_block "3: the database and its two accounts" "mariadb <<EOF" "EOF"
PW=$(cat /etc/hark/db.password)
ck "the service account cannot change the schema" sh -c \
    "! mariadb --no-defaults -S /run/mysqld/mysqld.sock -uhark -p'$PW' hark \
    -e 'CREATE TABLE nope (i INT)'"

# Section 4.
doc "4: the service's password file in hark.conf" \
    "sed -i 's|^#password =\$|password_file = /etc/hark/db.password|' /etc/hark/hark.conf"
doc "4: admin.conf, root's only" \
    "install -m 0600 -o root -g root /dev/null /etc/hark/admin.conf"
doc "4: admin.conf names the migration account" \
    "sed 's|^password_file = /etc/hark/db.password\$|user = hark_admin\\npassword_file = /etc/hark/admin.password|' /etc/hark/hark.conf >/etc/hark/admin.conf"
doc "4: harkctl migrate as the migration account" \
    "HARK_CONFIG=/etc/hark/admin.conf harkctl migrate"
doc "4: hark-fcgi --check-config" "hark-fcgi --check-config"
doc "4: the widget-token secret, as hark" \
    "runuser -u hark -- harkctl secret init"
ck "token.secret is hark's, 0600" test \
    "$(owner_mode /var/lib/hark/token.secret)" = "hark:hark 600"
PRJ=$(harkctl project create "My app" 2>>"$LOG")
ck "4: harkctl project create" test -n "$PRJ"
SK=$(harkctl key create "$PRJ" 2>>"$LOG")
ck "4: harkctl key create" test -n "$SK"
for f in db.password admin.password admin.conf; do
	ck "/etc/hark/$f is not world-readable" test \
	    "$(( 0$(stat -c %a /etc/hark/$f) & 7 ))" = 0
done

# Section 5: "systemctl enable --now hark-fcgi.socket".  systemctl enables
# here (the links), but nothing starts without systemd as init, so the
# socket is served as systemd would: systemd-socket-activate holds the
# unit's ListenStream, given its SocketUser, SocketGroup and SocketMode,
# and on the first connection starts the service's ExecStart (which
# serves the socket passed, not --listen) as its User, Group and
# SupplementaryGroups, with its Environment, in its RuntimeDirectory.
doc "5: systemctl enable hark-fcgi.socket" \
    "systemctl enable --now hark-fcgi.socket" \
    "systemctl enable hark-fcgi.socket"
ck "hark-fcgi.socket is enabled" test \
    "$(systemctl is-enabled hark-fcgi.socket 2>/dev/null)" = enabled
U=/lib/systemd/system/hark-fcgi.service
S=/lib/systemd/system/hark-fcgi.socket
unit() { sed -n "s/^$1=//p" "${2:-$U}" | head -n 1; }
install -d -o "$(unit User)" -g "$(unit Group)" \
    -m "$(unit RuntimeDirectoryMode)" "/run/$(unit RuntimeDirectory)"
(cd / && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin $(unit Environment) \
    setpriv --reuid="$(unit User)" --regid="$(unit Group)" \
    --groups="$(unit SupplementaryGroups)" $(unit ExecStartPre)) >>"$LOG" 2>&1
ck "the unit's ExecStartPre passes" test $? = 0
SOCK=$(unit ListenStream "$S")
# (systemd-socket-activate passes on no environment but -E's.)
(cd / && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    systemd-socket-activate -E "$(unit Environment)" -l "$SOCK" \
    setpriv --reuid="$(unit User)" --regid="$(unit Group)" \
    --groups="$(unit SupplementaryGroups)" $(unit ExecStart)) >>"$LOG" 2>&1 &
PIDS+=("$!")
FCGI_PID=$!
for i in $(seq 1 40); do test -S "$SOCK" && break; sleep 0.25; done
chown "$(unit SocketUser "$S"):$(unit SocketGroup "$S")" "$SOCK"
chmod "$(unit SocketMode "$S")" "$SOCK"
ck "the socket is there, hark:www-data 0660, as hark-fcgi.socket says" test \
    "$(owner_mode "$SOCK")" = "hark:www-data 660"
ck "the socket the web server examples name" grep -q "unix:$SOCK" \
    /usr/share/doc/hark/examples/nginx.conf

# Section 7: hark-batch as cron runs it, now with its database.
cron_run >>"$LOG" 2>&1
ck "7: cron's hark-batch runs as hark" test $? = 0

# Section 5, nginx: Debian's own nginx.conf and sites-enabled; the site
# listens on the test's port instead of 80.
doc "5: nginx site" \
    "cp /usr/share/doc/hark/examples/nginx.conf /etc/nginx/sites-available/hark"
doc "5: enabled" \
    "ln -s /etc/nginx/sites-available/hark /etc/nginx/sites-enabled/hark"
doc "5: nginx's default site off" "rm /etc/nginx/sites-enabled/default"
doc "5: nginx's hark log, 0640" \
    "install -m 0640 -o www-data -g adm /dev/null /var/log/nginx/hark-access.log"
sed -i -e "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$PORT;|" \
    -e '/^[[:space:]]*listen \[::\]:80;/d' /etc/nginx/sites-available/hark
doc "5: nginx -t, then nginx started" "nginx -t && systemctl reload nginx" \
    "nginx -t && { nginx -g 'daemon off;' </dev/null >>$LOG 2>&1 &
    echo \$! >/tmp/pkgtest-nginx.pid; }"
PIDS+=("$(cat /tmp/pkgtest-nginx.pid)")
served_by nginx "http://127.0.0.1:$PORT"
ck "the first connection started hark-fcgi on the socket, as hark" test \
    "$(ps -o user=,comm= -p "$FCGI_PID" | tr -s ' ')" = "hark hark-fcgi"
kill "$(cat /tmp/pkgtest-nginx.pid)" 2>/dev/null
for i in $(seq 1 20); do
	kill -0 "$(cat /tmp/pkgtest-nginx.pid)" 2>/dev/null || break
	sleep 0.25
done

# Section 5, Apache with mod_proxy_fcgi: Debian's apache2.conf, ports.conf,
# a2enmod and a2ensite; Listen and the virtual host on the test's port.
# "systemctl reload apache2" is what apache2.service starts with.
doc "5: a2enmod proxy_fcgi headers" "a2enmod proxy_fcgi headers"
doc "5: Apache site" \
    "cp /usr/share/doc/hark/examples/apache-proxy-fcgi.conf /etc/apache2/sites-available/hark.conf"
doc "5: Apache's default site off" "a2dissite 000-default"
doc "5: a2ensite hark" "a2ensite hark"
doc "5: Apache's hark log, 0640" \
    "install -m 0640 -o root -g adm /dev/null /var/log/apache2/hark-access.log"
sed -i -e "s|^Listen 80$|Listen 127.0.0.1:$PORT2|" \
    -e '/^[[:space:]]*Listen 443$/d' /etc/apache2/ports.conf
sed -i -e "s|^<VirtualHost \*:80>|<VirtualHost *:$PORT2>|" \
    /etc/apache2/sites-available/hark.conf
doc "5: apache2ctl configtest, then Apache started" \
    "apache2ctl configtest && systemctl reload apache2" \
    "apache2ctl configtest && APACHE_STARTED_BY_SYSTEMD=true apache2ctl start"
APACHE_UP=1
served_by Apache "http://127.0.0.1:$PORT2"
ck "Apache's access log has the request, without its query" grep -q \
    '"POST /v1/feedback HTTP/1.1" 201' /var/log/apache2/hark-access.log

# Section 7, the timer instead of cron; a run of hark-batch.service as the
# timer starts it (its ExecStart as its User and Group, its Environment).
doc "7: the cron entry removed, for the timer" "rm /etc/cron.d/hark"
doc "7: systemctl enable hark-batch.timer" \
    "systemctl enable --now hark-batch.timer" \
    "systemctl enable hark-batch.timer"
ck "hark-batch.timer is enabled" test \
    "$(systemctl is-enabled hark-batch.timer 2>/dev/null)" = enabled
B=/lib/systemd/system/hark-batch.service
(cd / && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    $(unit Environment "$B") setpriv --reuid="$(unit User "$B")" \
    --regid="$(unit Group "$B")" --init-groups $(unit ExecStart "$B")) \
    >>"$LOG" 2>&1
ck "hark-batch.service runs as the timer starts it" test $? = 0
runuser -u hark -- harkctl doctor --url "http://127.0.0.1:$PORT2" \
    >/tmp/pkgtest-doctor.out 2>&1
cat /tmp/pkgtest-doctor.out >>"$LOG"
ck "harkctl doctor finds the timer, all ok" eval "grep -q \
    '^ok   batch .*(hark-batch.timer)' /tmp/pkgtest-doctor.out &&
    grep -qx '0 failed, 0 warnings' /tmp/pkgtest-doctor.out"

# An upgrade (the same version again: dpkg's upgrade path) keeps what the
# operator did: the edited hark.conf, the removed cron entry, the enabled
# units, the owners; no first-install note.
dpkg -i "$DEB" >/tmp/pkgtest-upgrade.out 2>&1
ck "an upgrade installs" test $? = 0
cat /tmp/pkgtest-upgrade.out >>"$LOG"
ck "with no first-install note" eval "! grep -q 'installed, not started' \
    /tmp/pkgtest-upgrade.out"
ck "the operator's hark.conf is kept" grep -qx \
    'password_file = /etc/hark/db.password' /etc/hark/hark.conf
ck "the removed cron entry stays removed (section 7)" test ! -e \
    /etc/cron.d/hark
ck "the enabled units stay enabled" test "$(systemctl is-enabled \
    hark-fcgi.socket hark-batch.timer 2>/dev/null | sort -u)" = enabled
ck "the owners stay" test "$(owner_mode /var/lib/hark) $(owner_mode \
    /etc/hark/hark.conf)" = "hark:hark 750 root:hark 640"
ck "and it still serves" test "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PORT2/v1/health")" = 200

stop_apache
ck "hark's log has the requests, as hark's" test \
    "$(stat -c %U /var/log/hark/hark.log)" = hark
cleanup
PIDS=()

# ---------------------------------------------------------------- remove, purge
ck "dpkg -r removes the package" dpkg -r hark
ck "the programs are gone" test ! -e /usr/sbin/hark-fcgi
ck "the configuration stays" test -f /etc/hark/hark.conf
ck "and the data" test -d /var/lib/hark/media
out=$(cron_run 2>&1)
ck "the cron line left behind runs nothing and says nothing (${out:0:60})" \
    test -z "$out"
ck "dpkg -P purges it" dpkg -P hark
ck "the configuration is gone" test ! -e /etc/hark/hark.conf
ck "the data is gone" test ! -e /var/lib/hark
ck "the logs are gone" test ! -e /var/log/hark
ck "/etc/hark is gone, with the password files doc/INSTALL made" \
    test ! -e /etc/hark
ck "no link to a hark unit is left (the socket, the timer)" eval "! ls \
    /etc/systemd/system/*.wants/hark-* >/dev/null 2>&1"
exit 0
