package dev.winnow.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Whether the CPU kernels run vectors wider than the hardware's ({@code -Dwinnow.vectorBits=512} on an AVX2 machine):
 * the Vector API then emulates them, with the right bits but slowly and allocating on every operation, so the tests
 * that hold a path allocation-free do not apply.
 */
public final class VectorEmulation {
    private VectorEmulation() {
    }

    /** Why an allocation test is skipped under emulation, and what runs it. */
    public static final String SKIPPED = "skipped: -Dwinnow.vectorBits asks for wider vectors than this CPU has, and the"
            + " Vector API's emulation allocates on every operation; runs without -Dwinnow.vectorBits or at a width the"
            + " CPU has";

    public static boolean active() {
        return CpuBackend.GemmChoice.vectorModulePresent() && Widths.emulated();
    }

    /** Links the Vector API only when the module is there. */
    private static final class Widths {
        static boolean emulated() {
            return VectorLanes.S.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
