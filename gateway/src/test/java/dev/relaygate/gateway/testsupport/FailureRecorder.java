package dev.relaygate.gateway.testsupport;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** The last handler of a test pipeline: keeps the failures that reach it and releases what is read. */
public final class FailureRecorder extends ChannelInboundHandlerAdapter {

    private final List<Throwable> failures = new ArrayList<>();

    /** The failures that reached the end of the pipeline, in order. */
    public List<Throwable> failures() {
        return failures;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failures.add(cause);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }
}
