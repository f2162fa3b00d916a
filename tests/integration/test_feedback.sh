#!/bin/bash
# test_feedback.sh: the Fluister-shaped API end to end, behind nginx.
#
#	tests/integration/test_feedback.sh BUILD_DIR
#
# hark-fcgi --listen with 4 workers behind nginx (conf/nginx.conf) on a real
# MariaDB: keys made with harkctl, the seed's curl example, authentication,
# every bad input of the JSON ingest (and that nothing is stored), reading,
# listing with filters and cursors, erasing, project isolation, CORS with an
# origin allowlist, and rate limits shared by all workers.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=4

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
rows_of() { sql "SELECT COUNT(*) FROM feedback WHERE project_id = '$1'"; }

JSON_CT=(-H 'Content-Type: application/json')
auth_a() { printf '%s' "Authorization: Bearer $KEY_A"; }

# post BODY [extra curl options]: POST /v1/feedback as project A.
post() {
	local body=$1
	shift
	req POST "$URL/v1/feedback" -H "$(auth_a)" "${JSON_CT[@]}" \
	    --data-binary "$body" "$@"
}

# refused NAME STATUS FIELD BODY [curl options]: POSTs BODY as project A and
# checks the error, its field, and that no row appeared.
refused() {
	local name=$1 status=$2 field=$3 body=$4 before after got
	shift 4
	before=$(rows_of "$PRJ_A")
	post "$body" "$@"
	check_hark_error "$name: $status" "$status"
	if [ -n "$field" ]; then
		got=$(json error.field 2>/dev/null)
		if [ "$got" = "$field" ]; then
			pass "$name: field is $field"
		else
			fail "$name: field is $field" "field '$got'; body ${R_BODY:0:200}"
		fi
	fi
	after=$(rows_of "$PRJ_A")
	if [ "$before" = "$after" ]; then
		pass "$name: nothing stored"
	else
		fail "$name: nothing stored" "rows $before -> $after"
	fi
}

