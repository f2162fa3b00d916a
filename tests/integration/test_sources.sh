#!/bin/bash
# test_sources.sh: sources managed whole from harkctl, and the token secret.
#
#	tests/integration/test_sources.sh BUILD_DIR
#
# harkctl source create|list|show|update|disable|enable|delete with every
# option and every bad one (nothing stored when refused), the captcha
# secret read from its file and never shown, origin patterns stored in
# canonical form, a source's key refused by another project, the key of a
# disabled (then enabled again) and of a deleted source on POST
# /v1/feedback behind nginx, schema/006 re-run, and harkctl secret init
# (mode 0600, refused twice, --rotate keeps the previous secret).
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')
BODY='{"text":"The export button does nothing on Safari"}'
CAPTCHA_SECRET="0x4AAAAsecret$(rand_hex 8)"

source_id() { sql "SELECT id FROM sources WHERE public_key = SHA2('$1', 256)"; }
nsources() { sql "SELECT COUNT(*) FROM sources"; }
col() { sql "SELECT COALESCE($2, 'NULL') FROM sources WHERE id = '$1'"; }
origins_of() {
	sql "SELECT COALESCE(GROUP_CONCAT(pattern ORDER BY pattern SEPARATOR ' '), '')
	    FROM source_origins WHERE source_id = '$1'"
}

# status WANT CMD...: CMD's exit status is WANT.
status() {
	local want=$1 rc
	shift
	"$@" >/dev/null 2>&1
	rc=$?
	[ "$rc" = "$want" ]
}

# refused NAME WANT_STATUS harkctl-args...: exit WANT, no source made.
refused() {
	local name=$1 want=$2 before after rc
	shift 2
	before=$(nsources)
	ctl "$@" >"$T/out" 2>&1
	rc=$?
	after=$(nsources)
	if [ "$rc" != "$want" ]; then
		fail "$name: exit $want" "exit $rc: $(tail -n 3 "$T/harkctl.err" | tr '\n' ' ')"
	elif [ "$before" != "$after" ]; then
		fail "$name: exit $want" "a source was stored"
	elif grep -q 'pk_' "$T/out"; then
		fail "$name: exit $want" "a key was printed"
	else
		pass "$name: exit $want"
	fi
}

submit() {
	req POST "$URL/v1/feedback" -H "X-Hark-Project: $1" \
	    -H "X-Hark-Key: $2" "${JSON_CT[@]}" -d "$BODY"
}

