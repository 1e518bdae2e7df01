#!/usr/bin/env bash
# SOFARegistry's own, unmodified Java client (com.alipay.sofa:registry-client-all 6.5.6, with its
# own dependencies) against the all-in-one registry, with real processes: discovery through the
# session admin port, subscribe, publish, see the value, kill -9 the publisher, see the empty list.
# Prints the measured delays and cleans up every process it started. Maven fetches the client once.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_server_jar

start_work_dir

echo "fetching SOFARegistry's client and its dependencies ..."
(cd "$REPO_ROOT" && mvn -B -q -f scripts/sofa-smoke/pom.xml dependency:copy-dependencies -DoutputDirectory="$WORK/lib")

# Ports off the defaults so a registry already running here does not interfere; with a custom
# session port the Bolt port for SOFARegistry clients is a free one, which they find through $SH.
SP=29600; SH=29603; MP=29610; MH=29615; DP=29620; DH=29622
(cd "$WORK" && exec "$(java_cmd)" -jar "$SERVER_JAR" --session-port $SP --session-http-port $SH --meta-port $MP \
  --meta-http-port $MH --data-port $DP --data-http-port $DH >"$WORK/server.log" 2>&1) &
PIDS+=($!)
await_ready $SH "$WORK/server.log"
echo "discovery answer: $(curl -sf "http://127.0.0.1:$SH/api/servers/queryWithWeight?env=null&zone=DEFAULT_ZONE&appName=smoke")"

# The client's hessian 3.3.8 reflects into java.lang on Java 17: open it to keep the output clean.
APP=("$(java_cmd)" --add-opens java.base/java.lang=ALL-UNNAMED -cp "$WORK/lib/*" "$REPO_ROOT/scripts/sofa-smoke/SofaSmoke.java")
"${APP[@]}" subscribe 127.0.0.1 $SH demo >"$WORK/sub.out" 2>"$WORK/sub.err" &
PIDS+=($!)
await_line "$WORK/sub.out" 'values=\[\]' 120 "subscriber got no initial push" "$WORK/sub.err"
echo "subscriber: first (empty) push received"

"${APP[@]}" publish 127.0.0.1 $SH demo 10.0.0.1:12200 >"$WORK/pub.out" 2>"$WORK/pub.err" &
PUB=$!
PIDS+=($PUB)
await_line "$WORK/pub.out" 'registered' 120 "publish not acknowledged" "$WORK/pub.err"
timed_until 5000 "value not pushed" "$WORK/sub.out" grep -q '10.0.0.1:12200' "$WORK/sub.out"
echo "pushed within $ELAPSED_MS ms of the client reporting the publisher registered"

LINES=$(wc -l <"$WORK/sub.out")
emptied() { [[ $(wc -l <"$WORK/sub.out") -gt $LINES ]] && tail -1 "$WORK/sub.out" | grep -q 'values=\[\]'; }
kill -9 $PUB
timed_until 5000 "removal not pushed" "$WORK/sub.out" emptied
echo "kill -9 of the publisher pushed the empty list in $ELAPSED_MS ms"
grep "^callback" "$WORK/sub.out"
# A new user's sequence, one client: subscribe, then publish and unregister in turn (issue 15: p50 <= 50 ms each).
"${APP[@]}" sequence 127.0.0.1 $SH demo.sequence "${SOFA_SEQUENCE_ROUNDS:-20}" 2>"$WORK/seq.err" | grep '^sequence' \
  || { echo "sequence failed"; tail -20 "$WORK/seq.err"; exit 1; }
echo "SOFARegistry client smoke OK"
