#!/bin/sh
# The XMPP gateway against a real XMPP server (Prosody; ejabberd with
# GW_SERVER=ejabberd, see gw_ejabberd.sh): two XMPP users (xmpp_peer.py)
# and two SIP users (sxjoin) in one room.  Joins in both orders with the
# order of presences and their status codes, messages all four ways,
# private messages both ways, a nick conflict and a change, the subject,
# history on a late join with delay stamps, leaving, a kick, and the room
# destroyed and created again.  Every wait is for an event; ports are
# picked free per run.
#
#   alice (XMPP) creates the room, bob (SIP) joins and speaks, dave (XMPP)
#   joins late (history, subject), carol (SIP) joins last.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_xmpp.sh"

GW_SERVER=${GW_SERVER:-prosody}
J=$BIN/sxjoin
[ -x "$J" ] || { echo "no $J"; exit 1; }
[ -x "$BIN/sxgw" ] || { echo "no $BIN/sxgw"; exit 77; }
export TZ=UTC

ROOMS=conference.sip.example.test
USERS=sip.example.test
ROOM=design@$ROOMS
ROOM_URI=sip:$ROOM

# --- the XMPP peers ----------------------------------------------------------
# xp_start NAME JID PASSWORD: a client fed by $T_TMP/NAME.in, its events
# (one JSON object per line, every stanza received as "xml") in
# $T_TMP/NAME.out; waits until it is online.
xp_start() {
	mkfifo "$T_TMP/$1.in"
	/usr/bin/python3 "$(dirname "$0")/xmpp_peer.py" --jid "$2" \
		--password "$3" --server "127.0.0.1:$XMPP_C2S_PORT" \
		<>"$T_TMP/$1.in" >"$T_TMP/$1.out" 2>"$T_TMP/$1.err" &
	T_PIDS="$T_PIDS $!"
	wait_for_line "$T_TMP/$1.out" '"event": *"online"' 15 >/dev/null
}

# xp NAME RAW-XML: the peer sends this stanza as it is.
xp() {
	n=$1
	shift
	printf 'send %s\n' "$*" >>"$T_TMP/$n.in"
}

# xp_find NAME [after=LINE] TERM...: waits (10 s) for a stanza received by
# NAME after event line LINE that matches every TERM, and prints its line.
#   name=presence|message|iq  from=JID  type=T  code=N (muc#user status,
#   repeatable)  nocode=N  nick=N (item nick)  jid=J (item jid)  nojid
#   body=TEXT  subject=TEXT  delay (a XEP-0203 stamp)  error=CONDITION
#   id=ID  role=R
xp_find() {
	/usr/bin/python3 "$T_TMP/xpfind.py" "$T_TMP/$1.out" "$@"
}

cat >"$T_TMP/xpfind.py" <<'EOF'
import json, sys, time
import xml.etree.ElementTree as ET
MUCU = '{http://jabber.org/protocol/muc#user}'
ERR = '{urn:ietf:params:xml:ns:xmpp-stanzas}'
path, terms = sys.argv[1], sys.argv[3:]
after = 0
if terms and terms[0].startswith('after='):
    after = int(terms.pop(0)[6:])

def local(tag):
    return tag.split('}')[-1]

def text_of(st, name):
    for c in st:
        if local(c.tag) == name:
            return c.text or ''
    return None

def matches(st):
    x = [c for c in st if c.tag == MUCU + 'x']
    codes = set()
    item = None
    if x:
        codes = {s.get('code') for s in x[0] if local(s.tag) == 'status'}
        items = [c for c in x[0] if local(c.tag) == 'item']
        item = items[0] if items else None
    for t in terms:
        k, _, v = t.partition('=')
        if k == 'name' and local(st.tag) != v: return False
        if k == 'from' and st.get('from') != v: return False
        if k == 'type' and (st.get('type') or 'available') != v: return False
        if k == 'id' and st.get('id') != v: return False
        if k == 'code' and v not in codes: return False
        if k == 'nocode' and v in codes: return False
        if k in ('nick', 'jid', 'role') and (item is None or item.get(k) != v):
            return False
        if k == 'nojid' and item is not None and item.get('jid'): return False
        if k in ('body', 'subject') and text_of(st, k) != v: return False
        if k == 'delay' and not any(local(c.tag) == 'delay' and c.get('stamp')
                                    for c in st): return False
        if k == 'error':
            e = [c for c in st if local(c.tag) == 'error']
            if not e or not any(c.tag == ERR + v for c in e[0]): return False
    return True

