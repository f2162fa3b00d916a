#!/bin/bash
# test_sdnotify.sh: hark-fcgi's master speaks systemd's readiness protocol.
#
#	tests/integration/test_sdnotify.sh BUILD_DIR
#
# A unix datagram socket stands in for systemd's $NOTIFY_SOCKET (what
# Type=notify in conf/hark-fcgi.service listens on).  The master says
# READY=1 once its workers are up (and serves then), RELOADING=1 then
# READY=1 on SIGHUP, also when the new file is refused, and STOPPING=1 on
# SIGTERM; without $NOTIFY_SOCKET it says nothing and runs as before.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

# The messages received so far, one datagram per line (newlines as '|').
said() { tr '\n' '|' <"$T/sd/said" 2>/dev/null | sed 's/|$//'; }

# exec: the pid the suite stops at its end is python's own.
listener() {
	exec python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    d = s.recv(4096).decode().replace("\n", "|")
    with open(sys.argv[2], "a") as f:
        f.write(d + "\n")
' "$1" "$2"
}

test_notify() {
	local pid
	t_ctx notify
	mkdir -p "$T/sd"
	CONF="$T/sd/hark.conf"
	write_hark_conf "$CONF" log.file="$T/sd/hark.log"
	t_spawn sd/listener listener "$T/sd/notify.sock" "$T/sd/said"
	wait_until 10 test -S "$T/sd/notify.sock"
	NOTIFY_SOCKET="$T/sd/notify.sock" hark_standalone sd "$CONF" 2
	pid=$HARK_MASTER
	check "READY=1 once the workers are up" wait_until 15 grep -q \
	    '^READY=1|STATUS=serving$' "$T/sd/said"
	check "one datagram so far" test "$(wc -l <"$T/sd/said")" = 1
	kill -HUP "$pid"
	check "SIGHUP: RELOADING=1, then READY=1" wait_until 15 eval \
	    "[ \"\$(sed -n 2,3p '$T/sd/said' | tr '\n' ' ')\" = \
	    'RELOADING=1 READY=1|STATUS=configuration reloaded ' ]"
	printf '[nosuchsection]\nx = 1\n' >>"$CONF"
	kill -HUP "$pid"
	check "a refused file still ends with READY=1 (the old one serves)" \
	    wait_until 15 grep -q '^READY=1|STATUS=reload refused' "$T/sd/said"
	kill -TERM "$pid"
	check "SIGTERM: STOPPING=1" wait_until 15 grep -qx 'STOPPING=1' \
	    "$T/sd/said"
	wait_until 25 eval "! pid_alive $pid"
	check "the master stopped" eval "! pid_alive $pid"
}

test_without() {
	local n
	t_ctx without
	n=$(wc -l <"$T/sd/said")
	write_hark_conf "$T/sd/plain.conf" log.file="$T/sd/plain.log"
	hark_standalone sd2 "$T/sd/plain.conf" 1
	check "without NOTIFY_SOCKET it serves" test -S "$HARK_SOCK"
	sleep 1
	check "and says nothing" test "$(wc -l <"$T/sd/said")" = "$n"
}

# systemd's socket activation, as hark-fcgi.socket does it: the listening
# socket on fd 3 with LISTEN_FDS=1 and LISTEN_PID, beside the unit's
# --listen, which it wins over.
test_socket_activation() {
	local port
	t_ctx socket
	write_hark_conf "$T/sd/act.conf" log.file="$T/sd/act.log"
	t_spawn sd/activated python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(64)
if s.fileno() != 3: os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], [sys.argv[2], "-c", sys.argv[3], "--listen",
    "unix:" + sys.argv[4], "--workers", "2"])
' "$T/sd/activated.sock" "$HARK_BUILD/hark-fcgi" "$T/sd/act.conf" \
	    "$T/sd/unused.sock"
	port=$(pick_port) || return
	nginx_start sd-nginx "$port" "$T/sd/activated.sock" || return
	check "the passed socket is served" wait_until 20 health_is \
	    "http://127.0.0.1:$port" 200
	check "--listen's path is not bound" test ! -e "$T/sd/unused.sock"
}

t_init "${1:-}" sd
t_db
test_notify
test_without
test_socket_activation
t_ctx
t_summary
