#!/usr/bin/env bash
# Behind PgBouncer in transaction pooling (Debian's 1.18: no prepared
# statements, no LISTEN across transactions): with notify = false and
# prepared_statements = false two daemons still finish the work, each step once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/engine_lib.sh"
new_database url pgbouncer
new_tmpdir tmp
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
psql -X -q -v enrollments=1000 -v steps=2 "$url" -f "$PF_SOURCE_DIR/bench/seed_load.sql"

# PgBouncer refuses to run as root: run it as the server's user.
owner=""
if [ "$(id -u)" = 0 ]; then owner=postgres; id -u postgres >/dev/null 2>&1 || owner=nobody; chown "$owner" "$tmp"; fi
as_owner() { if [ -n "$owner" ]; then runuser -u "$owner" -- "$@"; else "$@"; fi; }
pg_port=$(sed -E 's|.*:([0-9]+)/.*|\1|' <<<"$url")
db=${url##*/}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/pgbouncer.ini" <<INI
[databases]
$db = host=127.0.0.1 port=$pg_port dbname=$db
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $tmp/users.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 100
logfile = $tmp/pgbouncer.log
pidfile = $tmp/pgbouncer.pid
INI
echo '"prospectflow" ""' >"$tmp/users.txt"
[ -n "$owner" ] && chown "$owner" "$tmp"/pgbouncer.ini "$tmp"/users.txt
as_owner /usr/sbin/pgbouncer -d "$tmp/pgbouncer.ini"
trap 'kill $(cat "$tmp/pgbouncer.pid" 2>/dev/null) $a $b 2>/dev/null || true; _pf_cleanup' EXIT
for _ in $(seq 1 50); do psql -X -tA "postgresql://prospectflow@127.0.0.1:$port/$db" -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
bouncer="postgresql://prospectflow@127.0.0.1:$port/$db"

daemon_config "$tmp/config.toml"
sed -i 's/^poll_interval_ms = .*/poll_interval_ms = 100\nnotify = false/' "$tmp/config.toml"
printf '[database]\nprepared_statements = false\n' >>"$tmp/config.toml"
start_daemon "$bouncer" "$tmp/config.toml" "$tmp/a.log"; a=$daemon_pid
start_daemon "$bouncer" "$tmp/config.toml" "$tmp/b.log"; b=$daemon_pid
wait_quiet "$url" 120
kill -TERM "$a" "$b"
wait "$a" || fail "daemon A exited $?"
wait "$b" || fail "daemon B exited $?"
grep -qi "error" "$tmp/a.log" "$tmp/b.log" && { grep -i error "$tmp"/[ab].log | head; fail "errors behind PgBouncer"; }
q() { psql -X -tA "$url" -c "$1"; }
[ "$(q "SELECT count(*) FROM outreach.messages WHERE status = 'sent'")" = 2000 ] || fail "not all 2000 steps sent"
[ "$(q "SELECT count(*) FROM outreach.campaign_enrollments WHERE status <> 'completed'")" = 0 ] || fail "enrollments left"
check_no_duplicate_sends "$tmp/a.log" "$tmp/b.log"
pass "behind PgBouncer (transaction pooling, notify off, no prepared statements): 2000 steps once each"
