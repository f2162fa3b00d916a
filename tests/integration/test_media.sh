#!/bin/bash
# test_media.sh: GET /v1/feedback/{id}/media/{kind} and the media array of an item, end to end.
#
#	tests/integration/test_media.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB, with media rows and
# files this suite makes itself (fixtures of tests/data/media): the file
# byte-exact with its type, length, ETag, 304, one byte range (206), 416,
# If-Range, HEAD; every refused input (a pk_ key, another project's item,
# ids and kinds of the wrong shape, a traversal in the URL, Range junk, a
# missing file, a row whose path is not a media path); the item's "media"
# array and one query per listed page.  Then [server] sendfile: X-Accel-
# Redirect through nginx's internal location and X-Sendfile through
# lighttpd, the conf/ examples' snippets uncommented, Range served by them.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2
DATA="$HARK_SRCDIR/tests/data/media"
AUDIO="$DATA/voice.flac"
SHOT="$DATA/shot.png"
MONTH=2026/12

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
JSON_CT=(-H 'Content-Type: application/json')

# fget METHOD URL [curl options...]: as req, but the body stays in $T/f.body
# byte for byte (R_BODY holds it as text, for the JSON errors), headers in
# $T/f.hdrs (and $T/r.hdrs, for hdr and check_hark_error).
fget() {
	local method=$1 url=$2 out body
	shift 2
	local m=(-X "$method") o="$T/f.body"
	# (curl -I writes the headers to -o: a HEAD answer has no body.)
	[ "$method" = HEAD ] && m=(-I) && o=/dev/null
	: >"$T/f.body"
	out=$(curl -sS --max-time 20 "${m[@]}" -o "$o" -D "$T/f.hdrs" \
	    -w '%{http_code}' "$@" "$url" 2>"$T/f.err") || true
	R_STATUS=${out:-000}
	if [ -n "${HARK_RESPONSE_LOG:-}" ] && [ "$R_STATUS" != 000 ]; then
		body=$T/f.body
		[ "$method" = HEAD ] && body=/dev/null
		perl "$HARK_SRCDIR/tests/openapi/record.pl" "$HARK_RESPONSE_LOG" \
		    "$method" "$url" "$R_STATUS" "$T/f.hdrs" "$body" \
		    "$(basename "$0" .sh)" ||
		    echo "   (could not record the response in $HARK_RESPONSE_LOG)" >&2
	fi
	R_BODY=$(tr -d '\0' <"$T/f.body")
	cp "$T/f.hdrs" "$T/r.hdrs"
}

# new_item KEY TEXT: a feedback item of KEY's project; prints its id.
new_item() {
	curl -sS --max-time 10 -H "Authorization: Bearer $1" "${JSON_CT[@]}" \
	    -d "{\"text\":\"$2\"}" "$URL/v1/feedback" | "$JSONQ" id
}

# add_media PROJECT FB KIND FILE EXT MIME DURATION|NULL [RELPATH]: the
# file under the media directory and its row, as the upload path makes them
# (FILE "": the row only, its file missing).  With RELPATH the row names
# that path and no file is written at all: RELPATH is a hostile string
# (never joined to a directory here).
add_media() {
	local prj=$1 fb=$2 kind=$3 file=$4 ext=$5 mime=$6 dur=$7 rel=${8:-}
	local mid="med_$(rand_hex 13)"
	mid=${mid:0:30}
	if [ -z "$rel" ]; then
		rel="$prj/$MONTH/$fb-$kind.$ext"
		if [ -n "$file" ]; then
			mkdir -p "$T/media/$prj/$MONTH"
			cp "$file" "$T/media/$prj/$MONTH/$fb-$kind.$ext"
		fi
	fi
	sql "INSERT INTO media (id, project_id, feedback_id, kind, path, mime,
	    bytes, sha256, duration_ms) VALUES ('$mid', '$prj', '$fb', '$kind',
	    '$rel', '$mime', $(stat -c %s "${file:-$AUDIO}"),
	    UNHEX('$(sha "${file:-$AUDIO}")'), $dur)"
}

