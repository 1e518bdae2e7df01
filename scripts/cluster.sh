#!/usr/bin/env bash
# A real multi-process registry on this machine: N meta nodes (one leader by a database lease),
# data servers and sessions, each its own JVM running the runnable jar.
#
#   scripts/cluster.sh [start] [options]   start, wait until ready, stay in the foreground; Ctrl-C stops all
#   scripts/cluster.sh start --detach      start and return; stop later with: scripts/cluster.sh stop
#   scripts/cluster.sh stop                stop a detached cluster (TERM, then KILL after 30 s)
#   scripts/cluster.sh status              which processes run, who leads meta
#   scripts/cluster.sh failover            kill -9 the meta leader, measure the takeover, restart it
#   scripts/cluster.sh kill ROLE N          kill -9 one node, e.g. `kill data 1` (N as `status` shows it)
#   scripts/cluster.sh stop-node ROLE N     SIGTERM one node (a session drains, a data server hands off its
#                                          slots), wait until it exits (--timeout S, default 60) and print its
#                                          exit status; fails when it had to be killed or exited abnormally
#   scripts/cluster.sh start-node ROLE N    start that node again (same ports, same command)
#   ROLE: meta, data, session, lb (the HAProxy process, N = 0) or h2 (the H2 server of the metas'
#   database, N = 0: `kill h2 0` then `start-node h2 0` is a meta database outage)
#
# Options:
#   --metas N (3)  --data N (3)  --sessions N (2)   how many of each (metas and data <= 10, sessions <= 10)
#   --base-port P (9700)   meta i: RPC P+i; data i: RPC P+10+i; session i: clients P+20+2i; admin HTTP +100
#   --dir DIR (data/cluster)   logs, pids and the embedded database
#   --db-url URL   a shared database, e.g. jdbc:postgresql://127.0.0.1:5432/registry (default: an H2 file
#                  in DIR/db served to the metas by an H2 TCP server process on 127.0.0.1:P+90, which this
#                  script starts from the same jar; nothing to install)
#   --db-user U    (env REGISTRY_META_DB_USER)  the password only from env REGISTRY_META_DB_PASSWORD, so it
#                  never shows in ps
#   --meta-lease-millis MS (10000)  --meta-renew-millis MS (2000)
#   --server-jar PATH  run this runnable jar instead of registry-server/target/…-all.jar (nothing is built)
#   --secure       TLS on the sessions' client ports, mutual TLS between all nodes, client authentication:
#                  a private CA, a node certificate and two apps' credentials are made once in DIR/secrets
#                  (ca.pem, demo.credentials, other.credentials; demo may publish only demo.*). Clients:
#                  scripts/registry-cli.sh ... --tls-ca DIR/secrets/ca.pem --credentials DIR/secrets/demo.credentials
#   --lb           also start HAProxy (the `haproxy` command, e.g. Debian's package) in TCP mode on
#                  127.0.0.1:P+91 in front of every session's client port, health-checking each session's
#                  GET /health/ready (over HTTPS verified against DIR/secrets/ca.pem with --secure; client
#                  traffic passes through, TLS end to end); its statistics page on http://127.0.0.1:P+191/
#                  (config: DIR/haproxy.cfg)
# Environment: REGISTRY_JAVA_OPTS (default -Xmx256m -XX:+UseSerialGC), REGISTRY_ADMIN_TOKEN (default: a
# random token written to DIR/admin-token), REGISTRY_LB=1 (same as --lb).
# REGISTRY_META_JAVA_OPTS, REGISTRY_DATA_JAVA_OPTS, REGISTRY_SESSION_JAVA_OPTS: per role, instead of
# REGISTRY_JAVA_OPTS (e.g. larger heaps for data servers and sessions in the scale bench).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CMD=start
if [[ $# -gt 0 && "$1" != --* ]]; then CMD="$1"; shift; fi
NODE=""
if [[ "$CMD" == kill || "$CMD" == start-node || "$CMD" == stop-node ]]; then
  [[ $# -ge 2 && "$1" =~ ^(meta|data|session|lb|h2)$ && "$2" =~ ^[0-9]+$ ]] \
    || { echo "usage: scripts/cluster.sh $CMD meta|data|session|lb|h2 N [--dir DIR]" >&2; exit 2; }
  NODE="$1-$2"; shift 2
fi
METAS=3; DATA=3; SESSIONS=2; BASE=9700; DIR="$REPO_ROOT/data/cluster"; DETACH=0
DB_URL=""; DB_USER="${REGISTRY_META_DB_USER:-}"; LEASE_MS=10000; RENEW_MS=2000
LB="${REGISTRY_LB:-0}"; STOP_TIMEOUT=60; SECURE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --metas) METAS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --sessions) SESSIONS="$2"; shift 2 ;;
    --base-port) BASE="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --db-url) DB_URL="$2"; shift 2 ;;
    --db-user) DB_USER="$2"; shift 2 ;;
    --meta-lease-millis) LEASE_MS="$2"; shift 2 ;;
    --meta-renew-millis) RENEW_MS="$2"; shift 2 ;;
    --detach) DETACH=1; shift ;;
    --lb) LB=1; shift ;;
    --secure) SECURE=1; shift ;;
    --server-jar) SERVER_JAR="$(realpath "$2")"; shift 2 ;;
    --timeout) STOP_TIMEOUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$METAS" "$DATA" "$SESSIONS"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 && "$n" -le 10 ]] || { echo "counts must be 1..10" >&2; exit 2; }
