#!/usr/bin/env bash
# Builds if needed and runs the registry in the foreground: all roles in one process by default.
#   scripts/run.sh                      # meta + data + session; clients connect to 127.0.0.1:9600
#                                       # (SOFARegistry's Java client: registryEndpoint 127.0.0.1, port 9603)
#   scripts/run.sh --role session ...   # one role; --help lists every option
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_server_jar
exec "$(java_cmd)" ${REGISTRY_JAVA_OPTS:-} -jar "$SERVER_JAR" "$@"
