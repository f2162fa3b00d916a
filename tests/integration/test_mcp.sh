#!/bin/bash
# test_mcp.sh: POST /mcp, the Model Context Protocol endpoint (issue 22).
#
#	tests/integration/test_mcp.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB.  The official client
# (@modelcontextprotocol/sdk's StreamableHTTPClientTransport, tests/mcp/,
# installed by ./test.sh with npm ci) connects, lists the tools and calls
# each; what each call did is checked in MariaDB and through the REST API,
# and another project's key sees nothing.  Then raw JSON-RPC bodies with
# curl: the revisions and their header, batches, and every error (malformed
# JSON, a wrong jsonrpc, an unknown method or tool, bad arguments, a
# missing or public key, a bad Origin, an unsupported revision).
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

MCP_DIR="$HARK_SRCDIR/tests/mcp"
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')
ACCEPT=(-H 'Accept: application/json, text/event-stream')

setup() {
	mkdir -p "$T/mcp"
	CONF="$T/mcp/hark.conf"
	write_hark_conf "$CONF" log.file="$T/mcp/hark.log" server.workers=2 \
	    limits.rate_limit=100000
	PRJ=$(ctl project create "Agents") || exit 2
	PRJ_B=$(ctl project create "Other") || exit 2
	PRJ_O=$(ctl project create "Browser") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	SK_B=$(ctl key create "$PRJ_B") || exit 2
	SK_O=$(ctl key create "$PRJ_O") || exit 2
	PK=$(ctl source create "$PRJ" --name w --no-captcha) || exit 2
	ctl origin add "$PRJ_O" "https://app.example.com" >/dev/null || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start mcp-nginx "$PORT" "$T/mcp/hark.sock" || exit 2
	hark_standalone mcp "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" "${JSON_CT[@]}" \
	    -d '{"text":"Login fails with a 500 on Safari","page":"/login"}'
	ID=$(json id)
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" "${JSON_CT[@]}" \
	    -d '{"text":"Dark mode would be lovely"}'
	ID2=$(json id)
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK_B" "${JSON_CT[@]}" \
	    -d '{"text":"another project on Safari"}'
	ID_B=$(json id)
}

# The locked @modelcontextprotocol/sdk in tests/mcp/node_modules (./test.sh
# runs npm ci there; this suite never downloads).
sdk_ready() {
	[ -f "$MCP_DIR/node_modules/@modelcontextprotocol/sdk/package.json" ] &&
	    command -v node >/dev/null
}

# mcp_call OUT METHOD PARAMS [curl options]: one JSON-RPC request.
rpc() {
	local body=$1
	shift
	req POST "$URL/mcp" "${JSON_CT[@]}" "${ACCEPT[@]}" "$@" -d "$body"
}

