#!/bin/sh
# sxjoin against scripted peers on loopback: SIPp scenarios for the
# INVITE and its outcomes (scenarios/sxjoin/*.xml), a scripted focus for
# the conference subscription and REFERs (fake_focus.py) and a scripted
# MSRP switch (fake_switch.py).  Every port is picked free per run.
. "$(dirname "$0")/lib.sh"

J=$BIN/sxjoin
SC=scenarios/sxjoin
PY=/usr/bin/python3
[ -x "$J" ] || { echo "no $J"; exit 1; }
command -v sipp >/dev/null 2>&1 || { echo "sipp is not installed"; exit 77; }
[ -x "$PY" ] || { echo "no $PY"; exit 77; }

export TZ=UTC
ME=sip:alice@example.test

# Starts the scripted switch in $T_TMP/$1 (its CPIM files land there);
# sets SW_PID and SW_PATH.  Extra arguments go to fake_switch.py.
start_switch() {
	mkdir -p "$T_TMP/$1"
	d=$T_TMP/$1
	shift
	(cd "$d" && exec $PY "$OLDPWD/$SC/fake_switch.py" "$@") \
		>"$d/switch.out" 2>&1 &
	SW_PID=$!
	T_PIDS="$T_PIDS $SW_PID"
	SW_PATH=$(wait_for_line "$d/switch.out" '^path ' 10 | sed 's/^path //')
}

# Starts the scripted focus; sets FF_PID and FF_PORT.
start_focus() {
	spawn FF_PID $PY $SC/fake_focus.py "$2" >"$T_TMP/$1.focus" 2>&1
	FF_PORT=$(wait_for_line "$T_TMP/$1.focus" '^port ' 10 | sed 's/^port //')
}

# Waits until something (SIPp) has bound UDP port $1 on 127.0.0.1: an
# INVITE sent before would meet ICMP port unreachable and fail at once.
wait_bound() {
	$PY -c '
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(0)
    s.close()
    time.sleep(0.02)
sys.exit(1)' "$1"
}

# Opens fifo $1 on fd 3 without blocking (read-write), so that a program
# started with <$1 starts at once; "exec 3>&-" is then its end of input.
# (Not through spawn: a background job's stdin is /dev/null unless the
# job itself redirects it.)
open_input() {
	mkfifo "$1"
	exec 3<>"$1"
}

# Records the last background job for cleanup, in VAR.
track() {
	eval "$1=$!"
	T_PIDS="$T_PIDS $!"
}

port_of() {
	echo "$1" | sed 's|^msrp://[^:]*:\([0-9]*\)/.*|\1|'
}

# --- usage -----------------------------------------------------------------
"$J" >/dev/null 2>&1
expect_eq "no ROOM-URI: exits 1" "$?" 1
"$J" --wait-for-calls >/dev/null 2>&1
expect_eq "--wait-for-calls without --from: exits 1" "$?" 1
"$J" --from "$ME" http://example.test/ </dev/null >/dev/null 2>&1
expect_eq "ROOM-URI not SIP: exits 1" "$?" 1
expect_eq "--version" "$("$J" --version)" "sxjoin (sxgw) 0.1.0"
"$J" --help | grep -q -- '--wait-for-calls'
expect_eq "--help: prints usage, exits 0" "$?" 0

# --- a refused join: the INVITE is checked, the status printed, exit 2 ---
P=$(free_port)
spawn SIPP sipp -sf $SC/uas_reject.xml -i 127.0.0.1 -p "$P" -m 1 -nostdin \
	-timeout 20s -timeout_error >"$T_TMP/488.sipp" 2>&1
wait_bound "$P"
"$J" --from "$ME" "sip:room@127.0.0.1:$P" </dev/null >"$T_TMP/488.out" \
	2>"$T_TMP/488.err"
expect_eq "488: exits 2" "$?" 2
wait "$SIPP"
expect_eq "488: the INVITE's MSRP offer passed every check" "$?" 0
check "488: status on stdout" \
	grep -q '^\[..:..:..\] !!! join failed: 488 Not Acceptable Here$' \
	"$T_TMP/488.out"
check "488: status on stderr" \
	grep -qx 'sxjoin: join failed: 488 Not Acceptable Here' "$T_TMP/488.err"

