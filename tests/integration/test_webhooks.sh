#!/bin/bash
# test_webhooks.sh: webhook endpoints (harkctl webhook) and their deliveries by hark-batch, verified with the reference standardwebhooks library.
#
#	tests/integration/test_webhooks.sh BUILD_DIR
#
# A local receiver (tests/integration/webhook_receiver.mjs, node) checks
# every request it gets with npm's standardwebhooks (the exact version of
# tests/webhooks/package-lock.json, installed by npm ci from the npm
# registry on a first run, npm's cache after): never with hark's code.
# Events come from the API as a client makes them (PATCH, a comment, a
# new item), fanned out and sent by hark-batch --once.  Checked: harkctl's
# bad input (URL, events, project, ids, options); add prints a whsec_
# secret once and list never shows it; an endpoint that answers 500 then
# 200 gets the delivery twice, accepts it once, both signed validly with
# the same webhook-id and the stored payload's exact bytes, and the log
# says delivered after 2 attempts; an endpoint of other events, or of
# another project, gets nothing; feedback.created reaches its endpoint
# once; an endpoint that is always down ends failed after the last
# attempt; a Retry-After is honoured (within a cap); after rotate-secret
# only the new secret verifies; no answer, nothing listening and a
# redirect (not followed) are retried; a removed endpoint's queued
# delivery is sent nowhere; add, remove and rotate-secret are in the audit
# log, without the secret.  The receiver is on 127.0.0.1, so the suite's
# config sets [webhook] allow_private = yes; with it off (the default),
# harkctl refuses loopback, link-local and private URLs, and a delivery to
# a name that resolves to loopback fails at once without reaching it,
# saying why, unless [webhook] allow_networks names the address.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WH_DIR=$HARK_SRCDIR/tests/webhooks
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
batch() { timeout 120 "$HARK_BUILD/hark-batch" -c "$CONF" "$@"; }
JSON_CT=(-H 'Content-Type: application/json')

# ctl_out ARGS...: harkctl; its stdout in $T/stdout, both outputs in
# $T/out, its status in RC.
ctl_out() {
	"$HARK_BUILD/harkctl" -c "$CONF" "$@" >"$T/stdout" 2>"$T/stderr"
	RC=$?
	cat "$T/stdout" "$T/stderr" >"$T/out"
}

# standardwebhooks_ready: node_modules holds the locked standardwebhooks.
standardwebhooks_ready() {
	local want got
	want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/standardwebhooks"].version)' \
	    "$WH_DIR/package-lock.json") || return 1
	got=$(node -e 'console.log(require(process.argv[1]).version)' \
	    "$WH_DIR/node_modules/standardwebhooks/package.json" 2>/dev/null)
	[ "$got" = "$want" ] && return 0
	(cd "$WH_DIR" && npm ci --no-audit --no-fund --ignore-scripts) \
	    >>"$T/npm-ci.log" 2>&1
}

setup() {
	t_ctx setup
	check "node and npm are installed" eval "command -v node && command -v npm"
	if standardwebhooks_ready; then
		pass "standardwebhooks of package-lock.json (npm ci)"
	else
		fail "standardwebhooks of package-lock.json (npm ci)" \
		    "$(tail -n 5 "$T/npm-ci.log" | tr '\n' ' ')"
		exit 1
	fi
	RD="$T/recv"
	mkdir -p "$T/wh" "$RD/secrets" "$RD/bodies"
	t_spawn receiver node "$HARK_SRCDIR/tests/integration/webhook_receiver.mjs" "$RD"
	wait_until 10 test -s "$RD/port" || { fail "the receiver starts"; exit 1; }
	RURL="http://127.0.0.1:$(cat "$RD/port")"
	CONF="$T/wh/hark.conf"
	write_hark_conf "$CONF" log.file="$T/wh/hark.log" server.workers=2 \
	    limits.rate_limit=100000 batch.lease=60
	# The receiver is on 127.0.0.1: private endpoints allowed, except
	# in test_private's copies of this file.
	printf '\n[webhook]\ntimeout = 2\nallow_private = yes\n' >>"$CONF"
	PRJ=$(ctl project create "Webhooks") || exit 2
	PRJ_B=$(ctl project create "Other") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start wh-nginx "$PORT" "$T/wh/hark.sock" || exit 2
	hark_standalone wh "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" "${JSON_CT[@]}" \
	    -d '{"text":"The export button does nothing in Firefox — ça plante 🙃","page":"/reports"}'
	ID=$(json id)
	# The item's own jobs (enrich) first.
	batch --once >/dev/null 2>&1
}

