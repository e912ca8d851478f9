package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.method.CurvePoint;
import dev.winnow.recsys.method.Method;
import dev.winnow.recsys.method.MethodConfig;
import dev.winnow.recsys.method.MethodPresets;
import dev.winnow.recsys.method.MethodRun;
import dev.winnow.recsys.method.ProgressSink;
import dev.winnow.recsys.method.RatingTask;
import dev.winnow.recsys.method.RegressionTask.Part;
import dev.winnow.recsys.method.RegressionTask.Role;
import dev.winnow.recsys.method.TapModel;
import dev.winnow.recsys.model.NcfConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static dev.winnow.recsys.cli.BenchCommand.checkHeap;
import static dev.winnow.recsys.cli.BenchCommand.checkThreads;

/**
 * Training throughput of the student and of the whole SAD step (frozen teacher forward, student forward and backward,
 * distiller forward and backward, Adam on student and distiller), as {@code compare --preset quick} trains them on an
 * ML-100K-shaped task: the same shapes and settings as PyTorch's {@code ../shared/anchors/cpu/torch_sad.py}, so the
 * two print comparable samples/s in one sitting. The epochs are {@link MethodRun}'s own; only their training part is
 * timed (evaluation after each epoch is not).
 */
@Command(name = "sad", mixinStandardHelpOptions = true,
        description = "Training samples/s of the NCF student and of the SAD step (teacher forward + student + "
                + "distiller + Adam) at the quick preset's settings on synthetic ratings shaped like MovieLens 100K "
                + "(943 users, 1682 items), the model's own training loop: one warm-up epoch, then --epochs timed "
                + "epochs per mode. One line per mode: bench=sad mode=<mode> ... samples_per_s=<median> min=... "
                + "max=... (the counterpart of torch_sad.py's lines).")
final class BenchSadCommand implements Callable<Integer> {
    @Option(names = "--modes", defaultValue = "student,sad", split = ",", paramLabel = "student|sad",
            description = "student: the student alone (compare --methods student); sad: the SAD step "
                    + "(compare --methods SAD). Default: ${DEFAULT-VALUE}.")
    List<String> modes;
    @Option(names = "--epochs", defaultValue = "3", description = "Timed epochs per mode, after one warm-up epoch. "
            + "Default: ${DEFAULT-VALUE}.")
    int epochs;
    @Option(names = "--train", defaultValue = "80000", description = "Training ratings per epoch (torch_sad.py's "
            + "--train). Default: ${DEFAULT-VALUE}.")
    int train;
    @Option(names = "--batch", defaultValue = "256", description = "Default: ${DEFAULT-VALUE} (the quick preset).")
    int batch;
    @Option(names = "--qk-dim", defaultValue = "32", description = "The distiller's query/key width. Default: "
            + "${DEFAULT-VALUE} (the quick preset; the paper presets use 128).")
    int qkDim;
    @Option(names = "--threads", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int threads;

    static final int USERS = 943;
    static final int ITEMS = 1682;
    /** Most epochs a bench may ask for: the SAD step runs ~20-80k samples/s, so 100 epochs of 80k are minutes. */
    static final int MAX_EPOCHS = 100;
    /**
     * The widest query/key the bench takes: the paper's is 128; the distiller's bilinear map is qk_dim x 2·qk_dim, so
     * at 4096 (compare's limit) its 33M weights made a bench of one small epoch run for over five minutes.
     */
    static final int MAX_QK_DIM = 512;
    /** Rows held out for the per-epoch evaluation that MethodRun runs (untimed): kept small so it costs little. */
    private static final int HELD_OUT = 2_000;

    @Override
    public Integer call() throws IOException {
        checkThreads(threads);
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("--modes: name student, sad or both (student,sad)");
        }
        for (String mode : modes) {
            if (!mode.equals("student") && !mode.equals("sad")) {
                throw new IllegalArgumentException("--modes: '" + mode + "' is not student or sad");
            }
        }
        if (epochs < 1 || epochs > MAX_EPOCHS) {
            throw new IllegalArgumentException("--epochs must be in 1.." + MAX_EPOCHS + ", got " + epochs);
        }
        if (batch < 2) {
            throw new IllegalArgumentException("--batch must be at least 2 (the distiller's batch norm needs two "
                    + "rows), got " + batch);
        }
        if (qkDim < 1 || qkDim > MAX_QK_DIM) {
            throw new IllegalArgumentException("--qk-dim must be in 1.." + MAX_QK_DIM + ", got " + qkDim);
        }
        long pairs = (long) USERS * ITEMS;
        if (train < batch || train > pairs - 2L * HELD_OUT) {
            throw new IllegalArgumentException("--train must be between --batch (" + batch + ") and "
                    + (pairs - 2L * HELD_OUT) + " (distinct user-item pairs of a 943 x 1682 table, less the held-out "
                    + "rows), got " + train);
        }
        // per batch row, 64 bytes (values, gradients, arena buffers, with room) for each activation of the teacher
        // (the widest model) and of the distiller's projections; 40 bytes per rating for the data
        checkHeap("--batch " + batch, 64L * batch * (2L * 176 + 352 + 128 + 64 + 2L * qkDim * 4)
                + 40L * (train + 2L * HELD_OUT));
        RatingData all = SyntheticRatings.generate(0, USERS, ITEMS, train + 2 * HELD_OUT);
        double heldOut = (double) HELD_OUT / all.size();
        RatingTask task = new RatingTask("synthetic ML-100K shape", Splits.random(all, heldOut, heldOut, 0),
                NcfConfig.TEACHER, NcfConfig.STUDENT);
        List<String> order = List.of("student", "sad").stream().filter(modes::contains).toList();
        for (String mode : order) {
            double[] rates = samplesPerSecond(task, mode);
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "bench=sad mode=%s batch=%d qk_dim=%d threads=%d train=%d epochs=%d "
                    + "samples_per_s=%.0f min=%.0f max=%.0f%n", mode, batch, qkDim, threads,
                    task.size(Part.TRAIN), epochs,
                    sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
        }
        return 0;
    }

