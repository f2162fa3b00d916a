#!/bin/bash
# package-inner.sh: what test_package.sh runs inside its fresh root (a copy
# of this system in a mount namespace, chroot'ed): the .deb installed as
# dpkg -i would on a new machine, set up by doc/INSTALL's steps, serving a
# submission behind nginx, then removed and purged.
#
#	DEB=/path/hark_*.deb PORT=N bash package-inner.sh
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
cleanup() {
	local i
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

# ---------------------------------------------------------------- install
if dpkg -s hark >/dev/null 2>&1; then
	no "the fresh root has no hark installed"
	exit 0
fi
ck "dpkg -i installs the package on a root without hark" dpkg -i "$DEB"
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
ck "the cron entry runs hark-batch as hark" grep -qE \
    '^\* \* \* \* \*[[:space:]]+hark[[:space:]]+/usr/sbin/hark-batch' \
    /etc/cron.d/hark
ck "logrotate's file" test -f /etc/logrotate.d/hark
for u in hark-fcgi.service hark-fcgi.socket hark-batch.service \
    hark-batch.timer; do
	ck "systemd unit $u" test -f "/lib/systemd/system/$u"
done
ck "hark-fcgi.service is not enabled before its database is set up" \
    test ! -e /etc/systemd/system/multi-user.target.wants/hark-fcgi.service
ck "nor the batch timer (cron runs hark-batch)" test ! -e \
    /etc/systemd/system/timers.target.wants/hark-batch.timer
for f in nginx.conf apache-proxy-fcgi.conf apache-fcgid.conf lighttpd.conf; do
	ck "example $f" test -f "/usr/share/doc/hark/examples/$f"
done
ck "the examples name the installed paths" grep -q \
    'unix:/run/hark/hark.sock' /usr/share/doc/hark/examples/nginx.conf
ck "the schema is installed" test -f /usr/share/hark/schema/001_init.sql

# ---------------------------------------------------------------- doc/INSTALL
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
PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
APW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
ck "the database and its two accounts (doc/INSTALL section 3)" sql "
    CREATE DATABASE hark CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER 'hark_admin'@'localhost' IDENTIFIED BY '$APW';
    GRANT ALL PRIVILEGES ON hark.* TO 'hark_admin'@'localhost';
    CREATE USER 'hark'@'localhost' IDENTIFIED BY '$PW';
    GRANT SELECT, INSERT, UPDATE, DELETE ON hark.* TO 'hark'@'localhost';"
printf '%s\n' "$PW" >/etc/hark/db.password
chown root:hark /etc/hark/db.password
chmod 0640 /etc/hark/db.password
printf '%s\n' "$APW" >/etc/hark/admin.password
chmod 0600 /etc/hark/admin.password
# Section 4's keys: the shipped file has name = hark; the rest are added.
sed -i -e 's|^name = hark$|name = hark\nuser = hark\npassword_file = /etc/hark/db.password|' \
    -e 's|^#file =$|file = /var/log/hark/hark.log|' /etc/hark/hark.conf
sed -e 's|^user = hark$|user = hark_admin|' \
    -e 's|^password_file = /etc/hark/db.password$|password_file = /etc/hark/admin.password|' \
    /etc/hark/hark.conf >/etc/hark/admin.conf
chmod 0600 /etc/hark/admin.conf
ck "harkctl migrate as the migration account" \
    harkctl -c /etc/hark/admin.conf migrate
ck "the service account cannot change the schema" sh -c \
    "! mariadb --no-defaults -S /run/mysqld/mysqld.sock -uhark -p'$PW' hark \
    -e 'CREATE TABLE nope (i INT)'"
ck "the configuration passes hark-fcgi --check-config" \
    /usr/sbin/hark-fcgi -c /etc/hark/hark.conf --check-config
PRJ=$(harkctl project create "Package test" 2>>"$LOG")
ck "harkctl project create" test -n "$PRJ"
SK=$(harkctl key create "$PRJ" 2>>"$LOG")
ck "harkctl key create" test -n "$SK"

# hark-fcgi as the unit runs it: user hark, group www-data.
install -d -o hark -g www-data -m 0750 /run/hark
HARK_CONFIG=/etc/hark/hark.conf setpriv --reuid=hark --regid=www-data \
    --groups=hark /usr/sbin/hark-fcgi --listen unix:/run/hark/hark.sock \
    >>"$LOG" 2>&1 &
PIDS+=("$!")
for i in $(seq 1 40); do test -S /run/hark/hark.sock && break; sleep 0.5; done
ck "hark-fcgi serves /run/hark/hark.sock as hark" test -S /run/hark/hark.sock

# nginx with the shipped example, on a test port.
mkdir -p /tmp/pkgtest-nginx /var/log/nginx
cp /etc/nginx/fastcgi_params /tmp/pkgtest-nginx/
sed -e "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$PORT;|" \
    -e '/^[[:space:]]*listen \[::\]:80;/d' \
    /usr/share/doc/hark/examples/nginx.conf >/tmp/pkgtest-nginx/hark-site.conf
install -m 0640 -o www-data -g adm /dev/null /var/log/nginx/hark-access.log
cat >/tmp/pkgtest-nginx/nginx.conf <<EOF
user www-data;
worker_processes 1;
pid /tmp/pkgtest-nginx/nginx.pid;
error_log /tmp/pkgtest-nginx/error.log;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	include /tmp/pkgtest-nginx/hark-site.conf;
}
EOF
nginx -c /tmp/pkgtest-nginx/nginx.conf -g 'daemon off;' >>"$LOG" 2>&1 &
PIDS+=("$!")
URL="http://127.0.0.1:$PORT"
for i in $(seq 1 40); do
	curl -s -o /dev/null "$URL/v1/health" && break
	sleep 0.5
