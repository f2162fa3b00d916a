#!/bin/bash
# test_reporters.sh: erasure and export by reporter (issue 18 item 4, GDPR
# Articles 15 and 17).
#
#	tests/integration/test_reporters.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB.  Two reporters of one
# project submit JSON and multipart items (audio and a screenshot), with
# comments, labels, an Idempotency-Key, a webhook delivery and a session of
# their own; a third project holds the first reporter's address too.
# POST /v1/reporters/erase by email leaves no row in any table that
# mentions the reporter and none of their files on disk, leaves the other
# reporter and project as they were, answers the counts, 0s the second
# time; by userId it matches exactly.  Each bad input is a 400 with its
# field that deletes nothing; a public key is refused.  The audit row holds
# the hash, never the address.  harkctl reporter erase prints the same
# counts; harkctl reporter export writes JSON Lines that python3 parses,
# holding exactly that reporter's items.  An erasure of more rows than a
# batch takes them all; files orphaned by a crash after a commit go with
# hark-batch's media sweep.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

DATA="$HARK_SRCDIR/tests/data/media"
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')

A_MAIL=pat.doe@example.com
B_MAIL=sam@example.com

# uuid7: an RFC 9562 version 7 UUID, as the widget's session cookie holds.
uuid7() {
	local ms r
	ms=$(printf '%012x' "$(date +%s%3N)")
	r=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s-%s-7%s-%x%s-%s\n' "${ms:0:8}" "${ms:8:4}" "${r:0:3}" \
	    $(( (0x${r:3:1} & 3) | 8 )) "${r:4:3}" "${r:7:12}"
}

# post KEY BODY [curl args]: a JSON submission of project PRJ; prints its id.
post() {
	local key=$1 body=$2
	shift 2
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $key" \
	    "${JSON_CT[@]}" "$@" -d "$body"
	[[ "$R_STATUS" =~ ^20[01]$ ]] || { fail "a submission" "$R_STATUS $R_BODY"; exit 1; }
	json id
}

# upload KEY IDENTITY [TEXT]: a multipart submission with audio and a
# screenshot, its session new; prints the item's id.
upload() {
	local sid
	sid=$(uuid7)
	cat >"$T/p.json" <<EOF
{"sessionId":"$sid","transcript":"${3:-}","context":{"dom":null,"console":[],
"network":[],"device":{"userAgent":"Mozilla/5.0 (X11; Linux x86_64)",
"platform":"Linux x86_64","language":"en-GB","viewport":{"width":1280,
"height":720},"devicePixelRatio":2,"timezone":"Europe/Amsterdam"},
"page":{"url":"https://app.example.com/reports","referrer":"",
"title":"Reports","customAttrs":{}},"screenshotUrl":null,
"annotationLayer":null,"capturedAt":"2026-12-03T10:00:00.000Z"},
"identity":$2,"audioDurationMs":600}
EOF
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $1" \
	    -F "payload=<$T/p.json;type=application/json" \
	    -F "audio=@$DATA/voice.webm;type=application/octet-stream" \
	    -F "screenshot=@$DATA/shot.png;type=image/png"
	[[ "$R_STATUS" =~ ^20[0-2]$ ]] || { fail "an upload" "$R_STATUS $R_BODY"; exit 1; }
	json id
}

comment() {
	req POST "$URL/v1/feedback/$1/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d "$2"
	[ "$R_STATUS" = 201 ] || { fail "a comment" "$R_STATUS $R_BODY"; exit 1; }
}

erase() {
	req POST "$URL/v1/reporters/erase" -H "Authorization: Bearer ${2:-$SK}" \
	    "${JSON_CT[@]}" -d "$1"
}

