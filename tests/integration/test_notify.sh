#!/bin/bash
# test_notify.sh: how the inbox's events become deliveries (issue 18).
#
#	tests/integration/test_notify.sh BUILD_DIR
#
# hark-fcgi behind nginx on a real MariaDB, hark-batch --once.  PATCH and
# comments enqueue their events with the change; the events scan announces
# new rows of projects with a target for feedback.created, from the time
# the target was added, and only once; notify fans an event out into one
# delivery per subscribed endpoint (the payload's type, item and comment),
# the submitter's email job, the Linear job; a fan-out run again adds
# nothing; an erased item's event sends nothing.  Also PATCH quarantined
# and the list's ?quarantined=.  The endpoints and the Linear link are rows
# written here: what sends them is tested by the senders' suites.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
batch() { timeout 120 "$HARK_BUILD/hark-batch" -c "$CONF" "$@"; }
JSON_CT=(-H 'Content-Type: application/json')

setup() {
	mkdir -p "$T/nt"
	CONF="$T/nt/hark.conf"
	write_hark_conf "$CONF" log.file="$T/nt/hark.log" server.workers=2 \
	    limits.rate_limit=100000
	# The endpoints are 127.0.0.1 (nothing listens): sent and retried as
	# any unreachable one, not refused as private (test_webhooks' part).
	printf '\n[webhook]\nallow_private = yes\n' >>"$CONF"
	PRJ=$(ctl project create "Notify") || exit 2
	PRJ_B=$(ctl project create "Quiet") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	SK_B=$(ctl key create "$PRJ_B") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start nt-nginx "$PORT" "$T/nt/hark.sock" || exit 2
	hark_standalone nt "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

submit() {
	req POST "$URL/v1/feedback" -H "Authorization: Bearer ${2:-$SK}" \
	    "${JSON_CT[@]}" -d "$1"
}

patch() {
	req PATCH "$URL/v1/feedback/$1" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d "$2"
}

jobs_of() {
	sql "SELECT COUNT(*) FROM jobs WHERE feedback_id = '$1' AND kind = '$2'"
}

# Endpoints as harkctl webhook add writes them (secret bytes irrelevant here).
webhook_row() {
	sql "INSERT INTO webhooks (id, project_id, url, events, secret,
	    created_at) VALUES ('$1', '$2', 'http://127.0.0.1:9/', '$3',
	    RANDOM_BYTES(24), UTC_TIMESTAMP(6))"
}

test_events_enqueued() {
	t_ctx enqueue
	submit '{"text":"The export button does nothing","userEmail":"sam@example.com"}'
	ID=$(json id)
	check "a project without targets: a new row enqueues nothing" \
	    test "$(sql "SELECT COUNT(*) FROM jobs WHERE feedback_id = '$ID'")" = 0
	patch "$ID" '{"priority": 2}'
	check_status "a PATCH: 200" 200
	check "it enqueues feedback.updated" test "$(sql "SELECT
	    JSON_VALUE(payload, '$.type') FROM jobs WHERE feedback_id = '$ID'
	    AND kind = 'notify'")" = feedback.updated
	patch "$ID" '{"status": "done", "resolutionNote": "fixed"}'
	check "a resolution enqueues feedback.resolved too" test "$(sql "SELECT
	    COUNT(*) FROM jobs WHERE feedback_id = '$ID' AND kind = 'notify' AND
	    JSON_VALUE(payload, '$.type') = 'feedback.resolved'")" = 1
	patch "$ID" '{"status": "canceled"}'
	check "done to canceled is no new resolution" test "$(sql "SELECT
	    COUNT(*) FROM jobs WHERE feedback_id = '$ID' AND
	    JSON_VALUE(payload, '$.type') = 'feedback.resolved'")" = 1
	patch "$ID" '{"status": "bogus"}'
	check "a refused PATCH enqueues nothing" test "$(jobs_of "$ID" notify)" = 4
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body":"On it","notifySubmitter":true,"mirrorToTracker":true}'
	check_status "a comment: 201" 201
	CMT=$(json id)
	check "it enqueues comment.created with both asks" test "$(sql "SELECT
	    CONCAT_WS(' ', JSON_VALUE(payload, '$.type'),
	    JSON_EXTRACT(payload, '$.notifySubmitter'),
	    JSON_EXTRACT(payload, '$.mirrorToTracker')) FROM jobs
	    WHERE comment_id = '$CMT'")" = "comment.created true true"
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body":""}'
	check "a refused comment enqueues nothing" test "$(jobs_of "$ID" notify)" = 5
	check "nothing is sent on the request path" test "$(sql "SELECT COUNT(*)
	    FROM jobs WHERE kind IN ('webhook', 'email', 'linear')")" = 0
}

