#!/bin/sh
# sxgw's conference focus against SIPp: INVITEs refused (488, 404, 482
# for a room calling a room) and accepted (200 with ;isfocus and an MSRP
# answer), the conference event package (489, 404, full and partial
# NOTIFYs, refresh, unsubscription, the last NOTIFY when sxgw stops),
# REFER (400 for a bad embedded Subject, 403 for a non-participant or a
# target that is a room, 483 for Max-Forwards 0; invitation with the
# embedded Subject and Max-Forwards minus one in the room's INVITE;
# removal with the embedded Reason or "Removed by", and "booted" in the
# roster; within a dialog, through an outbound proxy, a dial-out ringing
# longer than the MSRP bind time), OPTIONS, an unknown method, and a
# normal call again at the end: sxgw kept serving.
# Every conference-info body received is checked against the RFC 4575
# schema.  One SIPp scenario per case, in scenarios/focus/.
. "$(dirname "$0")/lib.sh"

if ! command -v sipp >/dev/null 2>&1; then
	echo "sipp not installed (Debian package sip-tester)"
	exit 77
fi
[ -x "$BIN/sxgw" ] || { echo "no $BIN/sxgw"; exit 1; }
SCEN=$(cd "$(dirname "$0")/../../scenarios/focus" && pwd)
XSD=$FIXTURES/schema/conference-info.xsd
ROOM=design

# sipp_run NAME SCENARIO [sipp options]: one call of SCENARIO against
# sxgw, traces in $T_TMP/NAME.{err,msg,log}; returns sipp's status.
sipp_run() {
	sr_name=$1
	sr_scen=$2
	shift 2
	sr_port=$(free_port)
	(cd "$T_TMP" && sipp -sf "$SCEN/$sr_scen.xml" -s "$ROOM" \
		-key domain "$SXGW_DOMAIN" -i 127.0.0.1 -p "$sr_port" -m 1 \
		-nostdin -timeout 10s \
		-trace_err -error_file "$T_TMP/$sr_name.err" \
		-trace_msg -message_file "$T_TMP/$sr_name.msg" \
		-trace_logs -log_file "$T_TMP/$sr_name.log" \
		"$@" "127.0.0.1:$SXGW_SIP_PORT" >/dev/null 2>&1)
}

# scenario DESCRIPTION NAME SCENARIO [sipp options]: passes when SIPp
# played the whole scenario (exit 0).
scenario() {
	sc_desc=$1
	shift
	sipp_run "$@"
	sc_rc=$?
	if [ "$sc_rc" -eq 0 ]; then
		pass "$sc_desc"
	else
		fail "$sc_desc" "sipp exit $sc_rc: $(tr '\n' ' ' \
			<"$T_TMP/$1.err" 2>/dev/null | cut -c1-400)"
	fi
}

# sipp_bg VAR NAME SCENARIO PORT [sipp options]: starts SCENARIO in the
# background on PORT (a UAS when no remote address follows).
sipp_bg() {
	sb_var=$1
	sb_name=$2
	sb_scen=$3
	sb_port=$4
	shift 4
	spawn "$sb_var" sh -c 'cd "$1" && shift && exec "$@" >/dev/null 2>&1' \
		sipp_bg "$T_TMP" sipp -sf "$SCEN/$sb_scen.xml" -i 127.0.0.1 \
		-p "$sb_port" -m 1 -nostdin -timeout 20s \
		-trace_err -error_file "$T_TMP/$sb_name.err" \
		-trace_msg -message_file "$T_TMP/$sb_name.msg" "$@"
}

# notify_bodies NAME: splits the conference-info bodies SIPp received
# into $T_TMP/NAME.N.xml; prints how many.
notify_bodies() {
	tr -d '\r' <"$T_TMP/$1.msg" | awk -v base="$T_TMP/$1" '
		/^<\?xml/ { n++; f = base "." n ".xml"; inb = 1 }
		inb { print > f }
		/<\/conference-info>/ { if (inb) { close(f); inb = 0 } }
		END { print n + 0 }'
}

