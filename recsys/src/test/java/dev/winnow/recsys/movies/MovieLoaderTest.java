package dev.winnow.recsys.movies;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MovieLoaderTest {
    static final String IMDB_HEADER = "color,director_name,num_critic_for_reviews,duration,director_facebook_likes,"
            + "actor_3_facebook_likes,actor_2_name,actor_1_facebook_likes,gross,genres,actor_1_name,movie_title,"
            + "num_voted_users,cast_total_facebook_likes,actor_3_name,facenumber_in_poster,plot_keywords,"
            + "movie_imdb_link,num_user_for_reviews,language,country,content_rating,budget,title_year,"
            + "actor_2_facebook_likes,imdb_score,aspect_ratio,movie_facebook_likes";
    static final String TMDB_HEADER = "budget,genres,homepage,id,keywords,original_language,original_title,overview,"
            + "popularity,production_companies,production_countries,release_date,revenue,runtime,spoken_languages,"
            + "status,tagline,title,vote_average,vote_count";

    /** An IMDB row in the file's own shape; {@code title} gets the trailing U+00A0 the real file has. */
    static String imdbRow(String title, String year, String budget, String score) {
        return "Color,Some Director,100,120,50,10,B Actor,1000,5000000,Drama|Comedy,A Actor,\"" + title + "\u00A0\","
                + "9999,2000,C Actor,0,love|city,http://x,50,English,USA,PG-13," + budget + "," + year + ",20,"
                + score + ",1.85,777";
    }

    static String tmdbRow(String title, String date, String genresJson, String overview) {
        return "1000000,\"" + genresJson.replace("\"", "\"\"") + "\",,1,\"[{\"\"id\"\": 1, \"\"name\"\": \"\"hero\"\"}]"
                + "\",en,\"" + title + "\",\"" + overview + "\",1.5,\"[{\"\"name\"\": \"\"Studio A\"\", \"\"id\"\": 2}, "
                + "{\"\"name\"\": \"\"Studio B\"\", \"\"id\"\": 3}]\",\"[{\"\"iso_3166_1\"\": \"\"GB\"\", \"\"name\"\": "
                + "\"\"United Kingdom\"\"}]\"," + date + ",123,95,\"[{\"\"iso_639_1\"\": \"\"en\"\", \"\"name\"\": "
                + "\"\"English\"\"}]\",Released,A tagline,\"" + title + "\",7.0,100";
    }

    static Path write(Path dir, String name, String eol, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join(eol, lines) + eol, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void imdbLoaderReadsCrlfQuotedCommasAndStripsTheTrailingNoBreakSpace(@TempDir Path dir) throws IOException {
        Path csv = write(dir, "movie_metadata.csv", "\r\n", IMDB_HEADER,
                imdbRow("Crouching Tiger, Hidden Dragon", "2000", "17000000", "7.9"),
                imdbRow("No Year", "", "", "6.1"));
        List<ImdbFilm> films = ImdbFilm.load(csv);
        assertEquals(2, films.size());
        ImdbFilm f = films.get(0);
        assertEquals("Crouching Tiger, Hidden Dragon", f.title());
        assertEquals(2000, f.year());
        assertEquals(7.9f, f.score(), 1e-6);
        assertEquals("17000000", f.fields().get(MovieFields.BUDGET));
        assertEquals("Drama|Comedy", f.fields().get(MovieFields.GENRES));
        assertNull(f.fields().get("gross"), "post-release column gross must not be kept");
        assertNull(f.fields().get("num_voted_users"), "post-release column num_voted_users must not be kept");
        assertNull(films.get(1).year());
        assertNull(films.get(1).fields().get(MovieFields.BUDGET));
        assertEquals(3, films.get(1).line());
    }

    @Test
    void tmdbLoaderReadsJsonArraysInsideCellsAndMultiLineOverviews(@TempDir Path dir) throws IOException {
        Path csv = write(dir, "tmdb_5000_movies.csv", "\n", TMDB_HEADER,
                tmdbRow("Avatar", "2009-12-10", "[{\"id\": 28, \"name\": \"Action\"}, {\"id\": 14, \"name\": "
                        + "\"Fantasy\"}]", "line one\nline two"),
                tmdbRow("Second", "2010-01-02", "[]", "short"));
        List<TmdbFilm> films = TmdbFilm.load(csv);
        assertEquals(2, films.size());
        TmdbFilm a = films.get(0);
        assertEquals(2009, a.year());
        assertEquals("Action|Fantasy", a.fields().get(MovieFields.GENRES));
        assertEquals("Studio A|Studio B", a.fields().get(MovieFields.PRODUCTION_COMPANIES));
        assertEquals("United Kingdom", a.fields().get(MovieFields.PRODUCTION_COUNTRIES));
        assertEquals("hero", a.fields().get(MovieFields.PLOT_KEYWORDS));
        assertEquals("line one\nline two", a.fields().get(MovieFields.OVERVIEW));
        assertNull(a.fields().get("revenue"), "post-release column revenue must not be kept");
        assertEquals(2, a.line());
        assertEquals(4, films.get(1).line(), "the second record starts after the two-line overview");
        assertNull(films.get(1).fields().get(MovieFields.GENRES));
    }

    @Test
    void aMalformedNumberStopsTheLoadNamingFileLineAndField(@TempDir Path dir) throws IOException {
        Path csv = write(dir, "movie_metadata.csv", "\r\n", IMDB_HEADER, imdbRow("Fine", "2001", "100", "6.0"),
                imdbRow("Broken", "2002", "12abc", "6.0"));
        MovieDataException e = assertThrows(MovieDataException.class, () -> ImdbFilm.load(csv));
        assertEquals("movie_metadata.csv:3: field budget: \"12abc\" is not a number", e.getMessage());
    }

    @Test
    void aScoreOutsideOneToTenIsRejectedWithItsRange(@TempDir Path dir) throws IOException {
        Path csv = write(dir, "movie_metadata.csv", "\r\n", IMDB_HEADER, imdbRow("High", "2001", "100", "11.5"));
        MovieDataException e = assertThrows(MovieDataException.class, () -> ImdbFilm.load(csv));
        assertEquals("movie_metadata.csv:2: field imdb_score: \"11.5\" is outside 1..10", e.getMessage());
    }

    @Test
    void malformedJsonInACellNamesFileLineAndField(@TempDir Path dir) throws IOException {
        Path csv = write(dir, "tmdb_5000_movies.csv", "\n", TMDB_HEADER,
                tmdbRow("Ok", "2009-12-10", "[]", "x"),
                tmdbRow("Bad", "2009-12-10", "[{\"id\": 28, \"name\": \"Action\"", "y"));
        MovieDataException e = assertThrows(MovieDataException.class, () -> TmdbFilm.load(csv));
        assertTrue(e.getMessage().startsWith("tmdb_5000_movies.csv:3: field genres: malformed JSON array"),
                e.getMessage());
    }

    @Test
    void aLeadingByteOrderMarkIsNotPartOfTheFirstColumnName(@TempDir Path dir) throws IOException {
        // budget is the first TMDB column: with the mark kept, the header would have '\uFEFFbudget' and no 'budget'
        Path csv = write(dir, "tmdb_5000_movies.csv", "\r\n", "\uFEFF" + TMDB_HEADER,
                tmdbRow("Avatar", "2009-12-10", "[]", "short"));
        assertEquals((byte) 0xEF, Files.readAllBytes(csv)[0], "the file starts with the UTF-8 mark");
        List<TmdbFilm> films = TmdbFilm.load(csv);
        assertEquals(1, films.size());
        assertEquals("1000000", films.get(0).fields().get(MovieFields.BUDGET));
    }

    @Test
    void aNumberOnlyParseDoubleWouldReadIsNotANumber(@TempDir Path dir) throws IOException {
        for (String budget : new String[] {"1000d", "1000F", "Infinity", "NaN", "0x1p4", "1,000"}) {
            Path csv = write(dir, "movie_metadata.csv", "\n", IMDB_HEADER,
                    imdbRow("Suffix", "2000", budget.contains(",") ? "\"" + budget + "\"" : budget, "7.0"));
            MovieDataException e = assertThrows(MovieDataException.class, () -> ImdbFilm.load(csv), budget);
            assertEquals("movie_metadata.csv:2: field budget: \"" + budget + "\" is not a number", e.getMessage());
        }
        Path csv = write(dir, "movie_metadata.csv", "\n", IMDB_HEADER, imdbRow("Exponent", "2000", "1.7e7", "7.0"));
        assertEquals("17000000", ImdbFilm.load(csv).get(0).fields().get(MovieFields.BUDGET));
    }

    @Test
    void aColumnReadTwiceIsRefusedNamingItsColumns(@TempDir Path dir) throws IOException {
        Path csv = write(dir, "movie_metadata.csv", "\n", IMDB_HEADER + ",budget",
                imdbRow("Twice", "2000", "100", "7.0") + ",200");
        MovieDataException e = assertThrows(MovieDataException.class, () -> ImdbFilm.load(csv));
        assertEquals("movie_metadata.csv:1: the header has the column 'budget' more than once (columns 23, 29); "
                + "keep one", e.getMessage());
        // a repeated column the loader does not read is harmless
        Path extra = write(dir, "movie_metadata.csv", "\n", IMDB_HEADER + ",note,note",
                imdbRow("Notes", "2000", "100", "7.0") + ",a,b");
        assertEquals(1, ImdbFilm.load(extra).size());
    }

    @Test
    void aJsonCellThatIsNotAnArrayOfNamedObjectsIsRejected(@TempDir Path dir) throws IOException {
        Path csv = write(dir, "tmdb_5000_movies.csv", "\n", TMDB_HEADER,
                tmdbRow("Obj", "2009-12-10", "{\"name\": \"Action\"}", "x"));
        MovieDataException e = assertThrows(MovieDataException.class, () -> TmdbFilm.load(csv));
        assertTrue(e.getMessage().startsWith("tmdb_5000_movies.csv:2: field genres: expected a JSON array"),
                e.getMessage());
    }

    @Test
    void aBadDateAndAMissingColumnAndAMissingFileEachSayWhatIsWrong(@TempDir Path dir) throws IOException {
        Path bad = write(dir, "tmdb_5000_movies.csv", "\n", TMDB_HEADER, tmdbRow("D", "10/12/2009", "[]", "x"));
        assertEquals("tmdb_5000_movies.csv:2: field release_date: \"10/12/2009\" is not a date of the form YYYY-MM-DD",
                assertThrows(MovieDataException.class, () -> TmdbFilm.load(bad)).getMessage());
        Path noScore = write(dir, "movie_metadata.csv", "\n", "movie_title,title_year", "\"A\",2000");
        String m = assertThrows(MovieDataException.class, () -> ImdbFilm.load(noScore)).getMessage();
        assertTrue(m.startsWith("movie_metadata.csv:1: the header has no column 'imdb_score'"), m);
        assertTrue(MovieMerge.present(dir));
        assertTrue(!MovieMerge.present(dir.resolve("nowhere")));
        String missing = assertThrows(MovieDataException.class, () -> MovieMerge.load(dir.resolve("nowhere")))
                .getMessage();
        assertTrue(missing.contains("movie_metadata.csv"), missing);
    }

    @Test
    void aRowThatIsNotUtf8AnUnclosedQuoteAndAnEmptyFileEachNameTheirLineInOneLine(@TempDir Path dir)
            throws IOException {
        Path csv = write(dir, "movie_metadata.csv", "\r\n", IMDB_HEADER, imdbRow("Fine", "2001", "100", "6.0"),
                imdbRow("Caf#", "2002", "100", "6.0"), imdbRow("Late", "2003", "100", "6.0"));
        byte[] b = Files.readAllBytes(csv);
        b[new String(b, StandardCharsets.ISO_8859_1).indexOf("Caf#") + 3] = (byte) 0xff; // not UTF-8
        Files.write(csv, b);
        MovieDataException e = assertThrows(MovieDataException.class, () -> ImdbFilm.load(csv));
        assertEquals("movie_metadata.csv:3: not valid CSV (invalid UTF-8)", e.getMessage());

        write(dir, "movie_metadata.csv", "\r\n", IMDB_HEADER, imdbRow("Fine", "2001", "100", "6.0"),
                "Color,\"Open quote,x\r\nand more,y", "Color,z");
        e = assertThrows(MovieDataException.class, () -> ImdbFilm.load(csv));
        assertEquals("movie_metadata.csv:3: not valid CSV (a quoted field opened on line 3 is never closed)",
                e.getMessage());

        Files.write(csv, new byte[0]);
        e = assertThrows(MovieDataException.class, () -> ImdbFilm.load(csv));
        assertTrue(e.getMessage().startsWith("movie_metadata.csv: empty file; expected a header"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void aHugeValueWithEscapesIsEchoedQuotedAndCut(@TempDir Path dir) throws IOException {
        String budget = "\u001b]0;x\u0007" + "1".repeat(300_000) + "z";
        Path csv = write(dir, "movie_metadata.csv", "\r\n", IMDB_HEADER, imdbRow("Big", "2001", budget, "6.0"));
        MovieDataException e = assertThrows(MovieDataException.class, () -> ImdbFilm.load(csv));
        assertTrue(e.getMessage().startsWith("movie_metadata.csv:2: field budget: \"\\u001b]0;x\\u0007111"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }
}
