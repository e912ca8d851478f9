package dev.winnow.engine.backend.cpu;

import java.util.logging.Logger;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector species of the CPU backend's Vector API kernels (dense GEMM, sparse kernels, element-wise loops),
 * loaded only when jdk.incubator.vector is present.
 *
 * <p>The species sets how many lanes a register holds, never which numbers come out: every kernel fixes its logical
 * accumulation layout independently of it (see each kernel's class comment), so 128-, 256- and 512-bit machines give
 * the same bits. The machine's preferred species is used, kept within 128..512 bits (a kernel's logical vector is
 * 16 floats and its smallest register 4); {@code -Dwinnow.vectorBits=128|256|512} forces one, which on hardware
 * without that width runs emulated (slowly) and is how the tests check a width the machine lacks.
 *
 * <p>No kernel may use a second species, even for a short loop: once two vector classes have run through the shared
 * {@code FloatVector} methods, C2 stops intrinsifying the kernels it compiles afterwards, and they allocate on every
 * operation and run 10-18x slower ({@code OneVectorSpeciesTest}; bench/RESULTS.md, Machine 3). A kernel that wants
 * fewer lanes than S has uses S's low lanes.
 */
final class VectorLanes {
    private static final Logger LOG = Logger.getLogger(VectorLanes.class.getName());

    static final VectorSpecies<Float> S = choose(System.getProperty("winnow.vectorBits", ""));

    private VectorLanes() {
    }

    /**
     * lanes[0] + ... + lanes[7] added to 0 in this order: how every kernel finishes a horizontal sum, through a scratch
     * array rather than reduceLanes (whose floating-point order the Vector API leaves open) or lane(i) one at a time
     * (the same order, but at 8 lanes it made the CSR backward ~25% slower; at 16, {@link #sumLow8InOrder}).
     */
    static float sumInOrder8(float[] lanes) {
        float sum = 0f;
        sum += lanes[0];
        sum += lanes[1];
        sum += lanes[2];
        sum += lanes[3];
        sum += lanes[4];
        sum += lanes[5];
        sum += lanes[6];
        sum += lanes[7];
        return sum;
    }

    /**
     * The same sum of a register's lanes 0-7, read from the register: for 512-bit registers, where scalar loads right
     * behind the 512-bit store of a scratch array wait for that store (on Zen 5 this made the SDDMM twice as slow as
     * with 256-bit registers; bench/RESULTS.md, Machine 2). At 8 lanes the scratch array is the faster way.
     */
    static float sumLow8InOrder(FloatVector v) {
        float sum = 0f;
        sum += v.lane(0);
        sum += v.lane(1);
        sum += v.lane(2);
        sum += v.lane(3);
        sum += v.lane(4);
        sum += v.lane(5);
        sum += v.lane(6);
        sum += v.lane(7);
        return sum;
    }

    static VectorSpecies<Float> choose(String property) {
        switch (property.trim()) {
            case "128":
                return FloatVector.SPECIES_128;
            case "256":
                return FloatVector.SPECIES_256;
            case "512":
                return FloatVector.SPECIES_512;
            case "":
                break;
            default:
                LOG.warning("-Dwinnow.vectorBits=" + property + " is not 128, 256 or 512; using the machine's width");
        }
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (preferred.length() > 16) {
            return FloatVector.SPECIES_512;
        }
        if (preferred.length() < 4) {
            return FloatVector.SPECIES_128;
        }
        return preferred;
    }
}
