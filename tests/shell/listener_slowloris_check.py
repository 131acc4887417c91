"""Slow clients against both listeners (tests/shell/listener_slowloris.sh).

Opens SLOW_TRACKING connections to the tracking port and SLOW_CONTROL to the
control port that each send half a request line ("GET /o/abc") and nothing
more; while they are open, a normal GET /healthz on each port must answer
within 100 ms; then every slow connection must be closed by the server
within a second of the head deadline. Prints the numbers it measured.
"""
import asyncio
import statistics
import sys
import time

TRACKING, CONTROL = int(sys.argv[1]), int(sys.argv[2])
SLOW_TRACKING, SLOW_CONTROL = int(sys.argv[3]), int(sys.argv[4])
HEAD_DEADLINE = int(sys.argv[5]) / 1000.0
LIMIT_MS = 100.0


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


async def slow_client(port):
    """Sends half a request line; returns seconds from then to the server's close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /o/abc")
    await writer.drain()
    sent = time.monotonic()
    try:
        data = await asyncio.wait_for(reader.read(4096), HEAD_DEADLINE + 10)
    except (ConnectionResetError, asyncio.TimeoutError) as e:
        data = b"" if isinstance(e, ConnectionResetError) else None
    closed = time.monotonic() - sent
    writer.close()
    if data is None:
        return None  # still open after the deadline and ten seconds more
    return closed


async def healthz_ms(port):
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answer = await asyncio.wait_for(reader.read(), 10)
    elapsed = (time.monotonic() - started) * 1000
    writer.close()
    if not answer.startswith(b"HTTP/1.1 200"):
        fail(f"GET /healthz on {port}: {answer[:60]!r}")
    return elapsed


async def open_all(port, count):
    tasks = []
    for _ in range(0, count, 250):  # in batches: the listen backlog is finite
        batch = [asyncio.ensure_future(slow_client(port)) for _ in range(min(250, count - len(tasks)))]
        tasks += batch
        await asyncio.sleep(0.02)
    return tasks


async def main():
    started = time.monotonic()
    slow = await open_all(TRACKING, SLOW_TRACKING) + await open_all(CONTROL, SLOW_CONTROL)
    await asyncio.sleep(0.2)  # let the last connects and writes land
    opened = time.monotonic() - started
    if opened > HEAD_DEADLINE * 0.8:
        fail(f"opening the slow connections took {opened:.2f} s, too close to the deadline")
    tracking = [await healthz_ms(TRACKING) for _ in range(5)]
    control = [await healthz_ms(CONTROL) for _ in range(5)]
    print(f"{SLOW_TRACKING} + {SLOW_CONTROL} slow connections opened in {opened:.2f} s")
    print("GET /healthz with them open: tracking ms " + " ".join(f"{t:.1f}" for t in tracking)
          + "; control ms " + " ".join(f"{t:.1f}" for t in control))
    for name, times in (("tracking", tracking), ("control", control)):
        if statistics.median(times) > LIMIT_MS or sorted(times)[-2] > LIMIT_MS:
            fail(f"{name} /healthz took over {LIMIT_MS} ms with slow clients open: {times}")
    closes = await asyncio.gather(*slow, return_exceptions=True)
    errors = [c for c in closes if isinstance(c, BaseException)]
    if errors:
        fail(f"{len(errors)} slow connection(s) failed: {errors[0]!r}")
    still_open = [c for c in closes if c is None]
    if still_open:
        fail(f"{len(still_open)} slow connection(s) not closed by the server")
    late = [c for c in closes if c > HEAD_DEADLINE + 1.0]
    early = [c for c in closes if c < HEAD_DEADLINE - 0.5]
    print(f"slow connections closed after {min(closes):.2f}-{max(closes):.2f} s "
          f"(head deadline {HEAD_DEADLINE:.2f} s)")
    if late or early:
        fail(f"{len(late)} closed late, {len(early)} early (deadline {HEAD_DEADLINE} s)")


asyncio.run(main())
