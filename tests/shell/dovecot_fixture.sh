#!/usr/bin/env bash
# A real Dovecot on loopback for the IMAP tests, entirely under one
# directory: its own dovecot.conf (no /etc/dovecot includes), a throwaway CA
# and server certificate for 127.0.0.1/localhost, passwd-file users with
# maildirs under DIR/mail/USER, one imaps listener and one imap listener
# (STARTTLS; authentication needs TLS). Dovecot refuses some things as root,
# so when run as root everything (the server and doveadm) runs as nobody;
# otherwise as the current user.
#
#   dovecot_fixture.sh start DIR [USER:PASSWORD ...]   writes DIR/env (IMAPS_PORT,
#       IMAP_PORT, CA_FILE, WRONG_CA_FILE, DOVECOT_CONF, DOVECOT_USERS)
#   dovecot_fixture.sh stop DIR
#   dovecot_fixture.sh save DIR USER FOLDER FILE       deliver FILE into FOLDER
#   dovecot_fixture.sh flags DIR USER FOLDER           "uid flags" per message
#   dovecot_fixture.sh count DIR USER FOLDER           number of messages
#   dovecot_fixture.sh uidvalidity DIR USER FOLDER N   give FOLDER UIDVALIDITY N
#   dovecot_fixture.sh kick DIR USER                   drop USER's connections
#
# With DOVECOT_OAUTH2_INTROSPECT_URL set, start also offers XOAUTH2 and
# OAUTHBEARER, validating tokens at that URL (passdb oauth2).
set -euo pipefail

fail() {
  echo "dovecot_fixture: $*" >&2
  exit 1
}

# as_owner CMD...: runs CMD as the user the fixture's files belong to.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

make_certificates() {
  local dir=$1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 2 \
    -subj "/CN=prospectflow test CA" >/dev/null 2>&1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/wrong-ca.key" -out "$dir/wrong-ca.pem" -days 2 \
    -subj "/CN=some other CA" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -keyout "$dir/server.key" -out "$dir/server.csr" \
    -subj "/CN=localhost" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" >/dev/null 2>&1
}

# write_passwd DIR USER:PASSWORD...: passwd-file lines (user:{PLAIN}password).
write_passwd() {
  local dir=$1
  shift
  : >"$dir/passwd"
  local pair
  for pair in "$@"; do
    [[ $pair == *:* ]] || fail "user $pair is not USER:PASSWORD"
    printf '%s:{PLAIN}%s\n' "${pair%%:*}" "${pair#*:}" >>"$dir/passwd"
  done
}

oauth2_config() {
  local dir=$1
  [ -n "${DOVECOT_OAUTH2_INTROSPECT_URL:-}" ] || return 0
  cat >"$dir/oauth2.conf.ext" <<EOF
introspection_mode = post
introspection_url = $DOVECOT_OAUTH2_INTROSPECT_URL
username_attribute = username
active_attribute = active
active_value = true
EOF
  cat <<EOF
auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/oauth2.conf.ext
}
EOF
}

write_config() {
  local dir=$1 imaps_port=$2 imap_port=$3 user=$4 group=$5
  cat >"$dir/dovecot.conf" <<EOF
# Written by tests/shell/dovecot_fixture.sh: a throwaway server for tests.
protocols = imap
listen = 127.0.0.1, 127.0.0.2
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
instance_name = pf-test-$imaps_port
default_internal_user = $user
default_internal_group = $group
default_login_user = $user
mail_uid = $user
mail_gid = $group
first_valid_uid = 0
first_valid_gid = 0
login_trusted_networks = 127.0.0.0/8
# Authentication only over TLS (imaps, or imap after STARTTLS).
ssl = required
disable_plaintext_auth = yes
ssl_cert = <$dir/server.pem
ssl_key = <$dir/server.key
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
# A refused login answers at once (the default waits 2 s): the tests refuse many.
auth_failure_delay = 0 secs
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $dir/passwd
}
$(oauth2_config "$dir")
userdb {
  driver = static
  args = uid=$user gid=$group home=$dir/home/%u allow_all_users=yes
}
mail_location = maildir:$dir/mail/%u
namespace inbox {
  inbox = yes
  separator = /
  mailbox Spam {
    auto = create
    special_use = \\Junk
  }
  mailbox Archive {
    auto = create
    special_use = \\All
  }
}
# New mail wakes an IDLE client within a second; no keepalive "OK Still here".
mailbox_idle_check_interval = 1 secs
imap_idle_notify_interval = 30 mins
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  # 127.0.0.2 presents the same certificate (IP:127.0.0.1, DNS:localhost):
  # a client must refuse it for that address.
  inet_listener imaps {
    address = 127.0.0.1, 127.0.0.2
    port = $imaps_port
    ssl = yes
  }
}
service anvil {
  chroot =
}
service auth-worker {
  user = $user
}
service stats {
  unix_listener stats-writer {
    user = $user
  }
}
EOF
}

