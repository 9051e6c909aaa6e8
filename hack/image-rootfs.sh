#!/usr/bin/env bash
# Lays out the controller image's two layers for a `capstan` binary:
#   hack/image-rootfs.sh BINARY DIR
#
#   DIR/base  the shared libraries `ldd BINARY` lists (the dynamic loader, libc, libm,
#             libstdc++, libgcc_s, zlib: nothing else), at the paths the loader looks for
#             them; Debian's CA bundle (/etc/ssl/certs/ca-certificates.crt, for S3 and the
#             API server's TLS); /etc/passwd and /etc/group with root and nonroot (65532,
#             home /tmp, where the Deployment mounts a writable emptyDir); /etc/nsswitch.conf
#             (files before DNS, as in Debian) and /tmp (1777).
#   DIR/app   /usr/local/bin/capstan, stripped.
#
# Everything is owned by root and comes from this machine, so the libraries are the ones the
# binary was linked against. hack/image.sh commits the two folders as two layers with
# buildah; the Dockerfile copies them from its build stage. No time zone data: the binary
# only ever asks for UTC, which Foundation's bundled ICU knows.
set -euo pipefail
umask 022

die() { echo "image-rootfs.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: hack/image-rootfs.sh BINARY DIR"
binary=$1
dir=$2
[ -x "$binary" ] || die "$binary is not an executable file"
certs=/etc/ssl/certs/ca-certificates.crt
[ -s "$certs" ] || die "$certs is missing: apt-get install ca-certificates"
command -v strip >/dev/null || die "strip is missing: apt-get install binutils"

rm -rf "$dir/base" "$dir/app"
base=$dir/base
mkdir -p "$base/etc/ssl/certs" "$base/tmp" "$dir/app/usr/local/bin"
chmod 1777 "$base/tmp"

# `ldd` prints "NAME => PATH (ADDRESS)" for each library, "PATH (ADDRESS)" for the loader
# and "linux-vdso.so.1 (ADDRESS)" for the kernel's own, which has no file.
ldd_output=$(ldd "$binary") || die "ldd $binary failed"
libraries=()
while read -r line; do
  case "$line" in
    *"not found"*) die "$binary needs a library this machine lacks: $line" ;;
    *" => "*) path=${line#* => }; path=${path%% (*} ;;
    /*) path=${line%% (*} ;;
    *) continue ;;
  esac
  case "$path" in
    */libswift* | */libFoundation* | */lib_FoundationICU* | */libdispatch* | */libBlocksRuntime*)
      die "$binary loads the Swift runtime ($path): build it with --static-swift-stdlib" ;;
  esac
  mkdir -p "$base$(dirname "$path")"
  cp -L "$path" "$base$path"
  libraries+=("$path")
done <<<"$ldd_output"
[ ${#libraries[@]} -gt 0 ] || die "ldd listed no libraries for $binary"

cp -L "$certs" "$base$certs"
cat >"$base/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin
PASSWD
cat >"$base/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
cat >"$base/etc/nsswitch.conf" <<'NSS'
passwd: files
group: files
hosts: files dns
NSS

strip -o "$dir/app/usr/local/bin/capstan" "$binary"
chmod 0755 "$dir/app/usr/local/bin/capstan"

echo "image-rootfs.sh: libraries ${libraries[*]}" >&2
