package dev.winnow.recsys.checkpoint;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.prune.NeuronPruner;
import dev.winnow.engine.prune.UnitNorm;
import dev.winnow.engine.runtime.MovieRatingModel;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.recsys.cli.WinnowCli;
import dev.winnow.recsys.method.BatchInput;
import dev.winnow.recsys.method.FeatureTask;
import dev.winnow.recsys.method.RegressionTask;
import dev.winnow.recsys.method.TapModel;
import dev.winnow.recsys.movies.FeatureGroup;
import dev.winnow.recsys.movies.Movie;
import dev.winnow.recsys.movies.MovieFeatures;
import dev.winnow.recsys.movies.MovieMerge;
import dev.winnow.recsys.movies.SyntheticMovies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MovieRuntimeMatchesTrainingTest {

    private static MovieRatingModel exportAndLoad(MovieFeatures f, FeatureTask task, TapModel model, Path dir,
                                                  String storage) throws Exception {
        assertTrue(task.saveModel(model, 1, dir).startsWith("wrote"));
        Path out = dir.resolve("m.wnw");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, WinnowCli.run("export", "--checkpoint", dir.toString(), "--out", out.toString(),
                    "--storage", storage), log.toString(StandardCharsets.UTF_8));
            assertEquals(0, WinnowCli.run("inspect", out.toString()), log.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("movie feature MLP"), log.toString());
        MovieRatingModel loaded = MovieRatingModel.load(out);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("input CSV columns (winnow infer): "
                + String.join(",", loaded.fields())), log.toString());
        return loaded;
    }

    /** Engine forward pass (eval mode) on the pipeline's vectors of {@code films}, plus the task's offset. */
    private static float[] enginePredictions(Backend backend, FeatureTask task, TapModel model, List<Movie> films) {
        MovieFeatures f = task.pipeline();
        BatchInput.Features in = new BatchInput.Features(backend, f.width());
        in.set(f.transformAll(films), films.size());
        model.train(false);
        try (GradMode g = GradMode.disabled()) {
            float[] y = model.forward(in, new java.util.ArrayList<>()).toArray();
            for (int i = 0; i < y.length; i++) {
                y[i] += task.targetOffset();
            }
            return y;
        }
    }

    @Test
    void runtimeFeaturesEqualTheTrainingTransformBitForBitOnSyntheticFilmsOfEveryGroup() throws Exception {
        List<Movie> films = SyntheticMovies.generate(400, 7);
        MovieFeatures f = MovieFeatures.fit(films.subList(0, 300), FeatureGroup.ALL, 64, 5);
        try (Backend backend = new CpuBackend(1)) {
            dev.winnow.recsys.model.FeatureMlp mlp = dev.winnow.recsys.model.FeatureMlp.student(backend, f.width(), 3);
            MovieCheckpoint c = MovieCheckpoint.capture(f, mlp.mlp(), 6.5f, 1f, 10f, "synthetic", 3);
            byte[] bytes = c.toExport(Map.of()).encode(0);
            MovieRatingModel m = MovieRatingModel.parse(bytes, bytes.length, "test");
            assertEquals(f.width(), m.inputWidth());
            for (Movie film : films) {
                assertArrayEquals(f.transform(film.fields()), m.features(film.fields()), 0f, film.title());
            }
            // awkward raw values: missing everything, junk numbers, unknown categories, bad dates, unicode text
            Map<String, String> odd = new HashMap<>();
            assertArrayEquals(f.transform(odd), m.features(odd), 0f);
            odd.put("budget", "-5");
            odd.put("duration", "n/a");
            odd.put("release_date", "2011-13-40");
            odd.put("genres", " Drama || NoSuchGenre |");
            odd.put("overview", "Ça va? ÉCOLE écoles 123 x_y");
            odd.put("production_companies", "|");
            assertArrayEquals(f.transform(odd), m.features(odd), 0f);
            // numbers only parseDouble reads (type suffix, Infinity, NaN, hex) are missing on both sides alike
            for (String number : new String[] {"1000d", "2.5F", "Infinity", "NaN", "0x1p4", "1e3", ".5", "+7"}) {
                odd.put("budget", number);
                odd.put("duration", number);
                assertArrayEquals(f.transform(odd), m.features(odd), 0f, number);
            }
        }
    }

    @Test
    void runtimeFeaturesEqualTheTrainingTransformOnRealMergedFilms() throws Exception {
        Path dir = Path.of(System.getProperty("winnow.shared.data", "../shared/data"));
        org.junit.jupiter.api.Assumptions.assumeTrue(MovieMerge.present(dir),
                "IMDB 5000 / TMDB 5000 not under " + dir + ": skipping the real-film check");
        List<Movie> films = MovieMerge.load(dir).movies();
        MovieFeatures f = MovieFeatures.fit(films.subList(0, films.size() / 2), FeatureGroup.ALL,
                MovieFeatures.DEFAULT_HASH_DIM, MovieFeatures.DEFAULT_MIN_COUNT);
        try (Backend backend = new CpuBackend(1)) {
            dev.winnow.recsys.model.FeatureMlp mlp = dev.winnow.recsys.model.FeatureMlp.student(backend, f.width(), 3);
            byte[] bytes = MovieCheckpoint.capture(f, mlp.mlp(), 6.5f, 1f, 10f, "real", 3).toExport(Map.of())
                    .encode(0);
            MovieRatingModel m = MovieRatingModel.parse(bytes, bytes.length, "test");
            for (Movie film : films) {
                assertArrayEquals(f.transform(film.fields()), m.features(film.fields()), 0f, film.title());
            }
        }
    }

    @Test
    void exportedStudentPredictsFromRawFieldsWhatTheEnginePredictsPlusTheOffset(@TempDir Path dir) throws Exception {
        FeatureTask task = FeatureTask.load(null, "all", 5, null, new PrintStream(new ByteArrayOutputStream()));
        List<Movie> films = SyntheticMovies.generate(SyntheticMovies.DEFAULT_SIZE, 5);
        try (Backend backend = new CpuBackend(1)) {
            TapModel model = task.newModel(backend, RegressionTask.Role.STUDENT, 11);
            // non-trivial weights with a third of them pruned to zero, as a pruned student would have
            SplittableRandom rnd = new SplittableRandom(2);
            for (Parameter p : model.parameters()) {
                float[] v = p.value().toArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = rnd.nextInt(3) == 0 ? 0f : (float) rnd.nextGaussian() * 0.3f;
                }
                p.value().copyFrom(v);
            }
            float[] expected = enginePredictions(backend, task, model, films);
            for (String storage : List.of("dense", "csr")) {
                MovieRatingModel m = exportAndLoad(task.pipeline(), task, model, dir.resolve(storage), storage);
                assertEquals(task.targetOffset(), m.targetOffset());
                for (int i = 0; i < films.size(); i++) {
                    float got = m.score(films.get(i).fields());
                    assertEquals(expected[i], got, 1e-5f * Math.max(1f, Math.abs(expected[i])),
                            storage + " film " + i);
                    assertEquals(Math.min(m.maxRating(), Math.max(m.minRating(), got)), m.predict(films.get(i)
                            .fields()));
                }
            }
        }
    }

    @Test
    void aStructuredPrunedStudentIsExportedWithoutItsRemovedUnitsAndPredictsTheSame(@TempDir Path dir)
            throws Exception {
        FeatureTask task = FeatureTask.load(null, "all", 5, null, new PrintStream(new ByteArrayOutputStream()));
        List<Movie> films = SyntheticMovies.generate(SyntheticMovies.DEFAULT_SIZE, 5);
        try (Backend backend = new CpuBackend(1)) {
            TapModel model = task.newModel(backend, RegressionTask.Role.STUDENT, 12);
            int[] widths = model.mlp().hiddenWidths();
            new NeuronPruner(model.mlp(), UnitNorm.L1, false).prune(0.5); // SP-SAD's event: whole units
            float[] expected = enginePredictions(backend, task, model, films);
            MovieCheckpoint c = MovieCheckpoint.capture(task.pipeline(), model.mlp(), task.targetOffset(), 1f, 10f,
                    "synthetic", 12);
            for (int l = 0; l < widths.length; l++) {
                assertEquals(widths[l] - (int) Math.ceil(0.5 * widths[l]), c.layers().get(l).out(),
                        "hidden layer " + l);
            }
            MovieRatingModel m = exportAndLoad(task.pipeline(), task, model, dir, "dense");
            for (int i = 0; i < films.size(); i++) {
                assertEquals(expected[i], m.score(films.get(i).fields()), 1e-5f * Math.max(1f, Math.abs(expected[i])),
                        "film " + i);
            }
        }
    }

    @Test
    void compareWritesAStudentCheckpointThatExportsAndServes(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, WinnowCli.run("compare", "--data", "synthetic", "--features", "numerical", "--methods",
                    "student", "--set", "epochs=3", "--backend", "cpu", "--out", dir.toString()),
                    log.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        Path ckpt;
        try (Stream<Path> s = Files.walk(dir)) {
            ckpt = s.filter(p -> p.getFileName().toString().equals(MovieCheckpoint.FILE_NAME)).findFirst()
                    .orElseThrow(() -> new AssertionError("no movie checkpoint under " + dir + "\n" + log));
        }
        MovieCheckpoint c = MovieCheckpoint.read(ckpt.getParent());
        FeatureTask task = FeatureTask.load(null, "numerical", c.seed(), null,
                new PrintStream(new ByteArrayOutputStream()));
        assertEquals(task.targetOffset(), c.targetOffset(), "the checkpoint carries the training mean");
        Path out = dir.resolve("student.wnw");
        assertEquals(0, WinnowCli.run("export", "--checkpoint", ckpt.getParent().toString(), "--out",
                out.toString()));
        MovieRatingModel m = MovieRatingModel.load(out);
        // the trained student through the runtime vs the same layers through the checkpoint's pipeline, in Java
        for (Movie film : SyntheticMovies.generate(50, 99)) {
            float[] x = c.features().transform(film.fields());
            for (dev.winnow.engine.io.NcfExport.LayerWeights l : c.layers()) {
                float[] y = new float[l.out()];
                for (int o = 0; o < l.out(); o++) {
                    double s = l.bias()[o];
                    for (int k = 0; k < l.in(); k++) {
                        s += (double) l.weight()[o * l.in() + k] * x[k];
                    }
                    y[o] = l == c.layers().get(c.layers().size() - 1) ? (float) s : Math.max(0f, (float) s);
                }
                x = y;
            }
            assertEquals(x[0] + c.targetOffset(), m.score(film.fields()), 1e-4f, film.title());
        }
    }

    @Test
    void aDamagedMovieCheckpointIsRefusedWithItsFileName(@TempDir Path dir) throws Exception {
        List<Movie> films = SyntheticMovies.generate(100, 1);
        MovieFeatures f = MovieFeatures.fit(films, EnumSet.of(FeatureGroup.NUMERICAL), 16, 5);
        try (Backend backend = new CpuBackend(1)) {
            MovieCheckpoint c = MovieCheckpoint.capture(f,
                    dev.winnow.recsys.model.FeatureMlp.student(backend, f.width(), 1).mlp(), 6f, 1f, 10f, "s", 1);
            Path file = MovieCheckpoint.write(c, dir);
            byte[] b = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(b, b.length - 10));
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                    () -> MovieCheckpoint.read(dir));
            assertTrue(e.getMessage().contains(MovieCheckpoint.FILE_NAME), e.getMessage());
        }
    }
}
