#!/bin/sh
# What a room service owes every XMPP entity, and what it must survive,
# against a real Prosody: disco#info/#items of the rooms service, of a
# room and of the SIP users' domain, checked field by field (XEP-0030,
# XEP-0045 §6, the muc#roominfo form); pings (XEP-0199) and self-pings
# (XEP-0410); then hostile stanzas, each of which gets its error: messages
# from non-occupants, groupchat to an occupant JID, a body over the
# configured limit, invalid nicks, a presence flood, unknown iq
# namespaces, stanzas that arrive without a from (Prosody stamps a
# component's own domain on them) or from a foreign domain, through a
# second component connection; errors are never answered.  Two occupants
# keep chatting between every batch, and sxgw is alive at the end.
# A stanza without a to never reaches sxgw (Prosody refuses it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_xmpp.sh"
. "$(dirname "$0")/lib_gw.sh"

# shellcheck disable=SC2119 # no program but sxgw
gw_require

HOSTILE=hostile.example.test
MAX=2000

gw_start_server prosody "$HOSTILE"

gw_start_sxgw "sip.listen = udp:127.0.0.1:$(free_port)
xmpp.max_stanza_size = $MAX
xmpp.presence_rate = 5"
check "sxgw starts" seen "$SXGW_LOG" 'sxgw ready'
gw_link_up "link for the rooms up" "$ROOMS"
gw_link_up "link for the SIP users up" "$USERS"

gw_register alice bob mallory
check "alice logs in" xmpp_peer AP a alice@$XMPP_DOMAIN/r1 alicepw
check "bob logs in" xmpp_peer BP b bob@$XMPP_DOMAIN/r1 bobpw
check "mallory logs in" xmpp_peer MP m mallory@$XMPP_DOMAIN/r1 mallorypw --xml

# --- helpers -----------------------------------------------------------------

# expect_field NAME JSON KEY WANT
expect_field() {
	expect_eq "$1" "$(field "$2" "$3")" "$4"
}

# has NAME JSON KEY ITEM: the list KEY holds ITEM.
has() {
	case "$(field "$2" "$3")" in
	*"\"$4\""*) pass "$1" ;;
	*) fail "$1" "$3 lacks $4: $(field "$2" "$3")" ;;
	esac
}

# no_reply NAME PEER ID: nothing answered ID by the time a ping sent
# after it to the rooms service (the same link, handled in order) was
# answered.
no_reply() {
	raw "$2" "<iq type='get' to='$ROOMS' id='after-$3'><ping xmlns='urn:xmpp:ping'/></iq>"
	if ! reply "$2" "after-$3" >/dev/null; then
		fail "$1" "the ping after it was not answered"
	elif grep -q -E "\"event\":\"(iq|message|presence)\".*\"id\":\"$3\"" \
		"$T_TMP/$2.out"; then
		fail "$1" "answered: $(reply "$2" "$3")"
	else
		pass "$1"
	fi
}

# chatting TAG: alice and bob still talk to each other through the room:
# each one's groupchat reaches the other from its occupant JID, and comes
# back to its sender with the sender's id (XEP-0045 §7.4).
N=0
chatting() {
	N=$((N + 1))
	la=$(xmpp_lines a)
	lb=$(xmpp_lines b)
	xmpp_send a say "$ROOM" "alice $N ($1)"
	xmpp_send b say "$ROOM" "bob $N ($1)"
	check "$1: bob hears alice" xmpp_wait b \
		"\"from\":\"$ROOM/alice\",.*\"body\":\"alice $N \\($1\\)\"" 10 "$lb"
	check "$1: alice hears bob" xmpp_wait a \
		"\"from\":\"$ROOM/bob\",.*\"body\":\"bob $N \\($1\\)\"" 10 "$la"
	ida=$(xmpp_sent_id a say "$la")
	check "$1: alice's message reflected with its id" xmpp_wait a \
		"\"from\":\"$ROOM/alice\",.*\"id\":\"$ida\",\"body\":\"alice $N" \
		10 "$la"
}

# --- the service as discovered before any room exists ------------------------

xmpp_send m disco-info "$ROOMS"
r=$(reply m "$(xmpp_sent_id m disco-info)")
expect_field "rooms domain: disco#info result" "$r" type result
expect_field "rooms domain: identity conference/text" "$r" identities \
	'[{"category": "conference", "type": "text", "name": "Chat rooms"}]'
for f in http://jabber.org/protocol/muc http://jabber.org/protocol/disco#info \
	http://jabber.org/protocol/disco#items urn:xmpp:ping; do
	has "rooms domain: feature $f" "$r" features "$f"
