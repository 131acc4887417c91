#!/usr/bin/env bash
# Inbound mail read over IMAP from a real Dovecot on loopback
# (tests/shell/dovecot_fixture.sh; messages loaded with `doveadm save`), the
# daemon sending through the dry-run file adapter from three mailboxes
# (tests/shell/inbound_fixture.sql):
#  1. replies as Gmail, Outlook (no threading headers) and Apple Mail
#     (References only) write them end their enrollments; three DSN formats
#     (Postfix, Exchange, Gmail) and a plain-text qmail bounce: 5.1.1 ends and
#     suppresses, 4.2.2 is noted and the sequence goes on; out-of-office with
#     a return date holds the next step until that date plus the campaign's
#     ooo_resume_delay_days, without one it changes nothing; a newsletter
#     leaves nothing but the cursor. Nothing is flagged, moved or deleted.
#  2. stop_on_company_reply ends the colleagues' enrollments, not others'.
#  3. the same reply in INBOX and Archive is recorded once; a forced
#     UIDVALIDITY change reprocesses nothing twice.
#  4. IDLE: a reply saved ends its enrollment within 5 s.
#  5. bounce protection: 3 hard bounces in ops's 50 sends put ops in error
#     and its campaign paused, with the reason; sales goes on.
#  6. a mailbox whose IMAP login fails is flagged (control port, metrics) and
#     still sends.
#  7. SIGKILL mid-fetch: the restarted daemon records each reply once and
#     reprocesses nothing; with IDLE off, a reply counts within one poll.
# oauth@acme.test logs in over STARTTLS with XOAUTH2: its refresh token is
# traded at tests/shell/oauth_token_server.py, and Dovecot checks the access
# token at tests/shell/oauth_introspect_server.py.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_tmpdir tmp
org=ac000000-0000-4000-8000-000000000001
fixtures="$PF_SOURCE_DIR/tests/data/inbound"
dovecot="$tmp/dovecot"
dv() { bash "$PF_SOURCE_DIR/tests/shell/dovecot_fixture.sh" "$@"; }
source "$(dirname "$0")/servers_lib.sh"
trap 'kill -9 ${daemon_pid:-} 2>/dev/null || true; stop_servers; dv stop "$dovecot" >/dev/null 2>&1 || true;
      [ -z "${PF_KEEP_LOGS:-}" ] || cp -r "$tmp" "$PF_KEEP_LOGS"; _pf_cleanup' EXIT
cat >"$tmp/oauth.json" <<JSON
{"clients": {"client-ib": "client-secret-ib"},
 "refresh_tokens": {"refresh-oauth-1": {"login": "oauth@acme.test", "access_tokens": ["tok-oauth-1"]}}}
JSON
printf '{"tok-oauth-1": "oauth@acme.test"}\n' >"$tmp/tokens.json"
start_server token /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/oauth_token_server.py" "$tmp/oauth.json" "$tmp/oauth.log"
start_server introspect /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/oauth_introspect_server.py" "$tmp/tokens.json"
export DOVECOT_OAUTH2_INTROSPECT_URL=http://127.0.0.1:$introspect_port/introspect
dv start "$dovecot" sales@acme.test:pw-sales-1 ops@acme.test:pw-ops-2 lost@acme.test:pw-lost-3 \
  desk@acme.test:pw-desk-4 oauth@acme.test:no-password-login \
  >"$tmp/dovecot.out" 2>&1 || { cat "$tmp/dovecot.out"; fail "dovecot did not start"; }
# shellcheck disable=SC1091
source "$dovecot/env"

