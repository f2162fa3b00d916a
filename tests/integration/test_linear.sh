#!/bin/bash
# test_linear.sh: the Linear mirror end to end (issue 18), against a local stand-in for Linear's GraphQL API.
#
#	tests/integration/test_linear.sh BUILD_DIR
#
# hark-fcgi behind nginx on a real MariaDB, hark-batch --once, and
# tests/integration/linear_server.py, which checks the Authorization header
# (a personal key, sent bare), that the body is JSON with the query and its
# values in variables, and records every request.  harkctl linear set /
# show / unset (audited, bad options refused); feedback arriving makes one
# issue whose id and URL are on the row and in GET /v1/feedback/{id} as
# "tracker", with a title from the first sentence and a description with
# the message, page, reporter, triage, console errors, media links and the
# item id; a second run makes no second issue; a resolution and a
# mirrorToTracker comment become comments on it (a plain comment does
# not); a project without Linear sends nothing; GraphQL errors fail the job
# (validation, auth) or retry it (rate limit, 500) with last_error, and
# nothing is stored; a create whose answer was lost finds its issue on the
# retry instead of making a second.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

KEY=lin_api_$(rand_hex 16)
TEAM=9cfb482a-81e3-4154-b5b9-2c805e70a02d
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
batch() { timeout 120 "$HARK_BUILD/hark-batch" -c "$CONF" --once --verbose >>"$T/batch.out" 2>&1; }
JSON_CT=(-H 'Content-Type: application/json')

