package dev.relaygate.gateway.jsonrpc;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Gateway-wide limits on JSON-RPC requests; a plan may set lower ones.
 *
 * @param maxBodyBytes largest request body read; a larger one is answered 413
 * @param maxBatchSize most calls in one batch
 * @param maxDepth deepest nesting of arrays and objects anywhere in a request
 */
@Validated
@ConfigurationProperties("relaygate.jsonrpc")
public record JsonRpcProperties(
        @Min(1024) @DefaultValue("1048576") int maxBodyBytes,
        @Min(1) @Max(10000) @DefaultValue("100") int maxBatchSize,
        @Min(2) @Max(1000) @DefaultValue("64") int maxDepth) {
}
