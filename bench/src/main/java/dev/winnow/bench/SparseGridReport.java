package dev.winnow.bench;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.perf.KernelTimer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns the CSV results of {@link SparseKernelBench} ({@code -rf csv}) into the numbers issue 3 asks for:
 * {@code grid.csv} (per batch, shape, density and direction: nnz, the time of dense, masked, CSR and EJML, CSR's
 * effective GFLOP/s, dense GFLOP/s, CSR time over dense and over EJML), {@code crossover-grid.csv} (per shape, batch
 * and direction: the largest measured density at which CSR beats dense, and the crossover interpolated between grid
 * points) and {@code grid.md} (the same as markdown tables for bench/RESULTS.md).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.winnow.bench.SparseGridReport <jmh csv>... --output
 * <dir>}. Dense and EJML times do not depend on the density: a result at another density of the same batch and
 * shape (run-sparse.sh measures them at density 1 only) stands in for every density. Missing results give empty
 * cells. nnz is exact: the benchmark's mask is rebuilt from its seed.
 */
public final class SparseGridReport {
    private SparseGridReport() {
    }

    public enum Kernel { DENSE, MASKED, CSR, EJML }

    public enum Direction {
        FORWARD, BACKWARD;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Multiply-adds per call, x2, of a product with {@code weights} stored weights. */
        double flops(int batch, double weights) {
            return (this == FORWARD ? 2.0 : 4.0) * batch * weights;
        }
    }

    /** One benchmark result: a kernel at a point, in milliseconds per call, and where it was read from. */
    public record Timing(Kernel kernel, Direction direction, int batch, int in, int out, double density, int threads,
                         double ms, String where) {
    }

    /** How nnz of a point is counted; the report uses {@link #exactNnz}, tests may pass their own. */
    @FunctionalInterface
    public interface NnzCount {
        int nnz(int in, int out, double density);
    }

    /** One row of grid.csv; a time that was not measured is NaN, and so is everything computed from it. */
    public record GridRow(int batch, int in, int out, double density, Direction direction, int nnz, double denseMs,
                          double maskedMs, double csrMs, double ejmlMs) {
        public double csrGflops() {
            return direction.flops(batch, nnz) / (csrMs * 1e6);
        }

        public double denseGflops() {
            return direction.flops(batch, (double) in * out) / (denseMs * 1e6);
        }

        public double ejmlGflops() {
            return direction.flops(batch, (double) in * out) / (ejmlMs * 1e6);
        }

        public double csrOverDense() {
            return csrMs / denseMs;
        }

        public double csrOverEjml() {
            return csrMs / ejmlMs;
        }
    }

    /**
     * Where CSR starts to beat dense for one shape, batch and direction. {@code largestFaster}: the largest measured
     * density with CSR time &lt; dense time, or "none"; {@code crossover}: the density where CSR time / dense time
     * crosses 1, linear between that density and the next larger measured one, "&gt;= d" when CSR is already faster
     * at the largest measured density d, "none" when it is never faster, "no data" without any pair of times.
     * {@code signChanges} counts faster/slower flips along the densities: more than 1 means noise or a kernel switch.
     */
    public record Crossover(int batch, int in, int out, Direction direction, String largestFaster, String crossover,
                            int signChanges) {
    }

    private static final Map<String, Kernel> KERNELS = Map.of(
            "denseForward", Kernel.DENSE, "denseBackward", Kernel.DENSE,
            "maskedForward", Kernel.MASKED, "maskedBackward", Kernel.MASKED,
            "csrForward", Kernel.CSR, "csrBackward", Kernel.CSR,
            "ejmlDenseForward", Kernel.EJML, "ejmlDenseBackward", Kernel.EJML);

    private static final Map<String, Double> MS_PER_UNIT = Map.of(
            "ns/op", 1e-6, "us/op", 1e-3, "ms/op", 1.0, "s/op", 1e3, "min/op", 60e3);