setup() {
	mkdir -p "$T/fb"
	CONF="$T/fb/hark.conf"
	write_hark_conf "$CONF" log.file="$T/fb/hark.log" \
	    server.workers="$WORKERS" limits.rate_limit=100000 \
	    limits.auth_failures=20
	PRJ_A=$(ctl project create "Project A") || exit 2
	PRJ_B=$(ctl project create "Project B") || exit 2
	PRJ_R=$(ctl project create "Rate limited") || exit 2
	KEY_A=$(ctl key create "$PRJ_A" --name ci) || exit 2
	KEY_B=$(ctl key create "$PRJ_B") || exit 2
	KEY_R=$(ctl key create "$PRJ_R") || exit 2
	KEY_OLD=$(ctl key create "$PRJ_A" --name old) || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start fb-nginx "$PORT" "$T/fb/hark.sock" || exit 2
	hark_standalone fb "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

test_harkctl() {
	t_ctx harkctl
	check "project ids are prj_" test "${PRJ_A#prj_}" != "$PRJ_A"
	check "secret keys are sk_" test "${KEY_A#sk_}" != "$KEY_A"
	check "project list names the project" eval \
	    "ctl project list | grep -q '$PRJ_A.*Project A'"
	check "only the SHA-256 of a key is stored" test \
	    "$(sql "SELECT COUNT(*) FROM api_keys WHERE key_hash = UNHEX(SHA2('$KEY_A', 256))")" = 1
	check "the key itself is nowhere in the database" eval \
	    "! mariadb-dump --no-defaults -S '$HARK_DB_SOCKET' -uroot '$HARK_DB_NAME' | grep -qF '$KEY_A'"
	check "key create for an unknown project fails" eval \
	    "! ctl key create prj_0000000000000000000000000a"
	check "a bad command is a usage error (2)" eval \
	    "ctl key frobnicate; test \$? = 2"
	local old_id
	old_id=$(ctl key list "$PRJ_A" | awk '$NF == "old" {print $1}')
	check "key revoke" ctl key revoke "$old_id"
	check "key list shows it revoked" eval \
	    "ctl key list '$PRJ_A' | grep '$old_id' | grep -q revoked"
	check "revoking twice fails" eval "! ctl key revoke '$old_id'"
	local pk
	pk=$(ctl source create "$PRJ_A" --name widget)
	check "source create prints a pk_ key" eval "[[ '$pk' =~ ^pk_[0-9A-Za-z]{32}$ ]]"
	check "source list shows it, by a fingerprint" eval \
	    "ctl source list '$PRJ_A' | grep -q 'sha256:[0-9a-f]\{12\} .*widget'"
	check "never the key itself" eval "! ctl source list '$PRJ_A' | grep -q '$pk'"
	check "a bad origin pattern is a usage error" eval \
	    "ctl origin add '$PRJ_A' 'https://a.com/path'; test \$? = 2"
	check "project rate-limit rejects a negative number" eval \
	    "ctl project rate-limit '$PRJ_A' -5; test \$? = 2"
	check "an origin that names no site is a usage error" eval \
	    "ctl origin add '$PRJ_A' notaurl 2>/dev/null; test \$? = 2"
	check "origin add says what it did" eval \
	    "ctl origin add '$PRJ_A' https://ctl.example.org | grep -q 'added origin https://ctl.example.org'"
	check "the same origin twice is refused" eval \
	    "! ctl origin add '$PRJ_A' https://ctl.example.org 2>/dev/null"
	check "origin remove says what it did" eval \
	    "ctl origin remove '$PRJ_A' https://ctl.example.org | grep -q 'removed origin'"
	check "project rate-limit says what it did" eval \
	    "ctl project rate-limit '$PRJ_A' 0 | grep -q 'configured default'"
	check "harkctl --help exits 0 with the usage" eval \
	    "'$HARK_BUILD/harkctl' --help | grep -q '^usage: harkctl'"
	check "harkctl --version exits 0 with the version" eval \
	    "'$HARK_BUILD/harkctl' --version | grep -q '^harkctl (hark) '"
}

test_seed_example() {
	t_ctx seed
	# The Fluister document's example, as written, at this base URL.
	req POST "$URL/v1/feedback" \
	    -H "Authorization: Bearer $KEY_A" \
	    -H "Content-Type: application/json" \
	    -d "{
    \"projectId\": \"$PRJ_A\",
    \"text\": \"De login knop werkt niet op mobiel\",
    \"page\": \"/login\",
    \"userEmail\": \"user@example.com\"
  }"
	check_status "201 Created" 201
	check_json "category bug" category bug
	check_json "sentiment negative" sentiment negative
	check_json "projectId echoed" projectId "$PRJ_A"
	check_json "text echoed" text "De login knop werkt niet op mobiel"
	check_json "page echoed" page /login
	check_json "userEmail echoed" userEmail user@example.com
	check_json "status new" status new
	check_json "the learned triage's language: nl" language nl
	check_json "the learned triage: not spam" spam false
	check_json "not quarantined" quarantined false
	check "triageConfidence is a probability, 3 decimals at most" eval \
	    "[[ '$(json triageConfidence)' =~ ^(0\.[0-9]{1,3}|1(\.0{1,3})?)$ ]]"
	check "impactScore is high (>= 8)" test "$(json impactScore)" -ge 8
	check "id is fb_ and random" eval "[[ '$(json id)' =~ ^fb_[0-9a-z]{26}$ ]]"
	check "createdAt is RFC 3339 UTC" eval \
	    "[[ '$(json createdAt)' =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]"
	check "Location names the item" test "$(hdr Location)" = "/v1/feedback/$(json id)"
	SEED_ID=$(json id)
	local score=$(json sentimentScore)
	check "sentimentScore is negative, 3 decimals at most" eval \
	    "[[ '$score' =~ ^-(0|1)(\.[0-9]{1,3})?$ ]]"
	req GET "$URL/v1/feedback/$SEED_ID" -H "Authorization: Bearer $KEY_A"
	check "GET gives the same sentimentScore" test "$(json sentimentScore)" = "$score"
	check "the row is in the database" test \
	    "$(sql "SELECT category FROM feedback WHERE id = '$SEED_ID'")" = bug
	# The JavaScript example: no projectId, a different page.
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $KEY_A" \
	    "${JSON_CT[@]}" -d '{"text":"Bug in checkout","page":"/checkout"}'
	check_status "projectId is optional" 201
	check_json "\"Bug in checkout\" is a bug" category bug
}

