#!/usr/bin/env bash
# Spring Cloud on the registry with real processes: builds examples/spring-cloud-demo against the
# installed registry-spring-cloud starter, starts the all-in-one registry (scripts/run.sh, in a
# temporary folder), two demo-provider instances (provider-A, provider-B) and a demo-consumer that
# calls http://demo-provider/hello through Spring Cloud LoadBalancer every 20 ms; after 5 s of calls
# provider-A is killed with SIGKILL, the consumer calls 5 s more, everything is stopped, and one
# summary line is printed last:
#   calls=N failed=F after-kill-failed=K providers-before=2 providers-after=1 switch-ms=T
# F / K: failed calls that ended before / after the kill; T: ms from the kill until the consumer's
# DiscoveryClient no longer lists provider-A. Exits 1 unless F=0, T<=1000, no call started later
# than kill+T failed, and 2 providers were listed before the kill and 1 after.
#   scripts/demo-spring-cloud.sh
#   scripts/demo-spring-cloud.sh --seconds 10        # calls before the kill, and again after it
#   scripts/demo-spring-cloud.sh --base-port 27600   # registry P,P+3,P+10,P+15,P+20,P+22; apps P+80..P+82
# Installs the starter into the local Maven repository first when it is missing or stale.
# DEMO_JAVA_OPTS: JVM options of the three applications (default: C1 only, serial GC, 256 MB heap).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

demo_options 17600 "$@"

