package dev.relaygate.gateway.observability;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Keeps API keys out of every log line, whoever writes it (the gateway, Reactor Netty, Spring, a library): a
 * Logback turbo filter that sees each enabled event before any appender, and when its message, arguments or
 * exception carry something shaped like a key ({@code rgk_} and 38 base-62 characters), drops it and logs the same
 * event again with each key replaced by its first characters. Independent of the layout (plain or structured).
 * The gateway's own code never logs a key; this is the net under everything else.
 */
public final class SecretRedaction extends TurboFilter {

    /** A Relaygate API key as it may appear in a path, a header or a message. */
    static final Pattern API_KEY = Pattern.compile("rgk_[0-9A-Za-z]{38}");

    private static final String FQCN = SecretRedaction.class.getName();

    /** Replaces every API key in {@code text} by its first 8 characters and a marker. */
    public static String redact(String text) {
        if (text == null || !text.contains("rgk_")) {
            return text;
        }
        Matcher matcher = API_KEY.matcher(text);
        return matcher.find() ? matcher.replaceAll(key -> key.group().substring(0, 8) + "…[redacted]") : text;
    }

    /** Installs the filter in the running Logback context (again after each logging (re)initialisation). */
    public static void install() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context
                && context.getTurboFilterList().stream().noneMatch(SecretRedaction.class::isInstance)) {
            SecretRedaction filter = new SecretRedaction();
            filter.setName("relaygate-secret-redaction");
            filter.start();
            context.addTurboFilter(filter);
        }
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // Asking the logger whether the level is enabled would run the turbo filters again: compare levels instead.
        if (format == null || level == null || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
            return FilterReply.NEUTRAL;
        }
        Throwable failure = t != null ? t : MessageFormatter.getThrowableCandidate(params);
        String message = MessageFormatter.basicArrayFormat(format, params);
        boolean inMessage = !message.equals(redact(message));
        boolean inFailure = failure != null && carriesKey(failure);
        if (!inMessage && !inFailure) {
            return FilterReply.NEUTRAL;
        }
        logger.log(marker, FQCN, Level.toLocationAwareLoggerInteger(level), redact(message), null,
                failure == null ? null : redacted(failure));
        return FilterReply.DENY;
    }

    private static boolean carriesKey(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            String text = current.toString();
            if (!text.equals(redact(text))) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }

    /** A stand-in for {@code failure} and its causes: same class name and stack, messages redacted. */
    private static Throwable redacted(Throwable failure) {
        Throwable cause = failure.getCause() == null || failure.getCause() == failure ? null : redacted(failure.getCause());
        RedactedFailure copy = new RedactedFailure(failure.getClass().getName() + ": " + redact(failure.getMessage()), cause);
        copy.setStackTrace(failure.getStackTrace());
        return copy;
    }

    /** An exception whose message was redacted; its message names the original class. */
    static final class RedactedFailure extends RuntimeException {

        RedactedFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
