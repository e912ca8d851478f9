package dev.winnow.engine.runtime;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MovieCsvTest {
    private static InputLines lines(String csv) {
        return new InputLines(new java.io.ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
    }

    private static final String HEADER = "id,title,budget,duration,production_companies,release_date,genres,"
            + "content_rating,overview,gross";

    private static String rating(MovieRatingModel m, Map<String, String> raw) {
        return String.format(Locale.ROOT, "%.4f", m.predict(raw));
    }

    private static Map<String, String> film(String title, String budget, String date, String genres,
                                            String overview) {
        Map<String, String> f = new HashMap<>();
        f.put("title", title);
        f.put("budget", budget);
        f.put("duration", "");
        f.put("production_companies", "");
        f.put("release_date", date);
        f.put("genres", genres);
        f.put("content_rating", "PG-13");
        f.put("overview", overview);
        return f;
    }

    @Test
    void streamsFilmsWritesIdAndRatingAndSkipsBadRowsByLine() throws Exception {
        MovieRatingModel m = MovieRequestTest.model(MovieRequestTest.export(32, 1));
        String csv = HEADER + "\r\n"
                + "tt1,\"Crouching Tiger, Hidden Dragon\",1.7e7,,,2000-07-06,Action|Drama,PG-13,"
                + "\"A \"\"green\"\" sword,\r\nstolen.\",128000000\r\n"
                + "tt2,Bad Budget,lots,,,2001-01-01,Drama,PG-13,x,1\r\n"
                + "tt3,Bad Date,100,,,2001-02-30,Drama,PG-13,x,1\r\n"
                + "tt4,Short,100\r\n"
                + "\"tt,5\",Fine,200,,,,Comedy,PG-13,,\r\n";
        StringWriter out = new StringWriter();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        MovieCsv.Counts c = MovieCsv.run(m, lines(csv), "films.csv", null, out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errors = err.toString(StandardCharsets.UTF_8);
        assertEquals(List.of(2L, 3L), List.of(c.predictions(), c.badRows()));
        assertTrue(errors.contains("films.csv:4: column 'budget': \"lots\" is not a finite number; row skipped"),
                errors);
        assertTrue(errors.contains("films.csv:5: column 'release_date': \"2001-02-30\" is not a date (yyyy-mm-dd)"),
                errors);
        assertTrue(errors.contains("films.csv:6: expected 10 fields as in the header, found 3"), errors);
        String first = rating(m, film("Crouching Tiger, Hidden Dragon", "1.7e7", "2000-07-06", "Action|Drama",
                "A \"green\" sword,\r\nstolen."));
        String last = rating(m, film("Fine", "200", "", "Comedy", ""));
        assertEquals("id,rating\ntt1," + first + "\n\"tt,5\"," + last + "\n", out.toString());
    }

    @Test
    void withoutAnIdColumnRowsAreNumberedAndAMissingModelColumnIsNamedOnce() throws Exception {
        MovieRatingModel m = MovieRequestTest.model(MovieRequestTest.export(16, 2));
        String header = "title,budget,duration,production_companies,release_date,genres,content_rating,overview";
        StringWriter out = new StringWriter();
        MovieCsv.run(m, lines(header + "\nA,1,2,,2001-01-01,Drama,R,x\nB,1,2,,2001-01-01,Drama,R,y\n"),
                "f.csv", null, out, System.err);
        assertEquals(List.of("row", "1", "2"), out.toString().lines().map(l -> l.split(",")[0]).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MovieCsv.run(m,
                lines("title,budget,genres\nA,1,Drama\n"), "f.csv", null, new StringWriter(), System.err));
        assertTrue(e.getMessage().startsWith("f.csv:1: the header has no column 'duration', 'production_companies',"
                + " 'release_date', 'content_rating', 'overview';"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MovieCsv.run(m, lines(header + "\n"),
                "f.csv", "imdb_id", new StringWriter(), System.err));
        assertTrue(e.getMessage().contains("'imdb_id' (--id-column)"), e.getMessage());
    }

    @Test
    void aColumnTheModelReadsTwiceIsRefusedNamingItAndANumberWithATypeSuffixIsABadRow() throws Exception {
        MovieRatingModel m = MovieRequestTest.model(MovieRequestTest.export(16, 2));
        String header = "title,budget,duration,production_companies,release_date,genres,content_rating,overview";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MovieCsv.run(m,
                lines(header + ",budget\nA,1,2,,2001-01-01,Drama,R,x,5\n"), "f.csv", null,
                new StringWriter(), System.err));
        assertEquals("f.csv:1: the header has the column 'budget' more than once (columns 2 and 9); the model reads "
                + "it, so keep one", e.getMessage());
        // a repeated column the model does not read is harmless
        StringWriter out = new StringWriter();
        MovieCsv.run(m, lines(header + ",note,note\nA,1,2,,2001-01-01,Drama,R,x,a,b\n"), "f.csv", null,
                out, System.err);
        assertEquals(2, out.toString().lines().count(), out.toString());

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        MovieCsv.Counts c = MovieCsv.run(m, lines(header + "\nA,1000d,2,,2001-01-01,Drama,R,x\n"
                + "B,1e3,2,,2001-01-01,Drama,R,x\nC,Infinity,2,,2001-01-01,Drama,R,x\n"), "f.csv", null,
                new StringWriter(), new PrintStream(err, true, StandardCharsets.UTF_8));
        String errors = err.toString(StandardCharsets.UTF_8);
        assertEquals(List.of(1L, 2L), List.of(c.predictions(), c.badRows()), errors);
        assertTrue(errors.contains("f.csv:2: column 'budget': \"1000d\" is not a finite number; row skipped"), errors);
        assertTrue(errors.contains("f.csv:4: column 'budget': \"Infinity\" is not a finite number; row skipped"),
                errors);
    }

    @Test
    void ratingsAreFormattedExactlyAsPercentPoint4f() {
        SplittableRandom r = new SplittableRandom(1);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 200_000; k++) {
            float v = k < 1000 ? (float) (k / 32.0 - 10) : (float) (r.nextDouble() * 20 - 5);
            sb.setLength(0);
            MovieCsv.appendRating(v, sb);
            assertEquals(String.format(Locale.ROOT, "%.4f", v), sb.toString(), Float.toString(v));
        }
    }
}
