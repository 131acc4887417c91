#!/usr/bin/env bash
# scripts/pg-local: starts a private cluster (as root too), listens on
# loopback only, prints a working URI, restarts on the same data, and stops
# leaving no server process behind.
source "$(dirname "$0")/lib.sh"
new_tmpdir tmp
dir="$tmp/cluster"
pg="$PF_SOURCE_DIR/scripts/pg-local"
# Running, not a zombie: an exited postmaster whose parent has not reaped it
# yet (here, the session's process supervisor) is gone for our purposes.
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null || true); [ -n "$s" ] && [[ "$s" != Z* ]]; }

uri=$("$pg" start "$dir" --fast)
[[ "$uri" =~ ^postgresql://prospectflow@127\.0\.0\.1:[0-9]+/prospectflow$ ]] || fail "unexpected URI '$uri'"
"$pg" status "$dir" || fail "status says not running"
[ "$(psql -X -tA "$uri" -c 'SHOW listen_addresses')" = "127.0.0.1" ] || fail "listens beyond loopback"
[ "$(psql -X -tA "$uri" -c 'SELECT current_user')" = "prospectflow" ] || fail "wrong role"
psql -X -q "$uri" -c "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"
pid=$(head -1 "$dir/server/data/postmaster.pid")
if [ "$(id -u)" = 0 ]; then
  [ "$(ps -o user= -p "$pid")" != root ] || fail "server runs as root"
fi

[ "$("$pg" start "$dir")" = "$uri" ] || fail "a second start did not return the same URI"
"$pg" stop "$dir"
"$pg" status "$dir" && fail "still running after stop"
alive "$pid" && fail "postmaster $pid survived stop"
pgrep -f -- "$dir" >/dev/null && fail "a process of the cluster survived stop"

uri2=$("$pg" start "$dir" --fast)
[ "$(psql -X -tA "$uri2" -c 'SELECT x FROM kept')" = 42 ] || fail "data lost across restart"
"$pg" stop "$dir"
"$pg" stop "$dir"  # stopping a stopped cluster is fine
pass "pg-local start/status/stop/restart"
