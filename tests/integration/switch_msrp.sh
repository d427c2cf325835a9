#!/bin/sh
# sxgw's MSRP switch (RFC 4975, RFC 7701) with real peers: participants
# join by SIPp INVITE (scenarios/switch/join.xml), then speak MSRP through
# scenarios/switch/msrp_peer.py and sxmsrp-send.  Checked: binding,
# NICKNAME (200/424/425), fan-out with the CPIM untouched, private
# messages (404/428), the SEND checks (415/403/481/506/413), chunked
# messages, a stalled message aborted, history for a late joiner (after
# its NICKNAME, or on bind when it joins without one), accept-wrapped-types
# (and an offer without them taking anything), subject changes, bad MSRP
# on one connection leaving the others alone, and a congested reader
# dropped; and one AOR joined three times with three GRUUs (RFC 5627, the
# XMPP gateway's resources): three roster users, each with its own
# nickname, one leaving or removed by nickname leaving the others alone.
. "$(dirname "$0")/lib.sh"

command -v sipp >/dev/null 2>&1 || { echo "sipp is not installed"; exit 77; }
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "$PY is not installed"; exit 77; }
PEER=scenarios/switch/msrp_peer.py
SEND=$BIN/sxmsrp-send
ROOM=sip:design@conference.sip.example.test

start_sxgw gw "msrp.max_message_size = 8192
msrp.chunk_timeout = 2
msrp.congestion_bytes = 2097152
msrp.congestion_timeout = 2
conference.history_size = 5" || { echo "sxgw did not start"; exit 1; }

# join ROOM USER [CHATROOM-TOKENS [WRAPPED-TYPES [FROM GRUU]]]: a SIPp
# participant (by default with private messages, taking anything;
# WRAPPED-TYPES "none": no a=accept-wrapped-types at all), From
# sip:USER@example.test, or sip:FROM@example.test with a Contact that
# carries ;gr=GRUU; sets SIPP_USER (its pid) and PATH_USER (the switch's
# a=path for it).  Its own a=path is msrp://127.0.0.1:9/USER;tcp: it
# connects, so nothing listens there.
join() {
	mkdir -p "$T_TMP/$2"
	j_wrapped="accept-wrapped-types:${4:-*}"
	[ "${4:-}" = none ] && j_wrapped=sendrecv
	spawn j_pid sipp -sf scenarios/switch/join.xml \
		"127.0.0.1:$SXGW_SIP_PORT" -i 127.0.0.1 -p "$(free_port)" \
		-m 1 -nostdin -key room "$1" -key user "${5:-$2}" \
		-key contact_params "${6:+;gr=$6}" \
		-key msrp_path "msrp://127.0.0.1:9/$2;tcp" \
		-key chatroom "${3:-nickname private-messages}" \
		-key wrapped_attr "$j_wrapped" \
		-key path_file "$T_TMP/$2.path" >"$T_TMP/$2.sipp" 2>&1
	eval "SIPP_$2=\$j_pid"
	wait_for_line "$T_TMP/$2.path" '^msrp://' 10 >/dev/null &&
		eval "PATH_$2=\$(cat \"\$T_TMP/\$2.path\")"
}

# peer USER STEP...: msrp_peer.py as USER; results in $T_TMP/USER.out
peer() {
	p_user=$1
	shift
	eval "p_path=\$PATH_$p_user"
	$PY "$PEER" "$p_path" "msrp://127.0.0.1:9/$p_user;tcp" \
		"$T_TMP/$p_user" "$@" >>"$T_TMP/$p_user.out" 2>&1
}

# cpim FILE FROM TO TYPE BODY [HEADER...]: a message/cpim body, CRLF
cpim() {
	c_file=$T_TMP/$1 c_from=$2 c_to=$3 c_type=$4 c_body=$5
	shift 5
	{
		printf 'From: <%s>\r\nTo: <%s>\r\n' "$c_from" "$c_to"
		printf 'DateTime: 2024-05-01T18:30:00.000Z\r\n'
		for h in "$@"; do printf '%s\r\n' "$h"; done
		printf '\r\nContent-Type: %s\r\n\r\n%s' "$c_type" "$c_body"
	} >"$c_file"
}

out_has() {
	grep -qx "$2" "$T_TMP/$1.out"
}

log_has() {
	wait_for_line "$SXGW_LOG" "$1" 10 >/dev/null
}

# --- joining -------------------------------------------------------------
for u in alice bob carol dave frank; do
	join design $u
