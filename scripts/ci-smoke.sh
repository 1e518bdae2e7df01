#!/usr/bin/env bash
# The README walk-through as a check, with real processes: start the all-in-one registry,
# subscribe, publish, see the value within a second, kill -9 the publisher, see the empty list
# within a second. Cleans up every process it started on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_server_jar

start_work_dir

# Ports off the defaults so a registry already running here does not interfere.
SP=19600; SH=19603; MP=19610; MH=19615; DP=19620; DH=19622
"$(java_cmd)" -jar "$SERVER_JAR" --session-port $SP --session-http-port $SH --meta-port $MP --meta-http-port $MH \
  --data-port $DP --data-http-port $DH >"$WORK/server.log" 2>&1 &
PIDS+=($!)
await_ready $SH "$WORK/server.log"

CLI=("$(java_cmd)" -cp "$SERVER_JAR" dev.registry.server.cli.RegistryCli)
"${CLI[@]}" subscribe --servers 127.0.0.1:$SP --data-id demo >"$WORK/sub.out" 2>"$WORK/sub.err" &
PIDS+=($!)
await_line "$WORK/sub.out" '"values":\[\]' 60 "subscriber got no initial push" "$WORK/sub.err"

"${CLI[@]}" publish --servers 127.0.0.1:$SP --data-id demo --value 10.0.0.1:8080 >"$WORK/pub.out" 2>&1 &
PUB=$!
PIDS+=($PUB)
await_line "$WORK/pub.out" 'published' 80 "publish not acknowledged"
timed_until 5000 "value not pushed" "$WORK/sub.out" grep -q '10.0.0.1:8080' "$WORK/sub.out"
echo "pushed after the publish ack in $ELAPSED_MS ms"

LINES=$(wc -l <"$WORK/sub.out")
emptied() { [[ $(wc -l <"$WORK/sub.out") -gt $LINES ]] && tail -1 "$WORK/sub.out" | grep -q '"values":\[\]'; }
kill -9 $PUB
timed_until 5000 "removal not pushed" "$WORK/sub.out" emptied
echo "kill -9 of the publisher pushed the empty list in $ELAPSED_MS ms"
cat "$WORK/sub.out"
echo "smoke OK"
