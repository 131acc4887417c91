#!/usr/bin/env python3
"""An OAuth 2.0 token endpoint for the tests (standard library only), on
loopback: the refresh-token grant (RFC 6749 section 6), as Google's
https://oauth2.googleapis.com/token and Microsoft's
https://login.microsoftonline.com/TENANT/oauth2/v2.0/token answer it.
Prints "ready PORT" once listening; runs until killed (SIGTERM stops it
cleanly).

  oauth_token_server.py STATE.json LOG.jsonl [--port N]

STATE.json, read again on every request (rewrite it atomically, with a
rename, to revoke a refresh token or add a client mid-run):

  {"clients": {"client-id": "client-secret"},
   "refresh_tokens": {"refresh-1": {"login": "bob@b.example",
                                    "access_tokens": ["tok-1", "tok-2"],
                                    "expires_in": 3600}}}

(optional per refresh token: "client_id", to bind it to one client, and
"scope"; expires_in defaults to 3600.)

POST /token, application/x-www-form-urlencoded:
grant_type=refresh_token&refresh_token=R&client_id=C&client_secret=S (the
client may instead authenticate with HTTP Basic, RFC 6749 section 2.3.1).
  - good client and refresh token: 200 {"access_token", "expires_in",
    "token_type": "Bearer", "scope"}, the access token being the next one of
    that refresh token's list, cycling (the position is kept in memory, per
    refresh token);
  - unknown client or wrong secret: 401 {"error": "invalid_client"};
  - unknown refresh token (or one bound to another client): 400
    {"error": "invalid_grant", "error_description": "Token has been expired or revoked."};
  - a grant_type other than refresh_token: 400 {"error": "unsupported_grant_type"};
  - anything else malformed (wrong content type, missing or repeated
    parameter, undecodable body): 400 {"error": "invalid_request"}.
Another path gets 404, another method 405; an unusable STATE.json 500
{"error": "server_error"}. Responses are JSON, with Cache-Control: no-store;
connections are kept alive (HTTP/1.1).

One JSON line per request in LOG.jsonl: n, method, path (without the query), grant_type,
client_id, login (of the refresh token, if known), status, error, and
issued: the index (from 0) in access_tokens of the token given, or null.
Secrets, refresh tokens and access tokens are never logged."""
import argparse
import base64
import binascii
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

parser = argparse.ArgumentParser()
parser.add_argument("state")
parser.add_argument("log")
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()

lock = threading.Lock()
count = [0]
next_index = {}  # refresh token -> how many access tokens it has been given
INVALID_GRANT = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
DEFAULT_SCOPE = "https://mail.google.com/"


class Reject(Exception):
    def __init__(self, status, body, headers=()):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, list(headers)


def load_state():
    try:
        with open(args.state, encoding="utf-8") as f:
            state = json.load(f)
        if not isinstance(state.get("clients"), dict) or not isinstance(state.get("refresh_tokens"), dict):
            raise ValueError('needs "clients" and "refresh_tokens" objects')
        return state
    except (OSError, ValueError, AttributeError) as e:
        print(f"oauth_token_server: cannot use {args.state}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return None


class TokenEndpoint(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        record = {"method": "POST", "path": urlsplit(self.path).path, "grant_type": None, "client_id": None, "login": None,
                  "error": None, "issued": None}
        try:
            body = self.read_body()
            if urlsplit(self.path).path != "/token":
                raise Reject(404, {"error": "not_found"})
            status, answer = 200, self.grant(body, record)
            headers = []
        except Reject as r:
            status, answer, headers = r.status, r.body, r.headers
            record["error"] = answer.get("error")
        self.respond(record, status, answer, headers)

    def do_GET(self):
        self.not_allowed()

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def not_allowed(self):
        self.read_body_quietly()
        record = {"method": self.command, "path": urlsplit(self.path).path, "grant_type": None, "client_id": None,
                  "login": None, "error": "method_not_allowed", "issued": None}
        self.respond(record, 405, {"error": "method_not_allowed"}, [("Allow", "POST")])

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self.read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            length = int(length)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise Reject(400, {"error": "invalid_request"})
        return self.rfile.read(length)

    def read_chunked(self):
        body = b""
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise Reject(400, {"error": "invalid_request"})
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return body
            body += self.rfile.read(size)
            self.rfile.readline(1024)

    def read_body_quietly(self):
        try:
            self.read_body()
        except Reject:
            pass

    def grant(self, body, record):
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise Reject(400, {"error": "invalid_request"})
        try:
            params = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body),
                              errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise Reject(400, {"error": "invalid_request"})
        if any(len(v) > 1 for v in params.values()):  # RFC 6749 3.2: no parameter twice
            raise Reject(400, {"error": "invalid_request"})
        params = {k: v[0] for k, v in params.items()}
        record["grant_type"] = params.get("grant_type")
        client_id, client_secret, basic = self.client_credentials(params)
        record["client_id"] = client_id
        if not params.get("grant_type"):
            raise Reject(400, {"error": "invalid_request"})
        if params["grant_type"] != "refresh_token":
            raise Reject(400, {"error": "unsupported_grant_type"})
        if not params.get("refresh_token") or not client_id:
            raise Reject(400, {"error": "invalid_request"})
        state = load_state()
        if state is None:
            raise Reject(500, {"error": "server_error"})
        if state["clients"].get(client_id) != client_secret or client_secret is None:
            raise Reject(401, {"error": "invalid_client"},
                         [("WWW-Authenticate", 'Basic realm="token"')] if basic else [])
        entry = state["refresh_tokens"].get(params["refresh_token"])
        if not isinstance(entry, dict) or entry.get("client_id", client_id) != client_id:
            raise Reject(400, INVALID_GRANT)
        record["login"] = entry.get("login")
        tokens = entry.get("access_tokens")
        if not isinstance(tokens, list) or not tokens:
            raise Reject(500, {"error": "server_error"})
        with lock:
            nth = next_index.get(params["refresh_token"], 0)
            next_index[params["refresh_token"]] = nth + 1
        record["issued"] = nth % len(tokens)
        return {"access_token": tokens[nth % len(tokens)], "expires_in": entry.get("expires_in", 3600),
                "token_type": "Bearer", "scope": entry.get("scope", DEFAULT_SCOPE)}

    def client_credentials(self, params):
        """(client_id, client_secret, by_basic) from the body or HTTP Basic, not both."""
        authorization = self.headers.get("Authorization")
        if authorization is None:
            return params.get("client_id"), params.get("client_secret"), False
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic" or "client_secret" in params:
            raise Reject(400, {"error": "invalid_request"})
        try:
            client_id, sep, client_secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Reject(400, {"error": "invalid_request"})
        if not sep:
            raise Reject(400, {"error": "invalid_request"})
        # RFC 6749 2.3.1: both parts are form-urlencoded before the base64.
        client_id, client_secret = unquote(client_id.replace("+", " ")), unquote(client_secret.replace("+", " "))
        if params.get("client_id", client_id) != client_id:
            raise Reject(400, {"error": "invalid_request"})
        return client_id, client_secret, True

    def respond(self, record, status, answer, headers):
        with lock:
            count[0] += 1
            record = {"n": count[0], **record, "status": status}
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Pragma", "no-cache")
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, *_):
        pass


def stop(*_):
    raise SystemExit(0)


if load_state() is None:
    sys.exit(2)
ThreadingHTTPServer.request_queue_size = 128
ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", args.port), TokenEndpoint)
signal.signal(signal.SIGTERM, stop)
print(f"ready {server.server_address[1]}", flush=True)
try:
    server.serve_forever()
finally:
    server.server_close()
