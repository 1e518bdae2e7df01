#!/usr/bin/env bash
# Benchmark suite (issue 9): this registry side by side with ZooKeeper (Curator discovery, fsync on)
# and SOFARegistry 6.3.0, each started as separate processes on this machine and driven from separate
# client processes. Prints progress, stops within its budget, writes registry-bench/results/<run>/
# (results.md, results.csv, *.svg). See docs/benchmarks.md.
#   scripts/bench.sh --smoke                    # seconds: ours + ZooKeeper, tiny sizes
#   scripts/bench.sh --target both              # full sizes, ours + ZooKeeper, within 15 minutes
#   scripts/bench.sh --target all               # also SOFARegistry (root: it needs a network namespace)
#   scripts/bench.sh --scale --scale-publishers 20000 --scale-subscribers 20000   # scenario 7, small (~2 min)
#   scripts/bench.sh --scale --budget-minutes 25  # scenario 7: 1M publishers + 1M subscribers (docs/benchmarks.md)
#   scripts/bench.sh --help                     # every option
# Cleans up every process and the network namespace it created on exit, also on Ctrl-C.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

BENCH_JAR="$REPO_ROOT/registry-bench/target/registry-bench-0.1.0-SNAPSHOT-all.jar"
SOFA_HOME="$REPO_ROOT/registry-bench/target/sofa"
NETNS="regbench-$$"
mvn_locked() { if command -v flock >/dev/null; then flock /tmp/mvn.lock mvn "$@"; else mvn "$@"; fi; }

# --server-jar PATH runs that jar of ours (e.g. one built from a given commit) instead of building one.
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --server-jar) SERVER_JAR="$(realpath "$2")"; CUSTOM_JAR=1; shift 2 ;;
    --server-jar=*) SERVER_JAR="$(realpath "${1#*=}")"; CUSTOM_JAR=1; shift ;;
    -h|--help) HELP=1; ARGS+=("$1"); shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
set -- "${ARGS[@]+"${ARGS[@]}"}"

[[ -n "${CUSTOM_JAR:-}" ]] || ensure_server_jar
if [[ ! -f "$BENCH_JAR" ]] || [[ -n "$(find "$REPO_ROOT/registry-bench/src/main" "$REPO_ROOT/registry-client/src/main" \
      "$REPO_ROOT/registry-common/src/main" -newer "$BENCH_JAR" -print -quit)" ]]; then
  echo "building registry-bench (mvn -DskipTests package) ..." >&2
  mvn_locked -B -q -DskipTests package -pl registry-bench -am >&2
fi

# SOFARegistry's server and client jars, each in a folder of its own (never on our classpath).
if [[ " $* " == *" sofa"* || " $* " == *" all"* || " $* " == *"=sofa"* || " $* " == *"=all"* ]] && [[ -z "${HELP:-}" ]]; then
  for part in server client; do
    if [[ ! -d "$SOFA_HOME/$part-lib" ]]; then
      echo "fetching SOFARegistry $part jars into $SOFA_HOME/$part-lib ..." >&2
      mvn_locked -B -q -f registry-bench/sofa/$part-pom.xml dependency:copy-dependencies \
        -DoutputDirectory="$SOFA_HOME/$part-lib" >&2
    fi
  done
fi

# Run from private copies: other work may rebuild the jars in target/ while a long run goes on.
RUN_DIR="$(mktemp -d /tmp/registry-bench-run.XXXXXX)"
cp "$SERVER_JAR" "$RUN_DIR/registry-server-all.jar"
cp "$BENCH_JAR" "$RUN_DIR/registry-bench-all.jar"

JAVA_PID=""
cleanup() {
  local code=$?
  # Nodes scripts/cluster.sh started for the scale run are not the orchestrator's children: by their ids.
  if [[ -f "$RUN_DIR/adopted.pids" ]]; then
    while read -r p; do
      if [[ -n "$p" ]] && grep -qa java "/proc/$p/cmdline" 2>/dev/null; then kill -9 "$p" 2>/dev/null || true; fi
    done <"$RUN_DIR/adopted.pids"
  fi
  if [[ -n "$JAVA_PID" ]]; then
    # Children first (servers, agents), by the ids this run started, then the orchestrator.
    for p in $(ps -o pid= --ppid "$JAVA_PID" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    kill -9 "$JAVA_PID" 2>/dev/null || true
  fi
  if ip netns list 2>/dev/null | grep -qw "$NETNS"; then
    for p in $(ip netns pids "$NETNS" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$NETNS" 2>/dev/null || true
  fi
  rm -rf "$RUN_DIR"
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Thousands of sockets in scenario 5: as many files as this machine allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

"$(java_cmd)" -Xmx1g -cp "$RUN_DIR/registry-bench-all.jar" dev.registry.bench.BenchMain \
  --server-jar "$RUN_DIR/registry-server-all.jar" --sofa-home "$SOFA_HOME" --netns "$NETNS" \
  --adopted-pids "$RUN_DIR/adopted.pids" --command-line "scripts/bench.sh $*" "$@" &
JAVA_PID=$!
wait "$JAVA_PID"
