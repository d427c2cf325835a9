# lib_gw.sh - the XMPP gateway's integration tests (POSIX sh).  Sourced
# after lib.sh and lib_xmpp.sh.
#
#   ROOMS ROOM ROOM_URI       the rooms' domain (an XMPP component), the
#                             room the tests use and its SIP URI
#   USERS                     the SIP users' domain (the other component)
#   gw_require [PROGRAM...]   exits 1 when a PROGRAM of $BIN is missing,
#                             77 when sxgw is, or slixmpp for $XMPP_PYTHON
#   gw_start_server SERVER [DOMAIN...]
#                             starts SERVER (prosody or ejabberd) with
#                             ROOMS, USERS and each DOMAIN as components;
#                             exits 77 when it is not usable here, fails
#                             "SERVER starts" and finishes when it fails
#   gw_register USER...       accounts USER with the password USERpw
#                             (fails "USER registers" and finishes)
#   gw_start_sxgw [-t] [INI-LINES]
#                             writes $T_TMP/sxgw.ini (SIP on UDP and TCP
#                             on $SXGW_SIP_PORT, free when unset, MSRP on
#                             a free port, rooms in ROOMS, the [xmpp] link
#                             to the server started last for the users of
#                             $XMPP_DOMAIN and USERS); extra
#                             "section.key = value" lines from INI-LINES,
#                             sip.listen replacing the default; starts
#                             sxgw (with -t TPORT_LOG=1: every SIP message
#                             logged) with its log in $SXGW_LOG.
#                             Sets SXGW_PID, SXGW_SIP_PORT, SXGW_LOG.
#   gw_link_up NAME DOMAIN    a check that sxgw's link for DOMAIN comes up
#   gw_stop_sxgw NAME         SIGTERM (SIGKILL 15 s later): a check that
#                             sxgw exits 0
#   gw_no_crash NAME          a check that sxgw's log has no crash report
#   gw_finish                 copies the work files to $GW_KEEP when set,
#                             then lib.sh's finish
#   seen FILE REGEX           wait_for_line, quiet, $GW_SEEN_TIMEOUT s (10)
#   gw_sxjoin NAME ARGS...    sxjoin ARGS in the background, lines from
#                             the fifo NAME.in, output in NAME.out; its
#                             pid in SIP_PID
#   say NAME TEXT...          one line to NAME.in
#   ev PEER [after=LINE] TERM...
#                             the line number of PEER's first event that
#                             matches (xmpp_events.py: the terms there)
#   check_ev NAME PEER [after=LINE] TERM...
#                             a check that the event came; its line in L
#   in_order NAME A B         a check that line A exists and is before B
#   gw_joins NAME PEER NICK   PEER joins ROOM as NICK: a check that its
#                             self-presence (110) came
#   reply PEER ID             the event answering stanza ID (5 s)
#   field JSON KEY            the value of KEY in one event (lists and
#                             objects as JSON), empty when absent
#   error_is NAME PEER ID TYPE CONDITION
#                             a check that ID was answered by that error
#   raw PEER XML...           XML sent by PEER as is

ROOMS=conference.sip.example.test
USERS=sip.example.test
ROOM=design@$ROOMS
# shellcheck disable=SC2034 # for the scripts
ROOM_URI=sip:$ROOM
GW_EVENTS_PY=${GW_EVENTS_PY:-tests/integration/xmpp_events.py}

gw_require() {
	for gr_p in "$@"; do
		[ -x "$BIN/$gr_p" ] || { echo "no $BIN/$gr_p"; exit 1; }
	done
	[ -x "$BIN/sxgw" ] || { echo "no $BIN/sxgw"; exit 77; }
	if ! "$XMPP_PYTHON" -c 'import slixmpp' 2>/dev/null; then
		echo "skipped: slixmpp for $XMPP_PYTHON not installed" \
			"(scripts/setup)"
		exit 77
	fi
}

gw_start_server() {
	gs_server=$1
	shift
	if [ "$gs_server" = ejabberd ]; then
		start_ejabberd ej "$ROOMS" "$USERS" "$@"
	else
		start_prosody px "$ROOMS" "$USERS" "$@"
	fi
	gs_rc=$?
	if [ "$gs_rc" -eq 77 ]; then
		echo "skipped: $gs_server not usable here"
		exit 77
	fi
	[ "$gs_rc" -eq 0 ] || { fail "$gs_server starts"; finish; }
}

gw_register() {
	for gu in "$@"; do
		xmpp_register "$gu" "${gu}pw" || { fail "$gu registers"; finish; }
	done
}

# gw_ini_lines SECTION: the INI-LINES of gw_start_sxgw for SECTION.
gw_ini_lines() {
	printf '%s\n' "$gx_more" | sed -n "s/^$1\\.//p"
}

