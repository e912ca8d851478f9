package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Parameter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Size of a (pruned) model per weight tensor and in total: shape, nonzeros, density, alive rows (neuron density for
 * structured pruning), bytes stored dense (float32) and as CSR (float values + int column indices + int row pointers),
 * and multiply-add FLOPs per sample (2 per nonzero, times the positions a kernel is applied at: 1 for Linear, the
 * output length for Conv1d). Only the student's tensors belong here: the distiller is never counted.
 */
public final class SparsityReport {

    /** One weight tensor. */
    public record Layer(String name, int rows, int cols, long nonzeros, int aliveRows, long positionsPerSample) {
        public long size() {
            return (long) rows * cols;
        }

        public double density() {
            return size() == 0 ? 1.0 : nonzeros / (double) size();
        }

        /** Fraction of rows (hidden units, for a Linear weight) with any weight left: the neuron density. */
        public double rowDensity() {
            return rows == 0 ? 1.0 : aliveRows / (double) rows;
        }

        public long bytesDense() {
            return 4L * size();
        }

        public long bytesCsr() {
            return 4L * nonzeros + 4L * nonzeros + 4L * (rows + 1L);
        }

        public long flopsPerSample() {
            return 2L * nonzeros * positionsPerSample;
        }

        public long denseFlopsPerSample() {
            return 2L * size() * positionsPerSample;
        }
    }

    private final List<Layer> layers;

    private SparsityReport(List<Layer> layers) {
        this.layers = Collections.unmodifiableList(layers);
    }

    /** A report over weight matrices applied once per sample (Linear layers). */
    public static SparsityReport of(List<Parameter> weights) {
        Builder b = builder();
        for (Parameter p : weights) {
            b.add(p, 1);
        }
        return b.build();
    }

    public static SparsityReport of(PrunableSet set) {
        return of(set.parameters());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects layers one at a time (a Conv1d weight with the number of output positions it is applied at). */
    public static final class Builder {
        private final List<Layer> layers = new ArrayList<>();

        public Builder add(Parameter weight, long positionsPerSample) {
            int rows = weight.value().rows();
            int cols = weight.value().cols();
            float[] w = weight.value().toArray();
            float[] m = weight.mask() == null ? null : weight.mask().toArray();
            long nnz = 0;
            int aliveRows = 0;
            for (int r = 0; r < rows; r++) {
                boolean any = false;
                for (int c = 0; c < cols; c++) {
                    int i = r * cols + c;
                    // A weight counts when it is kept and not exactly zero: what a CSR export stores.
                    if ((m == null || m[i] != 0f) && w[i] != 0f) {
                        nnz++;
                        any = true;
                    }
                }
                aliveRows += any ? 1 : 0;
            }
            layers.add(new Layer(weight.name(), rows, cols, nnz, aliveRows, positionsPerSample));
            return this;
        }

        public SparsityReport build() {
            return new SparsityReport(new ArrayList<>(layers));
        }
    }

    public List<Layer> layers() {
        return layers;
    }

    public long totalSize() {
        long n = 0;
        for (Layer l : layers) {
            n += l.size();
        }
        return n;
    }

    public long totalNonzeros() {
        long n = 0;
        for (Layer l : layers) {
            n += l.nonzeros();
        }
        return n;
    }

    public double totalDensity() {
        long s = totalSize();
        return s == 0 ? 1.0 : totalNonzeros() / (double) s;
    }

    public long totalBytesDense() {
        long n = 0;
        for (Layer l : layers) {
            n += l.bytesDense();
        }
        return n;
    }

    public long totalBytesCsr() {
        long n = 0;
        for (Layer l : layers) {
            n += l.bytesCsr();
        }
        return n;
    }

    public long totalFlopsPerSample() {
        long n = 0;
        for (Layer l : layers) {
            n += l.flopsPerSample();
        }
        return n;
    }

    /** A fixed-width table for the console. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-24s %11s %8s %10s %10s %12s %12s %14s%n";
        sb.append(String.format(Locale.ROOT, fmt, "layer", "shape", "density", "nonzeros", "alive rows",
                "bytes dense", "bytes CSR", "FLOPs/sample"));
        for (Layer l : layers) {
            sb.append(String.format(Locale.ROOT, fmt, l.name(), l.rows() + "x" + l.cols(),
                    String.format(Locale.ROOT, "%.4f", l.density()), l.nonzeros(), l.aliveRows() + "/" + l.rows(),
                    l.bytesDense(), l.bytesCsr(), l.flopsPerSample()));
        }
        sb.append(String.format(Locale.ROOT, fmt, "total", totalSize(),
                String.format(Locale.ROOT, "%.4f", totalDensity()), totalNonzeros(), "", totalBytesDense(),
                totalBytesCsr(), totalFlopsPerSample()));
        return sb.toString();
    }

    /** The same numbers as JSON (hand-written: the engine depends on nothing but EJML). */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"name\":").append(quote(l.name()))
                    .append(",\"shape\":[").append(l.rows()).append(',').append(l.cols()).append(']')
                    .append(",\"density\":").append(number(l.density()))
                    .append(",\"nonzeros\":").append(l.nonzeros())
                    .append(",\"aliveRows\":").append(l.aliveRows())
                    .append(",\"bytesDense\":").append(l.bytesDense())
                    .append(",\"bytesCsr\":").append(l.bytesCsr())
                    .append(",\"flopsPerSample\":").append(l.flopsPerSample())
                    .append('}');
        }
        sb.append("],\"total\":{\"size\":").append(totalSize())
                .append(",\"density\":").append(number(totalDensity()))
                .append(",\"nonzeros\":").append(totalNonzeros())
                .append(",\"bytesDense\":").append(totalBytesDense())
                .append(",\"bytesCsr\":").append(totalBytesCsr())
                .append(",\"flopsPerSample\":").append(totalFlopsPerSample())
                .append("}}");
        return sb.toString();
    }

    private static String number(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalStateException("cannot write " + v + " as JSON");
        }
        return Double.toString(v);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
