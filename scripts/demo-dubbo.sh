#!/usr/bin/env bash
# Apache Dubbo on the registry with real processes: builds examples/dubbo-demo against the installed
# registry-dubbo extension, starts the all-in-one registry (scripts/run.sh, in a temporary folder),
# two DemoProvider processes (provider-A, provider-B; one application, register mode "all") and a
# DemoConsumer that finds them through the interface-to-application mapping (no provided-by) and
# calls them every 20 ms with retries=0 once it reached both; after 5 s of calls provider-A is killed
# with SIGKILL, the consumer calls 5 s more, everything is stopped, and one summary line is printed last:
#   calls=N failed=F after-kill-failed=K switch-ms=T
# F / K: failed calls that ended before / after the kill; T: ms from the kill until the consumer's
# provider list (what the registry pushed into Dubbo's directory) no longer holds provider-A. Exits 1
# unless F=0, T<=1000, calls were made after the kill, and every call started later than kill+T
# succeeded and was answered by provider-B. (A call sent to provider-A in the first milliseconds
# after the kill, before any registry could know, may hang in Dubbo until its 1 s timeout: it counts
# in K, and it started before the switch.)
#   scripts/demo-dubbo.sh
#   scripts/demo-dubbo.sh --seconds 10        # calls before the kill, and again after it
#   scripts/demo-dubbo.sh --base-port 24600   # registry P,P+3,P+10,P+15,P+20,P+22; providers P+80, P+81
# Installs registry-dubbo into the local Maven repository first when it is missing or stale.
# DEMO_JAVA_OPTS: JVM options of the three applications (default: C1 only, serial GC, 256 MB heap).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

demo_options 14600 "$@"

