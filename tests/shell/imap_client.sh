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
source "$(dirname "$0")/servers_lib.sh"
chmod 755 "$tmp"
cleanup() {
  "$fixture" stop "$tmp/dovecot" || true
  stop_servers
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# XOAUTH2: Dovecot asks this introspection endpoint about each token.
printf '{"tok-sales-1": "sales@acme.test"}\n' >"$tmp/tokens.json"
start_server introspect /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/oauth_introspect_server.py" "$tmp/tokens.json"
# shellcheck disable=SC2154  # introspect_port is set by start_server
export DOVECOT_OAUTH2_INTROSPECT_URL=http://127.0.0.1:$introspect_port/introspect
# One user per case that saves mail (the test knows these passwords).
"$fixture" start "$tmp/dovecot" sales@acme.test:secret1 ops@acme.test:secret2 fetch@acme.test:secret3 \
  idle@acme.test:secret4 uidv@acme.test:secret5 big@acme.test:secret6 many@acme.test:secret7 \
  since@acme.test:secret8 kicked@acme.test:secret9 || fail "dovecot did not start"

start_server plain /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/imap_plain_server.py"
# A port nobody listens on: bound and closed again.
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

set -a
# shellcheck source=/dev/null  # written by dovecot_fixture.sh start
. "$tmp/dovecot/env"
set +a
# shellcheck disable=SC2154  # plain_port is set by start_server
PF_DOVECOT_FIXTURE=$fixture PF_DOVECOT_DIR=$tmp/dovecot IMAP_PLAIN_PORT=$plain_port IMAP_CLOSED_PORT=$closed_port \
  "$PF_IMAP_TESTS" --success=false "$@" \
  || { tail -n 30 "$tmp/dovecot/dovecot.log"; fail "imap client checks"; }
echo "ok: imap client: TLS/STARTTLS logins, refused password and CA, no-TLS servers refused, UID SEARCH, PEEK fetch sets no flag, cut 3 MB message, IDLE changed/stopped/timeout, UIDVALIDITY reset, XOAUTH2"
