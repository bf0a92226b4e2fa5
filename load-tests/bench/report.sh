#!/usr/bin/env bash
# One command that regenerates docs/performance.md (and its charts in docs/performance/) from a fresh run, on loopback:
#   1. run.sh: every target interleaved in ROUNDS rounds at 50 and 8 connections (upstream direct, nginx keep-alive
#      proxy, the plain Netty relay, a bare SCG route, the full hot path, the same on a second JVM (control), the full path with usage off, the full path
#      over two upstreams); medians, ranges, ratios, upstream connections opened, RSS;
#   2. run.sh again for the concurrency curve: the Netty relay and the full path at 8, 32, 128 and 512 connections;
#   3. one gateway for the rest: a JFR recording of the full path under load (hot methods, allocation sites), batches
#      of 1, 10 and 100 calls (to an upstream that answers batches: batch-upstream/), and cached keys 1, 10k, 100k
#      (KeySet.java, 10,000 organizations), with the gateway's RSS at each;
#   4. charts drawn by Chart.java (the JDK alone), then the report, ending with performance-notes.md (what was done
#      about the findings; kept by hand).
# Needs what run.sh needs (wrk, nginx, redis-server, golang-go, the references of ../shared/bench). About 20 minutes.
# Environment: ROUNDS (default 3), DURATION (default 10), CURVE_DURATION (default 8), SKIP_BUILD=1, REFERENCES.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
. deploy/local/java-home.sh

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CURVE_DURATION=${CURVE_DURATION:-8}
REFERENCES=${REFERENCES:-$root/../shared/bench}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS-$(grep -v '^#' "$root/deploy/gateway.jvm.options" | xargs)}
UPSTREAM_PORT=18545
BATCH_UPSTREAM_PORT=18547
GATEWAY_PORT=18080
GATEWAY_MANAGEMENT_PORT=18082
REDIS_PORT=16390
report="$root/docs/performance.md"
charts="$root/docs/performance"

