package dev.relaygate.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Port choices for the local stack: a well-known port that must be free, or any free loopback port. */
final class Ports {

    private Ports() {
    }

    static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int pick(boolean fixed, int wellKnown) {
        if (!fixed) {
            return free();
        }
        try (ServerSocket probe = new ServerSocket(wellKnown, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
        catch (IOException e) {
            throw new IllegalStateException("Port " + wellKnown + " is in use: stop whatever holds it "
                    + "(another local stack?) and start again.", e);
        }
    }
}
