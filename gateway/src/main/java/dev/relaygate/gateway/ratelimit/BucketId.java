package dev.relaygate.gateway.ratelimit;

/** A bucket as cached in memory: its Redis key and the plan version it was shaped for. */
record BucketId(String name, long planVersion) {
}
