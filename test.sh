#!/bin/bash
# test.sh: everything hark's CI checks, from a fresh Debian 12 (as root).
#
#	./test.sh
#
# Installs what is missing, builds ./build (as run.sh does) and ./build-asan
# (clang, --enable-sanitizers), runs the unit tests of both (make check),
# lints doc/openapi.yaml (npm @redocly/cli, tests/openapi), runs the
# integration suites (tests/integration/test_*.sh: real MariaDB, lighttpd,
# nginx, Apache with mod_proxy_fcgi and mod_fcgid, curl; test_clients.sh
# sends voice submissions from curl, Python requests, Node and headless
# Chromium, tests/clients/ installed by npm ci; test_mcp.sh drives the npm
# MCP client, tests/mcp/ installed by npm ci) and checks every
# response they get against doc/openapi.yaml (tests/openapi/validate.js),
# runs the HTTP, CGI and faults suites once more on the sanitized hark-fcgi
# (any ASan/UBSan report fails), and make distcheck.  Each step's log is kept
# under build/test-logs/.  The last line is "N passed, N failed", summed
# over all of it; the exit status is non-zero when anything failed.
#
# Environment: HARK_BUILD_DIR (./build), HARK_ASAN_BUILD_DIR (./build-asan),
# HARK_ASAN_CC (clang), HARK_TEST_PORT_BASE (18080; run.sh uses 8080),
# HARK_SKIP_DISTCHECK=1 and HARK_SKIP_FUZZ=1 leave those steps out while
# iterating; HARK_FUZZ_SECONDS is the fuzzing time per harness (10).  One
# suite alone: tests/integration/test_http.sh build (see
# tests/integration/lib.sh).
set -u -o pipefail
cd "$(dirname "$0")" || exit 2
ROOT=$(pwd)
. tests/integration/lib.sh

BUILD=${HARK_BUILD_DIR:-$ROOT/build}
ASAN_BUILD=${HARK_ASAN_BUILD_DIR:-$ROOT/build-asan}
ASAN_CC=${HARK_ASAN_CC:-clang}
export HARK_TEST_PORT_BASE=${HARK_TEST_PORT_BASE:-18080}
START=$SECONDS
PASSED=0
FAILED=0
REPORT=()

# tally STEP PASSED FAILED: adds a step's counts to the totals.
tally() {
	PASSED=$((PASSED + $2))
	FAILED=$((FAILED + $3))
	REPORT+=("$(printf '%-42s %5d passed %4d failed' "$1" "$2" "$3")")
	printf '   %s: %d passed, %d failed\n' "$1" "$2" "$3"
}

TMPD=
cleanup() {
	trap - EXIT
	if [ -n "$TMPD" ]; then
		mariadb_stop "$TMPD/db"
		rm -rf "$TMPD"
		TMPD=
	fi
}

one() { if [ "$2" = ok ]; then tally "$1" 1 0; else tally "$1" 0 1; fi; }

