# Sourced by hack/test.sh. The scale correctness test (Tests/CapstanControllerTests/Scale)
# runs tens of thousands of pods, which only a release build of capstan carries in well
# under two minutes; build it (incrementally) and hand its path to the tests.

start_release_capstan() {
  swift build -c release --product capstan >&2
  CAPSTAN_RELEASE_BIN="$(pwd)/.build/release/capstan"
  export CAPSTAN_RELEASE_BIN
}
