#!/usr/bin/env bash
# Two daemons sharing mailbox pools (the log adapter: mailboxes need no
# server to be counted): three mailboxes with daily limits 5, 7 and 9, two
# campaigns of 60 prospects each, one pooling all three, the other two of
# them (min_gap_seconds 1). Together the daemons send exactly what the limits allow today,
# counted per mailbox and local day from the messages table, never two
# emails of one mailbox less than a second apart, each email once; the rest
# waits for the mailboxes' next day.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_database url mailbox_two
new_tmpdir tmp
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
q() { psql -X -tA "$url" -c "$1"; }
psql -X -q -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL'
BEGIN;
INSERT INTO iam.organisations (id, name, slug) VALUES ('2b000000-0000-4000-8000-000000000001', 'Deux démons', 'deux');
INSERT INTO outreach.mailboxes (organisation_id, id, email, timezone, daily_limit, min_gap_seconds, max_jitter_seconds)
SELECT '2b000000-0000-4000-8000-000000000001', ('2b000000-0000-4000-8000-0000000000e' || n)::uuid,
       'm' || n || '@deux.example', 'Europe/Paris', limit_, 1, 0
FROM (VALUES (1, 5), (2, 7), (3, 9)) AS v(n, limit_);
INSERT INTO outreach.prompts (organisation_id, id, name, version, subject_template, body_template)
VALUES ('2b000000-0000-4000-8000-000000000001', '2b000000-0000-4000-8000-0000000000f1', 'p', 1,
        'Bonjour {{person.first_name}}', 'Une idée.');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, send_window_start, send_window_end, send_days,
                                daily_send_limit, from_email)
SELECT '2b000000-0000-4000-8000-000000000001', ('2b000000-0000-4000-8000-0000000000a' || c)::uuid, 'C' || c, 'draft',
       '00:00', '24:00', '{1,2,3,4,5,6,7}', 100000, 'c@deux.example'
FROM generate_series(1, 2) c;
INSERT INTO outreach.campaign_mailboxes (organisation_id, campaign_id, mailbox_id)
SELECT '2b000000-0000-4000-8000-000000000001'::uuid, ('2b000000-0000-4000-8000-0000000000a' || c)::uuid,
       ('2b000000-0000-4000-8000-0000000000e' || m)::uuid
FROM (VALUES (1, 1), (1, 2), (1, 3), (2, 2), (2, 3)) AS v(c, m);
INSERT INTO outreach.workflow_steps (organisation_id, campaign_id, step_order, prompt_id)
SELECT '2b000000-0000-4000-8000-000000000001', ('2b000000-0000-4000-8000-0000000000a' || c)::uuid, 1,
       '2b000000-0000-4000-8000-0000000000f1'
FROM generate_series(1, 2) c;
INSERT INTO crm.people (organisation_id, id, first_name, last_name, email)
SELECT '2b000000-0000-4000-8000-000000000001', md5('two' || i)::uuid, 'P' || i, 'N', 'p' || i || '@prospects.example'
FROM generate_series(1, 120) i;
INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id)
SELECT '2b000000-0000-4000-8000-000000000001', ('2b000000-0000-4000-8000-0000000000a' || (1 + i % 2))::uuid,
       md5('two' || i)::uuid
FROM generate_series(1, 120) i;
COMMIT;
SQL
PF_LOG_LATENCY_MS=20 daemon_config "$tmp/config.toml"
start_daemon "$url" "$tmp/config.toml" "$tmp/a.log"; a=$daemon_pid
start_daemon "$url" "$tmp/config.toml" "$tmp/b.log"; b=$daemon_pid
trap 'kill $a $b 2>/dev/null || true; _pf_cleanup' EXIT
q "UPDATE outreach.campaigns SET status = 'active'" >/dev/null
# Until nothing is left for today: what is left waits for the mailboxes' tomorrow.
tomorrow="(date_trunc('day', now() AT TIME ZONE 'Europe/Paris') + interval '1 day') AT TIME ZONE 'Europe/Paris'"
for _ in $(seq 1 300); do
  [ "$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'running' OR (status = 'pending' AND run_at < $tomorrow)")" = 0 ] \
    && [ "$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sending'")" = 0 ] && break
  sleep 0.2
done
kill -TERM "$a" "$b"
wait "$a" || fail "daemon A exited $?"
wait "$b" || fail "daemon B exited $?"
check_no_duplicate_sends "$tmp/a.log" "$tmp/b.log"
over=$(q "SELECT string_agg(mb.email || ' ' || d || ': ' || n || ' > ' || mb.daily_limit, ', ')
          FROM (SELECT m.mailbox_id, (m.sent_at AT TIME ZONE mb.timezone)::date AS d, count(*) AS n
                FROM outreach.messages m JOIN outreach.mailboxes mb ON mb.organisation_id = m.organisation_id AND mb.id = m.mailbox_id
                WHERE m.status = 'sent' GROUP BY 1, 2) c
          JOIN outreach.mailboxes mb ON mb.id = c.mailbox_id WHERE n > mb.daily_limit")
[ -z "$over" ] || fail "over the limit: $over"
sent=$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'")
[ "$sent" = 21 ] || fail "sent $sent, the limits allow 21 today (5 + 7 + 9)"
[ "$(q "SELECT count(*) FROM outreach.messages WHERE mailbox_id IS NULL")" = 0 ] || fail "a send without its mailbox"
close=$(q "SELECT count(*) FROM (SELECT sent_at - lag(sent_at) OVER (PARTITION BY mailbox_id ORDER BY sent_at) AS gap
                                 FROM outreach.messages WHERE status = 'sent') g WHERE gap < interval '1 second'")
[ "$close" = 0 ] || fail "$close sends less than a second after their mailbox's previous one"
[ "$(q "SELECT sum(reserved) FROM outreach.mailbox_daily_sends")" = 21 ] || fail "mailbox_daily_sends disagrees"
sent_a=$(grep -c 'log adapter: message' "$tmp/a.log" || true)
sent_b=$(grep -c 'log adapter: message' "$tmp/b.log" || true)
[ "$sent_a" -gt 0 ] && [ "$sent_b" -gt 0 ] || fail "one daemon did nothing (A $sent_a, B $sent_b)"
waiting=$(q "SELECT count(*) FROM outreach.tasks WHERE status = 'pending' AND run_at >= $tomorrow")
[ "$waiting" = 99 ] || fail "$waiting tasks wait for tomorrow, expected 99"
pass "two daemons, shared pools: 21 sends (A $sent_a, B $sent_b) = the mailboxes' limits 5 + 7 + 9, each once, gaps >= 1 s; 99 wait for tomorrow"
