#!/usr/bin/env bash
# Slow clients cannot starve the listeners (daemon/http_listener): with
# thousands of connections that send half a request line each, /healthz on
# the tracking and the control port still answers within 100 ms, and the
# slow ones are closed at the request head deadline
# (tests/shell/listener_slowloris_check.py does the measuring).
source "$(dirname "$0")/lib.sh"
slow_tracking=${PF_SLOW_TRACKING:-2000}
slow_control=${PF_SLOW_CONTROL:-500}
head_ms=2000
# Both ends of every connection live on this machine: the client's sockets
# and the daemon's count against the same kind of limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
need=$((slow_tracking + slow_control + 200))
[ "$(ulimit -n)" -ge "$need" ] || fail "open-files limit $(ulimit -n) is below the $need this test needs"
new_tmpdir tmp
new_database url slowloris
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tracking=$(free_port)
control=$(free_port)
cat >"$tmp/config.toml" <<TOML
[send]
adapter = "log"
[control]
listen = "127.0.0.1:$control"
request_head_timeout_ms = $head_ms
max_connections_per_client = $((slow_control + 50))
[tracking]
listen = "127.0.0.1:$tracking"
base_url = "http://127.0.0.1:$tracking"
request_head_timeout_ms = $head_ms
max_connections_per_client = $((slow_tracking + 50))
TOML
PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$tmp/config.toml" >"$tmp/daemon.log" 2>&1 &
daemon=$!
track_process "$daemon"
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$tracking/healthz" >/dev/null && curl -sf "http://127.0.0.1:$control/healthz" >/dev/null && break
  sleep 0.1
done
echo "open-files limit: $(ulimit -n)"
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/listener_slowloris_check.py" "$tracking" "$control" \
  "$slow_tracking" "$slow_control" "$head_ms" || { tail -30 "$tmp/daemon.log"; fail "slow clients"; }
curl -sf "http://127.0.0.1:$tracking/healthz" >/dev/null || fail "tracking stopped answering"
kill -TERM "$daemon"; wait "$daemon" || { tail -30 "$tmp/daemon.log"; fail "daemon exit code"; }
pass "listeners: $slow_tracking + $slow_control half-request-line clients, /healthz under 100 ms, slow ones closed at the head deadline"
