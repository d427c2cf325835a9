#!/bin/sh
# The Kamailio test bench proves itself: the proxy registers a user and
# routes a record-routed call to it and back, sends the conference domain
# to sxgw's address over the transport a request came on, refuses what it
# must (483, 404); the MSRP relay grants a session by AUTH and carries a
# message, chunked, with its success report, to a client reachable only
# over that AUTH connection (RFC 4976 §7).  SIPp stands in for the SIP
# users and for sxgw, sxmsrp-send for the MSRP endpoints.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_kamailio.sh"

for t in "$KAMAILIO" sipp /usr/bin/python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "skipped: $t not installed (scripts/setup installs it)"
		exit 77
	fi
done
S=$BIN/sxmsrp-send
[ -x "$S" ] || { echo "no $S"; exit 1; }
SC=$(pwd)/scenarios/kamailio

# sipp_run NAME ARGS...: SIPp in the foreground for one call, its messages
# in $T_TMP/NAME.msg and its <log> lines in NAME.log; returns SIPp's status
# (0: the call went as scripted).
# sipp_spawn VAR NAME ARGS...: the same in the background, SIPp's own pid
# in VAR.  SIPp runs in $T_TMP so that nothing it writes lands in the tree.
sipp_exec() {
	sc_name=$1
	shift
	cd "$T_TMP" || exit 1
	exec sipp -i 127.0.0.1 -nostdin -m 1 -timeout 15s -timeout_error \
		-trace_msg -message_file "$T_TMP/$sc_name.msg" \
		-trace_err -error_file "$T_TMP/$sc_name.err" \
		-trace_logs -log_file "$T_TMP/$sc_name.log" "$@" \
		>"$T_TMP/$sc_name.screen" 2>&1
}

sipp_run() {
	(sipp_exec "$@")
}

sipp_spawn() {
	ss_var=$1
	shift
	spawn "$ss_var" sipp_exec "$@"
}

# --- the proxy ----------------------------------------------------------
SXGW_SIP_PORT=$(free_port)
SXGW_DOMAIN=conference.sip.example.test
check "proxy: starts and says it is ready" start_kamailio_proxy proxy
[ -n "${KAM_PID:-}" ] || finish
check "proxy: listens on UDP" kam_wait_bound udp "$KAM_PORT" 1
check "proxy: listens on TCP" kam_wait_bound tcp "$KAM_PORT" 1
expect_eq "proxy: KAM_URI" "$KAM_URI" "sip:127.0.0.1:$KAM_PORT"

# --- (a) REGISTER, then a call to the registered user and its BYE -------
BOB_PORT=$(free_port)
sipp_spawn BOB_PID bob -sf "$SC/uas_call.xml" -s bob -p "$BOB_PORT"
kam_wait_bound udp "$BOB_PORT"
sipp_run register -sf "$SC/register.xml" -s bob \
	-key domain sip.example.test -key contact_port "$BOB_PORT" \
	-p "$(free_port)" "127.0.0.1:$KAM_PORT"
expect_eq "register: SIPp UAC exits 0" "$?" 0
check "register: 200 lists the contact at the UAS port" \
	grep -q "^Contact: <sip:bob@127.0.0.1:$BOB_PORT>;expires=" \
	"$T_TMP/register.msg"
check "register: proxy logs the binding" grep -q \
	"kam: REGISTER sip:bob@sip.example.test from .* -> saved <sip:bob@127.0.0.1:$BOB_PORT>" \
	"$KAM_LOG"

ALICE_PORT=$(free_port)
sipp_run alice -sf "$SC/uac_call.xml" -s bob -key domain sip.example.test \
	-p "$ALICE_PORT" "127.0.0.1:$KAM_PORT"
expect_eq "call: caller's scenario completes (INVITE, ACK, BYE)" "$?" 0
wait "$BOB_PID"
expect_eq "call: callee's scenario completes" "$?" 0
check "call: INVITE reaches the contact, Request-URI rewritten" \
	grep -q "^INVITE sip:bob@127.0.0.1:$BOB_PORT SIP/2.0" "$T_TMP/bob.msg"
check "call: INVITE is record-routed by the proxy" \
	grep -q "^Record-Route: <sip:127.0.0.1:$KAM_PORT;lr" "$T_TMP/bob.msg"
