#!/bin/sh
# sxjoin through an MSRP relay (RFC 4976): a real sxgw, Kamailio's msrp
# module as the relay, two participants, alice directly and bob through
# the relay.  Bob AUTHs, offers a two-hop a=path (the relay's Use-Path,
# then his own URI), joins, chats both ways, publicly and privately, sends
# a long message that crosses the relay in chunks of at most 10 000 bytes
# (Kamailio drops frames of 11 000 bytes or more), and leaves.  Then the
# Digest challenge (RFC 4976 §5.1) against a scripted relay: answered with
# --relay-auth, refused without, refused with a wrong password.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_kamailio.sh"

for t in "$KAMAILIO" /usr/bin/python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "skipped: $t not installed (scripts/setup installs it)"
		exit 77
	fi
done
J=$BIN/sxjoin
[ -x "$J" ] || { echo "no $J"; exit 1; }
[ -x "$BIN/sxgw" ] || { echo "no $BIN/sxgw"; exit 77; }

export TZ=UTC

seen() {
	wait_for_line "$1" "$2" 10 >/dev/null
}

check "sxgw starts" start_sxgw sxgw
[ -n "${SXGW_PID:-}" ] || finish
check "relay starts" start_kamailio_msrp_relay relay
[ -n "${RELAY_PID:-}" ] || finish
ROOM=sip:lab@$SXGW_DOMAIN
PROXY=sip:127.0.0.1:$SXGW_SIP_PORT

mkfifo "$T_TMP/a.in" "$T_TMP/b.in"
exec 3<>"$T_TMP/a.in" 4<>"$T_TMP/b.in"
A=$T_TMP/a.out
B=$T_TMP/b.out

"$J" --from sip:alice@example.test --proxy "$PROXY" "$ROOM" \
	<"$T_TMP/a.in" >"$A" 2>&1 &
AP=$!
T_PIDS="$T_PIDS $AP"
check "alice joins directly" seen "$A" "\*\*\* joined $ROOM as alice$"

# --- bob through the relay: AUTH, then the offer ----------------------------
# TPORT_LOG makes sofia-sip print every SIP message bob sends: his offer.
# A chunk size over the relay's limit is lowered to 10 000 bytes.
TPORT_LOG=1 "$J" --from sip:bob@example.test --proxy "$PROXY" \
	--relay "$RELAY_URI" --chunk-size 16384 "$ROOM" \
	<"$T_TMP/b.in" >"$B" 2>"$T_TMP/b.sip" &
BP=$!
T_PIDS="$T_PIDS $BP"
USE_PATH=$(wait_for_line "$B" "\*\*\* relay $RELAY_URI: session " 10 |
	sed 's/.*: session //')
check "bob: the relay granted a session URI on itself" sh -c \
	"echo '$USE_PATH' | grep -Eqx 'msrp://127\.0\.0\.1:$RELAY_PORT/[^ ]+;tcp'"
check "relay: bob's AUTH named the relay as To-Path" \
	grep -q "relay: AUTH .* To-Path $RELAY_URI \.\.\. $RELAY_URI\$" "$RELAY_LOG"
check "relay: bob's AUTH was saved" \
	grep -q "relay: AUTH .* -> 200" "$RELAY_LOG"
check "relay: bob's AUTH came before anything else of his" sh -c \
	"grep -m1 -E 'relay: (AUTH|SEND|NICKNAME) ' '$RELAY_LOG' | grep -q AUTH"
check "bob joins through the relay" seen "$B" "\*\*\* joined $ROOM as bob$"
check "bob's offer: a=path is the Use-Path, then bob's own URI" grep -Eq \
	"^ *a=path:$USE_PATH msrp://127\.0\.0\.1:[0-9]+/[^ ]+;tcp\$" \
	"$T_TMP/b.sip"