test_auth() {
	t_ctx auth
	local body='{"text":"hello there"}'
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body"
	check_hark_error "no credentials: 401" 401
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body" \
	    -H "Authorization: Bearer sk_${KEY_A:3:20}xxxxxxxxxxxxxxxxxxxxxxx"
	check_hark_error "wrong key: 401" 401
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body" \
	    -H "Authorization: Bearer $KEY_OLD"
	check_hark_error "revoked key: 401" 401
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body" \
	    -H "Authorization: Basic dXNlcjpwYXNz"
	check_hark_error "Basic auth: 401" 401
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body" \
	    -H "X-Hark-Key: $KEY_A"
	check_hark_error "key without project header: 400" 400
	check_json "field names the project header" error.field X-Hark-Project
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body" \
	    -H "X-Hark-Key: $KEY_A" -H "X-Hark-Project: $PRJ_A"
	check_status "X-Hark-Project + X-Hark-Key: 201" 201
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body" \
	    -H "X-Hark-Key: $KEY_A" -H "X-Hark-Project: $PRJ_A" \
	    -H "Authorization: Basic dXNlcjpwYXNz"
	check_status "the header pair beside a proxy's Basic auth: 201" 201
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body" \
	    -H "x-earshot-key: $KEY_A" -H "x-earshot-project: $PRJ_A"
	check_status "x-earshot aliases: 201" 201
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d "$body" \
	    -H "X-Hark-Key: $KEY_A" -H "X-Hark-Project: $PRJ_B"
	check_hark_error "key of another project than the header: 401" 401
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" \
	    -H "Authorization: Bearer $KEY_A" -d "{\"text\":\"x\",\"projectId\":\"$PRJ_B\"}"
	check_hark_error "body projectId of another project: 403" 403
	check_json "field is projectId" error.field projectId
	# The wrong, the revoked and the mismatched key above.
	check "failures are audited" test \
	    "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'auth_failed'")" -ge 3
	check "the audit log never holds a key" test \
	    "$(sql "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%sk\\_%'")" = 0
	check "key use is audited" test \
	    "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'key_used' AND project_id = '$PRJ_A'")" -ge 1
	check "last_used_at is stamped" test \
	    "$(sql "SELECT COUNT(*) FROM api_keys WHERE project_id = '$PRJ_A' AND name = 'ci' AND last_used_at IS NOT NULL")" = 1
	check "the request log holds no key" eval "! grep -qF '$KEY_A' '$T/fb/hark.log'"
	# A key in use, then revoked: refused once the workers' 2 s trust ends.
	local tmp tmp_id i
	tmp=$(ctl key create "$PRJ_B" --name short-lived)
	tmp_id=$(ctl key list "$PRJ_B" | awk '$NF == "short-lived" {print $1}')
	for i in 1 2 3 4 5 6 7 8; do
		req GET "$URL/v1/feedback?limit=1" -H "Authorization: Bearer $tmp"
	done
	check_status "a new key works at once" 200
	ctl key revoke "$tmp_id" >/dev/null
	sleep 3
	for i in 1 2 3 4 5 6 7 8; do
		req GET "$URL/v1/feedback?limit=1" -H "Authorization: Bearer $tmp"
		[ "$R_STATUS" = 401 ] || break
	done
	check_hark_error "a revoked key in use is refused within 2 s, by every worker" 401
}

