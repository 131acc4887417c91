#!/usr/bin/env bash
# Several prospectflowd processes migrating one empty database at once: each
# migration is applied exactly once and every process succeeds.
source "$(dirname "$0")/lib.sh"
new_database url concurrent
new_tmpdir tmp
pids=()
for i in 1 2 3 4 5 6; do
  "$PF_BIN" migrate --database-url "$url" >"$tmp/$i.log" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { cat "$tmp"/*.log; fail "migrator $((i + 1)) failed"; }
done
applied=$(cat "$tmp"/*.log | grep -c "applied migration V" || true)
expected=$(ls "$PF_SOURCE_DIR"/db/migrations/*.sql | wc -l)
[ "$applied" -eq "$expected" ] || { cat "$tmp"/*.log; fail "$applied applications for $expected migrations"; }
rows=$(psql -X -tA "$url" -c "SELECT count(*) || '/' || count(DISTINCT version) FROM flyway_schema_history")
[ "$rows" = "$expected/$expected" ] || fail "history has $rows rows/versions, expected $expected"
pass "6 concurrent migrators applied $expected migrations once each"
