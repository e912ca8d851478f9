package dev.winnow.recsys.method;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.tensor.Arena;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.method.RegressionTask.Part;
import dev.winnow.recsys.metrics.RegressionMetrics;

/**
 * Predicts a regression task's partitions with a model, without a tape and clipped to the target range, and scores
 * them: the errors a method run records after every epoch, and the inference throughput it reports at the end.
 */
final class TaskEvaluator {
    private static final int BATCH = 4096;

    private final RegressionTask task;
    private final Backend backend;
    private final BufferPool pool;
    private BatchInput input;

    TaskEvaluator(RegressionTask task, Backend backend, BufferPool pool) {
        this.task = task;
        this.backend = backend;
        this.pool = pool;
    }

    /** Predictions for a whole partition (clipped to the target range), no tape. */
    float[] predict(TapModel model, Part part) {
        return clip(predictUnclipped(model, part));
    }

    /** Clips predictions to the target range, in place; returns them. */
    float[] clip(float[] out) {
        for (int k = 0; k < out.length; k++) {
            out[k] = Math.max(task.minTarget(), Math.min(task.maxTarget(), out[k]));
        }
        return out;
    }

    /** The model's raw outputs for a whole partition, no tape. */
    float[] predictUnclipped(TapModel model, Part part) {
        int n = task.size(part);
        float[] out = new float[n];
        if (input == null) {
            input = task.newInput(backend, BATCH);
        }
        model.train(false);
        try (GradMode g = GradMode.disabled()) {
            for (int start = 0; start < n; start += BATCH) {
                int len = Math.min(BATCH, n - start);
                task.fill(input, part, null, start, len);
                try (Arena arena = Arena.open(pool)) {
                    Tensor p = model.forward(input, null);
                    backend.download(p.data(), 0, out, start, len);
                }
            }
        } finally {
            model.train(true);
        }
        return out;
    }

    RegressionMetrics evaluate(TapModel model, Part part) {
        return RegressionMetrics.of(predict(model, part), task.targets(part));
    }

    /** Test rows predicted per second: one warm-up pass, then whole passes over the test set for 0.2 s. */
    double samplesPerSecond(TapModel model) {
        predict(model, Part.TEST);
        long t0 = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - t0 < 200_000_000L) {
            predict(model, Part.TEST);
            n += task.size(Part.TEST);
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
