#!/usr/bin/env bash
# Engine step time and status size over a large map, release build.
# Usage: hack/bench/engine.sh [ITEMS] [RUNNING]   (defaults 100000 5000)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product capstan-bench >&2
.build/release/capstan-bench "${1:-100000}" "${2:-5000}"
