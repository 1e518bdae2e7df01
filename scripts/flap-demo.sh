#!/usr/bin/env bash
# Flap damping (issue 16) with real processes: starts the all-in-one registry (scripts/run.sh, in a
# temporary folder), then dev.registry.bench.FlapDemo against it: a provider whose link is reset
# every 2.5 s (and refused 1.5 s each time) by an in-process proxy stays listed for a subscriber; a
# stable provider in another process that is killed with SIGKILL is gone within a second.
# Prints a summary line and PASS/FAIL verdicts; exits 0 when all pass, 1 otherwise.
#   scripts/flap-demo.sh                                  # 60 s of flapping (about 75 s in all)
#   scripts/flap-demo.sh --seconds 20                     # shorter
#   scripts/flap-demo.sh --reset-every-millis 2000 --down-millis 1000 --data-id other
#   scripts/flap-demo.sh --session-port 9700 --session-http-port 9703 --meta-port 9710 ...
# Demo options (--seconds, --reset-every-millis, --down-millis, --data-id) go to the demo;
# --session-port / --session-http-port go to both; every other option goes to scripts/run.sh.
# On exit the registry is stopped and the temporary folder removed; the registry's WARN/ERROR log
# lines are printed before that.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_JAR="$REPO_ROOT/registry-bench/target/registry-bench-0.1.0-SNAPSHOT-all.jar"
SESSION_PORT=9600
ADMIN_PORT=9603
DEMO_ARGS=()
SERVER_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds|--reset-every-millis|--down-millis|--data-id) DEMO_ARGS+=("$1" "$2"); shift 2 ;;
    --session-port) SESSION_PORT=$2; SERVER_ARGS+=("$1" "$2"); shift 2 ;;
    --session-http-port) ADMIN_PORT=$2; SERVER_ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) SERVER_ARGS+=("$1"); shift ;;
  esac
done

# Never measure someone else's registry: await_ready would happily accept it.
if curl -s -o /dev/null "http://127.0.0.1:$ADMIN_PORT/health/ready" \
   || (exec 3<>"/dev/tcp/127.0.0.1/$SESSION_PORT") 2>/dev/null; then
  echo "something already listens on 127.0.0.1:$SESSION_PORT or :$ADMIN_PORT (another registry?); not starting one." >&2
  echo "Stop it, or pass other ports (--session-port P --session-http-port Q and the other *-port options)." >&2
  exit 1
fi

ensure_server_jar
if [[ ! -f "$BENCH_JAR" ]] || [[ -n "$(find "$REPO_ROOT/registry-bench/src/main" "$REPO_ROOT/registry-client/src/main" \
      "$REPO_ROOT/registry-common/src/main" -newer "$BENCH_JAR" -print -quit)" ]]; then
  echo "building registry-bench (mvn -DskipTests package) ..." >&2
  if command -v flock >/dev/null; then
    (cd "$REPO_ROOT" && flock /tmp/mvn.lock mvn -B -q -DskipTests package -pl registry-bench -am) >&2
  else
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests package -pl registry-bench -am) >&2
  fi
fi

start_work_dir
# A private copy: the demo starts a second JVM from it, and other work may rebuild target/ meanwhile.
cp "$BENCH_JAR" "$WORK/registry-bench-all.jar"

# run.sh execs java: $! is the registry's own pid. Its working directory (data folder) is $WORK.
(cd "$WORK" && exec "$REPO_ROOT/scripts/run.sh" "${SERVER_ARGS[@]+"${SERVER_ARGS[@]}"}") >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
PIDS+=("$REGISTRY_PID")
await_ready "$ADMIN_PORT" "$WORK/registry.log"

code=0
"$(java_cmd)" -cp "$WORK/registry-bench-all.jar" dev.registry.bench.FlapDemo \
  --session "127.0.0.1:$SESSION_PORT" --admin-port "$ADMIN_PORT" "${DEMO_ARGS[@]+"${DEMO_ARGS[@]}"}" || code=$?

echo "registry log WARN/ERROR lines:"
grep -E ' (WARN|ERROR) ' "$WORK/registry.log" || echo "(none)"

# An orderly stop first (the EXIT trap's kill -9 is the backstop): up to 10 s.
kill "$REGISTRY_PID" 2>/dev/null || true
for _ in $(seq 1 40); do
  kill -0 "$REGISTRY_PID" 2>/dev/null || break
  sleep 0.25
done
exit "$code"
