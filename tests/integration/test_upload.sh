#!/bin/bash
# test_upload.sh: POST /v1/feedback with multipart/form-data (the second seed).
#
#	tests/integration/test_upload.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx (conf/nginx.conf) on a real MariaDB, with
# real libmagic and real files.  The seed's payload with a WebM/Opus
# recording and a PNG (tests/data/media) answers 202 with both the sk_ and
# the pk_ form of the seed's headers; the files are on disk byte-exact,
# typed by content, under server-made names; the rows (feedback, media,
# session, job) are there.  Every bad input is a 4xx naming the part or
# field, and leaves no row and no file.  Faults, through hark-fcgi as a CGI
# program fed by a pipe (so the body can stop half way): a worker killed
# mid-upload leaves nothing; the database stopped while a file arrives is
# 503 and the file is gone; a full or unwritable media directory is 507 or
# 503.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2
MEDIA=$HARK_SRCDIR/tests/data/media
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }

# uuid7: an RFC 9562 version 7 UUID, as the widget's session cookie holds.
uuid7() {
	local ms r
	ms=$(printf '%012x' "$(date +%s%3N)")
	r=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s-%s-7%s-%x%s-%s\n' "${ms:0:8}" "${ms:8:4}" "${r:0:3}" \
	    $(( (0x${r:3:1} & 3) | 8 )) "${r:4:3}" "${r:7:12}"
}

# payload FILE [SESSION [TRANSCRIPT [IDENTITY [EXTRA]]]]: the seed's payload.
payload() {
	local f=$1 sid=${2:-$(uuid7)} tr=${3-} id=${4:-null} extra=${5:-}
	cat >"$f" <<EOF
{"sessionId":"$sid","transcript":"$tr","context":{"dom":null,
"console":[{"level":"error","message":"TypeError: x is undefined","stack":null,"timestamp":1764750000000}],
"network":[{"url":"https://app.example.com/api/export","method":"POST","status":500,"durationMs":231.5,"initiator":"fetch","timestamp":1764750000100}],
"device":{"userAgent":"Mozilla/5.0 (X11; Linux x86_64)","platform":"Linux x86_64","language":"en-GB","viewport":{"width":1280,"height":720},"devicePixelRatio":2,"timezone":"Europe/Amsterdam"},
"page":{"url":"https://app.example.com/reports","referrer":"","title":"Reports","customAttrs":{"plan":"pro"}},
"screenshotUrl":null,"annotationLayer":null,"capturedAt":"2026-12-03T10:00:00.000Z"},
"identity":$id,"audioDurationMs":600$extra}
EOF
}

rows() {
	sql "SELECT (SELECT COUNT(*) FROM feedback) + (SELECT COUNT(*) FROM media)
	    + (SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM jobs)"
}
files() { find "$T/media" -type f | wc -l; }

# up NAME STATUS [curl args...]: a multipart POST with the seed's sk_ headers.
up() {
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $SK" "$@"
}

# refused NAME STATUS FIELD [curl args...]: a 4xx naming FIELD, nothing kept.
refused() {
	local name=$1 status=$2 field=$3 r0 f0 got
	shift 3
	r0=$(rows)
	f0=$(files)
	up "$@"
	check_hark_error "$name: $status" "$status"
	if [ -n "$field" ]; then
		got=$(json error.field 2>/dev/null)
		if [ "$got" = "$field" ]; then
			pass "$name: field is $field"
		else
			fail "$name: field is $field" "field '$got'; ${R_BODY:0:200}"
		fi
	fi
	check "$name: no row" test "$(rows)" = "$r0"
	check "$name: no file" test "$(files)" = "$f0"
}

