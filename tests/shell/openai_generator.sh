#!/usr/bin/env bash
# The openai generator against a local fake endpoint (tests/shell/fake_openai.py)
# and the http adapter's relay (tests/shell/http_relay.py): a generation that
# succeeds, one rate-limited once (429 then success), one that times out
# until the task gives up, and one whose first send fails (500) so that the
# retry must send the stored text without generating again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_tmpdir tmp
key='sk-test-key'
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/fake_openai.py" "$tmp/openai.jsonl" "$key" >"$tmp/openai.out" 2>&1 &
api=$!
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/http_relay.py" "$tmp/relay.jsonl" secret >"$tmp/relay.out" 2>&1 &
relay=$!
trap 'kill $api $relay 2>/dev/null || true; _pf_cleanup' EXIT
for _ in $(seq 1 100); do grep -q "^ready" "$tmp/openai.out" && grep -q "^ready" "$tmp/relay.out" && break; sleep 0.1; done
api_port=$(sed -n 's/^ready //p' "$tmp/openai.out")
relay_port=$(sed -n 's/^ready //p' "$tmp/relay.out")
[ -n "$api_port" ] && [ -n "$relay_port" ] || fail "fake endpoints did not start"

new_database url openai
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL'
INSERT INTO iam.organisations (id, name, slug) VALUES ('0a000000-0000-4000-8000-000000000001', 'IA', 'ia');
INSERT INTO crm.companies (organisation_id, id, name) VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000c1', 'Forge & Cie');
INSERT INTO outreach.prompts (organisation_id, id, name, generator, model, system_prompt, subject_template, body_template)
VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000f1', 'ia', 'openai', 'gpt-test',
        'Tu écris pour {{sender.name}}, en français.', '(choisi par le modèle)',
        'Écris un premier email à {{person.first_name}} de {{company.name}}.');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start, send_window_end,
                                send_days, daily_send_limit, from_email, from_name)
VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1', 'IA', 'draft', 'UTC',
        '00:00', '24:00', '{1,2,3,4,5,6,7}', 1000, 'ia@forge.example', 'Équipe IA');
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id)
VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e1',
        '0a000000-0000-4000-8000-0000000000a1', 1, 0, '0a000000-0000-4000-8000-0000000000f1');
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT '0a000000-0000-4000-8000-000000000001', md5('ia' || n)::uuid, n, 'Test'
FROM unnest(ARRAY['Ana', 'Rate', 'Slow', 'Flaky']) n;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email)
SELECT '0a000000-0000-4000-8000-000000000001', md5('ia-pos' || n)::uuid, md5('ia' || n)::uuid,
       '0a000000-0000-4000-8000-0000000000c1', CASE WHEN n = 'Flaky' THEN 'once-500' ELSE lower(n) END || '@ia.example'
FROM unnest(ARRAY['Ana', 'Rate', 'Slow', 'Flaky']) n;
INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id, position_id)
SELECT '0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1', md5('ia' || n)::uuid,
       md5('ia-pos' || n)::uuid
FROM unnest(ARRAY['Ana', 'Rate', 'Slow', 'Flaky']) n;
UPDATE outreach.campaigns SET status = 'active';
UPDATE outreach.tasks SET max_attempts = 2;
SQL
cat >"$tmp/config.toml" <<TOML
[scheduler]
workers = 2
poll_interval_ms = 100
retry_base_ms = 100
retry_max_ms = 200
[send]
adapter = "http"
spacing_min_ms = 0
spacing_max_ms = 0
[adapters.http]
url = "http://127.0.0.1:$relay_port/send"
[generators.openai]
base_url = "http://127.0.0.1:$api_port/v1"
timeout_seconds = 1
max_attempts = 2
retry_base_ms = 50
[control]
listen = ""
[tracking]
listen = ""
TOML
PROSPECTFLOW_OPENAI_API_KEY=$key PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$tmp/config.toml" \
  >"$tmp/daemon.log" 2>&1 &
