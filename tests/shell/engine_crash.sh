#!/usr/bin/env bash
# SIGKILL a daemon mid-run several times and restart it: still at most one
# message per (enrollment, step), and the adapter was never handed one twice;
# every task ends succeeded, or failed and held for an operator with the
# reason; none stays running past its lease.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_database url crash
new_tmpdir tmp
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
psql -X -q -v enrollments=2000 -v steps=3 "$url" -f "$PF_SOURCE_DIR/bench/seed_load.sql"
PF_LEASE_SECONDS=5 PF_LOG_LATENCY_MS=2 daemon_config "$tmp/config.toml"
trap 'kill -9 $daemon_pid 2>/dev/null || true; _pf_cleanup' EXIT

logs=()
for round in 1 2 3 4 5; do
  start_daemon "$url" "$tmp/config.toml" "$tmp/run$round.log"
  logs+=("$tmp/run$round.log")
  sleep 1.3
  kill -9 "$daemon_pid" || { cat "$tmp/run$round.log"; fail "daemon died before the kill"; }
  wait "$daemon_pid" 2>/dev/null || true
done
start_daemon "$url" "$tmp/config.toml" "$tmp/final.log"
logs+=("$tmp/final.log")
wait_quiet "$url" 180
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the last daemon exited $?"

q() { psql -X -tA "$url" -c "$1"; }
check_no_duplicate_sends "${logs[@]}"
[ "$(q "SELECT count(*) FROM (SELECT 1 FROM outreach.messages WHERE direction = 'outbound' GROUP BY enrollment_id, step_id HAVING count(*) > 1) d")" = 0 ] \
  || fail "a step has two messages"
[ "$(q "SELECT count(*) FROM outreach.tasks WHERE status IN ('running', 'pending')")" = 0 ] || fail "tasks left open"
bad=$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'failed' AND last_error NOT LIKE 'outcome unknown:%'")
[ "$bad" = 0 ] || fail "$bad failed tasks without an operator reason"
held=$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'failed'")
sent=$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'")
handed=$(cat "${logs[@]}" | grep -c 'log adapter: message' || true)
# Every message the adapter accepted is either recorded sent, or its task is
# held (the daemon died between the adapter's answer and the record).
[ "$handed" -ge "$sent" ] || fail "$sent recorded sent but only $handed handed over"
[ $((handed - sent)) -le "$held" ] || fail "$((handed - sent)) sends unrecorded but only $held held"
[ "$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sending'")" = "$held" ] \
  || fail "held tasks and in-flight messages disagree"
pass "5 kills: $sent sent once each, $held held for an operator with the reason, none running"
