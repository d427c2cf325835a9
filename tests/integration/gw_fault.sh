#!/bin/sh
# The XMPP server goes away mid-conversation: Prosody is killed (SIGKILL)
# and started again on the same ports, several times.  Each time sxgw
# reconnects with backoff, the XMPP occupants' legs are ended at once
# (the SIP users see them leave: no ghost), the SIP users keep their
# sessions and keep talking, the XMPP users are told with status 333 once
# the link is back and rejoin.  sxgw's resident memory must not grow from
# one cycle to the next.  With GW_KEEP=DIR the work files (logs, events)
# are copied to DIR at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_xmpp.sh"
. "$(dirname "$0")/lib_gw.sh"

gw_require sxjoin
export TZ=UTC

CYCLES=${GW_FAULT_CYCLES:-6}
GW_SEEN_TIMEOUT=15

count() { grep -c -E "$2" "$1" 2>/dev/null || true; }
# seen_more FILE N REGEX: waits until FILE has more than N lines matching.
seen_more() {
	sm_deadline=$(($(date +%s) + 15))
	while [ "$(count "$1" "$3")" -le "$2" ]; do
		[ "$(date +%s)" -ge "$sm_deadline" ] && return 1
		sleep 0.05
	done
}
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

gw_start_server prosody
gw_register alice dave

# SIP over TCP (the legs take the first [sip] listen): over UDP every
# finished transaction stays 64*T1 = 32 s (RFC 3261 timers D and J), so
# that memory rises for the first half minute of any SIP traffic,
# leak or not; over TCP these timers are zero and what stays is what
# sxgw keeps.
# The reconnection waits 1.5 s at least (2 s less up to a quarter of
# jitter): the XMPP clients, which log in again as soon as the server is
# back, are online by then and hear the 333.
SXGW_SIP_PORT=$(free_port)
gw_start_sxgw "sip.listen = tcp:127.0.0.1:$SXGW_SIP_PORT udp:127.0.0.1:$SXGW_SIP_PORT
xmpp.reconnect_min_ms = 2000
xmpp.reconnect_max_ms = 4000"
UP="xmpp: link to 127.0.0.1:$XMPP_COMPONENT_PORT up as $ROOMS\$"
UP_USERS="xmpp: link to 127.0.0.1:$XMPP_COMPONENT_PORT up as $USERS\$"
gw_link_up "sxgw connects" "$ROOMS"

PROXY="sip:127.0.0.1:$SXGW_SIP_PORT;transport=tcp"
for u in bob carol; do
	gw_sxjoin "$u" --json --from "sip:$u@$USERS" --proxy "$PROXY" \
		"$ROOM_URI"
	check "$u joins" seen "$T_TMP/$u.out" '"event":"joined"'
done

xmpp_peer AP alice alice@example.test/r1 alicepw ||
	{ fail "alice online"; finish; }
xmpp_peer DP dave dave@example.test/r1 davepw ||
	{ fail "dave online"; finish; }

# JSON events of the peers (keys in a fixed order).
SELF_A="\"event\":\"presence\",\"from\":\"$ROOM/alice\",.*\"type\":\"available\",.*\"codes\":\[([0-9]+,)*110"
SELF_D="\"event\":\"presence\",\"from\":\"$ROOM/dave\",.*\"type\":\"available\",.*\"codes\":\[([0-9]+,)*110"
# s333 NICK: the unavailable self-presence with 333 after the link loss.
s333() {
	echo "\"event\":\"presence\",\"from\":\"$ROOM/$1\",.*\"type\":\"unavailable\",.*\"codes\":\[110,333\]"
}
LOST='occupants? left their rooms: the link is down'

