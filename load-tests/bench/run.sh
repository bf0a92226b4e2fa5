#!/usr/bin/env bash
# Relaygate gateway benchmark: wrk against seven targets, interleaved in one session, on loopback only.
#   (a) the upstream directly (a JSON-RPC node stand-in that reads every body)
#   (b) nginx as a keep-alive reverse proxy          (n) the plain Reactor Netty relay: the JVM ceiling
#   (c) the gateway, bare SCG route                   (d) the gateway, full Relaygate hot path with a valid key
#   (u) as (d) on a second gateway with usage recording off (relaygate.usage.enabled=false): what metering costs
#   (e) as (d) on a third gateway, usage on: the control for (u), since two JVMs of one build differ by a few % (JIT)
#   (m) as (d) on a chain with two upstreams: what routing over a pool costs (selection, health checks, hedging, a
#       deadline, two connection pools). Both are URLs of the one upstream process, so that the node side is the same
#       as every other target's: a second node process on this machine's cores costs the machine, not the gateway
#       (performance-notes.md, "Two upstreams").
# For each it records requests/s, p50 and p99 latency at 50 and at 8 connections, and how many upstream
# connections were opened during the run (connection reuse check), then writes a markdown table to
# load-tests/results/.
#
# The upstream and the Netty relay are the reference programs of ../shared/bench (REFERENCES): the upstream is
# built with Go, the relay with Maven. Needs Debian's wrk, nginx, redis-server and golang-go:
#   apt-get install -y wrk nginx-light redis-server golang-go curl
#
# Environment: DURATION (seconds a run, default 10), ROUNDS (default 3), CONNECTIONS (default "50 8"),
#              WARMUP (seconds of JIT warm-up per JVM target, default 60), TARGETS (default "a b n c d e u m"),
#              GATEWAY_JAVA_OPTS (JVM flags for the gateway; default: the ones docs/gateway-config.md recommends),
#              GATEWAY_ARGS (extra gateway arguments, e.g. tracing or the access log: docs/observability.md#cost),
#              SKIP_BUILD=1 (use the built jar), REFERENCES (folder of upstream.go and netty-relay/),
#              RESULT_FILE / RAW_FILE (where the table and the raw runs go; default load-tests/results/bench-<date>.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
. deploy/local/java-home.sh

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
# 60 s: under load the gateway's JIT compiles for about a minute (jstat -compiler, 15 s windows at 50 connections:
# 1.3 s, 0.9 s, 0.5 s, then 0.2-0.3 s of compile time per window from the second minute on); the rounds measure the
# steady state a long-running gateway is in. keys.sh measures the first requests after a start.
WARMUP=${WARMUP:-60}
CONNECTIONS=${CONNECTIONS:-"50 8"}
TARGETS=${TARGETS:-"a b n c d e u m"}
REFERENCES=${REFERENCES:-$root/../shared/bench}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS-$(cat "$root/deploy/gateway.jvm.options" | grep -v '^#' | xargs)}
UPSTREAM_PORT=18545
PROXY_PORT=18081
RELAY_PORT=18095
GATEWAY_PORT=18080
GATEWAY_MANAGEMENT_PORT=18082
NO_USAGE_PORT=18180
NO_USAGE_MANAGEMENT_PORT=18182
CONTROL_PORT=18280
CONTROL_MANAGEMENT_PORT=18282
REDIS_PORT=16390

for tool in wrk nginx redis-server redis-cli curl go; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nginx-light redis-server golang-go curl" >&2; exit 1; }
done
[ -f "$REFERENCES/upstream.go" ] && [ -d "$REFERENCES/netty-relay" ] \
  || { echo "no reference programs in $REFERENCES (upstream.go, netty-relay/): set REFERENCES" >&2; exit 1; }

