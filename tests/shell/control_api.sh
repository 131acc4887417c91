#!/usr/bin/env bash
# The control port end to end: a daemon with a token on a free port, two
# organisations, every endpoint (tests/shell/control_api_check.py), then
# prospectflowctl against the same daemon, then SIGTERM.
source "$(dirname "$0")/lib.sh"
: "${PF_CTL:?}"
new_tmpdir tmp
new_database url control
"$PF_BIN" migrate --database-url "$url" >/dev/null 2>&1
psql -X -q -v a=400 "$url" -f "$PF_SOURCE_DIR/tests/shell/control_fixture.sql" >/dev/null
psql -X -q "$url" -f "$PF_SOURCE_DIR/tests/shell/control_mailboxes_fixture.sql" >/dev/null
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$token" >"$tmp/token"
cat >"$tmp/config.toml" <<TOML
[scheduler]
workers = 4
batch_size = 20
in_flight_chunk = 5
poll_interval_ms = 200
[send]
adapter = "log"
spacing_min_ms = 0
spacing_max_ms = 0
[adapters.log]
latency_ms = 15
[tracking]
listen = ""
[control]
listen = "127.0.0.1:0"
token_file = "$tmp/token"
max_body_bytes = 1024
pause_wait_seconds = 20
TOML
PROSPECTFLOW_DATABASE_URL="$url" "$PF_BIN" run --config "$tmp/config.toml" >"$tmp/daemon.log" 2>&1 &
daemon=$!
track_process "$daemon"
for _ in $(seq 1 100); do
  grep -q "ready: instance" "$tmp/daemon.log" && break
  kill -0 "$daemon" 2>/dev/null || { cat "$tmp/daemon.log"; fail "daemon exited"; }
  sleep 0.1
