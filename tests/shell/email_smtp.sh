#!/usr/bin/env bash
# Email end to end through a real SMTP server on loopback (aiosmtpd from
# Debian, STARTTLS with a throwaway certificate, AUTH): a French three-step
# campaign to 53 prospects, then tests/shell/email_e2e_check.py parses every
# message with Python's email package.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_tmpdir tmp
mkdir -p "$tmp/mail"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 || fail "openssl"
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/smtp_sink.py" "$tmp/mail" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
  --user relay --password 's3cr3t pass' >"$tmp/sink.out" 2>"$tmp/sink.err" &
sink=$!
trap 'kill $sink 2>/dev/null || true; _pf_cleanup' EXIT
for _ in $(seq 1 100); do grep -q "^ready" "$tmp/sink.out" && break; sleep 0.1; done
port=$(sed -n 's/^ready //p' "$tmp/sink.out")
[ -n "$port" ] || { cat "$tmp/sink.err"; fail "the SMTP server did not start"; }

new_database url email
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
cat >"$tmp/config.toml" <<TOML
[scheduler]
workers = 3
batch_size = 20
poll_interval_ms = 200
retry_base_ms = 200
retry_max_ms = 1000
[send]
adapter = "smtp"
spacing_min_ms = 0
spacing_max_ms = 0
message_id_domain = "chateau-prospect.example"
[adapters.smtp]
url = "smtp://127.0.0.1:$port"
starttls = true
ca_file = "$tmp/cert.pem"
username = "relay"
[control]
listen = ""
[tracking]
listen = ""
TOML
psql -X -q "$url" -f "$PF_SOURCE_DIR/tests/shell/email_fixture.sql" >/dev/null
PROSPECTFLOW_SMTP_PASSWORD='s3cr3t pass' PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$tmp/config.toml" \
  >"$tmp/daemon.log" 2>&1 &
daemon=$!
wait_quiet "$url" 60 || { tail -30 "$tmp/daemon.log"; exit 1; }
kill -TERM "$daemon"; wait "$daemon" || fail "daemon exit code"
grep -q "s3cr3t" "$tmp/daemon.log" && fail "the SMTP password appears in the log"
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/email_e2e_check.py" "$tmp/mail" "$url" \
  || { tail -40 "$tmp/daemon.log"; cat "$tmp/sink.err" | tail -20; fail "email checks"; }
pass "SMTP end to end: STARTTLS, AUTH, reused connections, 153 well-formed threaded messages, 4xx/5xx mapping"
