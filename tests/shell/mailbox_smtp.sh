#!/usr/bin/env bash
# Sender mailboxes through a real SMTP server on loopback (aiosmtpd with
# AUTH PLAIN/LOGIN and XOAUTH2: tests/shell/mailbox_smtp.py) and a local
# OAuth token endpoint (tests/shell/oauth_token_server.py):
#  1. campaign A's pool of four: alice and bob log in with passwords, carol
#     with XOAUTH2 (a refresh token traded for access tokens), dave's secret
#     was encrypted under another key. Every email arrives authenticated as
#     its own mailbox, From matches, follow-ups go from the mailbox of step 1;
#     dave turns 'error' naming the key and its enrollment moves on.
#  2. campaign B (alice, bob): bob's password goes wrong mid-run. bob turns
#     'error' with the server's reason at its first refused login; no
#     enrollment fails or gets an email twice; its enrollments never
#     contacted go from alice; those it contacted wait, and get their
#     follow-up from bob once the password is fixed and bob resumed.
#  3. no secret in the daemon's log, in `dump` output (with and without
#     --redact) or in the control port's answers.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_tmpdir tmp
mkdir -p "$tmp/mail"
org=ab000000-0000-4000-8000-000000000001
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 || fail "openssl"

accounts() {  # accounts BOB_PASSWORD: the server's accounts, replaced at once
  cat >"$tmp/accounts.tmp" <<JSON
{"accounts": [{"login": "alice@a.example", "password": "pw-alice-1"},
              {"login": "bob@b.example", "password": "$1"},
              {"login": "carol@c.example", "xoauth2_tokens": ["tok-carol-1", "tok-carol-2"]},
              {"login": "dave@d.example", "password": "pw-dave-4"}]}
JSON
  mv "$tmp/accounts.tmp" "$tmp/accounts.json"
}
accounts pw-bob-2
cat >"$tmp/oauth.json" <<JSON
{"clients": {"client-1": "client-secret-1"},
 "refresh_tokens": {"refresh-carol-3": {"login": "carol@c.example",
                                        "access_tokens": ["tok-carol-1", "tok-carol-2"], "expires_in": 3600}}}
JSON
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/mailbox_smtp.py" "$tmp/mail" --accounts "$tmp/accounts.json" \
  --cert "$tmp/cert.pem" --key "$tmp/key.pem" >"$tmp/smtp.out" 2>"$tmp/smtp.err" &
smtp=$!
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/oauth_token_server.py" "$tmp/oauth.json" "$tmp/oauth.log" \
  >"$tmp/oauth.out" 2>"$tmp/oauth.err" &
oauth=$!
trap 'kill $smtp $oauth ${daemon_pid:-} 2>/dev/null || true; [ -z "${PF_KEEP_LOGS:-}" ] || cp -r "$tmp" "$PF_KEEP_LOGS"; _pf_cleanup' EXIT
for _ in $(seq 1 100); do grep -q "^ready" "$tmp/smtp.out" && grep -q "^ready" "$tmp/oauth.out" && break; sleep 0.1; done
port=$(sed -n 's/^ready //p' "$tmp/smtp.out")
oauth_port=$(sed -n 's/^ready //p' "$tmp/oauth.out")
[ -n "$port" ] && [ -n "$oauth_port" ] || { cat "$tmp/smtp.err" "$tmp/oauth.err"; fail "servers did not start"; }

openssl rand -hex 32 >"$tmp/mailbox.key"
openssl rand -hex 32 >"$tmp/other.key"
echo "client-secret-1" >"$tmp/client.secret"
echo "control-token-5" >"$tmp/control.token"
new_database url mailbox
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
cat >"$tmp/config.toml" <<TOML
[scheduler]
workers = 2
batch_size = 10
poll_interval_ms = 200
retry_base_ms = 200
retry_max_ms = 1000
[send]
adapter = "smtp"
spacing_min_ms = 0
spacing_max_ms = 0
[adapters.smtp]
url = "smtp://127.0.0.1:1"
[mailboxes]
secret_key_file = "$tmp/mailbox.key"
ca_file = "$tmp/cert.pem"
oauth_client_id = "client-1"
oauth_client_secret_file = "$tmp/client.secret"
retry_seconds = 3600
[control]
listen = "127.0.0.1:0"
token_file = "$tmp/control.token"
[tracking]
listen = ""
[log]
level = "debug"
TOML
sed "s|$tmp/mailbox.key|$tmp/other.key|" "$tmp/config.toml" >"$tmp/other.toml"
encrypt() { printf '%s' "$1" | "$PF_BIN" mailbox encrypt -c "$2" || fail "mailbox encrypt"; }
alice=$(encrypt pw-alice-1 "$tmp/config.toml")
bob=$(encrypt pw-bob-2 "$tmp/config.toml")
carol=$(encrypt refresh-carol-3 "$tmp/config.toml")
dave=$(encrypt pw-dave-4 "$tmp/other.toml")
[[ "$alice" == pfsec1:* ]] || fail "mailbox encrypt printed '$alice'"
echo "" | "$PF_BIN" mailbox encrypt -c "$tmp/config.toml" 2>"$tmp/empty.err" && fail "an empty secret was encrypted"
grep -q "nothing to encrypt" "$tmp/empty.err" || fail "empty secret: $(cat "$tmp/empty.err")"
psql -X -q "$url" -v port="$port" -v token_url="http://127.0.0.1:$oauth_port/token" \
  -v alice_secret="$alice" -v bob_secret="$bob" -v carol_secret="$carol" -v dave_secret="$dave" \
  -f "$PF_SOURCE_DIR/tests/shell/mailbox_fixture.sql" >/dev/null || fail "fixture"

