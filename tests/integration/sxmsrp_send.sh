#!/bin/sh
# sxmsrp-send against itself over real TCP and TLS on loopback: a 1 MiB
# chunked CPIM message, reports, refusals, timeouts, TLS verification.
. "$(dirname "$0")/lib.sh"

S=$BIN/sxmsrp-send
[ -x "$S" ] || { echo "no $S"; exit 1; }

# Starts a receiver on a free port; sets RX_PID and RX_URI.
# Usage: start_rx NAME [receiver options...]
start_rx() {
	rx_name=$1
	shift
	spawn RX_PID "$S" --listen 127.0.0.1:0 "$@" \
		>"$T_TMP/$rx_name.out" 2>"$T_TMP/$rx_name.err"
	RX_URI=$(wait_for_line "$T_TMP/$rx_name.err" '^listening on ' 10 |
		sed 's/^listening on //')
	[ -n "$RX_URI" ]
}

# --- a 1 MiB message, chunked, wrapped in CPIM, compared byte for byte --
head -c 1048576 /dev/urandom >"$T_TMP/payload"
start_rx big --count 1 --body-only
"$S" --to-path "$RX_URI" --cpim-from sip:alice@example.test \
	--cpim-to sip:room@conference.example.test --content-type \
	application/octet-stream --chunk-size 2048 "$T_TMP/payload" \
	>"$T_TMP/big.send" 2>"$T_TMP/big.send.err"
expect_eq "1 MiB: sender exits 0" "$?" 0
wait "$RX_PID"
expect_eq "1 MiB: receiver exits 0 after --count 1" "$?" 0
check "1 MiB: receiver prints exactly the bytes sent" \
	cmp -s "$T_TMP/payload" "$T_TMP/big.out"
# the CPIM wrapper adds its headers: N bytes in ceil(N / 2048) chunks,
# every one answered 200
acc=$(sed -n 's/^accepted: \([0-9]*\) bytes in \([0-9]*\) chunks.*/\1 \2/p' \
	"$T_TMP/big.send")
