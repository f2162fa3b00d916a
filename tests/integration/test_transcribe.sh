#!/bin/bash
# test_transcribe.sh: voice submissions transcribed by pocketsphinx through hark-batch, end to end.
#
#	tests/integration/test_transcribe.sh BUILD_DIR
#
# pocketsphinx-testdata's five LibriVox clips, encoded here to WebM/Opus and
# MP4/AAC as browsers record them, are submitted through POST /v1/feedback
# (multipart, behind nginx, on a real MariaDB); hark-batch --once runs their
# transcribe jobs with [transcribe] backend = pocketsphinx.  Each session is
# then done with its transcript, the item has it with its language, and
# per format the word error rate against the clips' reference transcripts
# is within the bound test_transcribe (unit) asserts: 0.282 measured, 0.332.
# A build without pocketsphinx skips (exit 77 with a summary line).
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

D=/usr/share/pocketsphinx/test/data/librivox
WER_BOUND=0.332
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }

uuid7() {
	local ms r
	ms=$(printf '%012x' "$(date +%s%3N)")
	r=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s-%s-7%s-%x%s-%s\n' "${ms:0:8}" "${ms:8:4}" "${r:0:3}" \
	    $(( (0x${r:3:1} & 3) | 8 )) "${r:4:3}" "${r:7:12}"
}

payload() {
	cat >"$1" <<JSON
{"sessionId":"$2","transcript":"","context":{"dom":null,"console":[],
"network":[],"device":{},"page":{"url":"https://app.example.com/voice"},
"screenshotUrl":null,"capturedAt":"2026-12-03T10:00:00Z"},"identity":null}
JSON
}

# wer REF HYP: "errors words" (word-level Levenshtein distance).
wer() {
	python3 - "$1" "$2" <<'PY'
import sys
r, h = sys.argv[1].split(), sys.argv[2].split()
d = list(range(len(h) + 1))
for i, rw in enumerate(r, 1):
    prev, d[0] = d[0], i
    for j, hw in enumerate(h, 1):
        cur = min(d[j] + 1, d[j - 1] + 1, prev + (rw != hw))
        prev, d[j] = d[j], cur
print(d[len(h)], len(r))
PY
}

setup() {
	mkdir -p "$T/tr"
	CONF="$T/tr/hark.conf"
	write_hark_conf "$CONF" log.file="$T/tr/hark.log" server.workers=2 \
	    limits.rate_limit=100000 transcribe.backend=pocketsphinx
	PRJ=$(ctl project create "Voice") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start tr-nginx "$PORT" "$T/tr/hark.sock" || exit 2
	hark_standalone tr "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

# test_format EXT CODEC BITRATE
test_format() {
	local ext=$1 codec=$2 rate=$3 id sid fid ref hyp e n errors=0 words=0
	local -A sids fids
	t_ctx "$ext"
	for id in $(cat "$D/fileids"); do
		ffmpeg -nostdin -v error -y -i "$D/$id.wav" -c:a "$codec" \
		    -b:a "$rate" "$T/tr/$id.$ext" ||
		    { fail "ffmpeg encodes $id.$ext"; return; }
		sid=$(uuid7)
		payload "$T/tr/p.json" "$sid"
		req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
		    -F "payload=<$T/tr/p.json" -F "audio=@$T/tr/$id.$ext"
		check_status "$id.$ext is accepted: 202" 202
		sids[$id]=$sid
		fids[$id]=$(json id)
	done
	timeout 300 "$HARK_BUILD/hark-batch" -c "$CONF" --once \
	    --jobs transcribe >"$T/tr/batch.out" 2>&1
	check "hark-batch --once exits 0" test $? = 0
	for id in $(cat "$D/fileids"); do
		sid=${sids[$id]}
		fid=${fids[$id]}
		check "$id.$ext: its transcribe job is done" test "$(sql "SELECT
		    status FROM jobs WHERE feedback_id = '$fid' AND
		    kind = 'transcribe'")" = done
		req GET "$URL/v1/feedback/session/$sid/state" \
		    -H "Authorization: Bearer $SK"
		check_json "$id.$ext: its session is done" status done
		hyp=$(json transcript)
		check "$id.$ext: with a transcript" test -n "$hyp"
		check "$id.$ext: the item has it, in en" test "$(sql "SELECT
		    CONCAT(language, ':', text) FROM feedback
		    WHERE id = '$fid'")" = "en:$hyp"
		ref=$(grep "($id)" "$D/transcription" | sed 's/<s>//; s/<\/s>.*//')
		read -r e n < <(wer "$ref" "$hyp")
		echo "$id.$ext: $e/$n: $hyp"
		errors=$((errors + e))
		words=$((words + n))
	done
	echo "$ext: WER $errors/$words"
	check "$ext: word error rate $errors/$words <= $WER_BOUND" \
	    awk -v e="$errors" -v n="$words" -v b="$WER_BOUND" \
	    'BEGIN { exit !(n == 71 && e / n <= b) }'
}

t_init "${1:-}" tr
if ! grep -q '^#define HAVE_POCKETSPHINX 1' "$HARK_BUILD/config.h"; then
	echo "SKIP: $HARK_BUILD was built without pocketsphinx"
	t_summary
	exit 77
fi
[ -r "$D/transcription" ] || { fail "pocketsphinx-testdata is installed"; t_summary; exit 1; }
t_db
setup
test_format webm libopus 32k
test_format m4a aac 64k
t_ctx
t_summary