check "call: BYE reaches the callee through the proxy" sh -c \
	"grep -A1 '^BYE sip:bob@127.0.0.1:$BOB_PORT' '$T_TMP/bob.msg' |
	grep -q '^Via: SIP/2.0/UDP 127.0.0.1:$KAM_PORT;'"
check "call: proxy logs the INVITE and where it went" grep -q \
	"kam: INVITE sip:bob@sip.example.test from 127.0.0.1:$ALICE_PORT/udp -> sip:bob@127.0.0.1:$BOB_PORT" \
	"$KAM_LOG"
check "call: proxy logs ACK and BYE by loose routing" sh -c \
	"grep -q 'kam: ACK sip:bob@127.0.0.1:$BOB_PORT.* from 127.0.0.1:$ALICE_PORT/udp -> ' '$KAM_LOG' &&
	grep -q 'kam: BYE sip:bob@127.0.0.1:$BOB_PORT.* from 127.0.0.1:$ALICE_PORT/udp -> ' '$KAM_LOG'"
check "call: proxy logs the replies" \
	grep -q "kam: reply 200 OK to BYE from 127.0.0.1:$BOB_PORT/udp" "$KAM_LOG"

# --- (b) the conference domain goes to sxgw, on the transport used ------
for tr in udp tcp; do
	t=u1
	[ "$tr" = tcp ] && t=t1
	sipp_spawn FOCUS_PID "focus-$tr" -sf "$SC/uas_call.xml" -s room \
		-t "$t" -p "$SXGW_SIP_PORT"
	kam_wait_bound "$tr" "$SXGW_SIP_PORT"
	sipp_run "caller-$tr" -sf "$SC/uac_call.xml" -s room \
		-key domain "$SXGW_DOMAIN" -t "$t" -p "$(free_port)" \
		"127.0.0.1:$KAM_PORT"
	expect_eq "conference over $tr: caller's scenario completes" "$?" 0
	wait "$FOCUS_PID"
	expect_eq "conference over $tr: sxgw's stand-in completes" "$?" 0
	check "conference over $tr: Request-URI kept" grep -q \
		"^INVITE sip:room@$SXGW_DOMAIN SIP/2.0" "$T_TMP/focus-$tr.msg"
	TR=$(echo "$tr" | tr '[:lower:]' '[:upper:]')
	check "conference over $tr: forwarded over $tr" grep -q \
		"^Via: SIP/2.0/$TR 127.0.0.1:$KAM_PORT;" "$T_TMP/focus-$tr.msg"
	check "conference over $tr: proxy logs the target" grep -q \
		"kam: INVITE sip:room@$SXGW_DOMAIN from .*/$tr -> sip:127.0.0.1:$SXGW_SIP_PORT;transport=$tr" \
		"$KAM_LOG"
done

# --- (c) refusals -------------------------------------------------------
sipp_run maxfwd -sf "$SC/reject.xml" -s bob -key domain sip.example.test \
	-key max_forwards 0 -p "$(free_port)" "127.0.0.1:$KAM_PORT"
expect_eq "Max-Forwards 0: scenario completes" "$?" 0
check "Max-Forwards 0: answered 483" \
	grep -q '^SIP/2.0 483 ' "$T_TMP/maxfwd.msg"
check "Max-Forwards 0: proxy logs it" \
	grep -q 'kam: INVITE sip:bob@sip.example.test .* -> 483' "$KAM_LOG"
sipp_run nobody -sf "$SC/reject.xml" -s nobody \
	-key domain sip.example.test -key max_forwards 70 \
	-p "$(free_port)" "127.0.0.1:$KAM_PORT"
expect_eq "unknown user: scenario completes" "$?" 0
check "unknown user: answered 404" \
	grep -q '^SIP/2.0 404 ' "$T_TMP/nobody.msg"
sipp_run foreign -sf "$SC/reject.xml" -s carol -key domain elsewhere.test \
	-key max_forwards 70 -p "$(free_port)" "127.0.0.1:$KAM_PORT"
expect_eq "domain not served: scenario completes" "$?" 0
check "domain not served: answered 404" \
	grep -q '^SIP/2.0 404 ' "$T_TMP/foreign.msg"

