#!/usr/bin/env bash
# A live daemon: pausing a campaign (an UPDATE, as the app or the control API
# does) stops its sends within one poll interval; resuming finishes the work.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_database url pause
new_tmpdir tmp
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
psql -X -q -v enrollments=3000 -v steps=2 "$url" -f "$PF_SOURCE_DIR/bench/seed_load.sql"
PF_LOG_LATENCY_MS=3 daemon_config "$tmp/config.toml"   # poll_interval_ms = 200
start_daemon "$url" "$tmp/config.toml" "$tmp/daemon.log"
trap 'kill $daemon_pid 2>/dev/null || true; _pf_cleanup' EXIT
q() { psql -X -tAq "$url" -c "$1"; }

for _ in $(seq 1 100); do [ "$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'")" -gt 200 ] && break; sleep 0.1; done
paused_at=$(q "UPDATE outreach.campaigns SET status = 'paused' RETURNING pf_micros(clock_timestamp())")
sleep 1.5
before=$(q "SELECT count(*) FROM outreach.messages WHERE status IN ('sent', 'sending')")
sleep 2
after=$(q "SELECT count(*) FROM outreach.messages WHERE status IN ('sent', 'sending')")
[ "$before" = "$after" ] || fail "sends went on while paused ($before then $after)"
late=$(q "SELECT count(*) FROM outreach.messages WHERE sent_at > pf_from_micros($paused_at) + interval '200 milliseconds'")
[ "$late" = 0 ] || fail "$late message(s) sent more than one poll interval (200 ms) after the pause"
[ "$after" -lt 6000 ] || fail "everything was sent before the pause took effect"
[ "$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'running'")" = 0 ] || fail "tasks left running while paused"

q "UPDATE outreach.campaigns SET status = 'active'" >/dev/null
wait_quiet "$url" 120
[ "$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'")" = 6000 ] || fail "resume did not finish the work"
check_no_duplicate_sends "$tmp/daemon.log"
kill -TERM "$daemon_pid"; wait "$daemon_pid" || fail "daemon exited $?"
pass "pause stopped sends within 200 ms ($after of 6000 sent), resume finished them"
