#!/bin/sh
# Invitations across worlds through a real Kamailio proxy and a real
# Prosody (RFC 4579 §5.5; RFC 7702 §5.7; XEP-0045 §7.8; XEP-0249).  Every
# invitation is a REFER to the room and the room's INVITE to the invitee;
# Kamailio routes the rooms' domain to the focus, the XMPP users' domain
# (example.test) to the gateway's own SIP agent and the registered SIP
# users (sip.example.test) to their contacts, and sxgw sends everything
# through it, so an invitation of an XMPP user loops back into sxgw.
#
#   alice, bob  XMPP users (xmpp_peer.py)
#   carol, dave SIP users (sxjoin --wait-for-calls --register), seen from
#               XMPP as carol@sip.example.test
#   erin        a SIP invitee that declines (SIPp), ghost one that never
#               answers (registered where nothing listens)
#
# XMPP -> SIP (alice invites carol), XMPP -> XMPP (alice invites bob, with
# the SIP loop checked in sxgw's log and the proxy's), SIP -> XMPP (carol's
# /invite, sxinvite), SIP -> SIP (carol invites dave), declines and
# timeouts both ways, an invitation of someone already in the room, a
# non-occupant's invitation, a one-to-one INVITE to an XMPP user (488),
# rooms invited into a room (403).  Every wait is for an event; ports are
# picked free per run.  With GW_KEEP=DIR the work files are copied to DIR.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_kamailio.sh"
. "$(dirname "$0")/lib_xmpp.sh"
. "$(dirname "$0")/lib_gw.sh"

I=$BIN/sxinvite
gw_require sxinvite sxjoin
kam_require_sipp
SC=$(pwd)/scenarios
export TZ=UTC

AL=alice@example.test
BO=bob@example.test
CA=sip:carol@$USERS
DA=sip:dave@$USERS

# --- helpers ------------------------------------------------------------------

# none_after NAME PEER LINE REGEX: no event of PEER after LINE matches
# REGEX (checked once the test has waited for a later event).
none_after() {
	if tail -n "+$(($3 + 1))" "$T_TMP/$2.out" | grep -q -E "$4"; then
		fail "$1" "$(tail -n "+$(($3 + 1))" "$T_TMP/$2.out" |
			grep -m1 -E "$4")"
	else
		pass "$1"
	fi
}

# lineno FILE REGEX [AFTER]: number of the first line after AFTER
# matching REGEX, 0 when none does.
lineno() {
	# by the environment: awk -v would take the backslashes as escapes
	LN_RE=$2 awk -v a="${3:-0}" 'NR > a && $0 ~ ENVIRON["LN_RE"] {
		print NR; f = 1; exit } END { if (!f) print 0 }' "$1"
}

nlines() {
	wc -l <"$1" | tr -d ' '
}

# invite_bg NAME ARGS...: sxinvite in the background through the proxy,
# output in inv-NAME.out and .err, its pid in INV_PID; inv_done waits for
# it and sets RC.
invite_bg() {
	ib_name=$1
	shift
	spawn INV_PID "$I" --proxy "$KAM_URI" "$@" \
		>"$T_TMP/inv-$ib_name.out" 2>"$T_TMP/inv-$ib_name.err"
}
inv_done() {
	wait "$INV_PID"
	RC=$?
	xmpp_forget "$INV_PID"
}

# sip_user NAME: sxjoin waiting for invitations as sip:NAME@USERS,
# registered at the proxy; lines from NAME.in, output in NAME.out.
sip_user() {
	gw_sxjoin "$1" --wait-for-calls --register --from "sip:$1@$USERS" \
		--proxy "$KAM_URI"
}

# bob_leaves: bob leaves the room and the gateway has let his leg go.
bob_leaves() {
	bl_mark=$(xmpp_lines bob)
	xmpp_send bob leave "$ROOM"
	check_ev "bob leaves ($1)" bob after="$bl_mark" event=presence \
		type=unavailable from="$ROOM/bob" code=110
	check "sxgw logs bob leaving ($1)" \
		seen "$SXGW_LOG" "xmpp: $BO/gw left design\$"
}

