# Shared helpers for the shell tests (sourced). Each test gets fresh databases
# in the cluster the ctest fixture started and drops them on exit.
set -euo pipefail
: "${PF_TEST_DATABASE_URL_FILE:?run through ctest (the postgres fixture sets it)}"
: "${PF_BIN:?}" "${PF_SOURCE_DIR:?}"
PF_BASE_URL=$(cat "$PF_TEST_DATABASE_URL_FILE")
_pf_databases=()
_pf_tmpdirs=()
_pf_processes=()

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# new_database VAR HINT: creates an empty database and sets VAR to its URL.
# (Not $(...): a subshell could not record it for the cleanup.)
new_database() {
  local name="pf_$2_$$_$RANDOM"
  psql -X -q -v ON_ERROR_STOP=1 "$PF_BASE_URL" -c "CREATE DATABASE $name" >/dev/null
  _pf_databases+=("$name")
  printf -v "$1" '%s' "${PF_BASE_URL%/*}/$name"
}

# new_tmpdir VAR: creates a temporary directory, removed on exit.
new_tmpdir() {
  local d
  d=$(mktemp -d)
  chmod 755 "$d"
  _pf_tmpdirs+=("$d")
  printf -v "$1" '%s' "$d"
}

# track_process PID: killed on exit if still running (a failed test must not
# leave a daemon behind).
track_process() { _pf_processes+=("$1"); }

_pf_cleanup() {
  for pid in "${_pf_processes[@]:-}"; do
    if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  for name in "${_pf_databases[@]:-}"; do
    [ -n "$name" ] && psql -X -q "$PF_BASE_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  done
  for d in "${_pf_tmpdirs[@]:-}"; do
    if [ -n "$d" ]; then rm -rf "$d"; fi
  done
  return 0
}
trap _pf_cleanup EXIT
