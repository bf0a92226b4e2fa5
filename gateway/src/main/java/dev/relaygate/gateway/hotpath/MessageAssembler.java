package dev.relaygate.gateway.hotpath;

import java.io.ByteArrayOutputStream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Puts a client's message together from its frames (RFC 6455 5.4) and holds it to {@code max-message-bytes} as a
 * whole. Done here rather than by Reactor Netty's frame aggregator, whose failure ends the socket with a close frame
 * without a code; a single frame above the limit never gets here (Netty's decoder closes with 1009 itself). One per
 * socket, fed from its event loop only.
 */
final class MessageAssembler {

    /** What a frame amounts to. */
    sealed interface Step {
    }

    /** A whole message. */
    record Message(byte[] body) implements Step {
    }

    /** Part of a message, or a frame that is not data (ping, pong, close). */
    record Partial() implements Step {
    }

    /** The message is larger than the limit: the socket closes with 1009. */
    record TooBig() implements Step {
    }

    private static final Partial PARTIAL = new Partial();

    private static final TooBig TOO_BIG = new TooBig();

    private final int maxMessageBytes;

    /** The message being put together, {@code null} between messages. */
    private ByteArrayOutputStream pending;

    MessageAssembler(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    Step add(WebSocketFrame frame) {
        boolean data = frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame;
        if (!data && !(frame instanceof ContinuationWebSocketFrame)) {
            return PARTIAL;
        }
        ByteBuf content = frame.content();
        if (data && frame.isFinalFragment() && pending == null) {
            if (content.readableBytes() > maxMessageBytes) {
                return TOO_BIG;
            }
            byte[] body = new byte[content.readableBytes()];
            content.getBytes(content.readerIndex(), body);
            return new Message(body);
        }
        if (pending == null) {
            // A continuation without a first frame is a protocol error Netty's decoder already refuses.
            pending = new ByteArrayOutputStream();
        }
        if (pending.size() + content.readableBytes() > maxMessageBytes) {
            pending = null;
            return TOO_BIG;
        }
        byte[] part = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), part);
        pending.writeBytes(part);
        if (!frame.isFinalFragment()) {
            return PARTIAL;
        }
        byte[] body = pending.toByteArray();
        pending = null;
        return new Message(body);
    }
}
