# lib_xmpp.sh - XMPP servers and clients for the integration tests (POSIX
# sh).  Sourced after lib.sh, whose spawn() records every pid for cleanup.
#
#   start_prosody NAME [COMPONENT-DOMAIN...]
#   start_ejabberd NAME [COMPONENT-DOMAIN...]
#       A private server on 127.0.0.1, files in $T_TMP/NAME/: users on
#       $XMPP_DOMAIN (example.test), MUC on $XMPP_MUC_DOMAIN
#       (muc.example.test, rooms unlocked at creation, 20 messages of
#       history), c2s without TLS (PLAIN allowed) on a free port, in-band
#       registration open, and each COMPONENT-DOMAIN as an external
#       component (XEP-0114) with the secret $XMPP_SECRET (default s3cret)
#       on a second free port.  Returns once both ports accept
#       connections; fails with the end of the log when the server dies
#       first or takes more than 20 s; returns 77 when the server is not
#       installed (or, for ejabberd, when neither root nor the ejabberd
#       user runs the test).
#       Sets XMPP_SERVER (prosody or ejabberd), XMPP_C2S_PORT,
#       XMPP_COMPONENT_PORT (empty without components), and
#         Prosody:  PROSODY_PID, PROSODY_CFG, PROSODY_LOG (debug log)
#         ejabberd: EJABBERD_PID, EJABBERD_DIR, EJABBERD_CFG,
#                   EJABBERD_LOG (info log), EJABBERD_DIST_PORT
#       The ejabberd node runs without epmd (ERL_DIST_PORT); its pid is
#       a watcher that kills the node when it is sent SIGTERM, so that
#       lib.sh's cleanup leaves no beam process behind.
#
#   stop_prosody [SIGNAL]      stop_ejabberd [SIGNAL]
#       Sends SIGNAL (default TERM; KILL for a crash) to the server and
#       waits until it has exited.
#   restart_prosody            restart_ejabberd
#       Starts the same server again: same configuration, ports and data.
#
#   xmpp_register USER[@DOMAIN] PASSWORD
#       Creates the account on the server started last ($XMPP_SERVER)
#       with its own tool (prosodyctl, ejabberdctl).
#
#   xmpp_peer VAR NAME JID PASSWORD [xmpp_peer.py OPTIONS...]
#       Starts tests/integration/xmpp_peer.py logged in as JID on
#       127.0.0.1:$XMPP_C2S_PORT, reading commands from the fifo
#       $T_TMP/NAME.in, its events in $T_TMP/NAME.out (stderr in
#       NAME.err); stores its pid in VAR; returns once the session has
#       started (fails after 10 s or on an authentication failure).
#   xmpp_send NAME COMMAND...  one command line to peer NAME (never blocks)
#   xmpp_wait NAME REGEX [SECONDS [AFTER-LINE]]
#       Waits (quietly) until a line of NAME.out after line AFTER-LINE
#       (default 0) matches the extended REGEX; default 10 s.
#   xmpp_lines NAME            number of lines NAME.out has now
#   xmpp_lineno NAME REGEX     number of the first line matching REGEX
#                              (empty when none does)
#   xmpp_sent_id NAME CMD [AFTER-LINE]
#       Waits for the "sent" event of command CMD (after AFTER-LINE) and
#       prints the stanza id it used.
#   xmpp_listening PORT        something listens on 127.0.0.1:PORT (TCP)
#   xmpp_forget PID            drops PID from lib.sh's cleanup list, once
#                              the test has waited for it itself

XMPP_SECRET=${XMPP_SECRET:-s3cret}
XMPP_DOMAIN=example.test
XMPP_MUC_DOMAIN=muc.example.test
XMPP_PYTHON=${XMPP_PYTHON:-/usr/bin/python3}
XMPP_PEER_PY=${XMPP_PEER_PY:-tests/integration/xmpp_peer.py}
XMPP_START_TIMEOUT=${XMPP_START_TIMEOUT:-20}

# xmpp_listening PORT: something listens on 127.0.0.1:PORT (TCP).
xmpp_listening() {
	awk -v a="$(printf '0100007F:%04X' "$1")" \
		'$2 == a && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp
}

