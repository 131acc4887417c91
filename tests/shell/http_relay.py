#!/usr/bin/env python3
"""A JSON relay for the http adapter's test, on loopback. Checks each
request's HMAC signature with the shared secret, records one JSON line per
request in LOG, and answers by recipient: "status-NNN@…" gets NNN, "slow@…"
waits 3 s (past the daemon's timeout), "once-500@…" gets 500 on its first
request only, anything else 200 {"id": "relay-N"}. Each line also says how
many requests were being answered at once when it arrived, itself included.
Prints "ready PORT"; runs until killed.

  http_relay.py LOG SECRET [--delay SECONDS] [--busy-first N] [--idempotent]

--delay holds each answer that long (a slow relay, so that concurrent
clients overlap); --busy-first answers the first N requests 503 at once, as a
relay over its limit does; --idempotent delivers each Idempotency-Key once,
as providers do: a repeat of a key already delivered gets the first answer
again and its line says "delivered": false."""
import argparse
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("log")
parser.add_argument("secret")
parser.add_argument("--delay", type=float, default=0.0)
parser.add_argument("--busy-first", type=int, default=0)
parser.add_argument("--idempotent", action="store_true")
args = parser.parse_args()
log_path, secret = args.log, args.secret.encode()
lock = threading.Lock()
count = [0]
seen = set()
active = [0]
busy_left = [args.busy_first]
delivered = {}  # Idempotency-Key -> the relay id it was delivered as (--idempotent)


class Relay(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        timestamp = self.headers.get("X-ProspectFlow-Timestamp", "")
        expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        signature_ok = hmac.compare_digest(expected, self.headers.get("X-ProspectFlow-Signature", ""))
        fresh = abs(time.time() - int(timestamp or 0)) < 300
        payload = json.loads(body)
        key = self.headers.get("Idempotency-Key")
        with lock:
            busy = busy_left[0] > 0
            busy_left[0] -= busy
            # Only requests that are worked on count as concurrent.
            active[0] += not busy
            concurrent = active[0] if not busy else 0
            count[0] += 1
            n = count[0]
            repeat = args.idempotent and not busy and key in delivered
            if args.idempotent and not busy and not repeat:
                delivered[key] = f"relay-{n}"
            with open(log_path, "a") as f:
                f.write(json.dumps({"n": n, "to": payload["to"], "message_id": payload["message_id"],
                                    "idempotency_key": key, "delivered": not busy and not repeat,
                                    "signature_ok": signature_ok and fresh,
                                    "mime_starts": payload["mime"][:5], "subject": payload["subject"],
                                    "auth": self.headers.get("Authorization"),
                                    "concurrent": concurrent, "busy": busy}) + "\n")
        try:
            status = self.status_for(payload["to"], busy)
        finally:
            # Before the answer goes out: the client may start its next request
            # as soon as it has it, and that one must not count this one.
            with lock:
                active[0] -= not busy
        relay_id = delivered.get(key, f"relay-{n}") if args.idempotent else f"relay-{n}"
        answer = json.dumps({"id": relay_id} if status == 200 else {"error": f"simulated {status}"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def status_for(self, to, busy):
        if busy:
            return 503
        local = to.split("@")[0]
        if local == "slow":
            time.sleep(3)
        if args.delay:
            time.sleep(args.delay)
        if local.startswith("once-500"):
            with lock:
                first = to not in seen
                seen.add(to)
            return 500 if first else 200
        return int(local.split("-")[1]) if local.startswith("status-") else 200

    def log_message(self, *args):
        pass


# Room for every client connecting at once (the default backlog is 5).
ThreadingHTTPServer.request_queue_size = 128
server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
