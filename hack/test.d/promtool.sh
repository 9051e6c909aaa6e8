# Sourced by hack/test.sh. Makes promtool available to the alert-rule tests as
# CAPSTAN_PROMTOOL. promtool comes with Debian's `prometheus` package; only the binary is
# wanted, so a Prometheus server that the package's install script may have started is
# stopped again through the package's own init script (which stops it by its pidfile).

capstan_setup_promtool() {
  if [ -n "${CAPSTAN_PROMTOOL:-}" ] && [ -x "$CAPSTAN_PROMTOOL" ]; then
    return 0
  fi
  if ! command -v promtool >/dev/null 2>&1; then
    capstan_apt_install promtool.sh prometheus || return 1
    if [ -x /etc/init.d/prometheus ] && /etc/init.d/prometheus status >/dev/null 2>&1; then
      /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    fi
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
      systemctl stop prometheus >/dev/null 2>&1 || true
    fi
  fi
  CAPSTAN_PROMTOOL="$(command -v promtool)"
  export CAPSTAN_PROMTOOL
}

capstan_setup_promtool || echo "promtool.sh: promtool is unavailable; the alert-rule tests will fail" >&2
