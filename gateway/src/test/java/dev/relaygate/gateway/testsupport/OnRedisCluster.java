package dev.relaygate.gateway.testsupport;

/**
 * Marks a {@link GatewayIntegrationTest} that runs on the shared {@link TestRedisCluster}: the base class then
 * publishes its snapshots there. The class also points its gateway at the cluster, with a
 * {@code @DynamicPropertySource} method calling {@link TestRedisCluster#register}.
 */
public interface OnRedisCluster {
}
