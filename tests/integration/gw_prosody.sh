#!/bin/sh
# The XMPP gateway against a real XMPP server (Prosody; ejabberd with
# GW_SERVER=ejabberd, see gw_ejabberd.sh): two XMPP users (xmpp_peer.py)
# and two SIP users (sxjoin) in one room.  Joins in both orders with the
# order of presences and their status codes, messages all four ways,
# private messages both ways, a nick conflict and a change, the subject
# both ways, history on a late join with delay stamps, a second resource
# of one JID as an occupant of its own, leaving, a kick, and the room gone
# once everyone left.  Every wait is for an event;
# ports are picked free per run.  With GW_KEEP=DIR the work files (logs,
# events) are copied to DIR at the end.
#
#   alice (XMPP) creates the room, bob (SIP) joins and speaks, dave (XMPP)
#   joins late (history, subject), carol (SIP) joins last.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_xmpp.sh"
. "$(dirname "$0")/lib_gw.sh"

GW_SERVER=${GW_SERVER:-prosody}
gw_require sxjoin
export TZ=UTC

# --- the server and sxgw ------------------------------------------------------
gw_start_server "$GW_SERVER"
gw_register alice dave
gw_start_sxgw "conference.history_size = 5"
check "sxgw starts" seen "$SXGW_LOG" 'sxgw ready'
gw_link_up "the rooms' link comes up" "$ROOMS"
gw_link_up "the SIP users' link comes up" "$USERS"

PROXY=sip:127.0.0.1:$SXGW_SIP_PORT
# sip_user NAME: sxjoin as sip:NAME@sip.example.test, JSON events in
# NAME.out, lines from NAME.in; its pid in SIP_PID.
sip_user() {
	gw_sxjoin "$1" --json --from "sip:$1@$USERS" --proxy "$PROXY" \
		"$ROOM_URI"
}

A=alice@example.test/gw
D=dave@example.test/gw
xmpp_peer AP alice "$A" alicepw || { fail "alice online"; finish; }
xmpp_peer DP dave "$D" davepw || { fail "dave online"; finish; }

# --- alice creates the room ---------------------------------------------------
xmpp_send alice join "$ROOM" alice
check_ev "alice: self-presence with 110, 100, 201" alice event=presence \
	from="$ROOM/alice" type=available code=110 code=100 code=201 jid="$A" \
	role=participant
a_self=$L
check_ev "alice: the empty subject after it" alice after="$a_self" \
	event=message type=groupchat from="$ROOM" subject=
check "sxgw logs the join" \
	seen "$SXGW_LOG" "xmpp: $A joined design as alice\$"

# --- bob (SIP) joins after an XMPP user, speaks, sets the subject -----------
sip_user bob
bob_pid=$SIP_PID
check "bob joins" seen "$T_TMP/bob.out" '"event":"joined",.*"nick":"bob"'
check "bob sees alice" seen "$T_TMP/bob.out" '"event":"who",.*"nicks":\["alice","bob"\]'
check_ev "alice sees bob, with his SIP address as JID" alice \
	event=presence from="$ROOM/bob" type=available jid="bob@$USERS" \
	nocode=110
say bob "history one"
say bob "/topic Plans"
check_ev "SIP -> XMPP: alice gets bob's message" alice event=message \
	type=groupchat from="$ROOM/bob" body="history one" no=delay_stamp
check_ev "alice gets bob's subject" alice event=message \
	from="$ROOM/bob" subject=Plans

# --- dave first takes a nick in use: refused, no leg left behind -------------
xmpp_send dave join "$ROOM" bob
check_ev "dave: bob is taken: conflict" dave event=presence type=error \
	from="$ROOM/bob" error_condition=conflict
check "sxgw ends dave's leg" \
	seen "$SXGW_LOG" "xmpp: $D could not join design as bob: 425"
check "the room lets dave's refused leg go" \
	seen "$SXGW_LOG" "room design: sip:dave@example.test left"

# --- dave (XMPP) joins late: presences, self last, history, subject ----------
d_mark=$(xmpp_lines dave)
xmpp_send dave join "$ROOM" dave
check_ev "dave: alice's presence" dave after="$d_mark" event=presence \
	from="$ROOM/alice" jid="$A" nocode=110
d_alice=$L
check_ev "dave: bob's presence" dave after="$d_mark" event=presence \
	from="$ROOM/bob" jid="bob@$USERS"
d_bob=$L
check_ev "dave: self-presence, 110 and 100, no 201" dave after="$d_mark" \
	event=presence from="$ROOM/dave" code=110 code=100 nocode=201
d_self=$L
check_ev "dave: history with a delay stamp" dave after="$d_mark" \
	event=message type=groupchat from="$ROOM/bob" body="history one" \
	has=delay_stamp
d_hist=$L
check_ev "dave: the subject" dave after="$d_mark" event=message \
	type=groupchat subject=Plans no=body no=delay_stamp
