package dev.relaygate.gateway.upstream;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Which EVM calls the response cache may answer, and when: the one place these rules are written (docs/upstreams.md,
 * "Cache", has the same table). Only what cannot change is cached: the chain's constants, and blocks, transactions
 * and receipts at or below the chain's finalized head, which no reorganisation can replace. Decides only; knows
 * nothing of Redis or HTTP.
 */
public final class CacheRules {

    /** How a cacheable method's answer is shown not to change. */
    public enum Rule {

        /** A constant of the chain ({@code eth_chainId}, {@code net_version}): any non-null result. */
        CONSTANT,

        /**
         * Addressed by block number as the first parameter: cacheable when that number (hex, never a tag) is at or
         * below the finalized head, and the result is not {@code null}.
         */
        BLOCK_NUMBER,

        /** Addressed by hash; the result is a block whose {@code number} must be at or below the finalized head. */
        RESULT_NUMBER,

        /**
         * Addressed by hash; the result is a transaction or receipt whose {@code blockNumber} must be at or below the
         * finalized head (a pending transaction has none, and is never cached).
         */
        RESULT_BLOCK_NUMBER
    }

    /** Longer params are never cached: they are no lookup anyone repeats, and they would make keys large. */
    public static final int MAX_PARAMS_BYTES = 1024;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private CacheRules() {
    }

    /** The rule of {@code method}, or {@code null} when its answers are never cached: one switch, nothing else. */
    public static Rule of(String method) {
        return switch (method) {
            case "eth_chainId", "net_version" -> Rule.CONSTANT;
            case "eth_getBlockByNumber", "eth_getBlockReceipts", "eth_getBlockTransactionCountByNumber",
                    "eth_getTransactionByBlockNumberAndIndex", "eth_getUncleCountByBlockNumber",
                    "eth_getUncleByBlockNumberAndIndex" -> Rule.BLOCK_NUMBER;
            case "eth_getBlockByHash" -> Rule.RESULT_NUMBER;
            case "eth_getTransactionByHash", "eth_getTransactionReceipt",
                    "eth_getTransactionByBlockHashAndIndex" -> Rule.RESULT_BLOCK_NUMBER;
            default -> null;
        };
    }

    /**
     * Whether a call of {@code rule} with {@code params} (the raw bytes as sent, {@code null} when absent) may be
     * answered from, or stored in, the cache, given the chain's finalized head (-1 when not known yet).
     */
    public static boolean requestCacheable(Rule rule, byte[] params, long finalized) {
        if (params != null && params.length > MAX_PARAMS_BYTES) {
            return false;
        }
        return switch (rule) {
            case CONSTANT -> true;
            case BLOCK_NUMBER -> params != null && atOrBelow(firstParamNumber(params), finalized);
            // Known only from the answer.
            case RESULT_NUMBER, RESULT_BLOCK_NUMBER -> finalized >= 0;
        };
    }

    /** Whether {@code result} (the raw bytes of a success answer's {@code result}) may be stored under {@code rule}. */
    public static boolean resultCacheable(Rule rule, byte[] result, long finalized) {
        if (result.length == 0 || isNull(result)) {
            return false;
        }
        return switch (rule) {
            case CONSTANT, BLOCK_NUMBER -> true;
            case RESULT_NUMBER -> atOrBelow(memberNumber(result, "number"), finalized);
            case RESULT_BLOCK_NUMBER -> atOrBelow(memberNumber(result, "blockNumber"), finalized);
        };
    }

    private static boolean atOrBelow(long block, long finalized) {
        return block >= 0 && block <= finalized;
    }

    private static boolean isNull(byte[] result) {
        return result.length == 4 && result[0] == 'n' && result[1] == 'u' && result[2] == 'l' && result[3] == 'l';
    }

    /** The first element of a params array as a block number ({@code "0x…"}), or -1 for anything else. */
    static long firstParamNumber(byte[] params) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), params)) {
            if (parser.nextToken() != JsonToken.START_ARRAY || parser.nextToken() != JsonToken.VALUE_STRING) {
                return -1;
            }
            return quantity(parser.getString());
        }
        catch (JacksonException unreadable) {
            return -1;
        }
    }

    /** A top-level member of an object as a block number, or -1 when absent, null or not a quantity. */
    static long memberNumber(byte[] object, String member) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), object)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return -1;
            }
            long found = -1;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals(member)) {
                    if (found >= 0 || value != JsonToken.VALUE_STRING) {
                        // A duplicated member, or not a quantity: no telling which number a client reads.
                        return -1;
                    }
                    found = quantity(parser.getString());
                    if (found < 0) {
                        return -1;
                    }
                }
                else {
                    parser.skipChildren();
                }
            }
            return found;
        }
        catch (JacksonException unreadable) {
            return -1;
        }
    }

    /** A hex quantity ({@code 0x0}, {@code 0x1f}) of at most 15 digits, or -1. */
    static long quantity(String text) {
        if (text.length() < 3 || text.length() > 17 || text.charAt(0) != '0' || text.charAt(1) != 'x') {
            return -1;
        }
        long value = 0;
        for (int i = 2; i < text.length(); i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }
}
