#!/usr/bin/env bash
# The one test command: installs what the tests need, starts the servers they talk to on
# 127.0.0.1, builds once, runs the tests, and stops everything it started. Each phase's
# time is printed, so a slow run shows where the time went.
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

# Runs a phase in this shell (its exports stay) and prints how long it took.
phase() {
  local name=$1 started=$SECONDS
  shift
  "$@"
  echo "hack/test.sh: $name took $((SECONDS - started)) s" >&2
}

run_started=$SECONDS
for start in $(declare -F | awk '{print $3}' | grep '^start_' || true); do phase "$start" "$start"; done

# One debug build of everything, tests included: the `capstan` it links is the one the
# tests run, so nothing is compiled twice (a plain `swift build` and `swift test` build
# with different settings and would compile every module again).
phase "debug build (tests and capstan)" swift build --build-tests
export CAPSTAN_BIN="$root/.build/debug/capstan"
phase "tests" swift test --skip-build "$@"
echo "hack/test.sh: all phases took $((SECONDS - run_started)) s" >&2
