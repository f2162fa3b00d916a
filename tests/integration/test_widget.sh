#!/bin/bash
# test_widget.sh: the third seed's widget flow (bootstrap, ingest) as it documents it.
#
#	tests/integration/test_widget.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB, a widget-token secret
# made by harkctl secret init, sources made by harkctl source create, and a
# local server speaking hCaptcha's siteverify (siteverify.py) at
# [widget] captcha_verify_url.  The seed's "Full integration flow" runs
# with and without captcha and from a server without Origin; every refusal
# of its error table is tested and stores nothing: tokens (a flipped byte
# in claims or tag, expired, another source's, another origin's, missing,
# a retired secret's), sources and origins (disabled, deleted, a lookalike
# of a wildcard), fields, captcha (missing, wrong, provider down, slow,
# erring), duplicates (inside and past the window), an X-Forwarded-For
# from an untrusted peer, and a secret rotation.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2
ORIGIN=https://shop.example.com
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')
rows() { sql "SELECT COUNT(*) FROM feedback"; }

source_id() { sql "SELECT id FROM sources WHERE public_key = SHA2('$1', 256)"; }

setup() {
	mkdir -p "$T/wg"
	CONF="$T/wg/hark.conf"
	SV_PORT=$(pick_port) || exit 2
	printf 'captcha-secret-0123456789\n' >"$T/wg/captcha.secret"
	write_hark_conf "$CONF" log.file="$T/wg/hark.log" \
	    server.workers="$WORKERS" limits.rate_limit=100000 \
	    widget.token_previous_secret_file="$T/state/token.previous" \
	    widget.captcha_verify_url="http://127.0.0.1:$SV_PORT/siteverify" \
	    widget.captcha_timeout=1
	ctl secret init >/dev/null || { fail "harkctl secret init"; exit 2; }
	PRJ=$(ctl project create "Widget") || exit 2
	PK=$(ctl source create "$PRJ" --name "Web App Feedback" \
	    --origin "$ORIGIN" --origin 'https://*.example.org' \
	    --no-captcha) || exit 2
	PK_CAP=$(ctl source create "$PRJ" --name "With captcha" \
	    --origin "$ORIGIN" --captcha hcaptcha --captcha-sitekey site-key-1 \
	    --captcha-secret-file "$T/wg/captcha.secret") || exit 2
	PK_SRV=$(ctl source create "$PRJ" --name "Backend" --type server \
	    --no-captcha --dedup-window 2) || exit 2
	PK_LIM=$(ctl source create "$PRJ" --name "Limited" --no-captcha \
	    --rate-limit 2) || exit 2
	PK_OFF=$(ctl source create "$PRJ" --name "Off" --no-captcha) || exit 2
	PK_DEL=$(ctl source create "$PRJ" --name "Gone" --no-captcha) || exit 2
	ctl source disable "$(source_id "$PK_OFF")" >/dev/null || exit 2
	ctl source delete "$(source_id "$PK_DEL")" >/dev/null || exit 2
	t_spawn siteverify /usr/bin/python3 "$HARK_SRCDIR/tests/integration/siteverify.py" \
	    "$SV_PORT" captcha-secret-0123456789 "$T/wg/siteverify.log"
	SV_PID=$SPAWNED_PID
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start wg-nginx "$PORT" "$T/wg/hark.sock" || exit 2
	hark_standalone wg "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
	wait_until 10 eval "curl -s -o /dev/null -d x http://127.0.0.1:$SV_PORT/siteverify"
}

# bootstrap PK [ORIGIN]: the seed's GET; TOKEN from the answer.
bootstrap() {
	local o=()
	[ -n "${2:-}" ] && o=(-H "Origin: $2")
	req GET "$URL/feedback/widget/bootstrap?publicKey=$1" "${o[@]}"
	TOKEN=$(json data.token 2>/dev/null)
}

