package dev.relaygate.gateway.testsupport;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Guards the guarantee every gateway test relies on: BlockHound is installed and fails blocking calls. */
class BlockHoundInstalledTest {

    @Test
    void blockingOnANonBlockingThreadFails() {
        Mono<Boolean> blocking = Mono.fromCallable(() -> new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS))
            .subscribeOn(Schedulers.parallel());

        StepVerifier.create(blocking)
            .expectErrorMatches(error -> error instanceof BlockingOperationError)
            .verify();
    }
}
