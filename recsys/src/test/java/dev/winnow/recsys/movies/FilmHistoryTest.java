package dev.winnow.recsys.movies;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilmHistoryTest {
    private static final int STATS = FilmHistory.STATS.size();
    private static final int DIRECTOR = FilmHistory.RELATIONS.indexOf("director") * STATS;
    private static final int ACTOR_1 = FilmHistory.RELATIONS.indexOf("actor_1") * STATS;

    private static Movie film(String title, String date, float rating, String director, String actor1,
                              String actor3) {
        Map<String, String> f = new HashMap<>();
        f.put(MovieFields.RELEASE_DATE, date);
        f.put(MovieFields.YEAR, date.substring(0, 4));
        f.put(MovieFields.DIRECTOR_NAME, director);
        if (actor1 != null) {
            f.put(MovieFields.ACTOR_1_NAME, actor1);
        }
        if (actor3 != null) {
            f.put(MovieFields.ACTOR_3_NAME, actor3);
        }
        return new Movie(title, Integer.parseInt(date.substring(0, 4)), rating, f);
    }

    /** Three training films by D1 (2000, 2005, 2010) and one by D3 on the 2005 film's very day. */
    private static List<Movie> training(float rating2000, float rating2010) {
        return List.of(film("A", "2000-01-01", rating2000, "D1", null, "X"),
                film("B", "2005-06-01", 6f, "D1", null, null),
                film("C", "2010-01-01", rating2010, "D1", null, null),
                film("S", "2005-06-01", 9f, "D3", null, null));
    }

    private static double[] raw(FilmHistory h, Movie m) {
        return h.raw(m.fields());
    }

    @Test
    void aTestFilmWhoseDirectorOnlyDirectedTestFilmsHasNoDirectorHistory() {
        FilmHistory h = FilmHistory.fit(training(8f, 2f));
        // D2 directs two test films; test ratings are never indexed, so neither sees the other
        double[] first = raw(h, film("T1", "2014-03-01", 9f, "D2", null, null));
        double[] second = raw(h, film("T2", "2015-03-01", 9f, "D2", null, null));
        for (double[] r : new double[][] {first, second}) {
            assertEquals(0, r[DIRECTOR], "log1p(0) related films");
            assertEquals(1, r[DIRECTOR + 5], "missing flag");
            assertEquals(0, r[DIRECTOR + 1]);
        }
        float[] x = new float[h.width()];
        h.transform(film("T1", "2014-03-01", 9f, "D2", null, null).fields(), x, 0);
        assertEquals(1f, x[DIRECTOR + 5]);
        for (int s = 1; s <= 4; s++) {
            assertEquals(0f, x[DIRECTOR + s], "a missing rating statistic is 0 after standardising");
        }
    }

    @Test
    void aTestFilmSeesEveryEarlierTrainingFilmOfItsDirector() {
        FilmHistory h = FilmHistory.fit(training(8f, 2f));
        double[] r = raw(h, film("T", "2015-01-01", 5f, "D1", "X", null));
        assertEquals(Math.log1p(3), r[DIRECTOR], 1e-12);
        assertEquals((8 + 6 + 2) / 3.0, r[DIRECTOR + 1], 1e-6);
        assertEquals(2, r[DIRECTOR + 2], 1e-6);
        assertEquals(8, r[DIRECTOR + 3], 1e-6);
        assertEquals(2, r[DIRECTOR + 4], 1e-6, "last = the latest earlier film's rating");
        assertEquals(0, r[DIRECTOR + 5]);
        // the test film's lead actor was third-billed in film A: actors are matched across billing slots
        assertEquals(Math.log1p(1), r[ACTOR_1], 1e-12);
        assertEquals(8, r[ACTOR_1 + 1], 1e-6);
    }

    @Test
    void aLaterFilmsRatingNeverEntersAnEarlierFilmsFeatures() {
        // C (2010) is the latest training film: its rating may only reach films released after it
        FilmHistory low = FilmHistory.fit(training(8f, 2f));
        FilmHistory high = FilmHistory.fit(training(8f, 10f));
        for (Movie m : training(8f, 2f)) {
            assertArrayEquals(raw(low, m), raw(high, m), m.title());
            float[] a = new float[low.width()];
            float[] b = new float[high.width()];
            low.transform(m.fields(), a, 0);
            high.transform(m.fields(), b, 0);
            assertArrayEquals(a, b, m.title() + " (standardised)");
        }
        // B (2005) sees A only; A (2000) sees nothing
        assertEquals(8, raw(low, training(8f, 2f).get(1))[DIRECTOR + 1], 1e-6);
        assertEquals(1, raw(low, training(8f, 2f).get(0))[DIRECTOR + 5]);
    }

    @Test
    void aFilmsOwnRatingNeverEntersItsOwnFeaturesNorASameDayFilms() {
        // A's rating changes A's successors' features, never A's own
        Movie a = training(8f, 2f).get(0);
        assertArrayEquals(raw(FilmHistory.fit(training(8f, 2f)), a), raw(FilmHistory.fit(training(1f, 2f)), a));
        // S and B came out the same day: S's director history is its own only, so it is missing
        FilmHistory h = FilmHistory.fit(training(8f, 2f));
        assertEquals(1, raw(h, training(8f, 2f).get(3))[DIRECTOR + 5]);
        assertEquals(0, raw(h, film("Later", "2005-06-02", 5f, "D3", null, null))[DIRECTOR + 5]);
    }

    @Test
    void validationAndTestRatingsNeverReachAnyFilmsFeatures() {
        MovieSplit split = MovieSplit.temporal(SyntheticMovies.generate(400, 5), null, 3);
        Set<FeatureGroup> groups = EnumSet.of(FeatureGroup.NUMERICAL, FeatureGroup.HISTORICAL);
        MovieFeatures f = MovieFeatures.fit(split.train(), groups, 16, 3);
        // the same films with every validation and test rating replaced
        List<Movie> val = new ArrayList<>();
        for (Movie m : split.validation()) {
            val.add(new Movie(m.title(), m.year(), 10f - m.rating() + 1f, m.fields()));
        }
        List<Movie> test = new ArrayList<>();
        for (Movie m : split.test()) {
            test.add(new Movie(m.title(), m.year(), 1f, m.fields()));
        }
        MovieSplit changed = new MovieSplit(split.description(), split.train(), val, test);
        MovieFeatures g = MovieFeatures.fit(changed.train(), groups, 16, 3);
        assertArrayEquals(f.transformAll(split.train()), g.transformAll(changed.train()));
        assertArrayEquals(f.transformAll(split.validation()), g.transformAll(changed.validation()));
        assertArrayEquals(f.transformAll(split.test()), g.transformAll(changed.test()));
        // and the history is really there on these films (companies, genres, content rating)
        float[] x = f.transformAll(split.test());
        int hist = f.width() - f.history().width();
        boolean anyPresent = false;
        for (int i = 0; i < split.test().size(); i++) {
            anyPresent |= x[i * f.width() + hist + FilmHistory.RELATIONS.indexOf("genres") * STATS + 5] == 0f;
        }
        assertTrue(anyPresent, "test films find earlier training films of their genres");
    }

    @Test
    void theGroupHasTheDocumentedWidthAndColumnNamesAndCombinesWithOthers() {
        List<String> names = FilmHistory.names();
        assertEquals(7 * 6, names.size());
        assertEquals(List.of("hist_director_count", "hist_director_mean", "hist_director_min", "hist_director_max",
                "hist_director_last", "hist_director_missing"), names.subList(0, 6));
        assertEquals("hist_production_companies_missing", names.get(41));
        assertTrue(names.contains("hist_actor_3_last") && names.contains("hist_content_rating_count")
                && names.contains("hist_genres_mean"));
        List<Movie> films = SyntheticMovies.generate(200, 2);
        MovieFeatures alone = MovieFeatures.fit(films, FeatureGroup.parse("historical"), 16, 3);
        assertEquals(42, alone.width());
        assertEquals(List.of("historical"), alone.groups());
        MovieFeatures both = MovieFeatures.fit(films, FeatureGroup.parse("historical+numerical"), 16, 3);
        assertEquals(2 * 7 + 42, both.width());
        assertEquals(List.of("numerical", "historical"), both.groups());
        assertEquals(EnumSet.of(FeatureGroup.NUMERICAL, FeatureGroup.HISTORICAL),
                FeatureGroup.parse(" Numerical + historical "));
        assertFalse(FeatureGroup.parse("all").contains(FeatureGroup.HISTORICAL), "all = the paper's four groups");
        assertEquals(5, FeatureGroup.parse("all+historical").size());
        // the numerical columns are the same with or without the historical group after them
        float[] n = MovieFeatures.fit(films, FeatureGroup.parse("numerical"), 16, 3).transformAll(films);
        float[] nh = both.transformAll(films);
        for (int i = 0; i < films.size(); i++) {
            for (int c = 0; c < 14; c++) {
                assertEquals(n[i * 14 + c], nh[i * 56 + c]);
            }
        }
    }

    @Test
    void theTrainingFilmsCountColumnIsStandardisedAndFittingIsDeterministic() {
        MovieSplit split = MovieSplit.temporal(SyntheticMovies.generate(300, 4), null, 1);
        FilmHistory a = FilmHistory.fit(split.train());
        FilmHistory b = FilmHistory.fit(split.train());
        assertArrayEquals(a.means(), b.means());
        assertArrayEquals(a.stds(), b.stds());
        int genres = FilmHistory.RELATIONS.indexOf("genres") * STATS;
        double sum = 0;
        double sq = 0;
        for (Movie m : split.train()) {
            float[] x = new float[a.width()];
            a.transform(m.fields(), x, 0);
            sum += x[genres];
            sq += x[genres] * x[genres];
        }
        int n = split.train().size();
        assertEquals(0, sum / n, 1e-4);
        assertEquals(1, sq / n, 1e-3);
    }
}
