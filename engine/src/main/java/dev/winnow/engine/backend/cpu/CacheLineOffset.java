package dev.winnow.engine.backend.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;

/**
 * Where in a float[] the first 64-byte cache line starts, so that a kernel can lay its 256-byte panel rows on whole
 * cache lines.
 *
 * <p>Why: a Java array is only 8-byte aligned, and the garbage collector may move it. A panel row that starts
 * mid-line touches 5 cache lines instead of 4 and splits half of its 32-byte vector loads across two lines. Measured
 * on the AVX2 development VM, the CSR gather kernel at 1024x1024, density 0.1, batch 1024: 3.0 ms with the panel
 * L1-resident and line-aligned against 4.0 ms unaligned, and 5.0 against 6.2 ms with the whole 256 KiB panel in L2.
 *
 * <p>How: Java has no API for an object's address, so this reads the array's reference through
 * {@code sun.misc.Unsafe} (module jdk.unsupported, exported to class-path code) and decodes it: 8-byte references
 * are addresses; 4-byte compressed references are addresses shifted right by 3 unless the heap sits below 4 GiB
 * (unshifted), which the probe in the static initialiser tells apart (unshifted references of 8-byte aligned objects
 * always have their low 3 bits clear). A compressed heap's base, when it has one, is aligned far beyond 64 bytes.
 *
 * <p>Safety: the answer only chooses where a kernel starts writing inside a panel that has {@link #PAD} spare
 * floats; results never depend on it. When Unsafe is unavailable or the layout is not understood, the offset is 0
 * (the kernels then run as fast as they did before this class existed). An array moved by the GC between the
 * question and its use costs speed for that call, never correctness; callers ask again on every call.
 */
final class CacheLineOffset {
    /** Spare floats a panel needs so that any offset this class returns fits. */
    static final int PAD = 16;

    private static final MethodHandle GET_INT;
    private static final MethodHandle GET_LONG;
    private static final int REF_BYTES;
    private static final long REF_ARRAY_BASE;
    private static final long FLOAT_ARRAY_BASE;
    /** Left shift that turns a compressed reference into an address; -1 when addresses cannot be read. */
    private static final int SHIFT;

    static {
        MethodHandle getInt = null;
        MethodHandle getLong = null;
        int refBytes = 0;
        long refBase = 0;
        long floatBase = 0;
        int shift = -1;
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            getInt = lookup.findVirtual(unsafeClass, "getInt", MethodType.methodType(int.class, Object.class, long.class))
                    .bindTo(unsafe);
            getLong = lookup.findVirtual(unsafeClass, "getLong",
                    MethodType.methodType(long.class, Object.class, long.class)).bindTo(unsafe);
            MethodHandle scale = lookup.findVirtual(unsafeClass, "arrayIndexScale",
                    MethodType.methodType(int.class, Class.class)).bindTo(unsafe);
            MethodHandle base = lookup.findVirtual(unsafeClass, "arrayBaseOffset",
                    MethodType.methodType(int.class, Class.class)).bindTo(unsafe);
            refBytes = (int) scale.invoke(Object[].class);
            refBase = (int) base.invoke(Object[].class);
            floatBase = (int) base.invoke(float[].class);
            if (refBytes == 8) {
                shift = 0;
            } else if (refBytes == 4) {
                // Objects of varied sizes; if every compressed reference has its low 3 bits clear, the references
                // are plain addresses (heap below 4 GiB), otherwise they are addresses >> 3.
                Object[] probe = new Object[64];
                for (int i = 0; i < probe.length; i++) {
                    probe[i] = new long[i % 3];
                }
                int lowBits = 0;
                for (int i = 0; i < probe.length; i++) {
                    lowBits |= (int) getInt.invoke((Object) probe, refBase + 4L * i);
                }
                shift = (lowBits & 7) == 0 ? 0 : 3;
            }
        } catch (Throwable e) {
            shift = -1;
        }
        GET_INT = getInt;
        GET_LONG = getLong;
        REF_BYTES = refBytes;
        REF_ARRAY_BASE = refBase;
        FLOAT_ARRAY_BASE = floatBase;
        SHIFT = shift;
    }

    private CacheLineOffset() {
    }

    /** Whether offsets are real (false: {@link #of} always answers 0). */
    static boolean known() {
        return SHIFT >= 0;
    }

    /**
     * The index in [0, {@link #PAD}) of the first element of {@code a} that starts a 64-byte line, or 0 when unknown.
     * {@code holder} is a caller-owned one-element scratch array (so that asking allocates nothing); it is cleared.
     */
    static int of(float[] a, Object[] holder) {
        if (SHIFT < 0) {
            return 0;
        }
        holder[0] = a;
        try {
            long address = REF_BYTES == 8
                    ? (long) GET_LONG.invokeExact((Object) holder, REF_ARRAY_BASE)
                    : (((int) GET_INT.invokeExact((Object) holder, REF_ARRAY_BASE)) & 0xffffffffL) << SHIFT;
            long mod = (address + FLOAT_ARRAY_BASE) & 63;
            return (mod & 3) != 0 ? 0 : (int) (((64 - mod) & 63) >>> 2);
        } catch (Throwable e) {
            return 0;
        } finally {
            holder[0] = null;
        }
    }
}