# ingest BODY [ORIGIN] [curl args...]
ingest() {
	local body=$1 origin=${2:-} o=()
	shift 2 2>/dev/null || shift $#
	[ -n "$origin" ] && o=(-H "Origin: $origin")
	req POST "$URL/feedback/ingest" "${JSON_CT[@]}" "${o[@]}" "$@" -d "$body"
}

# widget_error NAME STATUS CODE [FIELD]: the seed's error envelope.
widget_error() {
	check_hark_error "$1: $2" "$2"
	check_json "$1: success false" success false
	check_json "$1: code $3" error.code "$3"
	[ -n "${4:-}" ] && check_json "$1: field $4" error.field "$4"
	return 0
}

test_flow() {
	local now id exp
	t_ctx "integration flow"
	bootstrap "$PK" "$ORIGIN"
	check_status "bootstrap: 200" 200
	check_json "success true" success true
	check_json "data.source.publicKey" data.source.publicKey "$PK"
	check_json "data.source.type" data.source.type widget
	check_json "data.source.name" data.source.name "Web App Feedback"
	check_json "config.requireCaptcha false" data.config.requireCaptcha false
	check "the token is claims.signature, claims JSON (eyJ...)" \
	    eval "[[ '$TOKEN' =~ ^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$ ]]"
	now=$(date +%s)
	exp=$(json data.expiresAt)
	check "expiresAt is Unix seconds, 30 minutes on" \
	    test "$exp" -ge $((now + 1790)) -a "$exp" -le $((now + 1810))
	check "CORS echoes the origin" test "$(hdr Access-Control-Allow-Origin)" = "$ORIGIN"
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",\"message\":\"The registration form does not validate emails correctly\",\"category\":\"bug\",\"email\":\"user@example.com\",\"pageUrl\":\"https://myapp.com/register\",\"locale\":\"en\"}" "$ORIGIN"
	check_status "ingest: 201" 201
	check_json "success true" success true
	check_json "status new" data.status new
	id=$(json data.id)
	check "createdAt with milliseconds" eval \
	    "[[ '$(json data.createdAt)' =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]]"
	check "the row: widget, its source, the submitter's category, locale" \
	    test "$(sql "SELECT CONCAT(channel, ' ', source_id, ' ', category,
	    ' ', triaged_by, ' ', locale, ' ', user_email) FROM feedback
	    WHERE id = '$id'")" = "widget $(source_id "$PK") bug client en user@example.com"
	check "a content hash is stored" test "$(sql "SELECT LENGTH(content_hash)
	    FROM feedback WHERE id = '$id'")" = 32
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",\"message\":\"I love the new dashboard, great work\"}" "$ORIGIN"
	check_status "without a category: 201" 201
	check "triage fills it" test "$(sql "SELECT CONCAT(category, ' ',
	    triaged_by) FROM feedback WHERE id = '$(json data.id)'")" = "praise builtin"
	# A widget on a page served from hark's own host: the browser sends
	# no Origin with that GET (same-origin), but Sec-Fetch-Site and the
	# Referer, and Origin with its POST.
	req GET "$URL/feedback/widget/bootstrap?publicKey=$PK" \
	    -H 'Sec-Fetch-Site: same-origin' -H "Referer: $ORIGIN/help/contact?x=1"
	check_status "a same-origin page's bootstrap (no Origin): 200" 200
	TOKEN=$(json data.token 2>/dev/null)
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",\"message\":\"The contact form loses my text\"}" "$ORIGIN"
	check_status "its token is bound to its origin: ingest 201" 201
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",\"message\":\"The contact form loses my text\"}" "https://app.example.org"
	check_hark_error "and to no other origin: 401" 401
	bootstrap "$PK" "https://app.example.org"
	check_status "a wildcard origin: 200" 200

	# Server to server: no Origin, a source without an allowlist.
	bootstrap "$PK_SRV"
	check_status "a server's bootstrap without Origin: 200" 200
	check_json "its type" data.source.type server
	ingest "{\"publicKey\":\"$PK_SRV\",\"token\":\"$TOKEN\",\"message\":\"Nightly export failed twice\"}"
	check_status "its ingest without Origin: 201" 201
	req OPTIONS "$URL/feedback/ingest" -H "Origin: $ORIGIN" \
	    -H 'Access-Control-Request-Method: POST'
	check_status "a preflight: 204" 204
	check "it allows the origin" test "$(hdr Access-Control-Allow-Origin)" = "$ORIGIN"
}

