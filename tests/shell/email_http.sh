#!/usr/bin/env bash
# The http adapter against a local relay (tests/shell/http_relay.py): every
# request signed (HMAC-SHA256, checked by the relay) with a stable
# Idempotency-Key; 2xx sent with the relay's id; 400 permanent at once; 408,
# 429, 500 and a timeout transient, retried until max_attempts.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_tmpdir tmp
secret='relay-shared-secret'
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/http_relay.py" "$tmp/relay.jsonl" "$secret" >"$tmp/relay.out" 2>"$tmp/relay.err" &
relay=$!
trap 'kill $relay 2>/dev/null || true; _pf_cleanup' EXIT
for _ in $(seq 1 100); do grep -q "^ready" "$tmp/relay.out" && break; sleep 0.1; done
port=$(sed -n 's/^ready //p' "$tmp/relay.out")
[ -n "$port" ] || { cat "$tmp/relay.err"; fail "the relay did not start"; }

new_database url http
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
psql -X -q -v a=3 "$url" -f "$PF_SOURCE_DIR/tests/shell/control_fixture.sql" >/dev/null
# Organisation A's three prospects: two good addresses and an invalid one
# (fails before any send); then one enrollment per relay behaviour.
psql -X -q -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL'
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', md5('h-person' || s)::uuid, 'Hugo', s
FROM unnest(ARRAY['status-400', 'status-408', 'status-429', 'status-500', 'slow']) s;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', md5('h-position' || s)::uuid, md5('h-person' || s)::uuid,
       'aaaaaaaa-0000-4000-8000-0000000000c1', s || '@relay.example'
FROM unnest(ARRAY['status-400', 'status-408', 'status-429', 'status-500', 'slow']) s;
INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id, position_id)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000a1',
       md5('h-person' || s)::uuid, md5('h-position' || s)::uuid
FROM unnest(ARRAY['status-400', 'status-408', 'status-429', 'status-500', 'slow']) s;
UPDATE outreach.campaigns SET status = 'active' WHERE id = 'aaaaaaaa-0000-4000-8000-0000000000a1';
UPDATE outreach.tasks SET max_attempts = 3;
SQL
cat >"$tmp/config.toml" <<TOML
[scheduler]
workers = 2
poll_interval_ms = 100
retry_base_ms = 100
retry_max_ms = 300
[send]
adapter = "http"
spacing_min_ms = 0
spacing_max_ms = 0
[adapters.http]
url = "http://127.0.0.1:$port/v1/send"
timeout_seconds = 1
[control]
listen = ""
[tracking]
listen = ""
TOML
PROSPECTFLOW_HTTP_SIGNING_SECRET=$secret PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$tmp/config.toml" \
  >"$tmp/daemon.log" 2>&1 &
daemon=$!
wait_quiet "$url" 30 || { tail -30 "$tmp/daemon.log"; exit 1; }
kill -TERM "$daemon"; wait "$daemon" || fail "daemon exit code"
grep -q "$secret" "$tmp/daemon.log" && fail "the signing secret appears in the log"

/usr/bin/python3 - "$tmp/relay.jsonl" "$url" <<'PY' || fail "http adapter checks"
import json, subprocess, sys
log = [json.loads(l) for l in open(sys.argv[1])]
def sql(q):
    return subprocess.run(["psql", "-X", "-tA", sys.argv[2], "-c", q], check=True, capture_output=True, text=True).stdout.strip()
def fail(m):
    print("FAIL:", m); sys.exit(1)
if not all(e["signature_ok"] for e in log):
    fail("a request whose signature the relay could not verify")
if not all(e["idempotency_key"] == e["message_id"] and e["mime_starts"] for e in log):
    fail("Idempotency-Key is not the message id, or no MIME")
by_to = {}
for e in log:
    by_to.setdefault(e["to"], []).append(e)
for to, es in by_to.items():
    if len({e["message_id"] for e in es}) != 1:
        fail(f"{to}: retries used different idempotency keys")
def row(email):
    return sql(f"""SELECT e.status, coalesce(m.status, '-'), coalesce(m.attempts, 0), coalesce(m.provider_message_id, ''),
                          coalesce(e.last_error, '')
                   FROM outreach.campaign_enrollments e JOIN crm.positions p ON p.id = e.position_id
                   LEFT JOIN outreach.messages m ON m.enrollment_id = e.id
                   WHERE p.email = '{email}'""").split("|")
for good in ["a1@prospects.example", "a2@prospects.example"]:
    status, message, attempts, provider, _ = row(good)
    if (status, message, attempts) != ("completed", "sent", "1") or not provider.startswith("relay-"):
        fail(f"{good}: {status} {message} {attempts} {provider!r}")
status, message, attempts, _, error = row("status-400@relay.example")
if (status, attempts) != ("failed", "1") or "400" not in error or len(by_to["status-400@relay.example"]) != 1:
    fail(f"400 should fail at once: {status} {attempts} {error!r}")
for transient in ["status-408", "status-429", "status-500", "slow"]:
    status, message, attempts, _, error = row(transient + "@relay.example")
    calls = len(by_to.get(transient + "@relay.example", []))
    if status != "failed" or calls != 3 or attempts != "3":
        fail(f"{transient}: {status}, {calls} calls, {attempts} attempts: {error!r}")
    if transient == "slow" and "imeout" not in error and "timed out" not in error:
        fail(f"slow: {error!r}")
print(f"ok: {len(log)} signed requests; 2xx sent with the relay's id; 400 permanent at once; 408, 429, 500 and a timeout retried to max_attempts (3) with one idempotency key")
PY
pass "http adapter: signature, idempotency key, status mapping, timeouts"
