#!/usr/bin/env bash
# Throughput of `capstan sim` itself: pod creates per second over keep-alive connections,
# watch events per second delivered to concurrent watchers, and list latency at that size.
# Usage: hack/bench/sim/run.sh [PODS] [CLIENTS] [WATCHERS]     (defaults: 50000 4 2)
set -euo pipefail
cd "$(dirname "$0")/../../.."
pods=${1:-50000}
clients=${2:-4}
watchers=${3:-2}

bin=$(hack/build-release.sh)
out=$(mktemp)
"$bin" sim --listen 127.0.0.1:0 --nodes 0 >"$out" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$out" && break; sleep 0.1; done
url=$(sed -n 's/^capstan sim: listening on //p' "$out")
echo "capstan sim (release) at $url, $(nproc) cores"
python3 hack/bench/sim/load.py "$url" --pods "$pods" --clients "$clients" --watchers "$watchers"
echo "sim resident memory: $(( $(awk '/VmRSS/ {print $2}' /proc/$sim/status) / 1024 )) MiB"
