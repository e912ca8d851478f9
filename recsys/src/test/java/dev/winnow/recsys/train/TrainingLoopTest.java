package dev.winnow.recsys.train;

import dev.winnow.engine.nn.Module;
import dev.winnow.engine.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoch loop every trainer runs: range, order, training mode, the pass, divergence and the stop hook. */
class TrainingLoopTest {

    /** A module that only records its mode. */
    private static final class Mode implements Module {
        boolean training;

        @Override
        public List<Parameter> parameters() {
            return List.of();
        }

        @Override
        public void train(boolean training) {
            this.training = training;
        }
    }

    /**
     * A trainer over {@code rows} rows whose every batch loss in epoch e is {@code loss(e)}, recording the rows each
     * epoch saw, in order, and the calls it got.
     */
    private static final class FakeTrainer implements TrainingLoop.Trainer {
        final int rows;
        final IntToDoubleFunction loss;
        final Mode model = new Mode();
        final List<String> calls = new ArrayList<>();
        final List<int[]> seen = new ArrayList<>();
        int epoch;

        FakeTrainer(int rows, IntToDoubleFunction loss) {
            this.rows = rows;
            this.loss = loss;
        }

        /** Epoch e's order: the rows rotated by e, a different one each epoch. */
        static int[] orderOf(int epoch, int rows) {
            int[] order = new int[rows];
            for (int k = 0; k < rows; k++) {
                order[k] = (k + epoch) % rows;
            }
            return order;
        }

        @Override
        public void beforeEpoch(int epoch) {
            this.epoch = epoch;
            model.training = false; // as an evaluation between epochs leaves it
            calls.add("before " + epoch);
        }

        @Override
        public int[] order(int epoch) {
            calls.add("order " + epoch);
            seen.add(new int[0]);
            return orderOf(epoch, rows);
        }

        @Override
        public List<Mode> modules() {
            return List.of(model);
        }

        @Override
        public void fill(int[] order, int start, int len) {
            assertTrue(model.training, "the pass runs in training mode");
            int[] got = seen.get(seen.size() - 1);
            int[] more = Arrays.copyOf(got, got.length + len);
            System.arraycopy(order, start, more, got.length, len);
            seen.set(seen.size() - 1, more);
        }

        @Override
        public float step(int len) {
            return (float) loss.applyAsDouble(epoch);
        }

        @Override
        public String batchDiverged(int epoch, float loss, int batch, float firstLoss, double meanSoFar) {
            return "fake: batch " + batch + " of epoch " + epoch + " became " + loss;
        }

        @Override
        public String epochDiverged(int epoch, double loss, double firstLoss) {
            return "fake: epoch " + epoch + " mean " + loss + " vs " + firstLoss;
        }
    }

    @Test
    void eachEpochOfTheRangeTrainsOnTheOrderItsSourceGaveInBatches() {
        FakeTrainer t = new FakeTrainer(10, e -> 1.0);
        List<Integer> after = new ArrayList<>();
        int last = new TrainingLoop(4, 1, t).run(3, 5, (epoch, loss, seconds) -> {
            assertEquals(1.0, loss);
            assertTrue(seconds >= 0, "seconds " + seconds);
            after.add(epoch);
            return true;
        });
        assertEquals(5, last);
        assertEquals(List.of(3, 4, 5), after);
        assertEquals(List.of("before 3", "order 3", "before 4", "order 4", "before 5", "order 5"), t.calls);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(FakeTrainer.orderOf(3 + i, 10), t.seen.get(i), "epoch " + (3 + i) + " rows");
        }
    }

    @Test
    void aLastBatchShorterThanTheMinimumIsSkipped() {
        FakeTrainer t = new FakeTrainer(9, e -> 1.0);
        new TrainingLoop(4, 2, t).run(1, 1, (epoch, loss, seconds) -> true);
        assertEquals(8, t.seen.get(0).length, "9 rows in batches of 4: the one-row leftover is not trained");
    }

    @Test
    void theHookStopsTheLoopAndTheLastEpochTrainedIsReturned() {
        FakeTrainer t = new FakeTrainer(6, e -> 1.0);
        int last = new TrainingLoop(6, 1, t).run(1, 100, (epoch, loss, seconds) -> epoch < 4);
        assertEquals(4, last);
        assertEquals(4, t.seen.size());
    }

    @Test
    void anEmptyRangeTrainsNothingAndReturnsTheEpochBeforeIt() {
        FakeTrainer t = new FakeTrainer(6, e -> 1.0);
        int last = new TrainingLoop(6, 1, t).run(7, 6, (epoch, loss, seconds) -> true);
        assertEquals(6, last);
        assertTrue(t.calls.isEmpty(), t.calls.toString());
    }

    @Test
    void aMeanLossFarAboveTheFirstEpochsStopsWithTheTrainersMessage() {
        // within an epoch every batch loses the same, so only the epoch-level check can see the growth
        FakeTrainer t = new FakeTrainer(8, e -> Math.pow(100, e - 1));
        List<Integer> after = new ArrayList<>();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new TrainingLoop(4, 1, t).run(1, 10, (epoch, loss, seconds) -> after.add(epoch)));
        assertEquals("fake: epoch 4 mean 1000000.0 vs 1.0", e.getMessage());
        assertEquals(List.of(1, 2, 3), after, "the diverged epoch reaches no hook");
    }

    @Test
    void theFirstEpochIsThatOfThisRunNotOfEpochOne() {
        // a resumed run (or a new phase) compares against its own first epoch, here epoch 5 at loss 1e4
        FakeTrainer t = new FakeTrainer(8, e -> e < 5 ? 1.0 : 1e4 * (e - 4));
        int last = new TrainingLoop(8, 1, t).run(5, 7, (epoch, loss, seconds) -> true);
        assertEquals(7, last);
    }

    @Test
    void aNaNBatchStopsWithTheTrainersBatchMessage() {
        FakeTrainer t = new FakeTrainer(8, e -> e == 2 ? Double.NaN : 1.0);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new TrainingLoop(4, 1, t).run(1, 3, (epoch, loss, seconds) -> true));
        assertEquals("fake: batch 1 of epoch 2 became NaN", e.getMessage());
    }

    @Test
    void theHooksCheckedExceptionReachesTheCaller() {
        FakeTrainer t = new FakeTrainer(4, e -> 1.0);
        IOException e = assertThrows(IOException.class, () -> new TrainingLoop(4, 1, t).run(1, 3,
                (epoch, loss, seconds) -> {
                    throw new IOException("checkpoint disk full at epoch " + epoch);
                }));
        assertEquals("checkpoint disk full at epoch 1", e.getMessage());
        assertFalse(t.calls.contains("before 2"));
    }
}