test_fanout() {
	t_ctx fanout
	webhook_row whk_all "$PRJ" \
	    'feedback.created,feedback.updated,feedback.resolved,comment.created'
	webhook_row whk_cmt "$PRJ" 'comment.created'
	webhook_row whk_other "$PRJ_B" \
	    'feedback.created,feedback.updated,feedback.resolved,comment.created'
	batch --once --jobs notify
	check "hark-batch --jobs notify exits 0" test $? = 0
	check "the notify jobs are done" test "$(sql "SELECT COUNT(*) FROM jobs
	    WHERE kind = 'notify' AND status <> 'done'")" = 0
	check "whk_all gets the four events of the item" test "$(sql "SELECT
	    COUNT(*) FROM webhook_deliveries WHERE webhook_id = 'whk_all'")" = 5
	check "whk_cmt only the comment" test "$(sql "SELECT GROUP_CONCAT(event)
	    FROM webhook_deliveries WHERE webhook_id = 'whk_cmt'")" = comment.created
	check "another project's endpoint nothing" test "$(sql "SELECT COUNT(*)
	    FROM webhook_deliveries WHERE webhook_id = 'whk_other'")" = 0
	check "a webhook job per delivery" test "$(sql "SELECT COUNT(*) FROM jobs
	    j JOIN webhook_deliveries d ON JSON_VALUE(j.payload, '$.delivery') =
	    d.id WHERE j.kind = 'webhook'")" = 6
	check "a delivery id is a msg_ id" test "$(sql "SELECT COUNT(*) FROM
	    webhook_deliveries WHERE id NOT LIKE 'msg\\_%'")" = 0
	sql "SELECT payload FROM webhook_deliveries WHERE webhook_id = 'whk_cmt'" \
	    >"$T/nt/cmt.json"
	check "the payload's type" test "$(python3 -c 'import json,sys;
print(json.load(open(sys.argv[1]))["type"])' "$T/nt/cmt.json")" = comment.created
	check "the payload's item and comment" test "$(python3 -c 'import json,sys;
d=json.load(open(sys.argv[1]))["data"]
print(d["feedback"]["id"], d["comment"]["id"], d["comment"]["body"])' \
	    "$T/nt/cmt.json")" = "$ID $CMT On it"
	check "a timestamp in RFC 3339" python3 -c 'import json,sys,datetime;
datetime.datetime.fromisoformat(json.load(open(sys.argv[1]))["timestamp"].replace("Z","+00:00"))' \
	    "$T/nt/cmt.json"
	check "one email for the resolution, one for the comment" test "$(sql \
	    "SELECT GROUP_CONCAT(JSON_VALUE(payload, '$.reason') ORDER BY 1)
	    FROM jobs WHERE kind = 'email'")" = "comment,resolved"
	check "no Linear job without a Linear link" test "$(sql "SELECT COUNT(*)
	    FROM jobs WHERE kind = 'linear'")" = 0
	# A fan-out whose claim lapsed before it was recorded is run again.
	sql "UPDATE jobs SET status = 'pending', attempts = 0, finished_at = NULL
	    WHERE kind = 'notify'"
	batch --once --jobs notify
	check "a fan-out run again adds no delivery" test "$(sql "SELECT COUNT(*)
	    FROM webhook_deliveries")" = 6
	check "nor a job" test "$(sql "SELECT COUNT(*) FROM jobs WHERE kind IN
	    ('webhook', 'email', 'linear')")" = 8
}

