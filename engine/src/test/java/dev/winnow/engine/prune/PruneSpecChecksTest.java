package dev.winnow.engine.prune;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Module;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.nn.StateSnapshot;
import dev.winnow.engine.optim.Adam;
import dev.winnow.engine.optim.MultiStepLr;
import dev.winnow.engine.optim.Optimizer;
import dev.winnow.engine.optim.Sgd;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks 13-20 of sad_lth_spec.md §6 (pruning and LTH), one test each. */
class PruneSpecChecksTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    static Mlp mlp(int in, int[] hidden, int out, Activation act, long seed) {
        return Mlp.builder(in).hidden(hidden).activation(act).build(backend, "student", out, new SplittableRandom(seed));
    }

    static Tensor random(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.of(backend, rows, cols, v, false);
    }

    static void trainSteps(Mlp model, Optimizer opt, int steps, long seed) {
        for (int i = 0; i < steps; i++) {
            Tensor x = random(8, model.layers().get(0).in(), seed + i);
            Tensor y = random(8, model.layers().get(model.layers().size() - 1).out(), seed + 1000 + i);
            opt.zeroGrad();
            Loss.mse(model.forward(x), y).backward();
            opt.step();
        }
    }

    // ---- check 13 -----------------------------------------------------------------------------------------------

    @Test
    void check13MaskedWeightsAreExactlyZeroAfterSgdAndAdamSteps() {
        for (String which : new String[] {"sgd", "adam"}) {
            Mlp model = mlp(6, new int[] {9, 7}, 2, Activation.RELU, 1);
            PrunableSet set = PrunableSet.forMlp(model, true);
            new MagnitudePruner(set, Ranking.GLOBAL).prune(0.5);
            new NeuronPruner(model, UnitNorm.L1, false).prune(0.3);
            List<float[]> before = new ArrayList<>();
            for (Parameter p : model.parameters()) {
                before.add(p.value().toArray());
            }
            Optimizer opt = which.equals("sgd")
                    ? new Sgd(model.parameters(), 0.1f, 0.9f, 5e-4f)
                    : new Adam(model.parameters(), 0.01f, 0.9f, 0.999f, 1e-8f, 5e-4f, false);
            trainSteps(model, opt, 4, 13);
            boolean changed = false;
            for (int k = 0; k < model.parameters().size(); k++) {
                Parameter p = model.parameters().get(k);
                float[] w = p.value().toArray();
                float[] m = p.mask() == null ? null : p.mask().toArray();
                for (int i = 0; i < w.length; i++) {
                    if (m != null && m[i] == 0f) {
                        assertEquals(0, Float.floatToRawIntBits(w[i]), which + ": " + p.name() + "[" + i
                                + "] is masked but holds " + w[i]);
                    } else if (w[i] != before.get(k)[i]) {
                        changed = true;
                    }
                }
            }
            assertTrue(changed, which + ": no unmasked weight changed");
        }
    }

    // ---- check 14 -----------------------------------------------------------------------------------------------

    @Test
    void check14MasksOnlyEverLoseEntries() {
        Mlp model = mlp(10, new int[] {12, 8}, 3, Activation.RELU, 2);
        PrunableSet set = PrunableSet.forMlp(model, false);
        Sgd opt = new Sgd(model.parameters(), 0.05f, 0.9f, 5e-4f);
        IterativePruning lth = IterativePruning.of(model, set, LthConfig.lthSad().withRanking(Ranking.LAYER_WISE),
                null);
        List<Pruner> criteria = List.of(new MagnitudePruner(set, Ranking.GLOBAL), new NeuronPruner(model, UnitNorm.L2,
                true));
        for (int round = 0; round < 6; round++) {
            List<float[]> old = new ArrayList<>();
            for (Parameter p : model.parameters()) {
                old.add(PruningMask.current(p));
            }
            trainSteps(model, opt, 2, 100 + round);
            if (round % 3 == 2) {
                criteria.get(round / 3).prune(0.2);
            } else {
                lth.prune(opt);
            }
            for (int k = 0; k < model.parameters().size(); k++) {
                Parameter p = model.parameters().get(k);
                float[] now = PruningMask.current(p);
                float[] w = p.value().toArray();
                for (int i = 0; i < now.length; i++) {
                    assertTrue(now[i] <= old.get(k)[i], p.name() + "[" + i + "] came back in round " + round);
                    if (now[i] == 0f) {
                        assertEquals(0f, w[i], 0f, p.name() + "[" + i + "] is pruned but not zero");
                    }
                }
            }
        }
        Parameter w0 = set.parameters().get(0);
        float[] revive = new float[w0.value().size()];
        java.util.Arrays.fill(revive, 1f);
        assertThrows(IllegalStateException.class, () -> PruningMask.tighten(w0, revive));
    }

    // ---- check 15 -----------------------------------------------------------------------------------------------

    @Test
    void check15DensityFollowsTheExactRecurrence() {
        Mlp model = mlp(30, new int[] {40, 25}, 1, Activation.RELU, 3);
        record Case(int percent, int rounds, double paperDensity) {
        }
        for (Case c : new Case[] {new Case(10, 8, 0.430467), new Case(5, 16, 0.440127), new Case(5, 24, 0.291989)}) {
            Mlp m = mlp(30, new int[] {40, 25}, 1, Activation.RELU, 3 + c.rounds());
            PrunableSet set = PrunableSet.forMlp(m, false);
            long total = set.total();
            MagnitudePruner pruner = new MagnitudePruner(set, Ranking.GLOBAL);
            long count = total;
            for (int k = 1; k <= c.rounds(); k++) {
                // ceil(p * count) with p = percent/100, in exact integer arithmetic.
                long expected = count - (c.percent() * count + 99) / 100;
                PruneOutcome o = pruner.prune(c.percent() / 100.0);
                assertEquals(expected, o.aliveAfter(), "round " + k + " at " + c.percent() + "%");
                assertEquals(expected, set.alive());
                // Each round lands within one weight of (1 - p) times the previous density.
                assertTrue(Math.abs(expected - (1 - c.percent() / 100.0) * count) < 1.0, "round " + k);
                count = expected;
                double density = count / (double) total;
                assertTrue(Math.abs(density - Math.pow(1 - c.percent() / 100.0, k)) <= (double) k / total,
                        "round " + k + ": density " + density + " drifted from (1-p)^k");
            }
            assertEquals(c.paperDensity(), Math.pow(1 - c.percent() / 100.0, c.rounds()), 1e-6);
            assertEquals(c.paperDensity(), set.density(), (double) c.rounds() / total);
        }
        assertTrue(model.parameterCount() > 0);
    }

    // ---- check 16 -----------------------------------------------------------------------------------------------

    @Test
    void check16RankingRemovesTheSmallestMagnitudes() {
        for (Ranking ranking : Ranking.values()) {
            Mlp model = mlp(9, new int[] {11, 7}, 2, Activation.RELU, 4);
            PrunableSet set = PrunableSet.forMlp(model, true);
            MagnitudePruner pruner = new MagnitudePruner(set, ranking);
            for (int round = 0; round < 3; round++) {
                List<float[]> before = new ArrayList<>();
                List<float[]> maskBefore = new ArrayList<>();
                for (Parameter p : set.parameters()) {
                    before.add(p.value().toArray());
                    maskBefore.add(PruningMask.current(p));
                }
                pruner.prune(0.25);
                double globalMinKept = Double.POSITIVE_INFINITY;
                double globalMaxRemoved = 0;
                for (int l = 0; l < set.size(); l++) {
                    float[] now = PruningMask.current(set.parameters().get(l));
                    double minKept = Double.POSITIVE_INFINITY;
                    double maxRemoved = 0;
                    for (int i = 0; i < now.length; i++) {
                        double a = Math.abs(before.get(l)[i]);
                        if (now[i] == 1f) {
                            minKept = Math.min(minKept, a);
                        } else if (maskBefore.get(l)[i] == 1f) {
                            maxRemoved = Math.max(maxRemoved, a);
                        }
                    }
                    if (ranking == Ranking.LAYER_WISE) {
                        assertTrue(minKept >= maxRemoved, "layer " + l + ": kept " + minKept + " < removed "
                                + maxRemoved);
                    }
                    globalMinKept = Math.min(globalMinKept, minKept);
                    globalMaxRemoved = Math.max(globalMaxRemoved, maxRemoved);
                }
                if (ranking == Ranking.GLOBAL) {
                    assertTrue(globalMinKept >= globalMaxRemoved, "global: kept " + globalMinKept + " < removed "
                            + globalMaxRemoved);
                }
            }
        }
    }

    @Test
    void tiesAreBrokenByLayerThenFlatIndexAndExactlyCeilPTimesAliveGo() {
        Parameter a = new Parameter("a.weight", Tensor.of(backend, 2, 3, new float[] {1, -1, 1, 2, 1, 3}, true), true);
        Parameter b = new Parameter("b.weight", Tensor.of(backend, 1, 4, new float[] {1, 1, -1, 5}, true), true);
        PrunableSet set = PrunableSet.explicit(List.of(a, b));
        // 10 alive, p = 0.35 -> ceil(3.5) = 4 go; seven weights tie at |w| = 1 (a0 a1 a2 a4 b0 b1 b2): the first
        // four in (layer, index) order go, all of them in a.
        PruneOutcome o = new MagnitudePruner(set, Ranking.GLOBAL).prune(0.35);
        assertEquals(4, o.removed());
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 1}, a.mask().toArray());
        assertArrayEquals(new float[] {1, 1, 1, 1}, b.mask().toArray());
        // The next round removes ceil(0.35 * 6) = 3: the remaining ties b0, b1, b2 (layer order after a's 2 and 3).
        new MagnitudePruner(set, Ranking.GLOBAL).prune(0.35);
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 1}, a.mask().toArray());
        assertArrayEquals(new float[] {0, 0, 0, 1}, b.mask().toArray());
    }

    // ---- check 17 -----------------------------------------------------------------------------------------------

    @Test
    void check17RewindRestoresSurvivorsAndBiasesBitwise() {
        Mlp model = mlp(8, new int[] {10, 6}, 2, Activation.RELU, 5);
        float[][] init = new float[model.parameters().size()][];
        for (int k = 0; k < init.length; k++) {
            init[k] = model.parameters().get(k).value().toArray();
        }
        Sgd opt = new Sgd(model.parameters(), 0.1f, 0.9f, 5e-4f);
        IterativePruning lth = IterativePruning.forMlp(model, LthConfig.lthSad(), null);
        for (int round = 0; round < 3; round++) {
            trainSteps(model, opt, 3, 200 + 10 * round);
            lth.prune(opt);
            for (int k = 0; k < init.length; k++) {
                Parameter p = model.parameters().get(k);
                float[] w = p.value().toArray();
                float[] m = PruningMask.current(p);
                for (int i = 0; i < w.length; i++) {
                    int expected = m[i] == 0f ? Float.floatToRawIntBits(0f) : Float.floatToRawIntBits(init[k][i]);
                    assertEquals(expected, Float.floatToRawIntBits(w[i]), p.name() + "[" + i + "] after rewind");
                }
            }
        }
        List<Linear> layers = model.layers();
        for (Linear l : layers) {
            assertNull(l.bias().mask(), l.bias().name() + " must never be masked by unstructured pruning");
        }
        assertNull(layers.get(layers.size() - 1).weight().mask(), "the excluded output layer must not be masked");
    }

    @Test
    void lateRewindingCapturesIterationKAndRandomReinitKeepsTheMask() {
        Mlp model = mlp(8, new int[] {10}, 2, Activation.RELU, 6);
        PrunableSet set = PrunableSet.forMlp(model, false);
        Sgd opt = new Sgd(model.parameters(), 0.1f, 0.9f, 0f);
        LthConfig late = new LthConfig(0.3, 1, Ranking.GLOBAL, Rewind.REWIND, 3, false, false);
        IterativePruning lth = IterativePruning.of(model, set, late, null);
        float[] atK = null;
        for (int step = 1; step <= 5; step++) {
            trainSteps(model, opt, 1, 300 + step);
            lth.afterStep(step);
            if (step == 3) {
                atK = model.layers().get(0).weight().value().toArray();
            }
        }
        assertEquals(3, lth.rewindPoint().iteration());
        lth.prune(opt);
        float[] w = model.layers().get(0).weight().value().toArray();
        float[] m = model.layers().get(0).weight().mask().toArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(m[i] == 0f ? 0f : atK[i], w[i], 0f);
        }

        Mlp control = mlp(8, new int[] {10}, 2, Activation.RELU, 6);
        PrunableSet cset = PrunableSet.forMlp(control, false);
        float[] init = control.layers().get(0).weight().value().toArray();
        IterativePruning reinit = IterativePruning.of(control, cset, LthConfig.lthSad().withRewind(Rewind.RANDOM_REINIT),
                () -> mlp(8, new int[] {10}, 2, Activation.RELU, 77));
        reinit.prune(null);
        float[] fresh = mlp(8, new int[] {10}, 2, Activation.RELU, 77).layers().get(0).weight().value().toArray();
        float[] cw = control.layers().get(0).weight().value().toArray();
        float[] cm = control.layers().get(0).weight().mask().toArray();
        for (int i = 0; i < cw.length; i++) {
            assertEquals(cm[i] == 0f ? 0f : fresh[i], cw[i], 0f);
        }
        assertNotEquals(init[0], cw[0]);
    }

    @Test
    void rewindPointSavedAsACheckpointMapResumesTheRunBitForBit() {
        // the uninterrupted run: k = 2, three prune events with two steps between them
        Mlp whole = mlp(8, new int[] {10, 6}, 2, Activation.RELU, 8);
        Sgd wholeOpt = new Sgd(whole.parameters(), 0.1f, 0.9f, 0f);
        LthConfig late = new LthConfig(0.3, 1, Ranking.GLOBAL, Rewind.REWIND, 2, false, true);
        IterativePruning a = IterativePruning.of(whole, PrunableSet.forMlp(whole, false), late, null);
        Map<String, float[]> saved = null;
        Map<String, float[]> savedModel = null;
        for (int event = 1; event <= 3; event++) {
            for (int s = 1; s <= 2; s++) {
                trainSteps(whole, wholeOpt, 1, 400 + 10 * event + s);
                a.afterStep(2L * (event - 1) + s);
            }
            a.prune(wholeOpt);
            if (event == 1) {
                saved = a.rewindPoint().asMap();
                savedModel = StateSnapshot.of(whole).asMap();
            }
        }
        // the resumed run: a fresh model and pruner that continue from what the checkpoint of event 1 held
        Mlp resumed = mlp(8, new int[] {10, 6}, 2, Activation.RELU, 99);
        StateSnapshot.fromMap(resumed, savedModel, "test").restoreAll(resumed);
        Sgd resumedOpt = new Sgd(resumed.parameters(), 0.1f, 0.9f, 0f);
        IterativePruning b = IterativePruning.of(resumed, PrunableSet.forMlp(resumed, false), late, null);
        b.resume(1, RewindPoint.fromMap(resumed, saved, 2));
        for (int event = 2; event <= 3; event++) {
            for (int s = 1; s <= 2; s++) {
                trainSteps(resumed, resumedOpt, 1, 400 + 10 * event + s);
                b.afterStep(2L * (event - 1) + s);
            }
            b.prune(resumedOpt);
        }
        assertEquals(3, b.events());
        for (int k = 0; k < whole.parameters().size(); k++) {
            Parameter p = whole.parameters().get(k);
            Parameter q = resumed.parameters().get(k);
            assertArrayEquals(p.value().toArray(), q.value().toArray(), 0f, p.name());
            assertArrayEquals(PruningMask.current(p), PruningMask.current(q), 0f, p.name() + " mask");
        }
        assertThrows(IllegalArgumentException.class, () -> b.resume(1, RewindPoint.fromMap(resumed, initialPoint(), 0)),
                "a rewind point of another iteration is refused");
    }

    private static Map<String, float[]> initialPoint() {
        return StateSnapshot.of(mlp(8, new int[] {10, 6}, 2, Activation.RELU, 8)).asMap();
    }

    @Test
    void rewindToPointOutsideAPruneEventNeedsThePoint() {
        Mlp model = mlp(8, new int[] {10}, 2, Activation.RELU, 9);
        LthConfig late = new LthConfig(0.3, 1, Ranking.GLOBAL, Rewind.REWIND, 5, false, true);
        IterativePruning lth = IterativePruning.of(model, PrunableSet.forMlp(model, false), late, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, lth::rewindToPoint);
        assertTrue(e.getMessage().contains("iteration 5"), e.getMessage());
    }

    // ---- check 18 -----------------------------------------------------------------------------------------------

    @Test
    void check18CompactedModelEqualsMaskedModel() {
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH, Activation.SIGMOID}) {
            Mlp model = mlp(7, new int[] {10, 9, 6}, 3, act, 7);
            NeuronPruner pruner = new NeuronPruner(model, UnitNorm.L1, false);
            pruner.prune(0.3);
            pruner.prune(0.3);
            // Unstructured pruning on top: the compacted layers must keep those masks.
            new MagnitudePruner(PrunableSet.forMlp(model, true), Ranking.GLOBAL).prune(0.2);
            model.train(false);
            Mlp small = pruner.compact();
            small.train(false);
            int[] alive = pruner.aliveUnitCounts();
            assertArrayEquals(alive, small.hiddenWidths());
            Tensor x = random(11, 7, 8);
            float[] a;
            float[] b;
            try (GradMode g = GradMode.disabled()) {
                a = model.forward(x).toArray();
                b = small.forward(x).toArray();
            }
            double worst = 0;
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
            assertTrue(worst < 1e-6, act + ": compacted model differs by " + worst);
        }
    }

    @Test
    void check18ParameterCountDropsByInPlusOnePlusOutPerRemovedUnit() {
        Mlp model = mlp(7, new int[] {10}, 3, Activation.RELU, 9);
        long before = model.parameterCount();
        NeuronPruner pruner = new NeuronPruner(model, UnitNorm.L2, false);
        PruneOutcome o = pruner.prune(0.35);
        assertEquals(4, o.removed());
        Mlp small = pruner.compact();
        assertEquals(before - 4 * (7 + 1 + 3), small.parameterCount());

        // Two hidden layers: removing units one layer at a time, each unit costs in_l + 1 + out_{l+1} at the
        // sizes current when it goes.
        Mlp deep = mlp(5, new int[] {8, 6}, 2, Activation.RELU, 10);
        NeuronPruner dp = new NeuronPruner(deep, UnitNorm.L1, false);
        dp.prune(0.25);
        int[] h = dp.aliveUnitCounts();
        assertArrayEquals(new int[] {6, 4}, h);
        long expected = deep.parameterCount() - 2 * (5 + 1 + 6) - 2 * (6 + 1 + 2);
        assertEquals(expected, dp.compact().parameterCount());
    }

    // ---- check 19 -----------------------------------------------------------------------------------------------

    @Test
    void check19TwoFourMasks() {
        NmPruner nm = NmPruner.twoFour();
        SplittableRandom r = new SplittableRandom(19);
        int rows = 5;
        int cols = 12;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Parameter p = new Parameter("fc.weight", Tensor.of(backend, rows, cols, w, true), true);
        nm.prune(PrunableSet.explicit(List.of(p)));
        float[] m = p.mask().toArray();
        for (int row = 0; row < rows; row++) {
            for (int g = 0; g < cols; g += 4) {
                int kept = 0;
                for (int k = 0; k < 4; k++) {
                    kept += (int) m[row * cols + g + k];
                }
                assertEquals(2, kept, "row " + row + " group " + g);
                for (int k = 0; k < 4; k++) {
                    for (int o = 0; o < 4; o++) {
                        int i = row * cols + g + k;
                        int j = row * cols + g + o;
                        if (m[i] == 1f && m[j] == 0f) {
                            assertTrue(Math.abs(w[i]) >= Math.abs(w[j]), "kept |w| smaller than a dropped one");
                        }
                    }
                }
            }
        }
        assertEquals(0.5, p.aliveCount() / (double) (rows * cols), 0.0);
        float[] again = new float[m.length];
        nm.mask(p.value().toArray(), m, rows, cols, again);
        assertArrayEquals(m, again, "re-applying the 2:4 mask must change nothing");

        // Ties keep the lower index; a row of 7 pads its last group of 3 and keeps 2 of it.
        float[] tie = {1, 1, 1, 1, 0.5f, -3, 0.25f};
        float[] tm = new float[7];
        nm.mask(tie, null, 1, 7, tm);
        assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1, 0}, tm);
        // A last group of 2 (in = 6) keeps both real weights, not padding.
        float[] six = {0.1f, 0.2f, 0.3f, 0.4f, 0.01f, -0.02f};
        float[] sm = new float[6];
        nm.mask(six, null, 1, 6, sm);
        assertArrayEquals(new float[] {0, 0, 1, 1, 1, 1}, sm);
        assertEquals(5L * 3 * 2 * 4 + (5L * 3 * 2 * 2 + 7) / 8, nm.compressedBytes(5, 12));
        // A channels-last conv weight with 3 input channels and 2 taps: groups stay inside each tap's 3 channels.
        float[] conv = {0.9f, 0.1f, 0.8f, 0.7f, 0.2f, 0.6f};
        float[] cm = new float[6];
        nm.mask(conv, null, 1, 6, 3, cm);
        assertArrayEquals(new float[] {1, 0, 1, 1, 0, 1}, cm);
    }

    // ---- check 20 -----------------------------------------------------------------------------------------------

    @Test
    void check20PruneEventsAndLearningRateMilestones() {
        assertEquals(8, new PruneSchedule(160, 20).events());
        assertEquals(16, new PruneSchedule(1200, 75).events());
        assertEquals(3, new PruneSchedule(79, 20).events());

        // Run the SP-SAD epoch loop: events fire after epochs 20, 40, ..., 160, and the LR drops at 60 and 120.
        Mlp model = mlp(4, new int[] {6}, 1, Activation.RELU, 11);
        Sgd opt = new Sgd(model.parameters(), 0.05f, 0.9f, 5e-4f);
        MultiStepLr lr = new MultiStepLr(opt, new int[] {60, 120}, 0.001f);
        PruneSchedule schedule = new PruneSchedule(160, 20);
        IterativePruning sp = new IterativePruning(model, new NeuronPruner(model, UnitNorm.L1, false),
                SparsitySchedule.fixedRate(0.10), Rewind.NONE, 0, false, null);
        List<Integer> pruneEpochs = new ArrayList<>();
        List<Integer> lrChanges = new ArrayList<>();
        float last = opt.learningRate();
        for (int epoch = 1; epoch <= 160; epoch++) {
            float now = lr.startEpoch(epoch);
            if (now != last) {
                lrChanges.add(epoch);
                last = now;
            }
            if (schedule.pruneAfter(epoch)) {
                pruneEpochs.add(epoch);
                sp.prune(opt);
            }
        }
        assertEquals(List.of(20, 40, 60, 80, 100, 120, 140, 160), pruneEpochs);
        assertEquals(8, sp.events());
        assertEquals(List.of(60, 120), lrChanges);
        assertEquals(0.05f * 0.001f * 0.001f, opt.learningRate(), 1e-12f);
    }

    // ---- extras: optimiser state, prunable set, gradual schedule -------------------------------------------------

    @Test
    void pruneEventZeroesMomentumAtPrunedPositionsAndFreshOptimizerResetsAll() {
        for (boolean fresh : new boolean[] {false, true}) {
            Mlp model = mlp(6, new int[] {8}, 2, Activation.RELU, 12);
            PrunableSet set = PrunableSet.forMlp(model, false);
            Sgd opt = new Sgd(model.parameters(), 0.1f, 0.9f, 0f);
            trainSteps(model, opt, 2, 400);
            IterativePruning lth = IterativePruning.of(model, set,
                    LthConfig.spSad().withFreshOptimizer(fresh), null);
            lth.prune(opt);
            float[] buf = opt.momentumBuffer(0).toArray();
            float[] m = model.layers().get(0).weight().mask().toArray();
            boolean anyAlive = false;
            for (int i = 0; i < buf.length; i++) {
                if (m[i] == 0f || fresh) {
                    assertEquals(0f, buf[i], 0f, "momentum at " + i + " (fresh=" + fresh + ")");
                } else {
                    anyAlive |= buf[i] != 0f;
                }
            }
            assertTrue(fresh || anyAlive, "momentum of surviving weights must be kept in the paper's loop");
        }
    }

    @Test
    void prunableSetHoldsOnlyWeightMatricesAndRefusesTheDistiller() {
        Mlp model = mlp(6, new int[] {8, 5}, 2, Activation.RELU, 13);
        assertEquals(2, PrunableSet.forMlp(model, false).size());
        assertEquals(3, PrunableSet.forMlp(model, true).size());
        for (Parameter p : PrunableSet.of(model).parameters()) {
            assertTrue(p.name().endsWith(".weight"), p.name());
        }
        assertEquals(3, PrunableSet.of(model).size());
        Module distiller = new dev.winnow.engine.distill.AttentionDistiller(backend, "sad",
                dev.winnow.engine.distill.SadLayout.forMlp(new int[] {8}, new int[] {5}, 4), new SplittableRandom(1));
        assertThrows(IllegalArgumentException.class, () -> PrunableSet.of(distiller));
        assertThrows(IllegalArgumentException.class,
                () -> PrunableSet.explicit(List.of(model.layers().get(0).bias())));
    }

    @Test
    void cubicScheduleReachesTheTargetSparsityMonotonically() {
        Mlp model = mlp(20, new int[] {30}, 2, Activation.RELU, 14);
        PrunableSet set = PrunableSet.forMlp(model, false);
        SparsitySchedule cubic = SparsitySchedule.cubic(0.0, 0.8, 10);
        MagnitudePruner pruner = new MagnitudePruner(set, Ranking.GLOBAL);
        double previous = 1.0;
        for (int e = 1; e <= 10; e++) {
            pruner.prune(cubic.rateAt(e, set.density()));
            double target = 1 - SparsitySchedule.cubicTarget(0.0, 0.8, 10, e);
            assertTrue(set.density() <= previous, "density must not grow");
            // ceil rounding may overshoot the target by at most one weight.
            assertTrue(set.density() <= target + 1e-12 && set.density() >= target - 1.0 / set.total(),
                    "event " + e + ": density " + set.density() + " vs target " + target);
            previous = set.density();
        }
        assertEquals(0.2, set.density(), 1.0 / set.total());
        // The ramp is front-loaded: the first event removes more than a tenth of the final amount.
        assertTrue(SparsitySchedule.cubicTarget(0.0, 0.8, 10, 1) > 0.08);
    }
}
