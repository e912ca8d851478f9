package dev.winnow.recsys.method;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.prune.PruningMask;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.method.RegressionTask.Part;
import dev.winnow.recsys.method.RegressionTask.Role;
import dev.winnow.recsys.model.NcfConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a method run does to the student at its prune events, checked bit for bit from outside (through
 * {@link PruneObserver}): the LTH family starts every level from the rewind point times the mask, SP-SAD removes
 * whole hidden units and keeps every trained survivor, and masks only ever lose entries (spec §3.2-§3.3, §4.1,
 * checks 14 and 17). A run that skipped or botched its rewind fails here, not only in an event label.
 * Each test takes about a second; the timeout turns a run that never reaches SS-SAD's target density into a failure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PruneEventTest {
    private static Backend backend;
    private static RatingTask task;
    private static TapModel teacher;

    @BeforeAll
    static void setUp() throws IOException {
        backend = new CpuBackend(1);
        RatingData data = SyntheticRatings.generate(3, 120, 150, 6000);
        NcfConfig t = new NcfConfig("t", 8, new int[] {48, 24}, Activation.RELU, 0.1);
        NcfConfig s = new NcfConfig("s", 8, new int[] {16, 8}, Activation.RELU, 0.1);
        task = new RatingTask("tiny", Splits.random(data, 0.15, 0.15, 3), t, s);
        MethodRun run = new MethodRun(task, backend, Method.TEACHER, config(Method.TEACHER, 3, 1, 0), 1, null, null,
                null);
        run.run();
        teacher = run.student();
        teacher.train(false);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static MethodConfig config(Method method, int epochs, int every, double rate) {
        return MethodPresets.quick().get(method).with("epochs", String.valueOf(epochs))
                .with("prune_every", String.valueOf(every)).with("prune_rate", String.valueOf(rate))
                .with("batch_size", "128").with("qk_dim", "8");
    }

    /** SS-SAD: one-epoch LTH rounds at 50% down to density 0.3 (two events), then one distillation epoch. */
    private static MethodConfig ssSadConfig() {
        return MethodPresets.quick().get(Method.SS_SAD).with("epochs", "1").with("prune_every", "1")
                .with("prune_rate", "0.5").with("target_density", "0.3").with("kd_epochs", "1")
                .with("batch_size", "128").with("qk_dim", "8");
    }

    private static MethodConfig configFor(Method method) {
        switch (method) {
            case SS_SAD: return ssSadConfig();
            case SP_SAD: return config(method, 4, 2, 0.25);
            default: return config(method, 6, 2, 0.3);
        }
    }

    /** theta_0: the student a run with this seed starts from, built independently of the run. */
    private static Map<String, float[]> initialStudent(long seed) {
        return ModuleState.capture(task.newModel(backend, Role.STUDENT, seed));
    }

    // ---- rewinding ----------------------------------------------------------------------------------------------

    @Test
    void lthSadStartsEveryLevelFromTheInitialWeightsTimesTheMask() throws IOException {
        assertEveryLevelStartsFromTheInitialWeights(Method.LTH_SAD, config(Method.LTH_SAD, 6, 2, 0.3), 11);
    }

    @Test
    void lthStartsEveryLevelFromTheInitialWeightsTimesTheMask() throws IOException {
        assertEveryLevelStartsFromTheInitialWeights(Method.LTH, config(Method.LTH, 6, 2, 0.3), 12);
    }

    @Test
    void ssSadStartsEveryPhaseOneLevelFromTheInitialWeightsTimesTheMask() throws IOException {
        assertEveryLevelStartsFromTheInitialWeights(Method.SS_SAD, ssSadConfig(), 13);
    }

    private static void assertEveryLevelStartsFromTheInitialWeights(Method method, MethodConfig cfg, long seed)
            throws IOException {
        Map<String, float[]> theta0 = initialStudent(seed);
        Recorder r = new Recorder(method);
        new MethodRun(task, backend, method, cfg, seed, teacher, null, null).observePrunes(r).run();
        assertTrue(r.after.size() >= 2, method.label() + ": expected at least two prune events, got " + r.after.size());
        for (int e = 0; e < r.after.size(); e++) {
            String where = method.label() + " prune event " + (e + 1);
            assertTrainedAwayFrom(theta0, r.before.get(e), where);
            assertMasksShrink(r.before.get(e), r.after.get(e), where);
            assertOnlyLinearWeightsAreMasked(r.after.get(e), where);
            assertRewindPointTimesMask(theta0, r.after.get(e), "theta_0", where);
            assertTrue(r.rewound.get(e), where + ": the observer must be told the values were rewound");
        }
    }

    @Test
    void lthSadWithLateRewindingStartsEveryLevelFromThetaKTimesTheMask() throws IOException {
        long seed = 14;
        MethodConfig base = config(Method.LTH_SAD, 6, 3, 0.3);
        // k = the steps of the first epoch, so that theta_k is the student the progress line of epoch 1 sees
        int k = stepsPerEpoch(base);
        MethodConfig cfg = base.with("rewind_iteration", String.valueOf(k));
        Recorder r = new Recorder(Method.LTH_SAD);
        MethodRun[] run = new MethodRun[1];
        List<Map<String, float[]>> thetaK = new ArrayList<>();
        ProgressSink epochOne = (m, s, point, epochs, eta) -> {
            if (point.epoch() == 1) {
                thetaK.add(ModuleState.capture(run[0].student()));
            }
        };
        run[0] = new MethodRun(task, backend, Method.LTH_SAD, cfg, seed, teacher, epochOne, null).observePrunes(r);
        run[0].run();
        assertEquals(1, thetaK.size(), "one progress line for epoch 1");
        Map<String, float[]> theta = thetaK.get(0);
        assertTrainedAwayFrom(initialStudent(seed), theta, "theta_" + k + " (after epoch 1)");
        assertEquals(2, r.after.size());
        for (int e = 0; e < r.after.size(); e++) {
            String where = "LTH-SAD rewind_iteration " + k + ", prune event " + (e + 1);
            assertTrainedAwayFrom(theta, r.before.get(e), where);
            assertMasksShrink(r.before.get(e), r.after.get(e), where);
            assertRewindPointTimesMask(theta, r.after.get(e), "theta_" + k, where);
        }
    }

    /** Optimiser steps in one epoch: full batches plus a last partial one of at least two rows. */
    private static int stepsPerEpoch(MethodConfig cfg) {
        int n = task.size(Part.TRAIN);
        int bs = Math.min(cfg.batchSize(), Math.max(n, 2));
        int steps = 0;
        for (int start = 0; start < n && n - start >= 2; start += bs) {
            steps++;
        }
        return steps;
    }

    @Test
    void observingThePruneEventsChangesNoNumber() throws IOException {
        MethodConfig cfg = config(Method.LTH_SAD, 4, 2, 0.3);
        MethodOutcome plain = new MethodRun(task, backend, Method.LTH_SAD, cfg, 16, teacher, null, null).run();
        Recorder r = new Recorder(Method.LTH_SAD);
        MethodOutcome watched = new MethodRun(task, backend, Method.LTH_SAD, cfg, 16, teacher, null, null)
                .observePrunes(r).run();
        assertEquals(2, r.after.size());
        assertEquals(plain.curve().size(), watched.curve().size());
        for (int i = 0; i < plain.curve().size(); i++) {
            CurvePoint p = plain.curve().get(i);
            CurvePoint q = watched.curve().get(i);
            assertEquals(p.trainLoss(), q.trainLoss(), 0.0, "train loss at epoch " + p.epoch());
            assertEquals(p.valMse(), q.valMse(), 0.0, "validation MSE at epoch " + p.epoch());
            assertEquals(p.testMse(), q.testMse(), 0.0, "test MSE at epoch " + p.epoch());
        }
        assertEquals(plain.result().mse(), watched.result().mse(), 0.0);
    }

    // ---- masks --------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"LTH_SAD", "LTH", "SP_SAD", "SS_SAD"})
    void masksOnlyShrink(Method method) throws IOException {
        Recorder r = new Recorder(method);
        MethodRun run = new MethodRun(task, backend, method, configFor(method), 15, teacher, null, null)
                .observePrunes(r);
        run.run();
        assertTrue(r.after.size() >= 2, method.label() + ": expected at least two prune events, got " + r.after.size());
        for (int e = 0; e < r.after.size(); e++) {
            String where = method.label() + " prune event " + (e + 1);
            assertMasksShrink(r.before.get(e), r.after.get(e), where);
            assertMaskedValuesAreZero(r.after.get(e), where + " (right after it)");
            if (e > 0) {
                // the level between two events trains under a fixed mask and keeps every pruned weight at 0
                String level = method.label() + " level " + e + " (between events " + e + " and " + (e + 1) + ")";
                assertSameMasks(r.after.get(e - 1), r.before.get(e), level);
                assertMaskedValuesAreZero(r.before.get(e), level);
            }
        }
        if (method == Method.SS_SAD) {
            // phase 2 distils into the ticket: the final mask is the last phase-1 event's mask
            assertSameMasks(r.after.get(r.after.size() - 1), ModuleState.capture(run.student()),
                    "SS-SAD phase 2");
        }
    }

    // ---- SP-SAD -------------------------------------------------------------------------------------------------

    @Test
    void spSadRemovesWholeHiddenUnitsAndKeepsEveryTrainedWeight() throws IOException {
        long seed = 5;
        double rate = 0.25;
        MethodConfig cfg = config(Method.SP_SAD, 4, 2, rate);
        Recorder r = new Recorder(Method.SP_SAD);
        PruneObserver units = new PruneObserver() {
            private int[] aliveBefore;

            @Override
            public void beforePrune(int event, TapModel student) {
                r.beforePrune(event, student);
                aliveBefore = aliveUnits(student.mlp());
            }

            @Override
            public void afterPrune(int event, TapModel student, boolean rewound) {
                r.afterPrune(event, student, rewound);
                String where = "SP-SAD prune event " + event;
                assertWholeUnits(student.mlp(), where);
                int[] aliveAfter = aliveUnits(student.mlp());
                for (int l = 0; l < aliveAfter.length; l++) {
                    assertEquals(PruningMask.countToRemove(rate, aliveBefore[l]), aliveBefore[l] - aliveAfter[l],
                            where + ": hidden layer " + l + " had " + aliveBefore[l] + " units; ceil(" + rate
                                    + " x alive) must go");
                }
                assertRemovedUnitsEmitZero(student, where);
            }
        };
        MethodOutcome o = new MethodRun(task, backend, Method.SP_SAD, cfg, seed, teacher, null, null)
                .observePrunes(units).run();
        assertEquals(2, o.rounds().size());
        assertEquals(2, r.after.size());
        for (int e = 0; e < r.after.size(); e++) {
            String where = "SP-SAD prune event " + (e + 1);
            assertMasksShrink(r.before.get(e), r.after.get(e), where);
            // the trained values, not a rewind point, times the new mask
            assertRewindPointTimesMask(r.before.get(e), r.after.get(e), "the trained value before the event", where);
            assertFalse(r.rewound.get(e), where + ": SP-SAD must not rewind");
            if (e > 0) {
                assertTrainedAwayFrom(r.after.get(e - 1), r.before.get(e), "SP-SAD level " + e);
            }
        }
        assertTrue(o.curve().get(o.curve().size() - 1).density() < 1.0);
        assertTrue(o.curve().stream().filter(p -> !p.event().isEmpty()).allMatch(p -> p.event().equals("prune")),
                "SP-SAD keeps trained weights: no rewind events");
    }

    // ---- prune_embeddings ---------------------------------------------------------------------------------------

    /** What LTH-SAD ranks with prune_embeddings: the hidden layers' weights and both tables (not the output layer). */
    private static final List<String> RANKED_WITH_TABLES = List.of("mlp.0.weight", "mlp.1.weight", "user.weight",
            "item.weight");

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"adam", "lazy-adam", "sgd"})
    void pruneEmbeddingsRanksTheTablesWithTheMlpWeightsKeepsThemZeroAndRewindsThem(String optimizer)
            throws IOException {
        long seed = 21;
        double rate = 0.3;
        MethodConfig cfg = config(Method.LTH_SAD, 6, 2, rate).with("prune_embeddings", "true")
                .with("optimizer", optimizer);
        Map<String, float[]> theta0 = initialStudent(seed);
        Recorder r = new Recorder(Method.LTH_SAD);
        MethodOutcome o = new MethodRun(task, backend, Method.LTH_SAD, cfg, seed, teacher, null, null)
                .observePrunes(r).run();
        assertEquals(3, r.after.size());
        for (int e = 0; e < r.after.size(); e++) {
            String where = "LTH-SAD prune_embeddings " + optimizer + ", prune event " + (e + 1);
            long tableCut = assertGlobalMagnitudeCut(r.before.get(e), r.after.get(e), RANKED_WITH_TABLES, rate, where);
            assertTrue(tableCut > 0, where + ": the tables (most of the ranked weights) lost no entry");
            for (String k : r.after.get(e).keySet()) {
                if (isMask(k)) {
                    assertTrue(RANKED_WITH_TABLES.contains(k.substring(0, k.length() - 5)), where + ": " + k);
                }
            }
            // survivors (table entries included) and biases go back to theta_0, pruned entries to 0
            assertRewindPointTimesMask(theta0, r.after.get(e), "theta_0", where);
            if (e > 0) {
                String level = "LTH-SAD prune_embeddings " + optimizer + " level " + e;
                assertSameMasks(r.after.get(e - 1), r.before.get(e), level);
                assertMaskedValuesAreZero(r.before.get(e), level + " (after its training steps)");
            }
            // the next level's epochs report the density of these masks, over everything ranked and over the MLP
            int round = e + 1;
            if (e == r.after.size() - 1) {
                continue; // the last event ends the run: no epoch trains under its masks
            }
            CurvePoint next = o.curve().stream().filter(c -> c.round() == round).findFirst().orElseThrow();
            assertEquals(aliveShare(r.after.get(e), RANKED_WITH_TABLES), next.density(), 1e-12, where);
            assertEquals(aliveShare(r.after.get(e), RANKED_WITH_TABLES.subList(0, 2)), next.mlpDensity(), 1e-12,
                    where);
            assertTrue(next.density() < next.mlpDensity() || next.density() > next.mlpDensity(),
                    where + ": the tables and the MLP are cut at different shares, so the two densities differ");
        }
        assertMaskedValuesAreZero(o.winningState(), "the winning ticket");
        assertDensitiesCountTheMasks(o, RANKED_WITH_TABLES);
    }

    @Test
    void withoutPruneEmbeddingsTheTablesStayUnmaskedAndBothDensitiesAgree() throws IOException {
        Recorder r = new Recorder(Method.LTH_SAD);
        MethodOutcome o = new MethodRun(task, backend, Method.LTH_SAD, config(Method.LTH_SAD, 4, 2, 0.3), 21,
                teacher, null, null).observePrunes(r).run();
        for (Map<String, float[]> after : r.after) {
            assertOnlyLinearWeightsAreMasked(after, "LTH-SAD without prune_embeddings");
        }
        assertDensitiesCountTheMasks(o, List.of("mlp.0.weight", "mlp.1.weight"));
        assertEquals(o.result().density(), o.result().densityMlp(), 0.0);
        for (CurvePoint p : o.curve()) {
            assertEquals(p.density(), p.mlpDensity(), 0.0, "epoch " + p.epoch());
        }
    }

    @Test
    void spSadWithPruneEmbeddingsRemovesWholeLatentDimensionsFromBothTables() throws IOException {
        double rate = 0.25;
        MethodConfig cfg = config(Method.SP_SAD, 4, 2, rate).with("prune_embeddings", "true");
        Recorder r = new Recorder(Method.SP_SAD);
        MethodOutcome o = new MethodRun(task, backend, Method.SP_SAD, cfg, 22, teacher, null, null)
                .observePrunes(r).run();
        assertEquals(2, r.after.size());
        int[] aliveDims = {8, 6, 4}; // ceil(0.25 * 8) = 2, then ceil(0.25 * 6) = 2
        for (int e = 0; e < r.after.size(); e++) {
            String where = "SP-SAD prune_embeddings, prune event " + (e + 1);
            boolean[] user = liveColumns(r.after.get(e), "user.weight", 8, where);
            boolean[] item = liveColumns(r.after.get(e), "item.weight", 8, where);
            assertTrue(java.util.Arrays.equals(user, item), where + ": the tables lost different dimensions");
            int alive = 0;
            for (boolean a : user) {
                alive += a ? 1 : 0;
            }
            assertEquals(aliveDims[e + 1], alive, where + ": latent dimensions alive");
            assertWholeUnits(mlpOf(r.after.get(e)), where);
            // SP-SAD keeps the trained values, tables included, times the new mask
            assertRewindPointTimesMask(r.before.get(e), r.after.get(e), "the trained value before the event", where);
        }
        assertDensitiesCountTheMasks(o, RANKED_WITH_TABLES);
    }

    /**
     * The event removed exactly ceil(rate x alive) entries of the ranked tensors, and each of them had a magnitude
     * no larger than any entry kept: one global ranking over all of them. Returns the entries the tables lost.
     */
    private static long assertGlobalMagnitudeCut(Map<String, float[]> before, Map<String, float[]> after,
                                                 List<String> ranked, double rate, String where) {
        long alive = 0;
        long removed = 0;
        long tableRemoved = 0;
        float largestRemoved = 0f;
        float smallestKept = Float.POSITIVE_INFINITY;
        for (String name : ranked) {
            float[] w = before.get(name);
            float[] m0 = before.get(name + "#mask");
            float[] m1 = after.get(name + "#mask");
            assertNotNull(m1, where + ": " + name + " has no mask");
            for (int i = 0; i < w.length; i++) {
                if (m0 != null && m0[i] == 0f) {
                    continue;
                }
                alive++;
                if (m1[i] == 0f) {
                    removed++;
                    tableRemoved += name.startsWith("mlp.") ? 0 : 1;
                    largestRemoved = Math.max(largestRemoved, Math.abs(w[i]));
                } else {
                    smallestKept = Math.min(smallestKept, Math.abs(w[i]));
                }
            }
        }
        assertEquals(PruningMask.countToRemove(rate, alive), removed, where + ": entries removed of " + alive);
        assertTrue(largestRemoved <= smallestKept, where + ": removed |w| " + largestRemoved + " > kept |w| "
                + smallestKept);
        return tableRemoved;
    }

    /**
     * results' density is alive / total over the ranked tensors of the winning ticket, density_mlp the same over the
     * MLP's hidden weights; every alive entry is a nonzero weight and every pruned one zero; curves and rounds carry
     * both.
     */
    private static void assertDensitiesCountTheMasks(MethodOutcome o, List<String> ranked) {
        Map<String, float[]> w = o.winningState();
        long[] all = new long[2];
        long[] mlp = new long[2];
        for (String name : ranked) {
            float[] v = w.get(name);
            float[] m = w.get(name + "#mask");
            for (int i = 0; i < v.length; i++) {
                boolean alive = m == null || m[i] != 0f;
                assertEquals(alive, v[i] != 0f, name + "[" + i + "]: alive entries are nonzero, pruned ones zero");
                long[] acc = name.startsWith("mlp.") ? mlp : null;
                all[0] += alive ? 1 : 0;
                all[1]++;
                if (acc != null) {
                    acc[0] += alive ? 1 : 0;
                    acc[1]++;
                }
            }
        }
        assertEquals(all[0] / (double) all[1], o.result().density(), 1e-12, "density over " + ranked);
        assertEquals(mlp[0] / (double) mlp[1], o.result().densityMlp(), 1e-12, "density_mlp");
        assertFalse(o.rounds().isEmpty());
        for (RoundRecord rr : o.rounds()) {
            CurvePoint p = o.curve().stream().filter(c -> c.event().startsWith("prune") && c.round() == rr.round())
                    .findFirst().orElseThrow();
            assertEquals(p.density(), rr.density(), 0.0, "round " + rr.round() + " density");
            assertEquals(p.mlpDensity(), rr.mlpDensity(), 0.0, "round " + rr.round() + " MLP density");
            assertTrue(rr.mlpDensity() <= 1.0 && rr.mlpDensity() > 0.0);
        }
    }

    /** Alive entries / all entries over the named tensors (an unmasked tensor counts whole). */
    private static double aliveShare(Map<String, float[]> state, List<String> names) {
        long alive = 0;
        long total = 0;
        for (String name : names) {
            float[] m = state.get(name + "#mask");
            total += state.get(name).length;
            for (int i = 0; i < state.get(name).length; i++) {
                alive += m == null || m[i] != 0f ? 1 : 0;
            }
        }
        return alive / (double) total;
    }

    /** Which latent dimensions (columns) of a table keep any entry; each column is wholly kept or wholly pruned. */
    private static boolean[] liveColumns(Map<String, float[]> state, String table, int dim, String where) {
        float[] m = state.get(table + "#mask");
        assertNotNull(m, where + ": " + table + " has no mask");
        boolean[] live = new boolean[dim];
        for (int c = 0; c < dim; c++) {
            live[c] = m[c] != 0f;
            for (int i = c; i < m.length; i += dim) {
                assertEquals(live[c], m[i] != 0f, where + ": " + table + " column " + c + " is partly pruned");
            }
        }
        return live;
    }

    /** A student holding {@code state} (masks included), for the unit checks that read an Mlp. */
    private static Mlp mlpOf(Map<String, float[]> state) {
        TapModel copy = task.newModel(backend, Role.STUDENT, 0);
        ModuleState.restore(copy, state, "recorded student");
        return copy.mlp();
    }

    /** Alive hidden units per hidden layer, by NeuronPruner's definition: some incoming weight still unmasked. */
    private static int[] aliveUnits(Mlp mlp) {
        List<Linear> layers = mlp.layers();
        int[] alive = new int[layers.size() - 1];
        for (int l = 0; l < alive.length; l++) {
            Linear layer = layers.get(l);
            float[] m = PruningMask.current(layer.weight());
            for (int j = 0; j < layer.out(); j++) {
                for (int i = 0; i < layer.in(); i++) {
                    if (m[j * layer.in() + i] != 0f) {
                        alive[l]++;
                        break;
                    }
                }
            }
        }
        return alive;
    }

    /**
     * Every hidden unit is wholly alive (whole incoming row and bias unmasked) or wholly removed (whole row and bias
     * masked); no weight of the output layer and no column is masked on its own: a removed ReLU unit emits 0, so
     * its outgoing column is dead without a mask (spec §4.1).
     */
    private static void assertWholeUnits(Mlp mlp, String where) {
        List<Linear> layers = mlp.layers();
        for (int l = 0; l < layers.size(); l++) {
            Linear layer = layers.get(l);
            float[] m = PruningMask.current(layer.weight());
            float[] b = layer.bias() == null ? null : PruningMask.current(layer.bias());
            boolean hidden = l < layers.size() - 1;
            for (int j = 0; j < layer.out(); j++) {
                float row = m[j * layer.in()];
                for (int i = 0; i < layer.in(); i++) {
                    if (m[j * layer.in() + i] != row) {
                        fail(where + ": " + layer.weight().name() + " unit " + j + " is partly pruned (mask entry "
                                + i + " is " + m[j * layer.in() + i] + ", entry 0 is " + row + ")");
                    }
                }
                if (!hidden && row == 0f) {
                    fail(where + ": output unit " + j + " of " + layer.weight().name() + " was removed");
                }
                if (b != null && b[j] != row) {
                    fail(where + ": " + layer.weight().name() + " unit " + j + " has row mask " + row
                            + " but bias mask " + b[j]);
                }
            }
        }
    }

    /** On real inputs (evaluation mode, on a copy of the student) every removed unit's activation is exactly 0. */
    private static void assertRemovedUnitsEmitZero(TapModel student, String where) {
        TapModel copy = task.newModel(backend, Role.STUDENT, 0);
        ModuleState.restore(copy, ModuleState.capture(student), "copy of the student");
        copy.train(false);
        int n = Math.min(256, task.size(Part.VALIDATION));
        BatchInput input = task.newInput(backend, n);
        task.fill(input, Part.VALIDATION, null, 0, n);
        List<Tensor> taps = new ArrayList<>();
        try (GradMode g = GradMode.disabled()) {
            copy.forward(input, taps);
        }
        List<Linear> layers = student.mlp().layers();
        for (int l = 0; l < taps.size(); l++) {
            float[] h = taps.get(l).toArray();
            int width = layers.get(l).out();
            float[] m = PruningMask.current(layers.get(l).weight());
            for (int j = 0; j < width; j++) {
                if (m[j * layers.get(l).in()] != 0f) {
                    continue;
                }
                for (int row = 0; row < n; row++) {
                    if (h[row * width + j] != 0f) {
                        fail(where + ": removed unit " + j + " of hidden layer " + l + " emits " + h[row * width + j]
                                + " for validation row " + row);
                    }
                }
            }
        }
    }

    // ---- shared checks ------------------------------------------------------------------------------------------

    /** Records the student (values and masks by name) right before and right after every prune event. */
    private static final class Recorder implements PruneObserver {
        final String method;
        final List<Map<String, float[]>> before = new ArrayList<>();
        final List<Map<String, float[]>> after = new ArrayList<>();
        final List<Boolean> rewound = new ArrayList<>();

        Recorder(Method method) {
            this.method = method.label();
        }

        @Override
        public void beforePrune(int event, TapModel student) {
            assertEquals(before.size() + 1, event, "prune events are numbered 1, 2, ...");
            before.add(ModuleState.capture(student));
        }

        /** Checks the masks at once: a run whose masks do not shrink may never reach SS-SAD's target density. */
        @Override
        public void afterPrune(int event, TapModel student, boolean wasRewound) {
            assertEquals(before.size(), event, "afterPrune follows beforePrune of the same event");
            Map<String, float[]> now = ModuleState.capture(student);
            assertMasksShrink(before.get(event - 1), now, method + " prune event " + event);
            after.add(now);
            rewound.add(wasRewound);
        }
    }

    private static boolean isMask(String key) {
        return key.endsWith("#mask");
    }

    /**
     * Every parameter equals {@code point} times its current mask: a surviving entry has exactly the bits of
     * {@code point}, a pruned entry is 0 (either sign: w = w * m may give -0 for a negative weight, and the two are
     * the same weight). Buffers (none in an NCF student) equal {@code point} too.
     */
    private static void assertRewindPointTimesMask(Map<String, float[]> point, Map<String, float[]> now,
                                                   String pointName, String where) {
        for (Map.Entry<String, float[]> e : now.entrySet()) {
            if (isMask(e.getKey())) {
                continue;
            }
            String name = e.getKey();
            float[] v = e.getValue();
            float[] p = point.get(name);
            assertNotNull(p, where + ": " + pointName + " has no " + name);
            assertEquals(p.length, v.length, where + ": size of " + name);
            float[] mask = now.get(name + "#mask");
            int wrong = 0;
            int first = -1;
            for (int i = 0; i < v.length; i++) {
                boolean ok = mask != null && mask[i] == 0f ? v[i] == 0f
                        : Float.floatToRawIntBits(v[i]) == Float.floatToRawIntBits(p[i]);
                if (!ok) {
                    wrong++;
                    first = first < 0 ? i : first;
                }
            }
            if (wrong > 0) {
                boolean pruned = mask != null && mask[first] == 0f;
                fail(where + ": " + name + "[" + first + "] is " + v[first] + " but should be "
                        + (pruned ? "0 (pruned)" : pointName + " = " + p[first] + " (kept)") + "; " + wrong + " of "
                        + v.length + " entries of " + name + " differ");
            }
        }
    }

    /** The level did train: some entry moved away from {@code start} (else a rewind check would prove nothing). */
    private static void assertTrainedAwayFrom(Map<String, float[]> start, Map<String, float[]> trained, String where) {
        for (Map.Entry<String, float[]> e : trained.entrySet()) {
            float[] s = start.get(e.getKey());
            if (!isMask(e.getKey()) && s != null && !java.util.Arrays.equals(s, e.getValue())) {
                return;
            }
        }
        fail(where + ": the student before the event equals its starting point; the level did not train");
    }

    /** Nothing pruned comes back, and at least one entry goes (the event pruned). */
    private static void assertMasksShrink(Map<String, float[]> before, Map<String, float[]> after, String where) {
        for (Map.Entry<String, float[]> e : after.entrySet()) {
            if (isMask(e.getKey())) {
                continue;
            }
            String name = e.getKey();
            float[] old = before.get(name + "#mask");
            float[] now = after.get(name + "#mask");
            if (old == null) {
                continue;
            }
            assertNotNull(now, where + ": " + name + " lost its mask (every pruned entry came back)");
            for (int i = 0; i < old.length; i++) {
                if (old[i] == 0f && now[i] != 0f) {
                    fail(where + ": " + name + "[" + i + "] was pruned and came back");
                }
            }
        }
        long aliveBefore = alive(before);
        long aliveAfter = alive(after);
        assertTrue(aliveAfter < aliveBefore, where + ": density must strictly fall, alive entries went from "
                + aliveBefore + " to " + aliveAfter);
    }

    private static void assertSameMasks(Map<String, float[]> a, Map<String, float[]> b, String where) {
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            if (isMask(e.getKey())) {
                assertTrue(java.util.Arrays.equals(e.getValue(), b.get(e.getKey())),
                        where + ": mask " + e.getKey() + " changed");
            }
        }
        for (String k : b.keySet()) {
            if (isMask(k)) {
                assertTrue(a.containsKey(k), where + ": " + k + " appeared");
            }
        }
    }

    private static void assertMaskedValuesAreZero(Map<String, float[]> state, String where) {
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            float[] mask = state.get(e.getKey() + "#mask");
            if (isMask(e.getKey()) || mask == null) {
                continue;
            }
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 0f && e.getValue()[i] != 0f) {
                    fail(where + ": pruned " + e.getKey() + "[" + i + "] is " + e.getValue()[i] + ", not 0");
                }
            }
        }
    }

    /** Spec check 17: magnitude pruning masks Linear weights only; biases and embeddings stay unmasked. */
    private static void assertOnlyLinearWeightsAreMasked(Map<String, float[]> state, String where) {
        boolean any = false;
        for (String k : state.keySet()) {
            if (isMask(k)) {
                assertTrue(k.startsWith("mlp.") && k.endsWith(".weight#mask"), where + ": " + k + " is masked");
                any = true;
            }
        }
        assertTrue(any, where + ": no weight is masked");
    }

    /** Entries still alive over all parameters (an unmasked parameter counts whole). */
    private static long alive(Map<String, float[]> state) {
        long n = 0;
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            if (isMask(e.getKey())) {
                continue;
            }
            float[] mask = state.get(e.getKey() + "#mask");
            if (mask == null) {
                n += e.getValue().length;
                continue;
            }
            for (float m : mask) {
                n += m != 0f ? 1 : 0;
            }
        }
        return n;
    }
}
