#!/bin/sh
# sxjoin against sxgw itself on loopback: three participants in one room
# (two join, one is invited), history, subject, public and private
# messages, a nickname conflict and a change, an invitation and a removal
# (REFER), leaving.  When Kamailio is installed every request goes through
# it, as deployed, and the invited user is registered there and invited
# by its address of record.  Ports are picked free per run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_kamailio.sh"

J=$BIN/sxjoin
[ -x "$J" ] || { echo "no $J"; exit 1; }
[ -x "$BIN/sxgw" ] || { echo "no $BIN/sxgw"; exit 77; }

export TZ=UTC
ROOM=sip:design@conference.sip.example.test

# Waits (quietly) for a line of FILE to match REGEX.
seen() {
	wait_for_line "$1" "$2" 10 >/dev/null
}

# With Kamailio, sxgw sends its invitations through it (the registrar
# knows where registered users are) and Kamailio routes the rooms' domain
# to sxgw; each needs the other's port first, so sxgw's is chosen here
# and its configuration written here.
SXGW_SIP_PORT=$(free_port)
KAM_URI=
if [ -x "$KAMAILIO" ]; then
	start_kamailio_proxy kam || { fail "kamailio starts"; finish; }
fi
cat >"$T_TMP/sxgw.ini" <<EOF
[sip]
listen = udp:127.0.0.1:$SXGW_SIP_PORT tcp:127.0.0.1:$SXGW_SIP_PORT
outbound_proxy = $KAM_URI
[msrp]
listen = 127.0.0.1:$(free_port)
[conference]
domain = conference.sip.example.test
[log]
level = debug
EOF
spawn SXGW_PID "$BIN/sxgw" -f -c "$T_TMP/sxgw.ini" 2>"$T_TMP/sxgw.log"
seen "$T_TMP/sxgw.log" 'sxgw ready' || { fail "sxgw starts"; finish; }
# Everyone's requests go through the proxy when there is one.
PROXY=${KAM_URI:-sip:127.0.0.1:$SXGW_SIP_PORT}

# Input fifos opened read-write here, so that each reader starts at once.
mkfifo "$T_TMP/a.in" "$T_TMP/b.in" "$T_TMP/c.in"
exec 3<>"$T_TMP/a.in" 4<>"$T_TMP/b.in" 5<>"$T_TMP/c.in"
A=$T_TMP/a.out
B=$T_TMP/b.out
C=$T_TMP/c.out

# --- alice opens the room and speaks before anyone else comes --------------
"$J" --from sip:alice@example.test --proxy "$PROXY" \
	--notify-dir "$T_TMP/notify.a" "$ROOM" \
	<"$T_TMP/a.in" >"$A" 2>&1 &
AP=$!
T_PIDS="$T_PIDS $AP"
check "alice joins" seen "$A" "\*\*\* joined $ROOM as alice$"
echo "first words" >&3
echo "/topic Old topic" >&3
check "alice's message accepted" seen "$A" '<alice> first words$'
check "alice's subject accepted" \
	seen "$A" '\*\*\* alice set the subject: Old topic$'

# --- bob joins (JSON): history, roster, subject ------------------------------
"$J" --json --from sip:bob@example.test --proxy "$PROXY" \
	--notify-dir "$T_TMP/notify.b" "$ROOM" \
	<"$T_TMP/b.in" >"$B" 2>&1 &
BP=$!
T_PIDS="$T_PIDS $BP"
check "bob joins" seen "$B" '"event":"joined",.*"nick":"bob"'
check "bob gets the history, from alice" \
	seen "$B" '"event":"message",.*"from":"alice","aor":"sip:alice@example.test","text":"first words","private":false'
check "bob sees who is there" \
	seen "$B" '"event":"who",.*"nicks":\["alice","bob"\]'
check "bob sees the subject" \
	seen "$B" '"event":"subject",.*"text":"Old topic"'
check "alice sees bob join" seen "$A" '\*\*\* bob joined$'

# --- messages both ways, private ones ---------------------------------------
echo "hi alice" >&4
echo "/msg alice psst" >&4
check "alice gets bob's message" seen "$A" '<bob> hi alice$'
check "alice gets bob's private message" \
	seen "$A" '\(private\) <bob> psst$'
check "bob's private message reported sent" \
	seen "$B" '"event":"sent",.*"to":"alice","text":"psst","private":true'

# --- nicknames: a conflict, then a change -------------------------------------
echo "/nick bob" >&3
check "alice: nickname in use refused with 425" \
	seen "$A" '!!! nickname bob refused: 425'
echo "/nick alicia" >&3
check "alice: renamed" seen "$A" 'you are now known as alicia$'
check "bob sees the rename" \
	seen "$B" '"event":"rename",.*"nick":"alicia","aor":"sip:alice@example.test","old":"alice"'

# --- carl waits and is invited by alicia ------------------------------------
# Registered at the proxy and invited by his address of record when there
# is a proxy; else invited at the contact he prints.
if [ -n "$KAM_URI" ]; then
	"$J" --wait-for-calls --register --from sip:carl@example.test \
		--proxy "$KAM_URI" --notify-dir "$T_TMP/notify.c" \
		<"$T_TMP/c.in" >"$C" 2>&1 &
else
	"$J" --wait-for-calls --from sip:carl@example.test \
		--notify-dir "$T_TMP/notify.c" <"$T_TMP/c.in" >"$C" 2>&1 &
fi
CP=$!
T_PIDS="$T_PIDS $CP"
contact=$(wait_for_line "$C" 'waiting for invitations at ' 10 |
	sed 's/.* at sip://; s/;.*//')
