#!/usr/bin/env bash
# Starts, stops and inspects one registry node of this distribution.
#
#   bin/registry-server.sh start  [--role all|meta|data|session] [--config FILE] [launcher options...]
#   bin/registry-server.sh stop   [--role ROLE | --config FILE] [--force]
#   bin/registry-server.sh status [--role ROLE | --config FILE]
#   bin/registry-server.sh run    [--role ROLE] [--config FILE] [launcher options...]   # foreground
#
# The config file is --config FILE, else $REGISTRY_CONFIG, else conf/<role>.properties for
# --role meta|data|session, else conf/registry.properties (all roles in one process). The role
# is --role, else $REGISTRY_ROLE, else the file's role= line, else all. One node per role and
# distribution by default; $REGISTRY_NODE_NAME (default: the role) names the pid and log files,
# so two nodes of one role need two names. Every REGISTRY_<KEY> variable overrides the file.
#
# Environment: REGISTRY_RUN_DIR (pid files, default run/), REGISTRY_LOG_DIR (default logs/),
# REGISTRY_WORK_DIR (working directory: the embedded meta database goes to data/ below it;
# default this distribution), REGISTRY_JAVA_OPTS, JAVA_HOME, REGISTRY_START_TIMEOUT (seconds
# start waits for the node to listen, default 60), REGISTRY_STOP_TIMEOUT (seconds stop waits
# for the drain and exit after SIGTERM, default 90), REGISTRY_CDS (off: no class-data archive in
# the run directory; by default the first run of a jar writes one and later starts use it).
# Exit codes: 0 done / running, 1 failed, 2 usage or configuration error, 3 (status) not running.
set -euo pipefail

DIST_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${REGISTRY_RUN_DIR:-$DIST_HOME/run}"
LOG_DIR="${REGISTRY_LOG_DIR:-$DIST_HOME/logs}"
WORK_DIR="${REGISTRY_WORK_DIR:-$DIST_HOME}"
START_TIMEOUT="${REGISTRY_START_TIMEOUT:-60}"
STOP_TIMEOUT="${REGISTRY_STOP_TIMEOUT:-90}"

usage() {
  sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
COMMAND="$1"
shift
case "$COMMAND" in start|stop|status|run) ;; -h|--help|help) usage ;; *) echo "unknown command '$COMMAND'" >&2; usage ;; esac

ROLE=""
CONFIG=""
FORCE=0
PASS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --role) [[ $# -ge 2 ]] || usage; ROLE="$2"; shift 2 ;;
    --role=*) ROLE="${1#*=}"; shift ;;
    --config) [[ $# -ge 2 ]] || usage; CONFIG="$2"; shift 2 ;;
    --config=*) CONFIG="${1#*=}"; shift ;;
    --force) FORCE=1; shift ;;
    *) PASS+=("$1"); shift ;;
  esac
done
ROLE="$(tr '[:upper:]' '[:lower:]' <<<"$ROLE")"
case "$ROLE" in ""|all|meta|data|session) ;; *) echo "--role must be all, meta, data or session, not '$ROLE'" >&2; exit 2 ;; esac

if [[ -z "$CONFIG" ]]; then
  if [[ -n "${REGISTRY_CONFIG:-}" ]]; then
    CONFIG="$REGISTRY_CONFIG"
  elif [[ -n "$ROLE" && "$ROLE" != all ]]; then
    CONFIG="$DIST_HOME/conf/$ROLE.properties"
  else
    CONFIG="$DIST_HOME/conf/registry.properties"
  fi
fi
[[ -f "$CONFIG" ]] || { echo "config file $CONFIG does not exist" >&2; exit 2; }
CONFIG="$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")" # the node runs in WORK_DIR

EFFECTIVE_ROLE="${ROLE:-${REGISTRY_ROLE:-}}"
if [[ -z "$EFFECTIVE_ROLE" ]]; then
  EFFECTIVE_ROLE="$(sed -n -E 's/^[[:space:]]*role[[:space:]]*[=:][[:space:]]*([A-Za-z]+)[[:space:]]*$/\1/p' "$CONFIG" | tail -n 1)"
fi
EFFECTIVE_ROLE="$(tr '[:upper:]' '[:lower:]' <<<"${EFFECTIVE_ROLE:-all}")"
NAME="${REGISTRY_NODE_NAME:-$EFFECTIVE_ROLE}"
PID_FILE="$RUN_DIR/registry-$NAME.pid"
LOG_FILE="$LOG_DIR/registry-$NAME.log"

JARS=("$DIST_HOME"/lib/registry-server-*-all.jar)
[[ -f "${JARS[0]}" ]] || { echo "no lib/registry-server-*-all.jar in $DIST_HOME" >&2; exit 1; }
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2206 # REGISTRY_JAVA_OPTS is a list of words on purpose
JAVA_ARGS=(${REGISTRY_JAVA_OPTS:-})
# Class-data sharing (AppCDS), one archive per node: its first run of this jar writes the classes it
# loaded when it exits; later starts map them (about 1 s faster). REGISTRY_CDS=off: none.
if [[ "${REGISTRY_CDS:-on}" != off ]] && mkdir -p "$RUN_DIR" 2>/dev/null && [[ -w "$RUN_DIR" ]]; then
  CDS_ARCHIVE="$RUN_DIR/cds-$NAME.jsa"
  if [[ -f "$CDS_ARCHIVE" && "$CDS_ARCHIVE" -nt "${JARS[0]}" ]]; then
    JAVA_ARGS+=("-XX:SharedArchiveFile=$CDS_ARCHIVE")
  else
    rm -f "$CDS_ARCHIVE"
    JAVA_ARGS+=("-XX:ArchiveClassesAtExit=$CDS_ARCHIVE")
  fi
  JAVA_ARGS+=(-Xlog:cds=off -Xlog:cds+dynamic=off)
