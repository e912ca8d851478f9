package dev.winnow.engine.runtime;

/**
 * How an error message shows a value that came from the user's input (an id, a field, a path read from a file): in
 * double quotes, cut to {@value #MAX_CHARS} characters, with control characters, quotes and backslashes escaped
 * ({@code \u001b}, {@code \"}, {@code \\}). A 10 MB id or a terminal escape sequence in a data file then becomes a
 * short, inert part of a one-line message instead of the message itself.
 */
public final class Echo {

    /** Characters of the value shown before it is cut with "...". */
    public static final int MAX_CHARS = 60;

    private Echo() {
    }

    /** {@code "value"}, escaped and cut; {@code null} stays {@code null}. */
    public static String quote(CharSequence value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_CHARS) + 8).append('"');
        int n = Math.min(value.length(), MAX_CHARS);
        for (int i = 0; i < n; i++) {
            appendEscaped(value.charAt(i), sb);
        }
        sb.append('"');
        if (value.length() > MAX_CHARS) {
            sb.append("... (").append(value.length()).append(" chars)");
        }
        return sb.toString();
    }

    private static void appendEscaped(char c, StringBuilder sb) {
        if (c == '"' || c == '\\') {
            sb.append('\\').append(c);
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
                || Character.isSurrogate(c) || c == '\ufffd' || c == '\ufeff') {
            // controls (C0, DEL, C1), line separators, lone surrogate halves, the replacement character a bad byte
            // decodes to, and a byte-order mark: shown as their code so that nothing invisible reaches the terminal
            sb.append("\\u");
            for (int shift = 12; shift >= 0; shift -= 4) {
                sb.append(Character.forDigit((c >> shift) & 0xf, 16));
            }
        } else {
            sb.append(c);
        }
    }
}
