#!/bin/bash
# test_ctl_feedback.sh: the inbox from a shell: harkctl feedback list, show, export.
#
#	tests/integration/test_ctl_feedback.sh BUILD_DIR
#
# Items are filed and worked through the API (hark-fcgi behind nginx, real
# MariaDB: statuses and labels by PATCH, comments by POST), then read back
# with harkctl: list's filters judged by what comes out (JSON parsed by
# python3, CSV by python3's csv module, with a text of commas, quotes,
# newlines and a leading '='), show as text and JSON, export's row count
# against the database and its CSV round trip.  A project of 2,500 rows
# filed at one instant (by SQL) makes the keyset pages meet ties.  Each bad
# input is a test of its message and exit status (2 usage, 1 not found).
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

HCTL() { "$HARK_BUILD/harkctl" -c "$CONF" "$@"; }
ctl() { HCTL "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')
py() { python3 -c "$@"; }

# The text a spreadsheet would run: commas, quotes, newlines, a leading '='.
EVIL='=HYPERLINK("http://x/?a=1,2"), "q"
line two, with a comma'

file_item() {
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" "${JSON_CT[@]}" \
	    -d "$1"
	[ "$R_STATUS" = 201 ] || { fail "filing an item" "$R_STATUS $R_BODY"; exit 1; }
	json id
}

patch() {
	req PATCH "$URL/v1/feedback/$1" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d "$2"
	[ "$R_STATUS" = 200 ] || fail "PATCH $2" "$R_STATUS $R_BODY"
}

comment() {
	req POST "$URL/v1/feedback/$1/comments" -H "Authorization: Bearer $SK" \
	    "${JSON_CT[@]}" -d "$2"
	[ "$R_STATUS" = 201 ] || fail "comment $2" "$R_STATUS $R_BODY"
}

setup() {
	mkdir -p "$T/cf"
	CONF="$T/cf/hark.conf"
	write_hark_conf "$CONF" log.file="$T/cf/hark.log" server.workers=2 \
	    limits.rate_limit=100000
	PRJ=$(ctl project create "Inbox") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start cf-nginx "$PORT" "$T/cf/hark.sock" || exit 2
	hark_standalone cf "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
	ID1=$(file_item '{"text":"Login fails with a 500 on Safari","page":"/login","userEmail":"pat@example.com"}')
	body=$(EVIL=$EVIL py 'import json, os; print(json.dumps({"text": os.environ["EVIL"], "page": "/export"}))')
	ID2=$(file_item "$body")
	ID3=$(file_item '{"text":"Please add a dark mode to the dashboard"}')
	ID4=$(file_item "{\"text\":\"red \\u001b[31malert\\u001b[0m and a bell \\u0007 and a right-to-left \\u202e override, then a long tail of words to be cut\"}")
	ID5=$(file_item '{"text":"Thanks, the new search is great"}')
	patch "$ID1" '{"status":"triaged","priority":1,"labels":["Auth","bug"]}'
	patch "$ID2" '{"status":"done","resolutionNote":"Not a bug","labels":["ui"]}'
	patch "$ID3" '{"status":"in_progress","category":"feature_request","labels":["ui","dashboard"]}'
	comment "$ID1" '{"body":"Reproduced on Safari 17","authorId":"alice"}'
	comment "$ID1" '{"body":"Fixed in v1.4, please retry","authorType":"agent"}'
}

# no_controls TEXT: TEXT holds no C0 control but newline, no DEL, no U+202E.
no_controls() {
	printf '%s' "$1" | py '
import sys
b = sys.stdin.buffer.read()
assert not any(c < 0x20 and c != 0x0a or c == 0x7f for c in b), b
assert "\u202e" not in b.decode("utf-8", "replace")
'
}

# ids FILE: the ids of a JSON array, one a line, in order.
ids() { py 'import json, sys; print("".join(i["id"] + "\n" for i in json.load(open(sys.argv[1]))), end="")' "$1"; }

# list_ids ARGS...: the ids `feedback list PRJ --format json ARGS` gives, sorted.
list_ids() {
	ctl feedback list "$PRJ" --format json "$@" >"$T/l.json" || return 1
	ids "$T/l.json" | sort | tr '\n' ' '
}
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }

test_single_project() {
	t_ctx "one project"
	ctl feedback list --format json >"$T/one.json"
	check "PROJECT may be left out with one project: exit 0" test $? -eq 0
	check "and it is that project's items" test "$(ids "$T/one.json" | wc -l)" -eq 5
}

