package dev.winnow.recsys.method;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.distill.AttentionDistiller;
import dev.winnow.engine.distill.KdLoss;
import dev.winnow.engine.distill.SadLayout;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.nn.Module;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.optim.Adam;
import dev.winnow.engine.optim.MultiStepLr;
import dev.winnow.engine.optim.Optimizer;
import dev.winnow.engine.optim.Sgd;
import dev.winnow.engine.prune.BlockPruner;
import dev.winnow.engine.prune.IterativePruning;
import dev.winnow.engine.prune.LatentDimensionPruner;
import dev.winnow.engine.prune.LthConfig;
import dev.winnow.engine.prune.MagnitudePruner;
import dev.winnow.engine.prune.NeuronPruner;
import dev.winnow.engine.prune.NmPruner;
import dev.winnow.engine.prune.PrunableSet;
import dev.winnow.engine.prune.PruneSchedule;
import dev.winnow.engine.prune.Pruner;
import dev.winnow.engine.prune.Ranking;
import dev.winnow.engine.prune.Rewind;
import dev.winnow.engine.prune.RewindPoint;
import dev.winnow.engine.prune.SparsitySchedule;
import dev.winnow.engine.prune.UnitNorm;
import dev.winnow.engine.sparse.ExecutionPolicy;
import dev.winnow.engine.tensor.Arena;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.method.RegressionTask.Part;
import dev.winnow.recsys.method.RegressionTask.Role;
import dev.winnow.recsys.metrics.RegressionMetrics;
import dev.winnow.recsys.train.EpochLoop;
import dev.winnow.recsys.train.TrainingLoop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Algorithm 1 of the paper for one method and one seed: train the student epoch by epoch (with the teacher's
 * regression KD and Show-Attend-Distill terms when the method distils), and every {@code pruneEvery} epochs prune it
 * and either keep the trained weights (SP-SAD) or rewind the survivors (LTH-SAD, LTH). SS-SAD first finds its ticket
 * by plain LTH, then distils into it. The prune event itself (criterion, rewind point, optimiser state) is the
 * engine's {@link IterativePruning}; the learning-rate schedule and the distiller are this class's. The winning ticket
 * is the best-validation state; test numbers are read at that same epoch. A checkpoint is written after every prune
 * event, and a run resumed from it ends bit for bit where an uninterrupted run would.
 */
public final class MethodRun {
    private final RegressionTask task;
    private final Backend backend;
    private final Method method;
    private final MethodConfig cfg;
    private final long seed;
    private final TapModel teacher;
    private final ProgressSink progress;
    private final Path checkpointFile;
    private final BufferPool pool;
    private final TaskEvaluator evaluator;
    private final Map<Integer, Tensor> targetTensors = new HashMap<>();
    private BatchInput trainInput;
    private int stopAfterEpoch = Integer.MAX_VALUE;
    private PruneObserver pruneObserver = PruneObserver.NONE;

    private TapModel student;
    private AttentionDistiller distiller;
    private Optimizer optimizer;
    private MultiStepLr schedule;
    private LthConfig pruningConfig;
    private IterativePruning pruning;
    private PrunableSet prunable;
    private PrunableSet mlpPrunable;
    private float baseLr;
    private ExecutionPolicy executionPolicy = ExecutionPolicy.MASKED;
    private RunState state;
    private long startNanos;
    private double secondsBeforeResume;
    /** Whether the last evaluated epoch's validation predictions were all one value (see noteConstantPredictor). */
    private boolean constantPredictor;

