package dev.winnow.recsys.method;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.prune.BlockPattern;
import dev.winnow.engine.prune.PrunableSet;
import dev.winnow.engine.prune.SparsitySchedule;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.engine.nn.Activation;
import dev.winnow.recsys.train.TrainingDivergedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MethodRunTest {
    private static Backend backend;
    private static RatingTask task;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
        RatingData data = SyntheticRatings.generate(3, 120, 150, 6000);
        NcfConfig teacher = new NcfConfig("t", 8, new int[] {48, 24}, Activation.RELU, 0.1);
        NcfConfig student = new NcfConfig("s", 8, new int[] {16, 8}, Activation.RELU, 0.1);
        task = new RatingTask("tiny", Splits.random(data, 0.15, 0.15, 3), teacher, student);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    static MethodConfig config(int epochs, int every, double rate) {
        return MethodPresets.quick().get(Method.LTH_SAD).with("epochs", String.valueOf(epochs))
                .with("prune_every", String.valueOf(every)).with("prune_rate", String.valueOf(rate))
                .with("batch_size", "128").with("qk_dim", "8");
    }

    private static TapModel teacher(long seed) throws IOException {
        MethodRun t = new MethodRun(task, backend, Method.TEACHER, config(3, 1, 0), seed, null, null, null);
        t.run();
        TapModel m = t.student();
        m.train(false);
        return m;
    }

    @Test
    void resumedRunEndsBitForBitWhereAnUninterruptedRunEnds(@TempDir Path dir) throws IOException {
        TapModel t = teacher(1);
        MethodConfig cfg = config(6, 2, 0.3);
        MethodOutcome whole = new MethodRun(task, backend, Method.LTH_SAD, cfg, 1, t, null,
                dir.resolve("a.ckpt")).run();
        Path b = dir.resolve("b.ckpt");
        assertThrows(MethodRun.Interrupted.class,
                () -> new MethodRun(task, backend, Method.LTH_SAD, cfg, 1, t, null, b).stopAfterEpoch(3).run());
        MethodOutcome resumed = new MethodRun(task, backend, Method.LTH_SAD, cfg, 1, t, null, b).run();
        assertEquals(whole.curve().size(), resumed.curve().size());
        for (int i = 0; i < whole.curve().size(); i++) {
            CurvePoint p = whole.curve().get(i);
            CurvePoint q = resumed.curve().get(i);
            assertEquals(p.valMse(), q.valMse(), 0.0, "validation MSE at epoch " + p.epoch());
            assertEquals(p.testMse(), q.testMse(), 0.0, "test MSE at epoch " + p.epoch());
            assertEquals(p.density(), q.density(), 0.0);
            assertEquals(p.trainLoss(), q.trainLoss(), 0.0);
        }
        assertEquals(whole.result().mse(), resumed.result().mse(), 0.0);
        for (Map.Entry<String, float[]> e : whole.winningState().entrySet()) {
            assertArrayEquals(e.getValue(), resumed.winningState().get(e.getKey()), 0f, e.getKey());
        }
    }

    @Test
    void everyEpochReportsItsTrainingRowsAndTheTrainingSecondsAloneOnce() throws IOException {
        TapModel t = teacher(4);
        List<double[]> trained = new java.util.ArrayList<>();
        List<Double> cumulative = new java.util.ArrayList<>();
        ProgressSink sink = new ProgressSink() {
            @Override
            public void epoch(String method, long seed, CurvePoint point, int epochs, double eta) {
                cumulative.add(point.cumulativeSeconds());
            }

            @Override
            public void epochTrained(String method, long seed, int epoch, int samples, double seconds) {
                assertEquals("LTH-SAD", method);
                assertEquals(4, seed);
                trained.add(new double[] {epoch, samples, seconds});
            }
        };
        new MethodRun(task, backend, Method.LTH_SAD, config(4, 2, 0.3), 4, t, sink, null).run();
        assertEquals(4, trained.size(), "one report per epoch");
        double sum = 0;
        for (int e = 0; e < 4; e++) {
            assertEquals(e + 1, trained.get(e)[0], 0.0, "epoch number");
            assertEquals(task.size(RegressionTask.Part.TRAIN), trained.get(e)[1], 0.0, "training rows");
            assertTrue(trained.get(e)[2] > 0, "positive seconds");
            sum += trained.get(e)[2];
            // the training part alone: never more than all the run's time so far (which adds evaluation)
            assertTrue(sum <= cumulative.get(e), sum + " s trained by epoch " + (e + 1) + " vs " + cumulative.get(e));
        }
    }

    @Test
    void pruneEventsFollowTheScheduleAndDensityFollowsTheRecurrence() throws IOException {
        TapModel t = teacher(2);
        MethodOutcome o = new MethodRun(task, backend, Method.LTH_SAD, config(6, 2, 0.25), 2, t, null, null).run();
        long events = o.curve().stream().filter(p -> !p.event().isEmpty()).count();
        assertEquals(3, events, "floor(6 / 2) prune events");
        assertTrue(o.curve().stream().allMatch(p -> p.event().isEmpty() || p.event().equals("prune+rewind")));
        // levels recorded before each prune: densities 1, 0.75, 0.5625 (within one weight)
        List<RoundRecord> r = o.rounds();
        assertEquals(3, r.size());
        assertEquals(1.0, r.get(0).density(), 1e-9);
        assertEquals(0.75, r.get(1).density(), 0.01);
        assertEquals(0.5625, r.get(2).density(), 0.01);
    }

    @Test
    void learningRateFollowsOneGlobalScheduleOrRestartsAtEveryPruneEvent() throws IOException {
        MethodConfig global = config(6, 3, 0.2).with("milestones", "[3]").with("lr_decay", "0.1").with("lr", "0.01")
                .with("milestones_per_round", "false");
        MethodConfig perRound = global.with("milestones_per_round", "true");
        List<CurvePoint> g = new MethodRun(task, backend, Method.LTH, global, 4, null, null, null).run().curve();
        List<CurvePoint> r = new MethodRun(task, backend, Method.LTH, perRound, 4, null, null, null).run().curve();
        double hi = 1e-2;
        double lo = 1e-3;
        double[] globalLr = {hi, hi, lo, lo, lo, lo};
        double[] roundLr = {hi, hi, lo, hi, hi, lo};
        for (int i = 0; i < 6; i++) {
            assertEquals(globalLr[i], g.get(i).learningRate(), 1e-9, "global schedule, epoch " + (i + 1));
            assertEquals(roundLr[i], r.get(i).learningRate(), 1e-9, "per-round schedule, epoch " + (i + 1));
        }
        // the first level is the same run either way; the second restarts at the full rate
        assertEquals(g.get(2).valMse(), r.get(2).valMse(), 0.0);
        assertTrue(g.get(4).valMse() != r.get(4).valMse(), "different rates after the first prune must show");
    }

    @Test
    void winningTicketIsTheBestValidationEpochAndItsTestNumbersAreReported() throws IOException {
        MethodOutcome o = new MethodRun(task, backend, Method.LTH, config(6, 2, 0.3), 4, null, null, null).run();
        CurvePoint best = o.curve().get(0);
        for (CurvePoint p : o.curve()) {
            if (p.valMse() < best.valMse()) {
                best = p;
            }
        }
        assertEquals(best.testMse(), o.result().mse(), 1e-9, "test MSE must be read at the best-validation epoch");
        assertEquals(best.density(), o.result().density(), 1e-9, "density of the winning ticket");
        assertEquals(best.round(), o.result().bestRound());
    }

    @Test
    void ssSadFindsTheTicketByLthThenDistilsIntoIt() throws IOException {
        TapModel t = teacher(6);
        MethodConfig cfg = MethodPresets.quick().get(Method.SS_SAD).with("prune_every", "1")
                .with("prune_rate", "0.5").with("target_density", "0.3").with("kd_epochs", "3")
                .with("batch_size", "128").with("qk_dim", "8");
        MethodOutcome o = new MethodRun(task, backend, Method.SS_SAD, cfg, 6, t, null, null).run();
        long pruneEvents = o.curve().stream().filter(p -> !p.event().isEmpty()).count();
        assertEquals(2, pruneEvents, "0.5 per round reaches 0.25 <= 0.3 after two rounds");
        CurvePoint last = o.curve().get(o.curve().size() - 1);
        assertEquals(2 + 3, last.epoch(), "phase 2 runs kd_epochs after phase 1");
        assertTrue(last.density() <= 0.3 + 1e-9, "phase 2 trains the ticket at the target density");
    }

    @Test
    void divergingRunStopsWithAMessageNamingMethodEpochAndLoss() {
        MethodConfig cfg = config(3, 1, 0).with("optimizer", "sgd").with("lr", "1e6").with("momentum", "0.9");
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new MethodRun(task, backend, Method.STUDENT, cfg, 7, null, null, null).run());
        assertTrue(e.getMessage().contains("student") && e.getMessage().contains("epoch"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*(NaN|Infinity|diverged).*"), e.getMessage());
    }

    @Test
    void aMeanLossFarAboveThePhasesFirstEpochStopsWithTheEpochLevelMessage() {
        // one batch per epoch: no batch has an earlier one in its epoch to be compared with, only the epochs do
        MethodConfig cfg = config(20, 20, 0).with("batch_size", String.valueOf(Integer.MAX_VALUE))
                .with("optimizer", "adam").with("lr", "10");
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new MethodRun(task, backend, Method.STUDENT, cfg, 7, null, null, null).run());
        String m = e.getMessage();
        assertTrue(m.startsWith("student (seed 7): training diverged at epoch ")
                && m.contains("in the first epoch of this phase"), m);
        assertTrue(!m.contains("NaN") && !m.contains("Infinity"), "a finite loss 1e4 times the first: " + m);
    }

    @Test
    void winningStudentIsSavedForExportAndRestoresToTheSamePredictions(@TempDir Path dir) throws IOException {
        MethodRun run = new MethodRun(task, backend, Method.LTH, config(4, 2, 0.5), 10, null, null, null);
        MethodOutcome o = run.run();
        String said = task.saveModel(run.student(), 10, dir.resolve("m"));
        assertTrue(said.contains("winnow export"), said);
        dev.winnow.recsys.checkpoint.Checkpoint c = dev.winnow.recsys.checkpoint.CheckpointFile.read(dir.resolve("m"));
        TapModel restored = c.restore(backend);
        float[] a = run.predict(run.student(), RegressionTask.Part.TEST);
        float[] b = run.predict(restored, RegressionTask.Part.TEST);
        assertArrayEquals(a, b, 0f, "the saved checkpoint is the winning ticket, masks included");
        boolean pruned = o.result().bestRound() > 0;
        assertEquals(pruned, o.winningState().containsKey("mlp.0.weight#mask"),
                "the winner carries a mask exactly when it comes from a pruned level (round " + o.result().bestRound()
                        + ")");
        float[] saved = c.masks().get("mlp.0.weight");
        if (!pruned && saved != null) {
            for (float v : saved) {
                assertEquals(1f, v, "a winner from before the first prune has nothing masked");
            }
        }
    }

    @Test
    void corruptCheckpointIsRefusedWithAMessage(@TempDir Path dir) throws IOException {
        Path ckpt = dir.resolve("x.ckpt");
        MethodConfig cfg = config(2, 1, 0.2);
        new MethodRun(task, backend, Method.LTH, cfg, 8, null, null, ckpt).run();
        byte[] bytes = java.nio.file.Files.readAllBytes(ckpt);
        bytes[bytes.length / 2] ^= 0x10;
        java.nio.file.Files.write(ckpt, bytes);
        IOException e = assertThrows(IOException.class,
                () -> new MethodRun(task, backend, Method.LTH, cfg, 8, null, null, ckpt).run());
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        java.nio.file.Files.write(ckpt, java.util.Arrays.copyOf(bytes, 10));
        e = assertThrows(IOException.class,
                () -> new MethodRun(task, backend, Method.LTH, cfg, 8, null, null, ckpt).run());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void checkpointOfAnotherConfigurationIsNotResumed(@TempDir Path dir) throws IOException {
        Path ckpt = dir.resolve("x.ckpt");
        new MethodRun(task, backend, Method.LTH, config(2, 1, 0.2), 9, null, null, ckpt).run();
        IOException e = assertThrows(IOException.class,
                () -> new MethodRun(task, backend, Method.LTH, config(2, 1, 0.3), 9, null, null, ckpt).run());
        assertTrue(e.getMessage().contains("different configuration"), e.getMessage());
        assertNotNull(e.getMessage());
    }

    /** Optimiser steps in one epoch: full batches plus a last partial one of at least two rows. */
    private static int stepsPerEpoch(MethodConfig cfg) {
        int n = task.size(RegressionTask.Part.TRAIN);
        int bs = Math.min(cfg.batchSize(), Math.max(n, 2));
        return n / bs + (n % bs >= 2 ? 1 : 0);
    }

    @Test
    void lateRewindPointPastTheDenseFirstLevelIsRefusedBeforeTraining() {
        MethodConfig base = config(4, 2, 0.3);
        int firstLevel = 2 * stepsPerEpoch(base);
        MethodConfig cfg = base.with("rewind_iteration", String.valueOf(firstLevel + 1));
        // theta_k must come from the dense run (spec §3.3); a k in the second level would rewind the first prune to
        // theta_0 and every later one to a pruned state of level 2
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MethodRun(task, backend, Method.LTH, cfg, 4, null, null, null).run());
        assertTrue(e.getMessage().contains("rewind_iteration " + (firstLevel + 1)), e.getMessage());
        assertTrue(e.getMessage().contains(firstLevel + " optimiser steps"), e.getMessage());
    }

    @Test
    void resumedRunWithLateRewindingEndsBitForBitWhereAnUninterruptedRunEnds(@TempDir Path dir) throws IOException {
        MethodConfig base = config(6, 2, 0.3);
        MethodConfig cfg = base.with("rewind_iteration", String.valueOf(stepsPerEpoch(base) + 1));
        MethodOutcome whole = new MethodRun(task, backend, Method.LTH, cfg, 5, null, null, null).run();
        Path b = dir.resolve("late.ckpt");
        assertThrows(MethodRun.Interrupted.class,
                () -> new MethodRun(task, backend, Method.LTH, cfg, 5, null, null, b).stopAfterEpoch(2).run());
        MethodOutcome resumed = new MethodRun(task, backend, Method.LTH, cfg, 5, null, null, b).run();
        assertEquals(whole.curve().size(), resumed.curve().size());
        for (int i = 0; i < whole.curve().size(); i++) {
            assertEquals(whole.curve().get(i).valMse(), resumed.curve().get(i).valMse(), 0.0,
                    "validation MSE at epoch " + whole.curve().get(i).epoch());
        }
        assertEquals(whole.result().mse(), resumed.result().mse(), 0.0);
    }

    @Test
    void resetDistillerOnRewindRestartsTheScheduleFromTheBaseLearningRate() throws IOException {
        TapModel t = teacher(1);
        // milestone 1 at decay 0.5: every epoch of the run trains at lr 1e-3 x 0.5, new distiller or not
        MethodConfig cfg = config(4, 2, 0.3).with("milestones", "1").with("lr_decay", "0.5")
                .with("reset_distiller_on_rewind", "true");
        MethodOutcome o = new MethodRun(task, backend, Method.LTH_SAD, cfg, 1, t, null, null).run();
        assertEquals(4, o.curve().size());
        for (CurvePoint p : o.curve()) {
            assertEquals((double) 0.5e-3f, p.learningRate(), 0.0,
                    "learning rate at epoch " + p.epoch() + " (round " + p.round() + ")");
        }
    }

    @Test
    void ssSadRefusesPruneRateZeroInsteadOfPruningForever() throws IOException {
        TapModel t = teacher(1);
        MethodConfig cfg = MethodPresets.quick().get(Method.SS_SAD).with("prune_rate", "0").with("batch_size", "128")
                .with("qk_dim", "8");
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                IllegalArgumentException.class,
                () -> new MethodRun(task, backend, Method.SS_SAD, cfg, 1, t, null, null).run()));
        assertTrue(e.getMessage().contains("prune_rate 0"), e.getMessage());
    }

    @Test
    void ssSadPhaseOneLevelsEndAtTheirPruneEpochOrPhaseOneStopsWithANote() throws IOException {
        TapModel t = teacher(1);
        // patience 1 runs out in the first epoch of level 2 (it starts again from theta_0 times the mask), which is
        // not a prune epoch: phase 1 must stop there and say so, not start shifted one-epoch levels that never prune
        MethodConfig cfg = MethodPresets.quick().get(Method.SS_SAD).with("prune_every", "3").with("prune_rate", "0.5")
                .with("target_density", "0.1").with("kd_epochs", "1").with("patience", "1").with("batch_size", "128")
                .with("qk_dim", "8");
        List<String> notes = new ArrayList<>();
        ProgressSink sink = new ProgressSink() {
            @Override
            public void epoch(String method, long seed, CurvePoint point, int epochs, double etaSeconds) {
            }

            @Override
            public void note(String method, long seed, String message) {
                notes.add(message);
            }
        };
        MethodOutcome o = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> new MethodRun(task, backend, Method.SS_SAD, cfg, 1, t, sink, null).run());
        for (CurvePoint p : o.curve()) {
            if (!p.event().isEmpty()) {
                assertEquals(0, p.epoch() % 3, "prune event at epoch " + p.epoch() + ", not at the end of a level");
            }
        }
        assertEquals(1, notes.size(), "one note: " + notes);
        assertTrue(notes.get(0).contains("phase 1 stopped") && notes.get(0).contains("patience 1"), notes.get(0));
    }

    @Test
    void cubicScheduleRampsTheDensityToTargetDensityOverThePruneEvents() throws IOException {
        MethodConfig cfg = config(4, 1, 0.3).with("prune_schedule", "cubic").with("target_density", "0.2");
        List<Double> after = new ArrayList<>();
        long[] total = new long[1];
        PruneObserver densities = new PruneObserver() {
            @Override
            public void afterPrune(int event, TapModel student, boolean rewound) {
                PrunableSet set = PrunableSet.forMlp(student.mlp(), false);
                total[0] = set.total();
                after.add(set.density());
            }
        };
        new MethodRun(task, backend, Method.LTH, cfg, 6, null, null, null).observePrunes(densities).run();
        assertEquals(4, after.size());
        for (int e = 1; e <= 4; e++) {
            // Zhu & Gupta: sparsity 0.8 (1 - (1 - e/4)^3) after event e, to one weight (a count is a whole number)
            double expected = 1 - SparsitySchedule.cubicTarget(0.0, 0.8, 4, e);
            assertEquals(expected, after.get(e - 1), 1.0 / total[0], "density after event " + e);
        }
        assertTrue(after.get(0) < 0.6, "the ramp front-loads: event 1 already removes " + (1 - after.get(0)));
    }

    @Test
    void cubicScheduleIsRefusedWhereItCannotApply() {
        MethodConfig ss = MethodPresets.quick().get(Method.SS_SAD).with("prune_schedule", "cubic");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ss.checkFor(Method.SS_SAD));
        assertTrue(e.getMessage().contains("prune_schedule"), e.getMessage());
        MethodConfig none = config(2, 3, 0.3).with("prune_schedule", "cubic");
        e = assertThrows(IllegalArgumentException.class, () -> none.checkFor(Method.LTH));
        assertTrue(e.getMessage().contains("prune_every 3"), e.getMessage());
        none.checkFor(Method.SAD); // a method that never prunes does not read it
    }

    @Test
    void twoFourPatternKeepsTwoOfEveryFourInputWeightsFromTheFirstPruneEventOn() throws IOException {
        MethodConfig cfg = config(3, 1, 0.3).with("prune_pattern", "2:4");
        List<Map<String, float[]>> after = new ArrayList<>();
        PruneObserver masks = new PruneObserver() {
            @Override
            public void afterPrune(int event, TapModel student, boolean rewound) {
                after.add(ModuleState.capture(student.mlp()));
            }
        };
        MethodRun run = new MethodRun(task, backend, Method.LTH, cfg, 7, null, null, null).observePrunes(masks);
        run.run();
        assertEquals(3, after.size());
        PrunableSet set = PrunableSet.forMlp(run.student().mlp(), false);
        for (int e = 0; e < after.size(); e++) {
            for (Parameter p : set.parameters()) {
                float[] m = after.get(e).get(p.name() + "#mask");
                int cols = p.value().cols();
                assertEquals(0, cols % 4, p.name() + " has whole groups of four");
                for (int g = 0; g < m.length; g += 4) {
                    assertEquals(2f, m[g] + m[g + 1] + m[g + 2] + m[g + 3], 0f,
                            p.name() + " group at " + g + " after event " + (e + 1));
                }
                assertArrayEquals(after.get(0).get(p.name() + "#mask"), m, 0f,
                        p.name() + ": later events keep the first event's pattern");
            }
        }
        MethodConfig sp = MethodPresets.quick().get(Method.SP_SAD).with("prune_pattern", "2:4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sp.checkFor(Method.SP_SAD));
        assertTrue(e.getMessage().contains("structured"), e.getMessage());
    }

    @Test
    void block16PatternPrunesWholeBlocksToWithinOneBlockOfTheTargetForLthLthSadAndSsSad() throws IOException {
        TapModel t = teacher(8);
        MethodConfig ss = MethodPresets.quick().get(Method.SS_SAD).with("prune_every", "1").with("prune_rate", "0.5")
                .with("target_density", "0.3").with("kd_epochs", "2").with("batch_size", "128").with("qk_dim", "8");
        Map<Method, MethodConfig> runs = new java.util.LinkedHashMap<>();
        runs.put(Method.LTH, config(3, 1, 0.3));
        runs.put(Method.LTH_SAD, config(3, 1, 0.3));
        runs.put(Method.SS_SAD, ss);
        for (Map.Entry<Method, MethodConfig> r : runs.entrySet()) {
            Method method = r.getKey();
            MethodConfig cfg = r.getValue().with("prune_pattern", "block16");
            List<long[]> events = new ArrayList<>();
            PruneObserver check = new PruneObserver() {
                @Override
                public void beforePrune(int event, TapModel student) {
                    events.add(new long[] {PrunableSet.forMlp(student.mlp(), false).alive(), 0});
                }

                @Override
                public void afterPrune(int event, TapModel student, boolean rewound) {
                    PrunableSet set = PrunableSet.forMlp(student.mlp(), false);
                    for (Parameter p : set.parameters()) {
                        assertTrue(BlockPattern.isBlocked(p.mask().toArray(), p.value().rows(), p.value().cols()),
                                method + " " + p.name() + " after event " + event);
                    }
                    events.get(events.size() - 1)[1] = set.alive();
                }
            };
            new MethodRun(task, backend, method, cfg, 8, t, null, null).observePrunes(check).run();
            assertTrue(events.size() >= 2, method + ": " + events.size() + " prune events");
            for (long[] e : events) {
                long target = dev.winnow.engine.prune.PruningMask.countToRemove(cfg.pruneRate(), e[0]);
                long removed = e[0] - e[1];
                assertTrue(removed >= target && removed < target + BlockPattern.HEIGHT,
                        method + ": removed " + removed + " of " + e[0] + " for a target of " + target);
            }
        }
    }

    @Test
    void block16IsRefusedWithStructuredPruningSoWithSpSadsPresetInOneLine() {
        MethodConfig sp = MethodPresets.quick().get(Method.SP_SAD).with("prune_pattern", "block16");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sp.checkFor(Method.SP_SAD));
        assertTrue(e.getMessage().startsWith("SP-SAD: prune_pattern block16") && e.getMessage().contains("structured")
                && !e.getMessage().contains("\n"), e.getMessage());
        sp.with("structured", "false").checkFor(Method.SP_SAD); // unstructured SP-SAD ranks blocks like the others
        sp.checkFor(Method.SAD); // a method that never prunes does not read it
    }

    @Test
    void checkpointsWrittenBeforeThePruneScheduleAndPatternSettingsExistedStillResume() {
        // the fingerprint a checkpoint must match: the two settings added in issue 15 count only when not default
        MethodConfig plain = config(4, 2, 0.2);
        String f = new MethodRun(task, backend, Method.LTH, plain, 1, null, null, null).fingerprint();
        assertTrue(!f.contains("prune_schedule") && !f.contains("prune_pattern"), f);
        String cubic = new MethodRun(task, backend, Method.LTH, plain.with("prune_schedule", "cubic"), 1, null, null,
                null).fingerprint();
        assertTrue(cubic.contains("prune_schedule=cubic"), cubic);
        // prune_embeddings (issue 16) likewise: absent at its default, so earlier checkpoints' fingerprints still match
        assertTrue(!f.contains("prune_embeddings"), f);
        String tables = new MethodRun(task, backend, Method.LTH, plain.with("prune_embeddings", "true"), 1, null, null,
                null).fingerprint();
        assertTrue(tables.contains("prune_embeddings=true"), tables);
    }
}
