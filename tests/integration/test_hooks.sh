#!/bin/bash
# test_hooks.sh: monitors as sources: Alertmanager, Grafana and Sentry.
#
#	tests/integration/test_hooks.sh BUILD_DIR
#
# hark-fcgi behind nginx on a real MariaDB.  Debian's Alertmanager sends
# its own webhooks (HTTP Basic with the hook's secret): an alert posted to
# its API files one item (category bug, channel alert, the labels as
# metadata), its repeats only count, its resolution moves the item to done
# (with the notify events), and firing again after that files a new item.
# Grafana's and Sentry's payloads are written from their documentation;
# Sentry's signed with HMAC-SHA256 as Sentry signs.  Bad secrets,
# signatures and payloads are refused with the field named, and nothing of
# a refused payload is stored.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')
AM_BIN=/usr/bin/prometheus-alertmanager

setup() {
	mkdir -p "$T/hk"
	CONF="$T/hk/hark.conf"
	write_hark_conf "$CONF" log.file="$T/hk/hark.log" server.workers=2 \
	    limits.rate_limit=100000
	PRJ=$(ctl project create "Ops") || exit 2
	PRJ_B=$(ctl project create "Other") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start hk-nginx "$PORT" "$T/hk/hark.sock" || exit 2
	hark_standalone hk "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
	AM_SECRET=$(ctl hook create "$PRJ" --kind alertmanager --url "$URL")
	GF_SECRET=$(ctl hook create "$PRJ" --kind grafana --url "$URL/")
	printf 'sentry-client-secret-%s\n' "$(rand_hex 16)" >"$T/hk/sentry.secret"
	SENTRY_URL=$(ctl hook create "$PRJ" --kind sentry \
	    --secret-file "$T/hk/sentry.secret" --url "$URL")
	B_SECRET=$(ctl hook create "$PRJ_B" --kind alertmanager --url "$URL")
}

items() {
	sql "SELECT COUNT(*) FROM feedback WHERE project_id = '$PRJ' ${1:-}"
}

hook() {
	local kind=$1
	shift
	req POST "$URL/v1/hooks/$kind" "${JSON_CT[@]}" "$@"
}

test_cli() {
	t_ctx cli
	check "an alertmanager hook's secret is hk_" eval \
	    "[[ '$AM_SECRET' =~ ^hk_[0-9a-z]{32}\$ ]]"
	check "a sentry hook gets its URL, naming it" eval \
	    "[[ '$SENTRY_URL' == '$URL/v1/hooks/sentry?hook=hok_'* ]]"
	check "harkctl hook list shows the three" test "$(ctl hook list "$PRJ" |
	    grep -c active)" = 3
	check "and never a secret" eval "! ctl hook list '$PRJ' | grep -q hk_"
	ctl hook create "$PRJ" --kind datadog >/dev/null 2>&1
	check "an unknown kind: usage error (2)" test $? = 2
	ctl hook create "$PRJ" --kind sentry >/dev/null 2>&1
	check "sentry without --secret-file: usage error (2)" test $? = 2
	ctl hook create "$PRJ" --kind grafana --secret-file /etc/hostname \
	    >/dev/null 2>&1
	check "--secret-file for grafana: usage error (2)" test $? = 2
	ctl hook create prj_nosuchproject0000000000000 --kind grafana >/dev/null 2>&1
	check "an unknown project: 1" test $? = 1
	check "hook creation is audited" test "$(sql "SELECT COUNT(*) FROM
	    audit_log WHERE action = 'hook_create' AND project_id = '$PRJ'")" = 3
}

test_auth() {
	local body='{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"AuthProbe"}}]}'
	t_ctx auth
	hook alertmanager -d "$body"
	check_hark_error "no secret: 401" 401
	check "with a WWW-Authenticate" test -n "$(hdr WWW-Authenticate)"
	hook alertmanager -H "Authorization: Bearer hk_$(rand_hex 16)" -d "$body"
	check_hark_error "a wrong secret: 401" 401
	hook grafana -H "Authorization: Bearer $AM_SECRET" -d "$body"
	check_hark_error "an alertmanager secret on the grafana hook: 401" 401
	hook datadog -H "Authorization: Bearer $AM_SECRET" -d "$body"
	check_hark_error "an unknown kind: 404" 404
	hook alertmanager -H "Authorization: Bearer $B_SECRET" -d "$body"
	check_status "another project's hook: 200" 200
	check "its alert is that project's, not this one's" \
	    test "$(items "AND text = 'AuthProbe'")" = 0
	check "there" test "$(sql "SELECT COUNT(*) FROM feedback WHERE
	    project_id = '$PRJ_B' AND text = 'AuthProbe'")" = 1
	check "nothing else was stored" test "$(items "")" = 0
}