done
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
PIDS_FILE="$DIR/pids"
LB=$([[ "$LB" == 1 ]] && echo 1 || echo 0)
# stop, status and failover act on the cluster as it was started (counts and ports).
if [[ "$CMD" != start && -f "$DIR/cluster.conf" ]]; then source "$DIR/cluster.conf"; fi
JAVA_OPTS=(${REGISTRY_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC})
META_JAVA_OPTS=(${REGISTRY_META_JAVA_OPTS:-${JAVA_OPTS[*]}})
DATA_JAVA_OPTS=(${REGISTRY_DATA_JAVA_OPTS:-${JAVA_OPTS[*]}})
SESSION_JAVA_OPTS=(${REGISTRY_SESSION_JAVA_OPTS:-${JAVA_OPTS[*]}})

now_ms() { date +%s%3N; }
say() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
# Admin ports speak HTTPS with --secure (the nodes' certificate, signed by DIR/secrets/ca.pem).
ADMIN_SCHEME=http
ADMIN_CURL=()
if [[ "$SECURE" == 1 ]]; then ADMIN_SCHEME=https; ADMIN_CURL=(--cacert "$DIR/secrets/ca.pem"); fi
http_get() { curl -sf --max-time 2 "${ADMIN_CURL[@]+"${ADMIN_CURL[@]}"}" "$ADMIN_SCHEME://127.0.0.1:$1$2" 2>/dev/null; }

meta_port() { echo $((BASE + $1)); }
data_port() { echo $((BASE + 10 + $1)); }
session_port() { echo $((BASE + 20 + 2 * $1)); }   # the next port is the session's SOFA Bolt port
lb_port() { echo $((BASE + 91)); }                   # BASE+90 is the H2 server
http_of() { echo $(($1 + 100)); }

alive() { [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; }

# "name pid" lines of the processes this directory's cluster started.
read_pids() { [[ -f "$PIDS_FILE" ]] && cat "$PIDS_FILE" || true; }
pid_of() { read_pids | awk -v n="$1" '$1 == n {print $2}'; }

# The exit status of a node that ended (written by its DIR/cmd/NAME.sh), empty while it runs.
exit_status() { [[ -s "$DIR/run/$1.exit" ]] && cat "$DIR/run/$1.exit" || true; }
describe_status() {
  case "$1" in
    0) echo "0" ;;
    143) echo "143 (128 + SIGTERM: the normal exit on SIGTERM, after a JVM's shutdown hook ran)" ;;
    137) echo "137 (128 + SIGKILL)" ;;
    *) echo "$1" ;;
  esac
}

