#!/usr/bin/env bash
# SOFARPC on the registry with real processes: builds examples/sofarpc-demo (SOFARPC 5.13.2 with
# SOFARegistry's client 6.5.6, unmodified, their "sofa" registry module pointed at the session's
# admin port), starts the all-in-one registry (scripts/run.sh, in a temporary folder), two
# DemoProvider processes (provider-A, provider-B) and a DemoConsumer that calls HelloService every
# 20 ms; after 5 s of calls provider-A is killed with SIGKILL, the consumer calls 5 s more,
# everything is stopped, and one summary line is printed last:
#   calls=N failed=F after-kill-failed=K switch-ms=T
# F / K: failed calls that ended before / after the kill; T: ms from the kill until the start of the
# first call after which every call succeeded and was answered by provider-B (0 when no call after
# the kill failed or reached provider-A). Exits 1 unless F=0, T<=1000, calls were made after the
# kill and all from T on were answered by provider-B, and both providers answered before the kill.
#   scripts/demo-sofarpc.sh
#   scripts/demo-sofarpc.sh --seconds 10        # calls before the kill, and again after it
#   scripts/demo-sofarpc.sh --base-port 26600   # registry P,P+1,P+3,P+10,P+15,P+20,P+22; providers P+80,P+81
# Builds the example first when its classes are missing or older than its sources (Maven fetches
# SOFARPC and its dependencies once).
# DEMO_JAVA_OPTS: JVM options of the three applications (default: C1 only, serial GC, 256 MB heap).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

demo_options 16600 "$@"

