#!/bin/bash
# test_clients.sh: the seed's voice submission, built by four real clients, stored byte-exact.
#
#	tests/integration/test_clients.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx (conf/nginx.conf) on a real MariaDB.  At
# test time tests/data/media/make-media.sh makes a real recording (espeak-ng
# speaking into ffmpeg: Opus in WebM) and a real PNG; then the earshot
# seed's multipart POST /v1/feedback (payload, audio, screenshot) is sent
# by each client as it builds the body itself:
#   curl       curl -F
#   python     Python requests (Debian's python3-requests, /usr/bin/python3)
#   node       Node's own fetch with FormData and Blob (tests/clients/send-node.mjs)
#   chromium   a page's FormData and fetch() in headless Chromium, driven by
#              playwright-core (tests/clients/send-chromium.mjs; from a page
#              on another origin, so with its Origin and a CORS preflight)
# each with the seed's headers (x-earshot-project + x-earshot-key) and both
# an sk_ key and a widget source's pk_ key.  Each answer is 202 with
# {sessionId, status} (and hark's id), the sessionId sent and "processing"; each
# submission has its audio and screenshot rows in media, and the files at
# media_dir/path are the bytes sent: the SHA-256 of the original, of the
# stored file and the row's sha256 are one, the row's bytes its size, and
# its mime the type hark derives from what libmagic detects (libmagic's
# video/webm for an audio-only WebM stored as audio/webm; image/png),
# whatever the client claimed (Python claims application/octet-stream for
# the audio and nothing for the screenshot; Chromium audio/webm;codecs=opus).
# Each session's state answers processing (polled by the page itself in
# Chromium, cross-origin), and identify fills the anonymous (Chromium's
# pk_) submission's identity once.
# A page that sends its FormData again with the same Idempotency-Key gets
# the first answer back (Idempotent-Replayed: true, readable by its script)
# and stores nothing more.  A page on an origin outside the source's
# allowlist gets nothing stored.
#
# playwright-core comes from npm, the exact version of
# tests/clients/package-lock.json (npm ci when node_modules does not hold
# it); it drives Debian's chromium and never downloads a browser.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2
CLIENTS_DIR=$HARK_SRCDIR/tests/clients
PY=/usr/bin/python3
LAST_SID=		# the session of the last submit
CHROMIUM_SID=		# Chromium's pk_ submission's (identity null)

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# uuid7: an RFC 9562 version 7 UUID (48 bits of Unix milliseconds, then
# random), what the seed's widget keeps in its session cookie.
uuid7() {
	local ms h r
	ms=$(date +%s%3N)
	h=$(printf '%012x' "$ms")
	r=$(rand_hex 10)
	printf '%s-%s-7%s-%x%s-%s\n' "${h:0:8}" "${h:8:4}" "${r:0:3}" \
	    $(((0x${r:3:1} & 3) | 8)) "${r:4:3}" "${r:7:12}"
}

# payload FILE SESSION CLIENT: the seed's payload, every context member
# filled as the widget captures it; the transcript empty (audio is sent).
payload() {
	local identity=null
	[ "$3" != chromium ] && identity='{"userId": "u_123", "email": "user@host.com", "name": "Pat User", "traits": {"plan": "pro"}}'
	cat >"$1" <<EOF
{
  "sessionId": "$2",
  "transcript": "",
  "context": {
    "dom": null,
    "console": [
      {"level": "error", "message": "TypeError: e.export is not a function", "stack": "at onClick (app.js:12:7)", "timestamp": "2026-12-03T12:00:01.250Z"}
    ],
    "network": [
      {"url": "https://app.example.com/api/export", "method": "POST", "status": 500, "durationMs": 231, "initiator": "fetch", "timestamp": "2026-12-03T12:00:01.000Z"}
    ],
    "device": {"userAgent": "Mozilla/5.0 ($3)", "platform": "Linux x86_64", "language": "en-GB", "viewport": {"width": 1280, "height": 800}, "devicePixelRatio": 2, "timezone": "Europe/London"},
    "page": {"url": "https://app.example.com/reports", "referrer": "", "title": "Reports", "customAttrs": {"client": "$3"}},
    "screenshotUrl": null,
    "annotationLayer": null,
    "capturedAt": "2026-12-03T12:00:02.000Z"
  },
  "identity": $identity,
  "audioDurationMs": $DURATION_MS
}
EOF
}

