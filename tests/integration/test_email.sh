#!/bin/bash
# test_email.sh: the submitter's email, end to end: hark-batch's email jobs against a real SMTP server and a Resend stand-in.
#
#	tests/integration/test_email.sh BUILD_DIR
#
# hark-fcgi behind nginx on a real MariaDB takes the items, the PATCH that
# resolves them and the comments (which enqueue their events); one
# hark-batch --once fans each event out (batch/notify.c) and runs the email
# job it makes.  Mail goes to a real SMTP server on loopback (smtp_sink.py,
# Debian's python3-aiosmtpd), which keeps each message as received; the
# messages are read back with Python's email package: one mail per
# resolution, to the item's address, its Subject (RFC 2047 for non-ASCII),
# both MIME parts (the submitter's text HTML-escaped in the HTML one),
# List-Unsubscribe and List-Unsubscribe-Post.  A notifySubmitter comment
# mails the comment.  [email] template_dir's own templates.  No address, an
# item held as spam, or backend none: nothing sent, the job done with a
# note.  The SMTP server down: the job retried (pending, attempts 1,
# last_error), then failed after its last attempt, another job unaffected;
# a 550: failed at once; STARTTLS required of a server without it: nothing
# sent in clear; AUTH with smtp_user and smtp_password_file (a wrong
# password or none: 5xx, failed).  backend = resend against
# resend_server.py: the key, the JSON, a 500 then a 200 (retried, with the
# same Idempotency-Key), a 429's Retry-After, a wrong key failed.  The
# address is in no log.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
ADDR=pat@example.com
FROM=feedback@hark.test
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
batch() { timeout 120 "$HARK_BUILD/hark-batch" -c "$1" --once --verbose >>"$T/batch.out" 2>&1; }
JSON_CT=(-H 'Content-Type: application/json')

