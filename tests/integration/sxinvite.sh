#!/bin/sh
# sxinvite against sxgw through a Kamailio proxy and registrar: REFER
# refused to a non-participant (403), an invitation of a registered
# sxjoin that joins (100 ... 200, exit 0) and shows the --reason (the
# Subject of the room's INVITE), the same by an xmpp: URI (mapped per
# RFC 7247, as the REFER sxgw logs shows) to an sxjoin --json, invitees
# that decline or are busy (SIPp), an invitee that never answers
# (sxinvite's --timeout, then sxgw's invite_timeout and its 487), a
# removal with --kick --reason that the removed sxjoin shows (the Reason
# of the room's BYE), a removal of nobody and a room that does not exist
# (404), usage errors.  Ports are picked free per run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_kamailio.sh"

I=$BIN/sxinvite
J=$BIN/sxjoin
[ -x "$I" ] || { echo "no $I"; exit 1; }
[ -x "$J" ] || { echo "no $J"; exit 1; }
[ -x "$BIN/sxgw" ] || { echo "no $BIN/sxgw"; exit 77; }
kam_require_sipp
SC=$(pwd)/scenarios

export TZ=UTC
ROOM=sip:design@conference.sip.example.test
AL=sip:alice@example.test

seen() {
	wait_for_line "$1" "$2" 10 >/dev/null
}

# invite NAME ARGS...: sxinvite with ARGS, output in $T_TMP/inv-NAME.out
# and inv-NAME.err; its exit status in RC.
invite() {
	iv_name=$1
	shift
	"$I" "$@" >"$T_TMP/inv-$iv_name.out" 2>"$T_TMP/inv-$iv_name.err"
	RC=$?
}

# Kamailio routes the rooms' domain to sxgw and example.test users to
# their registered contacts; sxgw sends its INVITEs through it.
SXGW_SIP_PORT=$(free_port)
start_kamailio_proxy kam || { fail "kamailio starts"; finish; }
start_sxgw -p "$SXGW_SIP_PORT" sxgw "sip.outbound_proxy = $KAM_URI
sip.invite_timeout = 4" || { fail "sxgw starts"; finish; }

# --- alice in the room; carl and erin wait for invitations -----------------
mkfifo "$T_TMP/a.in"
exec 3<>"$T_TMP/a.in"
A=$T_TMP/alice.out
"$J" --from "$AL" --proxy "$KAM_URI" "$ROOM" <"$T_TMP/a.in" >"$A" 2>&1 &
T_PIDS="$T_PIDS $!"
check "alice joins" seen "$A" "\*\*\* joined $ROOM as alice$"

C=$T_TMP/carl.out
"$J" --wait-for-calls --register --from sip:carl@example.test \
	--proxy "$KAM_URI" </dev/null >"$C" 2>&1 &
CP=$!
T_PIDS="$T_PIDS $CP"
E=$T_TMP/erin.out
"$J" --wait-for-calls --register --json --from sip:erin@example.test \
	--proxy "$KAM_URI" </dev/null >"$E" 2>&1 &
T_PIDS="$T_PIDS $!"
check "carl registers" seen "$C" '\*\*\* registered sip:carl@example.test$'
check "erin registers" seen "$E" \
	'^\{"event":"info",.*"text":"registered sip:erin@example.test"\}$'

# --- usage ------------------------------------------------------------------
invite usage1 sip:carl@example.test
expect_eq "usage: no --room, exit 1" "$RC" 1
invite usage2 --room "$ROOM" tel:+15551234
expect_eq "usage: a tel: invitee, exit 1" "$RC" 1
check "usage: says why" grep -q 'neither a SIP nor an XMPP URI' \
	"$T_TMP/inv-usage2.err"
invite usage3 --room "$ROOM" --reason "$(printf 'a\nb')" sip:c@example.test
expect_eq "usage: a line break in --reason, exit 1" "$RC" 1
"$I" --help | grep -q -- '--kick'
expect_eq "--help" "$?" 0
expect_eq "--version" "$("$I" --version)" "sxinvite (sxgw) 0.1.0"

# --- a non-participant may not REFER (refer_policy = participants) ---------
invite stranger --room "$ROOM" --from sip:mallory@example.test \
	--proxy "$KAM_URI" sip:carl@example.test
expect_eq "non-participant: REFER refused, exit 2" "$RC" 2
check "non-participant: the 403 is reported" \
	grep -q 'answered 403' "$T_TMP/inv-stranger.err"
check "non-participant: sxgw refused it" \
	grep -q 'REFER.*403\|403.*REFER' "$SXGW_LOG"

# --- alice invites carl ------------------------------------------------------
invite carl --room "$ROOM" --from "$AL" --proxy "$KAM_URI" \
	--reason "design review" sip:carl@example.test
expect_eq "invite carl: exit 0" "$RC" 0
expect_eq "invite carl: first line 100 Trying" \
	"$(head -n 1 "$T_TMP/inv-carl.out")" "100 Trying"
expect_eq "invite carl: last line 200 OK" \
	"$(tail -n 1 "$T_TMP/inv-carl.out")" "200 OK"
expect_eq "invite carl: every line a status line" \
	"$(grep -c -v -E '^[1-6][0-9][0-9] ' "$T_TMP/inv-carl.out")" 0
check "carl is invited by alice, with the reason" \
	seen "$C" "\*\*\* invited to $ROOM by $AL \(design review\)$"