openssl rand -hex 32 >"$tmp/mailbox.key"
echo "control-token-6" >"$tmp/control.token"
echo "client-secret-ib" >"$tmp/client.secret"
new_database url inbound
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
write_config() {  # write_config FILE IDLE POLL_SECONDS
  cat >"$1" <<TOML
[scheduler]
workers = 2
batch_size = 50
poll_interval_ms = 200
heartbeat_interval_seconds = 1
instance_timeout_seconds = 4
[send]
adapter = "file"
spacing_min_ms = 0
spacing_max_ms = 0
[adapters.file]
dir = "$tmp/outbox"
[mailboxes]
secret_key_file = "$tmp/mailbox.key"
oauth_client_secret_file = "$tmp/client.secret"
[inbound]
idle = $2
poll_interval_seconds = $3
idle_reissue_seconds = 10
ca_file = "$CA_FILE"
[control]
listen = "127.0.0.1:0"
token_file = "$tmp/control.token"
[tracking]
listen = ""
[log]
level = "debug"
TOML
}
write_config "$tmp/config.toml" true 5
write_config "$tmp/polling.toml" false 2
encrypt() { printf '%s' "$1" | "$PF_BIN" mailbox encrypt -c "$tmp/config.toml" || fail "mailbox encrypt"; }
psql -X -q "$url" -v imaps_port="$IMAPS_PORT" -v sales_secret="$(encrypt pw-sales-1)" \
  -v ops_secret="$(encrypt pw-ops-2)" -v desk_secret="$(encrypt pw-desk-4)" \
  -v wrong_secret="$(encrypt not-the-password)" -v oauth_secret="$(encrypt refresh-oauth-1)" \
  -v token_url="http://127.0.0.1:$token_port/token" -v imap_port="$IMAP_PORT" \
  -f "$PF_SOURCE_DIR/tests/shell/inbound_fixture.sql" >/dev/null || fail "fixture"