test_list() {
	local out
	t_ctx list
	check "json: every item, as an array" test "$(list_ids)" = "$(sorted "$ID1" "$ID2" "$ID3" "$ID4" "$ID5")"
	check "newest first" test "$(ids "$T/l.json" | sed -n 1p)" = "$ID5"
	check "the API's view: labels, status, media" py '
import json, sys
items = {i["id"]: i for i in json.load(open(sys.argv[1]))}
i = items[sys.argv[2]]
assert i["labels"] == ["auth", "bug"] and i["status"] == "triaged"
assert i["priority"] == 1 and i["media"] == [] and i["projectId"] == sys.argv[3]
assert items[sys.argv[4]]["text"] == sys.argv[5]
' "$T/l.json" "$ID1" "$PRJ" "$ID2" "$EVIL"
	check "--status done" test "$(list_ids --status "done")" = "$(sorted "$ID2")"
	check "--status triaged,in_progress" test "$(list_ids --status triaged,in_progress)" = "$(sorted "$ID1" "$ID3")"
	check "--status new" test "$(list_ids --status new)" = "$(sorted "$ID4" "$ID5")"
	# The person's category, and whatever the triage put there: as stored.
	check "--category feature_request: the rows of that category" test \
	    "$(list_ids --category feature_request)" = "$(sorted $(sql "SELECT id
	    FROM feedback WHERE project_id = '$PRJ' AND category =
	    'feature_request' AND quarantined = 0"))"
	check "with the person's among them" eval "[[ ' $(list_ids --category \
	    feature_request)' == *' $ID3 '* ]]"
	check "--label ui" test "$(list_ids --label ui)" = "$(sorted "$ID2" "$ID3")"
	check "--label ' AUTH ' is normalized as PATCH stores it" test "$(list_ids --label ' AUTH ')" = "$(sorted "$ID1")"
	check "--label ui --status done: both" test "$(list_ids --label ui --status "done")" = "$(sorted "$ID2")"
	check "--since 1h: all" test "$(list_ids --since 1h | wc -w)" -eq 5
	check "--since 2d: all" test "$(list_ids --since 2d | wc -w)" -eq 5
	check "--since a date long ago: all" test "$(list_ids --since 2020-01-01 | wc -w)" -eq 5
	check "--since tomorrow: none" test "$(list_ids --since "$(date -u -d tomorrow +%F)" | wc -w)" -eq 0
	check "--since an RFC 3339 time to come: none" test "$(list_ids --since 2099-01-01T00:00:00+02:00 | wc -w)" -eq 0
	check "an empty list is []" test "$(tr -d ' \n' <"$T/l.json")" = "[]"
	ctl feedback list "$PRJ" --format json --limit 2 >"$T/l.json"
	check "--limit 2: the newest two" test "$(ids "$T/l.json" | tr '\n' ' ')" = "$ID5 $ID4 "

	out=$(ctl feedback list "$PRJ")
	printf '%s\n' "$out" >"$T/table.out"
	check "table: a header" eval '[[ "$(head -n 1 <<<"$out")" =~ ^ID\ +CREATED.*STATUS\ +PRI\ +CATEGORY\ +IMPACT\ +LABELS\ +TEXT$ ]]'
	check "table: a line per item" test "$(wc -l <<<"$out")" -eq 6
	check "table: aligned (each status in its column)" test "$(awk 'NR > 1 {s = substr($0, 50, 13); gsub(/ +$/, "", s); print s}' <<<"$out" | sort -u | tr '\n' ' ')" = "done in_progress new triaged "
	check "table: labels joined" grep -q "^$ID1 .* triaged .*auth,bug" <<<"$out"
	check "table: no escape, bell or override reaches the terminal" no_controls "$out"
	check "table: controls shown as ?" grep -q "red ?\[31malert?\[0m and a bell ? and" <<<"$out"
	check "table: the text cut to 50 characters (47 and ...)" grep -q "^$ID4 .*red ?\[31malert?\[0m and a bell ? and a right-to-...$" <<<"$out"
	check "table: newlines of a text are spaces" grep -q '"q" line two, wi\.\.\.$' <<<"$out"

	ctl feedback list "$PRJ" --format csv >"$T/l.csv"
	check "csv: parsed by python's csv module, round trip" py '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
items = {i["id"]: i for i in json.load(open(sys.argv[2]))}
assert len(rows) == 5 == len(items), (len(rows), len(items))
for r in rows:
    i = items[r["id"]]
    t = r["text"]
    if t[:1] == "\x27" and i["text"][:1] in "=+-@":
        t = t[1:]
    assert t == i["text"], (t, i["text"])
    assert r["labels"].split("\n") == (i["labels"] or [""]), r["labels"]
    assert r["status"] == i["status"] and r["category"] == i["category"]
    assert r["priority"] == ("" if i["priority"] is None else str(i["priority"]))
    assert r["createdAt"] == i["createdAt"]
    assert (r["resolutionNote"] or None) == i["resolutionNote"]
' "$T/l.csv" <(ctl feedback list "$PRJ" --format json)
	check "csv: the formula is defused with a leading quote" py '
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
assert rows[sys.argv[2]]["text"] == "\x27" + sys.argv[3]
assert not any(v[:1] and v[:1] in "=+-@" for r in rows.values() for k, v in r.items() if k != "sentimentScore")
' "$T/l.csv" "$ID2" "$EVIL"
	check "csv: every field quoted, CRLF line ends" py '
import sys
f = open(sys.argv[1], "rb")
h = f.readline()
assert h.startswith(b"\"id\",\"createdAt\",\"status\",") and h.endswith(b",\"text\"\r\n"), h
assert f.readline().startswith(b"\"fb_")
' "$T/l.csv"
}