test_bad_payloads() {
	t_ctx payloads
	local auth=(-H "Authorization: Bearer $AM_SECRET")
	hook alertmanager "${auth[@]}" -d '{"alerts": [}'
	check_hark_error "not JSON: 400" 400
	hook alertmanager "${auth[@]}" -d '{"version":"4"}'
	check_hark_error "no alerts: 400" 400
	check_json "naming alerts" error.field alerts
	hook alertmanager "${auth[@]}" -d '{"alerts":{"a":1}}'
	check_json "alerts not an array: naming it" error.field alerts
	hook alertmanager "${auth[@]}" -d '{"alerts":[{"status":"firing","labels":{"alertname":"Fine"}},{"status":"burning","labels":{"alertname":"Bad"}}]}'
	check_hark_error "a bad status: 400" 400
	check_json "naming alerts[1].status" error.field "alerts[1].status"
	check "and the good alert before it is not stored" test "$(items "")" = 0
	hook alertmanager "${auth[@]}" -d '{"alerts":[{"status":"firing","labels":{"alertname":"X","n":5}}]}'
	check_json "a label that is no string: named" error.field "alerts[0].labels.n"
	hook alertmanager "${auth[@]}" -d '{"alerts":[{"status":"firing","labels":{"job":"x"}}]}'
	check_json "an alert with no name or summary: named" error.field \
	    "alerts[0].labels.alertname"
	hook alertmanager "${auth[@]}" -d '{"alerts":[{"status":"firing","labels":{"alertname":"X"},"fingerprint":"has space"}]}'
	check_json "a malformed fingerprint: named" error.field \
	    "alerts[0].fingerprint"
	check "nothing was stored" test "$(items "")" = 0
}

am_config() {
	cat >"$T/hk/am.yml" <<EOF
route:
  receiver: hark
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: hark
    webhook_configs:
      - url: $URL/v1/hooks/alertmanager
        send_resolved: true
        http_config:
          basic_auth:
            username: alertmanager
            password: $AM_SECRET
EOF
}

am_post() {
	curl -sS -o /dev/null -w '%{http_code}' -X POST "$AM/api/v2/alerts" \
	    "${JSON_CT[@]}" -d "$1"
}

