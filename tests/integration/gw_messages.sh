#!/bin/sh
# How the XMPP gateway translates messages, against a real Prosody: two
# XMPP occupants (xmpp_peer.py) and one SIP participant, carol, who joins
# by SIPp INVITE (scenarios/switch/join.xml) and speaks raw MSRP with
# CPIM of any type (scenarios/switch/msrp_peer.py), since sxjoin neither
# shows nor sends typing notices.  Checked:
#   - chat states (XEP-0085) to RFC 3994 is-composing and back: composing
#     is "active", paused is "idle", gone is nothing; XMPP to XMPP through
#     the room as well;
#   - XHTML-IM (XEP-0071) carried as its plain <body/> only; text/html
#     from the SIP side shown as its text (markup, scripts gone, entities
#     decoded, blocks on lines of their own);
#   - the gateway's legs advertise a=max-size (the [xmpp] stanza limit)
#     and answer 413 to a larger SEND, which no XMPP client then sees; an
#     XMPP client's message whose CPIM would pass the limit gets
#     policy-violation (and reaches nobody), one within it everyone;
#   - a subject set from the SIP side (room.Subject) as a subject change;
#   - a groupchat reflected to its sender with its id and origin-id; MSRP
#     refusals of a private message (404 no such nick, 428 no private
#     messages) come back as error messages with the original id.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_xmpp.sh"
. "$(dirname "$0")/lib_gw.sh"

# shellcheck disable=SC2119 # no program but sxgw
gw_require
command -v sipp >/dev/null 2>&1 || { echo "skipped: no sipp"; exit 77; }

CAROL=sip:carol@example.test
MAX=2000
PEER=scenarios/switch/msrp_peer.py

gw_start_server prosody

# -t: the SIP stack logs every message (the legs' SDP offers)
SXGW_SIP_PORT=$(free_port)
gw_start_sxgw -t "sip.listen = udp:127.0.0.1:$SXGW_SIP_PORT
xmpp.max_stanza_size = $MAX"
check "sxgw starts" seen "$SXGW_LOG" 'sxgw ready'
gw_link_up "link for the rooms up" "$ROOMS"

gw_register alice bob
check "alice logs in" xmpp_peer AP a alice@$XMPP_DOMAIN/r1 alicepw
check "bob logs in" xmpp_peer BP b bob@$XMPP_DOMAIN/r1 bobpw

# --- helpers -----------------------------------------------------------------

# event PEER AFTER-LINE REGEX: the first event line after AFTER-LINE that
# matches (waits up to 10 s); prints it.
event() {
	xmpp_wait "$1" "$3" 10 "$2" || return 1
	tail -n +"$(($2 + 1))" "$T_TMP/$1.out" | grep -m1 -E "$3"
}

# cpim NAME TYPE BODY [HEADER...]: carol's message/cpim to the room in
# $T_TMP/NAME.
cpim() {
	c_name=$1 c_type=$2 c_body=$3
	shift 3
	{
		printf 'From: <%s>\r\nTo: <%s>\r\n' "$CAROL" "$ROOM_URI"
		printf 'DateTime: 2026-05-01T18:30:00.000Z\r\n'
		for h in "$@"; do printf '%s\r\n' "$h"; done
		printf '\r\nContent-Type: %s\r\n\r\n%s' "$c_type" "$c_body"
	} >"$T_TMP/$c_name"
}

# iscomposing STATE: an RFC 3994 §3 document.
iscomposing() {
	printf '%s%s%s' '<?xml version="1.0" encoding="UTF-8"?>' \
		'<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">' \
		"<state>$1</state><contenttype>text/plain</contenttype></isComposing>"
}

# carol_got N: the Nth message carol received, whole (waits 10 s).
carol_got() {
	wait_for_line "$T_TMP/carol.out" "^recv $1 " 10 >/dev/null &&
		cat "$T_TMP/carol/msg$1"
}

# --- the occupants -----------------------------------------------------------

gw_joins "alice joins" a alice
gw_joins "bob joins" b bob

check "the legs' offers advertise a=max-size" \
	grep -q "a=max-size:$MAX" "$SXGW_LOG"

# carol: no private messages (a=chatroom:nickname only); what she says
# waits until she got what alice sends her way (three messages), and she
# stays 40 s at most, longer than the rest of the test.
STATE_ACTIVE=$(iscomposing active)
STATE_IDLE=$(iscomposing idle)
cpim html.cpim 'text/html;charset=UTF-8' \
	'<p>Hello <b>world</b></p><script>alert(1)</script><p>fish &amp; chips</p>'
cpim active.cpim application/im-iscomposing+xml "$STATE_ACTIVE"
cpim idle.cpim application/im-iscomposing+xml "$STATE_IDLE"
cpim big.cpim text/plain "$(printf "%${MAX}s" "" | tr ' ' y)"
cpim after.cpim text/plain 'after the big one'
cpim subject.cpim text/plain '' 'NS: room <urn:x-sxgw:room>' \
	'room.Subject: Menu & \"wine\"'