i=1
rss_first=
while [ "$i" -le "$CYCLES" ]; do
	ma=$(xmpp_lines alice)
	md=$(xmpp_lines dave)
	xmpp_send alice join "$ROOM" alice 0
	xmpp_send dave join "$ROOM" dave 0
	check "cycle $i: alice (re)joins" xmpp_wait alice "$SELF_A" 10 "$ma"
	check "cycle $i: dave (re)joins" xmpp_wait dave "$SELF_D" 10 "$md"
	check "cycle $i: bob sees alice join" seen_more "$T_TMP/bob.out" \
		$((i - 1)) '"event":"join",.*"nick":"alice"'
	xmpp_send alice say "$ROOM" "from alice $i"
	check "cycle $i: bob hears alice" seen "$T_TMP/bob.out" \
		"\"text\":\"from alice $i\""
	check "cycle $i: dave hears alice" xmpp_wait dave \
		"\"from\":\"$ROOM/alice\",.*\"body\":\"from alice $i\"" 10 "$md"
	say_c="from carol $i"
	say carol "$say_c"
	check "cycle $i: alice hears carol" xmpp_wait alice \
		"\"from\":\"$ROOM/carol\",.*\"body\":\"$say_c\"" 10 "$ma"
	# The first cycle warms up (libraries' buffers, the first
	# reconnection): the reference is taken in the second.
	[ "$i" -ne 2 ] || rss_first=$(rss_kb "$SXGW_PID")

	# --- the server dies ------------------------------------------------
	ups=$(count "$SXGW_LOG" "$UP")
	ups_u=$(count "$SXGW_LOG" "$UP_USERS")
	lost=$(count "$SXGW_LOG" "$LOST")
	backoffs=$(count "$SXGW_LOG" "$ROOMS: down: .*; reconnecting in [0-9]+ ms")
	ma=$(xmpp_lines alice)
	md=$(xmpp_lines dave)
	stop_prosody KILL
	check "cycle $i: sxgw sees the link go" \
		seen_more "$SXGW_LOG" "$lost" "$LOST"
	check "cycle $i: sxgw backs off before reconnecting" seen_more \
		"$SXGW_LOG" "$backoffs" "$ROOMS: down: .*; reconnecting in [0-9]+ ms"
	check "cycle $i: sxgw logs both occupants lost" grep -q -E \
		"xmpp: 2 occupants left their rooms: the link is down" \
		"$SXGW_LOG"
	check "cycle $i: bob sees alice leave (no ghost)" seen_more \
		"$T_TMP/bob.out" $((i - 1)) '"event":"leave",.*"nick":"alice"'
	check "cycle $i: bob sees dave leave (no ghost)" seen_more \
		"$T_TMP/bob.out" $((i - 1)) '"event":"leave",.*"nick":"dave"'
	say bob "still here $i"
	check "cycle $i: the SIP users keep talking" seen "$T_TMP/carol.out" \
		"\"text\":\"still here $i\""
	check "cycle $i: alice disconnected" \
		xmpp_wait alice '"event":"disconnected"' 10 "$ma"
	restart_prosody || { fail "cycle $i: prosody restarts"; break; }
	xmpp_send alice reconnect
	xmpp_send dave reconnect
	check "cycle $i: alice logs in again" \
		xmpp_wait alice '"event":"session_start"' 10 "$ma"
	check "cycle $i: dave logs in again" \
		xmpp_wait dave '"event":"session_start"' 10 "$md"
	check "cycle $i: sxgw reconnects (rooms)" \
		seen_more "$SXGW_LOG" "$ups" "$UP"
	check "cycle $i: sxgw reconnects (SIP users)" \
		seen_more "$SXGW_LOG" "$ups_u" "$UP_USERS"
	check "cycle $i: alice hears 333" \
		xmpp_wait alice "$(s333 alice)" 10 "$ma"
	check "cycle $i: dave hears 333" \
		xmpp_wait dave "$(s333 dave)" 10 "$md"
	i=$((i + 1))
done

rss_last=$(rss_kb "$SXGW_PID")
echo "sxgw RSS: ${rss_first} kB in cycle 2, ${rss_last} kB after cycle $CYCLES"
if ldd "$BIN/sxgw" 2>/dev/null | grep -q libasan; then
	# ASan's quarantine holds freed memory back: RSS says nothing here,
	# LeakSanitizer's report at the exit does.
	echo "skipped: the RSS check (an ASan build)"
else
	# Bounded: RFC 6026 keeps an accepted INVITE transaction 32 s
	# whatever the transport (timers L and M), in the focus and in the
	# gateway's agent: about 45 kB a cycle for the two joins until the
	# first ones expire (twice that is allowed).  Legs or occupants kept
	# would add more.
	slack=$((96 * (CYCLES - 2)))
	check "sxgw's memory does not grow (${slack} kB slack)" \
		test "${rss_last:-999999}" -le $((${rss_first:-0} + slack))
fi
check "the 333 came once per cycle" \
	test "$(count "$T_TMP/alice.out" "$(s333 alice)")" -eq "$CYCLES"
check "the SIP users kept their sessions" sh -c \
	"! grep -q -E '\"event\":\"(ended|left|error)\"' '$T_TMP/bob.out' '$T_TMP/carol.out'"
say carol "after the storm"
check "bob still hears carol" seen "$T_TMP/bob.out" '"text":"after the storm"'
check "sxgw still runs" kill -0 "$SXGW_PID"
gw_stop_sxgw "sxgw stops cleanly"
gw_no_crash "no sanitizer report in sxgw's log"
gw_finish
