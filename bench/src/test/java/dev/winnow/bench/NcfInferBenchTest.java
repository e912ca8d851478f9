package dev.winnow.bench;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.sparse.ExecutionMode;
import dev.winnow.engine.sparse.ExecutionPolicy;
import dev.winnow.recsys.perf.DensityCrossover;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inference benchmark's weight modes: {@code auto} must be the policy {@code compare} gives a user's model. */
class NcfInferBenchTest {
    @Test
    void autoUsesTheMeasuredCrossoverAndPolicyAFixedHalf() {
        CpuBackend backend = new CpuBackend(1);
        double measured = DensityCrossover.threshold(backend);
        assertEquals(ExecutionPolicy.byDensity(measured), NcfInferBench.policy("auto", backend));
        assertEquals(ExecutionPolicy.byDensity(0.5), NcfInferBench.policy("policy", backend));
        assertEquals(ExecutionPolicy.always(ExecutionMode.CSR), NcfInferBench.policy("sparse", backend));
        assertEquals(ExecutionPolicy.always(ExecutionMode.MASKED), NcfInferBench.policy("masked", backend));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NcfInferBench.policy("csr", backend));
        assertTrue(e.getMessage().contains("got csr"), e.getMessage());
    }

    @Test
    void anAutoPrunedStudentPredictsWhatItsDenseTwinDoesWhereTheMaskKeepsEverything() {
        // Density 1 under every mode: the same weights, so the same predictions as the dense model, to float rounding.
        float dense = run("dense");
        float auto = run("auto-unstructured@1.0");
        assertTrue(Float.isFinite(dense), "dense prediction " + dense);
        assertEquals(dense, auto, 1e-5f * Math.max(1f, Math.abs(dense)));
    }

    private static float run(String weights) {
        NcfInferBench b = new NcfInferBench();
        b.model = "student";
        b.threads = 1;
        b.weights = weights;
        b.setUp();
        try {
            return b.batch1();
        } finally {
            b.tearDown();
        }
    }
}
