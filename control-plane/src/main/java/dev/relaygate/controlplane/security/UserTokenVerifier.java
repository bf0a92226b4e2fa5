package dev.relaygate.controlplane.security;

import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.web.ApiException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Verifies user bearer tokens with nimbus-jose-jwt: signature (HS256 shared secret and/or the pinned JWKS
 * algorithm; {@code alg=none} and every other algorithm are refused), issuer, audience, {@code exp} and
 * {@code sub}. JWKS fetches are blocking, so verification that may need one runs on a bounded scheduler.
 */
@Component
public final class UserTokenVerifier {

    /** How long the last fetched JWKS keeps serving while the identity provider cannot be reached. */
    static final Duration OUTAGE_TOLERANCE = Duration.ofHours(1);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    private final JwtProperties properties;

    private final Scheduler jwksScheduler;

    public UserTokenVerifier(JwtProperties properties) {
        this.properties = properties;
        JWSKeySelector<SecurityContext> hmac = properties.hasHmacSecret()
                ? new JWSVerificationKeySelector<>(JWSAlgorithm.HS256,
                        new ImmutableSecret<>(properties.hmacSecret().getBytes(StandardCharsets.UTF_8)))
                : null;
        JWSAlgorithm pinned = JWSAlgorithm.parse(properties.jwksAlgorithm());
        JWSKeySelector<SecurityContext> jwks = properties.jwksUrl() == null ? null
                : new JWSVerificationKeySelector<>(pinned, jwkSource(properties));
        this.processor.setJWSKeySelector((header, context) -> {
            if (hmac != null && JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
                return hmac.selectJWSKeys(header, context);
            }
            if (jwks != null && pinned.equals(header.getAlgorithm())) {
                return jwks.selectJWSKeys(header, context);
            }
            return List.of();
        });
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(properties.audience(),
                new JWTClaimsSet.Builder().issuer(properties.issuer()).build(), Set.of("sub", "exp"));
        claims.setMaxClockSkew((int) properties.clockSkew().toSeconds());
        this.processor.setJWTClaimsSetVerifier(claims);
        this.jwksScheduler = properties.jwksUrl() == null ? null
                : Schedulers.newBoundedElastic(4, 1000, "jwks-verify", 60, true);
    }

    private static JWKSource<SecurityContext> jwkSource(JwtProperties properties) {
        int timeout = (int) properties.jwksTimeout().toMillis();
        try {
            return JWKSourceBuilder
                .create(properties.jwksUrl().toURL(), new DefaultResourceRetriever(timeout, timeout, 512 * 1024))
                .cache(properties.jwksCacheTtl().toMillis(), properties.jwksTimeout().toMillis())
                // Refresh shortly before expiry, on use; bounded so that short TTLs stay valid for nimbus.
                .refreshAheadCache(Math.min(JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME,
                    properties.jwksCacheTtl().toMillis() / 4), false)
                // At most one fetch per interval however many unknown kids arrive (nimbus requires it below the TTL).
                .rateLimited(Math.min(JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL,
                    properties.jwksCacheTtl().toMillis() / 2))
                // While the identity provider is down, keep verifying with the keys it served last.
                .outageTolerant(OUTAGE_TOLERANCE.toMillis())
                .retrying(false)
                .build();
        }
        catch (MalformedURLException e) {
            throw new IllegalArgumentException("relaygate.security.jwt.jwks-url is not a URL", e);
        }
    }

    /** The actor a token stands for, or a 401 {@link ApiException}. */
    public Mono<Actor> verify(String token) {
        SignedJWT jwt;
        try {
            // Only signed tokens parse here: an unsecured (alg=none) token is refused before anything else.
            jwt = SignedJWT.parse(token);
        }
        catch (ParseException e) {
            return Mono.error(invalid());
        }
        Mono<Actor> verification = Mono.fromCallable(() -> actor(jwt));
        // An HS256 token never needs the network; any other may need a JWKS fetch, which blocks.
        boolean local = JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm());
        return jwksScheduler == null || local ? verification : verification.subscribeOn(jwksScheduler);
    }

    private static ApiException invalid() {
        return ApiException.unauthorized("The bearer token is not valid");
    }

    private Actor actor(SignedJWT jwt) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        }
        catch (KeySourceException e) {
            if (e instanceof RateLimitReachedException) {
                // An unknown kid again within the JWKS refresh limit: the token names a key the provider lacks.
                throw invalid();
            }
            // The provider's keys could not be had at all (never fetched, or out of tolerance): not the caller's
            // fault, and not an answer about the token.
            throw ApiException.unavailable("The identity provider's signing keys cannot be fetched; try again shortly");
        }
        catch (Exception e) {
            // Why a token failed is logged by nobody and told to nobody: the answer is the same 401 for all.
            throw invalid();
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank() || subject.length() > 255) {
            throw ApiException.unauthorized("The bearer token has no usable subject");
        }
        return new Actor(subject, email(claims), booleanClaim(claims, "email_verified"),
                booleanClaim(claims, properties.adminClaim()));
    }

    private static String email(JWTClaimsSet claims) {
        try {
            String email = claims.getStringClaim("email");
            return email == null || email.isBlank() ? null : email.trim().toLowerCase(Locale.ROOT);
        }
        catch (ParseException e) {
            return null;
        }
    }

    private static boolean booleanClaim(JWTClaimsSet claims, String name) {
        try {
            return Boolean.TRUE.equals(claims.getBooleanClaim(name));
        }
        catch (ParseException e) {
            return false;
        }
    }
}
