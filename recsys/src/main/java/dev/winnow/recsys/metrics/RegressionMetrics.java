package dev.winnow.recsys.metrics;

/** Error of predicted against true ratings. */
public record RegressionMetrics(double mae, double mse, double rmse, int count) {

    public static RegressionMetrics of(float[] predicted, float[] actual) {
        if (predicted.length != actual.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + actual.length + " ratings");
        }
        double abs = 0;
        double sq = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = (double) predicted[i] - actual[i];
            abs += Math.abs(d);
            sq += d * d;
        }
        int n = actual.length;
        double mse = n == 0 ? Double.NaN : sq / n;
        return new RegressionMetrics(n == 0 ? Double.NaN : abs / n, mse, Math.sqrt(mse), n);
    }
}