d_subj=$L
in_order "dave: others before self (alice)" "$d_alice" "$d_self"
in_order "dave: others before self (bob)" "$d_bob" "$d_self"
in_order "dave: self before history" "$d_self" "$d_hist"
in_order "dave: history before subject" "$d_hist" "$d_subj"
check "dave: no message before his self-presence" awk -v a="$d_mark" \
	-v b="$d_self" 'NR > a && NR < b && /"event":"message"/ { f = 1 }
	END { exit f || b == 0 }' "$T_TMP/dave.out"
check_ev "alice sees dave" alice event=presence from="$ROOM/dave" \
	type=available jid="$D"
check "bob sees dave" seen "$T_TMP/bob.out" '"event":"join",.*"nick":"dave"'
expect_eq "bob first sees dave join as dave (not the refused leg)" \
	"$(grep -m1 -E '"aor":"sip:dave@example.test(;gr=[^"]*)?"' "$T_TMP/bob.out" |
		sed 's/.*"event":"\([a-z]*\)".*"nick":"\([^"]*\)".*/\1 \2/')" \
	"join dave"

# --- carol (SIP) joins last ---------------------------------------------------
sip_user carol
carol_pid=$SIP_PID
check "carol sees everyone" seen "$T_TMP/carol.out" \
	'"event":"who",.*"nicks":\["alice","bob","carol","dave"\]'
check_ev "alice sees carol" alice event=presence from="$ROOM/carol" \
	type=available jid="carol@$USERS"

# --- messages all four ways ---------------------------------------------------
mark=$(xmpp_lines alice)
xmpp_send alice say "$ROOM" "x to all"
id=$(xmpp_sent_id alice say "$mark")
check_ev "alice's message reflected with its id" alice after="$mark" \
	event=message type=groupchat from="$ROOM/alice" id="$id" \
	body="x to all"
check_ev "XMPP -> XMPP: dave gets it" dave event=message type=groupchat \
	from="$ROOM/alice" body="x to all"
check "XMPP -> SIP: bob gets it" seen "$T_TMP/bob.out" \
	'"event":"message",.*"from":"alice",.*"text":"x to all","private":false'
say carol "s to all"
check "SIP -> SIP: bob gets carol's" seen "$T_TMP/bob.out" \
	'"event":"message",.*"from":"carol",.*"text":"s to all"'
check_ev "SIP -> XMPP: dave gets carol's" dave event=message \
	type=groupchat from="$ROOM/carol" body="s to all"

# --- private messages both ways ---------------------------------------------
xmpp_send alice chat "$ROOM/bob" psst bob
check "XMPP -> SIP private" seen "$T_TMP/bob.out" \
	'"event":"message",.*"from":"alice",.*"text":"psst bob","private":true'
say bob "/msg dave psst dave"
check_ev "SIP -> XMPP private" dave event=message type=chat \
	from="$ROOM/bob" body="psst dave"
check "carol got none of them" sh -c "! grep -q 'psst' '$T_TMP/carol.out'"
check "alice did not get dave's" sh -c \
	"! grep -q 'psst dave' '$T_TMP/alice.out'"

# --- a second resource of alice under another nick: an occupant of its own ---
# The room makes each GRUU (each resource) its own user; its leaving must
# not take alice's first resource with it.
A2=alice@example.test/phone
a_mark=$(xmpp_lines alice)
d_mark=$(xmpp_lines dave)
xmpp_peer AP2 alice2 "$A2" alicepw || fail "alice's second resource online"
xmpp_send alice2 join "$ROOM" ally
check_ev "ally: self-presence with 110, no 201" alice2 event=presence \
	from="$ROOM/ally" type=available code=110 nocode=201 jid="$A2"
check_ev "ally: alice's presence, her first resource" alice2 \
	event=presence from="$ROOM/alice" type=available jid="$A"
check_ev "alice sees ally as its own occupant" alice after="$a_mark" \
	event=presence from="$ROOM/ally" type=available jid="$A2" nocode=110
check_ev "david sees ally" dave after="$d_mark" event=presence \
	from="$ROOM/ally" type=available jid="$A2"
check "bob sees ally join" seen "$T_TMP/bob.out" \
	'"event":"join",.*"nick":"ally"'
xmpp_send alice2 leave "$ROOM"
check_ev "ally: unavailable self-presence" alice2 event=presence \
	type=unavailable from="$ROOM/ally" code=110
check_ev "alice sees ally go" alice after="$a_mark" event=presence \
	type=unavailable from="$ROOM/ally" nocode=110
check_ev "david sees ally go" dave after="$d_mark" event=presence \
	type=unavailable from="$ROOM/ally"
check "bob sees ally leave" seen "$T_TMP/bob.out" \
	'"event":"leave",.*"nick":"ally"'
mark=$(xmpp_lines dave)
xmpp_send alice say "$ROOM" "still here"
check_ev "alice's first resource still speaks" dave after="$mark" \
	event=message type=groupchat from="$ROOM/alice" body="still here"
# no_unavail PEER AFTER: no unavailable from alice's occupant JID after line
# AFTER (the NOTIFY that took ally away had it, if any)
no_unavail() {
	! tail -n "+$(($2 + 1))" "$T_TMP/$1.out" |
		grep "\"from\":\"$ROOM/alice\"" | grep -q '"type":"unavailable"'
}
check "alice: her first resource did not go" no_unavail alice "$a_mark"
check "david: alice did not go" no_unavail dave "$d_mark"
check "bob: alice did not leave" sh -c \
	"! grep -q '\"event\":\"leave\",.*\"nick\":\"alice\"' '$T_TMP/bob.out'"

# --- nicks: a conflict, then a change -----------------------------------------
xmpp_send dave nick "$ROOM" carol
check_ev "dave: carol's nick is taken: conflict" dave after="$d_self" \
	event=presence type=error from="$ROOM/carol" \
	error_condition=conflict
mark=$(xmpp_lines dave)
a_mark=$(xmpp_lines alice)
xmpp_send dave nick "$ROOM" david
check_ev "dave: 303 to david, with 110" dave after="$mark" event=presence \
	type=unavailable from="$ROOM/dave" code=303 code=110 nick=david
check_ev "dave: the new self-presence" dave after="$L" event=presence \
	type=available from="$ROOM/david" code=110
check_ev "alice sees dave's 303" alice after="$a_mark" event=presence \
	type=unavailable from="$ROOM/dave" code=303 nick=david nocode=110
check_ev "alice sees david" alice after="$L" event=presence \
	type=available from="$ROOM/david" jid="$D"
check "bob sees the rename" seen "$T_TMP/bob.out" \
	'"event":"rename",.*"nick":"david",.*"old":"dave"'

# --- the subject from XMPP ----------------------------------------------------
xmpp_send alice subject "$ROOM" New plans
check "bob sees alice's subject" seen "$T_TMP/bob.out" \
	'"event":"subject",.*"from":"alice",.*"text":"New plans"'
check_ev "david sees it" dave event=message from="$ROOM/alice" \
	subject="New plans"
check_ev "alice's own subject comes back" alice event=message \
	from="$ROOM/alice" subject="New plans"

# --- a kick from SIP ----------------------------------------------------------
a_mark=$(xmpp_lines alice)
say bob "/kick david"
check_ev "david: kicked, 307 and 110" dave event=presence \
	type=unavailable from="$ROOM/david" code=307 code=110
check_ev "alice sees david go, 307" alice after="$a_mark" event=presence \
	type=unavailable from="$ROOM/david" code=307 nocode=110
check "carol sees david go" seen "$T_TMP/carol.out" \
	'"event":"leave",.*"nick":"david"'
check "sxgw logs the removal" seen "$SXGW_LOG" "xmpp: $D was removed from design"

# --- leaving ------------------------------------------------------------------
xmpp_send alice leave "$ROOM"
check_ev "alice: unavailable self-presence, 110" alice after="$a_mark" \
	event=presence type=unavailable from="$ROOM/alice" code=110
check "bob sees alice leave" seen "$T_TMP/bob.out" \
	'"event":"leave",.*"nick":"alice"'
check "sxgw logs alice leaving" seen "$SXGW_LOG" "xmpp: $A left design"

# --- the room goes with its last participant ---------------------------------
mark=$(xmpp_lines alice)
xmpp_send alice disco-items "$ROOMS"
check_ev "disco#items lists the room while SIP users are in it" alice \
	after="$mark" event=iq from="$ROOMS" type=result
case $(sed -n "${L}p" "$T_TMP/alice.out") in
*"\"jid\":\"$ROOM\""*) pass "the room is listed" ;;
*) fail "the room is listed" ;;
esac
say bob "/quit"
say carol "/quit"
wait "$bob_pid"
expect_eq "bob leaves: exits 0" "$?" 0
wait "$carol_pid"
expect_eq "carol leaves: exits 0" "$?" 0
check "the room is destroyed" seen "$SXGW_LOG" 'room design: destroyed'
mark=$(xmpp_lines alice)
xmpp_send alice disco-items "$ROOMS"
check_ev "disco#items after everyone left" alice after="$mark" event=iq \
	from="$ROOMS" type=result
case $(sed -n "${L}p" "$T_TMP/alice.out") in
*"\"jid\":\"$ROOM\""*) fail "the room is gone from disco#items" ;;
*) pass "the room is gone from disco#items" ;;
esac
check "sxgw still runs" kill -0 "$SXGW_PID"

# --- an orderly stop: the occupants hear 332 ---------------------------------
xmpp_send alice join "$ROOM" alice
check_ev "alice creates it again: 201" alice after="$mark" event=presence \
	from="$ROOM/alice" code=110 code=201
gw_stop_sxgw "sxgw stops cleanly"
check_ev "alice hears of the shutdown: 332" alice after="$mark" \
	event=presence type=unavailable from="$ROOM/alice" code=332 code=110
gw_no_crash "no sanitizer report in sxgw's log"
gw_finish
