package dev.winnow.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fp32 multiply-add peak of one core at the CPU backend's vector width, measured in this JVM: 12 independent
 * chains of fused multiply-adds, as {@code bench/widths/fmapeak.c} does in C, so that a kernel's share of the peak
 * can be read from samples taken beside it in the same sitting (a shared VM's clock drifts by 20-40% over minutes).
 * Loaded only with jdk.incubator.vector present ({@link CpuBackend.GemmChoice#vectorModulePresent()}); reached from
 * outside through {@link CpuBackend#fmaPeak}.
 */
final class FmaPeak {
    private static final VectorSpecies<Float> S = VectorLanes.S;
    private static final int CHAINS = 12;

    private FmaPeak() {
    }

    /** Bits per vector of the width measured (the GEMM's). */
    static int vectorBits() {
        return S.vectorBitSize();
    }

    /** Floating-point operations one call of {@link #run} performs. */
    static double flops(int iterations) {
        return 2.0 * CHAINS * S.length() * iterations;
    }

    /**
     * {@code iterations} rounds of 12 independent multiply-adds (each 4-cycle latency chain stays busy); returns a
     * value that depends on every chain, so C2 cannot drop any of them. Each chain is the accumulator of
     * {@code acc = m * c + acc}, the GEMM kernel's form, which C2 emits as one vfmadd231ps on the accumulator's
     * register ({@code acc * m + c} costs it an extra register move per multiply-add: 15% below the C loop's peak).
     * Chain i starts at {@code seed * (i + 1)}; keep the seed small (the chains add about 1e-9 per step).
     */
    static float run(int iterations, float seed) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-9f);
        FloatVector a0 = FloatVector.broadcast(S, seed);
        FloatVector a1 = FloatVector.broadcast(S, seed * 2);
        FloatVector a2 = FloatVector.broadcast(S, seed * 3);
        FloatVector a3 = FloatVector.broadcast(S, seed * 4);
        FloatVector a4 = FloatVector.broadcast(S, seed * 5);
        FloatVector a5 = FloatVector.broadcast(S, seed * 6);
        FloatVector a6 = FloatVector.broadcast(S, seed * 7);
        FloatVector a7 = FloatVector.broadcast(S, seed * 8);
        FloatVector a8 = FloatVector.broadcast(S, seed * 9);
        FloatVector a9 = FloatVector.broadcast(S, seed * 10);
        FloatVector a10 = FloatVector.broadcast(S, seed * 11);
        FloatVector a11 = FloatVector.broadcast(S, seed * 12);
        for (int i = 0; i < iterations; i++) {
            a0 = m.fma(c, a0);
            a1 = m.fma(c, a1);
            a2 = m.fma(c, a2);
            a3 = m.fma(c, a3);
            a4 = m.fma(c, a4);
            a5 = m.fma(c, a5);
            a6 = m.fma(c, a6);
            a7 = m.fma(c, a7);
            a8 = m.fma(c, a8);
            a9 = m.fma(c, a9);
            a10 = m.fma(c, a10);
            a11 = m.fma(c, a11);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return s.lane(0);
    }
}
