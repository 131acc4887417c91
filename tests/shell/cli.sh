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
for sub in run migrate check-config version schedule-preview; do
  expect_exit 0 "Usage:" -- "$PF_BIN" "$sub" --help
done
expect_exit 0 "prospectflowd 0.1.0" -- "$PF_BIN" version
expect_exit 64 "subcommand is required" -- "$PF_BIN"
expect_exit 64 "" -- "$PF_BIN" migrate --no-such-flag
pass "help, version and usage errors"

expect_exit 0 "configuration is valid" -- "$PF_BIN" check-config --config "$PF_SOURCE_DIR/etc/prospectflowd.toml"
expect_exit 0 "configuration is valid" -- "$PF_BIN" check-config --config "$PF_SOURCE_DIR/etc/demo.toml"

# A table of bad configurations: each exits 78 naming the key and the problem.
# Columns: the TOML (printf format), then what the message must contain.
bad_configs=(
  '[scheduler]\nworkerz = 2\n'                     'scheduler.workerz: unknown key'
  '[scheduler]\nworkers = "two"\n'                 'scheduler.workers: expected an integer'
  '[scheduler]\nbatch_size = 0\n'                  'scheduler.batch_size: value 0 is out of range'
  '[scheduler]\nnotify = "yes"\n'                  'scheduler.notify: expected true or false'
  '[scheduler]\nunknown_outcome = "guess"\n'       'scheduler.unknown_outcome'
  '[database]\nurl_file = "/nonexistent/database-url"\n' 'database.url_file: cannot read secret file'
  '[database]\nurl = "x"\nurl_file = "y"\n'       'database.url_file: set either database.url or database.url_file'
  '[send]\nadapter = "pigeon"\n'                   "send.adapter: 'pigeon' is not one of"
  '[send]\nspacing_min_ms = 5000\nspacing_max_ms = 10\n' 'send.spacing_max_ms: must be at least'
  '[adapters.file]\ndir = ""\n'                    'adapters.file.dir: must not be empty'
  '[control]\nlisten = "localhost"\n'              'control.listen: expected HOST:PORT'
  '[control]\ntoken_file = "/nonexistent/token"\n' 'control.token_file: cannot read secret file'
  '[control]\nmax_body_bytes = 0\n'                'control.max_body_bytes: value 0 is out of range'
  '[tracking]\nlisten = "nowhere:99999"\n'         'tracking.listen: expected HOST:PORT'
  '[log]\nlevel = "loud"\n'                        "log.level: 'loud' is not one of"
  'scheduler = 3\n'                                  'scheduler: expected a table'
  '[scheduler\n'                                     'bad.toml:1:'
)
for ((i = 0; i < ${#bad_configs[@]}; i += 2)); do
  printf "${bad_configs[i]}" >"$tmp/bad.toml"
  expect_exit 78 "${bad_configs[i + 1]}" -- "$PF_BIN" check-config --config "$tmp/bad.toml"
  expect_exit 78 "${bad_configs[i + 1]}" -- "$PF_BIN" run --config "$tmp/bad.toml"
done
expect_exit 78 "cannot read configuration file" -- "$PF_BIN" check-config --config "$tmp/missing.toml"
pass "$(( ${#bad_configs[@]} / 2 + 1 )) bad configurations: exit 78 naming the key, for check-config and run"
printf '[scheduler]\nworkerz = 2\n' >"$tmp/unknown.toml"
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

# database.connect_timeout_seconds bounds the wait for a server that accepts
# the connection and never answers (libpq's connect_timeout).
silent_port_file="$tmp/silent.port"
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(60)' "$silent_port_file" &
silent=$!
track_process "$silent"
for _ in $(seq 1 50); do [ -s "$silent_port_file" ] && break; sleep 0.1; done
printf '[database]\nconnect_timeout_seconds = 1\n[control]\nlisten = ""\n[tracking]\nlisten = ""\n' >"$tmp/timeout.toml"
started=$(date +%s%3N)
expect_exit 69 "cannot connect to postgresql://nobody@127.0.0.1:$(cat "$silent_port_file")/db" -- \
  env PROSPECTFLOW_DATABASE_URL="postgresql://nobody@127.0.0.1:$(cat "$silent_port_file")/db" \
  "$PF_BIN" run --config "$tmp/timeout.toml"
waited=$(( $(date +%s%3N) - started ))
[ "$waited" -lt 5000 ] || fail "a silent server held the daemon ${waited} ms with connect_timeout_seconds = 1"
kill "$silent" 2>/dev/null || true
pass "database.connect_timeout_seconds: a silent server is given up after ${waited} ms"
