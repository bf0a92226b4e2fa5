package dev.relaygate.controlplane.testsupport;

/**
 * Marks an {@link IntegrationTest} that runs on the shared {@link TestRedisCluster}: the base class's
 * {@code redis()} then answers the cluster. The class also points its application at the cluster, with a
 * {@code @DynamicPropertySource} method calling {@link TestRedisCluster#register}.
 */
public interface OnRedisCluster {
}