# --- the loop: sxinvite's SIP as sxgw's log shows it --------------------------
# sipcap.py LOG AFTER KAM-PORT ROOM-URI INVITEE-URI INVITER-URI INVITEE-JID:
# reads the SIP messages sofia logs (TPORT_LOG=1) and the stanzas
# libstrophe logs sent, from line AFTER on, and checks the order of one
# invitation of an XMPP user: the REFER to the room received (from the
# proxy) with that Refer-To, then the room's INVITE to the invitee received
# back from the proxy with ;isfocus in its Contact and the inviter in its
# Referred-By, then the mediated invitation sent to the invitee's JID --
# and no invitation to that JID before the INVITE; the INVITE's
# Max-Forwards below the REFER's (the hops are counted across the loop).
cat >"$T_TMP/sipcap.py" <<'EOF'
import re, sys
log, after, kam_port, room, invitee, inviter, jid = sys.argv[1:8]
after = int(after)
head = re.compile(r'sofia: (recv|send) \d+ bytes (from|to) (\S+) at ')
names = {'referred-by': 'referred-by', 'b': 'referred-by',
         'refer-to': 'refer-to', 'r': 'refer-to',
         'contact': 'contact', 'm': 'contact',
         'max-forwards': 'max-forwards'}
lines = open(log, encoding='utf-8', errors='replace').read().split('\n')
events = []
i = after
while i < len(lines):
    m = head.search(lines[i])
    if m:
        start, hdrs, seps, j = None, {}, 0, i + 1
        while j < len(lines) and 'sofia: ' in lines[j]:
            text = lines[j].split('sofia: ', 1)[1]
            j += 1
            if text.strip().startswith('-----'):
                seps += 1
                if seps == 2:
                    break
                continue
            text = text[3:] if text.startswith('   ') else text
            if start is None:
                start = text
            elif ':' in text:
                k, _, v = text.partition(':')
                k = names.get(k.strip().lower())
                if k:
                    hdrs.setdefault(k, []).append(v.strip())
        events.append((i + 1, 'sip', m.group(1), m.group(3), start or '',
                       hdrs))
        i = j
        continue
    if 'libstrophe conn: SENT: ' in lines[i]:
        events.append((i + 1, 'xmpp', lines[i].split('SENT: ', 1)[1]))
    i += 1

def via_proxy(e):
    return e[2] == 'recv' and e[3].endswith(']:' + kam_port)

def has(e, name, sub):
    return any(sub in v for v in e[5].get(name, []))

to_jid = re.compile(r'''to=["']%s["']''' % re.escape(jid))
def invitation(e):
    return e[1] == 'xmpp' and e[2].startswith('<message') and \
        to_jid.search(e[2]) and '<invite' in e[2] and \
        'http://jabber.org/protocol/muc#user' in e[2]

refer = invite = sent = None
for e in events:
    if refer is None:
        if e[1] == 'sip' and via_proxy(e) and \
                e[4].startswith('REFER %s ' % room) and \
                has(e, 'refer-to', invitee):
            refer = e
    elif invite is None:
        if e[1] == 'sip' and via_proxy(e) and \
                e[4].startswith('INVITE %s ' % invitee):
            if not has(e, 'contact', ';isfocus'):
                sys.exit("line %d: the room's INVITE has no ;isfocus" % e[0])
            if not has(e, 'referred-by', inviter):
                sys.exit("line %d: the room's INVITE is not Referred-By %s"
                         % (e[0], inviter))
            invite = e
    elif sent is None and invitation(e):
        sent = e
    if invite is None and invitation(e):
        sys.exit('line %d: an invitation to %s before the INVITE came back'
                 % (e[0], jid))
if refer is None:
    sys.exit('no REFER %s with Refer-To %s from the proxy' % (room, invitee))
if invite is None:
    sys.exit('no INVITE %s from the proxy after the REFER (line %d)'
             % (invitee, refer[0]))
if sent is None:
    sys.exit('no invitation sent to %s after the INVITE (line %d)'
             % (jid, invite[0]))
mf = [int((e[5].get('max-forwards') or ['-1'])[0]) for e in (refer, invite)]
if not 0 <= mf[1] < mf[0]:
    sys.exit('Max-Forwards not carried on and decremented: REFER %d, '
             'INVITE %d' % tuple(mf))
print('REFER line %d, INVITE line %d, invitation line %d, Max-Forwards '
      '%d then %d' % (refer[0], invite[0], sent[0], mf[0], mf[1]))
EOF