# Starts DIR/cmd/NAME.sh in the background, waits for the pid it reports and records "NAME pid" (the
# node's own process, not the wrapper's) in PIDS_FILE, replacing an older line for NAME.
run_node() {
  local name="$1" deadline pid
  mkdir -p "$DIR/run"
  rm -f "$DIR/run/$name.pid" "$DIR/run/$name.exit"
  bash "$DIR/cmd/$name.sh" &
  deadline=$(( $(now_ms) + 10000 ))
  until [[ -s "$DIR/run/$name.pid" ]]; do
    (( $(now_ms) < deadline )) || { say "$name did not start; see $DIR/logs/$name.log"; return 1; }
    sleep 0.02
  done
  pid="$(cat "$DIR/run/$name.pid")"
  if grep -q "^$name " "$PIDS_FILE" 2>/dev/null; then sed -i "s/^$name .*/$name $pid/" "$PIDS_FILE"
  else echo "$name $pid" >>"$PIDS_FILE"; fi
  RUN_PID="$pid"
}

# Writes DIR/cmd/NAME.sh running the command given (environment lines first, from ENV_LINES), with its
# output appended to DIR/logs/NAME.log. The wrapper stays as the node's parent to record its pid in
# DIR/run/NAME.pid and, when it ends, its exit status in DIR/run/NAME.exit (a detached node is nobody
# else's child, so nothing else could read it).
write_cmd() {
  local name="$1"; shift
  {
    echo "#!/usr/bin/env bash"
    # Not the caller's terminal or pipe: a detached cluster must not hold its stdout open.
    printf 'exec </dev/null >>%q 2>&1\n' "$DIR/logs/$name.log"
    printf '%s' "${ENV_LINES:-}"
    printf '%q' "$1"; shift
    printf ' %q' "$@"
    printf ' &\n'
    printf 'pid=$!\n'
    printf 'echo "$pid" >%q\n' "$DIR/run/$name.pid"
    # Signals meant for the whole process group (Ctrl-C, timeout(1)) must not end the wrapper before
    # the node: a wait cut short by one is resumed while the node runs.
    printf 'trap : INT TERM HUP\n'
    printf 'wait "$pid"; status=$?\n'
    printf 'while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done\n'
    printf 'echo "$status" >%q\n' "$DIR/run/$name.exit"
  } >"$DIR/cmd/$name.sh"
}

# TERM to every "name pid" line given, then KILL whatever still runs after 30 s.
stop_pids() {
  local name pid deadline
  [[ -z "$1" ]] && return 0
  while read -r name pid; do alive "$pid" && kill -TERM "$pid" 2>/dev/null || true; done <<<"$1"
  deadline=$(( $(now_ms) + 30000 ))
  while read -r name pid; do
    while alive "$pid" && (( $(now_ms) < deadline )); do sleep 0.1; done
    if alive "$pid"; then say "$name did not stop in 30 s: kill -9"; kill -9 "$pid" 2>/dev/null || true; fi
  done <<<"$1"
}

stop_all() {
  local lines pid name deadline
  lines="$(read_pids)"
  [[ -z "$lines" ]] && return 0
  say "stopping: data servers one by one (each hands its slots to the rest), then sessions, then metas"
  while read -r name pid; do
    [[ "$name" == data-* ]] && stop_pids "$name $pid"
  done <<<"$lines"
  stop_pids "$(grep '^session-' <<<"$lines" || true)"
  stop_pids "$(grep '^lb-' <<<"$lines" || true)"
  stop_pids "$(grep '^meta-' <<<"$lines" || true)"
  stop_pids "$(grep '^h2-' <<<"$lines" || true)"
  rm -f "$PIDS_FILE"
  say "stopped"
}

leader_index() {
  local i
  for ((i = 0; i < METAS; i++)); do
    if http_get "$(http_of "$(meta_port $i)")" /api/v1/leader | grep -q '"leader" *: *true'; then echo "$i"; return 0; fi
  done
  return 1
}

# HAProxy's view of the sessions ("session-0 UP" lines), from its statistics page.
lb_servers() {
  # HAProxy's statistics page is plain HTTP on 127.0.0.1 even with --secure.
  curl -sf --max-time 2 "http://127.0.0.1:$(http_of "$(lb_port)")/;csv" 2>/dev/null | awk -F, '$1 == "sessions" && $2 != "BACKEND" {print $2, $18}'
}

