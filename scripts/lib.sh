#!/usr/bin/env bash
# Shared by the scripts: locate the repository and the runnable jar, building it if needed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVER_JAR="$REPO_ROOT/registry-server/target/registry-server-0.1.0-SNAPSHOT-all.jar"

# Builds the runnable jar when it is missing or older than any source file.
ensure_server_jar() {
  if [[ -f "$SERVER_JAR" ]] && [[ -z "$(find "$REPO_ROOT" -path '*/src/main/*' -newer "$SERVER_JAR" -print -quit)" ]] \
     && [[ "$REPO_ROOT/pom.xml" -ot "$SERVER_JAR" ]]; then
    return 0
  fi
  echo "building registry (mvn -DskipTests package) ..." >&2
  # One Maven at a time on a shared machine: take the same lock the developers' builds take.
  if command -v flock >/dev/null; then
    (cd "$REPO_ROOT" && flock /tmp/mvn.lock mvn -B -q -DskipTests package -pl registry-server -am) >&2
  else
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests package -pl registry-server -am) >&2
  fi
}

java_cmd() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}
