#!/usr/bin/env bash
# 10,000 idle WebSockets on one gateway (issue #20): starts a throw-away Redis with a key and plan, the gateway as a
# user starts it (deploy/gateway.jvm.options) with the socket limits per key and organization raised, opens SOCKETS
# idle sockets over loopback with the JDK's client (IdleSockets.java), holds them IDLE seconds (ten ping intervals by
# default) and reports the gateway's RSS, heap after a full collection and CPU (a window with no sockets first) before, once open and while idle. Loopback only; not part
# of the test suite. Needs redis-server, redis-cli and curl.
#   SOCKETS (default 10000), IDLE (seconds, default 300), CLIENT_HEAP (default 3g), SKIP_BUILD=1 (use the built jar)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
. deploy/local/java-home.sh

SOCKETS=${SOCKETS:-10000}
IDLE=${IDLE:-300}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS-$(grep -v '^#' "$root/deploy/gateway.jvm.options" | xargs)}
UPSTREAM_PORT=19545
REDIS_PORT=19390
GATEWAY_PORT=19080
GATEWAY_MANAGEMENT_PORT=19082

# Client and gateway each hold one descriptor per socket, plus their own files: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( SOCKETS + 2048 )) ]; then
  echo "open files limited to $(ulimit -n): $SOCKETS sockets need $(( SOCKETS + 2048 )) (raise the hard limit)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/relaygate-idle-sockets.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

. "$root/load-tests/bench/common.sh"
bench_build_gateway
bench_start_redis
key=rgk_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7yEe12iv86
hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
redis-cli -p "$REDIS_PORT" SET "rg:key:$hash" "{\"schema\":1,\"keyId\":\"6f1d3c1e-0000-4000-8000-00000000be4c\",\"hash\":\"$hash\",\"organizationId\":\"6f1d3c1e-0000-4000-8000-0000000000aa\",\"planId\":\"$plan\",\"status\":\"active\",\"expiresAt\":null,\"version\":1,\"policy\":{\"allowedChains\":[],\"allowedOrigins\":[],\"allowedCidrs\":[],\"allowedMethods\":[],\"deniedMethods\":[],\"jwtRequired\":false,\"jwtPublicKeys\":[]}}" >/dev/null
# Idle sockets send nothing upstream: the chain's upstream need not run.
bench_start_gateway --relaygate.websocket.max-sockets-per-key="$SOCKETS" \
  --relaygate.websocket.max-sockets-per-organization="$SOCKETS" ${GATEWAY_ARGS:-}

# The JDK client holds about 55 KiB of heap per socket (560 MB live after a full collection with 10,000): with 1 GiB
# it spent 21 s in 31 young collections in the one run (whose client also stalled 80 s, for reasons not found).
"$JAVA_HOME/bin/java" -Xmx${CLIENT_HEAP:-3g} "$here/IdleSockets.java" "ws://127.0.0.1:$GATEWAY_PORT/v1/bench/$key" \
  "http://127.0.0.1:$GATEWAY_MANAGEMENT_PORT" "$gateway_pid" "$SOCKETS" "$IDLE"
echo "gateway JVM options: $GATEWAY_JAVA_OPTS"
