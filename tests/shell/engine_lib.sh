# Helpers for the engine's end-to-end tests (sourced after lib.sh).

# daemon_config FILE [extra TOML]: a config for the log adapter, no pacing.
daemon_config() {
  cat >"$1" <<TOML
[scheduler]
workers = 4
batch_size = 100
poll_interval_ms = 200
lease_seconds = ${PF_LEASE_SECONDS:-30}
shutdown_timeout_seconds = 10
[send]
adapter = "log"
spacing_min_ms = 0
spacing_max_ms = 0
[adapters.log]
latency_ms = ${PF_LOG_LATENCY_MS:-0}
[control]
listen = "127.0.0.1:0"
[tracking]
listen = ""
[log]
level = "debug"
TOML
}

# start_daemon URL CONFIG LOG: starts prospectflowd in the background; sets $daemon_pid.
start_daemon() {
  PROSPECTFLOW_DATABASE_URL="$1" "$PF_BIN" run --config "$2" >>"$3" 2>&1 &
  daemon_pid=$!
  track_process "$daemon_pid"
}

# wait_quiet URL SECONDS: until no task is pending or running.
wait_quiet() {
  local open
  for _ in $(seq 1 $(($2 * 5))); do
    open=$(psql -X -tA "$1" -c "SELECT count(*) FROM outreach.tasks WHERE status IN ('pending', 'running')")
    [ "$open" = 0 ] && return 0
    sleep 0.2
  done
  psql -X "$1" -c "SELECT status, count(*), min(last_error) FROM outreach.tasks GROUP BY status"
  fail "tasks still open after $2 s"
}

# The adapter's own record of what it was handed, across every daemon run:
# no message id may appear twice.
check_no_duplicate_sends() {
  local dups
  dups=$(cat "$@" | grep -o 'log adapter: message [0-9a-f-]*' | sort | uniq -d | head -5)
  [ -z "$dups" ] || fail "the adapter was handed a message twice: $dups"
}