setup() {
	mkdir -p "$T/ln/srv"
	printf '%s\n' "$KEY" >"$T/ln/key"
	chmod 600 "$T/ln/key"
	t_spawn linear-server /usr/bin/python3 \
	    "$HARK_SRCDIR/tests/integration/linear_server.py" "$T/ln/srv" "$KEY"
	wait_until 10 test -s "$T/ln/srv/port" || { fail "the stand-in starts"; exit 1; }
	LPORT=$(cat "$T/ln/srv/port")
	CONF="$T/ln/hark.conf"
	write_hark_conf "$CONF" log.file="$T/ln/hark.log" server.workers=2 \
	    limits.rate_limit=100000 \
	    linear.api_url="http://127.0.0.1:$LPORT/graphql" linear.timeout=5 \
	    linear.public_url="https://hark.example.com/"
	PRJ=$(ctl project create "Linear") || exit 2
	PRJ_B=$(ctl project create "No tracker") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	SK_B=$(ctl key create "$PRJ_B") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start ln-nginx "$PORT" "$T/ln/hark.sock" || exit 2
	hark_standalone ln "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

# The requests the stand-in saw since the last call, one JSON line each.
seen() {
	cat "$T/ln/srv/log.jsonl" 2>/dev/null
	rm -f "$T/ln/srv/log.jsonl"
}
# pyq EXPR: EXPR over r, the JSON of each line of stdin, one result a line.
pyq() {
	python3 -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(eval(sys.argv[1]))' "$1"
}
mode() { printf '%s\n' "$1" >"$T/ln/srv/mode"; }
job() {
	sql "SELECT CONCAT_WS(' ', status, attempts) FROM jobs WHERE
	    feedback_id = '$1' AND kind = 'linear' AND
	    JSON_VALUE(payload, '$.action') = '${2:-create}'"
}
last_error() {
	sql "SELECT last_error FROM jobs WHERE feedback_id = '$1' AND
	    kind = 'linear' AND JSON_VALUE(payload, '$.action') = '${2:-create}'"
}
issue_of() { sql "SELECT linear_issue_id FROM feedback WHERE id = '$1'"; }

# submit_voice: a widget-shaped submission (payload with context and
# identity, a screenshot); sets ID.
submit_rich() {
	cat >"$T/ln/p.json" <<'JSON'
{"sessionId":"0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
"transcript":"The pay button does nothing on my phone. I tried twice [see](https://evil.example/x.png).",
"context":{"dom":null,"console":[
{"level":"log","message":"app started","stack":null,"timestamp":"2026-12-03T10:00:00Z"},
{"level":"error","message":"TypeError: cart is undefined","stack":"at pay (app.js:1)","timestamp":"2026-12-03T10:00:01Z"}],
"network":[],"device":{},"page":{"url":"https://shop.example.com/checkout"},
"screenshotUrl":null,"capturedAt":"2026-12-03T10:00:00Z"},
"identity":{"userId":"u_123","email":"pat@example.com","name":"Pat User"}}
JSON
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
	    -F "payload=<$T/ln/p.json" \
	    -F "screenshot=@$HARK_SRCDIR/tests/data/media/shot.png;type=image/png"
	check_status "a submission with context and a screenshot: 202|201" "20[12]"
	ID=$(json id)
}

submit() {
	req POST "$URL/v1/feedback" -H "Authorization: Bearer ${2:-$SK}" \
	    "${JSON_CT[@]}" -d "$1"
	ID=$(json id)
}

test_harkctl() {
	local out
	t_ctx harkctl
	"$HARK_BUILD/harkctl" -c "$CONF" linear set "$PRJ" --team-id "" \
	    --key-file "$T/ln/key" 2>/dev/null
	check "an empty --team-id is a usage error" test $? = 2
	"$HARK_BUILD/harkctl" -c "$CONF" linear set "$PRJ" --team-id "$TEAM" \
	    --key-file "$T/ln/key" --on arrival 2>/dev/null
	check "--on arrival is a usage error" test $? = 2
	"$HARK_BUILD/harkctl" -c "$CONF" linear set "$PRJ" --team-id "$TEAM" \
	    2>/dev/null
	check "no --key-file is a usage error" test $? = 2
	"$HARK_BUILD/harkctl" -c "$CONF" linear set "$PRJ" --team-id "$TEAM" \
	    --key-file "$T/ln/nothing" 2>/dev/null
	check "a key file that is not there fails" test $? = 1
	printf 'lin_api_a\nsecond line\n' >"$T/ln/twolines"
	"$HARK_BUILD/harkctl" -c "$CONF" linear set "$PRJ" --team-id "$TEAM" \
	    --key-file "$T/ln/twolines" 2>"$T/ln/err"
	check "a key file of two lines fails" test $? = 1
	check "without printing the key" eval "! grep -q 'second line' '$T/ln/err'"
	"$HARK_BUILD/harkctl" -c "$CONF" linear set prj_nope --team-id "$TEAM" \
	    --key-file "$T/ln/key" 2>/dev/null
	check "an unknown project fails" test $? = 1
	check "nothing is linked after refusals" test "$(sql "SELECT COUNT(*)
	    FROM project_linear")" = 0
	(cd "$T/ln" && "$HARK_BUILD/harkctl" -c "$CONF" linear set "$PRJ" \
	    --team-id "$TEAM" --key-file key --on triaged >/dev/null 2>&1)
	check "set with a relative key file" test $? = 0
	check "stores its absolute path" test "$(sql "SELECT key_file FROM
	    project_linear WHERE project_id = '$PRJ'")" = "$T/ln/key"
	ctl linear set "$PRJ" --team-id "$TEAM" --key-file "$T/ln/key" >/dev/null
	check "set again without --on keeps the trigger" test "$(sql "SELECT
	    trigger_on FROM project_linear WHERE project_id = '$PRJ'")" = triaged
	out=$(ctl linear show "$PRJ")
	check "show names the team" grep -q "team id:  $TEAM" <<<"$out"
	check "and the trigger" grep -q "on:       triaged" <<<"$out"
	check "never the key" eval "! grep -q '$KEY' <<<'$out'"
	ctl linear unset "$PRJ" >/dev/null
	check "unset removes the link" test "$(sql "SELECT COUNT(*) FROM
	    project_linear")" = 0
	ctl linear unset "$PRJ" >/dev/null
	check "unset again fails" test $? = 1
	ctl linear show "$PRJ" >/dev/null
	check "show without a link fails" test $? = 1
	check "each change is audit-logged" test "$(sql "SELECT
	    GROUP_CONCAT(action ORDER BY id) FROM audit_log WHERE project_id =
	    '$PRJ' AND action LIKE 'linear%'")" = "linear_set,linear_set,linear_unset"
	check "with the team and trigger, not the key file" test "$(sql "SELECT
	    detail FROM audit_log WHERE action = 'linear_set' ORDER BY id LIMIT 1")" \
	    = "team=$TEAM on=triaged"
	ctl linear set "$PRJ" --team-id "$TEAM" --key-file "$T/ln/key" \
	    --on created >/dev/null
	check "linked for the rest: on created" test "$(sql "SELECT trigger_on
	    FROM project_linear WHERE project_id = '$PRJ'")" = created
}

test_issue_created() {
	local log desc
	t_ctx create
	submit_rich
	seen >/dev/null
	batch
	check "hark-batch --once exits 0" test $? = 0
	log=$(seen)
	printf '%s\n' "$log" >"$T/ln/create.jsonl"	# for a look when it fails
	check "one request reached Linear" test "$(printf '%s\n' "$log" |
	    grep -c .)" = 1
	check "to /graphql, as JSON" test "$(pyq 'r["path"], r["content_type"]' \
	    <<<"$log")" = "('/graphql', 'application/json')"
	check "with the personal key bare (no Bearer)" test "$(pyq \
	    'r["authorization"]' <<<"$log")" = "$KEY"
	check "an issueCreate whose values are variables" test "$(pyq \
	    '"issueCreate(input: $input)" in r["query"] and "pay" not in r["query"]' \
	    <<<"$log")" = True
	check "for the team" test "$(pyq 'r["variables"]["input"]["teamId"]' \
	    <<<"$log")" = "$TEAM"
	check "titled with the first sentence" test "$(pyq \
	    'r["variables"]["input"]["title"]' <<<"$log")" = \
	    "The pay button does nothing on my phone."
	desc=$(pyq 'json.dumps(r["variables"]["input"]["description"])' <<<"$log")
	check "the description quotes the message, escaped" grep -qF \
	    '> The pay button does nothing on my phone\\. I tried twice \\[see\\]\\(https://evil\\.example/x\\.png\\)\\.' \
	    <<<"$desc"
	check "names the page" grep -qF '**Page:** https://shop\\.example\\.com/checkout' <<<"$desc"
	check "and the reporter" grep -qF '**Reporter:** Pat User, pat@example\\.com, user id u\\_123' \
	    <<<"$desc"
	check "and the triage" grep -qF '**Triage:** ' <<<"$desc"
	check "has the console error, not the log line" eval "grep -qF \
	    'TypeError: cart is undefined' <<<'$desc' && ! grep -q 'app started' <<<'$desc'"
	check "links the screenshot under public_url" grep -qF \
	    "[screenshot](<https://hark.example.com/v1/feedback/$ID/media/screenshot>)" \
	    <<<"$desc"
	check "and names the item" grep -qF "item \`$ID\`" <<<"$desc"
	check "the job is done" test "$(job "$ID")" = "done 1"
	check "the issue's id is on the row" test "$(issue_of "$ID")" = \
	    "$(pyq 'r["variables"]["input"]["id"]' <<<"$log")"
	check "and its URL" test "$(sql "SELECT linear_issue_url FROM feedback
	    WHERE id = '$ID'")" = "https://linear.app/hark-test/issue/ENG-1/feedback"
	req GET "$URL/v1/feedback/$ID" -H "Authorization: Bearer $SK"
	check_json "GET shows the tracker" tracker.provider linear
	check_json "its id" tracker.id "$(issue_of "$ID")"
	check_json "its url" tracker.url "https://linear.app/hark-test/issue/ENG-1/feedback"
	ISSUE_ITEM=$ID
	check "the key is in no log" eval "! grep -q '$KEY' '$T/ln/hark.log' '$T/batch.out'"
}