    /** Training samples/s of each timed epoch (the warm-up epoch dropped) of one mode's run. */
    private double[] samplesPerSecond(RatingTask task, String mode) throws IOException {
        boolean sad = mode.equals("sad");
        Method method = sad ? Method.SAD : Method.STUDENT;
        MethodConfig cfg = MethodPresets.preset("quick").get(method)
                .with("epochs", Integer.toString(epochs + 1))
                .with("batch_size", Integer.toString(batch))
                .with("qk_dim", Integer.toString(qkDim))
                .with("milestones", "[]");
        List<Double> rates = new ArrayList<>();
        ProgressSink sink = new ProgressSink() {
            @Override
            public void epoch(String m, long seed, CurvePoint point, int total, double eta) {
            }

            @Override
            public void epochTrained(String m, long seed, int epoch, int samples, double seconds) {
                if (epoch > 1) {
                    rates.add(samples / seconds);
                }
                // progress on stderr, so that a slow configuration is seen to move (stdout keeps one line per mode)
                System.err.printf(Locale.ROOT, "# %s: epoch %d/%d%s, %.0f samples/s%n", mode, epoch, epochs + 1,
                        epoch == 1 ? " (warm-up)" : "", samples / seconds);
            }
        };
        try (CpuBackend backend = new CpuBackend(threads)) {
            TapModel teacher = null;
            if (sad) {
                // frozen and untrained, as in torch_sad.py: its weights do not change the step's work
                teacher = task.newModel(backend, Role.TEACHER, 0);
                teacher.train(false);
            }
            new MethodRun(task, backend, method, cfg, 0, teacher, sink, null).run();
        }
        if (rates.size() != epochs) {
            throw new IllegalStateException(mode + ": " + rates.size() + " timed epochs reported, " + epochs
                    + " expected");
        }
        return rates.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