test_created_scan() {
	local old new other q
	t_ctx created
	submit '{"text":"Filed before the webhook existed"}'
	old=$(json id)
	sql "UPDATE feedback SET created_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR
	    WHERE id = '$old'"
	sql "UPDATE webhooks SET created_at = UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE"
	submit '{"text":"The new dashboard is lovely"}'
	new=$(json id)
	submit '{"text":"quiet project item"}' "$SK_B"
	other=$(json id)
	sql "DELETE FROM webhooks WHERE id = 'whk_other'"
	check "ingest wrote no job for it" test "$(sql "SELECT COUNT(*) FROM jobs
	    WHERE feedback_id = '$new'")" = 0
	batch --once
	check "hark-batch --once exits 0" test $? = 0
	check "the new row is announced: feedback.created to whk_all" test "$(sql \
	    "SELECT COUNT(*) FROM webhook_deliveries WHERE feedback_id = '$new'
	    AND event = 'feedback.created' AND webhook_id = 'whk_all'")" = 1
	check "not to whk_cmt" test "$(sql "SELECT COUNT(*) FROM
	    webhook_deliveries WHERE feedback_id = '$new' AND
	    webhook_id = 'whk_cmt'")" = 0
	check "its row is stamped" test "$(sql "SELECT notified_at IS NOT NULL
	    FROM feedback WHERE id = '$new'")" = 1
	check "older than the webhook: not announced" test "$(sql "SELECT
	    COUNT(*) FROM jobs WHERE feedback_id = '$old'")" = 0
	check "a project without targets: not announced" test "$(sql "SELECT
	    COUNT(*) FROM jobs WHERE feedback_id = '$other'")" = 0
	req GET "$URL/v1/feedback/$new" -H "Authorization: Bearer $SK"
	q=$(json updatedAt)
	batch --once
	check "a second run announces nothing again" test "$(sql "SELECT COUNT(*)
	    FROM jobs WHERE feedback_id = '$new' AND kind = 'notify'")" = 1
	req GET "$URL/v1/feedback/$new" -H "Authorization: Bearer $SK"
	check "announcing changes no updatedAt (no ETag moves)" \
	    test "$(json updatedAt)" = "$q"
	sql "INSERT INTO project_linear (project_id, team_id, key_file,
	    trigger_on) VALUES ('$PRJ', 'team', '/nonexistent', 'triaged')"
	submit '{"text":"Crash when saving a draft"}'
	new=$(json id)
	batch --once --jobs events,notify
	check "Linear waiting for the triage: a JSON row is triaged, one create" \
	    test "$(sql "SELECT JSON_VALUE(payload, '$.action') FROM jobs WHERE
	    feedback_id = '$new' AND kind = 'linear'")" = create
	patch "$new" '{"status": "done"}'
	batch --once --jobs notify
	check "its resolution is mirrored" test "$(sql "SELECT COUNT(*) FROM jobs
	    WHERE feedback_id = '$new' AND kind = 'linear' AND
	    JSON_VALUE(payload, '$.action') = 'resolved'")" = 1
}

test_erased() {
	local id
	t_ctx erased
	submit '{"text":"Please delete me later"}'
	id=$(json id)
	patch "$id" '{"status": "done"}'
	req DELETE "$URL/v1/feedback/$id" -H "Authorization: Bearer $SK"
	check "an erased item's events go with it" test "$(sql "SELECT COUNT(*)
	    FROM jobs WHERE feedback_id = '$id'")" = 0
	check "and its deliveries" test "$(sql "SELECT COUNT(*) FROM
	    webhook_deliveries WHERE feedback_id = '$id'")" = 0
}

# The ids of the list in the last answer, one per line.
listed() {
	printf '%s' "$R_BODY" | python3 -c 'import json,sys
for i in json.load(sys.stdin)["data"]: print(i["id"])'
}