test_show() {
	local out
	t_ctx show
	out=$(ctl feedback show "$ID1")
	check "text: exit 0" test $? -eq 0
	check "text: its id first" test "$(head -n 1 <<<"$out")" = "$ID1"
	check "text: status and priority" eval 'grep -q "^status *triaged$" <<<"$out" && grep -q "^priority *1$" <<<"$out"'
	check "text: labels" grep -q "^labels *auth, bug$" <<<"$out"
	check "text: the reporter" grep -q "^email *pat@example.com$" <<<"$out"
	check "text: the text" grep -q "^    Login fails with a 500 on Safari$" <<<"$out"
	check "text: comments, oldest first" eval 'grep -A5 "^comments (2)$" <<<"$out" | grep -A3 "human (alice)" | grep -q "Fixed in v1.4"'
	out=$(ctl feedback show "$ID4")
	check "text: no escape reaches the terminal" no_controls "$out"
	ctl feedback show "$ID1" --format json >"$T/s.json"
	check "json: the item with its comments and media" py '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["id"] == sys.argv[2] and i["labels"] == ["auth", "bug"]
assert [c["body"] for c in i["comments"]] == ["Reproduced on Safari 17", "Fixed in v1.4, please retry"]
assert i["comments"][0]["authorId"] == "alice" and i["comments"][1]["authorType"] == "agent"
assert i["media"] == [] and i["userEmail"] == "pat@example.com"
' "$T/s.json" "$ID1"
	ctl feedback show "$ID2" --format json >"$T/s.json"
	check "json: the resolution" py '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["status"] == "done" and i["resolutionNote"] == "Not a bug" and i["resolvedAt"]
assert i["comments"] == []
' "$T/s.json"
}

test_quarantine() {
	t_ctx quarantine
	patch "$ID5" '{"quarantined": true}'
	check "list hides an item held as spam, as the API does" test "$(list_ids)" = "$(sorted "$ID1" "$ID2" "$ID3" "$ID4")"
	check "--quarantined true: the held one" test "$(list_ids --quarantined true)" = "$(sorted "$ID5")"
	check "--quarantined all: every item" test "$(list_ids --quarantined all | wc -w)" -eq 5
	check "show says it is held" eval 'ctl feedback show "$ID5" | grep -q "^quarantined *yes"'
	ctl feedback export "$PRJ" --format csv >"$T/q.csv"
	check "export: every row, the held one marked" py '
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
assert len(rows) == 5 and rows[sys.argv[2]]["quarantined"] == "true"
assert sum(r["quarantined"] == "false" for r in rows.values()) == 4
' "$T/q.csv" "$ID5"
	check "export --quarantined false: the others" test "$(ctl feedback export "$PRJ" --quarantined false | wc -l)" -eq 4
}

# handler_reads: the server's index reads, forwards and backwards, so far.
handler_reads() {
	sql "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
	  WHERE VARIABLE_NAME IN ('HANDLER_READ_NEXT', 'HANDLER_READ_PREV')"
}

