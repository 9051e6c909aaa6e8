# syntax=docker/dockerfile:1
# The Capstan controller image: `docker build -t ghcr.io/capstan-dev/capstan:0.1.0 .`
#
# Stage 1 builds a release `capstan` with the Swift standard library and Foundation linked
# in statically, so the final image needs only glibc, libstdc++ and CA certificates.
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

# Stage 2: distroless with glibc, libstdc++ and CA certificates (for S3 and the API server's
# TLS), no shell, and the `nonroot` user 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="capstan" \
      org.opencontainers.image.description="Capstan, a Kubernetes workflow operator written in Swift"
COPY --from=build /out/capstan /usr/local/bin/capstan
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/capstan"]
CMD ["run"]