test_bad_input() {
	t_ctx "bad input"
	local long5001 ok5000 deep
	refused "not JSON" 400 "" 'text=hello'
	refused "JSON array" 400 "" '["text"]'
	refused "JSON string" 400 "" '"hello"'
	refused "trailing garbage" 400 "" '{"text":"hi"} x'
	refused "two documents" 400 "" '{"text":"hi"}{"text":"hi"}'
	deep=$(printf '{"a":%.0s' $(seq 32))
	refused "nesting 33 deep" 400 "" "{\"text\":\"hi\",\"metadata\":$deep 1$(printf '}%.0s' $(seq 32))}"
	refused "duplicate key" 400 text '{"text":"a","text":"b"}'
	refused "duplicate nested key" 400 metadata.k '{"text":"a","metadata":{"k":1,"k":2}}'
	refused "text is a number" 400 text '{"text":5}'
	refused "text is null" 400 text '{"text":null}'
	refused "text missing" 400 text '{"page":"/x"}'
	refused "text empty" 400 text '{"text":""}'
	refused "text only white space" 400 text '{"text":"  \t\n  "}'
	long5001=$(head -c 5001 /dev/zero | tr '\0' 'a')
	refused "text of 5001 characters" 400 text "{\"text\":\"$long5001\"}"
	refused "invalid UTF-8" 400 "" "$(printf '{"text":"caf\xe9"}')"
	refused "lone surrogate escape" 400 "" '{"text":"x\ud800y"}'
	refused "bad email" 400 userEmail '{"text":"hi","userEmail":"not an email"}'
	refused "email is a number" 400 userEmail '{"text":"hi","userEmail":7}'
	refused "page over 2048 bytes" 400 page \
	    "{\"text\":\"hi\",\"page\":\"/$(head -c 2048 /dev/zero | tr '\0' 'p')\"}"
	refused "metadata not an object" 400 metadata '{"text":"hi","metadata":[1]}'
	refused "metadata over 16 KiB" 400 metadata \
	    "{\"text\":\"hi\",\"metadata\":{\"a\":\"$(head -c 17000 /dev/zero | tr '\0' 'm')\"}}"
	# An unknown field is kept, never refused (issue 14 item 11).
	post '{"text":"an extra field","usermail":"a@b.co","n":12345678901234567890}'
	check_status "an unknown field is accepted" 201
	check "its warning names it" test "$(json warnings.0.field)" = usermail
	check "the warning's code is unknown_field" \
	    test "$(json warnings.0.code)" = unknown_field
	check "both unknown fields are warned of" test "$(json warnings.1.field)" = n
	local xid=$(json id)
	req GET "$URL/v1/feedback/$xid" -H "$(auth_a)"
	check "the item keeps it as extra" test "$(json extra.usermail)" = a@b.co
	check "a big number in extra is kept as sent" \
	    grep -q '"n": *12345678901234567890' <<<"$R_BODY"
	check "a read item has no warnings" test -z "$(json warnings 2>/dev/null)"
	post '{"text":"no extra"}'
	check "no unknown field, no warnings" test -z "$(json warnings 2>/dev/null)"
	check "and extra is null" test "$(json extra)" = null
	refused "unknown field with a bad known one still refused" 400 text \
	    '{"text":5,"usermail":"a@b.co"}'
	refused "projectId not a string" 400 projectId '{"text":"hi","projectId":1}'
	JSON_CT=(-H 'Content-Type: text/plain')
	refused "unsupported content type: 415" 415 Content-Type '{"text":"hi"}'
	JSON_CT=()
	refused "no content type: 415" 415 Content-Type '{"text":"hi"}' \
	    -H 'Content-Type:'
	JSON_CT=(-H 'Content-Type: application/json')
	refused "body over max_json_body: 413" 413 "" \
	    "{\"text\":\"hi\",\"metadata\":{\"a\":\"$(head -c 70000 /dev/zero | tr '\0' 'm')\"}}"

	ok5000=$(for i in $(seq 1000); do printf 'ñandú'; done)
	post "{\"text\":\"$ok5000\"}"
	check_status "5000 two-byte characters (10000 bytes) are accepted" 201
	check "they come back whole" test "$(json text)" = "$ok5000"
}

