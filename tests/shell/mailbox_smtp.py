#!/usr/bin/env python3
"""An SMTP server for the tests (aiosmtpd, Debian's python3-aiosmtpd), on
loopback, standing in for several mailbox providers at once: every account
in ACCOUNTS.json can log in, with a password (AUTH PLAIN or LOGIN) or with an
OAuth 2.0 access token (AUTH XOAUTH2, as Gmail and Outlook.com take it).
AUTH is required before MAIL (530 otherwise). Prints "ready PORT" once
listening; runs until killed (SIGTERM stops it cleanly).

  mailbox_smtp.py OUTDIR --accounts ACCOUNTS.json [--port N]
                  [--cert CERT --key KEY [--implicit-tls]]

ACCOUNTS.json, read again on every AUTH attempt (rewrite it atomically, with
a rename, to change a password or revoke a token mid-run):

  {"accounts": [{"login": "alice@a.example", "password": "pw1"},
                {"login": "bob@b.example", "xoauth2_tokens": ["tok-1"]}]}

Logins compare case-insensitively, passwords and tokens exactly. A wrong
password gets "535 5.7.8 Authentication credentials invalid"; a wrong token
gets what Gmail answers: a 334 challenge carrying
{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}
(base64), then, after the client's empty line, "535 5.7.8 Username and
Password not accepted".

--port 0 (the default) picks a free port. With a certificate, STARTTLS is
required before AUTH and MAIL (or, with --implicit-tls, the connection is TLS
from the start, as smtps://); without one, AUTH works over plain loopback.

Every accepted message is stored as OUTDIR/N.eml, with one JSON line in
OUTDIR/log.jsonl: n, login (of the session), mechanism, mail_from, rcpt_tos,
connection (a number per TCP connection, to show reuse), tls, and the decoded
from_header, message_id, in_reply_to, references and subject headers (null when
missing). Every AUTH attempt adds one JSON line to OUTDIR/auth.jsonl:
connection, mechanism, login (as the client gave it, null if unparseable), ok.
Passwords and tokens are never written anywhere.

A session whose credential stops being valid (the file changed) gets
"421 4.7.0 Session revoked" at its next MAIL and is closed, as providers end
the sessions of a changed password or a revoked token."""
import argparse
import asyncio
import binascii
import email
import email.header
import email.policy
import itertools
import json
import logging
import os
import signal
import socket
import ssl
import sys
import threading
import warnings
from base64 import b64decode

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("outdir")
parser.add_argument("--accounts", required=True)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--implicit-tls", action="store_true")
args = parser.parse_args()
if bool(args.cert) != bool(args.key) or (args.implicit_tls and not args.cert):
    parser.error("--cert and --key go together, and --implicit-tls needs them")

counter = itertools.count(1)
connections = itertools.count(1)
lock = threading.Lock()
XOAUTH2_ERROR = json.dumps({"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"},
                           separators=(",", ":"))
XOAUTH2_REJECTED = "535 5.7.8 Username and Password not accepted"
TEMPORARY_FAILURE = "454 4.7.0 Temporary authentication failure"


def load_accounts():
    """The accounts, read afresh; None (and a line on stderr) if the file can't be used."""
    try:
        with open(args.accounts, encoding="utf-8") as f:
            accounts = json.load(f)["accounts"]
        if not isinstance(accounts, list) or not all(isinstance(a, dict) and isinstance(a.get("login"), str)
                                                     for a in accounts):
            raise ValueError("every account needs a string \"login\"")
        return accounts
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"mailbox_smtp: cannot use {args.accounts}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return None


def find_account(accounts, login):
    for account in accounts:
        if account["login"].casefold() == login.casefold():
            return account
    return None


