#!/bin/bash
# check-deps.sh: the layering rules of DESIGN.md, checked on the sources
# instead of remembered (issue 12, item 4).
#
#	tests/check-deps.sh [SRCDIR]
#
# - nothing under lib/ includes a FastCGI header (fcgiapp.h, fcgi_stdio.h,
#   fcgi_config.h) or a header of fcgi/;
# - nothing under fcgi/, ctl/ or batch/ includes lib/db.h or the store's
#   internals (store_int.h): they reach the database through lib/store.h;
#   in lib/, only db.c and the store's files include db.h;
# - MariaDB's API (mysql_* calls, the MYSQL* types, its headers) is named
#   only in lib/db.c (and tests/integration/db_check.c, which drives it).
# Prints one line per rule and "N passed, N failed"; exits 1 on a violation.
set -u

src=$(cd "${1:-$(dirname "$0")/..}" && pwd) || exit 2
cd "$src" || exit 2
passed=0
failed=0

# rule NAME HITS: HITS are "file:line:text" lines, one per violation.
rule() {
	local name=$1 hits=$2
	if [ -z "$hits" ]; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "FAIL - $name:"
		printf '%s\n' "$hits" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}

sources() { find "$@" -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort; }

# Lines of code only: C comments and string literals blanked, so prose that
# names mysql_ping or fcgiapp.h is not a violation.  Prints file:line:text.
code_lines() {
	local f
	for f in "$@"; do
		awk -v F="$f" '
		{
			line = $0; out = ""
			i = 1
			while (i <= length(line)) {
				c = substr(line, i, 1); d = substr(line, i, 2)
				if (incomment) {
					if (d == "*/") { incomment = 0; i += 2; continue }
					i++; continue
				}
				if (d == "/*") { incomment = 1; i += 2; continue }
				if (d == "//") break
				out = out c; i++
			}
			print F ":" NR ":" out
		}' "$f"
	done
}

lib_files=$(sources lib)
rule "lib/ includes no FastCGI header and nothing of fcgi/" "$(
	code_lines $lib_files | grep -E '#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?(fcgiapp|fcgi_stdio|fcgi_config|fcgios|app|router|prefork|server|handlers)\.h[">]'
)"

hits=
for f in $(sources fcgi ctl batch); do
	h=$(code_lines "$f" | grep -E '#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?(db|store_int)\.h[">]')
	[ -n "$h" ] || continue
	hits+="$h"$'\n'
done
rule "fcgi/, ctl/ and batch/ include neither db.h nor store_int.h" "${hits%$'\n'}"

rule "in lib/, only db.c and the store (store*.c, store_int.h) include db.h" "$(
	code_lines $(printf '%s\n' $lib_files | grep -vE '^lib/(db\.c|db\.h|store[a-z_]*\.[ch])$') |
	    grep -E '#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?db\.h[">]'
)"

others=$(sources lib fcgi ctl batch tests | grep -vx 'lib/db.c' |
    grep -vx 'tests/integration/db_check.c')
rule "MariaDB's API is named only in lib/db.c" "$(
	code_lines $others | grep -E '\bmysql_[a-z_]+[[:space:]]*\(|\bMYSQL(_STMT|_BIND|_RES|_ROW|_FIELD|_TIME)?\b|#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?(mysql|mariadb[^">]*|errmsg|mysqld_error|ma_[^">]*)\.h[">]'
)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
