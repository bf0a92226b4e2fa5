package dev.relaygate.gateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for tests: one a server of the test's may bind, or that nothing listens on (connections refused). */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * A loopback port free at the time of the call. As a URL's port it is refused, not looked up: a one-digit port
     * would not do, Reactor Netty reads {@code http://127.0.0.1:9} as the host name "127.0.0.1:9" and asks DNS.
     */
    public static int loopback() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
