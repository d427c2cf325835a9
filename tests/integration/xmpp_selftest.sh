#!/bin/sh
# The XMPP test bench proves itself against real servers: Prosody starts
# on free ports with the MUC service and two external components; two
# slixmpp peers (one registered by prosodyctl, one in-band) log in, join a
# room of the server's own MUC service and see the presences in order
# (the others first, the self-presence with 110 last), chat both ways
# (the sender's reflection keeps its id), exchange a private message via
# room/nick, change the subject, ask disco#info and ping; a component
# authenticates with the secret (XEP-0114) and exchanges messages with a
# user; Prosody, killed, restarts on the same ports with the same accounts.
# The core of it runs against ejabberd too, which must leave no Erlang VM
# behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_xmpp.sh"

if ! "$XMPP_PYTHON" -c 'import slixmpp' 2>/dev/null; then
	echo "skipped: slixmpp for $XMPP_PYTHON not installed (scripts/setup)"
	exit 77
fi

COMPONENTS="conference.sip.example.test sip.example.test"
ROOM=lobby@$XMPP_MUC_DOMAIN

# A minimal XEP-0114 component: handshake, one message to a user, then
# every byte it receives on stdout.
cat >"$T_TMP/component.py" <<'EOF'
import hashlib, re, socket, sys
port, domain, secret, user = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(('127.0.0.1', int(port)), timeout=10)
s.sendall(("<stream:stream xmlns='jabber:component:accept' "
           "xmlns:stream='http://etherx.jabber.org/streams' to='%s'>"
           % domain).encode())
buf = b''
while not re.search(rb'<stream:stream[^>]*>', buf):
    buf += s.recv(4096)
sid = re.search(rb'<stream:stream[^>]*\sid=[\'"]([^\'"]+)', buf).group(1)
s.sendall(b'<handshake>' + hashlib.sha1(sid + secret.encode()).hexdigest()
          .encode() + b'</handshake>')
buf = b''
while b'<handshake' not in buf and b'error' not in buf:
    d = s.recv(4096)
    if not d:
        break
    buf += d
print('handshake', 'ok' if b'<handshake' in buf else 'failed', flush=True)
s.sendall(("<message from='echo@%s' to='%s' type='chat' id='c1'>"
           "<body>hello from the component</body></message>"
           % (domain, user)).encode())
s.settimeout(None)
while True:
    d = s.recv(65536)
    if not d:
        break
    sys.stdout.write(d.decode('utf-8', 'replace') + '\n')
    sys.stdout.flush()
EOF

# core SERVER: the checks both servers must pass; alice and bob left in
# $ROOM, logged in as peers a-SERVER and b-SERVER.
core() {
	sv=$1
	A=a-$sv
	B=b-$sv
	check "$sv: c2s and component ports differ" \
		test "$XMPP_C2S_PORT" != "$XMPP_COMPONENT_PORT"
	check "$sv: c2s port listens" xmpp_listening "$XMPP_C2S_PORT"
	check "$sv: component port listens" xmpp_listening "$XMPP_COMPONENT_PORT"
	check "$sv: alice registered by the server's tool" \
		xmpp_register alice alicepw
	check "$sv: alice logs in" xmpp_peer AP "$A" \
		alice@example.test/r1 alicepw
	check "$sv: bob registers in-band and logs in" xmpp_peer BP "$B" \
		bob@example.test/r1 bobpw --register
	check "$sv: bob's registration reported" \
		grep -q '"event":"registered"' "$T_TMP/$B.out"

	# --- joins and presence order ------------------------------------------
	xmpp_send "$A" join "$ROOM" alice
	check "$sv: alice creates the room (201, 110)" xmpp_wait "$A" \
		"\"event\":\"presence\",\"from\":\"$ROOM/alice\",.*\"role\":\"moderator\",.*\"codes\":\[[0-9,]*(201,110|110,201)"
	xmpp_send "$B" join "$ROOM" bob 0
	check "$sv: bob's self-presence with 110" xmpp_wait "$B" \
		"\"event\":\"presence\",\"from\":\"$ROOM/bob\",.*\"codes\":\[([0-9]+,)*110"
	a_line=$(xmpp_lineno "$B" "\"event\":\"presence\",\"from\":\"$ROOM/alice\"")
	b_line=$(xmpp_lineno "$B" "\"event\":\"presence\",\"from\":\"$ROOM/bob\"")
	check "$sv: bob sees alice before himself" \
		test "${a_line:-99999}" -lt "${b_line:-0}"
	check "$sv: alice sees bob join, with his real JID" xmpp_wait "$A" \
		"\"event\":\"presence\",\"from\":\"$ROOM/bob\",.*\"jid\":\"bob@example.test/r1\""
	check "$sv: bob gets the (empty) subject after his self-presence" \
		test "$(xmpp_lineno "$B" "\"event\":\"message\",\"from\":\"$ROOM\",.*\"subject\":")" \
		-gt "${b_line:-99999}"

	# --- groupchat both ways ----------------------------------------------
	mark=$(xmpp_lines "$A")
	xmpp_send "$A" say "$ROOM" "hello bob <&>"
	id=$(xmpp_sent_id "$A" say "$mark")
	check "$sv: bob gets alice's message" xmpp_wait "$B" \
		"\"event\":\"message\",\"from\":\"$ROOM/alice\",.*\"type\":\"groupchat\",\"id\":\"[^\"]*\",\"body\":\"hello bob <&>\""
	check "$sv: alice's reflection keeps her id" xmpp_wait "$A" \
		"\"event\":\"message\",\"from\":\"$ROOM/alice\",.*\"type\":\"groupchat\",\"id\":\"$id\",\"body\":\"hello bob <&>\""
	xmpp_send "$B" say "$ROOM" "hello alice"
	check "$sv: alice gets bob's message" xmpp_wait "$A" \
		"\"event\":\"message\",\"from\":\"$ROOM/bob\",.*\"body\":\"hello alice\""

	# --- private message, subject ------------------------------------------
	xmpp_send "$B" chat "$ROOM/alice" psst
	check "$sv: private message via room/nick" xmpp_wait "$A" \
		"\"event\":\"message\",\"from\":\"$ROOM/bob\",.*\"type\":\"chat\",.*\"body\":\"psst\""
	xmpp_send "$A" subject "$ROOM" "Harness topic"
	check "$sv: bob sees the new subject from alice" xmpp_wait "$B" \
		"\"event\":\"message\",\"from\":\"$ROOM/alice\",.*\"subject\":\"Harness topic\""

	# --- disco, ping -------------------------------------------------------
	xmpp_send "$A" disco-info "$XMPP_MUC_DOMAIN"
	check "$sv: disco#info of the MUC service" xmpp_wait "$A" \
		"\"event\":\"iq\",\"from\":\"$XMPP_MUC_DOMAIN\",.*\"type\":\"result\",.*\"category\":\"conference\",\"type\":\"text\".*\"http://jabber.org/protocol/muc\""
	xmpp_send "$A" ping example.test
	check "$sv: ping the server" xmpp_wait "$A" \
		"\"event\":\"iq\",\"from\":\"example.test\",.*\"type\":\"result\",\"id\":\"$(xmpp_sent_id "$A" ping)\""

	# --- an external component ----------------------------------------------
	spawn CP "$XMPP_PYTHON" "$T_TMP/component.py" "$XMPP_COMPONENT_PORT" \
		sip.example.test "$XMPP_SECRET" alice@example.test/r1 \
		>"$T_TMP/comp-$sv.out" 2>&1
	check "$sv: component handshake with the secret" \
		xmpp_wait "comp-$sv" '^handshake ok'
	check "$sv: component to user" xmpp_wait "$A" \
		'"event":"message","from":"echo@sip.example.test",.*"body":"hello from the component"'
	xmpp_send "$A" chat bob@sip.example.test "to the component"
	check "$sv: user to component" xmpp_wait "comp-$sv" \
		'to=.bob@sip.example.test.*to the component'
	kill "$CP"
	wait "$CP" 2>/dev/null
	xmpp_forget "$CP"
}

