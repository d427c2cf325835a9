# lib_kamailio.sh - Kamailio peers for the integration tests (POSIX sh).
# Sourced after lib.sh, whose spawn() records every pid for cleanup.
#
#   start_kamailio_proxy NAME
#       SIP proxy and registrar on UDP and TCP 127.0.0.1, a free port.
#       Routes requests for $SXGW_DOMAIN (default conference.sip.example.test)
#       to sxgw at 127.0.0.1:$SXGW_SIP_PORT (must be set) over the transport
#       they came on; keeps registrations for the domains in
#       $KAM_USER_DOMAINS (default "sip.example.test example.test") in
#       memory and routes requests for those users to their contacts;
#       record-routes everything but REGISTER; 483 when Max-Forwards runs
#       out, 404 for unknown users and domains.  Logs one "kam: " line per
#       request and per reply; a request's line ends with " isfocus" when
#       its Contact has that parameter, and its Referred-By and Refer-To
#       (" Referred-By: VALUE", " Refer-To: VALUE") when it has them.
#       With GW_SIP_PORT set, requests for the XMPP users' domains in
#       $KAM_XMPP_DOMAINS (default example.test) go to the XMPP gateway's
#       own SIP agent at 127.0.0.1:$GW_SIP_PORT over $GW_SIP_TRANSPORT
#       (default udp) instead, before the users' domains are looked at:
#       set KAM_USER_DOMAINS to domains outside KAM_XMPP_DOMAINS then.
#       Sets KAM_PID, KAM_PORT, KAM_URI (sip:127.0.0.1:PORT), KAM_LOG, KAM_CFG.
#
#   start_kamailio_msrp_relay NAME
#       RFC 4976 MSRP relay on TCP 127.0.0.1, a free port, no TLS.  AUTH
#       gets a 200 with Use-Path (no Digest challenge); SEND and REPORT
#       whose first To-Path URI is the relay's are forwarded.  Logs one
#       "relay: " line per frame.
#       Sets RELAY_PID, RELAY_PORT, RELAY_URI (msrp://127.0.0.1:PORT;tcp),
#       RELAY_LOG, RELAY_CFG.
#
#   kam_wait_bound udp|tcp PORT [SECONDS]
#       Waits until something is bound to 127.0.0.1:PORT (UDP) or listens
#       there (TCP): for peers such as SIPp that say nothing when ready.
#
#   kam_require_sipp
#       Exits 77 (skipped) unless Kamailio and SIPp are installed.
#
#   kam_sipp_spawn VAR NAME TIMEOUT ARGS...
#       SIPp for one call in the background (in $T_TMP) with ARGS, given
#       TIMEOUT (e.g. 20s) in all; its messages in NAME.msg, its screen in
#       NAME.screen, its pid in VAR.
#
#   kam_register USER DOMAIN PORT
#       Registers sip:USER@DOMAIN at the proxy started last, its contact at
#       127.0.0.1:PORT (SIPp, $KAM_SCENARIOS/register.xml); the screen in
#       register-USER.screen.
#
# Both start functions check the configuration (kamailio -c), wait until
# the server listens (its "ready" log line), and fail with the end of its
# log when it dies first.  Files go to $T_TMP/NAME.*.
# Calling either again with another NAME starts another instance; the
# variables then describe the last one.

KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
KAM_TEMPLATES=${KAM_TEMPLATES:-tests/integration/kamailio}
KAM_SCENARIOS=${KAM_SCENARIOS:-$(pwd)/scenarios/kamailio}

# kam_render TEMPLATE OUT KEY=VALUE...: OUT is TEMPLATE with each @KEY@
# replaced by VALUE.
kam_render() {
	kr_in=$1
	kr_out=$2
	shift 2
	kr_script=""
	for kr_kv in "$@"; do
		kr_val=$(printf '%s' "${kr_kv#*=}" | sed 's/[\\&|]/\\&/g')
		kr_script="${kr_script}s|@${kr_kv%%=*}@|${kr_val}|g
"
	done
	sed -e "$kr_script" "$kr_in" >"$kr_out" || return 1
	if grep -n '@[A-Z_][A-Z_]*@' "$kr_out" >&2; then
		echo "kam_render: placeholders left in $kr_out" >&2
		return 1
	fi
}

# kam_domains_re "a.b c.d": an extended regex matching exactly those
# domains, without backslashes (they would need escaping for sed and for
# Kamailio's string literals alike).
kam_domains_re() {
	printf '^(%s)$' "$(echo "$1" |
		sed 's/^ *//; s/ *$//; s/  */ /g; s/\./[.]/g; s/ /|/g')"
}

# kam_wait_ready PID LOG REGEX: waits for REGEX in LOG while PID lives.
kam_wait_ready() {
	kw_deadline=$(($(date +%s) + 10))
	while ! grep -q -E "$3" "$2" 2>/dev/null; do
		if ! kill -0 "$1" 2>/dev/null; then
			echo "kamailio (pid $1) exited before it was ready:" >&2
			tail -n 20 "$2" >&2
			return 1
		fi
		if [ "$(date +%s)" -ge "$kw_deadline" ]; then
			echo "kamailio (pid $1) not ready after 10 s" >&2
			tail -n 20 "$2" >&2
			return 1
		fi
		sleep 0.02
	done
}

