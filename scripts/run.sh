#!/usr/bin/env bash
# Builds if needed and runs the registry in the foreground: all roles in one process by default.
#   scripts/run.sh                      # meta + data + session; clients connect to 127.0.0.1:9600
#                                       # (SOFARegistry's Java client: registryEndpoint 127.0.0.1, port 9603)
#   scripts/run.sh --role session ...   # one role; --help lists every option
# The first run of a new build writes a class-data archive when it stops (REGISTRY_CDS=off: not):
# later starts are about 1 s faster (see server_cds_opts in scripts/lib.sh).
#   scripts/run.sh --secure             # TLS on the client port, mutual TLS between the roles, client
#                                       # authentication; CA, certificates and app credentials are made
#                                       # once in ./secrets (REGISTRY_SECRETS_DIR), see docs/security.md
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ARGS=()
SECURE=0
for a in "$@"; do
  if [[ "$a" == --secure ]]; then SECURE=1; else ARGS+=("$a"); fi
done
if [[ $SECURE == 1 ]]; then
  SECRETS="$(mkdir -p "${REGISTRY_SECRETS_DIR:-secrets}" && cd "${REGISTRY_SECRETS_DIR:-secrets}" && pwd)"
  make_secrets "$SECRETS"
  # shellcheck disable=SC2207 # paths without spaces: ours
  ARGS+=($(secure_server_opts "$SECRETS"))
  echo "secure: clients need --tls-ca $SECRETS/ca.pem and --credentials $SECRETS/demo.credentials" >&2
fi
ensure_server_jar
# shellcheck disable=SC2046 # the options are a list of words on purpose
exec "$(java_cmd)" $(server_cds_opts) ${REGISTRY_JAVA_OPTS:-} -jar "$SERVER_JAR" "${ARGS[@]+"${ARGS[@]}"}"
