# Test servers in the background (sourced; needs $tmp, a scratch directory).
# start_server NAME COMMAND...: runs COMMAND, waits until it prints
# "ready PORT", and sets NAME_pid and NAME_port. stop_servers kills them all.
_pf_servers=()
start_server() {
  local name=$1
  shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  _pf_servers+=($!)
  printf -v "${name}_pid" '%s' "$!"
  for _ in $(seq 1 100); do grep -qs "^ready" "$tmp/$name.out" && break; sleep 0.1; done
  local port
  port=$(sed -n 's/^ready //p' "$tmp/$name.out")
  [ -n "$port" ] || { cat "$tmp/$name.err"; echo "FAIL: $name did not start" >&2; exit 1; }
  printf -v "${name}_port" '%s' "$port"
}
stop_servers() {
  for pid in "${_pf_servers[@]:-}"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  done
}
