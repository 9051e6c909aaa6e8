# Sourced by hack/test.sh, before the other setups (they are sourced by name).
# capstan_apt_install WHO PACKAGE...: installs Debian packages with apt-get, quietly; when that
# fails, prints the end of apt's output under WHO's name and returns 1.

capstan_apt_install() {
  local who=$1 log
  shift
  log=$(mktemp)
  if ! { apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } \
      </dev/null >"$log" 2>&1; then
    echo "$who: apt-get install $* failed:" >&2
    tail -20 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}
