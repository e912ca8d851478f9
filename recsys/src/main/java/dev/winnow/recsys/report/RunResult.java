package dev.winnow.recsys.report;

/**
 * One trained-and-evaluated run: a row of results.json / results.csv, shared by {@code eval} and {@code compare}.
 * Numbers that do not apply or cannot be measured are null (written as JSON null, empty in CSV), never guessed.
 * {@code density} is over every weight the run may prune (the MLP's hidden weights, with prune_embeddings the
 * embedding tables too); {@code densityMlp} over the MLP's prunable weights alone.
 */
public record RunResult(
        String method,
        long seed,
        String fold,
        Double mae,
        Double mse,
        Double rmse,
        Double hr10,
        Double ndcg10,
        Double density,
        Long params,
        Long nonzeroParams,
        Long modelBytes,
        Double trainSeconds,
        Double flopsPerSample,
        Double inferSamplesPerSecond,
        Double energyJoules,
        Integer bestRound,
        Integer epochs,
        Double densityMlp) {

    /** A row without the MLP-only density (a run that prunes nothing, or no MLP). */
    public RunResult(String method, long seed, String fold, Double mae, Double mse, Double rmse, Double hr10,
                     Double ndcg10, Double density, Long params, Long nonzeroParams, Long modelBytes,
                     Double trainSeconds, Double flopsPerSample, Double inferSamplesPerSecond, Double energyJoules,
                     Integer bestRound, Integer epochs) {
        this(method, seed, fold, mae, mse, rmse, hr10, ndcg10, density, params, nonzeroParams, modelBytes,
                trainSeconds, flopsPerSample, inferSamplesPerSecond, energyJoules, bestRound, epochs, null);
    }

    /** A run with just the error metrics filled in; the rest can be added with the {@code with*} copies. */
    public static RunResult ofErrors(String method, long seed, String fold, double mae, double mse, double rmse) {
        return new RunResult(method, seed, fold, mae, mse, rmse, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    public RunResult withRanking(double hr10Value, double ndcg10Value) {
        return new RunResult(method, seed, fold, mae, mse, rmse, hr10Value, ndcg10Value, density, params,
                nonzeroParams, modelBytes, trainSeconds, flopsPerSample, inferSamplesPerSecond, energyJoules, bestRound,
                epochs, densityMlp);
    }

    public RunResult withSize(double densityValue, long paramsValue, long nonzeroValue, long bytesValue,
                              double flopsValue) {
        return new RunResult(method, seed, fold, mae, mse, rmse, hr10, ndcg10, densityValue, paramsValue, nonzeroValue,
                bytesValue, trainSeconds, flopsValue, inferSamplesPerSecond, energyJoules, bestRound, epochs,
                densityMlp);
    }

    public RunResult withTiming(double trainSecondsValue, Double inferPerSecond, Double energy, Integer epochsValue) {
        return new RunResult(method, seed, fold, mae, mse, rmse, hr10, ndcg10, density, params, nonzeroParams,
                modelBytes, trainSecondsValue, flopsPerSample, inferPerSecond, energy, bestRound, epochsValue,
                densityMlp);
    }

    public RunResult withBestRound(Integer round) {
        return new RunResult(method, seed, fold, mae, mse, rmse, hr10, ndcg10, density, params, nonzeroParams,
                modelBytes, trainSeconds, flopsPerSample, inferSamplesPerSecond, energyJoules, round, epochs,
                densityMlp);
    }

    /** This row with the density of the MLP's prunable weights alone. */
    public RunResult withMlpDensity(double value) {
        return new RunResult(method, seed, fold, mae, mse, rmse, hr10, ndcg10, density, params, nonzeroParams,
                modelBytes, trainSeconds, flopsPerSample, inferSamplesPerSecond, energyJoules, bestRound, epochs, value);
    }
}
