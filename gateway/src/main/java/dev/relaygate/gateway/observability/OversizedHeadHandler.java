package dev.relaygate.gateway.observability;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrors;
import dev.relaygate.gateway.jsonrpc.JsonRpcId;

/**
 * Answers a request whose head the HTTP/1.1 decoder refused, a request line over
 * {@code server.netty.max-initial-line-length} (414) or headers over {@code server.max-http-request-header-size}
 * (431), with a JSON-RPC error object like every other refusal, then closes the connection. Reactor Netty would
 * answer these itself with an empty body before any gateway code runs, so this sits in the channel pipeline right
 * after the HTTP codec, before Reactor Netty's traffic handler; every other message passes through untouched.
 * <p>
 * The decoder discards the rest of the connection after such a request, so it is the last one. When earlier
 * pipelined requests on the connection are still being answered, the refusal waits for their last response, so
 * answers stay in request order (as Reactor Netty keeps them).
 * <p>
 * One instance per channel; it runs on the channel's event loop only.
 */
public final class OversizedHeadHandler extends ChannelDuplexHandler {

    /** The handler's name in the channel pipeline. */
    public static final String NAME = "relaygate.oversizedHead";

    /** Requests passed on whose last response has not been written yet. */
    private int pendingResponses;

    /** A refusal waiting for {@link #pendingResponses} to reach zero. */
    private JsonRpcErrorCode deferred;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            JsonRpcErrorCode refusal = refusal(request.decoderResult());
            if (refusal != null) {
                ReferenceCountUtil.release(msg);
                if (pendingResponses == 0) {
                    answer(ctx, refusal);
                }
                else {
                    deferred = refusal;
                }
                return;
            }
            pendingResponses++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean endsResponse = msg instanceof LastHttpContent && !informational(msg);
        ctx.write(msg, promise);
        if (endsResponse && pendingResponses > 0 && --pendingResponses == 0 && deferred != null) {
            JsonRpcErrorCode refusal = deferred;
            deferred = null;
            answer(ctx, refusal);
        }
    }

    /** The error for a request head the decoder refused for its size, or {@code null}. */
    static JsonRpcErrorCode refusal(DecoderResult result) {
        if (!result.isFailure()) {
            return null;
        }
        // Checked in this order, as Reactor Netty does: TooLongHttpHeaderException is not a TooLongHttpLineException,
        // but both are TooLongFrameExceptions, which other causes (a too long chunk size line) may be too.
        if (result.cause() instanceof TooLongHttpLineException) {
            return JsonRpcErrorCode.REQUEST_LINE_TOO_LONG;
        }
        if (result.cause() instanceof TooLongHttpHeaderException) {
            return JsonRpcErrorCode.HEADERS_TOO_LARGE;
        }
        return null;
    }

    /** The whole answer to a refused head: a JSON-RPC error with id null (the body was never read). */
    static FullHttpResponse response(JsonRpcErrorCode code) {
        byte[] body = JsonRpcErrors.error(code, JsonRpcId.NULL, null);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(code.status()), Unpooled.wrappedBuffer(body));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        headers.set(RequestIds.HEADER, RequestIds.generate());
        headers.set(HttpHeaderNames.CACHE_CONTROL, ResponseHygieneFilter.CACHE_CONTROL);
        headers.set(ResponseHygieneFilter.CONTENT_TYPE_OPTIONS_HEADER, ResponseHygieneFilter.CONTENT_TYPE_OPTIONS);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    private static void answer(ChannelHandlerContext ctx, JsonRpcErrorCode code) {
        ctx.writeAndFlush(response(code)).addListener(ChannelFutureListener.CLOSE);
    }

    /** A 1xx answer ({@code 100 Continue}) is a full response of its own but does not end the request's answer. */
    private static boolean informational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
}
