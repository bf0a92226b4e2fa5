package dev.relaygate.gateway.hotpath;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

import dev.relaygate.gateway.io.BoundedBody;
import dev.relaygate.gateway.jsonrpc.JsonRpcErrorCode;
import dev.relaygate.gateway.jsonrpc.JsonRpcId;
import dev.relaygate.gateway.observability.RequestIds;
import dev.relaygate.gateway.observability.RequestTrace;
import dev.relaygate.gateway.observability.RequestTracing;

/**
 * Serves {@code /v1/…} straight on Reactor Netty, ahead of WebFlux and Spring Cloud Gateway (a
 * {@link NettyRouteProvider}): reads the request once, hands a {@link GatewayRequest} to the {@link HotPath} and
 * writes its {@link Answer} as one full response. Every other path goes on to the Spring application (actuator
 * endpoints, operator-defined SCG routes).
 * <p>
 * Why not an SCG route with filters: measured on 2 cores, WebFlux's adapter, DispatcherHandler, SCG's route lookup
 * and filter chain took about 85 % of the CPU of a relayed call (docs/architecture.md, "Why the hot path is a Reactor
 * Netty route").
 * <p>
 * Never logs the request's path or body: the path may carry the caller's API key.
 */
final class JsonRpcRoute implements NettyRouteProvider {

    private static final Logger log = LoggerFactory.getLogger(JsonRpcRoute.class);

    private final HotPath hotPath;

    private final int maxBodyBytes;

    /** WebSocket upgrades, or {@code null} when they are not served. */
    private final SocketSessions sockets;

    private final RequestTracing tracing;

    JsonRpcRoute(HotPath hotPath, int maxBodyBytes, RequestTracing tracing, SocketSessions sockets) {
        this.hotPath = hotPath;
        this.maxBodyBytes = maxBodyBytes;
        this.tracing = tracing;
        this.sockets = sockets;
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(request -> RequestPath.served(request.uri()), this::serve);
    }

    private Publisher<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        HttpHeaders in = request.requestHeaders();
        String requestId = RequestIds.accept(in.get(HeaderNames.Ascii.REQUEST_ID));
        response.responseHeaders()
            .set(HeaderNames.Ascii.REQUEST_ID, requestId)
            .set(HttpHeaderNames.CACHE_CONTROL, HeaderNames.Ascii.NO_STORE)
            .set(HeaderNames.Ascii.CONTENT_TYPE_OPTIONS, HeaderNames.Ascii.NOSNIFF);
        if (sockets != null && request.method().equals(HttpMethod.GET) && SocketSessions.isUpgrade(in)) {
            return sockets.upgrade(request, response, requestId)
                .onErrorResume(failure -> {
                    log.error("Request {}: WebSocket upgrade failed", requestId, failure);
                    return Mono.empty();
                });
        }
        // Sampling is decided here, once: an unsampled request (almost all of them) gets RequestTrace.NONE, whose
        // every call is a no-op, and no operator below is added for it.
        RequestTrace trace = tracing.start(in, requestId);
        Mono<Void> served = Mono.defer(() -> answer(request, in, requestId, trace))
            .onErrorResume(failure -> {
                if (clientWentAway(failure)) {
                    // Not the gateway's failure, and nobody is left to answer.
                    log.debug("Request {}: the client went away ({})", requestId, failure.getClass().getSimpleName());
                    return Mono.empty();
                }
                try (RequestTrace.LogIds ids = trace.logIds()) {
                    log.error("Request {} failed", requestId, failure);
                }
                return Mono.just(Answer.error(JsonRpcErrorCode.INTERNAL_ERROR, JsonRpcId.NULL, null));
            })
            .flatMap(answer -> {
                trace.answered(answer.status());
                return write(response, answer);
            })
            .onErrorResume(JsonRpcRoute::clientWentAway, failure -> {
                log.debug("Request {}: the client went away while answered", requestId);
                return Mono.empty();
            });
        return trace.active() ? served.doFinally(signal -> trace.end()) : served;
    }

    private Mono<Answer> answer(HttpServerRequest request, HttpHeaders in, String requestId, RequestTrace trace) {
        RequestPath path = RequestPath.parse(request.uri());
        if (path == null) {
            return Mono.just(Answer.error(JsonRpcErrorCode.CHAIN_NOT_FOUND, JsonRpcId.NULL, null));
        }
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.OPTIONS)) {
            return hotPath.preflight(path, in.get(HeaderNames.Ascii.ORIGIN));
        }
        if (!method.equals(HttpMethod.POST)) {
            return Mono.just(Answer.error(JsonRpcErrorCode.HTTP_METHOD_NOT_ALLOWED, JsonRpcId.NULL, null)
                .header(HeaderNames.ALLOW, "POST"));
        }
        long declared = BoundedBody.contentLength(in.get(HttpHeaderNames.CONTENT_LENGTH));
        // Called on the event loop that read the request: Netty knows it without a lookup on the connection.
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        return BoundedBody.read(request.receive(), declared, maxBodyBytes, BodyTooLarge::new)
            .flatMap(body -> hotPath.handle(new GatewayRequest(requestId, path, body,
                    in.get(HeaderNames.Ascii.API_KEY), in.get(HttpHeaderNames.AUTHORIZATION),
                    in.get(HeaderNames.Ascii.ORIGIN), address(request.remoteAddress()),
                    in.get(HeaderNames.Ascii.FORWARDED_FOR), trace, loop)))
            .onErrorResume(BodyTooLarge.class, tooLarge -> Mono.just(Answer.error(JsonRpcErrorCode.BODY_TOO_LARGE,
                    JsonRpcId.NULL, "at most " + maxBodyBytes + " bytes")));
    }

    /** Writes the whole answer at once: status, headers and body in one full HTTP response. */
    static Mono<Void> write(HttpServerResponse response, Answer answer) {
        response.status(answer.status());
        HttpHeaders out = response.responseHeaders();
        List<CharSequence> headers = answer.headers();
        for (int i = 0; i < headers.size(); i += 2) {
            out.add(headers.get(i), headers.get(i + 1));
        }
        if (answer.contentType() == null) {
            return response.send().then();
        }
        // The usual one as Netty's constant: copied as bytes, not validated and encoded character by character.
        out.set(HttpHeaderNames.CONTENT_TYPE,
                Answer.JSON.equals(answer.contentType()) ? HttpHeaderValues.APPLICATION_JSON : answer.contentType());
        out.setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        return response.send(Mono.just(Unpooled.wrappedBuffer(answer.body()))).then();
    }

    /** A connection the client closed or reset: reading or writing it fails, and that is no error of ours. */
    private static boolean clientWentAway(Throwable failure) {
        return failure instanceof AbortedException || failure instanceof IOException;
    }

    static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** The request body is over {@code relaygate.jsonrpc.max-body-bytes}. */
    private static final class BodyTooLarge extends RuntimeException {

        BodyTooLarge() {
            super("request body too large", null, false, false);
        }
    }
}
