package dev.winnow.kernels.bench;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.CsrMatrix;
import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.Storage;
import dev.winnow.kernels.BackendChoice;
import dev.winnow.kernels.Backends;
import dev.winnow.kernels.DeviceBackend;
import dev.winnow.kernels.cuda.CudaBackend;
import dev.winnow.kernels.cuda.CudaBaselines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times masked GEMM, CSR SpMM and SDDMM on a device backend against cuBLAS SGEMM and cuSPARSE SpMM (when their CUDA 12
 * libraries load), over batch {256, 1024, 4096} x (in, out) {(128,64), (256,256), (512,512), (1024,1024), (4096,4096)}
 * x density {1, 0.5, 0.2, 0.1, 0.05}. Prints a markdown table: median milliseconds of {@code reps} runs after warm-up,
 * with GFLOP/s counted on the dense shape for GEMM/cuBLAS and on the nonzeros for the sparse kernels.
 *
 * <p>{@code java -cp 'lib/*' dev.winnow.kernels.bench.GpuBench [cuda|opencl] [--quick]}; --quick runs one small shape
 * (a dry run of the code path, e.g. on PoCL).
 */
public final class GpuBench {
    private static final double[] DENSITIES = {1, 0.5, 0.2, 0.1, 0.05};
    private static final int[] BATCHES = {256, 1024, 4096};
    private static final int[][] SHAPES = {{128, 64}, {256, 256}, {512, 512}, {1024, 1024}, {4096, 4096}};

    private GpuBench() {
    }

