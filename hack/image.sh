#!/usr/bin/env bash
# Builds the controller image without Docker, as an OCI image archive:
#   hack/image.sh [OUT]                       (default .build/capstan-image.tar)
#   skopeo copy oci-archive:OUT docker://REGISTRY/capstan:TAG
#
# The image is the one the Dockerfile describes: two layers laid out by hack/image-rootfs.sh
# (the binary's shared libraries, CA certificates and user files; then
# /usr/local/bin/capstan), ENTRYPOINT ["/usr/local/bin/capstan"], CMD ["run"],
# USER 65532:65532, ports 8080 (metrics) and 8081 (health). The binary is the release build
# of hack/build-release.sh.
#
# buildah (Debian package `buildah`) commits the layers with its storage in a temporary
# folder (vfs driver: no daemon, no mounts, nothing left behind). Every timestamp in the
# image is SOURCE_DATE_EPOCH, by default the time of the last commit, so building one
# commit twice gives the same layers.
#
# Environment:
#   CAPSTAN_IMAGE         the name recorded in the archive (default ghcr.io/capstan-dev/capstan:VERSION)
#   CAPSTAN_IMAGE_VERSION the version label and default tag (default: the chart's appVersion)
#   CAPSTAN_IMAGE_SOURCE  the source label (default https://github.com/capstan-dev/capstan)
#   SOURCE_DATE_EPOCH     the image's timestamps, in seconds since 1970
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

die() { echo "image.sh: $*" >&2; exit 1; }

out=${1:-.build/capstan-image.tar}
case "$out" in /*) ;; *) out="$root/$out" ;; esac
case "$out" in *:*) die "the archive path may not contain ':' ($out)" ;; esac
for tool in buildah python3; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install $tool"
done

version=${CAPSTAN_IMAGE_VERSION:-$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' charts/capstan/Chart.yaml)}
[ -n "$version" ] || die "no appVersion in charts/capstan/Chart.yaml"
image=${CAPSTAN_IMAGE:-ghcr.io/capstan-dev/capstan:$version}
source_url=${CAPSTAN_IMAGE_SOURCE:-https://github.com/capstan-dev/capstan}
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

started=$SECONDS
binary=$(hack/build-release.sh)
echo "image.sh: release build took $((SECONDS - started))s: $binary" >&2

mkdir -p "$root/.build"
work=$(mktemp -d "$root/.build/image.XXXXXX")
trap 'rm -rf "$work"' EXIT
hack/image-rootfs.sh "$binary" "$work/rootfs"

bh() { buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs "$@"; }
commit=(commit --quiet --rm --timestamp "$epoch" --identity-label=false --disable-compression=false)

container=$(bh from scratch)
bh copy --quiet "$container" "$work/rootfs/base" / >/dev/null
bh config --os linux --arch amd64 \
  --created-by "hack/image-rootfs.sh: the shared libraries ldd lists, CA certificates, passwd and group (nonroot 65532)" \
  "$container"
bh "${commit[@]}" "$container" capstan-base >/dev/null

container=$(bh from --pull=never capstan-base)
bh copy --quiet "$container" "$work/rootfs/app" / >/dev/null
bh config \
  --created-by "hack/image-rootfs.sh: /usr/local/bin/capstan (release, static Swift runtime, stripped)" \
  --entrypoint '["/usr/local/bin/capstan"]' --cmd run --user 65532:65532 --workingdir / \
  --port 8080/tcp --port 8081/tcp \
  --label org.opencontainers.image.title=capstan \
  --label "org.opencontainers.image.description=Capstan, a Kubernetes workflow operator written in Swift" \
  --label "org.opencontainers.image.source=$source_url" \
  --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$revision" \
  --label "org.opencontainers.image.created=$created" \
  "$container"
rm -f "$out"
mkdir -p "$(dirname "$out")"
bh "${commit[@]}" "$container" "oci-archive:$out:$image" >/dev/null

# What was built: the archive, its size and its layers, read back from the archive itself.
python3 - "$out" <<'PY'
import gzip, json, os, sys, tarfile
path = sys.argv[1]
with tarfile.open(path) as archive:
    def member(descriptor):
        return archive.extractfile("blobs/" + descriptor["digest"].replace(":", "/"))
    index = json.load(archive.extractfile("index.json"))
    entry = index["manifests"][0]
    manifest = json.load(member(entry))
    config = json.load(member(manifest["config"]))
    unpacked = []
    for layer in manifest["layers"]:
        with gzip.open(member(layer)) as stream:
            unpacked.append(sum(len(chunk) for chunk in iter(lambda: stream.read(1 << 20), b"")))
size = os.path.getsize(path)
settings = config["config"]
print(f"image:   {entry.get('annotations', {}).get('org.opencontainers.image.ref.name', '?')}")
print(f"archive: {path}")
print(f"size:    {size} bytes ({size / 1e6:.1f} MB)")
print(f"runs:    {json.dumps(settings.get('Entrypoint'))} {json.dumps(settings.get('Cmd'))} as {settings.get('User')}")
history = [step for step in config.get("history", []) if not step.get("empty_layer")]
for number, layer in enumerate(manifest["layers"]):
    created_by = history[number].get("created_by", "") if number < len(history) else ""
    print(f"layer {number + 1}: {layer['digest'][:19]}  {layer['size'] / 1e6:5.1f} MB"
          f" ({unpacked[number] / 1e6:5.1f} MB unpacked)  {created_by}")
PY