gw_start_sxgw() {
	gx_tport=
	if [ "${1:-}" = -t ]; then
		gx_tport=1
		shift
	fi
	gx_more=${1:-}
	SXGW_SIP_PORT=${SXGW_SIP_PORT:-$(free_port)}
	SXGW_LOG=$T_TMP/sxgw.log
	{
		echo "[sip]"
		gw_ini_lines sip | grep -q '^listen *=' ||
			echo "listen = udp:127.0.0.1:$SXGW_SIP_PORT" \
				"tcp:127.0.0.1:$SXGW_SIP_PORT"
		gw_ini_lines sip
		echo "[msrp]"
		echo "listen = 127.0.0.1:$(free_port)"
		echo "[conference]"
		echo "domain = $ROOMS"
		gw_ini_lines conference
		echo "[xmpp]"
		echo "server = 127.0.0.1:$XMPP_COMPONENT_PORT"
		echo "secret = $XMPP_SECRET"
		echo "domains = $XMPP_DOMAIN"
		echo "sip_domain = $USERS"
		gw_ini_lines xmpp
		echo "[log]"
		echo "level = debug"
	} >"$T_TMP/sxgw.ini"
	if [ -n "$gx_tport" ]; then
		spawn SXGW_PID env TPORT_LOG=1 "$BIN/sxgw" -f \
			-c "$T_TMP/sxgw.ini" 2>"$SXGW_LOG"
	else
		spawn SXGW_PID "$BIN/sxgw" -f -c "$T_TMP/sxgw.ini" \
			2>"$SXGW_LOG"
	fi
}

gw_link_up() {
	check "$1" seen "$SXGW_LOG" \
		"xmpp: link to 127.0.0.1:$XMPP_COMPONENT_PORT up as $2\$"
}

# Stopped as a service is: the exit status says whether sxgw freed what it
# had (LeakSanitizer in a SANITIZE=1 build); a watchdog, not a pause.
gw_stop_sxgw() {
	kill -TERM "$SXGW_PID"
	(
		trap 'kill $s; exit 0' TERM
		sleep 15 &
		s=$!
		wait $s
		kill -KILL "$SXGW_PID"
	) >/dev/null 2>&1 &
	gt_dog=$!
	wait "$SXGW_PID"
	expect_eq "$1" "$?" 0
	kill "$gt_dog" 2>/dev/null
	xmpp_forget "$SXGW_PID"
}

gw_no_crash() {
	check "$1" sh -c \
		"! grep -q -E 'Sanitizer|runtime error|Segmentation' '$SXGW_LOG'"
}

gw_finish() {
	[ -z "${GW_KEEP:-}" ] || cp -r "$T_TMP/." "$GW_KEEP"
	finish
}

seen() {
	wait_for_line "$1" "$2" "${GW_SEEN_TIMEOUT:-10}" >/dev/null
}

gw_sxjoin() {
	gj_name=$1
	shift
	mkfifo "$T_TMP/$gj_name.in"
	# Not spawn: a background command's stdin would be /dev/null.
	"$BIN/sxjoin" "$@" <>"$T_TMP/$gj_name.in" >"$T_TMP/$gj_name.out" 2>&1 &
	SIP_PID=$!
	T_PIDS="$T_PIDS $SIP_PID"
}

say() {
	sy_name=$1
	shift
	printf '%s\n' "$*" >>"$T_TMP/$sy_name.in"
}

ev() {
	ev_peer=$1
	shift
	"$XMPP_PYTHON" "$GW_EVENTS_PY" "$T_TMP/$ev_peer.out" "$@"
}

# shellcheck disable=SC2034 # L: for the scripts
check_ev() {
	ce_name=$1
	shift
	if L=$(ev "$@"); then pass "$ce_name"; else fail "$ce_name"; L=0; fi
}

in_order() {
	if [ "$2" -gt 0 ] && [ "$3" -gt "$2" ]; then pass "$1"; else
		fail "$1" "lines $2, $3"; fi
}

gw_joins() {
	xmpp_send "$2" join "$ROOM" "$3"
	check "$1" xmpp_wait "$2" \
		"\"event\":\"presence\",\"from\":\"$ROOM/$3\",.*\"codes\":\[[0-9,]*110"
}

reply() {
	xmpp_wait "$1" "\"event\":\"(iq|message|presence)\".*\"id\":\"$2\"" 5 ||
		return 1
	grep -m1 -E "\"event\":\"(iq|message|presence)\".*\"id\":\"$2\"" \
		"$T_TMP/$1.out"
}

field() {
	printf '%s\n' "$1" | "$XMPP_PYTHON" -c '
import json, sys
v = json.loads(sys.stdin.readline()).get(sys.argv[1])
print("" if v is None else v if isinstance(v, str) else json.dumps(v))' "$2"
}

error_is() {
	er=$(reply "$2" "$3")
	got="$(field "$er" type) $(field "$er" error_type)"
	expect_eq "$1" "$got $(field "$er" error_condition)" "error $4 $5"
}

raw() {
	rw_peer=$1
	shift
	xmpp_send "$rw_peer" raw "$*"
}
