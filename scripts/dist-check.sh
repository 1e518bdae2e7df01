#!/usr/bin/env bash
# The distribution tarball as an operator uses it: unpack it, start the all-in-one node with
# bin/registry-server.sh and a config file on free ports, wait for readiness, check status and
# that a second start is refused, stop it (SIGTERM, drain) and check the process is gone; then
# run meta, data and session as three processes from the same unpacked tarball with the per-role
# conf files (ports overridden through REGISTRY_<KEY> variables), wait for readiness, stop all.
# Cleans up every process it started and the temp folder on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# REGISTRY_DIST_TARBALL checks a given tarball as it is; otherwise the build's, rebuilt when stale.
if [[ -n "${REGISTRY_DIST_TARBALL:-}" ]]; then
  TARBALL="$(realpath "$REGISTRY_DIST_TARBALL")"
else
  TARBALL="$REPO_ROOT/registry-server/target/registry-server-0.1.0-SNAPSHOT-dist.tar.gz"
  ensure_server_jar
  if [[ ! -f "$TARBALL" || "$TARBALL" -ot "$SERVER_JAR" ]] \
     || [[ -n "$(find "$REPO_ROOT/registry-server/src/main/dist" -newer "$TARBALL" -print -quit)" ]]; then
    echo "building the distribution (mvn -DskipTests package) ..."
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests package -pl registry-server -am)
  fi
fi

WORK="$(mktemp -d)"
DIST=""
cleanup() {
  local code=$?
  if [[ -n "$DIST" && -d "$DIST/run" ]]; then
    for f in "$DIST"/run/*.pid; do
      [[ -f "$f" ]] || continue
      pid="$(cat "$f")"
      if kill -0 "$pid" 2>/dev/null; then echo "cleanup: kill -9 $pid ($(basename "$f"))"; kill -9 "$pid" 2>/dev/null || true; fi
    done
  fi
  if [[ $code != 0 && -n "$DIST" ]]; then
    for log in "$DIST"/logs/*.log; do [[ -f "$log" ]] && { echo "---- $log (last 30 lines)"; tail -n 30 "$log"; }; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Below the kernel's ephemeral range (32768+ by default), where free ports (port 0) and outgoing
# connections take theirs: a port checked free here is not taken a moment later.
USED_PORTS=" "
free_port() {
  local p
  while :; do
    p=$((12000 + RANDOM % 20000))
    [[ "$USED_PORTS" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS+="$p "
      echo "$p"
      return
    fi
  done
}

wait_ready() { # port what
  local t0=$SECONDS
  until curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null; do
    ((SECONDS - t0 < 60)) || fail "$2 not ready on :$1 after 60 s"
    sleep 0.5
  done
  echo "  $2 ready on :$1 after $((SECONDS - t0)) s"
}

echo "== unpack $(basename "$TARBALL")"
tar xzf "$TARBALL" -C "$WORK"
DIST="$(find "$WORK" -mindepth 1 -maxdepth 1 -type d -name 'registry-*')"
[[ -n "$DIST" ]] || fail "the tarball has no registry-<version>/ folder"
for f in bin/registry-server.sh bin/registry-cli.sh "lib/registry-server-${DIST##*/registry-}-all.jar" conf/registry.properties \
         conf/meta.properties conf/data.properties conf/session.properties conf/logback.xml; do
  [[ -e "$DIST/$f" ]] || fail "the tarball has no $f"
done
[[ -x "$DIST/bin/registry-server.sh" ]] || fail "bin/registry-server.sh is not executable"
SERVER="$DIST/bin/registry-server.sh"