P=$(free_port)
spawn SIPP sipp -sf $SC/uas_reject.xml -i 127.0.0.1 -p "$P" -m 1 -nostdin \
	-timeout 20s -timeout_error >"$T_TMP/json488.sipp" 2>&1
wait_bound "$P"
"$J" --json --from "$ME" "sip:nosuchroom@127.0.0.1:$P" </dev/null \
	>"$T_TMP/json488.out" 2>/dev/null
expect_eq "488 (--json): exits 2" "$?" 2
wait "$SIPP"
check "488 (--json): error event with the status" \
	grep -q '^{"event":"error","time":"[-0-9T:.]*Z","what":"join","status":488,"text":"join failed: 488 Not Acceptable Here"}$' \
	"$T_TMP/json488.out"

# --- an answer without message/cpim: ACK, BYE, exit 2 ----------------------
P=$(free_port)
spawn SIPP sipp -sf $SC/uas_join.xml -i 127.0.0.1 -p "$P" -m 1 -nostdin \
	-timeout 20s -timeout_error -key msrp_path "msrp://127.0.0.1:9/x;tcp" \
	-key msrp_host 127.0.0.1 -key msrp_port 9 -key types text/plain \
	>"$T_TMP/nocpim.sipp" 2>&1
wait_bound "$P"
"$J" --from "$ME" "sip:room@127.0.0.1:$P" </dev/null >"$T_TMP/nocpim.out" \
	2>&1
expect_eq "answer without message/cpim: exits 2" "$?" 2
wait "$SIPP"
expect_eq "answer without message/cpim: ACK then BYE" "$?" 0
check "answer without message/cpim: says why" \
	grep -q 'join failed: the room does not take message/cpim' \
	"$T_TMP/nocpim.out"

# --- the switch's path does not answer: BYE, exit 2 -------------------------
P=$(free_port)
dead=$(free_port)
spawn SIPP sipp -sf $SC/uas_join.xml -i 127.0.0.1 -p "$P" -m 1 -nostdin \
	-timeout 20s -timeout_error \
	-key msrp_path "msrp://127.0.0.1:$dead/x;tcp" -key msrp_host 127.0.0.1 \
	-key msrp_port "$dead" -key types message/cpim >"$T_TMP/dead.sipp" 2>&1
wait_bound "$P"
"$J" --from "$ME" "sip:room@127.0.0.1:$P" </dev/null >"$T_TMP/dead.out" 2>&1
expect_eq "MSRP connection refused: exits 2" "$?" 2
wait "$SIPP"
expect_eq "MSRP connection refused: BYE sent" "$?" 0
check "MSRP connection refused: says so" \
	grep -q 'join failed: MSRP: ' "$T_TMP/dead.out"

# --- SIGTERM while the room rings: CANCEL, exit 2 ---------------------------
P=$(free_port)
spawn SIPP sipp -sf $SC/uas_ring.xml -i 127.0.0.1 -p "$P" -m 1 -nostdin \
	-timeout 20s -timeout_error >"$T_TMP/ring.sipp" 2>&1
wait_bound "$P"
open_input "$T_TMP/ring.in"
"$J" --from "$ME" "sip:room@127.0.0.1:$P" <"$T_TMP/ring.in" \
	>"$T_TMP/ring.out" 2>&1 &
track SJ
sleep 1
kill -TERM "$SJ"
wait "$SJ"
expect_eq "SIGTERM while ringing: exits 2" "$?" 2
exec 3>&-
wait "$SIPP"
expect_eq "SIGTERM while ringing: CANCEL, 487 acknowledged" "$?" 0
check "SIGTERM while ringing: says so" \
	grep -q 'join cancelled: terminated' "$T_TMP/ring.out"

# --- a join: bind, nickname, messages both ways (SIPp + switch) -------------
P=$(free_port)
start_switch join "sip:room@127.0.0.1:$P" taken
spawn SIPP sipp -sf $SC/uas_join.xml -i 127.0.0.1 -p "$P" -m 1 -nostdin \
	-timeout 20s -timeout_error -key msrp_path "$SW_PATH" \
	-key msrp_host 127.0.0.1 -key msrp_port "$(port_of "$SW_PATH")" \
	-key types message/cpim >"$T_TMP/join.sipp" 2>&1