# email_conf FILE [key=value ...]: the suite's hark.conf with an [email]
# section (write_hark_conf knows the sections before it).
email_conf() {
	local file=$1 kv
	shift
	write_hark_conf "$file" log.file="$T/em/hark.log" server.workers=2 \
	    limits.rate_limit=100000 transcribe.backend=none
	declare -A e=(
		[backend]=smtp [from]="$FROM" [from_name]="Hark Test"
		[smtp_url]="smtp://127.0.0.1:$SPORT" [smtp_starttls]=yes
		[timeout]=5
		[unsubscribe]="mailto:unsubscribe@hark.test https://hark.test/u?e={{email}}&i={{id}}"
		[template_dir]="$HARK_SRCDIR/conf"
	)
	for kv in "$@"; do
		e[${kv%%=*}]=${kv#*=}
	done
	{
		printf '\n[email]\n'
		for kv in "${!e[@]}"; do
			[ "${e[$kv]}" = - ] || printf '%s = %s\n' "$kv" "${e[$kv]}"
		done
	} >>"$file"
}

setup() {
	mkdir -p "$T/em/smtp" "$T/em/resend"
	SPORT=$(pick_port) || exit 2
	t_spawn smtp-sink "$PY" "$HARK_SRCDIR/tests/integration/smtp_sink.py" \
	    "$T/em/smtp" "$SPORT"
	wait_until 15 test -e "$T/em/smtp/ready" || { fail "the SMTP server starts" "$(tail -3 "$T/smtp-sink.out")"; exit 1; }
	RKEY=re_test_$(rand_hex 8)
	printf '%s\n' "$RKEY" >"$T/em/resend.key"
	chmod 600 "$T/em/resend.key"
	t_spawn resend "$PY" "$HARK_SRCDIR/tests/integration/resend_server.py" \
	    "$T/em/resend" "$RKEY"
	wait_until 10 test -s "$T/em/resend/port" || { fail "the Resend stand-in starts"; exit 1; }
	RPORT=$(cat "$T/em/resend/port")
	CONF="$T/em/hark.conf"
	email_conf "$CONF"
	PRJ=$(ctl project create "Acme Shop") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start em-nginx "$PORT" "$T/em/hark.sock" || exit 2
	hark_standalone em "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

# item TEXT [EMAIL]: posts an item; sets ID.
item() {
	local mail=
	[ -n "${2:-}" ] && mail=",\"userEmail\":\"$2\""
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" "${JSON_CT[@]}" \
	    -d "{\"text\":\"$1\",\"page\":\"/checkout\"$mail}"
	ID=$(json id)
}

# enqueue ID REASON [COMMENT_ID]: an email job as the fan-out makes it
# (batch/notify.c), for what a request cannot make (a comment gone since);
# sets JOB.
enqueue() {
	local c=NULL
	[ -n "${3:-}" ] && c="'$3'"
	JOB=job_$(rand_hex 12)
	sql "INSERT INTO jobs (id, kind, project_id, feedback_id, comment_id,
	    payload, max_attempts, status, run_after, created_at) VALUES
	    ('$JOB', 'email', '$PRJ', '$1', $c, '{\"reason\": \"$2\"}',
	    5, 'pending', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
}

# resolve ID [NOTE]: PATCHes the item done, which enqueues its
# feedback.resolved event; hark-batch fans it out into the email job.
resolve() {
	req PATCH "$URL/v1/feedback/$1" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d "{\"status\":\"done\",\"resolutionNote\":\"${2:-}\"}"
	check_status "PATCH status done: 200" 200
}

# email_job ID: sets JOB to the item's latest email job.
email_job() {
	JOB=$(sql "SELECT id FROM jobs WHERE kind = 'email' AND feedback_id =
	    '$1' ORDER BY created_at DESC, id DESC LIMIT 1")
}

# later JOB: a job left pending waits out the suite.
later() { sql "UPDATE jobs SET run_after = UTC_TIMESTAMP(6) + INTERVAL 1 DAY WHERE id = '$1'"; }

job_state() {
	sql "SELECT CONCAT(status, ' ', attempts) FROM jobs WHERE id = '$1'"
}
job_error() { sql "SELECT COALESCE(last_error, '') FROM jobs WHERE id = '$1'"; }
mails() { find "$T/em/smtp" -name '*.eml' | wc -l; }
last_mail() { ls "$T/em/smtp"/*.eml 2>/dev/null | sort -V | tail -n 1; }

# mailq FILE WHAT: a header (decoded), "text" or "html" (the part, decoded),
# "ctype", or "parts" (each part's type, charset and encoding).
mailq() {
	"$PY" - "$1" "$2" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.default)
w = sys.argv[2]
if w in ("text", "html"):
    p = m.get_body(preferencelist=("plain",) if w == "text" else ("html",))
    sys.stdout.write(p.get_content())
elif w == "ctype":
    print(m.get_content_type())
elif w == "parts":
    for p in m.iter_parts():
        print(p.get_content_type(), p.get_content_charset(),
              p["Content-Transfer-Encoding"])
else:
    v = m.get(w)
    print("" if v is None else str(v))
PY
}

test_resolved() {
	local f n0 env
	t_ctx resolved
	item "Checkout fails with <script>alert(1)</script> & a 500" "$ADDR"
	n0=$(mails)
	resolve "$ID" "Fixed in v1.4 & deployed <today>"
	batch "$CONF"
	check "hark-batch --once exits 0" test $? = 0
	email_job "$ID"
	check "the fan-out made one email job" test -n "$JOB"
	check "one mail" test "$(mails)" = $((n0 + 1))
	check "the job is done" test "$(job_state "$JOB")" = "done 1"
	f=$(last_mail)
	env=$(cat "${f%.eml}.json")
	check "envelope: to the item's address" grep -qF "\"rcpt_tos\": [\"$ADDR\"]" <<<"$env"
	check "envelope: from [email] from" grep -qF "\"mail_from\": \"$FROM\"" <<<"$env"
	check "To" test "$(mailq "$f" To)" = "$ADDR"
	check "From, with its name" test "$(mailq "$f" From)" = "Hark Test <$FROM>"
	check "Subject" test "$(mailq "$f" Subject)" = \
	    "Resolved: Checkout fails with <script>alert(1)</script> & a 500"
	check "Date" grep -qE '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} 20[0-9]{2} ' "$f"
	check "Message-ID at the sender's domain" grep -qE "^Message-ID: <[0-9a-f]{32}\\.$ID@hark\\.test>" "$f"
	check "multipart/alternative" test "$(mailq "$f" ctype)" = multipart/alternative
	check "text/plain and text/html, UTF-8, quoted-printable" test \
	    "$(mailq "$f" parts | tr '\n' '|')" = \
	    "text/plain utf-8 quoted-printable|text/html utf-8 quoted-printable|"
	check "the text part has the note as written" grep -qF \
	    "Fixed in v1.4 & deployed <today>" <<<"$(mailq "$f" text)"
	check "and the project's name and the item's id" eval \
	    "mailq '$f' text | grep -q 'Acme Shop' && mailq '$f' text | grep -qF '$ID'"
	check "the HTML part has the note escaped" grep -qF \
	    "Fixed in v1.4 &amp; deployed &lt;today&gt;" <<<"$(mailq "$f" html)"
	check "and the submitter's text escaped" grep -qF \
	    "Checkout fails with &lt;script&gt;alert(1)&lt;/script&gt; &amp; a 500" \
	    <<<"$(mailq "$f" html)"
	check "no markup of the submitter's in the HTML" eval \
	    "! mailq '$f' html | grep -qF '<script>'"
	check "List-Unsubscribe: mailto and https, the address URL-encoded" test \
	    "$(mailq "$f" List-Unsubscribe)" = \
	    "<mailto:unsubscribe@hark.test>, <https://hark.test/u?e=pat%40example.com&i=$ID>"
	check "List-Unsubscribe-Post (one-click)" test \
	    "$(mailq "$f" List-Unsubscribe-Post)" = "List-Unsubscribe=One-Click"
	check "CRLF line ends only" eval "! LC_ALL=C grep -qv \$'\\r\$' '$f'"
	# Another run sends nothing more.
	batch "$CONF"
	check "a second run mails nothing more" test "$(mails)" = $((n0 + 1))
}

test_non_ascii_subject() {
	local f
	t_ctx "non-ASCII subject"
	item "Le paiement échoue à l’étape 3 — 支付失败" "$ADDR"
	resolve "$ID" "Corrigé"
	batch "$CONF"
	f=$(last_mail)
	check "the Subject is RFC 2047 encoded" grep -q '^Subject: =?UTF-8?B?' "$f"
	check "every header line is ASCII" eval "! sed '/^\\r\$/q' '$f' | LC_ALL=C grep -q '[^ -~[:space:]]'"
	check "and decodes to the text" test "$(mailq "$f" Subject)" = \
	    "Resolved: Le paiement échoue à l’étape 3 — 支付失败"
	check "the note in UTF-8" grep -qF "Corrigé" <<<"$(mailq "$f" text)"
}

test_comment() {
	local f n0 cid
	t_ctx comment
	item "The invoice PDF is blank" "$ADDR"
	n0=$(mails)
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body": "We found it: <b>fonts</b> & margins.\nA fix ships Monday.", "notifySubmitter": true}'
	check_status "the comment: 201" 201
	cid=$(json id)
	batch "$CONF"
	check "one mail" test "$(mails)" = $((n0 + 1))
	email_job "$ID"
	check "its job names the comment" test "$(sql "SELECT CONCAT(comment_id,
	    ' ', JSON_VALUE(payload, '\$.reason')) FROM jobs WHERE id = '$JOB'")" = \
	    "$cid comment"
	f=$(last_mail)
	check "its Subject" test "$(mailq "$f" Subject)" = \
	    "About your feedback: The invoice PDF is blank"
	check "the comment in the text part" grep -qF \
	    "We found it: <b>fonts</b> & margins." <<<"$(mailq "$f" text)"
	check "both of its lines" grep -qF "A fix ships Monday." <<<"$(mailq "$f" text)"
	check "escaped in the HTML part" grep -qF \
	    "We found it: &lt;b&gt;fonts&lt;/b&gt; &amp; margins." <<<"$(mailq "$f" html)"
	check "To" test "$(mailq "$f" To)" = "$ADDR"
	req POST "$URL/v1/feedback/$ID/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d '{"body": "internal only", "notifySubmitter": false}'
	batch "$CONF"
	check "notifySubmitter false: no mail" test "$(mails)" = $((n0 + 1))
	enqueue "$ID" comment cm_0000000000000000000000000z
	batch "$CONF"
	check "a comment that is gone: nothing sent" test "$(mails)" = $((n0 + 1))
	check "the job done with a note" test "$(job_state "$JOB")/$(job_error "$JOB")" = \
	    "done 1/email: not sent (the comment is gone)"
}

test_no_address() {
	local n0
	t_ctx "no address"
	item "Anonymous: the search is slow"
	n0=$(mails)
	resolve "$ID" "Faster now"
	batch "$CONF"
	email_job "$ID"
	check "nothing sent" test "$(mails)" = "$n0"
	check "the job done with a note" test "$(job_state "$JOB")/$(job_error "$JOB")" = \
	    "done 1/email: not sent (the item has no address)"
	item "Cheap pills, click here" "$ADDR"
	sql "UPDATE feedback SET quarantined = 1 WHERE id = '$ID'"
	resolve "$ID" "spam"
	batch "$CONF"
	email_job "$ID"
	check "held as spam: nothing sent" test "$(mails)" = "$n0"
	check "done with a note" test "$(job_state "$JOB")/$(job_error "$JOB")" = \
	    "done 1/email: not sent (the item is held as spam)"
	email_conf "$T/em/none.conf" backend=none
	item "Backend none" "$ADDR"
	resolve "$ID" ""
	batch "$T/em/none.conf"
	email_job "$ID"
	check "backend none: nothing sent" test "$(mails)" = "$n0"
	check "done with a note" test "$(job_state "$JOB")/$(job_error "$JOB")" = \
	    "done 1/email: not sent ([email] backend = none)"
}

test_smtp_down() {
	local n0 down other
	t_ctx "SMTP down"
	down=$(pick_port) || return
	email_conf "$T/em/down.conf" smtp_url="smtp://127.0.0.1:$down"
	item "The cart forgets items" "$ADDR"
	n0=$(mails)
	resolve "$ID" "Fixed"
	# Another job beside it: an enrichment, which has nothing to do with mail.
	other=job_$(rand_hex 12)
	sql "INSERT INTO jobs (id, kind, project_id, feedback_id, status,
	    run_after, created_at) VALUES ('$other', 'enrich', '$PRJ', '$ID',
	    'pending', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
	batch "$T/em/down.conf"
	check "hark-batch exits 0" test $? = 0
	email_job "$ID"
	check "the job is retried: pending after attempt 1" test \
	    "$(job_state "$JOB")" = "pending 1"
	check "with the transport error as last_error" eval \
	    "job_error '$JOB' | grep -q '^email: smtp: '"
	check "due again later" test "$(sql "SELECT run_after > UTC_TIMESTAMP(6)
	    FROM jobs WHERE id = '$JOB'")" = 1
	check "the other job is done" test "$(job_state "$other")" = "done 1"
	check "and the event's notify job" test "$(sql "SELECT GROUP_CONCAT(
	    DISTINCT status) FROM jobs WHERE kind = 'notify' AND feedback_id =
	    '$ID'")" = done
	# Its last attempt: max_attempts is the kind's; 2 makes the next one it.
	sql "UPDATE jobs SET run_after = UTC_TIMESTAMP(6), max_attempts = 2
	    WHERE id = '$JOB'"
	batch "$T/em/down.conf"
	check "after its last attempt: failed" test "$(job_state "$JOB")" = "failed 2"
	check "nothing was sent" test "$(mails)" = "$n0"
	# The server back: other mail flows.
	item "The cart forgets items, again" "$ADDR"
	resolve "$ID" "Fixed again"
	batch "$CONF"
	email_job "$ID"
	check "the next job, the server up: sent" test "$(job_state "$JOB")/$(mails)" = "done 1/$((n0 + 1))"
}

test_smtp_refused() {
	local n0
	t_ctx "SMTP 550"
	item "Refused recipient" "$ADDR"
	n0=$(mails)
	resolve "$ID" "x"
	touch "$T/em/smtp/reject"
	batch "$CONF"
	rm -f "$T/em/smtp/reject"
	email_job "$ID"
	check "a permanent 5xx: failed at once" test "$(job_state "$JOB")" = "failed 1"
	check "saying the reply" eval "job_error '$JOB' | grep -q 'reply 550'"
	check "nothing sent" test "$(mails)" = "$n0"
	email_conf "$T/em/tls.conf" smtp_starttls=required
	item "STARTTLS required" "$ADDR"
	resolve "$ID" "y"
	batch "$T/em/tls.conf"
	email_job "$ID"
	check "STARTTLS required, the server has none: retried" test \
	    "$(job_state "$JOB")" = "pending 1"
	check "nothing sent in clear" test "$(mails)" = "$n0"
	later "$JOB"
}

test_smtp_auth() {
	local n0
	t_ctx "SMTP AUTH"
	mkdir -p "$T/em/auth"
	APORT=$(pick_port) || return
	t_spawn smtp-auth "$PY" "$HARK_SRCDIR/tests/integration/smtp_sink.py" \
	    "$T/em/auth" "$APORT" "hark:s3cret pass"
	wait_until 15 test -e "$T/em/auth/ready" || { fail "the AUTH server starts"; return; }
	printf 's3cret pass\n' >"$T/em/smtp.password"
	chmod 600 "$T/em/smtp.password"
	email_conf "$T/em/auth.conf" smtp_url="smtp://127.0.0.1:$APORT" \
	    smtp_user=hark smtp_password_file="$T/em/smtp.password"
	item "AUTH: the profile photo upload" "$ADDR"
	resolve "$ID" "ok"
	batch "$T/em/auth.conf"
	email_job "$ID"
	check "smtp_user and smtp_password_file: sent" test \
	    "$(job_state "$JOB")/$(find "$T/em/auth" -name '*.eml' | wc -l)" = "done 1/1"
	email_conf "$T/em/noauth.conf" smtp_url="smtp://127.0.0.1:$APORT"
	item "AUTH: none given" "$ADDR"
	resolve "$ID" "no"
	batch "$T/em/noauth.conf"
	email_job "$ID"
	check "no AUTH where it is required: refused (5xx), failed" test \
	    "$(job_state "$JOB")" = "failed 1"
	printf 'wrong\n' >"$T/em/wrong.password"
	email_conf "$T/em/wrongauth.conf" smtp_url="smtp://127.0.0.1:$APORT" \
	    smtp_user=hark smtp_password_file="$T/em/wrong.password"
	item "AUTH: a wrong password" "$ADDR"
	resolve "$ID" "no"
	batch "$T/em/wrongauth.conf"
	email_job "$ID"
	check "a wrong password (535): failed" eval "test \"\$(job_state '$JOB')\" = 'failed 1' && job_error '$JOB' | grep -q 'reply 535'"
	check "only the one mail" test "$(find "$T/em/auth" -name '*.eml' | wc -l)" = 1
	check "the password is in no log" eval "! grep -qF 's3cret' '$T/batch.out' '$T/em/hark.log'"
}

test_resend() {
	local log n
	t_ctx resend
	email_conf "$T/em/resend.conf" backend=resend \
	    resend_url="http://127.0.0.1:$RPORT/" \
	    resend_key_file="$T/em/resend.key" unsubscribe=-
	item "Resend: the coupon field rejects lower case" "$ADDR"
	resolve "$ID" "Accepted now"
	batch "$T/em/resend.conf"
	email_job "$ID"
	check "a 500: retried" test "$(job_state "$JOB")" = "pending 1"
	check "saying so" test "$(job_error "$JOB")" = "email: resend: HTTP 500"
	sql "UPDATE jobs SET run_after = UTC_TIMESTAMP(6) WHERE id = '$JOB'"
	batch "$T/em/resend.conf"
	check "then a 200: done" test "$(job_state "$JOB")" = "done 2"
	log=$(cat "$T/em/resend/log.jsonl")
	n=$(wc -l <<<"$log")
	check "two requests" test "$n" = 2
	check "to /emails with the key" test "$(grep -c "\"authorization\": \"Bearer $RKEY\"" <<<"$log")" = 2
	check "the same Idempotency-Key, the job's id" test \
	    "$(grep -c "\"idempotency_key\": \"$JOB\"" <<<"$log")" = 2
	check "the JSON the API takes" "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
b = r["body"]
assert r["status"] == 200, r
assert b["to"] == [sys.argv[1]], b["to"]
assert b["from"] == "Hark Test <" + sys.argv[2] + ">", b["from"]
assert b["subject"] == "Resolved: Resend: the coupon field rejects lower case", b["subject"]
assert "Accepted now" in b["text"] and "Accepted now" in b["html"]
assert b["html"].lstrip().startswith("<!DOCTYPE html>")
assert b["headers"] == {"List-Unsubscribe":
    "<mailto:" + sys.argv[2] + "?subject=unsubscribe>"}, b["headers"]
' "$ADDR" "$FROM" <<<"$(tail -n 1 <<<"$log")"
	printf 'x\n' >"$T/em/bad.key"
	email_conf "$T/em/badkey.conf" backend=resend \
	    resend_url="http://127.0.0.1:$RPORT" resend_key_file="$T/em/bad.key"
	item "Resend: a wrong key" "$ADDR"
	resolve "$ID" "z"
	batch "$T/em/badkey.conf"
	email_job "$ID"
	check "a wrong key (401): failed" test "$(job_state "$JOB")/$(job_error "$JOB")" = \
	    "failed 1/email: resend: HTTP 401"
	item "Resend [429] rate limited" "$ADDR"
	resolve "$ID" "later"
	batch "$T/em/resend.conf"
	email_job "$ID"
	check "a 429: retried" test "$(job_state "$JOB")/$(job_error "$JOB")" = \
	    "pending 1/email: resend: HTTP 429"
	check "no sooner than its Retry-After (120 s)" test "$(sql "SELECT
	    TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), run_after) >= 110 FROM jobs
	    WHERE id = '$JOB'")" = 1
	later "$JOB"
	email_conf "$T/em/envkey.conf" backend=resend \
	    resend_url="http://127.0.0.1:$RPORT"
	item "Resend: the key from the environment" "$ADDR"
	resolve "$ID" "env"
	RESEND_API_KEY=$RKEY batch "$T/em/envkey.conf"
	email_job "$ID"
	check "the key from RESEND_API_KEY" test "$(job_state "$JOB")" = "done 1"
}

test_templates() {
	local f n0
	t_ctx templates
	mkdir -p "$T/em/tpl" "$T/em/empty"
	cp "$HARK_SRCDIR/conf/email-comment.txt" "$HARK_SRCDIR/conf/email-comment.html" "$T/em/tpl/"
	printf 'Subject: [{{project}}] #{{id}} {{status}} {{nope}}\n\nSee {{url}}\nOn {{page}}: {{excerpt}}\n' \
	    >"$T/em/tpl/email-resolved.txt"
	printf '<a href="{{url}}">{{summary}}</a>\n' >"$T/em/tpl/email-resolved.html"
	email_conf "$T/em/tpl.conf" template_dir="$T/em/tpl" \
	    item_url="https://inbox.hark.test/{{project_id}}/{{id}}?from=mail"
	item "Own templates: the   export\nbutton" "$ADDR"
	n0=$(mails)
	resolve "$ID" ""
	batch "$T/em/tpl.conf"
	check "one mail" test "$(mails)" = $((n0 + 1))
	f=$(last_mail)
	check "[email] template_dir's subject; an unknown {{name}} kept" test \
	    "$(mailq "$f" Subject)" = "[Acme Shop] #$ID done {{nope}}"
	check "{{url}} from item_url" grep -qxF \
	    "See https://inbox.hark.test/$PRJ/$ID?from=mail" <<<"$(mailq "$f" text)"
	check "{{page}} and the excerpt on one line" grep -qxF \
	    "On /checkout: Own templates: the export button" <<<"$(mailq "$f" text)"
	check "the HTML template" grep -qF \
	    "<a href=\"https://inbox.hark.test/$PRJ/$ID?from=mail\">Own templates: the export button</a>" \
	    <<<"$(mailq "$f" html)"
	email_conf "$T/em/notpl.conf" template_dir="$T/em/empty"
	item "No templates" "$ADDR"
	resolve "$ID" ""
	batch "$T/em/notpl.conf"
	email_job "$ID"
	check "a missing template: retried" test "$(job_state "$JOB")" = "pending 1"
	check "naming the file" test "$(job_error "$JOB")" = \
	    "email: cannot open the template email-resolved.txt: No such file or directory"
	check "nothing sent" test "$(mails)" = $((n0 + 1))
	later "$JOB"
}

test_no_leak() {
	t_ctx logs
	check "the address is in no hark-batch line" eval "! grep -qF '$ADDR' '$T/batch.out'"
	check "nor the key" eval "! grep -qF '$RKEY' '$T/batch.out' '$T/em/hark.log'"
}

t_init "${1:-}" em
t_db
setup
test_resolved
test_non_ascii_subject
test_comment
test_templates
test_no_address
test_smtp_down
test_smtp_refused
test_smtp_auth
test_resend
test_no_leak
t_ctx
t_summary
