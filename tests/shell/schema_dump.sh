#!/usr/bin/env bash
# db/schema.sql must be the dump of the migrated schema.
source "$(dirname "$0")/lib.sh"
new_database url schema
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
new_tmpdir tmp
"$PF_SOURCE_DIR/scripts/dump-schema" "$url" >"$tmp/schema.sql"
if ! diff -u "$PF_SOURCE_DIR/db/schema.sql" "$tmp/schema.sql" >"$tmp/diff"; then
  head -60 "$tmp/diff"
  fail "db/schema.sql is stale; regenerate it: scripts/dump-schema <migrated database URL> > db/schema.sql"
fi
pass "db/schema.sql matches the migrated schema"
