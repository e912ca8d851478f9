package dev.winnow.recsys.baseline;

/**
 * Closed-form ridge regression: w = (Xc^T Xc + lambda I)^-1 Xc^T yc on column-centred X and centred y, so the
 * intercept is not penalised; solved by Cholesky in double precision. {@link #fitOnValidation} picks lambda from a
 * grid by validation MSE.
 */
public record RidgeRegression(double[] weights, double intercept, double lambda) {

    /** The penalties tried by {@link #fitOnValidation}: 1e-3 .. 1e4 in half-decades. */
    public static final double[] LAMBDAS = {1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1e3, 3e3, 1e4};

    /** Fits on {@code x} (row-major, n x d) and {@code y} (n) with penalty {@code lambda} >= 0. */
    public static RidgeRegression fit(float[] x, float[] y, int d, double lambda) {
        return new Normal(x, y, d).solve(lambda);
    }

    /** The centred normal equations of one training set, built once and solved for any number of penalties. */
    private static final class Normal {
        final int d;
        final double[] mean;
        final double yMean;
        final double[] gram;
        final double[] rhs;

        Normal(float[] x, float[] y, int d) {
            int n = y.length;
            if (x.length != (long) n * d) {
                throw new IllegalArgumentException("ridge: " + x.length + " feature values for " + n + " rows of "
                        + d);
            }
            if (n == 0) {
                throw new IllegalArgumentException("ridge: no training rows");
            }
            this.d = d;
            mean = new double[d];
            double ym = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    mean[j] += x[i * d + j];
                }
                ym += y[i];
            }
            for (int j = 0; j < d; j++) {
                mean[j] /= n;
            }
            yMean = ym / n;
            gram = new double[d * d];
            rhs = new double[d];
            double[] row = new double[d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    row[j] = x[i * d + j] - mean[j];
                }
                double yc = y[i] - yMean;
                for (int j = 0; j < d; j++) {
                    double rj = row[j];
                    if (rj == 0) {
                        continue;
                    }
                    rhs[j] += rj * yc;
                    int off = j * d;
                    for (int k = 0; k <= j; k++) {
                        gram[off + k] += rj * row[k];
                    }
                }
            }
        }

        RidgeRegression solve(double lambda) {
            if (!(lambda >= 0)) {
                throw new IllegalArgumentException("ridge: lambda must be >= 0, got " + lambda);
            }
            double[] a = gram.clone();
            // A tiny floor keeps constant (all-zero) columns solvable when lambda is 0.
            double ridge = Math.max(lambda, 1e-9);
            for (int j = 0; j < d; j++) {
                a[j * d + j] += ridge;
            }
            double[] w = choleskySolve(a, rhs, d);
            double b = yMean;
            for (int j = 0; j < d; j++) {
                b -= w[j] * mean[j];
            }
            return new RidgeRegression(w, b, lambda);
        }
    }

    /** Tries every lambda of {@link #LAMBDAS} on (xTrain, yTrain) and keeps the one with the lowest validation MSE. */
    public static RidgeRegression fitOnValidation(float[] xTrain, float[] yTrain, float[] xVal, float[] yVal, int d) {
        RidgeRegression best = null;
        double bestMse = Double.POSITIVE_INFINITY;
        Normal normal = new Normal(xTrain, yTrain, d);
        for (double lambda : LAMBDAS) {
            RidgeRegression r = normal.solve(lambda);
            float[] p = r.predict(xVal, d);
            double mse = 0;
            for (int i = 0; i < p.length; i++) {
                double e = p[i] - yVal[i];
                mse += e * e;
            }
            mse /= Math.max(1, p.length);
            if (mse < bestMse) {
                bestMse = mse;
                best = r;
            }
        }
        return best;
    }

    public float[] predict(float[] x, int d) {
        if (d != weights.length || x.length % d != 0) {
            throw new IllegalArgumentException("ridge: model has " + weights.length + " weights, input rows have " + d
                    + " features (" + x.length + " values)");
        }
        int n = x.length / d;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double s = intercept;
            for (int j = 0; j < d; j++) {
                s += weights[j] * x[i * d + j];
            }
            out[i] = (float) s;
        }
        return out;
    }

    /** Solves A w = b for symmetric positive definite A given by its lower triangle (row-major d x d). */
    static double[] choleskySolve(double[] a, double[] b, int d) {
        double[] l = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * d + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * d + k] * l[j * d + k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new ArithmeticException("ridge: the regularised Gram matrix is not positive definite at "
                                + "column " + i + " (pivot " + s + "); use a larger lambda");
                    }
                    l[i * d + i] = Math.sqrt(s);
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i * d + k] * z[k];
            }
            z[i] = s / l[i * d + i];
        }
        double[] w = new double[d];
        for (int i = d - 1; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < d; k++) {
                s -= l[k * d + i] * w[k];
            }
            w[i] = s / l[i * d + i];
        }
        return w;
    }
}
