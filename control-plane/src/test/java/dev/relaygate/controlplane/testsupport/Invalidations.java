package dev.relaygate.controlplane.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/** Collects the messages announced on {@code rg:invalidations} while open. */
public final class Invalidations implements AutoCloseable {

    private final StatefulRedisPubSubConnection<String, String> connection;

    private final List<String> messages = new CopyOnWriteArrayList<>();

    public Invalidations(RedisClient client) {
        connection = client.connectPubSub();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                messages.add(message);
            }
        });
        connection.sync().subscribe("rg:invalidations");
    }

    public List<String> messages() {
        return List.copyOf(messages);
    }

    public boolean anyContains(String text) {
        return messages.stream().anyMatch(m -> m.contains(text));
    }

    @Override
    public void close() {
        connection.close();
    }
}
