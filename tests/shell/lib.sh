# Shared helpers for the shell tests (sourced). Each test gets fresh databases
# in the cluster the ctest fixture started and drops them on exit.
set -euo pipefail
: "${PF_TEST_DATABASE_URL_FILE:?run through ctest (the postgres fixture sets it)}"
: "${PF_BIN:?}" "${PF_SOURCE_DIR:?}"
PF_BASE_URL=$(cat "$PF_TEST_DATABASE_URL_FILE")
_pf_databases=()
_pf_tmpdirs=()

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# new_database NAME_HINT -> prints the URL of a new empty database
new_database() {
  local name="pf_$1_$$_$RANDOM"
  psql -X -q -v ON_ERROR_STOP=1 "$PF_BASE_URL" -c "CREATE DATABASE $name" >/dev/null
  _pf_databases+=("$name")
  echo "${PF_BASE_URL%/*}/$name"
}

new_tmpdir() {
  local d
  d=$(mktemp -d)
  _pf_tmpdirs+=("$d")
  echo "$d"
}

_pf_cleanup() {
  for name in "${_pf_databases[@]:-}"; do
    [ -n "$name" ] && psql -X -q "$PF_BASE_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  done
  for d in "${_pf_tmpdirs[@]:-}"; do [ -n "$d" ] && rm -rf "$d"; done
}
trap _pf_cleanup EXIT
