#!/usr/bin/env bash
# prospectflowd replay and dump from the command line:
# - a golden fixture replayed twice on the embedded cluster (no URL) and once
#   on the test server gives its golden transcript byte for byte, and the
#   scratch database and cluster are gone afterwards;
# - a database a real daemon ran on, dumped (--redact) and replayed, gives
#   exactly the sends that were still ahead: every pending task, at its time;
# - bad input: exit codes and messages.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_tmpdir tmp
golden_dir="$PF_SOURCE_DIR/tests/replay"

# 1. Determinism and the embedded cluster.
for name in three_step_dst daily_cap; do
  "$PF_BIN" replay "$golden_dir/$name.json" --transcript "$tmp/$name.1.jsonl" 2>"$tmp/$name.err" || { cat "$tmp/$name.err"; fail "replay $name"; }
  "$PF_BIN" replay "$golden_dir/$name.json" >"$tmp/$name.2.jsonl" 2>/dev/null || fail "replay $name to stdout"
  cmp "$tmp/$name.1.jsonl" "$tmp/$name.2.jsonl" || fail "$name: two replays differ"
  cmp "$tmp/$name.1.jsonl" "$golden_dir/$name.transcript.jsonl" || fail "$name: the CLI's transcript is not the golden one"
done
grep -q "replayed 2027-03-12T17:00:00Z to 2027-03-29T08:00:00Z: 14 event(s), 9 send(s)" "$tmp/three_step_dst.err" \
  || fail "summary line: $(cat "$tmp/three_step_dst.err")"
