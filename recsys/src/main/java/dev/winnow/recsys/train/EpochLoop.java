package dev.winnow.recsys.train;

/**
 * One pass over a training set in a given order, in batches: what every trainer (ratings, the paper's methods, the
 * movie feature models) does the same way. It walks {@code order} in consecutive batches, has the trainer load and
 * step each one, sums the batch losses in order, and stops the run with {@link TrainingDivergedException} when a loss
 * is NaN, infinite or {@link TrainingDivergedException#GROWTH_LIMIT} times the epoch's first batch loss. What a step
 * is (a plain regression step, distillation terms, a masked update) stays with the trainer. Trainers run it through
 * {@link TrainingLoop}, the epoch loop around it.
 */
public final class EpochLoop {

    /** What a trainer does with one batch. */
    public interface Batches {
        /** Loads rows {@code order[start, start + len)} into the trainer's batch buffers. */
        void fill(int[] order, int start, int len);

        /** One optimiser step on the loaded batch of {@code len} rows; returns its loss. */
        float step(int len);
    }

    /** The trainer's divergence message, from what the loop saw. */
    public interface Diverged {
        /**
         * @param batch       1-based index of the batch whose loss diverged
         * @param meanSoFar   the mean loss of the batches before it, NaN for the first
         */
        String message(float loss, int batch, float firstLoss, double meanSoFar);
    }

    private EpochLoop() {
    }

    /**
     * The rows a batch buffer needs: the requested batch size, but never more than the whole training set (at least
     * {@code minBatch}), so that a batch size of 2^31 - 1 allocates what one batch of all rows does.
     */
    public static int batchRows(int requested, int rows, int minBatch) {
        return Math.min(requested, Math.max(rows, minBatch));
    }

    /**
     * Trains on {@code order} in batches of {@code batchSize} rows (the last one shorter); a last batch shorter than
     * {@code minBatch} is skipped (batch norm needs two rows). Returns the mean batch loss, 0 when no batch ran.
     */
    static double run(int[] order, int batchSize, int minBatch, Batches batches, Diverged diverged) {
        int n = order.length;
        double sum = 0;
        int count = 0;
        float firstLoss = Float.NaN;
        for (int start = 0; start < n; start += batchSize) {
            int len = Math.min(batchSize, n - start);
            if (len < minBatch) {
                break;
            }
            batches.fill(order, start, len);
            float loss = batches.step(len);
            if (count == 0) {
                firstLoss = loss;
            }
            if (TrainingDivergedException.diverged(loss, firstLoss)) {
                throw new TrainingDivergedException(diverged.message(loss, count + 1, firstLoss,
                        count == 0 ? Double.NaN : sum / count));
            }
            sum += loss;
            count++;
        }
        return count == 0 ? 0 : sum / count;
    }
}
