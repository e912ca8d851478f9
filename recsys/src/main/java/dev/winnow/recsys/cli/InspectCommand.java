package dev.winnow.recsys.cli;

import dev.winnow.engine.io.ModelFileSummary;
import dev.winnow.engine.runtime.ModelFormatException;
import dev.winnow.engine.runtime.MovieRatingModel;
import dev.winnow.engine.runtime.WnwFormat;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.runtime.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code winnow inspect}: what a .wnw file holds and whether its checksums pass. Exit 1 for a damaged file. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a .wnw model's layers, density, bytes per layer and checksum status.")
public final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL.wnw")
    Path file;

    @Override
    public Integer call() throws Exception {
        PrintStream o = System.out;
        // refuses a directory, FIFO or device in one line before anything is printed or opened
        ModelFileSummary s = ModelFileSummary.read(file);
        o.printf(Locale.ROOT, "%s: %d bytes, format %s%n", file, s.fileBytes(),
                s.versionMajor() < 0 ? "unknown" : s.versionMajor() + "." + s.versionMinor());
        o.printf(Locale.ROOT, "%-8s %-17s %9s %9s  %s%n", "section", "type", "offset", "bytes", "crc32c");
        for (int i = 0; i < s.sections().size(); i++) {
            ModelFileSummary.Section sec = s.sections().get(i);
            o.printf(Locale.ROOT, "%-8d %-17s %9d %9d  %s%n", i, sec.typeName(), sec.offset(), sec.length(),
                    sec.checksumOk() ? "ok" : "MISMATCH");
        }
        o.println("file checksum: " + (s.fileChecksumOk() == null ? "not reached" : s.fileChecksumOk() ? "ok"
                : "MISMATCH"));
        if (s.problem() != null) {
            o.println("structure: " + s.problem());
        }
        if (WnwFormat.declaredKind(file) == WnwFormat.KIND_MOVIE_MLP) {
            MovieRatingModel mm;
            try {
                mm = MovieRatingModel.load(file);
            } catch (ModelFormatException e) {
                o.println("refused: " + e.getMessage());
                return 1;
            }
            o.println(mm);
            o.printf(Locale.ROOT, "ratings clipped to %.2f..%.2f; numeric %s; categorical %s; text %s%n",
                    mm.minRating(), mm.maxRating(), mm.numericInputs(), mm.categoricalFields(), mm.textFields());
            o.println("input CSV columns (winnow infer): " + String.join(",", mm.fields()));
            for (Map.Entry<String, String> e : mm.metadata().entrySet()) {
                o.println("  " + e.getKey() + ": " + e.getValue());
            }
            return 0;
        }
        RecommenderModel m;
        try {
            m = RecommenderModel.load(file);
        } catch (ModelFormatException e) {
            o.println("refused: " + e.getMessage());
            return 1;
        }
        o.println(m);
        o.printf(Locale.ROOT, "ratings clipped to %.1f..%.1f; kernels %s%n", m.minRating(), m.maxRating(),
                m.kernels());
        o.println("id map: " + m.idMapDescription() + (m.hasIdMap() ? " (infer takes these raw ids)" : ""));
        for (Map.Entry<String, String> e : m.metadata().entrySet()) {
            o.println("  " + e.getKey() + ": " + e.getValue());
        }
        o.printf(Locale.ROOT, "%-14s %-11s %-9s %9s %8s %9s%n", "tensor", "shape", "storage", "nonzeros", "density",
                "bytes");
        long nnz = 0;
        long cells = 0;
        for (TensorInfo t : m.tensors()) {
            o.printf(Locale.ROOT, "%-14s %-11s %-9s %9d %8.4f %9d%n", t.name(), t.rows() + "x" + t.cols(),
                    t.storageName(), t.nonzeros(), t.density(), t.bytes());
            nnz += t.nonzeros();
            cells += (long) t.rows() * t.cols();
        }
        o.printf(Locale.ROOT, "total: %d of %d parameters nonzero (density %.4f); checksum %08x ok%n", nnz, cells,
                (double) nnz / cells, m.checksum());
        return 0;
    }
}