# --- (d) the MSRP relay -------------------------------------------------
check "relay: starts and says it is ready" \
	start_kamailio_msrp_relay relay
[ -n "${RELAY_PID:-}" ] || finish
expect_eq "relay: RELAY_URI" "$RELAY_URI" "msrp://127.0.0.1:$RELAY_PORT;tcp"

# An MSRP client written frame by frame: AUTH to the relay (RFC 4976 §5),
# print the status, Use-Path and Expires; with a receiver URI, then carry
# frames between the AUTH connection and the receiver, as the connection
# of a client reachable only through its relay would, logging each frame's
# first line and paths on stderr.
cat >"$T_TMP/msrp_client.py" <<'EOF'
import os, re, select, socket, sys

def frame_len(buf):
    m = re.match(rb'MSRP ([A-Za-z0-9][A-Za-z0-9.+%=-]{3,31}) ', buf)
    if m is None:
        if len(buf) >= 40 or (buf and not b'MSRP '.startswith(buf[:5])):
            sys.exit('not MSRP: %r' % buf[:40])
        return 0
    end = b'\r\n-------' + m.group(1)
    i = buf.find(end)
    if i < 0 or len(buf) < i + len(end) + 3:
        return 0
    return i + len(end) + 3

def log(tag, frame):
    lines = frame.split(b'\r\n\r\n', 1)[0].split(b'\r\n')
    keep = [lines[0]] + [l for l in lines[1:] if l.startswith(
        (b'To-Path:', b'From-Path:', b'Use-Path:', b'Expires:'))]
    sys.stderr.write('%s %s\n' % (tag, ' | '.join(
        l.decode('utf-8', 'replace') for l in keep)))
    sys.stderr.flush()

def addr(uri):
    host, port = re.match(r'msrps?://([^:/;]+):(\d+)', uri).groups()
    return host, int(port)

relay = socket.create_connection(addr(sys.argv[1]), timeout=10)
me = 'msrp://127.0.0.1:%d/%s;tcp' % (relay.getsockname()[1],
                                     os.urandom(6).hex())
tid = os.urandom(6).hex()
relay.sendall(('MSRP %s AUTH\r\nTo-Path: %s\r\nFrom-Path: %s\r\n'
               '-------%s$\r\n' % (tid, sys.argv[1], me, tid)).encode())
buf = b''
while frame_len(buf) == 0:
    d = relay.recv(65536)
    if not d:
        sys.exit('relay closed before answering AUTH')
    buf += d
n = frame_len(buf)
resp, buf = buf[:n], buf[n:]
log('relay->client', resp)
print('status', resp.split(b'\r\n')[0].split()[2].decode(), flush=True)
for line in resp.split(b'\r\n'):
    name, _, value = line.partition(b':')
    if name in (b'Use-Path', b'Expires'):
        print(name.decode().lower(), value.strip().decode(), flush=True)
if len(sys.argv) < 3:
    sys.exit(0)

rx = socket.create_connection(addr(sys.argv[2]), timeout=10)
relay.settimeout(None)
rx.settimeout(None)
pending = {relay: buf, rx: b''}
other = {relay: rx, rx: relay}
tag = {relay: 'relay->receiver', rx: 'receiver->relay'}
while True:
    for s in select.select([relay, rx], [], [])[0]:
        d = s.recv(65536)
        if not d:
            sys.stderr.write('%s closed\n' % tag[s])
            sys.exit(0)
        pending[s] += d
        while True:
            n = frame_len(pending[s])
            if n == 0:
                break
            f, pending[s] = pending[s][:n], pending[s][n:]
            log(tag[s], f)
            other[s].sendall(f)
EOF

/usr/bin/python3 "$T_TMP/msrp_client.py" "$RELAY_URI" \
	>"$T_TMP/auth.out" 2>"$T_TMP/auth.err"
expect_eq "AUTH: client exits 0" "$?" 0
# Without auth checks in its configuration Kamailio never sends 401: a
# Digest challenge would be the script's doing, not the module's.
expect_eq "AUTH: 200 without a Digest challenge" \
	"$(sed -n 's/^status //p' "$T_TMP/auth.out")" 200