finish() {
	local line
	cleanup
	echo
	echo "== summary ($((SECONDS - START)) s; logs in $LOGS)"
	for line in "${REPORT[@]}"; do echo "   $line"; done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

# unit_tests DIR LABEL: make check in DIR; counts from Check's summary lines.
unit_tests() {
	local dir=$1 label=$2 log=$LOGS/$2-make-check.log f line n fl er p=0 x=0 rc
	rm -f "$dir"/tests/unit/*.log "$dir"/tests/unit/*.trs "$dir/test-suite.log"
	echo "== make check ($label)"
	timeout 900 make -C "$dir" -j"$(nproc)" check >"$log" 2>&1
	rc=$?
	for f in "$dir"/tests/unit/*.log; do
		[ -e "$f" ] || continue
		line=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$f" | tail -n 1)
		if [ -n "$line" ]; then
			read -r n fl er < <(echo "$line" | tr -cs '0-9' ' ')
			p=$((p + n - fl - er))
			x=$((x + fl + er))
			[ $((fl + er)) -gt 0 ] && grep -E ':[EF]:' "$f" | head -n 20 | sed "s|^|   $label: |"
		elif grep -q '^:test-result: PASS' "${f%.log}.trs" 2>/dev/null; then
			p=$((p + 1))
		else
			x=$((x + 1))
			echo "   $label: $(basename "${f%.log}") failed without a Check summary:"
			tail -n 15 "$f" | sed 's/^/      /'
		fi
	done
	if [ "$rc" -ne 0 ] && [ "$x" -eq 0 ]; then
		# It failed before any test could: a build error.
		x=1
		echo "   $label: make check failed before running the tests:"
		grep -E 'error|Error' "$log" | head -n 20 | sed 's/^/      /'
	fi
	tally "unit tests ($label)" "$p" "$x"
}

# suite NAME SCRIPT BUILD [ENV=VALUE...]: one integration suite; its last
# line is "N passed, N failed".
suite() {
	local name=$1 script=$2 build=$3 log=$LOGS/$1.log last p x
	shift 3
	echo "== $name"
	env "$@" timeout 900 "$script" "$build" >"$log" 2>&1
	grep -E '^FAIL' "$log" | head -n 40 | sed 's/^/   /'
	last=$(tail -n 1 "$log")
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]}
		x=${BASH_REMATCH[2]}
	else
		p=0
		x=1
		echo "   $name ended without its summary line; last lines:"
		tail -n 15 "$log" | sed 's/^/      /'
	fi
	tally "$name" "$p" "$x"
}

# ---------------------------------------------------------------- setup

hark_install_packages || { echo "0 passed, 1 failed"; exit 1; }

mkdir -p "$BUILD"
LOGS="$BUILD/test-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"

# --with-pocketsphinx: test_transcribe must run, not skip (HARK_PACKAGES).
if hark_build "$ROOT" "$BUILD" --with-pocketsphinx; then
	one "build" ok
else
	one "build" fail
	finish
fi
ASAN_OK=ok
if ! hark_build "$ROOT" "$ASAN_BUILD" --with-pocketsphinx --enable-sanitizers CC="$ASAN_CC"; then
	ASAN_OK=fail
fi
one "build (sanitizers, $ASAN_CC)" "$ASAN_OK"

# The layering rules (DESIGN.md; issue 12, item 4): lib/ without FastCGI,
# db.h only behind lib/store, MariaDB's API only in lib/db.c.
echo "== check-deps"
if "$ROOT/tests/check-deps.sh" "$ROOT" >"$LOGS/check-deps.log" 2>&1; then
	one "check-deps (layering rules)" ok
else
	grep -E '^(FAIL|    )' "$LOGS/check-deps.log" | head -n 40 | sed 's/^/   /'
	one "check-deps (layering rules)" fail
fi

# The man pages: groff's warnings (-ww) name a bad macro or escape that a
# reader would see as garbage; lintian (test_package) only checks some.
echo "== man pages"
if groff -mandoc -ww -z "$ROOT"/doc/*.[158] >"$LOGS/man.log" 2>&1 &&
    ! [ -s "$LOGS/man.log" ]; then
	one "man pages (groff -ww)" ok
else
	head -n 20 "$LOGS/man.log" | sed 's/^/   /'
	one "man pages (groff -ww)" fail
fi

# ---------------------------------------------------------------- unit tests

unit_tests "$BUILD" build
[ "$ASAN_OK" = ok ] && unit_tests "$ASAN_BUILD" asan

# ---------------------------------------------------------------- API reference

# doc/openapi.yaml is linted with @redocly/cli (tests/openapi/redocly.yaml:
# recommended-strict, so a warning fails too).  The tools are the exact
# versions of tests/openapi/package-lock.json, installed by npm ci (from the
# npm registry on a first run, from npm's cache after); only test.sh uses
# them, hark never does.
OPENAPI=$ROOT/tests/openapi
openapi_tools() {
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		echo "node and npm are needed (Node.js 20.19 or later)"
		return 1
	fi
	if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
	    process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
		echo "Node.js $(node --version) is older than 20.19, which @redocly/cli needs"
		return 1
	fi
	(cd "$OPENAPI" && npm ci --no-audit --no-fund)
}
# openapi_counts STEP LOG: tallies validate.js's "N passed, N failed".
openapi_counts() {
	local last
	grep -E '^FAIL' "$2" | head -n 40 | cut -c1-300 | sed 's/^/   /'
	last=$(tail -n 1 "$2")
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		tally "$1" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	else
		tail -n 10 "$2" | sed 's/^/   /'
		tally "$1" 0 1
	fi
}
echo "== openapi: npm ci in tests/openapi, redocly lint, validator self-test"
OPENAPI_OK=fail
if openapi_tools >"$LOGS/openapi-npm-ci.log" 2>&1; then
	OPENAPI_OK=ok
else
	tail -n 15 "$LOGS/openapi-npm-ci.log" | sed 's/^/   /'
fi
one "openapi: npm ci (tests/openapi)" "$OPENAPI_OK"
if [ "$OPENAPI_OK" = ok ]; then
	if REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	    "$OPENAPI/node_modules/.bin/redocly" lint --format=stylish \
	    --config "$OPENAPI/redocly.yaml" doc/openapi.yaml \
	    >"$LOGS/openapi-lint.log" 2>&1 &&
	    ! grep -qE '^ +[0-9]+:[0-9]+ +(error|warning) ' "$LOGS/openapi-lint.log"; then
		one "openapi: redocly lint, 0 errors/warnings" ok
	else
		grep -E '^ +[0-9]+:[0-9]+ ' "$LOGS/openapi-lint.log" | head -n 30 | sed 's/^/   /'
		one "openapi: redocly lint, 0 errors/warnings" fail
	fi
	# The validator must tell a described response from one that is not.
	node "$OPENAPI/validate.js" --selftest doc/openapi.yaml \
	    "$OPENAPI/selftest.jsonl" >"$LOGS/openapi-selftest.log" 2>&1
	openapi_counts "openapi: validate.js self-test" "$LOGS/openapi-selftest.log"
fi

# The official MCP client (@modelcontextprotocol/sdk) that test_mcp.sh
# drives: the exact versions of tests/mcp/package-lock.json, by npm ci (the
# registry on a first run, npm's cache after); test_mcp.sh never downloads.
echo "== mcp: npm ci in tests/mcp"
MCP_OK=fail
if command -v npm >/dev/null && (cd "$ROOT/tests/mcp" &&
    npm ci --no-audit --no-fund --ignore-scripts) >"$LOGS/mcp-npm-ci.log" 2>&1; then
	MCP_OK=ok
else
	tail -n 15 "$LOGS/mcp-npm-ci.log" 2>/dev/null | sed 's/^/   /'
fi
one "mcp: npm ci (tests/mcp)" "$MCP_OK"

# ---------------------------------------------------------------- integration

# One MariaDB for every suite (each makes its own database in it); the faults
# suite starts its own, as it stops and starts it.
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/hark-test.XXXXXX")
chmod 755 "$TMPD"
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
echo "== MariaDB for the suites"
if mariadb_init "$TMPD/db" && mariadb_start "$TMPD/db"; then
	export HARK_TEST_DB_SOCKET="$TMPD/db/run/mysqld.sock"
else
	one "MariaDB for the integration suites starts" fail
	finish
fi

# Every answer these runs get through req() is recorded (tests/openapi/
# record.pl), then checked against doc/openapi.yaml: one that the reference
# does not describe fails.
RESPONSES=$LOGS/responses.jsonl
rm -f "$RESPONSES"
for script in tests/integration/test_*.sh; do
	[ -x "$script" ] || continue
	name=$(basename "$script" .sh)
	suite "$name" "$script" "$BUILD" HARK_RESPONSE_LOG="$RESPONSES"
done
# What the reference describes and no suite above asks for (HEAD, OPTIONS,
# 401/403/429/503 on items and the list).
suite openapi_probe tests/openapi/probe.sh "$BUILD" \
    HARK_RESPONSE_LOG="$RESPONSES"
if [ "$OPENAPI_OK" = ok ]; then
	echo "== openapi: the suites' responses against doc/openapi.yaml"
	touch "$RESPONSES"
	node "$OPENAPI/validate.js" doc/openapi.yaml "$RESPONSES" \
	    >"$LOGS/openapi-responses.log" 2>&1
	openapi_counts "openapi: responses match openapi.yaml" \
	    "$LOGS/openapi-responses.log"
fi

# ---------------------------------------------------------------- sanitizers

if [ "$ASAN_OK" = ok ]; then
	SANLOG="$LOGS/sanitizers"
	rm -rf "$SANLOG"
	mkdir -p "$SANLOG"
	chmod 777 "$SANLOG"
	sanenv=(ASAN_OPTIONS="log_path=$SANLOG/asan:detect_leaks=1:abort_on_error=0"
	    UBSAN_OPTIONS="log_path=$SANLOG/ubsan:print_stacktrace=1:halt_on_error=1")
	# nginx: standalone master; lighttpd: spawned on fd 0.  (Apache's
	# children would need the sanitizer environment passed on by hand.)
	suite "test_http (asan: nginx, lighttpd)" tests/integration/test_http.sh \
	    "$ASAN_BUILD" HARK_SERVERS="nginx lighttpd" "${sanenv[@]}"
	suite "test_cgi (asan)" tests/integration/test_cgi.sh "$ASAN_BUILD" \
	    "${sanenv[@]}"
	suite "test_faults (asan)" tests/integration/test_faults.sh "$ASAN_BUILD" \
	    "${sanenv[@]}"
	suite "test_ops (asan)" tests/integration/test_ops.sh "$ASAN_BUILD" \
	    "${sanenv[@]}"
	suite "test_commitq (asan)" tests/integration/test_commitq.sh "$ASAN_BUILD" \
	    "${sanenv[@]}"
	suite "test_feedback (asan)" tests/integration/test_feedback.sh \
	    "$ASAN_BUILD" "${sanenv[@]}"
	suite "test_db (asan)" tests/integration/test_db.sh "$ASAN_BUILD" \
	    "${sanenv[@]}"
	suite "test_batch (asan)" tests/integration/test_batch.sh \
	    "$ASAN_BUILD" "${sanenv[@]}"
	suite "test_api (asan)" tests/integration/test_api.sh \
	    "$ASAN_BUILD" "${sanenv[@]}"
	suite "test_upload (asan)" tests/integration/test_upload.sh \
	    "$ASAN_BUILD" "${sanenv[@]}"
	suite "test_widget (asan)" tests/integration/test_widget.sh \
	    "$ASAN_BUILD" "${sanenv[@]}"
	suite "test_session (asan)" tests/integration/test_session.sh \
	    "$ASAN_BUILD" "${sanenv[@]}"
	suite "test_notify (asan)" tests/integration/test_notify.sh \
	    "$ASAN_BUILD" "${sanenv[@]}"
	# Real clients' multipart bodies (curl, requests, Node, Chromium)
	# through the sanitized parser and upload path.
	suite "test_clients (asan)" tests/integration/test_clients.sh \
	    "$ASAN_BUILD" "${sanenv[@]}"
	if ls "$SANLOG"/* >/dev/null 2>&1; then
		echo "   sanitizer reports:"
		for f in "$SANLOG"/*; do
			echo "   --- $f"
			head -n 30 "$f" | sed 's/^/      /'
		done
		one "no ASan/UBSan report (hark-fcgi, harkctl, db_check)" fail
	else
		one "no ASan/UBSan report (hark-fcgi, harkctl, db_check)" ok
	fi
fi

# ---------------------------------------------------------------- fuzzing

# A short run of every libFuzzer harness from its seed corpus: a smoke test
# that the parsers still survive what fuzzing found before (longer runs:
# tests/fuzz/run 600).
if [ -z "${HARK_SKIP_FUZZ:-}" ]; then
	echo "== fuzz harnesses (${HARK_FUZZ_SECONDS:-10} s each)"
	for h in tests/fuzz/fuzz_*.c; do
		name=$(basename "$h" .c)
		name=${name#fuzz_}
		if HARK_BUILD_DIR="$BUILD" HARK_FUZZ_DIR="$TMPD/fuzz" timeout 300 \
		    tests/fuzz/run "${HARK_FUZZ_SECONDS:-10}" "$name" \
		    >"$LOGS/fuzz-$name.log" 2>&1; then
			one "fuzz $name" ok
		else
			tail -n 20 "$LOGS/fuzz-$name.log" | sed 's/^/   /'
			one "fuzz $name" fail
		fi
	done
fi

# ---------------------------------------------------------------- distcheck

if [ -z "${HARK_SKIP_DISTCHECK:-}" ]; then
	echo "== make distcheck"
	if timeout 900 make -C "$BUILD" -j"$(nproc)" distcheck >"$LOGS/distcheck.log" 2>&1; then
		one "make distcheck" ok
	else
		tail -n 25 "$LOGS/distcheck.log" | sed 's/^/   /'
		one "make distcheck" fail
	fi
fi

finish