test_export() {
	local n reads reads0
	t_ctx export
	# A second project: 2,500 rows at one instant (ties on created_at),
	# more than two keyset pages.
	PRJ_B=$(ctl project create "Bulk") || exit 2
	sql "INSERT INTO feedback (id, project_id, channel, text, created_at, updated_at)
	  SELECT CONCAT('fb_', LPAD(seq, 26, '0')), '$PRJ_B', 'api',
	    CONCAT('bulk report ', seq, ', with \"quotes\"\nand a line'),
	    '2026-01-02 03:04:05.000000', UTC_TIMESTAMP(6) FROM seq_1_to_2500"
	n=$(sql "SELECT COUNT(*) FROM feedback WHERE project_id = '$PRJ_B'")
	reads0=$(handler_reads)
	ctl feedback export "$PRJ_B" --format jsonl >"$T/b.jsonl"
	check "jsonl: exit 0" test $? -eq 0
	reads=$(( $(handler_reads) - reads0 ))
	# Each page from its cursor on: n index reads and a few, not the
	# 500 + 1000 + ... of pages that each walk past the rows before them.
	check "jsonl: the pages read $reads index entries for $n rows (< 1.5 n)" \
	    test "$reads" -lt $((n * 3 / 2))
	check "jsonl: as many lines as rows in the database ($n)" test "$(wc -l <"$T/b.jsonl")" -eq "$n"
	check "jsonl: each line parses, each id once, only that project" py '
import json, sys
ids = set()
for line in open(sys.argv[1]):
    i = json.loads(line)
    assert i["projectId"] == sys.argv[2]
    ids.add(i["id"])
assert len(ids) == int(sys.argv[3]), len(ids)
' "$T/b.jsonl" "$PRJ_B" "$n"
	# The same with each filter (its own index, or feedback_list's); a
	# label is one more read per row (the labels of each item).
	for f in "--status new" "--status new,triaged" "--category other" \
	    "--since 2026-01-01" "--label bulk"; do
		[ "$f" = "--label bulk" ] && sql "INSERT INTO feedback_labels
		    (feedback_id, label) SELECT id, 'bulk' FROM feedback
		    WHERE project_id = '$PRJ_B'"
		reads0=$(handler_reads)
		# shellcheck disable=SC2086
		ctl feedback export "$PRJ_B" $f >"$T/f.jsonl"
		reads=$(( $(handler_reads) - reads0 ))
		[ "$f" = "--label bulk" ] && reads=$((reads - n))
		check "export $f: every row, $reads index reads (< 1.5 n)" \
		    test "$reads" -lt $((n * 3 / 2)) -a "$(wc -l <"$T/f.jsonl")" -eq "$n"
	done
	ctl feedback export "$PRJ" --format jsonl --output "$T/a.jsonl"
	check "--output: exit 0" test $? -eq 0
	check "an export is on the audit trail, with its size" test "$(sql "SELECT
	    detail FROM audit_log WHERE action = 'feedback_export' AND project_id =
	    '$PRJ' ORDER BY id DESC LIMIT 1")" = "format=jsonl rows=5"
	check "--output: the file is the owner's alone (0600)" test "$(stat -c %a "$T/a.jsonl")" = 600
	check "--output: the project's $(sql "SELECT COUNT(*) FROM feedback WHERE project_id = '$PRJ'") rows" \
	    test "$(wc -l <"$T/a.jsonl")" -eq "$(sql "SELECT COUNT(*) FROM feedback WHERE project_id = '$PRJ'")"
	ctl feedback export "$PRJ_B" --format csv --output "$T/b.csv"
	check "csv: round trip of every row" py '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
items = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(items) == int(sys.argv[3])
for r, i in zip(rows, items):
    assert r["id"] == i["id"] and r["text"] == i["text"], (r, i)
' "$T/b.csv" "$T/b.jsonl" "$n"
	ctl feedback export "$PRJ" --format csv >"$T/a.csv"
	check "csv to stdout: the text with its formula defused" py '
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
assert len(rows) == 5 and rows[sys.argv[2]]["text"] == "\x27" + sys.argv[3]
' "$T/a.csv" "$ID2" "$EVIL"
	ctl feedback export "$PRJ" --status "done" >"$T/d.jsonl"
	check "export takes list's filters (jsonl by default)" test "$(wc -l <"$T/d.jsonl")" -eq 1
	ctl feedback list "$PRJ_B" --limit 1200 --format json >"$T/l.json"
	check "list --limit across pages" test "$(ids "$T/l.json" | sort -u | wc -l)" -eq 1200
	check "keyset order: by id within one instant" test "$(ids "$T/l.json" | sed -n 1p)" = "fb_$(printf '%026d' 2500)"
}

