package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.prune.PrunableSet;
import dev.winnow.engine.sparse.ExecutionMode;
import dev.winnow.engine.sparse.ExecutionPolicy;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.perf.KernelTimer;
import dev.winnow.recsys.train.RatingTrainer;
import dev.winnow.recsys.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import static dev.winnow.recsys.cli.BenchCommand.checkDensity;
import static dev.winnow.recsys.cli.BenchCommand.checkHeap;
import static dev.winnow.recsys.cli.BenchCommand.checkThreads;
import static dev.winnow.recsys.cli.BenchCommand.density;
import static dev.winnow.recsys.cli.BenchCommand.parseClock;
import static dev.winnow.recsys.cli.BenchCommand.parsePattern;
import static dev.winnow.recsys.cli.BenchCommand.seconds;

/** One NCF student training step (forward, backward, Adam or lazy Adam) unpruned, masked and CSR at one density. */
@Command(name = "step", mixinStandardHelpOptions = true,
        description = "Median time of one NCF training step: dense (unpruned), masked and CSR with the hidden "
                + "layers' weights at --density (random mask; the output layer stays dense, as the methods leave it), "
                + "the modes (and optimisers) taking turns in blocks of 25 steps in one JVM. One line per mode and "
                + "optimiser: step=<mode> ... seconds=<median> speedup_vs_dense=<x>.")