test_exact_storage() {
	t_ctx "exact storage"
	local text="Robert'); DROP TABLE feedback;-- \\\\ %_ \\\" \\u0000 end"
	post "{\"text\":\"$text\",\"page\":\"/a?b=' OR 1=1 --\\u0000\",\"metadata\":{\"q\":\"'\\\";\"}}"
	check_status "SQL metacharacters and NUL are accepted" 201
	local id=$(json id) sent=$R_BODY
	req GET "$URL/v1/feedback/$id" -H "$(auth_a)"
	check_status "read back" 200
	check "text comes back byte-exact" test "$(json text)" = "$(json text "$sent")"
	check "text holds the NUL" eval "printf '%s' \"\$R_BODY\" | grep -qF 'u0000 end'"
	check "page comes back byte-exact" eval \
	    "printf '%s' \"\$R_BODY\" | grep -qF '\"page\":\"/a?b='\'' OR 1=1 --\\u0000\"'"
	check "metadata comes back" test "$(json metadata.q)" = "'\";"
	post '{"text":"numbers","metadata":{"n":123456789012345678901234567890,"u":"a/b","f":1.50}}'
	check_status "metadata with a huge number and a slash" 201
	check "the huge number comes back as sent" eval \
	    "printf '%s' \"\$R_BODY\" | grep -qF '\"n\":123456789012345678901234567890'"
	req GET "$URL/v1/feedback/$(json id)" -H "$(auth_a)"
	check "and so on GET, with the slash unescaped" eval \
	    "printf '%s' \"\$R_BODY\" | grep -qF '\"n\":123456789012345678901234567890,\"u\":\"a/b\"'"
	check "the table is still there" test "$(sql "SELECT COUNT(*) > 0 FROM feedback")" = 1
	check "the stored text has the NUL byte" test \
	    "$(sql "SELECT LOCATE(CHAR(0), text) > 0 FROM feedback WHERE id = '$id'")" = 1
	post "{\"text\":\"quote test\",\"userEmail\":\"o'brien+x@example.com\",\"metadata\":{\"k'; --\":\"a\\u0000b\"}}"
	check_status "a quote in userEmail, NUL and quotes in metadata" 201
	id=$(json id)
	req GET "$URL/v1/feedback/$id" -H "$(auth_a)"
	check_json "userEmail comes back byte-exact" userEmail "o'brien+x@example.com"
	check "metadata keeps its NUL escape" eval \
	    "printf '%s' \"\$R_BODY\" | grep -qF '\"k'\''; --\":\"a\\u0000b\"'"
}