def append_json(name, record):
    with lock, open(os.path.join(args.outdir, name), "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def log_auth(server, mechanism, login, ok):
    append_json("auth.jsonl", {"connection": server.pf_connection(), "mechanism": mechanism,
                               "login": login, "ok": ok})


def authenticated(session, login, mechanism, credential):
    session.pf_login = login
    session.pf_mechanism = mechanism
    session.pf_credential = credential  # in memory only, to revoke the session later
    # auth_data becomes session.auth_data: the login only, never the secret.
    return AuthResult(success=True, auth_data=login)


def authenticator(server, session, envelope, mechanism, auth_data):
    """PLAIN and LOGIN (aiosmtpd decodes them into a LoginPassword)."""
    assert isinstance(auth_data, LoginPassword)
    login = auth_data.login.decode("utf-8", "replace")
    accounts = load_accounts()
    if accounts is None:
        log_auth(server, mechanism, login, False)
        return AuthResult(success=False, handled=False, message=TEMPORARY_FAILURE)
    account = find_account(accounts, login)
    ok = account is not None and isinstance(account.get("password"), str) \
        and auth_data.password == account["password"].encode("utf-8")
    log_auth(server, mechanism, login, ok)
    if ok:
        return authenticated(session, account["login"], mechanism, ("password", account["password"]))
    # Not handled: smtp_AUTH answers "535 5.7.8 Authentication credentials invalid".
    return AuthResult(success=False, handled=False)


def parse_xoauth2(blob):
    """(user, token) from 'user=U\\x01auth=Bearer T\\x01\\x01', or (user or None, None)."""
    user = token = None
    for field in blob.split(b"\x01"):
        if field.startswith(b"user="):
            user = field[5:].decode("utf-8", "replace")
        elif field.startswith(b"auth="):
            scheme, _, value = field[5:].partition(b" ")
            if scheme.lower() == b"bearer" and value.strip():
                token = value.strip().decode("utf-8", "replace")
    return user, token


def decoded_header(msg, raw_msg, name):
    try:
        value = msg.get(name)
        return None if value is None else str(value)
    except Exception:  # a header the modern policy can't parse: decode it the old way
        value = raw_msg.get(name)
        if value is None:
            return None
        try:
            return str(email.header.make_header(email.header.decode_header(value)))
        except Exception:
            return str(value)


def still_valid(session):
    """As providers do after a password change or a revoked token: a session
    logged in with a credential that is no longer valid is closed."""
    accounts = load_accounts()
    if accounts is None or getattr(session, "pf_credential", None) is None:
        return True
    account = find_account(accounts, session.pf_login)
    kind, value = session.pf_credential
    if account is None:
        return False
    if kind == "password":
        return account.get("password") == value
    return value in (account.get("xoauth2_tokens") or [])


class Handler:
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if not still_valid(session):
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.7.0 Session revoked: credentials changed, log in again"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def auth_XOAUTH2(self, server, auth_args):
        """SASL XOAUTH2 (https://developers.google.com/gmail/imap/xoauth2-protocol),
        with the initial response on the AUTH line or after an empty 334."""
        if len(auth_args) == 1:
            blob = await server.challenge_auth("")
            if blob is MISSING:  # "*" or bad base64: already answered 501
                log_auth(server, "XOAUTH2", None, False)
                return AuthResult(success=False, handled=True)
        elif auth_args[1] == "=":  # RFC 4954: an empty initial response
            blob = b""
        else:
            try:
                blob = b64decode(auth_args[1].encode(), validate=True)
            except (binascii.Error, ValueError):
                log_auth(server, "XOAUTH2", None, False)
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        user, token = parse_xoauth2(blob)
        accounts = load_accounts()
        if accounts is None:
            log_auth(server, "XOAUTH2", user, False)
            return AuthResult(success=False, handled=False, message=TEMPORARY_FAILURE)
        account = find_account(accounts, user) if user is not None else None
        tokens = account.get("xoauth2_tokens") if account is not None else None
        ok = token is not None and isinstance(tokens, list) and token in tokens
        log_auth(server, "XOAUTH2", user, ok)
        if ok:
            return authenticated(server.session, account["login"], "XOAUTH2", ("token", token))
        # As Gmail: the error as a challenge; the client answers with an empty
        # line, and only then comes the 535.
        reply = await server.challenge_auth(XOAUTH2_ERROR)
        if reply is MISSING:  # "*" or bad base64: already answered 501
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False, message=XOAUTH2_REJECTED)

    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        content = envelope.original_content
        with open(os.path.join(args.outdir, f"{n}.eml"), "wb") as f:
            f.write(content)
        msg = email.message_from_bytes(content, policy=email.policy.default)
        raw_msg = email.message_from_bytes(content, policy=email.policy.compat32)
        record = {"n": n, "login": getattr(session, "pf_login", None),
                  "mechanism": getattr(session, "pf_mechanism", None),
                  "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "connection": server.pf_connection(),
                  "tls": session.ssl is not None or args.implicit_tls}
        for key, name in (("from_header", "From"), ("message_id", "Message-ID"),
                          ("in_reply_to", "In-Reply-To"), ("references", "References"),
                          ("subject", "Subject")):
            record[key] = decoded_header(msg, raw_msg, name)
        append_json("log.jsonl", record)
        return f"250 2.0.0 Ok: queued as MBOX{n}"


class NumberedSMTP(SMTP):
    """One number per TCP connection, given on first use (the first AUTH), so
    that the controller's own start-up probe doesn't take one. It lives on the
    protocol object, one per connection: aiosmtpd makes a new Session after
    STARTTLS. A method, not a property: SMTP.__init__ runs inspect.getmembers
    on itself, which would evaluate a property at once."""

    def pf_connection(self):
        if not hasattr(self, "_pf_connection"):
            self._pf_connection = next(connections)
        return self._pf_connection


class MailboxController(Controller):
    def factory(self):
        return NumberedSMTP(self.handler, **self.SMTP_kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class QuietAiosmtpd(logging.Filter):
    """Drops aiosmtpd's per-connection warnings about choices made here on purpose."""
    NOISE = ("auth_required == True but auth_require_tls == False", "Session.login_data is deprecated")

    def filter(self, record):
        return not record.getMessage().startswith(self.NOISE)


logging.getLogger("mail.log").addFilter(QuietAiosmtpd())
warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
if load_accounts() is None:
    sys.exit(2)
os.makedirs(args.outdir, exist_ok=True)
kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
if args.cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    if args.implicit_tls:
        # TLS from the first byte: aiosmtpd's auth_require_tls only knows
        # STARTTLS, so it stays off here (the connection is encrypted anyway).
        kwargs.update(ssl_context=context)
    else:
        kwargs.update(tls_context=context, require_starttls=True, auth_require_tls=True)
port = args.port or free_port()
controller = MailboxController(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print(f"ready {port}", flush=True)
signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), sys.exit(0)))
threading.Event().wait()
