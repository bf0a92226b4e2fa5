package dev.relaygate.controlplane.key;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import dev.relaygate.controlplane.web.PageCursor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * API keys in Postgres. Every query that serves a user names the organization in its WHERE clause, so a key
 * id of another tenant matches nothing.
 */
@Component
public final class ApiKeyRepository {

    private static final TypeReference<List<Map<String, Object>>> JWKS = new TypeReference<>() {
    };

    /** Selected from a relation {@code k} (api_keys or a RETURNING set) joined to organizations {@code o}. */
    private static final String COLUMNS = """
            k.id, k.organization_id, o.plan_id, k.name, k.display_prefix, k.secret_hash, k.previous_secret_hash,
            k.previous_secret_expires_at, k.created_by, k.created_at, k.updated_at, k.expires_at, k.revoked_at,
            k.last_used_day, k.allowed_chains, k.allowed_origins, k.allowed_cidrs, k.allowed_methods,
            k.denied_methods, k.jwt_required, k.jwt_public_keys::text as jwt_public_keys_json, k.version,
            k.compute_units_per_second, k.daily_compute_units, k.monthly_compute_units""";

    private static final String JOIN = " join organizations o on o.id = k.organization_id ";

    private final DatabaseClient db;

    private final JsonMapper json;

    public ApiKeyRepository(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    public Mono<ApiKey> insert(UUID id, UUID organizationId, String name, IssuedSecret secret, String createdBy,
            Instant now, Instant expiresAt, KeyPolicy policy) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("with k as (insert into api_keys (id, organization_id, name, "
                + "display_prefix, secret_hash, created_by, created_at, updated_at, expires_at, allowed_chains, "
                + "allowed_origins, allowed_cidrs, allowed_methods, denied_methods, jwt_required, jwt_public_keys, "
                + "compute_units_per_second, daily_compute_units, monthly_compute_units) "
                + "values (:id, :org, :name, :prefix, :hash, :createdBy, :now, :now, :expiresAt, :chains, :origins, "
                + ":cidrs, :methods, :denied, :jwtRequired, cast(:jwks as jsonb), :perSecond, :daily, :monthly) "
                + "returning *) select " + COLUMNS
                + " from k" + JOIN)
            .bind("id", id)
            .bind("org", organizationId)
            .bind("name", name)
            .bind("prefix", secret.displayPrefix())
            .bind("hash", secret.hash())
            .bind("createdBy", createdBy)
            .bind("now", now);
        spec = expiresAt == null ? spec.bindNull("expiresAt", Instant.class) : spec.bind("expiresAt", expiresAt);
        return bindPolicy(spec, policy).map(this::key).one();
    }

    public Mono<ApiKey> find(UUID organizationId, UUID id) {
        return db.sql("select " + COLUMNS + " from api_keys k" + JOIN + "where k.organization_id = :org and k.id = :id")
            .bind("org", organizationId)
            .bind("id", id)
            .map(this::key)
            .one();
    }

    /** The key whose current or previous (rotated, in grace) secret has this hash. */
    public Mono<ApiKey> findByHash(String hash) {
        return db.sql("select " + COLUMNS + " from api_keys k" + JOIN
                + "where k.secret_hash = :hash or k.previous_secret_hash = :hash")
            .bind("hash", hash)
            .map(this::key)
            .one();
    }

