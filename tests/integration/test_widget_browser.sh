#!/bin/bash
# test_widget_browser.sh: the browser widget (widget/) in headless Chromium against the real stack.
#
#	tests/integration/test_widget_browser.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx (conf/nginx.conf, whose /widget/ location
# serves widget/ as static files) on a real MariaDB, a widget-token secret
# (harkctl secret init) and widget sources (harkctl source create) allowing
# the test pages' origin.  tests/widget/widget.test.mjs serves host pages
# on another origin (a shop with a login form and its own script, one of
# them under a strict Content-Security-Policy with the widget self-hosted),
# drives Debian's chromium with playwright-core and checks, through the
# widget as a user works it: text (the row in MariaDB), voice from
# Chromium's fake microphone (an audio file of a libmagic-accepted type),
# a screenshot file with a black box drawn on it (black in the stored PNG),
# the captured console and network context (and no password or
# data-hark-mask value anywhere), the keyboard-only flow with its focus
# trap, no CSP violation, axe-core at WCAG 2.2 AA light, dark and 320 px
# wide, the nl locale, a 429 in plain words with the text kept, and a
# network cut during submit (delivered exactly once when it is back, and
# from the queue on the next page load).  Screenshots of the open dialog
# (light, dark, 320 px) are kept in BUILD_DIR/test-logs/widget-browser/.
#
# playwright-core and axe-core come from npm, the exact versions of
# tests/widget/package-lock.json (npm ci when node_modules does not hold
# them); they drive Debian's chromium and never download a browser.  Where
# chromium or node is not there (test.sh installs both), the suite says so
# and is skipped.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2
WIDGET_TESTS=$HARK_SRCDIR/tests/widget
CHROMIUM=${HARK_CHROMIUM:-/usr/bin/chromium}

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }

# skip WHY: no browser here; a clear message and no failure.
skip() {
	say "SKIP - the browser widget tests: $1"
	t_summary
	exit 0
}

# node_modules holds the locked versions (npm ci from the registry on a
# first run, npm's cache after).
tools_ready() {
	local p want got
	for p in playwright-core axe-core; do
		want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/" + process.argv[2]].version)' \
		    "$WIDGET_TESTS/package-lock.json" "$p") || return 1
		got=$(node -e 'console.log(require(process.argv[1]).version)' \
		    "$WIDGET_TESTS/node_modules/$p/package.json" 2>/dev/null)
		[ "$got" = "$want" ] || {
			(cd "$WIDGET_TESTS" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci \
			    --no-audit --no-fund --ignore-scripts) >>"$T/npm-ci.log" 2>&1
			return
		}
	done
}

# The servers' starters take conf/ through conf_subst; the widget's
# location names the installed /usr/share/hark/widget, here a copy of
# widget/ the workers can read.  Apache gets the modules a Debian one has
# for it (mod_mime is on by default, mod_headers by a2enmod headers, as the
# examples say); lib.sh's minimal top level loads neither.
eval "lib_conf_subst() $(declare -f conf_subst | tail -n +2)"
conf_subst() {
	lib_conf_subst "$@" || return 1
	sed -i "s|/usr/share/hark/widget|$T/www/widget|g" "$2"
	case $1 in
	*/apache-*.conf)
		sed -i '1i LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so\
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\
TypesConfig /dev/null' "$2"
		;;
	esac
}

