#!/bin/bash
# test_session.sh: a widget session's state and identify, end to end.
#
#	tests/integration/test_session.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB.  Sessions and their
# feedback rows are made with SQL as the uploader leaves them (processing,
# done with an item, error with a reason, one expired, one of another
# project, one of another source).  GET /v1/feedback/session/{id}/state
# answers the seed's three shapes with sk_ and pk_ keys, in either spelling
# of the headers, and 404 (field sessionId) for an unknown, expired, other
# project's or (with pk_) other source's session.  POST /v1/identify fills
# the identity on the session's anonymous rows only (and the session's), a
# pk_ key its own source's rows only, another project's session nothing
# (200, updated 0), null nothing.  Each bad input is its own check.  Last,
# the whole way through: submissions by POST /v1/feedback multipart with a
# sessionId (without audio: done at once; with audio: processing), polled
# and identified with the sk_ and the pk_ key.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')

MEDIA=$HARK_SRCDIR/tests/data/media

uuid() { cat /proc/sys/kernel/random/uuid; }

# uuid7: an RFC 9562 version 7 UUID, as the widget's session cookie holds.
uuid7() {
	local ms r
	ms=$(printf '%012x' "$(date +%s%3N)")
	r=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s-%s-7%s-%x%s-%s\n' "${ms:0:8}" "${ms:8:4}" "${r:0:3}" \
	    $(( (0x${r:3:1} & 3) | 8 )) "${r:4:3}" "${r:7:12}"
}

# payload FILE SESSION TRANSCRIPT [IDENTITY]: the seed's multipart payload.
payload() {
	cat >"$1" <<EOF
{"sessionId":"$2","transcript":"$3","context":{"dom":null,"console":[],
"network":[],"device":{"userAgent":"Mozilla/5.0 (X11; Linux x86_64)",
"platform":"Linux x86_64","language":"en-GB","viewport":{"width":1280,
"height":720},"devicePixelRatio":2,"timezone":"Europe/Amsterdam"},
"page":{"url":"https://app.example.com/reports","referrer":"",
"title":"Reports","customAttrs":{}},"screenshotUrl":null,
"annotationLayer":null,"capturedAt":"2026-12-03T10:00:00.000Z"},
"identity":${4:-null}}
EOF
}

# submit KEY [curl -F args...]: POST /v1/feedback multipart, project A.
submit() {
	local key=$1
	shift
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $key" "$@"
}
fb_id() { printf 'fb_%s' "$(tr -dc '0-9a-hjkmnp-tv-z' </dev/urandom | head -c 26)"; }
source_id() { sql "SELECT id FROM sources WHERE public_key = SHA2('$1', 256)"; }

# session PROJECT SESSION SOURCE|NULL STATUS [SQL column=value, ...]: a
# sessions row as the uploader writes it, expiring in an hour.
session() {
	local src=NULL
	[ "$3" != NULL ] && src="'$3'"
	sql "INSERT INTO sessions (project_id, session_id, source_id, status,
	    expires_at) VALUES ('$1', '$2', $src, '$4',
	    UTC_TIMESTAMP(6) + INTERVAL 1 HOUR)" || exit 2
	[ -n "${5:-}" ] && { sql "UPDATE sessions SET $5 WHERE project_id = '$1'
	    AND session_id = '$2'" || exit 2; }
	return 0
}

# item PROJECT SESSION SOURCE|NULL TEXT [SQL column=value, ...]: a feedback
# row of the session; prints its id.
item() {
	local id src=NULL
	id=$(fb_id)
	[ "$3" != NULL ] && src="'$3'"
	sql "INSERT INTO feedback (id, project_id, source_id, session_id,
	    channel, text) VALUES ('$id', '$1', $src, '$2', 'voice', '$4')" ||
	    exit 2
	[ -n "${5:-}" ] && { sql "UPDATE feedback SET $5 WHERE id = '$id'" ||
	    exit 2; }
	printf '%s' "$id"
}

