package dev.relaygate.controlplane.testsupport;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * A WireMock stub of the Stripe API, started once per test JVM on a free loopback port. The real stripe-java client
 * of the application talks to it; each test declares the stubs it needs.
 */
public final class TestStripe {

    /** The API key the application is configured with (a test-mode look-alike). */
    public static final String API_KEY = "sk_test_relaygateApiKey0123456789abcdefXYZ";

    /** The current webhook signing secret. */
    public static final String WEBHOOK_SECRET = "whsec_relaygateCurrentSecret0123456789abcd";

    /** The secret being rotated out; events signed with it are still accepted. */
    public static final String PREVIOUS_WEBHOOK_SECRET = "whsec_relaygatePreviousSecret0123456789ab";

    private static WireMockServer server;

    private TestStripe() {
    }

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
            WireMockServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "test-stripe-stop"));
        }
        return server;
    }

    public static String url() {
        return "http://127.0.0.1:" + server().port();
    }
}
