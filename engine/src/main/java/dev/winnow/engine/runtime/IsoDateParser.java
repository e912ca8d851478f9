package dev.winnow.engine.runtime;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * The month or day of an ISO date (yyyy-mm-dd) read from characters in place, as {@link LocalDate#parse} reads it
 * but without allocating for the plain form: the movie model derives numeric inputs from release dates on the
 * allocation-free request path.
 */
final class IsoDateParser {
    private IsoDateParser() {
    }

    /**
     * Month or day of {@code LocalDate.parse(s[a, b))} (ISO yyyy-mm-dd, strict: the day must exist), NaN when it does
     * not parse. The plain 10-char form is read by hand; other forms (signed or long years) go to LocalDate.
     */
    static double monthOrDay(CharSequence s, int a, int b, boolean month) {
        if (b - a == 10 && s.charAt(a + 4) == '-' && s.charAt(a + 7) == '-') {
            int y = digits(s, a, a + 4);
            int mo = digits(s, a + 5, a + 7);
            int d = digits(s, a + 8, a + 10);
            if (y >= 0 && mo >= 0 && d >= 0) {
                if (mo < 1 || mo > 12 || d < 1 || d > monthLength(y, mo)) {
                    return Double.NaN;
                }
                return month ? mo : d;
            }
        }
        try {
            LocalDate date = LocalDate.parse(s.subSequence(a, b));
            return month ? date.getMonthValue() : date.getDayOfMonth();
        } catch (DateTimeParseException e) {
            return Double.NaN;
        }
    }

    /** The ASCII decimal s[a, b) or -1. */
    private static int digits(CharSequence s, int a, int b) {
        int v = 0;
        for (int i = a; i < b; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int monthLength(int year, int month) {
        switch (month) {
            case 2:
                return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }
}
