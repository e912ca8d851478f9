package dev.winnow.recsys.movies;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MovieFeaturesTest {
    private static final List<Movie> MOVIES = SyntheticMovies.generate(400, 5);

    @Test
    void syntheticMoviesAreTheSameForTheSameSeedAndDifferForAnother() {
        assertEquals(SyntheticMovies.generate(50, 9), SyntheticMovies.generate(50, 9));
        assertNotEquals(SyntheticMovies.generate(50, 9), SyntheticMovies.generate(50, 10));
    }

    @Test
    void syntheticMoviesCarryEveryFeatureGroup() {
        for (FeatureGroup g : FeatureGroup.values()) {
            MovieFeatures f = MovieFeatures.fit(MOVIES, EnumSet.of(g), 16, 5);
            float[] x = f.transformAll(MOVIES);
            double energy = 0;
            for (float v : x) {
                energy += Math.abs(v);
            }
            assertTrue(energy > MOVIES.size(), g + " features are (almost) all zero");
        }
    }

    @Test
    void noStatisticOfTheTestFilmsLeaksIntoTheFittedState() {
        MovieSplit split = MovieSplit.temporal(MOVIES, null, 3);
        MovieFeatures a = MovieFeatures.fit(split.train(), EnumSet.allOf(FeatureGroup.class), 16, 3);
        // Whatever the test films look like, fitting on the training films gives the same state and the same vectors.
        List<Movie> wildTest = new ArrayList<>();
        for (Movie m : split.test()) {
            Map<String, String> f = new HashMap<>(m.fields());
            f.put(MovieFields.BUDGET, "999999999999");
            f.put(MovieFields.GENRES, "Neverseen");
            wildTest.add(new Movie(m.title(), m.year(), 10f, f));
        }
        List<Movie> all = new ArrayList<>(split.train());
        all.addAll(wildTest);
        MovieFeatures b = MovieFeatures.fit(split.train(), EnumSet.allOf(FeatureGroup.class), 16, 3);
        assertArrayEquals(a.means(), b.means());
        assertArrayEquals(a.transformAll(split.train()), b.transformAll(split.train()));
        // Training columns are standardised; a test outlier is far outside, an unseen genre lands in "other".
        int budget = a.numericNames().indexOf("budget");
        float[] x = a.transformAll(split.train());
        int w = a.width();
        double mean = 0;
        double sq = 0;
        for (int i = 0; i < split.train().size(); i++) {
            mean += x[i * w + 2 * budget];
            sq += x[i * w + 2 * budget] * x[i * w + 2 * budget];
        }
        mean /= split.train().size();
        assertEquals(0, mean, 1e-4);
        assertEquals(1, sq / split.train().size(), 1e-3);
        float[] wild = a.transform(wildTest.get(0).fields());
        assertTrue(wild[2 * budget] > 3, "an extreme test budget must not be absorbed into the statistics");
        MovieFeatures fittedOnAll = MovieFeatures.fit(all, EnumSet.allOf(FeatureGroup.class), 16, 3);
        assertNotEquals(a.means()[budget], fittedOnAll.means()[budget], "sanity: the outliers would move the mean");
        int genres = a.categoricalFields().indexOf(MovieFields.GENRES);
        int offset = 2 * a.numericNames().size();
        for (int j = 0; j < genres; j++) {
            offset += a.vocabularies().get(j).size() + 1;
        }
        int other = offset + a.vocabularies().get(genres).size();
        assertEquals(1f, wild[other], "an unseen genre goes to the other bucket");
        assertTrue(!a.vocabularies().get(genres).contains("Neverseen"));
    }

    @Test
    void missingNumbersSetTheirFlagAndTextBlocksAreUnitLength() {
        MovieFeatures f = MovieFeatures.fit(MOVIES, EnumSet.of(FeatureGroup.NUMERICAL, FeatureGroup.TEXTUAL), 32, 5);
        float[] x = f.transform(Map.of(MovieFields.OVERVIEW, "a brilliant city story"));
        int budget = f.numericNames().indexOf("budget");
        assertEquals(0f, x[2 * budget]);
        assertEquals(1f, x[2 * budget + 1]);
        int overview = 2 * f.numericNames().size() + f.textFields().indexOf(MovieFields.OVERVIEW) * 32;
        double norm = 0;
        for (int b = 0; b < 32; b++) {
            norm += x[overview + b] * x[overview + b];
        }
        assertEquals(1, norm, 1e-5);
        assertEquals(MovieFeatures.bucket("brilliant", 32), MovieFeatures.bucket("brilliant", 32));
    }

    @Test
    void theFittedStateSurvivesAJsonRoundTripAndTransformsIdentically() throws Exception {
        MovieFeatures f = MovieFeatures.fit(MOVIES, EnumSet.allOf(FeatureGroup.class), 16, 5);
        ObjectMapper json = new ObjectMapper();
        MovieFeatures back = json.readValue(json.writeValueAsString(f), MovieFeatures.class);
        assertEquals(f.width(), back.width());
        assertArrayEquals(f.transformAll(MOVIES), back.transformAll(MOVIES));
    }

    @Test
    void anUnknownGroupNameSaysWhichOnesExist() {
        String m = assertThrows(IllegalArgumentException.class, () -> FeatureGroup.parse("visual")).getMessage();
        assertTrue(m.contains("numerical, social, categorical, textual, historical or all"), m);
    }
}
