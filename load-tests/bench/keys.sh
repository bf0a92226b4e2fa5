#!/usr/bin/env bash
# Relaygate key-cache benchmark: many keys, cold and warm, and the memory they take. On loopback only.
#   1. publishes KEYS API keys over ORGANIZATIONS organizations (KeySet.java) in a fresh Redis;
#   2. starts the gateway as a user starts it (default logging, deploy/gateway.jvm.options), warms the JIT on one key;
#   3. first misses: the same over a second, disjoint key set (KeySet set 1, WARM_ORGANIZATIONS organizations), right
#      after that warm-up: the miss path runs for the first time, so this measures the JIT compiling it as much as
#      the misses; then more of that set, unmeasured, to warm the JIT on the miss path, and the set is invalidated
#      (the gateway forgets its keys, as after a change announcement);
#   4. cold: wrk sends each request with a key the gateway has not seen (keys.lua), so every request is a key-cache
#      miss (a Redis GET) and, for the first ORGANIZATIONS keys, a new organization bucket;
#   5. fills the cache with every key, then warm: the same rotation over keys that are all cached;
#   6. memory: the gateway's RSS, and its live heap after a full GC, with all KEYS keys cached;
#   beside it, in the same run, the plain Reactor Netty relay of ../shared/bench (the JVM ceiling for a relay) under
#   the same one-key load, as the reference for the warm rates.
# Needs wrk, redis-server, golang-go (the upstream and the relay of ../shared/bench). Writes
# load-tests/results/keys-<date>.md.
# Environment: KEYS (default 100000), ORGANIZATIONS (default 10000), DURATION (default 10), SKIP_BUILD=1,
#              WARM_KEYS (default 80000, the second set: 30000 for first misses, the rest to warm the miss path),
#              WARM_ORGANIZATIONS (default 2000),
#              GATEWAY_JAVA_OPTS (default: deploy/gateway.jvm.options), REFERENCES (folder of upstream.go),
#              PROFILE_COLD=/path/file.jfr (a JFR recording of the cold run only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
. deploy/local/java-home.sh

KEYS=${KEYS:-100000}
ORGANIZATIONS=${ORGANIZATIONS:-10000}
WARM_KEYS=${WARM_KEYS:-80000}
WARM_ORGANIZATIONS=${WARM_ORGANIZATIONS:-2000}
DURATION=${DURATION:-10}
REFERENCES=${REFERENCES:-$root/../shared/bench}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS-$(grep -v '^#' "$root/deploy/gateway.jvm.options" | xargs)}
UPSTREAM_PORT=18545
RELAY_PORT=18095
GATEWAY_PORT=18080
GATEWAY_MANAGEMENT_PORT=18082
REDIS_PORT=16390

for tool in wrk redis-server redis-cli curl go; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk redis-server golang-go curl" >&2; exit 1; }
done