# valid_bodies NAME MIN: every body NAME received validates against the
# schema, and there are at least MIN of them.
valid_bodies() {
	vb_n=$(notify_bodies "$1")
	if [ "$vb_n" -lt "$2" ]; then
		fail "$1: at least $2 conference-info bodies" "got $vb_n"
		return
	fi
	vb_i=1
	vb_bad=""
	while [ "$vb_i" -le "$vb_n" ]; do
		xmllint --nonet --noout --schema "$XSD" "$T_TMP/$1.$vb_i.xml" \
			>"$T_TMP/$1.$vb_i.lint" 2>&1 || vb_bad="$vb_bad $vb_i"
		vb_i=$((vb_i + 1))
	done
	if [ -z "$vb_bad" ]; then
		pass "$1: $vb_n conference-info bodies valid (RFC 4575 schema)"
	else
		fail "$1: conference-info bodies valid" "invalid:$vb_bad: \
$(cat "$T_TMP/$1."*.lint | tr '\n' ' ' | cut -c1-300)"
	fi
}

logged() {
	check "sxgw log: $1" grep -q -- "$2" "$SXGW_LOG"
}

# keep_rooms: the participants of these tests never bind MSRP; the room
# must outlive them between scenarios.
if ! start_sxgw focus "conference.keep_rooms = yes"; then
	fail "sxgw starts" "$(tail -5 "$SXGW_LOG")"
	finish
fi

# --- INVITE refused ----------------------------------------------------
scenario "INVITE with an audio offer only: 488 with a Warning" \
	no_msrp invite_no_msrp -key user alice
scenario "INVITE with accept-types text/plain only: 488" \
	no_cpim invite_no_cpim -key user alice
scenario "INVITE with a body that is not SDP: 488" \
	bad_sdp invite_bad_sdp -key user alice
scenario "INVITE to a room in another domain: 404" \
	other_domain invite_other_domain -key user alice
logged "488 logged with its reason" \
	"room $ROOM: INVITE from sip:alice@example.test: 488 .*message/cpim"
scenario "INVITE from another room, isfocus: 482 (loop)" \
	from_room invite_from_room
logged "482 logged" "room $ROOM: INVITE from sip:lobby@$SXGW_DOMAIN: 482"

# --- joining; the room exists from now on ------------------------------
scenario "INVITE with an MSRP offer: 200, ;isfocus, MSRP answer" \
	join_alice invite_join -key user alice
logged "join logged" "room $ROOM: INVITE from sip:alice@example.test: 200"

# --- REFER -------------------------------------------------------------
scenario "REFER without Refer-To: 400" \
	refer_none refer_no_referto -key user alice
scenario "REFER with two Refer-To: 400" \
	refer_two refer_two_referto -key user alice
scenario "REFER from a non-participant: 403" \
	refer_stranger refer_non_participant -key user mallory
scenario "REFER whose target is the room itself: 403 (loop)" \
	refer_loop refer_loop -key user alice -key target "sip:$ROOM@$SXGW_DOMAIN"
scenario "REFER whose target is another room: 403 (loop)" \
	refer_loop2 refer_loop -key user alice -key target "sip:lobby@$SXGW_DOMAIN"
scenario "REFER whose target is the focus's own address: 403 (loop)" \
	refer_loop3 refer_loop -key user alice \
	-key target "sip:lobby@127.0.0.1:$SXGW_SIP_PORT"
logged "403 logged" "REFER from sip:mallory@example.test: 403"
scenario "REFER with Max-Forwards 0: 483" \
	refer_no_hops refer_no_hops -key user alice -key target sip:bob@192.0.2.1
scenario "REFER with a line break in the embedded Subject: 400" \
	refer_bad_subject refer_bad_subject -key user alice \
	-key target sip:bob@192.0.2.1
check "no INVITE for the refused REFERs" sh -c \
	"! grep -q 'INVITE to sip:bob@192.0.2.1\\|INVITE to sip:lobby' '$SXGW_LOG'"

INVITEE_PORT=$(free_port)
sipp_bg INVITEE_PID invitee invitee_uas "$INVITEE_PORT" -d 800
sleep 0.3
INVITEE=sip:bob@127.0.0.1:$INVITEE_PORT
scenario "REFER invites a user: 202, sipfrag 100, 180, 200 (terminated)" \
	refer_invite refer_invite -key user alice -key target "$INVITEE"
logged "the room's INVITE with the embedded Subject" \
	"INVITE to $INVITEE (.*subject \"Project review: Q3\")"
