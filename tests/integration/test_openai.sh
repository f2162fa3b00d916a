#!/bin/bash
# test_openai.sh: hark-batch with the openai backends, end to end, against a local OpenAI-compatible server.
#
#	tests/integration/test_openai.sh BUILD_DIR
#
# A voice submission made through hark-fcgi behind nginx is transcribed by
# [transcribe] backend = openai (tests/integration/openai_server.py, which
# checks the key and keeps what it was sent), its session is done with the
# transcript, and the enrich job that follows goes to [enrich] backend =
# openai: the item shows triagedBy openai with the model's summary, title,
# language and spam verdict.  A 429 is a retry no sooner than its
# Retry-After; an answer that breaks the schema on the last attempt is
# done by builtin, the log saying why; a 500 on a transcription's last
# attempt ends the session in error.  (The last attempt is made the first
# by the job's max_attempts, which is the submitting hark-fcgi's.)
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

MEDIA=$HARK_SRCDIR/tests/data/media
KEY=sk-test-$(rand_hex 8)
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
batch() { timeout 120 "$HARK_BUILD/hark-batch" -c "$1" --once --verbose >>"$T/batch.out" 2>&1; }

uuid7() {
	local ms r
	ms=$(printf '%012x' "$(date +%s%3N)")
	r=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s-%s-7%s-%x%s-%s\n' "${ms:0:8}" "${ms:8:4}" "${r:0:3}" \
	    $(( (0x${r:3:1} & 3) | 8 )) "${r:4:3}" "${r:7:12}"
}

payload() {
	cat >"$1" <<JSON
{"sessionId":"$2","transcript":"$3","context":{"dom":null,"console":[],
"network":[],"device":{},"page":{"url":"https://app.example.com/checkout"},
"screenshotUrl":null,"capturedAt":"2026-12-03T10:00:00Z"},"identity":null}
JSON
}

# openai_conf FILE TRANSCRIBE_MODEL ENRICH_MODEL [key=value...]
openai_conf() {
	local file=$1 tm=$2 em=$3
	shift 3
	write_hark_conf "$file" log.file="$T/oa/hark.log" server.workers=2 \
	    limits.rate_limit=100000 batch.lease=60 \
	    transcribe.backend=openai transcribe.language=en \
	    transcribe.openai_url="http://127.0.0.1:$OPORT" \
	    transcribe.openai_model="$tm" transcribe.openai_key_file="$T/oa/key" \
	    transcribe.openai_timeout=10 \
	    enrich.backend=openai enrich.openai_url="http://127.0.0.1:$OPORT/" \
	    enrich.openai_model="$em" enrich.openai_key_file="$T/oa/key" \
	    enrich.openai_timeout=10 \
	    enrich.prompt_file="$HARK_SRCDIR/conf/enrich-openai.json" "$@"
}

setup() {
	mkdir -p "$T/oa/srv"
	printf '%s\n' "$KEY" >"$T/oa/key"
	chmod 600 "$T/oa/key"
	t_spawn openai-server /usr/bin/python3 \
	    "$HARK_SRCDIR/tests/integration/openai_server.py" "$T/oa/srv" "$KEY"
	wait_until 10 test -s "$T/oa/srv/port" || { fail "the fake server starts"; exit 1; }
	OPORT=$(cat "$T/oa/srv/port")
	CONF="$T/oa/hark.conf"
	openai_conf "$CONF" whisper-1 ok
	PRJ=$(ctl project create "OpenAI") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start oa-nginx "$PORT" "$T/oa/hark.sock" || exit 2
	hark_standalone oa "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

state() {
	req GET "$URL/v1/feedback/session/$1/state" -H "Authorization: Bearer $SK"
}

# The requests the server saw since the last call, one JSON line each.
seen() {
	cat "$T/oa/srv/log.jsonl" 2>/dev/null
	rm -f "$T/oa/srv/log.jsonl"
}

# voice SID: submits the voice fixture; sets ID.
voice() {
	payload "$T/p.json" "$1" ""
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
	    -F "payload=<$T/p.json" -F "audio=@$MEDIA/voice.webm"
	check_status "a voice submission: 202" 202
	ID=$(json id)
}

test_voice_end_to_end() {
	local sid log
	t_ctx "voice, both openai"
	sid=$(uuid7)
	voice "$sid"
	seen >/dev/null
	batch "$CONF"
	check "hark-batch --once exits 0" test $? = 0
	log=$(seen)
	check "the server got one upload and one chat request" test \
	    "$(printf '%s\n' "$log" | wc -l)" = 2
	check "the upload is the stored file, byte for byte" \
	    cmp -s "$MEDIA/voice.webm" "$T/oa/srv/upload.bin"
	check "sent with the key from openai_key_file" test \
	    "$(printf '%s\n' "$log" | grep -c "\"Bearer $KEY\"")" = 2
	check "with model, response_format and language" grep -q \
	    '"fields": {"model": "whisper-1", "response_format": "json", "language": "en"}' \
	    <<<"$log"
	check "the chat request asks for the strict json_schema" grep -q \
	    '"response_format": {"type": "json_schema", "json_schema": {"name": "hark_enrichment", "strict": true' \
	    <<<"$log"
	check "about the transcript" grep -q '"content": "Page: https://app.example.com/checkout\\n\\nFeedback:\\nthe quick brown fox"' \
	    <<<"$log"
	state "$sid"
	check_json "the session is done" status "done"
	check_json "with the transcript" transcript "the quick brown fox"
	check "both jobs are done" test "$(sql "SELECT GROUP_CONCAT(CONCAT(kind,
	    ' ', status) ORDER BY kind) FROM jobs WHERE feedback_id = '$ID'")" \
	    = "enrich done,transcribe done"
	req GET "$URL/v1/feedback/$ID" -H "Authorization: Bearer $SK"
	check_json "triaged by openai" triagedBy openai
	check_json "the model's category" category bug
	check_json "its impact" impactScore 9
	check_json "its title" title "Checkout button does nothing"
	check_json "its summary" summary "The checkout button does nothing when pressed."
	check_json "its language" language en
	check_json "its spam verdict" spam false
	check "the key is in no log" eval "! grep -q '$KEY' '$T/oa/hark.log' '$T/batch.out'"
}

