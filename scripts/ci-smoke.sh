#!/usr/bin/env bash
# The README walk-through as a check, with real processes: start the all-in-one registry,
# subscribe, publish, see the value within a second, kill -9 the publisher, see the empty list
# within a second. Cleans up every process it started on exit.
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

# Ports off the defaults so a registry already running here does not interfere.
SP=19600; SH=19603; MP=19610; MH=19615; DP=19620; DH=19622
"$(java_cmd)" -jar "$SERVER_JAR" --session-port $SP --session-http-port $SH --meta-port $MP --meta-http-port $MH \
  --data-port $DP --data-http-port $DH >"$WORK/server.log" 2>&1 &
PIDS+=($!)

echo "waiting for readiness on :$SH ..."
for i in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$SH/health/ready" >/dev/null; then break; fi
  if [[ $i == 120 ]]; then echo "registry not ready after 60 s"; cat "$WORK/server.log"; exit 1; fi
  sleep 0.5
done
echo "ready"

CLI=("$(java_cmd)" -cp "$SERVER_JAR" dev.registry.server.cli.RegistryCli)
"${CLI[@]}" subscribe --servers 127.0.0.1:$SP --data-id demo >"$WORK/sub.out" 2>"$WORK/sub.err" &
PIDS+=($!)
for i in $(seq 1 60); do grep -q '"values":\[\]' "$WORK/sub.out" 2>/dev/null && break; sleep 0.25; done
grep -q '"values":\[\]' "$WORK/sub.out" || { echo "subscriber got no initial push"; cat "$WORK/sub.err"; exit 1; }

"${CLI[@]}" publish --servers 127.0.0.1:$SP --data-id demo --value 10.0.0.1:8080 >"$WORK/pub.out" 2>&1 &
PUB=$!
PIDS+=($PUB)
for i in $(seq 1 80); do grep -q 'published' "$WORK/pub.out" 2>/dev/null && break; sleep 0.25; done
grep -q 'published' "$WORK/pub.out" || { echo "publish not acknowledged"; cat "$WORK/pub.out"; exit 1; }
T0=$(date +%s%N)
until grep -q '10.0.0.1:8080' "$WORK/sub.out"; do
  if (( ($(date +%s%N) - T0) / 1000000 > 5000 )); then echo "value not pushed"; cat "$WORK/sub.out"; exit 1; fi
  sleep 0.02
done
echo "pushed after the publish ack in $(( ($(date +%s%N) - T0) / 1000000 )) ms"

LINES=$(wc -l <"$WORK/sub.out")
kill -9 $PUB
T0=$(date +%s%N)
until [[ $(wc -l <"$WORK/sub.out") -gt $LINES ]] && tail -1 "$WORK/sub.out" | grep -q '"values":\[\]'; do
  if (( ($(date +%s%N) - T0) / 1000000 > 5000 )); then echo "removal not pushed"; cat "$WORK/sub.out"; exit 1; fi
  sleep 0.02
done
echo "kill -9 of the publisher pushed the empty list in $(( ($(date +%s%N) - T0) / 1000000 )) ms"
cat "$WORK/sub.out"
echo "smoke OK"
