package dev.winnow.recsys.movies;

import dev.winnow.recsys.report.RunResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On the synthetic films every model must beat predicting the training mean, on every feature group. */
class MovieEvalTest {
    /** Small hash blocks and short training keep this test to seconds on a shared machine. */
    private static final MovieEval.Options FAST = new MovieEval.Options(null, 16, 5, 1, 60, 8);

    private static double floorMse(String features) {
        return run("mean", features).get(0).mse();
    }

    private static List<RunResult> run(String model, String features) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<RunResult> r = MovieEval.evaluate(null, model, features, 1, FAST,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(1, r.size());
        assertEquals(model, r.get(0).method());
        return r;
    }

    @Test
    void ridgeAndTheFeatureMlpBeatTheMeanOnEveryGroup() {
        for (String g : List.of("numerical", "social", "categorical", "textual", "all")) {
            double floor = floorMse(g);
            for (String m : List.of("ridge", "featmlp-student")) {
                RunResult r = run(m, g).get(0);
                assertTrue(r.mse() < 0.97 * floor, m + " on " + g + ": MSE " + r.mse() + " vs floor " + floor);
                assertTrue(r.mae() > 0 && Math.abs(r.rmse() * r.rmse() - r.mse()) < 1e-9);
            }
        }
    }

    @Test
    void theDcnnBeatsTheMeanOnEveryGroup() {
        for (String g : List.of("numerical", "social", "categorical", "textual")) {
            double floor = floorMse(g);
            RunResult r = run("dcnn", g).get(0);
            assertTrue(r.mse() < 0.97 * floor, "dcnn on " + g + ": MSE " + r.mse() + " vs floor " + floor);
        }
    }

    @Test
    void theSameSeedGivesTheSameNumbers() {
        assertEquals(run("featmlp-student", "numerical").get(0).mse(), run("featmlp-student", "numerical").get(0).mse());
    }

    @Test
    void unknownModelsAndSplitsAreRejectedWithTheChoices() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        String m = assertThrows(IllegalArgumentException.class,
                () -> MovieEval.evaluate(null, "svm", "all", "temporal", 1, out)).getMessage();
        assertTrue(m.contains("ridge") && m.contains("dcnn"), m);
        String s = assertThrows(IllegalArgumentException.class,
                () -> MovieEval.evaluate(null, "ridge", "all", "random", 1, out)).getMessage();
        assertTrue(s.contains("temporal"), s);
    }

    @Test
    void trainFromKeepsOnlyLaterFilmsForTraining() {
        List<Movie> movies = SyntheticMovies.generate(600, 3);
        MovieSplit all = MovieSplit.temporal(movies, null, 1);
        MovieSplit from2000 = MovieSplit.temporal(movies, 2000, 1);
        assertTrue(from2000.train().size() + from2000.validation().size()
                < all.train().size() + all.validation().size());
        assertEquals(all.test().size(), from2000.test().size());
        for (Movie m : from2000.train()) {
            assertTrue(m.year() >= 2000 && m.year() <= 2013);
        }
        for (Movie m : all.test()) {
            assertTrue(m.year() >= 2014 && m.year() <= 2016);
        }
    }
}
