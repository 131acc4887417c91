#!/usr/bin/env bash
# ctest fixture: a fresh throwaway cluster for one test run.
#   postgres_fixture.sh start|stop DIR URI_FILE
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cmd=$1 dir=$2 uri_file=$3
case $cmd in
  start)
    "$here/scripts/pg-local" stop "$dir" 2>/dev/null || true
    rm -rf "$dir"
    "$here/scripts/pg-local" start "$dir" --fast >"$uri_file"
    echo "test cluster: $(cat "$uri_file")"
    ;;
  stop)
    "$here/scripts/pg-local" stop "$dir"
    rm -f "$uri_file"
    ;;
esac