wait_for_port() {
  local port=$1
  for _ in $(seq 1 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.5).close()" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

start() {
  local dir=$1
  shift
  [ $# -gt 0 ] || set -- sales@acme.test:secret1 ops@acme.test:secret2
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/home"
  local user group
  if [ "$(id -u)" -eq 0 ]; then
    user=nobody
    group=$(id -gn nobody)
  else
    user=$(id -un)
    group=$(id -gn)
  fi
  make_certificates "$dir"
  write_passwd "$dir" "$@"
  local imaps_port imap_port
  imaps_port=$(free_port)
  imap_port=$(free_port)
  [ "$imaps_port" != "$imap_port" ] || imap_port=$(free_port)
  write_config "$dir" "$imaps_port" "$imap_port" "$user" "$group"
  [ "$(id -u)" -ne 0 ] || chown -R "$user:$group" "$dir"
  as_owner dovecot -c "$dir/dovecot.conf" || { cat "$dir/dovecot.log" >&2 2>/dev/null; fail "dovecot did not start"; }
  if ! wait_for_port "$imaps_port" || ! wait_for_port "$imap_port"; then
    cat "$dir/dovecot.log" >&2
    fail "dovecot does not listen on $imaps_port/$imap_port"
  fi
  local pair users=()
  for pair in "$@"; do
    users+=("${pair%%:*}")
    # Creates the maildir and the auto folders (INBOX, Spam, Archive).
    as_owner doveadm -c "$dir/dovecot.conf" mailbox status -u "${pair%%:*}" messages INBOX >/dev/null
  done
  cat >"$dir/env" <<EOF
IMAPS_PORT=$imaps_port
IMAP_PORT=$imap_port
CA_FILE=$dir/ca.pem
WRONG_CA_FILE=$dir/wrong-ca.pem
DOVECOT_CONF=$dir/dovecot.conf
DOVECOT_USERS="${users[*]}"
EOF
  chmod a+r "$dir/env"
}

stop() {
  local dir=$1
  local pidfile="$dir/run/master.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  as_owner doveadm -c "$dir/dovecot.conf" stop 2>/dev/null || kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

cmd=${1:-}
[ $# -ge 2 ] || fail "usage: $0 start|stop|save|flags|count|uidvalidity|kick DIR ..."
shift
dir=$1
case $cmd in
start) start "$@" ;;
stop) stop "$dir" ;;
save)
  [ $# -eq 4 ] || fail "usage: save DIR USER FOLDER FILE"
  as_owner doveadm -c "$dir/dovecot.conf" save -u "$2" -m "$3" <"$4"
  ;;
flags)
  [ $# -eq 3 ] || fail "usage: flags DIR USER FOLDER"
  as_owner doveadm -f flow -c "$dir/dovecot.conf" fetch -u "$2" 'uid flags' mailbox "$3" \
    | sed -e 's/^uid=\([0-9]*\) flags=/\1 /'
  ;;
count)
  [ $# -eq 3 ] || fail "usage: count DIR USER FOLDER"
  as_owner doveadm -f flow -c "$dir/dovecot.conf" mailbox status -u "$2" messages "$3" | sed -e 's/.*messages=//'
  ;;
uidvalidity)
  [ $# -eq 4 ] || fail "usage: uidvalidity DIR USER FOLDER N"
  as_owner doveadm -c "$dir/dovecot.conf" mailbox update -u "$2" --uid-validity "$4" "$3"
  ;;
kick)
  [ $# -eq 2 ] || fail "usage: kick DIR USER"
  as_owner doveadm -c "$dir/dovecot.conf" kick "$2" >/dev/null
  ;;
*) fail "unknown command $cmd" ;;
esac