test_bootstrap_refused() {
	t_ctx "bootstrap refused"
	bootstrap pk_0123456789abcdefghjkmnpqrstvwxyz "$ORIGIN"
	widget_error "an unknown publicKey" 404 source_not_found publicKey
	bootstrap "$PK_OFF" "$ORIGIN"
	widget_error "a disabled source" 404 source_not_found
	bootstrap "$PK_DEL" "$ORIGIN"
	widget_error "a deleted source" 404 source_not_found
	bootstrap "not-a-key" "$ORIGIN"
	widget_error "junk as publicKey" 404 source_not_found
	req GET "$URL/feedback/widget/bootstrap" -H "Origin: $ORIGIN"
	widget_error "no publicKey" 400 missing_field publicKey
	bootstrap "$PK" "https://evil.example.com.attacker.io"
	widget_error "a lookalike of an allowed origin" 403 origin_not_allowed
	bootstrap "$PK" "https://example.org"
	widget_error "the bare domain of a wildcard" 403 origin_not_allowed
	bootstrap "$PK" "http://shop.example.com"
	widget_error "the origin on another scheme" 403 origin_not_allowed
	bootstrap "$PK"
	widget_error "no Origin for a source with an allowlist" 403 origin_not_allowed
	req GET "$URL/feedback/widget/bootstrap?publicKey=$PK" \
	    -H 'Sec-Fetch-Site: same-origin'
	widget_error "same-origin without a Referer (no origin to check)" 403 \
	    origin_not_allowed
	req GET "$URL/feedback/widget/bootstrap?publicKey=$PK" \
	    -H 'Sec-Fetch-Site: cross-site' -H "Referer: $ORIGIN/shop/cart"
	widget_error "a cross-site request without Origin, whatever its Referer" \
	    403 origin_not_allowed
	req GET "$URL/feedback/widget/bootstrap?publicKey=$PK" \
	    -H 'Sec-Fetch-Site: same-origin' -H 'Referer: https://evil.example.net/x'
	widget_error "same-origin from a host the source does not list" 403 \
	    origin_not_allowed
	req GET "$URL/feedback/widget/bootstrap?publicKey=$PK&x=1" -H "Origin: $ORIGIN"
	widget_error "an unknown parameter" 400 unknown_parameter x
}

# A token made here with the secret file, as hark makes them.
forge() {
	local claims=$1 secret=${2:-$T/state/token.secret} c sig
	c=$(printf '%s' "$claims" | base64 -w0 | tr '+/' '-_' | tr -d '=')
	# The key is the file less its trailing newline (lib/token.h).
	sig=$(printf '%s' "$c" | openssl dgst -sha256 -mac HMAC \
	    -macopt "key:$(cat "$secret")" -binary |
	    base64 -w0 | tr '+/' '-_' | tr -d '=')
	printf '%s.%s' "$c" "$sig"
}

