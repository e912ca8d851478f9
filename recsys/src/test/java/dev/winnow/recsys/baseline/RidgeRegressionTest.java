package dev.winnow.recsys.baseline;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RidgeRegressionTest {

    private static float[][] linearData(int n, int d, double[] w, double b, double noise, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double s = b;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (r.nextDouble() * 4 - 2);
                s += w[j] * x[i * d + j];
            }
            y[i] = (float) (s + noise * r.nextGaussian());
        }
        return new float[][] {x, y};
    }

    @Test
    void withoutPenaltyItRecoversTheCoefficientsAndTheUnpenalisedIntercept() {
        double[] w = {1.5, -2, 0.25};
        float[][] data = linearData(200, 3, w, 7, 0, 1);
        RidgeRegression r = RidgeRegression.fit(data[0], data[1], 3, 0);
        for (int j = 0; j < 3; j++) {
            assertEquals(w[j], r.weights()[j], 1e-4);
        }
        assertEquals(7, r.intercept(), 1e-4);
        RidgeRegression heavy = RidgeRegression.fit(data[0], data[1], 3, 1e6);
        assertEquals(7, heavy.intercept(), 0.2, "a huge penalty shrinks weights, not the intercept");
        assertTrue(Math.abs(heavy.weights()[1]) < 0.01);
    }

    @Test
    void validationPicksAStrongPenaltyWhenFeaturesAreNoiseAndAWeakOneWhenTheyAreSignal() {
        float[][] signal = linearData(300, 20, new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                1}, 0, 0.1, 2);
        float[][] signalVal = linearData(100, 20, new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                1, 1}, 0, 0.1, 3);
        assertTrue(RidgeRegression.fitOnValidation(signal[0], signal[1], signalVal[0], signalVal[1], 20).lambda() <= 1);
        float[][] noise = linearData(60, 20, new double[20], 3, 1, 4);
        float[][] noiseVal = linearData(100, 20, new double[20], 3, 1, 5);
        assertTrue(RidgeRegression.fitOnValidation(noise[0], noise[1], noiseVal[0], noiseVal[1], 20).lambda() >= 30);
    }
}