test_read_list_delete() {
	t_ctx "read"
	req GET "$URL/v1/feedback/$SEED_ID" -H "$(auth_a)"
	check_status "GET one" 200
	check_json "it is the seed's row" text "De login knop werkt niet op mobiel"
	req GET "$URL/v1/feedback/$SEED_ID" -H "Authorization: Bearer $KEY_B"
	check_hark_error "another project's key gets 404" 404
	req GET "$URL/v1/feedback/fb_nope" -H "$(auth_a)"
	check_hark_error "malformed id: 404" 404
	req GET "$URL/v1/feedback/..%2f..%2fetc" -H "$(auth_a)"
	check_rejected "an id that decodes to ../.. is refused" 400

	t_ctx "list"
	local i ids=() got=() cursor= page n
	for i in 1 2 3 4 5; do
		req POST "$URL/v1/feedback" -H "Authorization: Bearer $KEY_B" \
		    "${JSON_CT[@]}" -d "{\"text\":\"Would love a dark mode, item $i\"}"
		ids=("$(json id)" "${ids[@]}")
	done
	for page in 1 2 3; do
		req GET "$URL/v1/feedback?limit=2${cursor:+&cursor=$cursor}" \
		    -H "Authorization: Bearer $KEY_B"
		n=$(json_keys . >/dev/null; printf '%s' "$R_BODY" | "$JSONQ" data | grep -o '"id"' | wc -l)
		for i in 0 1; do
			json "data.$i.id" >/dev/null 2>&1 && got+=("$(json "data.$i.id")")
		done
		cursor=$(json nextCursor 2>/dev/null)
		[ "$cursor" = null ] && cursor=
	done
	check "3 pages of 2 return all 5, newest first" test "${got[*]}" = "${ids[*]}"
	check "the last page has no nextCursor" test -z "$cursor"
	req GET "$URL/v1/feedback?limit=100" -H "Authorization: Bearer $KEY_B"
	check "a key lists only its own project" eval \
	    "! printf '%s' \"\$R_BODY\" | grep -q '$PRJ_A'"
	req GET "$URL/v1/feedback?category=feature_request&status=new" \
	    -H "Authorization: Bearer $KEY_B"
	check_status "filters by category and status" 200
	check "all 5 dark-mode wishes are feature requests" test \
	    "$(printf '%s' "$R_BODY" | grep -o '"category":"feature_request"' | wc -l)" = 5
	req GET "$URL/v1/feedback?q=item%203" -H "Authorization: Bearer $KEY_B"
	check_json "q finds a substring" data.0.id "${ids[2]}"
	req GET "$URL/v1/feedback?q=100%25" -H "Authorization: Bearer $KEY_B"
	check "q treats % literally" test "$(json data)" = "[]"
	req GET "$URL/v1/feedback?since=2099-01-01T00:00:00Z" -H "Authorization: Bearer $KEY_B"
	check "since in the future: empty" test "$(json data)" = "[]"
	req GET "$URL/v1/feedback?until=2000-01-01T00:00:00%2B02:00" -H "Authorization: Bearer $KEY_B"
	check "until in the past: empty" test "$(json data)" = "[]"
	req GET "$URL/v1/feedback?status=open" -H "Authorization: Bearer $KEY_B"
	check_hark_error "unknown status: 400" 400
	check_json "field status" error.field status
	req GET "$URL/v1/feedback?limit=101" -H "Authorization: Bearer $KEY_B"
	check_json "limit over 100: field limit" error.field limit
	req GET "$URL/v1/feedback?since=yesterday" -H "Authorization: Bearer $KEY_B"
	check_json "bad since: field since" error.field since
	req GET "$URL/v1/feedback?cursor=bm9wZQ" -H "Authorization: Bearer $KEY_B"
	check_json "forged cursor: field cursor" error.field cursor
	req GET "$URL/v1/feedback?since=2024-02-31T00:00:00Z" -H "Authorization: Bearer $KEY_B"
	check_hark_error "a date that does not exist (February 31): 400" 400
	check_json "field since" error.field since
	req GET "$URL/v1/feedback?until=2023-02-29T00:00:00Z" -H "Authorization: Bearer $KEY_B"
	check_json "February 29 of a common year: field until" error.field until
	req GET "$URL/v1/feedback?categry=bug" -H "Authorization: Bearer $KEY_B"
	check_hark_error "a misspelt parameter is refused, not ignored: 400" 400
	check_json "code unknown_parameter" error.code unknown_parameter
	check_json "field names it" error.field categry
	req GET "$URL/v1/feedback?limit=5&per_page=5" -H "Authorization: Bearer $KEY_B"
	check_json "per_page beside known ones: field per_page" error.field per_page

	t_ctx "delete"
	req DELETE "$URL/v1/feedback/${ids[0]}" -H "$(auth_a)"
	check_hark_error "another project's key cannot erase" 404
	req DELETE "$URL/v1/feedback/${ids[0]}" -H "Authorization: Bearer $KEY_B"
	check_status "DELETE: 204" 204
	check "no body" test -z "$R_BODY"
	check "the row is gone" test "$(sql "SELECT COUNT(*) FROM feedback WHERE id = '${ids[0]}'")" = 0
	req GET "$URL/v1/feedback/${ids[0]}" -H "Authorization: Bearer $KEY_B"
	check_hark_error "then GET: 404" 404
	req DELETE "$URL/v1/feedback/${ids[0]}" -H "Authorization: Bearer $KEY_B"
	check_hark_error "DELETE again: 404" 404
}

# Spam the learned triage scores is stored quarantined: kept, out of the
# default listing, listed by ?quarantined=true (issue 17).
test_spam_quarantined() {
	t_ctx "spam"
	local prj key id
	prj=$(ctl project create "Spam") || { fail "project"; return; }
	key=$(ctl key create "$prj") || { fail "key"; return; }
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $key" \
	    "${JSON_CT[@]}" -d '{"text":"Cheap casino bonus http://a.example http://b.example http://c.example"}'
	check_status "spam is stored: 201" 201
	check_json "spam true" spam true
	check_json "quarantined true" quarantined true
	id=$(json id)
	check "the row is held" test "$(sql "SELECT CONCAT(spam, ' ', quarantined)
	    FROM feedback WHERE id = '$id'")" = "1 1"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $key" \
	    "${JSON_CT[@]}" -d '{"text":"The invoice page shows the wrong total"}'
	check_json "a real message is not held" quarantined false
	req GET "$URL/v1/feedback" -H "Authorization: Bearer $key"
	check "the default list leaves the spam out" eval \
	    "! printf '%s' \"\$R_BODY\" | grep -q '$id'"
	req GET "$URL/v1/feedback?quarantined=true" -H "Authorization: Bearer $key"
	check "?quarantined=true lists it" eval \
	    "printf '%s' \"\$R_BODY\" | grep -q '$id'"
}

