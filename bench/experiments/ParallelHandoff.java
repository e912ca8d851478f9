package dev.winnow.engine.backend.cpu;
public class ParallelHandoff {
    public static void main(String[] a) {
        for (int th : new int[] {2, 3}) {
            Parallel p = new Parallel(th);
            long[] acc = new long[th * 16];
            for (int w = 0; w < 20000; w++) p.forRange(th, 1, (part, from, to) -> acc[part * 16]++);
            int n = 20000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) p.forRange(th, 1, (part, from, to) -> acc[part * 16]++);
            long t1 = System.nanoTime();
            System.out.printf("forRange on %d threads, empty body: %.1f us per call%n", th, (t1 - t0) / 1e3 / n);
            p.close();
        }
    }
}
