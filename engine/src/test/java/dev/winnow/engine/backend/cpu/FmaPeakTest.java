package dev.winnow.engine.backend.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The peak loop does the work it is credited with ({@link FmaPeak#flops}): 12 chains of fused multiply-adds over every
 * lane, each {@code acc = 0.999999 * 1e-9 + acc}, summed at the end; a scalar emulation with Math.fma gives the same
 * float (so no chain was dropped or fused away, and each step is one rounding).
 */
class FmaPeakTest {
    @Test
    void theLoopComputesTwelveFusedChainsPerLane() {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "skipped: needs jdk.incubator.vector");
        int iterations = 1000;
        float seed = 1e-8f;
        float[] acc = new float[12];
        for (int i = 0; i < 12; i++) {
            acc[i] = seed * (i + 1);
        }
        for (int it = 0; it < iterations; it++) {
            for (int i = 0; i < 12; i++) {
                acc[i] = Math.fma(0.999999f, 1e-9f, acc[i]);
            }
        }
        float sum = acc[0];
        for (int i = 1; i < 12; i++) {
            sum += acc[i];
        }
        float start = 0f;
        for (int i = 0; i < 12; i++) {
            start += seed * (i + 1);
        }
        assertTrue(sum > start * 1.5f, "the chains must move: " + start + " -> " + sum);
        assertEquals(sum, FmaPeak.run(iterations, seed));
        assertEquals(2.0 * 12 * (FmaPeak.vectorBits() / 32) * iterations, FmaPeak.flops(iterations));
    }
}