case "$CMD" in
  stop) stop_all; exit 0 ;;
  status)
    read_pids | while read -r name pid; do
      case "$name" in
        meta-*) port=$(meta_port "${name#meta-}") ;;
        data-*) port=$(data_port "${name#data-}") ;;
        session-*) port=$(session_port "${name#session-}") ;;
        lb-*) port=$(lb_port) ;;
        *) port="" ;;
      esac
      ports="${port:+ port $port admin $(http_of "$port")}"
      if alive "$pid"; then echo "$name pid $pid running$ports"
      else
        status=$(exit_status "$name")
        echo "$name pid $pid NOT running${status:+ (exited with $status)}$ports"
      fi
    done
    if i=$(leader_index); then echo "meta leader: meta-$i (127.0.0.1:$(meta_port "$i"))"; else echo "no meta leader"; fi
    if [[ "$LB" == 1 ]]; then
      echo "load balancer: 127.0.0.1:$(lb_port) (HAProxy; statistics http://127.0.0.1:$(http_of "$(lb_port)")/)"
      lb_servers | while read -r server state; do echo "  $server $state"; done
    fi
    exit 0 ;;
  failover)
    i=$(leader_index) || { echo "no meta leader to kill" >&2; exit 1; }
    pid=$(pid_of "meta-$i")
    epoch=$(http_get "$(http_of "$(meta_port "$i")")" /api/v1/slot-table | grep -o '"epoch" *: *[0-9]*' | grep -o '[0-9]*$')
    say "kill -9 of meta leader meta-$i (pid $pid, slot table epoch $epoch)"
    t0=$(now_ms); kill -9 "$pid"
    until j=$(leader_index) && [[ "$j" != "$i" ]]; do
      (( $(now_ms) - t0 > 60000 )) && { echo "no new leader after 60 s" >&2; exit 1; }
      sleep 0.05
    done
    t1=$(now_ms)
    say "meta-$j leads after $((t1 - t0)) ms"
    want=$((epoch + 1))
    for ((k = 0; k < SESSIONS; k++)); do
      until http_get "$(http_of "$(session_port $k)")" /health/ready | grep -q "\"slotTableEpoch\" *: *$want"; do
        (( $(now_ms) - t0 > 60000 )) && { echo "session-$k did not get the new leader's table" >&2; exit 1; }
        sleep 0.05
      done
    done
    say "every session holds the new leader's table (epoch $want) after $(( $(now_ms) - t0 )) ms"
    say "restarting meta-$i"
    run_node "meta-$i"
    exit 0 ;;
  kill)
    pid=$(pid_of "$NODE")
    alive "$pid" || { echo "$NODE is not running" >&2; exit 1; }
    kill -9 "$pid"
    say "kill -9 of $NODE (pid $pid)"
    exit 0 ;;
  stop-node)
    pid=$(pid_of "$NODE")
    alive "$pid" || { echo "$NODE is not running" >&2; exit 1; }
    [[ "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] || { echo "--timeout takes seconds" >&2; exit 2; }
    say "SIGTERM to $NODE (pid $pid); waiting up to $STOP_TIMEOUT s for it to exit"
    t0=$(now_ms)
    kill -TERM "$pid"
    while alive "$pid" && (( $(now_ms) - t0 < STOP_TIMEOUT * 1000 )); do sleep 0.05; done
    if alive "$pid"; then
      say "$NODE did not exit within $STOP_TIMEOUT s: kill -9"
      kill -9 "$pid" 2>/dev/null || true
      exit 1
    fi
    elapsed=$(( $(now_ms) - t0 ))
    # The wrapper writes the status right after the process is reaped.
    until [[ -s "$DIR/run/$NODE.exit" ]] || (( $(now_ms) - t0 - elapsed > 2000 )); do sleep 0.02; done
    status=$(exit_status "$NODE")
    say "$NODE exited after $elapsed ms with status $(describe_status "${status:-unknown}")"
    echo "$NODE exit=${status:-unknown} ms=$elapsed"
    [[ "$status" == 0 || "$status" == 143 ]] || exit 1
    exit 0 ;;
  start-node)
    [[ -f "$DIR/cmd/$NODE.sh" ]] || { echo "no node $NODE in $DIR" >&2; exit 1; }
    pid=$(pid_of "$NODE")
    if alive "$pid"; then echo "$NODE is already running (pid $pid)" >&2; exit 1; fi
    run_node "$NODE"
    say "started $NODE (pid $RUN_PID); log: $DIR/logs/$NODE.log"
    exit 0 ;;
  start) ;;
  *) echo "unknown command $CMD (start, stop, status, failover, kill, stop-node, start-node)" >&2; exit 2 ;;
