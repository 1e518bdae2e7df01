#!/usr/bin/env bash
# Publish to / subscribe from a running registry:
#   scripts/registry-cli.sh subscribe --servers 127.0.0.1:9600 --data-id demo
#   scripts/registry-cli.sh publish   --servers 127.0.0.1:9600 --data-id demo --value 10.0.0.1:8080
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_server_jar
exec "$(java_cmd)" ${REGISTRY_CLI_JAVA_OPTS:--Xms32m -XX:TieredStopAtLevel=1} -cp "$SERVER_JAR" dev.registry.server.cli.RegistryCli "$@"
