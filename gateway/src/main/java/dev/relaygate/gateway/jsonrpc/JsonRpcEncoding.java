package dev.relaygate.gateway.jsonrpc;

/**
 * The one encoding a request body may have: UTF-8 as RFC 3629 defines it, without a byte order mark and
 * without NUL bytes (RFC 8259, section 8.1). Checked before parsing because Jackson alone is lenient in ways
 * the relay cannot afford: it guesses UTF-16 and UTF-32 from zero bytes (and then reports no byte offsets, so a
 * batch could not be cut into calls), skips a BOM, and decodes overlong forms and encoded surrogates, which the
 * gateway would then forward or echo as they are.
 */
final class JsonRpcEncoding {

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private JsonRpcEncoding() {
    }

    /** Why {@code body} is not acceptable UTF-8 JSON text, or {@code null} when it is. */
    static String problem(byte[] body) {
        if (body.length >= 3 && body[0] == UTF8_BOM[0] && body[1] == UTF8_BOM[1] && body[2] == UTF8_BOM[2]) {
            return "byte order mark not allowed";
        }
        int i = 0;
        while (i < body.length) {
            int b = body[i];
            if (b > 0) {
                i++;
                continue;
            }
            if (b == 0) {
                return "NUL byte not allowed";
            }
            int length = sequenceLength(body, i);
            if (length == 0) {
                return "body is not valid UTF-8";
            }
            i += length;
        }
        return null;
    }

    /** Length of the well-formed multi-byte sequence at {@code i}, or 0 (Unicode 15, table 3-7). */
    private static int sequenceLength(byte[] body, int i) {
        int lead = body[i] & 0xFF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            return continuation(body, i + 1, 0x80, 0xBF) ? 2 : 0;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            // E0 excludes overlong forms, ED excludes the surrogates U+D800..U+DFFF.
            int low = lead == 0xE0 ? 0xA0 : 0x80;
            int high = lead == 0xED ? 0x9F : 0xBF;
            return continuation(body, i + 1, low, high) && continuation(body, i + 2, 0x80, 0xBF) ? 3 : 0;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            // F0 excludes overlong forms, F4 excludes code points above U+10FFFF.
            int low = lead == 0xF0 ? 0x90 : 0x80;
            int high = lead == 0xF4 ? 0x8F : 0xBF;
            return continuation(body, i + 1, low, high) && continuation(body, i + 2, 0x80, 0xBF)
                    && continuation(body, i + 3, 0x80, 0xBF) ? 4 : 0;
        }
        return 0;
    }

    private static boolean continuation(byte[] body, int i, int low, int high) {
        if (i >= body.length) {
            return false;
        }
        int b = body[i] & 0xFF;
        return b >= low && b <= high;
    }
}