esac

# ---- start ----
if [[ -n "$(read_pids)" ]]; then
  while read -r name pid; do
    if alive "$pid"; then echo "a cluster from $DIR is running ($name pid $pid): scripts/cluster.sh stop" >&2; exit 1; fi
  done <<<"$(read_pids)"
  rm -f "$PIDS_FILE"
fi
if [[ "$LB" == 1 ]] && ! command -v haproxy >/dev/null; then
  echo "--lb needs the haproxy command (Debian/Ubuntu: apt-get install haproxy)" >&2; exit 1
fi
if [[ ! -f "$SERVER_JAR" ]]; then
  say "building the runnable jar (mvn -B -q -o -DskipTests package -pl registry-server -am)"
  if command -v flock >/dev/null; then
    (cd "$REPO_ROOT" && flock /tmp/mvn.lock mvn -B -q -o -DskipTests package -pl registry-server -am)
  else
    (cd "$REPO_ROOT" && mvn -B -q -o -DskipTests package -pl registry-server -am)
  fi
fi
if [[ -z "${REGISTRY_ADMIN_TOKEN:-}" ]]; then
  if [[ ! -f "$DIR/admin-token" ]]; then (umask 077; head -c 18 /dev/urandom | base64 >"$DIR/admin-token"); fi
  REGISTRY_ADMIN_TOKEN="$(cat "$DIR/admin-token")"
fi
export REGISTRY_ADMIN_TOKEN
H2_PORT=$((BASE + 90))
if [[ -z "$DB_URL" ]]; then
  # One H2 server process owns the file. (H2's AUTO_SERVER mode, where the first meta to open the file
  # serves it, was measured here to leave the other metas without a database for 4 to 24 s when that
  # meta is killed, which can exceed the lease: so the file gets a process of its own.)
  mkdir -p "$DIR/db"
  DB_URL="jdbc:h2:tcp://127.0.0.1:$H2_PORT/registry-meta"
  DB_DESC="H2 file $DIR/db/registry-meta.mv.db served on 127.0.0.1:$H2_PORT"
  START_H2=1
else
  DB_DESC="$(sed -E 's/(password=)[^&;]*/\1***/I' <<<"$DB_URL")"
fi
export REGISTRY_META_DB_URL="$DB_URL"
[[ -n "$DB_USER" ]] && export REGISTRY_META_DB_USER="$DB_USER"
mkdir -p "$DIR/logs" "$DIR/cmd" "$DIR/run"
printf 'METAS=%d\nDATA=%d\nSESSIONS=%d\nBASE=%d\nLB=%d\nSECURE=%d\n' "$METAS" "$DATA" "$SESSIONS" "$BASE" "$LB" "$SECURE" \
  >"$DIR/cluster.conf"

META_LIST=""
for ((i = 0; i < METAS; i++)); do META_LIST+="${META_LIST:+,}127.0.0.1:$(meta_port $i)"; done
COMMON=(--host 127.0.0.1 --meta-servers "$META_LIST" --meta-lease-millis "$LEASE_MS" --meta-renew-millis "$RENEW_MS")
if [[ "$SECURE" == 1 ]]; then
  make_secrets "$DIR/secrets"
  # shellcheck disable=SC2207 # paths without spaces: ours
  COMMON+=($(secure_server_opts "$DIR/secrets"))
fi

