#!/usr/bin/env python3
"""sd_notify, as systemd would see it: the test owns NOTIFY_SOCKET (a
datagram socket) and WATCHDOG_USEC, runs the daemon, and checks READY=1
after start, WATCHDOG=1 while running, RELOADING=1 then READY=1 on SIGHUP
(with the new worker count applied), STOPPING=1 on SIGTERM, exit 0.

argv: PF_BIN CONFIG LOG DATABASE_URL WORKDIR"""
import os
import signal
import socket
import subprocess
import sys
import time

binary, config, log_path, database_url, workdir = sys.argv[1:6]


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    try:
        print(open(log_path).read()[-3000:], file=sys.stderr)
    except OSError:
        pass
    sys.exit(1)


path = os.path.join(workdir, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="600000",
           PROSPECTFLOW_DATABASE_URL=database_url)
env.pop("WATCHDOG_PID", None)
log = open(log_path, "w")
daemon = subprocess.Popen([binary, "run", "--config", config], env=env, stdout=log, stderr=log)
messages = []  # (time, [fields])


def receive_until(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            break
        fields = data.split("\n")
        messages.append((time.time(), fields))
        if predicate(fields):
            return fields
    if daemon.poll() is not None:
        fail(f"daemon exited with {daemon.returncode} while waiting for {what}")
    fail(f"no {what} within {seconds} s; got {[m[1] for m in messages]}")


ready = receive_until(lambda f: "READY=1" in f, 30, "READY=1 after start")
if not any(x.startswith("STATUS=") for x in ready):
    fail(f"READY=1 came without a STATUS= line: {ready}")
if "ready: instance" not in open(log_path).read():
    fail("READY=1 sent before the daemon logged that it was ready")
print("ok: READY=1 with STATUS= after the schema check, the control port and the engine")

start = time.time()
while time.time() - start < 2.0:
    receive_until(lambda f: True, 2.0, "any message")
pings = [m for m in messages if m[0] >= start and "WATCHDOG=1" in m[1]]
if len(pings) < 4:
    fail(f"{len(pings)} WATCHDOG=1 in 2 s with WatchdogSec 0.6 s (expected one every 0.3 s)")
print(f"ok: {len(pings)} WATCHDOG=1 in 2 s (WATCHDOG_USEC=600000)")

text = open(config).read().replace("workers = 4", "workers = 2")
open(config, "w").write(text)
mark = len(messages)
daemon.send_signal(signal.SIGHUP)
receive_until(lambda f: "RELOADING=1" in f, 30, "RELOADING=1 after SIGHUP")
if not any(x.startswith("MONOTONIC_USEC=") for x in messages[-1][1]):
    fail(f"RELOADING=1 without MONOTONIC_USEC: {messages[-1][1]}")
receive_until(lambda f: "READY=1" in f, 60, "READY=1 after the reload")
order = [("RELOADING=1" in f and "R") or ("READY=1" in f and "Y") for _, f in messages[mark:]]
order = [o for o in order if o]
if order[:2] != ["R", "Y"]:
    fail(f"reload sequence: {order}")
if "2 worker(s)" not in open(log_path).read():
    fail("the reload did not apply scheduler.workers = 2")
print("ok: SIGHUP: RELOADING=1, then READY=1, with the new worker count applied")

daemon.send_signal(signal.SIGTERM)
receive_until(lambda f: "STOPPING=1" in f, 30, "STOPPING=1 after SIGTERM")
try:
    code = daemon.wait(timeout=60)
except subprocess.TimeoutExpired:
    daemon.kill()
    fail("daemon did not exit within 60 s of SIGTERM")
if code != 0:
    fail(f"daemon exited {code} after SIGTERM")
print("ok: SIGTERM: STOPPING=1, exit 0")
