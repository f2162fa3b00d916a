#!/bin/bash
# test_inbox.sh: working the inbox as the second seed shows it: PATCH and comments.
#
#	tests/integration/test_inbox.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB.  The seed's PATCH
# (status, priority, resolutionNote, labels) and its comments (GET oldest
# first, POST) as written; resolution stamps resolvedAt and moving back
# clears it and the note; labels are normalized and filter the list; a
# category set by PATCH is a person's (triagedBy human) and survives
# enrichment; ETag and If-Match (412); every bad input of issue 18 is a 400
# (or 404, 412) that changes nothing.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')

setup() {
	mkdir -p "$T/ib"
	CONF="$T/ib/hark.conf"
	write_hark_conf "$CONF" log.file="$T/ib/hark.log" server.workers=2 \
	    limits.rate_limit=100000
	PRJ=$(ctl project create "Inbox") || exit 2
	PRJ_B=$(ctl project create "Other") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	SK_B=$(ctl key create "$PRJ_B") || exit 2
	PK=$(ctl source create "$PRJ" --name w --no-captcha) || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start ib-nginx "$PORT" "$T/ib/hark.sock" || exit 2
	hark_standalone ib "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" "${JSON_CT[@]}" \
	    -d '{"text":"Login fails with a 500 on Safari","page":"/login","userEmail":"pat@example.com"}'
	ID=$(json id)
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK_B" "${JSON_CT[@]}" \
	    -d '{"text":"another project'"'"'s item"}'
	ID_B=$(json id)
}

patch() {
	local id=$1 body=$2
	shift 2
	req PATCH "$URL/v1/feedback/$id" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $SK" "${JSON_CT[@]}" "$@" -d "$body"
}

test_patch() {
	local etag
	t_ctx patch
	patch "$ID" '{"status": "done", "priority": 1, "resolutionNote": "Fixed in v1.4", "labels": ["bug", "auth"]}'
	check_status "the seed's PATCH: 200" 200
	check_json "status done" status done
	check_json "priority 1" priority 1
	check_json "the resolution note" resolutionNote "Fixed in v1.4"
	check_json "labels replace the list (sorted)" labels.0 auth
	check_json "both of them" labels.1 bug
	check "resolvedAt is stamped" test "$(json resolvedAt)" != null
	etag=$(hdr ETag)
	check "an ETag" eval "[[ '$etag' =~ ^\\\"[0-9]{20}\\\"$ ]]"
	req GET "$URL/v1/feedback/$ID" -H "Authorization: Bearer $SK"
	check "GET gives the same ETag" test "$(hdr ETag)" = "$etag"
	check_json "and the labels" labels.1 bug
	req OPTIONS "$URL/v1/feedback/$ID" -H 'Origin: https://app.example.com' \
	    -H 'Access-Control-Request-Method: PATCH' \
	    -H 'Access-Control-Request-Headers: authorization, content-type, if-match'
	check "a browser may send If-Match with its PATCH (preflight)" \
	    eval '[ "$R_STATUS" = 204 ] && hdr Access-Control-Allow-Headers | grep -q if-match'
	patch "$ID" '{"status": "in_progress"}' -H "If-Match: \"20200101000000000000\""
	check_hark_error "a stale If-Match: 412" 412
	check "nothing changed" test "$(sql "SELECT status FROM feedback WHERE
	    id = '$ID'")" = done
	patch "$ID" '{"status": "in_progress"}' -H "If-Match: $etag"
	check_status "the current If-Match: 200" 200
	check_json "moving back out of done" status in_progress
	check_json "clears resolvedAt" resolvedAt null
	check_json "and the note" resolutionNote null
	check_json "labels kept when not given" labels.0 auth
	check "a new ETag" test "$(hdr ETag)" != "$etag"
	patch "$ID" '{"labels": ["  UI ", "ui", "Auth"], "priority": null}'
	check_status "labels normalized, duplicates dropped; priority null" 200
	check_json "lower case, trimmed" labels.0 auth
	check_json "one ui" labels.1 ui
	check "two labels" test "$(sql "SELECT COUNT(*) FROM feedback_labels
	    WHERE feedback_id = '$ID'")" = 2
	check_json "priority cleared" priority null
	patch "$ID" '{"labels": []}'
	check_json "an empty list clears them" labels "[]"
	patch "$ID" '{"labels": ["bug"], "category": "question"}'
	check_json "a person's category" category question
	check_json "recorded as human" triagedBy human
	req GET "$URL/v1/feedback?label=bug" -H "Authorization: Bearer $SK"
	check_json "?label= filters the list" data.0.id "$ID"
	req GET "$URL/v1/feedback?label=nothing" -H "Authorization: Bearer $SK"
	check_json "and an unknown label finds nothing" data "[]"
	patch "$ID" '{"status": "canceled"}'
	check_json "canceled resolves too" status canceled
	check "resolvedAt again" test "$(json resolvedAt)" != null
}

