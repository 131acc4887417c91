#!/usr/bin/env python3
"""A JSON relay for the http adapter's test, on loopback. Checks each
request's HMAC signature with the shared secret, records one JSON line per
request in LOG, and answers by recipient: "status-NNN@…" gets NNN, "slow@…"
waits 3 s (past the daemon's timeout), "once-500@…" gets 500 on its first
request only, anything else 200 {"id": "relay-N"}.
Prints "ready PORT"; runs until killed.   http_relay.py LOG SECRET"""
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path, secret = sys.argv[1], sys.argv[2].encode()
lock = threading.Lock()
count = [0]
seen = set()


class Relay(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        timestamp = self.headers.get("X-ProspectFlow-Timestamp", "")
        expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        signature_ok = hmac.compare_digest(expected, self.headers.get("X-ProspectFlow-Signature", ""))
        fresh = abs(time.time() - int(timestamp or 0)) < 300
        payload = json.loads(body)
        with lock:
            count[0] += 1
            n = count[0]
            with open(log_path, "a") as f:
                f.write(json.dumps({"n": n, "to": payload["to"], "message_id": payload["message_id"],
                                    "idempotency_key": self.headers.get("Idempotency-Key"),
                                    "signature_ok": signature_ok and fresh,
                                    "mime_starts": payload["mime"][:5], "subject": payload["subject"],
                                    "auth": self.headers.get("Authorization")}) + "\n")
        local = payload["to"].split("@")[0]
        if local == "slow":
            time.sleep(3)
        status = int(local.split("-")[1]) if local.startswith("status-") else 200
        if local.startswith("once-500"):
            with lock:
                status = 500 if payload["to"] not in seen else 200
                seen.add(payload["to"])
        answer = json.dumps({"id": f"relay-{n}"} if status == 200 else {"error": f"simulated {status}"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
