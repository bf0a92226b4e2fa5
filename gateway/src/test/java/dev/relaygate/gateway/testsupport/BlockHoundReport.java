package dev.relaygate.gateway.testsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Fails a blocking call on a non-blocking thread as BlockHound does by default, and logs it first: a library that
 * catches the error on its event loop (a connection handshake's callback, a future's stage) would otherwise leave
 * only a later symptom, such as a connection that never finishes opening. Registered in
 * {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}.
 */
public final class BlockHoundReport implements BlockHoundIntegration {

    private static final Logger log = LoggerFactory.getLogger(BlockHoundReport.class);

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            log.error("Blocking call on non-blocking thread {}", Thread.currentThread().getName(), error);
            throw error;
        });
    }
}