say() { printf '[demo-sofarpc %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Ports off the defaults and off the other scripts' (9400, 9600, 9700, 9800, 10000, 12000, 14600, 17600,
# 18600, 19600, 29600 ranges). SB: the session's Bolt port for SOFARegistry's client, which finds
# it through the admin port SH.
SP=$BASE; SB=$((BASE + 1)); SH=$((BASE + 3)); MP=$((BASE + 10)); MH=$((BASE + 15)); DP=$((BASE + 20)); DH=$((BASE + 22))
PORT_A=$((BASE + 80)); PORT_B=$((BASE + 81))
DEMO_DIR="$REPO_ROOT/examples/sofarpc-demo"
CLASSES="$DEMO_DIR/target/classes"
CLASSPATH_FILE="$DEMO_DIR/target/classpath.txt"
SERVICE=dev.registry.examples.sofarpc.HelloService
# SOFARPC's key for a Bolt service: INTERFACE:VERSION@DEFAULT (Bolt's protocol name there), group SOFA.
DATA_ID="$SERVICE:1.0@DEFAULT"
# shellcheck disable=SC2206 # a list of words on purpose
APP_JAVA=("$(java_cmd)" ${DEMO_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m}
  --add-opens java.base/java.lang=ALL-UNNAMED)  # Hessian reflects into java.lang on Java 17: quiet

require_free_ports $SP $SB $SH $MP $MH $DP $DH $PORT_A $PORT_B

ensure_server_jar
# The example: rebuilt when its classes or classpath file is missing or older than its sources or pom.
if [[ ! -d "$CLASSES" || ! -f "$CLASSPATH_FILE" ]] \
   || [[ -n "$(find "$DEMO_DIR" -path '*/target' -prune -o -type f \( -name '*.java' -o -name pom.xml \) \
               -newer "$CLASSPATH_FILE" -print -quit)" ]]; then
  say "building examples/sofarpc-demo (mvn package dependency:build-classpath) ..."
  mvn_locked -f "$DEMO_DIR/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE"
fi

start_work_dir
# Private copies: other work may rebuild target/ meanwhile (the jars listed are in the local Maven repository).
cp -r "$CLASSES" "$WORK/classes"
APP_CP="$WORK/classes:$(cat "$CLASSPATH_FILE")"
# SOFA Tracer's digest logs (tracelog/) in $WORK, not in ~/logs.
APP_JAVA+=(-Dlogging.path="$WORK/logs")

say "starting the registry (SOFA Bolt port $SB, session admin port $SH)"
# run.sh execs java: $! is the registry's own pid. Its working directory (data folder) is $WORK.
(cd "$WORK" && exec "$REPO_ROOT/scripts/run.sh" --session-port "$SP" --sofa-bolt-port "$SB" --session-http-port "$SH" \
  --meta-port "$MP" --meta-http-port "$MH" --data-port "$DP" --data-http-port "$DH") >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
PIDS+=("$REGISTRY_PID")
await_ready "$SH" "$WORK/registry.log"

start_provider() {
  local name=$1 port=$2
  "${APP_JAVA[@]}" -cp "$APP_CP" dev.registry.examples.sofarpc.DemoProvider "$name" "$port" "$SH" \
    >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
say "starting DemoProvider twice: provider-A on :$PORT_A, provider-B on :$PORT_B"
start_provider provider-A "$PORT_A"
PID_A=$!
start_provider provider-B "$PORT_B"
PID_B=$!

# Both registered: the registry lists both Bolt addresses under the service's key.
T0=$(now_ms)
registered() {
  local json
  json=$(curl -sf --max-time 3 "http://127.0.0.1:$SH/api/v1/datum?dataId=$DATA_ID&group=SOFA") || return 1
  grep -q "\"127.0.0.1:$PORT_A?" <<<"$json" && grep -q "\"127.0.0.1:$PORT_B?" <<<"$json"
}
until registered; do
  for p in $PID_A $PID_B; do
    kill -0 "$p" 2>/dev/null || { say "a provider exited:"; tail -30 "$WORK"/provider-*.log; exit 1; }
  done
  if (( $(now_ms) - T0 > 120000 )); then
    say "providers not registered after 120 s"; tail -30 "$WORK"/provider-*.log; exit 1
  fi
  sleep 0.25
done
say "both providers registered ($(( $(now_ms) - T0 )) ms after their start): $DATA_ID in group SOFA"

say "starting DemoConsumer (calls every 20 ms once the registry pushed the providers)"
"${APP_JAVA[@]}" -cp "$APP_CP" dev.registry.examples.sofarpc.DemoConsumer "$SH" $((2 * SECONDS_EACH + 120)) \
  >"$WORK/consumer.log" 2>&1 &
PID_C=$!
PIDS+=("$PID_C")
T0=$(now_ms)
until grep -q '^CALL ' "$WORK/consumer.log"; do
  kill -0 "$PID_C" 2>/dev/null || { say "the consumer exited:"; tail -40 "$WORK/consumer.log"; exit 1; }
  if (( $(now_ms) - T0 > 120000 )); then say "no call after 120 s"; tail -40 "$WORK/consumer.log"; exit 1; fi
  sleep 0.1
done
say "consumer calling ($(( $(now_ms) - T0 )) ms after its start)"

sleep "$SECONDS_EACH"
KILL_MS=$(now_ms)
{ kill -9 "$PID_A"; wait "$PID_A"; } 2>/dev/null || true  # wait: no "Killed" notice from bash
say "kill -9 provider-A (pid $PID_A) at $KILL_MS"
# Meanwhile, when the registry stops listing provider-A (its connection to the session closed).
GONE_MS=none
while (( $(now_ms) - KILL_MS < SECONDS_EACH * 1000 )); do
  if [[ $GONE_MS == none ]] && json=$(curl -sf --max-time 1 "http://127.0.0.1:$SH/api/v1/datum?dataId=$DATA_ID&group=SOFA") \
     && ! grep -q "\"127.0.0.1:$PORT_A?" <<<"$json"; then
    GONE_MS=$(( $(now_ms) - KILL_MS ))
  fi
  sleep 0.05
done
say "the registry no longer listed provider-A: $( [[ $GONE_MS == none ]] && echo "not within ${SECONDS_EACH} s" || echo "$GONE_MS ms after the kill")"

say "stopping the consumer, provider-B and the registry"
STOP_MS=$(now_ms)
stop_process "$PID_C"
stop_process "$PID_B"
stop_process "$REGISTRY_PID"

# Only calls that ended before the consumer was told to stop: SOFARPC's shutdown hook closes its
# connections while the call in flight may still be under way.
grep -E '^(CALL|REFERRED|STOPPING|DONE) ' "$WORK/consumer.log" \
  | awk -v stop="$STOP_MS" '$1 != "CALL" || $2 + substr($NF, 6) < stop' >"$WORK/lines" || true
say "answers before the kill: $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="OK" && $2<k {n[$4]++} END {for (i in n) printf "%s=%d ", i, n[i]}' "$WORK/lines")"
say "failed calls near the kill (start - kill ms, exception, took): $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="FAIL" && $2>=k-2000 {printf "%+d %s %s; ", $2-k, $4, $5}' "$WORK/lines")"
say "answers after the kill:  $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="OK" && $2>=k {n[$4]++} END {for (i in n) printf "%s=%d ", i, n[i]}' "$WORK/lines")"

# calls failed-before failed-after switch-ms calls-after-kill providers-before
# A failed call counts before the kill when it ended before it (CALL <start> ... took=<ms>). Bad: a
# failed call that ended at or after the kill, or a call started at or after it that was not
# answered by provider-B (a call to provider-A answered while the kill was under way is not bad).
# The switch is the start of the first call after the last bad one (0: no bad call; none: a bad
# call was the last). Calls are sequential, so the file is in time order.
read -r CALLS FAILED AFTER_FAILED SWITCH_MS CALLS_AFTER N_BEFORE < <(awk -v k="$KILL_MS" '
  $1 == "CALL" {
    calls++
    took = 0
    for (i = 4; i <= NF; i++) if ($i ~ /^took=/) took = substr($i, 6) + 0
    end = $2 + took
    if ($2 >= k) after_calls++
    if ($3 == "FAIL") { if (end < k) before++; else after++ }
    if ($3 == "OK" && $2 < k) answered[$4] = 1
    if (($3 == "FAIL" && end >= k) || ($2 >= k && !($3 == "OK" && $4 == "provider-B"))) {
      bad = 1; pending = 1; sw = ""
    } else if (pending) {
      sw = $2 - k; pending = 0
    }
  }
  END {
    n = 0
    for (p in answered) n++
    printf "%d %d %d %s %d %d\n", calls, before, after, (!bad ? 0 : (pending ? "none" : sw)), after_calls, n
  }' "$WORK/lines")

ok=1
problem() { say "FAIL: $*"; ok=0; }
(( CALLS > 0 )) || problem "the consumer made no call"
(( FAILED == 0 )) || problem "$FAILED calls failed before the kill"
(( N_BEFORE == 2 )) || problem "$N_BEFORE providers answered before the kill, not 2"
(( CALLS_AFTER > 0 )) || problem "no call after the kill"
if [[ "$SWITCH_MS" == none ]]; then
  problem "the last call after the kill still failed or reached provider-A"
else
  (( SWITCH_MS <= 1000 )) || problem "calls failed or reached provider-A until $SWITCH_MS ms after the kill (bound 1000)"
fi
if [[ $ok == 0 ]]; then
  say "failed calls:"; grep ' FAIL ' "$WORK/lines" | head -20 || true
  say "consumer WARN/ERROR lines:"; grep -E ' (WARN|ERROR) ' "$WORK/consumer.log" | head -20 || echo "(none)"
  say "registry WARN/ERROR lines:"; grep -E ' (WARN|ERROR) ' "$WORK/registry.log" | head -20 || echo "(none)"
fi
echo "calls=$CALLS failed=$FAILED after-kill-failed=$AFTER_FAILED switch-ms=$SWITCH_MS"
[[ $ok == 1 ]]