# add NAME URL [harkctl options]: adds an endpoint, sets WID and SECRET,
# and gives the receiver the secret.
add() {
	local name=$1 url=$2 line
	shift 2
	line=$(ctl webhook add "$PRJ" "$url" "$@") || return 1
	WID=${line%% *}
	SECRET=${line#* }
	printf '%s\n' "$SECRET" >"$RD/secrets/$name"
}

# The requests the receiver logged for NAME (JSON lines).
got() { grep -F "\"name\":\"$1\"" "$RD/log.jsonl" 2>/dev/null; }
ngot() { got "$1" | wc -l; }

# The item's changes through the API, each an event hark-batch fans out.
patch() {
	req PATCH "$URL/v1/feedback/$ID" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $SK" "${JSON_CT[@]}" -d "$1"
	[ "$R_STATUS" = 200 ] || fail "PATCH $1" "status $R_STATUS: $R_BODY"
}
comment() {
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d "{\"body\": \"$1\"}"
	[ "$R_STATUS" = 201 ] || fail "POST comment" "status $R_STATUS: $R_BODY"
	CMT=$(json id)
}
# updated: a feedback.updated (the priority changed).
PRIO=1
updated() { PRIO=$(( PRIO % 4 + 1 )); patch "{\"priority\": $PRIO}"; }
# resolved: feedback.updated and feedback.resolved (reopened first).
resolved() { patch '{"status": "triaged"}'; patch '{"status": "done"}'; }

# dlv_of WID EVENT: the endpoint's newest delivery of EVENT.
dlv_of() { sql "SELECT id FROM webhook_deliveries WHERE webhook_id = '$1'
    AND event = '$2' ORDER BY created_at DESC LIMIT 1"; }
job_of() { sql "SELECT $2 FROM jobs WHERE kind = 'webhook' AND
    JSON_VALUE(payload, '$.delivery') = '$1'"; }

# due: every pending job may run now (the back-off skipped).
due() { sql "UPDATE jobs SET run_after = UTC_TIMESTAMP(6) WHERE status = 'pending'"; }

dlv() { sql "SELECT CONCAT_WS(' ', status, attempts, IFNULL(last_status, '-'))
    FROM webhook_deliveries WHERE id = '$1'"; }

# stored ID: the delivery's payload as stored, bytes exact.
stored() { sql "SELECT REPLACE(TO_BASE64(payload), CHAR(10), '') FROM
    webhook_deliveries WHERE id = '$1'" | base64 -d; }

test_bad_input() {
	local n
	t_ctx "bad input"
	ctl_out webhook add "$PRJ" "ftp://hooks.example.com/x"
	check "an ftp:// URL is refused (2)" test "$RC" = 2
	check "saying http or https" grep -q "http or https" "$T/out"
	ctl_out webhook add "$PRJ" "hooks.example.com/x"
	check "a URL without a scheme is refused (2)" test "$RC" = 2
	check "saying it is not a URL" grep -q "is not a URL" "$T/out"
	ctl_out webhook add "$PRJ" "https://"
	check "a URL without a host is refused (2)" test "$RC" = 2
	ctl_out webhook add "$PRJ" "http:///hook"
	check "http:///hook (no host) is refused (2)" test "$RC" = 2
	ctl_out webhook add "$PRJ" "https://hooks.example.com/a b"
	check "a URL with a space is refused (2)" test "$RC" = 2
	ctl_out webhook add "$PRJ" "https://hooks.example.com/$(head -c 2100 /dev/zero | tr '\0' a)"
	check "a URL over 2048 bytes is refused (2)" test "$RC" = 2
	ctl_out webhook add "$PRJ" "$RURL/x/ok" --events feedback.created,feedback.deleted
	check "an unknown event is refused (2)" test "$RC" = 2
	check "naming it" grep -q '"feedback.deleted"' "$T/out"
	ctl_out webhook add "$PRJ" "$RURL/x/ok" --events feedback.triaged
	check "the internal feedback.triaged is no webhook event (2)" test "$RC" = 2
	ctl_out webhook add "$PRJ" "$RURL/x/ok" --events ""
	check "an empty event list is refused (2)" test "$RC" = 2
	ctl_out webhook add "$PRJ" "$RURL/x/ok" --events comment.created,
	check "an empty event name is refused (2)" test "$RC" = 2
	ctl_out webhook add prj_zzzzzzzzzzzzzzzzzzzzzzzzzz "$RURL/x/ok"
	check "an unknown project fails (1)" test "$RC" = 1
	check "saying so" grep -q "no such project" "$T/out"
	ctl_out webhook add nope "$RURL/x/ok"
	check "a malformed project id fails (1)" test "$RC" = 1
	ctl_out webhook add "$PRJ"
	check "add without URL: usage (2)" test "$RC" = 2
	ctl_out webhook add "$PRJ" "$RURL/x/ok" extra
	check "add with an extra operand: usage (2)" test "$RC" = 2
	ctl_out webhook add "$PRJ" "$RURL/x/ok" --secret abc
	check "add with an unknown option: usage (2)" test "$RC" = 2
	n=$(sql "SELECT COUNT(*) FROM webhooks")
	check "none of them made an endpoint" test "$n" = 0
	ctl_out webhook remove whk_zzzzzzzzzzzzzzzzzzzzzzzzzz
	check "removing an unknown endpoint fails (1)" test "$RC" = 1
	check "saying so" grep -q "no such webhook" "$T/out"
	ctl_out webhook rotate-secret whk_zzzzzzzzzzzzzzzzzzzzzzzzzz
	check "rotating an unknown endpoint's secret fails (1)" test "$RC" = 1
	ctl_out webhook remove "../../etc/passwd"
	check "a malformed webhook id fails (1)" test "$RC" = 1
	check "saying what an id looks like" grep -q "not a webhook id" "$T/out"
	ctl_out webhook deliveries "$PRJ" --status sent
	check "deliveries --status sent: usage (2)" test "$RC" = 2
	ctl_out webhook deliveries "$PRJ" --limit 0
	check "deliveries --limit 0: usage (2)" test "$RC" = 2
	ctl_out webhook deliveries "$PRJ" --limit 1001
	check "deliveries --limit 1001: usage (2)" test "$RC" = 2
	ctl_out webhook deliveries "$PRJ" --limit 5x
	check "deliveries --limit 5x: usage (2)" test "$RC" = 2
	ctl_out webhook list prj_zzzzzzzzzzzzzzzzzzzzzzzzzz
	check "list of an unknown project fails (1)" test "$RC" = 1
	ctl_out webhook list
	check "list without a project: usage (2)" test "$RC" = 2
	ctl_out webhook rotate-secret whk_zzzzzzzzzzzzzzzzzzzzzzzzzz extra
	check "rotate-secret with an extra operand: usage (2)" test "$RC" = 2
	ctl_out webhook deliveries prj_zzzzzzzzzzzzzzzzzzzzzzzzzz
	check "deliveries of an unknown project fail (1)" test "$RC" = 1
	ctl_out webhook deliveries whk_zzzzzzzzzzzzzzzzzzzzzzzzzz
	check "deliveries of an unknown endpoint fail (1)" test "$RC" = 1
	ctl_out webhook frobnicate
	check "an unknown webhook command: usage (2)" test "$RC" = 2
}

test_add_list() {
	local out
	t_ctx "add and list"
	ctl_out webhook add "$PRJ" "$RURL/flaky/fail-once"
	check "add exits 0" test "$RC" = 0
	out=$(head -n 1 "$T/stdout")
	check "it prints the id and a whsec_ secret" \
	    eval "[[ '$out' =~ ^whk_[0-9a-z]{26}\ whsec_[A-Za-z0-9+/]{43}=$ ]]"
	check "the secret is 32 bytes of base64" test "$(printf '%s' "${out#* whsec_}" |
	    base64 -d | wc -c)" = 32
	check "and says it is shown once" grep -q "shown only this once" "$T/out"
	A=${out%% *}
	A_SECRET=${out#* }
	printf '%s\n' "$A_SECRET" >"$RD/secrets/flaky"
	add created "$RURL/created/ok" --events feedback.created
	B=$WID
	add updated "$RURL/updated/ok" --events feedback.updated,comment.created,feedback.updated
	C=$WID
	add other "$RURL/other/ok" --events feedback.updated
	sql "UPDATE webhooks SET project_id = '$PRJ_B' WHERE id = '$WID'"
	check "two adds make two secrets" test "$(cat "$RD/secrets/created")" != "$A_SECRET"
	ctl_out webhook list "$PRJ"
	check "list exits 0" test "$RC" = 0
	check "list shows the three endpoints of the project" \
	    test "$(grep -c '^whk_' "$T/out")" = 3
	check "all four events by default" grep -q "^$A .*feedback.created,feedback.updated,feedback.resolved,comment.created $RURL/flaky/fail-once\$" "$T/out"
	check "--events as given, in order, once each" \
	    grep -q "^$C .*feedback.updated,comment.created $RURL/updated/ok\$" "$T/out"
	check "list never shows a secret" eval "! grep -q whsec_ '$T/out'"
	check "nor its base64" eval "! grep -qF '${A_SECRET#whsec_}' '$T/out'"
	check "the secret is stored as its 32 raw bytes" test "$(sql "SELECT
	    TO_BASE64(secret) FROM webhooks WHERE id = '$A'")" = "${A_SECRET#whsec_}"
	check "add is audit-logged" test "$(sql "SELECT COUNT(*) FROM audit_log
	    WHERE action = 'webhook_add' AND project_id = '$PRJ' AND detail LIKE '%$A%'")" = 1
	check "harkctl audit shows it" eval "ctl audit '$PRJ' --action webhook_add | grep -q '$A'"
	check "without the secret or the URL" test "$(sql "SELECT COUNT(*) FROM
	    audit_log WHERE action LIKE 'webhook\_%' AND (detail LIKE '%whsec%'
	    OR detail LIKE '%${A_SECRET:6:20}%' OR detail LIKE '%127.0.0.1%')")" = 0
}

test_retry_then_delivered() {
	local line1 line2 ts1 ts2 dlv_a dlv_c
	t_ctx "500 then 200"
	updated
	batch --once >"$T/b1.out" 2>&1
	check "hark-batch --once exits 0" test $? = 0
	dlv_a=$(dlv_of "$A" feedback.updated)
	dlv_c=$(dlv_of "$C" feedback.updated)
	check "PATCH: a feedback.updated delivery for each of the two subscribers" \
	    test "$(sql "SELECT COUNT(*) FROM webhook_deliveries")" = 2 -a -n "$dlv_a" -a -n "$dlv_c"
	check "the flaky endpoint got one request" test "$(ngot flaky)" = 1
	check "and answered it 500" test "$(json answered "$(got flaky)")" = 500
	check "the delivery is pending after attempt 1 (HTTP 500)" \
	    test "$(dlv "$dlv_a")" = "pending 1 500"
	check "its last error says HTTP 500" test "$(sql "SELECT last_error FROM
	    webhook_deliveries WHERE id = '$dlv_a'")" = "HTTP 500"
	check "its job waits for a retry" test "$(job_of "$dlv_a" "CONCAT(status,
	    ' ', attempts, ' ', run_after > UTC_TIMESTAMP(6))")" = "pending 1 1"
	check "the other subscriber has it at once" test "$(dlv "$dlv_c")" = "delivered 1 200"
	check "the feedback.created endpoint got nothing" test "$(ngot created)" = 0
	check "nor another project's endpoint" test "$(ngot other)" = 0
	sleep 1		# a later second: the retry's timestamp must be its own
	due
	batch --once >"$T/b2.out" 2>&1
	check "the second run exits 0" test $? = 0
	check "the flaky endpoint got the delivery twice" test "$(ngot flaky)" = 2
	line1=$(got flaky | sed -n 1p)
	line2=$(got flaky | sed -n 2p)
	check "accepted once, the second time (200)" test "$(got flaky |
	    grep -c '"answered":200')" = 1 -a "$(json answered "$line2")" = 200
	check "the first attempt verifies with standardwebhooks" \
	    test "$(json verified "$line1")" = "[0]"
	check "the second attempt verifies with standardwebhooks" \
	    test "$(json verified "$line2")" = "[0]"
	check "both carry the delivery's id as webhook-id" \
	    test "$(json id "$line1") $(json id "$line2")" = "$dlv_a $dlv_a"
	ts1=$(json timestamp "$line1")
	ts2=$(json timestamp "$line2")
	check "each attempt has its own webhook-timestamp, near now" eval \
	    "[ $ts2 -gt $ts1 ] && [ $(( $(date +%s) - ts2 )) -lt 60 ]"
	check "and its own signature" test "$(json signature "$line1")" != "$(json signature "$line2")"
	check "the payload's type is feedback.updated" \
	    test "$(json body.type "$line2")" = feedback.updated
	check "it is about the item" test "$(json body.data.feedback.id "$line2")" = "$ID"
	check "as the API renders it, the change included" \
	    test "$(json body.data.feedback.text "$line2") $(json body.data.feedback.priority "$line2")" = \
	    "The export button does nothing in Firefox — ça plante 🙃 $PRIO"
	check "and an RFC 3339 timestamp" eval "[[ '$(json body.timestamp "$line2")' =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,}Z$ ]]"
	check "sent as application/json" test "$(json contentType "$line2")" = application/json
	check "by hark/VERSION" eval "[[ '$(json userAgent "$line2")' == hark/* ]]"
	stored "$dlv_a" >"$T/stored"
	check "non-ASCII text is sent as UTF-8, not escaped" grep -q "ça plante" "$(json file "$line2")"
	check "the body is the stored payload, byte for byte, both times" eval \
	    "cmp -s '$T/stored' '$(json file "$line1")' && cmp -s '$T/stored' '$(json file "$line2")'"
	check "the delivery is delivered after 2 attempts (HTTP 200)" \
	    test "$(dlv "$dlv_a")" = "delivered 2 200"
	check "with its time and no error left" test "$(sql "SELECT CONCAT(
	    delivered_at IS NOT NULL, IFNULL(last_error, '-')) FROM
	    webhook_deliveries WHERE id = '$dlv_a'")" = "1-"
	check "its job is done" test "$(job_of "$dlv_a" "CONCAT(status, ' ', attempts)")" = "done 2"
	ctl_out webhook deliveries "$A"
	check "harkctl webhook deliveries shows it delivered, attempts 2, HTTP 200" \
	    grep -Eq "^$dlv_a +$A +feedback.updated +delivered +2 +200 " "$T/out"
	ctl_out webhook deliveries "$PRJ"
	check "deliveries PROJECT lists both" test "$(grep -c '^msg_' "$T/out")" = 2
	ctl_out webhook deliveries "$PRJ" --limit 1
	check "--limit 1: one" test "$(grep -c '^msg_' "$T/out")" = 1
	ctl_out webhook deliveries "$PRJ" --status pending
	check "--status pending: none" test "$(grep -c '^msg_' "$T/out")" = 0
	due
	batch --once >/dev/null 2>&1
	check "nothing is sent again" test "$(ngot flaky)" = 2
}

test_created() {
	local id2 line d
	t_ctx feedback.created
	: >"$RD/log.jsonl"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" "${JSON_CT[@]}" \
	    -d '{"text":"Dark mode would be lovely","page":"/settings"}'
	id2=$(json id)
	batch --once >/dev/null 2>&1
	check "a new item reaches the feedback.created endpoint" test "$(ngot created)" = 1
	line=$(got created)
	check "verified by standardwebhooks" test "$(json verified "$line")" = "[0]"
	check "its type is feedback.created" test "$(json body.type "$line")" = feedback.created
	check "about the new item" test "$(json body.data.feedback.id "$line")" = "$id2"
	check "the endpoint of every event has it too (its first attempt)" \
	    test "$(got flaky | grep -c "\"$id2\"")" = 1
	check "the feedback.updated endpoint does not" test "$(ngot updated)" = 0
	check "nor the first item, filed before the endpoint existed" \
	    test "$(sql "SELECT COUNT(*) FROM webhook_deliveries WHERE
	    event = 'feedback.created' AND feedback_id = '$ID'")" = 0
	due
	batch --once >/dev/null 2>&1
	check "no repeat for the endpoint that accepted it" test "$(ngot created)" = 1
}

test_down_fails() {
	local wid d
	t_ctx "always down"
	add down "$RURL/down/down" --events feedback.resolved
	wid=$WID
	resolved
	batch --once --jobs events,notify >/dev/null 2>&1
	d=$(dlv_of "$wid" feedback.resolved)
	check "resolving the item: a feedback.resolved delivery" test -n "$d"
	check "made for the two endpoints that take it" test "$(sql "SELECT
	    COUNT(*) FROM webhook_deliveries WHERE event = 'feedback.resolved'")" = 2
	check "its job has the kind's 8 attempts" test "$(job_of "$d" max_attempts)" = 8
	sql "UPDATE jobs SET max_attempts = 2 WHERE JSON_VALUE(payload, '$.delivery') = '$d'"
	batch --once >/dev/null 2>&1
	due
	batch --once >"$T/b3.out" 2>&1
	check "hark-batch exits 0 when a delivery fails" test $? = 0
	check "it was tried twice" test "$(ngot down)" = 2
	check "each attempt verified" test "$(got down | grep -c '"verified":\[0\]')" = 2
	check "after its last attempt the delivery is failed" \
	    test "$(dlv "$d")" = "failed 2 500"
	check "and its job failed" test "$(job_of "$d" status)" = failed
	ctl_out webhook deliveries "$PRJ" --status failed
	check "deliveries --status failed lists it alone" test "$(grep -c '^msg_' "$T/out") $(grep -c "^$d " "$T/out")" = "1 1"
	due
	batch --once >/dev/null 2>&1
	check "nothing more is sent" test "$(ngot down)" = 2
	# Retry-After: a 503 asking for 600 s waits that long, not the
	# back-off; one asking for more than an hour waits an hour.
	sql "UPDATE webhooks SET url = '$RURL/down/busy', events = 'comment.created' WHERE id = '$wid'"
	comment "Looking into it"
	batch --once >/dev/null 2>&1
	d=$(dlv_of "$wid" comment.created)
	check "a comment: a comment.created delivery" test -n "$d"
	check "a 503 with Retry-After: 600 (busy) is retried" test "$(dlv "$d")" = "pending 1 503"
	check "after about 600 s, not the back-off" test "$(job_of "$d" "
	    TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), run_after) BETWEEN 590 AND 601")" = 1
	sql "UPDATE webhooks SET url = '$RURL/down/busy-long' WHERE id = '$wid'"
	sql "UPDATE jobs SET run_after = UTC_TIMESTAMP(6) WHERE JSON_VALUE(payload, '$.delivery') = '$d'"
	batch --once >/dev/null 2>&1
	check "a Retry-After of two days is held to an hour" test "$(job_of "$d" "
	    TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), run_after) BETWEEN 3590 AND 3601")" = 1
	line=$(got down | tail -n 1)
	check "the comment's delivery carries the comment" test "$(json body.data.comment.id "$line") $(json body.data.comment.body "$line")" = "$CMT Looking into it"
	sql "DELETE FROM jobs WHERE JSON_VALUE(payload, '$.delivery') = '$d'"
	sql "DELETE FROM webhooks WHERE id = '$wid'"
}