done

l=$(xmpp_lines m)
xmpp_send m disco-info "$USERS"
r=$(reply m "$(xmpp_sent_id m disco-info "$l")")
expect_field "users domain: identity gateway/sip" "$r" identities \
	'[{"category": "gateway", "type": "sip", "name": "SIP users"}]'
has "users domain: ping advertised" "$r" features urn:xmpp:ping

raw m "<iq type='get' to='$ROOMS' id='ver1'><query xmlns='jabber:iq:version'/></iq>"
r=$(reply m ver1)
expect_field "version: result" "$r" type result
expect_field "version: the query answered" "$r" query jabber:iq:version
case "$(field "$r" xml)" in
*"name>sxgw</"*) pass "version: names sxgw" ;;
*) fail "version: names sxgw" "$(field "$r" xml)" ;;
esac
raw m "<iq type='get' to='$ROOMS' id='pl1'/>"
error_is "an iq get without a payload" m pl1 modify bad-request

raw m "<iq type='get' to='nowhere@$ROOMS' id='d404'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"
error_is "disco#info of a room that does not exist" m d404 cancel item-not-found

for t in "$ROOMS" "$USERS"; do
	raw m "<iq type='get' to='$t' id='ping-$t'><ping xmlns='urn:xmpp:ping'/></iq>"
	r=$(reply m "ping-$t")
	expect_field "ping $t" "$r" type result
done

# --- two occupants -----------------------------------------------------------

gw_joins "alice joins" a alice
gw_joins "bob joins" b bob
check "alice sees bob" xmpp_wait a "\"event\":\"presence\",\"from\":\"$ROOM/bob\""
chatting "after the joins"

# --- the room as discovered --------------------------------------------------

l=$(xmpp_lines m)
xmpp_send m disco-info "$ROOM"
r=$(reply m "$(xmpp_sent_id m disco-info "$l")")
expect_field "room: disco#info result" "$r" type result
expect_field "room: identity conference/text named" "$r" identities \
	'[{"category": "conference", "type": "text", "name": "design"}]'
for f in http://jabber.org/protocol/muc muc_open muc_unmoderated \
	muc_temporary muc_nonanonymous; do
	has "room: feature $f" "$r" features "$f"
done
case "$(field "$r" features)" in
*muc_semianonymous*) fail "room: not semi-anonymous as configured" ;;
*) pass "room: not semi-anonymous as configured" ;;
esac
form=$(field "$r" form)
expect_field "room: roominfo FORM_TYPE" "$form" FORM_TYPE \
	http://jabber.org/protocol/muc#roominfo
expect_field "room: roominfo counts two occupants" "$form" \
	muc#roominfo_occupants 2
expect_field "room: roominfo subject (none)" "$form" muc#roominfo_subject ""

raw m "<iq type='get' to='$ROOM' id='ri1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>"
r=$(reply m ri1)
expect_field "room: disco#items answered, occupants not listed" \
	"$r" items "[]"
raw m "<iq type='get' to='$USERS' id='ui1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>"
r=$(reply m ui1)
expect_field "users domain: disco#items answered, empty" "$r" items "[]"
raw m "<iq type='get' to='$ROOMS' id='si1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>"
r=$(reply m si1)
expect_field "rooms domain: disco#items lists the room" "$r" items \
	"[{\"jid\": \"$ROOM\", \"name\": \"design\"}]"
# the creator's configuration (XEP-0045 §10.1): an instant room is
# accepted, a form to fill in is not offered, changes are refused
raw a "<iq type='set' to='$ROOM' id='o1'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>"
expect_field "instant room accepted" "$(reply a o1)" type result
raw a "<iq type='get' to='$ROOM' id='o2'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>"
error_is "no configuration form" a o2 cancel feature-not-implemented
raw a "<iq type='set' to='$ROOM' id='o3'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var='muc#roomconfig_persistentroom'><value>1</value></field></x></query></iq>"
error_is "a configuration change refused" a o3 cancel feature-not-implemented
raw m "<iq type='set' to='$ROOM' id='o4'><query xmlns='http://jabber.org/protocol/muc#admin'><item nick='alice' role='none'/></query></iq>"
error_is "a kick over XMPP is forbidden" m o4 auth forbidden

# the subject as discovered
lb=$(xmpp_lines b)
xmpp_send a subject "$ROOM" "Plans & more"
check "bob sees the subject" xmpp_wait b \
	"\"from\":\"$ROOM/alice\",.*\"subject\":\"Plans & more\"" 10 "$lb"
