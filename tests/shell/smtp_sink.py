#!/usr/bin/env python3
"""An SMTP server for the tests (aiosmtpd, Debian's python3-aiosmtpd), on
loopback. Stores every accepted message as N.eml in OUTDIR and one JSON line
per message in OUTDIR/log.jsonl (envelope, connection number, and how many
messages were in DATA at once when it arrived, itself included). Prints
"ready PORT" once listening; runs until killed.

  smtp_sink.py OUTDIR [--cert CERT --key KEY [--implicit-tls]] [--user USER --password PASS]
               [--delay SECONDS] [--busy-first N]

With a certificate, STARTTLS is required before MAIL (or, with
--implicit-tls, the connection is TLS from the start, as smtps://); with a user, AUTH
(PLAIN/LOGIN) is required. Recipients whose local part starts with
"refuse" get 550, with "later" get 451 on their first attempt only.
--delay holds each message that long in DATA before accepting it (a slow
relay, so that concurrent clients overlap); --busy-first answers the first N
MAIL FROMs with 421 and closes those connections (RFC 5321 4.2.3), as a
relay that is over its limit does."""
import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("outdir")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--user")
parser.add_argument("--password")
parser.add_argument("--implicit-tls", action="store_true")
parser.add_argument("--delay", type=float, default=0.0)
parser.add_argument("--busy-first", type=int, default=0)
args = parser.parse_args()

counter = itertools.count(1)
connections = itertools.count(1)
lock = threading.Lock()
deferred_once = set()
in_data = [0]  # messages in DATA right now (one event loop: no lock needed)
busy_left = [args.busy_first]


class Handler:
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if busy_left[0] > 0:
            busy_left[0] -= 1
            # After the reply is written: closing flushes it first.
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.7.0 Too many concurrent sessions, closing connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("refuse"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("later"):
            with lock:
                if address not in deferred_once:
                    deferred_once.add(address)
                    return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        in_data[0] += 1
        concurrent = in_data[0]
        try:
            if args.delay:
                await asyncio.sleep(args.delay)
            return self.store(session, envelope, concurrent)
        finally:
            in_data[0] -= 1

    def store(self, session, envelope, concurrent):
        if not hasattr(session, "pf_connection"):
            session.pf_connection = next(connections)
        n = next(counter)
        with open(os.path.join(args.outdir, f"{n}.eml"), "wb") as f:
            f.write(envelope.original_content)
        with lock, open(os.path.join(args.outdir, "log.jsonl"), "a") as f:
            f.write(json.dumps({"n": n, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                                "connection": session.pf_connection,
                                "tls": session.ssl is not None or args.implicit_tls,
                                "auth": bool(session.authenticated), "concurrent": concurrent}) + "\n")
        return f"250 2.0.0 Ok: queued as SINK{n}"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user \
        and auth_data.password.decode() == args.password
    return AuthResult(success=ok)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


kwargs = {}
if args.cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    if args.implicit_tls:
        kwargs.update(ssl_context=context)
    else:
        kwargs.update(tls_context=context, require_starttls=True)
if args.user:
    kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.cert))
port = free_port()
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print(f"ready {port}", flush=True)
signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), sys.exit(0)))
threading.Event().wait()