test_rotate() {
	local new line
	t_ctx rotate-secret
	ctl_out webhook rotate-secret "$A"
	check "rotate-secret exits 0" test "$RC" = 0
	new=$(head -n 1 "$T/stdout")
	check "it prints a new whsec_ secret" eval "[[ '$new' =~ ^whsec_[A-Za-z0-9+/]{43}=$ ]] && [ '$new' != '$A_SECRET' ]"
	check "rotate-secret is audit-logged" test "$(sql "SELECT COUNT(*) FROM
	    audit_log WHERE action = 'webhook_rotate_secret' AND detail LIKE '%$A%'")" = 1
	# The receiver knows both: the new one first, the old one second.
	printf '%s\n%s\n' "$new" "$A_SECRET" >"$RD/secrets/flaky"
	: >"$RD/log.jsonl"
	updated
	batch --once >/dev/null 2>&1
	due
	batch --once >/dev/null 2>&1
	line=$(got flaky | tail -n 1)
	check "the next delivery arrives" test "$(json answered "$line")" = 200
	check "it verifies with the new secret only" test "$(json verified "$line")" = "[0]"
	printf '%s\n' "$A_SECRET" >"$RD/secrets/flaky"
	: >"$RD/log.jsonl"
	updated
	batch --once >/dev/null 2>&1
	line=$(got flaky | tail -n 1)
	check "a receiver with the old secret alone rejects it" \
	    test "$(json verified "$line")" = "[]"
	check "with the library's own reason" test "$(json error "$line")" = "No matching signature found"
	sql "DELETE FROM jobs WHERE kind = 'webhook' AND status = 'pending'"
}

