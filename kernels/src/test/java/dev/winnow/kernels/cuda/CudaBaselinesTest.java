package dev.winnow.kernels.cuda;

import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CudaBaselinesTest {

    private static boolean systemHas(String lib) {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/local/cuda/lib64", "/usr/lib64", "/lib64"}) {
            if (Files.exists(Paths.get(dir, lib))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void missingCuda12LibrariesAreReportedInOneLine() {
        assumeTrue(!systemHas("libcublas.so.12") && !systemHas("libcusparse.so.12"),
                "skipped: this machine has CUDA 12 cuBLAS/cuSPARSE");
        CudaBaselines.Availability a = CudaBaselines.availability();
        assertFalse(a.cublas());
        assertFalse(a.cusparse());
        assertEquals("unavailable: libcublas.so.12 not found (UnsatisfiedLinkError)", a.cublasReason());
        assertEquals("unavailable: libcusparse.so.12 not found (UnsatisfiedLinkError)", a.cusparseReason());
    }

    @Tag("cuda")
    @Test
    void cublasSgemmMatchesTheCpuReference() {
        CudaProbe.Result probe = CudaProbe.result();
        assumeTrue(probe.available(), () -> "skipped: no CUDA device (" + probe.description() + ")");
        assumeTrue(CudaBaselines.availability().cublas(), () -> "skipped: cuBLAS " + CudaBaselines.availability()
                .cublasReason());
        int m = 37;
        int n = 53;
        int k = 70;
        SplittableRandom rng = new SplittableRandom(3);
        float[] a = new float[k * m];
        float[] b = new float[n * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rng.nextDouble(-1, 1);
        }
        float[] want = new float[m * n];
        try (CpuBackend cpu = new CpuBackend(1)) {
            Storage ca = cpu.allocate(a.length);
            Storage cb = cpu.allocate(b.length);
            Storage cc = cpu.allocate(want.length);
            cpu.upload(a, 0, ca, 0, a.length);
            cpu.upload(b, 0, cb, 0, b.length);
            cpu.gemm(true, true, m, n, k, 1f, ca, m, cb, k, 0f, cc, n);
            cpu.download(cc, 0, want, 0, want.length);
        }
        float[] got = new float[m * n];
        try (CudaBackend dev = new CudaBackend(); CudaBaselines vendor = new CudaBaselines(dev)) {
            Storage da = dev.allocate(a.length);
            Storage db = dev.allocate(b.length);
            Storage dc = dev.allocate(got.length);
            dev.upload(a, 0, da, 0, a.length);
            dev.upload(b, 0, db, 0, b.length);
            vendor.sgemm(true, true, m, n, k, 1f, da, m, db, k, 0f, dc, n);
            dev.download(dc, 0, got, 0, got.length);
        }
        for (int i = 0; i < got.length; i++) {
            assertEquals(want[i], got[i], 1e-4, "C[" + i + "] of " + Arrays.toString(new int[] {m, n, k}));
        }
        assertTrue(got.length > 0);
    }
}