done
join design erin nickname text/plain
check "answers carry the switch's a=path" sh -c \
	"cat '$T_TMP'/*.path | grep -c '^msrp://127.0.0.1:$SXGW_MSRP_PORT/[A-Za-z0-9]*;tcp\$' | grep -qx 6"

# readers first, so that they see everything
spawn BOB_PID peer bob bind nick:bob recv:7:40 wait:0.5
spawn CAROL_PID peer carol bind nick:carol recv:6:40 wait:0.5
spawn ERIN_PID peer erin bind nick:erin recv:5:40 wait:0.5
for u in bob carol erin; do
	wait_for_line "$SXGW_LOG" "$u@example.test is now '$u'" 10 >/dev/null
done
check "bind: bodiless SEND answered 200" out_has bob "bind 200"
check "NICKNAME: 200" out_has bob "nick bob 200"
check "bind logged with the room and the AOR" grep -q \
	"room design: sip:bob@example.test bound MSRP session" "$SXGW_LOG"

# --- a public message from sxmsrp-send: everyone else gets it ------------
"$SEND" --bind --to-path "$PATH_alice" \
	--from-path "msrp://127.0.0.1:9/alice;tcp" \
	--cpim-from sip:alice@example.test --cpim-to "$ROOM" \
	--success-report --text 'hello from alice' \
	>"$T_TMP/alice.send" 2>&1
expect_eq "sxmsrp-send: accepted" "$?" 0
check "sxmsrp-send: success REPORT from the switch" \
	grep -q 'success reported' "$T_TMP/alice.send"
wait "$SIPP_alice"
expect_eq "MSRP connection closed: the room ends the call (BYE)" "$?" 0

# --- dave: NICKNAME and SEND refusals, then garbage -----------------------
cpim plain.txt sip:dave@example.test "$ROOM" text/plain x
printf 'just text' >"$T_TMP/plain.txt"
cpim spoof.cpim sip:carol@example.test "$ROOM" text/plain 'I am carol'
{
	printf 'From: <sip:dave@example.test>\r\nTo: <%s>\r\n' "$ROOM"
	printf 'To: <%s;gr=bob>\r\n\r\nContent-Type: text/plain\r\n\r\n2' \
		"$ROOM"
} >"$T_TMP/twoto.cpim"
cpim elsewhere.cpim sip:dave@example.test \
	sip:other@conference.sip.example.test text/plain 'wrong room'
cpim nobody.cpim sip:dave@example.test "$ROOM;gr=nobody" text/plain x
cpim toerin.cpim sip:dave@example.test "$ROOM;gr=erin" text/plain x
cpim psst.cpim sip:dave@example.test "$ROOM;gr=bob" text/plain psst
cpim long.cpim sip:dave@example.test "$ROOM" text/plain \
	"$(head -c 3000 /dev/zero | tr '\0' L)"
cpim stall.cpim sip:dave@example.test "$ROOM" text/plain \
	"$(head -c 500 /dev/zero | tr '\0' S)"
head -c 9000 /dev/zero | tr '\0' B >"$T_TMP/big"
printf 'HELLO this is not MSRP\r\n\r\n' >"$T_TMP/garbage"
peer dave bind 'nick:Bob' 'nick:\x20\x20' 'nick:d\x07ve' \
	'nick:a\xe2\x80\x8bb' nick:dave \
	"type:text/plain:$T_TMP/plain.txt" "send:$T_TMP/spoof.cpim" \
	"send:$T_TMP/twoto.cpim" "send:$T_TMP/elsewhere.cpim" \
	"send:$T_TMP/nobody.cpim" "send:$T_TMP/toerin.cpim" \
	"to:msrp://127.0.0.1:$SXGW_MSRP_PORT/nosuchsession;tcp:$T_TMP/psst.cpim" \
	"to:$PATH_bob:$T_TMP/psst.cpim" "range:1-9000/9000:$T_TMP/big" \
	"send:$T_TMP/psst.cpim" "chunks:100:$T_TMP/long.cpim" \
	"stall:200:$T_TMP/stall.cpim" wait:3 "raw:$T_TMP/garbage" wait:2
check "NICKNAME taken by another AOR after case folding: 425" \
	out_has dave 'nick Bob 425'
check "NICKNAME of spaces only: 424" out_has dave 'nick \\x20\\x20 424'
check "NICKNAME with a control character: refused by the MSRP parser" \
	out_has dave 'nick d\\x07ve 400'
check "NICKNAME with a zero width space (RFC 7700): 424" \
	out_has dave 'nick a\\xe2\\x80\\x8bb 424'
