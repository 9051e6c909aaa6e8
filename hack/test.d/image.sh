# Sourced by hack/test.sh. Builds the controller image with hack/image.sh and hands the
# archive to the image tests (Tests/CapstanControllerTests/Deploy/ImageTests.swift) as
# CAPSTAN_IMAGE_ARCHIVE. buildah builds it (with binutils' strip); skopeo and umoci unpack it
# in the tests; the image takes its CA bundle from ca-certificates. All are Debian packages,
# installed when missing. start_image runs before start_release_capstan (alphabetical order) and
# makes the release build both use.

capstan_setup_image_tools() {
  local packages=() tool
  for tool in buildah skopeo umoci; do
    command -v "$tool" >/dev/null 2>&1 || packages+=("$tool")
  done
  command -v strip >/dev/null 2>&1 || packages+=(binutils)
  [ -s /etc/ssl/certs/ca-certificates.crt ] || packages+=(ca-certificates)
  [ ${#packages[@]} -eq 0 ] && return 0
  capstan_apt_install test.d/image.sh "${packages[@]}"
}

start_image() {
  local archive
  archive="$(pwd)/.build/capstan-image.tar"
  # An archive from an earlier run must not stand in for one this run failed to build.
  rm -f "$archive"
  unset CAPSTAN_IMAGE_ARCHIVE
  if ! capstan_setup_image_tools; then
    echo "test.d/image.sh: buildah, skopeo or umoci is unavailable; the image tests will fail" >&2
    return 0
  fi
  if hack/image.sh "$archive" >&2; then
    CAPSTAN_IMAGE_ARCHIVE=$archive
    export CAPSTAN_IMAGE_ARCHIVE
  else
    echo "test.d/image.sh: hack/image.sh failed; the image tests will fail" >&2
  fi
  return 0
}