say() { printf '[demo-spring-cloud %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Ports off the defaults and off the other scripts' (9400, 9600, 9700, 9800, 10000, 18600, 19600, 29600 ranges).
SP=$BASE; SH=$((BASE + 3)); MP=$((BASE + 10)); MH=$((BASE + 15)); DP=$((BASE + 20)); DH=$((BASE + 22))
PORT_A=$((BASE + 80)); PORT_B=$((BASE + 81)); PORT_C=$((BASE + 82))
DEMO_DIR="$REPO_ROOT/examples/spring-cloud-demo"
M2_REPO="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
STARTER_JAR="$M2_REPO/dev/registry/registry-spring-cloud/0.1.0-SNAPSHOT/registry-spring-cloud-0.1.0-SNAPSHOT.jar"
PROVIDER_JAR="$DEMO_DIR/provider/target/demo-provider.jar"
CONSUMER_JAR="$DEMO_DIR/consumer/target/demo-consumer.jar"
# shellcheck disable=SC2206 # a list of words on purpose
APP_JAVA=("$(java_cmd)" ${DEMO_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m})

# The starter (and the registry modules it needs) in the local Maven repository: installed when
# missing or older than its sources, as on a fresh clone.
if [[ ! -f "$STARTER_JAR" ]] || [[ -n "$(find "$REPO_ROOT/registry-spring-cloud/src" "$REPO_ROOT/registry-client/src" \
     -type f -newer "$STARTER_JAR" -print -quit)" ]]; then
  say "installing the registry-spring-cloud starter (mvn -DskipTests install -pl registry-spring-cloud -am) ..."
  mvn_locked -f "$REPO_ROOT/pom.xml" -DskipTests install -pl registry-spring-cloud -am
fi
require_free_ports $SP $SH $MP $MH $DP $DH $PORT_A $PORT_B $PORT_C

ensure_server_jar
# The examples: rebuilt when a jar is missing or older than their sources, poms or the starter.
if [[ ! -f "$PROVIDER_JAR" || ! -f "$CONSUMER_JAR" ]] \
   || [[ -n "$(find "$DEMO_DIR" -path '*/target' -prune -o -type f \( -name '*.java' -o -name '*.properties' -o -name pom.xml \) \
               -newer "$CONSUMER_JAR" -print -quit)" ]] \
   || [[ "$STARTER_JAR" -nt "$CONSUMER_JAR" || "$STARTER_JAR" -nt "$PROVIDER_JAR" ]]; then
  say "building examples/spring-cloud-demo (mvn -DskipTests package) ..."
  mvn_locked -f "$DEMO_DIR/pom.xml" -DskipTests package
fi

start_work_dir
# Private copies: other work may rebuild target/ meanwhile.
cp "$PROVIDER_JAR" "$WORK/demo-provider.jar"
cp "$CONSUMER_JAR" "$WORK/demo-consumer.jar"

say "starting the registry (client port $SP, session admin port $SH)"
# run.sh execs java: $! is the registry's own pid. Its working directory (data folder) is $WORK.
(cd "$WORK" && exec "$REPO_ROOT/scripts/run.sh" --session-port "$SP" --session-http-port "$SH" --meta-port "$MP" \
  --meta-http-port "$MH" --data-port "$DP" --data-http-port "$DH") >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
PIDS+=("$REGISTRY_PID")
await_ready "$SH" "$WORK/registry.log"

REGISTRY_PROPS=("--spring.cloud.registry.servers=127.0.0.1:$SP")
start_provider() {
  local name=$1 port=$2
  "${APP_JAVA[@]}" -jar "$WORK/demo-provider.jar" --server.port="$port" --spring.cloud.registry.instance-id="$name" \
    "${REGISTRY_PROPS[@]}" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
say "starting demo-provider twice: provider-A on :$PORT_A, provider-B on :$PORT_B"
start_provider provider-A "$PORT_A"
PID_A=$!
start_provider provider-B "$PORT_B"
PID_B=$!

# Both registered: the registry lists them under the service id (the starter's default group).
T0=$(now_ms)
registered() {
  local json
  json=$(curl -sf --max-time 3 "http://127.0.0.1:$SH/api/v1/datum?dataId=demo-provider&group=SPRING_CLOUD") || return 1
  grep -q provider-A <<<"$json" && grep -q provider-B <<<"$json"
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
say "both providers registered ($(( $(now_ms) - T0 )) ms after their start)"

say "starting demo-consumer on :$PORT_C (calls every 20 ms once it lists 2 providers)"
"${APP_JAVA[@]}" -jar "$WORK/demo-consumer.jar" --server.port="$PORT_C" "${REGISTRY_PROPS[@]}" \
  --demo.min-instances=2 --demo.duration=$((2 * SECONDS_EACH + 120))s >"$WORK/consumer.log" 2>&1 &
PID_C=$!
PIDS+=("$PID_C")
T0=$(now_ms)
until grep -q '^CALL ' "$WORK/consumer.log"; do
  kill -0 "$PID_C" 2>/dev/null || { say "the consumer exited:"; tail -40 "$WORK/consumer.log"; exit 1; }
  if (( $(now_ms) - T0 > 120000 )); then say "no call after 120 s"; tail -40 "$WORK/consumer.log"; exit 1; fi
  sleep 0.1
done
say "consumer calling: $(grep '^INSTANCES ' "$WORK/consumer.log" | tail -1)"

sleep "$SECONDS_EACH"
KILL_MS=$(now_ms)
{ kill -9 "$PID_A"; wait "$PID_A"; } 2>/dev/null || true  # wait: no "Killed" notice from bash
say "kill -9 provider-A (pid $PID_A) at $KILL_MS"
sleep "$SECONDS_EACH"

say "stopping the consumer, provider-B and the registry"
stop_process "$PID_C"
stop_process "$PID_B"
stop_process "$REGISTRY_PID"

grep -E '^(CALL|INSTANCES|WATCH) ' "$WORK/consumer.log" >"$WORK/lines" || true
say "the consumer's instance lists: $(grep '^INSTANCES ' "$WORK/lines" | awk '{printf "%s%s", sep, $3 " " $4; sep="; "}')"
say "answers before the kill: $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="OK" && $2<k {n[$4]++} END {for (i in n) printf "%s=%d ", i, n[i]}' "$WORK/lines")"
say "failed calls near the kill (start - kill, ms): $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="FAIL" && $2>=k-2000 {printf "%+d ", $2-k}' "$WORK/lines")"
say "answers after the kill:  $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="OK" && $2>=k {n[$4]++} END {for (i in n) printf "%s=%d ", i, n[i]}' "$WORK/lines")"

# calls failed-before failed-after providers-before providers-after switch-ms last-failure-after-kill-ms
# A failed call counts before the kill when it ended before it (CALL <start> ... took=<ms>); the
# last failure is by start, when the load balancer chose. A listed id is provider-A's when it is
# its instance id, or holds its port as a number (host:port).
read -r CALLS FAILED AFTER_FAILED N_BEFORE N_AFTER SWITCH_MS LAST_FAIL_MS < <(awk -v k="$KILL_MS" -v port="$PORT_A" '
  $1 == "CALL" {
    calls++
    if ($3 == "FAIL") {
      took = 0
      for (i = 4; i <= NF; i++) if ($i ~ /^took=/) took = substr($i, 6) + 0
      if ($2 + took < k) before++
      else { after++; if (last == "" || $2 - k > last) last = $2 - k }
    }
  }
  $1 == "INSTANCES" {
    if ($2 < k) nbefore = $3
    else if (sw == "") {
      gone = 1
      n = split($4, ids, ",")
      for (i = 1; i <= n; i++) if (ids[i] == "provider-A" || ids[i] ~ ("(^|[^0-9])" port "([^0-9]|$)")) gone = 0
      if (gone) sw = $2 - k
    }
    nafter = $3
  }
  END {
    printf "%d %d %d %s %s %s %s\n", calls, before, after, (nbefore == "" ? "?" : nbefore), (nafter == "" ? "?" : nafter),
      (sw == "" ? "none" : sw), (last == "" ? "none" : last)
  }' "$WORK/lines")

ok=1
problem() { say "FAIL: $*"; ok=0; }
(( CALLS > 0 )) || problem "the consumer made no call"
(( FAILED == 0 )) || problem "$FAILED calls failed before the kill"
[[ "$N_BEFORE" == 2 ]] || problem "the consumer listed $N_BEFORE providers before the kill, not 2"
[[ "$N_AFTER" == 1 ]] || problem "the consumer listed $N_AFTER providers at the end, not 1"
if [[ "$SWITCH_MS" == none ]]; then
  problem "the consumer still listed provider-A ${SECONDS_EACH} s after the kill"
else
  (( SWITCH_MS <= 1000 )) || problem "provider-A left the consumer's list only after $SWITCH_MS ms (bound 1000)"
  if [[ "$LAST_FAIL_MS" != none ]] && (( LAST_FAIL_MS > SWITCH_MS )); then
    problem "a call started $LAST_FAIL_MS ms after the kill failed, later than the switch ($SWITCH_MS ms)"
  fi
fi
if [[ $ok == 0 ]]; then
  say "failed calls:"; grep ' FAIL ' "$WORK/lines" | head -20 || true
  say "consumer WARN/ERROR lines:"; grep -E ' (WARN|ERROR) ' "$WORK/consumer.log" | head -20 || echo "(none)"
  say "registry WARN/ERROR lines:"; grep -E ' (WARN|ERROR) ' "$WORK/registry.log" | head -20 || echo "(none)"
fi
echo "calls=$CALLS failed=$FAILED after-kill-failed=$AFTER_FAILED providers-before=$N_BEFORE providers-after=$N_AFTER switch-ms=$SWITCH_MS"
[[ $ok == 1 ]]
