package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.ModelExporter;
import dev.winnow.engine.io.NcfExport;
import dev.winnow.engine.io.RunLock;
import dev.winnow.engine.io.StorageChoice;
import dev.winnow.engine.runtime.TensorInfo;
import dev.winnow.recsys.checkpoint.Checkpoint;
import dev.winnow.recsys.checkpoint.CheckpointFile;
import dev.winnow.recsys.checkpoint.MovieCheckpoint;
import dev.winnow.recsys.model.NcfModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code winnow export}: a training checkpoint to a .wnw model file for the dependency-free runtime. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a checkpoint (from `winnow train --checkpoint DIR`) to a .wnw model file. A model trained"
                + " on a real data set carries its raw user and item ids (the id map), which infer and the runtime"
                + " then take.")
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The .wnw file to write.")
    Path out;

    @Option(names = "--storage", defaultValue = "auto", paramLabel = "auto|dense|csr|csr-fp16|int8",
            description = "Weight encoding; auto picks the smallest whose predictions stay within --tolerance of"
                    + " fp32. Default: ${DEFAULT-VALUE}.")
    String storage;

    @Option(names = "--tolerance", defaultValue = "0.01",
            description = "Largest |prediction - fp32 prediction| auto accepts on probe pairs. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Override
    public Integer call() throws Exception {
        StorageChoice choice = StorageChoice.parse(storage);
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("--tolerance must be >= 0, got " + tolerance);
        }
        PrintStream o = System.out;
        String notExportable = notAnExportCheckpoint(checkpoint);
        if (notExportable != null) {
            throw new IllegalArgumentException(checkpoint + ": " + notExportable);
        }
        // one export into --out at a time: two would race to rename their files over it
        try (RunLock lock = RunLock.file("--out", out)) {
            return MovieCheckpoint.isMovieCheckpoint(checkpoint) ? exportMovie(choice, o) : exportNcf(choice, o);
        }
    }

    private int exportNcf(StorageChoice choice, PrintStream o) throws java.io.IOException {
        Checkpoint c = CheckpointFile.read(checkpoint);
        ModelExporter.Report r;
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = c.restore(backend);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("producer", "winnow 0.1.0");
            meta.put("model", c.config().toString());
            meta.put("data", c.dataName());
            meta.put("storage", choice.label());
            // Hidden units with no incoming weight left (structured pruning, SP-SAD) are removed physically: the
            // compacted MLP computes the same outputs (NeuronPruner folds any constant a dead unit still emits).
            dev.winnow.engine.nn.Mlp mlp = dev.winnow.engine.prune.NeuronPruner.compact(model.mlp());
            if (!java.util.Arrays.equals(mlp.hiddenWidths(), model.mlp().hiddenWidths())) {
                o.println("compacted hidden layers " + java.util.Arrays.toString(model.mlp().hiddenWidths()) + " -> "
                        + java.util.Arrays.toString(mlp.hiddenWidths()) + " (units with no incoming weight removed)");
                meta.put("compacted_from", java.util.Arrays.toString(model.mlp().hiddenWidths()));
            }
            NcfExport e = NcfExport.of(model.users(), model.items(), mlp, c.minRating(), c.maxRating(), meta);
            // Latent dimensions no table uses (structured pruning of the tables, SP-SAD with prune_embeddings) go too,
            // with the first layer's two input columns each one fed.
            NcfExport narrower = e.withoutDeadDimensions();
            if (narrower.dim() != e.dim()) {
                o.println("compacted embedding size " + e.dim() + " -> " + narrower.dim() + " (latent dimensions that"
                        + " both tables left at zero removed)");
                e = narrower;
            }
            if (c.userIds() != null || c.itemIds() != null) {
                // a real data set: the file carries its raw ids (section 4), so infer and the runtime take them
                e = e.withIdMap(idsOrIndices(Checkpoint.integerIds(c.userIds(), "user"), c.users()),
                        idsOrIndices(Checkpoint.integerIds(c.itemIds(), "item"), c.items()));
            }
            if (!e.hasIdMap() && c.dataName() != null && !c.dataName().startsWith("synthetic")) {
                // a real data set whose checkpoint predates kept ids: serving must not take its ids as indices
                System.err.println("export: warning: checkpoint " + checkpoint + " (data " + c.dataName() + ") keeps no"
                        + " raw ids, so " + out + " has no id map and takes 0-based user and item indices, not the"
                        + " data set's ids; retrain to get an id map");
            }
            r = ModelExporter.export(e, choice, tolerance, out);
            if (e.hasIdMap()) {
                o.printf(Locale.ROOT, "id map: raw ids of %d users and %d items (infer and the runtime take the data"
                        + " set's ids)%n", e.users(), e.items());
            }
        }
        o.printf(Locale.ROOT, "%-14s %-11s %-9s %9s %8s %9s%n", "tensor", "shape", "storage", "nonzeros", "density",
                "bytes");
        for (TensorInfo t : r.tensors()) {
            o.printf(Locale.ROOT, "%-14s %-11s %-9s %9d %8.4f %9d%n", t.name(), t.rows() + "x" + t.cols(),
                    t.storageName(), t.nonzeros(), t.density(), t.bytes());
        }
        o.printf(Locale.ROOT, "wrote %s: %d bytes (%.1f%% of the %d-byte dense fp32 file), %s;"
                        + " max |error| vs fp32 on %d probe pairs %.2e%n", r.file(), r.fileBytes(),
                100.0 * r.fileBytes() / r.denseFp32Bytes(), r.denseFp32Bytes(), r.choice(), r.probePairs(),
                r.maxAbsError());
        return 0;
    }

    /** {@code ids}, or the indices themselves when the checkpoint keeps no raw ids for this side. */
    private static int[] idsOrIndices(int[] ids, int count) {
        return ids != null ? ids : java.util.stream.IntStream.range(0, count).toArray();
    }

    static final String DCNN_NOT_EXPORTABLE = "DCNN is a baseline and not exportable: the .wnw edge format serves the"
            + " MLP models (NCF, the movie feature MLP students and teachers); export one of those";

    /** "WNWCKPT1" (big-endian): compare's resume checkpoint (RunCheckpoint), which holds no exportable model. */
    private static final long RUN_CHECKPOINT_MAGIC = 0x574E57434B505431L;

    /**
     * Why {@code path} cannot be exported, for the two things users point export at by mistake; null otherwise. A
     * DCNN run has no model directory (compare logs "not saved" for it), so a path named after one is that; compare's
     * resume checkpoints (checkpoints/METHOD-seedN.ckpt) name their method inside.
     */
    static String notAnExportCheckpoint(Path path) throws java.io.IOException {
        if (java.nio.file.Files.isRegularFile(path)) {
            try (java.io.DataInputStream in = new java.io.DataInputStream(java.nio.file.Files.newInputStream(path))) {
                if (in.readLong() != RUN_CHECKPOINT_MAGIC) {
                    return null;
                }
                in.readInt();
                String method = in.readUTF();
                return method.equalsIgnoreCase("DCNN") ? DCNN_NOT_EXPORTABLE
                        : "this is compare's resume checkpoint of " + method + ", not a model; export the model"
                        + " directory compare wrote beside it (OUT/models/" + method + "-seedN)";
            } catch (java.io.EOFException e) {
                return null;
            }
        }
        boolean holdsCheckpoint = java.nio.file.Files.isRegularFile(path.resolve(CheckpointFile.FILE_NAME))
                || MovieCheckpoint.isMovieCheckpoint(path);
        Path name = path.getFileName();
        if (!holdsCheckpoint && name != null
                && name.toString().toUpperCase(Locale.ROOT).startsWith("DCNN")) {
            return DCNN_NOT_EXPORTABLE;
        }
        return null;
    }

    /**
     * A movie feature MLP (kind 2). {@code auto} means dense fp32 here: the probe-based choice is defined on user-item
     * pairs, and the movie MLP's few thousand weights make the encoding matter little.
     */
    private int exportMovie(StorageChoice choice, PrintStream o) throws java.io.IOException {
        MovieCheckpoint c = MovieCheckpoint.read(checkpoint);
        StorageChoice used = choice == StorageChoice.AUTO ? StorageChoice.DENSE : choice;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("producer", "winnow 0.1.0");
        meta.put("model", "featmlp" + java.util.Arrays.toString(c.layers().stream().mapToInt(
                l -> l.out()).toArray()).replace(" ", ""));
        meta.put("data", c.dataName());
        meta.put("features", String.join(",", c.features().groups()));
        meta.put("storage", used.label());
        byte[] bytes = c.toExport(meta).encode(used.code());
        // read back with the runtime before publishing: a file the runtime refuses is never written
        dev.winnow.engine.runtime.MovieRatingModel m = dev.winnow.engine.runtime.MovieRatingModel.parse(bytes,
                bytes.length, out.toString());
        dev.winnow.engine.io.WnwWriter.writeAtomically(bytes, out);
        o.printf(Locale.ROOT, "wrote %s: %d bytes, %s weights (movie feature model, kind 2): %s%n", out, bytes.length,
                used.label(), m);
        return 0;
    }
}