wait_bound "$P"
printf 'hello room\n/msg bob psst back\n/nick taken\n/nick alice2\n//slash\n' |
	"$J" --from "$ME" "sip:room@127.0.0.1:$P" >"$T_TMP/join.out" 2>&1
expect_eq "join: exits 0 after the end of input" "$?" 0
wait "$SIPP"
expect_eq "join: SIPp saw INVITE, ACK, BYE" "$?" 0
O=$T_TMP/join.out
S=$T_TMP/join/switch.out
check "join: joined event" \
	grep -qx "\[..:..:..\] \*\*\* joined sip:room@127.0.0.1:$P as alice" "$O"
expect_eq "join: bodiless SEND first, then NICKNAME" \
	"$(sed -n '1d;2,3p' "$S" | tr '\n' '|')" 'SEND bind|NICKNAME "alice"|'
check "join: sender, time and text" \
	grep -qx '\[18:30:00\] <bob> hello .\[31malice' "$O"
check "join: the ESC never reaches the terminal" \
	sh -c "! grep -q \"$(printf '\033')\" '$O'"
check "join: second line of a message keeps the prefix" \
	grep -qx '\[18:30:00\] <bob> second line' "$O"
check "join: private message marked" \
	grep -qx '\[18:30:00\] (private) <bob> psst' "$O"
check "join: a body that is not text shown by type and size" \
	grep -qx '\[18:30:00\] <bob> \[image/png, 9 bytes\]' "$O"
check "join: subject change with who made it" \
	grep -qx '\[18:30:00\] \*\*\* bob set the subject: Plans for "May"' "$O"
check "join: our message echoed once accepted" \
	grep -qx '\[..:..:..\] <alice> hello room' "$O"
check "join: our private message echoed" \
	grep -qx '\[..:..:..\] -> (private) <bob> psst back' "$O"
check "join: 425 shown" \
	grep -q '!!! nickname taken refused: 425' "$O"
check "join: the next /nick works" \
	grep -qx '\[..:..:..\] \*\*\* you are now known as alice2' "$O"
check "join: //slash sends /slash" \
	grep -qx '\[..:..:..\] <alice2> /slash' "$O"
check "join: left at the end of input" \
	grep -q '\*\*\* left .* (end of input)$' "$O"
check "join: CPIM From is our AOR, named by our nick" \
	grep -q '^From: "alice" <sip:alice@example.test>' "$T_TMP/join/cpim-1"
check "join: CPIM To is the room" \
	grep -q "^To: <sip:room@127.0.0.1:$P>" "$T_TMP/join/cpim-1"
check "join: CPIM DateTime" \
	grep -q '^DateTime: 20..-..-..T..:..:..\....Z' "$T_TMP/join/cpim-1"
check "join: CPIM body as typed" \
	sh -c "tail -c 10 '$T_TMP/join/cpim-1' | grep -qx 'hello room'"
check "join: private CPIM To carries ;gr=nick" \
	grep -q "^To: <sip:room@127.0.0.1:$P;gr=bob>" "$T_TMP/join/cpim-2"

# --- roster from NOTIFYs, gap and refresh, REFERs (scripted focus) ----------
start_switch roster sip:room@example.test nobody
start_focus roster "$SW_PATH"
open_input "$T_TMP/roster.in"
"$J" --json --from "$ME" "sip:room@127.0.0.1:$FF_PORT" \
	<"$T_TMP/roster.in" >"$T_TMP/roster.out" 2>&1 &
track SJ
O=$T_TMP/roster.out
wait_for_line "$O" '"event":"join","[^}]*"nick":"erin"' 10 >/dev/null
echo "/invite frank@example.test" >&3
echo "/kick dave" >&3
wait_for_line "$O" '"event":"refer",.*"action":"kick".*"status":200' 10 \
	>/dev/null