test_no_second_issue() {
	t_ctx idempotent
	# As if the job had been claimed again after its run.
	sql "UPDATE jobs SET status = 'pending', run_after = NOW(6) WHERE
	    feedback_id = '$ISSUE_ITEM' AND kind = 'linear'"
	batch
	check "the job runs again and is done" test "$(job "$ISSUE_ITEM")" = "done 2"
	check "and Linear heard nothing" test "$(seen | grep -c .)" = 0
	# Another create job for it (a triaged event): nothing either.
	sql "INSERT INTO jobs (id, kind, project_id, feedback_id, payload, status,
	    max_attempts, run_after) VALUES ('job_lnrepeat', 'linear', '$PRJ',
	    '$ISSUE_ITEM', '{\"action\":\"create\"}', 'pending', 3, NOW(6))"
	batch
	check "a second create job is done" test "$(sql "SELECT status FROM jobs
	    WHERE id = 'job_lnrepeat'")" = done
	check "without a request" test "$(seen | grep -c .)" = 0
}

test_resolution_and_comments() {
	local log
	t_ctx comments
	req PATCH "$URL/v1/feedback/$ISSUE_ITEM" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"status":"done","resolutionNote":"Fixed in 2.1"}'
	check_status "resolved: 200" 200
	batch
	log=$(seen)
	check "one request" test "$(grep -c . <<<"$log")" = 1
	check "a commentCreate on the issue" test "$(pyq \
	    '"commentCreate(input: $input)" in r["query"] and r["variables"]["input"]["issueId"]' \
	    <<<"$log")" = "$(issue_of "$ISSUE_ITEM")"
	check "saying the status and the note" test "$(pyq \
	    'json.dumps(r["variables"]["input"]["body"])' <<<"$log")" = \
	    '"Resolved in hark as **done**.\n\n> Fixed in 2\\.1\n\n"'
	check "the resolved job is done" test "$(job "$ISSUE_ITEM" resolved)" = "done 1"
	req POST "$URL/v1/feedback/$ISSUE_ITEM/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body":"Shipped the fix","authorType":"agent","authorId":"triage-bot","mirrorToTracker":true}'
	check_status "a mirrored comment: 201" 201
	req POST "$URL/v1/feedback/$ISSUE_ITEM/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body":"internal note only"}'
	check_status "a plain comment: 201" 201
	batch
	log=$(seen)
	check "one request: the mirrored comment only" test "$(grep -c . <<<"$log")" = 1
	check "its body and author" test "$(pyq \
	    'json.dumps(r["variables"]["input"]["body"])' <<<"$log")" = \
	    '"Comment in hark by agent (triage\\-bot):\n\n> Shipped the fix\n\n"'
	check "the comment job is done" test "$(job "$ISSUE_ITEM" comment)" = "done 1"
}

