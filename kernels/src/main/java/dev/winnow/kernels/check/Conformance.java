package dev.winnow.kernels.check;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.BinaryOp;
import dev.winnow.engine.backend.Broadcast;
import dev.winnow.engine.backend.LayerScratch;
import dev.winnow.engine.backend.SgdHyper;
import dev.winnow.engine.backend.UnaryOp;
import dev.winnow.kernels.DeviceBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Every Backend SPI primitive on a backend under test against the CPU reference, on random inputs with awkward
 * shapes: sizes that are not multiples of any tile or work-group, leading dimensions wider than the matrix, empty
 * CSR rows, densities 0 and 1. Shared by the JUnit tests (OpenCL in CI, CUDA where a device answers) and by
 * {@link ConformanceMain}, which the GPU-machine script runs without Maven.
 */
public final class Conformance {
    /** Transcendental maps: PoCL/CUDA float functions within a few ulp of the reference's double-rounded values. */
    private static final double MATH_RTOL = 1e-5;
    private static final double MATH_ATOL = 1e-6;
    private static final double SUM_RTOL = 1e-5;

    /** One named check; it throws AssertionError on a mismatch. */
    public record Case(String name, Consumer<Twins> check) {
        public void run(Backend ref, Backend dev, long seed) {
            try (Twins t = new Twins(ref, dev, seed)) {
                check.accept(t);
            }
        }
    }

    private Conformance() {
    }

    /** Accumulation error of a k-term dot product of values in [-1, 1]. */
    private static double dotAtol(int k) {
        return 2e-6 * k + 1e-6;
    }

