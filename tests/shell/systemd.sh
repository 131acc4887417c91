#!/usr/bin/env bash
# systemd integration: the sd_notify protocol (tests/shell/systemd_notify_check.py
# on its own NOTIFY_SOCKET), and `systemd-analyze verify` on the shipped units.
source "$(dirname "$0")/lib.sh"
new_tmpdir tmp
new_database url notify
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
psql -X -q -v enrollments=50 -v steps=2 "$url" -f "$PF_SOURCE_DIR/bench/seed_load.sql" >/dev/null
cat >"$tmp/config.toml" <<TOML
[scheduler]
workers = 4
poll_interval_ms = 200
[send]
adapter = "log"
spacing_min_ms = 0
spacing_max_ms = 0
[control]
listen = "127.0.0.1:0"
[tracking]
listen = ""
[log]
level = "info"
TOML
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/systemd_notify_check.py" \
  "$PF_BIN" "$tmp/config.toml" "$tmp/daemon.log" "$url" "$tmp" || fail "sd_notify protocol"
pass "sd_notify: READY, WATCHDOG, RELOADING then READY on SIGHUP, STOPPING on SIGTERM"

# WATCHDOG=1 only while the workers make progress: a pool wedged on a table
# lock stops the pings (tests/shell/watchdog_check.py). lease_seconds = 5 and
# the file adapter make the allowed silence 15 s.
new_database url wedge
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
cat >"$tmp/wedge.toml" <<TOML
[scheduler]
workers = 2
poll_interval_ms = 200
lease_seconds = 5
[adapters.file]
dir = "$tmp/outbox"
[control]
listen = "127.0.0.1:0"
[tracking]
listen = ""
TOML
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/watchdog_check.py" \
  "$PF_BIN" "$tmp/wedge.toml" "$tmp/wedge.log" "$url" "$tmp" loop || fail "watchdog on a wedged pool"
pass "watchdog: pings while idle, stop once every worker is blocked on a lock for longer than allowed"
/usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/watchdog_check.py" \
  "$PF_BIN" "$tmp/wedge.toml" "$tmp/wedge-reload.log" "$url" "$tmp" reload \
  || fail "watchdog on a pool wedged during a reload"
pass "watchdog: a reload waiting on wedged workers stops the pings too"

# systemd-analyze verify wants the binaries the unit names at their paths:
# check a copy of the unit pointing at the built ones.
command -v systemd-analyze >/dev/null || fail "systemd-analyze not installed (scripts/setup-deps)"
mkdir -p "$tmp/units"
sed -e "s|/usr/bin/prospectflowd|$PF_BIN|g" "$PF_SOURCE_DIR/systemd/prospectflowd.service" \
  >"$tmp/units/prospectflowd.service"
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$tmp/units/prospectflowd.service" 2>&1) \
  || { echo "$out"; fail "systemd-analyze verify"; }
echo "$out" | grep -v "^$" | grep -iv "user.*prospectflow\|group.*prospectflow" && fail "systemd-analyze verify warned: $out"
pass "systemd-analyze verify: no warning on systemd/prospectflowd.service"
