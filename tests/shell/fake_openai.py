#!/usr/bin/env python3
"""An OpenAI-compatible chat-completions endpoint for the openai generator's
test, on loopback. Answers POST /v1/chat/completions by the user message:
containing "Rate" -> 429 on the first call for that text, then success;
containing "Slow" -> waits 3 s (past the daemon's timeout), always; anything
else -> {"subject", "body"} as JSON content, numbered per call. Logs one JSON
line per call to LOG. Prints "ready PORT".   fake_openai.py LOG KEY"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path, key = sys.argv[1], sys.argv[2]
lock = threading.Lock()
calls = [0]
rate_limited = set()


class Api(BaseHTTPRequestHandler):
    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        user = [m["content"] for m in request["messages"] if m["role"] == "user"][0]
        system = [m["content"] for m in request["messages"] if m["role"] == "system"][0]
        with lock:
            calls[0] += 1
            n = calls[0]
            first_rate = "Rate" in user and user not in rate_limited
            rate_limited.add(user)
            with open(log_path, "a") as f:
                f.write(json.dumps({"n": n, "user": user, "system": system, "model": request["model"],
                                    "auth": self.headers.get("Authorization") == f"Bearer {key}",
                                    "json_mode": request.get("response_format", {}).get("type")}) + "\n")
        if "Slow" in user:
            time.sleep(3)
        if first_rate:
            return self.answer(429, {"error": {"message": "rate limited"}})
        name = user.split(" à ")[1].split(" de ")[0]
        content = json.dumps({"subject": f"Une idée pour {name} (n°{n})",
                              "body": f"Bonjour {name},\n\nTexte généré n°{n} & co."}, ensure_ascii=False)
        self.answer(200, {"id": f"chatcmpl-{n}", "object": "chat.completion",
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                       "finish_reason": "stop"}]})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