check "AUTH: Use-Path is a session URI on the relay" grep -Eq \
	"^use-path msrp://127\.0\.0\.1:$RELAY_PORT/[^/;]+;tcp$" "$T_TMP/auth.out"
exp=$(sed -n 's/^expires //p' "$T_TMP/auth.out")
check "AUTH: Expires granted, at most auth_max_expires" \
	test "${exp:-0}" -gt 0 -a "${exp:-0}" -le 3600
check "AUTH: relay logs the saved session" \
	grep -q 'relay: AUTH .* -> 200' "$RELAY_LOG"

# The receiver is reachable only over the connection that AUTHed: what
# the relay forwards by the session goes through that connection.
spawn RX_PID "$S" --listen 127.0.0.1:0 --count 2 --body-only \
	>"$T_TMP/rx.out" 2>"$T_TMP/rx.err"
RX_URI=$(wait_for_line "$T_TMP/rx.err" '^listening on ' 10 |
	sed 's/^listening on //')
spawn BRIDGE_PID /usr/bin/python3 "$T_TMP/msrp_client.py" "$RELAY_URI" \
	"$RX_URI" >"$T_TMP/bridge.out" 2>"$T_TMP/bridge.err"
USE_PATH=$(wait_for_line "$T_TMP/bridge.out" '^use-path ' 10 |
	sed 's/^use-path //')
check "relayed: receiver's client got a Use-Path" test -n "$USE_PATH"

printf 'hello through the relay' >"$T_TMP/expected"
"$S" --to-path "$USE_PATH $RX_URI" --text 'hello through the relay' \
	>"$T_TMP/send1.out" 2>"$T_TMP/send1.err"
expect_eq "relayed: SEND accepted (sender exits 0)" "$?" 0
# 8 KiB chunks need the relay's tcp_rd_buf_size of 16384.
head -c 20000 /dev/urandom >"$T_TMP/payload"
cat "$T_TMP/payload" >>"$T_TMP/expected"
"$S" --to-path "$USE_PATH $RX_URI" --chunk-size 8192 --success-report \
	"$T_TMP/payload" >"$T_TMP/send2.out" 2>"$T_TMP/send2.err"
expect_eq "relayed: 3 chunks of 8 KiB accepted (sender exits 0)" "$?" 0
check "relayed: success REPORT came back through the relay" \
	grep -q 'success reported' "$T_TMP/send2.out"
wait "$RX_PID"
expect_eq "relayed: receiver exits 0 after 2 messages" "$?" 0
check "relayed: receiver prints exactly the bytes sent" \
	cmp -s "$T_TMP/expected" "$T_TMP/rx.out"
check "relayed: SENDs crossed the AUTH connection, relay off the To-Path" \
	grep -q "^relay->receiver MSRP [^ ]* SEND | To-Path: $RX_URI | From-Path: $USE_PATH msrp://127.0.0.1:" \
	"$T_TMP/bridge.err"
check "relayed: the REPORT left by the AUTH connection" \
	grep -q "^receiver->relay MSRP [^ ]* REPORT | To-Path: $USE_PATH msrp://127.0.0.1:" \
	"$T_TMP/bridge.err"
check "relayed: relay forwarded the SENDs by the session" \
	grep -q "relay: SEND .* -> $RX_URI by session " "$RELAY_LOG"
check "relayed: relay forwarded the REPORT by address" \
	grep -q 'relay: REPORT .* by address ' "$RELAY_LOG"
check "relayed: relay answered each SEND itself (hop by hop)" sh -c \
	"grep -c 'relay: SEND .* answered 200' '$RELAY_LOG' | grep -qx 4"
check "relayed: relay did not answer the REPORT" \
	sh -c "! grep -q 'relay: REPORT .* answered' '$RELAY_LOG'"
check "relayed: receiver's 200s stop at the relay (hop by hop)" \
	grep -q 'relay: response 200 .* -> consumed' "$RELAY_LOG"

"$S" --to-path "msrp://127.0.0.1:$RELAY_PORT/nosuchsession;tcp $RX_URI" \
	--text hi >/dev/null 2>"$T_TMP/send481.err"
expect_eq "unknown relay session: sender exits 3 (refused)" "$?" 3
check "unknown relay session: 481" \
	grep -q 'refused: 481' "$T_TMP/send481.err"

finish
