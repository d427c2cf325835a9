#!/usr/bin/python3
"""Waits for an event of xmpp_peer.py (one JSON object a line).

    xmpp_events.py FILE [after=LINE] TERM...

Waits (10 s) for a line of FILE after line LINE (default 0) whose event
matches every TERM and prints its line number; exits 1 with a message on
stderr when none came.  Terms:
    KEY=VALUE   a member of the event ("event" included) equal to VALUE
    KEY~REGEX   a member matching the (Python) regular expression
    code=N      a muc#user status code present in "codes"
    nocode=N    a status code absent
    has=KEY     a member present
    no=KEY      a member absent
"""
import json
import re
import sys
import time


def term_matches(ev, t):
    eq, tilde = t.find('='), t.find('~')
    if tilde > 0 and (eq < 0 or tilde < eq):
        k, v = t[:tilde], t[tilde + 1:]
        return k in ev and re.search(v, str(ev[k])) is not None
    k, _, v = t.partition('=')
    if k == 'code':
        return int(v) in ev.get('codes', [])
    if k == 'nocode':
        return int(v) not in ev.get('codes', [])
    if k == 'has':
        return v in ev
    if k == 'no':
        return v not in ev
    return str(ev.get(k)) == v


def first_match(path, after, terms):
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().split('\n')
    except OSError:
        return None
    for n, line in enumerate(lines[after:], after + 1):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if isinstance(ev, dict) and all(term_matches(ev, t) for t in terms):
            return n
    return None


def main():
    path, terms = sys.argv[1], sys.argv[2:]
    after = 0
    if terms and terms[0].startswith('after='):
        after = int(terms.pop(0)[6:])
    deadline = time.time() + 10
    while True:
        n = first_match(path, after, terms)
        if n is not None:
            print(n)
            return 0
        if time.time() >= deadline:
            break
        time.sleep(0.05)
    sys.stderr.write('%s: no event matching %s after line %d\n'
                     % (path, ' '.join(terms), after))
    return 1


if __name__ == '__main__':
    sys.exit(main())