say() { printf '[demo-dubbo %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Ports off the defaults and off the other scripts' (9400, 9600, 9700, 9800, 10000, 16600, 17600,
# 18600, 19600, 29600 ranges).
SP=$BASE; SH=$((BASE + 3)); MP=$((BASE + 10)); MH=$((BASE + 15)); DP=$((BASE + 20)); DH=$((BASE + 22))
PORT_A=$((BASE + 80)); PORT_B=$((BASE + 81))
DEMO_DIR="$REPO_ROOT/examples/dubbo-demo"
M2_REPO="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
EXTENSION_JAR="$M2_REPO/dev/registry/registry-dubbo/0.1.0-SNAPSHOT/registry-dubbo-0.1.0-SNAPSHOT.jar"
CLASSPATH_FILE="$DEMO_DIR/target/classpath.txt"
SERVICE=dev.registry.examples.dubbo.GreetingService
APPLICATION=dubbo-demo-provider
# Hessian (Dubbo's default serialization) wants java.lang open on Java 17, or it warns at every start.
# shellcheck disable=SC2206 # a list of words on purpose
APP_JAVA=("$(java_cmd)" ${DEMO_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m}
          --add-opens=java.base/java.lang=ALL-UNNAMED -Ddubbo.service.shutdown.wait=200)

# registry-dubbo (and the registry modules it needs) in the local Maven repository: installed when
# missing or older than its sources, as on a fresh clone. Maven keeps a jar whose content did not
# change (and so its time): the stamp records this script's last install, so a touched source
# file costs one install, not one per run.
INSTALL_STAMP="$DEMO_DIR/target/registry-dubbo-installed.stamp"
INSTALLED="$EXTENSION_JAR"
[[ -f "$INSTALL_STAMP" && "$INSTALL_STAMP" -nt "$EXTENSION_JAR" ]] && INSTALLED="$INSTALL_STAMP"
if [[ ! -f "$EXTENSION_JAR" ]] || [[ -n "$(find "$REPO_ROOT/registry-dubbo/src/main" "$REPO_ROOT/registry-client/src/main" \
     "$REPO_ROOT/registry-common/src/main" "$REPO_ROOT/registry-dubbo/pom.xml" -type f -newer "$INSTALLED" -print -quit)" ]]; then
  say "installing registry-dubbo (mvn -DskipTests install -pl registry-dubbo -am) ..."
  mvn_locked -f "$REPO_ROOT/pom.xml" -DskipTests install -pl registry-dubbo -am
  mkdir -p "$DEMO_DIR/target" && touch "$INSTALL_STAMP"
fi
require_free_ports $SP $SH $MP $MH $DP $DH $PORT_A $PORT_B

ensure_server_jar
# The example: rebuilt when its classpath file is missing or older than its sources, pom or the extension.
if [[ ! -f "$CLASSPATH_FILE" || ! -d "$DEMO_DIR/target/classes" ]] \
   || [[ -n "$(find "$DEMO_DIR" -path '*/target' -prune -o -type f \( -name '*.java' -o -name '*.xml' \) \
               -newer "$CLASSPATH_FILE" -print -quit)" ]] \
   || [[ "$EXTENSION_JAR" -nt "$CLASSPATH_FILE" ]]; then
  say "building examples/dubbo-demo (mvn package dependency:build-classpath) ..."
  mvn_locked -f "$DEMO_DIR/pom.xml" -DskipTests package dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE"
  touch "$CLASSPATH_FILE" # the plugin leaves an unchanged file alone: the build's time stamp
fi

start_work_dir
# Private copies: other work may rebuild target/ or install into the local repository meanwhile.
cp -r "$DEMO_DIR/target/classes" "$WORK/classes"
mkdir "$WORK/lib"
CP="$WORK/classes"
IFS=: read -r -a JARS < "$CLASSPATH_FILE" || true # no newline at its end
for jar in "${JARS[@]}"; do
  cp "$jar" "$WORK/lib/"
  CP+=":$WORK/lib/$(basename "$jar")"
done

say "starting the registry (client port $SP, session admin port $SH)"
# run.sh execs java: $! is the registry's own pid. Its working directory (data folder) is $WORK.
(cd "$WORK" && exec "$REPO_ROOT/scripts/run.sh" --session-port "$SP" --session-http-port "$SH" --meta-port "$MP" \
  --meta-http-port "$MH" --data-port "$DP" --data-http-port "$DH") >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
PIDS+=("$REGISTRY_PID")
await_ready "$SH" "$WORK/registry.log"

REGISTRY="sharded://127.0.0.1:$SP"
# Each application its own user.home: Dubbo keeps cache files in ~/.dubbo and locks them per process.
start_app() {
  local name=$1
  shift
  mkdir -p "$WORK/home-$name"
  "${APP_JAVA[@]}" -Duser.home="$WORK/home-$name" -cp "$CP" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
say "starting DemoProvider twice: provider-A on :$PORT_A, provider-B on :$PORT_B"
start_app provider-A dev.registry.examples.dubbo.DemoProvider provider-A "$PORT_A" "$REGISTRY"
PID_A=$!
start_app provider-B dev.registry.examples.dubbo.DemoProvider provider-B "$PORT_B" "$REGISTRY"
PID_B=$!

# Both registered, as the registry holds them: the interface-level URL (DUBBO_PROVIDERS), the
# application instance (DUBBO_APPS) and the interface -> application mapping (DUBBO_MAPPING).
# Dubbo registers the host's address, not 127.0.0.1 (it takes loopback for "unset"): match the ports.
datum() { curl -sf --max-time 3 "http://127.0.0.1:$SH/api/v1/datum?dataId=$1&group=$2"; }
registered() {
  local urls apps mapping port
  urls=$(datum "$SERVICE" DUBBO_PROVIDERS) && apps=$(datum "$APPLICATION" DUBBO_APPS) \
    && mapping=$(datum "$SERVICE" DUBBO_MAPPING) || return 1
  grep -qF "\"$APPLICATION\"" <<<"$mapping" || return 1
  for port in $PORT_A $PORT_B; do
    grep -qF ":$port/$SERVICE?" <<<"$urls" && grep -qF "\\\"port\\\":$port," <<<"$apps" || return 1
  done
}
T0=$(now_ms)
until registered; do
  for p in $PID_A $PID_B; do
    kill -0 "$p" 2>/dev/null || { say "a provider exited:"; tail -30 "$WORK"/provider-*.log; exit 1; }
  done
  if (( $(now_ms) - T0 > 120000 )); then
    say "providers not registered after 120 s"; tail -30 "$WORK"/provider-*.log; exit 1
  fi
  sleep 0.25
done
say "both providers registered ($(( $(now_ms) - T0 )) ms after their start): URLs, instances and mapping"

say "starting DemoConsumer (calls every 20 ms once both providers answered)"
start_app consumer dev.registry.examples.dubbo.DemoConsumer "$REGISTRY" $((2 * SECONDS_EACH + 120)) 2
PID_C=$!
T0=$(now_ms)
until grep -q '^CALL ' "$WORK/consumer.log"; do
  kill -0 "$PID_C" 2>/dev/null || { say "the consumer exited:"; tail -40 "$WORK/consumer.log"; exit 1; }
  if (( $(now_ms) - T0 > 120000 )); then say "no call after 120 s"; tail -40 "$WORK/consumer.log"; exit 1; fi
  sleep 0.1
done
say "consumer calling: $(grep '^REACHED ' "$WORK/consumer.log" | head -1)"

sleep "$SECONDS_EACH"
KILL_MS=$(now_ms)
{ kill -9 "$PID_A"; wait "$PID_A"; } 2>/dev/null || true  # wait: no "Killed" notice from bash
say "kill -9 provider-A (pid $PID_A) at $KILL_MS"
sleep "$SECONDS_EACH"

say "stopping the consumer, provider-B and the registry"
stop_process "$PID_C"
stop_process "$PID_B"
stop_process "$REGISTRY_PID"

grep -E '^(CALL|PROVIDERS) ' "$WORK/consumer.log" >"$WORK/lines" || true
say "the consumer's directory (ms from the kill): $(awk -v k="$KILL_MS" '$1=="PROVIDERS" {printf "%s%+d: %s %s %s", sep, $2-k, $3, $4, $5; sep="; "}' "$WORK/lines")"
say "answers before the kill: $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="OK" && $2<k {n[$4]++} END {for (i in n) printf "%s=%d ", i, n[i]}' "$WORK/lines")"
say "failed calls near the kill (start - kill, ms): $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="FAIL" && $2>=k-2000 {printf "%+d ", $2-k}' "$WORK/lines")"
say "answers after the kill:  $(awk -v k="$KILL_MS" '$1=="CALL" && $3=="OK" && $2>=k {n[$4]++} END {for (i in n) printf "%s=%d ", i, n[i]}' "$WORK/lines")"

# calls failed-before failed-after calls-after-kill switch-ms bad-after-switch
# A failed call counts before the kill when it ended before it (CALL <start> ... took=<ms>). The
# switch is the first PROVIDERS line after the kill without provider-A's port; a call started after
# it is bad unless provider-B answered it.
read -r CALLS FAILED AFTER_FAILED CALLS_AFTER SWITCH_MS BAD_AFTER < <(awk -v k="$KILL_MS" -v port="$PORT_A" '
  $1 == "PROVIDERS" && $2 >= k && sw == "" {
    n = split($4, addrs, ",")
    gone = 1
    for (i = 1; i <= n; i++) if (addrs[i] ~ (":" port "$")) gone = 0
    if (gone) sw = $2 - k
  }
  $1 == "CALL" {
    calls++
    took = 0
    for (i = 4; i <= NF; i++) if ($i ~ /^took=/) took = substr($i, 6) + 0
    if ($3 == "FAIL") { if ($2 + took < k) before++; else after++ }
    if ($2 >= k) callsAfter++
    if (sw != "" && $2 > k + sw && !($3 == "OK" && $4 == "provider-B")) badAfter++
  }
  END {
    printf "%d %d %d %d %s %d\n", calls, before, after, callsAfter, (sw == "" ? "none" : sw), badAfter
  }' "$WORK/lines")

ok=1
problem() { say "FAIL: $*"; ok=0; }
(( CALLS > 0 )) || problem "the consumer made no call"
(( FAILED == 0 )) || problem "$FAILED calls failed before the kill"
(( CALLS_AFTER > 0 )) || problem "no call after the kill"
if [[ "$SWITCH_MS" == none ]]; then
  problem "the consumer still listed provider-A ${SECONDS_EACH} s after the kill"
else
  (( SWITCH_MS <= 1000 )) || problem "provider-A left the consumer's list only after $SWITCH_MS ms (bound 1000)"
  (( BAD_AFTER == 0 )) || problem "$BAD_AFTER calls started after the switch failed or did not reach provider-B"
fi
if [[ $ok == 0 ]]; then
  say "failed calls:"; grep ' FAIL ' "$WORK/lines" | head -20 || true
  say "consumer WARN/ERROR lines:"; grep -E ' (WARN|ERROR) ' "$WORK/consumer.log" | head -20 || echo "(none)"
  say "registry WARN/ERROR lines:"; grep -E ' (WARN|ERROR) ' "$WORK/registry.log" | head -20 || echo "(none)"
fi
echo "calls=$CALLS failed=$FAILED after-kill-failed=$AFTER_FAILED switch-ms=$SWITCH_MS"
[[ $ok == 1 ]]