# mentions NEEDLE...: "table:n" for each table with rows whose columns,
# joined, hold one of the needles (case-insensitively); "" when none does.
# The tables named in SKIP (space-separated) are not looked at.
mentions() {
	local t cols like= n out= needle
	for needle in "$@"; do
		like="$like${like:+ OR }s LIKE LOWER('%$needle%')"
	done
	for t in $(sql "SELECT table_name FROM information_schema.tables
	    WHERE table_schema = DATABASE()"); do
		[[ " ${SKIP:-} " == *" $t "* ]] && continue
		cols=$(sql "SELECT GROUP_CONCAT(CONCAT('\`', column_name, '\`'))
		    FROM information_schema.columns WHERE table_schema =
		    DATABASE() AND table_name = '$t'")
		n=$(sql "SELECT COUNT(*) FROM (SELECT LOWER(CONVERT(CONCAT_WS('|',
		    $cols) USING utf8mb4)) AS s FROM \`$t\`) x WHERE $like")
		[ "$n" = 0 ] || out="$out $t:$n"
	done
	printf '%s' "$out"
}

# snapshot: the row counts of every table and the files, one line.
snapshot() {
	local t out=
	for t in $(sql "SELECT table_name FROM information_schema.tables
	    WHERE table_schema = DATABASE() AND table_name NOT IN
	    ('audit_log', 'schema_migrations') ORDER BY table_name"); do
		out="$out $t:$(sql "SELECT COUNT(*) FROM \`$t\`")"
	done
	printf '%s files:%s' "$out" "$(find "$T/media" -type f -not -path '*/.tmp/*' | wc -l)"
}

# rows_of IDS...: a fingerprint of everything hanging off the items, but
# for A's own comments (and their jobs), which A's erasure takes.
rows_of() {
	local in
	in=$(printf "'%s'," "$@")
	in=${in%,}
	sql "SELECT CONCAT_WS(' ',
	    (SELECT COUNT(*) FROM feedback WHERE id IN ($in)),
	    (SELECT COUNT(*) FROM media WHERE feedback_id IN ($in)),
	    (SELECT COUNT(*) FROM comments WHERE feedback_id IN ($in) AND NOT
	    (author_type = 'submitter' AND author_id = '$A_MAIL')),
	    (SELECT COUNT(*) FROM feedback_labels WHERE feedback_id IN ($in)),
	    (SELECT COUNT(*) FROM jobs WHERE feedback_id IN ($in) AND
	    (comment_id IS NULL OR comment_id NOT IN (SELECT id FROM comments
	    WHERE author_type = 'submitter' AND author_id = '$A_MAIL'))),
	    (SELECT COUNT(*) FROM sessions WHERE feedback_id IN ($in)),
	    (SELECT COUNT(*) FROM webhook_deliveries WHERE feedback_id IN ($in)),
	    (SELECT COUNT(*) FROM idempotency_keys WHERE feedback_id IN ($in)),
	    (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, text, status, user_email)
	    ORDER BY id)) FROM feedback WHERE id IN ($in)))"
}

files_of() {
	local in
	in=$(printf "'%s'," "$@")
	sql "SELECT path FROM media WHERE feedback_id IN (${in%,}) ORDER BY path"
}

setup() {
	local wh
	mkdir -p "$T/rp"
	CONF="$T/rp/hark.conf"
	write_hark_conf "$CONF" log.file="$T/rp/hark.log" server.workers=2 \
	    limits.rate_limit=100000 limits.max_audio=2M limits.max_screenshot=1M
	PRJ=$(ctl project create "Reporters") || exit 2
	PRJ_B=$(ctl project create "Other") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	SK_B=$(ctl key create "$PRJ_B") || exit 2
	PK=$(ctl source create "$PRJ" --name w --no-captcha) || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start rp-nginx "$PORT" "$T/rp/hark.sock" || exit 2
	hark_standalone rp "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }

	# Reporter A: two JSON items (the address in two cases, one with an
	# Idempotency-Key), one multipart with audio, a screenshot and an
	# identity, comments, labels; a submitter comment on B's item.
	A1=$(post "$SK" "{\"text\":\"Login fails on Safari\",\"userEmail\":\"$A_MAIL\"}" \
	    -H "Idempotency-Key: rp-a1-$(rand_hex 4)")
	A2=$(post "$SK" '{"text":"Export is slow","userEmail":"Pat.Doe@EXAMPLE.com"}')
	A3=$(upload "$SK" "{\"email\":\"$A_MAIL\",\"userId\":\"u-pat\",\"name\":\"Pat Doe\"}" \
	    "the chart is blank")
	A_SID=$(sql "SELECT session_id FROM feedback WHERE id = '$A3'")
	# Reporter B: a JSON item and a multipart one.
	B1=$(post "$SK" "{\"text\":\"Dark mode please\",\"userEmail\":\"$B_MAIL\"}")
	B2=$(upload "$SK" "{\"email\":\"$B_MAIL\",\"userId\":\"u-sam\"}" "hello")
	# Someone else: a user id that differs from C's only in case.
	C1=$(upload "$SK" '{"userId":"U-Case"}')
	C2=$(upload "$SK" '{"userId":"u-case"}')
	# Another project's item with A's address.
	X1=$(post "$SK_B" "{\"text\":\"elsewhere\",\"userEmail\":\"$A_MAIL\"}")

	comment "$A1" '{"body":"Looking into it","authorType":"human","authorId":"agent-7"}'
	comment "$A1" "{\"body\":\"Thanks!\",\"authorType\":\"submitter\",\"authorId\":\"$A_MAIL\"}"
	comment "$A3" '{"body":"Repro on Chrome"}'
	comment "$B1" '{"body":"Planned"}'
	comment "$B1" "{\"body\":\"Me too\",\"authorType\":\"submitter\",\"authorId\":\"$A_MAIL\"}"
	A_OWN_COMMENT=$(json id)
	req PATCH "$URL/v1/feedback/$A1" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"labels":["auth","safari"]}'
	req PATCH "$URL/v1/feedback/$B1" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"labels":["ui"]}'

	# A webhook delivery of each reporter's item (its payload holds the
	# item), as hark-batch's notifier writes them.
	wh="wh_$(rand_hex 8)"
	sql "INSERT INTO webhooks (id, project_id, url, events, secret) VALUES
	    ('$wh', '$PRJ', 'https://hooks.example.com/x', 'feedback.created',
	    'k')" || exit 2
	sql "INSERT INTO webhook_deliveries (id, webhook_id, project_id,
	    feedback_id, event, payload) VALUES ('msg_a$(rand_hex 6)', '$wh',
	    '$PRJ', '$A2', 'feedback.created', '{\"userEmail\":\"$A_MAIL\"}'),
	    ('msg_b$(rand_hex 6)', '$wh', '$PRJ', '$B1', 'feedback.created',
	    '{\"userEmail\":\"$B_MAIL\"}')" || exit 2
	# A session of A's that made no item yet (identify before submitting),
	# and an email job of A's item with the address in its payload.
	A_SID2=$(uuid7)
	sql "INSERT INTO sessions (project_id, session_id, status, identity,
	    transcript, expires_at) VALUES ('$PRJ', '$A_SID2', 'processing',
	    '{\"email\":\"Pat.Doe@example.com\"}', 'half a sentence',
	    UTC_TIMESTAMP(6) + INTERVAL 1 HOUR)" || exit 2
	sql "INSERT INTO jobs (id, kind, project_id, feedback_id, payload)
	    VALUES ('job_$(rand_hex 8)', 'email', '$PRJ', '$A2',
	    '{\"to\":\"$A_MAIL\"}')" || exit 2
}

test_export() {
	local n
	t_ctx export
	ctl reporter export "$PRJ" --email SAM@example.com >"$T/b.jsonl"
	check "harkctl reporter export: exit 0" test $? = 0
	python3 - "$T/b.jsonl" "$B1" "$B2" "$B_MAIL" "$(sha256sum "$DATA/voice.webm" | cut -c1-64)" \
	    >"$T/b.check" 2>&1 <<'EOF'
import json, sys
path, b1, b2, mail, wsha = sys.argv[1:]
items = {}
with open(path, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        o = json.loads(line)          # each line one JSON value
        assert isinstance(o, dict), n
        if o["object"] == "feedback":
            items[o["id"]] = o
assert set(items) == {b1, b2}, sorted(items)
for o in items.values():
    assert (o["userEmail"] or "").lower() == mail, o["userEmail"]
assert [c["body"] for c in items[b1]["comments"]] == ["Planned", "Me too"], items[b1]["comments"]
assert items[b1]["labels"] == ["ui"]
m = {x["kind"]: x for x in items[b2]["media"]}
assert set(m) == {"audio", "screenshot"}, m
assert m["audio"]["sha256"] == wsha and m["audio"]["bytes"] > 0
assert m["audio"]["path"].endswith(".webm")
assert items[b2]["session"]["sessionId"] == items[b2]["sessionId"]
assert items[b2]["session"]["identity"]["userId"] == "u-sam"
assert items[b2]["context"]["device"]["platform"] == "Linux x86_64"
print("ok")
EOF
	check "its JSON Lines parse, holding exactly B's items with comments, media, session" \
	    grep -qx ok "$T/b.check"
	[ "$(tail -n 1 "$T/b.check")" = ok ] || say "   $(tail -n 3 "$T/b.check" | tr '\n' ' ')"

	ctl reporter export "$PRJ" --email "$A_MAIL" --output "$T/a.jsonl"
	check "export --output FILE: exit 0" test $? = 0
	check "the file is 0600" test "$(stat -c %a "$T/a.jsonl")" = 600
	python3 - "$T/a.jsonl" "$A1" "$A2" "$A3" "$A_SID2" "$A_OWN_COMMENT" \
	    >"$T/a.check" 2>&1 <<'EOF'
import json, sys
path, a1, a2, a3, sid2, own = sys.argv[1:]
kinds = {}
for line in open(path, encoding="utf-8"):
    o = json.loads(line)
    kinds.setdefault(o["object"], []).append(o)
assert sorted(o["id"] for o in kinds["feedback"]) == sorted([a1, a2, a3])
assert [o["sessionId"] for o in kinds["session"]] == [sid2], kinds.get("session")
assert [o["id"] for o in kinds["comment"]] == [own], kinds.get("comment")
print("ok")
EOF
	check "A's export: their 3 items, their item-less session, their comment elsewhere" \
	    grep -qx ok "$T/a.check"
	[ "$(tail -n 1 "$T/a.check")" = ok ] || say "   $(tail -n 3 "$T/a.check" | tr '\n' ' ')"
	ctl reporter export "$PRJ" --email "$A_MAIL" --output "$T/a.jsonl"
	check "an existing --output file is not overwritten: exit 1" test $? = 1
	n=$(ctl reporter export "$PRJ" --email nobody@example.com | wc -l)
	check "an address that matches nothing: no line" test "$n" = 0
	ctl reporter export "$PRJ" --user-id u-pat >"$T/u.jsonl"
	check "by --user-id: A's multipart item" test "$(python3 -c '
import json, sys
print(",".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$T/u.jsonl")" = "$A3"
	ctl reporter export "$PRJ" >/dev/null 2>&1
	check "neither --email nor --user-id: exit 2" test $? = 2
	ctl reporter export "$PRJ" --email a@example.com --user-id x >/dev/null 2>&1
	check "both: exit 2" test $? = 2
	ctl reporter export "$PRJ" --email not-an-address >/dev/null 2>&1
	check "a malformed --email: exit 2" test $? = 2
	ctl reporter export prj_nosuch --email a@example.com >/dev/null 2>&1
	check "an unknown project: exit 1" test $? = 1
}

# refused NAME FIELD BODY [CODE]: a 400 naming FIELD, and nothing deleted.
refused() {
	local before
	before=$(snapshot)
	erase "$3"
	check_hark_error "$1: 400" 400
	check_json "$1: naming $2" error.field "$2"
	[ -z "${4:-}" ] || check_json "$1: $4" error.code "$4"
	check "$1: nothing deleted" test "$(snapshot)" = "$before"
}

test_bad_input() {
	local before
	t_ctx bad
	refused "neither email nor userId" email '{}' missing_field
	refused "both email and userId" userId "{\"email\":\"$A_MAIL\",\"userId\":\"u-pat\"}"
	refused "a malformed email" email '{"email":"pat.doe@"}'
	refused "an email without a domain dot" email '{"email":"pat@localhost"}'
	refused "an email with a space" email '{"email":"pat doe@example.com"}'
	refused "an email that is a number" email '{"email":42}'
	refused "an email that is null" email '{"email":null}'
	refused "an email that is an array" email "{\"email\":[\"$A_MAIL\"]}"
	refused "an empty userId" userId '{"userId":""}'
	refused "a userId that is a number" userId '{"userId":7}'
	refused "a userId of 256 characters" userId "{\"userId\":\"$(head -c 256 /dev/zero | tr '\0' u)\"}"
	refused "an unknown member" mail "{\"mail\":\"$A_MAIL\"}"
	before=$(snapshot)
	erase '[]'
	check_hark_error "a body that is no object: 400" 400
	erase "{\"email\":\"$A_MAIL\""
	check_hark_error "a body that is no JSON: 400" 400
	req POST "$URL/v1/reporters/erase" -H "Authorization: Bearer $SK" \
	    -H 'Content-Type: text/plain' -d "{\"email\":\"$A_MAIL\"}"
	check_hark_error "a body that is not application/json: 415" 415
	req POST "$URL/v1/reporters/erase" -H "x-earshot-project: $PRJ" \
	    -H "x-earshot-key: $PK" "${JSON_CT[@]}" -d "{\"email\":\"$A_MAIL\"}"
	check_hark_error "a public key: 401" 401
	req POST "$URL/v1/reporters/erase" "${JSON_CT[@]}" -d "{\"email\":\"$A_MAIL\"}"
	check_hark_error "no key: 401" 401
	req GET "$URL/v1/reporters/erase" -H "Authorization: Bearer $SK"
	check_hark_error "GET: 405" 405
	check "none of them deleted anything" test "$(snapshot)" = "$before"
}

test_erase() {
	local a_files b_rows x_rows c2_rows f missing=0 left hash detail
	t_ctx erase
	a_files=$(files_of "$A1" "$A2" "$A3")
	check "A has two files on disk before" test "$(printf '%s\n' "$a_files" |
	    while read -r f; do [ -f "$T/media/$f" ] && echo "$f"; done | wc -l)" = 2
	check "A is mentioned before (the scan works)" test -n "$(mentions "$A_MAIL")"
	b_rows=$(rows_of "$B1" "$B2")
	x_rows=$(rows_of "$X1")
	c2_rows=$(rows_of "$C1" "$C2")

	erase '{"email":"PAT.Doe@Example.COM"}'
	check_status "erase by email (in another case): 200" 200
	check_json "feedback: A's 3 items" erased.feedback 3
	check_json "media: 2 rows" erased.media 2
	check_json "files: 2 removed" erased.files 2
	check_json "comments: 3 on A's items and A's own on B's" erased.comments 4
	check_json "labels: 2" erased.labels 2
	check_json "sessions: the upload's and the item-less one" erased.sessions 2
	check_json "webhook deliveries: 1" erased.webhookDeliveries 1
	check_json "idempotency keys: 1" erased.idempotencyKeys 1
	check "jobs: the upload's and the email job" test "$(json erased.jobs)" -ge 2
	check "the answer has the nine counts" test "$(json_keys erased)" = \
	    "comments,feedback,files,idempotencyKeys,jobs,labels,media,sessions,webhookDeliveries"

	left=$(mentions "$A_MAIL" "u-pat" "Pat Doe" "Login fails on Safari" \
	    "Thanks!" "half a sentence" "the chart is blank")
	# Another project's item keeps A's address: only that one may be left.
	check "no row of any table holds A's address, id, name or words, but project B's item (left:$left)" \
	    test "$left" = " feedback:1"
	# The audit trail keeps what was done to which ids (no one's data).
	left=$(SKIP=audit_log mentions "$A1" "$A2" "$A3" "$A_SID" "$A_SID2" \
	    "$A_OWN_COMMENT")
	check "nor, but in the audit trail, the ids of their items, sessions, comments (left:$left)" \
	    test -z "$left"
	check "that one is project B's" test "$(sql "SELECT COUNT(*) FROM feedback
	    WHERE user_email = '$A_MAIL' AND project_id = '$PRJ_B'")" = 1
	for f in $a_files; do
		[ -e "$T/media/$f" ] && missing=$((missing + 1))
	done
	check "none of A's files is on disk" test "$missing" = 0
	check "B's rows are untouched" test "$(rows_of "$B1" "$B2")" = "$b_rows"
	check "B's files are on disk" test "$(files_of "$B1" "$B2" | while read -r f; do
	    [ -f "$T/media/$f" ] && echo "$f"; done | wc -l)" = 2
	check "B's webhook delivery is there" test "$(sql "SELECT COUNT(*) FROM
	    webhook_deliveries WHERE feedback_id = '$B1'")" = 1
	check "B's session is there" test "$(sql "SELECT COUNT(*) FROM sessions
	    WHERE feedback_id = '$B2'")" = 1
	check "another project's item is untouched" test "$(rows_of "$X1")" = "$x_rows"
	check "the others are untouched" test "$(rows_of "$C1" "$C2")" = "$c2_rows"

	hash=$(printf 'email:%s' "$A_MAIL" | sha256sum | cut -c1-64)
	detail=$(sql "SELECT CONCAT_WS(' ', key_id, detail) FROM audit_log WHERE
	    action = 'reporter_erased' AND project_id = '$PRJ' ORDER BY id DESC
	    LIMIT 1")
	check "audited with the hash of the lower-case address" \
	    eval "[[ '$detail' == *'sha256:$hash'* ]]"
	check "and the key that asked" test "$(sql "SELECT key_id FROM audit_log
	    WHERE action = 'reporter_erased' ORDER BY id DESC LIMIT 1")" = \
	    "$(sql "SELECT id FROM api_keys WHERE project_id = '$PRJ'")"
	check "no audit row holds the address" test "$(sql "SELECT COUNT(*) FROM
	    audit_log WHERE LOWER(detail) LIKE '%pat.doe%'")" = 0

	erase "{\"email\":\"$A_MAIL\"}"
	check_status "erasing again: 200" 200
	check "all 0s" test "$(json erased | tr -d '{}"a-zA-Z:,' | tr -d 0)" = ""
	erase '{"email":"nobody@example.com"}'
	check_status "an address that matches nothing: 200, not an error" 200
	check_json "0 feedback" erased.feedback 0
	check_json "0 media" erased.media 0
}

test_erase_user_id() {
	local c2_rows
	t_ctx erase-userId
	c2_rows=$(rows_of "$C2")
	erase '{"userId":"U-Case"}'
	check_status "erase by userId: 200" 200
	check_json "its one item" erased.feedback 1
	check_json "its two files" erased.files 2
	check_json "its session" erased.sessions 1
	check "the item is gone" test "$(sql "SELECT COUNT(*) FROM feedback WHERE
	    id = '$C1'")" = 0
	check "u-case (another case) is another person: untouched" \
	    test "$(rows_of "$C2")" = "$c2_rows"
	erase '{"userId":"U-Case"}'
	check_json "again: 0" erased.feedback 0
}

test_ctl_erase() {
	local out before
	t_ctx harkctl-erase
	before=$(rows_of "$X1")
	out=$(ctl reporter erase "$PRJ" --email "$B_MAIL")
	check "harkctl reporter erase: exit 0" test $? = 0
	R_BODY=$out
	check_json "prints the counts: 2 items" erased.feedback 2
	check_json "2 media rows" erased.media 2
	check_json "2 files" erased.files 2
	check_json "1 label" erased.labels 1
	check_json "1 webhook delivery" erased.webhookDeliveries 1
	check "nothing of B is left" test -z "$(mentions "$B_MAIL" u-sam "Dark mode")"
	check "nor their ids, but in the audit trail" test -z "$(SKIP=audit_log mentions "$B1" "$B2")"
	check "audited from harkctl (no key)" test "$(sql "SELECT COUNT(*) FROM
	    audit_log WHERE action = 'reporter_erased' AND key_id IS NULL AND
	    detail LIKE 'reporter sha256:%'")" = 1
	out=$(ctl reporter erase "$PRJ_B" --user-id nobody)
	R_BODY=$out
	check_json "another reporter of project B: 0" erased.feedback 0
	check "project B's item is still there" test "$(rows_of "$X1")" = "$before"
	ctl reporter erase "$PRJ" --email >/dev/null 2>&1
	check "--email without a value: exit 2" test $? = 2
	ctl reporter erase "$PRJ" --user-id "" >/dev/null 2>&1
	check "an empty --user-id: exit 2" test $? = 2
	ctl reporter erase "$PRJ" --email x@example.com --output f >/dev/null 2>&1
	check "erase takes no --output: exit 2" test $? = 2
}

# A reporter of more rows than a batch: erased in several transactions,
# every one of them.
test_erase_batches() {
	local i n
	t_ctx batches
	n=250
	sql "INSERT INTO feedback (id, project_id, text, user_email)
	    SELECT CONCAT('fb_bulk', LPAD(seq, 22, '0')), '$PRJ', 'bulk',
	    'bulk@example.com' FROM seq_1_to_$n" || { fail "bulk rows"; return; }
	sql "INSERT INTO comments (id, feedback_id, body) SELECT
	    CONCAT('cmt_bulk', LPAD(seq, 22, '0')), CONCAT('fb_bulk',
	    LPAD(seq, 22, '0')), 'c' FROM seq_1_to_$n" || { fail "bulk comments"; return; }
	i=$(ctl reporter export "$PRJ" --email bulk@example.com | wc -l)
	check "export pages through all $n" test "$i" = "$n"
	erase '{"email":"bulk@example.com"}'
	check_json "all $n erased" erased.feedback "$n"
	check_json "with their $n comments" erased.comments "$n"
	check "none left" test "$(sql "SELECT COUNT(*) FROM feedback WHERE
	    user_email = 'bulk@example.com'")" = 0
}

# A crash between an erasure's commit and its unlinks leaves the files
# without rows: hark-batch's media sweep removes them once they are an
# hour old (what the erasure relies on), and keeps the others.
test_orphans() {
	local id files f left=0 kept=0
	t_ctx orphans
	id=$(upload "$SK" '{"email":"crash@example.com"}')
	files=$(files_of "$id")
	# The rows committed, the process gone before its unlinks.
	sql "DELETE FROM feedback WHERE id = '$id'" || { fail "the rows"; return; }
	for f in $files; do
		touch -d '2 hours ago' "$T/media/$f"
	done
	touch -d '2 hours ago' "$T/media/$(files_of "$C2" | head -n 1)"
	timeout 60 "$HARK_BUILD/hark-batch" -c "$CONF" --jobs housekeeping \
	    --once >"$T/hk.out" 2>&1
	check "hark-batch housekeeping: exit 0" test $? = 0
	for f in $files; do
		[ -e "$T/media/$f" ] && left=$((left + 1))
	done
	check "the sweep removed both orphans" test "$left" = 0
	for f in $(files_of "$C2"); do
		[ -e "$T/media/$f" ] && kept=$((kept + 1))
	done
	check "and kept an old file that has its row" test "$kept" = 2
}

t_init "${1:-}" rp
t_db
setup
test_export
test_bad_input
test_erase
test_erase_user_id
test_ctl_erase
test_erase_batches
test_orphans
t_ctx
t_summary
