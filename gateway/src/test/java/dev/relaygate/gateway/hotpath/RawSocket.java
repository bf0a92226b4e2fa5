package dev.relaygate.gateway.hotpath;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written by hand over a plain TCP connection with a receive buffer of a few KB. It reads nothing
 * unless asked to: what the gateway sends piles up on the gateway's side, as with a client whose process hangs or
 * whose network is slower than its subscriptions. It reads the gateway's close frame itself, even when the gateway
 * resets the connection right after it. Blocking socket I/O, for test threads only.
 */
final class RawSocket implements AutoCloseable {

    private final Socket socket;

    private final OutputStream out;

    private RawSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code 127.0.0.1:port} and upgrades {@code path}; fails unless the gateway answers 101. */
    static RawSocket open(int port, String path) {
        try {
            Socket socket = new Socket();
            // Before connecting, so that the window the client offers stays this small.
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            RawSocket stalled = new RawSocket(socket);
            stalled.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = readHead(socket.getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                socket.close();
                throw new IllegalStateException("not upgraded: " + head.lines().findFirst().orElse(""));
            }
            return stalled;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void sendText(String message) {
        frame(0x1, true, message.getBytes(StandardCharsets.UTF_8));
    }

    /** A ping carrying {@code payload}; the gateway answers it with a pong carrying the same. */
    void sendPing(String payload) {
        frame(0x9, true, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The payload of the next pong the gateway sent, or {@code null} when it closed first. */
    String nextPong(Duration within) {
        Frame frame;
        do {
            frame = nextFrame(within);
        }
        while (frame != null && frame.opcode() != 0xA && frame.opcode() != 0x8);
        return frame == null || frame.opcode() == 0x8 ? null : new String(frame.payload(), StandardCharsets.UTF_8);
    }

    /** An unsolicited pong (RFC 6455 5.5.3 allows them): the client is alive, though it reads nothing. */
    void sendPong() {
        frame(0xA, true, new byte[0]);
    }

    /**
     * Reads (at last) until the gateway ends the connection; whether it did within {@code within}. A reset counts as
     * ended, as does an end of stream.
     */
    boolean endedWithin(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        byte[] sink = new byte[65536];
        try {
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(200);
            while (System.nanoTime() < deadline) {
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                }
                catch (SocketTimeoutException stillOpen) {
                    // Nothing to read yet; the connection is still there.
                }
            }
            return false;
        }
        catch (IOException reset) {
            return true;
        }
    }

    /**
     * Reads (at last) the frames the gateway sent until its close frame; the close code, or -1 when the connection
     * ended or {@code within} passed without one.
     */
    int closeCode(Duration within) {
        Frame frame;
        do {
            frame = nextFrame(within);
        }
        while (frame != null && frame.opcode() != 0x8);
        if (frame == null) {
            return -1;
        }
        byte[] payload = frame.payload();
        return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    /** The next text message the gateway sent, or {@code null} when it closed first. */
    String nextText(Duration within) {
        Frame frame;
        do {
            frame = nextFrame(within);
        }
        while (frame != null && frame.opcode() != 0x1 && frame.opcode() != 0x8);
        return frame == null || frame.opcode() == 0x8 ? null : new String(frame.payload(), StandardCharsets.UTF_8);
    }

    private record Frame(int opcode, byte[] payload) {
    }

    /** The next whole frame (the gateway sends messages unfragmented), or {@code null} when the connection ended. */
    private Frame nextFrame(Duration within) {
        try {
            socket.setSoTimeout((int) Math.max(1, within.toMillis()));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int first = in.readUnsignedByte();
            int length = in.readUnsignedByte() & 0x7f;
            long size = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
            return new Frame(first & 0x0f, in.readNBytes((int) size));
        }
        catch (IOException endedOrReset) {
            return null;
        }
    }

    /** One text message in two frames, the second continuing the first (RFC 6455 5.4). */
    void sendFragmented(String first, String rest) {
        frame(0x1, false, first.getBytes(StandardCharsets.UTF_8));
        frame(0x0, true, rest.getBytes(StandardCharsets.UTF_8));
    }

    private synchronized void frame(int opcode, boolean last, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((last ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        }
        else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        }
        else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        // Client frames are masked (RFC 6455 5.3).
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        try {
            out.write(frame.toByteArray());
            out.flush();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int next = in.read();
            if (next < 0) {
                break;
            }
            head.write(next);
            matched = next == end[matched] ? matched + 1 : (next == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        try {
            socket.close();
        }
        catch (IOException ignored) {
            // Closing a socket the gateway already closed.
        }
    }
}
