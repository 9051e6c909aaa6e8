# syntax=docker/dockerfile:1
# The Capstan controller image: `docker build -t ghcr.io/capstan-dev/capstan:0.1.0 .`
#
# The same image hack/image.sh builds without Docker (docs/install.md, "The image"): on top of
# nothing, the two layers hack/image-rootfs.sh lays out for the release binary --
#   1. the shared libraries it loads (glibc's loader, libc, libm, libstdc++, libgcc_s, zlib),
#      Debian's CA bundle, /etc/passwd and /etc/group with the user nonroot (65532),
#      /etc/nsswitch.conf and /tmp;
#   2. /usr/local/bin/capstan, built with --static-swift-stdlib (the Swift runtime and
#      Foundation linked in) and stripped --
# running `capstan run` as 65532:65532.
#
# The builder is the Swift image on Debian 12, the release hack/image.sh is run on, and the
# libraries are copied from it: the ones the binary was linked against.
ARG SWIFT_VERSION=6.3
FROM swift:${SWIFT_VERSION}-bookworm AS build
# Unpinned on purpose: CA certificates should be the newest the release ships.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates binutils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependencies first, so that a source change does not re-fetch them.
COPY Package.swift ./
COPY Package.resolved* ./
RUN swift package resolve

COPY . .
RUN binary="$(hack/build-release.sh)" \
 && hack/image-rootfs.sh "$binary" /rootfs \
 && /rootfs/app/usr/local/bin/capstan --help >/dev/null

FROM scratch
COPY --from=build /rootfs/base/ /
COPY --from=build /rootfs/app/ /
LABEL org.opencontainers.image.title="capstan" \
      org.opencontainers.image.description="Capstan, a Kubernetes workflow operator written in Swift" \
      org.opencontainers.image.source="https://github.com/capstan-dev/capstan" \
      org.opencontainers.image.version="0.1.0"
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/capstan"]
CMD ["run"]