setup() {
	mkdir -p "$T/src"
	CONF="$T/src/hark.conf"
	write_hark_conf "$CONF" log.file="$T/src/hark.log" \
	    server.workers="$WORKERS" limits.rate_limit=100000 \
	    server.state_dir="$T/src/state"
	PRJ_A=$(ctl project create "Project A") || exit 2
	PRJ_B=$(ctl project create "Project B") || exit 2
	printf '%s\n' "$CAPTCHA_SECRET" >"$T/src/captcha.secret"
	chmod 600 "$T/src/captcha.secret"
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start src-nginx "$PORT" "$T/src/hark.sock" || exit 2
	hark_standalone src "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

test_schema() {
	t_ctx schema
	check "006 added the columns" test "$(sql "SELECT COUNT(*) FROM
	    information_schema.columns WHERE table_schema = '$HARK_DB_NAME'
	    AND table_name = 'sources' AND column_name IN ('captcha_provider',
	    'captcha_sitekey', 'captcha_secret', 'dedup_window', 'updated_at')")" = 5
	check "006 runs again without error" mariadb_sql "$HARK_DB_SOCKET" \
	    "USE \`$HARK_DB_NAME\`; $(grep -v '^--' "$HARK_SRCDIR/schema/006_sources.sql")"
	check "006 is recorded" test "$(sql "SELECT COUNT(*) FROM
	    schema_migrations WHERE version = 6")" = 1
}

test_create() {
	local pk out
	t_ctx create
	pk=$(ctl source create "$PRJ_A" --name "Web App Feedback" --type server \
	    --origin 'HTTPS://App.Example.com/' --origin 'https://*.example.com:8443' \
	    --origin 'http://127.0.0.1:8080' --captcha hcaptcha \
	    --captcha-sitekey 10000000-ffff-ffff-ffff-000000000001 \
	    --captcha-secret-file "$T/src/captcha.secret" --rate-limit 7 \
	    --dedup-window 120)
	check "every option: prints a pk_ key" eval "[[ '$pk' =~ ^pk_[0-9A-Za-z]{32}$ ]]"
	SRC_FULL=$(source_id "$pk")
	PK_FULL=$pk
	check "stored by the key's hash" test -n "$SRC_FULL"
	check "its project" test "$(col "$SRC_FULL" project_id)" = "$PRJ_A"
	check "name" test "$(col "$SRC_FULL" name)" = "Web App Feedback"
	check "type server" test "$(col "$SRC_FULL" type)" = server
	check "captcha required" test "$(col "$SRC_FULL" require_captcha)" = 1
	check "provider hcaptcha" test "$(col "$SRC_FULL" captcha_provider)" = hcaptcha
	check "site key" test "$(col "$SRC_FULL" captcha_sitekey)" = \
	    10000000-ffff-ffff-ffff-000000000001
	check "the secret is the file's line" \
	    test "$(col "$SRC_FULL" captcha_secret)" = "$CAPTCHA_SECRET"
	check "rate limit 7" test "$(col "$SRC_FULL" rate_limit)" = 7
	check "dedup window 120" test "$(col "$SRC_FULL" dedup_window)" = 120
	check "origins stored canonical (lower case, no slash, no default port)" \
	    test "$(origins_of "$SRC_FULL")" = \
	    "http://127.0.0.1:8080 https://*.example.com:8443 https://app.example.com"
	check "enabled" test "$(col "$SRC_FULL" disabled_at)" = NULL

	pk=$(ctl source create "$PRJ_A" --name plain)
	SRC_PLAIN=$(source_id "$pk")
	PK_PLAIN=$pk
	check "defaults: type widget" test "$(col "$SRC_PLAIN" type)" = widget
	check "defaults: captcha on (the seed)" test "$(col "$SRC_PLAIN" require_captcha)" = 1
	check "defaults: no provider" test "$(col "$SRC_PLAIN" captcha_provider)" = NULL
	check "defaults: configured rate limit and dedup window" \
	    test "$(col "$SRC_PLAIN" "CONCAT(COALESCE(rate_limit, 'd'), COALESCE(dedup_window, 'd'))")" = dd
	check "defaults: no origins" test -z "$(origins_of "$SRC_PLAIN")"
	check "a captcha without a provider is warned about" \
	    grep -q "source $SRC_PLAIN requires a captcha but has no provider" "$T/harkctl.err"
	pk=$(ctl source create "$PRJ_A" --name nocaptcha --no-captcha)
	SRC_NOCAP=$(source_id "$pk")
	PK_NOCAP=$pk
	check "--no-captcha: not required" test "$(col "$SRC_NOCAP" require_captcha)" = 0
	pk=$(ctl source create "$PRJ_A" --name ts --captcha turnstile \
	    --captcha-sitekey 1x00000000000000000000AA \
	    --captcha-secret-file "$T/src/captcha.secret")
	check "--captcha turnstile" test "$(col "$(source_id "$pk")" captcha_provider)" = turnstile
	check "the secret is never on a screen or in a log" eval \
	    "! grep -rq '$CAPTCHA_SECRET' '$T/harkctl.err' '$T/src/hark.log'"
}

test_create_refused() {
	local f
	t_ctx "create refused"
	refused "no PROJECT" 2 source create --name x
	refused "no --name" 2 source create "$PRJ_A"
	refused "an empty --name" 2 source create "$PRJ_A" --name ''
	refused "a 201-byte name" 2 source create "$PRJ_A" --name "$(printf 'n%.0s' {1..201})"
	refused "an unknown type" 2 source create "$PRJ_A" --name x --type mobile
	for f in '*' 'example.com' '*.example.com' 'https://*.com' 'https://*' \
	    'https://a.*.example.com' 'https://app.example.com/path' \
	    'https://u@app.example.com' 'https://app.example.com:0' \
	    'https://app.example.com:65536' 'https://app.example.com.' \
	    'https://bücher.example' 'null' 'https://app example.com' ''; do
		refused "a bad origin pattern '$f'" 2 source create "$PRJ_A" \
		    --name x --origin "$f"
	done
	refused "--captcha without its secret file" 2 source create "$PRJ_A" \
	    --name x --captcha hcaptcha --captcha-sitekey K
	refused "--captcha without its site key" 2 source create "$PRJ_A" \
	    --name x --captcha hcaptcha --captcha-secret-file "$T/src/captcha.secret"
	refused "--captcha alone" 2 source create "$PRJ_A" --name x --captcha hcaptcha
	refused "a provider that is neither" 2 source create "$PRJ_A" --name x \
	    --captcha recaptcha --captcha-sitekey K \
	    --captcha-secret-file "$T/src/captcha.secret"
	refused "a site key without --captcha" 2 source create "$PRJ_A" --name x \
	    --captcha-sitekey K
	refused "--no-captcha with --captcha" 2 source create "$PRJ_A" --name x \
	    --no-captcha --captcha hcaptcha --captcha-sitekey K \
	    --captcha-secret-file "$T/src/captcha.secret"
	refused "a site key with a space" 2 source create "$PRJ_A" --name x \
	    --captcha hcaptcha --captcha-sitekey 'a b' \
	    --captcha-secret-file "$T/src/captcha.secret"
	refused "a secret file that is not there" 1 source create "$PRJ_A" \
	    --name x --captcha hcaptcha --captcha-sitekey K \
	    --captcha-secret-file "$T/src/nothere"
	check "says which file, not what is in it" \
	    grep -q "cannot read the captcha secret file $T/src/nothere" "$T/harkctl.err"
	refused "a secret file that is a directory" 1 source create "$PRJ_A" \
	    --name x --captcha hcaptcha --captcha-sitekey K \
	    --captcha-secret-file "$T/src"
	: >"$T/src/empty.secret"
	refused "an empty secret file" 1 source create "$PRJ_A" --name x \
	    --captcha hcaptcha --captcha-sitekey K \
	    --captcha-secret-file "$T/src/empty.secret"
	if [ "$(id -u)" != 0 ]; then
		cp "$T/src/captcha.secret" "$T/src/locked.secret"
		chmod 000 "$T/src/locked.secret"
		refused "an unreadable secret file" 1 source create "$PRJ_A" \
		    --name x --captcha hcaptcha --captcha-sitekey K \
		    --captcha-secret-file "$T/src/locked.secret"
	fi
	refused "--rate-limit -1" 2 source create "$PRJ_A" --name x --rate-limit -1
	refused "--rate-limit abc" 2 source create "$PRJ_A" --name x --rate-limit abc
	refused "--rate-limit 1000001" 2 source create "$PRJ_A" --name x --rate-limit 1000001
	refused "--dedup-window 10s" 2 source create "$PRJ_A" --name x --dedup-window 10s
	refused "--dedup-window 2592001" 2 source create "$PRJ_A" --name x --dedup-window 2592001
	refused "--add-origin is update's" 2 source create "$PRJ_A" --name x \
	    --add-origin https://a.example.com
	refused "--no-origins is update's" 2 source create "$PRJ_A" --name x --no-origins
	refused "an unknown option" 2 source create "$PRJ_A" --name x --colour blue
	refused "an option without its value" 2 source create "$PRJ_A" --name
	refused "two PROJECTs" 2 source create "$PRJ_A" "$PRJ_B" --name x
	refused "an unknown project" 1 source create prj_00000000000000000000000000 --name x
	refused "not a project id" 1 source create "$SRC_PLAIN" --name x
	refused "an unknown source command" 2 source frobnicate
}

test_list_show() {
	local out
	t_ctx "list and show"
	out=$(ctl source list "$PRJ_A")
	check "list shows project A's sources" eval "grep -q '$SRC_FULL' <<<'$out' &&
	    grep -q '$SRC_PLAIN' <<<'$out'"
	check "with type, captcha and state" eval \
	    "grep '$SRC_FULL' <<<'$out' | grep -q 'server.*hcaptcha.*enabled.*Web App Feedback'"
	check "a provider-less captcha is 'unset'" eval "grep '$SRC_PLAIN' <<<'$out' | grep -q unset"
	check "never a key" eval "! grep -q pk_ <<<'$out'"
	out=$(ctl source list "$PRJ_B")
	check "a source of another project is not in its list" \
	    eval "! grep -q '$SRC_FULL' <<<'$out'"
	check "list takes one PROJECT" status 2 ctl source list
	check "list of an unknown project: 1" status 1 ctl source list prj_00000000000000000000000000
	out=$(ctl source show "$SRC_FULL")
	printf '%s\n' "$out" >"$T/show.out"
	check "show: name" grep -q '^name: *Web App Feedback$' "$T/show.out"
	check "show: project" grep -q "^project: *$PRJ_A\$" "$T/show.out"
	check "show: type" grep -q '^type: *server$' "$T/show.out"
	check "show: captcha provider" grep -q '^captcha: *hcaptcha$' "$T/show.out"
	check "show: site key" grep -q '^captcha sitekey: 10000000-ffff-ffff-ffff-000000000001$' "$T/show.out"
	check "show: the secret is 'set', never shown" eval \
	    "grep -q '^captcha secret: set$' '$T/show.out' && ! grep -q '$CAPTCHA_SECRET' '$T/show.out'"
	check "show: rate limit" grep -q '^rate limit: *7 per minute' "$T/show.out"
	check "show: dedup window" grep -q '^dedup window: *120 seconds$' "$T/show.out"
	check "show: each origin" test "$(grep -c '^origin: ' "$T/show.out")" = 3
	check "show: enabled" grep -q '^state: *enabled$' "$T/show.out"
	check "show: never the key" eval "! grep -q pk_ '$T/show.out'"
	out=$(ctl source show "$SRC_PLAIN")
	check "show: defaults named" eval "grep -q '^rate limit: *default (100000 per minute' <<<'$out' &&
	    grep -q '^dedup window: *default (600 seconds)' <<<'$out' &&
	    grep -q '^captcha secret: not set' <<<'$out' &&
	    grep -q '^captcha: *required, no provider set' <<<'$out' &&
	    grep -q '^origins: *any' <<<'$out'"
	check "show of an unknown source: 1" status 1 ctl source show src_00000000000000000000000000
	check "show of a non-id: 1" status 1 ctl source show "$PRJ_A"
	check "show takes one SOURCE_ID" status 2 ctl source show
}

test_update() {
	local before
	t_ctx update
	check "--name --type --rate-limit --dedup-window" status 0 ctl source update \
	    "$SRC_PLAIN" --name renamed --type server --rate-limit 12 --dedup-window 30
	check "applied" test "$(col "$SRC_PLAIN" "CONCAT(name, ' ', type, ' ', rate_limit, ' ', dedup_window)")" = \
	    "renamed server 12 30"
	check "0 goes back to the defaults" status 0 ctl source update "$SRC_PLAIN" \
	    --rate-limit 0 --dedup-window 0
	check "both NULL" test "$(col "$SRC_PLAIN" "CONCAT(COALESCE(rate_limit, 'd'), COALESCE(dedup_window, 'd'))")" = dd
	check "--add-origin" status 0 ctl source update "$SRC_PLAIN" \
	    --add-origin https://a.example.com --add-origin 'https://*.Example.org'
	check "added" test "$(origins_of "$SRC_PLAIN")" = "https://*.example.org https://a.example.com"
	check "--add-origin of one already there is no change" status 0 ctl source update \
	    "$SRC_PLAIN" --add-origin https://A.example.com
	check "still two" test "$(origins_of "$SRC_PLAIN")" = "https://*.example.org https://a.example.com"
	check "--remove-origin (as typed any case)" status 0 ctl source update "$SRC_PLAIN" \
	    --remove-origin 'HTTPS://*.example.org/'
	check "removed" test "$(origins_of "$SRC_PLAIN")" = "https://a.example.com"
	before=$(col "$SRC_PLAIN" name)
	check "--remove-origin of one not there: 1" status 1 ctl source update "$SRC_PLAIN" \
	    --name changed --remove-origin https://b.example.com
	check "and nothing changed" eval "test '$(col "$SRC_PLAIN" name)' = '$before' &&
	    test '$(origins_of "$SRC_PLAIN")' = https://a.example.com"
	check "--origin replaces the list" status 0 ctl source update "$SRC_PLAIN" \
	    --origin https://x.example.com --origin https://y.example.com
	check "replaced" test "$(origins_of "$SRC_PLAIN")" = "https://x.example.com https://y.example.com"
	check "--no-origins" status 0 ctl source update "$SRC_PLAIN" --no-origins
	check "none left" test -z "$(origins_of "$SRC_PLAIN")"
	check "--no-origins with --origin: 2" status 2 ctl source update "$SRC_PLAIN" \
	    --no-origins --origin https://x.example.com
	check "a bad --add-origin: 2" status 2 ctl source update "$SRC_PLAIN" --add-origin '*.example.com'
	check "a bad --remove-origin: 2" status 2 ctl source update "$SRC_PLAIN" --remove-origin junk
	check "an unknown type: 2" status 2 ctl source update "$SRC_PLAIN" --type app
	check "a site key on a source without a provider: 1" status 1 ctl source update \
	    "$SRC_PLAIN" --captcha-sitekey K2
	check "--captcha without its secret file: 2" status 2 ctl source update "$SRC_PLAIN" \
	    --captcha turnstile --captcha-sitekey K2
	check "an unreadable secret file: 1" status 1 ctl source update "$SRC_PLAIN" \
	    --captcha turnstile --captcha-sitekey K2 --captcha-secret-file "$T/src/nothere"
	check "and no provider was set" test "$(col "$SRC_PLAIN" captcha_provider)" = NULL
	check "--captcha turnstile with both" status 0 ctl source update "$SRC_PLAIN" \
	    --captcha turnstile --captcha-sitekey K2 --captcha-secret-file "$T/src/captcha.secret"
	check "set" test "$(col "$SRC_PLAIN" "CONCAT(require_captcha, captcha_provider, ' ', captcha_sitekey)")" = \
	    "1turnstile K2"
	check "a new site key alone" status 0 ctl source update "$SRC_PLAIN" --captcha-sitekey K3
	check "changed, the secret kept" test "$(col "$SRC_PLAIN" "CONCAT(captcha_sitekey, ' ', captcha_secret)")" = \
	    "K3 $CAPTCHA_SECRET"
	check "--no-captcha" status 0 ctl source update "$SRC_PLAIN" --no-captcha
	check "off, and the provider's keys dropped" test "$(col "$SRC_PLAIN" \
	    "CONCAT(require_captcha, COALESCE(captcha_provider, '-'), COALESCE(captcha_sitekey, '-'), COALESCE(captcha_secret, '-'))")" = "0---"
	check "update of an unknown source: 1" status 1 ctl source update \
	    src_00000000000000000000000000 --name x
	check "update without SOURCE_ID: 2" status 2 ctl source update --name x
	check "the secret never reached a screen or log" eval \
	    "! grep -rq '$CAPTCHA_SECRET' '$T/harkctl.err' '$T/src/hark.log'"
}

test_states() {
	local id
	t_ctx "disable, enable, delete"
	submit "$PRJ_A" "$PK_NOCAP"
	check_status "the source's key submits: 201" 201
	submit "$PRJ_B" "$PK_NOCAP"
	check_hark_error "a source of another project: 401" 401
	check "disable" eval "ctl source disable '$SRC_NOCAP' | grep -q 'disabled $SRC_NOCAP'"
	check "disabled_at set" test "$(col "$SRC_NOCAP" disabled_at)" != NULL
	check "show says so" eval "ctl source show '$SRC_NOCAP' | grep -q '^state: *disabled since'"
	check "list says so" eval "ctl source list '$PRJ_A' | grep '$SRC_NOCAP' | grep -q disabled"
	# Each worker trusts a key it looked up for 2 seconds.
	sleep 2.5
	submit "$PRJ_A" "$PK_NOCAP"
	check_hark_error "a disabled source's key: 401" 401
	check "disable again keeps it disabled" status 0 ctl source disable "$SRC_NOCAP"
	check "enable" eval "ctl source enable '$SRC_NOCAP' | grep -q 'enabled $SRC_NOCAP'"
	check "disabled_at cleared" test "$(col "$SRC_NOCAP" disabled_at)" = NULL
	submit "$PRJ_A" "$PK_NOCAP"
	check_status "enabled again: 201" 201
	id=$(json id)
	check "the item names the source" test "$(sql "SELECT source_id FROM feedback WHERE id = '$id'")" = "$SRC_NOCAP"
	ctl source update "$SRC_NOCAP" --origin https://shop.example.com >/dev/null
	check "delete" eval "ctl source delete '$SRC_NOCAP' | grep -q 'deleted $SRC_NOCAP'"
	check "the row is gone" test "$(sql "SELECT COUNT(*) FROM sources WHERE id = '$SRC_NOCAP'")" = 0
	check "its origins went with it" test "$(sql "SELECT COUNT(*) FROM source_origins WHERE source_id = '$SRC_NOCAP'")" = 0
	check "its feedback stays, no longer linked" test "$(sql "SELECT COALESCE(source_id, 'NULL') FROM feedback WHERE id = '$id'")" = NULL
	sleep 2.5
	submit "$PRJ_A" "$PK_NOCAP"
	check_hark_error "a deleted source's key: 401" 401
	check "delete again: 1" status 1 ctl source delete "$SRC_NOCAP"
	check "disable of an unknown source: 1" status 1 ctl source disable "$SRC_NOCAP"
	check "enable of an unknown source: 1" status 1 ctl source enable "$SRC_NOCAP"
	check "delete of a non-id: 1" status 1 ctl source delete nonsense
	check "delete takes one SOURCE_ID: 2" status 2 ctl source delete
	check "the other sources are untouched" test "$(sql "SELECT COUNT(*) FROM sources WHERE id IN ('$SRC_FULL', '$SRC_PLAIN')")" = 2
}

test_secret() {
	local f="$T/src/state/token.secret" first prevconf prev
	t_ctx "secret init"
	check "secret init" eval "ctl secret init | grep -q 'wrote a new token secret to $f'"
	check "at [widget] token_secret_file's default: state_dir/token.secret" test -f "$f"
	check "mode 0600" test "$(stat -c %a "$f")" = 600
	check "64 hex digits and a newline" eval "grep -qx '[0-9a-f]\{64\}' '$f' && test \$(wc -c <'$f') = 65"
	first=$(cat "$f")
	check "never printed" eval "! ctl secret init 2>&1 | grep -q '$first'"
	check "a second init is refused: 1" status 1 ctl secret init
	check "and the file is unchanged" test "$(cat "$f")" = "$first"
	check "--rotate without token_previous_secret_file: 1" status 1 ctl secret init --rotate
	check "unchanged" test "$(cat "$f")" = "$first"
	check "an unknown option: 2" status 2 ctl secret init --force
	check "secret without init: 2" status 2 ctl secret
	prevconf="$T/src/rotate.conf"
	prev="$T/src/state/token.secret.previous"
	cp "$CONF" "$prevconf"
	printf '\n[widget]\ntoken_previous_secret_file = %s\n' "$prev" >>"$prevconf"
	check "--rotate" eval "'$HARK_BUILD/harkctl' -c '$prevconf' secret init --rotate 2>>'$T/harkctl.err' |
	    grep -q 'moved the previous secret to $prev'"
	check "the previous secret is the old one" test "$(cat "$prev")" = "$first"
	check "the current one is new" eval "test \"\$(cat '$f')\" != '$first' && grep -qx '[0-9a-f]\{64\}' '$f'"
	check "both 0600" eval "test \$(stat -c %a '$f') = 600 && test \$(stat -c %a '$prev') = 600"
	check "no temporary file left" test -z "$(ls "$T/src/state" | grep "^token" |
	    grep -vx -e token.secret -e token.secret.previous)"
	check "an explicit token_secret_file" eval "printf '\n[widget]\ntoken_secret_file = $T/src/other.secret\n' >>'$T/src/other.conf.in'; cat '$CONF' '$T/src/other.conf.in' >'$T/src/other.conf';
	    '$HARK_BUILD/harkctl' -c '$T/src/other.conf' secret init >/dev/null 2>&1 && test -f '$T/src/other.secret'"
	rm -f "$T/src/state/token.secret"
	check "--rotate with no current secret: 1" status 1 \
	    "$HARK_BUILD/harkctl" -c "$prevconf" secret init --rotate
}

t_init "${1:-}" sources
t_db
setup
test_schema
test_create
test_create_refused
test_list_show
test_update
test_states
test_secret
t_ctx
t_summary