echo "/quit" >&3
wait "$SJ"
expect_eq "roster: exits 0 after /quit" "$?" 0
exec 3>&-
ev() {
	sed -n 's/^{"event":"\([a-z]*\)","time":"[^"]*",\(.*\)}$/\1 \2/p' "$O" |
		grep -v '^message \|^subject "from"'
}
ev >"$T_TMP/roster.ev"
cat >"$T_TMP/roster.want" <<EOF
joined "room":"sip:room@127.0.0.1:$FF_PORT","nick":"alice","aor":"sip:alice@example.test"
who "room":"sip:room@127.0.0.1:$FF_PORT","nicks":["alice","bob"]
subject "text":"Welcome"
join "nick":"carol","aor":"sip:carol@example.test"
rename "nick":"robert","aor":"sip:bob@example.test","old":"bob"
leave "nick":"carol","aor":"sip:carol@example.test","reason":"booted"
join "nick":"dave","aor":"sip:dave@example.test"
join "nick":"erin","aor":"sip:erin@example.test"
subject "text":"New subject"
refer "action":"invite","target":"sip:frank@example.test","status":202,"text":"Accepted","final":false
refer "action":"kick","target":"sip:dave@example.test","status":202,"text":"Accepted","final":false
refer "action":"invite","target":"sip:frank@example.test","status":100,"text":"Trying","final":false
refer "action":"kick","target":"sip:dave@example.test","status":100,"text":"Trying","final":false
refer "action":"invite","target":"sip:frank@example.test","status":200,"text":"OK","final":true
refer "action":"kick","target":"sip:dave@example.test","status":200,"text":"OK","final":true
left "room":"sip:room@127.0.0.1:$FF_PORT","reason":"quit"
EOF
grep -v '^refer' "$T_TMP/roster.want" >"$T_TMP/roster.want.rest"
grep -v '^refer' "$T_TMP/roster.ev" >"$T_TMP/roster.ev.rest"
check "roster: joins, leaves, renames, subjects in order (JSON)" \
	cmp -s "$T_TMP/roster.ev.rest" "$T_TMP/roster.want.rest"
for a in invite kick; do
	grep "^refer \"action\":\"$a\"" "$T_TMP/roster.want" >"$T_TMP/want.$a"
	grep "^refer \"action\":\"$a\"" "$T_TMP/roster.ev" >"$T_TMP/ev.$a"
	check "roster: /$a: 202, then the sipfrag NOTIFYs in order" \
		cmp -s "$T_TMP/ev.$a" "$T_TMP/want.$a"
done
check "roster: the user of the skipped version never shows" \
	sh -c "! grep -q zed '$O'"
expect_eq "roster: refreshed after the gap" \
	"$(grep -c '^SUBSCRIBE Expires=600 Event=conference$' "$T_TMP/roster.focus")" 2
check "roster: REFER to invite" \
	grep -qx 'REFER <sip:frank@example.test> Referred-By=<sip:alice@example.test>' \
	"$T_TMP/roster.focus"
check "roster: REFER with method=BYE to kick, by nickname" \
	grep -qx 'REFER <sip:dave@example.test;method=BYE> Referred-By=<sip:alice@example.test>' \
	"$T_TMP/roster.focus"
check "roster: unsubscribed and BYE" \
	sh -c "grep -q '^SUBSCRIBE Expires=0' '$T_TMP/roster.focus' && grep -qx BYE '$T_TMP/roster.focus'"

# --- on a terminal: completion, events above the line being typed ---------
cat >"$T_TMP/drive_terminal.py" <<'EOF'
import os, pty, re, select, signal, sys, time
argv, switch = sys.argv[1:-1], int(sys.argv[-1])
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm"
    os.execv(argv[0], argv)
out = b""
def until(what, secs=10):
    global out
    end = time.time() + secs
    while what not in out and time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return what in out
until(b"subject: New subject")
os.write(fd, b"/ms\t")
if until(b"/msg ", 3):
    print("completes a command")
os.write(fd, b"ro\t")
if until(b"robert ", 3):
    print("completes a nickname")
mark = len(out)
os.kill(switch, signal.SIGTERM)
if until(b"MSRP session lost", 5):
    # the event, then the prompt and the unfinished line drawn again
    until(b"alice> /msg robert ", 2)
    rest = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", out[mark:])
    if re.search(rb"MSRP session lost[^\n]*\n[^\n]*alice> /msg robert ",
                 rest):
        print("line kept below the event")
_, status = os.waitpid(pid, 0)
print("exit %d" % (status >> 8))
EOF
start_switch pty sip:room@example.test nobody
start_focus pty "$SW_PATH"
$PY "$T_TMP/drive_terminal.py" "$J" --from "$ME" "sip:room@127.0.0.1:$FF_PORT" "$SW_PID" \
	>"$T_TMP/pty.out" 2>&1