test_tokens() {
	local before t sid other bad now
	t_ctx tokens
	before=$(rows)
	bootstrap "$PK" "$ORIGIN"
	t=$TOKEN
	body() { printf '{"publicKey":"%s","token":"%s","message":"token test"}' "$1" "$2"; }
	bad=$(printf '%s' "$t" | sed 's/^eyJ./eyJA/')
	[ "$bad" = "$t" ] && bad=$(printf '%s' "$t" | sed 's/^eyJ./eyJB/')
	ingest "$(body "$PK" "$bad")" "$ORIGIN"
	widget_error "a byte flipped in the claims" 401 invalid_token token
	bad="${t%?}$( [ "${t: -1}" = A ] && echo Q || echo A)"
	ingest "$(body "$PK" "$bad")" "$ORIGIN"
	widget_error "a byte flipped in the signature" 401 invalid_token token
	ingest "$(body "$PK" "")" "$ORIGIN"
	widget_error "an empty token" 400 too_short token
	ingest "{\"publicKey\":\"$PK\",\"message\":\"x\"}" "$ORIGIN"
	widget_error "no token" 400 missing_field token
	bootstrap "$PK_CAP" "$ORIGIN"
	other=$TOKEN
	ingest "$(body "$PK" "$other")" "$ORIGIN"
	widget_error "another source's token" 401 invalid_token
	bootstrap "$PK" "https://app.example.org"
	ingest "$(body "$PK" "$TOKEN")" "$ORIGIN"
	widget_error "a token replayed from another origin" 401 invalid_token
	sid=$(source_id "$PK")
	now=$(date +%s)
	t=$(forge "{\"v\":1,\"src\":\"$sid\",\"org\":\"$ORIGIN\",\"iat\":$((now - 4000)),\"exp\":$((now - 2200)),\"n\":\"AAAAAAAAAAAAAAAAAAAAAA\"}")
	ingest "$(body "$PK" "$t")" "$ORIGIN"
	widget_error "an expired token" 401 token_expired token
	t=$(forge "{\"v\":1,\"src\":\"$sid\",\"org\":\"$ORIGIN\",\"iat\":$now,\"exp\":$((now + 600)),\"n\":\"AAAAAAAAAAAAAAAAAAAAAA\"}")
	ingest "$(body "$PK" "$t")" "$ORIGIN"
	check_status "a token made the same way, good: 201 (the forge is right)" 201
	printf 'retired-secret-retired-secret-retired-0000\n' >"$T/wg/retired.secret"
	t=$(forge "{\"v\":1,\"src\":\"$sid\",\"org\":\"$ORIGIN\",\"iat\":$now,\"exp\":$((now + 600)),\"n\":\"BBBBBBBBBBBBBBBBBBBBBB\"}" "$T/wg/retired.secret")
	ingest "$(body "$PK" "$t")" "$ORIGIN"
	widget_error "a token of a retired secret" 401 invalid_token
	check "none of these stored anything but the good one" \
	    test "$(rows)" = $((before + 1))
}

test_fields() {
	local before long
	t_ctx fields
	bootstrap "$PK" "$ORIGIN"
	before=$(rows)
	f() { ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",$1}" "$ORIGIN"; }
	f '"message":""'
	widget_error "a message of 0 characters" 400 empty message
	f '"message":"   "'
	widget_error "a message of white space only" 400 empty message
	long=$(head -c 5001 /dev/zero | tr '\0' m)
	f "\"message\":\"$long\""
	widget_error "a message of 5001 characters" 400 too_long message
	f '"message":"hi","category":"complaint"'
	widget_error "an unknown category" 400 invalid_value category
	f '"message":"hi","locale":"en_US"'
	widget_error "a locale that is not BCP 47" 400 invalid_value locale
	f '"message":"hi","email":"not an address"'
	widget_error "an email that is not an address" 400 invalid_value email
	f '"message":"hi","pageUrl":5'
	widget_error "a pageUrl that is not a string" 400 wrong_type pageUrl
	check "nothing stored" test "$(rows)" = "$before"
	f '"message":"an extra field","mood":"grumpy"'
	check_status "an unknown field is kept: 201" 201
	check_json "and warned of" warnings.0.field mood
	f '"message":"a locale with script and region","locale":"zh-Hant-TW"'
	check_status "zh-Hant-TW: 201" 201
}

