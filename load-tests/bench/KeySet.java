import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Writes a benchmark key set: {@code keys} API keys in Relaygate's format spread over {@code organizations}
 * organizations on one plan, as Redis protocol for {@code redis-cli --pipe} (the snapshots the control plane would
 * publish, docs/contracts/) and as a plain list of keys for wrk. Run with the JDK's source launcher:
 * {@code java KeySet.java <keys> <organizations> <planId> <redis-out> <list-out> [set [invalidations-out]]}. Seeded:
 * the same set every run. Sets 1, 2, … are disjoint from set 0 and from each other (keys, key ids and organizations);
 * {@code invalidations-out} gets, as Redis protocol, the invalidation announcement of every key of the set, which
 * makes a gateway forget them (docs/contracts/invalidation-key.json).
 */
public final class KeySet {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static void main(String[] args) throws Exception {
        int keys = Integer.parseInt(args[0]);
        int organizations = Integer.parseInt(args[1]);
        String planId = args[2];
        int set = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        Path invalidationsOut = args.length > 6 ? Path.of(args[6]) : null;
        Random random = new Random(20261202L + set);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream redis = new BufferedOutputStream(Files.newOutputStream(Path.of(args[3])));
             PrintWriter list = new PrintWriter(Files.newBufferedWriter(Path.of(args[4])));
             OutputStream invalidations = invalidationsOut == null ? OutputStream.nullOutputStream()
                     : new BufferedOutputStream(Files.newOutputStream(invalidationsOut))) {
            for (int i = 0; i < keys; i++) {
                String key = key(random);
                String hash = HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.US_ASCII)));
                String snapshot = "{\"schema\":1,\"keyId\":\"" + uuid(0xbe4c0000L + 0x10000000L * set + i)
                    + "\",\"hash\":\"" + hash + "\",\"organizationId\":\""
                    + uuid(0xa0000000L + 0x01000000L * set + i % organizations) + "\",\"planId\":\"" + planId
                    + "\",\"status\":\"active\",\"expiresAt\":null,\"version\":1,\"policy\":{\"allowedChains\":[],"
                    + "\"allowedOrigins\":[],\"allowedCidrs\":[],\"allowedMethods\":[],\"deniedMethods\":[],"
                    + "\"jwtRequired\":false,\"jwtPublicKeys\":[]}}";
                command(redis, "SET", "rg:key:" + hash, snapshot);
                list.println(key);
                command(invalidations, "PUBLISH", "rg:invalidations", "{\"schema\":1,\"kind\":\"key\",\"id\":\"" + hash
                    + "\",\"version\":2,\"at\":\"2026-12-02T00:00:00Z\"}");
            }
        }
    }

    private static String key(Random random) {
        StringBuilder key = new StringBuilder("rgk_");
        for (int i = 0; i < 32; i++) {
            key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        CRC32 crc = new CRC32();
        crc.update(key.toString().getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] checksum = new char[6];
        for (int i = 5; i >= 0; i--) {
            checksum[i] = ALPHABET.charAt((int) (value % 62));
            value /= 62;
        }
        return key.append(checksum).toString();
    }

    private static String uuid(long n) {
        return String.format("6f1d3c1e-0000-4000-8000-%012x", n);
    }

    private static void command(OutputStream out, String... parts) throws IOException {
        StringBuilder resp = new StringBuilder("*").append(parts.length).append("\r\n");
        for (String part : parts) {
            resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
        }
        out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
    }
}
