package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Module;
import dev.winnow.engine.optim.Optimizer;

import java.util.function.Supplier;

/**
 * The prune event of Algorithm 1, whatever the criterion: prune at the schedule's rate, then keep / rewind /
 * re-initialise the student's values, then zero the optimiser state at the pruned positions (or reset it all for a
 * fresh optimiser per round). It also takes the rewind snapshot at iteration k. The distiller is not touched.
 */
public final class IterativePruning {
    private final Module student;
    private final Pruner pruner;
    private final SparsitySchedule schedule;
    private final Rewind rewind;
    private final int rewindIteration;
    private final boolean freshOptimizer;
    private final Supplier<Module> freshInit;
    private RewindPoint rewindPoint;
    private int events;

    /**
     * Construct it before the first optimiser step: with {@code rewindIteration == 0} the constructor takes the
     * initialisation snapshot.
     *
     * @param freshInit builds the same architecture with a new seed; needed only for {@link Rewind#RANDOM_REINIT}
     *                  (may be null otherwise)
     */
    public IterativePruning(Module student, Pruner pruner, SparsitySchedule schedule, Rewind rewind,
                            int rewindIteration, boolean freshOptimizer, Supplier<Module> freshInit) {
        if (rewind == Rewind.RANDOM_REINIT && freshInit == null) {
            throw new IllegalArgumentException("random re-initialisation needs a factory for a fresh model");
        }
        this.student = student;
        this.pruner = pruner;
        this.schedule = schedule;
        this.rewind = rewind;
        this.rewindIteration = rewindIteration;
        this.freshOptimizer = freshOptimizer;
        this.freshInit = freshInit;
        if (rewindIteration == 0) {
            rewindPoint = RewindPoint.capture(student, 0);
        }
    }

    /** Unstructured magnitude pruning of {@code set} configured by {@code config}. */
    public static IterativePruning of(Module student, PrunableSet set, LthConfig config, Supplier<Module> freshInit) {
        return of(student, new MagnitudePruner(set, config.ranking()), config, freshInit);
    }

    /**
     * Any criterion ({@link MagnitudePruner}, or {@link NeuronPruner} for whole hidden units) at {@code config}'s
     * fixed rate, rewind and optimiser handling; {@code config.ranking()} and {@code includeOutputLayer()} are the
     * pruner's business, not read here. {@code student} is everything a rewind restores (embeddings included), which
     * may be more than what {@code pruner} prunes.
     */
    public static IterativePruning of(Module student, Pruner pruner, LthConfig config, Supplier<Module> freshInit) {
        return new IterativePruning(student, pruner, SparsitySchedule.fixedRate(config.rate()), config.rewind(),
                config.rewindIteration(), config.freshOptimizer(), freshInit);
    }

    /** Unstructured magnitude pruning of an Mlp's weights; the output layer as {@code config} says. */
    public static IterativePruning forMlp(dev.winnow.engine.nn.Mlp student, LthConfig config,
                                          Supplier<Module> freshInit) {
        return of(student, PrunableSet.forMlp(student, config.includeOutputLayer()), config, freshInit);
    }

    /** Call after every optimiser step with the number of steps taken so far: snapshots the dense run at step k. */
    public void afterStep(long iteration) {
        if (rewindPoint == null && iteration == rewindIteration) {
            rewindPoint = RewindPoint.capture(student, rewindIteration);
        }
    }

    /** One prune event. */
    public PruneOutcome prune(Optimizer optimizer) {
        if (rewind == Rewind.REWIND && rewindPoint == null) {
            throw new IllegalStateException("prune event before the rewind point (iteration " + rewindIteration
                    + ") was captured; call afterStep(iteration) after every optimiser step");
        }
        events++;
        PruneOutcome outcome = pruner.prune(schedule.rateAt(events, pruner.density()));
        switch (rewind) {
            case NONE:
                break;
            case REWIND:
                rewindPoint.rewind(student);
                break;
            case RANDOM_REINIT:
                RewindPoint.randomReinit(student, freshInit.get());
                break;
            default:
                throw new AssertionError(rewind);
        }
        if (optimizer != null) {
            optimizer.zeroStateWhereMasked();
            if (freshOptimizer) {
                optimizer.resetState();
            }
        }
        return outcome;
    }

    /**
     * Continues a checkpointed run: {@code events} prune events already happened, and {@code point} is the rewind
     * point saved with it (null when iteration k had not been reached yet; {@link #afterStep} then still takes it).
     */
    public void resume(int events, RewindPoint point) {
        if (events < 0) {
            throw new IllegalArgumentException("prune events so far must be >= 0, got " + events);
        }
        if (point != null && point.iteration() != rewindIteration) {
            throw new IllegalArgumentException("the saved rewind point is from iteration " + point.iteration()
                    + ", this run rewinds to iteration " + rewindIteration);
        }
        this.events = events;
        if (point != null) {
            this.rewindPoint = point;
        }
    }

    /** Puts the student's values back to the rewind point on the current masks, outside a prune event. */
    public void rewindToPoint() {
        if (rewindPoint == null) {
            throw new IllegalStateException("no rewind point yet (iteration " + rewindIteration
                    + " was not reached); call afterStep(iteration) after every optimiser step");
        }
        rewindPoint.rewind(student);
    }

    public int events() {
        return events;
    }

    public RewindPoint rewindPoint() {
        return rewindPoint;
    }

    public Pruner pruner() {
        return pruner;
    }
}