test_cors() {
	t_ctx cors
	req OPTIONS "$URL/v1/feedback" -H "Origin: https://app.example.com" \
	    -H "Access-Control-Request-Method: POST" \
	    -H "Access-Control-Request-Headers: content-type, x-hark-key"
	check_status "preflight: 204" 204
	check "echoes the origin" test "$(hdr Access-Control-Allow-Origin)" = "https://app.example.com"
	check "Vary: Origin" test "$(hdr Vary)" = Origin
	check "allows the hark headers" eval "hdr Access-Control-Allow-Headers | grep -q 'x-hark-key'"
	check "allows the earshot headers" eval "hdr Access-Control-Allow-Headers | grep -q 'x-earshot-project'"
	check "allows the seed's methods" test "$(hdr Access-Control-Allow-Methods)" = \
	    "GET, POST, PATCH, DELETE, OPTIONS"
	check "has a max age" test -n "$(hdr Access-Control-Max-Age)"
	req OPTIONS "$URL/v1/nowhere" -H "Origin: https://app.example.com"
	check_hark_error "preflight of an unknown path: 404" 404
	req OPTIONS "$URL/v1/feedback" -H "Origin: null"
	check_hark_error "preflight from origin null: 403" 403

	post '{"text":"from a browser"}' -H "Origin: https://shop.example.org"
	check_status "no allowlist: any origin may post" 201
	check "and reads the answer" test "$(hdr Access-Control-Allow-Origin)" = "https://shop.example.org"
	ctl origin add "$PRJ_A" '*.example.com' >/dev/null
	post '{"text":"from an allowed subdomain"}' -H "Origin: https://app.example.com"
	check_status "allowlist: a listed origin posts" 201
	post '{"text":"from elsewhere"}' -H "Origin: https://evil.example.org"
	check_hark_error "allowlist: another origin gets 403" 403
	check_json "field Origin" error.field Origin
	post '{"text":"from elsewhere"}' -H "Origin: https://example.com"
	check_hark_error "the bare domain is not *.example.com" 403
	post '{"text":"from a server"}'
	check_status "allowlist: server-side requests (no Origin) still post" 201
	ctl origin remove "$PRJ_A" '*.example.com' >/dev/null
}

test_rate_limit() {
	t_ctx "rate limit"
	local i before pids=()
	ctl project rate-limit "$PRJ_R" 20 >/dev/null
	before=$(rows_of "$PRJ_R")
	: >"$T/rl.codes"
	# 8 clients, 10 requests each, at once, across 4 workers.
	for i in $(seq 8); do
		(
			for j in $(seq 10); do
				curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 \
				    -X POST "$URL/v1/feedback" \
				    -H "Authorization: Bearer $KEY_R" "${JSON_CT[@]}" \
				    -d "{\"text\":\"burst $i.$j\"}"
			done >"$T/rl.$i"
		) &
		pids+=("$!")
	done
	wait "${pids[@]}"
	cat "$T"/rl.[1-8] >"$T/rl.codes"
	check "exactly the limit (20) passes" test "$(grep -c '^201$' "$T/rl.codes")" = 20
	check "the other 60 get 429" test "$(grep -c '^429$' "$T/rl.codes")" = 60
	check "20 rows stored" test "$(( $(rows_of "$PRJ_R") - before ))" = 20
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $KEY_R" "${JSON_CT[@]}" \
	    -d '{"text":"one more"}'
	check_hark_error "over the limit: 429" 429
	check "Retry-After" eval "[[ '$(hdr Retry-After)' =~ ^[1-9][0-9]*$ ]]"
	check "RateLimit-Limit: 20" test "$(hdr RateLimit-Limit)" = 20
	check "RateLimit-Remaining: 0" test "$(hdr RateLimit-Remaining)" = 0
	check "RateLimit-Reset" eval "[[ '$(hdr RateLimit-Reset)' =~ ^[0-9]+$ ]]"
	req GET "$URL/v1/feedback?limit=1" -H "Authorization: Bearer $KEY_R"
	check_hark_error "reads count against the same limit" 429
	req POST "$URL/v1/feedback" -H "$(auth_a)" "${JSON_CT[@]}" -d '{"text":"other project"}'
	check_status "another project is not limited" 201
	check "and gets RateLimit headers" test -n "$(hdr RateLimit-Remaining)"
}

