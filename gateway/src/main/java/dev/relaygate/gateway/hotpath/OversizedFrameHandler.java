package dev.relaygate.gateway.hotpath;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * Netty's WebSocket frame decoder refuses a single frame above {@code max-message-bytes} by itself: it writes a 1009
 * close frame and closes the connection at once, before the socket hears of it. Placed between the decoder and the
 * encoder, this handler sees that close frame go out and tells the socket first, so that it ends as {@code too_big}
 * rather than as a connection that simply went.
 */
final class OversizedFrameHandler extends ChannelOutboundHandlerAdapter {

    static final String NAME = "relaygate.oversizedFrame";

    /** Netty's name for the frame decoder a server handshake adds ({@code WebSocketServerHandshaker}). */
    private static final String DECODER = "wsdecoder";

    private final Runnable tooBig;

    private OversizedFrameHandler(Runnable tooBig) {
        this.tooBig = tooBig;
    }

    /** Installs the handler ahead of the frame decoder's writes; does nothing on a pipeline without one. */
    static void install(ChannelPipeline pipeline, Runnable tooBig) {
        if (pipeline.get(DECODER) != null && pipeline.get(NAME) == null) {
            pipeline.addBefore(DECODER, NAME, new OversizedFrameHandler(tooBig));
        }
    }

    @Override
    public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) throws Exception {
        if (message instanceof CloseWebSocketFrame close
                && close.statusCode() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            tooBig.run();
        }
        super.write(context, message, promise);
    }
}