setup() {
	CONF="$T/hark.conf"
	write_hark_conf "$CONF" limits.rate_limit=100000
	PRJ_A=$(ctl project create "Project A") || exit 2
	PRJ_B=$(ctl project create "Project B") || exit 2
	KEY_A=$(ctl key create "$PRJ_A") || exit 2
	KEY_B=$(ctl key create "$PRJ_B") || exit 2
	PK_A=$(ctl source create "$PRJ_A" --name widget) || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start nginx "$PORT" "$T/hark/hark.sock" || exit 2
	hark_standalone hark "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
	AUTH=(-H "Authorization: Bearer $KEY_A")

	FB1=$(new_item "$KEY_A" "with audio and a screenshot")
	FB2=$(new_item "$KEY_A" "with nothing")
	FB3=$(new_item "$KEY_A" "whose file is gone")
	FB4=$(new_item "$KEY_A" "whose row names a strange path")
	FBB=$(new_item "$KEY_B" "project B's")
	add_media "$PRJ_A" "$FB1" audio "$AUDIO" flac audio/flac 1234 || exit 2
	add_media "$PRJ_A" "$FB1" screenshot "$SHOT" png image/png NULL || exit 2
	add_media "$PRJ_A" "$FB3" audio "" flac audio/flac 99 || exit 2
	add_media "$PRJ_A" "$FB4" audio "$AUDIO" flac audio/flac NULL \
	    "../../../etc/passwd" || exit 2
	add_media "$PRJ_B" "$FBB" screenshot "$SHOT" png image/png NULL || exit 2
	A_URL="$URL/v1/feedback/$FB1/media/audio"
	A_LEN=$(stat -c %s "$AUDIO")
	A_SHA=$(sha "$AUDIO")
}

# body_is FILE: the last fget's body is FILE byte for byte.
body_is() { cmp -s "$T/f.body" "$1"; }
# body_is_part FILE SKIP COUNT: the body is COUNT bytes of FILE from SKIP.
body_is_part() {
	tail -c +"$(($2 + 1))" "$1" | head -c "$3" >"$T/part"
	cmp -s "$T/f.body" "$T/part"
}
fhdr() {
	grep -i "^$1:" "$T/f.hdrs" 2>/dev/null | tail -n 1 | cut -d: -f2- |
	    tr -d '\r' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
}

test_read() {
	t_ctx read
	fget GET "$A_URL" "${AUTH[@]}"
	check_status "the audio: 200" 200
	check "Content-Type is the detected type" test "$(fhdr Content-Type)" = audio/flac
	check "Content-Length is the file's" test "$(fhdr Content-Length)" = "$A_LEN"
	check "ETag is the quoted SHA-256" test "$(fhdr ETag)" = "\"$A_SHA\""
	check "Accept-Ranges: bytes" test "$(fhdr Accept-Ranges)" = bytes
	check "Cache-Control: private" test "$(fhdr Cache-Control)" = private
	check "the bytes are the file's (sha256)" test "$(sha "$T/f.body")" = "$A_SHA"
	fget GET "$URL/v1/feedback/$FB1/media/screenshot" "${AUTH[@]}"
	check_status "the screenshot: 200" 200
	check "image/png" test "$(fhdr Content-Type)" = image/png
	check "byte-exact" body_is "$SHOT"
	fget HEAD "$A_URL" "${AUTH[@]}"
	check_status "HEAD: 200" 200
	check "HEAD: the file's length" test "$(fhdr Content-Length)" = "$A_LEN"
	check "HEAD: the ETag" test "$(fhdr ETag)" = "\"$A_SHA\""
}