raw m "<iq type='get' to='$ROOM' id='ri2'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"
expect_field "room: roominfo subject once set" \
	"$(field "$(reply m ri2)" form)" muc#roominfo_subject "Plans & more"

raw m "<iq type='get' to='$ROOM' id='rp1'><ping xmlns='urn:xmpp:ping'/></iq>"
expect_field "ping the room" "$(reply m rp1)" type result

# XEP-0410: the occupant's own JID answers it; anybody else is not in
raw a "<iq type='get' to='$ROOM/alice' id='sp1'><ping xmlns='urn:xmpp:ping'/></iq>"
expect_field "self-ping of a joined occupant" "$(reply a sp1)" type result
raw m "<iq type='get' to='$ROOM/alice' id='sp2'><ping xmlns='urn:xmpp:ping'/></iq>"
error_is "self-ping by a non-occupant" m sp2 cancel not-acceptable
# to another occupant: any error but not-acceptable, which would tell
# alice she is out
raw a "<iq type='get' to='$ROOM/bob' id='sp3'><ping xmlns='urn:xmpp:ping'/></iq>"
error_is "an occupant pinging another: still joined" a sp3 \
	cancel feature-not-implemented

# --- hostile stanzas from a client -------------------------------------------

raw m "<message type='groupchat' to='$ROOM' id='h1'><body>let me in</body></message>"
error_is "groupchat from a non-occupant" m h1 modify not-acceptable
raw a "<message type='groupchat' to='$ROOM/bob' id='h2'><body>psst</body></message>"
error_is "groupchat to an occupant JID" a h2 modify bad-request
raw a "<message type='chat' to='$ROOM' id='h3'><body>wrong type</body></message>"
error_is "chat to the room itself" a h3 modify bad-request
big=$(printf "%$((MAX + 500))s" "" | tr ' ' x)
lb=$(xmpp_lines b)
raw a "<message type='groupchat' to='$ROOM' id='h4'><body>$big</body></message>"
error_is "a body over max_stanza_size" a h4 modify policy-violation
raw m "<message to='$ROOM' id='h5'><x xmlns='http://jabber.org/protocol/muc#user'><invite to='carol@$XMPP_DOMAIN'/></x></message>"
error_is "a mediated invitation from a non-occupant" m h5 auth forbidden
raw a "<message to='$ROOM' id='h5b'><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>"
error_is "a mediated invitation without an invitee" a h5b modify bad-request
raw m "<iq type='get' to='$ROOM' id='h6'><query xmlns='urn:x-nobody-knows'/></iq>"
error_is "unknown iq namespace to a room" m h6 cancel service-unavailable
raw m "<iq type='set' to='$ROOMS' id='h7'><query xmlns='urn:x-nobody-knows'/></iq>"
error_is "unknown iq set to the service" m h7 cancel service-unavailable
raw m "<iq type='get' to='$ROOMS' id='h8'><query xmlns='http://jabber.org/protocol/disco#info' node='x'/></iq>"
error_is "disco#info of an unknown node" m h8 cancel item-not-found
raw m "<message type='error' to='$ROOM' id='h9'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
raw m "<iq type='error' to='$ROOMS' id='h10'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
raw m "<message type='groupchat' to='$ROOM' id='h11'><active xmlns='http://jabber.org/protocol/chatstates'/></message>"
no_reply "an error message is not answered" m h9
no_reply "an error iq is not answered" m h10
no_reply "a chat state from a non-occupant is not answered" m h11
check "the big body reached nobody" sh -c \
	"! tail -n +$((lb + 1)) '$T_TMP/b.out' | grep -q xxxxxxxxxx"
chatting "after hostile messages"

# invalid nicks: nothing left of it (RFC 7700), none at all
raw m "<presence to='$ROOM/   ' id='n1'><x xmlns='http://jabber.org/protocol/muc'/></presence>"
r=$(reply m n1)
expect_field "a nick of spaces only is refused" "$r" type error
raw m "<presence to='$ROOM' id='n2'><x xmlns='http://jabber.org/protocol/muc'/></presence>"
error_is "a join without a nick" m n2 modify jid-malformed
check "nobody saw mallory" sh -c \
	"! grep -q '\"from\":\"$ROOM/ *\"' '$T_TMP/a.out'"

# a presence flood from a joined occupant
gw_joins "mallory joins" m mal
i=0
while [ $i -lt 60 ]; do
	raw m "<presence to='$ROOM/mal' id='f$i'><show>away</show><status>$i</status></presence>"
	i=$((i + 1))
done
check "a presence flood is refused" xmpp_wait m \
	'"event":"presence",.*"type":"error",.*"error_condition":"resource-constraint"' 10
