package dev.relaygate.controlplane.key;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import org.springframework.http.HttpStatus;

import dev.relaygate.controlplane.web.ApiException;
import dev.relaygate.controlplane.web.ApiException.FieldProblem;

/**
 * Turns a {@link KeyPolicyRequest} into a {@link KeyPolicy}, or refuses it with one problem per invalid entry.
 * Pure: no Spring, no I/O (IP literals are parsed without any DNS lookup).
 */
public final class KeyPolicyValidator {

    static final int MAX_ENTRIES = 100;

    static final int MAX_METHODS = 500;

    static final int MAX_JWT_KEYS = 10;

    /** Largest cap accepted: far above any plan, far below overflow when gateways add costs to it. */
    static final long MAX_CAP = 1_000_000_000_000_000L;

    private static final Pattern CHAIN = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private static final Pattern METHOD = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");

    private static final Pattern WILDCARD_ORIGIN = Pattern.compile("\\*\\.([a-z0-9-]+\\.)+[a-z0-9-]+");

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private KeyPolicyValidator() {
    }

    public static KeyPolicy validate(KeyPolicyRequest request) {
        if (request == null) {
            return KeyPolicy.OPEN;
        }
        List<FieldProblem> problems = new ArrayList<>();
        List<String> chains = check("policy.allowedChains", request.allowedChains(), MAX_ENTRIES, problems,
                value -> CHAIN.matcher(value).matches() ? value : null, "is not a chain id");
        List<String> origins = check("policy.allowedOrigins", request.allowedOrigins(), MAX_ENTRIES, problems,
                KeyPolicyValidator::origin, "is not an origin (https://host[:port] or *.domain)");
        List<String> cidrs = check("policy.allowedCidrs", request.allowedCidrs(), MAX_ENTRIES, problems,
                KeyPolicyValidator::cidr, "is not an IPv4 or IPv6 address or CIDR block");
        List<String> allowed = check("policy.allowedMethods", request.allowedMethods(), MAX_METHODS, problems,
                value -> METHOD.matcher(value).matches() ? value : null, "is not a JSON-RPC method name");
        List<String> denied = check("policy.deniedMethods", request.deniedMethods(), MAX_METHODS, problems,
                value -> METHOD.matcher(value).matches() ? value : null, "is not a JSON-RPC method name");
        Set<String> both = new HashSet<>(allowed);
        both.retainAll(denied);
        if (!both.isEmpty()) {
            problems.add(new FieldProblem("policy.deniedMethods", "also allowed: " + both.iterator().next()));
        }
        List<Map<String, Object>> jwks = jwtKeys(request.jwtPublicKeys(), problems);
        boolean jwtRequired = Boolean.TRUE.equals(request.jwtRequired());
        if (jwtRequired && jwks.isEmpty() && problems.stream().noneMatch(p -> p.field().startsWith("policy.jwt"))) {
            problems.add(new FieldProblem("policy.jwtRequired", "needs at least one entry in jwtPublicKeys"));
        }
        Long perSecond = cap("policy.computeUnitsPerSecond", request.computeUnitsPerSecond(), problems);
        Long daily = cap("policy.dailyComputeUnits", request.dailyComputeUnits(), problems);
        Long monthly = cap("policy.monthlyComputeUnits", request.monthlyComputeUnits(), problems);
        if (daily != null && monthly != null && daily > monthly) {
            problems.add(new FieldProblem("policy.dailyComputeUnits", "is larger than monthlyComputeUnits"));
        }
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid request",
                    "The key policy has invalid fields", problems);
        }
        return new KeyPolicy(chains, origins, cidrs, allowed, denied, jwtRequired, jwks, perSecond, daily, monthly);
    }

    /** A cap: absent, or a positive number of compute units no larger than {@link #MAX_CAP}. */
    private static Long cap(String field, Long value, List<FieldProblem> problems) {
        if (value != null && (value < 1 || value > MAX_CAP)) {
            problems.add(new FieldProblem(field, "must be between 1 and " + MAX_CAP + " compute units"));
            return null;
        }
        return value;
    }

    private interface Normalizer {
        String apply(String value);
    }

    private static List<String> check(String field, List<String> values, int max, List<FieldProblem> problems,
            Normalizer normalizer, String message) {
        if (values == null) {
            return List.of();
        }
        if (values.size() > max) {
            problems.add(new FieldProblem(field, "has more than " + max + " entries"));
            return List.of();
        }
        Set<String> normalized = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            String result = value == null || value.length() > 300 ? null : normalizer.apply(value.trim());
            if (result == null) {
                problems.add(new FieldProblem(field + "[" + i + "]", message));
            }
            else {
                normalized.add(result);
            }
        }
        return List.copyOf(normalized);
    }

    static String origin(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (WILDCARD_ORIGIN.matcher(lower).matches()) {
            return lower;
        }
        try {
            URI uri = new URI(lower);
            boolean plain = (uri.getScheme() != null && (uri.getScheme().equals("https") || uri.getScheme().equals("http")))
                    && uri.getHost() != null && uri.getUserInfo() == null && (uri.getRawPath() == null
                            || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null && uri.getRawFragment() == null;
            if (!plain) {
                return null;
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        }
        catch (URISyntaxException e) {
            return null;
        }
    }

    static String cidr(String value) {
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        boolean v4 = IPV4.matcher(address).matches();
        if (!v4 && !IPV6.matcher(address).matches()) {
            return null; // never hand a host name to InetAddress: that would be a DNS lookup
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            int bits = parsed.getAddress().length * 8;
            int prefix = slash < 0 ? bits : Integer.parseInt(value.substring(slash + 1));
            if (prefix < 0 || prefix > bits) {
                return null;
            }
            byte[] network = parsed.getAddress();
            for (int bit = prefix; bit < bits; bit++) {
                network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        }
        catch (UnknownHostException | NumberFormatException e) {
            return null;
        }
    }

    private static List<Map<String, Object>> jwtKeys(List<Object> entries, List<FieldProblem> problems) {
        if (entries == null) {
            return List.of();
        }
        if (entries.size() > MAX_JWT_KEYS) {
            problems.add(new FieldProblem("policy.jwtPublicKeys", "has more than " + MAX_JWT_KEYS + " entries"));
            return List.of();
        }
        List<Map<String, Object>> keys = new ArrayList<>();
        Set<String> kids = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = "policy.jwtPublicKeys[" + i + "]";
            try {
                JWK jwk = parse(entries.get(i));
                String problem = weakness(jwk);
                if (problem != null) {
                    problems.add(new FieldProblem(field, problem));
                    continue;
                }
                JWK published = jwk.toPublicJWK();
                if (published.getKeyID() == null) {
                    published = withThumbprintKid(published);
                }
                if (!kids.add(published.getKeyID())) {
                    problems.add(new FieldProblem(field, "duplicates kid " + published.getKeyID()));
                    continue;
                }
                keys.add(published.toJSONObject());
            }
            catch (IllegalArgumentException | ParseException | JOSEException e) {
                problems.add(new FieldProblem(field, "is not a public JWK or PEM public key"));
            }
        }
        return keys;
    }

    @SuppressWarnings("unchecked")
    private static JWK parse(Object entry) throws ParseException, JOSEException {
        if (entry instanceof Map<?, ?> map) {
            JWK jwk = JWK.parse((Map<String, Object>) map);
            if (jwk.isPrivate()) {
                throw new IllegalArgumentException("private key");
            }
            return jwk;
        }
        if (entry instanceof String pem) {
            return fromPem(pem);
        }
        throw new IllegalArgumentException("neither a JWK nor a PEM public key");
    }

    /**
     * Reads a PEM {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo) with the JDK's own key factories, which is all
     * this needs; nimbus would require BouncyCastle for PEM.
     */
    static JWK fromPem(String pem) {
        String trimmed = pem.strip();
        String begin = "-----BEGIN PUBLIC KEY-----";
        String end = "-----END PUBLIC KEY-----";
        if (!trimmed.startsWith(begin) || !trimmed.endsWith(end)) {
            throw new IllegalArgumentException("not a PEM public key");
        }
        byte[] der = Base64.getMimeDecoder().decode(trimmed.substring(begin.length(), trimmed.length() - end.length()));
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                if (key instanceof RSAPublicKey rsa) {
                    return new RSAKey.Builder(rsa).build();
                }
                if (key instanceof ECPublicKey ec) {
                    Curve curve = Curve.forECParameterSpec(ec.getParams());
                    if (curve == null) {
                        throw new IllegalArgumentException("unsupported curve");
                    }
                    return new ECKey.Builder(curve, ec).build();
                }
            }
            catch (GeneralSecurityException e) {
                // not this algorithm: try the next one
            }
        }
        throw new IllegalArgumentException("not an RSA or EC public key");
    }

    private static String weakness(JWK jwk) {
        if (jwk instanceof RSAKey rsa) {
            // The gateway's bounds (docs/jwt-secured-keys.md): a key it would refuse must not be registered.
            if (rsa.size() < 2048 || rsa.size() > 8192) {
                return "RSA keys must have 2048 to 8192 bits";
            }
            BigInteger exponent = rsa.getPublicExponent().decodeToBigInteger();
            boolean usable = exponent.compareTo(BigInteger.valueOf(3)) >= 0 && exponent.testBit(0)
                && exponent.bitLength() <= 256;
            return usable ? null : "RSA public exponent must be odd, at least 3 and below 2^256 (65537 is usual)";
        }
        if (jwk instanceof ECKey ec) {
            // Gateways verify ES256 only (docs/jwt-secured-keys.md), which is defined on P-256.
            return Curve.P_256.equals(ec.getCurve()) ? null : "EC keys must be on P-256 (ES256)";
        }
        return "only RSA and EC public keys are accepted";
    }

    private static JWK withThumbprintKid(JWK jwk) throws JOSEException {
        String kid = jwk.computeThumbprint().toString();
        if (jwk instanceof RSAKey rsa) {
            return new RSAKey.Builder(rsa).keyID(kid).build();
        }
        return new ECKey.Builder((ECKey) jwk).keyID(kid).build();
    }
}