test_sdk() {
	local o
	t_ctx sdk
	if ! sdk_ready; then
		fail "@modelcontextprotocol/sdk is installed in tests/mcp (./test.sh runs npm ci)"
		return
	fi
	if ! (cd "$MCP_DIR" && node client.mjs work "$URL/mcp" "$SK" "$ID") \
	    >"$T/work.json" 2>"$T/work.err"; then
		fail "the SDK client works the inbox" "$(tail -n 5 "$T/work.err" | tr '\n' ' ')"
		return
	fi
	pass "the SDK client connects and calls every tool"
	R_BODY=$(cat "$T/work.json")
	check_json "negotiated the SDK's latest revision" protocolVersion 2025-11-25
	check_json "stateless: no Mcp-Session-Id" sessionId null
	check_json "serverInfo names hark" server.name hark
	check_json "tools capability" capabilities.tools.listChanged false
	check_json "ping answers {}" ping "{}"
	for o in list_feedback search_feedback get_feedback update_feedback \
	    add_comment link_feedback triage_text; do
		check_json "$o: an inputSchema" "tools.$o.hasInput" true
		check_json "$o: an outputSchema" "tools.$o.hasOutput" true
		check_json "$o: both compile (Ajv, strict)" "tools.$o.compiles" true
	done
	check "exactly 7 tools" test "$(json_keys tools | tr ',' '\n' | wc -l)" = 7
	for o in list_feedback search_feedback get_feedback triage_text; do
		check_json "$o is read-only" "tools.$o.annotations.readOnlyHint" true
	done
	for o in update_feedback add_comment link_feedback; do
		check_json "$o writes" "tools.$o.annotations.readOnlyHint" false
		check_json "$o destroys nothing" "tools.$o.annotations.destructiveHint" false
	done
	check_json "reads are idempotent" tools.get_feedback.annotations.idempotentHint true
	for o in update_feedback add_comment link_feedback; do
		# A repeat raises its notifications again: an effect.
		check_json "$o is not idempotent" "tools.$o.annotations.idempotentHint" false
	done

	check_json "list_feedback: one item a page" list.structured.items.0.id "$ID2"
	check "and a cursor" test "$(json list.structured.nextCursor)" != null
	check_json "the cursor's page" list2.structured.items.0.id "$ID"
	check_json "the last page" list2.structured.nextCursor null
	check_json "a text block holding the JSON" list.textIsJson true
	check_json "search_feedback finds Safari" search.structured.items.0.id "$ID"
	check "only this project's" test "$(json search.structured.items | grep -c "$ID_B")" = 0
	check_json "a search that matches nothing" searchNone.structured.items "[]"
	check_json "get_feedback: the item" get.structured.item.id "$ID"
	check "an etag of 20 digits" eval "[[ '$(json get.structured.etag)' =~ ^[0-9]{20}$ ]]"
	check_json "no comments yet" get.structured.comments "[]"
	check_json "no transcript for a typed item" get.structured.transcript null
	check_json "no media" get.structured.media "[]"

	check_json "update_feedback with the etag" update.isError false
	check_json "status triaged" update.structured.item.status triaged
	check_json "labels normalized" update.structured.item.labels '["auth","mcp"]'
	check "stored: status, priority" test "$(sql "SELECT CONCAT(status, ' ',
	    priority) FROM feedback WHERE id = '$ID'")" = "triaged 2"
	check "stored: labels" test "$(sql "SELECT GROUP_CONCAT(label ORDER BY
	    label) FROM feedback_labels WHERE feedback_id = '$ID'")" = "auth,mcp"
	check "the REST PATCH's event: feedback.updated enqueued" test "$(sql "SELECT
	    COUNT(*) FROM jobs WHERE kind = 'notify' AND feedback_id = '$ID' AND
	    payload LIKE '%feedback.updated%'")" -ge 1
	check_json "a stale etag: isError" stale.isError true
	check "saying why" eval "json stale.text | grep -q 'changed since'"
	check "and nothing changed" test "$(sql "SELECT status FROM feedback WHERE
	    id = '$ID'")" = triaged
	check_json "list_feedback's label filter" labelFilter.structured.items.0.id "$ID"

	check_json "add_comment: an agent's" comment.structured.comment.authorType agent
	check_json "named from _meta.clientInfo" comment.structured.comment.authorId hark-test-agent/0.9
	check_json "without _meta: the User-Agent" commentUa.structured.comment.authorId hark-mcp-test/1
	check_json "authorType and authorId given" commentHuman.structured.comment.authorId pat
	check "stored: three comments, two by agents" test "$(sql "SELECT
	    CONCAT(COUNT(*), ' ', SUM(author_type = 'agent')) FROM comments WHERE
	    feedback_id = '$ID'")" = "3 2"
	check "comment.created enqueued" test "$(sql "SELECT COUNT(*) FROM jobs WHERE
	    kind = 'notify' AND payload LIKE '%comment.created%'")" -ge 3

	check_json "link_feedback" link.structured.item.link.url https://ideas.example.com/items/42
	check "stored on the row" test "$(sql "SELECT CONCAT(link_url, ' | ',
	    link_title) FROM feedback WHERE id = '$ID'")" = "https://ideas.example.com/items/42 | Safari login"
	req GET "$URL/v1/feedback/$ID" -H "Authorization: Bearer $SK"
	check_json "the REST item shows the link" link.title "Safari login"
	req GET "$URL/v1/feedback/$ID2" -H "Authorization: Bearer $SK"
	check_json "an item without one: null" link null
	R_BODY=$(cat "$T/work.json")

	ctl audit "$PRJ" --limit 1000 >"$T/audit.out"
	check "the MCP update is audited with the key, as PATCH" grep -qE \
	    "feedback_update +key_[0-9a-z]+ .*$ID: status=triaged priority=2 resolutionNote labels=2" \
	    "$T/audit.out"
	check "each comment is audited" test "$(grep -cE "comment_create .*$ID: cmt_" \
	    "$T/audit.out")" = 3
	check "the link is audited (feedback_link)" grep -qE \
	    "feedback_link +key_[0-9a-z]+ .*$ID: link title" "$T/audit.out"
	check "without the URL, title or texts it carried" eval "! grep -qE \
	    'ideas.example|Safari|Looked at|hark-test-agent' '$T/audit.out'"
	check_json "triage_text: a bug" triage.structured.category bug
	check_json "negative" triage.structured.sentiment negative
	check "stores nothing" test "$(sql "SELECT COUNT(*) FROM feedback")" = 3
	check_json "get_feedback after: the comments" getAfter.structured.comments.0.body "Looked at by an agent"
	check_json "and the link" getAfter.structured.item.link.title "Safari login"

	check_json "an unknown tool: -32602" unknownTool.protocolError -32602
	check_json "bad arguments (2025-11-25): a tool error" badArgs.isError true
	check "naming the argument" eval "json badArgs.text | grep -q status"
	check_json "an unknown argument: a tool error" unknownArg.isError true
	check_json "a junk cursor: a tool error" badCursor.isError true
	check_json "a javascript: URL: a tool error" badUrl.isError true
	check "no link changed" test "$(sql "SELECT link_url FROM feedback WHERE
	    id = '$ID'")" = https://ideas.example.com/items/42
	check_json "an unknown id: a tool error" missing.isError true
	check_json "what hark refuses, the inputSchemas refuse, and no more" schemaDisagrees "[]"

	if ! (cd "$MCP_DIR" && node client.mjs other "$URL/mcp" "$SK_B" "$ID") \
	    >"$T/other.json" 2>"$T/other.err"; then
		fail "another project's key connects" "$(tail -n 5 "$T/other.err" | tr '\n' ' ')"
		return
	fi
	R_BODY=$(cat "$T/other.json")
	check "another project's key lists only its own" test "$(json list.structured.items | grep -c "$ID")" = 0
	check_json "and its own item" list.structured.items.0.id "$ID_B"
	check "searching finds only its own" test "$(json search.structured.items | grep -c "\"$ID\"")" = 0
	check_json "get: not found" get.isError true
	check_json "update: not found" update.isError true
	check_json "comment: not found" comment.isError true
	check_json "link: not found" link.isError true
	check "the item is untouched" test "$(sql "SELECT CONCAT(status, ' ',
	    (SELECT COUNT(*) FROM comments WHERE feedback_id = '$ID'))
	    FROM feedback WHERE id = '$ID'")" = "triaged 3"
}