test_captcha() {
	local before
	t_ctx captcha
	bootstrap "$PK_CAP" "$ORIGIN"
	check_json "config.requireCaptcha" data.config.requireCaptcha true
	check_json "config.captchaProvider" data.config.captchaProvider hcaptcha
	check_json "config.siteKey" data.config.siteKey site-key-1
	before=$(rows)
	c() { ingest "{\"publicKey\":\"$PK_CAP\",\"token\":\"$TOKEN\",\"message\":\"captcha test $1\"$2}" "$ORIGIN"; }
	c 1 ''
	widget_error "no captchaToken" 400 captcha_required captchaToken
	c 2 ',"captchaToken":"wrong"'
	widget_error "a wrong captcha" 400 captcha_invalid captchaToken
	c 3 ',"captchaToken":"slow"'
	widget_error "siteverify slow past its timeout" 503 captcha_unavailable
	check "with Retry-After" test -n "$(hdr Retry-After)"
	c 4 ',"captchaToken":"broken"'
	widget_error "siteverify erring" 503 captcha_unavailable
	check "nothing stored" test "$(rows)" = "$before"
	c 5 ',"captchaToken":"good-token"'
	check_status "a solved captcha: 201" 201
	check "hark sent the secret, the response, the address and the site key" \
	    grep -q '^secret=captcha-secret-0123456789&response=good-token&remoteip=127.0.0.1&sitekey=site-key-1$' \
	    "$T/wg/siteverify.log"
	stop_pid "$SV_PID" 10
	before=$(rows)
	c 6 ',"captchaToken":"good-token"'
	widget_error "siteverify down" 503 captcha_unavailable
	check "nothing stored" test "$(rows)" = "$before"
}

test_dedup() {
	local id
	t_ctx dedup
	bootstrap "$PK_SRV"
	d() { ingest "{\"publicKey\":\"$PK_SRV\",\"token\":\"$TOKEN\",\"message\":\"$1\"}"; }
	d "The CSV export drops the last row"
	check_status "first: 201" 201
	id=$(json data.id)
	d "  the csv EXPORT drops the last   row "
	widget_error "the same content again (case, spaces)" 409 duplicate
	check_json "the 409 names the item there" error.id "$id"
	sleep 3
	d "The CSV export drops the last row"
	check_status "past the source's 2 s window: 201" 201
	bootstrap "$PK" "$ORIGIN"
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",\"message\":\"The CSV export drops the last row\"}" "$ORIGIN"
	check_status "the same content from another source: 201" 201
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",\"message\":\"Idempotent ingest\"}" "$ORIGIN" \
	    -H 'Idempotency-Key: ingest-1'
	check_status "a keyed ingest: 201" 201
	id=$(json data.id)
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",\"message\":\"Idempotent ingest\"}" "$ORIGIN" \
	    -H 'Idempotency-Key: ingest-1'
	check_status "its retry is a replay, not a 409" 201
	check "Idempotent-Replayed" test "$(hdr Idempotent-Replayed)" = true
	check_json "the same id" data.id "$id"
}

test_rate() {
	local i
	t_ctx "rate limit"
	bootstrap "$PK_LIM"
	for i in 1 2; do
		ingest "{\"publicKey\":\"$PK_LIM\",\"token\":\"$TOKEN\",\"message\":\"limited $i\"}" "" \
		    -H "X-Forwarded-For: 198.51.100.$i"
	done
	check_hark_error "the bootstrap and one ingest use the limit of 2: 429" 429
	check_json "success false" success false
	check_json "code rate_limited" error.code rate_limited
	check "with Retry-After" test -n "$(hdr Retry-After)"
	check "an X-Forwarded-For from an untrusted peer is not believed" \
	    test "$(hdr RateLimit-Limit)" = 2
}