# xmpp_wait_ready PID LOG PORT...: waits until every PORT listens while
# PID lives.
xmpp_wait_ready() {
	wr_pid=$1
	wr_log=$2
	shift 2
	wr_deadline=$(($(date +%s) + XMPP_START_TIMEOUT))
	for wr_port in "$@"; do
		until xmpp_listening "$wr_port"; do
			if ! kill -0 "$wr_pid" 2>/dev/null; then
				echo "XMPP server (pid $wr_pid) exited before" \
					"it was ready:" >&2
				tail -n 20 "$wr_log" >&2
				return 1
			fi
			if [ "$(date +%s)" -ge "$wr_deadline" ]; then
				echo "XMPP server (pid $wr_pid) not listening on" \
					"$wr_port after $XMPP_START_TIMEOUT s" >&2
				tail -n 20 "$wr_log" >&2
				return 1
			fi
			sleep 0.02
		done
	done
}

# xmpp_forget PID: takes PID out of lib.sh's cleanup list once it is gone.
xmpp_forget() {
	T_PIDS=$(echo " $T_PIDS " | sed "s/ $1 / /; s/^ *//; s/ *$//")
}

# --- Prosody -----------------------------------------------------------------

start_prosody() {
	if ! command -v prosody >/dev/null 2>&1 ||
		! command -v prosodyctl >/dev/null 2>&1; then
		echo "prosody not installed (scripts/setup installs it)" >&2
		return 77
	fi
	sp_dir=$T_TMP/$1
	shift
	mkdir -p "$sp_dir/data" "$sp_dir/certs" || return 1
	XMPP_C2S_PORT=$(free_port)
	XMPP_COMPONENT_PORT=
	[ $# -eq 0 ] || XMPP_COMPONENT_PORT=$(free_port)
	PROSODY_CFG=$sp_dir/prosody.cfg.lua
	PROSODY_LOG=$sp_dir/prosody.log
	{
		cat <<EOF
-- As root mod_posix refuses to run without run_as_root.
run_as_root = true
pidfile = "$sp_dir/prosody.pid"
data_path = "$sp_dir/data"
log = { debug = "$PROSODY_LOG" }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $XMPP_C2S_PORT }
component_ports = { ${XMPP_COMPONENT_PORT:-} }
component_interfaces = { "127.0.0.1" }
modules_enabled = {
	"roster", "saslauth", "disco", "ping", "register", "posix"
}
modules_disabled = { "s2s" }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
allow_registration = true
authentication = "internal_hashed"
storage = "internal"
-- Without this every stanza waits for the peer's delayed ACK.
network_settings = { nagle = false }

VirtualHost "$XMPP_DOMAIN"

Component "$XMPP_MUC_DOMAIN" "muc"
	muc_room_locking = false
EOF
		for sp_c in "$@"; do
			printf '\nComponent "%s"\n\tcomponent_secret = "%s"\n' \
				"$sp_c" "$XMPP_SECRET"
		done
	} >"$PROSODY_CFG"
	XMPP_SERVER=prosody
	restart_prosody
}

restart_prosody() {
	# Prosody's own console output is only dependency warnings.
	spawn PROSODY_PID prosody --config "$PROSODY_CFG" -F \
		>>"${PROSODY_CFG%/*}/prosody.out" 2>&1
	# shellcheck disable=SC2086 # no component port: no argument
	xmpp_wait_ready "$PROSODY_PID" "$PROSODY_LOG" "$XMPP_C2S_PORT" \
		$XMPP_COMPONENT_PORT
}

stop_prosody() {
	kill -"${1:-TERM}" "$PROSODY_PID" 2>/dev/null
	wait "$PROSODY_PID" 2>/dev/null
	xmpp_forget "$PROSODY_PID"
}

# --- ejabberd ----------------------------------------------------------------

# xmpp_ejabberdctl ARGS...: ejabberdctl on the instance in $EJABBERD_DIR.
xmpp_ejabberdctl() {
	ejabberdctl --config-dir "$EJABBERD_DIR" --config "$EJABBERD_CFG" \
		--ctl-config "$EJABBERD_DIR/ejabberdctl.cfg" \
		--logs "$EJABBERD_DIR/logs" --spool "$EJABBERD_DIR/spool" "$@"
}

