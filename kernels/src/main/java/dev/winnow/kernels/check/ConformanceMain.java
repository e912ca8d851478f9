package dev.winnow.kernels.check;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.kernels.BackendChoice;
import dev.winnow.kernels.Backends;

/**
 * Runs every conformance case on one backend without Maven or JUnit (the GPU machine has neither):
 * {@code java -cp 'lib/*' dev.winnow.kernels.check.ConformanceMain cuda}. Exit status 0 when all pass, 1 when any
 * fails, 2 when the requested backend is not available (the reason is printed).
 */
public final class ConformanceMain {
    private ConformanceMain() {
    }

    public static void main(String[] args) {
        String request = args.length > 0 ? args[0] : "cuda";
        BackendChoice choice = Backends.select(request, 1);
        System.out.println("backend: " + choice.describe());
        if (!choice.honoured()) {
            choice.backend().close();
            System.exit(2);
        }
        int failed = 0;
        int passed = 0;
        long t0 = System.nanoTime();
        try (Backend dev = choice.backend(); CpuBackend ref = new CpuBackend(1)) {
            long seed = 1;
            for (Conformance.Case c : Conformance.cases()) {
                try {
                    c.run(ref, dev, seed++);
                    passed++;
                } catch (AssertionError | RuntimeException e) {
                    failed++;
                    System.out.println("FAIL " + c.name() + ": " + e.getMessage());
                }
            }
        }
        System.out.printf("%d passed, %d failed in %.1f s%n", passed, failed, (System.nanoTime() - t0) / 1e9);
        System.exit(failed == 0 ? 0 : 1);
    }
}
