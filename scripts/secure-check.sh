#!/usr/bin/env bash
# Process-level check of the secure setup (issue 17): scripts/cluster.sh start --secure (TLS on the
# client ports, mutual TLS between all nodes, client authentication with an apps file), then:
#   - openssl s_client verifies a session's client port against DIR/secrets/ca.pem;
#   - a role-to-role port (meta, data) refuses a TLS client without a certificate;
#   - registry-cli publish/subscribe with --tls-ca and demo's --credentials work;
#   - without --credentials the CLI fails naming authentication; demo may not publish other.svc;
#   - the admin ports answer HTTPS (verified against the CA) and no plain HTTP;
#   - HAProxy (--lb) health-checks the sessions over HTTPS, and a subscriber through it gets TLS end to end.
# Cleans up on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_server_jar
DIR="$(mktemp -d)"
BASE=${CHECK_BASE_PORT:-9400}
PIDS=()
cleanup() {
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null || true; done
  bash "$REPO_ROOT/scripts/cluster.sh" stop --dir "$DIR" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
say() { printf '[secure-check %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { say "FAIL: $*"; exit 1; }
CLI=("$(java_cmd)" -cp "$SERVER_JAR" dev.registry.server.cli.RegistryCli)

bash "$REPO_ROOT/scripts/cluster.sh" start --detach --secure --lb --dir "$DIR" --base-port "$BASE" --metas 1 --data 2 --sessions 2
S="$DIR/secrets"
SESSION=127.0.0.1:$((BASE + 20))
META_PORT=$BASE
DATA_PORT=$((BASE + 10))
for f in ca.pem demo.credentials other.credentials; do [[ -f "$S/$f" ]] || fail "$S/$f missing"; done
[[ "$(stat -c %a "$S/demo.credentials")" == 600 ]] || fail "demo.credentials is not mode 600"

out="$(openssl s_client -connect "$SESSION" -CAfile "$S/ca.pem" -verify_return_error </dev/null 2>&1 || true)"
grep -q "Verify return code: 0 (ok)" <<<"$out" || { echo "$out" | tail -20; fail "the session's client port does not verify against ca.pem"; }
say "session client port: certificate verified against $S/ca.pem"

for port in "$META_PORT" "$DATA_PORT"; do
  # TLS 1.2, where a server that requires a client certificate fails the handshake itself (in TLS 1.3
  # it would only alert after the client's first bytes).
  out="$(timeout 10 openssl s_client -tls1_2 -connect "127.0.0.1:$port" -CAfile "$S/ca.pem" </dev/null 2>&1 || true)"
  grep -Eiq "alert handshake failure|alert bad certificate|certificate required" <<<"$out" \
    || { echo "$out" | tail -20; fail "port $port accepted a TLS client without a certificate"; }
  say "role-to-role port $port: refused a client without a certificate"
done

ADMIN_PORT=$((BASE + 20 + 100))
curl -sf --max-time 5 --cacert "$S/ca.pem" "https://127.0.0.1:$ADMIN_PORT/health" | grep -q '"UP"' \
  || fail "the session's admin port does not answer HTTPS verified by ca.pem"
if curl -sf --max-time 5 "http://127.0.0.1:$ADMIN_PORT/health" >/dev/null 2>&1; then fail "the admin port answered plain HTTP"; fi
say "session admin port: HTTPS verified against ca.pem, plain HTTP refused"

LB_ADDRESS=127.0.0.1:$((BASE + 91))
"${CLI[@]}" subscribe --servers "$LB_ADDRESS" --data-id demo.svc --tls-ca "$S/ca.pem" --credentials "$S/demo.credentials" \
  >"$DIR/sub.out" 2>"$DIR/sub.err" &
PIDS+=($!)
"${CLI[@]}" publish --servers "$SESSION" --data-id demo.svc --value 10.0.0.1:8080 --tls-ca "$S/ca.pem" \
  --credentials "$S/demo.credentials" >"$DIR/pub.out" 2>&1 &
PIDS+=($!)
for i in $(seq 1 120); do grep -q '10.0.0.1:8080' "$DIR/sub.out" 2>/dev/null && break; sleep 0.25; done
grep -q '10.0.0.1:8080' "$DIR/sub.out" || { cat "$DIR/pub.out" "$DIR/sub.err"; fail "the subscriber never saw demo's publisher"; }
say "publish (direct) / subscribe (through HAProxy $LB_ADDRESS) with --tls-ca and demo's credentials: pushed"

if out="$(timeout 60 "${CLI[@]}" publish --servers "$SESSION" --data-id demo.svc --value 10.6.6.6:1 --tls-ca "$S/ca.pem" \
    --hold-seconds 0 2>&1)"; then
  fail "a publish without credentials succeeded"
fi
grep -qi "authentication" <<<"$out" || { echo "$out" | tail -20; fail "the refusal does not name authentication"; }
say "without --credentials: refused ($(grep -io 'authentication[^"]*' <<<"$out" | head -1))"

if out="$(timeout 60 "${CLI[@]}" publish --servers "$SESSION" --data-id other.svc --value 10.6.6.7:1 --tls-ca "$S/ca.pem" \
    --credentials "$S/demo.credentials" --hold-seconds 0 2>&1)"; then
  fail "demo published other.svc"
fi
grep -q "may not publish other.svc" <<<"$out" || { echo "$out"; fail "the refusal does not name the ACL"; }
say "demo's credentials on other.svc: refused (ACL)"
say "OK"
