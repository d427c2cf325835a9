#!/usr/bin/python3
"""A scriptable XMPP client for the integration tests (slixmpp, no TLS).

Logs in as --jid on --server HOST:PORT (with --register, after an in-band
registration of its own; an existing account is fine), sends an initial
presence, reads commands from stdin or from --commands FIFO, one per
line, and prints every event as one JSON object per line on stdout, in
the order the stanzas arrived.  Keys come in a fixed order and absent
ones are left out, so that tests can match lines with a regex.  Commands
run one after the other; those that send a stanza print a "sent" event
with the id they used, before sending.  They wait for the session (up to
15 s) first.  A lost connection is reported and the peer stays, waiting
for "reconnect".

  join ROOM NICK [MAXSTANZAS [PASSWORD]]   MUC join (XEP-0045 7.2)
  leave ROOM [STATUS]                      unavailable to ROOM/nick
  nick ROOM NEW                            nick change (XEP-0045 7.6)
  say ROOM TEXT                            groupchat message
  chat JID TEXT                            type chat (ROOM/NICK: private)
  subject ROOM [TEXT]                      subject change
  invite ROOM JID [REASON]                 mediated invitation (7.8.2)
  direct-invite JID ROOM [REASON]          XEP-0249
  decline ROOM JID [REASON]                decline an invitation (7.8.2)
  composing|active|paused|inactive|gone TARGET
                                           chat state (XEP-0085):
                                           groupchat to a joined room,
                                           chat otherwise
  kick ROOM NICK [REASON]                  role none (XEP-0045 8.2)
  destroy ROOM [REASON]                    owner destroys (10.9)
  disco-info JID [NODE], disco-items JID [NODE], ping JID
  raw XML                                  sent as is
  wait-quiet MS                            until nothing came for MS ms,
                                           then prints {"event":"quiet"}
  sleep MS, echo TEXT                      pacing and markers
  reconnect                                after a disconnection
  quit                                     closes the stream, exits 0
End of input is quit.

Events (keys in this order when present):
  connected; session_start jid; disconnected reason;
  auth_failed; stream_error condition text;
  registered / register_failed condition text (--register);
  sent cmd to id; cmd_error line error; quiet; echo text;
  presence from to type id show status muc affiliation role jid nick
    codes actor reason destroy_jid destroy_reason
    error_type error_condition error_text
  message from to type id body subject thread delay_stamp delay_from
    chatstate codes invite_from invite_to invite_reason decline_from
    decline_to decline_reason password conference_jid conference_reason
    conference_password stanza_id stanza_id_by origin_id html
    error_type error_condition error_text
  iq from to type id query node identities features form items
    error_type error_condition error_text     (none before session_start)
type is "available" for a presence without one, "normal" for such a
message; "muc" is true when a muc#user <x/> is present; "codes" lists
its status codes as numbers in document order; "subject" is present
(possibly "") only when the message has a <subject/>; "identities" is a
list of {category, type, name}, "items" of {jid, node, name}, "form"
maps each data form field to its value (a list when it has several).
With --xml every stanza event also carries "xml", the stanza as received.
"""

import argparse
import asyncio
import json
import logging
import os
import socket
import sys
import threading
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import slixmpp

NS_CLIENT = 'jabber:client'
NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams'
NS_MUC = 'http://jabber.org/protocol/muc'
NS_MUC_USER = NS_MUC + '#user'
NS_MUC_ADMIN = NS_MUC + '#admin'
NS_MUC_OWNER = NS_MUC + '#owner'
NS_DELAY = 'urn:xmpp:delay'
NS_CHATSTATES = 'http://jabber.org/protocol/chatstates'
NS_CONFERENCE = 'jabber:x:conference'
NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items'
NS_XDATA = 'jabber:x:data'
NS_SID = 'urn:xmpp:sid:0'
NS_XHTML_IM = 'http://jabber.org/protocol/xhtml-im'
NS_PING = 'urn:xmpp:ping'
NS_REGISTER = 'jabber:iq:register'
CHAT_STATES = ('active', 'composing', 'paused', 'inactive', 'gone')
SESSION_WAIT = 15


def q(ns, tag):
    return '{%s}%s' % (ns, tag)


def local(tag):
    return tag.rsplit('}', 1)[-1]


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False,
                                separators=(',', ':')) + '\n')
    sys.stdout.flush()


def put(ev, key, value):
    if value is not None:
        ev[key] = value