test_project_without_linear() {
	t_ctx "no link"
	submit '{"text":"Dark mode please. It is too bright."}' "$SK_B"
	check_status "submitted: 201|202" "20[12]"
	batch
	check "no linear job" test "$(sql "SELECT COUNT(*) FROM jobs WHERE
	    feedback_id = '$ID' AND kind = 'linear'")" = 0
	check "nothing reached Linear" test "$(seen | grep -c .)" = 0
	req GET "$URL/v1/feedback/$ID" -H "Authorization: Bearer $SK_B"
	check "GET shows tracker null" test "$(json_type tracker)" = null
}

test_graphql_errors() {
	local id log
	t_ctx errors
	mode invalid
	submit '{"text":"Export to CSV drops the last row. Every time."}'
	id=$ID
	batch
	check "a validation error fails the job at once" test "$(job "$id")" = "failed 1"
	check "with the error code as last_error" test "$(last_error "$id")" = \
	    "linear: HTTP 200, GraphQL errors: INVALID_INPUT"
	check "nothing stored on the row" test "$(issue_of "$id")" = NULL
	check "the message (which may quote input) is not kept" eval \
	    "! grep -q 'Argument Validation' '$T/ln/hark.log'"
	seen >/dev/null
	req PATCH "$URL/v1/feedback/$id" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"status":"canceled"}'
	mode ok
	batch
	check "resolving an item without an issue is done" test "$(job "$id" resolved)" = "done 1"
	check "and sends nothing" test "$(seen | grep -c .)" = 0

	mode ratelimit
	submit '{"text":"Search is slow. Very slow."}'
	id=$ID
	batch
	check "RATELIMITED is a retry" test "$(job "$id")" = "pending 1"
	check "with last_error" test "$(last_error "$id")" = \
	    "linear: HTTP 400, GraphQL errors: RATELIMITED"
	check "nothing stored" test "$(issue_of "$id")" = NULL
	mode e500
	sql "UPDATE jobs SET run_after = NOW(6) WHERE feedback_id = '$id' AND kind = 'linear'"
	batch
	check "a 500 is a retry" test "$(job "$id")" = "pending 2"
	check "with last_error" test "$(last_error "$id")" = "linear: HTTP 500"
	mode ok
	sql "UPDATE jobs SET run_after = NOW(6) WHERE feedback_id = '$id' AND kind = 'linear'"
	batch
	check "the next try makes the issue" test "$(job "$id")" = "done 3"
	check "stored" test "$(sql "SELECT linear_issue_url FROM feedback WHERE
	    id = '$id'")" = "https://linear.app/hark-test/issue/ENG-2/feedback"
	seen >/dev/null

	mode lost
	submit '{"text":"Invoices show the wrong currency."}'
	id=$ID
	batch
	check "an answer lost after the issue was made is a retry" test \
	    "$(job "$id")" = "pending 1"
	check "nothing stored yet" test "$(issue_of "$id")" = NULL
	seen >/dev/null
	mode ok
	sql "UPDATE jobs SET run_after = NOW(6) WHERE feedback_id = '$id' AND kind = 'linear'"
	batch
	log=$(seen)
	check "the retry finds the issue made" test "$(job "$id")" = "done 2"
	check "by a look-up, with no second issueCreate" test "$(pyq \
	    '"issue(id: $id)" in r["query"]' <<<"$log")" = True
	check "and stores it" test "$(sql "SELECT linear_issue_url FROM feedback
	    WHERE id = '$id'")" = "https://linear.app/hark-test/issue/ENG-3/feedback"

	printf 'lin_api_wrong\n' >"$T/ln/key"
	submit '{"text":"Login loops forever."}'
	id=$ID
	batch
	check "an authentication error fails the job" test "$(job "$id")" = "failed 1"
	check "saying so" test "$(last_error "$id")" = \
	    "linear: HTTP 400, GraphQL errors: AUTHENTICATION_ERROR"
	check "nothing stored" test "$(issue_of "$id")" = NULL
	printf '%s\n' "$KEY" >"$T/ln/key"
	rm -f "$T/ln/key"
	submit '{"text":"The key file is gone."}'
	id=$ID
	batch
	check "an unreadable key file is a retry" test "$(job "$id")" = "pending 1"
	check "saying so" test "$(last_error "$id")" = \
	    "linear: cannot read the project's key file: No such file or directory"
	printf '%s\n' "$KEY" >"$T/ln/key"
	seen >/dev/null
}

t_init "${1:-}" linear
t_db
setup
test_harkctl
test_issue_created
test_no_second_issue
test_resolution_and_comments
test_project_without_linear
test_graphql_errors
t_ctx
t_summary
