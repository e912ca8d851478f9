package dev.winnow.recsys.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.recsys.baseline.BiasBaseline;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.metrics.RegressionMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = WinnowCli.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void biasOnARandomSplitWritesTheSameNumbersItPrints() throws IOException {
        Path out = tmp.resolve("bias");
        Run r = run("eval", "--data", "synthetic", "--model", "bias", "--split", "random", "--seed", "4", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        JsonNode run = json.get("runs").get(0);
        assertEquals("bias", run.get("method").asText());
        assertEquals(4, run.get("seed").asLong());
        RatingSplit s = Splits.random(SyntheticRatings.generate(4), 0, 0.2, 4);
        RegressionMetrics m = RegressionMetrics.of(BiasBaseline.fit(s.train()).predict(s.test()), s.test().rating());
        assertEquals(m.rmse(), run.get("rmse").asDouble(), 1e-12);
        assertEquals(m.mae(), run.get("mae").asDouble(), 1e-12);
        assertEquals(m.mse(), run.get("mse").asDouble(), 1e-12);
        assertTrue(run.get("hr10").isNull(), "no ranking outside loo");
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "RMSE %.4f", m.rmse())), r.out());
        assertTrue(Files.isRegularFile(out.resolve("results.csv")));
    }

    @Test
    void leaveOneOutAlsoReportsFullRankingAndLabelsTheSampledProtocol() throws IOException {
        Path out = tmp.resolve("loo");
        Run r = run("eval", "--model", "bias", "--split", "loo", "--seeds", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode runs = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("runs");
        assertEquals(2, runs.size(), "one run per seed");
        for (JsonNode run : runs) {
            double hr = run.get("hr10").asDouble();
            double ndcg = run.get("ndcg10").asDouble();
            assertTrue(hr > 0 && hr < 1 && ndcg > 0 && ndcg <= hr, hr + " " + ndcg);
            assertEquals("loo", run.get("fold").asText());
        }
        assertTrue(r.out().contains("full ranking: HR@10"), r.out());
        assertTrue(r.out().contains("sampled 1+99 (not comparable)"), r.out());
    }

    @Test
    void ncfIsTrainedWithItsPresetAndBeatsTheGlobalMean() throws IOException {
        Path ncfOut = tmp.resolve("ncf");
        Path meanOut = tmp.resolve("mean");
        Run r = run("eval", "--model", "ncf", "--preset", "student", "--epochs", "2", "--split", "random", "--out",
                ncfOut.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(0, run("eval", "--model", "mean", "--split", "random", "--out", meanOut.toString()).code());
        ObjectMapper json = new ObjectMapper();
        JsonNode ncf = json.readTree(ncfOut.resolve("results.json").toFile());
        JsonNode mean = json.readTree(meanOut.resolve("results.json").toFile()).get("runs").get(0);
        assertEquals("student", ncf.get("preset").asText());
        JsonNode run = ncf.get("runs").get(0);
        assertEquals(100_641, run.get("params").asLong(), "the student preset on 943 users x 1682 items");
        assertEquals(2, run.get("epochs").asInt());
        assertTrue(run.get("rmse").asDouble() < mean.get("rmse").asDouble() - 0.05,
                run.get("rmse") + " vs mean " + mean.get("rmse"));
        assertTrue(r.out().contains("epoch 2/2"), "training progress is printed: " + r.out());
    }

    @Test
    void badOptionsAndDataExitWithOneLineMessages() throws IOException {
        Path out = tmp.resolve("x");
        Run unknown = run("eval", "--model", "svdpp", "--out", out.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--model: unknown model 'svdpp'"), unknown.err());

        Run folds = run("eval", "--model", "mean", "--split", "u1-u5", "--out", out.toString());
        assertEquals(2, folds.code());
        assertTrue(folds.err().contains("defined only for MovieLens 100K"), folds.err());

        Path bad = tmp.resolve("ml");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("u.data"), "1\t1\t5\t1\n1\t2\t0\t1\n");
        Run data = run("eval", "--data", bad.toString(), "--model", "mean", "--out", out.toString());
        assertEquals(2, data.code());
        assertTrue(data.err().contains("u.data:2: rating 0 is outside 1..5"), data.err());

        Run tuneAndSet = run("eval", "--model", "mf", "--tune", "--reg", "0.1", "--out", out.toString());
        assertEquals(2, tuneAndSet.code());
        assertTrue(tuneAndSet.err().contains("--tune chooses factors, epochs, lr and reg itself"), tuneAndSet.err());
    }

    @Test
    void movieModelsRunThroughEvalAndWriteTheirSplitIntoResults() throws IOException {
        Path out = tmp.resolve("r");
        Run r = run("eval", "--data", "synthetic", "--model", "ridge", "--features", "numerical", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("results.json").toFile());
        assertEquals("numerical", root.get("dataset").get("features").asText());
        assertTrue(root.get("dataset").get("train_rows").asInt() > 100);
        assertTrue(root.get("dataset").get("test_rows").asInt() > 10);
        assertEquals("ridge", root.get("runs").get(0).get("method").asText());
        assertTrue(root.get("runs").get(0).get("mse").asDouble() > 0);

        Path floor = tmp.resolve("floor");
        Run mean = run("eval", "--data", "synthetic", "--model", "mean", "--features", "numerical", "--out",
                floor.toString());
        assertEquals(0, mean.code(), mean.err());
        com.fasterxml.jackson.databind.JsonNode f = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(floor.resolve("results.json").toFile());
        assertEquals("numerical", f.get("dataset").get("features").asText(), "--features selects the movie floor");
        assertTrue(f.get("runs").get(0).get("mse").asDouble() > root.get("runs").get(0).get("mse").asDouble(),
                "ridge beats the predict-the-mean floor");

        Run bad = run("eval", "--data", "synthetic", "--model", "ridge", "--split", "random", "--train-from", "2000",
                "--out", tmp.resolve("r2").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--train-from"), bad.err());
    }

    @Test
    void nanAndInfinitiesFailEveryNumericOptionsRangeCheckBeforeAnyWork() {
        Path out = tmp.resolve("never");
        for (String[] bad : new String[][] {{"--reg", "NaN"}, {"--reg", "-1"}, {"--reg", "Infinity"},
            {"--lr", "NaN"}, {"--lr", "Infinity"}, {"--test-fraction", "NaN"}, {"--weight-decay", "NaN"},
            {"--lr-decay", "NaN"}, {"--lr-decay", "2"}, {"--epochs", "0"}, {"--factors", "0"}}) {
            Run r = run("eval", "--model", "mf", "--out", out.toString(), bad[0], bad[1]);
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.err().startsWith("winnow eval: " + bad[0] + " must be"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(Files.notExists(out), "nothing written for " + String.join(" ", bad));
        }
    }

    @Test
    void anOutputThatCannotBeADirectoryIsRefusedBeforeTraining() throws IOException {
        Path file = Files.writeString(tmp.resolve("results"), "a file");
        Run r = run("eval", "--model", "mf", "--epochs", "1", "--out", file.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("winnow eval: --out " + file + ": exists and is not a directory; name a new or an existing "
                + "directory", r.err().strip());
        assertTrue(r.out().isEmpty(), "no data loaded, nothing trained: " + r.out());
        Run under = run("eval", "--model", "mean", "--out", file.resolve("sub").toString());
        assertEquals(2, under.code(), under.err());
        assertTrue(under.err().contains("--out") && under.err().contains("is a file, not a directory"), under.err());
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc here");
        Run proc = run("eval", "--model", "mean", "--out", "/proc/winnow-results");
        assertEquals(2, proc.code(), proc.err());
        assertTrue(proc.err().startsWith("winnow eval: --out /proc/winnow-results: cannot create"), proc.err());
    }

    @Test
    void optionsThatDoNotApplyAreRefusedBeforeTheDataIsRead() {
        // the data directory does not exist: a check made after loading would report that instead
        String missing = tmp.resolve("no-such-data").toString();
        Run foldRandom = run("eval", "--data", missing, "--model", "mean", "--fold", "2", "--split", "random",
                "--out", tmp.resolve("a").toString());
        assertEquals(2, foldRandom.code(), foldRandom.err());
        assertTrue(foldRandom.err().contains("--fold applies to --split u1-u5, not --split random"), foldRandom.err());
        Run fold6 = run("eval", "--data", missing, "--model", "mean", "--fold", "6", "--out",
                tmp.resolve("b").toString());
        assertEquals(2, fold6.code(), fold6.err());
        assertTrue(fold6.err().contains("--fold must be 1..5, got 6"), fold6.err());
        Run trainFrom = run("eval", "--data", missing, "--model", "bias", "--train-from", "3000", "--out",
                tmp.resolve("c").toString());
        assertEquals(2, trainFrom.code(), trainFrom.err());
        assertTrue(trainFrom.err().contains("--train-from applies to the movie models"), trainFrom.err());
        Run movieFold = run("eval", "--data", missing, "--model", "ridge", "--fold", "1", "--out",
                tmp.resolve("d").toString());
        assertEquals(2, movieFold.code(), movieFold.err());
        assertTrue(movieFold.err().contains("--fold"), movieFold.err());
        for (String[] notApplying : new String[][] {{"mean", "--epochs", "5"}, {"bias", "--lr", "0.01"},
            {"ncf", "--factors", "20"}, {"ncf", "--reg", "0.1"}, {"mf", "--batch-size", "64"},
            {"mf", "--weight-decay", "0.01"}, {"ridge", "--epochs", "3"}, {"ridge", "--skip-bad-lines"},
            {"ncf", "--tune"}, {"mean", "--lr-decay-start", "2"}, {"bias", "--features", "numerical"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("eval", "--data", missing, "--out",
                    tmp.resolve("e").toString(), "--model"));
            args.addAll(List.of(notApplying));
            Run r = run(args.toArray(new String[0]));
            assertEquals(2, r.code(), args + ": " + r.err());
            assertTrue(r.err().startsWith("winnow eval: " + notApplying[1] + " applies to ")
                    && r.err().contains("not to --model " + notApplying[0]), r.err());
        }
        Run twoOfOneScope = run("eval", "--data", missing, "--out", tmp.resolve("f").toString(), "--model", "ridge",
                "--reg", "0.1", "--factors", "8");
        assertEquals("winnow eval: --factors, --reg applies to --model mf only, not to --model ridge (a movie model)",
                twoOfOneScope.err().strip());
    }

    @Test
    void missingMovieDataExitsTwoNamingTheDirectoryWithoutAJavaClassName() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Run r = run("eval", "--model", "ridge", "--data", empty.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("winnow eval: --data " + empty + ": ") && r.err().contains("movie_metadata.csv"),
                r.err());
        assertTrue(!r.err().contains("Exception"), r.err());
    }
}
