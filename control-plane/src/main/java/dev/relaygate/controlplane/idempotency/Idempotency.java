package dev.relaygate.controlplane.idempotency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.propagation.Publication;
import dev.relaygate.controlplane.security.InternalProperties;
import dev.relaygate.controlplane.web.ApiException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key} on creates: same key and same body replay the first answer; same key and another body
 * answer 422. Must run inside the transaction of the create: the record is inserted first, and the primary key
 * on {@code (scope, key_hash)} makes a concurrent create with the same key wait for this one to commit, then
 * replay its answer, so two simultaneous creates yield one resource without any in-memory lock.
 *
 * <p>A key-creation answer holds the key's secret, so answers are stored AES-GCM encrypted under a key derived
 * (HMAC) from the Idempotency-Key and a server secret, and the Idempotency-Key itself only as a hash: the
 * database alone can reveal no secret.
 */
@Component
public final class Idempotency implements DisposableBean {

    private static final int IV_BYTES = 12;

    private final DatabaseClient db;

    private final JsonMapper json;

    private final Clock clock;

    private final Duration ttl;

    private final byte[] serverSecret;

    private final SecureRandom random = new SecureRandom();

    private final Disposable purge;

    public Idempotency(DatabaseClient db, JsonMapper json, Clock clock, IdempotencyProperties properties,
            InternalProperties internal) {
        this.db = db;
        this.json = json;
        this.clock = clock;
        this.ttl = properties.ttl();
        // The service token is a server-side secret that every deployment already has; see the config doc.
        this.serverSecret = internal.token().getBytes(StandardCharsets.UTF_8);
        this.purge = Flux.interval(properties.purgeInterval())
            .onBackpressureDrop()
            .concatMap(tick -> purgeExpired().onErrorResume(failure -> Mono.empty()))
            .subscribe();
    }

    /**
     * Runs {@code create} unless this key was already used: then answers the stored value (publishing nothing),
     * or 422 if the request differs.
     */
    public <T> Mono<Publication<T>> guard(IdempotencyKey key, Class<T> type, Mono<Publication<T>> create) {
        if (key == null) {
            return create;
        }
        String keyHash = sha256(key.scope() + "\n" + key.key());
        String requestHash = sha256(json.writeValueAsString(key.request()));
        Instant now = Instant.now(clock);
        return db.sql("""
                insert into idempotency_records (scope, key_hash, request_hash, created_at, expires_at)
                values (:scope, :keyHash, :requestHash, :now, :expiresAt)
                on conflict (scope, key_hash) do update
                  set request_hash = excluded.request_hash, response_status = null, response_body = null,
                      created_at = excluded.created_at, expires_at = excluded.expires_at
                  where idempotency_records.expires_at <= :now
                returning key_hash
                """)
            .bind("scope", key.scope())
            .bind("keyHash", keyHash)
            .bind("requestHash", requestHash)
            .bind("now", now)
            .bind("expiresAt", now.plus(ttl))
            .map(row -> Boolean.TRUE)
            .one()
            .flatMap(claimed -> create.flatMap(fresh -> store(key, keyHash, fresh.value()).thenReturn(fresh)))
            .switchIfEmpty(Mono.defer(() -> replay(key, keyHash, requestHash, type)));
    }

    private Mono<Void> store(IdempotencyKey key, String keyHash, Object value) {
        return db.sql("update idempotency_records set response_status = :status, response_body = :body "
                + "where scope = :scope and key_hash = :keyHash")
            .bind("status", HttpStatus.CREATED.value())
            .bind("body", ByteBuffer.wrap(encrypt(key, json.writeValueAsBytes(value))))
            .bind("scope", key.scope())
            .bind("keyHash", keyHash)
            .then();
    }

    private <T> Mono<Publication<T>> replay(IdempotencyKey key, String keyHash, String requestHash, Class<T> type) {
        return db.sql("select request_hash, response_body from idempotency_records "
                + "where scope = :scope and key_hash = :keyHash")
            .bind("scope", key.scope())
            .bind("keyHash", keyHash)
            .map(row -> new Stored(row.get("request_hash", String.class), row.get("response_body", ByteBuffer.class)))
            .one()
            .switchIfEmpty(Mono.error(() -> ApiException.conflict("A request with this Idempotency-Key is in progress")))
            .map(stored -> {
                if (!stored.requestHash().equals(requestHash)) {
                    throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused",
                            "This Idempotency-Key was used with a different request");
                }
                if (stored.body() == null) {
                    throw ApiException.conflict("A request with this Idempotency-Key is in progress");
                }
                byte[] body = new byte[stored.body().remaining()];
                stored.body().get(body);
                return Publication.quiet(json.readValue(decrypt(key, body), type));
            });
    }

    /** Deletes records older than the retention period. */
    public Mono<Long> purgeExpired() {
        return db.sql("delete from idempotency_records where expires_at <= :now")
            .bind("now", Instant.now(clock))
            .fetch()
            .rowsUpdated();
    }

    private byte[] encrypt(IdempotencyKey key, byte[] plaintext) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, aesKey(key), new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    private byte[] decrypt(IdempotencyKey key, byte[] stored) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, aesKey(key), new GCMParameterSpec(128, stored, 0, IV_BYTES));
            return cipher.doFinal(stored, IV_BYTES, stored.length - IV_BYTES);
        }
        catch (GeneralSecurityException e) {
            // The server secret changed since the answer was stored: it can no longer be replayed.
            throw ApiException.conflict("The answer stored for this Idempotency-Key can no longer be replayed");
        }
    }

    private SecretKeySpec aesKey(IdempotencyKey key) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(serverSecret, "HmacSHA256"));
        byte[] derived = mac.doFinal(("relaygate-idempotency\n" + key.scope() + "\n" + key.key())
            .getBytes(StandardCharsets.UTF_8));
        return new SecretKeySpec(derived, "AES");
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void destroy() {
        purge.dispose();
    }

    private record Stored(String requestHash, ByteBuffer body) {
    }
}
