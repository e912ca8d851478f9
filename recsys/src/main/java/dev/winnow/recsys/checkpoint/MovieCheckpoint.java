package dev.winnow.recsys.checkpoint;

import dev.winnow.engine.io.MovieExport;
import dev.winnow.engine.io.NcfExport;
import dev.winnow.engine.io.WnwWriter;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.prune.NeuronPruner;
import dev.winnow.engine.runtime.InputFiles;
import dev.winnow.recsys.movies.MovieFeatures;
import dev.winnow.recsys.movies.MovieFields;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A trained movie feature MLP without its training run: the fitted feature pipeline, the MLP's layers (masked
 * weights already zero), the training target mean its outputs are added to, and the rating range. Written by
 * {@code compare} next to NCF checkpoints as {@code DIR/movie-checkpoint.wmc}; {@code winnow export} turns it into a
 * kind-2 .wnw file. (The DCNN is not exportable: the runtime has no Conv1d.)
 */
public record MovieCheckpoint(MovieFeatures features, List<NcfExport.LayerWeights> layers, float targetOffset,
                              float minRating, float maxRating, String dataName, long seed) {
    public static final String FILE_NAME = "movie-checkpoint.wmc";
    private static final int MAGIC = 0x574D4331; // "WMC1"
    /** Guards reads of forged counts: no field of a real checkpoint comes near it. */
    private static final int MAX_COUNT = 1 << 24;

    public MovieCheckpoint {
        layers = List.copyOf(layers);
    }

    /**
     * Copies the MLP's current (masked) values, without the hidden units structured pruning removed (SP-SAD): the
     * compacted layers compute the same outputs, so the exported file holds the smaller widths.
     */
    public static MovieCheckpoint capture(MovieFeatures features, Mlp mlp, float targetOffset, float minRating,
                                          float maxRating, String dataName, long seed) {
        if (mlp.activation() != Activation.RELU) {
            throw new IllegalArgumentException("the movie feature MLP uses ReLU, not " + mlp.activation());
        }
        return new MovieCheckpoint(features, MovieExport.layersOf(NeuronPruner.compact(mlp)), targetOffset, minRating,
                maxRating, dataName, seed);
    }

    /** The export form: the pipeline as plain numbers and strings, with each numeric input's derivation spelled out. */
    public MovieExport toExport(Map<String, String> metadata) {
        if (features.groups().contains("historical")) {
            throw new IllegalArgumentException("movie checkpoint of " + dataName + " seed " + seed + ": trained with the"
                    + " historical feature group, which the .wnw runtime cannot compute (it needs the training films'"
                    + " rating history, not only the film's own fields); not exported: train without historical to"
                    + " export");
        }
        List<MovieExport.Numeric> numeric = new ArrayList<>();
        for (int j = 0; j < features.numericNames().size(); j++) {
            String name = features.numericNames().get(j);
            int derive;
            String source;
            switch (name) {
                case "production_companies_count": derive = MovieExport.DERIVE_LIST_COUNT;
                    source = MovieFields.PRODUCTION_COMPANIES; break;
                case "spoken_languages_count": derive = MovieExport.DERIVE_LIST_COUNT;
                    source = MovieFields.SPOKEN_LANGUAGES; break;
                case "release_day": derive = MovieExport.DERIVE_DAY_OF_MONTH; source = MovieFields.RELEASE_DATE; break;
                case "release_month": derive = MovieExport.DERIVE_MONTH; source = MovieFields.RELEASE_DATE; break;
                default: derive = MovieExport.DERIVE_NUMBER; source = name;
            }
            numeric.add(new MovieExport.Numeric(name, derive, source, features.logScaled()[j], features.means()[j],
                    features.stds()[j]));
        }
        List<MovieExport.Categorical> cat = new ArrayList<>();
        for (int j = 0; j < features.categoricalFields().size(); j++) {
            cat.add(new MovieExport.Categorical(features.categoricalFields().get(j), features.vocabularies().get(j)));
        }
        List<MovieExport.Text> text = new ArrayList<>();
        for (int j = 0; j < features.textFields().size(); j++) {
            text.add(new MovieExport.Text(features.textFields().get(j), features.idf().get(j)));
        }
        return new MovieExport(features.hashDim(), numeric, cat, text, layers, Activation.RELU, targetOffset,
                minRating, maxRating, metadata);
    }

    public static Path write(MovieCheckpoint c, Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(c.dataName);
            out.writeLong(c.seed);
            out.writeFloat(c.targetOffset);
            out.writeFloat(c.minRating);
            out.writeFloat(c.maxRating);
            MovieFeatures f = c.features;
            strings(out, f.groups());
            strings(out, f.numericNames());
            for (int j = 0; j < f.numericNames().size(); j++) {
                out.writeBoolean(f.logScaled()[j]);
                out.writeDouble(f.means()[j]);
                out.writeDouble(f.stds()[j]);
            }
            strings(out, f.categoricalFields());
            for (List<String> v : f.vocabularies()) {
                strings(out, v);
            }
            strings(out, f.textFields());
            out.writeInt(f.hashDim());
            for (float[] w : f.idf()) {
                floats(out, w);
            }
            out.writeDouble(f.targetMean());
            out.writeInt(c.layers.size());
            for (NcfExport.LayerWeights l : c.layers) {
                out.writeInt(l.in());
                out.writeInt(l.out());
                floats(out, l.weight());
                floats(out, l.bias());
            }
        }
        Path file = dir.resolve(FILE_NAME).toAbsolutePath();
        WnwWriter.writeAtomically(bytes.toByteArray(), file);
        return file;
    }

    /** Whether {@code dirOrFile} is (or holds) a movie checkpoint. */
    public static boolean isMovieCheckpoint(Path dirOrFile) {
        return Files.isDirectory(dirOrFile) ? Files.isRegularFile(dirOrFile.resolve(FILE_NAME))
                : dirOrFile.getFileName().toString().endsWith(".wmc");
    }

    public static MovieCheckpoint read(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        // a directory, FIFO or device is refused before it is opened; what is not a checkpoint after 4 bytes
        int size = (int) InputFiles.requireRegular(file, "movie checkpoint", Integer.MAX_VALUE - 16);
        byte[] all;
        try (java.io.InputStream stream = Files.newInputStream(file)) {
            byte[] head = stream.readNBytes(4);
            if (head.length < 4 || new DataInputStream(new java.io.ByteArrayInputStream(head)).readInt() != MAGIC) {
                throw new CheckpointFormatException(file + ": not a movie checkpoint (magic differs)");
            }
            all = Arrays.copyOf(head, size);
            if (stream.readNBytes(all, 4, size - 4) != size - 4 || stream.read() >= 0) {
                throw new CheckpointFormatException(file + ": the file changed while it was read (it was " + size
                        + " bytes); read it again once it is written");
            }
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 4, size - 4))) {
            String data = in.readUTF();
            long seed = in.readLong();
            float offset = in.readFloat();
            float min = in.readFloat();
            float max = in.readFloat();
            List<String> groups = strings(in, file);
            List<String> numeric = strings(in, file);
            boolean[] log = new boolean[numeric.size()];
            double[] means = new double[numeric.size()];
            double[] stds = new double[numeric.size()];
            for (int j = 0; j < numeric.size(); j++) {
                log[j] = in.readBoolean();
                means[j] = in.readDouble();
                stds[j] = in.readDouble();
            }
            List<String> cat = strings(in, file);
            List<List<String>> vocabs = new ArrayList<>();
            for (int j = 0; j < cat.size(); j++) {
                vocabs.add(strings(in, file));
            }
            List<String> text = strings(in, file);
            int hashDim = count(in, file, "hash dimension");
            List<float[]> idf = new ArrayList<>();
            for (int j = 0; j < text.size(); j++) {
                idf.add(floats(in, file));
            }
            double targetMean = in.readDouble();
            int n = count(in, file, "layer count");
            List<NcfExport.LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int lin = count(in, file, "layer " + i + " inputs");
                int lout = count(in, file, "layer " + i + " outputs");
                layers.add(new NcfExport.LayerWeights(lin, lout, floats(in, file), floats(in, file)));
            }
            if (in.read() != -1) {
                throw new CheckpointFormatException(file + ": unexpected bytes after the last layer");
            }
            MovieFeatures f = new MovieFeatures(groups, numeric, log, means, stds, cat, vocabs, text, hashDim, idf,
                    targetMean);
            return new MovieCheckpoint(f, layers, offset, min, max, data, seed);
        } catch (EOFException e) {
            throw new CheckpointFormatException(file + ": truncated movie checkpoint");
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file + ": " + e.getMessage());
        }
    }

    private static int count(DataInputStream in, Path file, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) {
            throw new CheckpointFormatException(file + ": " + what + " is " + n + ", outside 0.." + MAX_COUNT);
        }
        return n;
    }

    private static void strings(DataOutputStream out, List<String> s) throws IOException {
        out.writeInt(s.size());
        for (String v : s) {
            out.writeUTF(v);
        }
    }

    private static List<String> strings(DataInputStream in, Path file) throws IOException {
        int n = count(in, file, "string count");
        if (2L * n > in.available()) {
            throw new CheckpointFormatException(file + ": " + n + " strings run past the end");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(in.readUTF());
        }
        return List.copyOf(out);
    }

    private static void floats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static float[] floats(DataInputStream in, Path file) throws IOException {
        int n = count(in, file, "array length");
        if (4L * n > in.available()) {
            throw new CheckpointFormatException(file + ": array of " + n + " floats runs past the end");
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}
