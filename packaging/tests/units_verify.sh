#!/usr/bin/env bash
# packaging_units_verify: `systemd-analyze verify` has nothing to say about either unit, nor
# about the agent with the unconfined drop-in. verify checks that ExecStart's binary exists, so
# it runs on copies whose ExecStart names the built binaries (the only change), in a temp dir.
# Usage: units_verify.sh <packaging/systemd dir> <built droverd> <built drover>
set -euo pipefail
units=$1 droverd=$2 drover=$3
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: packaging/install-deps.sh installs systemd"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|^ExecStart=/usr/sbin/droverd |ExecStart=$droverd |" "$units/droverd.service" >"$dir/droverd.service"
sed "s|^ExecStart=/usr/bin/drover |ExecStart=$drover |" "$units/drover-agent.service" >"$dir/drover-agent.service"
grep -q "^ExecStart=$droverd " "$dir/droverd.service"
grep -q "^ExecStart=$drover " "$dir/drover-agent.service"

# --man=no: Documentation= names man pages the packages install; the package test checks them.
verify() { systemd-analyze verify --man=no "$@" 2>&1; }
out=$(verify "$dir/droverd.service" "$dir/drover-agent.service")
mkdir "$dir/drover-agent.service.d"
cp "$units/drover-agent-unconfined.conf" "$dir/drover-agent.service.d/"
out+=$(verify "$dir/drover-agent.service")

if [ -n "$out" ]; then
    echo "systemd-analyze verify:"
    echo "$out"
    exit 1
fi
echo "systemd-analyze verify: droverd.service, drover-agent.service (+ unconfined drop-in): clean"
