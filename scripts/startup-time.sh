#!/usr/bin/env bash
# Measures all-in-one start to ready (GET /health/ready of the session answers 200), in seconds from
# launching `java -jar`, in the two cases of issue 15: on an empty data folder, and on a restart
# after a graceful stop (SIGTERM) on the same data folder. Fails if the stopping meta could not
# release its leader lease (the restarted one would wait for it).
#   scripts/startup-time.sh                 # 3 rounds, prints every figure and the medians
#   scripts/startup-time.sh --rounds 5 --max-seconds 2   # also fail if a median exceeds 2 s
# Ports 18600-18622 (off the defaults). Java options from REGISTRY_JAVA_OPTS and the class-data
# archive, as scripts/run.sh (the first run of a new build writes the archive in an untimed round).
# On a shared machine wrap it in the build lock: flock /tmp/heavy.lock scripts/startup-time.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=3; MAX=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --max-seconds) MAX="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
ensure_server_jar
start_work_dir

SP=18600; SH=18603; MP=18610; MH=18615; DP=18620; DH=18622
SERVER=""

# Starts the server in $WORK (its ./data folder); sets SECONDS_TO_READY.
start_and_time() {
  local log=$1 t0 i
  t0=$(date +%s%N)
  # shellcheck disable=SC2046 # as scripts/run.sh starts it, class-data archive included
  (cd "$WORK" && exec "$(java_cmd)" $(server_cds_opts) ${REGISTRY_JAVA_OPTS:-} -jar "$SERVER_JAR" --session-port $SP \
    --session-http-port $SH --meta-port $MP --meta-http-port $MH --data-port $DP --data-http-port $DH \
    >"$log" 2>&1) &
  SERVER=$!
  PIDS+=("$SERVER")
  for ((i = 0; i < 3000; i++)); do
    if curl -sf --max-time 1 "http://127.0.0.1:$SH/health/ready" >/dev/null 2>&1; then
      SECONDS_TO_READY=$(echo "scale=2; ($(date +%s%N) - $t0) / 1000000000" | bc)
      return 0
    fi
    kill -0 "$SERVER" 2>/dev/null || { echo "the server exited" >&2; cat "$log" >&2; exit 1; }
    sleep 0.02
  done
  echo "not ready after 60 s" >&2; cat "$log" >&2; exit 1
}

stop_gracefully() {
  local log=$1
  local status=0
  kill -TERM "$SERVER"
  wait "$SERVER" || status=$?
  # 143 = 128 + SIGTERM: the launcher stops everything, then exits as the signal's default would.
  if [[ $status != 0 && $status != 143 ]]; then
    echo "the server exited with $status after SIGTERM" >&2; tail -20 "$log" >&2; exit 1
  fi
  if grep -q ' WARN \| ERROR ' "$log"; then
    echo "a graceful stop logged warnings or errors:" >&2; grep ' WARN \| ERROR ' "$log" | head -5 >&2; exit 1
  fi
  if grep -q 'could not release the leader lease' "$log"; then
    echo "the stopping meta did not release its lease:" >&2; grep 'could not release' "$log" >&2; exit 1
  fi
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

if [[ "${REGISTRY_CDS:-on}" != off && ! ( -f "$SERVER_JAR.jsa" && "$SERVER_JAR.jsa" -nt "$SERVER_JAR" ) ]]; then
  # What scripts/run.sh does on a new build's first run: start and stop once to write the archive.
  echo "writing the class-data archive of this build (one start and stop, not timed) ..."
  rm -rf "$WORK/data"
  start_and_time "$WORK/archive.log"
  stop_gracefully "$WORK/archive.log"
fi
EMPTY=(); RESTART=()
for ((r = 1; r <= ROUNDS; r++)); do
  rm -rf "$WORK/data"
  start_and_time "$WORK/empty-$r.log"; e=$SECONDS_TO_READY
  stop_gracefully "$WORK/empty-$r.log"
  start_and_time "$WORK/restart-$r.log"; s=$SECONDS_TO_READY
  stop_gracefully "$WORK/restart-$r.log"
  echo "round $r: start to ready on an empty data folder ${e} s, restart after SIGTERM ${s} s"
  EMPTY+=("$e"); RESTART+=("$s")
done
ME=$(printf '%s\n' "${EMPTY[@]}" | median)
MR=$(printf '%s\n' "${RESTART[@]}" | median)
echo "median of $ROUNDS: empty data folder ${ME} s, restart after SIGTERM ${MR} s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
if [[ -n "$MAX" ]] && { (( $(echo "$ME > $MAX" | bc) )) || (( $(echo "$MR > $MAX" | bc) )); }; then
  echo "start to ready above the bound of $MAX s"; exit 1
fi
