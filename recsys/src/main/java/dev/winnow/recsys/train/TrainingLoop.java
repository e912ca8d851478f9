package dev.winnow.recsys.train;

import dev.winnow.engine.nn.Module;

import java.util.List;

/**
 * The epoch loop every trainer (ratings, the paper's methods, the movie feature models) runs the same way: for each
 * epoch of a range, the trainer's row order for it, its modules in training mode, one batched pass through
 * {@link EpochLoop#run}, the pass's time, and a stop with {@link TrainingDivergedException} when the epoch's mean loss
 * is NaN, infinite or {@link TrainingDivergedException#GROWTH_LIMIT} times the first epoch's of this run. What happens
 * between epochs (learning-rate steps, evaluation, early stopping, prune events, checkpoints) stays with the trainer,
 * in {@link Trainer#beforeEpoch} and the {@link AfterEpoch} hook, which can stop the loop.
 */
public final class TrainingLoop {

    /** A trainer's side of the loop: its batches, its own seeded row order, its modules and its messages. */
    public interface Trainer extends EpochLoop.Batches {
        /** The rows of {@code epoch} in the order to train them, from the trainer's own seeded stream. */
        int[] order(int epoch);

        /** What trains this epoch: put in training mode before the pass (a model, and a distiller beside it). */
        List<? extends Module> modules();

        /** Runs before the epoch's order is drawn (a learning-rate step); nothing by default. */
        default void beforeEpoch(int epoch) {
        }

        /** The message when batch {@code batch} of {@code epoch} diverged (see {@link EpochLoop.Diverged}). */
        String batchDiverged(int epoch, float loss, int batch, float firstLoss, double meanSoFar);

        /** The message when {@code epoch}'s mean loss diverged from {@code firstLoss}, the first epoch's of this run. */
        String epochDiverged(int epoch, double loss, double firstLoss);
    }

    /** What the trainer does after an epoch's pass. */
    public interface AfterEpoch<E extends Exception> {
        /**
         * @param loss    the epoch's mean batch loss
         * @param seconds the time the epoch's order and pass took
         * @return whether to go on to the next epoch
         */
        boolean next(int epoch, double loss, double seconds) throws E;
    }

    private final int batchSize;
    private final int minBatch;
    private final Trainer trainer;

    /**
     * @param batchSize rows per batch (the last one shorter), as {@link EpochLoop#batchRows} sized the buffers
     * @param minBatch  a last batch shorter than this is skipped (batch norm needs two rows)
     */
    public TrainingLoop(int batchSize, int minBatch, Trainer trainer) {
        this.batchSize = batchSize;
        this.minBatch = minBatch;
        this.trainer = trainer;
    }

    /**
     * Trains epochs {@code first} through {@code last} until {@code after} says stop; returns the last epoch trained,
     * {@code first - 1} when none was.
     */
    public <E extends Exception> int run(int first, int last, AfterEpoch<E> after) throws E {
        double firstLoss = Double.NaN;
        int epoch = first - 1;
        while (epoch < last) {
            epoch++;
            int e = epoch;
            trainer.beforeEpoch(e);
            long t0 = System.nanoTime();
            int[] order = trainer.order(e);
            for (Module m : trainer.modules()) {
                m.train(true);
            }
            double loss = EpochLoop.run(order, batchSize, minBatch, trainer,
                    (l, batch, firstBatch, meanSoFar) -> trainer.batchDiverged(e, l, batch, firstBatch, meanSoFar));
            if (Double.isNaN(firstLoss)) {
                firstLoss = loss;
            }
            if (TrainingDivergedException.diverged(loss, firstLoss)) {
                throw new TrainingDivergedException(trainer.epochDiverged(e, loss, firstLoss));
            }
            if (!after.next(e, loss, (System.nanoTime() - t0) / 1e9)) {
                break;
            }
        }
        return epoch;
    }
}