check "carl joins" seen "$C" '\*\*\* joined .* as carl$'
check "alice sees carl join" seen "$A" '\*\*\* carl joined$'
check "the proxy carried the room's INVITE to carl" \
	grep -q 'kam: INVITE sip:carl@example.test' "$KAM_LOG"

# --- erin, by her XMPP address (RFC 7247), JSON -----------------------------
invite erin --json --room "$ROOM" --from "$AL" --proxy "$KAM_URI" \
	--reason 'a "quick" chat' xmpp:erin@example.test
expect_eq "invite xmpp:erin: exit 0" "$RC" 0
check "invite xmpp:erin: the REFER was for sip:erin@example.test" \
	grep -q "REFER from $AL to sip:erin@example.test" "$SXGW_LOG"
check "invite xmpp:erin: JSON answer 202" grep -q \
	'^{"event":"refer","action":"invite","target":"sip:erin@example.test","status":202,' \
	"$T_TMP/inv-erin.out"
check "invite xmpp:erin: JSON final notify 200" grep -q \
	'^{"event":"notify","status":200,"text":"OK","final":true}$' \
	"$T_TMP/inv-erin.out"
check "invite xmpp:erin: JSON result exit 0" grep -q \
	'^{"event":"result",.*"exit":0,"status":200}$' "$T_TMP/inv-erin.out"
check "erin is invited by alice, JSON with the reason" seen "$E" \
	'^\{"event":"invited","time":"[^"]*","room":"'"$ROOM"'","by":"'"$AL"'","reason":"a \\"quick\\" chat"\}$'
check "erin joins" seen "$E" '^\{"event":"joined",.*"nick":"erin"'

# --- invitees that decline or are busy -------------------------------------
for case in "dave decline 603 Decline" "dora busy 486 Busy Here"; do
	set -- $case
	user=$1
	sc=$2
	code=$3
	shift 3
	port=$(free_port)
	kam_sipp_spawn pid "uas-$user" 30s -sf "$SC/sxinvite/uas_$sc.xml" \
		-s "$user" -p "$port"
	kam_wait_bound udp "$port"
	kam_register "$user" example.test "$port"
	invite "$user" --room "$ROOM" --from "$AL" --proxy "$KAM_URI" \
		"sip:$user@example.test"
	expect_eq "$code: exit 3" "$RC" 3
	expect_eq "$code: last line" "$(tail -n 1 "$T_TMP/inv-$user.out")" \
		"$code $*"
	expect_eq "$code: first line 100 Trying" \
		"$(head -n 1 "$T_TMP/inv-$user.out")" "100 Trying"
	wait "$pid"
	expect_eq "$code: the invitee's scenario completes" "$?" 0
done
# The invitee's Reason travels in the final sipfrag (RFC 3420), so that a
# remote inviter learns why.
check "a decline's Reason reaches the final NOTIFY" grep -q \
	'REFER to sip:dave@example.test: 603 Decline (final), Reason: SIP;cause=603;text="In a meeting"' \
	"$SXGW_LOG"

# --- an invitee that never answers -----------------------------------------
# Registered at a port where nothing listens: the INVITE goes nowhere.
kam_register ghost1 example.test "$(free_port)"
kam_register ghost2 example.test "$(free_port)"
invite ghost1 --room "$ROOM" --from "$AL" --proxy "$KAM_URI" --timeout 1 \
	sip:ghost1@example.test
expect_eq "no answer, --timeout 1: exit 5" "$RC" 5
check "no answer, --timeout 1: says so" \
	grep -q 'no final NOTIFY within 1 s' "$T_TMP/inv-ghost1.err"
invite ghost2 --room "$ROOM" --from "$AL" --proxy "$KAM_URI" \
	sip:ghost2@example.test
expect_eq "no answer, the room gives up: exit 5" "$RC" 5
expect_eq "no answer, the room gives up: 487" \
	"$(tail -n 1 "$T_TMP/inv-ghost2.out")" "487 Request Terminated"

# --- removals -----------------------------------------------------------------
invite kick --kick --reason "enough" --room "$ROOM" --from "$AL" \
	--proxy "$KAM_URI" sip:carl@example.test
expect_eq "kick carl: exit 0" "$RC" 0
expect_eq "kick carl: last line 200 OK" \
	"$(tail -n 1 "$T_TMP/inv-kick.out")" "200 OK"
wait "$CP"
expect_eq "carl, removed, exits 3" "$?" 3
check "carl sees himself ended, with the reason given" grep -q \
	'the room ended the session (SIP 200: enough)$' "$C"
check "alice sees carl leave" seen "$A" '\*\*\* carl left'
invite kick2 --kick --room "$ROOM" --from "$AL" --proxy "$KAM_URI" \
	sip:nobody@example.test
expect_eq "kick nobody: 404, exit 4" "$RC" 4

# --- a room that does not exist ----------------------------------------------
invite noroom --room sip:nosuch@conference.sip.example.test --from "$AL" \
	--proxy "$KAM_URI" sip:erin@example.test
expect_eq "no such room: exit 4" "$RC" 4
check "no such room: the 404 is reported" \
	grep -q 'answered 404' "$T_TMP/inv-noroom.err"

check "sxgw still runs" kill -0 "$SXGW_PID"
echo /quit >&3
finish
