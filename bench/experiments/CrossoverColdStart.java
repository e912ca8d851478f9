import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.perf.DensityCrossover;

/**
 * The crossover measurement as a fresh JVM makes it: the first call is the one a first pruned training run caches
 * for good. Prints each call's result and time; run it in several JVMs.
 */
public class CrossoverColdStart {
    public static void main(String[] a) {
        int calls = a.length > 0 ? Integer.parseInt(a[0]) : 2;
        try (CpuBackend be = new CpuBackend(1)) {
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                double d = DensityCrossover.measure(be, 256, 256, 256);
                System.out.printf("call %d: crossover %.3f in %.2f s%n", i + 1, d, (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