test_quarantine() {
	local id
	t_ctx quarantine
	submit '{"text":"BUY CHEAP PILLS http://spam.example"}'
	id=$(json id)
	patch "$id" '{"quarantined": true}'
	check_status "PATCH quarantined true: 200" 200
	check_json "it says so" quarantined true
	req GET "$URL/v1/feedback?limit=100" -H "Authorization: Bearer $SK"
	listed >"$T/nt/listed"
	check "a held item is out of the list" eval "test -s '$T/nt/listed' &&
	    ! grep -qx '$id' '$T/nt/listed'"
	req GET "$URL/v1/feedback?quarantined=true" -H "Authorization: Bearer $SK"
	check "?quarantined=true lists it alone" test "$(listed)" = "$id"
	req GET "$URL/v1/feedback?quarantined=all&limit=100" -H "Authorization: Bearer $SK"
	listed >"$T/nt/listed"
	check "?quarantined=all lists it with the rest" eval "grep -qx '$id' \
	    '$T/nt/listed' && test \$(wc -l <'$T/nt/listed') -gt 1"
	req GET "$URL/v1/feedback?quarantined=yes" -H "Authorization: Bearer $SK"
	check_hark_error "?quarantined=yes: 400" 400
	check_json "naming it" error.field quarantined
	patch "$id" '{"quarantined": "no"}'
	check_hark_error "quarantined \"no\": 400" 400
	check_json "naming it" error.field quarantined
	patch "$id" '{"quarantined": false}'
	check_json "false releases it" quarantined false
	req GET "$URL/v1/feedback/$id" -H "Authorization: Bearer $SK"
	check_json "it stays released" quarantined false
}

# Housekeeping's purge of finished jobs and the delivery log.
test_purge() {
	t_ctx purge
	sql "INSERT INTO jobs (id, kind, status, run_after, finished_at) VALUES
	    ('job_old_done', 'notify', 'done', UTC_TIMESTAMP(6) - INTERVAL 8 DAY,
	     UTC_TIMESTAMP(6) - INTERVAL 8 DAY),
	    ('job_new_done', 'notify', 'done', UTC_TIMESTAMP(6) - INTERVAL 6 DAY,
	     UTC_TIMESTAMP(6) - INTERVAL 1 DAY),
	    ('job_old_failed', 'notify', 'failed',
	     UTC_TIMESTAMP(6) - INTERVAL 10 DAY, UTC_TIMESTAMP(6) - INTERVAL 10 DAY),
	    ('job_ancient_failed', 'notify', 'failed',
	     UTC_TIMESTAMP(6) - INTERVAL 31 DAY, UTC_TIMESTAMP(6) - INTERVAL 31 DAY),
	    ('job_old_pending', 'notify', 'pending',
	     UTC_TIMESTAMP(6) - INTERVAL 40 DAY, NULL)"
	sql "INSERT INTO webhook_deliveries (id, webhook_id, project_id, event,
	    payload, status, created_at) VALUES
	    ('msg_old_delivered', 'whk_all', '$PRJ', 'feedback.updated', '{}',
	     'delivered', UTC_TIMESTAMP(6) - INTERVAL 31 DAY),
	    ('msg_old_pending', 'whk_all', '$PRJ', 'feedback.updated', '{}',
	     'pending', UTC_TIMESTAMP(6) - INTERVAL 31 DAY),
	    ('msg_new_failed', 'whk_all', '$PRJ', 'feedback.updated', '{}',
	     'failed', UTC_TIMESTAMP(6) - INTERVAL 29 DAY)"
	batch --once --jobs housekeeping
	check "housekeeping exits 0" test $? = 0
	check "a job done over a week ago is purged, the rest kept" test "$(sql \
	    "SELECT GROUP_CONCAT(id ORDER BY id) FROM jobs WHERE id LIKE
	    'job\_%\_%'")" = "job_new_done,job_old_failed,job_old_pending"
	check "a delivery logged over a month ago is purged unless pending" \
	    test "$(sql "SELECT GROUP_CONCAT(id ORDER BY id) FROM
	    webhook_deliveries WHERE id LIKE 'msg\_%\_%'")" = \
	    "msg_new_failed,msg_old_pending"
	sql "DELETE FROM jobs WHERE id LIKE 'job\_%\_%'"
}

t_init "${1:-}" nt
t_db
setup
test_events_enqueued
test_fanout
test_created_scan
test_erased
test_quarantine
test_purge
t_ctx
t_summary
