package dev.winnow.recsys.baseline;

import dev.winnow.recsys.data.DataFormatException;
import dev.winnow.recsys.data.DataSource;
import dev.winnow.recsys.data.LoadedRatings;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.SharedData;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.metrics.RegressionMetrics;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaselinesTest {

    private static RatingData tiny() {
        return new RatingData("tiny", 2, 3, new int[] {0, 0, 1, 1}, new int[] {0, 1, 1, 2}, new float[] {5, 3, 4, 1},
                new long[4], 1, 5);
    }

    @Test
    void globalMeanPredictsTheTrainingMean() {
        GlobalMean m = GlobalMean.fit(tiny());
        assertEquals(3.25f, m.predict(1, 0));
    }

    @Test
    void biasSweepsConvergeToTheRegularisedLeastSquaresSolution() {
        RatingData d = tiny();
        BiasBaseline b = BiasBaseline.fit(d, 1.5, 0.5, 200);
        double mu = b.globalMean();
        // stationarity of sum (r - mu - bu - bi)^2 + reg_u bu^2 + reg_i bi^2 in every bias
        for (int u = 0; u < 2; u++) {
            double g = 1.5 * b.userBias(u);
            for (int k = 0; k < d.size(); k++) {
                if (d.user()[k] == u) {
                    g -= d.rating()[k] - mu - b.userBias(u) - b.itemBias(d.item()[k]);
                }
            }
            assertEquals(0, g, 1e-9, "user " + u);
        }
        for (int i = 0; i < 3; i++) {
            double g = 0.5 * b.itemBias(i);
            for (int k = 0; k < d.size(); k++) {
                if (d.item()[k] == i) {
                    g -= d.rating()[k] - mu - b.userBias(d.user()[k]) - b.itemBias(i);
                }
            }
            assertEquals(0, g, 1e-9, "item " + i);
        }
    }

    @Test
    void oneSweepSetsItemBiasesFirstThenUserBiases() {
        BiasBaseline b = BiasBaseline.fit(tiny(), 15, 10, 1);
        // item 0: one rating 5, mu 3.25, bu still 0 -> (5 - 3.25) / (10 + 1)
        assertEquals(1.75 / 11, b.itemBias(0), 1e-12);
        double bi1 = (3 - 3.25 + 4 - 3.25) / 12.0;
        assertEquals(bi1, b.itemBias(1), 1e-12);
        assertEquals((5 - 3.25 - 1.75 / 11 + 3 - 3.25 - bi1) / 17.0, b.userBias(0), 1e-12);
    }

    @Test
    void biasedMfFitsPlantedFactorsBetterThanBiasesAlone() {
        RatingData all = SyntheticRatings.generate(1, 300, 400, 30_000);
        RatingSplit s = Splits.random(all, 0, 0.2, 1);
        double bias = RegressionMetrics.of(BiasBaseline.fit(s.train()).predict(s.test()), s.test().rating()).rmse();
        BiasedMf.Config c = new BiasedMf.Config(20, 25, 0.01, 0.05, 0.1, 7);
        double mf = RegressionMetrics.of(BiasedMf.fit(s.train(), c).predict(s.test()), s.test().rating()).rmse();
        assertTrue(mf < bias - 0.01, "MF " + mf + " vs bias " + bias);
    }

    @Test
    void tuningPicksTheLowestValidationRmseAndItsEpochCheckpointsEqualSeparateFits() {
        RatingData d = SyntheticRatings.generate(11, 200, 150, 9000);
        RatingSplit s = Splits.random(d, 0.0, 0.2, 11);
        RatingSplit carve = Splits.random(s.train(), 0.0, 0.15, 11);
        BiasedMf.Tuned t = BiasedMf.tune(carve.train(), carve.test(), new int[] {4, 16}, new double[] {0.005, 0.02},
                new double[] {0.02, 0.1}, new int[] {3, 12}, 11);
        assertEquals(16, t.tried().size(), "2 x 2 x 2 grid points x 2 epoch counts");
        // the winner, refitted alone for its epoch count, scores exactly the validation RMSE the grid recorded
        BiasedMf refit = BiasedMf.fit(carve.train(), t.config());
        double rmse = RegressionMetrics.of(refit.predict(carve.test()), carve.test().rating()).rmse();
        assertEquals(t.validationRmse(), rmse, 1e-12);
        for (String line : t.tried()) {
            double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            assertTrue(v >= t.validationRmse() - 5e-5, "grid point better than the winner: " + line);
        }
        // a longer schedule at a sensible rate beats 3 epochs at the smallest rate, so the choice is not the default
        assertTrue(t.config().epochs() == 12 || t.config().learningRate() == 0.02, t.config().toString());
    }

    @Test
    void biasedMfIsDeterministicForASeed() {
        RatingData d = SyntheticRatings.generate(2, 100, 120, 3000);
        BiasedMf.Config c = BiasedMf.Config.surpriseDefaults(5);
        assertArrayEquals(BiasedMf.fit(d, c).predict(d), BiasedMf.fit(d, c).predict(d));
    }

    @Test
    void predictionsStayInTheRatingRange() {
        BiasedMf mf = BiasedMf.fit(tiny(), new BiasedMf.Config(4, 200, 0.1, 0, 1.0, 3));
        for (int u = 0; u < 2; u++) {
            for (int i = 0; i < 3; i++) {
                float p = mf.predict(u, i);
                assertTrue(p >= 1 && p <= 5, "prediction " + p);
            }
        }
    }

    @Test
    void unknownIdsAtTestTimeHaveTheirOwnMessage() {
        BiasBaseline b = BiasBaseline.fit(tiny());
        RatingData other = new RatingData("other:test", 2, 9, new int[] {0, 1}, new int[] {1, 7}, new float[] {3, 3},
                new long[2], 1, 5);
        String m = assertThrows(DataFormatException.class, () -> b.predict(other)).getMessage();
        assertEquals("other:test: row 2: unknown item id 7; the model was trained on items 0..2 (evaluate on data "
                + "from the same loaded data set)", m);
    }

    @Test
    void anEmptyTrainingSetHasItsOwnMessage() {
        RatingData empty = tiny().subset(new int[0], "tiny:train");
        String m = assertThrows(DataFormatException.class, () -> BiasBaseline.fit(empty)).getMessage();
        assertEquals("bias: the training set tiny:train is empty; nothing to fit", m);
    }

    private static double[] meanOverCanonicalFolds(Function<RatingData, RatingPredictor> fit) {
        LoadedRatings d = DataSource.load(SharedData.ml100k().toString(), 0, false);
        double rmse = 0;
        double mae = 0;
        for (int k = 1; k <= 5; k++) {
            RatingSplit s = Splits.ml100kFold(d, k);
            RegressionMetrics m = RegressionMetrics.of(fit.apply(s.train()).predict(s.test()), s.test().rating());
            rmse += m.rmse() / 5;
            mae += m.mae() / 5;
        }
        return new double[] {rmse, mae};
    }

    @Test
    void globalMeanReproducesTheMl100kReferenceOnU1ToU5() {
        double[] m = meanOverCanonicalFolds(GlobalMean::fit);
        assertEquals(1.1256, m[0], 5e-4);
        assertEquals(0.9447, m[1], 5e-4);
    }

    @Test
    void biasBaselineReproducesTheMl100kReferenceOnU1ToU5() {
        double[] m = meanOverCanonicalFolds(BiasBaseline::fit);
        assertEquals(0.9457, m[0], 5e-4);
        assertEquals(0.7499, m[1], 5e-4);
    }
}
