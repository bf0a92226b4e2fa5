package dev.relaygate.gateway.observability;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids: a caller's {@code X-Request-Id} is kept when it is well formed (so ids can be followed across
 * services), otherwise the gateway makes one. Well formed means 1–64 characters of {@code [A-Za-z0-9._:-]}:
 * safe in headers and log lines.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";

    /** The exchange attribute holding the id on paths the Spring application serves. */
    public static final String ATTRIBUTE = "relaygate.requestId";

    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** {@code presented} when well formed, else a new random id. */
    public static String accept(String presented) {
        return presented != null && WELL_FORMED.matcher(presented).matches() ? presented : generate();
    }

    /** 128 random bits as 32 hex characters; not a secret, so a fast non-cryptographic source is enough. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[32];
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            id[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xF];
            id[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xF];
        }
        return new String(id);
    }
}