chatting "after the presence flood"

# --- hostile stanzas from a server-side entity -------------------------------

# A second component: what it sends without a from reaches sxgw from the
# component's own domain (Prosody stamps it), and it may send from any
# address of its domain -- one that [xmpp] domains does not list: sxgw
# serves the users of its domains only, and says so (not-allowed) to
# everything else but errors.
cat >"$T_TMP/hostile.py" <<'EOF'
import hashlib, re, socket, sys, time
import xml.etree.ElementTree as ET
port, domain, secret, wait = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
s = socket.create_connection(('127.0.0.1', int(port)), timeout=10)
s.sendall(("<stream:stream xmlns='jabber:component:accept' "
           "xmlns:stream='http://etherx.jabber.org/streams' to='%s'>"
           % domain).encode())
parser = ET.XMLPullParser(['start', 'end'])
depth = 0

def stanzas(deadline):
    global depth
    while time.time() < deadline:
        s.settimeout(max(0.05, deadline - time.time()))
        try:
            data = s.recv(65536)
        except socket.timeout:
            return
        if not data:
            return
        parser.feed(data)
        for kind, el in parser.read_events():
            if kind == 'start':
                depth += 1
                if depth == 1:
                    yield el
                continue
            depth -= 1
            if depth == 1:
                yield el

head = next(stanzas(time.time() + 10))
sid = head.get('id')
s.sendall(b'<handshake>' + hashlib.sha1((sid + secret).encode())
          .hexdigest().encode() + b'</handshake>')
for el in stanzas(time.time() + 10):
    if el.tag.endswith('handshake'):
        print('handshake ok', flush=True)
        break
for line in sys.stdin:
    s.sendall(line.strip().encode())
for el in stanzas(time.time() + float(wait)):
    cond = ''
    for e in el:
        if e.tag.endswith('}error') or e.tag == 'error':
            cond = (e.get('type') or '') + ' ' + ' '.join(
                c.tag.split('}')[-1] for c in e
                if c.tag.startswith('{' + STANZAS + '}')
                and not c.tag.endswith('}text'))
    print(el.tag.split('}')[-1], el.get('id'), el.get('type'), cond,
          flush=True)
EOF
E=eve@$HOSTILE/x
"$XMPP_PYTHON" "$T_TMP/hostile.py" "$XMPP_COMPONENT_PORT" "$HOSTILE" \
	"$XMPP_SECRET" 3 >"$T_TMP/hostile.out" 2>"$T_TMP/hostile.err" <<EOF
<message to='$ROOM' type='groupchat' id='c1'><body>no from</body></message>
<message from='$E' to='$ROOM' type='groupchat' id='c2'><body>foreign</body></message>
<presence from='$E' to='$ROOM/eve' id='c3'><x xmlns='http://jabber.org/protocol/muc'/></presence>
<iq to='$ROOMS' type='get' id='c4'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>
<iq from='$E' to='$ROOM/alice' type='get' id='c5'><ping xmlns='urn:xmpp:ping'/></iq>
<iq from='$E' to='$USERS' type='set' id='c6'><query xmlns='urn:x-nobody-knows'/></iq>
<message from='$E' to='$ROOM' type='error' id='c7'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>
EOF
H=$T_TMP/hostile.out
check "the second component authenticates" grep -q '^handshake ok' "$H"
# compon LINE-REGEX: a line of what the component received
compon() { grep -q -E "$1" "$H"; }
check "no from: a groupchat is refused" compon \
	'^message c1 error cancel not-allowed$'
check "foreign domain: a groupchat is refused" compon \
	'^message c2 error cancel not-allowed$'
check "foreign domain: a join is refused" compon \
	'^presence c3 error cancel not-allowed$'
check "no from: disco#info is refused" compon \
	'^iq c4 error cancel not-allowed$'
check "foreign domain: a self-ping is refused" compon \
	'^iq c5 error cancel not-allowed$'
check "foreign domain: an iq to the users domain is refused" compon \
	'^iq c6 error cancel not-allowed$'
check "foreign domain: an error is not answered" sh -c "! grep -q ' c7 ' '$H'"
check "eve never appeared in the room" sh -c \
	"! grep -q '\"from\":\"$ROOM/eve\"' '$T_TMP/a.out'"
chatting "after the second component"

# --- at the end ---------------------------------------------------------------

check "sxgw is still running" kill -0 "$SXGW_PID"
gw_stop_sxgw "sxgw stops cleanly on SIGTERM"
gw_no_crash "sxgw logged no crash"
for p in a b m; do
	xmpp_send "$p" quit
done
finish
