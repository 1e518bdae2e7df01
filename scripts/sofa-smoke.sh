#!/usr/bin/env bash
# SOFARegistry's own, unmodified Java client (com.alipay.sofa:registry-client-all 6.5.6, with its
# own dependencies) against the all-in-one registry, with real processes: discovery through the
# session admin port, subscribe, publish, see the value, kill -9 the publisher, see the empty list.
# Prints the measured delays and cleans up every process it started. Maven fetches the client once.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_server_jar

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "fetching SOFARegistry's client and its dependencies ..."
(cd "$REPO_ROOT" && mvn -B -q -f scripts/sofa-smoke/pom.xml dependency:copy-dependencies -DoutputDirectory="$WORK/lib")

# Ports off the defaults so a registry already running here does not interfere; with a custom
# session port the Bolt port for SOFARegistry clients is a free one, which they find through $SH.
SP=29600; SH=29603; MP=29610; MH=29615; DP=29620; DH=29622
(cd "$WORK" && exec "$(java_cmd)" -jar "$SERVER_JAR" --session-port $SP --session-http-port $SH --meta-port $MP \
  --meta-http-port $MH --data-port $DP --data-http-port $DH >"$WORK/server.log" 2>&1) &
PIDS+=($!)
echo "waiting for readiness on :$SH ..."
for i in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$SH/health/ready" >/dev/null; then break; fi
  if [[ $i == 120 ]]; then echo "registry not ready after 60 s"; cat "$WORK/server.log"; exit 1; fi
  sleep 0.5
done
echo "discovery answer: $(curl -sf "http://127.0.0.1:$SH/api/servers/queryWithWeight?env=null&zone=DEFAULT_ZONE&appName=smoke")"

# The client's hessian 3.3.8 reflects into java.lang on Java 17: open it to keep the output clean.
APP=("$(java_cmd)" --add-opens java.base/java.lang=ALL-UNNAMED -cp "$WORK/lib/*" "$REPO_ROOT/scripts/sofa-smoke/SofaSmoke.java")
"${APP[@]}" subscribe 127.0.0.1 $SH demo >"$WORK/sub.out" 2>"$WORK/sub.err" &
PIDS+=($!)
for i in $(seq 1 120); do grep -q 'values=\[\]' "$WORK/sub.out" 2>/dev/null && break; sleep 0.25; done
grep -q 'values=\[\]' "$WORK/sub.out" || { echo "subscriber got no initial push"; tail -20 "$WORK/sub.err"; exit 1; }
echo "subscriber: first (empty) push received"

"${APP[@]}" publish 127.0.0.1 $SH demo 10.0.0.1:12200 >"$WORK/pub.out" 2>"$WORK/pub.err" &
PUB=$!
PIDS+=($PUB)
for i in $(seq 1 120); do grep -q 'registered' "$WORK/pub.out" 2>/dev/null && break; sleep 0.25; done
grep -q 'registered' "$WORK/pub.out" || { echo "publish not acknowledged"; tail -20 "$WORK/pub.err"; exit 1; }
T0=$(date +%s%N)
until grep -q '10.0.0.1:12200' "$WORK/sub.out"; do
  if (( ($(date +%s%N) - T0) / 1000000 > 5000 )); then echo "value not pushed"; cat "$WORK/sub.out"; exit 1; fi
  sleep 0.02
done
echo "pushed within $(( ($(date +%s%N) - T0) / 1000000 )) ms of the client reporting the publisher registered"

LINES=$(wc -l <"$WORK/sub.out")
kill -9 $PUB
T0=$(date +%s%N)
until [[ $(wc -l <"$WORK/sub.out") -gt $LINES ]] && tail -1 "$WORK/sub.out" | grep -q 'values=\[\]'; do
  if (( ($(date +%s%N) - T0) / 1000000 > 5000 )); then echo "removal not pushed"; cat "$WORK/sub.out"; exit 1; fi
  sleep 0.02
done
echo "kill -9 of the publisher pushed the empty list in $(( ($(date +%s%N) - T0) / 1000000 )) ms"
grep "^callback" "$WORK/sub.out"
echo "SOFARegistry client smoke OK"