# xmpp_beam_pids PID: the Erlang VMs among PID's descendants.
xmpp_beam_pids() {
	ps -e -o pid= -o ppid= -o comm= | awk -v root="$1" '
		{ parent[$1] = $2; comm[$1] = $3 }
		END {
			for (p in parent) {
				q = p
				while (q in parent && q != root && q > 1)
					q = parent[q]
				if (q == root && comm[p] ~ /^beam/)
					print p
			}
		}'
}

# xmpp_ejabberd_run DIR: runs in the background as EJABBERD_PID.  ejabberdctl
# runs the node under su and survives neither as a parent nor as a killer:
# on SIGTERM this kills the node itself (KILL: the test is over) and waits
# for the whole chain to end.
xmpp_ejabberd_run() {
	er_dir=$1
	trap 'xmpp_ejabberd_signal KILL; wait "$er_ctl"; exit 0' TERM
	EJABBERD_DIR=$er_dir
	xmpp_ejabberdctl foreground >>"$er_dir/ejabberd.out" 2>&1 &
	er_ctl=$!
	echo "$er_ctl" >"$er_dir/ctl.pid"
	wait "$er_ctl"
}

# xmpp_ejabberd_signal SIGNAL: sends SIGNAL to the node of the instance in
# $EJABBERD_DIR (or to the ejabberdctl chain while the node is not there).
xmpp_ejabberd_signal() {
	es_ctl=$(cat "$EJABBERD_DIR/ctl.pid" 2>/dev/null)
	[ -n "$es_ctl" ] || return 0
	es_beam=$(xmpp_beam_pids "$es_ctl")
	if [ -n "$es_beam" ]; then
		# shellcheck disable=SC2086 # one pid a word
		kill -"$1" $es_beam 2>/dev/null
	else
		kill -"$1" "$es_ctl" 2>/dev/null
	fi
}

start_ejabberd() {
	if ! command -v ejabberdctl >/dev/null 2>&1; then
		echo "ejabberd not installed (scripts/setup installs it)" >&2
		return 77
	fi
	se_me=$(id -un)
	if [ "$se_me" != root ] && [ "$se_me" != ejabberd ]; then
		echo "ejabberdctl runs only as root or ejabberd" >&2
		return 77
	fi
	EJABBERD_DIR=$T_TMP/$1
	shift
	mkdir -p "$EJABBERD_DIR/logs" "$EJABBERD_DIR/spool" || return 1
	XMPP_C2S_PORT=$(free_port)
	XMPP_COMPONENT_PORT=
	[ $# -eq 0 ] || XMPP_COMPONENT_PORT=$(free_port)
	EJABBERD_DIST_PORT=$(free_port)
	EJABBERD_CFG=$EJABBERD_DIR/ejabberd.yml
	EJABBERD_LOG=$EJABBERD_DIR/logs/ejabberd.log
	# ERL_DIST_PORT: no epmd at all, the node listens on that port (on
	# loopback) and ejabberdctl finds it there.  The interface is given
	# to the VM directly: INET_DIST_INTERFACE costs an extra VM start.
	cat >"$EJABBERD_DIR/ejabberdctl.cfg" <<EOF
ERLANG_NODE=ejabberd@localhost
ERL_DIST_PORT=$EJABBERD_DIST_PORT
ERL_EPMD_ADDRESS=127.0.0.1
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"
ERL_OPTIONS="\$ERL_OPTIONS -kernel inet_dist_use_interface {127,0,0,1}"
EJABBERD_PID_PATH=$EJABBERD_DIR/ejabberd.pid
EJABBERD_BYPASS_WARNINGS=true
EOF
	: >"$EJABBERD_DIR/inetrc"
	{
		cat <<EOF
hosts:
  - "$XMPP_DOMAIN"
loglevel: info
log_rotate_count: 0
certfiles: []
auth_method: internal
default_db: mnesia
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  register:
    allow: all
listen:
  - port: $XMPP_C2S_PORT
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: false
EOF
		if [ $# -gt 0 ]; then
			cat <<EOF
  - port: $XMPP_COMPONENT_PORT
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
EOF
			for se_c in "$@"; do
				printf '      "%s":\n        password: "%s"\n' \
					"$se_c" "$XMPP_SECRET"
			done
		fi
		cat <<EOF
modules:
  mod_disco: {}
  mod_ping: {}
  mod_roster: {}
  mod_register:
    access: register
    welcome_message: {}
  mod_muc:
    hosts:
      - "$XMPP_MUC_DOMAIN"
    access_create: all
    history_size: 20
    default_room_options:
      persistent: false
      mam: false
EOF
	} >"$EJABBERD_CFG"
	if [ "$se_me" = root ]; then
		# The node runs as ejabberd: its files, and a way through $T_TMP.
		chown -R ejabberd: "$EJABBERD_DIR" &&
			chmod go+x "$T_TMP" || return 1
	fi
	XMPP_SERVER=ejabberd
	restart_ejabberd
}

restart_ejabberd() {
	rm -f "$EJABBERD_DIR/ctl.pid"
	spawn EJABBERD_PID xmpp_ejabberd_run "$EJABBERD_DIR"
	# shellcheck disable=SC2086 # no component port: no argument
	xmpp_wait_ready "$EJABBERD_PID" "$EJABBERD_DIR/ejabberd.out" \
		"$XMPP_C2S_PORT" $XMPP_COMPONENT_PORT
}

stop_ejabberd() {
	xmpp_ejabberd_signal "${1:-TERM}"
	# The watcher ends when ejabberdctl does, after the node.
	wait "$EJABBERD_PID" 2>/dev/null
	xmpp_forget "$EJABBERD_PID"
}

# --- accounts and clients ----------------------------------------------------

xmpp_register() {
	xr_user=${1%@*}
	xr_domain=$XMPP_DOMAIN
	case $1 in *@*) xr_domain=${1#*@} ;; esac
	case ${XMPP_SERVER:-} in
	prosody)
		prosodyctl --config "$PROSODY_CFG" register "$xr_user" \
			"$xr_domain" "$2" >>"${PROSODY_CFG%/*}/prosodyctl.out" 2>&1
		;;
	ejabberd)
		xmpp_ejabberdctl register "$xr_user" "$xr_domain" "$2" \
			>>"$EJABBERD_DIR/ejabberdctl.out" 2>&1
		;;
	*)
		echo "xmpp_register: no XMPP server started" >&2
		return 1
		;;
	esac
}

