package dev.winnow.engine.backend.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * Where the dense GEMM's run-to-run spread comes from: the same 1024^3 product on the same buffers, timed in
 * consecutive blocks of 5 calls in one JVM (best call per block, wall clock and the thread's CPU time). With
 * {@code fresh} as argument, X, W and Y are re-allocated (other physical pages) before every block.
 */
public class GemmSpread {
    public static void main(String[] args) {
        boolean fresh = args.length > 0 && args[0].equals("fresh");
        int n = 1024;
        VectorGemm g = new VectorGemm();
        Random r = new Random(1);
        float[] x = new float[n * n];
        float[] w = new float[n * n];
        float[] y = new float[n * n];
        for (int i = 0; i < n * n; i++) {
            x[i] = r.nextFloat();
            w[i] = r.nextFloat();
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Parallel p = new Parallel(1)) {
            for (int warm = 0; warm < 10; warm++) {
                g.gemm(false, true, n, n, n, 1f, x, n, w, n, 0f, y, n, p);
            }
            for (int block = 0; block < 24; block++) {
                if (fresh) {
                    x = x.clone();
                    w = w.clone();
                    y = new float[n * n];
                }
                double wall = Double.MAX_VALUE;
                double cpu = Double.MAX_VALUE;
                for (int rep = 0; rep < 5; rep++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    g.gemm(false, true, n, n, n, 1f, x, n, w, n, 0f, y, n, p);
                    wall = Math.min(wall, (System.nanoTime() - t0) / 1e9);
                    cpu = Math.min(cpu, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
                }
                System.out.printf("block %2d: %.1f GFLOP/s wall, %.1f cpu%n", block, 2.0 * n * n * n / wall / 1e9,
                        2.0 * n * n * n / cpu / 1e9);
            }
        }
    }
}
