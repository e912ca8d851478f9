package dev.winnow.engine.nn;

import java.util.SplittableRandom;

/** Standard normal draws from a seeded generator (Box-Muller, so the sequence depends only on the seed). */
public final class Gaussian {
    private Gaussian() {
    }

    public static double next(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