cpim notext.cpim text/html '<p> </p><img src="cid:x.png">'
mkdir -p "$T_TMP/carol"
spawn SIPP_PID sipp -sf scenarios/switch/join.xml \
	"127.0.0.1:$SXGW_SIP_PORT" \
	-i 127.0.0.1 -p "$(free_port)" -m 1 -nostdin -key room design \
	-key user carol -key contact_params "" \
	-key msrp_path "msrp://127.0.0.1:9/carol;tcp" \
	-key chatroom nickname -key wrapped_attr 'accept-wrapped-types:*' \
	-key path_file "$T_TMP/carol.path" >"$T_TMP/carol.sipp" 2>&1
check "carol's INVITE answered with the switch's path" \
	wait_for_line "$T_TMP/carol.path" '^msrp://' 10
spawn CAROL_PID /usr/bin/python3 "$PEER" "$(cat "$T_TMP/carol.path")" \
	"msrp://127.0.0.1:9/carol;tcp" "$T_TMP/carol" bind nick:carol \
	recv:3:40 "send:$T_TMP/html.cpim" "send:$T_TMP/active.cpim" \
	"send:$T_TMP/idle.cpim" "send:$T_TMP/subject.cpim" \
	"send:$T_TMP/notext.cpim" "send:$T_TMP/big.cpim" \
	"send:$T_TMP/after.cpim" wait:40 >"$T_TMP/carol.out" 2>&1
check "alice sees carol join" xmpp_wait a \
	"\"event\":\"presence\",\"from\":\"$ROOM/carol\""
check "bob sees carol join" xmpp_wait b \
	"\"event\":\"presence\",\"from\":\"$ROOM/carol\""

# --- XMPP -> SIP and XMPP: chat states, XHTML-IM -----------------------------

la=$(xmpp_lines a)
lb=$(xmpp_lines b)
xmpp_send a composing "$ROOM"
xmpp_send a gone "$ROOM"
raw a "<message type='groupchat' to='$ROOM' id='x1'><body>plain version</body><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p><b>rich</b> version</p></body></html><origin-id xmlns='urn:xmpp:sid:0' id='o-x1'/></message>"
xmpp_send a paused "$ROOM"

m=$(carol_got 1)
case "$m" in
*"Content-Type: application/im-iscomposing+xml"*"<state>active</state>"*)
	pass "composing reaches SIP as is-composing active" ;;
*) fail "composing reaches SIP as is-composing active" "$m" ;;
esac
m=$(carol_got 2)
case "$m" in
*"Content-Type: text/plain"*"plain version") pass \
	"XHTML-IM reaches SIP as its plain body (gone sent nothing)" ;;
*) fail "XHTML-IM reaches SIP as its plain body (gone sent nothing)" "$m" ;;
esac
case "$m" in
*rich* | *"<b>"*) fail "the XHTML part stays out of the CPIM" "$m" ;;
*) pass "the XHTML part stays out of the CPIM" ;;
esac
case "$m" in
*"From: \"alice\" <sip:alice@example.test>"*)
	pass "CPIM From: alice's nick and AOR" ;;
*) fail "CPIM From: alice's nick and AOR" "$m" ;;
esac
m=$(carol_got 3)
case "$m" in
*"Content-Type: application/im-iscomposing+xml"*"<state>idle</state>"*)
	pass "paused reaches SIP as is-composing idle" ;;
*) fail "paused reaches SIP as is-composing idle" "$m" ;;
esac

e=$(event b "$lb" "\"event\":\"message\",\"from\":\"$ROOM/alice\",.*\"chatstate\"")
expect_eq "bob sees alice composing through the room" \
	"$(field "$e" chatstate) $(field "$e" body)" "composing "
e=$(event b "$lb" "\"event\":\"message\",\"from\":\"$ROOM/alice\",.*\"body\"")
expect_eq "bob gets the XHTML-IM message as plain text" \
	"$(field "$e" body) $(field "$e" html)" "plain version "
e=$(event b "$lb" "\"event\":\"message\",\"from\":\"$ROOM/alice\",.*\"chatstate\":\"paused\"")
check "bob sees alice pause" test -n "$e"
e=$(event a "$la" "\"event\":\"message\",\"from\":\"$ROOM/alice\",.*\"id\":\"x1\"")
expect_eq "alice's message reflected with its id and origin-id" \
	"$(field "$e" type) $(field "$e" body) $(field "$e" origin_id)" \
	"groupchat plain version o-x1"
check "a chat state is not reflected to its sender" sh -c \
	"! tail -n +$((la + 1)) '$T_TMP/a.out' | grep -q '\"from\":\"$ROOM/alice\",.*\"chatstate\":\"composing\"'"

# --- SIP -> XMPP: text/html, is-composing, a message over the limit ----------