done
ck "GET /v1/health through nginx: 200" test "$(curl -s -o /dev/null \
    -w '%{http_code}' "$URL/v1/health")" = 200
code=$(curl -s -o /tmp/pkgtest.body -w '%{http_code}' -X POST \
    "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
    -H 'Content-Type: application/json' -d "{\"projectId\": \"$PRJ\",
    \"text\": \"The export button does nothing on Safari\",
    \"page\": \"/reports\", \"userEmail\": \"sam@example.com\"}")
ck "the Fluister example through nginx: 201 ($code)" test "$code" = 201
ck "its row is in MariaDB" test "$(sql "SELECT COUNT(*) FROM hark.feedback
    WHERE project_id = '$PRJ'")" = 1
ck "hark-batch runs as hark" setpriv --reuid=hark --regid=hark --init-groups \
    env HARK_CONFIG=/etc/hark/hark.conf /usr/sbin/hark-batch --once
harkctl doctor --url "$URL" >/tmp/pkgtest-doctor.out 2>&1
rc=$?
cat /tmp/pkgtest-doctor.out >>"$LOG"
if [ "$rc" = 0 ] && grep -qx '0 failed, 0 warnings' /tmp/pkgtest-doctor.out
then
	ok "harkctl doctor is all ok"
else
	no "harkctl doctor is all ok" "$(grep -vE '^ok' /tmp/pkgtest-doctor.out |
	    tr '\n' '|')"
fi
cleanup
PIDS=()

# ---------------------------------------------------------------- remove, purge
ck "dpkg -r removes the package" dpkg -r hark
ck "the programs are gone" test ! -e /usr/sbin/hark-fcgi
ck "the configuration stays" test -f /etc/hark/hark.conf
ck "and the data" test -d /var/lib/hark/media
ck "dpkg -P purges it" dpkg -P hark
ck "the configuration is gone" test ! -e /etc/hark/hark.conf
ck "the data is gone" test ! -e /var/lib/hark
ck "the logs are gone" test ! -e /var/log/hark
exit 0