work=$(mktemp -d /tmp/relaygate-keys.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

. "$here/common.sh"
bench_build_gateway
bench_start_upstream
bench_start_relay
bench_start_redis
echo "publishing $KEYS keys over $ORGANIZATIONS organizations ..."
"$JAVA_HOME/bin/java" "$here/KeySet.java" "$KEYS" "$ORGANIZATIONS" "$plan" "$work/keys.resp" "$work/keys.txt"
redis-cli -p "$REDIS_PORT" --pipe < "$work/keys.resp" > /dev/null
"$JAVA_HOME/bin/java" "$here/KeySet.java" "$WARM_KEYS" "$WARM_ORGANIZATIONS" "$plan" "$work/warm.resp" "$work/warm.txt" 1 \
  "$work/warm-invalidations.resp"
redis-cli -p "$REDIS_PORT" --pipe < "$work/warm.resp" > /dev/null
head -n 30000 "$work/warm.txt" > "$work/first-misses.txt"
tail -n +30001 "$work/warm.txt" > "$work/miss-warmup.txt"
# The warm-up key and the rotation's keys are disjoint: the warm-up key is the list's last.
head -n $((KEYS - 1)) "$work/keys.txt" > "$work/rotation.txt"
warm_key=$(tail -n 1 "$work/keys.txt")

bench_start_gateway

rps() { awk '/^Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {print $2}'; }
echo "warming up the JIT on one key (20 s) ..."
wrk -t2 -c50 -d20s -s "$here/post.lua" "http://127.0.0.1:$GATEWAY_PORT/v1/bench/$warm_key" > /dev/null

echo "first misses: every request a new key, the miss path never run before ..."
first=$(KEYS_FILE="$work/first-misses.txt" THREADS=2 wrk -t2 -c50 -d"${DURATION}s" --latency -s "$here/keys.lua" "http://127.0.0.1:$GATEWAY_PORT")
echo "warming up the JIT on the miss path (15 s of other new keys) ..."
KEYS_FILE="$work/miss-warmup.txt" THREADS=2 wrk -t2 -c50 -d15s -s "$here/keys.lua" "http://127.0.0.1:$GATEWAY_PORT" > /dev/null
redis-cli -p "$REDIS_PORT" --pipe < "$work/warm-invalidations.resp" > /dev/null
for _ in $(seq 1 60); do
  [ "$(metric 'cache_size\{cache="relaygate.keys"' | cut -d. -f1)" -le 1 ] && break
  sleep 0.5
done
printf '  cached keys after the invalidations: %s\n' "$(metric 'cache_size\{cache="relaygate.keys"')"

echo "cold: every request a key the gateway has not seen ..."
[ -n "${PROFILE_COLD:-}" ] && "$JAVA_HOME/bin/jcmd" "$gateway_pid" JFR.start name=cold settings=profile > /dev/null
cold=$(KEYS_FILE="$work/rotation.txt" THREADS=2 wrk -t2 -c50 -d"${DURATION}s" --latency -s "$here/keys.lua" "http://127.0.0.1:$GATEWAY_PORT")
[ -n "${PROFILE_COLD:-}" ] && "$JAVA_HOME/bin/jcmd" "$gateway_pid" JFR.stop name=cold filename="$PROFILE_COLD" > /dev/null
cold_requests=$(printf '%s\n' "$cold" | awk '/requests in/ {print $1}')
echo "filling the cache with every key ..."
for _ in 1 2 3; do
  [ "$(metric 'cache_size\{cache="relaygate.keys"' | cut -d. -f1)" -ge "$KEYS" ] && break
  # Each run starts the rotation over: long enough to go round it all.
  KEYS_FILE="$work/rotation.txt" THREADS=2 wrk -t2 -c50 -d60s -s "$here/keys.lua" "http://127.0.0.1:$GATEWAY_PORT" > /dev/null
  printf '  cached keys: %s\n' "$(metric 'cache_size\{cache="relaygate.keys"')"
done
echo "warm: the same rotation, every key cached ..."
warm=$(KEYS_FILE="$work/rotation.txt" THREADS=2 wrk -t2 -c50 -d"${DURATION}s" --latency -s "$here/keys.lua" "http://127.0.0.1:$GATEWAY_PORT")
one=$(wrk -t2 -c50 -d"${DURATION}s" --latency -s "$here/post.lua" "http://127.0.0.1:$GATEWAY_PORT/v1/bench/$warm_key")
echo "the plain Netty relay, same load (20 s of warm-up, then ${DURATION} s) ..."
wrk -t2 -c50 -d20s -s "$here/post.lua" "http://127.0.0.1:$RELAY_PORT/" > /dev/null
relay=$(wrk -t2 -c50 -d"${DURATION}s" --latency -s "$here/post.lua" "http://127.0.0.1:$RELAY_PORT/")

rss_mb=$(( $(awk '/VmRSS/ {print $2}' "/proc/$gateway_pid/status") / 1024 ))
"$JAVA_HOME/bin/jcmd" "$gateway_pid" GC.run > /dev/null
# A full collection borrows C-heap memory while it marks and compacts; the recommended flags give it back to the OS
# every 5 s (-XX:TrimNativeHeapInterval=5000). Read "after a full GC" once that has happened, not in between.
sleep 6
heap_info=$("$JAVA_HOME/bin/jcmd" "$gateway_pid" GC.heap_info)
live_kb=$(printf '%s\n' "$heap_info" | grep -oE 'used [0-9]+K' | grep -oE '[0-9]+' | awk '{s += $1} END {print s}')
histogram=$("$JAVA_HOME/bin/jcmd" "$gateway_pid" GC.class_histogram | head -n 18)
native=""
case "$GATEWAY_JAVA_OPTS" in *NativeMemoryTracking*) native=$("$JAVA_HOME/bin/jcmd" "$gateway_pid" VM.native_memory summary | grep -E '^-|committed=' | head -n 40);; esac
rss_after_gc_mb=$(( $(awk '/VmRSS/ {print $2}' "/proc/$gateway_pid/status") / 1024 ))
cached=$(metric 'cache_size\{cache="relaygate.keys"')

first_rps=$(printf '%s\n' "$first" | rps); cold_rps=$(printf '%s\n' "$cold" | rps); warm_rps=$(printf '%s\n' "$warm" | rps); one_rps=$(printf '%s\n' "$one" | rps)
relay_rps=$(printf '%s\n' "$relay" | rps)
stamp=$(date -u +%Y%m%d-%H%M)
mkdir -p "$root/load-tests/results"
out="$root/load-tests/results/keys-$stamp.md"
{
  echo "# Key-cache benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem:/ {print $2}') GiB;"
  echo "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1). $KEYS keys over $ORGANIZATIONS organizations; wrk -t2 -c50, ${DURATION} s a run;"
  echo "gateway JVM flags '${GATEWAY_JAVA_OPTS:-none}', default logging."
  echo
  echo "| run | rps | p99 | |"
  echo "|---|---:|---:|---|"
  echo "| first misses since start: every request a new key, miss path not yet compiled | $first_rps | $(printf '%s\n' "$first" | p99) | another key set ($WARM_ORGANIZATIONS organizations) |"
  echo "| cold: every request a new key | $cold_rps | $(printf '%s\n' "$cold" | p99) | $cold_requests requests, all cache misses |"
  echo "| warm: the same rotation, all cached | $warm_rps | $(printf '%s\n' "$warm" | p99) | |"
  echo "| warm: one key | $one_rps | $(printf '%s\n' "$one" | p99) | |"
  echo "| plain Reactor Netty relay (../shared/bench), same load, same run | $relay_rps | $(printf '%s\n' "$relay" | p99) | reference |"
  echo
  echo "Cold / warm rotation: $(awk -v c="$cold_rps" -v w="$warm_rps" 'BEGIN {printf "%.2f", c/w}'); first misses / warm rotation: $(awk -v c="$first_rps" -v w="$warm_rps" 'BEGIN {printf "%.2f", c/w}'); warm one key / Netty relay: $(awk -v c="$one_rps" -v w="$relay_rps" 'BEGIN {printf "%.2f", c/w}')."
  echo
  echo "Memory with $cached keys cached: RSS $rss_mb MB under load, $rss_after_gc_mb MB 6 s after a full GC; live heap after a full GC $((live_kb / 1024)) MB."
  echo
  echo '```'
  printf '%s\n' "$heap_info"
  printf '%s\n' "$histogram"
  echo '```'
  if [ -n "$native" ]; then
    echo
    echo '```'
    printf '%s\n' "$native"
    echo '```'
  fi
} > "$out"
cat "$out"
echo "written to $out"
