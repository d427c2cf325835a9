#!/bin/sh
# The XMPP server goes away mid-conversation: Prosody is killed (SIGKILL)
# and started again on the same ports, three times.  Each time sxgw
# reconnects, the XMPP occupant's leg is ended at once (the SIP users see
# it leave: no ghost), the SIP users keep their session and keep talking,
# the XMPP user is told with status 333 once the link is back and rejoins.
# sxgw's resident memory must not grow from one cycle to the next.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_xmpp.sh"

J=$BIN/sxjoin
[ -x "$J" ] || { echo "no $J"; exit 1; }
[ -x "$BIN/sxgw" ] || { echo "no $BIN/sxgw"; exit 77; }
command -v prosody >/dev/null || { echo "no prosody"; exit 77; }
export TZ=UTC

ROOMS=conference.sip.example.test
USERS=sip.example.test
ROOM=design@$ROOMS
CYCLES=3

seen() { wait_for_line "$1" "$2" 15 >/dev/null; }
count() { grep -c -E "$2" "$1" 2>/dev/null || true; }
# Waits until FILE has more than N lines matching REGEX.
seen_more() {
	deadline=$(($(date +%s) + 15))
	while [ "$(count "$1" "$3")" -le "$2" ]; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

start_prosody px example.test "$ROOMS" "$USERS" ||
	{ fail "prosody starts"; finish; }
xmpp_register alice example.test alicepw || { fail "alice registers"; finish; }

SXGW_SIP_PORT=$(free_port)
# The first reconnection waits a second: the XMPP client, which comes
# back at once, is online again by then and hears the 333.
cat >"$T_TMP/sxgw.ini" <<EOI
[sip]
listen = udp:127.0.0.1:$SXGW_SIP_PORT tcp:127.0.0.1:$SXGW_SIP_PORT
[msrp]
listen = 127.0.0.1:$(free_port)
[conference]
domain = $ROOMS
[xmpp]
server = 127.0.0.1:$XMPP_COMPONENT_PORT
secret = $XMPP_SECRET
domains = example.test
sip_domain = $USERS
reconnect_min_ms = 1000
reconnect_max_ms = 2000
[log]
level = debug
EOI
SXGW_LOG=$T_TMP/sxgw.log
spawn SXGW_PID "$BIN/sxgw" -f -c "$T_TMP/sxgw.ini" 2>"$SXGW_LOG"
UP="xmpp: link to 127.0.0.1:$XMPP_COMPONENT_PORT up as $ROOMS\$"
check "sxgw connects" seen "$SXGW_LOG" "$UP"

PROXY=sip:127.0.0.1:$SXGW_SIP_PORT
for u in bob carol; do
	mkfifo "$T_TMP/$u.in"
	"$J" --json --from "sip:$u@$USERS" --proxy "$PROXY" "sip:$ROOM" \
		<>"$T_TMP/$u.in" >"$T_TMP/$u.out" 2>&1 &
	T_PIDS="$T_PIDS $!"
	check "$u joins" seen "$T_TMP/$u.out" '"event":"joined"'
done

mkfifo "$T_TMP/alice.in"
/usr/bin/python3 "$(dirname "$0")/xmpp_peer.py" --jid alice@example.test \
	--password alicepw --server "127.0.0.1:$XMPP_C2S_PORT" \
	<>"$T_TMP/alice.in" >"$T_TMP/alice.out" 2>"$T_TMP/alice.err" &
T_PIDS="$T_PIDS $!"
A=$T_TMP/alice.out
MUC="<x xmlns='http://jabber.org/protocol/muc'/>"
JOIN="send <presence to='$ROOM/alice'>$MUC</presence>"
# Received stanzas are JSON strings: match on what survives the escaping.
SELF='"event": *"stanza".*from=.{1,2}'"$ROOM"'/alice.*code=.{1,2}110'
S333='"event": *"stanza".*type=.{1,2}unavailable.*code=.{1,2}333'

i=1
rss_first=
while [ "$i" -le "$CYCLES" ]; do
	selfs=$(count "$A" "$SELF")
	check "cycle $i: alice online" seen_more "$A" $((i - 1)) \
		'"event": *"online"'
	echo "$JOIN" >>"$T_TMP/alice.in"
	check "cycle $i: alice (re)joins" seen_more "$A" "$selfs" "$SELF"
	check "cycle $i: bob sees alice join" seen_more "$T_TMP/bob.out" \
		$((i - 1)) '"event":"join",.*"nick":"alice"'
	echo "send <message to='$ROOM' type='groupchat'><body>from alice $i</body></message>" \
		>>"$T_TMP/alice.in"
	check "cycle $i: bob hears alice" seen "$T_TMP/bob.out" \
		"\"text\":\"from alice $i\""
	[ -n "$rss_first" ] || rss_first=$(rss_kb "$SXGW_PID")

	# --- the server dies ------------------------------------------------
	ups=$(count "$SXGW_LOG" "$UP")
	n333=$(count "$A" "$S333")
	lost=$(count "$SXGW_LOG" 'occupants? left their rooms: the link is down')
	kill -9 "$XMPP_PID"
	check "cycle $i: sxgw sees the link go" seen_more "$SXGW_LOG" \
		"$lost" 'occupants? left their rooms: the link is down'
	check "cycle $i: bob sees alice leave (no ghost)" seen_more \
		"$T_TMP/bob.out" $((i - 1)) '"event":"leave",.*"nick":"alice"'
	echo "still here $i" >>"$T_TMP/bob.in"
	check "cycle $i: the SIP users keep talking" seen "$T_TMP/carol.out" \
		"\"text\":\"still here $i\""
	restart_prosody px || { fail "prosody restarts"; break; }
	check "cycle $i: sxgw reconnects" seen_more "$SXGW_LOG" "$ups" "$UP"
	check "cycle $i: alice hears 333" seen_more "$A" "$n333" "$S333"
	i=$((i + 1))
done

rss_last=$(rss_kb "$SXGW_PID")
echo "sxgw RSS: ${rss_first} kB after the first cycle, ${rss_last} kB after $CYCLES"
check "sxgw's memory does not grow (1 MB slack)" \
	test "$rss_last" -le $((rss_first + 1024))
check "sxgw still runs" kill -0 "$SXGW_PID"
finish
