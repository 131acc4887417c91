#!/usr/bin/env python3
"""An IMAP server that offers no STARTTLS and no TLS at all (standard
library only), on loopback, for the client's "TLS is required" checks. It
greets, answers CAPABILITY without STARTTLS, refuses STARTTLS and LOGIN, and
says BYE to LOGOUT. Prints "ready PORT" once listening; runs until killed.

  imap_plain_server.py"""
import socketserver
import sys


class Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plain test server ready")
        for line in self.rfile:
            parts = line.decode(errors="replace").strip().split(" ", 2)
            if len(parts) < 2:
                continue
            tag, command = parts[0], parts[1].upper()
            if command == "CAPABILITY":
                self.reply("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                self.reply(f"{tag} OK CAPABILITY completed")
            elif command == "LOGOUT":
                self.reply("* BYE logging out")
                self.reply(f"{tag} OK LOGOUT completed")
                return
            else:
                self.reply(f"{tag} BAD {command} is not offered here")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


with Server(("127.0.0.1", 0), Handler) as server:
    print(f"ready {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)
