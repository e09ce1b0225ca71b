#!/usr/bin/env bash
# Regenerates tests/templates/expected/*.jsonl from corpus_src.py with the Go oracle
# (building it first if needed). Dev tool: needs python3 and Debian's golang packages.
# Usage: tests/templates/regenerate.sh [ORACLE_BINARY]   (default /tmp/gotmpl-oracle)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
oracle="${1:-/tmp/gotmpl-oracle}"
if [ ! -x "$oracle" ]; then
  "$here/../../../shared/tools/gotmpl-oracle/build.sh" "$oracle"
fi
python3 "$here/corpus_gen.py" --oracle "$oracle"
