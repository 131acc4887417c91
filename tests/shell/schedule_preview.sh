#!/usr/bin/env bash
# prospectflowd schedule-preview: a campaign over the May bridges of 2029,
# with prospects in Paris and Guadeloupe (calendar by country), a German
# company (no public holidays) and a day off of the organisation; per zone
# and calendar, every step where the engine would put it; bad input.
source "$(dirname "$0")/lib.sh"
new_database url preview
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
org=0d000000-0000-4000-8000-000000000001
campaign=0d000000-0000-4000-8000-00000000c001
psql -X -q -v ON_ERROR_STOP=1 "$url" <<SQL
INSERT INTO iam.organisations (id, name, slug) VALUES ('$org', 'Aperçu', 'apercu'),
    ('0d000000-0000-4000-8000-000000000002', 'Autre', 'autre');
INSERT INTO crm.companies (organisation_id, id, name, country) VALUES
    ('$org', md5('fr')::uuid, 'Société', 'FR'), ('$org', md5('de')::uuid, 'GmbH', 'DE');
INSERT INTO crm.people (organisation_id, id, first_name, last_name, timezone, country) VALUES
    ('$org', md5('p1')::uuid, 'Léa', 'A', NULL, NULL),
    ('$org', md5('p2')::uuid, 'Max', 'B', NULL, NULL),
    ('$org', md5('p3')::uuid, 'Joël', 'C', 'America/Guadeloupe', 'GP');
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email) VALUES
    ('$org', md5('q1')::uuid, md5('p1')::uuid, md5('fr')::uuid, 'lea@x.example'),
    ('$org', md5('q2')::uuid, md5('p2')::uuid, md5('de')::uuid, 'max@y.example'),
    ('$org', md5('q3')::uuid, md5('p3')::uuid, md5('fr')::uuid, 'joel@z.example');
INSERT INTO outreach.prompts (organisation_id, id, name, subject_template, body_template)
VALUES ('$org', md5('prompt')::uuid, 'p', 'Objet', 'Corps');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, from_email, holiday_calendar,
                                holiday_calendar_from_country)
VALUES ('$org', '$campaign', 'Ponts', 'draft', 'ventes@apercu.example', 'fr', true);
INSERT INTO outreach.workflow_steps (organisation_id, campaign_id, step_order, prompt_id, delay_seconds,
                                     delay_unit, delay_amount) VALUES
    ('$org', '$campaign', 1, md5('prompt')::uuid, 0, NULL, NULL),
    ('$org', '$campaign', 2, md5('prompt')::uuid, 0, 'business_days', 1),
    ('$org', '$campaign', 3, md5('prompt')::uuid, 0, 'calendar_days', 7),
    ('$org', '$campaign', 4, md5('prompt')::uuid, 86400, NULL, NULL);
INSERT INTO outreach.holidays (organisation_id, campaign_id, day, name)
VALUES ('$org', NULL, '2029-04-30', 'Pont du 1er mai');
INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id, position_id)
SELECT '$org', '$campaign', md5('p' || i)::uuid, md5('q' || i)::uuid FROM generate_series(1, 3) i;
SQL

new_tmpdir tmp
"$PF_BIN" schedule-preview --database-url "$url" --campaign "$campaign" --from 2029-04-27T08:00:00Z \
  >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; fail "schedule-preview"; }
cat "$tmp/out"
expect() { grep -qF -- "$1" "$tmp/out" || fail "no line with: $1"; }
expect 'campaign 0d000000-0000-4000-8000-00000000c001 "Ponts" (draft)'
expect 'holiday calendar fr (a prospect'"'"'s country picks theirs)'
expect 'day off 2029-04-30 Pont du 1er mai'
# Paris, French calendar: Friday 10:00; +1 business day skips the bridge day
# off and 1 May; +7 calendar days is Wednesday 9 May; +86400 s Thursday 10
# is Ascension: Friday 11 at 09:00.
expect 'Europe/Paris, calendar fr: the campaign'"'"'s; 1 enrolled'
expect 'step 1  when enrolled       Fri 2029-04-27 10:00 +02:00  (2029-04-27T08:00:00Z)'
expect 'step 2  +1 business day     Wed 2029-05-02 10:00 +02:00  (2029-05-02T08:00:00Z)  skipped Mon 2029-04-30 Pont du 1er mai, Tue 2029-05-01 Labour Day'
expect 'step 3  +7 calendar days    Wed 2029-05-09 10:00 +02:00  (2029-05-09T08:00:00Z)'
grep -q 'step 3 .*skipped' "$tmp/out" && fail "a calendar-day delay that lands on a sending day skipped nothing"
expect 'step 4  +86400 seconds      Fri 2029-05-11 09:00 +02:00  (2029-05-11T07:00:00Z)  skipped Thu 2029-05-10 Ascension Day'
# The German company: no public holidays, only the organisation's day off.
expect 'Europe/Paris, calendar none: 1 enrolled'
expect 'step 2  +1 business day     Tue 2029-05-01 10:00 +02:00'
# Guadeloupe: its own zone and calendar (abolition day 27 May not in range).
expect 'America/Guadeloupe, calendar fr-guadeloupe: 1 enrolled'
expect 'step 1  when enrolled       Fri 2029-04-27 09:00 -04:00  (2029-04-27T13:00:00Z)'
pass "schedule-preview prints each step per zone and calendar"

# A date is midnight in the campaign's zone.
"$PF_BIN" schedule-preview --database-url "$url" --campaign "$campaign" --from 2029-05-01 >"$tmp/day" 2>/dev/null
grep -qF 'a new enrollment at 2029-04-30T22:00:00Z' "$tmp/day" || fail "--from DATE: $(head -4 "$tmp/day")"
pass "--from DATE starts at midnight in the campaign's zone"

set +e
"$PF_BIN" schedule-preview --database-url "$url" --campaign 0d000000-0000-4000-8000-00000000c999 2>"$tmp/err"
rc=$?
set -e
[ "$rc" = 65 ] || fail "unknown campaign: exit $rc"
grep -q "no campaign 0d000000-0000-4000-8000-00000000c999" "$tmp/err" || fail "unknown campaign: $(cat "$tmp/err")"
set +e
"$PF_BIN" schedule-preview --database-url "$url" --campaign "$campaign" --from tomorrow 2>"$tmp/err"
rc=$?
set -e
[ "$rc" = 64 ] || fail "bad --from: exit $rc"
grep -q -- "--from" "$tmp/err" || fail "bad --from: $(cat "$tmp/err")"
# The same campaign id in another organisation: ambiguous without --organisation.
psql -X -q -v ON_ERROR_STOP=1 "$url" -c "INSERT INTO outreach.campaigns (organisation_id, id, name, from_email) VALUES ('0d000000-0000-4000-8000-000000000002', '$campaign', 'Copie', 'a@b.example')"
set +e
"$PF_BIN" schedule-preview --database-url "$url" --campaign "$campaign" 2>"$tmp/err" >/dev/null
rc=$?
set -e
[ "$rc" = 65 ] && grep -q "exists in 2 organisations; say which with --organisation" "$tmp/err" \
  || fail "ambiguous campaign: exit $rc, $(cat "$tmp/err")"
"$PF_BIN" schedule-preview --database-url "$url" --campaign "$campaign" --organisation apercu \
  --from 2029-04-27T08:00:00Z >"$tmp/out2" 2>/dev/null || fail "--organisation by slug"
cmp "$tmp/out" "$tmp/out2" || fail "--organisation apercu: another preview"
pass "bad input: exit codes 65 and 64 with the reason"
