#!/usr/bin/env bash
# Shared by the scripts: locate the repository and the runnable jar, building it if needed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVER_JAR="$REPO_ROOT/registry-server/target/registry-server-0.1.0-SNAPSHOT-all.jar"

# Builds the runnable jar when it is missing or older than any source file.
ensure_server_jar() {
  # Only the modules the server jar is built from count (not examples/, the integrations or the bench).
  local m modules=()
  for m in registry-common registry-meta registry-data registry-session registry-client registry-server; do
    modules+=("$REPO_ROOT/$m/src/main")
  done
  if [[ -f "$SERVER_JAR" ]] && [[ -z "$(find "${modules[@]}" -newer "$SERVER_JAR" -print -quit)" ]] \
     && [[ "$REPO_ROOT/pom.xml" -ot "$SERVER_JAR" ]]; then
    return 0
  fi
  echo "building registry (mvn -DskipTests package) ..." >&2
  # One Maven at a time on a shared machine: take the same lock the developers' builds take.
  if command -v flock >/dev/null; then
    (cd "$REPO_ROOT" && flock /tmp/mvn.lock mvn -B -q -DskipTests package -pl registry-server -am) >&2
  else
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests package -pl registry-server -am) >&2
  fi
}

# JVM options for class-data sharing of the server jar (AppCDS): the first run of a build writes
# an archive of the classes it loaded when it exits ($SERVER_JAR.jsa); later starts map it instead
# of loading and verifying those classes again, about 1 s of the all-in-one's 2.5 s start.
# A rebuilt jar is newer than its archive: the next run writes a new one. REGISTRY_CDS=off: none.
server_cds_opts() {
  [[ "${REGISTRY_CDS:-on}" == off ]] && return 0
  local archive="$SERVER_JAR.jsa"
  if [[ -f "$archive" && "$archive" -nt "$SERVER_JAR" ]]; then
    echo "-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  else
    rm -f "$archive"
    echo "-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  fi
}

java_cmd() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

# A temporary directory $WORK and a list $PIDS of background processes: on exit every process
# in $PIDS is killed and $WORK removed.
start_work_dir() {
  WORK="$(mktemp -d)"
  PIDS=()
  trap cleanup_work_dir EXIT
}

cleanup_work_dir() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

# Waits up to 60 s for GET /health/ready on 127.0.0.1:PORT to answer 200; otherwise prints LOG
# and exits 1.
await_ready() {
  local port=$1 log=$2 i
  echo "waiting for readiness on :$port ..."
  for i in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; then echo "ready"; return 0; fi
    sleep 0.5
  done
  echo "registry not ready after 60 s"
  cat "$log"
  exit 1
}

# Polls FILE every 0.25 s, TRIES times, for a line matching the grep pattern PATTERN; otherwise
# prints WHAT and the tail of LOG (default: FILE) and exits 1.
await_line() {
  local file=$1 pattern=$2 tries=$3 what=$4 log=${5:-$1} i
  for ((i = 0; i < tries; i++)); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.25
  done
  echo "$what"
  tail -20 "$log"
  exit 1
}

# Runs the command every 20 ms until it succeeds and sets ELAPSED_MS to the time that took; after
# LIMIT_MS prints WHAT and the file SHOW and exits 1. Usage: timed_until LIMIT_MS WHAT SHOW cmd...
timed_until() {
  local limit=$1 what=$2 show=$3 t0
  shift 3
  t0=$(date +%s%N)
  until "$@"; do
    if (( ($(date +%s%N) - t0) / 1000000 > limit )); then echo "$what"; cat "$show"; exit 1; fi
    sleep 0.02
  done
  ELAPSED_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# --secure (scripts/run.sh, scripts/cluster.sh): makes, once, in DIR (mode 700, files 600) a private
# CA, one node certificate for this host (127.0.0.1, localhost, its host name), the credentials of
# two apps (demo.credentials, other.credentials) and an apps file in which each app may publish
# only its own prefix (demo.*, other.*). Needs the openssl command. Keeps what DIR already holds.
make_secrets() {
  local dir=$1 app
  command -v openssl >/dev/null || { echo "--secure needs the openssl command (Debian: apt-get install openssl)" >&2; exit 1; }
  mkdir -p "$dir"
  chmod 700 "$dir"
  [[ -f "$dir/ca.pem" && -f "$dir/apps.properties" ]] && return 0
  (
    cd "$dir"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 825 -subj /CN=registry-ca 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:%s\n' "$(hostname)" > node.ext
    openssl req -newkey rsa:2048 -nodes -keyout node.key -out node.csr -subj /CN=registry-node 2>/dev/null
    openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -extfile node.ext \
      -out node.pem 2>/dev/null
    rm -f node.csr node.ext ca.srl
    : > apps.properties
    for app in demo other; do
      local key secret
      key="AK-$app-$(openssl rand -hex 6)"
      secret="$(openssl rand -hex 24)"
      printf 'app=%s\naccessKey=%s\nsecretKey=%s\n' "$app" "$key" "$secret" > "$app.credentials"
      printf '%s.accessKey=%s\n%s.secretKey=%s\n%s.publish=%s.*\n%s.subscribe=*\n' \
        "$app" "$key" "$app" "$secret" "$app" "$app" "$app" >> apps.properties
    done
    chmod 600 ./*
  )
  echo "secrets made in $dir: ca.pem, node.pem/node.key, demo.credentials, other.credentials, apps.properties" >&2
}

# The server options --secure adds: TLS on the client port, mutual TLS between the roles, the apps file.
secure_server_opts() {
  local dir=$1
  echo "--tls-cert $dir/node.pem --tls-key $dir/node.key --cluster-tls-cert $dir/node.pem" \
       "--cluster-tls-key $dir/node.key --cluster-tls-ca $dir/ca.pem --auth-apps-file $dir/apps.properties"
}

# ---- shared by the demo scripts (demo-spring-cloud.sh, demo-sofarpc.sh, demo-dubbo.sh) ----

# demo_options DEFAULT_BASE "$@": sets BASE (--base-port) and SECONDS_EACH (--seconds, default 5);
# --help prints the calling script's header comment.
demo_options() {
  BASE=$1; shift
  SECONDS_EACH=5
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --seconds) SECONDS_EACH=$2; shift 2 ;;
      --base-port) BASE=$2; shift 2 ;;
      -h|--help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) echo "unknown option $1 (--help)" >&2; exit 2 ;;
    esac
  done
}

now_ms() { date +%s%3N; }

# Maven, one build at a time on a shared machine (the lock the developers' builds take), quiet, to stderr.
mvn_locked() {
  if command -v flock >/dev/null; then
    flock /tmp/mvn.lock mvn -B -q -Dstyle.color=never "$@" >&2
  else
    mvn -B -q -Dstyle.color=never "$@" >&2
  fi
}

# Refuses to go on when something already listens on one of these loopback ports.
require_free_ports() {
  local port
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "something already listens on 127.0.0.1:$port; not starting. Pass another --base-port." >&2
      exit 1
    fi
  done
}

# Stops a process with SIGTERM (a graceful shutdown), SIGKILL after 15 s.
stop_process() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -9 "$pid" 2>/dev/null || true
}
