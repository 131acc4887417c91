#!/usr/bin/env bash
# The smtp and http adapters' send_many against real servers on loopback:
# two SMTP sinks (tests/shell/smtp_sink.py: STARTTLS with a throwaway
# certificate, AUTH) and two HTTP relays (tests/shell/http_relay.py), each
# holding every message a moment so that concurrent transfers overlap; one
# of each answers its first 8 transactions 421 / 503. The assertions are in
# tests/loopback/adapters_concurrency_test.cpp (pf_loopback_tests): many
# transfers in flight and never more than max_connections, each email
# delivered exactly once over reused connections, a refusing relay slowed
# down while the other is not, and a clean stop. No database.
set -euo pipefail
: "${PF_LOOPBACK_TESTS:?run through ctest}" "${PF_SOURCE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
source "$(dirname "$0")/servers_lib.sh"
cleanup() {
  stop_servers
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 || fail "openssl"

delay=0.4
secret='relay-shared-secret'
for name in smtp smtp_busy; do
  mkdir -p "$tmp/$name"
  busy=0
  [ "$name" = smtp_busy ] && busy=8
  start_server "$name" /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/smtp_sink.py" "$tmp/$name" \
    --cert "$tmp/cert.pem" --key "$tmp/key.pem" --user relay --password 's3cr3t pass' \
    --delay "$delay" --busy-first "$busy"
done
start_server http /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/http_relay.py" "$tmp/http.jsonl" "$secret" \
  --delay "$delay"
start_server http_busy /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/http_relay.py" "$tmp/http_busy.jsonl" \
  "$secret" --delay "$delay" --busy-first 8

# shellcheck disable=SC2154  # *_port are set by start_server through printf -v
PF_SMTP_CA="$tmp/cert.pem" PF_SMTP_USER=relay PF_SMTP_PASSWORD='s3cr3t pass' \
  PF_SMTP_PORT=$smtp_port PF_SMTP_LOG="$tmp/smtp/log.jsonl" \
  PF_SMTP_BUSY_PORT=$smtp_busy_port PF_SMTP_BUSY_LOG="$tmp/smtp_busy/log.jsonl" \
  PF_HTTP_SECRET=$secret PF_HTTP_PORT=$http_port PF_HTTP_LOG="$tmp/http.jsonl" \
  PF_HTTP_BUSY_PORT=$http_busy_port PF_HTTP_BUSY_LOG="$tmp/http_busy.jsonl" \
  "$PF_LOOPBACK_TESTS" --success=false "$@" \
  || { tail -n 20 "$tmp"/*.err; fail "adapter concurrency checks"; }
echo "ok: smtp and http send_many: concurrent, bounded by max_connections, delivered once, a refusing relay slowed alone"