test_raw() {
	local init
	t_ctx raw
	init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"8"}}}'
	rpc "$init" -H "Authorization: Bearer $SK"
	check_status "initialize: 200" 200
	check_json "2025-06-18 is spoken" result.protocolVersion 2025-06-18
	check_json "the id echoed" id 1
	check "no Mcp-Session-Id" test -z "$(hdr Mcp-Session-Id)"
	check "application/json" eval "hdr Content-Type | grep -q '^application/json'"
	rpc '{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"2099-01-01","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}' \
	    -H "Authorization: Bearer $SK"
	check_json "an unknown revision: hark offers its latest" result.protocolVersion 2025-11-25
	check_json "a string id echoed" id a
	rpc '{"jsonrpc":"2.0","id":2,"method":"initialize","params":{}}' -H "Authorization: Bearer $SK"
	check_json "initialize without protocolVersion: -32602" error.code -32602
	rpc '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H "Authorization: Bearer $SK" \
	    -H 'MCP-Protocol-Version: 2025-06-18'
	check_status "notifications/initialized: 202" 202
	check "with no body" test -z "$R_BODY"
	rpc '{"jsonrpc":"2.0","id":3,"method":"ping"}' -H "Authorization: Bearer $SK" \
	    -H 'MCP-Protocol-Version: 2025-11-25'
	check_json "ping" result "{}"
	rpc '{"jsonrpc":"2.0","id":4,"method":"tools/list"}' -H "Authorization: Bearer $SK" \
	    -H 'MCP-Protocol-Version: 2025-03-26'
	check_json "2025-03-26: tools without outputSchema" result.tools.0.outputSchema "<absent or not JSON>"
	rpc '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"triage_text","arguments":{"text":"I love it"}}}' \
	    -H "Authorization: Bearer $SK" -H 'MCP-Protocol-Version: 2025-03-26'
	check_json "2025-03-26: a result without structuredContent" result.structuredContent "<absent or not JSON>"
	check "the JSON in its text block" eval "json result.content.0.text | grep -q praise"

	rpc '{"jsonrpc":"2.0","id":6,"method":"ping"}' -H "Authorization: Bearer $SK" \
	    -H 'MCP-Protocol-Version: 2024-01-01'
	check_status "an unsupported MCP-Protocol-Version: 400" 400
	check_json "with the supported list" error.data.supported '["2025-11-25","2025-06-18","2025-03-26"]'

	rpc '[{"jsonrpc":"2.0","id":7,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":8,"method":"nope"}]' \
	    -H "Authorization: Bearer $SK"
	check_status "a batch without the header (2025-03-26 assumed): 200" 200
	check_json "two answers, in order" 0.id 7
	check_json "the second is -32601" 1.error.code -32601
	check_json "and nothing for the notification" 2 "<absent or not JSON>"
	rpc '[{"jsonrpc":"2.0","id":7,"method":"ping"}]' -H "Authorization: Bearer $SK" \
	    -H 'MCP-Protocol-Version: 2025-06-18'
	check_status "a batch in 2025-06-18 (removed there): 400" 400
	check_json "-32600" error.code -32600
	rpc '[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}]' \
	    -H "Authorization: Bearer $SK" -H 'MCP-Protocol-Version: 2025-03-26'
	check_status "a batch of notifications only: 202" 202
	check "with no body" test -z "$R_BODY"
	rpc '[{"jsonrpc":"2.0","id":"t","method":"tools/call","params":{"name":"get_feedback","arguments":{"id":"'"$ID2"'"}}},{"jsonrpc":"1.0","id":"u","method":"ping"}]' \
	    -H "Authorization: Bearer $SK" -H 'MCP-Protocol-Version: 2025-03-26'
	check_json "a batch's tools/call" 0.result.isError false
	check "its item" eval "json 0.result.content.0.text | grep -q '$ID2'"
	check_json "a bad member of a batch: -32600, the rest served" 1.error.code -32600
	check_json "with its id" 1.id u
	rpc '[]' -H "Authorization: Bearer $SK"
	check_json "an empty batch: -32600" error.code -32600
	rpc "[$init]" -H "Authorization: Bearer $SK"
	check_json "initialize in a batch: -32600" 0.error.code -32600

	rpc '{"jsonrpc":"2.0","id":9,"method":' -H "Authorization: Bearer $SK"
	check_status "malformed JSON: 400" 400
	check_json "-32700" error.code -32700
	check_json "id null" id null
	rpc '{"jsonrpc":"1.0","id":10,"method":"ping"}' -H "Authorization: Bearer $SK"
	check_status "a wrong jsonrpc: 400" 400
	check_json "-32600" error.code -32600
	check_json "with its id" id 10
	rpc '{"jsonrpc":"2.0","id":null,"method":"ping"}' -H "Authorization: Bearer $SK"
	check_json "a null id: -32600" error.code -32600
	rpc '{"jsonrpc":"2.0","id":11,"method":"resources/list"}' -H "Authorization: Bearer $SK"
	check_status "an unknown method: 200" 200
	check_json "-32601" error.code -32601
	rpc '{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"nope","arguments":{}}}' \
	    -H "Authorization: Bearer $SK"
	check_json "an unknown tool: -32602" error.code -32602
	rpc '{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"arguments":{}}}' \
	    -H "Authorization: Bearer $SK"
	check_json "tools/call without a name: -32602" error.code -32602
	rpc '{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"get_feedback","arguments":[1]}}' \
	    -H "Authorization: Bearer $SK"
	check_json "arguments not an object: -32602" error.code -32602
	rpc '{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"update_feedback","arguments":{"id":"'"$ID2"'","priority":9}}}' \
	    -H "Authorization: Bearer $SK" -H 'MCP-Protocol-Version: 2025-06-18'
	check_json "bad arguments in 2025-06-18: -32602" error.code -32602
	check "naming priority" eval "json error.message | grep -q priority"
	rpc '{"jsonrpc":"2.0","id":16,"method":"tools/call","params":{"name":"update_feedback","arguments":{"id":"'"$ID2"'","priority":9}}}' \
	    -H "Authorization: Bearer $SK" -H 'MCP-Protocol-Version: 2025-11-25'
	check_json "in 2025-11-25: a tool error" result.isError true
	check "nothing changed" test "$(sql "SELECT COALESCE(priority, 'none') FROM
	    feedback WHERE id = '$ID2'")" = none
	rpc '{"jsonrpc":"2.0","id":17,"method":"tools/call","params":{"name":"update_feedback","arguments":{"id":"'"$ID2"'","etag":"20200101000000000000","status":"done"}}}' \
	    -H "Authorization: Bearer $SK" -H 'MCP-Protocol-Version: 2025-11-25'
	check_json "a stale etag: a tool error" result.isError true
	check "the item unchanged" test "$(sql "SELECT status FROM feedback WHERE
	    id = '$ID2'")" = new

	head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big.json"
	printf '{"jsonrpc":"2.0","id":21,"method":"ping"}' >>"$T/big.json"
	rpc @"$T/big.json" -H "Authorization: Bearer $SK"
	check_hark_error "a body over max_json_body (64K): 413" 413
	rpc '{"jsonrpc":"2.0","id":18,"method":"ping"}'
	check_hark_error "no key: 401" 401
	rpc '{"jsonrpc":"2.0","id":18,"method":"ping"}' -H "Authorization: Bearer $PK"
	check_hark_error "a public key: 401" 401
	rpc '{"jsonrpc":"2.0","id":18,"method":"ping"}' -H "Authorization: Bearer sk_nope"
	check_hark_error "a wrong key: 401" 401
	rpc '{"jsonrpc":"2.0","id":19,"method":"ping"}' -H "Authorization: Bearer $SK" \
	    -H 'Origin: https://evil.example'
	check_hark_error "an Origin, and the project lists none: 403" 403
	rpc '{"jsonrpc":"2.0","id":19,"method":"ping"}' -H "Authorization: Bearer $SK_O" \
	    -H 'Origin: https://evil.example'
	check_hark_error "an Origin the project does not list: 403" 403
	rpc '{"jsonrpc":"2.0","id":19,"method":"ping"}' -H "Authorization: Bearer $SK_O" \
	    -H 'Origin: https://app.example.com'
	check_json "a listed Origin: served" result "{}"
	check "a listed Origin: the answer is readable by that page (CORS)" \
	    eval '[ "$(hdr Access-Control-Allow-Origin)" = https://app.example.com ]'
	check "a listed Origin: Mcp-Session-Id is exposed to it" \
	    eval 'hdr Access-Control-Expose-Headers | grep -q Mcp-Session-Id'
	req OPTIONS "$URL/mcp" -H 'Origin: https://app.example.com' \
	    -H 'Access-Control-Request-Method: POST' \
	    -H 'Access-Control-Request-Headers: authorization, content-type, mcp-protocol-version, mcp-session-id'
	check_status "a browser's preflight of /mcp: 204" 204
	check "the preflight allows the MCP headers" \
	    eval 'hdr Access-Control-Allow-Headers | grep -q "mcp-protocol-version, mcp-session-id"'
	check "the preflight allows POST" \
	    eval 'hdr Access-Control-Allow-Methods | grep -q POST'
	req POST "$URL/mcp" -H 'Content-Type: text/plain' -H "Authorization: Bearer $SK" -d '{}'
	check_hark_error "not JSON's media type: 415" 415
	req POST "$URL/mcp" "${JSON_CT[@]}" -H 'Accept: text/event-stream' \
	    -H "Authorization: Bearer $SK" -d '{"jsonrpc":"2.0","id":20,"method":"ping"}'
	check_hark_error "Accept without application/json: 406" 406
	req GET "$URL/mcp" -H "Authorization: Bearer $SK" -H 'Accept: text/event-stream'
	check_hark_error "GET (no SSE stream): 405" 405
	check "Allow: POST" eval "hdr Allow | grep -q POST"
}

t_init "${1:-}" mcp
t_db
setup
test_sdk
test_raw
t_ctx
t_summary
