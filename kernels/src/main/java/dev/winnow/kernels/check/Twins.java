package dev.winnow.kernels.check;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.CsrMatrix;
import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.sparse.HostCsr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The same inputs on a reference backend and a backend under test, and the comparison of their outputs. Outputs
 * start poisoned (NaN) unless the operation reads them, so an element the device forgot to write shows up as a
 * mismatch; NaN only matches NaN (elements neither backend may write stay NaN on both).
 */
public final class Twins implements AutoCloseable {
    public final Backend ref;
    public final Backend dev;
    public final SplittableRandom rng;
    private final List<Runnable> frees = new ArrayList<>();

    /** A float buffer on both backends. */
    public static final class F {
        public final Storage ref;
        public final Storage dev;
        public final int length;

        F(Storage ref, Storage dev, int length) {
            this.ref = ref;
            this.dev = dev;
            this.length = length;
        }
    }

    /** An int buffer on both backends. */
    public static final class I {
        public final IntStorage ref;
        public final IntStorage dev;

        I(IntStorage ref, IntStorage dev) {
            this.ref = ref;
            this.dev = dev;
        }
    }

    /** A CSR matrix on both backends, with its host copy. */
    public static final class Csr {
        public final CsrMatrix ref;
        public final CsrMatrix dev;
        public final F values;

        Csr(CsrMatrix ref, CsrMatrix dev, F values) {
            this.ref = ref;
            this.dev = dev;
            this.values = values;
        }
    }

    public Twins(Backend ref, Backend dev, long seed) {
        this.ref = ref;
        this.dev = dev;
        this.rng = new SplittableRandom(seed);
    }

    public F of(float[] data) {
        Storage r = ref.allocate(data.length);
        Storage d = dev.allocate(data.length);
        ref.upload(data, 0, r, 0, data.length);
        dev.upload(data, 0, d, 0, data.length);
        frees.add(() -> {
            ref.free(r);
            dev.free(d);
        });
        return new F(r, d, data.length);
    }

    public I ints(int[] data) {
        IntStorage r = ref.allocateInts(data.length);
        IntStorage d = dev.allocateInts(data.length);
        ref.uploadInts(data, 0, r, 0, data.length);
        dev.uploadInts(data, 0, d, 0, data.length);
        frees.add(() -> {
            ref.free(r);
            dev.free(d);
        });
        return new I(r, d);
    }

    /** Uniform in [lo, hi). */
    public float[] uniform(int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return a;
    }

    public F random(int n) {
        return of(uniform(n, -1, 1));
    }

    /** Filled with NaN: for outputs that the operation must overwrite. */
    public F poisoned(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return of(a);
    }

    /** 0/1 entries, each 1 with the given probability. */
    public float[] mask(int n, double density) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextDouble() < density ? 1f : 0f;
        }
        return a;
    }

    /**
     * A random rows x cols CSR pattern of the given density with random values; when 0 < density < 1 the first row
     * and the middle row are forced empty.
     */
    public Csr csr(int rows, int cols, double density) {
        int[] rowPtr = new int[rows + 1];
        List<Integer> col = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            boolean forcedEmpty = density > 0 && density < 1 && (r == 0 || r == rows / 2);
            for (int c = 0; c < cols; c++) {
                if (!forcedEmpty && (density >= 1 || rng.nextDouble() < density)) {
                    col.add(c);
                }
            }
            rowPtr[r + 1] = col.size();
        }
        int nnz = col.size();
        int[] colIdx = col.stream().mapToInt(Integer::intValue).toArray();
        I rp = ints(rowPtr);
        I ci = ints(colIdx);
        F values = random(nnz);
        return new Csr(new CsrMatrix(rows, cols, nnz, rp.ref, ci.ref, values.ref),
                new CsrMatrix(rows, cols, nnz, rp.dev, ci.dev, values.dev), values);
    }

    /** The transpose of {@code w} (pattern and values) on both backends: W^T for a sparse layer's backward. */
    public Csr transposed(Csr w) {
        CsrMatrix m = w.ref;
        int[] rp = new int[m.rows + 1];
        int[] ci = new int[m.nnz];
        float[] v = new float[m.nnz];
        ref.downloadInts(m.rowPtr, 0, rp, 0, rp.length);
        ref.downloadInts(m.colIdx, 0, ci, 0, m.nnz);
        ref.download(m.values, 0, v, 0, m.nnz);
        HostCsr t = new HostCsr(m.rows, m.cols, rp, ci, v).transpose().matrix();
        I trp = ints(t.rowPtr);
        I tci = ints(t.colIdx);
        F tv = of(t.values.length == 0 ? new float[1] : t.values);
        return new Csr(new CsrMatrix(t.rows, t.cols, t.nnz(), trp.ref, tci.ref, tv.ref),
                new CsrMatrix(t.rows, t.cols, t.nnz(), trp.dev, tci.dev, tv.dev), tv);
    }

    public float[] download(Backend b, Storage s, int n) {
        float[] out = new float[n];
        b.download(s, 0, out, 0, n);
        return out;
    }

    /** Fails unless every element agrees: |ref - dev| <= atol + rtol * |ref|, NaN only with NaN. */
    public void expectClose(String what, F buffer, double rtol, double atol) {
        float[] r = download(ref, buffer.ref, buffer.length);
        float[] d = download(dev, buffer.dev, buffer.length);
        int bad = 0;
        int first = -1;
        double worst = 0;
        for (int i = 0; i < r.length; i++) {
            boolean ok;
            if (Float.isNaN(r[i]) || Float.isNaN(d[i])) {
                ok = Float.isNaN(r[i]) && Float.isNaN(d[i]);
            } else if (Float.isInfinite(r[i]) || Float.isInfinite(d[i])) {
                ok = r[i] == d[i];
            } else {
                double err = Math.abs((double) r[i] - d[i]);
                worst = Math.max(worst, err);
                ok = err <= atol + rtol * Math.abs(r[i]);
            }
            if (!ok) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            throw new AssertionError(what + ": " + bad + " of " + r.length + " elements differ from " + ref.name()
                    + " (first at [" + first + "]: reference " + r[first] + ", " + dev.name() + " " + d[first]
                    + "; rtol " + rtol + ", atol " + atol + ", worst finite error " + worst + ")");
        }
    }

    public void expectExact(String what, F buffer) {
        expectClose(what, buffer, 0, 0);
    }

    @Override
    public void close() {
        for (int i = frees.size() - 1; i >= 0; i--) {
            frees.get(i).run();
        }
        frees.clear();
    }
}
