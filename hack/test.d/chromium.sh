# Sourced by hack/test.sh. Makes headless Chromium available to the web UI's browser tests
# as CAPSTAN_CHROMIUM, from Debian's `chromium` package. The tests fail (they never skip)
# when it is missing.

capstan_setup_chromium() {
  if [ -n "${CAPSTAN_CHROMIUM:-}" ] && [ -x "$CAPSTAN_CHROMIUM" ]; then
    return 0
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    capstan_apt_install chromium.sh chromium || return 1
  fi
  CAPSTAN_CHROMIUM="$(command -v chromium)"
  export CAPSTAN_CHROMIUM
}

capstan_setup_chromium || echo "chromium.sh: chromium is unavailable; the web UI browser tests will fail" >&2