deadline = time.time() + 10
while time.time() < deadline:
    try:
        lines = open(path, encoding='utf-8').read().split('\n')
    except OSError:
        lines = []
    for n, line in enumerate(lines[after:], after + 1):
        try:
            ev = json.loads(line)
            st = ET.fromstring(ev['xml'])
        except (ValueError, KeyError, ET.ParseError):
            continue
        if matches(st):
            print(n)
            sys.exit(0)
    time.sleep(0.05)
sys.stderr.write('%s: no stanza matching %s after line %d\n'
                 % (path, ' '.join(terms), after))
sys.exit(1)
EOF

# check_find NAME PEER TERM...: a check that a stanza came; its line in $L.
check_find() {
	cf_name=$1
	shift
	if L=$(xp_find "$@"); then pass "$cf_name"; else fail "$cf_name"; L=0; fi
}

# in_order NAME A B: event line A came before line B.
in_order() {
	if [ "$2" -gt 0 ] && [ "$3" -gt "$2" ]; then pass "$1"; else
		fail "$1" "lines $2, $3"; fi
}

seen() {
	wait_for_line "$1" "$2" 10 >/dev/null
}

# --- the server and sxgw ------------------------------------------------------
if [ "$GW_SERVER" = ejabberd ]; then
	command -v ejabberdctl >/dev/null || { echo "no ejabberd"; exit 77; }
	start_ejabberd ej example.test "$ROOMS" "$USERS" ||
		{ fail "ejabberd starts"; finish; }
else
	command -v prosody >/dev/null || { echo "no prosody"; exit 77; }
	start_prosody px example.test "$ROOMS" "$USERS" ||
		{ fail "prosody starts"; finish; }
fi
for u in alice dave; do
	xmpp_register "$u" example.test "${u}pw" ||
		{ fail "$u registers"; finish; }
done

SXGW_SIP_PORT=$(free_port)
cat >"$T_TMP/sxgw.ini" <<EOF
[sip]
listen = udp:127.0.0.1:$SXGW_SIP_PORT tcp:127.0.0.1:$SXGW_SIP_PORT
[msrp]
listen = 127.0.0.1:$(free_port)
[conference]
domain = $ROOMS
history_size = 5
[xmpp]
server = 127.0.0.1:$XMPP_COMPONENT_PORT
secret = $XMPP_SECRET
domains = example.test
sip_domain = $USERS
[log]
level = debug
EOF
SXGW_LOG=$T_TMP/sxgw.log
spawn SXGW_PID "$BIN/sxgw" -f -c "$T_TMP/sxgw.ini" 2>"$SXGW_LOG"
check "sxgw starts" seen "$SXGW_LOG" 'sxgw ready'
check "the rooms' link comes up" \
	seen "$SXGW_LOG" "xmpp: link to 127.0.0.1:$XMPP_COMPONENT_PORT up as $ROOMS\$"
check "the SIP users' link comes up" \
	seen "$SXGW_LOG" "xmpp: link to 127.0.0.1:$XMPP_COMPONENT_PORT up as $USERS\$"

PROXY=sip:127.0.0.1:$SXGW_SIP_PORT
sip_user() { # NAME: sxjoin as sip:NAME@sip.example.test, JSON on NAME.out
	mkfifo "$T_TMP/$1.in"
	"$J" --json --from "sip:$1@$USERS" --proxy "$PROXY" "$ROOM_URI" \
		<>"$T_TMP/$1.in" >"$T_TMP/$1.out" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "${1}_pid=$!"
}
say() { n=$1; shift; printf '%s\n' "$*" >>"$T_TMP/$n.in"; }

