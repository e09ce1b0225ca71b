#!/usr/bin/env bash
# Installs the Debian 12 packages drover builds and tests with. Idempotent: it asks apt only
# for what is missing, so a machine that has everything does no network work at all.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git ca-certificates
  libcpp-httplib-dev nlohmann-json3-dev liblmdb-dev libfmt-dev libcli11-dev catch2
  libssl-dev libyaml-cpp-dev libre2-dev
  jq # packaging/demo.sh reads the CLI's JSON with it
  help2man file systemd procps   # .deb packaging: man pages, CPack's shlibdeps, `systemd-analyze verify`, /bin/kill
  clang libclang-rt-14-dev # tests/fuzz/run.sh: libFuzzer, ASan and UBSan (ctest fuzz_smoke)
  llvm                     # llvm-symbolizer: file:line in sanitizer and fuzzer stack traces
  nodejs                   # the dashboard (server/ui): node runs tsc and the browser tests
  node-typescript          # tsc: the dashboard's TypeScript is compiled at build time
  chromium                 # the dashboard's browser tests (playwright-core drives it)
)
# npm (the browser tests install playwright-core with it) from Debian, unless one is already
# there: NodeSource's nodejs ships its own npm, which Debian's npm package would conflict with.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