# --- Prosody, Kamailio, sxgw --------------------------------------------------
gw_start_server prosody
gw_register alice bob

# Each of Kamailio and sxgw needs the other's ports first: chosen here.
SXGW_SIP_PORT=$(free_port)
GW_SIP_PORT=$(free_port)
# shellcheck disable=SC2034 # read by start_kamailio_proxy
KAM_USER_DOMAINS=$USERS
# shellcheck disable=SC2034
KAM_XMPP_DOMAINS=example.test
start_kamailio_proxy kam || { fail "kamailio starts"; finish; }

# -t: sofia logs every SIP message sent and received, in sxgw's log
# between its own lines, and libstrophe every stanza (debug).
gw_start_sxgw -t "sip.outbound_proxy = $KAM_URI
sip.invite_timeout = 4
xmpp.sip_listen = udp:127.0.0.1:$GW_SIP_PORT
xmpp.invitation_timeout = 2"
check "sxgw starts" seen "$SXGW_LOG" 'sxgw ready'
check "the gateway's SIP agent listens where the proxy sends XMPP users" \
	seen "$SXGW_LOG" "XMPP gateway SIP agent on udp:127.0.0.1:$GW_SIP_PORT, requests via $KAM_URI"
gw_link_up "the rooms' link comes up" "$ROOMS"
gw_link_up "the SIP users' link comes up" "$USERS"
grep -q 'sxgw ready' "$SXGW_LOG" || finish

xmpp_peer AP alice "$AL/gw" alicepw || { fail "alice online"; finish; }
xmpp_peer BP bob "$BO/gw" bobpw || { fail "bob online"; finish; }
sip_user carol
sip_user dave
check "carol registers" seen "$T_TMP/carol.out" "\*\*\* registered $CA\$"
check "dave registers" seen "$T_TMP/dave.out" "\*\*\* registered $DA\$"

xmpp_send alice join "$ROOM" alice
check_ev "alice creates the room" alice event=presence from="$ROOM/alice" \
	code=110 code=201

# --- a non-occupant cannot invite ---------------------------------------------
mark=$(xmpp_lines bob)
xmpp_send bob invite "$ROOM" "carol@$USERS" let me in
check_ev "bob, not in the room, may not invite: forbidden" bob \
	after="$mark" event=message type=error from="$ROOM" \
	error_condition=forbidden
check "no REFER for bob's invitation" \
	sh -c "! grep -q 'kam: REFER .*Referred-By: .*sip:$BO' '$KAM_LOG'"

# --- XMPP -> SIP: alice invites carol -----------------------------------------
a_mark=$(xmpp_lines alice)
xmpp_send alice invite "$ROOM" "carol@$USERS" Design review
check "carol is invited by alice, with her reason" seen "$T_TMP/carol.out" \
	"\*\*\* invited to $ROOM_URI by sip:$AL \(Design review\)\$"
check "carol joins" seen "$T_TMP/carol.out" "\*\*\* joined $ROOM_URI as carol\$"
check_ev "alice sees carol join, as carol@$USERS" alice after="$a_mark" \
	event=presence from="$ROOM/carol" type=available jid="carol@$USERS"
check "the gateway's REFER went to the room through the proxy" grep -q -E \
	"kam: REFER $ROOM_URI from 127.0.0.1:$GW_SIP_PORT/udp -> sip:127.0.0.1:$SXGW_SIP_PORT;transport=udp Referred-By: .*sip:$AL.* Refer-To: <?sip:carol@$USERS" \
	"$KAM_LOG"
check "the room's INVITE reached carol through the registrar" grep -q -E \
	"kam: INVITE sip:carol@$USERS from .* -> sip:([^@ ]*@)?127\.0\.0\.1:[0-9]+[^ ]* isfocus Referred-By: .*sip:$AL" \
	"$KAM_LOG"

# --- XMPP -> XMPP: alice invites bob, the loop through the proxy --------------
k_mark=$(nlines "$KAM_LOG")
g_mark=$(nlines "$SXGW_LOG")
b_mark=$(xmpp_lines bob)
xmpp_send alice invite "$ROOM" "$BO" Come and see
check_ev "bob gets the invitation from the room" bob after="$b_mark" \
	event=message from="$ROOM" invite_from="$AL" has=body
b_inv=$L
check_ev "... with alice's reason" bob after="$b_mark" event=message \
	from="$ROOM" invite_from="$AL" invite_reason="Come and see"
