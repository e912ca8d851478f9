package dev.winnow.engine.runtime;

/**
 * Decimal numbers read from characters in place, as {@link Double#parseDouble} reads them but without allocating: the
 * movie model's raw numeric fields arrive as {@link CharSequence}s on the allocation-free request path.
 */
final class DecimalParser {
    /** 10^0 .. 10^22: every one is an exact double, so m * 10^e and m / 10^e round once (Clinger's fast path). */
    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
            1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private DecimalParser() {
    }

    /**
     * {@code Double.parseDouble(s[a, b))}, exactly, for decimal digits with an optional sign, point and exponent: those
     * whose digits fit 2^53 and whose power of ten is within 10^+-22 are converted with one correctly rounded multiply
     * or divide (as parseDouble rounds: the same double), the others go through parseDouble itself. NaN when
     * unreadable, and for what only parseDouble would read (a type suffix as in {@code 1000d} or {@code 2.5f},
     * {@code Infinity}, {@code NaN}, hex): the training side's reader refuses those too, and both must agree.
     */
    static double parse(CharSequence s, int a, int b) {
        int i = a;
        char c = s.charAt(i);
        boolean negative = c == '-';
        if (c == '-' || c == '+') {
            i++;
        }
        long m = 0;
        int exp = 0;
        boolean digits = false;
        boolean fast = true;
        while (i < b && (c = s.charAt(i)) >= '0' && c <= '9') {
            m = m * 10 + (c - '0');
            fast &= m <= 1L << 53;
            digits = true;
            i++;
        }
        if (i < b && s.charAt(i) == '.') {
            i++;
            while (i < b && (c = s.charAt(i)) >= '0' && c <= '9') {
                m = m * 10 + (c - '0');
                fast &= m <= 1L << 53;
                exp--;
                digits = true;
                i++;
            }
        }
        if (i < b && (s.charAt(i) == 'e' || s.charAt(i) == 'E') && digits) {
            i++;
            boolean negExp = i < b && s.charAt(i) == '-';
            if (i < b && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                i++;
            }
            int e = 0;
            boolean expDigits = false;
            while (i < b && (c = s.charAt(i)) >= '0' && c <= '9') {
                e = Math.min(100_000, e * 10 + (c - '0'));
                expDigits = true;
                i++;
            }
            fast &= expDigits;
            exp += negExp ? -e : e;
        }
        if (!digits || i != b) {
            return Double.NaN;
        }
        if (fast && exp >= -22 && exp <= 22) {
            double v = exp >= 0 ? m * POW10[exp] : m / POW10[-exp];
            return negative ? -v : v;
        }
        try {
            return Double.parseDouble(s.subSequence(a, b).toString());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
