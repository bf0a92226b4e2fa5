package dev.relaygate.gateway.auth;

import java.net.InetAddress;
import java.util.List;

/**
 * Finds the client's address: the TCP peer, unless the peer is a configured proxy, in which case the
 * right-most address in {@code X-Forwarded-For} that is not itself a trusted proxy. A header from an
 * untrusted peer is ignored, so clients cannot choose their own address.
 */
public final class TrustedProxies {

    private final List<CidrBlock> proxies;

    public TrustedProxies(List<String> blocks) {
        this.proxies = blocks.stream()
            .map(block -> CidrBlock.parse(block)
                .orElseThrow(() -> new IllegalArgumentException("Not an address block: " + block)))
            .toList();
    }

    public InetAddress clientAddress(InetAddress peer, String forwardedFor) {
        if (peer == null || forwardedFor == null || !trusted(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        InetAddress client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = CidrBlock.literal(hops[i]).orElse(null);
            if (hop == null) {
                return client;
            }
            client = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean trusted(InetAddress address) {
        for (CidrBlock proxy : proxies) {
            if (proxy.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
