package dev.relaygate.gateway.usage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's local spool of usage batches that could not be sent to Redis: one append-only file
 * ({@code usage.spool}), one batch per line ({@code <createdAt epoch ms> <batch json>\n}), read from the front in
 * order. The read position is kept in {@code usage.spool.offset} (written after each removed batch, not synced: at
 * worst a restart re-sends batches already sent, which the control plane counts once by their id); once every
 * batch is read the file is truncated to nothing.
 *
 * <p>Blocking file I/O: used by one thread at a time, the {@code usage-spool} scheduler's, never an event loop.
 * Bounded: {@link #append} refuses a batch that would make the file larger than {@code maxBytes}.
 */
final class UsageSpool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageSpool.class);

    static final String FILE = "usage.spool";

    static final String OFFSET_FILE = "usage.spool.offset";

    private final Path file;

    private final Path offsetFile;

    private final long maxBytes;

    private final UsageProperties.Fsync fsync;

    private final long fsyncIntervalNanos;

    private final FileChannel channel;

    private volatile long size;

    private volatile long offset;

    private volatile long batches;

    private long lastSync = System.nanoTime();

    private boolean dirty;

    /** Opens (or creates) the spool in {@code directory}, dropping a torn last line left by a crash. */
    UsageSpool(UsageProperties.Spool properties) {
        try {
            Files.createDirectories(properties.directory());
            this.file = properties.directory().resolve(FILE);
            this.offsetFile = properties.directory().resolve(OFFSET_FILE);
            this.maxBytes = properties.maxSize().toBytes();
            this.fsync = properties.fsync();
            this.fsyncIntervalNanos = properties.fsyncInterval().toNanos();
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            this.size = channel.size();
            dropTornTail();
            this.offset = readOffset();
            this.batches = countLines(offset);
            if (batches > 0) {
                log.info("Usage spool {} holds {} batches ({} bytes) to re-send", file, batches, size - offset);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot open the usage spool in " + properties.directory(), e);
        }
    }

    boolean isEmpty() {
        return batches == 0;
    }

    /** Batches waiting. */
    long batches() {
        return batches;
    }

    /** Bytes the spool file takes on disk. */
    long bytes() {
        return size;
    }

    /** Appends {@code batch}; {@code false} when the spool is full. Syncs as the fsync policy says. */
    boolean append(UsageBatch batch) throws IOException {
        byte[] line = (batch.createdAt().toEpochMilli() + " " + batch.json() + "\n").getBytes(StandardCharsets.UTF_8);
        if (size + line.length > maxBytes) {
            return false;
        }
        ByteBuffer buffer = ByteBuffer.wrap(line);
        long at = size;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
        size = at;
        batches++;
        dirty = true;
        if (fsync == UsageProperties.Fsync.ALWAYS) {
            sync();
        }
        else {
            syncIfDue();
        }
        return true;
    }

    /** Syncs to disk when the {@code interval} policy's time has come. */
    void syncIfDue() throws IOException {
        if (fsync == UsageProperties.Fsync.INTERVAL && dirty && System.nanoTime() - lastSync >= fsyncIntervalNanos) {
            sync();
        }
    }

    private void sync() throws IOException {
        channel.force(false);
        dirty = false;
        lastSync = System.nanoTime();
    }

    /** The oldest batch, without removing it. */
    Optional<Spooled> peek() throws IOException {
        if (batches == 0) {
            return Optional.empty();
        }
        byte[] line = readLine(offset);
        if (line == null) {
            return Optional.empty();
        }
        String text = new String(line, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        long createdAt;
        try {
            createdAt = Long.parseLong(text.substring(0, Math.max(space, 0)));
        }
        catch (NumberFormatException unreadable) {
            createdAt = 0;
        }
        return Optional.of(new Spooled(Instant.ofEpochMilli(createdAt), text.substring(space + 1),
                offset + line.length + 1));
    }

    /** Removes {@code spooled}, which {@link #peek} returned; truncates the file once it is all read. */
    void remove(Spooled spooled) throws IOException {
        offset = spooled.next();
        batches--;
        if (batches == 0 || offset >= size) {
            channel.truncate(0);
            channel.force(false);
            size = 0;
            offset = 0;
            batches = 0;
            Files.deleteIfExists(offsetFile);
        }
        else {
            Files.writeString(offsetFile, Long.toString(offset));
        }
    }

    @Override
    public void close() throws IOException {
        if (fsync != UsageProperties.Fsync.NEVER && dirty) {
            sync();
        }
        channel.close();
    }

    private void dropTornTail() throws IOException {
        if (size == 0) {
            return;
        }
        long end = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (end > 0) {
            one.clear();
            channel.read(one, end - 1);
            if (one.get(0) == '\n') {
                break;
            }
            end--;
        }
        if (end < size) {
            log.error("Usage spool {}: dropped a torn last batch of {} bytes (the gateway stopped while writing it); "
                    + "its usage is lost", file, size - end);
            channel.truncate(end);
            size = end;
        }
    }

    private long readOffset() throws IOException {
        if (!Files.exists(offsetFile)) {
            return 0;
        }
        try {
            long read = Long.parseLong(Files.readString(offsetFile).strip());
            return read >= 0 && read <= size ? read : 0;
        }
        catch (NumberFormatException unreadable) {
            return 0;
        }
    }

    private long countLines(long from) throws IOException {
        long count = 0;
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long at = from;
        while (at < size) {
            buffer.clear();
            int read = channel.read(buffer, at);
            if (read <= 0) {
                break;
            }
            for (int i = 0; i < read; i++) {
                if (buffer.get(i) == '\n') {
                    count++;
                }
            }
            at += read;
        }
        return count;
    }

    /** The line starting at {@code from}, without its newline; {@code null} at the end. */
    private byte[] readLine(long from) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long at = from;
        while (at < size) {
            buffer.clear();
            int read = channel.read(buffer, at);
            if (read <= 0) {
                break;
            }
            for (int i = 0; i < read; i++) {
                if (buffer.get(i) == '\n') {
                    line.write(buffer.array(), 0, i);
                    return line.toByteArray();
                }
            }
            line.write(buffer.array(), 0, read);
            at += read;
        }
        return null;
    }

    /** A batch read from the spool: its JSON as written, and where the next one starts. */
    record Spooled(Instant createdAt, String json, long next) {
    }
}
