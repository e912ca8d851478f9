package dev.winnow.recsys.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.winnow.engine.io.AtomicFile;
import dev.winnow.engine.runtime.InputFiles;
import dev.winnow.recsys.method.MethodPresets;
import dev.winnow.recsys.method.RunFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The options a {@code compare} run started with, kept in {@code DIR/run.json} before its first epoch so that
 * {@code --resume DIR} continues with exactly them. The components are run.json's fields, in its order and format:
 * a file written by any earlier version still resumes, and every field this version does not know is refused.
 *
 * @param methods  as given to --methods, comma-separated; null: every method that applies
 * @param set      the --set KEY=VALUE settings, one per line
 * @param backend  null (in a run.json older than --backend) is {@code auto}
 * @param sparseThreshold null in a run.json older than --sparse-threshold: the run goes on with this machine's
 *                 crossover, as it began
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CompareOptions(
        @JsonProperty(required = true) String data,
        @JsonProperty(required = true) String preset,
        @JsonProperty(required = true) int seeds,
        @JsonProperty(required = true) long seed,
        @JsonProperty(required = true) int threads,
        Integer fold,
        String backend,
        @JsonProperty("skip_bad_lines") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean skipBadLines,
        String features,
        @JsonProperty("train_from") Integer trainFrom,
        String methods,
        @JsonProperty("run_file") String runFile,
        @JsonProperty(required = true) String set,
        @JsonProperty("rewind_iteration") Integer rewindIteration,
        @JsonProperty("sparse_threshold") Double sparseThreshold) {

    static final String FILE = "run.json";

    /** Largest run.json read: the options take a few hundred bytes, a long list of --set settings a few KB. */
    static final long MAX_BYTES = 1 << 20;

    /** Runs of one method a comparison may ask for (a mistyped count must not queue years of work). */
    static final int MAX_SEEDS = 1000;

    /** Strict: a key given twice, a number where text belongs (or the reverse), a fraction for a count all fail. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer,
                    CoercionAction.Fail).setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.Integer,
                    CoercionAction.Fail))
            .build();

    /** What a field of the wrong type should have been, by the component's type. */
    private static final Map<Class<?>, String> EXPECTED = Map.of(int.class, "a whole number", long.class,
            "a whole number", Integer.class, "a whole number", String.class, "a string", Double.class, "a number",
            boolean.class, "true or false");

    CompareOptions {
        backend = backend == null ? "auto" : backend;
    }

    /** The --methods names, or null when every method that applies runs. */
    @JsonIgnore
    List<String> methodNames() {
        return methods == null ? null : List.of(methods.split(","));
    }

    /** The --set KEY=VALUE settings in the order given. */
    @JsonIgnore
    List<String> settings() {
        return set.isEmpty() ? List.of() : List.of(set.split("\n"));
    }

    /** The ranges of the options that stand alone, written so that NaN fails them. */
    void check() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (sparseThreshold != null && !(sparseThreshold >= 0 && sparseThreshold <= 1)) {
            throw new IllegalArgumentException("--sparse-threshold must be a density in [0, 1], got "
                    + sparseThreshold);
        }
        if (rewindIteration != null && rewindIteration < 0) {
            throw new IllegalArgumentException("--rewind-iteration must be a number of optimiser steps >= 0 (omit it "
                    + "to rewind to initialisation), got " + rewindIteration);
        }
    }

    /** Checked once the run file has had its say on the number of seeds. */
    void checkSeeds() {
        if (seeds < 1 || seeds > MAX_SEEDS) {
            throw new IllegalArgumentException("--seeds must be 1.." + MAX_SEEDS + ", got " + seeds);
        }
    }

    /** With the run file's preset and seeds, which take the place of --preset and --seeds. */
    CompareOptions with(RunFile rf) {
        return new CompareOptions(data, rf.preset() != null ? MethodPresets.canonical(rf.preset()) : preset,
                rf.seeds() != null ? rf.seeds() : seeds, seed, threads, fold, backend, skipBadLines, features,
                trainFrom, methods, runFile, set, rewindIteration, sparseThreshold);
    }

    CompareOptions withFeatures(String groups) {
        return new CompareOptions(data, preset, seeds, seed, threads, fold, backend, skipBadLines, groups, trainFrom,
                methods, runFile, set, rewindIteration, sparseThreshold);
    }

    CompareOptions withSparseThreshold(Double density) {
        return new CompareOptions(data, preset, seeds, seed, threads, fold, backend, skipBadLines, features,
                trainFrom, methods, runFile, set, rewindIteration, density);
    }

    /** Writes DIR/run.json with the data directory and the run file absolute: --resume works from anywhere. */
    void write(Path dir) throws IOException {
        String dataAt = data.equals("synthetic") ? data : Path.of(data).toAbsolutePath().normalize().toString();
        String runFileAt = runFile == null ? null : Path.of(runFile).toAbsolutePath().toString();
        CompareOptions saved = new CompareOptions(dataAt, preset, seeds, seed, threads, fold, backend, skipBadLines,
                features, trainFrom, methods, runFileAt, set, rewindIteration, sparseThreshold);
        AtomicFile.write(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(saved));
    }

    /** Reads DIR/run.json; whatever is wrong with it is one line naming the file and the field. */
    static CompareOptions read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) {
            throw new IllegalArgumentException("--resume " + dir + ": no run.json there; it is not the --out "
                    + "directory of a compare run");
        }
        try {
            InputFiles.requireRegular(f, "run.json", MAX_BYTES);
        } catch (FileSystemException e) {
            // a directory, FIFO or device, or a file over the cap: refused before it is opened
            throw new IllegalArgumentException("--resume " + dir + ": " + f + ": " + e.getReason());
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // Jackson's own location text ("(start marker at [Source: ...])") repeats what line/column say
            String why = e.getOriginalMessage().lines().findFirst().orElse("");
            int cut = why.indexOf(" (start marker");
            why = cut < 0 ? why : why.substring(0, cut);
            throw damaged(dir, "not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + ": " + why);
        }
        if (tree == null || !tree.isObject()) {
            throw damaged(dir, "it does not hold a JSON object");
        }
        // no version writes null: an absent option is left out
        for (Map.Entry<String, JsonNode> field : tree.properties()) {
            if (field.getValue().isNull()) {
                throw damaged(dir, "\"" + field.getKey() + "\" is null");
            }
        }
        try {
            return JSON.treeToValue(tree, CompareOptions.class);
        } catch (UnrecognizedPropertyException e) {
            throw damaged(dir, "it has an unknown field \"" + e.getPropertyName() + "\"");
        } catch (JsonMappingException e) {
            List<JsonMappingException.Reference> path = e.getPath();
            String field = path.isEmpty() ? null : path.get(0).getFieldName();
            if (field == null) {
                throw damaged(dir, e.getOriginalMessage().lines().findFirst().orElse(""));
            }
            if (!tree.has(field)) {
                throw damaged(dir, "it lacks \"" + field + "\"");
            }
            String expected = e instanceof MismatchedInputException m && m.getTargetType() != null
                    ? EXPECTED.get(m.getTargetType()) : null;
            // otherwise a number out of its type's range, say, which Jackson's first line names
            throw damaged(dir, "\"" + field + "\" " + (expected != null ? "is not " + expected
                    : "is not valid: " + e.getOriginalMessage().lines().findFirst().orElse("")));
        }
    }

    private static IllegalArgumentException damaged(Path dir, String why) {
        return new IllegalArgumentException("--resume " + dir + ": " + dir.resolve(FILE) + " is damaged (" + why
                + "); it cannot be resumed: start a new run with --out");
    }
}