echo "== all-in-one from a config file on free ports"
MP=$(free_port); MH=$(free_port); DP=$(free_port); DH=$(free_port); SP=$(free_port); SH=$(free_port)
CONF="$WORK/all-in-one.properties"
{
  cat "$DIST/conf/registry.properties"
  printf 'meta-port=%s\nmeta-http-port=%s\ndata-port=%s\ndata-http-port=%s\nsession-port=%s\nsession-http-port=%s\nslots=32\n' \
    "$MP" "$MH" "$DP" "$DH" "$SP" "$SH"
  echo "admin-token=dist-check-secret-token"
} >"$CONF"
"$SERVER" start --config "$CONF"
wait_ready "$SH" "session (all-in-one)"
"$SERVER" status --config "$CONF" | tee "$WORK/status.out"
grep -q "is running" "$WORK/status.out" || fail "status does not say running"
grep -q "clients :$SP" "$WORK/status.out" || fail "status does not show the session port $SP"
PID="$(cat "$DIST/run/registry-all.pid")"
if "$SERVER" start --config "$CONF" 2>"$WORK/second.err"; then fail "a second start was not refused"; fi
grep -q "already running" "$WORK/second.err" || fail "second start: $(cat "$WORK/second.err")"
echo "  a second start is refused: $(cat "$WORK/second.err")"
LOG="$DIST/logs/registry-all.log"
grep -q "configuration: config file $CONF" "$LOG" || fail "no configuration line in the log"
grep -q "from file: .*admin-token" "$LOG" || fail "the configuration line does not list the file's keys"
if grep -q "dist-check-secret-token" "$LOG"; then fail "the admin token appears in the log"; fi
"$SERVER" stop --config "$CONF"
if kill -0 "$PID" 2>/dev/null; then fail "pid $PID still alive after stop"; fi
[[ ! -f "$DIST/run/registry-all.pid" ]] || fail "pid file left behind"
if "$SERVER" status --config "$CONF" >/dev/null; then fail "status says running after stop"; else
  [[ $? == 3 ]] || fail "status after stop should exit 3"; fi
echo "  stopped; process $PID is gone, status exits 3"

echo "== a bad config file fails at start with exit code 2"
printf 'sesion-port=1\n' >"$WORK/bad.properties"
code=0
"$SERVER" start --config "$WORK/bad.properties" >"$WORK/bad.out" 2>&1 || code=$?
[[ $code == 2 ]] || { cat "$WORK/bad.out"; fail "bad config: exit code $code, expected 2"; }
grep -q "did you mean 'session-port'" "$WORK/bad.out" || fail "bad config message: $(cat "$WORK/bad.out")"
echo "  refused: $(grep -m1 'unknown key' "$WORK/bad.out")"

echo "== meta, data, session as three processes with conf/<role>.properties"
MP=$(free_port); MH=$(free_port); DP=$(free_port); DH=$(free_port); SP=$(free_port); SH=$(free_port)
# A fresh meta database: the all-in-one above kept its slot table in the distribution's data/.
export REGISTRY_META_DB_URL="jdbc:h2:file:$WORK/meta-db/registry-meta;AUTO_SERVER=TRUE"
REGISTRY_META_PORT=$MP REGISTRY_META_HTTP_PORT=$MH "$SERVER" start --role meta
unset REGISTRY_META_DB_URL
wait_ready "$MH" "meta"
REGISTRY_META_SERVERS="127.0.0.1:$MP" REGISTRY_DATA_PORT=$DP REGISTRY_DATA_HTTP_PORT=$DH \
  "$SERVER" start --config "$DIST/conf/data.properties"
REGISTRY_META_SERVERS="127.0.0.1:$MP" REGISTRY_SESSION_PORT=$SP REGISTRY_SESSION_HTTP_PORT=$SH \
  "$SERVER" start --role session
wait_ready "$DH" "data"
wait_ready "$SH" "session"
PIDS=()
for role in meta data session; do
  "$SERVER" status --role "$role" >/dev/null || fail "status --role $role: not running"
  PIDS+=("$(cat "$DIST/run/registry-$role.pid")")
done
echo "  running: meta ${PIDS[0]}, data ${PIDS[1]}, session ${PIDS[2]}"
"$DIST/bin/registry-cli.sh" publish --servers "127.0.0.1:$SP" --data-id dist-check --value 10.0.0.9:80 --hold-seconds 1 \
  >"$WORK/cli.out" 2>&1 || { cat "$WORK/cli.out"; fail "bin/registry-cli.sh publish failed"; }
grep -q "published 1 publisher" "$WORK/cli.out" || fail "bin/registry-cli.sh: $(cat "$WORK/cli.out")"
echo "  bin/registry-cli.sh published through the session"
grep -q "from environment: meta-servers, data-port, data-http-port" "$DIST/logs/registry-data.log" \
  || fail "data's configuration line: $(grep 'configuration:' "$DIST/logs/registry-data.log")"
for role in session data meta; do
  "$SERVER" stop --role "$role"
done
for pid in "${PIDS[@]}"; do
  if kill -0 "$pid" 2>/dev/null; then fail "pid $pid still alive after stop"; fi
done
echo "  all three stopped and gone"
echo "dist check OK"