if [ -n "$KAM_URI" ]; then
	check "carl registers at the proxy" \
		seen "$C" '\*\*\* registered sip:carl@example.test$'
	target=sip:carl@example.test
else
	target=sip:carl@$contact
fi
echo "/invite $target" >&3
check "carl is invited by alice" \
	seen "$C" "\*\*\* invited to $ROOM by sip:alice@example.test$"
check "carl joins" seen "$C" '\*\*\* joined .* as carl$'
check "carl sees the roster" \
	seen "$C" '\*\*\* in the room \(3\): alicia, bob, carl$'
check "alicia's REFER succeeds" seen "$A" "\*\*\* invite $target: 200 "
echo "hello from carl" >&5
check "carl's message reaches alicia" \
	seen "$A" '<carl> hello from carl$'

check "bob sees carl join" seen "$B" '"event":"join",.*"nick":"carl"'

# --- alicia removes bob -------------------------------------------------------
echo "/kick bob" >&3
wait "$BP"
expect_eq "bob, removed, exits 3" "$?" 3
check "bob is told" grep -q '"event":"ended"' "$B"
check "alicia sees bob leave" seen "$A" '\*\*\* bob left'
check "carl sees bob leave" seen "$C" '\*\*\* bob left'

# --- leaving ------------------------------------------------------------------
echo "/quit" >&3
wait "$AP"
expect_eq "alicia leaves: exits 0" "$?" 0
check "carl sees alicia leave" seen "$C" '\*\*\* alicia left'
echo "/quit" >&5
wait "$CP"
expect_eq "carl leaves: exits 0" "$?" 0
[ -z "$KAM_URI" ] || check "the proxy carried the room's invitation" \
	grep -q 'kam: .*INVITE.*carl@example.test' "$KAM_LOG"
check "sxgw still runs" kill -0 "$SXGW_PID"

# --- the NOTIFY bodies each one kept (--notify-dir) ---------------------------
D=$BIN/sxnotify-decode
SCHEMA=$FIXTURES/schema/conference-info.xsd

# roster FILE...: the state after applying FILEs in order, as
# "nick=entity" for each user with a connected endpoint, then
# "entity:method" for each disconnected one, sorted (a stale repeat is
# ignored, as by any subscriber).
roster() {
	"$D" --merge --json "$@" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
o = json.load(sys.stdin)
out = []
for u in o["users"]:
    for e in u["endpoints"]:
        if e.get("status") == "connected":
            out.append("%s=%s" % (u.get("nickname", "-"), u["entity"]))
        else:
            out.append("%s:%s" % (u["entity"],
                                  e.get("disconnection_method", "-")))
print(" ".join(sorted(out)))'
}

# versions DIR: "ok" when the first document is full and each next one is
# version + 1; the last may repeat the one before it byte for byte (the
# NOTIFY that ends the subscription carries the last state again).
versions() {
	"$D" --json "$1"/notify-*.xml | /usr/bin/python3 -c '
import json, sys
docs = [json.loads(l) for l in sys.stdin]
if not docs or docs[0]["state"] != "full":
    sys.exit("first document not full")
for i in range(1, len(docs)):
    prev, cur = docs[i - 1], docs[i]
    if cur["version"] == prev["version"] + 1:
        continue
    if i == len(docs) - 1 and open(cur["file"], "rb").read() == \
            open(prev["file"], "rb").read():
        continue
    sys.exit("%s: version %d after %d" % (cur["file"], cur["version"],
                                          prev["version"]))
print("ok")'
}

for who in a b c; do
	nd=$T_TMP/notify.$who
	n=$(ls "$nd" | grep -c '^notify-[0-9][0-9][0-9][0-9]\.xml$')
	check "notify-dir $who: NOTIFYs kept, numbered from 0001" \
		test "$n" -ge 2 -a -f "$nd/notify-0001.xml" -a \
		-f "$nd/notify-$(printf %04d "$n").xml"
	check "notify-dir $who: every body validates against RFC 4575's schema" \
		sh -c "xmllint --nonet --noout --schema '$SCHEMA' '$nd'/notify-*.xml 2>'$nd.xmllint'"
	expect_eq "notify-dir $who: full first, then consecutive versions" \
		"$(versions "$nd")" ok
done
AL=sip:alice@example.test
BO=sip:bob@example.test
CA=sip:carl@example.test
expect_eq "alice's first document: alice alone" \
	"$(roster "$T_TMP/notify.a/notify-0001.xml")" "alice=$AL"
expect_eq "bob's first document: alice and bob" \
	"$(roster "$T_TMP/notify.b/notify-0001.xml")" "alice=$AL bob=$BO"
expect_eq "carl's first document: full, all three with their nicks" \
	"$(roster "$T_TMP/notify.c/notify-0001.xml")" \
	"alicia=$AL bob=$BO carl=$CA"
expect_eq "alicia's last state: bob removed (booted)" \
	"$(roster "$T_TMP/notify.a"/notify-*.xml)" \
	"alicia=$AL carl=$CA $BO:booted"
expect_eq "bob's last state: all three (he learns his removal by BYE)" \
	"$(roster "$T_TMP/notify.b"/notify-*.xml)" \
	"alicia=$AL bob=$BO carl=$CA"
expect_eq "carl's last state: alone, alicia departed, bob booted" \
	"$(roster "$T_TMP/notify.c"/notify-*.xml)" \
	"carl=$CA $AL:departed $BO:booted"

finish