check_ev "... and the XEP-0249 form with the room and the reason" bob \
	after="$b_mark" event=message from="$ROOM" conference_jid="$ROOM" \
	conference_reason="Come and see"
k_refer=$(lineno "$KAM_LOG" \
	"kam: REFER $ROOM_URI from 127\.0\.0\.1:$GW_SIP_PORT/udp -> .*Refer-To: <?sip:$BO" \
	"$k_mark")
k_invite=$(lineno "$KAM_LOG" \
	"kam: INVITE sip:$BO from .* -> sip:127\.0\.0\.1:$GW_SIP_PORT;transport=udp isfocus Referred-By: .*sip:$AL" \
	"$k_mark")
in_order "proxy: the REFER to the room, then the room's INVITE to the gateway" \
	"$k_refer" "$k_invite"
if cap=$("$XMPP_PYTHON" "$T_TMP/sipcap.py" "$SXGW_LOG" "$g_mark" \
	"$KAM_PORT" "$ROOM_URI" "sip:$BO" "sip:$AL" "$BO" 2>&1); then
	pass "sxgw's log: REFER, the INVITE back with isfocus and Referred-By, then the XMPP invitation"
	echo "     ($cap)"
else
	fail "sxgw's log: REFER, the INVITE back with isfocus and Referred-By, then the XMPP invitation" "$cap"
fi
xmpp_send bob join "$ROOM" bob
check_ev "bob joins (an ordinary join)" bob after="$b_inv" event=presence \
	from="$ROOM/bob" code=110 type=available
# The room knows an invited user by the address it invited (the bare
# AOR), so his real JID is the bare one.
check_ev "alice sees bob join" alice event=presence from="$ROOM/bob" \
	type=available jid="$BO"
check "carol sees bob join" seen "$T_TMP/carol.out" '\*\*\* bob joined$'
check "the room's INVITE to bob is answered 200 through the proxy" \
	grep -q -E "kam: reply 200 OK to INVITE from 127\.0\.0\.1:$GW_SIP_PORT/udp" \
	"$KAM_LOG"
xmpp_send bob say "$ROOM" hello from bob
check_ev "alice gets bob's message" alice event=message type=groupchat \
	from="$ROOM/bob" body="hello from bob"
check "carol gets bob's message" seen "$T_TMP/carol.out" '<bob> hello from bob$'
say carol hello bob
check_ev "bob gets carol's message" bob event=message type=groupchat \
	from="$ROOM/carol" body="hello bob"

# --- an invitation of someone already in the room changes nothing ----------
a_mark=$(xmpp_lines alice)
b_mark=$(xmpp_lines bob)
xmpp_send alice invite "$ROOM" "$BO" again
check_ev "bob already in the room: alice is told (486)" alice \
	after="$a_mark" event=message from="$ROOM" type=normal \
	body~"$BO.* failed: 486"
none_after "bob, already in, gets no invitation" bob "$b_mark" \
	'"invite_from"|"conference_jid"'
none_after "bob, already in, stays in the room" bob "$b_mark" \
	'"type":"unavailable"'
check "the gateway answered 486 with a Reason header" grep -q -E \
	'sofia: +Reason: *SIP *; *cause *= *486 *; *text *= *"[^"]+"' "$SXGW_LOG"

bob_leaves "after alice's invitation"

# --- SIP -> XMPP: carol's /invite ---------------------------------------------
b_mark=$(xmpp_lines bob)
say carol "/invite sip:$BO"
check_ev "bob gets carol's invitation" bob after="$b_mark" event=message \
	from="$ROOM" invite_from="carol@$USERS" conference_jid="$ROOM"
xmpp_send bob join "$ROOM" bob
check_ev "bob joins" bob after="$L" event=presence from="$ROOM/bob" code=110
check "carol's REFER succeeds: 200" \
	seen "$T_TMP/carol.out" "\*\*\* invite sip:$BO: 200 "
bob_leaves "after carol's /invite"

# --- SIP -> XMPP: sxinvite ----------------------------------------------------
b_mark=$(xmpp_lines bob)
invite_bg bob1 --room "$ROOM_URI" --from "$CA" --reason "From a shell" \
	"xmpp:$BO"
