package dev.relaygate.gateway.testsupport;

import java.util.List;

/**
 * The ERROR lines of captured log output, for tests that assert the gateway logged none. Netty's leak detector is
 * left out: it reports at ERROR whenever a collection finds an unreleased buffer, of whichever earlier test of this
 * JVM left it (the tests' own HTTP clients), so its lines say nothing about the case under test.
 */
public final class ErrorLines {

    private ErrorLines() {
    }

    public static List<String> in(String output) {
        return output.lines()
            .filter(line -> line.contains(" ERROR ") && !line.contains("io.netty.util.ResourceLeakDetector"))
            .toList();
    }
}