done
port=$(sed -n 's/.*control port listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/daemon.log")
[ -n "$port" ] || { cat "$tmp/daemon.log"; fail "no control port in the log"; }
grep -q "$token" "$tmp/daemon.log" && fail "the token appears in the log"

# Debian's python3, with python3-prometheus-client (scripts/setup-deps).
PF_PORT=$port PF_TOKEN=$token PF_DB=$url /usr/bin/python3 "$PF_SOURCE_DIR/tests/shell/control_api_check.py" \
  || { tail -50 "$tmp/daemon.log"; fail "control API checks"; }

# prospectflowctl: tables, --json, token from flag, environment or file, errors.
ctl() { "$PF_CTL" --url "http://127.0.0.1:$port" "$@"; }
out=$(ctl --token-file "$tmp/token" status) || fail "ctl status"
echo "$out" | grep -q "^workers .* busy of 4" || fail "ctl status table: $out"
for _ in $(seq 1 50); do out=$(ctl --token-file "$tmp/token" status); echo "$out" | grep -q "(this one)" && break; sleep 0.1; done
echo "$out" | grep -q "^instances .*1 live" || fail "ctl status instances: $out"
echo "$out" | grep -q "^  .*:$daemon (this one), " || fail "ctl status: this daemon's line: $out"
out=$(PROSPECTFLOW_CONTROL_TOKEN=$token ctl campaigns aaaaaaaa-0000-4000-8000-000000000001) || fail "ctl campaigns"
echo "$out" | grep -q "^ID .*NAME .*STATUS" || fail "ctl campaigns header: $out"
echo "$out" | grep -q "Alpha launch .*active" || fail "ctl campaigns row: $out"
ctl --token "$token" --json campaigns aaaaaaaa-0000-4000-8000-000000000001 \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["campaigns"][0]["messages_sent"] == 400, d' \
  || fail "ctl --json campaigns"
out=$(ctl --token "$token" pause bbbbbbbb-0000-4000-8000-000000000001 bbbbbbbb-0000-4000-8000-0000000000b1 --reason "ctl test") \
  || fail "ctl pause"
echo "$out" | grep -q "paused" || fail "ctl pause output: $out"
ctl --token "$token" resume bbbbbbbb-0000-4000-8000-000000000001 bbbbbbbb-0000-4000-8000-0000000000b1 >/dev/null || fail "ctl resume"
set +e
err=$(ctl --token "$token" pause aaaaaaaa-0000-4000-8000-000000000001 bbbbbbbb-0000-4000-8000-0000000000b1 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "404: no campaign" || fail "ctl across organisations: exit $code, $err"
err=$(ctl --token wrong status 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "401" || fail "ctl with a wrong token: exit $code, $err"
err=$("$PF_CTL" --url http://127.0.0.1:1 --token "$token" status 2>&1); code=$?
[ "$code" = 69 ] && echo "$err" | grep -q "cannot reach" || fail "ctl with no daemon: exit $code, $err"
"$PF_CTL" --token "$token" frobnicate >/dev/null 2>&1; code=$?
[ "$code" = 64 ] || fail "ctl with an unknown command: exit $code"
out=$(ctl --token "$token" drain); [ $? = 0 ] && echo "$out" | grep -q draining || fail "ctl drain: $out"
out=$(ctl --token "$token" undrain); [ $? = 0 ] && echo "$out" | grep -q undrained || fail "ctl undrain: $out"
set -e
pass "prospectflowctl: tables, --json, tokens from flag/env/file, 401/404 messages, exit codes 1, 64, 69"

# prospectflowctl mailboxes / mailbox pause|resume. After the checker: anna@
# active (7 of 30 today), bob@ paused from error (ramping: 15 today).
org_a=aaaaaaaa-0000-4000-8000-000000000001
bob=aaaaaaaa-0000-4000-8000-0000000000d2
secret=CONTROL-TEST-SECRET-9f3c2a
out=$(ctl --token "$token" mailboxes --organisation "$org_a") || fail "ctl mailboxes"
echo "$out" | grep -q "^ID .*EMAIL .*STATUS .*TODAY .*REASON" || fail "ctl mailboxes header: $out"
echo "$out" | grep -q "anna@alpha-mail.example  *active  *7/30  *-" || fail "ctl mailboxes anna@: $out"
echo "$out" | grep -q "bob@alpha-mail.example  *paused  *0/15  *paused by an operator" || fail "ctl mailboxes bob@: $out"
all_ctl=$out
out=$(ctl --token "$token" --json mailboxes "$org_a") || fail "ctl --json mailboxes"
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [m["limit_today"] for m in d["mailboxes"]] == [30, 15], d' \
  || fail "ctl --json mailboxes: $out"
all_ctl+=$out
out=$(ctl --token "$token" mailbox resume --organisation "$org_a" "$bob" --reason "ctl test") || fail "ctl mailbox resume"
echo "$out" | grep -q "^mailbox bob@alpha-mail.example ($bob): active$" || fail "ctl mailbox resume output: $out"
out=$(ctl --token "$token" mailbox resume --organisation "$org_a" "$bob") || fail "ctl mailbox resume again"
echo "$out" | grep -q "active (it already was)" || fail "ctl mailbox resume again: $out"
out=$(ctl --token "$token" mailbox pause --organisation "$org_a" "$bob") || fail "ctl mailbox pause"
echo "$out" | grep -q "^mailbox bob@alpha-mail.example ($bob): paused$" || fail "ctl mailbox pause output: $out"
[ "$(psql -X -tA "$url" -c "SELECT status FROM outreach.mailboxes WHERE id = '$bob'")" = paused ] \
  || fail "ctl mailbox pause did not pause bob@"
set +e
err=$(ctl --token "$token" mailbox pause --organisation bbbbbbbb-0000-4000-8000-000000000001 "$bob" 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "404: no mailbox" || fail "ctl mailbox across organisations: exit $code, $err"
ctl --token "$token" mailbox pause "$org_a" "$bob" >/dev/null 2>&1; code=$?
[ "$code" = 64 ] || fail "ctl mailbox pause without --organisation: exit $code"
ctl --token "$token" mailbox >/dev/null 2>&1; code=$?
[ "$code" = 64 ] || fail "ctl mailbox without pause or resume: exit $code"
set -e
echo "$all_ctl" | grep -q "$secret" && fail "a mailbox secret appears in prospectflowctl's output"
grep -q "control: mailbox pause: anna@alpha-mail.example of $org_a is now paused (warm-up check)" "$tmp/daemon.log" \
  || fail "no log line for the mailbox pause"
grep -q "control: mailbox resume: bob@alpha-mail.example of $org_a is now active (ctl test)" "$tmp/daemon.log" \
  || fail "no log line for the mailbox resume"
pass "prospectflowctl mailboxes, mailbox pause|resume: table, --json, 404 across organisations, exit codes; changes logged"

kill -TERM "$daemon"
set +e; wait "$daemon"; code=$?; set -e
[ "$code" = 0 ] || fail "daemon exited $code on SIGTERM"
grep -q "$token" "$tmp/daemon.log" && fail "the token appears in the log"
grep -q "$secret" "$tmp/daemon.log" && fail "a mailbox secret appears in the log"
pass "SIGTERM: exit 0; the token and the mailbox secret never logged"
