package dev.relaygate.controlplane.usage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.relaygate.controlplane.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

/** REST endpoint of an organization's usage, as JSON or, with {@code Accept: text/csv}, as CSV. */
@Tag(name = "Usage")
@RestController
public class UsageController {

    static final MediaType TEXT_CSV = MediaType.parseMediaType("text/csv");

    private final UsageReports reports;

    public UsageController(UsageReports reports) {
        this.reports = reports;
    }

    @Operation(summary = "Usage per hour or day, optionally per key, chain or method, with totals (members)")
    @ApiResponse(responseCode = "200", description = "Buckets starting in [from, to), oldest first", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = UsageReport.class)),
            @Content(mediaType = "text/csv", schema = @Schema(type = "string")) })
    @GetMapping(path = "/v1/organizations/{orgId}/usage", produces = { MediaType.APPLICATION_JSON_VALUE, "text/csv" })
    public Mono<ResponseEntity<Object>> usage(Caller caller, @PathVariable UUID orgId,
            @Parameter(required = true, description = "ISO-8601 instant or date (midnight UTC), inclusive")
            @RequestParam(required = false) String from,
            @Parameter(required = true, description = "ISO-8601 instant or date (midnight UTC), exclusive")
            @RequestParam(required = false) String to,
            @Parameter(description = "hour (range at most 31 days) or day (at most 366 days, the default)")
            @RequestParam(required = false) String granularity,
            @Parameter(description = "key, chain or method; absent for one row per bucket")
            @RequestParam(required = false) String groupBy,
            @Parameter(hidden = true) @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept) {
        return Mono.fromSupplier(() -> UsageQuery.parse(from, to, granularity, groupBy))
            .flatMap(query -> reports.report(caller, orgId, query))
            .map(report -> wantsCsv(accept)
                    ? ResponseEntity.ok().contentType(TEXT_CSV).body((Object) UsageCsv.of(report))
                    : ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body((Object) report));
    }

    /** CSV when the client prefers it to JSON; JSON for anything else, wildcards included. */
    static boolean wantsCsv(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        List<MediaType> accepted;
        try {
            accepted = new ArrayList<>(MediaType.parseMediaTypes(accept));
        }
        catch (InvalidMediaTypeException e) {
            return false;
        }
        // Stable: among equal qualities the client's order decides.
        accepted.sort(Comparator.comparingDouble(MediaType::getQualityValue).reversed());
        for (MediaType type : accepted) {
            if (type.getQualityValue() == 0) {
                continue;
            }
            if (type.isWildcardType() || type.isWildcardSubtype()) {
                continue;
            }
            if (type.isCompatibleWith(TEXT_CSV)) {
                return true;
            }
            if (type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
                return false;
            }
        }
        return false;
    }
}
