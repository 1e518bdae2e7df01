#!/usr/bin/env bash
# Builds if needed and runs the registry in the foreground: all roles in one process by default.
#   scripts/run.sh                      # meta + data + session; clients connect to 127.0.0.1:9600
#                                       # (SOFARegistry's Java client: registryEndpoint 127.0.0.1, port 9603)
#   scripts/run.sh --role session ...   # one role; --help lists every option
# The first run of a new build writes a class-data archive when it stops (REGISTRY_CDS=off: not):
# later starts are about 1 s faster (see server_cds_opts in scripts/lib.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_server_jar
# shellcheck disable=SC2046 # the options are a list of words on purpose
exec "$(java_cmd)" $(server_cds_opts) ${REGISTRY_JAVA_OPTS:-} -jar "$SERVER_JAR" "$@"
