package dev.relaygate.controlplane.notification;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Which webhook URLs the control plane may call. A tenant chooses the URL and the control plane sends to it, so
 * without a rule a tenant could make it call its own network (server-side request forgery): its database, the
 * management port, a cloud metadata service. Unless {@code relaygate.notifications.allow-private-addresses}, a URL
 * is refused when its host is, or resolves to, anything but a public unicast address; checked when the URL is set
 * and again before every delivery (the name may point elsewhere by then). Name resolution blocks, so it runs on the
 * bounded {@code webhook-dns} scheduler. What remains (documented): a name that changes between this check and the
 * connection (DNS rebinding); deployments that need more put an egress proxy or network policy in front.
 */
@Component
public final class WebhookAddresses implements DisposableBean {

    private final boolean allowPrivate;

    private final Scheduler dns = Schedulers.newBoundedElastic(4, 1_000, "webhook-dns");

    public WebhookAddresses(NotificationProperties properties) {
        this.allowPrivate = properties.allowPrivateAddresses();
    }

    /** Parses a webhook URL: absolute http or https, a host, no user info, no fragment. */
    public static URI parse(String url) throws Refused {
        URI uri;
        try {
            uri = new URI(url);
        }
        catch (URISyntaxException e) {
            throw new Refused("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new Refused("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("must not carry user information");
        }
        if (uri.getRawFragment() != null) {
            throw new Refused("must not carry a fragment");
        }
        return uri;
    }

    /** Completes when {@code uri}'s host may be called now; otherwise fails with {@link Refused}. */
    public Mono<Void> check(URI uri) {
        if (allowPrivate) {
            return Mono.empty();
        }
        String host = uri.getHost();
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return Mono.fromCallable(() -> InetAddress.getAllByName(literal))
            .subscribeOn(dns)
            .onErrorMap(UnknownHostException.class, e -> new Refused("has a host name that does not resolve"))
            .flatMap(addresses -> {
                for (InetAddress address : addresses) {
                    if (!isPublic(address)) {
                        return Mono.error(new Refused("must not point at a loopback, private or otherwise "
                                + "non-public address"));
                    }
                }
                return Mono.empty();
            });
    }

    /** Whether an address is public unicast: not loopback, private, link-local, shared, reserved or multicast. */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 // "this network"
                    && !(first == 100 && second >= 64 && second < 128) // shared address space (carrier NAT)
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19)) // benchmarking
                    && first < 240; // reserved and broadcast
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) { // unique local fc00::/7
                return false;
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
                return false; // documentation 2001:db8::/32
            }
            boolean nat64 = first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
            boolean compatible = true;
            for (int i = 0; i < 12; i++) {
                compatible &= b[i] == 0;
            }
            if (nat64 || compatible) {
                // An IPv4 address inside IPv6 (64:ff9b::/96, ::a.b.c.d): judged as that IPv4 address.
                try {
                    return isPublic(InetAddress.getByAddress(new byte[] { b[12], b[13], b[14], b[15] }));
                }
                catch (UnknownHostException e) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void destroy() {
        dns.dispose();
    }

    /** A webhook URL the control plane will not call; the message completes "the URL …". */
    public static final class Refused extends Exception {

        public Refused(String message) {
            super(message, null, false, false);
        }
    }
}