kam_wait_bound() {
	# /proc/net/{udp,tcp}: local address as hex IP:PORT, state 0A listen
	kb_addr=$(printf '0100007F:%04X' "$2")
	kb_deadline=$(($(date +%s) + ${3:-10}))
	until awk -v a="$kb_addr" -v p="$1" \
		'$2 == a && (p == "udp" || $4 == "0A") { f = 1 } END { exit !f }' \
		"/proc/net/$1"; do
		if [ "$(date +%s)" -ge "$kb_deadline" ]; then
			echo "nothing bound to $1 127.0.0.1:$2" >&2
			return 1
		fi
		sleep 0.02
	done
}

# kam_spawn VAR NAME CFG: checks CFG, then runs Kamailio on it as a child
# (-DD: no daemon, so the pid is its own) with its pid file and runtime
# directory under $T_TMP; stores the pid in VAR.
kam_spawn() {
	mkdir -p "$T_TMP/$2.run" || return 1
	if ! "$KAMAILIO" -c -f "$3" >"$T_TMP/$2.check" 2>&1; then
		echo "kamailio: $3 does not check:" >&2
		grep -E 'ERROR|CRITICAL' "$T_TMP/$2.check" | head -n 20 >&2
		return 1
	fi
	spawn "$1" "$KAMAILIO" -f "$3" -DD -E -P "$T_TMP/$2.run/kamailio.pid" \
		-Y "$T_TMP/$2.run" -w "$T_TMP/$2.run" >"$T_TMP/$2.log" 2>&1
}

start_kamailio_proxy() {
	kp_name=$1
	if [ -z "${SXGW_SIP_PORT:-}" ]; then
		echo "start_kamailio_proxy: set SXGW_SIP_PORT first" >&2
		return 1
	fi
	KAM_PORT=$(free_port)
	KAM_URI=sip:127.0.0.1:$KAM_PORT
	KAM_CFG=$T_TMP/$kp_name.cfg
	KAM_LOG=$T_TMP/$kp_name.log
	# Without the gateway the block that routes to it is left out by
	# Kamailio's preprocessor; its placeholders are filled all the same.
	kp_gw="# no XMPP gateway"
	[ -z "${GW_SIP_PORT:-}" ] || kp_gw="#!define WITH_XMPP_GW"
	kam_render "$KAM_TEMPLATES/proxy.cfg.in" "$KAM_CFG" \
		"LISTEN_PORT=$KAM_PORT" \
		"CONF_DOMAIN=${SXGW_DOMAIN:-conference.sip.example.test}" \
		"SXGW_SIP_PORT=$SXGW_SIP_PORT" \
		"USER_DOMAINS_RE=$(kam_domains_re \
			"${KAM_USER_DOMAINS:-sip.example.test example.test}")" \
		"XMPP_GW=$kp_gw" \
		"XMPP_DOMAINS_RE=$(kam_domains_re \
			"${KAM_XMPP_DOMAINS:-example.test}")" \
		"GW_SIP_TARGET=sip:127.0.0.1:${GW_SIP_PORT:-0};transport=${GW_SIP_TRANSPORT:-udp}" ||
		return 1
	kam_spawn KAM_PID "$kp_name" "$KAM_CFG" || return 1
	kam_wait_ready "$KAM_PID" "$KAM_LOG" 'kam: ready on'
}

start_kamailio_msrp_relay() {
	rl_name=$1
	RELAY_PORT=$(free_port)
	RELAY_URI="msrp://127.0.0.1:$RELAY_PORT;tcp"
	RELAY_CFG=$T_TMP/$rl_name.cfg
	RELAY_LOG=$T_TMP/$rl_name.log
	kam_render "$KAM_TEMPLATES/msrp-relay.cfg.in" "$RELAY_CFG" \
		"LISTEN_PORT=$RELAY_PORT" || return 1
	kam_spawn RELAY_PID "$rl_name" "$RELAY_CFG" || return 1
	kam_wait_ready "$RELAY_PID" "$RELAY_LOG" 'relay: ready on'
}

kam_require_sipp() {
	for kq_tool in "$KAMAILIO" sipp; do
		if ! command -v "$kq_tool" >/dev/null 2>&1; then
			echo "skipped: $kq_tool not installed (scripts/setup" \
				"installs it)"
			exit 77
		fi
	done
}

kam_sipp_spawn() {
	ks_var=$1
	ks_name=$2
	ks_timeout=$3
	shift 3
	spawn "$ks_var" sh -c 'cd "$1" && t=$2 && shift 2 && exec sipp \
		-i 127.0.0.1 -nostdin -m 1 -timeout "$t" -timeout_error \
		-trace_msg -message_file "$0.msg" "$@" >"$0.screen" 2>&1' \
		"$T_TMP/$ks_name" "$T_TMP" "$ks_timeout" "$@"
}

kam_register() {
	(cd "$T_TMP" && sipp -i 127.0.0.1 -nostdin -m 1 -timeout 10s \
		-timeout_error -sf "$KAM_SCENARIOS/register.xml" -s "$1" \
		-key domain "$2" -key contact_port "$3" \
		-p "$(free_port)" "127.0.0.1:$KAM_PORT" \
		>"$T_TMP/register-$1.screen" 2>&1)
}