start_daemon "$url" "$tmp/config.toml" "$tmp/daemon.log"
q() { psql -X -tA "$url" -c "$1"; }
control_port() { sed -n 's/.*control port listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/daemon.log" | head -1; }
wait_quiet "$url" 60 || { tail -30 "$tmp/daemon.log"; exit 1; }

# 1. Campaign A.
/usr/bin/python3 - "$tmp/mail" "$url" <<'PY' || { tail -30 "$tmp/daemon.log"; fail "campaign A"; }
import json, subprocess, sys
from email.utils import parseaddr
log = [json.loads(l) for l in open(sys.argv[1] + "/log.jsonl")]
assert len(log) == 24, f"{len(log)} emails, expected 24 (12 prospects x 2 steps)"
by_rcpt = {}
for m in log:
    login, frm = m["login"], parseaddr(m["from_header"])[1]
    assert login == frm == m["mail_from"], f"login {login}, From {frm}, MAIL FROM {m['mail_from']}"
    by_rcpt.setdefault(m["rcpt_tos"][0], []).append(m)
mechanisms = {(m["login"], m["mechanism"]) for m in log}
assert ("carol@c.example", "XOAUTH2") in mechanisms, mechanisms
assert not any(m["login"] == "dave@d.example" for m in log), "dave sent an email"
assert {m["login"] for m in log} == {"alice@a.example", "bob@b.example", "carol@c.example"}
for rcpt, ms in by_rcpt.items():
    assert len(ms) == 2, f"{rcpt}: {len(ms)} emails"
    first, second = sorted(ms, key=lambda m: m["n"])
    assert first["login"] == second["login"], f"{rcpt}: step 2 from {second['login']}, step 1 from {first['login']}"
    assert second["in_reply_to"] == first["message_id"], f"{rcpt}: not threaded"
rows = subprocess.run(["psql", "-X", "-tA", sys.argv[2], "-c",
    "SELECT count(DISTINCT m.mailbox_id), bool_and(m.mailbox_id = e.mailbox_id), count(*) "
    "FROM outreach.messages m JOIN outreach.campaign_enrollments e "
    "ON e.organisation_id = m.organisation_id AND e.id = m.enrollment_id "
    "WHERE m.status = 'sent' GROUP BY m.enrollment_id"], capture_output=True, text=True).stdout.split()
assert all(r.startswith("1|t|2") for r in rows) and len(rows) == 12, rows
PY
[ "$(q "SELECT status FROM outreach.mailboxes WHERE email = 'dave@d.example'")" = error ] || fail "dave is not in error"
q "SELECT status_reason FROM outreach.mailboxes WHERE email = 'dave@d.example'" | grep -q "dave@d.example.*wrong mailbox key" \
  || fail "dave's reason: $(q "SELECT status_reason FROM outreach.mailboxes WHERE email = 'dave@d.example'")"
[ "$(q "SELECT count(*) FROM outreach.campaign_enrollments WHERE status = 'failed'")" = 0 ] || fail "an enrollment failed"
grep -q '"grant_type": "refresh_token"' "$tmp/oauth.log" || fail "no refresh-token grant at the token endpoint"
pass "campaign A: 24 emails, each authenticated as its own mailbox (PLAIN/LOGIN, XOAUTH2), From matching, follow-ups from the same mailbox; a wrong key puts that mailbox in error"

# 2. Campaign B: bob's password goes wrong after its second first step.
bob_starts() { grep '"login": "bob@b.example"' "$tmp/mail/log.jsonl" | grep -c '"rcpt_tos": \["b.*"subject": "Bonjour' || true; }
q "UPDATE outreach.campaigns SET status = 'active' WHERE id = 'ab000000-0000-4000-8000-0000000000a2'" >/dev/null
for _ in $(seq 1 300); do [ "$(bob_starts)" -ge 2 ] && break; sleep 0.1; done
accounts pw-bob-changed
for _ in $(seq 1 300); do [ "$(q "SELECT status FROM outreach.mailboxes WHERE email = 'bob@b.example'")" = error ] && break; sleep 0.1; done
reason=$(q "SELECT status_reason FROM outreach.mailboxes WHERE email = 'bob@b.example'")
[[ "$reason" == *535* && "$reason" == *bob@b.example* ]] || fail "bob's reason: '$reason'"
refused=$(grep -c '"login": "bob@b.example", "ok": false' "$tmp/mail/auth.jsonl" || true)
[ "$refused" -ge 1 ] && [ "$refused" -le 2 ] || fail "bob was refused $refused times before turning error"
# B's first steps all go (bob's share moves to alice); bob's contacted ones wait.
for _ in $(seq 1 600); do
  [ "$(q "SELECT count(*) FROM outreach.messages m JOIN outreach.workflow_steps s ON s.organisation_id = m.organisation_id AND s.id = m.step_id
          WHERE m.campaign_id = 'ab000000-0000-4000-8000-0000000000a2' AND s.step_order = 1 AND m.status = 'sent'")" = 20 ] && break
  sleep 0.1
done
sleep 14  # past B's follow-up delay: alice's follow-ups go, those of bob's prospects wait
waiting=$(q "SELECT count(*) FROM outreach.campaign_enrollments e JOIN outreach.mailboxes mb ON mb.organisation_id = e.organisation_id AND mb.id = e.mailbox_id
             WHERE e.campaign_id = 'ab000000-0000-4000-8000-0000000000a2' AND mb.email = 'bob@b.example' AND e.status = 'active'")
b_sent=$(q "SELECT count(*) FROM outreach.messages WHERE campaign_id = 'ab000000-0000-4000-8000-0000000000a2' AND status = 'sent'")
[ "$waiting" -ge 1 ] || fail "no enrollment of B waits for bob"
[ "$b_sent" = $((40 - waiting)) ] || fail "B: $b_sent sent while bob is in error and $waiting of its prospects wait for it"
accounts pw-bob-2
cport=$(control_port)
curl -fsS -X POST -d "" -H "Authorization: Bearer control-token-5" \
  "http://127.0.0.1:$cport/v1/organisations/$org/mailboxes/ab000000-0000-4000-8000-0000000000e2/resume" >"$tmp/resume.json" \
  || fail "resume bob: $(cat "$tmp/resume.json")"
wait_quiet "$url" 60 || { tail -30 "$tmp/daemon.log"; exit 1; }
/usr/bin/python3 - "$tmp/mail" <<'PY' || fail "campaign B"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1] + "/log.jsonl")]
b = [m for m in log if m["rcpt_tos"][0].startswith("b")]
seen = set()
for m in b:
    key = (m["rcpt_tos"][0], m["subject"])
    assert key not in seen, f"sent twice: {key}"
    seen.add(key)
