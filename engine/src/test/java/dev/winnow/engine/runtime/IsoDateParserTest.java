package dev.winnow.engine.runtime;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link IsoDateParser} against {@link LocalDate#parse}, valid and invalid dates, plain and odd forms. */
class IsoDateParserTest {
    @Test
    void monthAndDayAreReadExactlyAsLocalDateParse() {
        SplittableRandom r = new SplittableRandom(5);
        for (int k = 0; k < 50_000; k++) {
            String s = String.format("%04d-%02d-%02d", r.nextInt(0, 10_000), r.nextInt(0, 14), r.nextInt(0, 33));
            if (r.nextInt(10) == 0) {
                s = s.replace('-', r.nextBoolean() ? '/' : '-').substring(0, r.nextInt(5, 11));
            }
            for (boolean month : new boolean[] {false, true}) {
                double expected;
                try {
                    LocalDate d = LocalDate.parse(s);
                    expected = month ? d.getMonthValue() : d.getDayOfMonth();
                } catch (DateTimeParseException e) {
                    expected = Double.NaN;
                }
                assertEquals(expected, IsoDateParser.monthOrDay(s, 0, s.length(), month), s);
            }
        }
    }
}
