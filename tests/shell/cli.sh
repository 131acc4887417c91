#!/usr/bin/env bash
# The command line: help, version, exit codes and messages for bad input.
source "$(dirname "$0")/lib.sh"
new_tmpdir tmp

expect_exit() {  # expect_exit CODE PATTERN -- command...
  local code=$1 pattern=$2; shift 3
  set +e; "$@" >"$tmp/out" 2>&1; local got=$?; set -e
  [ "$got" -eq "$code" ] || { cat "$tmp/out"; fail "'$*' exited $got, expected $code"; }
  grep -q -- "$pattern" "$tmp/out" || { cat "$tmp/out"; fail "'$*' did not say '$pattern'"; }
}

expect_exit 0 "Subcommands:" -- "$PF_BIN" --help
for sub in run migrate check-config version; do
  expect_exit 0 "Usage:" -- "$PF_BIN" "$sub" --help
done
expect_exit 0 "prospectflowd 0.1.0" -- "$PF_BIN" version
expect_exit 64 "subcommand is required" -- "$PF_BIN"
expect_exit 64 "" -- "$PF_BIN" migrate --no-such-flag
pass "help, version and usage errors"

expect_exit 0 "configuration is valid" -- "$PF_BIN" check-config --config "$PF_SOURCE_DIR/etc/prospectflowd.toml"
expect_exit 0 "configuration is valid" -- "$PF_BIN" check-config --config "$PF_SOURCE_DIR/etc/demo.toml"
printf '[scheduler]\nworkerz = 2\n' >"$tmp/unknown.toml"
expect_exit 78 "scheduler.workerz: unknown key" -- "$PF_BIN" check-config --config "$tmp/unknown.toml"
printf '[scheduler]\nworkers = "two"\n' >"$tmp/type.toml"
expect_exit 78 "scheduler.workers: expected an integer" -- "$PF_BIN" check-config --config "$tmp/type.toml"
printf '[scheduler]\nbatch_size = 0\n' >"$tmp/range.toml"
expect_exit 78 "scheduler.batch_size: value 0 is out of range" -- "$PF_BIN" check-config --config "$tmp/range.toml"
printf '[database]\nurl_file = "/nonexistent/database-url"\n' >"$tmp/secret.toml"
expect_exit 78 "database.url_file: cannot read secret file" -- "$PF_BIN" check-config --config "$tmp/secret.toml"
printf '[scheduler\n' >"$tmp/syntax.toml"
expect_exit 78 "syntax.toml:1:" -- "$PF_BIN" check-config --config "$tmp/syntax.toml"
expect_exit 78 "cannot read configuration file" -- "$PF_BIN" check-config --config "$tmp/missing.toml"
expect_exit 78 "scheduler.workerz" -- "$PF_BIN" run --config "$tmp/unknown.toml"
pass "bad configuration exits 78 naming the key"

expect_exit 69 "no database URL" -- env -u PROSPECTFLOW_DATABASE_URL "$PF_BIN" migrate
expect_exit 69 "cannot connect to postgresql://nobody:\*\*\*@127.0.0.1:1/none" -- \
  "$PF_BIN" migrate --database-url "postgresql://nobody:topsecret@127.0.0.1:1/none"
grep -q topsecret "$tmp/out" && fail "the password appeared in the output"
pass "unreachable database exits 69 without showing the password"

new_database url cli
n=$(ls "$PF_SOURCE_DIR"/db/migrations/*.sql | wc -l)
expect_exit 0 "0 applied, $n pending" -- "$PF_BIN" migrate --status --database-url "$url"
expect_exit 1 "migration(s) pending" -- env PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$PF_SOURCE_DIR/etc/demo.toml"
expect_exit 0 "applied $n migration" -- env PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" migrate
expect_exit 0 "schema is up to date" -- "$PF_BIN" migrate --database-url "$url"
expect_exit 0 "$n applied, 0 pending" -- "$PF_BIN" migrate --status --database-url "$url"
pass "migrate, re-migrate and status through the binary"

mkdir "$tmp/migrations"
cp "$PF_SOURCE_DIR"/db/migrations/*.sql "$tmp/migrations/"
first=$(ls "$tmp/migrations" | sort | head -1)
echo "-- edited after release" >>"$tmp/migrations/$first"
expect_exit 1 "migration $first has changed since it was applied" -- \
  "$PF_BIN" migrate --database-url "$url" --migrations-dir "$tmp/migrations"
expect_exit 1 "problem: migration $first has changed" -- \
  "$PF_BIN" migrate --status --database-url "$url" --migrations-dir "$tmp/migrations"
pass "an edited migration is refused by name"