for what in "completes a command" "completes a nickname" \
	"line kept below the event"; do
	check "terminal: $what" grep -qx "$what" "$T_TMP/pty.out"
done
check "terminal: exits 3 when the room's MSRP connection goes" \
	grep -qx "exit 3" "$T_TMP/pty.out"

# --- --exit-after-idle -------------------------------------------------------
start_switch idle sip:room@example.test nobody
start_focus idle "$SW_PATH"
open_input "$T_TMP/idle.in"
start=$(date +%s)
"$J" --json --exit-after-idle 1 --from "$ME" \
	"sip:room@127.0.0.1:$FF_PORT" <"$T_TMP/idle.in" >"$T_TMP/idle.out" 2>&1 &
track SJ
wait "$SJ"
expect_eq "idle: exits 0" "$?" 0
exec 3>&-
check "idle: left for being idle" \
	grep -q '"event":"left",.*"reason":"idle"' "$T_TMP/idle.out"
check "idle: within a few seconds" test $(($(date +%s) - start)) -le 5

# --- invited by a focus: actpass (we connect) and active (we listen) --------
for setup in actpass active; do
	n=invite-$setup
	if [ $setup = active ]; then
		mkdir -p "$T_TMP/$n"
		(cd "$T_TMP/$n" && exec $PY "$OLDPWD/$SC/fake_switch.py" \
			--connect "$T_TMP/$n/path" sip:room@example.test nobody) \
			>"$T_TMP/$n/switch.out" 2>&1 &
		T_PIDS="$T_PIDS $!"
		SW_PATH="msrp://127.0.0.1:9/fakeswitch;tcp"
	else
		start_switch "$n" sip:room@example.test nobody
	fi
	spawn SJ "$J" --wait-for-calls --from "$ME" </dev/null \
		>"$T_TMP/$n.out" 2>&1
	contact=$(wait_for_line "$T_TMP/$n.out" 'waiting for invitations at ' 10 |
		sed 's/.* at sip://')
	P=$(free_port)
	sipp -sf $SC/uac_invite.xml "$contact" -i 127.0.0.1 -p "$P" -m 1 \
		-nostdin -timeout 20s -timeout_error -key msrp_path "$SW_PATH" \
		-key msrp_port "$(port_of "$SW_PATH")" -key setup $setup \
		-key path_file "$T_TMP/$n/path" >"$T_TMP/$n.sipp" 2>&1
	expect_eq "invited ($setup): the focus's dialog went through" "$?" 0
	wait "$SJ"
	expect_eq "invited ($setup): exits 3 when the room ends it" "$?" 3
	check "invited ($setup): who invited us" \
		grep -q "\*\*\* invited to sip:room@127.0.0.1:$P by sip:carol@example.test$" \
		"$T_TMP/$n.out"
	check "invited ($setup): joined" grep -q '\*\*\* joined ' "$T_TMP/$n.out"
	check "invited ($setup): messages shown" \
		grep -q '(private) <bob> psst' "$T_TMP/$n.out"
	check "invited ($setup): the BYE's reason shown" \
		grep -q 'the room ended the session (SIP 200: removed by carol)' \
		"$T_TMP/$n.out"
done
check "invited (actpass): we answered a=setup:active" \
	grep -q '^a=setup:active ' "$T_TMP/invite-actpass/path"
check "invited (active): we answered a=setup:passive" \
	grep -q '^a=setup:passive ' "$T_TMP/invite-active/path"
check "invited (active): the room's connection bound the session" \
	grep -qx 'NICKNAME "alice"' "$T_TMP/invite-active/switch.out"

# --- a call that is not an invitation: 603 -----------------------------------
spawn SJ "$J" --wait-for-calls --from "$ME" </dev/null >"$T_TMP/call.out" 2>&1
contact=$(wait_for_line "$T_TMP/call.out" 'waiting for invitations at ' 10 |
	sed 's/.* at sip://')
P=$(free_port)
sipp -sf $SC/uac_call.xml "$contact" -i 127.0.0.1 -p "$P" -m 1 -nostdin \
	-timeout 20s -timeout_error >"$T_TMP/call.sipp" 2>&1
expect_eq "plain call: declined with 603" "$?" 0
kill -INT "$SJ"
wait "$SJ"
expect_eq "plain call: still waiting, SIGINT exits 0" "$?" 0

finish
