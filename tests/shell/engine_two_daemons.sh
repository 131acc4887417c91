#!/usr/bin/env bash
# Two daemons on one database, 2,000 enrollments x 3 steps: exactly 6,000
# outbound messages, none duplicated, every enrollment completed, no task left
# running; both daemons did part of the work; SIGTERM stops both with 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_database url two_daemons
new_tmpdir tmp
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
psql -X -q -v enrollments=2000 -v steps=3 "$url" -f "$PF_SOURCE_DIR/bench/seed_load.sql"
daemon_config "$tmp/config.toml"
start_daemon "$url" "$tmp/config.toml" "$tmp/a.log"; a=$daemon_pid
start_daemon "$url" "$tmp/config.toml" "$tmp/b.log"; b=$daemon_pid
trap 'kill $a $b 2>/dev/null || true; _pf_cleanup' EXIT
wait_quiet "$url" 120
kill -TERM "$a" "$b"
wait "$a" || fail "daemon A exited $?"
wait "$b" || fail "daemon B exited $?"

q() { psql -X -tA "$url" -c "$1"; }
[ "$(q "SELECT count(*) FROM outreach.messages WHERE direction = 'outbound' AND status = 'sent'")" = 6000 ] \
  || fail "expected 6000 sent messages, got $(q "SELECT count(*) FROM outreach.messages")"
[ "$(q "SELECT count(DISTINCT (enrollment_id, step_id)) FROM outreach.messages")" = 6000 ] || fail "duplicated steps"
[ "$(q "SELECT count(*) FROM outreach.campaign_enrollments WHERE status <> 'completed'")" = 0 ] \
  || fail "enrollments not completed"
[ "$(q "SELECT count(*) FROM outreach.tasks WHERE status <> 'succeeded'")" = 0 ] || fail "tasks not succeeded"
check_no_duplicate_sends "$tmp/a.log" "$tmp/b.log"
sent_a=$(grep -c 'log adapter: message' "$tmp/a.log" || true)
sent_b=$(grep -c 'log adapter: message' "$tmp/b.log" || true)
[ $((sent_a + sent_b)) -eq 6000 ] || fail "adapters were handed $((sent_a + sent_b)) messages"
[ "$sent_a" -gt 0 ] && [ "$sent_b" -gt 0 ] || fail "one daemon did nothing (A $sent_a, B $sent_b)"
pass "two daemons: 6000 messages exactly once (A $sent_a, B $sent_b), all enrollments completed"