work=$(mktemp -d /tmp/relaygate-report.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
started=$(date -u '+%Y-%m-%d %H:%M UTC')

echo "== 1/4 all targets, interleaved"
ROUNDS=$ROUNDS DURATION=$DURATION RESULT_FILE="$work/main.md" RAW_FILE="$work/main.tsv" "$here/run.sh"
echo "== 2/4 concurrency curve"
SKIP_BUILD=1 TARGETS="n d" CONNECTIONS="8 32 128 512" ROUNDS=1 DURATION=$CURVE_DURATION \
  RESULT_FILE="$work/curve.md" RAW_FILE="$work/curve.tsv" "$here/run.sh"

echo "== 3/4 profile, batches, cached keys"
. "$here/common.sh"
jar=$(ls gateway/target/gateway-*-exec.jar)
bench_start_upstream
(cd "$here/batch-upstream" && GOCACHE="$work/go-cache" GO111MODULE=off go build -o "$work/batch-upstream" main.go)
"$work/batch-upstream" -addr "127.0.0.1:$BATCH_UPSTREAM_PORT" > "$work/batch-upstream.log" 2>&1 &
pids+=($!)
bench_start_redis
"$JAVA_HOME/bin/java" "$here/KeySet.java" 100000 10000 "$plan" "$work/keys.resp" "$work/keys.txt"
redis-cli -p "$REDIS_PORT" --pipe < "$work/keys.resp" > /dev/null
one_key=$(tail -n 1 "$work/keys.txt")
bench_start_gateway --relaygate.chains[1].id=batch --relaygate.chains[1].family=evm \
  --relaygate.chains[1].upstreams[0].url=http://127.0.0.1:$BATCH_UPSTREAM_PORT/
gateway="http://127.0.0.1:$GATEWAY_PORT"
rss() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$gateway_pid/status"; }
field() { awk -v f="$1" '$1==f {print $2}'; }
wrk -t2 -c50 -d30s -s "$here/post.lua" "$gateway/v1/bench/$one_key" > /dev/null

# The recording starts once wrk's connections are open, so that it holds the steady state, not the accepts.
wrk -t2 -c50 -d"$((DURATION + 4))s" -s "$here/post.lua" "$gateway/v1/bench/$one_key" > /dev/null &
load=$!
sleep 2
"$JAVA_HOME/bin/jcmd" "$gateway_pid" JFR.start name=report settings=profile > /dev/null
sleep "$DURATION"
"$JAVA_HOME/bin/jcmd" "$gateway_pid" JFR.stop name=report filename="$work/report.jfr" > /dev/null
wait "$load"
"$JAVA_HOME/bin/jfr" view --width 160 hot-methods "$work/report.jfr" | sed -n '1,20p' > "$work/hot.txt"
"$JAVA_HOME/bin/jfr" view --width 160 allocation-by-site "$work/report.jfr" | sed -n '1,18p' > "$work/alloc.txt"
"$JAVA_HOME/bin/jfr" view --width 160 gc-pauses "$work/report.jfr" | sed -n '1,12p' > "$work/gc.txt"

: > "$work/batch.tsv"
for size in 1 10 100; do
  out=$(BATCH=$size wrk -t2 -c50 -d"${CURVE_DURATION}s" --latency -s "$here/batch.lua" "$gateway/v1/batch/$one_key")
  rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')
  printf '%s\t%s\t%s\t%s\n' "$size" "$rps" "$(to_ms "$(printf '%s\n' "$out" | field 99%)")" "$(rss)" >> "$work/batch.tsv"
done

: > "$work/keys.tsv"
for count in 1 10000 100000; do
  if [ "$count" = 1 ]; then
    out=$(wrk -t2 -c50 -d"${CURVE_DURATION}s" --latency -s "$here/post.lua" "$gateway/v1/bench/$one_key")
  else
    head -n "$count" "$work/keys.txt" > "$work/rotation.txt"
    for _ in 1 2 3 4; do
      [ "$(metric 'cache_size\{cache="relaygate.keys"' | cut -d. -f1)" -ge "$count" ] && break
      KEYS_FILE="$work/rotation.txt" THREADS=2 wrk -t2 -c50 -d30s -s "$here/keys.lua" "$gateway" > /dev/null
    done
    out=$(KEYS_FILE="$work/rotation.txt" THREADS=2 wrk -t2 -c50 -d"${CURVE_DURATION}s" --latency -s "$here/keys.lua" "$gateway")
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$count" "$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')" \
    "$(to_ms "$(printf '%s\n' "$out" | field 99%)")" "$(rss)" "$(metric 'cache_size\{cache="relaygate.keys"' | cut -d. -f1)" >> "$work/keys.tsv"
done

echo "== 4/4 charts and report"
mkdir -p "$charts"
label() { case "$1" in a) echo "(a) upstream direct";; b) echo "(b) nginx keep-alive proxy";; n) echo "(n) plain Netty relay";;
  c) echo "(c) bare SCG route";; d) echo "(d) full hot path";; e) echo "(e) full path, third JVM";; u) echo "(u) full path, usage off";; m) echo "(m) full path, 2 upstreams";; esac; }
: > "$work/rps.tsv"; : > "$work/p99.tsv"; : > "$work/curve-chart.tsv"
for t in a b n c d e u m; do
  for c in 50 8; do
    printf '%s\t%s conns\t%s\n' "$(label $t)" "$c" "$(awk -F'\t' -v c=$c -v t=$t '$2==c && $3==t {print $4}' "$work/main.tsv" | median)" >> "$work/rps.tsv"
    printf '%s\t%s conns\t%s\n' "$(label $t)" "$c" "$(awk -F'\t' -v c=$c -v t=$t '$2==c && $3==t {print $6}' "$work/main.tsv" | median)" >> "$work/p99.tsv"
  done
