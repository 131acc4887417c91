#!/usr/bin/env bash
# db/validation-tests.sql on a freshly migrated database: at least 25 checks,
# all PASS, nothing left behind; and on a database with a rule broken on
# purpose, the matching checks FAIL (so the checks can fail).
source "$(dirname "$0")/lib.sh"

new_database url validation
"$PF_BIN" migrate --database-url "$url" 2>/dev/null
out=$(psql -X -q -v ON_ERROR_STOP=1 "$url" -f "$PF_SOURCE_DIR/db/validation-tests.sql")
echo "$out"
passes=$(grep -c '^✅ PASS' <<<"$out" || true)
fails=$(grep -c '^❌ FAIL' <<<"$out" || true)
lines=$(grep -c . <<<"$out")
[ "$fails" -eq 0 ] || fail "$fails check(s) failed"
[ "$passes" -ge 25 ] || fail "only $passes checks ran, expected at least 25"
[ "$lines" -eq "$passes" ] || fail "output has lines that are neither PASS nor FAIL"
[ "$(psql -X -tA "$url" -c 'SELECT count(*) FROM iam.organisations')" = 0 ] \
  || fail "validation left rows behind"
pass "$passes checks pass and the database is unchanged"

new_database broken validation_broken
"$PF_BIN" migrate --database-url "$broken" 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 "$broken" <<'SQL'
ALTER TABLE crm.positions DROP CONSTRAINT positions_person_fkey;
ALTER TABLE crm.positions ADD FOREIGN KEY (person_id, organisation_id) REFERENCES crm.people (id, organisation_id);
ALTER TABLE crm.companies DROP CONSTRAINT companies_siren_format;
ALTER TABLE crm.companies ADD CHECK (siren ~ '^[0-9]{9}$');
DROP TRIGGER people_touch_updated_at ON crm.people;
CREATE INDEX positions_title_idx ON crm.positions (title);
SQL
out=$(psql -X -q -v ON_ERROR_STOP=1 "$broken" -f "$PF_SOURCE_DIR/db/validation-tests.sql" 2>&1 || true)
for expected in "SIREN must pass the Luhn check" "BEFORE UPDATE trigger" "leads with organisation_id" \
                "updated_at moves on update"; do
  grep -q "^❌ FAIL .*$expected" <<<"$out" || { echo "$out"; fail "no FAIL for '$expected' on a broken schema"; }
done
pass "a broken schema is reported"
