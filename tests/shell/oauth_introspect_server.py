#!/usr/bin/env python3
"""An OAuth 2.0 token introspection endpoint (RFC 7662) for Dovecot's
passdb oauth2 in the tests (standard library only), on loopback. Prints
"ready PORT" once listening; runs until killed.

  oauth_introspect_server.py TOKENS.json

TOKENS.json, read again on every request: {"access-token": "user@domain"}.
POST (any path), application/x-www-form-urlencoded token=T: 200
{"active": true, "username": USER} for a known token, 200 {"active": false}
for another one (as RFC 7662 section 2.2 says for an invalid token)."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode(errors="replace"))
        token = form.get("token", [""])[0]
        with open(sys.argv[1], encoding="utf-8") as f:
            user = json.load(f).get(token)
        body = json.dumps({"active": True, "username": user} if user else {"active": False}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