assert len(b) == 40, f"{len(b)} emails to B's 20 prospects"
by_rcpt = {}
for m in b: by_rcpt.setdefault(m["rcpt_tos"][0], []).append(m)
for rcpt, ms in by_rcpt.items():
    first, second = sorted(ms, key=lambda m: m["n"])
    assert first["login"] == second["login"], f"{rcpt}: {first['login']} then {second['login']}"
PY
[ "$(q "SELECT count(*) FROM outreach.campaign_enrollments WHERE status = 'failed'")" = 0 ] || fail "an enrollment failed"
[ "$(q "SELECT status FROM outreach.mailboxes WHERE email = 'bob@b.example'")" = active ] || fail "bob is not active after resume"
pass "campaign B: bob in error at its first refused login ($reason); $waiting contacted enrollments waited and resumed from bob; none failed or was sent twice"

# 3. No secret anywhere it could leak.
curl -fsS -H "Authorization: Bearer control-token-5" "http://127.0.0.1:$cport/v1/organisations/$org/mailboxes" >"$tmp/answers.json" || fail "list mailboxes"
curl -fsS -H "Authorization: Bearer control-token-5" "http://127.0.0.1:$cport/v1/status" >>"$tmp/answers.json"
curl -fsS "http://127.0.0.1:$cport/metrics" >>"$tmp/answers.json" 2>/dev/null || true
kill -TERM "$daemon_pid"; wait "$daemon_pid" || fail "daemon exit code"
"$PF_BIN" dump --database-url "$url" --organisation "$org" -o "$tmp/dump.json" 2>>"$tmp/daemon.log" || fail "dump"
"$PF_BIN" dump --database-url "$url" --organisation "$org" --redact --redact-key k -o "$tmp/dump-redacted.json" 2>>"$tmp/daemon.log" || fail "dump --redact"
grep -q '"outreach.mailboxes"' "$tmp/dump.json" || fail "the dump has no mailboxes"
for secret in pw-alice-1 pw-bob-2 pw-bob-changed refresh-carol-3 pw-dave-4 tok-carol-1 tok-carol-2 client-secret-1 \
              "$alice" "$bob" "$carol" "$dave" "$(cat "$tmp/mailbox.key")"; do
  for f in "$tmp/daemon.log" "$tmp/dump.json" "$tmp/dump-redacted.json" "$tmp/answers.json" "$tmp/resume.json"; do
    grep -qF -- "$secret" "$f" && fail "a secret (${secret:0:8}...) appears in $(basename "$f")"
  done
done
pass "no password, token, key or encrypted secret in the log, dumps or control answers"
