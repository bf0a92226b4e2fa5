package dev.relaygate.gateway.io;

import java.util.Arrays;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads a message body into one byte array while holding it to a limit: the body of a request from a client, or
 * of an answer from an upstream node. Each chunk is copied as it arrives (Reactor Netty releases inbound chunks
 * once they are handed on), so nothing is buffered beyond the limit: the chunk that would cross it fails the read.
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    /**
     * The whole body, or {@code tooLarge} as the error once it exceeds {@code limit} bytes.
     *
     * @param declared the Content-Length, or -1 when unknown (sizes the first buffer; never trusted as a bound)
     */
    public static Mono<byte[]> read(Flux<ByteBuf> content, long declared, int limit,
            Supplier<? extends RuntimeException> tooLarge) {
        if (declared > limit) {
            return Mono.error(tooLarge.get());
        }
        return content.collect(() -> new Accumulator(declared, limit, tooLarge), Accumulator::add)
            .map(Accumulator::bytes);
    }

    /** The declared length in a Content-Length value, or -1 when absent or unreadable. */
    public static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }

    private static final class Accumulator {

        private static final int UNKNOWN_LENGTH_START = 256;

        private final int limit;

        private final Supplier<? extends RuntimeException> tooLarge;

        private byte[] bytes;

        private int size;

        Accumulator(long declared, int limit, Supplier<? extends RuntimeException> tooLarge) {
            this.limit = limit;
            this.tooLarge = tooLarge;
            this.bytes = new byte[declared >= 0 ? (int) declared : Math.min(limit, UNKNOWN_LENGTH_START)];
        }

        void add(ByteBuf chunk) {
            int readable = chunk.readableBytes();
            if ((long) size + readable > limit) {
                throw tooLarge.get();
            }
            if (size + readable > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + readable, 2L * bytes.length)));
            }
            chunk.getBytes(chunk.readerIndex(), bytes, size, readable);
            size += readable;
        }

        byte[] bytes() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
