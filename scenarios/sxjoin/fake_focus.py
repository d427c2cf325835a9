#!/usr/bin/python3
"""A scripted conference focus (RFC 4579) over SIP/UDP for sxjoin's tests:
the dialogs SIPp cannot hold together in one scenario (the INVITE, the
conference subscription, REFERs, each with its own Call-ID).

Usage: fake_focus.py SWITCH-PATH

Binds 127.0.0.1 on a free port and prints "port N".  Then:

  INVITE     200, Contact <sip:room@...>;isfocus, an MSRP answer whose
             a=path is SWITCH-PATH (a=setup:passive)
  SUBSCRIBE  200, then the conference-info documents of SCRIPT (RFC 4575,
             nicknames as RFC 6501 attributes), each sent once the
             previous NOTIFY was answered; version 7 is skipped on
             purpose (8 follows 6, with a user who must never show), so
             the subscriber must refresh, and the refresh gets the full
             state (version 9)
  REFER      202, then two message/sipfrag NOTIFYs: "100 Trying" and
             "200 OK" (RFC 3515 §2.4.5)
  BYE        200

One line per request received and per answer to its NOTIFYs goes to
stdout ("SUBSCRIBE Expires=600", "REFER <sip:x>", "NOTIFY 200 v3").
"""
import random
import re
import socket
import sys

ROOM = "sip:room@example.test"
NS = ('xmlns="urn:ietf:params:xml:ns:conference-info" '
      'xmlns:xcon="urn:ietf:params:xml:ns:xcon-conference-info"')


def user(entity, nick=None, status="connected", extra="", state=None):
    attrs = ' entity="%s"' % entity
    if nick:
        attrs += ' xcon:nickname="%s"' % nick
    if state:
        attrs += ' state="%s"' % state
    return ('<user%s><endpoint entity="%s;gr=x"><status>%s</status>%s'
            '</endpoint></user>' % (attrs, entity, status, extra))


def doc(version, state, users, subject=None):
    desc = ""
    if subject is not None:
        desc = ("<conference-description><subject>%s</subject>"
                "</conference-description>" % subject)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<conference-info %s entity="%s" state="%s" version="%d">'
            '%s<users>%s</users></conference-info>'
            % (NS, ROOM, state, version, desc, "".join(users)))


# (version, document): alice is the subscriber herself
SCRIPT = [
    (1, doc(1, "full", [user("sip:alice@example.test", "alice"),
                        user("sip:bob@example.test", "bob"),
                        user("sip:dave@example.test")], "Welcome")),
    (2, doc(2, "partial", [user("sip:carol@example.test", "carol",
                                state="full")])),
    (3, doc(3, "partial", ['<user entity="sip:bob@example.test" '
                           'state="partial" xcon:nickname="robert"/>'])),
    (4, doc(4, "partial", [
        '<user entity="sip:carol@example.test" state="partial">'
        '<endpoint entity="sip:carol@example.test;gr=x" state="partial">'
        '<status>disconnected</status><disconnection-method>booted'
        '</disconnection-method></endpoint></user>'])),
    (5, doc(5, "partial", ['<user entity="sip:dave@example.test" '
                           'state="partial" xcon:nickname="dave"/>'])),
    (6, doc(6, "partial", [user("sip:carol@example.test",
                                state="deleted")])),
    # 7 never sent: the gap
    (8, doc(8, "partial", [user("sip:zed@example.test", "zed",
                                state="full")])),
]
REFRESH = (9, doc(9, "full", [user("sip:alice@example.test", "alice"),
                              user("sip:bob@example.test", "robert"),
                              user("sip:dave@example.test", "dave"),
                              user("sip:erin@example.test", "erin")],
                  "New subject"))


def parse(data):
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    hdrs = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        hdrs.append((name.strip().lower(), value.strip()))
    return lines[0], hdrs, body.decode()


def get(hdrs, name):
    for n, v in hdrs:
        if n == name:
            return v
    return None