# Writes DIR/cmd/NAME.sh (so failover and start-node can restart it), starts it, records its pid.
launch() {
  local name="$1"; shift
  # The database URL and user go by environment, as at the first start; the password only ever comes
  # from the caller's REGISTRY_META_DB_PASSWORD, and the admin token from DIR/admin-token.
  ENV_LINES="$(printf 'export REGISTRY_META_DB_URL=%q' "$REGISTRY_META_DB_URL")"$'\n'
  [[ -n "${REGISTRY_META_DB_USER:-}" ]] && ENV_LINES+="$(printf 'export REGISTRY_META_DB_USER=%q' "$REGISTRY_META_DB_USER")"$'\n'
  if [[ -f "$DIR/admin-token" ]]; then
    ENV_LINES+="$(printf 'export REGISTRY_ADMIN_TOKEN="${REGISTRY_ADMIN_TOKEN:-$(cat %q)}"' "$DIR/admin-token")"$'\n'
  fi
  local opts
  case "$name" in
    meta-*) opts=("${META_JAVA_OPTS[@]}") ;;
    data-*) opts=("${DATA_JAVA_OPTS[@]}") ;;
    session-*) opts=("${SESSION_JAVA_OPTS[@]}") ;;
    *) opts=("${JAVA_OPTS[@]}") ;;
  esac
  write_cmd "$name" "$(java_cmd)" "${opts[@]}" -jar "$SERVER_JAR" "$@"
  ENV_LINES=""
  run_node "$name"
}

# DIR/haproxy.cfg from scripts/haproxy-registry.cfg: every session of this cluster, its readiness checked.
write_haproxy_cfg() {
  local i p servers="" tls_check=""
  # With --secure the readiness check speaks HTTPS and verifies the session against the cluster CA;
  # client traffic stays TCP passthrough (clients verify the session's certificate themselves).
  [[ "$SECURE" == 1 ]] && tls_check=" check-ssl verify required ca-file $DIR/secrets/ca.pem"
  for ((i = 0; i < SESSIONS; i++)); do
    p=$(session_port $i)
    servers+="    server session-$i 127.0.0.1:$p check port $(http_of "$p")$tls_check"$'\n'
  done
  {
    echo "# Generated by scripts/cluster.sh --lb from scripts/haproxy-registry.cfg; rewritten at every start."
    while IFS= read -r line; do
      case "$line" in
        '@SERVERS@') printf '%s' "$servers" ;;
        *) line="${line//@LB_PORT@/$(lb_port)}"; echo "${line//@STATS_PORT@/$(http_of "$(lb_port)")}" ;;
      esac
    done <"$REPO_ROOT/scripts/haproxy-registry.cfg"
  } >"$DIR/haproxy.cfg"
}

cleanup() {
  trap - EXIT INT TERM
  stop_all
}
trap cleanup EXIT INT TERM

# Ends the start when NAME's process already exited (a bad flag, a port in use), instead of waiting.
exited_early() {
  alive "$(pid_of "$1")" && return 0
  sleep 0.2   # its wrapper writes the status
  say "$1 exited during startup (status $(exit_status "$1")); see $DIR/logs/$1.log"
  tail -20 "$DIR/logs/$1.log"
  exit 1
}

T0=$(now_ms)
say "starting $METAS meta, $DATA data, $SESSIONS session processes; meta database: $DB_DESC"
say "logs in $DIR/logs"
if [[ "${START_H2:-0}" == 1 ]]; then
  write_cmd h2-0 "$(java_cmd)" -Xmx128m -XX:+UseSerialGC -cp "$SERVER_JAR" org.h2.tools.Server -tcp \
    -tcpPort "$H2_PORT" -ifNotExists -baseDir "$DIR/db"
  run_node h2-0
  until (exec 3<>"/dev/tcp/127.0.0.1/$H2_PORT") 2>/dev/null; do
    (( $(now_ms) - T0 > 30000 )) && { say "the H2 server did not start; see $DIR/logs/h2-0.log"; exit 1; }
    sleep 0.1
  done
  say "H2 server listening on 127.0.0.1:$H2_PORT"
fi
for ((i = 0; i < METAS; i++)); do
  p=$(meta_port $i)
  launch "meta-$i" --role meta --meta-port "$p" --meta-http-port "$(http_of "$p")" "${COMMON[@]}"
done
for ((i = 0; i < METAS; i++)); do
  until http_get "$(http_of "$(meta_port $i)")" /health >/dev/null; do
    exited_early "meta-$i"
    (( $(now_ms) - T0 > 60000 )) && { say "meta-$i did not start; see $DIR/logs/meta-$i.log"; tail -20 "$DIR/logs/meta-$i.log"; exit 1; }
    sleep 0.2
  done