# bad STATUS NAME PATTERN ARGS...: harkctl ARGS exits STATUS, saying PATTERN.
bad() {
	local want=$1 name=$2 pat=$3 rc
	shift 3
	HCTL "$@" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -q -- "$pat" "$T/bad.err" &&
	    [ ! -s "$T/bad.out" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, want $want; stderr: $(head -n 1 "$T/bad.err")"
	fi
}

test_bad() {
	t_ctx "bad input"
	bad 2 "an unknown status: 2" "--status: 'open' is not a list of statuses (new, triaged" feedback list "$PRJ" --status open
	bad 2 "a status list with an empty member: 2" "not a list of statuses" feedback list "$PRJ" --status done,
	bad 2 "an unknown category: 2" "--category: 'bugs' is not one of bug, feature_request" feedback list "$PRJ" --category bugs
	bad 2 "an unknown list format: 2" "--format: 'xml' is not one of table, json, csv" feedback list "$PRJ" --format xml
	bad 2 "export as a table: 2" "--format: 'table' is not one of jsonl, csv" feedback export "$PRJ" --format table
	bad 2 "show as csv: 2" "--format: 'csv' is not one of text, json" feedback show "$ID1" --format csv
	bad 2 "--since yesterday: 2" "--since: 'yesterday' is not a time" feedback list "$PRJ" --since yesterday
	bad 2 "--since February 30th: 2" "--since: '2026-02-30' is not a time" feedback list "$PRJ" --since 2026-02-30
	bad 2 "--since 7 weeks: 2" "is not a time" feedback list "$PRJ" --since 7w
	bad 2 "--since without a value: 2" "needs a value" feedback list "$PRJ" --since
	bad 2 "--quarantined maybe: 2" "--quarantined: 'maybe' is not one of false, true, all" feedback list "$PRJ" --quarantined maybe
	bad 2 "--quarantined on show: 2" "feedback show takes no --quarantined" feedback show "$ID1" --quarantined all
	bad 2 "--limit 0: 2" "--limit: '0' is not a number of items" feedback list "$PRJ" --limit 0
	bad 2 "--limit -3: 2" "--limit: '-3'" feedback list "$PRJ" --limit -3
	bad 2 "--label of 65 characters: 2" "--label: a label is 1 to 64" feedback list "$PRJ" --label "$(printf 'a%.0s' {1..65})"
	bad 2 "an unknown option: 2" "unknown option '--colour'" feedback list "$PRJ" --colour
	bad 2 "--output on list: 2" "feedback list takes no --output" feedback list "$PRJ" --output "$T/x"
	bad 2 "two projects named: 2" "unexpected argument" feedback list "$PRJ" "$PRJ_B"
	bad 2 "no PROJECT with several projects: 2" "the database has 2 projects: name one" feedback list
	bad 2 "export without PROJECT: 2" "feedback export needs a PROJECT" feedback export
	bad 2 "show without ID: 2" "feedback show needs an ID" feedback show
	bad 2 "an unknown feedback command: 2" "unknown feedback command 'ls'" feedback ls
	bad 1 "an unknown project: 1" "no such project: prj_00000000000000000000000000" feedback list prj_00000000000000000000000000
	bad 1 "not a project id: 1" "'inbox' is not a project id" feedback export inbox
	bad 1 "an unknown id: 1" "no such feedback item: fb_zzzzzzzzzzzzzzzzzzzzzzzzzz" feedback show fb_zzzzzzzzzzzzzzzzzzzzzzzzzz
	bad 1 "not a feedback id: 1" "'42' is not a feedback id" feedback show 42
	bad 1 "an --output that cannot be made: 1" "$T/none/x.csv" feedback export "$PRJ" --format csv --output "$T/none/x.csv"
	check "and no file is left" test ! -e "$T/none/x.csv"
}

t_init "${1:-}" ctlfeed
t_db
setup
test_single_project
test_list
test_show
test_quarantine
test_export
test_bad
t_ctx
t_summary