# --- Prosody -------------------------------------------------------------------
start_prosody prosody $COMPONENTS
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "skipped: prosody not installed (scripts/setup installs it)"
	exit 77
fi
expect_eq "prosody: starts" "$rc" 0
[ "$rc" -eq 0 ] || finish
check "prosody: components configured with the secret" \
	grep -q "component_secret = \"$XMPP_SECRET\"" "$PROSODY_CFG"
core prosody

# Killed and restarted: same ports, same accounts, peers reconnect and
# rejoin.
c2s=$XMPP_C2S_PORT
comp=$XMPP_COMPONENT_PORT
stop_prosody KILL
check "prosody killed: alice disconnected" \
	xmpp_wait a-prosody '"event":"disconnected"'
check "prosody: restarts on the same ports" restart_prosody
expect_eq "prosody: same c2s port" "$XMPP_C2S_PORT" "$c2s"
expect_eq "prosody: same component port" "$XMPP_COMPONENT_PORT" "$comp"
for p in a b; do
	mark=$(xmpp_lines $p-prosody)
	xmpp_send $p-prosody reconnect
	check "prosody restarted: $p logs in again" xmpp_wait $p-prosody \
		'"event":"session_start"' 10 "$mark"
done
mark=$(xmpp_lines b-prosody)
xmpp_send a-prosody join "$ROOM" alice
xmpp_send b-prosody join "$ROOM" bob 0
check "prosody restarted: bob rejoins the room" xmpp_wait b-prosody \
	"\"event\":\"presence\",\"from\":\"$ROOM/bob\",.*\"codes\":\[([0-9]+,)*110" \
	10 "$mark"
xmpp_send a-prosody say "$ROOM" "after the restart"
check "prosody restarted: groupchat flows" xmpp_wait b-prosody \
	'"body":"after the restart"' 10 "$mark"
xmpp_send a-prosody quit
xmpp_send b-prosody quit
check "peer: quit closes the stream and exits 0" wait "$AP"
wait "$BP"
stop_prosody
check "prosody: stopped" sh -c "! kill -0 $PROSODY_PID 2>/dev/null"

# --- ejabberd ------------------------------------------------------------------
start_ejabberd ejabberd $COMPONENTS
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "ejabberd part skipped"
	finish
fi
expect_eq "ejabberd: starts" "$rc" 0
[ "$rc" -eq 0 ] || finish
core ejabberd
beam=$(cat "$EJABBERD_DIR/ejabberd.pid" 2>/dev/null)
check "ejabberd: node pid known" test -n "$beam"
check "ejabberd: distribution on loopback" \
	xmpp_listening "$EJABBERD_DIST_PORT"
check "ejabberd: the node runs without epmd" sh -c \
	"tr '\\0' ' ' </proc/${beam:-0}/cmdline | grep -q -- '-start_epmd false'"
# What lib.sh's cleanup does: TERM to the watcher ends the node too.
kill "$EJABBERD_PID"
wait "$EJABBERD_PID"
xmpp_forget "$EJABBERD_PID"
check "ejabberd: no Erlang VM left after cleanup" \
	sh -c "! kill -0 ${beam:-0} 2>/dev/null"
check "ejabberd: distribution port closed" \
	sh -c "! grep -q ':$(printf %04X "$EJABBERD_DIST_PORT") 00000000:0000 0A' /proc/net/tcp"

finish