check "alice sees bob join" seen "$A" '\*\*\* bob joined$'
check "bob sees who is there" seen "$B" '\*\*\* in the room \(2\): alice, bob$'
check "relay: bob's SENDs leave by address, To-Path from his session" \
	grep -q "relay: SEND .* -> msrp://127.0.0.1:$SXGW_MSRP_PORT/.* by address " \
	"$RELAY_LOG"

# --- messages both ways, private ones ---------------------------------------
echo "hello from alice" >&3
check "bob gets alice's message through the relay" \
	seen "$B" '<alice> hello from alice$'
check "relay: the room's SEND reached bob over his AUTH connection" \
	grep -q "relay: SEND .* by session " "$RELAY_LOG"
echo "hello from bob" >&4
check "alice gets bob's message" seen "$A" '<bob> hello from bob$'
echo "/msg bob only for you" >&3
check "bob gets alice's private message" \
	seen "$B" '\(private\) <alice> only for you$'
echo "/msg alice and for you" >&4
check "alice gets bob's private message" \
	seen "$A" '\(private\) <bob> and for you$'
check "bob's private message reported sent" \
	seen "$B" '[-]> \(private\) <alice> and for you$'

# --- a long message: 40 000 bytes on one line, chunks of 10 000 -------------
sends_before=$(grep -c "relay: SEND .* by address " "$RELAY_LOG")
long=$(/usr/bin/python3 -c 'print("".join(chr(97 + i % 26) for i in range(40000)))')
printf '%s\n' "$long" >&4
check "bob's long message reported sent" seen "$B" '<bob> abcdefghijklmnopqrstuvwxyzabcd'
check "alice gets the long message whole" \
	grep -q "<bob> $long\$" "$A"
sends_after=$(grep -c "relay: SEND .* by address " "$RELAY_LOG")
# about 40 200 bytes of CPIM: five chunks of at most 10 000 bytes
expect_eq "the long message crossed the relay in 5 chunks" \
	"$((sends_after - sends_before))" 5

# --- leaving ------------------------------------------------------------------
echo "/quit" >&4
wait "$BP"
expect_eq "bob leaves: exits 0" "$?" 0
check "alice sees bob leave" seen "$A" '\*\*\* bob left'
echo "/quit" >&3
wait "$AP"
expect_eq "alice leaves: exits 0" "$?" 0

# --- Digest (RFC 4976 §5.1), against a scripted relay -----------------------
# It answers the first AUTH 401 with a challenge, checks the second AUTH's
# Authorization (A2 = "AUTH:" and the relay's URI, qop=auth) and answers
# 200 with a Use-Path when it is right, 401 (stale=false) when not; it
# logs what it got.
cat >"$T_TMP/digest_relay.py" <<'EOF'
import hashlib, os, re, socket, sys

user, pw, portfile = sys.argv[1], sys.argv[2], sys.argv[3]
ls = socket.socket()
ls.bind(('127.0.0.1', 0))
ls.listen(1)
port = ls.getsockname()[1]
uri = 'msrp://127.0.0.1:%d;tcp' % port
with open(portfile + '.tmp', 'w') as f:
    f.write(uri + '\n')
os.rename(portfile + '.tmp', portfile)
conn, _ = ls.accept()
buf = b''
nonce = os.urandom(8).hex()

def H(s):
    return hashlib.md5(s.encode()).hexdigest()

def frames():
    global buf
    while True:
        m = re.match(rb'MSRP (\S+) ', buf)
        if m:
            end = b'\r\n-------' + m.group(1)
            i = buf.find(end)
            if i >= 0 and len(buf) >= i + len(end) + 3:
                n = i + len(end) + 3
                f, buf = buf[:n], buf[n:]
                yield f.decode()
                continue
        d = conn.recv(65536)
        if not d:
            return
        buf += d

def answer(f, status, extra=''):
    tid = f.split()[1]
    frm = re.search(r'^From-Path: (\S+)', f, re.M).group(1)
    conn.sendall(('MSRP %s %s\r\nTo-Path: %s\r\nFrom-Path: %s\r\n%s'
                  '-------%s$\r\n' % (tid, status, frm, uri, extra, tid))
                 .encode())

