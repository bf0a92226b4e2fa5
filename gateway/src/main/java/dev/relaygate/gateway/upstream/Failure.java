package dev.relaygate.gateway.upstream;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import io.netty.handler.timeout.ReadTimeoutException;

/**
 * How one attempt to an upstream went wrong, and whether the request may then go to another upstream: the retry
 * rules of issue #17 as one table (docs/upstreams.md).
 *
 * <pre>
 * failure           a read (or a batch of reads)   anything else (writes)
 * CONNECT           retried                        retried: not a byte was written
 * TIMEOUT           retried                        not retried: the node may be executing it
 * BROKEN            retried                        not retried
 * HTTP_ERROR        retried                        not retried
 * RATE_LIMITED      retried                        not retried
 * NODE_PROBLEM      retried                        (never classified: a write's JSON-RPC error is its answer)
 * TOO_LARGE         not retried                    not retried: every node would give the same answer
 * </pre>
 */
public enum Failure {

    /** The connection could not be opened or taken from the pool: nothing was sent. */
    CONNECT(true),
    /** The attempt outlived its timeout. */
    TIMEOUT(false),
    /** The connection broke or the answer was malformed after the request was (perhaps) sent. */
    BROKEN(false),
    /** A 5xx or another non-2xx status except 429. */
    HTTP_ERROR(false),
    /** HTTP 429, or a JSON-RPC error saying the node's rate limit was hit. */
    RATE_LIMITED(false),
    /** A JSON-RPC error that says the node, not the call, is at fault (a missing block or header while it lags). */
    NODE_PROBLEM(false),
    /** The answer was larger than the relay accepts. */
    TOO_LARGE(false);

    private final boolean nothingSent;

    Failure(boolean nothingSent) {
        this.nothingSent = nothingSent;
    }

    /** Whether a request that met this failure may be sent to another upstream. */
    public boolean mayResend(boolean allReads) {
        if (this == TOO_LARGE) {
            return false;
        }
        return allReads || nothingSent;
    }

    /** Whether this failure counts against the upstream's health (an oversize answer is the call's doing). */
    boolean blamesUpstream() {
        return this != TOO_LARGE;
    }

    /** The failure a transport error stands for. */
    public static Failure of(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            // Netty's ConnectTimeoutException and AnnotatedConnectException are ConnectExceptions.
            if (cause instanceof ConnectException || isPoolAcquireFailure(cause)) {
                return CONNECT;
            }
            if (cause instanceof TimeoutException || cause instanceof ReadTimeoutException) {
                return TIMEOUT;
            }
            if (cause instanceof UpstreamClient.UpstreamException) {
                return TOO_LARGE;
            }
        }
        return BROKEN;
    }

    /** No pooled connection could be had in time: the request never left (the pool classes are shaded). */
    private static boolean isPoolAcquireFailure(Throwable cause) {
        String name = cause.getClass().getSimpleName();
        return name.equals("PoolAcquireTimeoutException") || name.equals("PoolAcquirePendingLimitException");
    }
}