xmpp_peer() {
	xp_var=$1
	xp_name=$2
	xp_jid=$3
	xp_pw=$4
	shift 4
	rm -f "$T_TMP/$xp_name.in" "$T_TMP/$xp_name.out"
	mkfifo "$T_TMP/$xp_name.in" || return 1
	spawn "$xp_var" "$XMPP_PYTHON" "$XMPP_PEER_PY" --jid "$xp_jid" \
		--password "$xp_pw" --server "127.0.0.1:$XMPP_C2S_PORT" \
		--commands "$T_TMP/$xp_name.in" "$@" \
		>"$T_TMP/$xp_name.out" 2>"$T_TMP/$xp_name.err"
	xmpp_wait "$xp_name" '"event":"(session_start|auth_failed|disconnected)"' &&
		grep -q '"event":"session_start"' "$T_TMP/$xp_name.out"
}

xmpp_send() {
	xs_name=$1
	shift
	# Read-write: never blocks, even when the peer is gone.
	printf '%s\n' "$*" 1<>"$T_TMP/$xs_name.in"
}

xmpp_wait() {
	xw_file=$T_TMP/$1.out
	xw_deadline=$(($(date +%s) + ${3:-10}))
	xw_from=$((${4:-0} + 1))
	until [ -f "$xw_file" ] &&
		tail -n "+$xw_from" "$xw_file" | grep -q -E "$2"; do
		if [ "$(date +%s)" -ge "$xw_deadline" ]; then
			echo "timeout waiting for /$2/ in $xw_file" >&2
			return 1
		fi
		sleep 0.02
	done
}

xmpp_lines() {
	wc -l <"$T_TMP/$1.out" | tr -d ' '
}

xmpp_lineno() {
	grep -n -m1 -E "$2" "$T_TMP/$1.out" | cut -d: -f1
}

xmpp_sent_id() {
	xmpp_wait "$1" "\"event\":\"sent\",\"cmd\":\"$2\"" 10 "${3:-0}" ||
		return 1
	tail -n "+$((${3:-0} + 1))" "$T_TMP/$1.out" |
		grep -m1 "\"event\":\"sent\",\"cmd\":\"$2\"" |
		sed 's/.*"id":"\([^"]*\)".*/\1/'
}
