#!/usr/bin/env bash
# Heartbeats and fast rescue: SIGKILL a daemon mid-run and restart it at once
# (what systemd's Restart= does). The tasks the dead daemon had claimed are
# taken over within instance_timeout_seconds plus a few seconds, not at the
# end of their 300 s lease; no email is sent twice (the adapter's own record
# and the messages table); /v1/status lists the live instance and not the
# dead one; a clean stop deregisters.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_database url rescue
new_tmpdir tmp
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
psql -X -q -v enrollments=3000 -v steps=1 "$url" -f "$PF_SOURCE_DIR/bench/seed_load.sql"
timeout=15
PF_LEASE_SECONDS=300 PF_LOG_LATENCY_MS=3000 daemon_config "$tmp/config.toml"
# The documented defaults, said out loud: the measure below depends on them.
sed -i "s/^lease_seconds = 300$/lease_seconds = 300\nheartbeat_interval_seconds = 3\ninstance_timeout_seconds = $timeout/" \
  "$tmp/config.toml"
export PROSPECTFLOW_CONTROL_TOKEN=rescue-token
trap 'kill -9 $daemon_pid 2>/dev/null || true; _pf_cleanup' EXIT
q() { psql -X -tA "$url" -c "$1"; }

start_daemon "$url" "$tmp/config.toml" "$tmp/first.log"
first_pid=$daemon_pid
for _ in $(seq 1 100); do
  [ "$(q "SELECT count(*) FROM outreach.instances WHERE pid = $first_pid")" = 1 ] && break
  sleep 0.1
done
dead=$(q "SELECT id FROM outreach.instances WHERE pid = $first_pid")
[ -n "$dead" ] || { cat "$tmp/first.log"; fail "the first daemon never registered"; }
sleep 2
kill -9 "$first_pid" || { cat "$tmp/first.log"; fail "daemon died before the kill"; }
wait "$first_pid" 2>/dev/null || true
killed_at=$(date +%s.%N)
held=$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'running' AND locked_by = '$dead'")
[ "$held" -gt 0 ] || { psql -X "$url" -c "SELECT status, locked_by, count(*) FROM outreach.tasks GROUP BY 1, 2"; tail -20 "$tmp/first.log"; } && [ "$held" -gt 0 ] || fail "the killed daemon held no running task: nothing to rescue (run too short?)"
lease_end=$(q "SELECT extract(epoch FROM min(locked_until) - now())::int FROM outreach.tasks WHERE locked_by = '$dead'")
[ "$lease_end" -gt 200 ] || fail "its leases end in $lease_end s: the measure would not tell heartbeat from lease"

start_daemon "$url" "$tmp/config.toml" "$tmp/second.log"
rescued_after=
for _ in $(seq 1 600); do
  left=$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'running' AND locked_by = '$dead'")
  if [ "$left" = 0 ]; then
    rescued_after=$(echo "$(date +%s.%N) - $killed_at" | bc)
    break
  fi
  sleep 0.1
done
[ -n "$rescued_after" ] || fail "the dead daemon's $held task(s) were not taken over within 60 s"
limit=$((timeout + 5))
[ "$(echo "$rescued_after <= $limit" | bc)" = 1 ] \
  || fail "the dead daemon's tasks were taken over after $rescued_after s (limit $limit s)"
grep -q "leased by a daemon presumed dead" "$tmp/second.log" || fail "no janitor line in the log"

port=$(sed -n 's/.*control port listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/second.log" | head -1)
status=$(curl -fsS -H "Authorization: Bearer rescue-token" "http://127.0.0.1:$port/v1/status") \
  || fail "GET /v1/status"
python3 - "$status" "$dead" "$daemon_pid" <<'PY' || fail "/v1/status instances: $status"
import json, sys
body, dead, pid = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ids = [i["id"] for i in body["instances"]]
assert dead not in ids, ids
me = [i for i in body["instances"] if i["self"]]
assert len(me) == 1 and me[0]["pid"] == pid and me[0]["id"] == body["instance"], body["instances"]
assert me[0]["version"] and me[0]["heartbeat_at"].endswith("Z"), me[0]
PY

wait_quiet "$url" 240
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the second daemon exited $?"
[ "$(q "SELECT count(*) FROM outreach.instances WHERE pid = $daemon_pid")" = 0 ] \
  || fail "a clean stop left its instance row"

check_no_duplicate_sends "$tmp/first.log" "$tmp/second.log"
[ "$(q "SELECT count(*) FROM (SELECT 1 FROM outreach.messages WHERE direction = 'outbound' GROUP BY enrollment_id, step_id HAVING count(*) > 1) d")" = 0 ] \
  || fail "a step has two messages"
[ "$(q "SELECT count(*) FROM outreach.tasks WHERE status IN ('running', 'pending')")" = 0 ] || fail "tasks left open"
bad=$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'failed' AND last_error NOT LIKE 'outcome unknown:%'")
[ "$bad" = 0 ] || fail "$bad failed tasks without an operator reason"
sent=$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'")
held_unknown=$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'failed'")
pass "SIGKILL with $held task(s) claimed: taken over $rescued_after s after the kill (timeout $timeout s, lease 300 s); $sent sent once each, $held_unknown held as outcome unknown; clean stop deregistered"
