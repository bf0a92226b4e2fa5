package dev.relaygate.gateway.ratelimit;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;

/**
 * In-memory buckets used while Redis is slow or gone. Each holds the plan's limits divided by the configured
 * instance count, so that N gateways deciding alone still admit about the global limit in total.
 */
final class LocalFallbackBuckets {

    private final Cache<String, Bucket> buckets;
    private final TimeMeter clock;
    private final int instanceCount;

    LocalFallbackBuckets(TimeMeter clock, int instanceCount, long maxBuckets) {
        this.clock = clock;
        this.instanceCount = instanceCount;
        this.buckets = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumSize(maxBuckets)
            // An idle fallback bucket would be full again by now: dropping it loses nothing.
            .expireAfterAccess(Duration.ofMinutes(2))
            .build();
    }

    RateLimitDecision consume(String organizationId, RateLimitPolicy policy, long cost) {
        return consumeFrom(RateLimitKeys.organization(organizationId, policy), policy, cost);
    }

    /** Takes {@code cost} from the local share of the bucket named {@code bucket} (named as in Redis). */
    RateLimitDecision consumeFrom(String bucket, RateLimitPolicy policy, long cost) {
        long limit = BucketShapes.limit(policy, instanceCount);
        ConsumptionProbe probe = bucket(bucket, policy).tryConsumeAndReturnRemaining(cost);
        return probe.isConsumed() ? BucketShapes.allowed(limit, probe) : BucketShapes.refused(limit, probe);
    }

    private Bucket bucket(String name, RateLimitPolicy policy) {
        return buckets.get(name, id -> {
            LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(clock);
            for (Bandwidth band : BucketShapes.configuration(policy, instanceCount).getBandwidths()) {
                builder.addLimit(band);
            }
            return builder.build();
        });
    }
}
