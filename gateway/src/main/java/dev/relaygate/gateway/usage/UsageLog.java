package dev.relaygate.gateway.usage;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The stand-in {@link UsageSink} until the usage pipeline exists: writes each record to the
 * {@code relaygate.usage} logger at DEBUG, so usage can be inspected locally, and keeps nothing.
 */
public final class UsageLog implements UsageSink {

    private static final Logger log = LoggerFactory.getLogger("relaygate.usage");

    @Override
    public Mono<Void> write(List<UsageRecord> records) {
        if (log.isDebugEnabled()) {
            for (UsageRecord record : records) {
                log.debug("{}", record);
            }
        }
        return Mono.empty();
    }
}
