package dev.winnow.kernels;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a probe's failure into the one-line reason users see. JCuda packs whole nested stack traces into its
 * UnsatisfiedLinkError message; what matters there is which shared library could not be opened.
 */
public final class FailureReason {
    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("([\\w.+-]+\\.so(?:\\.\\d+)*): cannot open shared object file");
    private static final int MAX_LENGTH = 200;

    private FailureReason() {
    }

    public static String of(Throwable e) {
        StringBuilder all = new StringBuilder();
        Throwable deepest = e;
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            all.append(t.getMessage()).append('\n');
            if (t.getMessage() != null) {
                deepest = t;
            }
        }
        Matcher m = MISSING_LIBRARY.matcher(all);
        if (m.find()) {
            return m.group(1) + " not found (" + e.getClass().getSimpleName() + ")";
        }
        String msg = String.valueOf(deepest.getMessage());
        int cut = msg.indexOf("---(start of nested");
        if (cut >= 0) {
            msg = msg.substring(0, cut);
        }
        cut = msg.indexOf("\tat ");
        if (cut >= 0) {
            msg = msg.substring(0, cut);
        }
        msg = msg.replaceAll("\\s+", " ").trim();
        if (msg.length() > MAX_LENGTH) {
            msg = msg.substring(0, MAX_LENGTH) + "...";
        }
        return deepest.getClass().getSimpleName() + ": " + msg;
    }
}
