# Sourced by hack/test.sh. The scale correctness test (Tests/CapstanControllerTests/Scale)
# runs tens of thousands of pods, which only a release build of capstan carries in well
# under two minutes; build it (incrementally) and hand its path to the tests. The build is
# hack/build-release.sh, the one the image ships, so after start_image it has nothing to do.

start_release_capstan() {
  CAPSTAN_RELEASE_BIN=$(hack/build-release.sh)
  export CAPSTAN_RELEASE_BIN
}