    public static void main(String[] args) {
        String request = "cuda";
        boolean quick = false;
        for (String a : args) {
            if (a.equals("--quick")) {
                quick = true;
            } else {
                request = a;
            }
        }
        BackendChoice choice = Backends.select(request, 1);
        System.out.println("backend: " + choice.describe());
        if (!choice.honoured()) {
            choice.backend().close();
            System.out.println("no " + request + " device: nothing measured");
            System.exit(2);
        }
        try (Backend dev = choice.backend()) {
            CudaBaselines vendor = null;
            if (dev instanceof CudaBackend) {
                CudaBackend cuda = (CudaBackend) dev;
                System.out.println("PTX module load (incl. JIT): " + cuda.moduleLoadMillis() + " ms");
                System.out.println("vendor baselines: " + CudaBaselines.availability().describe());
                vendor = new CudaBaselines(cuda);
            }
            System.out.println();
            System.out.println("| batch | in | out | density | masked GEMM ms | GF/s | cuBLAS ms | GF/s | CSR SpMM ms"
                    + " | GF/s | CSR batch-split ms | GF/s | cuSPARSE ms | GF/s | SDDMM ms | GF/s | max abs diff CSR vs masked |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            int[] batches = quick ? new int[] {100} : BATCHES;
            int[][] shapes = quick ? new int[][] {{70, 50}} : SHAPES;
            long start = System.nanoTime();
            double budget = Double.parseDouble(System.getProperty("winnow.bench.budgetSeconds", "360"));
            int skipped = 0;
            for (int batch : batches) {
                for (int[] s : shapes) {
                    for (double d : DENSITIES) {
                        if ((System.nanoTime() - start) / 1e9 > budget) {
                            skipped++;
                            continue;
                        }
                        row(dev, vendor, batch, s[0], s[1], d, quick ? 2 : 20);
                    }
                }
            }
            if (skipped > 0) {
                System.out.println("time budget of " + budget + " s spent (-Dwinnow.bench.budgetSeconds): " + skipped
                        + " rows not measured");
            }
            if (vendor != null) {
                vendor.close();
            }
        }
    }

    private static void row(Backend dev, CudaBaselines vendor, int batch, int in, int out, double density, int reps) {
        SplittableRandom rng = new SplittableRandom(batch * 31L + in * 7L + out + Double.hashCode(density));
        List<Runnable> frees = new ArrayList<>();
        Storage x = upload(dev, random(rng, batch * in), frees);
        float[] wHost = random(rng, out * in);
        float[] mHost = new float[out * in];
        int[] rowPtr = new int[out + 1];
        int nnz = 0;
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                if (density >= 1 || rng.nextDouble() < density) {
                    mHost[o * in + j] = 1f;
                    nnz++;
                }
            }
            rowPtr[o + 1] = nnz;
        }
        float[] values = new float[nnz];
        int[] colIdx = new int[nnz];
        for (int o = 0, p = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                if (mHost[o * in + j] != 0f) {
                    values[p] = wHost[o * in + j];
                    colIdx[p++] = j;
                }
            }
        }
        Storage w = upload(dev, wHost, frees);
        Storage mask = upload(dev, mHost, frees);
        Storage yMasked = alloc(dev, batch * out, frees);
        Storage yCsr = alloc(dev, batch * out, frees);
        Storage yVendor = alloc(dev, batch * out, frees);
        Storage dy = upload(dev, random(rng, batch * out), frees);
        IntStorage rp = dev.allocateInts(out + 1);
        IntStorage ci = dev.allocateInts(Math.max(1, nnz));
        dev.uploadInts(rowPtr, 0, rp, 0, out + 1);
        dev.uploadInts(colIdx, 0, ci, 0, nnz);
        frees.add(() -> {
            dev.free(rp);
            dev.free(ci);
        });
        Storage vals = upload(dev, values, frees);
        Storage grad = alloc(dev, Math.max(1, nnz), frees);
        CsrMatrix csr = new CsrMatrix(out, in, nnz, rp, ci, vals);

        double dense = 2.0 * batch * in * out;
        double sparse = 2.0 * batch * nnz;
        double tMasked = time(dev, reps, () -> dev.gemmMasked(false, true, batch, out, in, 1f, x, in, w, in, mask, 0f,
                yMasked, out));
        double tCsr = time(dev, reps, () -> dev.csrSpmmNT(csr, x, batch, 0f, yCsr));
        String batchSplit = "n/a | n/a";
        if (dev instanceof DeviceBackend) {
            DeviceBackend d = (DeviceBackend) dev;
            DeviceBackend.SpmmStrategy before = d.spmmStrategy();
            d.spmmStrategy(DeviceBackend.SpmmStrategy.BATCH_SPLIT);
            double t = time(dev, reps, () -> dev.csrSpmmNT(csr, x, batch, 0f, yVendor));
            d.spmmStrategy(before);
            batchSplit = ms(t) + " | " + gflops(sparse, t);
        }
        double tSddmm = time(dev, reps, () -> dev.sddmm(dy, x, batch, csr, 0f, grad));
        String cublas = "n/a | n/a";
        String cusparse = "n/a | n/a";
        if (vendor != null && CudaBaselines.availability().cublas()) {
            double t = time(dev, reps, () -> vendor.sgemm(false, true, batch, out, in, 1f, x, in, w, in, 0f, yVendor,
                    out));
            cublas = ms(t) + " | " + gflops(dense, t);
        }
        if (vendor != null && CudaBaselines.availability().cusparse() && nnz > 0) {
            try (CudaBaselines.SpmmPlan plan = vendor.spmmNT(csr, x, batch, yVendor)) {
                double t = time(dev, reps, () -> plan.run(0f));
                cusparse = ms(t) + " | " + gflops(sparse, t);
            }
        }
        float[] a = new float[batch * out];
        float[] b = new float[batch * out];
        dev.download(yMasked, 0, a, 0, a.length);
        dev.download(yCsr, 0, b, 0, b.length);
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        System.out.println(String.format(Locale.ROOT, "| %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1e |",
                batch, in, out, density, ms(tMasked), gflops(dense, tMasked), cublas, ms(tCsr), gflops(sparse, tCsr),
                batchSplit, cusparse, ms(tSddmm), gflops(sparse, tSddmm), diff));
        for (int i = frees.size() - 1; i >= 0; i--) {
            frees.get(i).run();
        }
    }

    /**
     * Median seconds of timed runs, each synchronised, after warm-up runs (the first launch of a kernel includes
     * module JIT work). Slow operations get fewer runs (at least 3) so the whole table fits in a few minutes.
     */
    private static double time(Backend dev, int maxReps, Runnable op) {
        op.run();
        dev.synchronize();
        long w0 = System.nanoTime();
        op.run();
        dev.synchronize();
        double once = (System.nanoTime() - w0) / 1e9;
        int reps = (int) Math.max(3, Math.min(maxReps, 0.3 / Math.max(once, 1e-9)));
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            dev.synchronize();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    private static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds * 1e3);
    }

    private static String gflops(double flops, double seconds) {
        return String.format(Locale.ROOT, "%.1f", flops / seconds / 1e9);
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static Storage upload(Backend dev, float[] data, List<Runnable> frees) {
        Storage s = alloc(dev, data.length, frees);
        dev.upload(data, 0, s, 0, data.length);
        return s;
    }

    private static Storage alloc(Backend dev, int n, List<Runnable> frees) {
        Storage s = dev.allocate(n);
        frees.add(() -> dev.free(s));
        return s;
    }
}
