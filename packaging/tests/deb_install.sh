#!/usr/bin/env bash
# packaging_deb_install: `cpack -G DEB` makes the droverd and drover packages, and dpkg installs,
# upgrades, removes and purges them in a scratch root (`dpkg --root`, maintainer scripts run on
# the host with $DPKG_ROOT set). Checks the files, the conffile, the control fields, the drover
# user and data dir, that the installed binaries run, and that the host was not touched.
# Usage: deb_install.sh <build dir> <project version>    (as root; exit 77 = skipped otherwise)
set -euo pipefail
build=$1 version=$2
[ "$(id -u)" -eq 0 ] || { echo "skipped: installing packages with their owners needs root"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; "$@" >/dev/null 2>&1 || fail "$what"; }
phase() { echo "-- $1 ($((SECONDS - phase_start)) s)"; phase_start=$SECONDS; }
phase_start=$SECONDS

# What the maintainer scripts must leave alone on the host.
host_state() {
    sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow 2>/dev/null || true
    dpkg-query -W -f='${Package} ${Status}\n' droverd drover 2>/dev/null || true
    ls -d /var/lib/drover /etc/drover /etc/systemd/system/multi-user.target.wants/drover* 2>/dev/null || true
}
host_before=$(host_state)

(cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; exit 1; }
droverd_deb=$tmp/out/droverd_${version}_$(dpkg --print-architecture).deb
drover_deb=$tmp/out/drover_${version}_$(dpkg --print-architecture).deb
phase "cpack -G DEB"

field() { dpkg-deb -f "$1" "$2"; }
check "droverd Version is $version" test "$(field "$droverd_deb" Version)" = "$version"
for lib in libc6 libssl3 liblmdb0 libstdc++6; do
    check "droverd Depends names $lib (shlibdeps)" grep -q "$lib " <<<"$(field "$droverd_deb" Depends)"
done
check "droverd Depends names procps (/bin/kill)" grep -q "procps" <<<"$(field "$droverd_deb" Depends)"
for lib in libc6 libssl3 libyaml-cpp0.7; do
    check "drover Depends names $lib (shlibdeps)" grep -q "$lib " <<<"$(field "$drover_deb" Depends)"
done
check "drover Recommends jq" test "$(field "$drover_deb" Recommends)" = jq

mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log"
touch "$root/var/lib/dpkg/status"
# --force-depends: the scratch root has none of the libraries (the binaries run on the host's).
dpkg_root() {
    dpkg --root="$root" --admindir="$root/var/lib/dpkg" --log="$root/var/log/dpkg.log" \
        --force-not-root --force-script-chrootless --force-depends "$@" >>"$tmp/dpkg.log" 2>&1 ||
        { cat "$tmp/dpkg.log"; fail "dpkg $*"; }
}
dpkg_root -i "$droverd_deb" "$drover_deb"
phase "dpkg --root -i"

for f in usr/sbin/droverd usr/bin/drover; do
    check "/$f is an executable" test -x "$root/$f"
    check "/$f is stripped" bash -c "! readelf -S '$root/$f' | grep -q '\.symtab'"
done
check "drpcli resolves to drover" test "$(readlink -f "$root/usr/bin/drpcli")" = "$(readlink -f "$root/usr/bin/drover")"
for f in lib/systemd/system/droverd.service lib/systemd/system/drover-agent.service \
    usr/share/doc/drover/examples/drover-agent-unconfined.conf etc/drover/droverd.conf \
    usr/lib/sysusers.d/droverd.conf usr/share/bash-completion/completions/drover \
    usr/share/man/man8/droverd.8.gz usr/share/man/man1/drover.1.gz; do
    check "/$f installed" test -s "$root/$f"
done
check "drpcli completion resolves to drover's" test -s "$root/usr/share/bash-completion/completions/drpcli"
check "drpcli.1 resolves to drover.1" test -s "$root/usr/share/man/man1/drpcli.1.gz"
check "droverd.8.gz is a man page" bash -c "zcat '$root/usr/share/man/man8/droverd.8.gz' | grep -q '^\.TH DROVERD \"8\"'"
check "droverd.conf is a conffile" grep -qx /etc/drover/droverd.conf "$root/var/lib/dpkg/info/droverd.conffiles"
check "dpkg lists droverd.conf in Conffiles" grep -q /etc/drover/droverd.conf \
    <<<"$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Conffiles}' droverd)"
check "droverd --version" test "$("$root/usr/sbin/droverd" --version)" = "$version"
check "drpcli --version" test "$("$root/usr/bin/drpcli" --version)" = "$version"

# The drover system user and its data dir, in the scratch root's own user database.
user=$(grep '^drover:' "$root/etc/passwd" || true)
IFS=: read -r _ _ uid gid _ home shell <<<"$user"
check "drover user created in the scratch root" test -n "$user"
check "drover is a system user (uid $uid)" test "${uid:-1000}" -lt 1000
check "drover's home is /var/lib/drover" test "$home" = /var/lib/drover
check "drover has no login shell" test "$shell" = /usr/sbin/nologin
check "/var/lib/drover is drover's, 0750" test "$(stat -c '%a %u %g' "$root/var/lib/drover")" = "750 $uid $gid"
phase "checks"

# Upgrade (the same version again): data and the admin's config edit stay.
echo data >"$root/var/lib/drover/marker"
echo "# edited by the admin" >>"$root/etc/drover/droverd.conf"
dpkg_root -i "$droverd_deb" "$drover_deb"
check "upgrade keeps the data dir" test -f "$root/var/lib/drover/marker"
check "upgrade keeps the edited conffile" grep -q "edited by the admin" "$root/etc/drover/droverd.conf"
check "upgrade keeps the data dir's mode" test "$(stat -c '%a' "$root/var/lib/drover")" = 750

# Remove keeps data and config; purge deletes both, and keeps the user.
dpkg_root -r droverd
check "remove deletes droverd" test ! -e "$root/usr/sbin/droverd"
check "remove keeps the data dir" test -f "$root/var/lib/drover/marker"
check "remove keeps the conffile" test -f "$root/etc/drover/droverd.conf"
dpkg_root -P droverd drover
check "purge deletes the data dir" test ! -e "$root/var/lib/drover"
check "purge deletes the conffile" test ! -e "$root/etc/drover/droverd.conf"
check "purge deletes drover" test ! -e "$root/usr/bin/drover"
check "purge keeps the drover user" grep -q '^drover:' "$root/etc/passwd"
phase "upgrade, remove, purge"

[ "$(host_state)" = "$host_before" ] || fail "the host's users, packages or drover dirs changed"
echo "deb install: $failures failed"
[ "$failures" -eq 0 ]
