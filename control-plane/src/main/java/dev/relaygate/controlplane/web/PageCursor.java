package dev.relaygate.controlplane.web;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Keyset pagination position: the {@code (created_at, id)} of the last row of a page, opaque to clients
 * (base64url). Lists are ordered newest first, so the next page holds rows strictly "before" the cursor.
 */
public record PageCursor(Instant createdAt, UUID id) {

    /** Page size used when the client does not ask for one. */
    public static final int DEFAULT_LIMIT = 50;

    /** Largest page a client may ask for. */
    public static final int MAX_LIMIT = 200;

    public String encode() {
        String raw = createdAt.toString() + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a cursor from a query parameter; null or blank means "first page". */
    public static PageCursor decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int bar = raw.indexOf('|');
            return new PageCursor(Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
        }
        catch (RuntimeException e) {
            throw ApiException.invalidField("cursor", "is not a cursor returned by this API");
        }
    }

    /** Checks a requested page size, applying the default. */
    public static int limit(Integer requested) {
        if (requested == null) {
            return DEFAULT_LIMIT;
        }
        if (requested < 1 || requested > MAX_LIMIT) {
            throw ApiException.invalidField("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return requested;
    }

    /**
     * Builds a page from rows fetched with {@code limit + 1}: the extra row only tells whether a next page exists.
     */
    public static <R, T> Page<T> page(List<R> rows, int limit, Function<R, PageCursor> position,
            Function<R, T> view) {
        boolean more = rows.size() > limit;
        List<R> shown = more ? rows.subList(0, limit) : rows;
        String next = more ? position.apply(shown.get(shown.size() - 1)).encode() : null;
        return new Page<>(shown.stream().map(view).toList(), next);
    }
}
