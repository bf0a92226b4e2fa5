package dev.relaygate.gateway.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 address block such as {@code 203.0.113.0/24} or {@code 2001:db8::/32}; a bare address is /32 or /128. */
public final class CidrBlock {

    /** Literal addresses only: never a host name, which would mean a DNS lookup. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private final byte[] network;

    private final int prefix;

    private CidrBlock(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** The block, or empty when {@code text} is not a literal address with an optional valid prefix length. */
    public static Optional<CidrBlock> parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        Optional<InetAddress> parsed = literal(address);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = parsed.get().getAddress();
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            return Optional.empty();
        }
        return Optional.of(new CidrBlock(bytes, prefix));
    }

    /** An address literal as an {@link InetAddress}, without any name resolution. */
    public static Optional<InetAddress> literal(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty() || !LITERAL.matcher(trimmed).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(trimmed));
        }
        catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest);
        return (candidate[full] & mask) == (network[full] & mask);
    }
}