    public static void main(String[] args) {
        List<Path> inputs = new ArrayList<>();
        Path output = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--output") && i + 1 < args.length) {
                output = Path.of(args[++i]);
            } else if (args[i].startsWith("--")) {
                usage("unknown option " + args[i]);
            } else {
                inputs.add(Path.of(args[i]));
            }
        }
        if (inputs.isEmpty() || output == null) {
            usage(inputs.isEmpty() ? "no JMH CSV file given" : "--output <dir> is missing");
        }
        try {
            List<Timing> timings = new ArrayList<>();
            for (Path p : inputs) {
                timings.addAll(parse(p));
            }
            List<GridRow> grid = grid(timings, SparseGridReport::exactNnz);
            List<Crossover> crossovers = crossovers(grid);
            Files.createDirectories(output);
            Files.writeString(output.resolve("grid.csv"), gridCsv(grid));
            Files.writeString(output.resolve("crossover-grid.csv"), crossoverCsv(crossovers));
            Files.writeString(output.resolve("grid.md"), markdown(grid, crossovers));
            System.out.printf(Locale.ROOT, "%d results -> %d grid rows; wrote %s, %s, %s%n", timings.size(),
                    grid.size(), output.resolve("grid.csv"), output.resolve("crossover-grid.csv"),
                    output.resolve("grid.md"));
        } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
            System.err.println("SparseGridReport: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void usage(String why) {
        System.err.println("SparseGridReport: " + why + "\nusage: java -cp bench/target/benchmarks.jar "
                + "dev.winnow.bench.SparseGridReport <jmh result.csv>... --output <dir>");
        System.exit(2);
    }

    // ---------------------------------------------------------------- reading JMH's CSV

    public static List<Timing> parse(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.toString(), r);
        }
    }

    /**
     * The SparseKernelBench rows of one JMH CSV ({@code -rf csv}); other benchmarks and secondary metrics (names
     * with ':') are skipped. {@code source} names the input in error messages ({@code source:line: field ...}).
     */
    public static List<Timing> parse(String source, Reader reader) throws IOException {
        BufferedReader r = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        String headerLine = r.readLine();
        if (headerLine == null || headerLine.isBlank()) {
            throw new IllegalArgumentException(source + ": empty; expected JMH's CSV header (run JMH with -rf csv)");
        }
        List<String> header = fields(source, 1, stripBom(headerLine));
        int benchmark = column(source, header, "Benchmark");
        int score = column(source, header, "Score");
        int unit = column(source, header, "Unit");
        int batch = header.indexOf("Param: batch");
        int shape = header.indexOf("Param: shape");
        int density = header.indexOf("Param: density");
        int threads = header.indexOf("Param: threads");
        List<Timing> out = new ArrayList<>();
        String line;
        for (int lineNo = 2; (line = r.readLine()) != null; lineNo++) {
            if (line.isBlank()) {
                continue;
            }
            List<String> f = fields(source, lineNo, line);
            String where = source + ":" + lineNo;
            if (f.size() != header.size()) {
                throw new IllegalArgumentException(where + ": " + f.size() + " fields, the header has "
                        + header.size());
            }
            String name = f.get(benchmark);
            if (name.contains(":")) {
                continue; // a secondary metric (profiler output), not a time per call
            }
            int dot = name.lastIndexOf('.');
            String method = name.substring(dot + 1);
            String cls = name.substring(0, Math.max(dot, 0));
            if (!(cls.equals("SparseKernelBench") || cls.endsWith(".SparseKernelBench"))
                    || !KERNELS.containsKey(method)) {
                continue;
            }
            Direction dir = method.endsWith("Forward") ? Direction.FORWARD : Direction.BACKWARD;
            Double perUnit = MS_PER_UNIT.get(f.get(unit));
            if (perUnit == null) {
                throw new IllegalArgumentException(where + ": field Unit: '" + f.get(unit) + "' is not a time per "
                        + "call; run JMH in average-time mode (-bm avgt), as SparseKernelBench declares");
            }
            double s = number(where, "Score", f.get(score));
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException(where + ": field Score: " + f.get(score)
                        + " is not a positive time");
            }
            String shapeText = param(where, header, f, shape, "shape");
            String[] io = shapeText.split("x");
            if (io.length != 2) {
                throw new IllegalArgumentException(where + ": field Param: shape: '" + shapeText
                        + "' is not <in>x<out>");
            }
            int in = positiveInt(where, "Param: shape", io[0]);
            int outDim = positiveInt(where, "Param: shape", io[1]);
            double d = number(where, "Param: density", param(where, header, f, density, "density"));
            if (!(d > 0 && d <= 1)) {
                throw new IllegalArgumentException(where + ": field Param: density: " + d + " is outside (0, 1]");
            }
            int b = positiveInt(where, "Param: batch", param(where, header, f, batch, "batch"));
            int t = threads < 0 ? 1 : positiveInt(where, "Param: threads", f.get(threads));
            out.add(new Timing(KERNELS.get(method), dir, b, in, outDim, d, t, s * perUnit, where));
        }
        return out;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static int column(String source, List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(source + ":1: no '" + name + "' column in the header " + header
                    + "; expected JMH's CSV output (-rf csv)");
        }
        return i;
    }

    private static String param(String where, List<String> header, List<String> f, int col, String name) {
        if (col < 0) {
            throw new IllegalArgumentException(where + ": field Param: " + name + ": the header has no 'Param: "
                    + name + "' column " + header + "; SparseKernelBench results carry batch, shape and density");
        }
        return f.get(col);
    }

    private static double number(String where, String field, String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": field " + field + ": '" + text + "' is not a number");
        }
    }

    private static int positiveInt(String where, String field, String text) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the field's name
        }
        throw new IllegalArgumentException(where + ": field " + field + ": '" + text + "' is not a positive integer");
    }

    /** One CSV line's fields (RFC 4180 quoting: "..." with "" for a quote inside; JMH writes no line breaks). */
    static List<String> fields(String source, int lineNo, String line) {
        List<String> f = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        while (true) {
            if (i < line.length() && line.charAt(i) == '"') {
                int start = i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException(source + ":" + lineNo + ": field " + (f.size() + 1)
                                + ": the quote opened at column " + (start + 1) + " is never closed");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < line.length() && line.charAt(i) == '"') {
                            cur.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        cur.append(c);
                    }
                }
                if (i < line.length() && line.charAt(i) != ',') {
                    throw new IllegalArgumentException(source + ":" + lineNo + ": field " + (f.size() + 1)
                            + ": text after the closing quote at column " + i);
                }
            } else {
                while (i < line.length() && line.charAt(i) != ',') {
                    cur.append(line.charAt(i++));
                }
            }
            f.add(cur.toString());
            cur.setLength(0);
            if (i >= line.length()) {
                return f;
            }
            i++; // the comma
        }
    }

    // ---------------------------------------------------------------- the grid

    /** nnz of the mask {@link SparseKernelBench} builds at this shape and density (it does not depend on batch). */
    public static int exactNnz(int in, int out, double density) {
        try (CpuBackend be = new CpuBackend(1);
             KernelTimer t = new KernelTimer(be, 1, in, out, density, SparseKernelBench.SEED)) {
            return t.nnz();
        }
    }

    private record Point(int batch, int in, int out, double density) {
    }

    private record Key(Kernel kernel, Direction direction, int batch, int in, int out, double density) {
    }

    private static final Comparator<Point> POINT_ORDER = Comparator.comparingInt(Point::batch)
            .thenComparingLong(p -> (long) p.in() * p.out()).thenComparingInt(Point::in)
            .thenComparing(Point::density, Comparator.reverseOrder());

    /**
     * One row per measured (batch, in, out, density) and direction, ordered by batch, shape, density (descending),
     * direction. The points are those of the masked and CSR results; a batch and shape with only dense or EJML
     * results contributes their densities. A later result for the same kernel and point replaces an earlier one.
     */
    public static List<GridRow> grid(List<Timing> timings, NnzCount nnzCount) {
        TreeSet<Integer> threadCounts = new TreeSet<>();
        Map<Key, Timing> byKey = new LinkedHashMap<>();
        for (Timing t : timings) {
            threadCounts.add(t.threads());
            Timing old = byKey.put(new Key(t.kernel(), t.direction(), t.batch(), t.in(), t.out(), t.density()), t);
            if (old != null) {
                System.err.println("SparseGridReport: " + t.where() + " replaces " + old.where() + " ("
                        + t.kernel() + " " + t.direction().label() + ")");
            }
        }
        if (threadCounts.size() > 1) {
            throw new IllegalArgumentException("the results mix thread counts " + threadCounts
                    + " (Param: threads); report one thread count at a time");
        }
        TreeSet<Point> points = new TreeSet<>(POINT_ORDER);
        for (Timing t : timings) {
            if (t.kernel() == Kernel.MASKED || t.kernel() == Kernel.CSR) {
                points.add(new Point(t.batch(), t.in(), t.out(), t.density()));
            }
        }
        TreeSet<Point> covered = new TreeSet<>(POINT_ORDER);
        points.forEach(p -> covered.add(new Point(p.batch(), p.in(), p.out(), 1)));
        for (Timing t : timings) {
            if (!covered.contains(new Point(t.batch(), t.in(), t.out(), 1))) {
                points.add(new Point(t.batch(), t.in(), t.out(), t.density()));
            }
        }
        Map<Point, Integer> nnzCache = new HashMap<>();
        List<GridRow> rows = new ArrayList<>();
        for (Point p : points) {
            int nnz = nnzCache.computeIfAbsent(new Point(1, p.in(), p.out(), p.density()),
                    q -> nnzCount.nnz(q.in(), q.out(), q.density()));
            for (Direction dir : Direction.values()) {
                rows.add(new GridRow(p.batch(), p.in(), p.out(), p.density(), dir, nnz,
                        anyDensity(byKey, Kernel.DENSE, dir, p), at(byKey, Kernel.MASKED, dir, p),
                        at(byKey, Kernel.CSR, dir, p), anyDensity(byKey, Kernel.EJML, dir, p)));
            }
        }
        return rows;
    }

    private static double at(Map<Key, Timing> byKey, Kernel k, Direction dir, Point p) {
        Timing t = byKey.get(new Key(k, dir, p.batch(), p.in(), p.out(), p.density()));
        return t == null ? Double.NaN : t.ms();
    }

    /** The time at this density if measured, else at the largest density measured for this batch and shape. */
    private static double anyDensity(Map<Key, Timing> byKey, Kernel k, Direction dir, Point p) {
        double exact = at(byKey, k, dir, p);
        if (!Double.isNaN(exact)) {
            return exact;
        }
        Timing best = null;
        for (Timing t : byKey.values()) {
            if (t.kernel() == k && t.direction() == dir && t.batch() == p.batch() && t.in() == p.in()
                    && t.out() == p.out() && (best == null || t.density() > best.density())) {
                best = t;
            }
        }
        return best == null ? Double.NaN : best.ms();
    }

    // ---------------------------------------------------------------- the crossover

    /** One crossover per batch, shape and direction present in the grid, in the grid's order (forward first). */
    public static List<Crossover> crossovers(List<GridRow> grid) {
        Map<String, List<GridRow>> groups = new LinkedHashMap<>();
        for (GridRow r : grid) {
            groups.computeIfAbsent(r.batch() + " " + r.in() + " " + r.out() + " " + r.direction(),
                    k -> new ArrayList<>()).add(r);
        }
        List<Crossover> out = new ArrayList<>();
        for (List<GridRow> g : groups.values()) {
            GridRow first = g.get(0);
            List<GridRow> measured = new ArrayList<>();
            for (GridRow r : g) {
                if (!Double.isNaN(r.csrOverDense())) {
                    measured.add(r);
                }
            }
            measured.sort(Comparator.comparingDouble(GridRow::density).reversed());
            out.add(crossover(first.batch(), first.in(), first.out(), first.direction(), measured));
        }
        return out;
    }

    /** {@code measured}: rows with both times, densities descending. */
    private static Crossover crossover(int batch, int in, int out, Direction dir, List<GridRow> measured) {
        if (measured.isEmpty()) {
            return new Crossover(batch, in, out, dir, "no data", "no data", 0);
        }
        int changes = 0;
        for (int i = 1; i < measured.size(); i++) {
            if (faster(measured.get(i)) != faster(measured.get(i - 1))) {
                changes++;
            }
        }
        int f = -1;
        for (int i = 0; i < measured.size() && f < 0; i++) {
            if (faster(measured.get(i))) {
                f = i;
            }
        }
        if (f < 0) {
            return new Crossover(batch, in, out, dir, "none", "none", changes);
        }
        GridRow fast = measured.get(f);
        if (f == 0) {
            return new Crossover(batch, in, out, dir, density(fast.density()), ">= " + density(fast.density()),
                    changes);
        }
        GridRow slow = measured.get(f - 1);
        double rf = fast.csrOverDense();
        double rs = slow.csrOverDense();
        double d = fast.density() + (1 - rf) * (slow.density() - fast.density()) / (rs - rf);
        return new Crossover(batch, in, out, dir, density(fast.density()),
                String.format(Locale.ROOT, "%.3g", d), changes);
    }

    private static boolean faster(GridRow r) {
        return r.csrOverDense() < 1;
    }

    // ---------------------------------------------------------------- writing

    public static String gridCsv(List<GridRow> grid) {
        StringBuilder s = new StringBuilder("batch,in,out,density,direction,nnz,dense_ms,masked_ms,csr_ms,ejml_ms,"
                + "csr_eff_gflops,dense_gflops,ejml_gflops,csr_over_dense,csr_over_ejml\n");
        for (GridRow r : grid) {
            s.append(r.batch()).append(',').append(r.in()).append(',').append(r.out()).append(',')
                    .append(density(r.density())).append(',').append(r.direction().label()).append(',')
                    .append(r.nnz()).append(',')
                    .append(num("%.6f", r.denseMs())).append(',').append(num("%.6f", r.maskedMs())).append(',')
                    .append(num("%.6f", r.csrMs())).append(',').append(num("%.6f", r.ejmlMs())).append(',')
                    .append(num("%.3f", r.csrGflops())).append(',').append(num("%.3f", r.denseGflops())).append(',')
                    .append(num("%.3f", r.ejmlGflops())).append(',').append(num("%.4f", r.csrOverDense()))
                    .append(',').append(num("%.4f", r.csrOverEjml())).append('\n');
        }
        return s.toString();
    }

    public static String crossoverCsv(List<Crossover> crossovers) {
        StringBuilder s = new StringBuilder(
                "batch,in,out,direction,largest_density_csr_faster,crossover_density,sign_changes\n");
        for (Crossover c : crossovers) {
            s.append(c.batch()).append(',').append(c.in()).append(',').append(c.out()).append(',')
                    .append(c.direction().label()).append(',').append(c.largestFaster()).append(',')
                    .append(c.crossover()).append(',').append(c.signChanges()).append('\n');
        }
        return s.toString();
    }

    /** Markdown for bench/RESULTS.md: a table per direction (CSR GFLOP/s and CSR/dense per density), crossovers. */
    public static String markdown(List<GridRow> grid, List<Crossover> crossovers) {
        TreeSet<Double> densities = new TreeSet<>(Comparator.reverseOrder());
        grid.forEach(r -> densities.add(r.density()));
        StringBuilder s = new StringBuilder();
        for (Direction dir : Direction.values()) {
            s.append("#### ").append(dir == Direction.FORWARD ? "Forward (Y = X W^T)" : "Backward (dX and dW)")
                    .append("\n\nCell: CSR effective GFLOP/s (CSR time / dense time; below 1 CSR is faster). ")
                    .append("Dense and EJML: GFLOP/s of the full product.\n\n| batch | in x out | dense | EJML |");
            densities.forEach(d -> s.append(' ').append(density(d)).append(" |"));
            s.append("\n|---|---|---|---|").append("---|".repeat(densities.size())).append('\n');
            Map<String, Map<Double, GridRow>> rows = new LinkedHashMap<>();
            for (GridRow r : grid) {
                if (r.direction() == dir) {
                    rows.computeIfAbsent(r.batch() + " | " + r.in() + "x" + r.out(), k -> new HashMap<>())
                            .put(r.density(), r);
                }
            }
            for (Map.Entry<String, Map<Double, GridRow>> e : rows.entrySet()) {
                GridRow any = e.getValue().values().iterator().next();
                s.append("| ").append(e.getKey()).append(" | ").append(num("%.1f", any.denseGflops())).append(" | ")
                        .append(num("%.1f", any.ejmlGflops())).append(" |");
                for (double d : densities) {
                    GridRow r = e.getValue().get(d);
                    String cell = r == null || Double.isNaN(r.csrMs()) ? ""
                            : Double.isNaN(r.csrOverDense()) ? num("%.1f", r.csrGflops())
                            : num("%.1f", r.csrGflops()) + " (" + num("%.2f", r.csrOverDense()) + ")";
                    s.append(' ').append(cell).append(" |");
                }
                s.append('\n');
            }
            s.append('\n');
        }
        s.append("#### Density crossover (CSR faster than dense below it)\n\nLargest measured density at which CSR "
                + "beats dense, and the crossover interpolated linearly between it and the next larger measured "
                + "density (\"none\": CSR slower at every measured density; \">= d\": faster already at d). "
                + "Flips > 1: CSR/dense crosses 1 more than once (noise).\n\n| batch | in x out | forward: largest "
                + "faster | forward: crossover | backward: largest faster | backward: crossover | flips fwd/bwd |\n"
                + "|---|---|---|---|---|---|---|\n");
        Map<String, Crossover[]> byShape = new LinkedHashMap<>();
        for (Crossover c : crossovers) {
            byShape.computeIfAbsent(c.batch() + " | " + c.in() + "x" + c.out(), k -> new Crossover[2])
                    [c.direction().ordinal()] = c;
        }
        for (Map.Entry<String, Crossover[]> e : byShape.entrySet()) {
            Crossover f = e.getValue()[0];
            Crossover b = e.getValue()[1];
            s.append("| ").append(e.getKey()).append(" | ")
                    .append(f == null ? "" : f.largestFaster()).append(" | ").append(f == null ? "" : f.crossover())
                    .append(" | ").append(b == null ? "" : b.largestFaster()).append(" | ")
                    .append(b == null ? "" : b.crossover()).append(" | ")
                    .append(f == null ? "" : f.signChanges()).append('/').append(b == null ? "" : b.signChanges())
                    .append(" |\n");
        }
        return s.toString();
    }

    /** A density as the grid writes it: 1, 0.5, 0.02 (no trailing zeros). */
    static String density(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static String num(String format, double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }
}
