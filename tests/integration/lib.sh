# lib.sh - helpers for the integration tests (POSIX sh).  Sourced, not run.
#
#   check NAME COMMAND...     runs COMMAND, counts a pass or a failure
#   expect_eq NAME GOT WANT   compares two strings
#   wait_for_line FILE REGEX [SECONDS]
#                             waits until FILE has a line matching REGEX
#                             (the line is printed); fails after SECONDS
#   spawn VAR COMMAND...      starts COMMAND in the background, records its
#                             pid for cleanup, stores it in VAR
#   finish                    prints "RESULT N passed, M failed" and exits

BUILD=${BUILD:-build}
FIXTURES=${FIXTURES:-fixtures}
BIN=$BUILD/bin
T_PASSED=0
T_FAILED=0
T_PIDS=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sxgw-test.XXXXXX")

t_cleanup() {
	for p in $T_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $T_PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM

pass() {
	T_PASSED=$((T_PASSED + 1))
	echo "ok   $1"
}

fail() {
	T_FAILED=$((T_FAILED + 1))
	echo "FAIL $1${2:+: $2}"
}

check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "got '$2', want '$3'"
	fi
}

wait_for_line() {
	deadline=$(($(date +%s) + ${3:-10}))
	while :; do
		if [ -f "$1" ] && grep -E -m1 "$2" "$1"; then
			return 0
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "timeout waiting for /$2/ in $1" >&2
			return 1
		fi
		# inotifywait is not worth a dependency for this; 20 ms steps
		sleep 0.02
	done
}

spawn() {
	var=$1
	shift
	"$@" &
	eval "$var=$!"
	T_PIDS="$T_PIDS $!"
}

finish() {
	echo "RESULT $T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# free_port: prints a TCP (and UDP) port free on 127.0.0.1 right now.
free_port() {
	/usr/bin/python3 -c '
import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p); break'
}

# start_sxgw [-p SIP-PORT] NAME [INI-LINES]: writes $T_TMP/NAME.ini (SIP
# on UDP and TCP, MSRP, rooms in conference.sip.example.test, each on a
# free port, or SIP on SIP-PORT when -p gives one, so that a proxy's
# configuration can name it first; extra "section.key = value" lines from
# INI-LINES override), starts sxgw in the foreground with its log in
# $T_TMP/NAME.log and waits for "sxgw ready".
# Sets SXGW_PID, SXGW_SIP_PORT, SXGW_MSRP_PORT, SXGW_DOMAIN, SXGW_LOG.
start_sxgw() {
	sx_port=
	if [ "${1:-}" = -p ]; then
		sx_port=$2
		shift 2
	fi
	sx_name=$1
	SXGW_SIP_PORT=${sx_port:-$(free_port)}
	SXGW_MSRP_PORT=$(free_port)
	SXGW_DOMAIN=conference.sip.example.test
	SXGW_LOG=$T_TMP/$sx_name.log
	{
		echo "[sip]"
		echo "listen = udp:127.0.0.1:$SXGW_SIP_PORT tcp:127.0.0.1:$SXGW_SIP_PORT"
		echo "${2:-}" | sed -n 's/^sip\.//p'
		echo "[msrp]"
		echo "listen = 127.0.0.1:$SXGW_MSRP_PORT"
		echo "${2:-}" | sed -n 's/^msrp\.//p'
		echo "[conference]"
		echo "domain = $SXGW_DOMAIN"
		echo "${2:-}" | sed -n 's/^conference\.//p'
		echo "[log]"
		echo "level = debug"
	} >"$T_TMP/$sx_name.ini"
	spawn SXGW_PID "$BIN/sxgw" -f -c "$T_TMP/$sx_name.ini" 2>"$SXGW_LOG"
	wait_for_line "$SXGW_LOG" 'sxgw ready' 10 >/dev/null
}