def parse_error(el, ev):
    err = el.find(q(NS_CLIENT, 'error'))
    if err is None:
        return
    put(ev, 'error_type', err.get('type'))
    for c in err:
        if c.tag.startswith('{%s}' % NS_STANZAS) and local(c.tag) != 'text':
            ev['error_condition'] = local(c.tag)
            break
    put(ev, 'error_text', err.findtext(q(NS_STANZAS, 'text')))


def parse_muc_user(el, ev, with_item):
    x = el.find(q(NS_MUC_USER, 'x'))
    if x is None:
        return
    if with_item:
        ev['muc'] = True
        item = x.find(q(NS_MUC_USER, 'item'))
        if item is not None:
            for k in ('affiliation', 'role', 'jid', 'nick'):
                put(ev, k, item.get(k))
    codes = [int(s.get('code')) for s in x.findall(q(NS_MUC_USER, 'status'))
             if (s.get('code') or '').isdigit()]
    if codes or with_item:
        ev['codes'] = codes
    if with_item:
        item = x.find(q(NS_MUC_USER, 'item'))
        if item is not None:
            actor = item.find(q(NS_MUC_USER, 'actor'))
            if actor is not None:
                put(ev, 'actor', actor.get('nick') or actor.get('jid'))
            put(ev, 'reason', item.findtext(q(NS_MUC_USER, 'reason')))
        d = x.find(q(NS_MUC_USER, 'destroy'))
        if d is not None:
            ev['destroy_jid'] = d.get('jid') or ''
            ev['destroy_reason'] = d.findtext(q(NS_MUC_USER, 'reason')) or ''
        return
    for kind in ('invite', 'decline'):
        i = x.find(q(NS_MUC_USER, kind))
        if i is not None:
            put(ev, kind + '_from', i.get('from'))
            put(ev, kind + '_to', i.get('to'))
            put(ev, kind + '_reason', i.findtext(q(NS_MUC_USER, 'reason')))
    put(ev, 'password', x.findtext(q(NS_MUC_USER, 'password')))


def elem(name, text):
    """<name>text</name>, or nothing for an empty text."""
    return '<%s>%s</%s>' % (name, escape(text), name) if text else ''


def stanza_head(kind, el, default_type):
    ev = {'event': kind}
    put(ev, 'from', el.get('from'))
    put(ev, 'to', el.get('to'))
    ev['type'] = el.get('type') or default_type
    put(ev, 'id', el.get('id'))
    return ev


def parse_presence(el):
    ev = stanza_head('presence', el, 'available')
    put(ev, 'show', el.findtext(q(NS_CLIENT, 'show')))
    put(ev, 'status', el.findtext(q(NS_CLIENT, 'status')))
    parse_muc_user(el, ev, True)
    parse_error(el, ev)
    return ev


def parse_message(el):
    ev = stanza_head('message', el, 'normal')
    put(ev, 'body', el.findtext(q(NS_CLIENT, 'body')))
    subj = el.find(q(NS_CLIENT, 'subject'))
    if subj is not None:
        ev['subject'] = subj.text or ''
    put(ev, 'thread', el.findtext(q(NS_CLIENT, 'thread')))
    delay = el.find(q(NS_DELAY, 'delay'))
    if delay is not None:
        put(ev, 'delay_stamp', delay.get('stamp'))
        put(ev, 'delay_from', delay.get('from'))
    for c in el:
        if c.tag in [q(NS_CHATSTATES, s) for s in CHAT_STATES]:
            ev['chatstate'] = local(c.tag)
            break
    parse_muc_user(el, ev, False)
    conf = el.find(q(NS_CONFERENCE, 'x'))
    if conf is not None:
        put(ev, 'conference_jid', conf.get('jid'))
        put(ev, 'conference_reason', conf.get('reason'))
        put(ev, 'conference_password', conf.get('password'))
    sid = el.find(q(NS_SID, 'stanza-id'))
    if sid is not None:
        put(ev, 'stanza_id', sid.get('id'))
        put(ev, 'stanza_id_by', sid.get('by'))
    oid = el.find(q(NS_SID, 'origin-id'))
    if oid is not None:
        put(ev, 'origin_id', oid.get('id'))
    if el.find(q(NS_XHTML_IM, 'html')) is not None:
        ev['html'] = True
    parse_error(el, ev)
    return ev


def parse_form(x):
    form = {}
    for f in x.findall(q(NS_XDATA, 'field')):
        var = f.get('var')
        if var is None:
            continue
        vals = [v.text or '' for v in f.findall(q(NS_XDATA, 'value'))]
        form[var] = vals[0] if len(vals) == 1 else vals
    return form