    /**
     * One page of an organization's keys, newest first.
     *
     * @param revoked null for all keys, true for revoked ones only, false for unrevoked ones only
     * @param nameContains case-insensitive substring of the name, or null
     */
    public Flux<ApiKey> page(UUID organizationId, PageCursor after, int limit, Boolean revoked, String nameContains) {
        StringBuilder sql = new StringBuilder("select ").append(COLUMNS).append(" from api_keys k").append(JOIN)
            .append("where k.organization_id = :org");
        if (after != null) {
            sql.append(" and (k.created_at, k.id) < (:afterCreatedAt, :afterId)");
        }
        if (revoked != null) {
            sql.append(revoked ? " and k.revoked_at is not null" : " and k.revoked_at is null");
        }
        if (nameContains != null) {
            sql.append(" and strpos(lower(k.name), lower(:name)) > 0");
        }
        sql.append(" order by k.created_at desc, k.id desc limit :limit");
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql.toString()).bind("org", organizationId).bind("limit",
                limit);
        if (after != null) {
            spec = spec.bind("afterCreatedAt", after.createdAt()).bind("afterId", after.id());
        }
        if (nameContains != null) {
            spec = spec.bind("name", nameContains);
        }
        return spec.map(this::key).all();
    }

    /** Revokes a key; empty if it does not exist in this organization or was already revoked. */
    public Mono<ApiKey> revoke(UUID organizationId, UUID id, Instant now) {
        return db.sql("with k as (update api_keys set revoked_at = :now, updated_at = :now, version = version + 1 "
                + "where organization_id = :org and id = :id and revoked_at is null returning *) select " + COLUMNS
                + " from k" + JOIN)
            .bind("now", now)
            .bind("org", organizationId)
            .bind("id", id)
            .map(this::key)
            .one();
    }

    /**
     * Applies an update if the key is still at {@code expectedVersion} (optimistic locking); empty otherwise.
     *
     * @param name         new name or null
     * @param expiresAt    new expiry or null
     * @param removeExpiry whether to clear the expiry
     * @param policy       new policy or null
     */
    public Mono<ApiKey> update(UUID organizationId, UUID id, long expectedVersion, String name, Instant expiresAt,
            boolean removeExpiry, KeyPolicy policy, Instant now) {
        StringBuilder set = new StringBuilder("updated_at = :now, version = version + 1");
        if (name != null) {
            set.append(", name = :name");
        }
        if (removeExpiry) {
            set.append(", expires_at = null");
        }
        else if (expiresAt != null) {
            set.append(", expires_at = :expiresAt");
        }
        if (policy != null) {
            set.append(", allowed_chains = :chains, allowed_origins = :origins, allowed_cidrs = :cidrs, "
                    + "allowed_methods = :methods, denied_methods = :denied, jwt_required = :jwtRequired, "
                    + "jwt_public_keys = cast(:jwks as jsonb), compute_units_per_second = :perSecond, "
                    + "daily_compute_units = :daily, monthly_compute_units = :monthly");
        }
        DatabaseClient.GenericExecuteSpec spec = db.sql("with k as (update api_keys set " + set
                + " where organization_id = :org and id = :id and version = :version returning *) select " + COLUMNS
                + " from k" + JOIN)
            .bind("now", now)
            .bind("org", organizationId)
            .bind("id", id)
            .bind("version", expectedVersion);
        if (name != null) {
            spec = spec.bind("name", name);
        }
        if (!removeExpiry && expiresAt != null) {
            spec = spec.bind("expiresAt", expiresAt);
        }
        if (policy != null) {
            spec = bindPolicy(spec, policy);
        }
        return spec.map(this::key).one();
    }

    /**
     * Replaces the secret of an unrevoked key still at {@code expectedVersion}; the old secret stays valid until
     * {@code graceEnd}, or is dropped at once when {@code graceEnd} is null.
     */
    public Mono<ApiKey> rotate(UUID organizationId, UUID id, long expectedVersion, IssuedSecret secret,
            Instant graceEnd, Instant now) {
        String previous = graceEnd == null ? "previous_secret_hash = null, previous_secret_expires_at = null"
                : "previous_secret_hash = secret_hash, previous_secret_expires_at = :graceEnd";
        DatabaseClient.GenericExecuteSpec spec = db.sql("with k as (update api_keys set " + previous
                + ", secret_hash = :hash, display_prefix = :prefix, updated_at = :now, version = version + 1 "
                + "where organization_id = :org and id = :id and version = :version and revoked_at is null "
                + "returning *) select " + COLUMNS + " from k" + JOIN)
            .bind("hash", secret.hash())
            .bind("prefix", secret.displayPrefix())
            .bind("now", now)
            .bind("org", organizationId)
            .bind("id", id)
            .bind("version", expectedVersion);
        if (graceEnd != null) {
            spec = spec.bind("graceEnd", graceEnd);
        }
        return spec.map(this::key).one();
    }

    /** Forgets previous secrets whose grace ended; each result carries the hash it retired. */
    public Flux<RetiredSecret> retireExpiredPreviousSecrets(Instant now, int limit) {
        return db.sql("with due as (select id, previous_secret_hash from api_keys where previous_secret_expires_at "
                + "<= :now order by previous_secret_expires_at limit :limit for update skip locked), "
                + "k as (update api_keys a set previous_secret_hash = null, previous_secret_expires_at = null, "
                + "updated_at = :now, version = a.version + 1 from due where a.id = due.id "
                + "returning a.*, due.previous_secret_hash as retired_hash) select " + COLUMNS
                + ", k.retired_hash from k" + JOIN)
            .bind("now", now)
            .bind("limit", limit)
            .map(row -> new RetiredSecret(key(row), row.get("retired_hash", String.class)))
            .all();
    }

    /** Bumps the version of every key of an organization (its plan changed) and answers them. */
    public Flux<ApiKey> touchOrganization(UUID organizationId, Instant now) {
        return db.sql("with k as (update api_keys set version = version + 1, updated_at = :now "
                + "where organization_id = :org returning *) select " + COLUMNS + " from k" + JOIN)
            .bind("now", now)
            .bind("org", organizationId)
            .map(this::key)
            .all();
    }

    /** A key whose previous secret was just retired, and that secret's hash. */
    public record RetiredSecret(ApiKey key, String hash) {
    }

    private DatabaseClient.GenericExecuteSpec bindPolicy(DatabaseClient.GenericExecuteSpec spec, KeyPolicy policy) {
        spec = spec.bind("chains", policy.allowedChains().toArray(String[]::new))
            .bind("origins", policy.allowedOrigins().toArray(String[]::new))
            .bind("cidrs", policy.allowedCidrs().toArray(String[]::new))
            .bind("methods", policy.allowedMethods().toArray(String[]::new))
            .bind("denied", policy.deniedMethods().toArray(String[]::new))
            .bind("jwtRequired", policy.jwtRequired())
            .bind("jwks", json.writeValueAsString(policy.jwtPublicKeys()));
        spec = bindCap(spec, "perSecond", policy.computeUnitsPerSecond());
        spec = bindCap(spec, "daily", policy.dailyComputeUnits());
        return bindCap(spec, "monthly", policy.monthlyComputeUnits());
    }

    private static DatabaseClient.GenericExecuteSpec bindCap(DatabaseClient.GenericExecuteSpec spec, String name,
            Long value) {
        return value == null ? spec.bindNull(name, Long.class) : spec.bind(name, value);
    }

    ApiKey key(Readable row) {
        KeyPolicy policy = new KeyPolicy(list(row.get("allowed_chains", String[].class)),
                list(row.get("allowed_origins", String[].class)), list(row.get("allowed_cidrs", String[].class)),
                list(row.get("allowed_methods", String[].class)), list(row.get("denied_methods", String[].class)),
                Boolean.TRUE.equals(row.get("jwt_required", Boolean.class)),
                json.readValue(row.get("jwt_public_keys_json", String.class), JWKS),
                row.get("compute_units_per_second", Long.class), row.get("daily_compute_units", Long.class),
                row.get("monthly_compute_units", Long.class));
        return new ApiKey(row.get("id", UUID.class), row.get("organization_id", UUID.class),
                row.get("plan_id", UUID.class), row.get("name", String.class), row.get("display_prefix", String.class),
                row.get("secret_hash", String.class), row.get("previous_secret_hash", String.class),
                row.get("previous_secret_expires_at", Instant.class), row.get("created_by", String.class),
                row.get("created_at", Instant.class), row.get("updated_at", Instant.class),
                row.get("expires_at", Instant.class), row.get("revoked_at", Instant.class),
                row.get("last_used_day", LocalDate.class), policy, row.get("version", Long.class));
    }

    private static List<String> list(String[] values) {
        return values == null ? List.of() : List.of(values);
    }
}