    /**
     * @param teacher the frozen teacher (required by distilling methods, ignored otherwise)
     * @param checkpointFile where to checkpoint after every prune event (null: no checkpoints)
     */
    public MethodRun(RegressionTask task, Backend backend, Method method, MethodConfig cfg, long seed,
                     TapModel teacher, ProgressSink progress, Path checkpointFile) {
        if (method.usesTeacher() && teacher == null) {
            throw new IllegalArgumentException(method.label() + " distils from a teacher; train the teacher first");
        }
        cfg.checkFor(method);
        this.task = task;
        this.backend = backend;
        this.method = method;
        this.cfg = cfg;
        this.seed = seed;
        this.teacher = teacher;
        this.progress = progress == null ? ProgressSink.NONE : progress;
        this.checkpointFile = checkpointFile;
        this.pool = new BufferPool(backend);
        this.evaluator = new TaskEvaluator(task, backend, pool);
    }

    /** Stops (throws {@link Interrupted}) right after the given epoch's checkpoint: simulates a killed process. */
    public MethodRun stopAfterEpoch(int epoch) {
        this.stopAfterEpoch = epoch;
        return this;
    }

    /** How the student's pruned layers run (CSR or masked dense): a value chosen by the caller, not measured here. */
    public MethodRun executionPolicy(ExecutionPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("execution policy must not be null");
        }
        this.executionPolicy = policy;
        return this;
    }

    /** Shows the student before and after every prune event (see {@link PruneObserver}); changes no number. */
    public MethodRun observePrunes(PruneObserver observer) {
        if (observer == null) {
            throw new IllegalArgumentException("prune observer must not be null (PruneObserver.NONE observes nothing)");
        }
        this.pruneObserver = observer;
        return this;
    }

    /** Thrown by {@link #stopAfterEpoch}: the run was cut short on purpose. */
    public static final class Interrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Interrupted(String message) {
            super(message);
        }
    }

    /** A fingerprint of everything that must match for a checkpoint to be resumed. */
    public String fingerprint() {
        java.util.Map<String, Object> settings = new java.util.LinkedHashMap<>(cfg.asMap());
        // settings added after checkpoints were first written count only when they differ from their default, so a
        // run checkpointed by an earlier version (without them) still resumes
        settings.remove("prune_schedule", "constant");
        settings.remove("prune_pattern", "unstructured");
        settings.remove("prune_embeddings", false);
        return method.label() + "|" + seed + "|" + settings + "|" + task.info();
    }

    public MethodOutcome run() throws IOException {
        student = task.newModel(backend, method == Method.DCNN ? Role.DCNN : Role.STUDENT, seed);
        if (method == Method.TEACHER) {
            student = task.newModel(backend, Role.TEACHER, seed);
        }
        student.setExecutionPolicy(executionPolicy);
        prunable = prunableSet();
        checkRewindIteration();
        if (method.prunes()) {
            // before the first optimiser step: at rewind iteration 0 this takes theta_0
            pruningConfig = lthConfig();
            pruning = new IterativePruning(student, pruner(pruningConfig), sparsitySchedule(pruningConfig),
                    pruningConfig.rewind(), pruningConfig.rewindIteration(), pruningConfig.freshOptimizer(), null);
        }
        state = checkpointFile == null ? null : RunCheckpoint.read(checkpointFile, method.label(), seed, fingerprint());
        boolean resumed = state != null;
        if (!resumed) {
            state = new RunState();
            state.rewind = ModuleState.capture(student);
        } else if (pruning != null) {
            int k = pruningConfig.rewindIteration();
            pruning.resume(state.round, state.steps >= k ? RewindPoint.fromMap(student, state.rewind, k) : null);
        }
        startNanos = System.nanoTime();
        secondsBeforeResume = state.cumulativeSeconds;
        if (method == Method.SS_SAD) {
            runSparseStudent(resumed);
        } else {
            boolean distils = method.usesTeacher();
            setUp(distils, cfg.lr(), cfg.milestones(), cfg.lrDecay(), resumed);
            trainSegment(cfg.epochs(), 0, distils, method.prunes(), cfg.epochs());
        }
        return WinningTicket.measure(method, seed, state, student, evaluator, prunable, mlpPrunable);
    }

    // ---- set-up -------------------------------------------------------------------------------------------------

    /**
     * What pruning ranks: the MLP's hidden weights (spec §3.1), and with prune_embeddings the user and item tables
     * after them (so ties still go to the MLP first); a model without an MLP, its flagged weights. Sets
     * {@link #mlpPrunable}, the MLP part alone, whose density is reported beside the whole set's.
     */
    private PrunableSet prunableSet() {
        if (student.mlp() == null) {
            mlpPrunable = PrunableSet.of(student);
            return mlpPrunable;
        }
        mlpPrunable = PrunableSet.forMlp(student.mlp(), false);
        if (!cfg.pruneEmbeddings() || !method.prunes()) {
            return mlpPrunable;
        }
        List<Parameter> tables = student.embeddingTables();
        if (tables.isEmpty()) {
            throw new IllegalArgumentException(method.label() + ": prune_embeddings is set, but this task's model has "
                    + "no embedding tables (it reads movie features); drop prune_embeddings for it");
        }
        List<Parameter> all = new ArrayList<>(mlpPrunable.parameters());
        all.addAll(tables);
        return PrunableSet.explicit(all);
    }

    /**
     * Algorithm 1's prune event as the engine's configuration: a fixed rate, rewinding for the LTH family (to theta_0,
     * or to theta_k of the dense run), and a fresh optimiser at every rewind (spec §5.3, as
     * {@link LthConfig#lthSad()}) or, without rewinding, the state zeroed at the pruned positions unless
     * fresh_optimizer_per_round.
     */
    private LthConfig lthConfig() {
        boolean rewinds = rewinds();
        // rewind_iteration -1 and 0 both mean theta_0, the state after 0 optimiser steps
        int k = rewinds ? Math.max(0, cfg.rewindIteration()) : 0;
        return new LthConfig(cfg.pruneRate(), cfg.pruneEvery(), Ranking.GLOBAL, rewinds ? Rewind.REWIND : Rewind.NONE,
                k, false, rewinds || cfg.freshOptimizerPerRound());
    }

    /** prune_rate at every event, or the cubic ramp to target_density over the run's prune events. */
    private SparsitySchedule sparsitySchedule(LthConfig config) {
        if (cfg.cubicSchedule()) {
            return SparsitySchedule.cubic(0.0, 1 - cfg.targetDensity(), cfg.pruneEvents());
        }
        return SparsitySchedule.fixedRate(config.rate());
    }

    /**
     * Whole hidden units by the L1 norm of their incoming weights (structured), the 2:4 pattern, 16x1 blocks by their
     * mean magnitude (the tables, with prune_embeddings, as single weights in the same ranking), or single weights by
     * magnitude.
     */
    private Pruner pruner(LthConfig config) {
        if (cfg.structured()) {
            Pruner units = new NeuronPruner(student.mlp(), UnitNorm.L1, false);
            // structured pruning of the tables: whole latent dimensions, column c of both tables, at the units' rate
            return prunable != mlpPrunable
                    ? Pruner.both(units, new LatentDimensionPruner(student.embeddingTables())) : units;
        }
        if (cfg.twoFour()) {
            return NmPruner.twoFour().over(prunable);
        }
        if (cfg.block16()) {
            return new BlockPruner(prunable, config.ranking());
        }
        return new MagnitudePruner(prunable, config.ranking());
    }

    /**
     * Late rewinding takes theta_k from the dense run (spec §3.3): k must fall inside the first pruning level, or the
     * first prune would come before there is anything to rewind to.
     */
    private void checkRewindIteration() {
        int k = cfg.rewindIteration();
        boolean prunesAtAll = method == Method.SS_SAD || (method.prunes() && cfg.pruneEvents() > 0);
        if (!rewinds() || k <= 0 || !prunesAtAll) {
            return;
        }
        long perEpoch = batchesPerEpoch();
        long firstLevel = perEpoch * cfg.pruneEvery();
        if (k > firstLevel) {
            throw new IllegalArgumentException(method.label() + ": rewind_iteration " + k + " is past the dense first "
                    + "pruning level, which takes " + firstLevel + " optimiser steps (prune_every " + cfg.pruneEvery()
                    + " x " + perEpoch + " batches); theta_k must come from the dense run, so set rewind_iteration "
                    + "<= " + firstLevel);
        }
    }

    /** Optimiser steps per epoch, as {@link #studentTrainer} takes them (a last batch of one row is skipped). */
    private long batchesPerEpoch() {
        int n = task.size(Part.TRAIN);
        int bs = Math.min(cfg.batchSize(), Math.max(n, 2));
        return n / bs + (n % bs >= 2 ? 1 : 0);
    }

    private void setUp(boolean distils, float lr, int[] milestones, float lrDecay, boolean resumed) {
        if (distils) {
            SadLayout layout = SadLayout.forMlp(teacher.tapWidths(), student.tapWidths(), cfg.qkDim());
            distiller = new AttentionDistiller(backend, "distiller", layout, new SplittableRandom(seed * 31 + 7));
        } else {
            distiller = null;
        }
        baseLr = lr;
        optimizer = newOptimizer(lr);
        schedule = new MultiStepLr(optimizer, milestones, lrDecay);
        if (resumed) {
            ModuleState.restore(student, state.student, "checkpoint student");
            if (distiller != null && !state.distiller.isEmpty()) {
                ModuleState.restore(distiller, state.distiller, "checkpoint distiller");
            }
            optimizer.importState(state.optimizer);
        }
    }

    private Optimizer newOptimizer(float lr) {
        List<Parameter> params = new ArrayList<>(student.parameters());
        if (distiller != null) {
            params.addAll(distiller.parameters());
        }
        if (cfg.optimizer().equals("adam")) {
            return new Adam(params, lr, 0.9f, 0.999f, 1e-8f, cfg.weightDecay(), false);
        }
        if (cfg.optimizer().equals("lazy-adam")) {
            return Adam.lazy(params, lr, 0.9f, 0.999f, 1e-8f, cfg.weightDecay(), false);
        }
        return new Sgd(params, lr, cfg.momentum(), 0f, cfg.weightDecay(), false);
    }

    // ---- SS-SAD -------------------------------------------------------------------------------------------------

    private void runSparseStudent(boolean resumed) throws IOException {
        if (state.phase == 1) {
            // Phase 1: plain LTH rounds (no teacher, fresh optimiser each round) until the target density.
            setUp(false, cfg.lr(), new int[0], 1f, resumed);
            while (prunable.density() > cfg.targetDensity()) {
                if (patienceExhausted()) {
                    progress.note(method.label(), seed, String.format(java.util.Locale.ROOT, "phase 1 stopped at "
                            + "epoch %d, density %.4f above target_density %s: no validation improvement for patience "
                            + "%d epochs; distilling into the current ticket", state.epoch, prunable.density(),
                            cfg.targetDensity(), cfg.patience()));
                    break;
                }
                int end = state.epoch + cfg.pruneEvery();
                trainSegment(end, state.epoch, false, true, Integer.MAX_VALUE);
                optimizer = newOptimizer(cfg.lr());
                schedule = new MultiStepLr(optimizer, new int[0], 1f);
            }
            // Phase 2 starts from the ticket: theta_0 on the final mask, a fresh optimiser and a new distiller.
            pruning.rewindToPoint();
            state.phase = 2;
            state.phaseStart = state.epoch;
            state.bestValMse = Double.POSITIVE_INFINITY;
            state.levelBestValMse = Double.POSITIVE_INFINITY;
            resumed = false;
        }
        setUp(true, cfg.kdLr(), new int[0], 1f, resumed);
        trainSegment(state.phaseStart + cfg.kdEpochs(), state.phaseStart, true, false, Integer.MAX_VALUE);
    }

    /**
     * Whether early stopping has run out: no validation improvement for {@code patience} epochs. SS-SAD's phase 1
     * checks it before each level, from the saved state, so that a resumed run stops where the uninterrupted one did.
     */
    private boolean patienceExhausted() {
        return cfg.patience() > 0 && state.bestEpoch >= 0 && state.epoch - state.bestEpoch >= cfg.patience();
    }

    // ---- the epoch loop -----------------------------------------------------------------------------------------

    /**
     * Trains from state.epoch + 1 through {@code lastEpoch}. Prune events happen at the end of epochs that are
     * multiples of pruneEvery (counted from {@code segmentStart}) when {@code prunes}; {@code totalEpochs} is the
     * schedule length used for the ETA.
     */
    private void trainSegment(int lastEpoch, int segmentStart, boolean distils, boolean prunes, int totalEpochs)
            throws IOException {
        PruneSchedule levels = new PruneSchedule(Math.max(0, lastEpoch - segmentStart), cfg.pruneEvery());
        int bs = EpochLoop.batchRows(cfg.batchSize(), task.size(Part.TRAIN), 2);
        // batch norm (distiller, BN models) needs two rows: a one-row leftover batch is skipped
        TrainingLoop loop = new TrainingLoop(bs, 2, studentTrainer(bs, distils, segmentStart, prunes));
        loop.run(state.epoch + 1, lastEpoch, (epoch, loss, epochSeconds) -> {
            state.cumulativeFlops += TrainingFlops.perTrainSample(student, distils, teacher, distiller)
                    * task.size(Part.TRAIN);
            float[] valRaw = evaluator.predictUnclipped(student, Part.VALIDATION);
            noteConstantPredictor(epoch, valRaw);
            RegressionMetrics val = RegressionMetrics.of(evaluator.clip(valRaw), task.targets(Part.VALIDATION));
            RegressionMetrics test = evaluate(Part.TEST);
            state.cumulativeSeconds = secondsBeforeResume + (System.nanoTime() - startNanos) / 1e9;
            progress.epochTrained(method.label(), seed, epoch, task.size(Part.TRAIN), epochSeconds);
            double density = prunable.density();
            if (val.mse() < state.levelBestValMse) {
                state.levelBestValMse = val.mse();
                state.levelBestEpoch = epoch;
            }
            if (val.mse() < state.bestValMse) {
                state.bestValMse = val.mse();
                state.bestEpoch = epoch;
                state.bestRound = state.round;
                state.best = ModuleState.capture(student);
            }
            boolean pruneNow = prunes && levels.pruneAfter(epoch - segmentStart);
            String event = pruneNow ? (rewinds() ? "prune+rewind" : "prune") : "";
            CurvePoint point = new CurvePoint(method.label(), seed, epoch, state.round, density, loss, val.mae(),
                    val.mse(), test.mae(), test.mse(), event, state.cumulativeFlops, state.cumulativeSeconds,
                    optimizer.learningRate(), mlpPrunable.density());
            state.curve.add(point);
            if (pruneNow) {
                state.rounds.add(levelRecord(density, point.mlpDensity()));
                prune();
            }
            state.epoch = epoch;
            double eta = epochSeconds * Math.max(0, Math.min(totalEpochs, lastEpoch) - epoch);
            progress.epoch(method.label(), seed, point, Math.min(totalEpochs, lastEpoch), eta);
            if (pruneNow || epoch == lastEpoch) {
                saveCheckpoint();
            }
            boolean patienceOut = cfg.patience() > 0 && epoch - state.bestEpoch >= cfg.patience();
            if (patienceOut && !pruneNow && epoch != lastEpoch) {
                saveCheckpoint();
            }
            if (epoch >= stopAfterEpoch) {
                throw new Interrupted(method.label() + " seed " + seed + " stopped after epoch " + epoch);
            }
            return !patienceOut; // early stopping: no validation improvement for `patience` epochs
        });
    }

    /**
     * The student's side of the epoch loop: the schedule's learning rate, the seed's order for each epoch, and steps
     * of the task loss (with the KD and SAD terms when {@code distils}).
     */
    private TrainingLoop.Trainer studentTrainer(int bs, boolean distils, int segmentStart, boolean prunes) {
        if (trainInput == null) {
            trainInput = task.newInput(backend, bs);
        }
        BatchInput input = trainInput;
        float[] y = new float[bs];
        float[] targets = task.targets(Part.TRAIN);
        int n = task.size(Part.TRAIN);
        return new TrainingLoop.Trainer() {
            @Override
            public void beforeEpoch(int epoch) {
                schedule.startEpoch(scheduleEpoch(epoch - segmentStart, prunes));
            }

            @Override
            public int[] order(int epoch) {
                return Splits.permutation(n, new SplittableRandom(seed).split().nextLong()
                        ^ (epoch * 0x9E3779B97F4A7C15L));
            }

            @Override
            public List<Module> modules() {
                return distiller == null ? List.of(student) : List.of(student, distiller);
            }

            @Override
            public void fill(int[] rows, int start, int len) {
                task.fill(input, Part.TRAIN, rows, start, len);
                for (int k = 0; k < len; k++) {
                    y[k] = targets[rows[start + k]];
                }
            }

            @Override
            public float step(int len) {
                return MethodRun.this.step(input, y, len, distils);
            }

            @Override
            public String batchDiverged(int epoch, float loss, int batch, float firstLoss, double meanSoFar) {
                return method.label() + " (seed " + seed + "): loss became " + loss + " at epoch " + epoch
                        + ", batch " + batch + ", from " + firstLoss + " in the epoch's first batch; mean loss so far "
                        + (Double.isNaN(meanSoFar) ? "n/a" : String.valueOf(meanSoFar)) + "; lower lr (now "
                        + optimizer.learningRate() + ")";
            }

            @Override
            public String epochDiverged(int epoch, double loss, double firstLoss) {
                return method.label() + " (seed " + seed + "): training diverged at epoch " + epoch + ": mean loss "
                        + loss + " vs " + firstLoss + " in the first epoch of this phase; lower lr (now "
                        + optimizer.learningRate() + ")";
            }
        };
    }

    /**
     * The 1-based epoch the LR schedule sees: the epoch within the segment, or with {@code milestones_per_round}
     * the epoch within the current pruning level (so the learning rate restarts after every prune event).
     */
    private int scheduleEpoch(int segmentEpoch, boolean prunes) {
        if (prunes && cfg.milestonesPerRound()) {
            return (segmentEpoch - 1) % cfg.pruneEvery() + 1;
        }
        return segmentEpoch;
    }

    /**
     * Says so (a progress note) when the student's raw output is one value for every validation row, and when it
     * stops: a network whose hidden units all died (e.g. SGD at a high rate in the first epoch) trains on with a flat
     * loss and scores like predicting a constant, which no divergence check catches. Raw, not clipped: an untrained
     * network whose outputs all lie below the lowest rating is clipped to one value without being dead. Changes no
     * number.
     */
    private void noteConstantPredictor(int epoch, float[] predicted) {
        boolean constant = predicted.length > 1;
        for (int k = 1; k < predicted.length && constant; k++) {
            constant = Float.floatToIntBits(predicted[k]) == Float.floatToIntBits(predicted[0]);
        }
        if (constant && !constantPredictor) {
            progress.note(method.label(), seed, String.format(java.util.Locale.ROOT, "epoch %d: the student outputs %s "
                    + "for every one of the %d validation rows (before clipping to the target range), a constant: its "
                    + "hidden units are dead or cut off (a learning rate too high for the first steps?), and it scores "
                    + "like predicting the mean until this changes", epoch, predicted[0], predicted.length));
        } else if (!constant && constantPredictor) {
            progress.note(method.label(), seed, "epoch " + epoch + ": the student's outputs vary again");
        }
        constantPredictor = constant;
    }

    /** The current pruning level's best-validation epoch, read back from the curve. */
    private RoundRecord levelRecord(double density, double mlpDensity) {
        CurvePoint best = null;
        for (CurvePoint p : state.curve) {
            if (p.epoch() == state.levelBestEpoch) {
                best = p;
            }
        }
        return new RoundRecord(state.round, density, prunable.alive(), best.epoch(), best.valMse(), best.valMae(),
                best.testMse(), best.testMae(), mlpDensity);
    }

    private boolean rewinds() {
        return method == Method.LTH_SAD || method == Method.LTH || method == Method.SS_SAD;
    }

    /**
     * One prune event (the engine's): shrink the mask, then rewind (LTH family) or keep the trained weights (SP-SAD),
     * and reset or zero the optimiser state. With reset_distiller_on_rewind a new distiller joins a new optimiser,
     * whose schedule starts again from the base learning rate (the next epoch sets the decayed one).
     */
    private void prune() {
        pruneObserver.beforePrune(state.round + 1, student);
        pruning.prune(optimizer);
        state.round++;
        state.levelBestValMse = Double.POSITIVE_INFINITY;
        state.levelBestEpoch = -1;
        boolean rewinds = rewinds();
        if (distiller != null && cfg.resetDistillerOnRewind() && rewinds) {
            SadLayout layout = distiller.layout();
            distiller = new AttentionDistiller(backend, "distiller", layout, new SplittableRandom(seed * 31 + 7));
            optimizer = newOptimizer(baseLr);
            schedule = new MultiStepLr(optimizer, cfg.milestones(), cfg.lrDecay());
        }
        pruneObserver.afterPrune(state.round, student, rewinds);
    }

    private float step(BatchInput input, float[] y, int len, boolean distils) {
        Tensor target = targetTensors.computeIfAbsent(len, k -> Tensor.zeros(backend, k, 1, false));
        backend.upload(y, 0, target.data(), 0, len);
        try (Arena arena = Arena.open(pool)) {
            optimizer.zeroGrad();
            List<Tensor> studentTaps = distils ? new ArrayList<>() : null;
            Tensor pred = student.forward(input, studentTaps);
            Tensor loss = Loss.mse(pred, target);
            if (distils) {
                List<Tensor> teacherTaps = new ArrayList<>();
                Tensor teacherPred;
                try (GradMode g = GradMode.disabled()) {
                    teacherPred = teacher.forward(input, teacherTaps);
                }
                if (cfg.alpha() != 0f) {
                    loss = Ops.add(loss, Ops.scale(KdLoss.regression(pred, teacherPred), cfg.alpha()));
                }
                if (cfg.beta() != 0f) {
                    loss = Ops.add(loss, Ops.scale(distiller.loss(studentTaps, teacherTaps), cfg.beta()));
                }
            }
            loss.backward();
            optimizer.step();
            state.steps++;
            if (pruning != null) {
                pruning.afterStep(state.steps); // takes theta_k at step k of the dense run
            }
            return loss.item();
        }
    }

    /** Predictions for a whole partition (clipped to the target range), no tape. */
    public float[] predict(TapModel model, Part part) {
        return evaluator.predict(model, part);
    }

    private RegressionMetrics evaluate(Part part) {
        return evaluator.evaluate(student, part);
    }

    private void saveCheckpoint() throws IOException {
        if (checkpointFile == null) {
            return;
        }
        state.student = ModuleState.capture(student);
        state.distiller = distiller == null ? new HashMap<>() : ModuleState.capture(distiller);
        state.optimizer = optimizer.exportState();
        if (pruning != null && pruning.rewindPoint() != null) {
            state.rewind = pruning.rewindPoint().asMap();
        }
        RunCheckpoint.write(checkpointFile, method.label(), seed, fingerprint(), state);
    }

    public TapModel student() {
        return student;
    }
}