check "NICKNAME: 200 after refusals" out_has dave 'nick dave 200'
check "not message/cpim: 415" out_has dave "send $T_TMP/plain.txt 415"
check "CPIM From not the sender: 403" out_has dave "send $T_TMP/spoof.cpim 403"
check "two CPIM To: 403" out_has dave "send $T_TMP/twoto.cpim 403"
check "CPIM To another room: 403" out_has dave \
	"send $T_TMP/elsewhere.cpim 403"
check "private to an unknown nick: 404" out_has dave \
	"send $T_TMP/nobody.cpim 404"
check "private to a participant without private-messages: 428" \
	out_has dave "send $T_TMP/toerin.cpim 428"
check "To-Path of no session: 481" sh -c \
	"grep -c '^send $T_TMP/psst.cpim 481\$' '$T_TMP/dave.out' | grep -qx 1"
check "To-Path of a session bound elsewhere: 506" \
	out_has dave "send $T_TMP/psst.cpim 506"
check "Byte-Range total over max_message_size: 413" \
	out_has dave "send $T_TMP/big 413"
check "private message: 200" out_has dave "send $T_TMP/psst.cpim 200"
check "chunked public message: 200" out_has dave "send $T_TMP/long.cpim 200"
check "garbage: the switch closes that connection" out_has dave closed
check "refusals logged with room, AOR and reason" grep -q \
	"room design: sip:dave@example.test: message .* refused 403: CPIM From <sip:carol@example.test> is not the sender" \
	"$SXGW_LOG"
wait "$SIPP_dave"
expect_eq "garbage: dave's call is ended" "$?" 0

# --- frank joins late: history, then messages after dave's garbage -------
cpim frank.cpim sip:frank@example.test "$ROOM" text/plain 'still here?'
cpim subject.cpim sip:frank@example.test "$ROOM" text/plain '' \
	'NS: room <urn:x-sxgw:room>' 'room.Subject: Plans \u00e9t\u00e9'
cpim png.cpim sip:frank@example.test "$ROOM" image/png 'PNG...'
cpim star.cpim sip:frank@example.test "$ROOM" text/plain \
	"$(head -c 1000 /dev/zero | tr '\0' T)"
peer frank bind wait:0.5 nick:frank recv:2:10 "send:$T_TMP/frank.cpim" \
	"send:$T_TMP/subject.cpim" "send:$T_TMP/png.cpim" \
	"star:300:$T_TMP/star.cpim" wait:0.5
check "history: a late joiner gets the public messages" \
	out_has frank "recv 2 $(wc -c <"$T_TMP/long.cpim" | tr -d ' ') $T_TMP/frank/msg2"
