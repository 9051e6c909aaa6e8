#!/usr/bin/env bash
# The kubelet half of `capstan sim` at scale: PODS pods that stay alive at once are created,
# scheduled onto NODES simulated nodes and brought to Running by the scripted kubelets.
# Prints pod creates per second, the time until every pod runs, and the sim's memory.
# Usage: hack/bench/sim-kubelet.sh [PODS] [NODES] [CLIENTS]     (defaults: 50000 10 4)
set -euo pipefail
cd "$(dirname "$0")/../.."
pods=${1:-50000}
nodes=${2:-10}
clients=${3:-4}
# Enough room on every node for an even share of the pods, and a margin.
per_node=$(( pods / nodes + pods / 10 + 10 ))

swift build -c release --product capstan >/dev/null
bin=.build/release/capstan
out=$(mktemp)
"$bin" sim --listen 127.0.0.1:0 --nodes "$nodes" --node-pods "$per_node" >"$out" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$out" && break; sleep 0.1; done
url=$(sed -n 's/^capstan sim: listening on //p' "$out")
echo "capstan sim (release) at $url: $nodes nodes, $(nproc) cores"
python3 hack/bench/sim-kubelet-load.py "$url" --pods "$pods" --clients "$clients"
echo "sim resident memory: $(( $(awk '/VmRSS/ {print $2}' /proc/$sim/status) / 1024 )) MiB"
