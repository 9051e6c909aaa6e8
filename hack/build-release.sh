#!/usr/bin/env bash
# Builds the release `capstan` the image ships, and prints its path on standard output (the
# build's own output goes to standard error). The Swift runtime and Foundation are linked in
# statically, so the binary needs only glibc, libstdc++, libgcc_s and zlib at run time.
# hack/image.sh and hack/test.d/release-capstan.sh both build through this script, so
# hack/test.sh builds release once and the rest is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-c release --product capstan --static-swift-stdlib)
swift build "${flags[@]}" >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/capstan"
