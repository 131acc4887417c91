#!/usr/bin/env bash
# The http adapter is idempotent (Idempotency-Key: the message id): SIGKILL
# the daemon five times in a 2,000-email run and restart it. A send whose
# outcome a kill lost is sent again with the same key instead of held, and
# the relay (tests/shell/http_relay.py --idempotent, which delivers each key
# once, as providers do) delivers every email exactly once: nothing held,
# nothing twice, everything delivered.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
source "$(dirname "$0")/servers_lib.sh"
new_database url crash_http
new_tmpdir tmp
trap 'kill -9 ${daemon_pid:-} 2>/dev/null || true; stop_servers; _pf_cleanup' EXIT
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
psql -X -q -v enrollments=2000 -v steps=1 "$url" -f "$PF_SOURCE_DIR/bench/seed_load.sql"
echo "relay-secret-7" >"$tmp/secret"
# 50 ms per answer: a kill finds sends in flight at the relay.
start_server relay /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/http_relay.py" "$tmp/relay.jsonl" relay-secret-7 \
  --delay 0.05 --idempotent
PF_LEASE_SECONDS=5 daemon_config "$tmp/config.toml"
# shellcheck disable=SC2154  # relay_port is set by start_server
sed -i "s|^adapter = \"log\"|adapter = \"http\"|; s|^\[adapters.log\]|[adapters.http]\nurl = \"http://127.0.0.1:$relay_port/send\"\nsigning_secret_file = \"$tmp/secret\"\n[adapters.log]|" \
  "$tmp/config.toml"
grep -q '^\[adapters.http\]' "$tmp/config.toml" || fail "config"
q() { psql -X -tA "$url" -c "$1"; }

for round in 1 2 3 4 5; do
  start_daemon "$url" "$tmp/config.toml" "$tmp/run$round.log"
  sleep 1.3
  kill -9 "$daemon_pid" || { cat "$tmp/run$round.log"; fail "daemon died before the kill"; }
  wait "$daemon_pid" 2>/dev/null || true
done
in_flight=$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sending'")
start_daemon "$url" "$tmp/config.toml" "$tmp/final.log"
wait_quiet "$url" 180
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the last daemon exited $?"

[ "$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'failed'")" = 0 ] \
  || fail "held or failed: $(q "SELECT count(*), min(last_error) FROM outreach.tasks WHERE status = 'failed'")"
[ "$(q "SELECT count(*) FROM outreach.messages WHERE direction = 'outbound' AND status = 'sent'")" = 2000 ] \
  || fail "$(q "SELECT status || ' ' || count(*) FROM outreach.messages GROUP BY status")"
cat >"$tmp/check.py" <<'PY'
import collections, json, subprocess, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
# A resend carries the first attempt's key (the message id): a fresh key
# would have been delivered a second time and counted below.
assert all(l["idempotency_key"] == l["message_id"] for l in lines), "a request's key is not its message id"
delivered = collections.Counter(l["idempotency_key"] for l in lines if l["delivered"])
assert all(n == 1 for n in delivered.values()), [k for k, n in delivered.items() if n > 1][:5]
assert len(delivered) == 2000, f"{len(delivered)} keys delivered, expected 2000"
ids = set(subprocess.run(["psql", "-X", "-tA", sys.argv[2], "-c",
    "SELECT id FROM outreach.messages WHERE direction = 'outbound'"], capture_output=True, text=True).stdout.split())
assert set(delivered) == ids, "the delivered keys are not the messages' ids"
repeats = sum(1 for l in lines if not l["delivered"] and not l["busy"])
print(repeats)
PY
repeats=$(/usr/bin/python3 "$tmp/check.py" "$tmp/relay.jsonl" "$url") || fail "the relay's record"
[ "$repeats" -ge 1 ] || fail "no send was repeated: the kills never lost an outcome (nothing tested)"
pass "5 kills with the http adapter: 2,000 delivered once each by the relay's Idempotency-Key count, $repeats resent with their key after a lost outcome ($in_flight in flight before the last start), none held"