def parse_iq(el):
    ev = stanza_head('iq', el, '')
    query = None
    for c in el:
        if c.tag != q(NS_CLIENT, 'error'):
            query = c
            break
    if query is not None:
        ev['query'] = query.tag[1:].split('}')[0] if '}' in query.tag \
            else query.tag
        put(ev, 'node', query.get('node'))
        if query.tag == q(NS_DISCO_INFO, 'query'):
            ev['identities'] = [
                {k: i.get(k) for k in ('category', 'type', 'name')
                 if i.get(k) is not None}
                for i in query.findall(q(NS_DISCO_INFO, 'identity'))]
            ev['features'] = [f.get('var') for f in
                              query.findall(q(NS_DISCO_INFO, 'feature'))]
            x = query.find(q(NS_XDATA, 'x'))
            if x is not None:
                ev['form'] = parse_form(x)
        elif query.tag == q(NS_DISCO_ITEMS, 'query'):
            ev['items'] = [
                {k: i.get(k) for k in ('jid', 'node', 'name')
                 if i.get(k) is not None}
                for i in query.findall(q(NS_DISCO_ITEMS, 'item'))]
    parse_error(el, ev)
    return ev


def register(host, port, jid, password, timeout=10):
    """In-band registration (XEP-0077) on a stream of its own; an account
    that exists already is fine."""
    user, domain = jid.split('/', 1)[0].split('@', 1)
    s = socket.create_connection((host, port), timeout=timeout)
    s.sendall(("<?xml version='1.0'?><stream:stream to=%s version='1.0' "
               "xmlns='jabber:client' "
               "xmlns:stream='http://etherx.jabber.org/streams'>"
               % quoteattr(domain)).encode())
    parser = ET.XMLPullParser(['start', 'end'])
    depth = 0
    sent = False
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return 'register_failed', 'connection closed', ''
            parser.feed(data)
            for kind, el in parser.read_events():
                if kind == 'start':
                    depth += 1
                    continue
                depth -= 1
                if depth != 1:
                    continue
                if local(el.tag) == 'features' and not sent:
                    s.sendall(("<iq type='set' id='reg1'><query xmlns=%s>"
                               "<username>%s</username><password>%s"
                               "</password></query></iq>"
                               % (quoteattr(NS_REGISTER), escape(user),
                                  escape(password))).encode())
                    sent = True
                elif local(el.tag) == 'iq' and el.get('id') == 'reg1':
                    s.sendall(b'</stream:stream>')
                    if el.get('type') == 'result':
                        return 'registered', None, None
                    ev = {}
                    parse_error(el, ev)
                    if ev.get('error_condition') == 'conflict':
                        return 'registered', 'exists', None
                    return ('register_failed', ev.get('error_condition'),
                            ev.get('error_text'))
                elif local(el.tag) == 'error':
                    cond = [local(c.tag) for c in el
                            if c.tag.startswith('{%s}' % NS_STREAMS)]
                    return ('register_failed',
                            cond[0] if cond else 'stream error', None)
    except OSError as e:
        return 'register_failed', str(e), None
    finally:
        s.close()