for f in frames():
    first = f.split('\r\n')[0]
    if not first.endswith(' AUTH'):
        print('other', first, flush=True)
        continue
    to = re.search(r'^To-Path: (.*)$', f, re.M).group(1).strip()
    m = re.search(r'^Authorization: Digest (.*)$', f, re.M)
    if m is None:
        print('auth without credentials to', to, flush=True)
        answer(f, '401 Unauthorized', 'WWW-Authenticate: Digest '
               'realm="relay.test", nonce="%s", qop="auth"\r\n' % nonce)
        continue
    p = {k: a for k, a in re.findall(r'(\w+)="?([^",]*)"?', m.group(1))}
    ha1 = H('%s:relay.test:%s' % (user, pw))
    ha2 = H('AUTH:' + uri)
    want = H(':'.join([ha1, nonce, p.get('nc', ''), p.get('cnonce', ''),
                       'auth', ha2]))
    ok = (p.get('username') == user and p.get('nonce') == nonce and
          p.get('qop') == 'auth' and p.get('response') == want)
    print('credentials', 'ok' if ok else 'wrong', 'nc', p.get('nc'),
          flush=True)
    if ok:
        answer(f, '200 OK', 'Use-Path: msrp://127.0.0.1:%d/s1;tcp\r\n'
               'Expires: 600\r\n' % port)
    else:
        answer(f, '401 Unauthorized', 'WWW-Authenticate: Digest '
               'realm="relay.test", nonce="%s", qop="auth", '
               'stale=false\r\n' % os.urandom(8).hex())
EOF

# digest_run NAME [sxjoin options]: a scripted relay for user bob,
# password s3cret, and an sxjoin that uses it with the options given.
digest_run() {
	dn=$1
	shift
	spawn DR_PID /usr/bin/python3 "$T_TMP/digest_relay.py" bob s3cret \
		"$T_TMP/$dn.uri" >"$T_TMP/$dn.relay" 2>&1
	DR_URI=$(wait_for_line "$T_TMP/$dn.uri" '^msrp://' 10)
	"$J" --from sip:bob@example.test --proxy "$PROXY" \
		--relay "$DR_URI" "$@" "$ROOM" </dev/null >"$T_TMP/$dn.out" 2>&1 &
	DJ_PID=$!
	T_PIDS="$T_PIDS $DJ_PID"
}

digest_run good --relay-auth bob:s3cret --exit-after-idle 30
check "digest: the relay's challenge is answered, the session granted" \
	seen "$T_TMP/good.out" "\*\*\* relay $DR_URI: session msrp://127\.0\.0\.1:[0-9]*/s1;tcp$"
check "digest: the response is right (RFC 4976 A2, qop=auth, nc 1)" \
	grep -q '^credentials ok nc 00000001$' "$T_TMP/good.relay"
kill -TERM "$DJ_PID"
wait "$DJ_PID"
kill "$DR_PID" 2>/dev/null

digest_run none
wait "$DJ_PID"
expect_eq "digest: without --relay-auth the join fails (exit 2)" "$?" 2
check "digest: and says credentials are needed" grep -q \
	"!!! join failed: relay $DR_URI: the relay wants credentials" \
	"$T_TMP/none.out"
kill "$DR_PID" 2>/dev/null

digest_run wrong --relay-auth bob:guess
wait "$DJ_PID"
expect_eq "digest: a wrong password fails the join (exit 2)" "$?" 2
check "digest: the refusal is reported" grep -q \
	"!!! join failed: relay $DR_URI: credentials of bob refused" \
	"$T_TMP/wrong.out"
check "digest: the wrong response was tried once" sh -c \
	"grep -c '^credentials wrong' '$T_TMP/wrong.relay' | grep -qx 1"
kill "$DR_PID" 2>/dev/null

check "sxgw still runs" kill -0 "$SXGW_PID"
finish