work=$(mktemp -d /tmp/relaygate-bench.XXXXXX)
pids=()
cleanup() {
  [ -f "$work/proxy.pid" ] && nginx -p "$work" -c "$work/proxy.conf" -s quit 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

. "$here/common.sh"
bench_build_gateway
bench_start_upstream

sed -e "s#@DIR@#$work#g" -e "s#@UPSTREAM_PORT@#$UPSTREAM_PORT#g" -e "s#@PROXY_PORT@#$PROXY_PORT#g" \
  "$here/proxy.nginx.conf" > "$work/proxy.conf"
nginx -p "$work" -c "$work/proxy.conf"
bench_start_relay

bench_start_redis

# A key on that plan, published as the control plane publishes it (docs/contracts/); the plan's limits are far above
# what this machine can send, so that (d) measures the cost of limiting, not its refusals.
key=rgk_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7yEe12iv86
hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
redis-cli -p "$REDIS_PORT" SET "rg:key:$hash" "{\"schema\":1,\"keyId\":\"6f1d3c1e-0000-4000-8000-00000000be4c\",\"hash\":\"$hash\",\"organizationId\":\"6f1d3c1e-0000-4000-8000-0000000000aa\",\"planId\":\"$plan\",\"status\":\"active\",\"expiresAt\":null,\"version\":1,\"policy\":{\"allowedChains\":[],\"allowedOrigins\":[],\"allowedCidrs\":[],\"allowedMethods\":[],\"deniedMethods\":[],\"jwtRequired\":false,\"jwtPublicKeys\":[]}}" >/dev/null

# The gateway as a user starts it: default logging, the recommended JVM flags.
bench_start_gateway \
  --spring.cloud.gateway.server.webflux.routes[0].id=bare \
  --spring.cloud.gateway.server.webflux.routes[0].uri=http://127.0.0.1:$UPSTREAM_PORT \
  --spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/bare/** \
  --relaygate.chains[1].id=bench2 --relaygate.chains[1].family=evm \
  --relaygate.chains[1].upstreams[0].url=http://127.0.0.1:$UPSTREAM_PORT/ \
  --relaygate.chains[1].upstreams[1].url=http://127.0.0.1:$UPSTREAM_PORT/second \
  ${GATEWAY_ARGS:-}
main_gateway_pid=$gateway_pid
if [[ " $TARGETS " == *" u "* ]]; then
  # (u): the same gateway, same flags, beside (d), with usage recording off.
  # shellcheck disable=SC2086
  GATEWAY_NAME=no-usage GATEWAY_PORT=$NO_USAGE_PORT GATEWAY_MANAGEMENT_PORT=$NO_USAGE_MANAGEMENT_PORT \
    bench_start_gateway --relaygate.usage.enabled=false ${GATEWAY_ARGS:-}
  no_usage_pid=$gateway_pid
  gateway_pid=$main_gateway_pid
fi
if [[ " $TARGETS " == *" e "* ]]; then
  # (e): a third gateway, exactly as (d): what two JVMs of one build differ by, the yardstick for (u).
  # shellcheck disable=SC2086
  GATEWAY_NAME=control GATEWAY_PORT=$CONTROL_PORT GATEWAY_MANAGEMENT_PORT=$CONTROL_MANAGEMENT_PORT \
    bench_start_gateway ${GATEWAY_ARGS:-}
  control_pid=$gateway_pid
  gateway_pid=$main_gateway_pid
fi

declare -A url=(
  [a]="http://127.0.0.1:$UPSTREAM_PORT/"
  [b]="http://127.0.0.1:$PROXY_PORT/"
  [n]="http://127.0.0.1:$RELAY_PORT/"
  [c]="http://127.0.0.1:$GATEWAY_PORT/bare/"
  [d]="http://127.0.0.1:$GATEWAY_PORT/v1/bench/$key"
  [u]="http://127.0.0.1:$NO_USAGE_PORT/v1/bench/$key"
  [e]="http://127.0.0.1:$CONTROL_PORT/v1/bench/$key"
  [m]="http://127.0.0.1:$GATEWAY_PORT/v1/bench2/$key"
)
declare -A label=(
  [a]="(a) upstream direct" [b]="(b) nginx keep-alive proxy" [n]="(n) plain Reactor Netty relay"
  [c]="(c) gateway, bare SCG route" [d]="(d) gateway, full hot path"
  [u]="(u) full hot path, usage off" [e]="(e) full hot path, third JVM" [m]="(m) full hot path, 2 upstreams"
)
body='{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'
for t in $TARGETS; do
  answer=$(curl -fs -X POST -H 'Content-Type: application/json' -d "$body" "${url[$t]}") \
    || { echo "target $t does not answer 200"; tail -20 "$work"/*.log; exit 1; }
  case "$answer" in *'"result"'*) ;; *) echo "target $t answered: $answer"; exit 1;; esac
done

# The RSS in MB of the JVM serving a target after its run ("–" for the upstream and nginx).
rss_of() {
  local pid
  case "$1" in n) pid=$relay_pid;; c|d|m) pid=$gateway_pid;; u) pid=${no_usage_pid:-};; e) pid=${control_pid:-};; *) pid="";; esac
  [ -n "$pid" ] && awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status" || echo "–"
}
conns() { curl -fs "http://127.0.0.1:$UPSTREAM_PORT/__conns"; }

echo "warming up the JVM targets (JIT, ${WARMUP} s each) ..."
for t in n c d e u m; do
  case " $TARGETS " in *" $t "*) wrk -t2 -c50 -d"${WARMUP}s" -s "$here/post.lua" "${url[$t]}" >/dev/null;; esac
done

raw="$work/runs.tsv"
: > "$raw"
for round in $(seq 1 "$ROUNDS"); do
  for c in $CONNECTIONS; do
    for t in $TARGETS; do
      before=$(conns)
      out=$(wrk -t2 -c"$c" -d"${DURATION}s" --latency -s "$here/post.lua" "${url[$t]}")
      after=$(conns)
      opened=$((after - before))
      rss=$(rss_of "$t")
      rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')
      p50=$(to_ms "$(printf '%s\n' "$out" | awk '$1=="50%" {print $2}')")
      p99=$(to_ms "$(printf '%s\n' "$out" | awk '$1=="99%" {print $2}')")
      errors=$(printf '%s\n' "$out" | awk '{gsub(",", "")} /Non-2xx/ {n += $5} /Socket errors/ {n += $4 + $6 + $8 + $10} END {print n + 0}')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$c" "$t" "$rps" "$p50" "$p99" "$opened" "$errors" "$rss" >> "$raw"
      printf 'round %s  c=%-3s %-32s %10s rps  p50 %6s ms  p99 %6s ms  upstream conns opened %5s  errors %s\n' \
        "$round" "$c" "${label[$t]}" "$rps" "$p50" "$p99" "$opened" "$errors"
    done
  done
done
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$gateway_pid/status")
no_usage_rss_kb=$( [ -n "${no_usage_pid:-}" ] && awk '/VmRSS/ {print $2}' "/proc/$no_usage_pid/status" || echo 0)

stamp=$(date -u +%Y%m%d-%H%M)
mkdir -p "$root/load-tests/results"
out=${RESULT_FILE:-$root/load-tests/results/bench-$stamp.md}
[ -n "${RAW_FILE:-}" ] && cp "$raw" "$RAW_FILE"
spread() { sort -g | awk '{a[NR]=$1} END {printf "%.0f–%.0f", a[1], a[NR]}'; }
col() { awk -F'\t' -v c="$1" -v t="$2" -v k="$3" '$2==c && $3==t {print $k}' "$raw" | median; }
range() { awk -F'\t' -v c="$1" -v t="$2" -v k="$3" '$2==c && $3==t {print $k}' "$raw" | spread; }
cost() { awk -v x="$1" -v y="$2" 'BEGIN { if (y > 0) printf "%.1f", 100*(1-x/y); else print "–" }'; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (y > 0) printf "%.2f", x/y; else print "–" }'; }
# The cost of $2 against $3 at $1 connections in each round (the two ran minutes apart at most, on the same machine load).
per_round() {
  awk -F'\t' -v c="$1" -v x="$2" -v y="$3" '$2==c && $3==x {a[$1]=$4} $2==c && $3==y {b[$1]=$4}
    $1 > last {last = $1} END {for (r = 1; r <= last; r++) if (b[r] > 0) printf "%s%.1f", (n++ ? ", " : ""), 100*(1-a[r]/b[r])}' "$raw"
}
has() { case " $TARGETS " in *" $1 "*) return 0;; esac; return 1; }
{
  echo "# Gateway benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem:/ {print $2}') GiB;"
  echo "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(nginx -v 2>&1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); redis $(redis-server --version | awk '{print $3}'); $(go version | cut -d' ' -f3)."
  echo "Everything on one machine over loopback; wrk -t2 with a JSON-RPC POST (load-tests/bench/post.lua); the upstream is"
  echo "../shared/bench/upstream.go (reads every body, keep-alive). $ROUNDS interleaved rounds of ${DURATION} s per target and"
  echo "concurrency, after ${WARMUP} s of warm-up per JVM target; medians, with the range over rounds. The gateway runs with"
  echo "default logging, JVM flags '${GATEWAY_JAVA_OPTS:-none}', extra arguments '${GATEWAY_ARGS:-none}'; its RSS after the run: $((rss_kb / 1024)) MB."
  if has u; then echo "(u) is a second gateway beside it, same flags, with \`--relaygate.usage.enabled=false\`; its RSS: $((no_usage_rss_kb / 1024)) MB."; fi
  if has e; then echo "(e) is a third gateway, exactly as (d) (usage on): the control that shows how much two JVMs of one build differ."; fi
  echo "'upstream conns' is the number of connections the upstream accepted during a run (median): flat and small means"
  echo "connection reuse."
  echo
  for c in $CONNECTIONS; do
    echo "## $c connections"
    echo
    echo "| target | rps | rps range | p50 ms | p99 ms | upstream conns | errors | RSS MB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for t in $TARGETS; do
      echo "| ${label[$t]} | $(col "$c" $t 4 | xargs printf '%.0f') | $(range "$c" $t 4) | $(col "$c" $t 5) | $(col "$c" $t 6) | $(col "$c" $t 7) | $(col "$c" $t 8) | $(awk -F'\t' -v c="$c" -v t="$t" '$2==c && $3==t {v=$9} END {print v}' "$raw") |"
    done
    echo
    if has d && has n && has b; then
      echo "Full hot path: $(ratio "$(col "$c" d 4)" "$(col "$c" n 4)")× the Netty relay, $(ratio "$(col "$c" d 4)" "$(col "$c" b 4)")× nginx; p99 $(col "$c" d 6) ms against the relay's $(col "$c" n 6) ms."
      if has e; then
        echo "On the gateway that serves only this route, (e): $(ratio "$(col "$c" e 4)" "$(col "$c" n 4)")× the Netty relay, $(ratio "$(col "$c" e 4)" "$(col "$c" b 4)")× nginx; p99 $(col "$c" e 6) ms."
      fi
      echo
    fi
    if has d && has u && has e; then
      # (e) and (u) each serve one route; (d)'s gateway also serves (c) and (m), whose code shares its JIT profile.
      echo "Usage recording: (e), usage on, at $(ratio "$(col "$c" e 4)" "$(col "$c" u 4)")× (u), usage off (cost $(cost "$(col "$c" e 4)" "$(col "$c" u 4)") %; round by round: $(per_round "$c" e u) %): two gateways that each serve this one route. (d), the same build and route on the gateway that also serves (c) and (m), differs from (e) by $(awk -v d="$(col "$c" d 4)" -v e="$(col "$c" e 4)" 'BEGIN {x = d - e; if (x < 0) x = -x; printf "%.1f", 200 * x / (d + e)}') %."
      echo
    elif has d && has u; then
      echo "Usage recording: (d) at $(ratio "$(col "$c" d 4)" "$(col "$c" u 4)")× (u), the same path with usage off (cost $(cost "$(col "$c" d 4)" "$(col "$c" u 4)") %)."
      echo
    fi
    if has d && has m; then
      echo "Two upstreams: (m) at $(ratio "$(col "$c" m 4)" "$(col "$c" d 4)")× (d), $(ratio "$(col "$c" m 4)" "$(col "$c" n 4)")× the Netty relay, $(ratio "$(col "$c" m 4)" "$(col "$c" b 4)")× nginx."
      echo
    fi
  done
  echo "<details><summary>All runs (round, connections, target, rps, p50, p99, upstream conns, errors, RSS MB)</summary>"
  echo
  echo '```'
  cat "$raw"
  echo '```'
  echo "</details>"
} > "$out"
echo
cat "$out"
echo "written to $out"
