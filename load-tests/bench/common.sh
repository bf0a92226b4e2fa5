# Shared by run.sh and keys.sh (sourced): building and starting what every gateway benchmark needs, on loopback.
# The caller sets root, work (a temporary folder), pids (an array, killed on exit), REFERENCES, GATEWAY_JAVA_OPTS and
# the ports UPSTREAM_PORT, REDIS_PORT, GATEWAY_PORT, GATEWAY_MANAGEMENT_PORT (and RELAY_PORT for the relay).

# Builds the gateway unless SKIP_BUILD=1; sets jar.
bench_build_gateway() {
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q -ntp -Dmaven.test.skip=true -pl gateway -am package
  fi
  jar=$(ls gateway/target/gateway-*-exec.jar)
}

# Builds (from a copy: the references folder may be read-only) and starts the body-reading upstream of REFERENCES on
# the given port (default UPSTREAM_PORT); a second call with another port starts a second upstream.
bench_start_upstream() {
  local port=${1:-$UPSTREAM_PORT}
  if [ ! -x "$work/upstream" ]; then
    cp "$REFERENCES/upstream.go" "$work/upstream.go"
    (cd "$work" && GOCACHE="$work/go-cache" GO111MODULE=off go build -o "$work/upstream" upstream.go)
  fi
  "$work/upstream" -addr "127.0.0.1:$port" > "$work/upstream-$port.log" 2>&1 &
  pids+=($!)
}

# Builds (from a copy, like the upstream) and starts the plain Reactor Netty relay of REFERENCES, the JVM ceiling for a
# relay, on RELAY_PORT in front of the upstream on UPSTREAM_PORT; sets relay_pid.
bench_start_relay() {
  cp -r "$REFERENCES/netty-relay" "$work/netty-relay"
  ./mvnw -B -q -ntp -f "$work/netty-relay/pom.xml" -DskipTests package
  local relay_jar
  relay_jar=$(ls "$work"/netty-relay/target/netty-relay-*.jar | grep -v original | head -1)
  "$JAVA_HOME/bin/java" -Dupstream="http://127.0.0.1:$UPSTREAM_PORT/" -Dport="$RELAY_PORT" -jar "$relay_jar" \
    > "$work/relay.log" 2>&1 &
  relay_pid=$!
  pids+=($relay_pid)
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -X POST -d '{}' "http://127.0.0.1:$RELAY_PORT/" && return 0
    sleep 0.2
  done
  echo "the Netty relay did not start:"; tail -20 "$work/relay.log"; exit 1
}

# Starts a throw-away Redis and publishes a plan whose limits no benchmark reaches; sets plan.
bench_start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$work/redis.log" 2>&1 &
  pids+=($!)
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done
  plan=00000000-0000-0000-0000-0000000be4c4
  redis-cli -p "$REDIS_PORT" SET "rg:plan:$plan" "{\"schema\":1,\"planId\":\"$plan\",\"name\":\"bench\",\"version\":1,\"computeUnitsPerSecond\":1000000000,\"burstComputeUnits\":1000000000,\"computeUnitsPerMinute\":60000000000,\"monthlyComputeUnits\":9000000000000,\"maxBatchSize\":100,\"maxBodyBytes\":1048576,\"allowedChains\":[],\"methodClasses\":[\"standard\",\"debug\",\"trace\"]}" >/dev/null
}

# No control plane runs (the keys are published in Redis): its URL is a loopback port nothing listens on. Not a one-digit
# port: Reactor Netty reads http://127.0.0.1:9 as the host name "127.0.0.1:9" and asks DNS for it.
# Starts the gateway as a user starts it (default logging, GATEWAY_JAVA_OPTS, MALLOC_ARENA_MAX=2) with the chain
# "bench" on the upstream, plus any extra arguments; waits until it is healthy; sets gateway_pid. GATEWAY_NAME (default
# "gateway") names its log and usage spool in $work, so that a second gateway can run beside the first.
bench_start_gateway() {
  local name=${GATEWAY_NAME:-gateway}
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} "$JAVA_HOME/bin/java" $GATEWAY_JAVA_OPTS -jar "$jar" \
    --server.port=$GATEWAY_PORT --management.server.port=$GATEWAY_MANAGEMENT_PORT \
    --relaygate.redis.url=redis://127.0.0.1:$REDIS_PORT \
    --relaygate.control-plane.url=http://127.0.0.1:${CONTROL_PLANE_PORT:-18099} --relaygate.usage.spool.directory="$work/$name-usage-spool" \
    --relaygate.chains[0].id=bench --relaygate.chains[0].family=evm \
    --relaygate.chains[0].upstreams[0].url=http://127.0.0.1:$UPSTREAM_PORT/ \
    "$@" > "$work/$name.log" 2>&1 &
  gateway_pid=$!
  pids+=($gateway_pid)
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$GATEWAY_MANAGEMENT_PORT/actuator/health" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$name did not start:"; tail -40 "$work/$name.log"; exit 1
}

# A wrk latency ("812.00us", "1.20ms", "2.01s") in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v } else if (v ~ /s$/) { sub(/s$/, "", v); print v*1000 } else print v }'; }

# The median of the numbers on standard input, one a line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# The first value of the gateway's Prometheus metric whose line starts with the pattern $1.
metric() { curl -fs "http://127.0.0.1:$GATEWAY_MANAGEMENT_PORT/actuator/prometheus" | awk -v m="$1" '$1 ~ m {print $2}' | head -1; }