final class BenchStepCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "student", description = "Model preset. Default: ${DEFAULT-VALUE}.")
    String model;
    @Option(names = "--density", defaultValue = "0.1", description = "Default: ${DEFAULT-VALUE}.")
    double density;
    @Option(names = "--batch", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
    int batch;
    @Option(names = "--threads", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int threads;
    @Option(names = "--steps", defaultValue = "200", description = "Timed steps (median). Default: ${DEFAULT-VALUE}.")
    int steps;
    @Option(names = "--clock", defaultValue = "wall", paramLabel = "wall|cpu",
            description = "wall or the thread's CPU time (1 thread only). Default: ${DEFAULT-VALUE}.")
    String clock;
    @Option(names = "--optimizer", defaultValue = "adam", split = ",", paramLabel = "adam|lazy-adam",
            description = "The step's optimiser: adam, or lazy-adam (embedding tables update only the rows the "
                    + "batch looks up); both (adam,lazy-adam) time them interleaved in one JVM and add "
                    + "speedup_vs_adam. Default: ${DEFAULT-VALUE}.")
    List<String> optimizers;
    @Option(names = "--users", defaultValue = "943", description = "Rows of the user embedding table (synthetic "
            + "data, 100,000 ratings). Default: ${DEFAULT-VALUE} (MovieLens 100K).")
    int users;
    @Option(names = "--items", defaultValue = "1682", description = "Rows of the item embedding table. Default: "
            + "${DEFAULT-VALUE} (MovieLens 100K).")
    int items;
    /** Steps per mode before the next mode's turn (see {@link #timeInterleaved}). */
    private static final int BLOCK = 25;

    @Option(names = "--modes", defaultValue = "dense,masked,csr", split = ",", paramLabel = "MODE",
            description = "Which of dense, masked, csr to time (speedup_vs_dense needs dense). "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> modes;
    @Option(names = "--pattern", defaultValue = "unstructured", paramLabel = "unstructured|block16",
            description = "The masks: single weights, or whole 16x1 blocks (prune_pattern=block16), whose csr mode runs "
                    + "the forward in block form. Default: ${DEFAULT-VALUE}.")
    String pattern;
    private boolean cpu;
    private boolean blocks;

    @Override
    public Integer call() {
        checkThreads(threads);
        checkDensity("--density", density);
        if (batch < 1 || steps < 1) {
            throw new IllegalArgumentException("--batch and --steps must be positive");
        }
        cpu = parseClock(clock, threads);
        blocks = parsePattern(pattern);
        for (String optimizer : optimizers) {
            if (!optimizer.equals("adam") && !optimizer.equals("lazy-adam")) {
                throw new IllegalArgumentException("--optimizer: '" + optimizer + "' is not adam or lazy-adam");
            }
        }
        for (String mode : modes) {
            if (!List.of("dense", "masked", "csr").contains(mode)) {
                throw new IllegalArgumentException("--modes: '" + mode + "' is not one of dense, masked, csr");
            }
        }
        NcfConfig cfg = NcfConfig.preset(model);
        List<String> opts = List.of("adam", "lazy-adam").stream().filter(optimizers::contains).toList();
        checkStepFits(cfg, modes.size() * opts.size());
        if (users < 1 || items < 1 || (long) users * items < 100_000) {
            throw new IllegalArgumentException("--users and --items must be positive with users x items >= "
                    + "100000 (the synthetic data's ratings), got " + users + " x " + items);
        }
        RatingData data = SyntheticRatings.generate(0, users, items, 100_000);
        List<String> modeOrder = List.of("dense", "masked", "csr").stream().filter(modes::contains).toList();
        List<String[]> order = new ArrayList<>(); // {mode, optimizer}, modes outermost
        for (String mode : modeOrder) {
            for (String opt : opts) {
                order.add(new String[] {mode, opt});
            }
        }
        double[] medians = timeInterleaved(cfg, data, order);
        for (int k = 0; k < order.size(); k++) {
            String mode = order.get(k)[0];
            String opt = order.get(k)[1];
            double s = medians[k];
            double dense = modeOrder.contains("dense") ? medians[modeOrder.indexOf("dense") * opts.size()
                    + opts.indexOf(opt)] : 0;
            double adam = opt.equals("adam") || !opts.contains("adam") ? 0
                    : medians[modeOrder.indexOf(mode) * opts.size() + opts.indexOf("adam")];
            System.out.printf(Locale.ROOT, "step=%s model=%s batch=%d density=%s%s threads=%d optimizer=%s "
                    + "seconds=%s%s%s%n", mode, model, batch, mode.equals("dense") ? "1" : density(density),
                    blocks && !mode.equals("dense") ? " pattern=block16" : "", threads, opt, seconds(s),
                    dense > 0 ? String.format(Locale.ROOT, " speedup_vs_dense=%.2f", dense / s) : "",
                    adam > 0 ? String.format(Locale.ROOT, " speedup_vs_adam=%.2f", adam / s) : "");
        }
        return 0;
    }

    /**
     * The batch's activations are the only size the options set: the widest is the concatenated embeddings
     * (batch x 2·embedding). Per mode, about 32 bytes per activation element (forward outputs, gradients and the
     * arena's buffers) over every layer's width.
     */
    private void checkStepFits(NcfConfig cfg, int modeCount) {
        long widths = 2L * cfg.embeddingDim() + 1;
        long widest = 2L * cfg.embeddingDim();
        for (int h : cfg.hidden()) {
            widths += h;
            widest = Math.max(widest, h);
        }
        String options = "--batch " + batch + " --model " + model;
        if ((long) batch * widest > KernelTimer.MAX_OPERAND_ELEMENTS) {
            throw new IllegalArgumentException(options + ": an activation would have " + (long) batch * widest
                    + " elements; at most " + KernelTimer.MAX_OPERAND_ELEMENTS + " fit in one Java array; use a "
                    + "smaller --batch");
        }
        checkHeap(options, (long) modeCount * 32L * batch * widths);
    }

    /** One model, trainer and backend per mode and optimiser, each with the same weights, mask draw and batches. */
    final class Runner implements AutoCloseable {
        final Backend be;
        final NcfModel ncf;
        final RatingTrainer trainer;
        final int[] u = new int[batch];
        final int[] it = new int[batch];
        final float[] r = new float[batch];
        int step;

        Runner(NcfConfig cfg, RatingData data, String mode, String optimizer) {
            be = new CpuBackend(threads);
            ncf = new NcfModel(be, cfg, data.users(), data.items(), 0);
            SplittableRandom rng = new SplittableRandom(1);
            // The weights the methods prune by default are masked (PrunableSet.forMlp without the output layer,
            // LthConfig.includeOutputLayer) and the rest stays dense. With the output layer masked too, the
            // unstructured draw at density 0.1 kept ~6 of its 64 weights and every ReLU feeding them died within 100
            // steps, after which no gradient reached the embeddings; their Adam moments then decayed into subnormals
            // that stay put (0.9 * k * 2^-149 rounds back to k for k <= 4), which cost an Intel core a microcode assist
            // per vector: the step timed a dead network (bench/RESULTS.md, Machine 4).
            List<Parameter> prunable = mode.equals("dense") ? List.of()
                    : PrunableSet.forMlp(ncf.mlp(), false).parameters();
            for (Linear layer : ncf.mlp().layers()) {
                boolean pruned = prunable.contains(layer.weight());
                if (pruned) {
                    float[] m = new float[layer.weight().value().size()];
                    KernelTimer.fillMask(m, layer.out(), layer.in(), density, blocks, rng);
                    layer.weight().setMask(m);
                }
                layer.setExecutionPolicy(ExecutionPolicy.always(!pruned ? ExecutionMode.DENSE
                        : mode.equals("csr") ? ExecutionMode.CSR : ExecutionMode.MASKED));
            }
            trainer = new RatingTrainer(ncf, be, new TrainConfig(1, batch, 1e-3f, 0), optimizer);
        }

        /** Seconds of one training step on the next batch. */
        double step(RatingData data) {
            fill(data, step++, u, it, r);
            long t0 = now();
            trainer.step(u, it, r, batch);
            return (now() - t0) / 1e9;
        }

        @Override
        public void close() {
            be.close();
        }
    }

    /**
     * Median step time per runner, the runners interleaved in blocks of {@link #BLOCK} steps so that each sees the
     * same machine: on a shared VM whole JVMs (and minutes) run 1.5x faster or slower than others, which made ratios
     * of modes timed one after the other swing between 1.3x and 3x.
     */
    private double[] timeInterleaved(NcfConfig cfg, RatingData data, List<String[]> order) {
        List<Runner> runners = new ArrayList<>();
        try {
            for (String[] modeAndOptimizer : order) {
                runners.add(new Runner(cfg, data, modeAndOptimizer[0], modeAndOptimizer[1]));
            }
            // Warm up for at least 2 s and 50 steps per mode: on a loaded machine the JIT needs that long to
            // compile the Vector API kernels, and timing before that measures the interpreter.
            long warmUntil = System.nanoTime() + 2_000_000_000L * runners.size();
            for (int w = 0; w < 50 || System.nanoTime() < warmUntil; w++) {
                for (Runner rn : runners) {
                    rn.step(data);
                }
            }
            double[][] t = new double[runners.size()][steps];
            for (int k0 = 0; k0 < steps; k0 += BLOCK) {
                for (int m = 0; m < runners.size(); m++) {
                    for (int k = k0; k < Math.min(steps, k0 + BLOCK); k++) {
                        t[m][k] = runners.get(m).step(data);
                    }
                }
            }
            double[] medians = new double[runners.size()];
            for (int m = 0; m < runners.size(); m++) {
                Arrays.sort(t[m]);
                medians[m] = t[m][steps / 2];
            }
            return medians;
        } finally {
            for (Runner rn : runners) {
                rn.close();
            }
        }
    }

    private long now() {
        return cpu ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()
                : System.nanoTime();
    }

    private void fill(RatingData data, int step, int[] u, int[] it, float[] r) {
        for (int k = 0; k < batch; k++) {
            int row = (int) Math.floorMod((long) step * batch + k, (long) data.size());
            u[k] = data.user()[row];
            it[k] = data.item()[row];
            r[k] = data.rating()[row];
        }
    }
}
