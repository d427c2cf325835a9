#!/usr/bin/python3
"""msrp_peer.py - a scripted MSRP participant (RFC 4975, RFC 7701) for the
switch tests: connects to the switch, runs STEPs in order, and meanwhile
receives what the switch forwards.  One line on stdout per result:

  bind STATUS                     bodiless SEND (RFC 4975 section 5.4)
  nick NAME STATUS                NICKNAME with Use-Nickname (RFC 7701)
  send FILE STATUS                a message/cpim SEND of FILE's bytes
  recv N LENGTH FILE              message N arrived whole, saved to FILE
  aborted MESSAGE-ID              a message ended with '#'
  flood N ACCEPTED                how many of N messages got 200
  closed                          the switch closed the connection

Steps:
  bind                  bodiless SEND
  nick:NAME             NICKNAME (NAME may hold \\xHH escapes)
  send:FILE             FILE as one message/cpim chunk
  chunks:N:FILE         FILE in chunks of N bytes, each answered
  star:N:FILE           the same with the total unknown ('*'): the last
                        chunk is empty and ends with '$'
  type:TYPE:FILE        FILE as one chunk of Content-Type TYPE
  to:PATH:FILE          FILE sent with To-Path PATH instead of the switch's
  range:RANGE:FILE      FILE as one chunk with Byte-Range RANGE as given
  stall:N:FILE          the first N bytes of FILE with '+', then nothing
  raw:FILE              FILE's bytes written as they are (garbage)
  flood:N:MS:FILE       FILE as N messages, MS milliseconds apart
  block:SECONDS         read nothing for SECONDS (a congested reader)
  recv:COUNT:SECONDS    wait until COUNT messages arrived in all
  wait:SECONDS          receive for SECONDS
Usage: msrp_peer.py SWITCH-PATH OUR-PATH OUTDIR STEP...
Exit: 0, or 1 when a step timed out (10 s for each answer).
"""
import os
import random
import select
import socket
import string
import sys
import time

ANSWER_TIMEOUT = 10.0


def ident(n=12):
    return ''.join(random.choice(string.ascii_letters + string.digits)
                   for _ in range(n))


def unescape(s):
    return s.encode('latin-1').decode('unicode_escape').encode('latin-1')


