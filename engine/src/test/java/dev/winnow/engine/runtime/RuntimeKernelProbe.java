package dev.winnow.engine.runtime;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The runtime's two kernel sets on fixed random inputs: a SHA-256 of every output bit, for the vector-width test
 * (dev.winnow.engine.backend.cpu.VectorWidthTest) to compare across JVMs and against the plain-Java kernels.
 */
public final class RuntimeKernelProbe {
    private RuntimeKernelProbe() {
    }

    /** The kernels {@link Kernels#detect()} picks in this JVM (the Vector API ones when the module is present). */
    public static String detected() {
        return digest(Kernels.detect());
    }

    public static String scalar() {
        return digest(ScalarKernels.INSTANCE);
    }

    public static String detectedName() {
        return Kernels.detect().name();
    }

    static String digest(Kernels k) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        SplittableRandom rng = new SplittableRandom(53);
        for (int n : new int[] {1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 67, 130}) {
            float[] a = randoms(n + 3, rng);
            float[] b = randoms(n + 5, rng);
            float[] y = randoms(n + 2, rng);
            k.axpy(-0.37f, a, 1, y, 2, n);
            int rows = 9;
            int lanes = n + 1;
            float[] x = randoms(rows * lanes, rng);
            float[] w = randoms(rows, rng);
            w[4] = 0f;
            int[] col = {0, 2, 3, 7, 8};
            float[] val = randoms(col.length, rng);
            float[] yc = new float[n + 1];
            float[] yd = new float[n + 1];
            k.csrRowBlock(val, col, 1, col.length, 0, x, lanes, 0.25f, yc, 1, n, true);
            k.denseRowBlock(w, 0, 0, rows, 0, x, lanes, -0.5f, yd, 0, n, false);
            for (float[] f : new float[][] {a, b, y, yc, yd}) {
                ByteBuffer bb = ByteBuffer.allocate(4 * f.length);
                for (float v : f) {
                    bb.putInt(Float.floatToRawIntBits(v));
                }
                md.update(bb.array());
            }
        }
        return HexFormat.of().formatHex(md.digest(), 0, 12);
    }

    private static float[] randoms(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }
}