xp_start alice alice@example.test alicepw || { fail "alice online"; finish; }
xp_start dave dave@example.test davepw || { fail "dave online"; finish; }
A=alice@example.test/gw
D=dave@example.test/gw
MUC="<x xmlns='http://jabber.org/protocol/muc'/>"

# --- alice creates the room ---------------------------------------------------
xp alice "<presence to='$ROOM/alice'>$MUC</presence>"
check_find "alice: self-presence with 110, 100, 201" alice name=presence \
	from="$ROOM/alice" code=110 code=100 code=201 jid="$A" \
	role=participant
a_self=$L
check_find "alice: the empty subject after it" alice after="$a_self" \
	name=message type=groupchat from="$ROOM" subject=
check "sxgw logs the join" \
	seen "$SXGW_LOG" "xmpp: $A joined design as alice\$"

# --- bob (SIP) joins after an XMPP user, speaks, sets the subject -----------
sip_user bob
check "bob joins" seen "$T_TMP/bob.out" '"event":"joined",.*"nick":"bob"'
check "bob sees alice" seen "$T_TMP/bob.out" '"event":"who",.*"nicks":\["alice","bob"\]'
check_find "alice sees bob, with his SIP address as JID" alice \
	name=presence from="$ROOM/bob" jid="bob@$USERS" nocode=110
say bob "history one"
say bob "/topic Plans"
check_find "SIP -> XMPP: alice gets bob's message" alice name=message \
	type=groupchat from="$ROOM/bob" body="history one"
check_find "alice gets bob's subject" alice name=message \
	from="$ROOM/bob" subject=Plans

# --- dave (XMPP) joins late: presences, self last, history, subject ----------
xp dave "<presence to='$ROOM/dave'>$MUC</presence>"
check_find "dave: alice's presence" dave name=presence from="$ROOM/alice" \
	jid="$A" nocode=110
d_alice=$L
check_find "dave: bob's presence" dave name=presence from="$ROOM/bob" \
	jid="bob@$USERS"
d_bob=$L
check_find "dave: self-presence, 110 and 100, no 201" dave name=presence \
	from="$ROOM/dave" code=110 code=100 nocode=201
d_self=$L
check_find "dave: history with a delay stamp" dave name=message \
	type=groupchat from="$ROOM/bob" body="history one" delay
d_hist=$L
check_find "dave: the subject" dave name=message subject=Plans \
	after="$d_self"
d_subj=$L
in_order "dave: others before self (alice)" "$d_alice" "$d_self"
in_order "dave: others before self (bob)" "$d_bob" "$d_self"
in_order "dave: self before history" "$d_self" "$d_hist"
in_order "dave: history before subject" "$d_hist" "$d_subj"
check_find "alice sees dave" alice name=presence from="$ROOM/dave" \
	jid="$D"
check "bob sees dave" seen "$T_TMP/bob.out" '"event":"join",.*"nick":"dave"'

# --- carol (SIP) joins last ---------------------------------------------------
sip_user carol
check "carol sees everyone" seen "$T_TMP/carol.out" \
	'"event":"who",.*"nicks":\["alice","bob","carol","dave"\]'
check_find "alice sees carol" alice name=presence from="$ROOM/carol"

# --- messages all four ways ---------------------------------------------------
xp alice "<message to='$ROOM' type='groupchat' id='m1'><body>x to all</body></message>"
check_find "alice's message reflected with its id" alice name=message \
	from="$ROOM/alice" id=m1 body="x to all"
check_find "XMPP -> XMPP: dave gets it" dave name=message \
	from="$ROOM/alice" body="x to all"
check "XMPP -> SIP: bob gets it" seen "$T_TMP/bob.out" \
	'"event":"message",.*"from":"alice",.*"text":"x to all"'