# (the peer prints what one read brings in its own order: the log tells)
check "history: only once joined, after the 200 to its NICKNAME" sh -c \
	"n=\$(grep -n 'frank@example.test is now' '$SXGW_LOG' | cut -d: -f1) &&
	 h=\$(grep -n 'messages of history to sip:frank@' '$SXGW_LOG' |
	    cut -d: -f1) && [ -n \"\$n\" ] && [ \"\$h\" -gt \"\$n\" ]"
check "after garbage elsewhere, messages still flow" \
	out_has frank "send $T_TMP/frank.cpim 200"
check "subject change accepted" out_has frank "send $T_TMP/subject.cpim 200"
check "subject set, with RFC 3862 escapes decoded" grep -q \
	"room design: subject set by sip:frank@example.test" "$SXGW_LOG"

for p in $BOB_PID $CAROL_PID $ERIN_PID; do
	wait "$p"
done
check "bob got 7 messages" out_has bob "recv 7 $(wc -c <"$T_TMP/star.cpim" | tr -d ' ') $T_TMP/bob/msg7"
check "fan-out: the CPIM arrives untouched (sxmsrp-send's message)" sh -c \
	"grep -q '^From: <sip:alice@example.test>' '$T_TMP/bob/msg1' &&
	 grep -q 'hello from alice\$' '$T_TMP/bob/msg1' &&
	 cmp -s '$T_TMP/bob/msg1' '$T_TMP/carol/msg1'"
check "private message only to its recipient" cmp -s "$T_TMP/psst.cpim" \
	"$T_TMP/bob/msg2"
check "chunked message forwarded byte for byte" cmp -s "$T_TMP/long.cpim" \
	"$T_TMP/carol/msg2"
check "history keeps the original bytes (DateTime included)" \
	cmp -s "$T_TMP/bob/msg1" "$T_TMP/frank/msg1"
check "stalled message aborted toward recipients ('#')" \
	grep -q '^aborted ' "$T_TMP/bob.out"
check "stalled message logged" grep -q "message .* stalled for 2 s" \
	"$SXGW_LOG"
check "message after garbage reaches the others" \
	cmp -s "$T_TMP/frank.cpim" "$T_TMP/carol/msg3"
check "subject change forwarded" cmp -s "$T_TMP/subject.cpim" \
	"$T_TMP/bob/msg5"
check "accept-wrapped-types: erin (text/plain) gets no image/png" sh -c \
	"grep -c '^recv ' '$T_TMP/erin.out' | grep -qx 5 &&
	 cmp -s '$T_TMP/subject.cpim' '$T_TMP/erin/msg4' &&
	 cmp -s '$T_TMP/star.cpim' '$T_TMP/erin/msg5'"
check "total unknown ('*'): forwarded, ended by an empty '\$' chunk" \
	cmp -s "$T_TMP/star.cpim" "$T_TMP/bob/msg7"
for u in bob carol erin; do
	eval "wait \$SIPP_$u"
	expect_eq "$u leaves when its MSRP connection closes" "$?" 0
done

# --- accept-wrapped-types: listed types only; none listed: anything -----
WRAP=sip:wrap@conference.sip.example.test
join wrap kim nickname none
join wrap lee nickname text/html
join wrap mo
# kim stays a while: the room, and its history, outlive lee and mo
spawn KIM_PID peer kim bind nick:kim recv:3:10 wait:4
spawn LEE_PID peer lee bind nick:lee recv:1:10 wait:1
for u in kim lee; do
	wait_for_line "$SXGW_LOG" "$u@example.test is now '$u'" 10 >/dev/null
done
cpim w1.cpim sip:mo@example.test "$WRAP" text/plain 'plain'
cpim w2.cpim sip:mo@example.test "$WRAP" image/png 'PNG...'
cpim w3.cpim sip:mo@example.test "$WRAP" 'text/html;charset=utf-8' '<b>x</b>'
peer mo bind nick:mo "send:$T_TMP/w1.cpim" "send:$T_TMP/w2.cpim" \
	"send:$T_TMP/w3.cpim"
wait "$LEE_PID"
check "accept-wrapped-types text/html: only the text/html message" sh -c \
	"grep -c '^recv ' '$T_TMP/lee.out' | grep -qx 1 &&
	 cmp -s '$T_TMP/w3.cpim' '$T_TMP/lee/msg1'"
# no nickname token: it has joined once bound, and the history follows
join wrap nat private-messages
peer nat bind recv:3:10
check "history without NICKNAME for a participant without the token" \
	sh -c "grep -c '^recv ' '$T_TMP/nat.out' | grep -qx 3 &&
	       ! grep -q '^nick ' '$T_TMP/nat.out' &&
	       cmp -s '$T_TMP/w1.cpim' '$T_TMP/nat/msg1'"
wait "$KIM_PID"
check "no accept-wrapped-types (accept-types message/cpim only): everything" \
	sh -c "grep -c '^recv ' '$T_TMP/kim.out' | grep -qx 3 &&
	       cmp -s '$T_TMP/w2.cpim' '$T_TMP/kim/msg2'"

# --- congestion: a reader that stops reading is dropped, others go on ----
for u in henry gina ivan; do
	join load $u
done
cpim load.cpim sip:henry@example.test sip:load@conference.sip.example.test \
	text/plain "$(head -c 7800 /dev/zero | tr '\0' Z)"
spawn GINA_PID peer gina bind block:8
spawn IVAN_PID peer ivan bind recv:1500:60
wait_for_line "$SXGW_LOG" "gina@example.test bound" 10 >/dev/null
wait_for_line "$SXGW_LOG" "ivan@example.test bound" 10 >/dev/null
peer henry bind flood:1500:1:"$T_TMP/load.cpim"
check "congestion: the sender is never held up" out_has henry "flood 1500 1500"
wait "$IVAN_PID"
check "congestion: the other reader gets every message" \
	grep -q '^recv 1500 ' "$T_TMP/ivan.out"
check "congestion: the slow reader is marked congested" \
	log_has "sip:gina@example.test.*congested"
check "congestion: and dropped after congestion_timeout" \
	log_has "sip:gina@example.test left \\(failed"
wait "$SIPP_gina"
expect_eq "congestion: gina's call is ended" "$?" 0

# --- one AOR, three GRUUs: three roster users (RFC 4575 §5.6) -------------
# sxjoin watches (its roster, its NOTIFY bodies); pat joins from three
# resources, each with its own Contact ;gr= and nickname.  pat1 leaves
# after the first message, pat2 is removed by nickname, pat3 stays to the
# second message.
G=sip:gruu@conference.sip.example.test
PAT=sip:pat@example.test
OBS=$T_TMP/obs.out
ND=$T_TMP/notify.obs
mkfifo "$T_TMP/obs.in"
exec 6<>"$T_TMP/obs.in"
# (not spawn: the stdin of a background function call is /dev/null)
"$BIN/sxjoin" --json --from sip:obs@example.test \
	--proxy "sip:127.0.0.1:$SXGW_SIP_PORT" --notify-dir "$ND" "$G" \
	<"$T_TMP/obs.in" >"$OBS" 2>&1 &
OBS_PID=$!
T_PIDS="$T_PIDS $OBS_PID"
wait_for_line "$OBS" '"event":"joined"' 10 >/dev/null
for g in 1 2 3; do
	join gruu "pat$g" "nickname private-messages" "*" pat "r$g"
done
spawn PAT1_PID peer pat1 bind nick:pat recv:1:30
spawn PAT2_PID peer pat2 bind nick:pat-two wait:5
spawn PAT3_PID peer pat3 bind nick:pat-three recv:2:30
for n in pat pat-two pat-three; do
	check "gruu: sxjoin sees $n join" wait_for_line "$OBS" \
		"\"event\":\"join\",.*\"nick\":\"$n\",\"aor\":\"$PAT;gr=r[123]\"" \
		10
done
check "gruu: each join logged with its user entity" sh -c \
	"[ \$(grep -c 'room gruu: $PAT joining (participant [0-9]*, user $PAT;gr=r[123])' '$SXGW_LOG') -eq 3 ]"
# the NOTIFY that made pat-three known lists (full) or adds (partial)
# the user r3; pat and pat-two are users of their own, in that body or
# an earlier one
users_of() {
	sed 's/></>\n</g' "$@" | grep -o \
		"<user entity=\"$PAT;gr=r[123]\"[^>]*nickname=\"[a-z-]*\"" |
		sed 's/.*entity="[^;]*;gr=\(r[123]\)".*nickname="\(.*\)"/\1=\2/' |
		sort -u | tr '\n' ' '
}
expect_eq "gruu: NOTIFYs: three users of one AOR, each with its nickname" \
	"$(users_of "$ND"/notify-*.xml)" "r1=pat r2=pat-two r3=pat-three "
echo "first" >&6
wait "$PAT1_PID"
check "gruu: sxjoin sees pat leave" wait_for_line "$OBS" \
	"\"event\":\"leave\",.*\"nick\":\"pat\",\"aor\":\"$PAT;gr=r1\"" 10
check "gruu: the NOTIFY of pat's leaving says departed for r1 only" sh -c \
	"f=\$(grep -l '<disconnection-method>departed<' '$ND'/notify-*.xml |
	    head -1) && [ -n \"\$f\" ] && grep -q 'entity=\"$PAT;gr=r1\"' \"\$f\" &&
	 grep -q 'state=\"partial\"' \"\$f\" && ! grep -q 'gr=r[23]' \"\$f\""
echo "/kick pat-two" >&6
# the room ends its call; its MSRP connection may stay (RFC 4975 §4)
wait "$SIPP_pat2"
expect_eq "gruu: pat2's call ended by the room" "$?" 0
check "gruu: /kick pat-two removes that resource only" grep -q \
	"room gruu: $PAT left (booted, participant [0-9]*, nick pat-two," \
	"$SXGW_LOG"
check "gruu: the REFER named the GRUU" grep -q \
	"REFER from sip:obs@example.test to $PAT;gr=r2 (method BYE)" "$SXGW_LOG"
check "gruu: sxjoin sees pat-two leave" wait_for_line "$OBS" \
	'"event":"leave",.*"nick":"pat-two"' 10
echo "second" >&6
wait "$PAT3_PID"
check "gruu: pat-three stayed through both and got both messages" sh -c \
	"[ \$(grep -c '^recv ' '$T_TMP/pat3.out') -eq 2 ]"
check "gruu: no one was renamed" sh -c "! grep -q '\"event\":\"rename\"' '$OBS'"
echo "/quit" >&6
wait "$OBS_PID"
expect_eq "gruu: sxjoin leaves, exit 0" "$?" 0
for g in 1 3; do
	eval "wait \$SIPP_pat$g"
	expect_eq "gruu: pat$g's call ended by the room" "$?" 0
done
wait "$PAT2_PID"
check "gruu: every NOTIFY body validates against RFC 4575's schema" sh -c \
	"xmllint --nonet --noout --schema '$FIXTURES/schema/conference-info.xsd' \
	 '$ND'/notify-*.xml 2>'$T_TMP/obs.xmllint'"

finish
