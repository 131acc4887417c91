#!/usr/bin/env bash
# Installation layout and the Debian package, without touching the system:
# `cmake --install` into a DESTDIR, then cpack's .deb inspected with dpkg-deb
# (files, conffiles, dependencies, maintainer scripts). scripts/check-package
# goes further: it installs the .deb with dpkg -i on a clean Debian 12 chroot.
source "$(dirname "$0")/lib.sh"
: "${PF_BUILD_DIR:?}"
new_tmpdir tmp

DESTDIR="$tmp/root" cmake --install "$PF_BUILD_DIR" --prefix /usr >/dev/null
for f in /usr/bin/prospectflowd /usr/bin/prospectflowctl /etc/prospectflow/prospectflowd.toml \
         /usr/lib/systemd/system/prospectflowd.service /usr/lib/sysusers.d/prospectflow.conf \
         /usr/lib/tmpfiles.d/prospectflow.conf /usr/share/doc/prospectflow/README.md; do
  [ -e "$tmp/root$f" ] || fail "cmake --install did not lay out $f"
done
n=$(ls "$PF_SOURCE_DIR"/db/migrations/*.sql | wc -l)
[ "$(ls "$tmp/root/usr/share/prospectflow/migrations/"*.sql | wc -l)" = "$n" ] || fail "migrations not installed"
"$tmp/root/usr/bin/prospectflowd" check-config --config "$tmp/root/etc/prospectflow/prospectflowd.toml" >/dev/null \
  || fail "check-config on the installed example configuration"
pass "cmake --install: binaries, /etc/prospectflow, unit, sysusers, tmpfiles, migrations, docs"

(cd "$PF_BUILD_DIR" && cpack -G DEB -B "$tmp/pkg" >/dev/null) || fail "cpack"
deb=$(ls "$tmp"/pkg/prospectflow_*.deb)
contents=$(dpkg-deb --contents "$deb")
for f in ./usr/bin/prospectflowd ./usr/bin/prospectflowctl ./etc/prospectflow/prospectflowd.toml \
         ./usr/lib/systemd/system/prospectflowd.service ./usr/lib/sysusers.d/prospectflow.conf; do
  echo "$contents" | grep -q " $f\$" || fail "the .deb lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for d in systemd tzdata procps libpqxx-6.4 libcpp-httplib0.11 libsystemd0; do
  echo "$depends" | grep -q "$d" || fail "Depends lacks $d: $depends"
done
dpkg-deb -e "$deb" "$tmp/control"
grep -qx /etc/prospectflow/prospectflowd.toml "$tmp/control/conffiles" || fail "the example config is not a conffile"
for s in postinst prerm postrm; do
  [ -x "$tmp/control/$s" ] || fail "$s missing or not executable"
  sh -n "$tmp/control/$s" || fail "$s: syntax"
done
dpkg-deb -x "$deb" "$tmp/x"
file "$tmp/x/usr/bin/prospectflowd" 2>/dev/null | grep -q "not stripped" && fail "binaries not stripped"
pass "the .deb: files, conffile, Depends ($(echo "$depends" | tr -cd ',' | wc -c) + 1 entries), maintainer scripts"
