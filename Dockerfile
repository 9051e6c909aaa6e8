# syntax=docker/dockerfile:1
# The Capstan controller image: `docker build -t ghcr.io/capstan-dev/capstan:0.1.0 .`
#
# Stage 1 builds a release `capstan` with the Swift standard library and Foundation linked
# in statically, so the final image needs only glibc, libstdc++, zlib and CA certificates.
# The builder is Ubuntu 22.04 (glibc 2.35), older than the runtime's Debian 12 (glibc 2.36):
# a binary built against an older glibc runs on a newer one, never the other way round.
ARG SWIFT_VERSION=6.3
FROM swift:${SWIFT_VERSION}-jammy AS build
WORKDIR /src

# Dependencies first, so that a source change does not re-fetch them.
COPY Package.swift ./
COPY Package.resolved* ./
RUN swift package resolve

COPY . .
RUN swift build -c release --static-swift-stdlib --product capstan \
 && mkdir -p /out \
 && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/capstan" /out/capstan \
 && strip /out/capstan \
 && /out/capstan --help >/dev/null

# Stage 2: Debian 12 slim. The binary needs glibc, libstdc++, libgcc_s and zlib (ldd of a
# static-stdlib release build); zlib is not in distroless/cc, but it is part of every Debian
# base image. CA certificates are for S3 and the API server's TLS. No user entry is needed:
# Kubernetes runs the container as the numeric user 65532.
FROM debian:bookworm-slim
# Unpinned on purpose: CA certificates should be the newest the base release ships.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
LABEL org.opencontainers.image.title="capstan" \
      org.opencontainers.image.description="Capstan, a Kubernetes workflow operator written in Swift"
COPY --from=build /out/capstan /usr/local/bin/capstan
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/capstan"]
CMD ["run"]