fi
[[ -f "$DIST_HOME/conf/logback.xml" ]] && JAVA_ARGS+=("-Dlogback.configurationFile=$DIST_HOME/conf/logback.xml")
JAVA_ARGS+=(-jar "${JARS[0]}" --config "$CONFIG")
[[ -n "$ROLE" ]] && JAVA_ARGS+=(--role "$ROLE")
JAVA_ARGS+=(${PASS[@]+"${PASS[@]}"})

# The pid in the pid file, if that process is alive and is this registry (not a reused pid).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -q -- "registry-server-.*-all.jar" || return 1
  echo "$pid"
}

# The port lines the node printed after its last start.
started_banner() {
  [[ -f "$LOG_FILE" ]] || return 0
  awk '/^registry started/ { block = ""; on = 1; next } on && /^  / { block = block $0 "\n"; next } { on = 0 } END { printf "%s", block }' "$LOG_FILE"
}

case "$COMMAND" in
  run)
    cd "$WORK_DIR"
    exec "$JAVA" "${JAVA_ARGS[@]}"
    ;;

  start)
    if pid="$(running_pid)"; then
      echo "registry $NAME is already running (pid $pid, $PID_FILE); not starting another" >&2
      exit 1
    fi
    rm -f "$PID_FILE"
    mkdir -p "$RUN_DIR" "$LOG_DIR" "$WORK_DIR"
    touch "$LOG_FILE"
    offset=$(($(wc -c <"$LOG_FILE") + 1))
    cd "$WORK_DIR"
    nohup "$JAVA" "${JAVA_ARGS[@]}" >>"$LOG_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "starting registry $NAME (pid $pid, config $CONFIG, log $LOG_FILE) ..."
    for ((i = 0; i < START_TIMEOUT * 4; i++)); do
      if ! kill -0 "$pid" 2>/dev/null; then
        code=0
        wait "$pid" || code=$?
        rm -f "$PID_FILE"
        echo "registry $NAME exited during startup (exit code $code); its log, without stack frames:" >&2
        tail -c "+$offset" "$LOG_FILE" | grep -v -E '^[[:space:]]+(at |\.\.\. [0-9]+ )' | tail -n 20 >&2 || true
        [[ $code == 2 ]] && exit 2
        exit 1
      fi
      if tail -c "+$offset" "$LOG_FILE" | grep -q '^registry started'; then
        echo "registry $NAME started (pid $pid)"
        started_banner
        exit 0
      fi
      sleep 0.25
    done
    echo "registry $NAME (pid $pid) did not report 'registry started' within ${START_TIMEOUT}s; it keeps running." >&2
    echo "Check $LOG_FILE, or stop it: $0 stop ${ROLE:+--role $ROLE }--config $CONFIG" >&2
    exit 1
    ;;

  stop)
    if ! pid="$(running_pid)"; then
      [[ -f "$PID_FILE" ]] && { rm -f "$PID_FILE"; echo "registry $NAME is not running (stale pid file removed)"; exit 0; }
      echo "registry $NAME is not running"
      exit 0
    fi
    kill -TERM "$pid"
    echo "stopping registry $NAME (pid $pid): SIGTERM sent; it drains (sessions move their clients, data servers hand off slots) and exits; waiting up to ${STOP_TIMEOUT}s"
    start_s=$SECONDS
    while kill -0 "$pid" 2>/dev/null; do
      waited=$((SECONDS - start_s))
      if ((waited >= STOP_TIMEOUT)); then
        if ((FORCE)); then
          kill -KILL "$pid" 2>/dev/null || true
          rm -f "$PID_FILE"
          echo "registry $NAME did not exit within ${STOP_TIMEOUT}s: killed (SIGKILL, --force)" >&2
          exit 1
        fi
        echo "registry $NAME (pid $pid) is still running after ${STOP_TIMEOUT}s; it may still be draining." >&2
        echo "Wait, or force it: $0 stop ${ROLE:+--role $ROLE }--config $CONFIG --force (or kill -9 $pid)" >&2
        exit 1
      fi
      if ((waited > 0 && waited % 5 == 0)) && [[ "${last_report:-}" != "$waited" ]]; then
        echo "  ... still draining after ${waited}s"
        last_report=$waited
      fi
      sleep 0.25
    done
    rm -f "$PID_FILE"
    echo "registry $NAME stopped after $((SECONDS - start_s))s"
    ;;

  status)
    if pid="$(running_pid)"; then
      echo "registry $NAME is running (pid $pid, config $CONFIG, log $LOG_FILE)"
      started_banner
      exit 0
    fi
    if [[ -f "$PID_FILE" ]]; then
      echo "registry $NAME is not running (stale pid file $PID_FILE)"
    else
      echo "registry $NAME is not running"
    fi
    exit 3
    ;;
esac
