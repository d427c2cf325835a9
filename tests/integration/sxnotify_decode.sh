#!/bin/sh
# sxnotify_decode.sh - sxnotify-decode(1) end to end on fixtures/notify/:
# summary, JSON, --merge with stale and gapped versions, --muc presences,
# error positions inside captured NOTIFYs, usage errors.
#
# Prints one line per check and "RESULT N passed, M failed" at the end.
set -u

BUILD=${BUILD:-build}
FIXTURES=${FIXTURES:-fixtures}
BIN=$BUILD/bin/sxnotify-decode
N=$FIXTURES/notify
PY=/usr/bin/python3
SEQ="$N/seq-v1-full.sip $N/seq-v2-join.sip $N/seq-v3-nick.sip $N/seq-v4-leave.sip"

pass=0
fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$BIN" ]; then
	echo "FAIL $BIN is not built"
	echo "RESULT 0 passed, 1 failed"
	exit 1
fi

check() {
	name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name"
		sed 's/^/     stderr: /' "$tmp/err" | head -5
	fi
}

# run ARGS...: stdout to $tmp/out, stderr to $tmp/err, status in $rc.
run() {
	"$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

status_is() { [ "$rc" -eq "$1" ]; }
out_has() { grep -qF -- "$1" "$tmp/out"; }
out_line() { grep -qxF -- "$1" "$tmp/out"; }
err_has() { grep -qF -- "$1" "$tmp/err"; }
err_is() { [ "$(cat "$tmp/err")" = "$1" ]; }
err_empty() { [ ! -s "$tmp/err" ]; }

# json EXPR: evaluates a Python expression over the JSON in $tmp/out, with
# d the object and u its users by entity.
PYPROG='
import json, sys
def nonull(x):
    if x is None:
        return False
    if isinstance(x, dict):
        return all(nonull(v) for v in x.values())
    if isinstance(x, list):
        return all(nonull(v) for v in x)
    return True
d = json.load(open(sys.argv[1]))
u = {x["entity"]: x for x in d.get("users", [])}
sys.exit(0 if eval(sys.argv[2]) else 1)
'
json() { "$PY" -c "$PYPROG" "$tmp/out" "$1" 2>>"$tmp/err"; }

# column_of TEXT LINE-PATTERN: where TEXT starts on the first line of the
# output matching LINE-PATTERN.
column_of() {
	awk -v t="$1" -v p="$2" '$0 ~ p { print index($0, t); exit }' \
		"$tmp/out"
}

# --- options ---------------------------------------------------------------
run --version
check "--version prints the version" status_is 0
check "--version text" out_has "sxnotify-decode (sxgw) "
run --help
check "--help exits 0" status_is 0
check "--help prints usage on stdout" out_has "Usage: sxnotify-decode"

# --- summary ---------------------------------------------------------------
run "$N/seq-v1-full.sip"
cp "$tmp/out" "$tmp/v1.summary"
check "summary: exit 0" status_is 0
check "summary: conference" out_line "Conference  sip:design@conf.example.test"
check "summary: name" out_line "Name        Design review"
check "summary: version" out_line "Version     1"
check "summary: state" out_line "State       full"
check "summary: subject" out_line "Subject     Gateway roadmap & Q3 plans"
check "summary: user count" out_line "Users       5 listed, user-count 4"
check "summary: active" out_line "Active      yes"
check "summary: alice row" grep -qE \
	'^  sip:alice@example.test +alice \(Alice Liddell\) +owner +connected +message:sendrecv$' \
	"$tmp/out"
check "summary: erin departed" grep -qE \
	'^  sip:erin@example.test +Erin +- +disconnected \(departed\) +-$' \
	"$tmp/out"
c_head=$(column_of NAME '^  USER')
c_alice=$(column_of 'alice (' 'sip:alice@')
c_dave=$(column_of "Dave O'Neil" 'sips:dave@')
aligned() {
	[ "$c_head" -gt 0 ] && [ "$c_head" = "$c_alice" ] &&
		[ "$c_head" = "$c_dave" ]
}
check "summary: columns aligned" aligned
check "summary: stderr empty" err_empty

run "$N/full.xml"
check "bare document and NOTIFY decode alike" cmp -s "$tmp/out" "$tmp/v1.summary"

"$BIN" <"$N/full.xml" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "stdin: exit 0" status_is 0
check "stdin: same summary" cmp -s "$tmp/out" "$tmp/v1.summary"
"$BIN" - <"$N/seq-v1-full.sip" >"$tmp/out" 2>"$tmp/err"
check "stdin as -: NOTIFY from a pipe" cmp -s "$tmp/out" "$tmp/v1.summary"

run "$N/compact.sip"
check "compact headers: exit 0" status_is 0
check "compact headers: body found" out_line "Conference  sip:lobby@conf.example.test"
check "compact headers: version" out_line "Version     12"

run "$N/notify-lf.sip"
check "LF capture with wire Content-Length: exit 0" status_is 0
check "LF capture: decoded" out_line "Subject     On-call handover"
check "LF capture: last user kept" grep -qE '^  sip:heidi@example.test .* on-hold ' \
	"$tmp/out"

run "$N/multipart.sip"
check "multipart/mixed: conference-info part found" out_line "Version     13"

run "$N/compact.sip" "$N/notify-lf.sip"
check "several inputs: headings" out_line "==> $N/compact.sip <=="
check "several inputs: blank line between blocks" \
	[ "$(grep -B1 -xF "==> $N/notify-lf.sip <==" "$tmp/out" | head -1)" = "" ]

# --- JSON ------------------------------------------------------------------
run --json "$N/seq-v1-full.sip"
check "json: exit 0" status_is 0
check "json: one line" [ "$(wc -l <"$tmp/out")" -eq 1 ]
check "json: conference fields" json \
	'd["file"].endswith("seq-v1-full.sip") and d["entity"] == "sip:design@conf.example.test" and d["version"] == 1 and d["state"] == "full" and d["subject"] == "Gateway roadmap & Q3 plans" and d["display_text"] == "Design review" and d["user_count"] == 4 and d["active"] is True and d["locked"] is False'
check "json: users in order" json \
	'[x["entity"] for x in d["users"]] == ["sip:alice@example.test", "sip:bob@example.test", "sip:carol@xmpp.example.test", "sips:dave@secure.example.test", "sip:erin@example.test"]'
check "json: user fields" json \
	'u["sip:alice@example.test"]["nickname"] == "alice" and u["sip:alice@example.test"]["display_text"] == "Alice Liddell" and u["sip:alice@example.test"]["roles"] == ["owner"] and u["sip:carol@xmpp.example.test"]["aors"] == ["xmpp:carol@xmpp.example.test"] and u["sips:dave@secure.example.test"]["display_text"] == "Dave O'"'"'Neil & co"'
check "json: endpoint and media" json \
	'u["sip:alice@example.test"]["endpoints"] == [{"entity": "sip:alice@example.test;gr=desk", "status": "connected", "joining_method": "dialed-in", "media": [{"id": "1", "type": "message", "label": "1", "status": "sendrecv"}]}]'
check "json: disconnection method" json \
	'u["sip:erin@example.test"]["endpoints"][0]["disconnection_method"] == "departed"'
check "json: absent values left out, no nulls" json \
	'nonull(d) and "nickname" not in u["sip:bob@example.test"] and u["sip:erin@example.test"]["roles"] == []'
check "json: available media" json \
	'd["available_media"] == [{"label": "1", "type": "message", "status": "sendrecv"}]'

run --json --pretty "$N/seq-v1-full.sip"
check "json --pretty: indented" [ "$(wc -l <"$tmp/out")" -gt 20 ]
check "json --pretty: same object" json 'd["users"][1]["entity"] == "sip:bob@example.test"'

run --json "$N/compact.sip" "$N/notify-lf.sip"
check "json: one object per input, one per line" "$PY" -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
sys.exit(0 if [o["version"] for o in objs] == [12, 7] else 1)' "$tmp/out"

# --- merge -----------------------------------------------------------------
# shellcheck disable=SC2086
run --merge --json $SEQ
check "merge: exit 0" status_is 0
check "merge: no warnings" err_empty
check "merge: final version and count" json \
	'd["version"] == 4 and d["user_count"] == 4 and "file" not in d'
check "merge: final roster" json \
	'sorted(u) == ["sip:alice@example.test", "sip:bob@example.test", "sip:carol@xmpp.example.test", "sip:erin@example.test", "sip:frank@example.test"]'
check "merge: nick change applied" json \
	'u["sip:bob@example.test"]["nickname"] == "bobby" and u["sip:bob@example.test"]["display_text"] == "Bob" and len(u["sip:bob@example.test"]["endpoints"]) == 1'
check "merge: joined user complete" json \
	'u["sip:frank@example.test"]["endpoints"][0]["status"] == "connected"'

# shellcheck disable=SC2086
run --merge $SEQ
check "merge: summary of the final state" out_line "Version     4"
check "merge: summary shows the new nick" grep -qE '^  sip:bob@example.test +bobby \(Bob\) ' \
	"$tmp/out"

# shellcheck disable=SC2086
run --merge --json $SEQ "$N/seq-stale.sip"
check "stale: exit stays 0" status_is 0
check "stale: warning" err_is "$N/seq-stale.sip: stale version 3 (have 4), ignored"
check "stale: not applied" json 'd["version"] == 4 and "sip:alice@example.test" in u'

# shellcheck disable=SC2086
run --merge --json $SEQ "$N/seq-gap.sip"
check "gap: exit 2" status_is 2
check "gap: error" err_is "$N/seq-gap.sip: version gap: 6 after 4, a refresh is needed"
check "gap: state kept and printed" json 'd["version"] == 4 and "sip:bob@example.test" in u'

run --merge --json "$N/seq-v1-full.sip" "$N/seq-v3-nick.sip" "$N/seq-v2-join.sip"
check "gap: processing continues" status_is 2
check "gap: later notification applied" json \
	'd["version"] == 2 and "sip:frank@example.test" in u and "nickname" not in u["sip:bob@example.test"]'

run --merge "$N/seq-v2-join.sip"
check "merge: partial before any full is refused" status_is 2
check "merge: nothing printed without a state" [ ! -s "$tmp/out" ]

# --- errors in inputs ------------------------------------------------------
f=$N/bad/mismatched-tag.sip
run "$f"
line=$(grep -n '</displaytext>' "$f" | cut -d: -f1)
check "invalid XML in NOTIFY: exit 2" status_is 2
check "invalid XML in NOTIFY: position in the file (line $line)" \
	err_has "$f:$line:38: "
check "invalid XML in NOTIFY: lines named in the message are file lines" \
	err_has "display-text line $line and displaytext"
check "invalid XML: one message" [ "$(wc -l <"$tmp/err")" -eq 1 ]

f=$N/bad/bad-xml.xml
run "$f"
line=$(grep -n 'Q3 plans & more' "$f" | cut -d: -f1)
check "invalid XML document: exit 2" status_is 2
check "invalid XML document: position (line $line)" err_has "$f:$line:"

f=$N/bad/user-without-entity.xml
run "$f"
line=$(grep -n '<user>' "$f" | cut -d: -f1)
check "RFC 4575 rule broken: exit 2" status_is 2
check "RFC 4575 rule broken: position (line $line)" err_has "$f:$line:"

run "$N/bad/wrong-content-type.sip"
check "wrong Content-Type: exit 2" status_is 2
check "wrong Content-Type: at the header" \
	err_has "$N/bad/wrong-content-type.sip:11:15: Content-Type is text/plain"

run "$N/bad/short-body.sip"
check "short body: exit 2" status_is 2
check "short body: reported" err_has "short-body.sip:12:17: Content-Length is 2781"

run "$N/bad/not-sip.txt"
check "neither XML nor SIP: exit 2" status_is 2
check "neither XML nor SIP: reported" err_has "not-sip.txt:1:1: neither"

"$BIN" <"$N/bad/not-sip.txt" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "stdin errors are named <stdin>" err_has "<stdin>:1:1: "

run "$tmp/no-such-file" "$N/compact.sip"
check "missing file: exit 2" status_is 2
check "missing file: reported" err_has "$tmp/no-such-file: "
check "missing file: other inputs still decoded" out_line "Version     12"

# --- usage errors ----------------------------------------------------------
for args in "--bogus" "-x" "--to a@b.test" "--muc room@muc.test" \
	"--pretty" "--json --muc r@m.test --to a@b.test" \
	"--muc room@muc.test/nick --to a@b.test" "--muc"; do
	# shellcheck disable=SC2086
	run $args "$N/full.xml"
	check "usage error exits 1: $args" status_is 1
	check "usage error says why: $args" err_has "sxnotify-decode: "
done

# --- MUC presences ---------------------------------------------------------
R=design@muc.example.test
X="xmlns='http://jabber.org/protocol/muc#user'"
run --muc "$R" --to carol@xmpp.example.test/laptop "$N/seq-v1-full.sip"
cat >"$tmp/expect" <<EOF
<presence from='$R/alice' to='carol@xmpp.example.test/laptop'><x $X><item affiliation='owner' role='moderator' jid='alice@example.test'/></x></presence>
<presence from='$R/Bob' to='carol@xmpp.example.test/laptop'><x $X><item affiliation='none' role='participant' jid='bob@example.test'/></x></presence>
<presence from='$R/Dave O&apos;Neil &amp; co' to='carol@xmpp.example.test/laptop'><x $X><item affiliation='admin' role='moderator'/></x></presence>
<presence from='$R/carol' to='carol@xmpp.example.test/laptop'><x $X><item affiliation='none' role='participant' jid='carol@xmpp.example.test'/><status code='100'/><status code='110'/></x></presence>
EOF
check "muc: exit 0" status_is 0
check "muc: others first, self last with 110, departed left out" \
	cmp -s "$tmp/out" "$tmp/expect"
check "muc: 110 only on the self-presence" [ "$(grep -c "code='110'" "$tmp/out")" -eq 1 ]

run --muc "$R" --to zed@xmpp.example.test "$N/seq-v1-full.sip"
check "muc: occupant not in the room exits 2" status_is 2
check "muc: not in the room reported" err_has "zed@xmpp.example.test is not in the room"
check "muc: the others still printed" [ "$(wc -l <"$tmp/out")" -eq 4 ]
check "muc: no self-presence for a stranger" [ "$(grep -c "code='110'" "$tmp/out")" -eq 0 ]

# shellcheck disable=SC2086
run --merge --muc "$R" --to carol@xmpp.example.test/laptop $SEQ
check "muc after merge: exit 0" status_is 0
check "muc after merge: new nick, joiner, leaver gone" \
	[ "$(sed -n "s|^<presence from='$R/\([^']*\)'.*|\1|p" "$tmp/out" | tr '\n' ,)" = "alice,bobby,Frank,carol," ]

run --muc lobby@muc.example.test --to judy@example.test/pc "$N/compact.sip"
check "muc: muted visitor" out_has "from='lobby@muc.example.test/Mallory' to='judy@example.test/pc'><x $X><item affiliation='none' role='visitor' jid='mallory@example.test'/>"
check "muc: self from compact NOTIFY" \
	[ "$(tail -1 "$tmp/out" | grep -c "lobby@muc.example.test/judy'.*code='110'")" -eq 1 ]

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
