package dev.relaygate.controlplane.notification;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The shares of an allowance at which a notification fires: 80 % (a warning) and 100 % (used up). Pure: which
 * thresholds a use has reached is decided here, firing once is the database's unique constraint.
 */
public enum Threshold {
    WARNING(80), USED_UP(100);

    private final int percent;

    Threshold(int percent) {
        this.percent = percent;
    }

    public int percent() {
        return percent;
    }

    /**
     * Every threshold {@code used} has reached of {@code limit}, lowest first; none without a limit ({@code limit <= 0}).
     * Exact for any {@code long}: {@code used × 100 >= limit × percent}.
     */
    public static List<Threshold> reached(long used, long limit) {
        List<Threshold> reached = new ArrayList<>(2);
        if (limit <= 0) {
            return reached;
        }
        BigInteger scaledUse = BigInteger.valueOf(used).multiply(BigInteger.valueOf(100));
        for (Threshold threshold : values()) {
            if (scaledUse.compareTo(BigInteger.valueOf(limit).multiply(BigInteger.valueOf(threshold.percent))) >= 0) {
                reached.add(threshold);
            }
        }
        return reached;
    }
}
