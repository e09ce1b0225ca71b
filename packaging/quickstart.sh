#!/usr/bin/env bash
# The README's two commands: `demo` shows drover working, `test` runs the whole suite.
# Both install what is missing, configure and build in ./build, and are safe to repeat.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in demo | test) ;; *)
  echo "usage: packaging/quickstart.sh demo|test" >&2
  exit 2
  ;;
esac

packaging/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDROVER_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"

if [ "$mode" = test ]; then
  ctest --test-dir build -j"$(nproc)" --output-on-failure --timeout 600
  exit $?
fi

exec packaging/demo.sh