leftover=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'prospectflow-replay-*' | wc -l)
[ "$leftover" = 0 ] || fail "embedded clusters left behind in ${TMPDIR:-/tmp}"
if pgrep -f "postgres.*prospectflow-replay-" >/dev/null; then fail "an embedded server is still running"; fi
before=$(psql -X -tA "$PF_BASE_URL" -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'pf_replay_%'")
"$PF_BIN" replay "$golden_dir/reply_stops.json" --database-url "$PF_BASE_URL" --transcript "$tmp/r.jsonl" 2>/dev/null \
  || fail "replay --database-url"
cmp "$tmp/r.jsonl" "$golden_dir/reply_stops.transcript.jsonl" || fail "replay --database-url: not the golden transcript"
after=$(psql -X -tA "$PF_BASE_URL" -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'pf_replay_%'")
[ "$before" = "$after" ] || fail "the scratch database was not dropped"
# --from/--until override the fixture's window.
"$PF_BIN" replay "$golden_dir/three_step_dst.json" --until 2027-03-16T00:00:00Z >"$tmp/short.jsonl" 2>/dev/null
[ "$(grep -c '"event":"send"' "$tmp/short.jsonl")" = 3 ] || fail "--until: $(cat "$tmp/short.jsonl")"
# As root the embedded server runs as 'postgres'; as anyone else, as them.
if [ "$(id -u)" = 0 ] && id -u nobody >/dev/null 2>&1 && runuser -u nobody -- test -r "$golden_dir/daily_cap.json" \
   && runuser -u nobody -- test -x "$PF_BIN"; then
  (cd / && TMPDIR=/tmp runuser -u nobody -- "$PF_BIN" replay "$golden_dir/daily_cap.json") >"$tmp/nobody.jsonl" 2>/dev/null \
    || fail "replay as a user other than root"
  cmp "$tmp/nobody.jsonl" "$golden_dir/daily_cap.transcript.jsonl" || fail "replay as nobody: not the golden transcript"
fi
pass "replays are byte-identical to the golden transcripts (embedded cluster and --database-url), nothing left behind"

# 2. Dump a database a real daemon ran on, replay it.
new_database url replaydump
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
psql -X -q -v enrollments=40 -v steps=3 "$url" -f "$PF_SOURCE_DIR/bench/seed_load.sql"
q() { psql -X -tAq "$url" -c "$1"; }
# Steps 2 and 3 wait two and four days: the daemon sends step 1 now.
q "UPDATE outreach.workflow_steps SET delay_seconds = (step_order - 1) * 2 * 86400" >/dev/null
daemon_config "$tmp/config.toml"
start_daemon "$url" "$tmp/config.toml" "$tmp/daemon.log"
trap 'kill $daemon_pid 2>/dev/null || true; _pf_cleanup' EXIT
for _ in $(seq 1 150); do
  [ "$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'")" = 40 ] && \
  [ "$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'pending' AND step_id = md5('load-step2')::uuid")" = 40 ] && break
  sleep 0.2
done
kill -TERM "$daemon_pid"; wait "$daemon_pid" || fail "daemon exited $?"
[ "$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'")" = 40 ] || fail "step 1 was not sent to all 40"
"$PF_BIN" dump --database-url "$url" --config "$tmp/config.toml" --organisation load --redact --redact-key s3cret \
  -o "$tmp/live.json" 2>"$tmp/dump.err" || { cat "$tmp/dump.err"; fail "dump"; }
grep -q "load-prospects.example" "$tmp/live.json" && fail "the redacted dump still has the prospects' addresses"
grep -q '"spacing_max_ms": 0' "$tmp/live.json" || fail "the dump did not record the daemon's settings"
"$PF_BIN" replay "$tmp/live.json" --until 10d --transcript "$tmp/live.jsonl" 2>/dev/null || fail "replay of the dump"
# What the live database had ahead: each pending step-2 task at its run_at.
q "SELECT to_char(run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || 'Z ' || enrollment_id FROM outreach.tasks
   WHERE status = 'pending' ORDER BY 1" >"$tmp/ahead.txt"
/usr/bin/python3 - "$tmp/live.jsonl" "$tmp/ahead.txt" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
ahead = sorted(l.strip() for l in open(sys.argv[2]) if l.strip())
sends = [e for e in events if e["event"] == "send"]
assert all(e["outcome"] == "sent" for e in sends), "a send did not go"
assert not [e for e in sends if e["step"] == 1], "step 1 was sent again"
def micros(t):  # 2026-11-30T09:44:33Z or ...33.123456Z -> ...33.123456Z
    return t if "." in t else t[:-1] + ".000000Z"
step2 = sorted(micros(e["at"]) + " " + e["enrollment"] for e in sends if e["step"] == 2)
assert step2 == ahead, f"step 2 sends differ from the live queue:\n{step2[:3]}\n{ahead[:3]}"
step3 = [e for e in sends if e["step"] == 3]
assert len(step3) == 40, len(step3)
assert all(e["recipient"].endswith(".example") and "load-prospects" not in e["recipient"] for e in sends)
print(f"ok: {len(sends)} sends ahead replayed, step 2 at the live queue's times")
PY
pass "a dump of a database the daemon ran on replays the 80 sends it had ahead"

# 3. Bad input.
echo '{"format": "prospectflow-replay-fixture", "version": 1, "tables": {"crm.secrets": []}}' >"$tmp/bad.json"
set +e
"$PF_BIN" replay "$tmp/bad.json" 2>"$tmp/err"; code=$?
set -e
[ "$code" = 65 ] || fail "a bad fixture should exit 65, not $code"
grep -q '"crm.secrets" is not a table' "$tmp/err" || fail "no reason given: $(cat "$tmp/err")"
set +e
"$PF_BIN" replay "$golden_dir/daily_cap.json" --until soon 2>"$tmp/err"; code=$?
set -e
[ "$code" = 64 ] || fail "--until soon should exit 64, not $code"
set +e
"$PF_BIN" dump --database-url "$url" --organisation nobody 2>"$tmp/err" >/dev/null; code=$?
set -e
[ "$code" = 65 ] || fail "an unknown organisation should exit 65, not $code"
grep -q 'no organisation with id or slug "nobody"' "$tmp/err" || fail "dump: $(cat "$tmp/err")"
pass "bad fixtures, times and organisations are refused with the reason"
