package dev.winnow.recsys.data;

/**
 * The policy for a malformed line while reading one file: stop with {@code file:line: what is wrong} (the default), or
 * skip it and count it ({@code --skip-bad-lines}). The first skipped message is kept so the summary can show an
 * example.
 */
final class BadLines {
    private final String file;
    private final boolean skip;
    private int skipped;
    private String firstMessage;

    BadLines(String file, boolean skip) {
        this.file = file;
        this.skip = skip;
    }

    /** Reports a bad line: throws unless skipping, in which case the line is counted. */
    void report(long line, String problem) {
        String message = file + ":" + line + ": " + problem;
        if (!skip) {
            throw new DataFormatException(message + " (use --skip-bad-lines to skip such lines)");
        }
        if (firstMessage == null) {
            firstMessage = message;
        }
        skipped++;
    }

    int skipped() {
        return skipped;
    }

    String firstMessage() {
        return firstMessage;
    }

    String file() {
        return file;
    }
}
