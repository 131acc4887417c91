#!/usr/bin/env bash
# adapters/imap_client against a real Dovecot on loopback
# (tests/shell/dovecot_fixture.sh: imaps, STARTTLS, a throwaway CA) and a
# plain IMAP server that offers no TLS (tests/shell/imap_plain_server.py).
# The assertions are in tests/loopback/imap_client_test.cpp (pf_imap_tests):
# TLS and STARTTLS logins, refused passwords and certificates, UID SEARCH
# and BODY.PEEK fetches that set no flag, a cut 3 MB message, IDLE woken by
# a delivery from another process, a UIDVALIDITY reset. No database.
set -euo pipefail
: "${PF_IMAP_TESTS:?run through ctest}" "${PF_SOURCE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
fixture=$PF_SOURCE_DIR/tests/shell/dovecot_fixture.sh
tmp=$(mktemp -d)
chmod 755 "$tmp"
plain_pid=
cleanup() {
  "$fixture" stop "$tmp/dovecot" || true
  if [ -n "$plain_pid" ]; then kill "$plain_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# One user per case that saves mail (the test knows these passwords).
"$fixture" start "$tmp/dovecot" sales@acme.test:secret1 ops@acme.test:secret2 fetch@acme.test:secret3 \
  idle@acme.test:secret4 uidv@acme.test:secret5 big@acme.test:secret6 many@acme.test:secret7 \
  since@acme.test:secret8 || fail "dovecot did not start"

/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/imap_plain_server.py" >"$tmp/plain.out" 2>"$tmp/plain.err" &
plain_pid=$!
for _ in $(seq 1 100); do grep -qs "^ready" "$tmp/plain.out" && break; sleep 0.1; done
plain_port=$(sed -n 's/^ready //p' "$tmp/plain.out")
[ -n "$plain_port" ] || { cat "$tmp/plain.err"; fail "imap_plain_server.py did not start"; }
# A port nobody listens on: bound and closed again.
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

set -a
# shellcheck source=/dev/null  # written by dovecot_fixture.sh start
. "$tmp/dovecot/env"
set +a
PF_DOVECOT_FIXTURE=$fixture PF_DOVECOT_DIR=$tmp/dovecot IMAP_PLAIN_PORT=$plain_port IMAP_CLOSED_PORT=$closed_port \
  "$PF_IMAP_TESTS" --success=false "$@" \
  || { tail -n 30 "$tmp/dovecot/dovecot.log"; fail "imap client checks"; }
echo "ok: imap client: TLS/STARTTLS logins, refused password and CA, no-TLS servers refused, UID SEARCH, PEEK fetch sets no flag, cut 3 MB message, IDLE changed/stopped/timeout, UIDVALIDITY reset"