# state KEY SESSION [curl options]: the state with the earshot headers of
# project A.
state() {
	local key=$1 sid=$2
	shift 2
	req GET "$URL/v1/feedback/session/$sid/state" \
	    -H "x-earshot-project: $PRJ_A" -H "x-earshot-key: $key" "$@"
}

# identify PROJECT KEY BODY: POST /v1/identify.
identify() {
	req POST "$URL/v1/identify" -H "X-Hark-Project: $1" \
	    -H "X-Hark-Key: $2" "${JSON_CT[@]}" --data-binary "$3"
}

# who ID: the identity columns of a feedback row, "-" for NULL.
who() {
	sql "SELECT CONCAT_WS('|', COALESCE(user_id, '-'),
	    COALESCE(user_email, '-'), COALESCE(user_name, '-'),
	    COALESCE(user_traits, '-')) FROM feedback WHERE id = '$1'"
}

setup() {
	mkdir -p "$T/s"
	CONF="$T/s/hark.conf"
	write_hark_conf "$CONF" log.file="$T/s/hark.log" \
	    server.workers="$WORKERS" limits.rate_limit=100000 \
	    server.max_body=1M
	PRJ_A=$(ctl project create "Project A") || exit 2
	PRJ_B=$(ctl project create "Project B") || exit 2
	SK_A=$(ctl key create "$PRJ_A") || exit 2
	SK_B=$(ctl key create "$PRJ_B") || exit 2
	PK_A=$(ctl source create "$PRJ_A" --name widget) || exit 2
	PK_A2=$(ctl source create "$PRJ_A" --name other-site) || exit 2
	PK_B=$(ctl source create "$PRJ_B" --name widget) || exit 2
	PK_ORIG=$(ctl source create "$PRJ_A" --name shop) || exit 2
	SRC_A=$(source_id "$PK_A")
	SRC_A2=$(source_id "$PK_A2")
	SRC_B=$(source_id "$PK_B")
	[ -n "$SRC_A" ] && [ -n "$SRC_A2" ] && [ -n "$SRC_B" ] || exit 2
	sql "INSERT INTO source_origins (source_id, pattern) VALUES
	    ('$(source_id "$PK_ORIG")', 'https://shop.example.com')" || exit 2

	S_PROC=$(uuid)
	session "$PRJ_A" "$S_PROC" "$SRC_A" processing
	S_DONE=$(uuid)
	F_DONE=$(item "$PRJ_A" "$S_DONE" "$SRC_A" 'the export button "does" nothing')
	session "$PRJ_A" "$S_DONE" "$SRC_A" done "feedback_id = '$F_DONE',
	    transcript = 'the export button \"does\" nothing — on Safari'"
	S_DONE_NT=$(uuid)
	F_DONE_NT=$(item "$PRJ_A" "$S_DONE_NT" "$SRC_A" 'typed, not spoken')
	session "$PRJ_A" "$S_DONE_NT" "$SRC_A" done "feedback_id = '$F_DONE_NT'"
	S_ERR=$(uuid)
	session "$PRJ_A" "$S_ERR" "$SRC_A" error "error = 'transcribe failed'"
	S_ERR_NR=$(uuid)
	session "$PRJ_A" "$S_ERR_NR" NULL error
	S_EXP=$(uuid)
	session "$PRJ_A" "$S_EXP" "$SRC_A" processing \
	    "expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
	S_GONE=$(uuid)
	F_GONE=$(item "$PRJ_A" "$S_GONE" "$SRC_A" 'deleted since')
	session "$PRJ_A" "$S_GONE" "$SRC_A" done "feedback_id = '$F_GONE'"
	sql "DELETE FROM feedback WHERE id = '$F_GONE'" || exit 2
	S_B=$(uuid)
	session "$PRJ_B" "$S_B" "$SRC_B" processing
	S_A2=$(uuid)
	session "$PRJ_A" "$S_A2" "$SRC_A2" processing
	S_SK=$(uuid)
	session "$PRJ_A" "$S_SK" NULL processing
	# An uploader that keeps the id as sent, in upper case.
	S_UP=$(uuid | tr 'a-f' 'A-F')
	session "$PRJ_A" "$S_UP" NULL processing

	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start s-nginx "$PORT" "$T/s/hark.sock" || exit 2
	hark_standalone s "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

test_state() {
	t_ctx state
	state "$PK_A" "$S_PROC"
	check_status "processing, seed headers with pk_: 200" 200
	check "the body is {\"status\":\"processing\"}" \
	    test "$(json_keys .):$(json status)" = "status:processing"
	check "never from a cache" test "$(hdr Cache-Control)" = no-store
	check "counted: RateLimit-Remaining" test -n "$(hdr RateLimit-Remaining)"
	state "$SK_A" "$S_PROC"
	check_status "the same with sk_" 200
	req GET "$URL/v1/feedback/session/$S_PROC/state" \
	    -H "X-Hark-Project: $PRJ_A" -H "X-Hark-Key: $PK_A"
	check_status "X-Hark-Project + X-Hark-Key with pk_" 200
	req GET "$URL/v1/feedback/session/$S_PROC/state" \
	    -H "Authorization: Bearer $SK_A"
	check_status "a Bearer sk_" 200

	state "$PK_A" "$S_DONE"
	check_status "done: 200" 200
	check "done has status, id, transcript" \
	    test "$(json_keys .)" = "id,status,transcript"
	check_json "status done" status done
	check_json "id is its item" id "$F_DONE"
	check_json "transcript the session's, quotes and UTF-8 intact" \
	    transcript 'the export button "does" nothing — on Safari'
	state "$SK_A" "$S_DONE_NT"
	check_json "no session transcript: the item's text" transcript \
	    'typed, not spoken'

	state "$PK_A" "$S_ERR"
	check_status "error: 200" 200
	check "error has status and error" test "$(json_keys .)" = "error,status"
	check_json "the recorded reason" error "transcribe failed"
	state "$SK_A" "$S_ERR_NR"
	check_json "no recorded reason: a short one all the same" error \
	    "processing failed"

	state "$SK_A" "$(tr 'a-f' 'A-F' <<<"$S_PROC")"
	check_status "an upper-case sessionId is the same session" 200
	check_json "and its state" status processing
	state "$SK_A" "$S_UP"
	check_status "a session stored in upper case, polled so: 200" 200
	req HEAD "$URL/v1/feedback/session/$S_PROC/state" \
	    -H "Authorization: Bearer $SK_A"
	check_status "HEAD: 200" 200
}

test_state_404() {
	t_ctx "state 404"
	state "$SK_A" "$(uuid)"
	check_hark_error "an unknown session: 404" 404
	check_json "field sessionId" error.field sessionId
	check_json "code not_found" error.code not_found
	state "$PK_A" "$S_EXP"
	check_hark_error "expired (expires_at in the past): 404" 404
	check_json "field sessionId" error.field sessionId
	state "$SK_A" "$S_EXP"
	check_hark_error "expired for sk_ too" 404
	sql "UPDATE sessions SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR
	    WHERE session_id = '$S_EXP'"
	state "$SK_A" "$S_EXP"
	check_status "the same row within its TTL: 200" 200
	sql "UPDATE sessions SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR
	    WHERE session_id = '$S_EXP'"
	state "$SK_A" "$S_B"
	check_hark_error "another project's session (sk_ of A): 404" 404
	req GET "$URL/v1/feedback/session/$S_B/state" \
	    -H "x-earshot-project: $PRJ_B" -H "x-earshot-key: $PK_B"
	check_status "which its own project sees" 200
	state "$PK_A" "$S_B"
	check_hark_error "another project's session (pk_ of A): 404" 404
	state "$PK_A" "$S_A2"
	check_hark_error "another source's session, pk_: 404" 404
	check_json "field sessionId" error.field sessionId
	req GET "$URL/v1/feedback/session/$S_A2/state" \
	    -H "x-earshot-project: $PRJ_A" -H "x-earshot-key: $PK_A2"
	check_status "its own source's key sees it" 200
	state "$SK_A" "$S_A2"
	check_status "and the project's secret key" 200
	state "$PK_A" "$S_SK"
	check_hark_error "a session filed with sk_ (no source), pk_: 404" 404
	state "$SK_A" "$S_GONE"
	check_hark_error "done, its item deleted since: 404" 404
	req HEAD "$URL/v1/feedback/session/$S_EXP/state" \
	    -H "Authorization: Bearer $SK_A"
	check_status "HEAD of an expired session: 404" 404
}

test_state_refused() {
	t_ctx "state refused"
	state "$SK_A" not-a-uuid
	check_hark_error "a sessionId that is not a UUID: 400" 400
	check_json "field sessionId" error.field sessionId
	check_json "code invalid_value" error.code invalid_value
	state "$SK_A" 00000000-0000-0000-0000-000000000000
	check_hark_error "the Nil UUID: 400" 400
	state "$SK_A" "${S_PROC//-/}"
	check_hark_error "a UUID without its dashes: 400" 400
	state "$SK_A" "$S_PROC%7D"
	check_hark_error "a UUID and a brace: 400" 400
	req GET "$URL/v1/feedback/session/$S_PROC/state"
	check_hark_error "no key: 401" 401
	check "with WWW-Authenticate" test -n "$(hdr WWW-Authenticate)"
	state sk_bogus "$S_PROC"
	check_hark_error "a wrong key: 401" 401
	req GET "$URL/v1/feedback/session/$S_PROC/state" \
	    -H "x-earshot-project: $PRJ_B" -H "x-earshot-key: $PK_A"
	check_hark_error "a pk_ under another project's header: 401" 401
	req POST "$URL/v1/feedback/session/$S_PROC/state" \
	    -H "Authorization: Bearer $SK_A"
	check_hark_error "POST on the state: 405" 405
	check "Allow: GET, HEAD, OPTIONS" test "$(hdr Allow)" = "GET, HEAD, OPTIONS"
	req DELETE "$URL/v1/feedback/session/$S_PROC/state" \
	    -H "Authorization: Bearer $SK_A"
	check_hark_error "DELETE on the state: 405" 405
	req GET "$URL/v1/feedback/session/$S_PROC/state" \
	    -H "Authorization: Bearer $PK_A" \
	    -H "Origin: https://shop.example.com"
	check_status "a browser's poll (pk_ and Origin): 200" 200
	check "with CORS" test "$(hdr Access-Control-Allow-Origin)" = \
	    https://shop.example.com
	req OPTIONS "$URL/v1/feedback/session/$S_PROC/state" \
	    -H "Origin: https://shop.example.com" \
	    -H "Access-Control-Request-Method: GET"
	check_status "its preflight: 204" 204
	check "which allows GET" eval '[[ "$(hdr Allow)" == *GET* ]]'
	state "$PK_ORIG" "$S_PROC" -H "Origin: https://evil.example.com"
	check_hark_error "pk_ from an origin its source does not allow: 403" 403
	check_json "code origin_not_allowed" error.code origin_not_allowed
	req HEAD "$URL/v1/feedback/session/not-a-uuid/state" \
	    -H "Authorization: Bearer $SK_A"
	check_status "HEAD of a bad sessionId: 400" 400
	req HEAD "$URL/v1/feedback/session/$S_PROC/state"
	check_status "HEAD without a key: 401" 401
}

test_identify() {
	local s r1 r2 r3 r4 body
	t_ctx identify
	s=$(uuid)
	session "$PRJ_A" "$s" "$SRC_A" done
	r1=$(item "$PRJ_A" "$s" "$SRC_A" 'first, anonymous')
	r2=$(item "$PRJ_A" "$s" NULL 'second, anonymous, by sk_')
	r3=$(item "$PRJ_A" "$s" "$SRC_A" 'third, known' \
	    "user_email = 'known@host.com'")
	r4=$(item "$PRJ_A" "$(uuid)" "$SRC_A" 'another session')
	body="{\"sessionId\":\"$s\",\"identity\":{\"userId\":\"u_123\",
	    \"email\":\"user@host.com\",\"name\":\"Pat User\",
	    \"traits\":{\"plan\":\"pro\"}}}"
	identify "$PRJ_A" "$SK_A" "$body"
	check_status "the seed's identify with sk_: 200" 200
	check "the body is {ok, updated}" test "$(json_keys .)" = "ok,updated"
	check_json "ok true" ok true
	check_json "updated 2 (the anonymous rows)" updated 2
	check "the first row has the identity" test "$(who "$r1")" = \
	    'u_123|user@host.com|Pat User|{"plan":"pro"}'
	check "the second too" test "$(who "$r2")" = \
	    'u_123|user@host.com|Pat User|{"plan":"pro"}'
	check "the known row keeps its own" test "$(who "$r3")" = \
	    '-|known@host.com|-|-'
	check "another session's row is untouched" test "$(who "$r4")" = '-|-|-|-'
	check "the session keeps the identity" test "$(sql "SELECT
	    JSON_VALUE(identity, '$.email') FROM sessions WHERE project_id =
	    '$PRJ_A' AND session_id = '$s'")" = user@host.com
	identify "$PRJ_A" "$SK_A" "$body"
	check_json "again: updated 0, nothing is anonymous any more" updated 0
	# A row identified by userId alone is no longer anonymous either.
	s=$(uuid)
	r1=$(item "$PRJ_A" "$s" NULL 'by id only' "user_id = 'u_9'")
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":
	    {\"email\":\"late@host.com\"}}"
	check_json "a row with only user_id set is not anonymous" updated 0
	check "and is left as it was" test "$(who "$r1")" = 'u_9|-|-|-'
	# No sessions row (a JSON submission's session): its rows all the same.
	s=$(uuid)
	r1=$(item "$PRJ_A" "$s" NULL 'no session row')
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$(tr 'a-f' 'A-F' <<<"$s")\",
	    \"identity\":{\"name\":\"Sam\"}}"
	check_json "rows without a sessions row, upper-case id: updated 1" updated 1
	check "name only" test "$(who "$r1")" = '-|-|Sam|-'
	# An expired session's rows are still its rows.
	r1=$(item "$PRJ_A" "$S_EXP" "$SRC_A" 'expired session row')
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$S_EXP\",
	    \"identity\":{\"userId\":\"u_exp\"}}"
	check_json "an expired session's rows: updated 1" updated 1
}

test_identify_scope() {
	local s r1 r2 before
	t_ctx "identify scope"
	s=$(uuid)
	session "$PRJ_A" "$s" "$SRC_A" processing
	r1=$(item "$PRJ_A" "$s" "$SRC_A" 'via source A')
	r2=$(item "$PRJ_A" "$s" "$SRC_A2" 'via source A2')
	req POST "$URL/v1/identify" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A" "${JSON_CT[@]}" --data-binary \
	    "{\"sessionId\":\"$s\",\"identity\":{\"email\":\"pk@host.com\"}}"
	check_status "with pk_ and the seed's headers: 200" 200
	check_json "updated 1: its own source's row only" updated 1
	check "that row" test "$(who "$r1")" = '-|pk@host.com|-|-'
	check "the other source's row untouched" test "$(who "$r2")" = '-|-|-|-'
	identify "$PRJ_A" "$PK_A2" "{\"sessionId\":\"$s\",\"identity\":
	    {\"email\":\"a2@host.com\"}}"
	check_json "the other source's key fills its row" updated 1
	check "the session itself is source A's: its identity A's" test "$(sql \
	    "SELECT JSON_VALUE(identity, '$.email') FROM sessions WHERE
	    project_id = '$PRJ_A' AND session_id = '$s'")" = pk@host.com

	s=$(uuid)
	session "$PRJ_A" "$s" "$SRC_A" done
	r1=$(item "$PRJ_A" "$s" "$SRC_A" 'project A row')
	before=$(sql "SELECT updated_at FROM feedback WHERE id = '$r1'")
	identify "$PRJ_B" "$SK_B" "{\"sessionId\":\"$s\",\"identity\":
	    {\"email\":\"intruder@host.com\"}}"
	check_status "another project's session: 200" 200
	check_json "updated 0" updated 0
	check "its row untouched" test "$(who "$r1")" = '-|-|-|-'
	check "not even touched" test "$(sql "SELECT updated_at FROM feedback
	    WHERE id = '$r1'")" = "$before"
	check "nor its session" test "$(sql "SELECT COALESCE(identity, '-')
	    FROM sessions WHERE project_id = '$PRJ_A' AND
	    session_id = '$s'")" = -
	identify "$PRJ_B" "$PK_B" "{\"sessionId\":\"$s\",\"identity\":
	    {\"email\":\"intruder@host.com\"}}"
	check_json "nor with its pk_" updated 0
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$(uuid)\",\"identity\":
	    {\"email\":\"nobody@host.com\"}}"
	check_status "an unknown session: 200" 200
	check_json "updated 0" updated 0

	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":null}"
	check_status "identity null: 200" 200
	check_json "updated 0" updated 0
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":{}}"
	check_json "an empty identity: updated 0" updated 0
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":
	    {\"traits\":{\"plan\":\"pro\"},\"userId\":null}}"
	check_json "traits alone name no one: updated 0" updated 0
	check "the row is still anonymous" test "$(who "$r1")" = '-|-|-|-'
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":
	    {\"email\":\"x@host.com\",\"plan\":\"pro\"},\"extra\":1}"
	check_status "unknown members are no refusal: 200" 200
	check_json "updated 1" updated 1
}

test_identify_refused() {
	local s
	t_ctx "identify refused"
	s=$(uuid)
	identify "$PRJ_A" "$SK_A" '{"sessionId":"not-a-uuid","identity":{"email":"a@host.com"}}'
	check_hark_error "a sessionId that is not a UUID: 400" 400
	check_json "field sessionId" error.field sessionId
	identify "$PRJ_A" "$SK_A" '{"sessionId":42,"identity":null}'
	check_hark_error "a sessionId that is a number: 400" 400
	check_json "field sessionId" error.field sessionId
	identify "$PRJ_A" "$SK_A" '{"identity":{"email":"a@host.com"}}'
	check_hark_error "no sessionId: 400" 400
	check_json "missing_field sessionId" error.field sessionId
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\"}"
	check_hark_error "no identity: 400" 400
	check_json "field identity" error.field identity
	check_json "code missing_field" error.code missing_field
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":\"pat\"}"
	check_hark_error "identity a string: 400" 400
	check_json "field identity" error.field identity
	check_json "code wrong_type" error.code wrong_type
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":[]}"
	check_hark_error "identity an array: 400" 400
	check_json "field identity" error.field identity
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":{\"email\":42}}"
	check_hark_error "an email that is not a string: 400" 400
	check_json "field identity.email" error.field identity.email
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":{\"email\":\"nope\"}}"
	check_hark_error "an email that is no address: 400" 400
	check_json "field identity.email" error.field identity.email
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":{\"traits\":[1]}}"
	check_hark_error "traits not an object: 400" 400
	check_json "field identity.traits" error.field identity.traits
	identify "$PRJ_A" "$SK_A" "{\"sessionId\":\"$s\",\"identity\":{\"userId\":\"$(printf 'u%.0s' $(seq 1 256))\"}}"
	check_hark_error "a userId over 255 characters: 400" 400
	check_json "field identity.userId" error.field identity.userId
	identify "$PRJ_A" "$SK_A" '{"sessionId":'
	check_hark_error "not JSON: 400" 400
	req POST "$URL/v1/identify" -H "Authorization: Bearer $SK_A" \
	    -H 'Content-Type: text/plain' --data-binary "{\"sessionId\":\"$s\",\"identity\":null}"
	check_hark_error "not application/json: 415" 415
	req POST "$URL/v1/identify" "${JSON_CT[@]}" \
	    --data-binary "{\"sessionId\":\"$s\",\"identity\":null}"
	check_hark_error "no key: 401" 401
	check "with WWW-Authenticate" test -n "$(hdr WWW-Authenticate)"
	identify "$PRJ_A" pk_00000000000000000000000000000000 \
	    "{\"sessionId\":\"$s\",\"identity\":null}"
	check_hark_error "an unknown pk_: 401" 401
	req POST "$URL/v1/identify" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_ORIG" -H "Origin: https://evil.example.com" \
	    "${JSON_CT[@]}" --data-binary "{\"sessionId\":\"$s\",\"identity\":null}"
	check_hark_error "pk_ from an origin its source does not allow: 403" 403
	head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big"
	req POST "$URL/v1/identify" -H "Authorization: Bearer $SK_A" \
	    "${JSON_CT[@]}" --data-binary @"$T/big"
	check_rejected "a body over max_json_body: 413" 413
	req OPTIONS "$URL/v1/identify" -H "Origin: https://shop.example.com" \
	    -H "Access-Control-Request-Method: POST"
	check_status "identify's preflight: 204" 204
	req GET "$URL/v1/identify" -H "Authorization: Bearer $SK_A"
	check_hark_error "GET on identify: 405" 405
	check "Allow: POST, OPTIONS" test "$(hdr Allow)" = "POST, OPTIONS"
	req PUT "$URL/v1/identify" -H "Authorization: Bearer $SK_A" \
	    "${JSON_CT[@]}" --data-binary "{\"sessionId\":\"$s\",\"identity\":null}"
	check_hark_error "PUT on identify: 405" 405
}

# The whole way: multipart submissions, polled and identified.
test_multipart() {
	local s1 s2 s3 f1 f2 f3 f4
	t_ctx multipart
	s1=$(uuid7)
	payload "$T/p.json" "$s1" "The export button does nothing on Safari"
	submit "$SK_A" -F "payload=<$T/p.json;type=application/json"
	check_status "no audio, sk_: 202" 202
	check_json "done at once" status done
	f1=$(json id)
	state "$SK_A" "$s1"
	check_status "its state: 200" 200
	check_json "done" status done
	check_json "with the item it filed" id "$f1"
	check_json "and its transcript" transcript \
	    "The export button does nothing on Safari"
	state "$PK_A" "$s1"
	check_hark_error "an sk_ submission's session, pk_: 404" 404
	req GET "$URL/v1/feedback/session/$s1/state" \
	    -H "Authorization: Bearer $SK_B"
	check_hark_error "another project's key: 404" 404

	s2=$(uuid7)
	payload "$T/p.json" "$s2" "The chart is blank"
	submit "$PK_A" -F "payload=<$T/p.json"
	check_status "no audio, the seed's pk_ headers: 202" 202
	f2=$(json id)
	state "$PK_A" "$s2"
	check_json "pk_ polls its source's session: done" status done
	check_json "with its item" id "$f2"
	state "$PK_A2" "$s2"
	check_hark_error "another source's pk_: 404" 404
	payload "$T/p.json" "$s2" "And the totals are wrong"
	submit "$PK_A" -F "payload=<$T/p.json"
	check_status "a second submission in the session: 202" 202
	f3=$(json id)
	state "$PK_A" "$s2"
	check_json "the state is the latest submission's" id "$f3"
	identify "$PRJ_B" "$SK_B" "{\"sessionId\":\"$s2\",\"identity\":
	    {\"email\":\"intruder@host.com\"}}"
	check_json "another project's identify: updated 0" updated 0
	identify "$PRJ_A" "$PK_A2" "{\"sessionId\":\"$s2\",\"identity\":
	    {\"email\":\"a2@host.com\"}}"
	check_json "another source's identify: updated 0" updated 0
	req POST "$URL/v1/identify" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A" "${JSON_CT[@]}" --data-binary \
	    "{\"sessionId\":\"$s2\",\"identity\":{\"userId\":\"u_123\",
	    \"email\":\"user@host.com\",\"name\":\"Pat User\",
	    \"traits\":{\"plan\":\"pro\"}}}"
	check_status "the seed's identify with pk_: 200" 200
	check_json "both submissions filled" updated 2
	req GET "$URL/v1/feedback/$f2" -H "Authorization: Bearer $SK_A"
	check_json "the item shows identity.userId" identity.userId u_123
	check_json "identity.email" identity.email user@host.com
	check_json "identity.name" identity.name "Pat User"
	check_json "identity.traits" identity.traits.plan pro
	check_json "and userEmail" userEmail user@host.com
	req GET "$URL/v1/feedback/$f3" -H "Authorization: Bearer $SK_A"
	check_json "the second item too" identity.email user@host.com
	payload "$T/p.json" "$s2" "One more thing"
	submit "$PK_A" -F "payload=<$T/p.json"
	f4=$(json id)
	identify "$PRJ_A" "$PK_A" "{\"sessionId\":\"$s2\",\"identity\":
	    {\"email\":\"later@host.com\"}}"
	check_json "identify again: the one anonymous submission" updated 1
	check "which took it" test "$(who "$f4" | cut -d'|' -f2)" = later@host.com
	check "the earlier ones kept theirs" test "$(who "$f2" | cut -d'|' -f2)" = \
	    user@host.com

	s3=$(uuid7)
	payload "$T/p.json" "$s3" ""
	submit "$PK_A" -F "payload=<$T/p.json" \
	    -F "audio=@$MEDIA/voice.webm;type=audio/webm"
	check_status "with audio: 202" 202
	check_json "processing" status processing
	state "$PK_A" "$s3"
	check_status "its state: 200" 200
	check_json "processing until transcribed" status processing
	check "processing is the status alone" test "$(json_keys .)" = status
	identify "$PRJ_A" "$PK_A" "{\"sessionId\":\"$s3\",\"identity\":
	    {\"userId\":\"u_voice\"}}"
	check_json "identify while processing: updated 1" updated 1
	sql "UPDATE sessions SET status = 'error', error = 'transcribe failed'
	    WHERE project_id = '$PRJ_A' AND session_id = '$s3'"
	state "$PK_A" "$s3"
	check_json "a failed transcription, as hark-batch records it" error \
	    "transcribe failed"
	sql "UPDATE sessions SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1
	    SECOND WHERE project_id = '$PRJ_A' AND session_id = '$s3'"
	state "$PK_A" "$s3"
	check_hark_error "past its TTL: 404" 404
	check "the uploader set expires_at one session_ttl on" test "$(sql "SELECT
	    ROUND(TIMESTAMPDIFF(MICROSECOND, created_at, expires_at) / 1000000)
	    FROM sessions WHERE project_id = '$PRJ_A' AND
	    session_id = '$s1'")" = 3600
}

t_init "${1:-}" session
t_db
setup
test_state
test_state_404
test_state_refused
test_identify
test_identify_scope
test_identify_refused
test_multipart
t_ctx
t_summary