test_rotation() {
	local old
	t_ctx rotation
	bootstrap "$PK" "$ORIGIN"
	old=$TOKEN
	check "harkctl secret init refuses to overwrite" eval "! ctl secret init"
	ctl secret init --rotate >/dev/null
	check "harkctl secret init --rotate keeps the previous secret" \
	    test -s "$T/state/token.previous"
	kill -HUP "$HARK_MASTER"
	sleep 2
	wait_until 20 health_is "$URL" 200
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$old\",\"message\":\"after rotation\"}" "$ORIGIN"
	check_status "a token signed before the rotation is still good" 201
	bootstrap "$PK" "$ORIGIN"
	ingest "{\"publicKey\":\"$PK\",\"token\":\"$TOKEN\",\"message\":\"after rotation, new token\"}" "$ORIGIN"
	check_status "a new token is good" 201
	check "the log holds no token" eval "! grep -q '$old' '$T/wg/hark.log'"
}

# Item 7: a widget token submits on /v1 too (JSON and multipart).
test_v1_token() {
	local id before
	t_ctx "token on /v1"
	bootstrap "$PK" "$ORIGIN"
	req POST "$URL/v1/feedback" -H "X-Hark-Public-Key: $PK" \
	    -H "X-Hark-Token: $TOKEN" -H "Origin: $ORIGIN" "${JSON_CT[@]}" \
	    -d '{"text":"Sent with a widget token on /v1"}'
	check_status "POST /v1/feedback (JSON) with a token: 201" 201
	id=$(json id)
	check "the row is the source's" test "$(sql "SELECT CONCAT(channel, ' ',
	    source_id) FROM feedback WHERE id = '$id'")" = "widget $(source_id "$PK")"
	printf '{"sessionId":"0193a3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b","transcript":"multipart with a token","context":{"dom":null,"console":[],"network":[],"device":{},"page":{},"screenshotUrl":null,"capturedAt":"2026-12-03T10:00:00Z"},"identity":null}' >"$T/wg/p.json"
	req POST "$URL/v1/feedback" -H "X-Hark-Public-Key: $PK" \
	    -H "X-Hark-Token: $TOKEN" -H "Origin: $ORIGIN" \
	    -F "payload=<$T/wg/p.json;type=application/json"
	check_status "POST /v1/feedback (multipart) with a token: 202" 202
	before=$(rows)
	req POST "$URL/v1/feedback" -H "X-Hark-Public-Key: $PK" \
	    -H "X-Hark-Token: $TOKEN" -H "Origin: https://app.example.org" \
	    "${JSON_CT[@]}" -d '{"text":"from another origin"}'
	check_hark_error "the token from another origin: 401" 401
	check_json "code invalid_token" error.code invalid_token
	req POST "$URL/v1/feedback" -H "X-Hark-Public-Key: $PK_CAP" \
	    -H "X-Hark-Token: $TOKEN" -H "Origin: $ORIGIN" \
	    "${JSON_CT[@]}" -d '{"text":"another source"}'
	check_hark_error "the token with another source's key: 401" 401
	req POST "$URL/v1/feedback" -H "X-Hark-Token: $TOKEN" \
	    -H "Origin: $ORIGIN" "${JSON_CT[@]}" -d '{"text":"no key"}'
	check_hark_error "a token without X-Hark-Public-Key: 400" 400
	check "none of these stored anything" test "$(rows)" = "$before"
	req GET "$URL/v1/feedback" -H "X-Hark-Public-Key: $PK" \
	    -H "X-Hark-Token: $TOKEN" -H "Origin: $ORIGIN"
	check_hark_error "a token may not list: 401" 401
	check_json "code public_key_not_allowed" error.code public_key_not_allowed
}

t_init "${1:-}" wg
t_db
setup
test_flow
test_bootstrap_refused
test_tokens
test_fields
test_captcha
test_dedup
test_v1_token
test_rate
test_rotation
t_ctx
t_summary