setup() {
	mkdir -p "$T/up"
	CONF="$T/up/hark.conf"
	write_hark_conf "$CONF" log.file="$T/up/hark.log" \
	    server.workers="$WORKERS" server.max_body=60M \
	    limits.rate_limit=100000 limits.max_audio=2M \
	    limits.max_screenshot=1M limits.max_payload=256K limits.max_dom=64K
	PRJ=$(ctl project create "Uploads") || exit 2
	PRJ_B=$(ctl project create "Other") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	SK_B=$(ctl key create "$PRJ_B") || exit 2
	PK=$(ctl source create "$PRJ" --name widget) || exit 2
	SRC=$(sql "SELECT id FROM sources WHERE public_key = SHA2('$PK', 256)")
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start up-nginx "$PORT" "$T/up/hark.sock" || exit 2
	hark_standalone up "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

# stored_ok ID KIND ORIGINAL MIME: the media row and its file match ORIGINAL.
stored_ok() {
	local id=$1 kind=$2 orig=$3 mime=$4 row path sum
	row=$(sql "SELECT CONCAT(path, ' ', mime, ' ', bytes, ' ', HEX(sha256))
	    FROM media WHERE feedback_id = '$id' AND kind = '$kind'")
	read -r path got_mime bytes sum <<<"$row"
	check "$kind: a media row" test -n "$row"
	check "$kind: typed by content as $mime" test "${got_mime:-}" = "$mime"
	check "$kind: the path is made of server ids only" eval \
	    "[[ '${path:-}' =~ ^prj_[0-9a-z]{26}/[0-9]{4}/[0-9]{2}/med_[0-9a-z]{26}-$kind\.[a-z0-9]+$ ]]"
	check "$kind: the file is byte-exact" \
	    cmp -s "$orig" "$T/media/${path:-none}"
	check "$kind: the row's SHA-256 is the file's" test "${sum,,}" = \
	    "$(sha256sum "$orig" | cut -d' ' -f1)"
	check "$kind: the row's size is the file's" test "${bytes:-}" = \
	    "$(stat -c %s "$orig")"
}

test_seed() {
	local sid id
	t_ctx seed
	sid=$(uuid7)
	payload "$T/p.json" "$sid"
	up -F "payload=<$T/p.json;type=application/json" \
	    -F "audio=@$MEDIA/voice.webm;type=audio/webm" \
	    -F "screenshot=@$MEDIA/shot.png;type=image/png"
	check_status "the seed's shape with sk_: 202" 202
	check_json "sessionId comes back" sessionId "$sid"
	check_json "status processing (the audio waits for transcription)" \
	    status processing
	id=$(json id)
	check "an id of the item" eval "[[ '$id' =~ ^fb_ ]]"
	check "Location names it" test "$(hdr Location)" = "/v1/feedback/$id"
	stored_ok "$id" audio "$MEDIA/voice.webm" audio/webm
	stored_ok "$id" screenshot "$MEDIA/shot.png" image/png
	check "the row is voice, in the session" test "$(sql "SELECT CONCAT(
	    channel, ' ', session_id, ' ', audio_duration_ms) FROM feedback
	    WHERE id = '$id'")" = "voice $sid 600"
	check "the session is processing, at this item" test "$(sql "SELECT
	    CONCAT(status, ' ', feedback_id) FROM sessions WHERE project_id =
	    '$PRJ' AND session_id = '$sid'")" = "processing $id"
	check "it lives an hour" test "$(sql "SELECT TIMESTAMPDIFF(MINUTE,
	    UTC_TIMESTAMP(), expires_at) FROM sessions WHERE session_id =
	    '$sid'")" -ge 58
	check "a transcribe job waits" test "$(sql "SELECT CONCAT(kind, ' ',
	    status) FROM jobs WHERE feedback_id = '$id'")" = "transcribe pending"
	check "no temp file is left" test "$(find "$T/media/.tmp" -type f |
	    wc -l)" = 0

	req GET "$URL/v1/feedback/$id" -H "Authorization: Bearer $SK"
	check_status "the item reads back" 200
	check_json "with its session" sessionId "$sid"
	check_json "its context as sent" context.device.viewport.width 1280
	check_json "its console" context.console.0.message "TypeError: x is undefined"
	check_json "its page" page https://app.example.com/reports
	check_json "its duration" audioDurationMs 600
	check_json "an empty text until transcribed" text ""

	sid=$(uuid7)
	payload "$T/p.json" "$sid"
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $PK" \
	    -F "payload=<$T/p.json;type=application/json" \
	    -F "audio=@$MEDIA/voice.webm;type=audio/webm" \
	    -F "screenshot=@$MEDIA/shot.png;type=image/png"
	check_status "the seed's shape with pk_: 202" 202
	id=$(json id)
	stored_ok "$id" audio "$MEDIA/voice.webm" audio/webm
	check "the pk_ row is voice, from its source" test "$(sql "SELECT
	    CONCAT(channel, ' ', source_id) FROM feedback WHERE id =
	    '$id'")" = "voice $SRC"
	check "the session knows its source" test "$(sql "SELECT source_id
	    FROM sessions WHERE session_id = '$sid'")" = "$SRC"
	req POST "$URL/v1/feedback" -H "X-Hark-Project: $PRJ" \
	    -H "X-Hark-Key: $PK" -F "payload=<$T/p.json" \
	    -F "audio=@$MEDIA/voice.ogg"
	check_status "X-Hark-* with pk_ and Ogg/Opus: 202" 202
	stored_ok "$(json id)" audio "$MEDIA/voice.ogg" audio/ogg
	req GET "$URL/v1/feedback" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $PK"
	check_hark_error "a pk_ key may not list: 401" 401
}

test_formats() {
	local f mime
	t_ctx formats
	for f in voice.m4a:audio/mp4 voice-frag.mp4:audio/mp4 voice.mp3:audio/mpeg \
	    voice.wav:audio/wav voice.flac:audio/flac voice-live.webm:audio/webm; do
		mime=${f#*:}
		f=${f%%:*}
		payload "$T/p.json"
		up -F "payload=<$T/p.json" -F "audio=@$MEDIA/$f;type=application/octet-stream"
		check_status "$f as audio: 202" 202
		stored_ok "$(json id)" audio "$MEDIA/$f" "$mime"
	done
	for f in shot.jpg:image/jpeg shot.webp:image/webp; do
		mime=${f#*:}
		f=${f%%:*}
		payload "$T/p.json" "" "The chart is blank"
		up -F "payload=<$T/p.json" -F "screenshot=@$MEDIA/$f"
		check_status "$f as screenshot: 202" 202
		stored_ok "$(json id)" screenshot "$MEDIA/$f" "$mime"
	done
}

test_text_only() {
	local sid id
	t_ctx "no audio"
	sid=$(uuid7)
	payload "$T/p.json" "$sid" "The export button crashes the page, this is broken"
	up -F "payload=<$T/p.json;type=application/json"
	check_status "a transcript and no audio: 202" 202
	check_json "done at once" status done
	id=$(json id)
	check "the session is done with the transcript" test "$(sql "SELECT
	    CONCAT(status, ' ', feedback_id, ' ', LEFT(transcript, 10)) FROM
	    sessions WHERE session_id = '$sid'")" = "done $id The export"
	check "triaged now: a bug" test "$(sql "SELECT category FROM feedback
	    WHERE id = '$id'")" = bug
	check "an enrich job, no transcribe" test "$(sql "SELECT
	    GROUP_CONCAT(kind) FROM jobs WHERE feedback_id = '$id'")" = enrich
	payload "$T/p.json" "$sid" "And the totals are wrong too"
	up -F "payload=<$T/p.json"
	check_status "a second submission in the session: 202" 202
	check "the session answers for the latest" test "$(sql "SELECT
	    feedback_id FROM sessions WHERE session_id = '$sid'")" = "$(json id)"
	check "both items are in the session" test "$(sql "SELECT COUNT(*)
	    FROM feedback WHERE session_id = '$sid'")" = 2

	sid=$(uuid7 | tr a-f A-F)
	payload "$T/p.json" "$sid" "An upper-case session id"
	up -F "payload=<$T/p.json"
	check_status "an upper-case sessionId: 202" 202
	check "it is stored in lower case, the one form" test "$(sql "SELECT
	    COUNT(*) FROM sessions WHERE session_id = '${sid,,}'")" = 1

	payload "$T/p.json" "" "with identity" \
	    '{"userId":"u_123","email":"pat@example.com","name":"Pat User","traits":{"plan":"pro"}}'
	up -F "payload=<$T/p.json"
	check_status "an identity: 202" 202
	req GET "$URL/v1/feedback/$(json id)" -H "Authorization: Bearer $SK"
	check_json "identity.userId kept" identity.userId u_123
	check_json "identity.email kept" identity.email pat@example.com
	check_json "userEmail from it" userEmail pat@example.com
	check_json "traits kept" identity.traits.plan pro

	payload "$T/p.json" "" "an extra field" null ',"usermail":"x@example.com"'
	up -F "payload=<$T/p.json"
	check_status "an unknown payload field is no refusal: 202" 202
	check_json "it is warned of" warnings.0.field usermail
	req GET "$URL/v1/feedback/$(json id)" -H "Authorization: Bearer $SK"
	check_json "and kept as extra" extra.usermail x@example.com
}

# raw NAME FILE [CONTENT-TYPE]: a hand-made body, sent as it is.
raw_ct() { echo "${1:-multipart/form-data; boundary=XyZ}"; }

test_bad() {
	local big
	t_ctx "bad input"
	payload "$T/p.json" "" "a screenshot follows"
	printf 'this is only text\n' >"$T/shot.png"
	refused "a text file named shot.png, sent as image/png" 415 screenshot \
	    -F "payload=<$T/p.json" -F "screenshot=@$T/shot.png;type=image/png"
	check "the answer names the detected type" grep -q text/plain <<<"$R_BODY"
	refused "a PNG as audio" 415 audio -F "payload=<$T/p.json" \
	    -F "audio=@$MEDIA/shot.png;type=audio/webm"
	check "it names image/png" grep -q image/png <<<"$R_BODY"
	refused "a WebM as screenshot" 415 screenshot -F "payload=<$T/p.json" \
	    -F "screenshot=@$MEDIA/voice.webm"
	refused "two audio parts" 400 audio -F "payload=<$T/p.json" \
	    -F "audio=@$MEDIA/voice.webm" -F "audio=@$MEDIA/voice.ogg"
	refused "an unknown part" 400 video -F "payload=<$T/p.json" \
	    -F "video=@$MEDIA/voice.webm"
	refused "no payload part" 400 payload -F "audio=@$MEDIA/voice.webm"
	refused "a filename with a path" 400 audio -F "payload=<$T/p.json" \
	    -F "audio=@$MEDIA/voice.webm;filename=../../etc/passwd"
	check "nothing outside the media directory" test ! -e "$T/etc/passwd"

	printf 'not json' >"$T/bad.json"
	refused "a payload that is not JSON" 400 payload -F "payload=<$T/bad.json"
	payload "$T/p.json" "" "hello"
	sed -i 's/"console":\[/"console":[CONSOLE/' "$T/p.json"
	local c51=$(for i in $(seq 51); do printf '{"level":"log","message":"m%d"},' "$i"; done)
	sed -i "s/CONSOLE/${c51}/" "$T/p.json"
	refused "51 console entries" 400 "context.console[50]" -F "payload=<$T/p.json"
	payload "$T/p.json" "" "hello" '{"userId":"u","email":7,"name":null,"traits":null}'
	refused "an identity with a non-string email" 400 identity.email -F "payload=<$T/p.json"
	payload "$T/p.json" "not-a-uuid" "hello"
	refused "a sessionId that is not a UUID" 400 sessionId -F "payload=<$T/p.json"
	payload "$T/p.json" "" ""
	refused "an empty transcript without audio" 400 transcript -F "payload=<$T/p.json"
	payload "$T/p.json" "" "big dom"
	big=$(head -c 70000 /dev/zero | tr '\0' 'd')
	sed -i "s/\"dom\":null/\"dom\":{\"format\":\"rrweb-full-snapshot-v2\",\"data\":\"$big\",\"capturedAt\":\"2026-12-03T10:00:00Z\"}/" "$T/p.json"
	refused "a dom snapshot over max_dom" 413 context.dom.data -F "payload=<$T/p.json"
	head -c 300000 /dev/zero | tr '\0' ' ' >"$T/pad.json"
	payload "$T/p2.json" "" "padded"
	cat "$T/p2.json" >>"$T/pad.json"
	refused "a payload over max_payload" 413 payload -F "payload=<$T/pad.json"
	head -c 2200000 /dev/urandom >"$T/tail.bin"
	cat "$MEDIA/voice.webm" "$T/tail.bin" >"$T/big.webm"
	payload "$T/p.json"
	refused "an audio part over max_audio" 413 audio -F "payload=<$T/p.json" \
	    -F "audio=@$T/big.webm"

	# Hand-made bodies.
	payload "$T/p.json" "" "hand made"
	{ printf -- '--XyZ\r\nContent-Disposition: form-data; name="payload"\r\n\r\n'
	  cat "$T/p.json"; printf '\r\n--XyZ\r\nContent-Disposition: form-data; name="audio"; filename="a.webm"\r\n\r\n'
	  head -c 700 "$MEDIA/voice.webm"; } >"$T/trunc.body"
	refused "a body cut short (no final boundary)" 400 audio \
	    -H "Content-Type: $(raw_ct)" --data-binary "@$T/trunc.body"
	check_json "code multipart_truncated" error.code multipart_truncated
	{ cat "$T/trunc.body"; printf '\r\n--XyZ'; } >"$T/open.body"
	refused "a boundary that never closes" 400 "" \
	    -H "Content-Type: $(raw_ct)" --data-binary "@$T/open.body"
	refused "multipart without a boundary parameter" 400 "" \
	    -H "Content-Type: multipart/form-data" --data-binary "@$T/trunc.body"
	check_json "code multipart_no_boundary" error.code multipart_no_boundary
	{ printf -- '--XyZ\r\nContent-Disposition: form-data; name="payload"\r\nX-Pad: '
	  head -c 102400 /dev/zero | tr '\0' 'h'; printf '\r\n\r\n{}\r\n--XyZ--\r\n'; } >"$T/hdr.body"
	refused "a 100 KB part header line" 400 "" \
	    -H "Content-Type: $(raw_ct)" --data-binary "@$T/hdr.body"
	check_json "code multipart_header_line_too_long" error.code \
	    multipart_header_line_too_long
	{ printf -- '--XyZ\r\nContent-Disposition: form-data; name="payload"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
	  cat "$T/p.json"; printf '\r\n--XyZ--\r\n'; } >"$T/cte.body"
	refused "Content-Transfer-Encoding: base64" 400 payload \
	    -H "Content-Type: $(raw_ct)" --data-binary "@$T/cte.body"
	# Past the web server's limit its own 413 answers (not JSON), from the
	# Content-Length, before the body is read.
	head -c 62914560 /dev/zero >"$T/60m.bin"
	local r0=$(rows) f0=$(files)
	up -F "payload=<$T/p.json" -F "audio=@$T/60m.bin"
	check_status "a 60 MB body: 413 (nginx's)" 413
	check "a 60 MB body: no row" test "$(rows)" = "$r0"
	check "a 60 MB body: no file" test "$(files)" = "$f0"
	rm -f "$T/60m.bin"
	refused "text/plain is not a submission" 415 Content-Type \
	    -H "Content-Type: text/plain" --data-binary "@$T/p.json"
	check "the 415 names both types" grep -q multipart/form-data <<<"$R_BODY"
}

test_idempotent() {
	local id n
	t_ctx idempotency
	payload "$T/p.json"
	up -H "Idempotency-Key: up-1" -F "payload=<$T/p.json" \
	    -F "audio=@$MEDIA/voice.webm"
	check_status "a keyed upload: 202" 202
	id=$(json id)
	n=$(files)
	up -H "Idempotency-Key: up-1" -F "payload=<$T/p.json" \
	    -F "audio=@$MEDIA/voice.webm"
	check_status "its retry: 202 again" 202
	check "Idempotent-Replayed: true" test "$(hdr Idempotent-Replayed)" = true
	check_json "the same item" id "$id"
	check "one row" test "$(sql "SELECT COUNT(*) FROM feedback WHERE
	    session_id = (SELECT session_id FROM feedback WHERE id = '$id')")" = 1
	check "no second file" test "$(files)" = "$n"
	up -H "Idempotency-Key: up-1" -F "payload=<$T/p.json" \
	    -F "audio=@$MEDIA/voice.ogg"
	check_hark_error "the key with another file: 422" 422
	check "still no second file" test "$(files)" = "$n"
	up -H "Idempotency-Key: $(printf 'a\tb')" -F "payload=<$T/p.json"
	check_hark_error "a key with a control character: 400" 400
}

# cgi_pipe FIFO: hark-fcgi as a CGI program reading the body from FIFO.
cgi_start() {
	local len=$1 ct=$2
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HARK_CONFIG="$CONF" \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST \
	    REQUEST_URI=/v1/feedback SCRIPT_NAME= PATH_INFO=/v1/feedback \
	    QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=localhost \
	    SERVER_PORT=80 REMOTE_ADDR=127.0.0.1 REMOTE_PORT=40000 \
	    HTTP_HOST=localhost CONTENT_LENGTH="$len" CONTENT_TYPE="$ct" \
	    HTTP_X_EARSHOT_PROJECT="$PRJ" HTTP_X_EARSHOT_KEY="$SK" \
	    "$HARK_BUILD/hark-fcgi" <"$T/fifo" >"$T/cgi.out" 2>"$T/cgi.err" &
	CGI_PID=$!
	exec 7>"$T/fifo"
}

# A 3 MB multipart body with a 2 MB... audio part: head, middle, tail.
big_body() {
	payload "$T/p.json" "" ""
	{ printf -- '--XyZ\r\nContent-Disposition: form-data; name="payload"\r\n\r\n'
	  cat "$T/p.json"
	  printf '\r\n--XyZ\r\nContent-Disposition: form-data; name="audio"; filename="v.webm"\r\nContent-Type: audio/webm\r\n\r\n'
	  cat "$MEDIA/voice.webm"; head -c 1500000 /dev/urandom
	  printf '\r\n--XyZ--\r\n'; } >"$T/big.body"
	BIG_LEN=$(stat -c %s "$T/big.body")
}

test_faults() {
	local r0 f0
	t_ctx faults
	# hark's own 413, from a Content-Length over max_submission (50M),
	# before a byte is read (none is sent).
	r0=$(rows)
	cgi_start 62914560 "$(raw_ct)"
	exec 7>&-
	wait "$CGI_PID"
	check "a Content-Length over max_submission: hark's 413" \
	    grep -q '^Status: 413' "$T/cgi.out"
	check "in the JSON error format" grep -q '"code":"body_too_large"' \
	    "$T/cgi.out"
	check "and no row" test "$(rows)" = "$r0"

	big_body
	r0=$(rows)
	f0=$(files)
	cgi_start "$BIG_LEN" "$(raw_ct)"
	head -c 1000000 "$T/big.body" >&7
	sleep 1
	kill -9 "$CGI_PID" 2>/dev/null
	exec 7>&-
	wait "$CGI_PID" 2>/dev/null
	check "worker killed mid-upload: no row" test "$(rows)" = "$r0"
	check "and no file, temp or placed (O_TMPFILE: the kernel freed it)" \
	    test "$(files)" = "$f0"

	cgi_start "$BIG_LEN" "$(raw_ct)"
	head -c 1000000 "$T/big.body" >&7
	sleep 1
	mariadb_stop "$T/db"
	tail -c +1000001 "$T/big.body" >&7
	exec 7>&-
	wait "$CGI_PID"
	check "database stopped mid-upload: 503" grep -q '^Status: 503' "$T/cgi.out"
	check "with Retry-After" grep -qi '^Retry-After:' "$T/cgi.out"
	check "and the file is removed" test "$(files)" = "$f0"
	mariadb_start "$T/db" || { fail "the database comes back"; return; }
	wait_until 30 health_is "$URL" 200
	check "nothing was stored" test "$(rows)" = "$r0"

	# A full media directory: a 256 KiB tmpfs, where the machine allows it.
	if mkdir -p "$T/full" && mount -t tmpfs -o size=256k tmpfs "$T/full" \
	    2>/dev/null; then
		write_hark_conf "$T/full.conf" server.media_dir="$T/full" \
		    server.max_body=60M limits.max_audio=2M
		CONF_SAVE=$CONF
		CONF=$T/full.conf
		cgi_start "$BIG_LEN" "$(raw_ct)"
		cat "$T/big.body" >&7
		exec 7>&-
		wait "$CGI_PID"
		CONF=$CONF_SAVE
		check "a full media directory: 507" grep -q '^Status: 507' "$T/cgi.out"
		check "named insufficient_storage" grep -q insufficient_storage "$T/cgi.out"
		check "nothing half-stored on it" test "$(find "$T/full" -type f |
		    wc -l)" = 0
		check "and no row" test "$(rows)" = "$r0"
		umount "$T/full"
	else
		echo "   (skipped: a full media directory: cannot mount a tmpfs here)"
	fi
	# An unwritable one: its temp directory is a file (root ignores modes).
	mkdir -p "$T/ro"
	: >"$T/ro/.tmp"
	write_hark_conf "$T/ro.conf" server.media_dir="$T/ro" server.max_body=60M \
	    limits.max_audio=2M
	CONF_SAVE=$CONF
	CONF=$T/ro.conf
	cgi_start "$BIG_LEN" "$(raw_ct)"
	cat "$T/big.body" >&7
	exec 7>&-
	wait "$CGI_PID"
	CONF=$CONF_SAVE
	check "an unwritable media directory: 503" grep -q '^Status: 503' "$T/cgi.out"
	check "named media_unavailable" grep -q media_unavailable "$T/cgi.out"
	check "and no row" test "$(rows)" = "$r0"
}

t_init "${1:-}" up
t_db private
setup
test_seed
test_formats
test_text_only
test_bad
test_idempotent
test_faults
t_ctx
t_summary