# refused NAME STATUS FIELD BODY [ID]: nothing changes.
refused() {
	local before after
	before=$(sql "SELECT CONCAT(status, '/', COALESCE(priority, '-'), '/',
	    updated_at) FROM feedback WHERE id = '$ID'")
	patch "${5:-$ID}" "$4"
	check_hark_error "$1: $2" "$2"
	[ -n "$3" ] && check_json "$1: field $3" error.field "$3"
	after=$(sql "SELECT CONCAT(status, '/', COALESCE(priority, '-'), '/',
	    updated_at) FROM feedback WHERE id = '$ID'")
	check "$1: nothing changed" test "$before" = "$after"
}

test_patch_bad() {
	local l21 l65
	t_ctx "patch bad input"
	refused "an unknown status" 400 status '{"status": "closed"}'
	refused "priority 5" 400 priority '{"priority": 5}'
	refused "priority -1" 400 priority '{"priority": -1}'
	refused 'priority "1"' 400 priority '{"priority": "1"}'
	l21=$(for i in $(seq 21); do printf '"l%d",' "$i"; done)
	refused "21 labels" 400 "labels" "{\"labels\": [${l21%,}]}"
	l65=$(head -c 65 /dev/zero | tr '\0' x)
	refused "a 65-character label" 400 "labels[0]" "{\"labels\": [\"$l65\"]}"
	refused "an empty label" 400 "labels[0]" '{"labels": ["  "]}'
	refused "an unknown member" 400 stauts '{"stauts": "done"}'
	refused "an unknown category" 400 category '{"category": "complaint"}'
	refused "another project's item" 404 id '{"status": "done"}' "$ID_B"
	refused "no such item" 404 id '{"status": "done"}' fb_0000000000000000000000000z
	req PATCH "$URL/v1/feedback/$ID" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $PK" "${JSON_CT[@]}" -d '{"status":"done"}'
	check_hark_error "a public key: 401" 401
	patch "$ID" '{"status": "done"}' -H 'If-Match: junk'
	check_hark_error "an If-Match that is no version: 412" 412
}