n=${acc% *}
k=${acc#* }
check "1 MiB: CPIM-wrapped size reported" test "${n:-0}" -gt 1048576
expect_eq "1 MiB: chunk count" "$k" $(((n + 2047) / 2048))
expect_eq "1 MiB: every chunk answered 200" \
	"$(grep -c '^< MSRP [A-Za-z0-9]* 200' "$T_TMP/big.send.err")" "$k"

# --- the same over one frame of 1 MiB, to the receiver in pieces -------
start_rx big1 --count 1 --body-only
"$S" -q --to-path "$RX_URI" --chunk-size 1048576 "$T_TMP/payload" \
	>/dev/null 2>&1
expect_eq "one 1 MiB frame: sender exits 0" "$?" 0
wait "$RX_PID"
check "one 1 MiB frame: bytes intact" cmp -s "$T_TMP/payload" \
	"$T_TMP/big1.out"

# --- CPIM headers decoded on the receiving side, success report --------
start_rx cpim --count 1
"$S" --to-path "$RX_URI" --cpim-from 'sip:alice@example.test' \
	--cpim-to 'sip:room@conference.example.test;gr=bob' --bind \
	--success-report --text 'Hello, room' >"$T_TMP/cpim.send" 2>&1
expect_eq "success report: sender exits 0" "$?" 0
wait "$RX_PID"
check "success report: acknowledged" \
	grep -q 'success reported' "$T_TMP/cpim.send"
check "success report: REPORT seen by the sender" \
	grep -q '^< MSRP [A-Za-z0-9]* REPORT .*Status: 000 200' "$T_TMP/cpim.send"
check "bind: bodiless SEND answered 200 before the message" \
	sh -c "grep -c '^< MSRP [A-Za-z0-9]* 200' '$T_TMP/cpim.send' | grep -qx 2"
check "CPIM: From decoded" grep -q '^CPIM From: <sip:alice@example.test>' \
	"$T_TMP/cpim.out"
check "CPIM: To with gr decoded" \
	grep -q '^CPIM To: <sip:room@conference.example.test;gr=bob>' \
	"$T_TMP/cpim.out"
check "CPIM: inner content type" \
	grep -q '^CPIM-Content Content-Type: text/plain;charset=UTF-8' \
	"$T_TMP/cpim.out"
check "CPIM: body as sent" grep -qx 'Hello, room' "$T_TMP/cpim.out"
check "CPIM: the bind is not counted as a message" \
	sh -c "grep -c '^Message-ID:' '$T_TMP/cpim.out' | grep -qx 1"

# --- refusals: 413 over the receiver's limit, 481 for another session ---
start_rx small --max-size 1000
head -c 5000 /dev/zero | tr '\0' x >"$T_TMP/5k"
"$S" --to-path "$RX_URI" "$T_TMP/5k" >/dev/null 2>"$T_TMP/413.err"
expect_eq "413: sender exits 3 (refused)" "$?" 3
check "413: status printed" grep -q 'refused: 413' "$T_TMP/413.err"
wrong=$(echo "$RX_URI" | sed 's|/[^/;]*;tcp$|/nosuchsession;tcp|')
"$S" --to-path "$wrong" --text hi >/dev/null 2>"$T_TMP/481.err"
expect_eq "481: sender exits 3 (refused)" "$?" 3
check "481: status printed" grep -q 'refused: 481' "$T_TMP/481.err"
"$S" -F no --to-path "$RX_URI" --text 'no report wanted' >/dev/null 2>&1
expect_eq "Failure-Report no: exits 0 once written" "$?" 0
kill "$RX_PID"

# --- connection refused, and a peer that never answers ------------------
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$S" --to-path "msrp://127.0.0.1:$port/x;tcp" --text hi >/dev/null 2>&1
expect_eq "closed port: exits 2" "$?" 2
spawn MUTE_PID /usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
while c.recv(65536): pass
' >"$T_TMP/mute.port"
mport=$(wait_for_line "$T_TMP/mute.port" '^[0-9]+$' 10)
"$S" --timeout 1 --to-path "msrp://127.0.0.1:$mport/x;tcp" --text hi \
	>/dev/null 2>"$T_TMP/timeout.err"
expect_eq "silent peer: exits 4 (timeout)" "$?" 4
check "silent peer: says so" grep -q 'timeout' "$T_TMP/timeout.err"

# --- TLS: verified with the right CA, refused without, --insecure -------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T_TMP/key.pem" \
	-out "$T_TMP/cert.pem" >/dev/null 2>&1
start_rx tls --tls --cert "$T_TMP/cert.pem" --key "$T_TMP/key.pem" --count 2
case $RX_URI in msrps://*) pass "TLS: listener URI is msrps" ;;
*) fail "TLS: listener URI is msrps" "$RX_URI" ;; esac
"$S" --to-path "$RX_URI" --ca "$T_TMP/cert.pem" --text 'over TLS' \
	>/dev/null 2>"$T_TMP/tls1.err"
expect_eq "TLS: verified connection, exits 0" "$?" 0
"$S" --to-path "$RX_URI" --text 'unverified' >/dev/null 2>"$T_TMP/tls2.err"
expect_eq "TLS: unknown CA, exits 2" "$?" 2
check "TLS: verification failure explained" \
	grep -qi 'certificate' "$T_TMP/tls2.err"
"$S" --to-path "$RX_URI" --insecure --text 'insecure' >/dev/null 2>&1
expect_eq "TLS: --insecure, exits 0" "$?" 0
wait "$RX_PID"
check "TLS: both messages received" \
	sh -c "grep -c '^Message-ID:' '$T_TMP/tls.out' | grep -qx 2"

# --- usage -----------------------------------------------------------------
"$S" >/dev/null 2>&1
expect_eq "no --to-path: exits 1" "$?" 1
"$S" --to-path 'http://x/' --text hi >/dev/null 2>&1
expect_eq "not an MSRP URI: exits 1" "$?" 1
"$S" --help | grep -q -- '--to-path'
expect_eq "--help: prints usage, exits 0" "$?" 0

finish
