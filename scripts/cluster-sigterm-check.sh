#!/usr/bin/env bash
# Process-level check of a session's graceful shutdown (issue 7): a real multi-process cluster from
# scripts/cluster.sh, CLI publishers connected to session-0 (they know both sessions), CLI subscribers on
# session-1, SIGTERM of session-0 (scripts/cluster.sh stop-node). It must hold that
#   - session-0 exits with 143 (the JVM's exit after its shutdown hook) within EXIT_BOUND_MS;
#   - every publisher is served by session-1 within MOVE_BOUND_MS (session-1's GET /api/v1/datum);
#   - in every subscriber's output, a value never disappears once it appeared, and versions increase,
#     watched until the data servers' grace for session-0's publishers (REGISTRY_SESSION_GRACE_SECONDS,
#     10 here) has passed by 5 s.
# Cleans up on exit. Options (environment):
#   CHECK_BASE_PORT (10000)  the cluster's base port (it uses P..P+199)
#   KEEP=1                   keep the work directory (logs, subscriber outputs) on failure
#   CHECK_NO_BUILD=1         use the runnable jar as it is, even if sources are newer
#   SELF_TEST=frozen         prove the check fails when publishers cannot move: they are SIGSTOPped before
#                            the SIGTERM (and resumed at the end), so their values vanish once session-0 is
#                            gone and the grace passed; the check must report every push that lacks them
#   SELF_TEST=kill9          kill -9 session-0 instead of SIGTERM: the exit-status check must fail
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ "${CHECK_NO_BUILD:-0}" != 1 || ! -f "$SERVER_JAR" ]]; then ensure_server_jar; fi
DIR="$(mktemp -d)"
BASE=${CHECK_BASE_PORT:-10000}
SELF_TEST=${SELF_TEST:-}
PUBLISHERS=3
SUBSCRIBERS=2
EXIT_BOUND_MS=20000   # drain: clients asked to move at once, waited for up to 10 s; then close
MOVE_BOUND_MS=10000
export REGISTRY_SESSION_GRACE_SECONDS=${REGISTRY_SESSION_GRACE_SECONDS:-10}
CLI_PIDS=()
FAILED=0
cleanup() {
  local status=$?
  for pid in "${CLI_PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  for pid in "${CLI_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash "$REPO_ROOT/scripts/cluster.sh" stop --dir "$DIR" >/dev/null 2>&1 || true
  if [[ $status != 0 && "${KEEP:-0}" == 1 ]]; then say "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
say() { printf '[sigterm-check %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
now_ms() { date +%s%3N; }
fail() { say "FAIL: $*"; FAILED=1; }
# start_cli NAME ARGS...: a CLI client in the background (the JVM itself, so that cleanup can end it), output
# in DIR/NAME.out and DIR/NAME.err.
start_cli() {
  local name="$1"; shift
  "$(java_cmd)" -Xms32m -XX:TieredStopAtLevel=1 -cp "$SERVER_JAR" dev.registry.server.cli.RegistryCli "$@" \
    >"$DIR/$name.out" 2>"$DIR/$name.err" &
  CLI_PIDS+=($!)
}
cluster() { bash "$REPO_ROOT/scripts/cluster.sh" "$@" --dir "$DIR"; }

S0=$((BASE + 20)); S1=$((BASE + 22)); H0=$((S0 + 100)); H1=$((S1 + 100))
DATA_ID=sigterm.check
# "sessionId" of each publisher of DATA_ID, as the slot leader holds it (through session-1's admin).
publisher_sessions() {
  curl -sf --max-time 3 "http://127.0.0.1:$1/api/v1/datum?dataId=$DATA_ID" | grep -o '"sessionId" *: *"[^"]*"' \
    | sed -E 's/.*: *"([^"]*)"/\1/' || true
}
wait_until() {  # wait_until MS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s
  local bound=$1 what=$2 t0; shift 2; t0=$(now_ms)
  until "$@"; do
    (( $(now_ms) - t0 < bound )) || { fail "$what: not within $bound ms"; return 1; }
    sleep 0.2
  done
}

say "starting a cluster (1 meta, 2 data, 2 sessions) on ports $BASE..$((BASE + 199)), session grace ${REGISTRY_SESSION_GRACE_SECONDS} s"
cluster start --detach --base-port "$BASE" --metas 1 --data 2 --sessions 2 >"$DIR/cluster-start.out" 2>&1 \
  || { cat "$DIR/cluster-start.out"; exit 1; }
grep 'cluster ready' "$DIR/cluster-start.out" || true

# The client starts at a random one of its addresses: with session-1 stopped, every publisher lands on
# session-0 yet knows session-1 for later.
say "stopping session-1 while the publishers connect, so that they all start on session-0"
cluster stop-node session 1 >/dev/null
servers="127.0.0.1:$S0,127.0.0.1:$S1"
for ((i = 1; i <= PUBLISHERS; i++)); do
  start_cli "pub-$i" publish --servers "$servers" --data-id "$DATA_ID" --value "10.0.0.$i:80"
done
published() { local i; for ((i = 1; i <= PUBLISHERS; i++)); do grep -q published "$DIR/pub-$i.out" || return 1; done; }
wait_until 60000 "publishers registered" published || { cat "$DIR"/pub-*.err; exit 1; }
say "$PUBLISHERS publishers registered on session-0 ($servers)"
cluster start-node session 1 >/dev/null
session1_ready() {
  if [[ -s "$DIR/run/session-1.exit" ]]; then
    fail "session-1 exited during its restart (status $(cat "$DIR/run/session-1.exit"))"; tail -20 "$DIR/logs/session-1.log"; exit 1
  fi
  curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$H1/health/ready"
}
wait_until 60000 "session-1 ready again" session1_ready || exit 1

for ((i = 1; i <= SUBSCRIBERS; i++)); do
  start_cli "sub-$i" subscribe --servers "127.0.0.1:$S1" --data-id "$DATA_ID"
done
all_values_seen() {
  local i n
  for ((i = 1; i <= SUBSCRIBERS; i++)); do
    n=$(tail -n 1 "$DIR/sub-$i.out" 2>/dev/null | grep -o '10\.0\.0\.[0-9]*:80' | sort -u | wc -l)
    [[ "$n" == "$PUBLISHERS" ]] || return 1
  done
}
wait_until 30000 "subscribers on session-1 see every publisher" all_values_seen || exit 1
# Session balancing (every 5 s) may already move some publishers to the restarted session-1; at least one
# must still be on session-0 for the SIGTERM to move.
on_session0=$(publisher_sessions "$H1" | grep -c "^127.0.0.1:$S0$" || true)
(( on_session0 >= 1 )) || { fail "no publisher left on session-0 to move (balancing moved them all)"; exit 1; }
say "$SUBSCRIBERS subscribers on session-1 see all $PUBLISHERS values; $on_session0 publishers are on session-0"

if [[ "$SELF_TEST" == frozen ]]; then
  say "SELF_TEST=frozen: SIGSTOP of the publishers; they cannot move"
  for ((i = 0; i < PUBLISHERS; i++)); do kill -STOP "${CLI_PIDS[$i]}"; done
fi
T0=$(now_ms)
if [[ "$SELF_TEST" == kill9 ]]; then
  say "SELF_TEST=kill9: kill -9 of session-0 instead of SIGTERM"
  pid=$(awk '$1 == "session-0" {print $2}' "$DIR/pids")
  cluster kill session 0 >/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  sleep 0.1
  stopped="session-0 exit=$(cat "$DIR/run/session-0.exit" 2>/dev/null) ms=$(( $(now_ms) - T0 ))"
else
  say "SIGTERM to session-0"
  stopped="$(cluster stop-node session 0 --timeout 30)" || fail "session-0 did not stop cleanly: $stopped"
fi
read -r exit_code exit_ms < <(sed -nE 's/^session-0 exit=([^ ]*) ms=([0-9]*)$/\1 \2/p' <<<"$stopped") || true
say "session-0 exited with status ${exit_code:-?} after ${exit_ms:-?} ms (bound $EXIT_BOUND_MS ms)"
[[ "${exit_code:-}" == 143 ]] || fail "session-0 exit status ${exit_code:-unknown}, expected 143"
(( ${exit_ms:-999999} <= EXIT_BOUND_MS )) || fail "session-0 took ${exit_ms:-?} ms to exit (bound $EXIT_BOUND_MS ms)"

all_on_session1() {
  local s; s="$(publisher_sessions "$H1")"
  [[ "$(grep -c "^127.0.0.1:$S1$" <<<"$s" || true)" == "$PUBLISHERS" && "$(wc -l <<<"$s")" == "$PUBLISHERS" ]]
}
if wait_until "$MOVE_BOUND_MS" "every publisher served by session-1" all_on_session1; then
  say "every publisher is served by session-1 $(( $(now_ms) - T0 )) ms after the SIGTERM"
fi
connections=$(curl -sf --max-time 3 "http://127.0.0.1:$H1/api/v1/connections" | grep -c '"id"' || true)
say "session-1 holds $connections client connections ($PUBLISHERS publishers + $SUBSCRIBERS subscribers expected)"

WATCH_S=$((REGISTRY_SESSION_GRACE_SECONDS + 5))
[[ "$SELF_TEST" == frozen ]] && WATCH_S=$((WATCH_S + 10))   # frozen clients hold the drain for 10 s
say "watching the subscribers until ${WATCH_S} s after the SIGTERM (data servers' grace ${REGISTRY_SESSION_GRACE_SECONDS} s)"
while (( $(now_ms) - T0 < WATCH_S * 1000 )); do sleep 0.5; done
if [[ "$SELF_TEST" == frozen ]]; then
  for ((i = 0; i < PUBLISHERS; i++)); do kill -CONT "${CLI_PIDS[$i]}"; done
fi
for ((i = 1; i <= PUBLISHERS; i++)); do
  kill -0 "${CLI_PIDS[$((i - 1))]}" 2>/dev/null || fail "publisher $i exited: $(tail -3 "$DIR/pub-$i.err")"
done

# A value, once pushed, is in every later push of that subscriber (no publisher ever left); versions increase.
total=0
for ((i = 1; i <= SUBSCRIBERS; i++)); do
  result=$(awk -v sub_name="subscriber $i" '
    {
      v = $0; sub(/.*"version":/, "", v); sub(/,.*/, "", v); v += 0
      if (NR > 1 && v <= last) { printf "%s push %d: version %d not above %d\n", sub_name, NR, v, last; bad++ }
      last = v
      vals = $0; sub(/.*"values":\[/, "", vals); sub(/\].*/, "", vals)
      n = split(vals, parts, ",")
      for (k in cur) delete cur[k]
      for (j = 1; j <= n; j++) { x = parts[j]; gsub(/"/, "", x); if (x != "") cur[x] = 1 }
      for (x in seen) if (!(x in cur)) { printf "%s push %d lacks %s: %s\n", sub_name, NR, x, $0; bad++ }
      for (x in cur) seen[x] = 1
    }
    END { printf "checked %d %d\n", NR, bad + 0 }' "$DIR/sub-$i.out")
  while read -r line; do [[ "$line" == checked* ]] || say "FAIL: $line"; done <<<"$result"
  read -r _ pushes bad < <(grep '^checked ' <<<"$result") || true
  total=$((total + pushes))
  (( bad == 0 )) || fail "subscriber $i: $bad violation(s) (a value missing after it had appeared, or an older version)"
done
say "$total pushes checked across $SUBSCRIBERS subscribers"
if [[ $FAILED != 0 ]]; then
  for ((i = 1; i <= SUBSCRIBERS; i++)); do say "subscriber $i output:"; cat "$DIR/sub-$i.out"; done
  say "sigterm check FAILED"
  exit 1
fi
say "sigterm check OK"