# one_endpoint NAME URL: a new endpoint, the project's only one for
# feedback.resolved; a delivery to it tried once (its job then dropped).
# Sets D.
one_endpoint() {
	sql "UPDATE webhooks SET events = 'feedback.created' WHERE project_id = '$PRJ'"
	add "$1" "$2" --events feedback.resolved
	resolved
	batch --once >/dev/null 2>&1
	D=$(dlv_of "$WID" feedback.resolved)
	sql "DELETE FROM jobs WHERE JSON_VALUE(payload, '$.delivery') = '$D'"
}

test_transport() {
	local port
	t_ctx transport
	port=$(pick_port) || exit 2
	one_endpoint gone "http://127.0.0.1:$port/gone/ok"
	check "nothing listening: retried, no HTTP status" test "$(dlv "$D")" = "pending 1 -"
	check "the log says unreachable" test "$(sql "SELECT LEFT(last_error, 12)
	    FROM webhook_deliveries WHERE id = '$D'")" = "unreachable:"
	one_endpoint hang "$RURL/hang/hang"
	check "an endpoint that never answers: retried after [webhook] timeout" 	    test "$(dlv "$D")" = "pending 1 -"
	check "the log says timeout" test "$(sql "SELECT LEFT(last_error, 8)
	    FROM webhook_deliveries WHERE id = '$D'")" = "timeout:"
	check "the request did arrive" test "$(ngot hang)" = 1
	one_endpoint redir "$RURL/redir/redirect"
	check "a 302 is no delivery: retried" test "$(dlv "$D")" = "pending 1 302"
	check "and its Location is not followed" test "$(ngot redir-target)" = 0
	sql "INSERT INTO jobs (id, kind, project_id, payload) VALUES
	    ('job_$(rand_hex 13)', 'webhook', '$PRJ', '{\"x\": 1}')"
	batch --once --jobs webhook >/dev/null 2>&1
	check "a job that names no delivery fails at once" test "$(sql "SELECT
	    CONCAT(status, ' ', attempts, ' ', last_error) FROM jobs WHERE
	    payload LIKE '%\"x\"%'")" = "failed 1 webhook: the job names no delivery"
	sql "UPDATE webhooks SET events = 'feedback.created,feedback.updated,feedback.resolved,comment.created' WHERE id = '$A'"
	sql "UPDATE webhooks SET events = 'feedback.created' WHERE id = '$B'"
	sql "UPDATE webhooks SET events = 'feedback.updated,comment.created' WHERE id = '$C'"
}