say carol "s to all"
check "SIP -> SIP: bob gets carol's" seen "$T_TMP/bob.out" \
	'"event":"message",.*"from":"carol",.*"text":"s to all"'
check_find "SIP -> XMPP: dave gets carol's" dave name=message \
	type=groupchat from="$ROOM/carol" body="s to all"

# --- private messages both ways ---------------------------------------------
xp alice "<message to='$ROOM/bob' type='chat'><body>psst bob</body></message>"
check "XMPP -> SIP private" seen "$T_TMP/bob.out" \
	'"event":"message",.*"from":"alice",.*"text":"psst bob","private":true'
say bob "/msg dave psst dave"
check_find "SIP -> XMPP private" dave name=message type=chat \
	from="$ROOM/bob" body="psst dave"
check "carol did not get it" sh -c "! grep -q 'psst' '$T_TMP/carol.out'"

# --- nicks: a conflict, then a change -----------------------------------------
xp dave "<presence to='$ROOM/bob'/>"
check_find "dave: bob's nick is taken: conflict" dave name=presence \
	type=error from="$ROOM/bob" error=conflict
xp dave "<presence to='$ROOM/david'/>"
check_find "dave: 303 to david, with 110" dave name=presence \
	type=unavailable from="$ROOM/dave" code=303 code=110 nick=david
check_find "dave: the new self-presence" dave name=presence \
	from="$ROOM/david" code=110 after="$L"
check_find "alice sees dave's 303" alice name=presence type=unavailable \
	from="$ROOM/dave" code=303 nick=david nocode=110
check_find "alice sees david" alice name=presence from="$ROOM/david" \
	after="$L"
check "bob sees the rename" seen "$T_TMP/bob.out" \
	'"event":"rename",.*"nick":"david",.*"old":"dave"'

# --- the subject from XMPP ----------------------------------------------------
xp alice "<message to='$ROOM' type='groupchat'><subject>New plans</subject></message>"
check "bob sees alice's subject" seen "$T_TMP/bob.out" \
	'"event":"subject",.*"text":"New plans"'
check_find "david sees it" dave name=message from="$ROOM/alice" \
	subject="New plans"

# --- a kick from SIP ----------------------------------------------------------
say bob "/kick david"
check_find "david: kicked, 307 and 110" dave name=presence \
	type=unavailable from="$ROOM/david" code=307 code=110
check_find "alice sees david go" alice name=presence type=unavailable \
	from="$ROOM/david"
check "carol sees david go" seen "$T_TMP/carol.out" \
	'"event":"leave",.*"nick":"david"'
check "sxgw logs the removal" seen "$SXGW_LOG" "xmpp: $D was removed from design"

# --- leaving ------------------------------------------------------------------
xp alice "<presence to='$ROOM/alice' type='unavailable'/>"
check_find "alice: unavailable self-presence, 110" alice name=presence \
	type=unavailable from="$ROOM/alice" code=110
check "bob sees alice leave" seen "$T_TMP/bob.out" \
	'"event":"leave",.*"nick":"alice"'
check "sxgw logs alice leaving" seen "$SXGW_LOG" "xmpp: $A left design"

# --- the room goes with its last participant, and comes back -----------------
say bob "/quit"
say carol "/quit"
wait "$bob_pid"
wait "$carol_pid"
check "the room is destroyed" seen "$SXGW_LOG" 'room design: destroyed'
n=$(wc -l <"$T_TMP/alice.out")
xp alice "<presence to='$ROOM/alice'>$MUC</presence>"
check_find "alice creates it again: 201" alice after="$n" name=presence \
	from="$ROOM/alice" code=110 code=201
check "no ghost stays in sxgw" kill -0 "$SXGW_PID"

kill "$SXGW_PID"
wait "$SXGW_PID"
expect_eq "sxgw stops cleanly" "$?" 0
check_find "alice hears of the shutdown: 332" alice name=presence \
	type=unavailable from="$ROOM/alice" code=332
finish