setup() {
	t_ctx setup
	mkdir -p "$T/wb" "$T/www"
	cp -r "$HARK_SRCDIR/widget" "$T/www/widget"
	chmod -R a+rX "$T/www"
	CONF="$T/wb/hark.conf"
	MEDIA=$T/media
	SV_PORT=$(pick_port) || exit 2
	printf 'captcha-secret-0123456789\n' >"$T/wb/captcha.secret"
	write_hark_conf "$CONF" log.file="$T/wb/hark.log" \
	    server.workers="$WORKERS" server.max_body=50M \
	    limits.rate_limit=100000 server.media_dir="$MEDIA" \
	    widget.captcha_verify_url="http://127.0.0.1:$SV_PORT/siteverify" || exit 2
	ctl secret init >/dev/null || { fail "harkctl secret init"; exit 2; }
	PRJ=$(ctl project create "Widget browser") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	PAGE_PORT=$(pick_port) || exit 2
	PAGE_ORIGIN="http://127.0.0.1:$PAGE_PORT"
	PK=$(ctl source create "$PRJ" --name "Shop" --origin "$PAGE_ORIGIN" \
	    --no-captcha) || exit 2
	PK_LIM=$(ctl source create "$PRJ" --name "Limited" --origin "$PAGE_ORIGIN" \
	    --no-captcha --rate-limit 1) || exit 2
	PK_CAP=$(ctl source create "$PRJ" --name "With captcha" --origin "$PAGE_ORIGIN" \
	    --captcha hcaptcha --captcha-sitekey site-key-1 \
	    --captcha-secret-file "$T/wb/captcha.secret") || exit 2
	# hCaptcha's siteverify, here (siteverify.py: "good-token" passes).
	t_spawn siteverify /usr/bin/python3 "$HARK_SRCDIR/tests/integration/siteverify.py" \
	    "$SV_PORT" captcha-secret-0123456789 "$T/wb/siteverify.log"
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start wb-nginx "$PORT" "$T/wb/hark.sock" || exit 2
	hark_standalone wb "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

# static_files BASE_URL: what a server's example serves at /widget/: the
# files, typed, nosniff, and CORS-free (a page loads them with plain
# script and link tags), never hark's JSON.  These answers are the web
# server's, not hark's: they stay out of test.sh's openapi check.
static_files() {
	local f
	for f in hark.js:text/javascript hark-dialog.js:text/javascript \
	    hark.css:text/css hark-dialog.css:text/css; do
		HARK_RESPONSE_LOG= req GET "$1/widget/${f%%:*}"
		check_status "GET /widget/${f%%:*}: 200" 200
		check "typed ${f#*:}" test "$(hdr Content-Type)" = "${f#*:}"
		check "with nosniff" test "$(hdr X-Content-Type-Options)" = nosniff
		check "byte-exact" test "$R_BODY" = "$(cat "$HARK_SRCDIR/widget/${f%%:*}")"
	done
	HARK_RESPONSE_LOG= req GET "$1/widget/nothing-here.js"
	check_status "a missing file: 404" 404
	check "not from hark" eval "! is_hark_error"
}

# The conf/ examples of nginx (the suite's stack), lighttpd and Apache
# (mod_proxy_fcgi and mod_fcgid) each serve widget/.
test_static() {
	local p
	t_ctx "static nginx"
	static_files "$URL"
	req GET "$URL/v1/health"
	check_status "hark still answers beside it" 200
	t_ctx "static lighttpd"
	p=$(pick_port) || return
	if lighttpd_start wb-lighttpd "$p" "$CONF"; then
		static_files "http://127.0.0.1:$p"
		wait_until 30 health_is "http://127.0.0.1:$p" 200
		check "hark still answers beside it" health_is "http://127.0.0.1:$p" 200
	else
		fail "lighttpd starts with conf/lighttpd.conf"
	fi
	t_ctx "static apache proxy-fcgi"
	p=$(pick_port) || return
	if apache_start wb-apache "$p" proxy-fcgi "$T/wb/hark.sock"; then
		static_files "http://127.0.0.1:$p"
		check "hark still answers beside it" health_is "http://127.0.0.1:$p" 200
	else
		fail "Apache starts with conf/apache-proxy-fcgi.conf"
	fi
	t_ctx "static apache fcgid"
	p=$(pick_port) || return
	if apache_start wb-fcgid "$p" fcgid "$CONF"; then
		static_files "http://127.0.0.1:$p"
	else
		fail "Apache starts with conf/apache-fcgid.conf"
	fi
}

test_browser() {
	local line out=$T/browser.out
	t_ctx browser
	ART=${HARK_WIDGET_ARTIFACTS:-$HARK_BUILD/test-logs/widget-browser}
	mkdir -p "$ART"
	(cd "$WIDGET_TESTS" && HARK_URL=$URL PAGE_PORT=$PAGE_PORT PK=$PK PK_LIM=$PK_LIM \
	    PK_CAP=$PK_CAP SITEVERIFY_LOG="$T/wb/siteverify.log" \
	    SK=$SK PRJ=$PRJ DB_SOCKET=$HARK_DB_SOCKET DB_NAME=$HARK_DB_NAME \
	    MEDIA=$MEDIA WIDGET_DIR="$T/www/widget" ARTIFACTS=$ART \
	    HARK_CHROMIUM=$CHROMIUM timeout 600 node widget.test.mjs) \
	    >"$out" 2>"$T/browser.err"
	while IFS= read -r line; do
		case $line in
		"ok   - "*) pass "${line#ok   - }" ;;
		"FAIL - "*) fail "${line#FAIL - }" ;;
		esac
	done <"$out"
	grep -qE '^(ok|FAIL)' "$out" ||
	    fail "widget.test.mjs ran" "$(tail -n 5 "$T/browser.err" | tr '\n' ' ')"
	say "   (screenshots of the open dialog in $ART)"
}

# The issue's budgets: the loader (what every page pays) at most 4 KB
# gzipped, the dialog's files at most 25 KB.
test_sizes() {
	local loader dialog gz
	t_ctx sizes
	gz() { cat "$@" | gzip -9 | wc -c; }
	loader=$(gz "$HARK_SRCDIR/widget/hark.js")
	dialog=$(gz "$HARK_SRCDIR/widget/hark-dialog.js")
	check "hark.js is $loader bytes gzipped: at most 4096" test "$loader" -le 4096
	check "hark-dialog.js + hark-dialog.css: $dialog + $(gz "$HARK_SRCDIR/widget/hark-dialog.css") bytes gzipped, at most 25600" \
	    test $((dialog + $(gz "$HARK_SRCDIR/widget/hark-dialog.css"))) -le 25600
	check "no inline style in the widget's code (strict style-src)" eval \
	    "! grep -nE '\\.style\\b|setAttribute\\(.style|cssText|insertRule|eval\\(|new Function' '$HARK_SRCDIR'/widget/*.js"
}

t_init "${1:-}" widget-browser
command -v node >/dev/null && command -v npm >/dev/null ||
    skip "node and npm are not installed (Debian: nodejs npm)"
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (Debian: chromium)"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1 ||
    skip "$CHROMIUM does not start"
if ! tools_ready; then
	fail "playwright-core and axe-core of package-lock.json (npm ci)" \
	    "$(tail -n 5 "$T/npm-ci.log" | tr '\n' ' ')"
	t_summary
	exit 1
fi
t_db
setup
test_sizes
test_static
test_browser
t_ctx
t_summary