class Peer(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.address = args.address
        self.with_xml = args.xml
        self.enable_starttls = False
        self.enable_direct_tls = False
        self['feature_mechanisms'].unencrypted_plain = True
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0199', {'keepalive': False})
        self.rooms = {}
        self.ready = asyncio.Event()
        self.last_rx = 0.0
        self.quitting = False
        self.id_prefix = uuid.uuid4().hex[:6]
        self.id_count = 0
        self.add_filter('in', self.observe)
        self.add_event_handler('connected', self.on_connected)
        self.add_event_handler('session_start', self.on_session_start)
        self.add_event_handler('disconnected', self.on_disconnected)
        self.add_event_handler('failed_all_auth', self.on_auth_failed)
        self.add_event_handler('stream_error', self.on_stream_error)

    # --- events --------------------------------------------------------
    def observe(self, stanza):
        """Every stanza passes here before any handler, in order."""
        self.last_rx = self.loop.time()
        el = stanza.xml
        tag = el.tag
        if tag == q(NS_CLIENT, 'presence'):
            ev = parse_presence(el)
        elif tag == q(NS_CLIENT, 'message'):
            ev = parse_message(el)
        elif tag == q(NS_CLIENT, 'iq'):
            if not self.ready.is_set():
                return stanza   # resource binding: session_start says it
            ev = parse_iq(el)
        else:
            return stanza
        if self.with_xml:
            ev['xml'] = ET.tostring(el, encoding='unicode')
        emit(ev)
        return stanza

    def on_connected(self, _):
        emit({'event': 'connected'})

    def on_session_start(self, _):
        emit({'event': 'session_start', 'jid': str(self.boundjid)})
        self.send_raw('<presence/>')
        self.ready.set()

    def on_disconnected(self, reason):
        self.ready.clear()
        ev = {'event': 'disconnected'}
        if reason:
            ev['reason'] = str(reason)
        emit(ev)
        if self.quitting:
            self.loop.stop()

    def on_auth_failed(self, _):
        emit({'event': 'auth_failed'})

    def on_stream_error(self, err):
        ev = {'event': 'stream_error'}
        put(ev, 'condition', err['condition'] or None)
        put(ev, 'text', err['text'] or None)
        emit(ev)

    def start(self):
        self.connect(address=self.address, force_starttls=False,
                     disable_starttls=True)

    # --- commands ------------------------------------------------------
    def new_id(self):
        self.id_count += 1
        return '%s-%d' % (self.id_prefix, self.id_count)

    def send_stanza(self, cmd, to, inner, kind='message', attrs=''):
        """Sends <kind to id attrs>inner</kind> (inner is XML), printing
        "sent" first."""
        sid = self.new_id()
        emit({'event': 'sent', 'cmd': cmd, 'to': to, 'id': sid})
        head = '<%s to=%s id=%s%s' % (kind, quoteattr(to), quoteattr(sid),
                                      attrs)
        self.send_raw('%s>%s</%s>' % (head, inner, kind) if inner
                      else head + '/>')
        return sid

    def occupant(self, room):
        if '/' in room:
            return room
        if room not in self.rooms:
            raise ValueError('not in room %s (give ROOM/NICK)' % room)
        return '%s/%s' % (room, self.rooms[room])

    def message(self, cmd, to, typ, inner):
        return self.send_stanza(cmd, to, inner,
                                attrs=' type=%s' % quoteattr(typ))

    def muc_user_message(self, cmd, room, kind, jid, reason):
        self.send_stanza(cmd, room, '<x xmlns=%s><%s to=%s>%s</%s></x>' % (
            quoteattr(NS_MUC_USER), kind, quoteattr(jid),
            elem('reason', reason), kind))

    def iq(self, cmd, to, typ, payload):
        self.send_stanza(cmd, to, payload, 'iq', ' type=%s' % quoteattr(typ))

    async def run_command(self, line):
        words = line.split(' ')
        cmd = words[0]
        args = words[1:]

        def rest(n):
            """Everything after the first n arguments (may hold spaces)."""
            return ' '.join(args[n:])

        def need(n):
            if len(args) < n:
                raise ValueError('%s needs %d argument(s)' % (cmd, n))

        if cmd == 'quit':
            self.quitting = True
            if self.ready.is_set() or self.transport:
                self.disconnect(wait=1.0)
            else:
                self.loop.stop()
            return
        if cmd == 'echo':
            emit({'event': 'echo', 'text': rest(0)})
            return
        if cmd == 'sleep':
            need(1)
            await asyncio.sleep(int(args[0]) / 1000)
            return
        if cmd == 'reconnect':
            if not self.ready.is_set():
                self.start()
            return
        if cmd == 'wait-quiet':
            need(1)
            quiet = int(args[0]) / 1000
            self.last_rx = max(self.last_rx, self.loop.time())
            while True:
                left = self.last_rx + quiet - self.loop.time()
                if left <= 0:
                    break
                await asyncio.sleep(left)
            emit({'event': 'quiet'})
            return
        try:
            await asyncio.wait_for(self.ready.wait(), SESSION_WAIT)
        except asyncio.TimeoutError:
            raise ValueError('no session')
        if cmd == 'join':
            need(2)
            room, nick = args[0], args[1]
            hist = ''
            if len(args) > 2:
                hist = '<history maxstanzas=%s/>' % quoteattr(args[2])
            self.rooms[room] = nick
            self.send_stanza(cmd, '%s/%s' % (room, nick),
                             '<x xmlns=%s>%s%s</x>' % (
                                 quoteattr(NS_MUC), hist,
                                 elem('password', rest(3))), 'presence')
        elif cmd == 'leave':
            need(1)
            to = self.occupant(args[0])
            self.rooms.pop(args[0], None)
            self.send_stanza(cmd, to, elem('status', rest(1)), 'presence',
                             " type='unavailable'")
        elif cmd == 'nick':
            need(2)
            self.send_stanza(cmd, '%s/%s' % (args[0], args[1]), '',
                             'presence')
            self.rooms[args[0]] = args[1]
        elif cmd == 'say':
            need(1)
            self.message(cmd, args[0], 'groupchat', elem('body', rest(1)))
        elif cmd == 'chat':
            need(1)
            self.message(cmd, args[0], 'chat', elem('body', rest(1)))
        elif cmd == 'subject':
            need(1)
            self.message(cmd, args[0], 'groupchat',
                         '<subject>%s</subject>' % escape(rest(1)))
        elif cmd in ('invite', 'decline'):
            need(2)
            self.muc_user_message(cmd, args[0], cmd, args[1], rest(2))
        elif cmd == 'direct-invite':
            need(2)
            reason = rest(2)
            self.send_stanza(cmd, args[0], '<x xmlns=%s jid=%s%s/>' % (
                quoteattr(NS_CONFERENCE), quoteattr(args[1]),
                ' reason=%s' % quoteattr(reason) if reason else ''))
        elif cmd in CHAT_STATES:
            need(1)
            typ = 'groupchat' if args[0] in self.rooms else 'chat'
            self.message(cmd, args[0], typ,
                         '<%s xmlns=%s/>' % (cmd, quoteattr(NS_CHATSTATES)))
        elif cmd == 'kick':
            need(2)
            self.iq(cmd, args[0], 'set',
                    "<query xmlns=%s><item nick=%s role='none'>%s</item>"
                    '</query>' % (quoteattr(NS_MUC_ADMIN), quoteattr(args[1]),
                                  elem('reason', rest(2))))
        elif cmd == 'destroy':
            need(1)
            self.iq(cmd, args[0], 'set',
                    '<query xmlns=%s><destroy>%s</destroy></query>'
                    % (quoteattr(NS_MUC_OWNER), elem('reason', rest(1))))
        elif cmd in ('disco-info', 'disco-items'):
            need(1)
            ns = NS_DISCO_INFO if cmd == 'disco-info' else NS_DISCO_ITEMS
            node = ' node=%s' % quoteattr(args[1]) if len(args) > 1 else ''
            self.iq(cmd, args[0], 'get',
                    '<query xmlns=%s%s/>' % (quoteattr(ns), node))
        elif cmd == 'ping':
            need(1)
            self.iq(cmd, args[0], 'get',
                    '<ping xmlns=%s/>' % quoteattr(NS_PING))
        elif cmd == 'raw':
            self.send_raw(rest(0))
            emit({'event': 'sent', 'cmd': 'raw'})
        else:
            raise ValueError('unknown command')

    async def commands(self, lines):
        while True:
            line = await lines.get()
            if line is None:
                line = 'quit'
            line = line.rstrip('\r\n')
            if not line.strip():
                continue
            try:
                await self.run_command(line)
            except (ValueError, slixmpp.xmlstream.xmlstream.NotConnectedError
                    ) as e:
                emit({'event': 'cmd_error', 'line': line,
                      'error': str(e) or type(e).__name__})
            if line == 'quit':
                return


def read_commands(loop, lines, path):
    """Feeds the command queue from stdin or, with --commands, from a fifo
    opened read-write: writers come and go without ever ending the input,
    and a writer that opens it read-write never blocks."""
    if path:
        src = os.fdopen(os.open(path, os.O_RDWR), 'rb')
    else:
        src = sys.stdin.buffer
    for raw in src:
        loop.call_soon_threadsafe(lines.put_nowait,
                                  raw.decode('utf-8', 'replace'))
    loop.call_soon_threadsafe(lines.put_nowait, None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--jid', required=True, help='user@domain/resource')
    ap.add_argument('--password', required=True)
    ap.add_argument('--server', required=True, help='HOST:PORT (c2s)')
    ap.add_argument('--register', action='store_true',
                    help='register the account in-band first')
    ap.add_argument('--commands', metavar='FIFO',
                    help='read commands from FIFO instead of stdin')
    ap.add_argument('--xml', action='store_true',
                    help='add the stanza as received to each event')
    ap.add_argument('--debug', action='store_true',
                    help="slixmpp's debug log on stderr")
    args = ap.parse_args()
    host, _, port = args.server.rpartition(':')
    args.address = (host, int(port))
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR,
                        stream=sys.stderr,
                        format='%(levelname)s %(name)s: %(message)s')

    if args.register:
        ev, cond, text = register(host, int(port), args.jid, args.password)
        out = {'event': ev}
        put(out, 'condition', cond)
        put(out, 'text', text)
        emit(out)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    peer = Peer(args)
    lines = asyncio.Queue()
    threading.Thread(target=read_commands,
                     args=(loop, lines, args.commands),
                     daemon=True).start()
    peer.start()
    loop.create_task(peer.commands(lines))
    loop.run_forever()
    sys.stdout.flush()
    os._exit(0)


if __name__ == '__main__':
    main()