test_rate_limited() {
	local id wait
	t_ctx "429"
	payload "$T/p.json" "$(uuid7)" "The export button crashes the app"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
	    -F "payload=<$T/p.json"
	id=$(json id)
	openai_conf "$T/oa/r429.conf" whisper-1 r429
	batch "$T/oa/r429.conf"
	check "a 429 leaves the job pending" test "$(sql "SELECT CONCAT(status,
	    ' ', attempts) FROM jobs WHERE feedback_id = '$id'")" = "pending 1"
	check "with the status as its last error" test "$(sql "SELECT last_error
	    FROM jobs WHERE feedback_id = '$id'")" = \
	    "openai enrichment: HTTP 429 (rate_limit_exceeded)"
	wait=$(sql "SELECT TIMESTAMPDIFF(SECOND, NOW(6), run_after) FROM jobs
	    WHERE feedback_id = '$id'")
	check "and its next try no sooner than Retry-After (7 s): $wait s" \
	    test "$wait" -ge 5
	sql "UPDATE jobs SET run_after = NOW(6) WHERE feedback_id = '$id'"
	batch "$CONF"
	check "the next run does it" test "$(sql "SELECT CONCAT(j.status, ' ',
	    f.triaged_by) FROM jobs j JOIN feedback f ON f.id = j.feedback_id
	    WHERE j.feedback_id = '$id'")" = "done openai"
}

test_invalid_falls_back() {
	local id
	t_ctx "schema-violating answer, last attempt"
	payload "$T/p.json" "$(uuid7)" "The checkout page crashes when I press pay, this is broken"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
	    -F "payload=<$T/p.json"
	id=$(json id)
	# As if ingest had not triaged it; one attempt, which is the last.
	sql "UPDATE feedback SET category = 'other', impact_score = 0,
	    triaged_by = NULL WHERE id = '$id'"
	sql "UPDATE jobs SET max_attempts = 1 WHERE feedback_id = '$id'"
	openai_conf "$T/oa/bad.conf" whisper-1 badcat
	batch "$T/oa/bad.conf"
	check "the job is done all the same" test "$(sql "SELECT CONCAT(status,
	    ' ', attempts) FROM jobs WHERE feedback_id = '$id'")" = "done 1"
	check "by builtin" test "$(sql "SELECT CONCAT(category, ' ', triaged_by)
	    FROM feedback WHERE id = '$id'")" = "bug builtin"
	check "the log says why" grep -q "openai enrichment: invalid answer: category must be one of: .*; enriched by builtin instead" \
	    "$T/oa/hark.log"
}

test_transcription_fails() {
	local sid
	t_ctx "transcription 500, last attempt"
	sid=$(uuid7)
	voice "$sid"
	sql "UPDATE jobs SET max_attempts = 1 WHERE feedback_id = '$ID'"
	openai_conf "$T/oa/e500.conf" e500 ok
	batch "$T/oa/e500.conf"
	check "the transcribe job failed" test "$(sql "SELECT status FROM jobs
	    WHERE feedback_id = '$ID' AND kind = 'transcribe'")" = failed
	state "$sid"
	check_json "the session is in error" status error
	check "saying why" eval "[[ '$(json error)' == *'HTTP 500'* ]]"
	check "the item is kept" test "$(sql "SELECT COUNT(*) FROM feedback
	    WHERE id = '$ID'")" = 1
}

t_init "${1:-}" oa
t_db
setup
test_voice_end_to_end
test_rate_limited
test_invalid_falls_back
test_transcription_fails
t_ctx
t_summary
