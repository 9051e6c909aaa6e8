#!/usr/bin/env bash
# Capstan's scale benchmarks (docs/performance.md): builds `capstan` in release mode, then
# runs each scenario against its own `capstan sim` + `capstan run` pair.
# Usage: hack/bench/scale.sh [--scale F] [--time-limit S] [--json FILE] [SCENARIO...]
#   SCENARIO: map-1m concurrent-50k many-workflows chain-handoff efficiency shards-2 (default: all)
#   --scale 0.02 runs every scenario at 2% of its size, for a quick check.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kubectl >/dev/null || { echo "scale.sh: kubectl is needed to apply the CRD" >&2; exit 2; }
bin=$(hack/build-release.sh)
exec python3 hack/bench/scale.py --bin "$bin" "$@"