# a subscriber that sees the removal
sipp_bg KICKSUB_PID sub_kick subscribe_kick "$(free_port)" \
	-s "$ROOM" -key domain "$SXGW_DOMAIN" -key user judy \
	"127.0.0.1:$SXGW_SIP_PORT"
wait_for_line "$SXGW_LOG" "SUBSCRIBE from sip:judy@example.test: 200" 10 \
	>/dev/null
KICK_REASON='Reason=SIP%3Bcause%3D200%3Btext%3D%22Off%20topic%22'
scenario "REFER method=BYE removes that participant: 202, sipfrag 200" \
	refer_kick refer_kick -key user alice -key target "$INVITEE" \
	-key headers "Priority=emergency&$KICK_REASON"
wait "$INVITEE_PID"
expect_eq "invitee: INVITE From the room, ;isfocus, Referred-By, Subject, \
Max-Forwards 41, no Priority, then BYE" "$?" 0
check "the BYE carries the Reason embedded in Refer-To (RFC 3326)" grep -q \
	'^Reason: SIP *;cause=200 *;text="Off topic"' "$T_TMP/invitee.msg"
check "the BYE has that Reason only" sh -c \
	"[ \$(grep -c '^Reason:' '$T_TMP/invitee.msg') -eq 1 ]"
check "the BYE has no embedded Priority" sh -c \
	"! grep -q '^Priority:' '$T_TMP/invitee.msg'"
logged "the invitee left as booted, the remover logged" \
	"$INVITEE left (booted.*Removed by sip:alice@example.test"
wait "$KICKSUB_PID"
expect_eq "subscriber: a NOTIFY says disconnection-method booted" "$?" 0
check "roster: the removed endpoint disconnected, booted, by whom" sh -c \
	"tr -d '\r\n' <'$T_TMP/sub_kick.msg' | sed 's/> *</></g' | grep -q \
	 '<endpoint entity=\"$INVITEE[;\"][^>]*>.*<status>disconnected</status>.*<disconnection-method>booted</disconnection-method><disconnection-info><reason>Removed by sip:alice@example.test</reason>'"
valid_bodies sub_kick 2
# then it is deleted from the roster: the later tests see a plain room
check "roster: the removed one is deleted after a while" \
	wait_for_line "$SXGW_LOG" "$INVITEE \\(booted\\) no longer in the roster" 10
scenario "REFER within the INVITE dialog: 202, sipfrag 100, 404" \
	refer_dialog refer_in_dialog -key user erin
# erin's BYE: she is listed as departed a while; the NOTIFYs counted
# below start once she is gone from the roster
check "roster: erin, departed, deleted after a while" wait_for_line \
	"$SXGW_LOG" "sip:erin@example.test \\(departed\\) no longer in the roster" 10

# --- conference event package ------------------------------------------
scenario "SUBSCRIBE Event: presence: 489" \
	sub_presence subscribe_presence -key user carol
scenario "SUBSCRIBE to a room that does not exist: 404" \
	sub_noroom subscribe_no_room -s nosuchroom -key user carol
scenario "SUBSCRIBE conference: 200, NOTIFY full version 1, unsubscribe" \
	sub_full subscribe_conference -key user carol
valid_bodies sub_full 1
scenario "SUBSCRIBE refreshed: the full state again, version 2" \
	sub_refresh subscribe_refresh -key user frank
valid_bodies sub_refresh 3

# a subscriber that stays while bob joins: a partial NOTIFY
sipp_bg PARTIAL_PID sub_partial subscribe_partial "$(free_port)" \
	-s "$ROOM" -key domain "$SXGW_DOMAIN" -key user dave \
	"127.0.0.1:$SXGW_SIP_PORT"
wait_for_line "$SXGW_LOG" "SUBSCRIBE from sip:dave@example.test: 200" 10 \
	>/dev/null
sleep 0.3
scenario "bob joins while dave is subscribed" \
	join_bob invite_join -key user bob
wait "$PARTIAL_PID"
expect_eq "dave gets a partial NOTIFY, version 2, with bob" "$?" 0
valid_bodies sub_partial 2

# --- odds and ends ------------------------------------------------------
scenario "OPTIONS: 200" options options -key user alice
scenario "unknown method FOO: 405 or 501" foo foo -key user alice

