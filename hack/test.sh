#!/usr/bin/env bash
# The one test command: installs what the tests need, starts the servers they talk to on
# 127.0.0.1, runs `swift test`, and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CAPSTAN_TEST_TOOLS="$root/hack/.tools"
mkdir -p "$CAPSTAN_TEST_TOOLS"

for setup in hack/test.d/*.sh; do
  [ -e "$setup" ] || continue
  # shellcheck source=/dev/null
  source "$setup"
done

cleanup() {
  for stop in $(declare -F | awk '{print $3}' | grep '^stop_' || true); do "$stop" || true; done
}
trap cleanup EXIT

for start in $(declare -F | awk '{print $3}' | grep '^start_' || true); do "$start"; done

swift build --product capstan
export CAPSTAN_BIN="$root/.build/debug/capstan"
swift test "$@"