# conf_with FILE LINES: $CONF with [webhook] allow_private = yes replaced
# by LINES (printf's escapes).
conf_with() {
	local line
	line=$(printf '%b' "$2")
	awk -v l="$line" '$0 == "allow_private = yes" { print l; next }
	    { print }' "$CONF" >"$1"
}

test_private() {
	local strict=$T/wh/strict.conf allowed=$T/wh/allowed.conf u n wid d
	local lurl="http://localhost:${RURL##*:}"
	t_ctx "private addresses"
	conf_with "$strict" 'allow_private = no'
	conf_with "$allowed" 'allow_private = no\nallow_networks = 127.0.0.1, ::1'
	check "the strict copy has allow_private off" eval "grep -qx 'allow_private = no' '$strict' && ! grep -q 'allow_private = yes' '$strict'"
	n=$(sql "SELECT COUNT(*) FROM webhooks")
	for u in "http://127.0.0.1/" "http://[::1]/" "http://169.254.169.254/latest/meta-data/" \
	    "$lurl/x/ok" "http://127.1:3306/" "http://[::ffff:10.0.0.1]/" "https://192.168.1.1/" \
	    "http://100.64.0.1/" "http://[fd00::1]/"; do
		CONF=$strict ctl_out webhook add "$PRJ" "$u"
		check "allow_private off: add $u is refused (2)" test "$RC" = 2
	done
	CONF=$strict ctl_out webhook add "$PRJ" "http://169.254.169.254/latest/meta-data/"
	check "saying which address and why" grep -q "the link-local address 169.254.169.254 (\[webhook\] allow_private is off)" "$T/out"
	CONF=$strict ctl_out webhook add "$PRJ" "http://[::1]:8080/"
	check "[::1]: the loopback address ::1" grep -q "the loopback address ::1 " "$T/out"
	check "none of them made an endpoint" test "$(sql "SELECT COUNT(*) FROM webhooks")" = "$n"
	CONF=$strict ctl_out webhook add "$PRJ" "https://hooks.example.com/hark" --events feedback.created
	check "a public name is taken with allow_private off (0)" test "$RC" = 0
	CONF=$allowed ctl_out webhook add "$PRJ" "http://127.0.0.1:9/" --events feedback.created
	check "an address in allow_networks is taken (0)" test "$RC" = 0
	sql "DELETE FROM webhooks WHERE url IN ('https://hooks.example.com/hark', 'http://127.0.0.1:9/')"

	# A name that resolves to loopback passes harkctl (names are not
	# resolved there); hark-batch checks where it connects.
	sql "UPDATE webhooks SET events = 'feedback.created' WHERE project_id = '$PRJ'"
	: >"$RD/log.jsonl"
	add private "$lurl/private/ok" --events feedback.resolved
	wid=$WID
	resolved
	CONF=$strict batch --once >"$T/b-strict.out" 2>&1
	check "hark-batch exits 0" test $? = 0
	d=$(dlv_of "$wid" feedback.resolved)
	check "localhost, allow_private off: the delivery is failed after one attempt" \
	    test -n "$d" -a "$(dlv "$d")" = "failed 1 -"
	check "its error says refused, the address and why" test "$(sql "SELECT
	    last_error FROM webhook_deliveries WHERE id = '$d'")" = "refused: the loopback address 127.0.0.1 ([webhook] allow_private is off)"
	check "its job failed at once, not to be retried" \
	    test "$(job_of "$d" "CONCAT(status, ' ', attempts)")" = "failed 1"
	check "nothing reached the receiver" test "$(ngot private)" = 0
	check "hark-batch's log says why" grep -q "refused: the loopback address 127.0.0.1" "$T/b-strict.out" "$T/wh/hark.log"
	ctl_out webhook deliveries "$wid"
	check "harkctl webhook deliveries shows it failed" grep -Eq "^$d +$wid +feedback.resolved +failed +1 " "$T/out"
	due
	CONF=$strict batch --once >/dev/null 2>&1
	check "it is not tried again" test "$(dlv "$d") $(ngot private)" = "failed 1 - 0"

	resolved
	CONF=$allowed batch --once >/dev/null 2>&1
	d=$(dlv_of "$wid" feedback.resolved)
	check "allow_networks 127.0.0.1, ::1: delivered" test "$(dlv "$d")" = "delivered 1 200"
	check "and verified" test "$(got private | grep -c '"verified":\[0\]')" = 1
	resolved
	batch --once >/dev/null 2>&1
	d=$(dlv_of "$wid" feedback.resolved)
	check "allow_private yes: delivered to localhost" test "$(dlv "$d")" = "delivered 1 200"
	check "the receiver has both" test "$(ngot private)" = 2

	sql "DELETE FROM webhooks WHERE id = '$wid'"
	sql "UPDATE webhooks SET events = 'feedback.created,feedback.updated,feedback.resolved,comment.created' WHERE id = '$A'"
	sql "UPDATE webhooks SET events = 'feedback.updated,comment.created' WHERE id = '$C'"
}