# --- sxgw kept serving ----------------------------------------------------
check "sxgw still running" kill -0 "$SXGW_PID"
scenario "after all that, INVITE over TCP: 200, then BYE" \
	join_last invite_join_bye -key user grace -t t1
logged "BYE logged" "room $ROOM: BYE from sip:grace@example.test: 200"

# --- orderly stop: BYE to the participants left, the last NOTIFY to a
# subscriber left, exit 0 --------------------------------------------------
sipp_bg CLOSED_PID sub_closed subscribe_closed "$(free_port)" \
	-s "$ROOM" -key domain "$SXGW_DOMAIN" -key user heidi \
	"127.0.0.1:$SXGW_SIP_PORT"
wait_for_line "$SXGW_LOG" "SUBSCRIBE from sip:heidi@example.test: 200" 10 \
	>/dev/null
sleep 0.3
kill "$SXGW_PID"
wait "$SXGW_PID"
expect_eq "sxgw exits 0 on SIGTERM" "$?" 0
wait "$CLOSED_PID"
expect_eq "subscriber at stop: terminated;reason=noresource, active false" \
	"$?" 0
valid_bodies sub_closed 2
logged "participants ended at stop" "BYE to sip:alice@example.test"
logged "stopped" "sxgw stopped"

# --- the room's INVITE goes through [sip] outbound_proxy ----------------
# The invitee listens where the proxy would be; the target's own host
# (192.0.2.1, TEST-NET-1) is unreachable, so only the proxy path works.
PROXY_PORT=$(free_port)
if ! start_sxgw proxied "sip.outbound_proxy = sip:127.0.0.1:$PROXY_PORT
conference.keep_rooms = yes"; then
	fail "sxgw with outbound_proxy starts" "$(tail -5 "$SXGW_LOG")"
	finish
fi
scenario "outbound_proxy: alice joins" join_alice2 invite_join -key user alice
sipp_bg INVITEE_PID invitee2 invitee_uas "$PROXY_PORT" -d 800
sleep 0.3
scenario "outbound_proxy: REFER, the room's INVITE goes to the proxy" \
	refer_proxy refer_invite -key user alice -key target sip:bob@192.0.2.1
scenario "outbound_proxy: REFER method=BYE" \
	kick_proxy refer_kick -key user alice -key target sip:bob@192.0.2.1 \
	-key headers Priority=emergency
wait "$INVITEE_PID"
expect_eq "outbound_proxy: the invitee got the INVITE and the BYE" "$?" 0
check "no Reason embedded: the BYE says who removed it (RFC 3326)" grep -q \
	'^Reason: SIP *;cause=200 *;text="Removed by sip:alice@example.test"' \
	"$T_TMP/invitee2.msg"
logged "outbound_proxy named in the log" "via sip:127.0.0.1:$PROXY_PORT"
kill "$SXGW_PID"
wait "$SXGW_PID"

# --- a dial-out rings longer than the MSRP bind time: the bind time
# starts with the answer; on a SIP port chosen beforehand (start_sxgw -p)
BT_PORT=$(free_port)
if ! start_sxgw -p "$BT_PORT" bindtime "msrp.bind_timeout = 1
sip.refer_policy = anyone
conference.keep_rooms = yes"; then
	fail "sxgw with bind_timeout 1 starts" "$(tail -5 "$SXGW_LOG")"
	finish
fi
expect_eq "start_sxgw -p: sxgw on the SIP port given" "$SXGW_SIP_PORT" \
	"$BT_PORT"
scenario "bind time: alice joins" join_alice3 invite_join -key user alice
INVITEE_PORT=$(free_port)
sipp_bg INVITEE_PID invitee3 invitee_uas "$INVITEE_PORT" -d 2500
sleep 0.3
scenario "bind time: a dial-out ringing 2.5 s is answered, sipfrag 200" \
	refer_slow refer_invite -key user alice \
	-key target "sip:bob@127.0.0.1:$INVITEE_PORT"
wait "$INVITEE_PID"
expect_eq "bind time: the invitee, never bound, gets a BYE after it" "$?" 0
logged "bind time: it counted from the answer" \
	"sip:bob@127.0.0.1:$INVITEE_PORT did not bind MSRP session .* within 1 s"

finish