done
for c in 8 32 128 512; do
  for t in n d; do
    printf '%s conns\t%s\t%s\n' "$c" "$(label $t)" "$(awk -F'\t' -v c=$c -v t=$t '$2==c && $3==t {print $4}' "$work/curve.tsv")" >> "$work/curve-chart.tsv"
  done
done
"$JAVA_HOME/bin/java" "$here/Chart.java" "Requests per second (median of $ROUNDS rounds)" "rps" "$work/rps.tsv" "$charts/throughput.png"
"$JAVA_HOME/bin/java" "$here/Chart.java" "p99 latency, ms (median of $ROUNDS rounds)" "ms" "$work/p99.tsv" "$charts/p99.png"
"$JAVA_HOME/bin/java" "$here/Chart.java" "Requests per second as connections grow" "rps" "$work/curve-chart.tsv" "$charts/concurrency.png"

{
  echo "# Performance"
  echo
  echo "Generated by \`load-tests/bench/report.sh\` on $started (one command; edit [performance-notes.md](../load-tests/bench/performance-notes.md), not this file)."
  echo
  sed -n '/^Machine:/,$p' "$work/main.md" | sed '/^<details>/,$d'
  echo "![Requests per second](performance/throughput.png)"
  echo
  echo "![p99 latency](performance/p99.png)"
  echo
  echo "## Concurrency"
  echo
  echo "One round of ${CURVE_DURATION} s per point, the Netty relay and the full hot path side by side."
  echo
  echo "| connections | relay rps | relay p99 ms | gateway rps | gateway p99 ms | gateway / relay | gateway RSS MB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for c in 8 32 128 512; do
    awk -F'\t' -v c=$c '$2==c && $3=="n" {nr=$4; np=$6} $2==c && $3=="d" {dr=$4; dp=$6; rss=$9}
      END {printf "| %s | %.0f | %s | %.0f | %s | %.2f | %s |\n", c, nr, np, dr, dp, (nr > 0 ? dr/nr : 0), rss}' "$work/curve.tsv"
  done
  echo
  echo "![Concurrency](performance/concurrency.png)"
  echo
  echo "## Cached keys"
  echo
  echo "One gateway, 100,000 keys over 10,000 organizations published in Redis; each point fills the key cache with the"
  echo "first N keys, then sends a rotation over them (every request another cached key), 50 connections, ${CURVE_DURATION} s."
  echo
  echo "| keys in rotation | rps | p99 ms | gateway RSS MB | keys cached |"
  echo "|---:|---:|---:|---:|---:|"
  awk -F'\t' '{printf "| %s | %.0f | %s | %s | %s |\n", $1, $2, $3, $4, $5}' "$work/keys.tsv"
  echo
  echo "## Batches"
  echo
  echo "The full hot path to an upstream that answers batches (\`load-tests/bench/batch-upstream\`), 50 connections,"
  echo "${CURVE_DURATION} s; every call of a batch is checked, limited and metered."
  echo
  echo "| calls per batch | requests/s | calls/s | p99 ms | gateway RSS MB |"
  echo "|---:|---:|---:|---:|---:|"
  awk -F'\t' '{printf "| %s | %.0f | %.0f | %s | %s |\n", $1, $2, $1*$2, $3, $4}' "$work/batch.tsv"
  echo
  echo "## Where the time and the allocations go (JFR, ${DURATION} s of the full hot path at 50 connections)"
  echo
  echo '```'
  cat "$work/hot.txt" "$work/alloc.txt" "$work/gc.txt"
  echo '```'
  echo
  echo "<details><summary>All runs (round, connections, target, rps, p50, p99, upstream conns, errors, RSS MB)</summary>"
  echo
  echo '```'
  cat "$work/main.tsv" "$work/curve.tsv"
  echo '```'
  echo "</details>"
  echo
  cat "$here/performance-notes.md"
} > "$report"
echo "written to $report and $charts/"
