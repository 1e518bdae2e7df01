#!/usr/bin/env bash
# Plants known bugs, one at a time, in a throw-away copy of the tree and runs the in-JVM chaos
# seeds against each: the invariant checker must catch every one (docs/reliability.md, "Planted
# bugs"). Nothing in the working tree changes.
#
#   scripts/planted-bugs.sh                      # every bug, seeds 1,2,3 (~4 min per bug)
#   scripts/planted-bugs.sh --seeds 1,2,3,4,5 --bugs read-gate-off,drop-replication-op
#   scripts/planted-bugs.sh --sim 50             # the data-tier bugs against 50 simulator seeds (~1 min per bug)
#
# Each bug is one exact text substitution in one source file; if the text is no longer there
# (the code moved on), the script says so and fails instead of testing nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

SEEDS="1,2,3"
BUGS=""
SIM_SEEDS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) SEEDS="$2"; shift 2 ;;
    --bugs) BUGS="$2"; shift 2 ;;
    --sim) SIM_SEEDS="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

# name | file | exact text | replacement
PLANTED=(
  "read-gate-off|registry-data/src/main/java/dev/registry/data/session/SessionReconciliation.java|if (!replication.isReadable(slot, expectedSessions())) {|if (false /* planted: read gate off */ && !replication.isReadable(slot, expectedSessions())) {"
  "drop-replication-op|registry-data/src/main/java/dev/registry/data/replication/SnapshotSource.java|if (e.kind() == SlotReplication.KIND_PUT) {|if (e.seq() % 7 == 0) { /* planted: op dropped */ } else if (e.kind() == SlotReplication.KIND_PUT) {"
  "skip-unregister-withdrawal|registry-session/src/main/java/dev/registry/session/client/ClientRequests.java|return syncer.syncRemoval(removed).thenApply(v -> new RegisterAck(request.registerId(), v));|return new RegisterAck(request.registerId(), 0); /* planted: data servers keep it */"
  "skip-dead-client-withdrawal|registry-session/src/main/java/dev/registry/session/damping/ClientLinkDamping.java|removed.forEach(syncer::syncRemoval);|/* planted: a gone client's publishers stay on the data servers */"
)

# The same kind of bugs, planted where the simulator runs the real code (the read gate of
# SlotReplication, a data server's removal), for --sim.
PLANTED_SIM=(
  "read-gate-off|registry-data/src/main/java/dev/registry/data/replication/ReadGate.java|boolean allSynced = synced.containsAll(expectedSessions);|boolean allSynced = true; expectedSessions = synced; /* planted: read gate off, as if every session had synced */"
  "drop-replication-op|registry-data/src/main/java/dev/registry/data/replication/SnapshotSource.java|if (e.kind() == SlotReplication.KIND_PUT) {|if (e.seq() % 7 == 0) { /* planted: op dropped */ } else if (e.kind() == SlotReplication.KIND_PUT) {"
  "skip-withdrawal|registry-data/src/main/java/dev/registry/data/store/DatumStore.java|counted(slot, entry.publishers.remove(registerId), null);|if (true) { return Change.none(id, entry.version); /* planted: removal skipped */ }"
  "reuse-log-ids|registry-sim/src/main/java/dev/registry/sim/SimDataNode.java|Long.toString(loop.random().nextLong() & Long.MAX_VALUE, 36));|\"same\" + loop.random().nextLong() * 0 /* planted: one log id per address */);"
)
if [[ -n "$SIM_SEEDS" ]]; then
  PLANTED=("${PLANTED_SIM[@]}")
fi

mvn_locked() { if command -v flock >/dev/null; then flock /tmp/mvn.lock mvn "$@"; else mvn "$@"; fi; }
WORK="$(mktemp -d /tmp/planted-bugs.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
RESULTS=()
FAILED=0
for entry in "${PLANTED[@]}"; do
  IFS='|' read -r name file text replacement <<<"$entry"
  if [[ -n "$BUGS" && ",$BUGS," != *",$name,"* ]]; then
    continue
  fi
  copy="$WORK/$name"
  git clone -q --no-hardlinks "$REPO_ROOT" "$copy"
  # Uncommitted changes of the working tree count too: the copy is of what is being tested.
  git diff HEAD | (cd "$copy" && git apply --allow-empty 2>/dev/null || true)
  if ! grep -qF "$text" "$copy/$file"; then
    echo "planted bug $name: the text to replace is no longer in $file; update scripts/planted-bugs.sh" >&2
    exit 1
  fi
  TEXT="$text" REPLACEMENT="$replacement" perl -0pi -e 's/\Q$ENV{TEXT}\E/$ENV{REPLACEMENT}/' "$copy/$file"
  grep -qF "planted" "$copy/$file" || { echo "could not plant $name" >&2; exit 1; }
  log="$WORK/$name.log"
  start=$(date +%s)
  if [[ -n "$SIM_SEEDS" ]]; then
    echo "[$name] planted in $file; running simulator seeds 1..$SIM_SEEDS ..."
    (cd "$copy" && mvn_locked -B -o -q -DskipTests package -pl registry-sim -am >"$log" 2>&1 \
        && java -jar registry-sim/target/registry-sim-0.1.0-SNAPSHOT-all.jar --seeds "$SIM_SEEDS" >>"$log" 2>/dev/null) || true
    ran=$(grep -o "^seeds=[0-9]*" "$log" | cut -d= -f2 || true)
    ran=${ran:-0}
    caught=$(grep -c "^seed [0-9]* FAILED" "$log" || true)
    first=$(grep -m1 "VIOLATION" "$log" | sed 's/^ *//' | cut -c1-160 || true)
    first=${first:+seed $(grep -m1 "^seed [0-9]* FAILED" "$log" | cut -d' ' -f2), $first}
  else
    echo "[$name] planted in $file; running chaos seeds $SEEDS ..."
    (cd "$copy" && mvn_locked -B -o test -pl registry-server -am -Dtest=ChaosTest#invariantsHoldUnderRandomFaults \
        -Dsurefire.failIfNoSpecifiedTests=false -Dchaos.seeds="$SEEDS" >"$log" 2>&1) || true
    lines="$(grep -h "^chaos seed [0-9]*: faults" "$copy"/registry-server/target/surefire-reports/*ChaosTest-output.txt 2>/dev/null || true)"
    ran=$(grep -c . <<<"$lines" || true)
    caught=$(grep -v " 0 violations$" <<<"$lines" | grep -c . || true)
    first=$(grep -h "VIOLATION" "$copy"/registry-server/target/surefire-reports/*ChaosTest-output.txt 2>/dev/null | head -1 \
        | sed 's/^chaos seed \([0-9]*\) VIOLATION /seed \1: /' | cut -c1-160 || true)
  fi
  echo "[$name] $caught of $ran seeds caught it in $(( $(date +%s) - start )) s${first:+; first: $first}"
  RESULTS+=("$name: caught by $caught of $ran seeds")
  if [[ "$ran" -eq 0 ]]; then
    echo "[$name] no seed ran; see the build log:" >&2
    tail -30 "$log" >&2
    FAILED=1
  elif [[ "$caught" -eq 0 ]]; then
    FAILED=1
  fi
  rm -rf "$copy"
done
echo "planted bugs: ${#RESULTS[@]} tried"
printf '  %s\n' "${RESULTS[@]}"
exit $FAILED
