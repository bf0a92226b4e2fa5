package dev.relaygate.controlplane.testsupport;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound when the test run starts, before any test has loaded and linked the JDK's socket classes:
 * installed later (as StripeOffTheEventLoopIT once did itself), it could not instrument the blocking methods earlier
 * billing tests had already used, and saw nothing. It only records: a blocking call on a non-blocking thread made
 * from stripe-java is noted for {@code StripeOffTheEventLoopIT}; nothing else changes for the other tests.
 */
public final class StripeBlockingDetector implements LauncherSessionListener {

    private static final List<String> STRIPE_BLOCKING_ON_EVENT_LOOP = new CopyOnWriteArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        BlockHound.install(builder -> builder.blockingMethodCallback(method -> {
            boolean fromStripe = Arrays.stream(new Throwable().getStackTrace())
                .anyMatch(frame -> frame.getClassName().startsWith("com.stripe."));
            if (fromStripe) {
                STRIPE_BLOCKING_ON_EVENT_LOOP.add(Thread.currentThread().getName() + " blocked in " + method);
            }
        }));
    }

    /** The blocking calls stripe-java made on non-blocking threads since the last {@link #clear()}. */
    public static List<String> stripeBlockingCalls() {
        return STRIPE_BLOCKING_ON_EVENT_LOOP;
    }

    public static void clear() {
        STRIPE_BLOCKING_ON_EVENT_LOOP.clear();
    }
}