test_comments() {
	local c1 long
	t_ctx comments
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body": "Reproduced on iOS 17", "authorType": "agent", "authorId": "claude-opus-4-7", "notifySubmitter": false, "mirrorToTracker": false}'
	check_status "the seed's comment: 201" 201
	check_json "its body" body "Reproduced on iOS 17"
	check_json "authorType agent" authorType agent
	check_json "authorId" authorId claude-opus-4-7
	c1=$(json id)
	check "a cmt_ id" eval "[[ '$c1' =~ ^cmt_ ]]"
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body": "Fix deployed"}'
	check_status "authorType defaults to human: 201" 201
	check_json "human" authorType human
	check_json "no authorId" authorId null
	req GET "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK"
	check_status "GET the comments: 200" 200
	check_json "oldest first" data.0.id "$c1"
	check_json "then the second" data.1.body "Fix deployed"
	check_json "no next page" nextCursor null
	req GET "$URL/v1/feedback/$ID/comments?limit=1" -H "Authorization: Bearer $SK"
	check_json "a page of one" data.0.id "$c1"
	check_json "names the next" nextCursor "$c1"
	req GET "$URL/v1/feedback/$ID/comments?limit=1&cursor=$c1" \
	    -H "Authorization: Bearer $SK"
	check_json "which holds the second" data.0.body "Fix deployed"
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body": ""}'
	check_hark_error "an empty body: 400" 400
	long=$(head -c 8001 /dev/zero | tr '\0' c)
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d "{\"body\": \"$long\"}"
	check_hark_error "8001 characters: 400" 400
	check_json "naming body" error.field body
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body": "x", "authorType": "robot"}'
	check_hark_error "authorType robot: 400" 400
	check_json "naming authorType" error.field authorType
	req POST "$URL/v1/feedback/$ID_B/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body": "x"}'
	check_hark_error "on another project's item: 404" 404
	req GET "$URL/v1/feedback/$ID_B/comments" -H "Authorization: Bearer $SK"
	check_hark_error "listing another project's: 404" 404
	check "only the two comments are stored" test "$(sql "SELECT COUNT(*)
	    FROM comments")" = 2
	req GET "$URL/v1/feedback/$ID/comments?cursor=nope" -H "Authorization: Bearer $SK"
	check_hark_error "a junk cursor: 400" 400
}

# Every change made through the API is audited (harkctl audit), without
# the text it carried.
test_audit() {
	local out kid gone
	t_ctx audit
	ctl audit "$PRJ" --limit 1000 >"$T/ib/audit.out"
	check "harkctl audit PROJECT exits 0" test $? = 0
	check "a PATCH is audited with what it changed" grep -qE \
	    "feedback_update +key_[0-9a-z]+ .*$ID: status=done priority=1 resolutionNote labels=2" \
	    "$T/ib/audit.out"
	check "a comment is audited" grep -qE "comment_create .*$ID: cmt_[0-9a-z]+ authorType=human" \
	    "$T/ib/audit.out"
	check "no text of the item or note is in it" eval "! grep -qE \
	    'Fixed in v1.4|Safari|Fix deployed' '$T/ib/audit.out'"
	check "the other project's changes are not listed" eval "! grep -q \
	    '$PRJ_B' '$T/ib/audit.out'"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" "${JSON_CT[@]}" \
	    -d '{"text":"to be deleted"}'
	gone=$(json id)
	req DELETE "$URL/v1/feedback/$gone" -H "Authorization: Bearer $SK"
	check_status "a DELETE: 204" 204
	out=$(ctl audit "$PRJ" --action feedback_delete)
	check "a DELETE is audited, --action filters" eval "[ \$(printf '%s\n' \
	    \"\$out\" | grep -c feedback_delete) = 1 ] && [[ \"\$out\" == *$gone* ]]"
	check "--limit 1 prints one row under the header" test \
	    "$(ctl audit "$PRJ" --limit 1 | wc -l)" = 2
	check "--since in the future prints none" test \
	    "$(ctl audit --since 2999-01-01T00:00:00Z | wc -l)" = 1
	ctl audit "$PRJ" --limit 0 >/dev/null 2>&1
	check "--limit 0: usage error (2)" test $? = 2
	ctl audit --since yesterday >/dev/null 2>&1
	check "--since yesterday: usage error (2)" test $? = 2
	ctl audit prj_nosuchproject0000000000000 >/dev/null 2>&1
	check "an unknown project: 1" test $? = 1
	ctl audit "$PRJ" "$PRJ_B" >/dev/null 2>&1
	check "two projects: usage error (2)" test $? = 2
}

t_init "${1:-}" ib
t_db
setup
test_patch
test_patch_bad
test_comments
test_audit
t_ctx
t_summary