test_conditional() {
	t_ctx conditional
	fget GET "$A_URL" "${AUTH[@]}" -H "If-None-Match: \"$A_SHA\""
	check_status "If-None-Match with the ETag: 304" 304
	check "304: no body" test ! -s "$T/f.body"
	check "304: the ETag" test "$(fhdr ETag)" = "\"$A_SHA\""
	fget GET "$A_URL" "${AUTH[@]}" -H "If-None-Match: \"x\", W/\"$A_SHA\""
	check_status "a list naming it weakly: 304" 304
	fget GET "$A_URL" "${AUTH[@]}" -H "If-None-Match: *"
	check_status "If-None-Match *: 304" 304
	fget HEAD "$A_URL" "${AUTH[@]}" -H "If-None-Match: \"$A_SHA\""
	check_status "HEAD with If-None-Match: 304" 304
	fget GET "$A_URL" "${AUTH[@]}" -H "If-None-Match: \"0000\""
	check_status "another ETag: 200" 200
	check "and the file" body_is "$AUDIO"
}

test_ranges() {
	local last=$((A_LEN - 1))
	t_ctx range
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=0-99"
	check_status "bytes=0-99: 206" 206
	check "Content-Range bytes 0-99/len" test "$(fhdr Content-Range)" = "bytes 0-99/$A_LEN"
	check "Content-Length 100" test "$(fhdr Content-Length)" = 100
	check "the first 100 bytes" body_is_part "$AUDIO" 0 100
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=100-"
	check_status "bytes=100-: 206" 206
	check "to the end" test "$(fhdr Content-Range)" = "bytes 100-$last/$A_LEN"
	check "those bytes" body_is_part "$AUDIO" 100 $((A_LEN - 100))
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=-500"
	check_status "bytes=-500: 206" 206
	check "the last 500" test "$(fhdr Content-Range)" = "bytes $((A_LEN - 500))-$last/$A_LEN"
	check "those bytes" body_is_part "$AUDIO" $((A_LEN - 500)) 500
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=10-99999999"
	check_status "an end past the file: 206" 206
	check "cut at the end" test "$(fhdr Content-Range)" = "bytes 10-$last/$A_LEN"
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=-99999999"
	check_status "a suffix longer than the file: 206" 206
	check "the whole file" body_is "$AUDIO"
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=$A_LEN-"
	check_hark_error "a start at the end: 416" 416
	check "Content-Range bytes */len" test "$(fhdr Content-Range)" = "bytes */$A_LEN"
	check_json "code range_not_satisfiable" error.code range_not_satisfiable
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=99999-100000"
	check_hark_error "a range beyond the end: 416" 416
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=-0"
	check_hark_error "bytes=-0: 416" 416
	# Junk is ignored (RFC 9110 14.2 lets a server): the whole file.
	local junk
	for junk in "bytes=5-2" "bytes=x" "bytes=" "bytes=1-x" "items=0-1" \
	    "bytes=0-1,5-6" "bytes=99999999999999999999-"; do
		fget GET "$A_URL" "${AUTH[@]}" -H "Range: $junk"
		check_status "Range: $junk is ignored: 200" 200
		check "Range: $junk: the whole file" body_is "$AUDIO"
	done
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=0-9" -H "If-Range: \"$A_SHA\""
	check_status "If-Range with the ETag: 206" 206
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=0-9" -H "If-Range: \"0000\""
	check_status "If-Range with another ETag: 200" 200
	check "the whole file" body_is "$AUDIO"
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=0-9" \
	    -H "If-Range: Wed, 21 Oct 2015 07:28:00 GMT"
	check_status "If-Range with a date: 200" 200
	fget GET "$A_URL" "${AUTH[@]}" -H "Range: bytes=0-9" -H "If-Range: W/\"$A_SHA\""
	check_status "If-Range with a weak ETag: 200" 200
	fget HEAD "$A_URL" "${AUTH[@]}" -H "Range: bytes=0-9"
	check_status "HEAD ignores Range: 200" 200
}