def main():
    switch_path = sys.argv[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    print("port %d" % port, flush=True)
    contact = "<sip:room@%s:%d>" % (host, port)
    cseq = [1]
    pending = {}   # Call-ID of a NOTIFY -> what to do once answered
    step = [0]

    def respond(addr, start, hdrs, status, phrase, extra="", body=""):
        to = get(hdrs, "to")
        if ";tag=" not in to:
            to += ";tag=focus%d" % random.randrange(1 << 30)
        out = ["SIP/2.0 %d %s" % (status, phrase)]
        out += ["Via: " + v for n, v in hdrs if n == "via"]
        out += ["From: " + get(hdrs, "from"), "To: " + to,
                "Call-ID: " + get(hdrs, "call-id"),
                "CSeq: " + get(hdrs, "cseq")]
        out += extra
        out += ["Content-Length: %d" % len(body), "", body]
        sock.sendto("\r\n".join(out).encode(), addr)
        return to

    def notify(addr, dialog, event, state, ctype, body, then):
        cseq[0] += 1
        out = ["NOTIFY %s SIP/2.0" % dialog["target"],
               "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%d" %
               (host, port, random.randrange(1 << 30)),
               "Max-Forwards: 70",
               "From: " + dialog["local"], "To: " + dialog["remote"],
               "Call-ID: " + dialog["call_id"],
               "CSeq: %d NOTIFY" % cseq[0], "Contact: " + contact,
               "Event: " + event, "Subscription-State: " + state,
               "Content-Type: " + ctype,
               "Content-Length: %d" % len(body.encode()), "", body]
        pending[(dialog["call_id"], cseq[0])] = then
        sock.sendto("\r\n".join(out).encode(), addr)

    def dialog_of(hdrs, to):
        m = re.search(r"<([^>]+)>", get(hdrs, "contact"))
        return {"target": m.group(1), "local": to,
                "remote": get(hdrs, "from"),
                "call_id": get(hdrs, "call-id")}

    def conference(addr, dialog):
        if step[0] >= len(SCRIPT):
            return
        version, body = SCRIPT[step[0]]
        step[0] += 1

        def then():
            print("NOTIFY answered v%d" % version, flush=True)
            conference(addr, dialog)
        notify(addr, dialog, "conference", "active;expires=600",
               "application/conference-info+xml", body, then)

    subs = {}
    while True:
        data, addr = sock.recvfrom(65536)
        start, hdrs, body = parse(data)
        if start.startswith("SIP/2.0 "):
            num = int(get(hdrs, "cseq").split()[0])
            then = pending.pop((get(hdrs, "call-id"), num), None)
            if then:
                then()
            continue
        method = start.split()[0]
        if method == "INVITE":
            sdp = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\n"
                   "t=0 0\r\nm=message %s TCP/MSRP *\r\na=path:%s\r\n"
                   "a=accept-types:message/cpim\r\n"
                   "a=accept-wrapped-types:*\r\n"
                   "a=chatroom:nickname private-messages\r\n"
                   "a=setup:passive\r\n"
                   % (host, host, re.search(r":(\d+)/", switch_path)
                      .group(1), switch_path))
            print("INVITE", flush=True)
            respond(addr, start, hdrs, 200, "OK",
                    ["Contact: %s;isfocus" % contact,
                     "Content-Type: application/sdp"], sdp)
        elif method == "ACK":
            print("ACK", flush=True)
        elif method == "SUBSCRIBE":
            expires = get(hdrs, "expires")
            print("SUBSCRIBE Expires=%s Event=%s" % (expires,
                  get(hdrs, "event")), flush=True)
            to = respond(addr, start, hdrs, 200, "OK",
                         ["Contact: " + contact, "Expires: " + expires])
            call_id = get(hdrs, "call-id")
            if expires == "0":
                continue
            if call_id in subs:
                # a refresh after the gap: the full state
                notify(addr, subs[call_id], "conference",
                       "active;expires=600",
                       "application/conference-info+xml", REFRESH[1],
                       lambda: print("NOTIFY answered v%d" % REFRESH[0],
                                     flush=True))
                continue
            subs[call_id] = dialog_of(hdrs, to)
            conference(addr, subs[call_id])
        elif method == "REFER":
            print("REFER %s Referred-By=%s" % (get(hdrs, "refer-to"),
                  get(hdrs, "referred-by")), flush=True)
            to = respond(addr, start, hdrs, 202, "Accepted",
                         ["Contact: " + contact])
            d = dialog_of(hdrs, to)
            final = (lambda a=addr, dd=d: notify(
                a, dd, "refer", "terminated;reason=noresource",
                "message/sipfrag", "SIP/2.0 200 OK\r\n",
                lambda: print("NOTIFY answered refer", flush=True)))
            notify(addr, d, "refer", "active;expires=60", "message/sipfrag",
                   "SIP/2.0 100 Trying\r\n", final)
        elif method == "BYE":
            print("BYE", flush=True)
            respond(addr, start, hdrs, 200, "OK")
        else:
            respond(addr, start, hdrs, 501, "Not Implemented")


if __name__ == "__main__":
    sys.exit(main())
