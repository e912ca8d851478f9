package dev.winnow.recsys.movies;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MovieMergeTest {

    private static ImdbFilm imdb(String title, int year, String budget) {
        return new ImdbFilm(2, title, year, 7f, budget == null ? Map.of(MovieFields.YEAR, "" + year)
                : Map.of(MovieFields.BUDGET, budget, MovieFields.YEAR, "" + year, MovieFields.GENRES, "Drama",
                MovieFields.PRODUCTION_COUNTRIES, "USA", MovieFields.PLOT_KEYWORDS, "a|b"));
    }

    private static TmdbFilm tmdb(String title, String original, int year) {
        return new TmdbFilm(2, title, original, year, Map.of(MovieFields.PRODUCTION_COUNTRIES, "United Kingdom",
                MovieFields.PLOT_KEYWORDS, "b|c", MovieFields.GENRES, "Action"));
    }

    @Test
    void titlesMatchIgnoringCasePunctuationAndTheNoBreakSpace() {
        assertEquals(MovieTitles.key("Harry Potter and the Sorcerer's Stone\u00A0"),
                MovieTitles.key("harry potter and the sorcerer s stone"));
        assertEquals("x men 2", MovieTitles.key("X-Men  2"));
    }

    @Test
    void duplicatesAreDroppedAndOneYearOffMatchesOnlyWhenUnambiguous() {
        List<ImdbFilm> im = List.of(imdb("Alpha", 2001, "10"), imdb("Alpha\u00A0", 2001, "10"),
                imdb("Beta", 2005, "10"), imdb("Gamma", 2010, "10"), imdb("Delta", 2012, null));
        List<TmdbFilm> tm = List.of(tmdb("ALPHA", "Alpha", 2001), tmdb("Beta", "Beta", 2006),
                tmdb("Gamma", "Gamma", 2009), tmdb("Gamma", "Gamma", 2011), tmdb("Delta", "Delta", 2012));
        MovieMerge.Result r = MovieMerge.merge(im, tm);
        assertEquals(5, r.report().imdbRows());
        assertEquals(4, r.report().imdbDistinct());
        assertEquals(2, r.report().matchedSameYear(), "Alpha and Delta");
        assertEquals(1, r.report().matchedNearYear(), "Beta; Gamma has two candidates one year off");
        assertEquals(2, r.report().withBudget(), "Delta has no budget");
        Movie alpha = r.movies().get(0);
        assertEquals("United Kingdom", alpha.fields().get(MovieFields.PRODUCTION_COUNTRIES), "TMDB's country list wins");
        assertEquals("Drama", alpha.fields().get(MovieFields.GENRES), "IMDB's genres win");
        assertEquals("a|b|c", alpha.fields().get(MovieFields.PLOT_KEYWORDS), "keywords are the union");
    }

    @Test
    void realDataMergesToTheCountsOfDataReadme() {
        Path dir = Path.of(System.getProperty("winnow.shared.data", "../shared/data"));
        assumeTrue(Files.isRegularFile(dir.resolve("imdb-5000/movie_metadata.csv"))
                        && Files.isRegularFile(dir.resolve("tmdb-5000/tmdb_5000_movies.csv")),
                "skipped: shared/data with imdb-5000 and tmdb-5000 is not present at " + dir.toAbsolutePath());
        MovieMerge.Result r = MovieMerge.load(dir);
        assertEquals(5043, r.report().imdbRows());
        assertEquals(4919, r.report().imdbDistinct(), "IMDB 5000 repeats 124 films");
        assertEquals(4803, r.report().tmdbRows());
        // data/README.md: 4568 matched, 4307 with a budget (3827 up to 2013 / 480 after); our matcher, which also
        // accepts TMDB's original title and an unambiguous one-year difference, lands within 2% of each.
        assertTrue(Math.abs(r.report().merged() - 4568) < 0.025 * 4568, r.report().describe());
        assertTrue(Math.abs(r.report().withBudget() - 4307) < 0.01 * 4307, r.report().describe());
        int upTo2013 = 0;
        int after = 0;
        double sum = 0;
        for (Movie m : r.movies()) {
            if (m.year() <= 2013) {
                upTo2013++;
                sum += m.rating();
            } else if (m.year() <= 2016) {
                after++;
            }
        }
        assertTrue(Math.abs(upTo2013 - 3827) <= 20, "films up to 2013: " + upTo2013);
        assertTrue(Math.abs(after - 480) <= 10, "films 2014-2016: " + after);
        double mean = sum / upTo2013;
        double mae = 0;
        double mse = 0;
        for (Movie m : r.movies()) {
            if (m.year() >= 2014 && m.year() <= 2016) {
                mae += Math.abs(m.rating() - mean) / after;
                mse += (m.rating() - mean) * (m.rating() - mean) / after;
            }
        }
        assertEquals(0.954, mae, 0.015, "mean floor MAE");
        assertEquals(1.508, mse, 0.05, "mean floor MSE");
    }
}