test_refused() {
	t_ctx refused
	req GET "$A_URL" -H "x-earshot-project: $PRJ_A" -H "x-earshot-key: $PK_A"
	check_hark_error "a pk_ key: 401" 401
	check_json "code public_key_not_allowed" error.code public_key_not_allowed
	req GET "$A_URL"
	check_hark_error "no key: 401" 401
	req GET "$URL/v1/feedback/$FBB/media/screenshot" "${AUTH[@]}"
	check_hark_error "another project's item: 404" 404
	check_json "code not_found" error.code not_found
	fget GET "$URL/v1/feedback/$FBB/media/screenshot" -H "Authorization: Bearer $KEY_B"
	check_status "(its own project reads it)" 200
	req GET "$URL/v1/feedback/fb_0123456789abcdefghjkmnpqrs/media/audio" "${AUTH[@]}"
	check_hark_error "an unknown id: 404" 404
	check_json "code not_found" error.code not_found
	req GET "$URL/v1/feedback/med_0123456789abcdefghjkmnpqrs/media/audio" "${AUTH[@]}"
	check_hark_error "an id not of fb_ shape: 404" 404
	req GET "$URL/v1/feedback/fb_x/media/audio" "${AUTH[@]}"
	check_hark_error "fb_x: 404" 404
	req GET "$URL/v1/feedback/$FB1/media/video" "${AUTH[@]}"
	check_hark_error "kind video: 404" 404
	check_json "field kind" error.field kind
	req GET "$URL/v1/feedback/$FB1/media/Audio" "${AUTH[@]}"
	check_hark_error "kind Audio: 404" 404
	req GET "$URL/v1/feedback/$FB2/media/audio" "${AUTH[@]}"
	check_hark_error "an item without audio: 404" 404
	check_json "code media_not_found" error.code media_not_found
	req HEAD "$URL/v1/feedback/$FB2/media/audio" "${AUTH[@]}"
	check_status "HEAD, an item without audio: 404" 404
	req GET "$URL/v1/feedback/fb_x/media/..%2f..%2fetc" "${AUTH[@]}" --path-as-is
	check_rejected "a traversal with encoded slashes: 400" 400
	req GET "$URL/v1/feedback/$FB1/media/..%2f..%2f..%2fetc%2fpasswd" "${AUTH[@]}" --path-as-is
	check_rejected "..%2f in the kind: 400" 400
	req GET "$URL/v1/feedback/$FB1/media/%2e%2e" "${AUTH[@]}" --path-as-is
	check "an encoded .. kind: refused" test "$R_STATUS" = 400 -o "$R_STATUS" = 404
	check "never a file's bytes" eval '! grep -q root: <<<"$R_BODY"'
	req POST "$A_URL" "${AUTH[@]}"
	check_hark_error "POST: 405" 405
	req OPTIONS "$A_URL" -H "Origin: https://app.example.com" \
	    -H "Access-Control-Request-Method: GET"
	check_status "a preflight: 204" 204
	check "it allows GET" eval '[[ "$(hdr Allow)" == *GET* ]]'
	ctl origin add "$PRJ_B" "https://app.example.com" >/dev/null
	req GET "$URL/v1/feedback/$FBB/media/screenshot" -H "Authorization: Bearer $KEY_B" \
	    -H "Origin: https://evil.example.net"
	check_hark_error "an origin outside the project's allowlist: 403" 403
	fget GET "$URL/v1/feedback/$FBB/media/screenshot" -H "Authorization: Bearer $KEY_B" \
	    -H "Origin: https://app.example.com"
	check_status "one inside it: 200" 200
	check "with Access-Control-Allow-Origin" test "$(fhdr Access-Control-Allow-Origin)" = https://app.example.com
	req GET "$URL/v1/feedback/$FB3/media/audio" "${AUTH[@]}"
	check_hark_error "a row whose file is gone: 404" 404
	check_json "code media_missing" error.code media_missing
	check "logged with the ids" grep -q "media med_.* of $FB3 ($PRJ_A): its file is missing" "$T/hark.log"
	check "the log names no path" eval "! grep 'of $FB3' '$T/hark.log' | grep -q '$T/media\|flac'"
	req GET "$URL/v1/feedback/$FB4/media/audio" "${AUTH[@]}"
	check_hark_error "a row whose path is not a media path: 500" 500
	check_json "code media_unreadable" error.code media_unreadable
	check "logged, not opened" grep -q "of $FB4 ($PRJ_A): its row's path is not" "$T/hark.log"
}