test_remove() {
	local d
	t_ctx remove
	: >"$RD/log.jsonl"
	comment "Fixed in 2.4.1"
	batch --once --jobs events,notify >/dev/null 2>&1
	d=$(dlv_of "$C" comment.created)
	check "a comment: a comment.created delivery waits for its endpoint" \
	    test -n "$d" -a "$(job_of "$d" status)" = pending
	ctl_out webhook remove "$C"
	check "remove exits 0" test "$RC" = 0
	check "and says so" grep -q "removed $C" "$T/out"
	check "the endpoint is gone from list" eval "! ctl webhook list '$PRJ' | grep -q '^$C '"
	check "its deliveries went with it" test "$(sql "SELECT COUNT(*) FROM
	    webhook_deliveries WHERE webhook_id = '$C'")" = 0
	check "remove is audit-logged" test "$(sql "SELECT COUNT(*) FROM
	    audit_log WHERE action = 'webhook_remove' AND detail LIKE '%$C%'")" = 1
	batch --once >/dev/null 2>&1
	check "its queued job is done, sending nothing" test "$(job_of "$d" status)" = done
	check "the receiver got nothing for it" test "$(ngot updated)" = 0
	ctl_out webhook remove "$C"
	check "removing it again fails (1)" test "$RC" = 1
}

t_init "${1:-}" wh
t_db
setup
test_bad_input
test_add_list
test_retry_then_delivered
test_created
test_down_fails
test_rotate
test_transport
test_private
test_remove
t_ctx
t_summary
