#!/usr/bin/env bash
# The tracking listener end to end (tests/shell/tracking_check.py): opens,
# one-click unsubscribe, reply and bounce webhooks, against a daemon with the
# file adapter whose emails carry the pixel and List-Unsubscribe links.
source "$(dirname "$0")/lib.sh"
new_tmpdir tmp
new_database url tracking
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL'
INSERT INTO iam.organisations (id, name, slug) VALUES ('7a000000-0000-4000-8000-000000000001', 'Château', 'chateau');
INSERT INTO crm.companies (organisation_id, id, name) VALUES ('7a000000-0000-4000-8000-000000000001', '7a000000-0000-4000-8000-0000000000c1', 'Cible SA');
INSERT INTO outreach.prompts (organisation_id, id, name, subject_template, body_template)
VALUES ('7a000000-0000-4000-8000-000000000001', '7a000000-0000-4000-8000-0000000000f1', 't',
        'Bonjour {{person.first_name}}', E'Bonjour {{person.first_name}},\n\nUne idée pour {{company.name}}.');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start, send_window_end,
                                send_days, daily_send_limit, from_email, from_name, track_opens)
VALUES ('7a000000-0000-4000-8000-000000000001', '7a000000-0000-4000-8000-0000000000a1', 'Suivi', 'draft', 'UTC',
        '00:00', '24:00', '{1,2,3,4,5,6,7}', 1000, 'ventes@chateau.example', 'Ventes', true);
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id, condition)
SELECT '7a000000-0000-4000-8000-000000000001', md5('t-step' || i)::uuid, '7a000000-0000-4000-8000-0000000000a1',
       i, CASE WHEN i = 1 THEN 0 ELSE 4 END, '7a000000-0000-4000-8000-0000000000f1', 'always'
FROM generate_series(1, 2) i;
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT '7a000000-0000-4000-8000-000000000001', md5('t' || n)::uuid, 'Zoé', n FROM unnest(ARRAY['open', 'unsub', 'bounce', 'keep']) n;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email)
SELECT '7a000000-0000-4000-8000-000000000001', md5('t-pos' || n)::uuid, md5('t' || n)::uuid,
       '7a000000-0000-4000-8000-0000000000c1', n || '@prospects.example' FROM unnest(ARRAY['open', 'unsub', 'bounce', 'keep']) n;
INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id, position_id)
SELECT '7a000000-0000-4000-8000-000000000001', '7a000000-0000-4000-8000-0000000000a1', md5('t' || n)::uuid, md5('t-pos' || n)::uuid
FROM unnest(ARRAY['open', 'unsub', 'bounce', 'keep']) n;
UPDATE outreach.campaigns SET status = 'active';
SQL
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret='webhook-test-secret'
cat >"$tmp/config.toml" <<TOML
[scheduler]
workers = 2
poll_interval_ms = 100
[send]
adapter = "file"
spacing_min_ms = 0
spacing_max_ms = 0
[adapters.file]
dir = "$tmp/outbox"
[control]
listen = ""
[tracking]
listen = "127.0.0.1:$port"
base_url = "http://127.0.0.1:$port"
unsubscribe_mailto = "unsubscribe@chateau.example"
flush_interval_ms = 100
TOML
PROSPECTFLOW_WEBHOOK_SECRET=$secret PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$tmp/config.toml" \
  >"$tmp/daemon.log" 2>&1 &
daemon=$!
track_process "$daemon"
for _ in $(seq 1 100); do [ "$(ls "$tmp/outbox" 2>/dev/null | wc -l)" -ge 4 ] && break; sleep 0.1; done
[ "$(ls "$tmp/outbox" | wc -l)" -ge 4 ] || { cat "$tmp/daemon.log"; fail "step 1 was not sent"; }
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/tracking_check.py" "$tmp/outbox" "$port" "$secret" "$url" \
  || { tail -30 "$tmp/daemon.log"; fail "tracking checks"; }
kill -TERM "$daemon"; wait "$daemon" || fail "daemon exit code"
grep -q "$secret" "$tmp/daemon.log" && fail "the webhook secret appears in the log"
pass "tracking listener: opens, one-click unsubscribe, reply and bounce webhooks stop the sequence"