class Peer:
    def __init__(self, switch_path, our_path, outdir):
        self.to_path = switch_path
        self.from_path = our_path
        self.outdir = outdir
        host, port = switch_path.split('//', 1)[1].split('/', 1)[0] \
            .rsplit(':', 1)
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        self.sock.setblocking(False)
        self.buf = b''
        self.answers = {}        # tid -> status
        self.messages = {}       # Message-ID -> bytearray parts
        self.received = 0
        self.closed = False

    def say(self, line):
        print(line, flush=True)

    def write(self, data):
        self.sock.setblocking(True)
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True
        self.sock.setblocking(False)

    def frame(self, method, headers, body=None, flag='$', to_path=None):
        tid = ident()
        head = 'MSRP %s %s\r\nTo-Path: %s\r\nFrom-Path: %s\r\n' % (
            tid, method, to_path or self.to_path, self.from_path)
        for name, value in headers:
            head += '%s: %s\r\n' % (name, value)
        data = head.encode('utf-8', 'surrogateescape')
        if body is not None:
            data += b'\r\n' + body + b'\r\n'
        data += ('-------%s%s\r\n' % (tid, flag)).encode()
        self.write(data)
        return tid

    # --- receiving -----------------------------------------------------

    def pump(self, timeout):
        """Reads for at most timeout seconds; handles whole frames."""
        if self.closed:
            return
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b''
        if not data:
            self.closed = True
            self.say('closed')
            return
        self.buf += data
        while self.one_frame():
            pass

    def one_frame(self):
        end = self.buf.find(b'\r\n')
        if end < 0:
            return False
        start = self.buf[:end].decode('latin-1').split(' ')
        tid = start[1]
        pat = ('-------' + tid).encode()
        hend = self.buf.find(b'\r\n\r\n')
        eline = self.buf.find(pat)
        if eline < 0 or len(self.buf) < eline + len(pat) + 3:
            return False
        flag = chr(self.buf[eline + len(pat)])
        if 0 <= hend < eline:
            head = self.buf[:hend].decode('latin-1')
            body = self.buf[hend + 4:eline - 2]
        else:
            head = self.buf[:eline].decode('latin-1')
            body = None
        self.buf = self.buf[eline + len(pat) + 3:]
        lines = head.split('\r\n')
        hdr = {}
        for line in lines[1:]:
            if ':' in line:
                k, v = line.split(':', 1)
                hdr[k.strip().lower()] = v.strip()
        if start[2].isdigit():
            self.answers[tid] = int(start[2])
        elif start[2] == 'SEND':
            self.on_send(tid, hdr, body, flag)
        return True

    def on_send(self, tid, hdr, body, flag):
        fr = hdr.get('failure-report', 'yes')
        if fr == 'yes':
            self.write(('MSRP %s 200 OK\r\nTo-Path: %s\r\nFrom-Path: %s\r\n'
                        '-------%s$\r\n' % (tid, hdr['from-path'],
                                            self.from_path, tid)).encode())
        if body is None:
            return
        mid = hdr['message-id']
        rng = hdr.get('byte-range', '1-*/*')
        first = int(rng.split('-', 1)[0])
        msg = self.messages.setdefault(mid, bytearray())
        if first - 1 != len(msg):
            self.say('gap %s at %d' % (mid, first))
        msg[first - 1:first - 1 + len(body)] = body
        if flag == '#':
            del self.messages[mid]
            self.say('aborted %s' % mid)
        elif flag == '$':
            data = bytes(self.messages.pop(mid))
            self.received += 1
            name = os.path.join(self.outdir, 'msg%d' % self.received)
            with open(name, 'wb') as f:
                f.write(data)
            self.say('recv %d %d %s' % (self.received, len(data), name))

    def answer(self, tid):
        deadline = time.time() + ANSWER_TIMEOUT
        while tid not in self.answers and not self.closed:
            left = deadline - time.time()
            if left <= 0:
                return None
            self.pump(left)
        return self.answers.get(tid, 'closed')

    # --- steps ---------------------------------------------------------

    def send_chunks(self, data, size, ctype='message/cpim', to_path=None,
                    star=False):
        mid = ident()
        total = len(data)
        status = None
        pos = 0
        while True:
            chunk = data[pos:pos + size]
            last = pos + len(chunk) >= total and (not star or not chunk)
            tid = self.frame('SEND', [
                ('Message-ID', mid),
                ('Byte-Range', '%d-%d/%s' % (
                    pos + 1, pos + len(chunk),
                    '*' if star else str(total))),
                ('Content-Type', ctype)], chunk, '$' if last else '+',
                to_path)
            status = self.answer(tid)
            pos += len(chunk)
            if last or status != 200:
                return status

    def step(self, s):
        kind, _, rest = s.partition(':')
        if kind == 'bind':
            self.say('bind %s' % self.answer(self.frame('SEND', [
                ('Message-ID', ident())])))
        elif kind == 'nick':
            nick = unescape(rest).decode('utf-8', 'surrogateescape')
            tid = self.frame('NICKNAME', [('Use-Nickname', '"%s"' % nick)])
            self.say('nick %s %s' % (rest, self.answer(tid)))
        elif kind == 'send':
            self.say('send %s %s' % (rest, self.send_chunks(
                open(rest, 'rb').read(), 1 << 30)))
        elif kind == 'chunks':
            n, _, name = rest.partition(':')
            self.say('send %s %s' % (name, self.send_chunks(
                open(name, 'rb').read(), int(n))))
        elif kind == 'star':
            n, _, name = rest.partition(':')
            self.say('send %s %s' % (name, self.send_chunks(
                open(name, 'rb').read(), int(n), star=True)))
        elif kind == 'type':
            ctype, _, name = rest.partition(':')
            self.say('send %s %s' % (name, self.send_chunks(
                open(name, 'rb').read(), 1 << 30, ctype)))
        elif kind == 'to':
            path, _, name = rest.rpartition(':')
            self.say('send %s %s' % (name, self.send_chunks(
                open(name, 'rb').read(), 1 << 30, to_path=path)))
        elif kind == 'range':
            rng, _, name = rest.partition(':')
            tid = self.frame('SEND', [
                ('Message-ID', ident()), ('Byte-Range', rng),
                ('Content-Type', 'message/cpim')], open(name, 'rb').read())
            self.say('send %s %s' % (name, self.answer(tid)))
        elif kind == 'stall':
            n, _, name = rest.partition(':')
            data = open(name, 'rb').read()
            tid = self.frame('SEND', [
                ('Message-ID', ident()),
                ('Byte-Range', '1-%s/%d' % (n, len(data))),
                ('Content-Type', 'message/cpim')], data[:int(n)], '+')
            self.say('send %s %s' % (name, self.answer(tid)))
        elif kind == 'flood':
            n, ms, name = rest.split(':', 2)
            data = open(name, 'rb').read()
            ok = 0
            for _ in range(int(n)):
                ok += self.send_chunks(data, 1 << 30) == 200
                time.sleep(int(ms) / 1000.0)
            self.say('flood %s %d' % (n, ok))
        elif kind == 'block':
            time.sleep(float(rest))
        elif kind == 'raw':
            self.write(open(rest, 'rb').read())
            self.pump(0.5)
        elif kind == 'recv':
            count, _, secs = rest.partition(':')
            deadline = time.time() + float(secs)
            while self.received < int(count) and not self.closed:
                left = deadline - time.time()
                if left <= 0:
                    self.say('timeout waiting for %s messages' % count)
                    return False
                self.pump(left)
        elif kind == 'wait':
            deadline = time.time() + float(rest)
            while not self.closed and time.time() < deadline:
                self.pump(deadline - time.time())
        else:
            raise SystemExit('unknown step ' + s)
        return True


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    peer = Peer(sys.argv[1], sys.argv[2], sys.argv[3])
    ok = True
    for s in sys.argv[4:]:
        if peer.step(s) is False:
            ok = False
    peer.sock.close()
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
