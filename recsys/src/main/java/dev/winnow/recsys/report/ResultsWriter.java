package dev.winnow.recsys.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.winnow.engine.io.AtomicFile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code results.json} and {@code results.csv} (same rows) into a directory, each through a temporary file
 * renamed into place, so a reader never sees half a file.
 */
public final class ResultsWriter {
    /** CSV column order; JSON uses the same keys. */
    public static final List<String> COLUMNS = List.of("method", "seed", "fold", "mae", "mse", "rmse", "hr10",
            "ndcg10", "density", "params", "nonzero_params", "model_bytes", "train_seconds", "flops_per_sample",
            "infer_samples_per_second", "energy_joules", "best_round", "epochs", "density_mlp");

    private ResultsWriter() {
    }

    public static void write(Path dir, DatasetInfo dataset, String backend, Double sparseThreshold, String preset,
                             int seeds, List<RunResult> runs) throws IOException {
        Files.createDirectories(dir);
        AtomicFile.write(dir.resolve("results.json"),
                out -> writeJson(out, dataset, backend, sparseThreshold, preset, seeds, runs));
        AtomicFile.write(dir.resolve("results.csv"), out -> writeCsv(out, runs));
    }


    private static void writeJson(OutputStream out, DatasetInfo dataset, String backend, Double sparseThreshold,
                                  String preset, int seeds, List<RunResult> runs) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeObjectFieldStart("dataset");
            g.writeStringField("name", dataset.name());
            g.writeNumberField("train_rows", dataset.trainRows());
            g.writeNumberField("test_rows", dataset.testRows());
            if (dataset.features() == null) {
                g.writeNullField("features");
            } else {
                g.writeStringField("features", dataset.features());
            }
            g.writeEndObject();
            g.writeStringField("backend", backend);
            if (sparseThreshold == null) {
                g.writeNullField("sparse_threshold");
            } else {
                g.writeNumberField("sparse_threshold", sparseThreshold);
            }
            if (preset == null) {
                g.writeNullField("preset");
            } else {
                g.writeStringField("preset", preset);
            }
            g.writeNumberField("seeds", seeds);
            g.writeArrayFieldStart("runs");
            for (RunResult r : runs) {
                g.writeStartObject();
                Object[] values = values(r);
                for (int i = 0; i < COLUMNS.size(); i++) {
                    Object v = values[i];
                    String key = COLUMNS.get(i);
                    if (v == null) {
                        g.writeNullField(key);
                    } else if (v instanceof String s) {
                        g.writeStringField(key, s);
                    } else if (v instanceof Double d) {
                        if (d.isNaN() || d.isInfinite()) {
                            g.writeNullField(key);
                        } else {
                            g.writeNumberField(key, d);
                        }
                    } else if (v instanceof Long l) {
                        g.writeNumberField(key, l);
                    } else {
                        g.writeNumberField(key, (Integer) v);
                    }
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writeCsv(OutputStream out, List<RunResult> runs) throws IOException {
        // a Writer, not a PrintWriter: PrintWriter keeps write errors (a full disk) to itself
        java.io.Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
        w.write(String.join(",", COLUMNS) + "\n");
        for (RunResult r : runs) {
            Object[] values = values(r);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    line.append(',');
                }
                Object v = values[i];
                if (v instanceof String s) {
                    line.append(csvQuote(s));
                } else if (v instanceof Double d) {
                    if (!d.isNaN() && !d.isInfinite()) {
                        line.append(String.format(Locale.ROOT, "%.6g", d));
                    }
                } else if (v != null) {
                    line.append(v);
                }
            }
            w.write(line.append('\n').toString());
        }
        w.flush();
    }

    private static String csvQuote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static Object[] values(RunResult r) {
        return new Object[] {r.method(), r.seed(), r.fold(), r.mae(), r.mse(), r.rmse(), r.hr10(), r.ndcg10(),
            r.density(), r.params(), r.nonzeroParams(), r.modelBytes(), r.trainSeconds(), r.flopsPerSample(),
            r.inferSamplesPerSecond(), r.energyJoules(), r.bestRound(), r.epochs(), r.densityMlp()};
    }
}