    public static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("uploadDownloadRoundTripsWithOffsets", Conformance::roundTrip));
        cases.add(new Case("fillWritesOnlyItsRange", t -> {
            Twins.F d = t.poisoned(100);
            t.ref.fill(d.ref, 3, 77, 2.5f);
            t.dev.fill(d.dev, 3, 77, 2.5f);
            t.expectExact("fill", d);
        }));
        for (float beta : new float[] {0f, 0.5f}) {
            cases.add(new Case("copy2dStridedWindowBeta" + beta, t -> {
                Twins.F src = t.random(10 * 12);
                Twins.F dst = beta == 0f ? t.poisoned(9 * 11) : t.random(9 * 11);
                t.ref.copy2d(src.ref, 13, 12, dst.ref, 5, 11, 7, 9, beta);
                t.dev.copy2d(src.dev, 13, 12, dst.dev, 5, 11, 7, 9, beta);
                t.expectClose("copy2d", dst, 1e-6, 1e-7);
            }));
        }
        for (int[] s : new int[][] {{37, 53}, {1, 1}, {16, 16}, {70, 3}, {0, 5}}) {
            cases.add(new Case("transpose" + s[0] + "x" + s[1], t -> {
                Twins.F src = t.random(s[0] * s[1]);
                Twins.F dst = t.poisoned(s[0] * s[1]);
                t.ref.transpose(src.ref, s[0], s[1], dst.ref);
                t.dev.transpose(src.dev, s[0], s[1], dst.dev);
                t.expectExact("transpose", dst);
            }));
        }
        int[][] gemmShapes = {{1, 1, 1}, {17, 33, 9}, {65, 70, 130}, {64, 64, 64}, {3, 5, 0}, {130, 1, 67}};
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int[] s : gemmShapes) {
                    for (float beta : new float[] {0f, 1.3f}) {
                        String name = String.format(Locale.ROOT, "gemm%s%s_%dx%dx%d_beta%s", ta ? "T" : "N",
                                tb ? "T" : "N", s[0], s[1], s[2], beta);
                        cases.add(new Case(name, t -> gemm(t, ta, tb, s[0], s[1], s[2], beta, -1)));
                    }
                }
                for (double density : new double[] {0, 0.3, 1}) {
                    String name = String.format(Locale.ROOT, "gemmMasked%s%s_density%s", ta ? "T" : "N",
                            tb ? "T" : "N", density);
                    cases.add(new Case(name, t -> gemm(t, ta, tb, 45, 67, 83, 0.7f, density)));
                }
            }
        }
        int[][] csrShapes = {{37, 53, 19}, {1, 1, 1}, {70, 5, 33}, {130, 129, 7}};
        for (int[] s : csrShapes) {
            for (double density : new double[] {0, 0.1, 0.5, 1}) {
                for (float beta : new float[] {0f, 0.5f}) {
                    String shape = String.format(Locale.ROOT, "%dx%d_batch%d_density%s_beta%s", s[0], s[1], s[2],
                            density, beta);
                    cases.add(new Case("csrSpmmNT_" + shape, t -> spmmNT(t, s[0], s[1], s[2], density, beta)));
                    cases.add(new Case("csrSpmmNN_" + shape, t -> spmmNN(t, s[0], s[1], s[2], density, beta)));
                    cases.add(new Case("csrSpmmNT_batchSplit_" + shape, t -> batchSplit(t,
                            () -> spmmNT(t, s[0], s[1], s[2], density, beta))));
                    cases.add(new Case("csrSpmmNN_batchSplit_" + shape, t -> batchSplit(t,
                            () -> spmmNN(t, s[0], s[1], s[2], density, beta))));
                    cases.add(new Case("sddmm_" + shape, t -> sddmm(t, s[0], s[1], s[2], density, beta)));
                }
                String layer = String.format(Locale.ROOT, "%dx%d_batch%d_density%s", s[0], s[1], s[2], density);
                cases.add(new Case("csrLinear_" + layer, t -> csrLinear(t, s[0], s[1], s[2], density)));
            }
        }
        cases.add(new Case("gatherByIndex", t -> {
            Twins.F src = t.random(100);
            int[] idx = new int[57];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = t.rng.nextInt(100);
            }
            Twins.I index = t.ints(idx);
            Twins.F dst = t.poisoned(57);
            t.ref.gather(src.ref, index.ref, 57, dst.ref);
            t.dev.gather(src.dev, index.dev, 57, dst.dev);
            t.expectExact("gather", dst);
        }));
        for (UnaryOp op : UnaryOp.values()) {
            cases.add(new Case("unary" + op, t -> unary(t, op)));
            cases.add(new Case("unaryBackward" + op, t -> unaryBackward(t, op)));
        }
        cases.add(new Case("unaryInPlace", t -> {
            Twins.F x = t.random(1031);
            t.ref.unary(UnaryOp.TANH, 0f, x.ref, x.ref, 1031);
            t.dev.unary(UnaryOp.TANH, 0f, x.dev, x.dev, 1031);
            t.expectClose("tanh in place", x, MATH_RTOL, MATH_ATOL);
        }));
        for (BinaryOp op : BinaryOp.values()) {
            for (Broadcast bc : Broadcast.values()) {
                cases.add(new Case("binary" + op + "_" + bc, t -> binary(t, op, bc, false)));
            }
            cases.add(new Case("binary" + op + "_inPlace", t -> binary(t, op, Broadcast.ROW, true)));
        }
        cases.add(new Case("axpy", t -> {
            Twins.F x = t.random(1003);
            Twins.F y = t.random(1003);
            t.ref.axpy(-0.7f, x.ref, y.ref, 1003);
            t.dev.axpy(-0.7f, x.dev, y.dev, 1003);
            t.expectClose("axpy", y, 1e-6, 1e-7);
        }));
        int[][] reduceShapes = {{1, 1}, {37, 300}, {300, 5}, {4, 0}, {2, 1000}};
        for (int[] s : reduceShapes) {
            for (float beta : new float[] {0f, 2f}) {
                String shape = s[0] + "x" + s[1] + "_beta" + beta;
                cases.add(new Case("sumRows" + shape, t -> {
                    Twins.F x = t.random(s[0] * s[1]);
                    Twins.F out = beta == 0f ? t.poisoned(s[1]) : t.random(s[1]);
                    t.ref.sumRows(x.ref, s[0], s[1], 0.5f, beta, out.ref);
                    t.dev.sumRows(x.dev, s[0], s[1], 0.5f, beta, out.dev);
                    t.expectClose("sumRows", out, SUM_RTOL, dotAtol(s[0]));
                }));
                cases.add(new Case("sumCols" + shape, t -> {
                    Twins.F x = t.random(s[0] * s[1]);
                    Twins.F out = beta == 0f ? t.poisoned(s[0]) : t.random(s[0]);
                    t.ref.sumCols(x.ref, s[0], s[1], 0.5f, beta, out.ref);
                    t.dev.sumCols(x.dev, s[0], s[1], 0.5f, beta, out.dev);
                    t.expectClose("sumCols", out, SUM_RTOL, dotAtol(s[1]));
                }));
            }
        }
        int[][] softmaxShapes = {{5, 1}, {7, 7}, {3, 300}, {2, 1000}};
        for (int[] s : softmaxShapes) {
            for (boolean log : new boolean[] {false, true}) {
                String shape = s[0] + "x" + s[1] + (log ? "_log" : "");
                cases.add(new Case("rowSoftmax" + shape, t -> {
                    Twins.F x = of(t, t.uniform(s[0] * s[1], -4, 4));
                    Twins.F y = t.poisoned(s[0] * s[1]);
                    t.ref.rowSoftmax(x.ref, s[0], s[1], log, y.ref);
                    t.dev.rowSoftmax(x.dev, s[0], s[1], log, y.dev);
                    t.expectClose("rowSoftmax", y, MATH_RTOL, MATH_ATOL);
                }));
                cases.add(new Case("rowSoftmaxBackward" + shape, t -> {
                    Twins.F x = of(t, t.uniform(s[0] * s[1], -4, 4));
                    Twins.F y = t.poisoned(s[0] * s[1]);
                    t.ref.rowSoftmax(x.ref, s[0], s[1], log, y.ref);
                    // both backends start the backward from the reference output
                    Twins.F yRef = of(t, t.download(t.ref, y.ref, s[0] * s[1]));
                    Twins.F dy = t.random(s[0] * s[1]);
                    Twins.F dx = t.random(s[0] * s[1]);
                    t.ref.rowSoftmaxBackward(yRef.ref, dy.ref, s[0], s[1], log, dx.ref);
                    t.dev.rowSoftmaxBackward(yRef.dev, dy.dev, s[0], s[1], log, dx.dev);
                    t.expectClose("rowSoftmaxBackward", dx, SUM_RTOL, dotAtol(s[1]));
                }));
            }
        }
        for (int cols : new int[] {13, 1, 70}) {
            cases.add(new Case("gatherRows" + cols + "cols", t -> {
                Twins.F table = t.random(50 * cols);
                Twins.I index = t.ints(randomIndex(t, 40, 50));
                Twins.F out = t.poisoned(40 * cols);
                t.ref.gatherRows(table.ref, cols, index.ref, 40, out.ref);
                t.dev.gatherRows(table.dev, cols, index.dev, 40, out.dev);
                t.expectExact("gatherRows", out);
            }));
            cases.add(new Case("scatterAddRowsRepeatedIndicesBitExact" + cols + "cols", t -> {
                Twins.F table = t.random(50 * cols);
                Twins.F src = t.random(300 * cols);
                Twins.I index = t.ints(randomIndex(t, 300, 50));
                t.ref.scatterAddRows(src.ref, cols, index.ref, 300, table.ref);
                t.dev.scatterAddRows(src.dev, cols, index.dev, 300, table.dev);
                t.expectExact("scatterAddRows", table);
            }));
        }
        float[][] sgd = { // momentum, dampening, weightDecay, nesterov, firstStep, masked
            {0f, 0f, 0f, 0, 0, 0}, {0f, 0f, 0.01f, 0, 0, 1}, {0.9f, 0.1f, 0.01f, 0, 1, 1}, {0.9f, 0.1f, 0.01f, 0, 0, 1},
            {0.9f, 0f, 0f, 1, 0, 0}};
        for (float[] v : sgd) {
            String name = String.format(Locale.ROOT, "sgdStep_momentum%s_damp%s_wd%s%s%s%s", v[0], v[1], v[2],
                    v[3] == 1 ? "_nesterov" : "", v[4] == 1 ? "_first" : "", v[5] == 1 ? "_masked" : "");
            cases.add(new Case(name, t -> sgdStep(t, v[0], v[1], v[2], v[3] == 1, v[4] == 1, v[5] == 1)));
        }
        for (boolean decoupled : new boolean[] {false, true}) {
            for (float wd : new float[] {0f, 0.01f}) {
                for (int step : new int[] {1, 7}) {
                    for (boolean masked : new boolean[] {false, true}) {
                        String name = String.format(Locale.ROOT, "adamStep%s_wd%s_step%d%s",
                                decoupled ? "W" : "", wd, step, masked ? "_masked" : "");
                        cases.add(new Case(name, t -> adamStep(t, decoupled, wd, step, masked)));
                    }
                }
            }
        }
        return cases;
    }

    private static Twins.F of(Twins t, float[] data) {
        return t.of(data);
    }

    private static int[] randomIndex(Twins t, int n, int bound) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = t.rng.nextInt(bound);
        }
        return idx;
    }

    private static void roundTrip(Twins t) {
        float[] host = t.uniform(300, -1, 1);
        Twins.F buf = t.poisoned(200);
        t.dev.upload(host, 17, buf.dev, 9, 150);
        t.ref.upload(host, 17, buf.ref, 9, 150);
        t.expectExact("upload window", buf);
        float[] back = new float[160];
        t.dev.download(buf.dev, 9, back, 10, 150);
        for (int i = 0; i < 150; i++) {
            if (back[10 + i] != host[17 + i]) {
                throw new AssertionError("download window: element " + i + " is " + back[10 + i] + ", uploaded "
                        + host[17 + i]);
            }
        }
        int[] ints = {5, -3, 7, Integer.MAX_VALUE, 0};
        Twins.I ib = t.ints(new int[7]);
        t.dev.uploadInts(ints, 1, ib.dev, 2, 4);
        int[] got = new int[7];
        t.dev.downloadInts(ib.dev, 0, got, 0, 7);
        int[] want = {0, 0, -3, 7, Integer.MAX_VALUE, 0, 0};
        if (!java.util.Arrays.equals(got, want)) {
            throw new AssertionError("int round trip: got " + java.util.Arrays.toString(got) + ", want "
                    + java.util.Arrays.toString(want));
        }
        Twins.F zero = t.of(new float[0]);
        dev.winnow.engine.backend.Storage raw = t.dev.allocate(33);
        float[] fresh = t.download(t.dev, raw, 33);
        t.dev.free(raw);
        for (float f : fresh) {
            if (f != 0f) {
                throw new AssertionError("allocate must zero-fill, found " + f);
            }
        }
        if (zero.dev.length() != 0) {
            throw new AssertionError("an empty buffer reports length " + zero.dev.length());
        }
    }

    private static void gemm(Twins t, boolean ta, boolean tb, int m, int n, int k, float beta, double maskDensity) {
        int lda = (ta ? m : k) + 3;
        int ldb = (tb ? k : n) + 2;
        int ldc = n + 1;
        int rowsA = ta ? k : m;
        int rowsB = tb ? n : k;
        Twins.F a = t.random(rowsA * lda);
        Twins.F b = t.random(rowsB * ldb);
        Twins.F c = beta == 0f ? t.poisoned(m * ldc) : t.random(m * ldc);
        if (maskDensity < 0) {
            t.ref.gemm(ta, tb, m, n, k, 0.75f, a.ref, lda, b.ref, ldb, beta, c.ref, ldc);
            t.dev.gemm(ta, tb, m, n, k, 0.75f, a.dev, lda, b.dev, ldb, beta, c.dev, ldc);
        } else {
            Twins.F mask = t.of(t.mask(rowsB * ldb, maskDensity));
            t.ref.gemmMasked(ta, tb, m, n, k, 0.75f, a.ref, lda, b.ref, ldb, mask.ref, beta, c.ref, ldc);
            t.dev.gemmMasked(ta, tb, m, n, k, 0.75f, a.dev, lda, b.dev, ldb, mask.dev, beta, c.dev, ldc);
        }
        t.expectClose("gemm C", c, 1e-5, dotAtol(k));
    }

    /** Runs a check with a device backend switched to the batch-split SpMM (a no-op switch on other backends). */
    private static void batchSplit(Twins t, Runnable check) {
        if (!(t.dev instanceof DeviceBackend)) {
            check.run();
            return;
        }
        DeviceBackend d = (DeviceBackend) t.dev;
        DeviceBackend.SpmmStrategy before = d.spmmStrategy();
        d.spmmStrategy(DeviceBackend.SpmmStrategy.BATCH_SPLIT);
        try {
            check.run();
        } finally {
            d.spmmStrategy(before);
        }
    }

    private static void spmmNT(Twins t, int out, int in, int batch, double density, float beta) {
        Twins.Csr w = t.csr(out, in, density);
        Twins.F x = t.random(batch * in);
        Twins.F y = beta == 0f ? t.poisoned(batch * out) : t.random(batch * out);
        t.ref.csrSpmmNT(w.ref, x.ref, batch, beta, y.ref);
        t.dev.csrSpmmNT(w.dev, x.dev, batch, beta, y.dev);
        t.expectClose("csrSpmmNT Y", y, 1e-5, dotAtol(in));
    }

    private static void spmmNN(Twins t, int out, int in, int batch, double density, float beta) {
        Twins.Csr w = t.csr(out, in, density);
        Twins.F dy = t.random(batch * out);
        float[] start = beta == 0f ? null : t.uniform(batch * in, -1, 1);
        Twins.F dx = start == null ? t.poisoned(batch * in) : t.of(start);
        t.ref.csrSpmmNN(w.ref, dy.ref, batch, beta, dx.ref);
        t.dev.csrSpmmNN(w.dev, dy.dev, batch, beta, dx.dev);
        t.expectClose("csrSpmmNN dX", dx, 1e-5, dotAtol(out));
        // new values under the same pattern: the device must not reuse stale transposed values
        float[] values = t.uniform(w.values.length, -2, 2);
        t.ref.upload(values, 0, w.values.ref, 0, values.length);
        t.dev.upload(values, 0, w.values.dev, 0, values.length);
        t.ref.csrSpmmNN(w.ref, dy.ref, batch, 0f, dx.ref);
        t.dev.csrSpmmNN(w.dev, dy.dev, batch, 0f, dx.dev);
        t.expectClose("csrSpmmNN dX after a value update", dx, 1e-5, 2 * dotAtol(out));
    }

    private static void sddmm(Twins t, int out, int in, int batch, double density, float beta) {
        Twins.Csr w = t.csr(out, in, density);
        Twins.F dy = t.random(batch * out);
        Twins.F x = t.random(batch * in);
        int nnz = w.ref.nnz;
        Twins.F vals = beta == 0f ? t.poisoned(nnz) : t.random(nnz);
        t.ref.sddmm(dy.ref, x.ref, batch, w.ref, beta, vals.ref);
        t.dev.sddmm(dy.dev, x.dev, batch, w.dev, beta, vals.dev);
        t.expectClose("sddmm values", vals, 1e-5, dotAtol(batch));
    }

    /**
     * A sparse layer's forward and backward through the layer calls (csrLinearForward / csrLinearBackward, each
     * backend with its own scratch): the CPU reuses its forward's packed X and packs dY once, a device may not.
     */
    private static void csrLinear(Twins t, int out, int in, int batch, double density) {
        Twins.Csr w = t.csr(out, in, density);
        Twins.Csr wt = t.transposed(w);
        Twins.F x = t.random(batch * in);
        Twins.F y = t.poisoned(batch * out);
        Twins.F bias = t.random(out);
        try (LayerScratch rs = t.ref.newLayerScratch(); LayerScratch ds = t.dev.newLayerScratch()) {
            long rTok = t.ref.csrLinearForward(w.ref, x.ref, batch, bias.ref, y.ref, rs);
            long dTok = t.dev.csrLinearForward(w.dev, x.dev, batch, bias.dev, y.dev, ds);
            t.expectClose("csrLinear Y (with bias)", y, 1e-5, dotAtol(in) + 1e-6);
            Twins.F dy = t.random(batch * out);
            Twins.F dx = t.random(batch * in);
            int nnz = w.ref.nnz;
            Twins.F grad = t.poisoned(Math.max(1, nnz));
            t.ref.csrLinearBackward(w.ref, wt.ref, dy.ref, x.ref, batch, dx.ref, grad.ref, rs, rTok);
            t.dev.csrLinearBackward(w.dev, wt.dev, dy.dev, x.dev, batch, dx.dev, grad.dev, ds, dTok);
            t.expectClose("csrLinear dX (accumulated)", dx, 1e-5, dotAtol(out) + 1e-6);
            if (nnz > 0) {
                t.expectClose("csrLinear dW at the stored positions", grad, 1e-5, dotAtol(batch));
            }
        }
    }

    /** Inputs inside each op's domain; the op's scalar parameter where it has one. */
    private static float[] domain(Twins t, UnaryOp op, int n) {
        switch (op) {
            case LOG:
            case SQRT:
            case POW:
                return t.uniform(n, 0.1, 3);
            case RECIPROCAL: {
                float[] a = t.uniform(n, 0.25, 2);
                for (int i = 0; i < n; i += 2) {
                    a[i] = -a[i];
                }
                return a;
            }
            case EXP:
            case SIGMOID:
            case TANH:
                return t.uniform(n, -6, 6);
            default:
                return t.uniform(n, -1, 1);
        }
    }

    private static float param(UnaryOp op) {
        switch (op) {
            case LEAKY_RELU: return 0.1f;
            case SCALE: return 1.7f;
            case ADD_SCALAR: return -0.3f;
            case CLAMP_MIN: return 0.2f;
            case POW: return 2.5f;
            default: return 0f;
        }
    }

    private static void unary(Twins t, UnaryOp op) {
        int n = 1031;
        Twins.F x = t.of(domain(t, op, n));
        Twins.F y = t.poisoned(n);
        t.ref.unary(op, param(op), x.ref, y.ref, n);
        t.dev.unary(op, param(op), x.dev, y.dev, n);
        t.expectClose("unary " + op, y, MATH_RTOL, MATH_ATOL);
    }

    private static void unaryBackward(Twins t, UnaryOp op) {
        int n = 1031;
        float p = param(op);
        float[] xs = domain(t, op, n);
        float[] ys = new float[n];
        for (int i = 0; i < n; i++) {
            ys[i] = op.apply(xs[i], p);
        }
        Twins.F x = t.of(xs);
        Twins.F y = t.of(ys);
        Twins.F dy = t.random(n);
        Twins.F dx = t.random(n);
        t.ref.unaryBackward(op, p, x.ref, y.ref, dy.ref, dx.ref, n);
        t.dev.unaryBackward(op, p, x.dev, y.dev, dy.dev, dx.dev, n);
        t.expectClose("unaryBackward " + op, dx, MATH_RTOL, MATH_ATOL);
    }

    private static void binary(Twins t, BinaryOp op, Broadcast bc, boolean inPlace) {
        int rows = 13;
        int cols = 29;
        Twins.F a = t.random(rows * cols);
        float[] bv = t.uniform(bc.length(rows, cols), 0.5, 2);
        for (int i = 0; i < bv.length; i += 3) {
            bv[i] = -bv[i];
        }
        Twins.F b = t.of(bv);
        Twins.F c = inPlace ? a : t.poisoned(rows * cols);
        t.ref.binary(op, a.ref, b.ref, bc, rows, cols, c.ref);
        t.dev.binary(op, a.dev, b.dev, bc, rows, cols, c.dev);
        t.expectClose("binary " + op + " " + bc, c, 1e-6, 1e-7);
    }

    private static void sgdStep(Twins t, float momentum, float dampening, float wd, boolean nesterov, boolean first,
                                boolean masked) {
        int n = 1005;
        Twins.F w = t.random(n);
        Twins.F g = t.random(n);
        Twins.F buf = momentum == 0f ? null : t.random(n);
        Twins.F mask = masked ? t.of(t.mask(n, 0.6)) : null;
        SgdHyper h = new SgdHyper(momentum, dampening, wd, nesterov);
        t.ref.sgdStep(w.ref, g.ref, buf == null ? null : buf.ref, mask == null ? null : mask.ref, n, 0.05f, first, h);
        t.dev.sgdStep(w.dev, g.dev, buf == null ? null : buf.dev, mask == null ? null : mask.dev, n, 0.05f, first, h);
        t.expectClose("sgd weights", w, 1e-6, 1e-7);
        if (buf != null) {
            t.expectClose("sgd momentum buffer", buf, 1e-6, 1e-7);
        }
    }

    private static void adamStep(Twins t, boolean decoupled, float wd, int step, boolean masked) {
        int n = 1005;
        Twins.F w = t.random(n);
        Twins.F g = t.random(n);
        Twins.F m = t.of(t.uniform(n, -0.1, 0.1));
        Twins.F v = t.of(t.uniform(n, 0, 0.01));
        Twins.F mask = masked ? t.of(t.mask(n, 0.6)) : null;
        AdamHyper h = new AdamHyper(0.9f, 0.999f, 1e-8f, wd, decoupled);
        t.ref.adamStep(w.ref, g.ref, m.ref, v.ref, mask == null ? null : mask.ref, n, 1e-3f, step, h);
        t.dev.adamStep(w.dev, g.dev, m.dev, v.dev, mask == null ? null : mask.dev, n, 1e-3f, step, h);
        t.expectClose("adam weights", w, 1e-5, 1e-7);
        t.expectClose("adam first moment", m, 1e-6, 1e-8);
        t.expectClose("adam second moment", v, 1e-6, 1e-9);
    }
}
