#!/bin/bash
# test_package.sh: the Debian package, built, checked and installed.
#
#	tests/integration/test_package.sh BUILD_DIR
#
# dpkg-buildpackage -us -uc -b builds hark's .deb from a copy of the tree
# (the tracked files, as a clean checkout has them); lintian is clean at
# error and warning level.  Then a fresh root, a copy of this system in a
# mount namespace (an overlay over /, so nothing here changes), takes it
# with apt-get install and follows doc/INSTALL's own command lines
# (package-inner.sh): the user, the directories and their owners, the
# units (none enabled), cron and logrotate; MariaDB with two accounts,
# harkctl migrate, hark-fcgi as its unit runs it, behind nginx and then
# Apache (mod_proxy_fcgi), each with Debian's own configuration and the
# shipped example, serving the Fluister example, harkctl doctor all ok
# behind both; remove keeps the configuration and data, purge takes them.
# systemd-analyze security scores the shipped units (at most 3.0).  Skipped, with
# the reason, where the machine cannot build a root (no unshare or
# overlayfs).  BUILD_DIR is not used: the package builds its own.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

can_build_root() {
	command -v unshare >/dev/null && command -v dpkg-buildpackage \
	    >/dev/null && command -v dh >/dev/null || return 1
	mkdir -p "$T/probe/u" "$T/probe/w" "$T/probe/m"
	unshare -m --propagation private sh -c "mount -t overlay overlay -o \
	    lowerdir=/,upperdir=$T/probe/u,workdir=$T/probe/w $T/probe/m" \
	    2>/dev/null
}

build() {
	t_ctx build
	mkdir -p "$T/pkg/src"
	# The tracked files only: what a clean clone would build from.  No
	# unit tests (./test.sh runs them) and no -dbgsym package: time.
	git -C "$HARK_SRCDIR" ls-files -z | (cd "$HARK_SRCDIR" &&
	    tar --null -T - -cf -) | tar -xf - -C "$T/pkg/src"
	(cd "$T/pkg/src" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" \
	    dpkg-buildpackage -us -uc -b) >"$T/pkg/build.log" 2>&1
	check "dpkg-buildpackage -us -uc -b builds it" test $? = 0
	DEB=$(ls "$T"/pkg/hark_*_*.deb 2>/dev/null | head -n 1)
	check "the .deb is there" test -n "$DEB"
	if command -v lintian >/dev/null; then
		lintian --fail-on error,warning "$T"/pkg/hark_*.changes \
		    >"$T/pkg/lintian.log" 2>&1
		check "lintian: no error, no warning" test $? = 0
		grep -E '^(E|W):' "$T/pkg/lintian.log" | head -n 10
	else
		say "skip - lintian (not installed)"
	fi
	units_exposure
}

# systemd-analyze security on the shipped units, offline (no systemd
# needed): each at most 3.0, the issue's bound ("--threshold" is in tenths).
units_exposure() {
	local x="$T/pkg/x" u
	[ -n "${DEB:-}" ] || return
	if ! systemd-analyze security --help 2>/dev/null | grep -q -- --offline
	then
		say "skip - systemd-analyze security --offline (not here)"
		return
	fi
	dpkg-deb -x "$DEB" "$x"
	for u in hark-fcgi.service hark-batch.service; do
		systemd-analyze security --offline=true --root="$x" \
		    --threshold=30 "$u" >"$T/pkg/security-$u.txt" 2>&1
		check "systemd-analyze security $u: $(sed -n \
		    's/.*Overall exposure level for [^:]*: //p' \
		    "$T/pkg/security-$u.txt"), at most 3.0" test $? = 0
	done
}

install_in_fresh_root() {
	local r="$T/pkg/root" port port2 out
	t_ctx install
	[ -n "${DEB:-}" ] || { fail "a .deb to install"; return; }
	port=$(pick_port) || return
	port2=$(pick_port) || return
	mkdir -p "$r" "$T/pkg/u" "$T/pkg/w"
	# The script and the package are in place before the overlay: the
	# root sees / as it was when mounted.
	cp "$HARK_SRCDIR/tests/integration/package-inner.sh" "$T/pkg/inner.sh"
	out=$(unshare -m --propagation private bash -c '
		set -e
		r=$1
		mount -t overlay overlay -o lowerdir=/,upperdir=$2,workdir=$3 "$r"
		mount --bind /proc "$r/proc"
		mount --bind /dev "$r/dev"
		mount --bind /dev/pts "$r/dev/pts"
		mount --bind /sys "$r/sys"
		mount -t tmpfs tmpfs "$r/run"
		set +e
		chroot "$r" env -i DEB="$4" PORT="$5" PORT2="$7" bash "$6"
	' inner "$r" "$T/pkg/u" "$T/pkg/w" "$DEB" "$port" "$T/pkg/inner.sh" \
	    "$port2" \
	    2>"$T/pkg/inner.err")
	check "the fresh root ran the install" test -n "$out"
	while IFS= read -r line; do
		case $line in
		"ok   - "*) pass "${line#ok   - }" ;;
		"FAIL - "*) fail "${line#FAIL - }" ;;
		esac
	done <<<"$out"
	# What the root wrote stays in its upper layer, never in this system.
	cp "$T/pkg/u/tmp/package-inner.log" "$T/pkg/" 2>/dev/null
	check "this system has no hark package" eval "! dpkg -s hark \
	    >/dev/null 2>&1"
	check "nor a hark user it did not have" test \
	    "$(getent passwd hark || true)" = "$HARK_HOST_HAS_HARK_USER"
}

t_init "${1:-}" pkg
HARK_HOST_HAS_HARK_USER=$(getent passwd hark || true)
if ! can_build_root; then
	say "skip - the package test: this machine cannot build a root" \
	    "(unshare, overlayfs, dpkg-buildpackage or debhelper missing)"
	t_summary
	exit 0
fi
build
install_in_fresh_root
t_ctx
t_summary
