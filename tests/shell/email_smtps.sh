#!/usr/bin/env bash
# The smtp adapter with implicit TLS (smtps://): aiosmtpd serving TLS from
# the first byte with a throwaway certificate; the daemon trusts it through
# adapters.smtp.ca_file and delivers organisation A's two good prospects.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_tmpdir tmp
mkdir -p "$tmp/mail"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 || fail "openssl"
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/smtp_sink.py" "$tmp/mail" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
  --implicit-tls >"$tmp/sink.out" 2>"$tmp/sink.err" &
sink=$!
trap 'kill $sink 2>/dev/null || true; _pf_cleanup' EXIT
for _ in $(seq 1 100); do grep -q "^ready" "$tmp/sink.out" && break; sleep 0.1; done
port=$(sed -n 's/^ready //p' "$tmp/sink.out")
[ -n "$port" ] || { cat "$tmp/sink.err"; fail "the SMTP server did not start"; }
new_database url smtps
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
psql -X -q -v a=3 "$url" -f "$PF_SOURCE_DIR/tests/shell/control_fixture.sql" >/dev/null
psql -X -q "$url" -c "UPDATE outreach.campaigns SET status = 'active' WHERE id = 'aaaaaaaa-0000-4000-8000-0000000000a1'"
cat >"$tmp/config.toml" <<TOML
[scheduler]
poll_interval_ms = 100
[send]
adapter = "smtp"
spacing_min_ms = 0
spacing_max_ms = 0
[adapters.smtp]
url = "smtps://127.0.0.1:$port"
ca_file = "$tmp/cert.pem"
[control]
listen = ""
[tracking]
listen = ""
TOML
PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$tmp/config.toml" >"$tmp/daemon.log" 2>&1 &
daemon=$!
wait_quiet "$url" 30
kill -TERM "$daemon"; wait "$daemon" || fail "daemon exit code"
[ "$(wc -l <"$tmp/mail/log.jsonl")" = 2 ] || { cat "$tmp/daemon.log"; fail "expected 2 messages over smtps"; }
sent=$(psql -X -tA "$url" -c "SELECT count(*) FROM outreach.messages WHERE status = 'sent' AND provider_message_id LIKE '250 2.0.0 Ok: queued as SINK%'")
[ "$sent" = 2 ] || fail "messages sent with the server's reply as provider id: $sent"
pass "smtps:// (implicit TLS): 2 messages delivered, the server's 250 reply kept as provider id"