check_ev "bob gets the invitation sent by sxinvite" bob after="$b_mark" \
	event=message from="$ROOM" invite_from="carol@$USERS" \
	invite_reason="From a shell" conference_jid="$ROOM"
xmpp_send bob join "$ROOM" bob
check_ev "bob joins" bob after="$L" event=presence from="$ROOM/bob" code=110
inv_done
expect_eq "sxinvite xmpp:bob: exit 0" "$RC" 0
expect_eq "sxinvite xmpp:bob: 100 Trying first" \
	"$(head -n 1 "$T_TMP/inv-bob1.out")" "100 Trying"
expect_eq "sxinvite xmpp:bob: 200 OK last" \
	"$(tail -n 1 "$T_TMP/inv-bob1.out")" "200 OK"
check "the gateway rang (180) through the proxy" grep -q -E \
	"kam: reply 180 Ringing to INVITE from 127\.0\.0\.1:$GW_SIP_PORT/udp" \
	"$KAM_LOG"
bob_leaves "after sxinvite"

# --- SIP -> SIP: carol invites dave -------------------------------------------
a_mark=$(xmpp_lines alice)
say carol "/invite $DA"
check "dave is invited by carol" \
	seen "$T_TMP/dave.out" "\*\*\* invited to $ROOM_URI by $CA\$"
check "dave joins" seen "$T_TMP/dave.out" "\*\*\* joined $ROOM_URI as dave\$"
check "carol's REFER succeeds: 200" \
	seen "$T_TMP/carol.out" "\*\*\* invite $DA: 200 "
check_ev "alice sees dave join" alice after="$a_mark" event=presence \
	from="$ROOM/dave" type=available jid="dave@$USERS"

# --- declines ------------------------------------------------------------------
# XMPP declines XMPP: alice hears it with bob's reason.
a_mark=$(xmpp_lines alice)
b_mark=$(xmpp_lines bob)
xmpp_send alice invite "$ROOM" "$BO" Second round
check_ev "bob gets alice's invitation" bob after="$b_mark" event=message \
	from="$ROOM" invite_from="$AL"
xmpp_send bob decline "$ROOM" "$AL" Not now
check_ev "alice: bob declined, 603 with his reason" alice after="$a_mark" \
	event=message from="$ROOM" type=normal \
	body~"$BO.* failed: 603 .*Not now" decline_from="$BO" \
	decline_reason="Not now"
check "the gateway answered the room's INVITE 603" \
	grep -q -E "kam: reply 603 .* to INVITE from 127\.0\.0\.1:$GW_SIP_PORT/udp" \
	"$KAM_LOG"
check "... with bob's reason in a Reason header" grep -q -E \
	'sofia: +Reason: *SIP *; *cause *= *603 *; *text *= *"Not now"' "$SXGW_LOG"

# XMPP declines SIP: sxinvite exits 3.
b_mark=$(xmpp_lines bob)
invite_bg bob2 --room "$ROOM_URI" --from "$CA" "sip:$BO"
check_ev "bob gets sxinvite's invitation" bob after="$b_mark" \
	event=message from="$ROOM" invite_from="carol@$USERS"
xmpp_send bob decline "$ROOM" "carol@$USERS" No thanks
inv_done
expect_eq "sxinvite, bob declines: exit 3" "$RC" 3
expect_eq "sxinvite, bob declines: 603 Decline last" \
	"$(tail -n 1 "$T_TMP/inv-bob2.out")" "603 Decline"

# SIP declines XMPP: erin (SIPp) rejects alice's direct invitation
# (XEP-0249 to her SIP user's JID).
port=$(free_port)
kam_sipp_spawn EP erin 20s -sf "$SC/sxinvite/uas_decline.xml" -s erin \
	-p "$port"
kam_wait_bound udp "$port"
check "erin registers" kam_register erin "$USERS" "$port"
a_mark=$(xmpp_lines alice)
xmpp_send alice direct-invite "erin@$USERS" "$ROOM" Join us
check_ev "alice: erin declined, 603" alice after="$a_mark" event=message \
	from="$ROOM" type=normal body~"erin@$USERS.* failed: 603"
wait "$EP"
expect_eq "erin's scenario completes (isfocus, Referred-By alice)" "$?" 0
check "erin's INVITE was referred by alice" \
	grep -q -E "^Referred-By: .*sip:$AL" "$T_TMP/erin.msg"

