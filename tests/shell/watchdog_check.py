#!/usr/bin/env python3
"""The watchdog watches the workers, not a timer: with a fake NOTIFY_SOCKET
and WATCHDOG_USEC, WATCHDOG=1 keeps coming from an idle, healthy daemon for
longer than the allowed silence; then a test session takes
`LOCK TABLE outreach.tasks IN ACCESS EXCLUSIVE MODE` and holds it, so every
worker blocks in its next statement (claim, next_due: the engine sets no
statement timeout). Within the allowed silence the daemon logs which workers
are silent and stops pinging for good, while its event loop still runs
(STATUS= lines go on), so systemd would restart it.

With "reload" as the last argument, a SIGHUP follows the wedge: the reload
waits for the stopped engine's workers and feeds the watchdog meanwhile by
the same rule, so a reload cannot hide the wedge; once the lock is released
the reload completes (READY=1), and the pings stay off.

The config must make the allowed silence short: lease_seconds = 5, the file
adapter, poll_interval_ms below 10 s, so 5 s + 0 + 10 s (the reconnect
backoff) = 15 s (daemon/engine_watchdog.hpp).

argv: PF_BIN CONFIG LOG DATABASE_URL WORKDIR [loop|reload]"""
import os
import re
import signal
import socket
import subprocess
import sys
import time

binary, config, log_path, database_url, workdir = sys.argv[1:6]
mode = sys.argv[6] if len(sys.argv) > 6 else "loop"
PERIOD = 0.5  # WATCHDOG_USEC / 2
MAX_SILENCE = 15.0
WORKERS = 2  # scheduler.workers in the config
LOCKER = "pf_watchdog_wedge"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    try:
        print(open(log_path).read()[-3000:], file=sys.stderr)
    except OSError:
        pass
    try:
        release_lock()
    except subprocess.CalledProcessError:
        pass
    if daemon.poll() is None:
        daemon.kill()
    sys.exit(1)


def psql(sql):
    return subprocess.run(["psql", "-X", "-qtA", database_url, "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def release_lock():
    psql(f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
         f"WHERE application_name = '{LOCKER}'")


path = os.path.join(workdir, f"watchdog-{mode}.sock")
if os.path.exists(path):
    os.unlink(path)  # left by an earlier run in the same directory
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC=str(int(PERIOD * 2 * 1e6)),
           PROSPECTFLOW_DATABASE_URL=database_url)
env.pop("WATCHDOG_PID", None)
log = open(log_path, "w")
daemon = subprocess.Popen([binary, "run", "--config", config], env=env, stdout=log, stderr=log)
messages = []  # (time, [fields])


def receive_for(seconds, until=None):
    """Records datagrams for `seconds`, or until until() is true."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if until and until():
            return True
        sock.settimeout(min(0.2, max(0.01, deadline - time.time())))
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            continue
        messages.append((time.time(), data.split("\n")))
        if daemon.poll() is not None:
            fail(f"daemon exited with {daemon.returncode}")
    return until() if until else True


def pings(since, until=float("inf")):
    return [t for t, f in messages if since <= t < until and "WATCHDOG=1" in f]


def largest_gap(times):
    return max((b - a for a, b in zip(times, times[1:])), default=float("inf"))


if not receive_for(30, lambda: any("READY=1" in f for _, f in messages)):
    fail("no READY=1 within 30 s")

# Idle and healthy for longer than the allowed silence: idle waits are progress.
start = time.time()
idling = MAX_SILENCE + 3 if mode == "loop" else 2
receive_for(idling)
idle = pings(start)
if len(idle) < idling / PERIOD * 0.7 or largest_gap(idle) > 3 * PERIOD:
    fail(f"{len(idle)} WATCHDOG=1 in {idling} s of idling, largest gap "
         f"{largest_gap(idle):.2f} s (expected one every {PERIOD} s)")
print(f"ok: {len(idle)} WATCHDOG=1 in {idling:.0f} s from an idle daemon")

# Wedge the pool: hold the lock every worker's next statement needs.
locker = subprocess.Popen(
    ["psql", "-X", "-q", database_url, "-c",
     "BEGIN; LOCK TABLE outreach.tasks IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3600);"],
    env=dict(os.environ, PGAPPNAME=LOCKER), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
# Wedged: every worker waits for that lock (SIGHUP before that could find a
# worker in its idle wait, which would simply end).
waiting_sql = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
               "AND wait_event_type = 'Lock' AND application_name <> '" + LOCKER + "'")
for _ in range(100):
    if int(psql(waiting_sql)) >= WORKERS:
        break
    time.sleep(0.1)
else:
    fail(f"the {WORKERS} workers did not all block on the test session's lock")
wedged_at = time.time()
if mode == "reload":
    daemon.send_signal(signal.SIGHUP)
    if not receive_for(10, lambda: any("RELOADING=1" in f for t, f in messages if t > wedged_at)):
        fail("no RELOADING=1 after SIGHUP")

error = re.compile(r"watchdog: no progress from (worker \d+ for [\d.]+ s(, )?)+ .*no more WATCHDOG=1")
logged = lambda: error.search(open(log_path).read()) is not None  # noqa: E731
if not receive_for(MAX_SILENCE + 10, logged):
    fail(f"no watchdog error within {MAX_SILENCE + 10} s of wedging the pool")
error_at = time.time()
before = pings(wedged_at, error_at)
if not before or before[-1] - wedged_at < MAX_SILENCE - 3 * PERIOD:
    fail(f"pings stopped {before[-1] - wedged_at if before else 0:.1f} s after the wedge, "
         f"before the allowed silence of {MAX_SILENCE} s: a busy worker would be killed too soon")
print(f"ok: pinged for {before[-1] - wedged_at:.1f} s after the wedge, then logged the silent workers")

# The pings have stopped for good, though the event loop still runs.
receive_for(6)
after = pings(before[-1] + 0.01)
if after:
    fail(f"{len(after)} WATCHDOG=1 after the pool was declared wedged")
status = any(any(x.startswith("STATUS=") for x in f) for t, f in messages if t > error_at)
if mode == "loop" and not status:
    fail("no STATUS= after the wedge: the event loop itself stopped, the test proves nothing")
print(f"ok: no WATCHDOG=1 for {time.time() - before[-1]:.1f} s (> 2 periods of {PERIOD} s)"
      + ("; STATUS= still comes" if mode == "loop" else " while the reload waits"))

# Released, the workers go on, but the decision stands: systemd restarts.
release_lock()
locker.wait(timeout=30)
released_at = time.time()
if mode == "reload" and not receive_for(
        30, lambda: any("READY=1" in f for t, f in messages if t > released_at)):
    fail("the reload did not complete (READY=1) once the lock was released")
receive_for(2)
if pings(before[-1] + 0.01):
    fail("WATCHDOG=1 resumed after the wedge was declared")
daemon.send_signal(signal.SIGTERM)
try:
    code = daemon.wait(timeout=60)
except subprocess.TimeoutExpired:
    fail("daemon did not exit within 60 s of SIGTERM")
if code != 0:
    fail(f"daemon exited {code} after SIGTERM")
print("ok: released, no ping resumed; SIGTERM exits 0")
