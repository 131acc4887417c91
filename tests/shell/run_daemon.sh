#!/usr/bin/env bash
# The embedded default end to end: scripts/demo-up starts its own cluster,
# migrates, loads the demo data and runs the daemon, which says it is ready;
# Ctrl-C (SIGINT to the process group) stops the daemon cleanly and then the
# cluster, leaving no process behind. Then SIGHUP and SIGTERM on a daemon.
source "$(dirname "$0")/lib.sh"
new_tmpdir tmp
pgdir="$tmp/pg"

wait_for() {  # wait_for FILE PATTERN SECONDS PID: fails early if PID exits
  for _ in $(seq 1 $(($3 * 10))); do
    grep -q -- "$2" "$1" && return 0
    kill -0 "$4" 2>/dev/null || { cat "$1"; fail "process $4 exited before '$2' appeared"; }
    sleep 0.1
  done
  cat "$1"; fail "no '$2' in $1 after $3 s"
}

# The demo's own config, but on a free port: other tests run daemons too.
sed 's/^listen = .*/listen = "127.0.0.1:0"/' "$PF_SOURCE_DIR/etc/demo.toml" >"$tmp/demo.toml"
[ "$(grep -c '^listen = "127.0.0.1:0"' "$tmp/demo.toml")" = 2 ] || fail "etc/demo.toml lacks the control or tracking listen line to override"
PF_DEMO_CONFIG="$tmp/demo.toml" PF_PG_DIR="$pgdir" setsid "$PF_SOURCE_DIR/scripts/demo-up" "$PF_BIN" >"$tmp/demo.log" 2>&1 &
demo=$!
wait_for "$tmp/demo.log" "ready: instance" 60 "$demo"
grep -q "applied [0-9]* migration" "$tmp/demo.log" || fail "demo did not migrate"
url=$("$PF_SOURCE_DIR/scripts/pg-local" uri "$pgdir")
[ "$(psql -X -tA "$url" -c 'SELECT count(*) FROM outreach.campaign_enrollments')" -ge 5 ] || fail "no demo data"
kill -INT -- "-$demo"
set +e; wait "$demo"; code=$?; set -e
[ "$code" -eq 0 ] || { cat "$tmp/demo.log"; fail "demo exited $code after Ctrl-C"; }
grep -q "received SIGINT: stopping" "$tmp/demo.log" || fail "daemon did not log the SIGINT"
grep -q "stopped" "$tmp/demo.log" || fail "daemon did not log that it stopped"
"$PF_SOURCE_DIR/scripts/pg-local" status "$pgdir" && fail "cluster still running after Ctrl-C"
pgrep -f -- "$pgdir" >/dev/null && fail "a process of the demo cluster survived"
pass "demo: ready, Ctrl-C stops daemon and cluster, nothing left running"

# SIGHUP reloads the log level, names each setting that needs a restart
# (and keeps it: the tracking listener still answers where it was), never
# shows a secret; a bad file leaves the daemon running; SIGTERM exits 0.
new_database url daemon
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
echo "first-s3cret-token" >"$tmp/control-token"
cat >"$tmp/daemon.toml" <<TOML
[scheduler]
poll_interval_ms = 100
[adapters.file]
dir = "$tmp/outbox"
[control]
listen = "127.0.0.1:0"
token_file = "$tmp/control-token"
[tracking]
listen = "127.0.0.1:0"
base_url = "http://127.0.0.1:8471"
[log]
level = "info"
TOML
PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$tmp/daemon.toml" >"$tmp/daemon.log" 2>&1 &
daemon=$!
track_process "$daemon"
wait_for "$tmp/daemon.log" "ready: instance" 30 "$daemon"
[ -d "$tmp/outbox" ] || fail "the file adapter did not create its directory"
tracking_port=$(sed -n 's/.*tracking listener on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$tmp/daemon.log")
[ -n "$tracking_port" ] || { cat "$tmp/daemon.log"; fail "no tracking port in the log"; }
sed -i -e 's/level = "info"/level = "debug"/' -e 's|^base_url = .*|base_url = "https://track.example"|' \
  -e 's|^listen = "127.0.0.1:0"$|listen = "localhost:0"|' "$tmp/daemon.toml"
echo "second-s3cret-token" >"$tmp/control-token"
kill -HUP "$daemon"
wait_for "$tmp/daemon.log" "reloaded .*: log level debug" 10 "$daemon"
for key in tracking.base_url tracking.listen control.listen control.token; do
  grep -q "SIGHUP: $key changed; restart the daemon to apply it" "$tmp/daemon.log" \
    || { cat "$tmp/daemon.log"; fail "the reload did not say that $key needs a restart"; }
done
grep -q "tracking.base_url changed; .*(new emails keep linking to http://127.0.0.1:8471)" "$tmp/daemon.log" \
  || fail "the tracking.base_url warning does not say what new emails link to"
grep -q "reloaded .*; applied log.level$" "$tmp/daemon.log" || { cat "$tmp/daemon.log"; fail "the reload did not name log.level as applied (and nothing else)"; }
grep -q "s3cret" "$tmp/daemon.log" && fail "a secret reached the log"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tracking_port/healthz")" = 200 ] \
  || fail "the tracking listener no longer answers on its port $tracking_port after the reload"
pass "SIGHUP: tracking.base_url, tracking.listen, control.listen and control.token need a restart; the listener stays"
printf '[scheduler]\nworkerz = 1\n' >"$tmp/daemon.toml"
kill -HUP "$daemon"
wait_for "$tmp/daemon.log" "keeping the running configuration" 10 "$daemon"
kill -0 "$daemon" || fail "a bad reload stopped the daemon"
kill -TERM "$daemon"
set +e; wait "$daemon"; code=$?; set -e
[ "$code" -eq 0 ] || { cat "$tmp/daemon.log"; fail "daemon exited $code on SIGTERM"; }
grep -q "received SIGTERM: stopping" "$tmp/daemon.log" || fail "no SIGTERM log line"
pass "SIGHUP reloads the log level (and survives a bad file), SIGTERM exits 0"
