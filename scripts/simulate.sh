#!/usr/bin/env bash
# The deterministic simulation (registry-sim): the real data-tier cores on one thread over a
# simulated network and clocks, many seeds a minute (docs/reliability.md, "Deterministic
# simulation"). Builds the simulator jar if it is missing or older than the sources.
#
#   scripts/simulate.sh --seeds 200            # seeds 1..200, about half a minute
#   scripts/simulate.sh --minutes 30           # consecutive seeds for 30 minutes
#   scripts/simulate.sh --seed 42              # replay one seed: its whole history and its hash
#   scripts/simulate.sh --seeds 50 --first-seed 1000 --exclude "meta outage,lossy network"
#
# Prints per-fault-kind counts and a last line
#   seeds=N faults=F kinds=K pushes-checked=P violations=V
# and exits 1 if any seed had a violation (each failing seed is printed with its history).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

case "${1:-}" in
  -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
esac

SIM_JAR="$REPO_ROOT/registry-sim/target/registry-sim-0.1.0-SNAPSHOT-all.jar"
mvn_locked() { if command -v flock >/dev/null; then flock /tmp/mvn.lock mvn "$@"; else mvn "$@"; fi; }
if [[ ! -f "$SIM_JAR" ]] || [[ -n "$(find registry-sim/src registry-data/src/main registry-meta/src/main \
    registry-common/src/main -newer "$SIM_JAR" -name '*.java' -print -quit)" ]]; then
  echo "building registry-sim (mvn -DskipTests package) ..." >&2
  mvn_locked -B -q -DskipTests package -pl registry-sim -am >&2
fi
exec java -XX:+UseSerialGC -Xmx1g -jar "$SIM_JAR" "$@"