q() { psql -X -tA "$url" -c "$1"; }
status_of() { q "SELECT status FROM outreach.campaign_enrollments WHERE id = md5('ib-enrollment' || '$1')::uuid"; }
events() { q "SELECT count(*) FROM outreach.inbound_events WHERE organisation_id = '$org' ${1:-}"; }
# until SECONDS COMMAND...: true once COMMAND succeeds, false after SECONDS.
until_true() {
  local seconds=$1
  shift
  for _ in $(seq 1 $((seconds * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
is_status() { [ "$(status_of "$1")" = "$2" ]; }
# render FIXTURE LOCAL USER [UNIQUE]: $tmp/msg.eml, the fixture as an answer
# to our first email to LOCAL@prospect.test, sent from USER.
render() {
  local fixture=$1 local=$2 user=$3 unique=${4:-$2}
  local row
  row=$(q "SELECT rfc_message_id || '|' || coalesce(subject, '') FROM outreach.messages
           WHERE organisation_id = '$org' AND direction = 'outbound' AND to_email = '$local@prospect.test'
           ORDER BY sent_at LIMIT 1")
  [ -n "$row" ] || fail "no email was sent to $local@prospect.test"
  /usr/bin/python3 - "$fixtures/$fixture.eml" "$tmp/msg.eml" "${row%%|*}" "${row#*|}" "$user" \
    "$local@prospect.test" "$unique" <<'PY'
import email.utils, sys
src, dst, mid, subject, mailbox, recipient, unique = sys.argv[1:]
text = open(src, encoding="utf-8").read()
for k, v in {"{{OUR_MESSAGE_ID}}": mid, "{{OUR_SUBJECT}}": subject, "{{MAILBOX}}": mailbox,
             "{{RECIPIENT}}": recipient, "{{UNIQUE}}": unique,
             "{{DATE}}": email.utils.formatdate(localtime=True)}.items():
    text = text.replace(k, v)
open(dst, "w", encoding="utf-8").write(text)
PY
}
# deliver FIXTURE LOCAL USER FOLDER [UNIQUE]: render, then saved into USER's FOLDER.
deliver() {
  render "$1" "$2" "$3" "${5:-$2}"
  dv save "$dovecot" "$3" "$4" "$tmp/msg.eml" || fail "doveadm save $1"
}
control() { curl -fsS -H "Authorization: Bearer control-token-6" "http://127.0.0.1:$cport$1"; }

start_daemon "$url" "$tmp/config.toml" "$tmp/daemon.log"
sent() { [ "$(q "SELECT count(*) FROM outreach.messages WHERE direction = 'outbound' AND status = 'sent'")" = "$1" ]; }
# 32 first emails (one a second per mailbox) and ops's 47 of history.
until_true 60 sent 79 || { tail -30 "$tmp/daemon.log"; fail "first steps: $(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'") of 79 sent"; }
cport=$(sed -n 's/.*control port listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/daemon.log" | head -1)
reading() { [ "$(q "SELECT count(*) FROM outreach.mailbox_inbound WHERE mode = 'idle'")" = 4 ]; }
until_true 30 reading || { tail -30 "$tmp/daemon.log"; fail "sales, desk, ops and oauth are not in IDLE"; }

# A second daemon reads nothing while the first holds every mailbox.
first_instance=$(q "SELECT DISTINCT locked_by FROM outreach.mailbox_inbound WHERE locked_by IS NOT NULL")
first_pid=$daemon_pid
start_daemon "$url" "$tmp/config.toml" "$tmp/daemon-b.log"
sleep 4
[ "$(q "SELECT count(*) FROM outreach.mailbox_inbound WHERE locked_by = '$first_instance'")" = 5 ] \
  || fail "the mailboxes' readers: $(q "SELECT string_agg(coalesce(locked_by, '-'), ',') FROM outreach.mailbox_inbound")"
grep -q "inbound: reading" "$tmp/daemon-b.log" && fail "the second daemon read a mailbox the first holds"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the second daemon's exit code"
daemon_pid=$first_pid
pass "a second daemon reads no mailbox the first one holds (one reader per mailbox: $first_instance)"

# 1. One message of each kind.
for f in reply_gmail reply_outlook reply_apple_mail ooo_fr_with_date ooo_fr_without_date ooo_en_with_date \
         ooo_en_without_date newsletter; do
  deliver "$f" "s-$f" sales@acme.test INBOX
done
for f in dsn_postfix_511 dsn_postfix_422 dsn_exchange_511 dsn_exchange_422 dsn_gmail_511 dsn_gmail_422; do
  deliver "$f" "s-$f" desk@acme.test INBOX
done
deliver bounce_qmail_plain s-bounce_qmail_plain desk@acme.test Spam
recorded() { [ "$(events)" = 14 ]; }
until_true 20 recorded || { tail -40 "$tmp/daemon.log"; fail "$(events) inbound events recorded, expected 14"; }
check_status() {  # check_status LOCAL STATUS
  [ "$(status_of "$1")" = "$2" ] || fail "$1: enrollment is $(status_of "$1"), expected $2"
}
for f in reply_gmail reply_outlook reply_apple_mail; do
  check_status "s-$f" replied
  [ "$(q "SELECT count(*) FROM outreach.messages WHERE direction = 'inbound'
          AND enrollment_id = md5('ib-enrollment' || 's-$f')::uuid")" = 1 ] || fail "$f: not one inbound message"
done
for f in dsn_postfix_511 dsn_exchange_511 dsn_gmail_511 bounce_qmail_plain; do
  check_status "s-$f" bounced
  [ "$(q "SELECT count(*) FROM tracking.suppressions WHERE email = 's-$f@prospect.test' AND reason = 'bounced'")" = 1 ] \
    || fail "$f: the address is not suppressed"
  [ "$(q "SELECT email_status FROM crm.positions WHERE id = md5('ib-position' || 's-$f')::uuid")" = bounced ] \
    || fail "$f: the position is not bounced"
  [ "$(q "SELECT status FROM outreach.inbound_events WHERE enrollment_id = md5('ib-enrollment' || 's-$f')::uuid")" = 5.1.1 ] \
    || fail "$f: status $(q "SELECT status FROM outreach.inbound_events WHERE enrollment_id = md5('ib-enrollment' || 's-$f')::uuid")"
done
for f in dsn_postfix_422 dsn_exchange_422 dsn_gmail_422; do
  check_status "s-$f" active
  [ "$(q "SELECT kind || ' ' || status FROM outreach.inbound_events WHERE enrollment_id = md5('ib-enrollment' || 's-$f')::uuid")" = "soft_bounce 4.2.2" ] \
    || fail "$f: $(q "SELECT kind, status FROM outreach.inbound_events WHERE enrollment_id = md5('ib-enrollment' || 's-$f')::uuid")"
done
step2_due() { q "SELECT to_char(run_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD HH24:MI') FROM outreach.tasks
                 WHERE enrollment_id = md5('ib-enrollment' || '$1')::uuid AND status = 'pending'"; }
for f in ooo_fr_with_date ooo_en_with_date; do
  check_status "s-$f" active
  back=$(q "SELECT return_date FROM outreach.inbound_events WHERE enrollment_id = md5('ib-enrollment' || 's-$f')::uuid AND kind = 'auto_reply'")
  [ -n "$back" ] || fail "$f: no return date found"
  expected=$(q "SELECT to_char('$back'::date + 2, 'YYYY-MM-DD') || ' 00:00'")
  [ "$(step2_due "s-$f")" = "$expected" ] || fail "$f: back $back, step 2 due $(step2_due "s-$f"), expected $expected"
done
for f in ooo_fr_without_date ooo_en_without_date; do
  check_status "s-$f" active
  [ "$(events "AND kind = 'auto_reply' AND return_date IS NULL AND enrollment_id = md5('ib-enrollment' || 's-$f')::uuid")" = 1 ] \
    || fail "$f: not one auto_reply without a date"
  due=$(q "SELECT extract(epoch FROM t.run_at - m.sent_at)::int FROM outreach.tasks t JOIN outreach.messages m
           ON m.enrollment_id = t.enrollment_id AND m.direction = 'outbound'
           WHERE t.enrollment_id = md5('ib-enrollment' || 's-$f')::uuid AND t.status = 'pending'")
  [ "$due" -ge 172700 ] && [ "$due" -le 172900 ] || fail "$f: step 2 due ${due}s after step 1, expected two days"
done
check_status s-newsletter active
[ "$(events "AND enrollment_id = md5('ib-enrollment' || 's-newsletter')::uuid")" = 0 ] || fail "the newsletter was recorded"
pass "replies (Gmail, Outlook without threading headers, Apple Mail with References only) end their enrollment; 5.1.1 from Postfix, Exchange, Gmail and qmail bounce and suppress; 4.2.2 is a soft bounce; out-of-office holds step 2 until the return date + 2 days or changes nothing; the newsletter is ignored"

deliver reply_gmail s-oauth oauth@acme.test INBOX
until_true 10 is_status s-oauth replied || fail "oauth@acme.test (XOAUTH2): the reply did not count"
grep -q '"grant_type": "refresh_token"' "$tmp/oauth.log" || fail "no refresh-token grant at the token endpoint"
pass "XOAUTH2 over STARTTLS: oauth@acme.test logged in with a token traded for its refresh token, and its reply counted"

# 2. stop_on_company_reply.
deliver reply_gmail c-anne sales@acme.test INBOX
until_true 10 is_status c-anne replied || fail "c-anne's reply did not count"
until_true 5 is_status c-bruno removed || fail "c-bruno is $(status_of c-bruno), expected removed"
check_status c-chloe removed
check_status c-denis active
pass "stop_on_company_reply: Anne's reply ends Bruno's and Chloé's enrollments (same company), not Denis's"

# 3. Twice, and a renumbered folder.
before=$(events)
deliver reply_gmail s-twice sales@acme.test INBOX
deliver reply_gmail s-twice sales@acme.test Archive
until_true 10 is_status s-twice replied || fail "s-twice did not count"
sleep 2
[ "$(events)" = $((before + 1)) ] || fail "the reply in INBOX and Archive made $(( $(events) - before )) events"
validity=$(q "SELECT uidvalidity FROM outreach.mailbox_folder_cursors WHERE folder = 'INBOX' AND mailbox_id = 'ac000000-0000-4000-8000-0000000000e1'")
dv uidvalidity "$dovecot" sales@acme.test INBOX $((validity + 1000)) || fail "uid-validity"
deliver reply_gmail s-renumbered sales@acme.test INBOX
until_true 15 is_status s-renumbered replied || { tail -20 "$tmp/daemon.log"; fail "s-renumbered did not count after the UIDVALIDITY change"; }
[ "$(q "SELECT uidvalidity FROM outreach.mailbox_folder_cursors WHERE folder = 'INBOX' AND mailbox_id = 'ac000000-0000-4000-8000-0000000000e1'")" = $((validity + 1000)) ] \
  || fail "the cursor did not take the new UIDVALIDITY"
[ "$(events)" = $((before + 2)) ] || fail "after the UIDVALIDITY change: $(( $(events) - before - 1 )) new events, expected 1"
grep -q "new UIDVALIDITY" "$tmp/daemon.log" || fail "no rescan logged"
pass "a reply in INBOX and Archive is recorded once; a new UIDVALIDITY rescans and reprocesses nothing twice"

# 4. IDLE latency.
deliver reply_gmail s-idle sales@acme.test INBOX
saved_ms=$(date +%s%3N)
until_true 5 is_status s-idle replied || fail "IDLE: the reply did not end its enrollment within 5 s"
idle_ms=$(( $(date +%s%3N) - saved_ms ))
pass "IDLE: a reply ended its enrollment ${idle_ms} ms after it was saved"

# 5. Bounce protection on ops.
for i in 1 2 3; do deliver dsn_postfix_511 "p-$i" ops@acme.test INBOX; done
ops_error() { [ "$(q "SELECT status FROM outreach.mailboxes WHERE email = 'ops@acme.test'")" = error ]; }
until_true 15 ops_error || fail "ops is $(q "SELECT status FROM outreach.mailboxes WHERE email = 'ops@acme.test'") after 3 hard bounces in 50 sends"
reason=$(q "SELECT status_reason FROM outreach.mailboxes WHERE email = 'ops@acme.test'")
[[ "$reason" == "bounce protection: "* ]] || fail "ops's reason: $reason"
[ "$(q "SELECT status FROM outreach.campaigns WHERE id = 'ac000000-0000-4000-8000-0000000000a3'")" = paused ] || fail "Protection is not paused"
q "SELECT status_reason FROM outreach.campaigns WHERE id = 'ac000000-0000-4000-8000-0000000000a3'" | grep -q "bounce protection" \
  || fail "Protection's reason"
[ "$(q "SELECT status FROM outreach.mailboxes WHERE email = 'sales@acme.test'")" = active ] || fail "sales is not active"
[ "$(q "SELECT status FROM outreach.campaigns WHERE id = 'ac000000-0000-4000-8000-0000000000a1'")" = active ] || fail "Lecture is not active"
pass "bounce protection: ops in error ($reason), its campaign paused; sales and its campaigns go on"

# 6. lost@acme.test: refused login, flagged, still sending.
lost_flagged() { [ "$(q "SELECT mode FROM outreach.mailbox_inbound WHERE mailbox_id = 'ac000000-0000-4000-8000-0000000000e3'")" = error ]; }
until_true 10 lost_flagged || fail "lost@acme.test's inbound state is not error"
[ "$(q "SELECT status FROM outreach.mailboxes WHERE email = 'lost@acme.test'")" = active ] || fail "lost@acme.test stopped sending"
[ "$(q "SELECT count(*) FROM outreach.messages WHERE to_email LIKE 'l-%' AND status = 'sent'")" = 2 ] || fail "lost@acme.test's emails were not sent"
control "/v1/organisations/$org/mailboxes" >"$tmp/mailboxes.json" || fail "list mailboxes"
/usr/bin/python3 - "$tmp/mailboxes.json" <<'PY' || fail "control port inbound state"
import json, sys
boxes = {m["email"]: m for m in json.load(open(sys.argv[1]))["mailboxes"]}
sales, lost = boxes["sales@acme.test"]["inbound"], boxes["lost@acme.test"]["inbound"]
assert sales["mode"] == "idle" and sales["last_poll_at"] and not sales["consecutive_failures"], sales
assert {c["folder"] for c in sales["cursors"]} == {"INBOX", "Spam", "Archive"}, sales["cursors"]
assert sales["recorded"]["reply"] >= 6 and sales["recorded"]["auto_reply"] == 4, sales["recorded"]
desk = boxes["desk@acme.test"]
assert desk["inbound"]["recorded"]["hard_bounce"] == 4 and desk["inbound"]["recorded"]["soft_bounce"] == 3, desk
assert desk["status"] == "error" and desk["status_reason"].startswith("bounce protection"), desk
assert lost["mode"] == "error" and lost["last_error"] and lost["consecutive_failures"] >= 1, lost
PY
control /metrics >"$tmp/metrics.txt" || fail "metrics"
grep -q '^prospectflow_inbound_messages_total{kind="hard_bounce"} 7$' "$tmp/metrics.txt" \
  || fail "metrics: $(grep inbound "$tmp/metrics.txt")"
grep -q '^prospectflow_bounce_protection_pauses_total{target="mailbox"} 2$' "$tmp/metrics.txt" \
  || fail "metrics: $(grep bounce_protection "$tmp/metrics.txt") (desk and ops)"
pass "lost@acme.test's refused login is flagged ($(q "SELECT last_error FROM outreach.mailbox_inbound WHERE mailbox_id = 'ac000000-0000-4000-8000-0000000000e3'")) and it still sends; the control port and metrics show the inbound state"

# Nothing in the mailboxes was flagged, moved or deleted.
for folder in INBOX Spam Archive; do
  dv flags "$dovecot" sales@acme.test "$folder" >"$tmp/flags.txt" || fail "doveadm fetch"
  grep -qiE '\\(Seen|Deleted|Flagged|Answered)' "$tmp/flags.txt" && fail "$folder has flags: $(cat "$tmp/flags.txt")"
done
[ "$(dv count "$dovecot" sales@acme.test INBOX)" = 12 ] || fail "INBOX holds $(dv count "$dovecot" sales@acme.test INBOX) messages, 12 were saved"
dv flags "$dovecot" desk@acme.test INBOX | grep -qiE '\\(Seen|Deleted|Flagged|Answered)' && fail "desk's INBOX has flags"
pass "no message was flagged, moved or deleted"

# IDLE is re-issued (here every 10 s, as every 25 min by default).
grep -q "mailbox ops@acme.test: IDLE ended after 10 s without news" "$tmp/daemon.log" \
  || fail "ops's IDLE was never re-issued"
pass "IDLE is re-issued after idle_reissue_seconds (10 s here)"

# 7. SIGKILL mid-fetch, then polling.
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
# 1,500 newsletters of 40 KiB and three replies, written straight into
# sales's maildir (Dovecot numbers them at its next look): enough that the
# kill below lands while the second daemon is still fetching.
new_dir="$dovecot/mail/sales@acme.test/new"
n=0
for pair in reply_gmail:s-killed1 reply_outlook:s-killed2 reply_apple_mail:s-killed3; do
  render "${pair%%:*}" "${pair#*:}" sales@acme.test
  n=$((n + 1))
  cp "$tmp/msg.eml" "$tmp/killed$n.eml"
done
/usr/bin/python3 - "$fixtures/newsletter.eml" "$new_dir" "$tmp" <<'PY'
import os, sys
text = open(sys.argv[1], encoding="utf-8").read()
padding = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 16 + "\n") * 44
for i in range(1500):
    body = (text.replace("{{UNIQUE}}", f"bulk-{i}").replace("{{MAILBOX}}", "sales@acme.test")
            .replace("{{DATE}}", "Wed, 02 Dec 2026 10:00:00 +0100"))
    if i in (300, 800, 1499):
        body = open(f"{sys.argv[3]}/killed{(300, 800, 1499).index(i) + 1}.eml", encoding="utf-8").read()
    else:
        body += "\n" + padding
    with open(f"{sys.argv[2]}/{1764670000 + i}.M{i}P7.inbound-test", "w", encoding="utf-8") as f:
        f.write(body.replace("\r\n", "\n").replace("\n", "\r\n"))
PY
[ "$(id -u)" -ne 0 ] || chown -R nobody "$new_dir"
last_uid() { q "SELECT last_uid FROM outreach.mailbox_folder_cursors WHERE folder = 'INBOX' AND mailbox_id = 'ac000000-0000-4000-8000-0000000000e1'"; }
uid_before=$(last_uid)
start_daemon "$url" "$tmp/config.toml" "$tmp/daemon2.log"
moved() { [ "$(last_uid)" != "$uid_before" ]; }
until_true 30 moved || { tail -20 "$tmp/daemon2.log"; fail "the second daemon read nothing"; }
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
uid_killed=$(last_uid)
last_in_folder=$((uid_before + 1500))
[ "$uid_killed" -lt "$last_in_folder" ] || fail "the kill came after the fetch (cursor $uid_killed of $last_in_folder)"
start_daemon "$url" "$tmp/polling.toml" "$tmp/daemon3.log"
done_reading() { is_status s-killed3 replied; }
until_true 60 done_reading || { tail -20 "$tmp/daemon3.log"; fail "the third daemon did not finish reading"; }
for k in 1 2 3; do
  [ "$(events "AND enrollment_id = md5('ib-enrollment' || 's-killed$k')::uuid")" = 1 ] || fail "s-killed$k: not one event"
done
cport=$(sed -n 's/.*control port listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/daemon3.log" | head -1)
control /metrics >"$tmp/metrics3.txt" || fail "metrics"
grep -q '^prospectflow_inbound_messages_total{kind="duplicate"} 0$' "$tmp/metrics3.txt" \
  || fail "the restarted daemon reprocessed: $(grep 'kind="duplicate"' "$tmp/metrics3.txt")"
pass "SIGKILL mid-fetch (cursor at uid $uid_killed of $(last_uid)): the replies are recorded once, nothing reprocessed"
deliver reply_gmail s-polled sales@acme.test INBOX
saved_ms=$(date +%s%3N)
until_true 3 is_status s-polled replied || fail "polling: the reply did not count within one poll interval (2 s) + 1 s"
pass "IDLE off: a reply counted $(( $(date +%s%3N) - saved_ms )) ms after it was saved (poll interval 2 s)"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "daemon exit code"
[ "$(q "SELECT count(*) FROM outreach.mailbox_inbound WHERE locked_by IS NOT NULL")" = 0 ] || fail "a clean stop kept a mailbox lease"
pass "a clean stop gives back the mailbox leases"
