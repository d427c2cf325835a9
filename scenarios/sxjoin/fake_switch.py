#!/usr/bin/python3
"""A scripted MSRP switch (RFC 4975, RFC 7701) for sxjoin's tests.

Usage: fake_switch.py [--connect PATH-FILE] ROOM-URI TAKEN-NICK

Listens on 127.0.0.1 (a free port; prints "path msrp://..." first), or with
--connect waits for PATH-FILE to hold the participant's a=path and connects
to it (the focus is the active side).  Then, on the one connection:

  - answers every SEND 200, and NICKNAME 200, or 425 for TAKEN-NICK,
    unless the request says Failure-Report: no (RFC 4975 §7.2);
  - after the first NICKNAME answered 200, sends the participant a public
    message of two lines from bob (with an ESC in it), a private one, one
    that is not text, and a subject change, each a CPIM message;
  - logs one line per frame received on stdout ("SEND bind", "NICKNAME
    alice", "SEND 123 bytes", "RESPONSE 200") and writes each CPIM body it
    receives to cpim-N in the current directory.

Strict: a frame it cannot parse ends it with exit status 1.
"""
import os
import re
import socket
import sys
import time

OURS = "fakeswitch"


def cpim(room, to, headers, ctype, body):
    return ("From: \"bob\" <sip:bob@example.test>\r\n"
            "To: <%s>\r\n"
            "DateTime: 2024-05-01T18:30:00.000Z\r\n%s"
            "\r\n"
            "Content-Type: %s\r\n"
            "\r\n%s" % (to, headers, ctype, body)).encode()


def main():
    args = sys.argv[1:]
    connect = None
    if args[0] == "--connect":
        connect = args[1]
        args = args[2:]
    room, taken = args
    if connect:
        while not (os.path.exists(connect) and
                   open(connect).read().endswith("\n")):
            time.sleep(0.02)
        # "a=setup:passive msrp://..." as the SIPp scenario writes it
        peer_path = open(connect).read().split()[-1]
        m = re.match(r"msrp://([^:/]+):(\d+)/", peer_path)
        conn = socket.create_connection((m.group(1), int(m.group(2))))
        our_path = "msrp://%s:%d/%s;tcp" % (conn.getsockname() + (OURS,))
        print("connected", flush=True)
    else:
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        our_path = "msrp://127.0.0.1:%d/%s;tcp" % (srv.getsockname()[1],
                                                   OURS)
        print("path " + our_path, flush=True)
        conn, _ = srv.accept()
        peer_path = None
    buf = b""
    ncpim = 0
    sent_room = False

    def send(data):
        conn.sendall(data)

    def request(tid, body, ctype="message/cpim"):
        send(("MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
              "Message-ID: %s\r\nByte-Range: 1-%d/%d\r\n"
              "Content-Type: %s\r\n\r\n" % (tid, peer_path, our_path, tid,
                                            len(body), len(body),
                                            ctype)).encode()
             + body + ("\r\n-------%s$\r\n" % tid).encode())

    if connect:
        # the active side binds (RFC 4975 §5.4)
        send(("MSRP bind1 SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
              "Message-ID: bind1\r\n-------bind1$\r\n"
              % (peer_path, our_path)).encode())
    while True:
        m = re.match(rb"MSRP ([A-Za-z0-9.+%=-]+) ", buf)
        end = m and re.search(rb"-------" + re.escape(m.group(1)) +
                              rb"([$+#])\r\n", buf)
        if not end:
            data = conn.recv(65536)
            if not data:
                print("closed", flush=True)
                return 0
            buf += data
            if len(buf) > 1 << 20 or (len(buf) > 8 and not
                                      buf.startswith(b"MSRP ")):
                print("garbage", buf[:80], flush=True)
                return 1
            continue
        tid = m.group(1).decode()
        frame = buf[:end.start()]
        buf = buf[end.end():]
        head, sep, body = frame.partition(b"\r\n\r\n")
        lines = head.decode().rstrip("\r\n").split("\r\n")
        start = lines[0].split(" ", 3)
        hdrs = dict(line.split(": ", 1) for line in lines[1:])
        if start[2].isdigit():
            print("RESPONSE " + start[2], flush=True)
            continue
        method = start[2]
        if peer_path is None:
            peer_path = hdrs["From-Path"]
        status = 200
        if method == "SEND" and not sep:
            print("SEND bind", flush=True)
        elif method == "SEND":
            body = body[:-2]
            ncpim += 1
            with open("cpim-%d" % ncpim, "wb") as f:
                f.write(body)
            print("SEND %d bytes %s" % (len(body), hdrs["Content-Type"]),
                  flush=True)
        elif method == "NICKNAME":
            nick = hdrs["Use-Nickname"]
            print("NICKNAME " + nick, flush=True)
            status = 425 if nick == '"%s"' % taken else 200
        else:
            status = 501
        if hdrs.get("Failure-Report", "yes") == "no":
            # RFC 4975 §7.2: no response at all
            print("  (Failure-Report: no)", flush=True)
            continue
        send(("MSRP %s %d %s\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
              "-------%s$\r\n" % (tid, status, "OK" if status == 200
                                  else "Refused", hdrs["From-Path"],
                                  our_path, tid)).encode())
        if method == "NICKNAME" and status == 200 and not sent_room:
            sent_room = True
            request("r1", cpim(room, room, "", "text/plain;charset=UTF-8",
                               "hello \x1b[31malice\r\nsecond line"))
            request("r2", cpim(room, room + ";gr=alice", "",
                               "text/plain;charset=UTF-8", "psst"))
            request("r3", cpim(room, room, "", "image/png", "\x89PNG...."))
            request("r4", cpim(room, room,
                               "NS: room <urn:x-sxgw:room>\r\n"
                               "room.Subject: Plans for \\\"May\\\"\r\n",
                               "text/plain;charset=UTF-8", ""))


if __name__ == "__main__":
    sys.exit(main())