# A server that cannot take writes (read-only here; a full disk or memory
# gives the same answer): 503 with Retry-After, nothing stored, and the next
# submission after it recovers is stored.
test_server_refuses_writes() {
	t_ctx "writes refused"
	local before
	before=$(rows_of "$PRJ_A")
	mariadb_sql "$HARK_DB_SOCKET" "SET GLOBAL read_only = 1"
	post '{"text":"while the server is read-only"}'
	mariadb_sql "$HARK_DB_SOCKET" "SET GLOBAL read_only = 0"
	check_hark_error "a server that refuses writes: 503" 503
	check "with Retry-After" test -n "$(hdr Retry-After)"
	check "nothing stored" test "$(rows_of "$PRJ_A")" = "$before"
	check "the reason is logged" grep -q "database unavailable: .*read-only" "$T/fb/hark.log"
	post '{"text":"after the server recovered"}'
	check_status "then the next submission is stored" 201
}

# flood_check NAME A OP B CODES: test A OP B, with the statuses on a failure.
flood_check() {
	if [ "$2" "$3" "$4" ]; then
		pass "$1"
	else
		fail "$1" "$2 (want $3 $4); statuses: $5"
	fi
}

# Last: it locks 127.0.0.1's bad keys out for a minute.
test_auth_flood() {
	t_ctx "auth flood"
	local before after i codes= n401 n429
	before=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'auth_failed'")
	for i in $(seq 40); do
		codes+="$(curl -s -o /dev/null -w '%{http_code} ' -X POST \
		    "$URL/v1/feedback" "${JSON_CT[@]}" -d '{"text":"x"}' \
		    -H "Authorization: Bearer sk_$(rand_hex 21)x")"
	done
	after=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'auth_failed'")
	# (The statuses go with a failure: this has failed under load and
	# passed when rerun, and the sequence says why.)
	n401=$(grep -o 401 <<<"$codes" | wc -l)
	n429=$(grep -o 429 <<<"$codes" | wc -l)
	flood_check "bad keys get 401 until the address's failure limit (20)" \
	    "$n401" -le 20 "$codes"
	flood_check "then 429" "$n429" -ge 20 "$codes"
	flood_check "refused requests write no audit rows" \
	    "$((after - before))" -le 20 "$codes"
	req POST "$URL/v1/feedback" "${JSON_CT[@]}" -d '{"text":"x"}' \
	    -H "Authorization: Bearer sk_$(rand_hex 21)x"
	check_hark_error "a bad key from the address is refused for the rest of the minute" 429
	check_json "code too_many_failures" error.code too_many_failures
	check "with Retry-After" eval "[[ '$(hdr Retry-After)' =~ ^[1-9][0-9]*$ ]]"
	# Behind a NAT one bad client must not lock out the others.
	req POST "$URL/v1/feedback" -H "$(auth_a)" "${JSON_CT[@]}" \
	    -d '{"text":"a valid key from a locked-out address"}'
	check_status "a valid key from the same address is still served" 201
	req GET "$URL/v1/feedback?limit=1" -H "$(auth_a)"
	check_status "and can read" 200
}

t_init "${1:-}" feedback
t_db
setup
test_harkctl
test_seed_example
test_auth
test_bad_input
test_exact_storage
test_read_list_delete
test_spam_quarantined
test_cors
test_rate_limit
test_server_refuses_writes
test_auth_flood
t_ctx
t_summary
