package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.io.RunLock;
import dev.winnow.kernels.BackendChoice;
import dev.winnow.kernels.Backends;
import dev.winnow.recsys.data.DataSource;
import dev.winnow.recsys.data.LoadedRatings;
import dev.winnow.recsys.data.MovieLensReader;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.train.EpochReport;
import dev.winnow.recsys.train.RatingTrainer;
import dev.winnow.recsys.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code winnow train}: trains an NCF-MLP rating model and prints per-epoch loss and test RMSE. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an NCF-MLP rating model (default: the student preset on the embedded synthetic data).")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "synthetic|DIR",
            description = "Data set: 'synthetic' (embedded generator) or a directory of real data. Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--model", defaultValue = "student", paramLabel = "student|teacher",
            description = "Model preset. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--epochs", defaultValue = "10", description = "Training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "256", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|lazy-adam",
            description = "adam, or lazy-adam: the embedding tables update only the rows a batch looks up (PyTorch's "
                    + "SparseAdam; docs/methods.md). Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for data, split, initialisation and shuffling.")
    long seed;

    @Option(names = "--threads", defaultValue = "1",
            description = "CPU threads; a seed and a thread count fix every result. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = Backends.CHOICES,
            description = "Compute backend; auto = CUDA if a device answers, else CPU. Default: ${DEFAULT-VALUE}.")
    String backendName;

    @Option(names = "--allow-fallback", description = "With --backend cuda or opencl: run on the CPU when the device "
            + "cannot be used (the reason is logged) instead of refusing.")
    boolean allowFallback;

    @Option(names = "--test-fraction", defaultValue = "0.1", description = "Share of ratings held out for test.")
    double testFraction;

    @Option(names = "--skip-bad-lines", description = "Skip malformed data lines (and report how many) instead of "
            + "stopping at the first.")
    boolean skipBadLines;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Save what `winnow export` needs (config, parameters, masks) to DIR after training.")
    java.nio.file.Path checkpoint;

    @Override
    public Integer call() throws java.io.IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (epochs < 1 || epochs > dev.winnow.recsys.method.MethodConfig.MAX_EPOCHS) {
            throw new IllegalArgumentException("--epochs must be 1.." + dev.winnow.recsys.method.MethodConfig.MAX_EPOCHS
                    + ", got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (!(lr > 0f && Float.isFinite(lr))) {
            throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        }
        if (!optimizer.equals("adam") && !optimizer.equals("lazy-adam")) {
            throw new IllegalArgumentException("--optimizer must be adam or lazy-adam, got '" + optimizer + "'");
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be in (0, 1), got " + testFraction);
        }
        Backends.check(backendName, allowFallback);
        if (checkpoint != null) {
            WinnowCli.checkOutputDirectory("--checkpoint", checkpoint);
        }
        // held from before the data is loaded until the checkpoint is written: a second train into DIR is refused at
        // once, not raced
        try (RunLock lock = checkpoint == null ? null : RunLock.directory("--checkpoint", checkpoint, 1)) {
            return train();
        }
    }

    private int train() throws java.io.IOException {
        NcfConfig cfg = NcfConfig.preset(model);
        TrainConfig tc = new TrainConfig(epochs, batchSize, lr, seed);
        PrintStream out = System.out;
        LoadedRatings loaded = DataSource.load(data, seed, skipBadLines);
        if (loaded.skippedLines() > 0) {
            out.println("data " + MovieLensReader.describe(loaded));
        }
        RatingData all = loaded.ratings();
        RatingSplit split = Splits.random(all, 0.0, testFraction, seed);
        BackendChoice choice = Backends.select(backendName, threads, allowFallback);
        out.println("backend " + choice.describe());
        try (Backend backend = choice.backend()) {
            NcfModel ncf = new NcfModel(backend, cfg, all.users(), all.items(), seed);
            out.printf(Locale.ROOT, "data %s: %d users, %d items, %d train / %d test ratings%n", all.name(),
                    all.users(), all.items(), split.train().size(), split.test().size());
            out.printf(Locale.ROOT, "model %s: %d parameters; backend %s%n", cfg, ncf.parameterCount(),
                    backend.name());
            RatingTrainer trainer = new RatingTrainer(ncf, backend, tc, optimizer);
            Progress progress = Progress.create(out, epochs);
            EpochReport last = trainer.fit(split.train(), split.test(), r -> progress.epoch(r));
            progress.close();
            out.printf(Locale.ROOT, "final test RMSE %.4f  MAE %.4f  (%d epochs)%n", last.testRmse(), last.testMae(),
                    last.epoch());
            if (checkpoint != null) {
                out.println("checkpoint: " + dev.winnow.recsys.checkpoint.CheckpointFile.write(
                        dev.winnow.recsys.checkpoint.Checkpoint.capture(ncf, all, seed, loaded), checkpoint));
            }
        }
        return 0;
    }
}
