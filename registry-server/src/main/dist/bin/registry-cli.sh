#!/usr/bin/env bash
# Publish to / subscribe from a running registry with this distribution's jar:
#   bin/registry-cli.sh subscribe --servers 127.0.0.1:9600 --data-id demo
#   bin/registry-cli.sh publish   --servers 127.0.0.1:9600 --data-id demo --value 10.0.0.1:8080
# REGISTRY_CLI_JAVA_OPTS replaces the default JVM options; JAVA_HOME picks the JVM.
set -euo pipefail
DIST_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JARS=("$DIST_HOME"/lib/registry-server-*-all.jar)
[[ -f "${JARS[0]}" ]] || { echo "no lib/registry-server-*-all.jar in $DIST_HOME" >&2; exit 1; }
# shellcheck disable=SC2086 # a list of JVM options
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${REGISTRY_CLI_JAVA_OPTS:--Xms32m -XX:TieredStopAtLevel=1} \
  -cp "${JARS[0]}" dev.registry.server.cli.RegistryCli "$@"