daemon=$!
wait_quiet "$url" 30 || { tail -30 "$tmp/daemon.log"; exit 1; }
kill -TERM "$daemon"; wait "$daemon" || fail "daemon exit code"
grep -q "$key" "$tmp/daemon.log" && fail "the API key appears in the log"

/usr/bin/python3 - "$tmp/openai.jsonl" "$tmp/relay.jsonl" "$url" <<'PY' || { tail -30 "$tmp/daemon.log"; fail "openai generator checks"; }
import json, subprocess, sys
calls = [json.loads(l) for l in open(sys.argv[1])]
sends = [json.loads(l) for l in open(sys.argv[2])]
def sql(q):
    return subprocess.run(["psql", "-X", "-tA", sys.argv[3], "-c", q], check=True, capture_output=True, text=True).stdout.strip()
def fail(m):
    print("FAIL:", m); sys.exit(1)
def calls_for(name):
    return [c for c in calls if f" à {name} de " in c["user"]]
if not all(c["auth"] and c["model"] == "gpt-test" and c["json_mode"] == "json_object" for c in calls):
    fail("a call without the key, the prompt's model or JSON mode")
if not all(c["system"].startswith("Tu écris pour Équipe IA, en français.") for c in calls):
    fail(f"system template not rendered: {calls[0]['system']!r}")
if calls_for("Ana") and calls_for("Ana")[0]["user"] != "Écris un premier email à Ana de Forge & Cie.":
    fail(f"user template: {calls_for('Ana')[0]['user']!r}")
def message(name):
    return sql(f"""SELECT e.status, coalesce(m.status, '-'), coalesce(m.attempts, 0), coalesce(m.subject, ''),
                          coalesce(m.body_text, ''), coalesce(e.last_error, '')
                   FROM outreach.campaign_enrollments e JOIN crm.people p ON p.id = e.person_id
                   LEFT JOIN outreach.messages m ON m.enrollment_id = e.id WHERE p.first_name = '{name}'""").split("|")
status, m, attempts, subject, body, _ = message("Ana")
if (status, m, len(calls_for("Ana"))) != ("completed", "sent", 1) or not subject.startswith("Une idée pour Ana") \
        or "Texte généré" not in body:
    fail(f"Ana: {status} {m} {subject!r} {len(calls_for('Ana'))} calls")
status, m, attempts, subject, _, _ = message("Rate")
if (status, m, len(calls_for("Rate"))) != ("completed", "sent", 2):
    fail(f"Rate (429 then success): {status} {m}, {len(calls_for('Rate'))} calls")
status, m, attempts, _, _, error = message("Slow")
if status != "failed" or m != "-" or "generation" not in error or "imed out" not in error:
    fail(f"Slow (timeouts): {status} {m} {error!r}")
if len(calls_for("Slow")) != 4:
    fail(f"Slow: {len(calls_for('Slow'))} calls, expected 2 attempts x 2 tries")
status, m, attempts, subject, body, _ = message("Flaky")
relayed = [s for s in sends if s["to"] == "once-500@ia.example"]
if (status, m, attempts) != ("completed", "sent", "2") or len(calls_for("Flaky")) != 1:
    fail(f"Flaky: {status} {m} attempts {attempts}, {len(calls_for('Flaky'))} generations")
if len(relayed) != 2 or relayed[0]["subject"] != relayed[1]["subject"] or relayed[1]["subject"] != subject:
    fail(f"Flaky: the retry did not send the stored text: {relayed}")
html = sql("SELECT body_html FROM outreach.messages m JOIN crm.people p ON p.first_name = 'Ana' JOIN outreach.campaign_enrollments e ON e.person_id = p.id AND m.enrollment_id = e.id")
if "&amp; co." not in html:
    fail(f"generated text not escaped in the HTML part: {html!r}")
print("ok: openai generator: success; 429 then success; timeouts until the task gives up; stored text reused on the send retry (one generation, same subject twice); HTML part escaped")
PY
pass "openai generator against a local endpoint"
