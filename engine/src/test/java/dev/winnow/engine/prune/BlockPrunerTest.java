package dev.winnow.engine.prune;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Magnitude pruning by 16x1 blocks: whole blocks, the target to within one block, a brute-force ranking. */
class BlockPrunerTest {
    // small tensors: one single-thread backend for the class (its worker threads are daemons)
    private static final Backend backend = new CpuBackend(1);
    private static final int[] OUTS = {1, 15, 16, 17, 40};
    private static final int[] INS = {1, 3, 33};

    private static Parameter weight(String name, int out, int in, float[] w, boolean prunable) {
        return new Parameter(name, Tensor.of(backend, out, in, w, true), prunable);
    }

    private static float[] random(int n, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** Every awkward shape as a Linear weight, in one set. */
    private static List<Parameter> awkwardWeights(SplittableRandom r) {
        List<Parameter> ps = new ArrayList<>();
        for (int out : OUTS) {
            for (int in : INS) {
                ps.add(weight("w" + out + "x" + in, out, in, random(out * in, r), true));
            }
        }
        return ps;
    }

    /** What training does between events: new values on the survivors. */
    private static void retrain(List<Parameter> ps, SplittableRandom r) {
        for (Parameter p : ps) {
            p.value().copyFrom(random(p.value().size(), r));
            p.applyMask();
        }
    }

    private static long alive(Parameter p) {
        return MagnitudePruner.countAlive(PruningMask.current(p));
    }

    @Test
    void masksAreWholeBlocksAndTheGlobalTargetIsMetToWithinOneBlockAfterEveryEvent() {
        SplittableRandom r = new SplittableRandom(11);
        List<Parameter> ps = awkwardWeights(r);
        PrunableSet set = PrunableSet.explicit(ps);
        BlockPruner pruner = new BlockPruner(set, Ranking.GLOBAL);
        for (int event = 1; event <= 6; event++) {
            long before = set.alive();
            PruneOutcome o = pruner.prune(0.3);
            long target = PruningMask.countToRemove(0.3, before);
            assertEquals(before, o.aliveBefore());
            assertEquals(set.alive(), o.aliveAfter(), "the outcome counts what the masks keep");
            assertTrue(o.removed() >= target && o.removed() <= target + BlockPattern.HEIGHT - 1,
                    "event " + event + ": removed " + o.removed() + " for a target of " + target);
            for (Parameter p : ps) {
                assertTrue(BlockPattern.isBlocked(p.mask().toArray(), p.value().rows(), p.value().cols()),
                        p.name() + " after event " + event);
            }
            retrain(ps, r);
        }
        assertTrue(set.density() < 0.15, "six events at 0.3 leave about 0.7^6 = 0.12, got " + set.density());
    }

    @Test
    void layerWiseRankingMeetsEachTensorsTargetToWithinOneOfItsBlocks() {
        SplittableRandom r = new SplittableRandom(12);
        List<Parameter> ps = awkwardWeights(r);
        BlockPruner pruner = new BlockPruner(PrunableSet.explicit(ps), Ranking.LAYER_WISE);
        for (int event = 1; event <= 4; event++) {
            long[] before = new long[ps.size()];
            for (int l = 0; l < ps.size(); l++) {
                before[l] = alive(ps.get(l));
            }
            PruneOutcome o = pruner.prune(0.25);
            for (int l = 0; l < ps.size(); l++) {
                Parameter p = ps.get(l);
                long target = PruningMask.countToRemove(0.25, before[l]);
                long removed = o.removedPerTensor().get(p.name());
                int height = Math.min(BlockPattern.HEIGHT, p.value().rows());
                assertEquals(before[l] - alive(p), removed, p.name());
                assertTrue(removed >= target && removed <= target + height - 1,
                        p.name() + " event " + event + ": removed " + removed + " for a target of " + target);
                assertTrue(BlockPattern.isBlocked(p.mask().toArray(), p.value().rows(), p.value().cols()), p.name());
            }
            retrain(ps, r);
        }
    }

    /** One unit of the reference: tensor, block grid position, real rows, score. */
    private record Unit(int tensor, int g, int c, int rows, double score, long blockIndex) {
    }

    /**
     * The definition written out the slow way: every alive unit with its mean |w|, sorted by (score, tensor, block
     * index g/16 * in + c), removed from the front until the target is met.
     */
    private static List<float[]> referenceMasks(List<Parameter> ps, double rate, boolean global) {
        List<float[]> masks = new ArrayList<>();
        for (Parameter p : ps) {
            masks.add(PruningMask.current(p));
        }
        List<List<Unit>> pools = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        List<Unit> all = new ArrayList<>();
        long aliveAll = 0;
        for (int l = 0; l < ps.size(); l++) {
            Parameter p = ps.get(l);
            int rows = p.value().rows();
            int cols = p.value().cols();
            int h = p.prunable() ? 16 : 1;
            float[] w = p.value().toArray();
            List<Unit> units = new ArrayList<>();
            long aliveHere = 0;
            for (int g = 0; g < rows; g += h) {
                for (int c = 0; c < cols; c++) {
                    int real = Math.min(h, rows - g);
                    boolean alive = true;
                    double sum = 0;
                    for (int k = 0; k < real; k++) {
                        alive &= masks.get(l)[(g + k) * cols + c] != 0f;
                        sum += Math.abs(w[(g + k) * cols + c]);
                    }
                    if (alive) {
                        units.add(new Unit(l, g, c, real, sum / real, (long) (g / h) * cols + c));
                        aliveHere += real;
                    }
                }
            }
            aliveAll += aliveHere;
            if (global) {
                all.addAll(units);
            } else {
                pools.add(units);
                targets.add(PruningMask.countToRemove(rate, aliveHere));
            }
        }
        if (global) {
            pools.add(all);
            targets.add(PruningMask.countToRemove(rate, aliveAll));
        }
        Comparator<Unit> order = Comparator.comparingDouble(Unit::score).thenComparingInt(Unit::tensor)
                .thenComparingLong(Unit::blockIndex);
        for (int i = 0; i < pools.size(); i++) {
            List<Unit> pool = new ArrayList<>(pools.get(i));
            pool.sort(order);
            long gone = 0;
            for (Unit u : pool) {
                if (gone >= targets.get(i)) {
                    break;
                }
                int cols = ps.get(u.tensor()).value().cols();
                for (int k = 0; k < u.rows(); k++) {
                    masks.get(u.tensor())[(u.g() + k) * cols + u.c()] = 0f;
                }
                gone += u.rows();
            }
        }
        return masks;
    }

    @Test
    void theBlocksThatDieAreTheOnesABruteForceRankingPicks() {
        for (Ranking ranking : Ranking.values()) {
            SplittableRandom r = new SplittableRandom(13);
            List<Parameter> ps = awkwardWeights(r);
            // a table beside the Linear weights: single weights in the same ranking
            ps.add(weight("user.weight", 7, 5, random(35, r), false));
            BlockPruner pruner = new BlockPruner(PrunableSet.explicit(ps), ranking);
            for (int event = 1; event <= 5; event++) {
                List<float[]> expected = referenceMasks(ps, 0.2, ranking == Ranking.GLOBAL);
                pruner.prune(0.2);
                for (int l = 0; l < ps.size(); l++) {
                    assertArrayEquals(expected.get(l), ps.get(l).mask().toArray(),
                            ranking + " event " + event + ": " + ps.get(l).name());
                }
                retrain(ps, r);
            }
        }
    }

    @Test
    void tiesGoToTheEarlierTensorThenTheLowerBlockIndex() {
        // every weight has magnitude 1: only the tie-break decides
        SplittableRandom r = new SplittableRandom(14);
        float[][] w = new float[2][32 * 2];
        for (float[] t : w) {
            for (int i = 0; i < t.length; i++) {
                t[i] = r.nextBoolean() ? 1f : -1f;
            }
        }
        Parameter a = weight("a.weight", 32, 2, w[0], true);
        Parameter b = weight("b.weight", 32, 2, w[1], true);
        BlockPruner pruner = new BlockPruner(PrunableSet.explicit(List.of(a, b)), Ranking.GLOBAL);
        pruner.prune(0.25); // 32 of 128: blocks 0 (rows 0-15, column 0) and 1 (rows 0-15, column 1) of a
        float[] m = a.mask().toArray();
        for (int i = 0; i < m.length; i++) {
            assertEquals(i < 32 ? 0f : 1f, m[i], "a.weight entry " + i);
        }
        assertEquals(64, b.aliveCount(), "b keeps everything while a has blocks left");
        pruner.prune(0.25); // ceil(0.25 * 96) = 24: two blocks, a's blocks 2 and 3
        assertEquals(0, a.aliveCount());
        assertEquals(64, b.aliveCount());
    }

    @Test
    void raggedBlocksAreScoredByTheMeanOfTheRowsTheyHave() {
        // 17 x 2: full blocks (rows 0-15) and ragged one-row blocks (row 16) in columns 0 and 1
        float[] w = new float[17 * 2];
        for (int row = 0; row < 16; row++) {
            w[row * 2] = 0.5f;                             // full block, column 0: mean 0.5
            w[row * 2 + 1] = row % 2 == 0 ? 0.1f : -1.0f; // full block, column 1: mean 0.55 (max 1.0)
        }
        w[32] = 0.6f;   // ragged, column 0: mean 0.6, but 0.6 / 16 if padding counted
        w[33] = -0.45f; // ragged, column 1: mean 0.45
        Parameter p = weight("w.weight", 17, 2, w, true);
        BlockPruner pruner = new BlockPruner(PrunableSet.explicit(List.of(p)), Ranking.GLOBAL);
        PruneOutcome o = pruner.prune(0.02); // ceil(0.68) = 1 weight: the ragged 0.45
        assertEquals(1, o.removed());
        assertEquals(0f, p.mask().toArray()[33]);
        o = pruner.prune(0.02); // ceil(0.66) = 1 weight: the 0.5 block goes whole, 15 over the target
        assertEquals(16, o.removed());
        o = pruner.prune(0.5); // ceil(8.5) = 9: the 0.55 block; the ragged 0.6 is the last one alive
        assertEquals(16, o.removed());
        float[] m = p.mask().toArray();
        for (int i = 0; i < m.length; i++) {
            assertEquals(i == 32 ? 1f : 0f, m[i], "entry " + i);
        }
    }

    @Test
    void embeddingTablesAreSingleWeightsInTheSameRanking() {
        float[] block = new float[16];
        java.util.Arrays.fill(block, 0.5f);
        Parameter linear = weight("mlp.0.weight", 16, 1, block, true);
        Parameter table = weight("user.weight", 2, 2, new float[] {0.1f, 0.6f, -0.2f, 0.7f}, false);
        BlockPruner pruner = new BlockPruner(PrunableSet.explicit(List.of(linear, table)), Ranking.GLOBAL);
        PruneOutcome o = pruner.prune(0.1); // ceil(2.0) = 2: the table's 0.1 and 0.2, one weight each
        assertEquals(2, o.removed());
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f}, table.mask().toArray());
        assertEquals(16, linear.aliveCount());
        o = pruner.prune(0.1); // ceil(1.8) = 2: the block's mean 0.5 is below the table's 0.6 and 0.7
        assertEquals(16, o.removed());
        assertEquals(0, linear.aliveCount());
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f}, table.mask().toArray());
    }

    @Test
    void aBlockWithADeadWeightIsRemovedWhole() {
        SplittableRandom r = new SplittableRandom(15);
        Parameter p = weight("w.weight", 20, 3, random(60, r), true);
        float[] m = PruningMask.current(p);
        m[5 * 3 + 1] = 0f; // row 5, column 1: block (0, 1) is partly alive
        p.setMask(m);
        PruneOutcome o = new BlockPruner(PrunableSet.explicit(List.of(p)), Ranking.GLOBAL).prune(0.0);
        assertEquals(15, o.removed(), "the other 15 weights of the block");
        assertTrue(BlockPattern.isBlocked(p.mask().toArray(), 20, 3));
        assertEquals(59 - 15, p.aliveCount());
    }

    @Test
    void aNanWeightAndAMissingRankingAreRefusedByBothPruners() {
        float[] w = random(32, new SplittableRandom(16));
        w[20] = Float.NaN;
        Parameter p = weight("w.weight", 16, 2, w, true);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new BlockPruner(PrunableSet.explicit(List.of(p)), Ranking.GLOBAL).prune(0.1));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("w.weight"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new BlockPruner(PrunableSet.explicit(List.of(p)), null));
        assertTrue(none.getMessage().contains("no ranking"), none.getMessage());
        IllegalArgumentException magnitude = assertThrows(IllegalArgumentException.class,
                () -> new MagnitudePruner(PrunableSet.explicit(List.of(p)), null));
        assertTrue(magnitude.getMessage().startsWith("magnitude pruning needs a prunable set and a ranking")
                && magnitude.getMessage().contains("no ranking"), magnitude.getMessage());
    }

    @Test
    void isBlockedAcceptsWholeBlocksOnlyRaggedGroupsIncluded() {
        float[] m = new float[17 * 3];
        java.util.Arrays.fill(m, 1f);
        assertTrue(BlockPattern.isBlocked(m, 17, 3));
        for (int row = 0; row < 16; row++) {
            m[row * 3 + 2] = 0f; // block (0, 2) removed whole
        }
        m[16 * 3] = 0f;          // the ragged one-row block (1, 0)
        assertTrue(BlockPattern.isBlocked(m, 17, 3));
        m[15 * 3 + 1] = 0f;      // one weight of block (0, 1)
        assertFalse(BlockPattern.isBlocked(m, 17, 3));
        assertTrue(BlockPattern.isBlocked(new float[] {0f, 1f, 1f}, 1, 3), "1-output layers have 1x1 blocks");
        assertFalse(BlockPattern.isBlocked(new float[] {1f, 0f}, 2, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockPattern.isBlocked(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("2x3"), e.getMessage());
    }
}