# com_selects: the statements the server has executed so far.
com_selects() {
	mariadb_sql "$HARK_DB_SOCKET" "SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'" | cut -f2
}

# The fewest statements a GET of a page of $1 ran, of three tries.
page_statements() {
	local a b i n best=
	for i in 1 2 3; do
		a=$(com_selects)
		req GET "$URL/v1/feedback?limit=$1" "${AUTH[@]}"
		b=$(com_selects)
		n=$((b - a))
		if [ -z "$best" ] || [ "$n" -lt "$best" ]; then best=$n; fi
	done
	echo "$best"
}

test_item_json() {
	local a b n1 n5
	t_ctx "item json"
	req GET "$URL/v1/feedback/$FB1" "${AUTH[@]}"
	check_status "the item: 200" 200
	check_json "two media" media.1.kind screenshot
	check_json "audio first" media.0.kind audio
	check_json "its contentType" media.0.contentType audio/flac
	check_json "its bytes" media.0.bytes "$A_LEN"
	check_json "its durationMs" media.0.durationMs 1234
	check_json "its url" media.0.url "/v1/feedback/$FB1/media/audio"
	check "the screenshot's durationMs is null" test "$(json_type media.1.durationMs)" = null
	check_json "the screenshot's bytes" media.1.bytes "$(stat -c %s "$SHOT")"
	check "the keys" test "$(json_keys media.0)" = bytes,contentType,durationMs,kind,url
	req GET "$URL/v1/feedback/$FB2" "${AUTH[@]}"
	check_json "none: an empty array" media "[]"
	req GET "$URL/v1/feedback?limit=10" "${AUTH[@]}"
	check_status "the list: 200" 200
	check "every item has media" test "$(printf '%s' "$R_BODY" | grep -o '"media":' | wc -l)" = 4
	# Items are listed newest first: FB1 is the last of A's four.
	check_json "FB1's media in the list" data.3.media.0.url "/v1/feedback/$FB1/media/audio"
	check_json "FB2's is empty" data.2.media "[]"
	# One query per page, never one per item: a page of 1 and of 4 run
	# as many statements.  The count is the server's, so the fewest of
	# three tries: a key's once-a-minute last_used_at stamp may fall in one.
	n1=$(page_statements 1)
	n5=$(page_statements 4)
	check "as many statements for 4 items as for 1 ($n1, $n5)" test "$n1" = "$n5"
}

