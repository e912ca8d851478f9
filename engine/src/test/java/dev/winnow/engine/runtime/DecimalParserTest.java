package dev.winnow.engine.runtime;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DecimalParser} against {@link Double#parseDouble} over the syntax the training side accepts. */
class DecimalParserTest {
    /**
     * The number syntax both sides accept (the training side's {@code Numbers.DECIMAL}): decimal digits with an
     * optional sign, point and exponent; none of parseDouble's type suffixes, Infinity, NaN or hex.
     */
    static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    @Test
    void onlyDecimalNumbersAreReadNotParseDoublesSuffixesInfinityNanOrHex() {
        for (String s : new String[] {"1000d", "1000D", "2.5f", "2.5F", "Infinity", "-Infinity", "NaN", "0x10",
            "0x1p4", "1,000", "1e", "e5", ".", "-", "1.5e5x"}) {
            assertTrue(Double.isNaN(DecimalParser.parse(s, 0, s.length())), s);
        }
        assertEquals(1000.0, DecimalParser.parse("1e3", 0, 3));
        assertEquals(0.5, DecimalParser.parse(".5", 0, 2));
        assertEquals(5.0, DecimalParser.parse("5.", 0, 2));
        assertEquals(7.0, DecimalParser.parse("+7", 0, 2));
        String many = "3.14159265358979323846264338327950288";
        assertEquals(Double.parseDouble(many), DecimalParser.parse(many, 0, many.length()));
    }

    @Test
    void decimalNumbersAreReadExactlyAsParseDouble() {
        SplittableRandom r = new SplittableRandom(5);
        for (int k = 0; k < 200_000; k++) {
            String s;
            switch (r.nextInt(5)) {
                case 0: s = Double.toString(Double.longBitsToDouble(r.nextLong())); break;
                case 1: s = Long.toString(r.nextLong(1L << 54)) + (r.nextBoolean() ? "" : "e" + r.nextInt(-30, 30));
                    break;
                case 2: {
                    StringBuilder b = new StringBuilder(r.nextBoolean() ? "-" : "");
                    int digits = r.nextInt(1, 20);
                    int point = r.nextInt(digits + 1);
                    for (int i = 0; i < digits; i++) {
                        b.append(i == point ? "." : "").append((char) ('0' + r.nextInt(10)));
                    }
                    s = b.toString();
                    break;
                }
                case 3: s = String.format("%.6f", r.nextDouble() * 1e6); break;
                default: {
                    String alphabet = "0123456789.eE+-dfx ";
                    StringBuilder b = new StringBuilder();
                    for (int i = r.nextInt(1, 8); i > 0; i--) {
                        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
                    }
                    s = b.toString().strip();
                    if (s.isEmpty()) {
                        continue;
                    }
                }
            }
            double expected;
            try {
                expected = DECIMAL.matcher(s).matches() ? Double.parseDouble(s) : Double.NaN;
            } catch (NumberFormatException e) {
                expected = Double.NaN;
            }
            double got = DecimalParser.parse(new StringBuilder(s), 0, s.length());
            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(got), s);
        }
    }
}