# --- timeouts -------------------------------------------------------------------
# An XMPP invitee that never answers: 480 after invitation_timeout (2 s).
b_mark=$(xmpp_lines bob)
invite_bg bob3 --room "$ROOM_URI" --from "$CA" "xmpp:$BO"
check_ev "bob gets an invitation he ignores" bob after="$b_mark" \
	event=message from="$ROOM" invite_from="carol@$USERS"
# While it is pending, a second invitation of bob to the room: 486.
a_mark=$(xmpp_lines alice)
xmpp_send alice invite "$ROOM" "$BO" me too
check_ev "bob already invited: alice is told (486)" alice after="$a_mark" \
	event=message from="$ROOM" type=normal body~"$BO.* failed: 486"
inv_done
expect_eq "sxinvite, no answer from bob: exit 5" "$RC" 5
check "sxinvite, no answer from bob: 480 last" \
	grep -q -E '^480 ' "$T_TMP/inv-bob3.out"
check "the gateway answered 480" grep -q -E \
	"kam: reply 480 .* to INVITE from 127\.0\.0\.1:$GW_SIP_PORT/udp" \
	"$KAM_LOG"
check "... with a Reason header" grep -q -E \
	'sofia: +Reason: *SIP *; *cause *= *480 *; *text *= *"[^"]+"' "$SXGW_LOG"

a_mark=$(xmpp_lines alice)
b_mark=$(xmpp_lines bob)
xmpp_send alice invite "$ROOM" "$BO" Still there
check_ev "bob gets alice's invitation, ignores it" bob after="$b_mark" \
	event=message from="$ROOM" invite_from="$AL"
check_ev "alice: bob did not answer, 480" alice after="$a_mark" \
	event=message from="$ROOM" type=normal body~"$BO.* failed: 480"

# A SIP invitee that never answers: the room gives up (invite_timeout 4 s,
# 487) or the proxy does (408).
kam_register ghost "$USERS" "$(free_port)"
a_mark=$(xmpp_lines alice)
xmpp_send alice invite "$ROOM" "ghost@$USERS"
check_ev "alice: ghost did not answer" alice after="$a_mark" \
	event=message from="$ROOM" type=normal \
	body~"ghost@$USERS.* failed: (408|480|487)"

# --- one-to-one INVITE to an XMPP user: 488 with a Reason --------------------
b_mark=$(xmpp_lines bob)
kam_sipp_spawn OP one 20s -sf "$SC/invite/one_to_one.xml" -s bob \
	-key domain example.test -p "$(free_port)" "127.0.0.1:$KAM_PORT"
wait "$OP"
expect_eq "one-to-one INVITE: refused 488 with a Reason (SIPp)" "$?" 0
check "one-to-one INVITE: the Reason says why" grep -q -E \
	'^Reason: *SIP *; *cause *= *488 *; *text *= *"[^"]+"' "$T_TMP/one.msg"
check "one-to-one INVITE went to the gateway" grep -q -E \
	"kam: INVITE sip:$BO from .* -> sip:127\.0\.0\.1:$GW_SIP_PORT;transport=udp\$" \
	"$KAM_LOG"
none_after "one-to-one INVITE: nothing reaches bob" bob "$b_mark" \
	'"event":"message"'

# --- rooms invited into rooms: refused -----------------------------------------
invite_bg loop --room "$ROOM_URI" --from "$CA" "$ROOM_URI"
inv_done
expect_eq "the room invited into itself: refused, exit 2" "$RC" 2
check "... with 403" grep -q 'answered 403' "$T_TMP/inv-loop.err"
invite_bg loop2 --room "$ROOM_URI" --from "$CA" "sip:other@$ROOMS"
inv_done
expect_eq "another room invited into the room: refused, exit 2" "$RC" 2
check "no INVITE from the room to a room crossed the proxy" \
	sh -c "! grep -q -E 'kam: INVITE sip:[^ ]*@$ROOMS .* isfocus' '$KAM_LOG'"

# --- the end --------------------------------------------------------------------
check "alice got no failure for the invitations that worked" sh -c \
	"! grep -E '\"body\":\"[^\"]*(carol@$USERS|dave@$USERS)[^\"]* failed' '$T_TMP/alice.out'"
check "sxgw still runs" kill -0 "$SXGW_PID"
gw_no_crash "no sanitizer report in sxgw's log"
gw_finish