# playwright_core_ready: node_modules holds the locked playwright-core
# (npm ci from the npm registry on a first run, npm's cache after).
playwright_core_ready() {
	local want got
	want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/playwright-core"].version)' \
	    "$CLIENTS_DIR/package-lock.json") || return 1
	got=$(node -e 'console.log(require(process.argv[1]).version)' \
	    "$CLIENTS_DIR/node_modules/playwright-core/package.json" 2>/dev/null)
	[ "$got" = "$want" ] && return 0
	(cd "$CLIENTS_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci \
	    --no-audit --no-fund --ignore-scripts) >>"$T/npm-ci.log" 2>&1
}

setup_tools() {
	t_ctx tools
	check "node and npm are installed" eval "command -v node && command -v npm"
	check "node has fetch, FormData and Blob" node -e \
	    'process.exit(typeof fetch === "function" && typeof FormData === "function" && typeof Blob === "function" ? 0 : 1)'
	check "python3 has requests" "$PY" -c 'import requests'
	check "chromium is installed" test -x "${HARK_CHROMIUM:-/usr/bin/chromium}"
	if playwright_core_ready; then
		pass "playwright-core of package-lock.json (npm ci)"
	else
		fail "playwright-core of package-lock.json (npm ci)" "$(tail -n 5 "$T/npm-ci.log" | tr '\n' ' ')"
	fi
	IN=$T/in
	if "$HARK_SRCDIR/tests/data/media/make-media.sh" "$IN" >"$T/make-media.out" 2>&1; then
		pass "make-media.sh: espeak-ng + ffmpeg make voice.webm and shot.png"
	else
		fail "make-media.sh" "$(tail -n 5 "$T/make-media.out" | tr '\n' ' ')"
		t_summary
		exit 1
	fi
	AUDIO=$IN/voice.webm
	SHOT=$IN/shot.png
	AUDIO_MIME=$(file -b --mime-type "$AUDIO")
	SHOT_MIME=$(file -b --mime-type "$SHOT")
	# An audio-only WebM: libmagic has no audio/webm rule
	# (tests/data/media/README); hark stores it as audio/webm.
	check "libmagic calls the recording video/webm" test "$AUDIO_MIME" = video/webm
	check "and the screenshot image/png" test "$SHOT_MIME" = image/png
	check "the recording is Opus" eval "ffprobe -v error -show_entries \
	    stream=codec_name -of csv=p=0 '$AUDIO' | grep -qx opus"
	DURATION_MS=$(ffprobe -v error -show_entries format=duration -of csv=p=0 \
	    "$AUDIO" | awk '{ printf "%d", $1 * 1000 }')
	[ -n "$DURATION_MS" ] || DURATION_MS=3000
}

setup() {
	t_ctx setup
	mkdir -p "$T/cl"
	CONF="$T/cl/hark.conf"
	MEDIA=$T/media
	write_hark_conf "$CONF" log.file="$T/cl/hark.log" \
	    server.workers="$WORKERS" server.max_body=50M \
	    limits.rate_limit=100000 server.media_dir="$MEDIA" \
	    server.trusted_proxies="127.0.0.1, ::1"
	PRJ=$(ctl project create "Clients") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	# The test page's origin (send-chromium.mjs serves it) is the widget
	# source's and the project's; the other source names another site.
	PAGE_PORT=$(pick_port) || exit 2
	PAGE_ORIGIN="http://127.0.0.1:$PAGE_PORT"
	PK=$(ctl source create "$PRJ" --name widget --origin "$PAGE_ORIGIN") || exit 2
	PK_OTHER=$(ctl source create "$PRJ" --name elsewhere \
	    --origin https://shop.example.com) || exit 2
	ctl origin add "$PRJ" "$PAGE_ORIGIN" >/dev/null || exit 2
	check "the widget source allows the page's origin" test "$(sql "SELECT
	    COUNT(*) FROM source_origins o JOIN sources s ON s.id = o.source_id
	    WHERE s.public_key = SHA2('$PK', 256)")" = 1
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start cl-nginx "$PORT" "$T/cl/hark.sock" || exit 2
	hark_standalone cl "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

# send CLIENT KEY PAYLOAD: one submission; sets R_STATUS and R_BODY.
send() {
	local client=$1 key=$2 pl=$3 out
	case $client in
	curl)
		req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ" \
		    -H "x-earshot-key: $key" \
		    -F "payload=<$pl;type=application/json" \
		    -F "audio=@$AUDIO;type=audio/webm" \
		    -F "screenshot=@$SHOT;type=image/png"
		return
		;;
	curl-hark)
		req POST "$URL/v1/feedback" -H "X-Hark-Project: $PRJ" \
		    -H "X-Hark-Key: $key" \
		    -F "payload=<$pl;type=application/json" \
		    -F "audio=@$AUDIO;type=audio/webm" \
		    -F "screenshot=@$SHOT;type=image/png"
		return
		;;
	python)
		out=$(HARK_CLIENT_HEADERS=$T/client.hdrs timeout 90 "$PY" \
		    "$CLIENTS_DIR/send.py" "$URL/v1/feedback" "$PRJ" "$key" \
		    "$pl" "$AUDIO" "$SHOT" 2>"$T/client.err")
		;;
	node)
		out=$(HARK_CLIENT_HEADERS=$T/client.hdrs timeout 90 node \
		    "$CLIENTS_DIR/send-node.mjs" "$URL/v1/feedback" "$PRJ" "$key" \
		    "$pl" "$AUDIO" "$SHOT" 2>"$T/client.err")
		;;
	chromium)
		out=$(cd "$CLIENTS_DIR" && timeout 120 node send-chromium.mjs \
		    "$URL/v1/feedback" "$PRJ" "$key" "$pl" "$AUDIO" "$SHOT" \
		    "$PAGE_PORT" 2>"$T/client.err")
		;;
	esac
	R_STATUS=${out%%$'\n'*}
	R_BODY=${out#*$'\n'}
	if [ "$client" = chromium ]; then
		# "STATUS REPLAYED FIRST_STATUS POLL_STATUS STATE", the first
		# body, the last body.
		read -r R_STATUS R_REPLAYED R_FIRST_STATUS R_POLL_STATUS R_POLL_STATE \
		    <<<"$R_STATUS"
		R_FIRST_BODY=${R_BODY%%$'\n'*}
		R_BODY=${R_BODY#*$'\n'}
	fi
	[[ "$R_STATUS" =~ ^[0-9]{3}$ ]] || R_STATUS=000
	[ "$R_STATUS" = 000 ] && R_BODY="(no answer: $(head -c 300 "$T/client.err" | tr '\n' ' '))"
	# Python's and Node's answers are checked against doc/openapi.yaml
	# too (a page's script sees only the headers CORS exposes).
	if [ -n "${HARK_RESPONSE_LOG:-}" ] && [ "$R_STATUS" != 000 ] &&
	    [ -s "$T/client.hdrs" ]; then
		printf '%s' "$R_BODY" >"$T/client.body"
		perl "$HARK_SRCDIR/tests/openapi/record.pl" "$HARK_RESPONSE_LOG" \
		    POST "$URL/v1/feedback" "$R_STATUS" "$T/client.hdrs" \
		    "$T/client.body" "$(basename "$0" .sh)" ||
		    echo "   (could not record the response in $HARK_RESPONSE_LOG)" >&2
	fi
	rm -f "$T/client.hdrs"
}

# media_rows SESSION: "kind path mime bytes sha256" of its stored files.
media_rows() {
	sql "SELECT kind, path, mime, bytes, LOWER(HEX(sha256)) FROM media
	    WHERE project_id = '$PRJ' AND (session_id = '$1' OR feedback_id IN
	    (SELECT id FROM feedback WHERE project_id = '$PRJ'
	    AND session_id = '$1')) ORDER BY kind"
}

# check_stored LABEL SESSION KIND ORIGINAL MIME EXT: the row of KIND and
# its file.
check_stored() {
	local label=$1 sid=$2 kind=$3 orig=$4 mime=$5 ext=$6 row path rmime bytes rsha
	row=$(media_rows "$sid" | awk -F'\t' -v k="$kind" '$1 == k')
	if [ -z "$row" ] || [ "$(printf '%s\n' "$row" | wc -l)" != 1 ]; then
		fail "$label: one $kind row in media" "rows: $(media_rows "$sid" | tr '\t\n' ' |')"
		return
	fi
	IFS=$'\t' read -r _ path rmime bytes rsha <<<"$row"
	if [[ "$path" =~ ^$PRJ/[0-9]{4}/[0-9]{2}/[A-Za-z0-9_]+-$kind\.$ext$ ]]; then
		pass "$label: $kind stored as <project>/<yyyy>/<mm>/<id>-$kind.$ext"
	else
		fail "$label: $kind path" "'$path'"
	fi
	if [ ! -f "$MEDIA/$path" ]; then
		fail "$label: $kind file at media_dir/path" "no $MEDIA/$path"
		return
	fi
	check "$label: $kind byte-exact (sha256 original = file = row)" \
	    test "$(sha "$orig")" = "$(sha "$MEDIA/$path")" -a "$(sha "$orig")" = "$rsha"
	check "$label: $kind bytes = the original's size" \
	    test "$bytes" = "$(stat -c %s "$orig")"
	if [ "$rmime" = "$mime" ]; then
		pass "$label: $kind typed $mime (by libmagic, not the client's claim)"
	else
		fail "$label: $kind type" "row says '$rmime', want '$mime'"
	fi
}

# submit CLIENT KEYNAME KEY: one client's submission and everything it left.
submit() {
	local client=$1 kn=$2 key=$3 sid label fid
	label="$1 $kn"
	sid=$(uuid7)
	LAST_SID=$sid
	payload "$T/in/payload-$client-$kn.json" "$sid" "$client"
	send "$client" "$key" "$T/in/payload-$client-$kn.json"
	check_status "$label: 202" 202
	if ! json_valid; then
		fail "$label: a JSON answer" "${R_BODY:0:200}"
		return
	fi
	# The seed's two members; hark adds the item's id.
	check "$label: the body is {sessionId, status} (and id)" \
	    eval "[[ \"\$(json_keys .)\" =~ ^(id,)?sessionId,status$ ]]"
	check_json "$label: the sessionId sent" sessionId "$sid"
	check_json "$label: status processing (audio to transcribe)" status processing
	check "$label: audio and screenshot rows" \
	    test "$(media_rows "$sid" | cut -f1 | tr '\n' ' ')" = "audio screenshot "
	if fid=$(json id 2>/dev/null); then
		check "$label: the media rows are the answered item's" test \
		    "$(sql "SELECT COUNT(*) FROM media WHERE feedback_id = '$fid'
		    AND session_id = '$sid'")" = 2
	fi
	check_stored "$label" "$sid" audio "$AUDIO" audio/webm webm
	check_stored "$label" "$sid" screenshot "$SHOT" image/png png
	if [ "$client" = chromium ]; then
		check "$label: the page's poll of its state: 200" \
		    test "${R_POLL_STATUS:-}" = 200
		check "$label: and it reads processing" \
		    test "${R_POLL_STATE:-}" = processing
	fi
	# The seed's poll, with the same key: still processing (no batch runs).
	req GET "$URL/v1/feedback/session/$sid/state" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $key"
	check_status "$label: the session's state: 200" 200
	check_json "$label: and it is processing" status processing
}

test_clients() {
	local c
	for c in curl python node chromium; do
		t_ctx "$c"
		submit "$c" sk_ "$SK"
		submit "$c" pk_ "$PK"
		[ "$c" = chromium ] && CHROMIUM_SID=$LAST_SID
	done
	t_ctx curl
	submit curl-hark pk_ "$PK"
	t_ctx
}

# The seed's identify, after the page's anonymous submission (Chromium's
# pk_ one sends identity null): its row gets the identity, once.
test_identify() {
	local body
	t_ctx identify
	body="{\"sessionId\": \"$CHROMIUM_SID\", \"identity\": {\"userId\": \"u_42\", \"email\": \"pat@example.com\", \"name\": \"Pat\", \"traits\": {\"plan\": \"pro\"}}}"
	req POST "$URL/v1/identify" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $PK" -H 'Content-Type: application/json' -d "$body"
	check_status "POST /v1/identify with the pk_: 200" 200
	check_json "ok" ok true
	check_json "the anonymous row updated" updated 1
	req POST "$URL/v1/identify" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $PK" -H 'Content-Type: application/json' -d "$body"
	check_json "again: nothing left anonymous" updated 0
	t_ctx
}

# A source whose allowlist does not name the page's origin: Chromium's
# submission is refused, and nothing of it is stored.
test_foreign_origin() {
	local sid before
	t_ctx "chromium, another origin"
	sid=$(uuid7)
	payload "$T/in/payload-foreign.json" "$sid" chromium
	before=$(find "$MEDIA" -type f | wc -l)
	send chromium "$PK_OTHER" "$T/in/payload-foreign.json"
	if [ "$R_STATUS" = 403 ]; then
		pass "a page outside the source's allowlist: 403"
	elif [ "$R_STATUS" = 000 ] && grep -q 'could not send' "$T/client.err"; then
		pass "a page outside the source's allowlist: refused (CORS)"
	else
		fail "a page outside the source's allowlist is refused" "status $R_STATUS: ${R_BODY:0:200}"
	fi
	check "no media row for it" test -z "$(media_rows "$sid")"
	check "no file for it" test "$(find "$MEDIA" -type f | wc -l)" = "$before"
	t_ctx
}

# A widget that retries after a lost answer: Chromium sends the same
# FormData twice with one Idempotency-Key (a new boundary each time).  The
# retry is answered as the first was, says so to the page's script, and
# stores nothing more.
test_retry() {
	local sid files
	t_ctx "chromium, a retry"
	sid=$(uuid7)
	payload "$T/in/payload-retry.json" "$sid" chromium
	files=$(find "$MEDIA" -type f | wc -l)
	HARK_IDEMPOTENCY_KEY="retry-$sid" send chromium "$PK" "$T/in/payload-retry.json"
	check "the first answer: 202" test "${R_FIRST_STATUS:-}" = 202
	check_status "the retry: 202" 202
	check "with the first answer's body" test "$R_BODY" = "$R_FIRST_BODY"
	check "Idempotent-Replayed: true, read by the page's script" \
	    test "${R_REPLAYED:-}" = true
	check "one feedback row" test "$(sql "SELECT COUNT(*) FROM feedback
	    WHERE project_id = '$PRJ' AND session_id = '$sid'")" = 1
	check "two media rows" test "$(media_rows "$sid" | wc -l)" = 2
	check "two more files" test "$(find "$MEDIA" -type f | wc -l)" = $((files + 2))
	t_ctx
}

t_init "${1:-}" clients
t_db
setup_tools
setup
test_clients
test_identify
test_retry
test_foreign_origin
t_ctx
check "no temporary file is left in media_dir" eval \
    "! find '$MEDIA' -type f ! -name '*-audio.*' ! -name '*-screenshot.*' | grep -q ."
t_summary