test_alertmanager() {
	local port alert code fp first second ends
	t_ctx alertmanager
	if [ ! -x "$AM_BIN" ]; then
		fail "Debian's prometheus-alertmanager is installed"
		return
	fi
	am_config
	port=$(pick_port) || return
	AM="http://127.0.0.1:$port"
	t_spawn hk/alertmanager "$AM_BIN" --config.file="$T/hk/am.yml" \
	    --storage.path="$T/hk/am-data" --web.listen-address="127.0.0.1:$port" \
	    --cluster.listen-address=
	if ! wait_until 30 eval "curl -sf '$AM/-/ready' >/dev/null"; then
		fail "Alertmanager starts" "$(tail -n 5 "$T/hk/alertmanager.out")"
		return
	fi
	alert='[{"labels":{"alertname":"DiskFull","instance":"db1","severity":"critical"},"annotations":{"summary":"Disk almost full on db1","description":"/var is 95% full"},"generatorURL":"http://prometheus.example/graph"}]'
	code=$(am_post "$alert")
	check "Alertmanager takes the alert ($code)" test "$code" = 200
	check "its webhook files one item" wait_until 20 eval "[ \"\$(items \
	    \"AND channel = 'alert'\")\" = 1 ]"
	first=$(sql "SELECT id FROM feedback WHERE project_id = '$PRJ' AND
	    channel = 'alert'")
	check "category bug, status new" test "$(sql "SELECT CONCAT(category,
	    ' ', status) FROM feedback WHERE id = '$first'")" = "bug new"
	check "the text is the summary, then the description" test "$(sql \
	    "SELECT text FROM feedback WHERE id = '$first'" | head -n 1)" = \
	    "Disk almost full on db1\\n\\n/var is 95% full"
	check "the labels are metadata" test "$(sql "SELECT JSON_VALUE(metadata,
	    '$.labels.instance') FROM feedback WHERE id = '$first'")" = db1
	check "the page is the generator's URL" test "$(sql "SELECT page FROM
	    feedback WHERE id = '$first'")" = "http://prometheus.example/graph"
	req GET "$URL/v1/feedback/$first" -H "Authorization: Bearer $(ctl key create "$PRJ")"
	check_json "the API shows channel alert" channel alert
	check_json "and triagedBy client (no enricher overwrites it)" triagedBy client
	check "Alertmanager repeats it: counted, not filed again" wait_until 20 \
	    eval "[ \"\$(sql \"SELECT fired FROM alerts WHERE feedback_id = \
	    '$first'\")\" -ge 2 ]"
	check "still one item" test "$(items "AND channel = 'alert'")" = 1
	ends=$(date -u -d '-5 seconds' +%Y-%m-%dT%H:%M:%SZ)
	code=$(am_post "${alert%\}]},\"endsAt\":\"$ends\"}]")
	check "Alertmanager takes the resolution ($code)" test "$code" = 200
	check "its resolved webhook moves the item to done" wait_until 20 eval \
	    "[ \"\$(sql \"SELECT status FROM feedback WHERE id = '$first'\")\" = \
	    done ]"
	check "with a resolution note and resolvedAt" test "$(sql "SELECT
	    resolution_note LIKE 'Resolved by alertmanager at %' AND resolved_at
	    IS NOT NULL FROM feedback WHERE id = '$first'")" = 1
	check "and the usual events (feedback.resolved)" test "$(sql "SELECT
	    COUNT(*) FROM jobs WHERE feedback_id = '$first' AND kind = 'notify'
	    AND JSON_VALUE(payload, '$.type') = 'feedback.resolved'")" = 1
	code=$(am_post "$alert")
	check "firing again after the resolution files a new item" wait_until 20 \
	    eval "[ \"\$(items \"AND channel = 'alert'\")\" = 2 ]"
	second=$(sql "SELECT feedback_id FROM alerts WHERE project_id = '$PRJ'
	    AND source = 'alertmanager'")
	check "the alert now names it" eval "[ -n '$second' ] && [ '$second' != '$first' ]"
	check "each webhook is audited, without its text" test "$(sql "SELECT
	    COUNT(*) FROM audit_log WHERE action = 'hook_received' AND detail
	    LIKE '%alertmanager%' AND detail NOT LIKE '%Disk%'")" -ge 3
}

test_grafana() {
	local body fp
	t_ctx grafana
	# Grafana alerting's webhook, as its documentation shows it.
	body='{"receiver":"hark","status":"firing","orgId":1,"alerts":[{"status":"firing","labels":{"alertname":"HighLatency","grafana_folder":"api"},"annotations":{"summary":"p99 latency above 2 s"},"startsAt":"2026-12-03T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"https://grafana.example/alerting/grafana/abc/view","fingerprint":"3d2c8ef0e1a1b2c4","silenceURL":"https://grafana.example/alerting/silence/new","dashboardURL":"https://grafana.example/d/x","panelURL":"https://grafana.example/d/x?viewPanel=2","values":{"B":2.4},"valueString":"[ var='"'"'B'"'"' value=2.4 ]"},{"status":"firing","labels":{"alertname":"ErrorRate"},"annotations":{"description":"5xx above 1%"},"startsAt":"2026-12-03T10:00:00Z","fingerprint":"9f8e7d6c5b4a3210"}],"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"https://grafana.example/","version":"1","groupKey":"{}:{}","truncatedAlerts":0,"title":"[FIRING:2] api","state":"alerting","message":"two alerts"}'
	hook grafana -H "Authorization: Bearer $GF_SECRET" -d "$body"
	check_status "Grafana's webhook: 200" 200
	check_json "two created" created 2
	check "two items" test "$(items "AND text IN ('p99 latency above 2 s',
	    '5xx above 1%')")" = 2
	check "the dashboard link is kept" test "$(sql "SELECT JSON_VALUE(
	    metadata, '$.dashboardURL') FROM feedback WHERE project_id = '$PRJ'
	    AND text = 'p99 latency above 2 s'")" = "https://grafana.example/d/x"
	hook grafana -H "Authorization: Bearer $GF_SECRET" -d "$body"
	check_json "sent again: two repeated" repeated 2
	check "no new item" test "$(items "AND text IN ('p99 latency above 2 s',
	    '5xx above 1%')")" = 2
	body=${body//\"status\":\"firing\"/\"status\":\"resolved\"}
	hook grafana -H "Authorization: Bearer $GF_SECRET" -d "$body"
	check_json "resolved: two resolved" resolved 2
	check "both done" test "$(items "AND status = 'done' AND text IN
	    ('p99 latency above 2 s', '5xx above 1%')")" = 2
	hook grafana -H "Authorization: Bearer $GF_SECRET" -d "$body"
	check_json "resolved again: ignored, nothing changes" ignored 2
}

sentry() {
	local resource=$1 body=$2 sig
	shift 2
	sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac \
	    "$(cat "$T/hk/sentry.secret")" -hex | sed 's/^.* //')
	req POST "$SENTRY_URL" "${JSON_CT[@]}" -H "Sentry-Hook-Resource: $resource" \
	    -H "Sentry-Hook-Signature: ${SIG:-$sig}" "$@" -d "$body"
}

test_sentry() {
	local body
	t_ctx sentry
	# An issue webhook, as Sentry's integration platform documents it.
	body='{"action":"created","installation":{"uuid":"7a485448-a9e2-4c85-8a3c-4f44175783c9"},"data":{"issue":{"id":"1170820242","shortId":"API-3","title":"TypeError: Cannot read properties of undefined (reading '"'"'id'"'"')","culprit":"checkout/pay","level":"error","status":"unresolved","platform":"javascript","permalink":"https://sentry.example/organizations/acme/issues/1170820242/"}},"actor":{"type":"application","id":"sentry","name":"Sentry"}}'
	sentry issue "$body"
	check_status "a signed issue.created: 200" 200
	check_json "one created" created 1
	check "its item, titled, the culprit after" test "$(items "AND text LIKE
	    'TypeError: Cannot read properties%checkout/pay'")" = 1
	check "the permalink is the page" test "$(sql "SELECT COUNT(*) FROM
	    feedback WHERE page = 'https://sentry.example/organizations/acme/issues/1170820242/'")" = 1
	SIG=$(printf '%064d' 0) sentry issue "$body"
	check_hark_error "a wrong signature: 401" 401
	check_json "naming Sentry-Hook-Signature" error.field Sentry-Hook-Signature
	req POST "${SENTRY_URL%%\?*}" "${JSON_CT[@]}" -H "Sentry-Hook-Signature: x" -d "$body"
	check_hark_error "no hook in the URL: 401" 401
	sentry issue "${body/\"created\"/\"assigned\"}"
	check_json "assigned: ignored" ignored 1
	check "and nothing filed" test "$(items "AND text LIKE 'TypeError%'")" = 1
	sentry issue '{"action":"created","data":{"issue":{"title":"no id"}}}'
	check_hark_error "an issue without an id: 400" 400
	check_json "naming data.issue.id" error.field data.issue.id
	sentry issue "${body/\"created\"/\"resolved\"}"
	check_json "resolved: one resolved" resolved 1
	check "its item is done" test "$(items "AND status = 'done' AND text LIKE
	    'TypeError%'")" = 1
	sentry event_alert '{"action":"triggered","data":{"event":{"issue_id":"4455","title":"Payment failed: card declined","web_url":"https://sentry.example/issues/4455/events/abc/","level":"error"},"triggered_rule":"Payments errors"}}'
	check_json "an issue alert's event: created" created 1
}

test_revoked() {
	local id
	t_ctx revoked
	id=$(ctl hook list "$PRJ" | awk '$2 == "grafana" {print $1}')
	ctl hook revoke "$id"
	check "harkctl hook revoke exits 0" test $? = 0
	hook grafana -H "Authorization: Bearer $GF_SECRET" \
	    -d '{"alerts":[{"status":"firing","labels":{"alertname":"Late"}}]}'
	check_hark_error "a revoked hook's secret: 401" 401
	ctl hook revoke "$id" >/dev/null 2>&1
	check "revoking it again: 1" test $? = 1
	ctl hook revoke nope >/dev/null 2>&1
	check "a malformed id: usage error (2)" test $? = 2
}

t_init "${1:-}" hk
t_db
setup
test_cli
test_auth
test_bad_payloads
test_alertmanager
test_grafana
test_sentry
test_revoked
t_ctx
t_summary