# A copy of the source tree's conf/ with the media snippet of FILE
# uncommented (lines "#location /hark-media/" to "#}", or the two
# x-sendfile lines) and media_dir's path put in; nginx_start and
# lighttpd_start read $HARK_SRCDIR/conf.
media_srcdir() {
	local d="$T/src-$1"
	mkdir -p "$d/conf"
	cp "$HARK_SRCDIR"/conf/* "$d/conf/"
	# The rest as it is (req's recorder is tests/openapi/record.pl).
	ln -sfn "$HARK_SRCDIR/tests" "$d/tests"
	ln -sfn "$HARK_SRCDIR/data" "$d/data"
	ln -sfn "$HARK_SRCDIR/widget" "$d/widget"
	sed -i -e '/^[[:space:]]*#location \/hark-media\//,/^[[:space:]]*#}/s/^\([[:space:]]*\)#/\1/' \
	    -e 's/^\([[:space:]]*\)#\("x-sendfile\)/\1\2/' \
	    -e "s|/var/lib/hark/media/|$T/media/|" "$d/conf/nginx.conf" "$d/conf/lighttpd.conf"
	echo "$d"
}

test_accel() {
	local port url conf src etag
	t_ctx x-accel-redirect
	src=$(media_srcdir accel)
	local HARK_SRCDIR=$src
	conf="$T/accel.conf"
	write_hark_conf "$conf" limits.rate_limit=100000 \
	    server.sendfile=x-accel-redirect log.file="$T/accel.log"
	port=$(pick_port) || return
	url="http://127.0.0.1:$port"
	nginx_start accel-nginx "$port" "$T/accel/hark.sock" || { fail "nginx starts"; return; }
	hark_standalone accel "$conf" 1 || { fail "hark starts"; return; }
	wait_until 30 health_is "$url" 200 || { fail "hark serves"; return; }
	fget GET "$url/v1/feedback/$FB1/media/audio" "${AUTH[@]}"
	check_status "200 through nginx" 200
	check "the file, byte-exact" body_is "$AUDIO"
	check "Content-Type audio/flac" test "$(fhdr Content-Type)" = audio/flac
	check "Content-Length" test "$(fhdr Content-Length)" = "$A_LEN"
	check "no X-Accel-Redirect reaches the client" test -z "$(fhdr X-Accel-Redirect)"
	check "Cache-Control: private" test "$(fhdr Cache-Control)" = private
	check "one Accept-Ranges: bytes" test "$(grep -ci '^Accept-Ranges: bytes' "$T/f.hdrs")" = 1
	etag=$(fhdr ETag)
	check "an ETag (nginx's)" test -n "$etag"
	req GET "$url/v1/feedback/$FB1/media/audio" "${AUTH[@]}" -H "If-None-Match: $etag"
	check_status "If-None-Match with nginx's ETag: 304" 304
	fget GET "$url/v1/feedback/$FB1/media/audio" "${AUTH[@]}" -H "Range: bytes=0-99"
	check_status "Range through nginx: 206" 206
	check "Content-Range" test "$(fhdr Content-Range)" = "bytes 0-99/$A_LEN"
	check "the first 100 bytes" body_is_part "$AUDIO" 0 100
	fget GET "$url/v1/feedback/$FB1/media/audio" "${AUTH[@]}" -H "Range: bytes=-100"
	check_status "a suffix through nginx: 206" 206
	check "the last 100 bytes" body_is_part "$AUDIO" $((A_LEN - 100)) 100
	req GET "$url/v1/feedback/$FB1/media/audio" "${AUTH[@]}" -H "If-None-Match: \"$A_SHA\""
	check_status "If-None-Match (hark's ETag): 304" 304
	req GET "$url/v1/feedback/$FB2/media/audio" "${AUTH[@]}"
	check_hark_error "hark's own 404 still" 404
	req GET "$url/v1/feedback/$FB3/media/audio" "${AUTH[@]}"
	check_hark_error "a missing file: hark's 404" 404
	req GET "$url/v1/feedback/$FB1/media/audio" -H "x-earshot-project: $PRJ_A" -H "x-earshot-key: $PK_A"
	check_hark_error "a pk_ key: 401" 401
	req GET "$url/hark-media/$PRJ_A/$MONTH/$FB1-audio.flac"
	check_status "the internal location from outside: 404" 404
	check "without the file" eval "! cmp -s '$T/r.body' '$AUDIO'"
}

test_xsendfile() {
	local port url conf src
	t_ctx x-sendfile
	src=$(media_srcdir xsendfile)
	local HARK_SRCDIR=$src
	conf="$T/xsendfile.conf"
	write_hark_conf "$conf" limits.rate_limit=100000 \
	    server.sendfile=x-sendfile log.file="$T/xsendfile.log"
	port=$(pick_port) || return
	url="http://127.0.0.1:$port"
	lighttpd_start lighttpd "$port" "$conf" || { fail "lighttpd starts"; return; }
	wait_until 30 health_is "$url" 200 || { fail "hark serves"; return; }
	fget GET "$url/v1/feedback/$FB1/media/audio" "${AUTH[@]}"
	check_status "200 through lighttpd" 200
	check "the file, byte-exact" body_is "$AUDIO"
	check "Content-Type audio/flac" test "$(fhdr Content-Type)" = audio/flac
	check "Content-Length" test "$(fhdr Content-Length)" = "$A_LEN"
	check "no X-Sendfile reaches the client" test -z "$(fhdr X-Sendfile)"
	check "hark's ETag" test "$(fhdr ETag)" = "\"$A_SHA\""
	check "Cache-Control: private" test "$(fhdr Cache-Control)" = private
	fget GET "$url/v1/feedback/$FB1/media/audio" "${AUTH[@]}" -H "Range: bytes=0-99"
	check_status "Range through lighttpd: 206" 206
	check "Content-Range" test "$(fhdr Content-Range)" = "bytes 0-99/$A_LEN"
	check "the first 100 bytes" body_is_part "$AUDIO" 0 100
	req GET "$url/v1/feedback/$FB1/media/audio" "${AUTH[@]}" -H "If-None-Match: \"$A_SHA\""
	check_status "If-None-Match (hark's ETag): 304" 304
	req GET "$url/v1/feedback/$FB3/media/audio" "${AUTH[@]}"
	check_hark_error "a missing file: hark's 404" 404
	req GET "$url/v1/feedback/$FB1/media/audio" -H "x-earshot-project: $PRJ_A" -H "x-earshot-key: $PK_A"
	check_hark_error "a pk_ key: 401" 401
}

# An upload through POST /v1/feedback (multipart, the seed's shape) read
# back: the files byte-exact by SHA-256, whole and by ranges, the item's
# media array naming them with the detected types.
test_upload() {
	local id sid wsha wlen
	t_ctx upload
	sid=$(printf '0190c7c2-7f6e-7%s-8%s-%s' "$(rand_hex 2 | cut -c1-3)" \
	    "$(rand_hex 2 | cut -c1-3)" "$(rand_hex 6)")
	cat >"$T/p.json" <<EOF
{"sessionId":"$sid","transcript":"","context":{"dom":null,"console":[],
"network":[],"device":{"userAgent":"Mozilla/5.0 (X11; Linux x86_64)",
"platform":"Linux x86_64","language":"en-GB","viewport":{"width":1280,
"height":720},"devicePixelRatio":2,"timezone":"Europe/Amsterdam"},
"page":{"url":"https://app.example.com/reports","referrer":"",
"title":"Reports","customAttrs":{}},"screenshotUrl":null,
"annotationLayer":null,"capturedAt":"2026-12-03T10:00:00.000Z"},
"identity":null,"audioDurationMs":600}
EOF
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $KEY_A" \
	    -F "payload=<$T/p.json;type=application/json" \
	    -F "audio=@$DATA/voice.webm;type=application/octet-stream" \
	    -F "screenshot=@$DATA/shot.png;type=image/png"
	check_status "a multipart upload: 202" 202
	id=$(json id 2>/dev/null)
	check "with the item's id" eval "[[ '$id' =~ ^fb_ ]]"
	wsha=$(sha "$DATA/voice.webm")
	wlen=$(stat -c %s "$DATA/voice.webm")
	fget GET "$URL/v1/feedback/$id/media/audio" "${AUTH[@]}"
	check_status "its audio: 200" 200
	check "typed by content: audio/webm" test "$(fhdr Content-Type)" = audio/webm
	check "byte-exact (sha256)" test "$(sha "$T/f.body")" = "$wsha"
	check "its ETag is the row's SHA-256" test "$(fhdr ETag)" = "\"$wsha\""
	fget GET "$URL/v1/feedback/$id/media/audio" "${AUTH[@]}" -H "Range: bytes=0-511"
	check_status "a range of it: 206" 206
	check "the first 512 bytes" body_is_part "$DATA/voice.webm" 0 512
	fget GET "$URL/v1/feedback/$id/media/audio" "${AUTH[@]}" -H "Range: bytes=512-"
	check "and the rest" body_is_part "$DATA/voice.webm" 512 $((wlen - 512))
	fget GET "$URL/v1/feedback/$id/media/screenshot" "${AUTH[@]}"
	check_status "its screenshot: 200" 200
	check "image/png, byte-exact (sha256)" test \
	    "$(fhdr Content-Type) $(sha "$T/f.body")" = "image/png $(sha "$DATA/shot.png")"
	req GET "$URL/v1/feedback/$id" "${AUTH[@]}"
	check_json "the item lists its audio" media.0.url "/v1/feedback/$id/media/audio"
	check_json "with the detected type" media.0.contentType audio/webm
	check_json "its size" media.0.bytes "$wlen"
	check_json "its duration (audioDurationMs)" media.0.durationMs 600
	check_json "and the screenshot" media.1.url "/v1/feedback/$id/media/screenshot"
	req GET "$URL/v1/feedback/$id/media/audio" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A"
	check_hark_error "the pk_ key that could upload cannot read: 401" 401
}

# cgi URI [ENV=VALUE...]: one CGI run of hark-fcgi (the streamed file
# body through stdout); the body byte for byte in $T/f.body, headers in
# $T/f.hdrs, the status in R_STATUS.
cgi() {
	local uri=$1
	shift
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HARK_CONFIG="$CONF" \
	    HARK_TEST_DIR="$T" GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD=GET REQUEST_URI="$uri" SCRIPT_NAME= \
	    PATH_INFO="$uri" QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 \
	    SERVER_NAME=localhost SERVER_PORT=80 SERVER_SOFTWARE=hark-test \
	    REMOTE_ADDR=127.0.0.1 REMOTE_PORT=40000 HTTP_HOST=localhost \
	    HTTP_AUTHORIZATION="Bearer $KEY_A" "$@" \
	    timeout 20 "$HARK_BUILD/hark-fcgi" </dev/null >"$T/cgi.out" 2>"$T/cgi.err"
	perl -0777 -ne 'my $i = index($_, "\r\n\r\n"); print substr($_, 0, $i + 2)' \
	    "$T/cgi.out" >"$T/f.hdrs"
	perl -0777 -ne 'my $i = index($_, "\r\n\r\n"); print substr($_, $i + 4)' \
	    "$T/cgi.out" >"$T/f.body"
	R_STATUS=$(fhdr Status)
	R_STATUS=${R_STATUS%% *}
}

test_cgi() {
	t_ctx cgi
	cgi "/v1/feedback/$FB1/media/audio"
	check_status "the audio as CGI: 200" 200
	check "Content-Length" test "$(fhdr Content-Length)" = "$A_LEN"
	check "the file, byte-exact" body_is "$AUDIO"
	cgi "/v1/feedback/$FB1/media/audio" HTTP_RANGE=bytes=-100
	check_status "a range as CGI: 206" 206
	check "the last 100 bytes" body_is_part "$AUDIO" $((A_LEN - 100)) 100
	cgi "/v1/feedback/$FB1/media/audio" HTTP_IF_NONE_MATCH="\"$A_SHA\""
	check_status "If-None-Match as CGI: 304" 304
	check "no body" test ! -s "$T/f.body"
}

t_init "${1:-}" media
t_db
setup
test_read
test_conditional
test_ranges
test_refused
test_item_json
test_upload
test_cgi
test_accel
test_xsendfile
t_summary
