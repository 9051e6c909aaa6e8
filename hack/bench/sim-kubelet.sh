#!/usr/bin/env bash
# The kubelet half of `capstan sim` at scale: PODS pods that stay alive at once are created,
# scheduled onto NODES simulated nodes and brought to Running by the scripted kubelets.
# Prints pod creates per second, the time until every pod runs, and resident memory.
# Usage: hack/bench/sim-kubelet.sh [PODS] [NODES] [CLIENTS]     (defaults: 50000 10 4)
# ATTACH=1 runs the kubelet half as a second process (`capstan sim --attach`) against an
# API-server-only sim, so each half's memory shows separately.
set -euo pipefail
cd "$(dirname "$0")/../.."
pods=${1:-50000}
nodes=${2:-10}
clients=${3:-4}
# Enough room on every node for an even share of the pods (each asks for 10m CPU and
# 16Mi), and a margin.
per_node=$(( pods / nodes + pods / 10 + 10 ))
cpu=$(( per_node / 100 + 1 ))
memory="$(( per_node * 16 / 1024 + 1 ))Gi"
node_flags=(--nodes "$nodes" --node-pods "$per_node" --node-cpu "$cpu" --node-memory "$memory")

bin=$(hack/build-release.sh)
work=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT
wait_for() { for _ in $(seq 200); do grep -q "$2" "$1" && return; sleep 0.1; done; cat "$1"; exit 1; }

if [ "${ATTACH:-0}" = 1 ]; then
  "$bin" sim --listen 127.0.0.1:0 --nodes 0 --kubeconfig-out "$work/kubeconfig" >"$work/server.out" 2>&1 &
  server=$!
  pids+=("$server")
  wait_for "$work/server.out" "listening on"
  "$bin" sim --attach "$work/kubeconfig" "${node_flags[@]}" >"$work/kubelets.out" 2>&1 &
  kubelets=$!
  pids+=("$kubelets")
  wait_for "$work/kubelets.out" "kubelets attached"
else
  "$bin" sim --listen 127.0.0.1:0 "${node_flags[@]}" >"$work/server.out" 2>&1 &
  server=$!
  kubelets=
  pids+=("$server")
  wait_for "$work/server.out" "listening on"
fi
url=$(sed -n 's/^capstan sim: listening on //p' "$work/server.out")
rss() { echo "$(( $(awk '/VmRSS/ {print $2}' "/proc/$1/status") / 1024 )) MiB"; }

echo "capstan sim (release) at $url: $nodes nodes of $cpu CPU, $memory, $per_node pods; $(nproc) cores${kubelets:+; kubelets attached from a second process}"
python3 hack/bench/sim-kubelet-load.py "$url" --pods "$pods" --clients "$clients"
if [ -n "$kubelets" ]; then
  echo "resident memory: API server $(rss "$server"), kubelet half $(rss "$kubelets")"
else
  echo "sim resident memory (API server and kubelet half): $(rss "$server")"
fi