done
until i=$(leader_index); do
  (( $(now_ms) - T0 > 60000 )) && { say "no meta leader after 60 s"; exit 1; }
  sleep 0.1
done
say "meta-$i leads (127.0.0.1:$(meta_port "$i")) after $(( $(now_ms) - T0 )) ms"
for ((i = 0; i < DATA; i++)); do
  p=$(data_port $i)
  launch "data-$i" --role data --data-port "$p" --data-http-port "$(http_of "$p")" "${COMMON[@]}"
done
for ((i = 0; i < SESSIONS; i++)); do
  p=$(session_port $i)
  launch "session-$i" --role session --session-port "$p" --session-http-port "$(http_of "$p")" "${COMMON[@]}"
done
for ((i = 0; i < SESSIONS; i++)); do
  until http_get "$(http_of "$(session_port $i)")" /health/ready >/dev/null; do
    exited_early "session-$i"
    (( $(now_ms) - T0 > 120000 )) && { say "session-$i not ready after 120 s; see $DIR/logs/session-$i.log"; exit 1; }
    sleep 0.2
  done
  say "session-$i ready"
done
if [[ "$LB" == 1 ]]; then
  write_haproxy_cfg
  haproxy -c -q -f "$DIR/haproxy.cfg" || { say "haproxy rejected $DIR/haproxy.cfg"; exit 1; }
  write_cmd lb-0 haproxy -db -f "$DIR/haproxy.cfg"
  run_node lb-0
  until [[ "$(lb_servers | grep -c ' UP$' || true)" == "$SESSIONS" ]]; do
    alive "$RUN_PID" || { say "HAProxy exited with status $(exit_status lb-0); see $DIR/logs/lb-0.log"; tail -5 "$DIR/logs/lb-0.log"; exit 1; }
    (( $(now_ms) - T0 > 150000 )) && { say "HAProxy does not see every session up; see $DIR/logs/lb-0.log"; exit 1; }
    sleep 0.2
  done
  say "HAProxy on 127.0.0.1:$(lb_port) routes to all $SESSIONS sessions (config $DIR/haproxy.cfg)"
fi
say "cluster ready after $(( $(now_ms) - T0 )) ms"
echo
[[ "$LB" == 1 ]] && echo "  load balancer:      127.0.0.1:$(lb_port) (HAProxy; statistics http://127.0.0.1:$(http_of "$(lb_port)")/)"
echo "  clients connect to: $(for ((i = 0; i < SESSIONS; i++)); do printf '127.0.0.1:%s ' "$(session_port $i)"; done)"
echo "  meta admin:         $(for ((i = 0; i < METAS; i++)); do printf '%s://127.0.0.1:%s ' "$ADMIN_SCHEME" "$(http_of "$(meta_port $i)")"; done)"
echo "  data admin:         $(for ((i = 0; i < DATA; i++)); do printf '%s://127.0.0.1:%s ' "$ADMIN_SCHEME" "$(http_of "$(data_port $i)")"; done)"
echo "  session admin:      $(for ((i = 0; i < SESSIONS; i++)); do printf '%s://127.0.0.1:%s ' "$ADMIN_SCHEME" "$(http_of "$(session_port $i)")"; done)"
echo "  admin token:        ${REGISTRY_ADMIN_TOKEN:+set} (file $DIR/admin-token unless REGISTRY_ADMIN_TOKEN was given)"
[[ "$SECURE" == 1 ]] && echo "  secure (TLS, mTLS, authentication): clients add --tls-ca $DIR/secrets/ca.pem --credentials $DIR/secrets/demo.credentials"
echo "  try:                scripts/cluster.sh failover --dir $DIR"
echo
if [[ $DETACH == 1 ]]; then
  trap - EXIT INT TERM
  say "detached; stop with: scripts/cluster.sh stop --dir $DIR"
  exit 0
fi
say "running; Ctrl-C stops every process"
while true; do
  wait -n 2>/dev/null || true
  if [[ -z "$(read_pids)" ]]; then break; fi
  sleep 1
done