for p in a b; do
	n=$(eval echo "\$l$p")
	e=$(event $p "$n" "\"event\":\"message\",\"from\":\"$ROOM/carol\",.*\"body\"")
	expect_eq "$p: text/html from SIP shown as text" "$(field "$e" body)" \
		"Hello world
fish & chips"
	expect_eq "$p: no XHTML-IM offered for it" "$(field "$e" html)" ""
done
e=$(event a "$la" "\"event\":\"message\",\"from\":\"$ROOM/carol\",.*\"subject\"")
expect_eq "a subject from SIP: groupchat with the subject only" \
	"$(field "$e" type)|$(field "$e" subject)|$(field "$e" body)" \
	'groupchat|Menu & "wine"|'
check "text/html without text: a note of what came, not nothing" \
	xmpp_wait a "\"from\":\"$ROOM/carol\",.*\"body\":\"\\[a message of type text/html, 29 bytes, not shown\\]\"" \
	10 "$la"
e=$(event a "$la" "\"event\":\"message\",\"from\":\"$ROOM/carol\",.*\"chatstate\":\"composing\"")
expect_eq "is-composing active from SIP: composing, no body" \
	"$(field "$e" type) $(field "$e" body)" "groupchat "
check "is-composing idle from SIP: paused" xmpp_wait a \
	"\"event\":\"message\",\"from\":\"$ROOM/carol\",.*\"chatstate\":\"paused\"" \
	10 "$la"
check "a message after the big one still comes" xmpp_wait a \
	"\"event\":\"message\",\"from\":\"$ROOM/carol\",.*\"body\":\"after the big one\"" \
	10 "$la"
check "bob gets it too" xmpp_wait b \
	"\"body\":\"after the big one\"" 10 "$lb"
check "the switch took carol's big message" \
	grep -q "^send $T_TMP/big.cpim 200\$" "$T_TMP/carol.out"
check "the legs answered it 413" wait_for_line "$SXGW_LOG" \
	"a participant answered 413 " 5
for p in a b; do
	check "$p: nothing of the big message" sh -c \
		"! grep -q yyyyyyyyyy '$T_TMP/$p.out'"
done

# --- XMPP -> SIP: over the limit, refusals ------------------------------------

big=$(printf "%$((MAX + 1))s" "" | tr ' ' z)
raw a "<message type='groupchat' to='$ROOM' id='z1'><body>$big</body></message>"
error_is "a body over max_stanza_size: policy-violation, id kept" \
	a z1 modify policy-violation
# the limit counts the CPIM headers the body travels in: every XMPP
# occupant's leg would refuse (413) what alice's body alone fits in, so
# that the SIP side would have it and the XMPP side not
almost=$(printf "%$((MAX - 100))s" "" | tr ' ' v)
raw a "<message type='groupchat' to='$ROOM' id='z2'><body>$almost</body></message>"
error_is "a body the CPIM headers take over the limit: policy-violation" \
	a z2 modify policy-violation
fits=$(printf "%$((MAX - 400))s" "" | tr ' ' w)
lb=$(xmpp_lines b)
raw a "<message type='groupchat' to='$ROOM' id='z3'><body>$fits</body></message>"
check "a body well within the limit reaches bob whole" xmpp_wait b \
	"\"from\":\"$ROOM/alice\",.*\"body\":\"w{$((MAX - 400))}\"" 10 "$lb"
check "and comes back to alice" xmpp_wait a "\"id\":\"z3\",\"body\":\"w" 10 "$la"
raw a "<message type='chat' to='$ROOM/nobody' id='pm1'><body>hello?</body></message>"
error_is "private message to no one: MSRP 404 is item-not-found" \
	a pm1 cancel item-not-found
raw a "<message type='chat' to='$ROOM/carol' id='pm2'><body>psst</body></message>"
error_is "private message to who takes none: 428 is feature-not-implemented" \
	a pm2 cancel feature-not-implemented
e=$(reply a pm2)
expect_eq "the error comes from where the message went" \
	"$(field "$e" from)" "$ROOM/carol"
lb=$(xmpp_lines b)
xmpp_send a say "$ROOM" "still here"
check "the room still carries messages" xmpp_wait b \
	"\"from\":\"$ROOM/alice\",.*\"body\":\"still here\"" 10 "$lb"
m=$(carol_got 5)
case "$m" in
*"still here") pass "carol hears alice after the refusals" ;;
*) fail "carol hears alice after the refusals" "$m" ;;
esac
check "carol got neither the big body nor the private message" sh -c \
	"! grep -l -E 'zzzzzzzzzz|vvvvvvvvvv|psst' '$T_TMP'/carol/msg* >/dev/null 2>&1"

check "sxgw is still running" kill -0 "$SXGW_PID"
gw_stop_sxgw "sxgw stops cleanly on SIGTERM"
gw_no_crash "sxgw logged no crash"
for p in a b; do
	xmpp_send "$p" quit
done
finish
