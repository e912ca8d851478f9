package dev.winnow.recsys.perf;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.BlockMatrix;
import dev.winnow.engine.backend.BinaryOp;
import dev.winnow.engine.backend.Broadcast;
import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.SgdHyper;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.sparse.CsrWeight;
import dev.winnow.engine.sparse.HostCsr;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times the products of one Linear shape (batch x in -> out) at one density on a backend, through the same backend
 * calls the ops make: dense GEMM, masked GEMM and the CSR kernels, forward and backward. Format conversion is done
 * before timing and not counted. Used by the crossover measurement, {@code winnow bench kernels} and the benchmarks.
 */
public final class KernelTimer implements AutoCloseable {
    /** Median seconds per call of each kernel, and the number of stored weights. */
    public record Times(double denseForward, double denseBackward, double maskedForward, double maskedBackward,
                        double csrForward, double csrBackward, int nnz) {
        /** Multiply-adds of the dense product, x2. */
        public double denseFlops(int batch, int in, int out) {
            return 2.0 * batch * in * out;
        }

        /** Multiply-adds at stored weights only, x2 (the "effective" count). */
        public double sparseFlops(int batch) {
            return 2.0 * batch * nnz;
        }
    }

    /** The timed SGD step's hyperparameters: momentum 0.9, nothing else. */
    private static final SgdHyper MOMENTUM = new SgdHyper(0.9f, 0f, 0f, false);

    private final Backend be;
    private final int batch;
    private final int in;
    private final int out;
    private final Storage x;
    private final Storage dy;
    private final Storage y;
    private final Storage dx;
    private final Storage w;
    private final Storage mask;
    private final Storage dw;
    private final CsrWeight csr;
    private final Storage mom1;
    private final Storage mom2;
    private final IntStorage survivors;
    private final int survivorCount;
    private final double density;
    private boolean threadCpuClock;
    private long forwardToken;

    /** The most elements one operand may have: the largest Java array (a little under Integer.MAX_VALUE). */
    public static final long MAX_OPERAND_ELEMENTS = Integer.MAX_VALUE - 8;

    /**
     * The largest of the three operands in elements, computed in long arithmetic: X (batch x in), Y (batch x out)
     * and W (out x in). Above {@link #MAX_OPERAND_ELEMENTS} the shape cannot be timed (an int product would wrap).
     */
    public static long largestOperandElements(int batch, int in, int out) {
        return Math.max((long) out * in, Math.max((long) batch * in, (long) batch * out));
    }

    /**
     * About how many heap bytes a timer of this shape holds at its peak, on the CPU backend: per weight position the
     * host weight and mask, the device weight, mask, gradient and two Adam moments, the gradient's random source and
     * the masked kernel's scratch (36 bytes); per activation X, dX, Y, dY and their random sources with scratch
     * (16 bytes per element of X and of Y); per stored weight the CSR of W and of W^T with their index maps, on host
     * and device (76 bytes). Expected nonzeros: density x out x in.
     */
    public static long estimatedBytes(int batch, int in, int out, double density) {
        long w = (long) out * in;
        long activations = (long) batch * in + (long) batch * out;
        double nnz = Math.min(1.0, Math.max(0.0, density)) * w;
        return 36 * w + 16 * activations + (long) Math.ceil(76 * nnz);
    }

    /** Random data and a uniformly random mask of the given density (seeded). */
    public KernelTimer(Backend be, int batch, int in, int out, double density, long seed) {
        this(be, batch, in, out, density, seed, false);
    }

    /**
     * Random data and a random mask of the given density (seeded): single weights, or with {@code blocks} whole 16x1
     * blocks (16 consecutive outputs of one input, as {@code prune_pattern=block16} leaves a layer), each kept with
     * probability {@code density}.
     */
    public KernelTimer(Backend be, int batch, int in, int out, double density, long seed, boolean blocks) {
        if (batch < 1 || in < 1 || out < 1) {
            throw new IllegalArgumentException("shape must be positive: batch=" + batch + " in=" + in + " out=" + out);
        }
        if (largestOperandElements(batch, in, out) > MAX_OPERAND_ELEMENTS) {
            throw new IllegalArgumentException("shape batch=" + batch + " in=" + in + " out=" + out + " has an operand"
                    + " of " + largestOperandElements(batch, in, out) + " elements; at most " + MAX_OPERAND_ELEMENTS
                    + " fit in one array");
        }
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in [0, 1], got " + density);
        }
        this.be = be;
        this.batch = batch;
        this.in = in;
        this.out = out;
        this.density = density;
        SplittableRandom rng = new SplittableRandom(seed);
        float[] wv = new float[out * in];
        float[] mv = new float[out * in];
        fillMask(mv, out, in, density, blocks, rng);
        for (int i = 0; i < wv.length; i++) {
            if (mv[i] != 0f) {
                wv[i] = (float) (rng.nextDouble() * 2 - 1);
            }
        }
        this.x = upload(randoms(rng, batch * in));
        this.dy = upload(randoms(rng, batch * out));
        this.y = be.allocate(batch * out);
        this.dx = be.allocate(batch * in);
        this.w = upload(wv);
        this.mask = upload(mv);
        this.dw = be.allocate(out * in);
        this.csr = CsrWeight.fromMask(be, mv, wv, out, in);
        this.mom1 = be.allocate(out * in);
        this.mom2 = be.allocate(out * in);
        int[] idx = HostCsr.fromMask(mv, wv, out, in).denseIndex();
        this.survivorCount = idx.length;
        this.survivors = be.allocateInts(Math.max(1, idx.length));
        be.uploadInts(idx, 0, survivors, 0, idx.length);
        // The optimiser kernels read the gradient: give it the values of a backward pass.
        be.upload(randoms(rng, out * in), 0, dw, 0, out * in);
        csrForward();
    }

    /**
     * A random 0/1 mask of an out x in weight into {@code m}: each weight, or with {@code blocks} each whole 16x1
     * block (16 consecutive outputs of one input; the last group ragged), kept with probability {@code density}.
     */
    public static void fillMask(float[] m, int out, int in, double density, boolean blocks, SplittableRandom rng) {
        if (!blocks) {
            for (int i = 0; i < m.length; i++) {
                m[i] = rng.nextDouble() < density ? 1f : 0f;
            }
            return;
        }
        for (int r0 = 0; r0 < out; r0 += BlockMatrix.HEIGHT) {
            for (int c = 0; c < in; c++) {
                float keep = rng.nextDouble() < density ? 1f : 0f;
                for (int r = r0; r < Math.min(out, r0 + BlockMatrix.HEIGHT); r++) {
                    m[r * in + c] = keep;
                }
            }
        }
    }

    private static float[] randoms(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }

    private Storage upload(float[] a) {
        Storage s = be.allocate(a.length);
        be.upload(a, 0, s, 0, a.length);
        return s;
    }

    /**
     * Times with the calling thread's CPU time instead of the wall clock: on a machine shared with other jobs this
     * leaves out the time spent waiting for a core. Only meaningful with 1 thread (other threads' time is not seen).
     */
    public KernelTimer useThreadCpuClock(boolean on) {
        if (on && !java.lang.management.ManagementFactory.getThreadMXBean().isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time; use the wall clock");
        }
        this.threadCpuClock = on;
        return this;
    }

    private long now() {
        return threadCpuClock ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()
                : System.nanoTime();
    }

    public int nnz() {
        return csr.nnz();
    }

    public double density() {
        return density;
    }

    public void denseForward() {
        be.gemm(false, true, batch, out, in, 1f, x, in, w, in, 0f, y, out);
    }

    /** dX = dY W and dW = dY^T X, both dense. */
    public void denseBackward() {
        be.gemm(false, false, batch, in, out, 1f, dy, out, w, in, 0f, dx, in);
        be.gemm(true, false, out, in, batch, 1f, dy, out, x, in, 0f, dw, in);
    }

    public void maskedForward() {
        be.gemmMasked(false, true, batch, out, in, 1f, x, in, w, in, mask, 0f, y, out);
    }

    /** What {@code Ops.linear} does with a mask: masked dX, dense dW multiplied by the mask. */
    public void maskedBackward() {
        be.gemmMasked(false, false, batch, in, out, 1f, dy, out, w, in, mask, 0f, dx, in);
        be.gemm(true, false, out, in, batch, 1f, dy, out, x, in, 0f, dw, in);
        be.binary(BinaryOp.MUL, dw, mask, Broadcast.FULL, out, in, dw);
    }

    /**
     * What {@code SparseOps.linear} does forward: refresh the values, then the product in block form where the
     * weight has one ({@link CsrWeight#block()}: a block pattern on a backend with block kernels), else CSR x dense.
     */
    public void csrForward() {
        csr.refresh(w);
        BlockMatrix block = csr.block();
        if (block != null) {
            be.blockLinearForward(block, x, batch, null, y);
            forwardToken = 0;
        } else {
            forwardToken = be.csrLinearForward(csr.matrix(), x, batch, null, y, csr.scratch());
        }
    }

    /** The CSR product even where the weight has a block form (what the block form saves, on the same pattern). */
    public void csrKernelForward() {
        csr.refresh(w);
        forwardToken = be.csrLinearForward(csr.matrix(), x, batch, null, y, csr.scratch());
    }

    /** Whether the sparse forward runs in block form (see {@link #csrForward}). */
    public boolean blockForm() {
        return csr.block() != null;
    }

    /**
     * What {@code SparseOps.linear} does backward, after the forward it follows (made once at construction, so
     * this times a layer's backward, which reuses what its forward packed): dX += dY W through the transposed copy,
     * dW at the stored positions (SDDMM) scattered into the dense gradient; in block form, both from the blocks.
     */
    public void csrBackward() {
        if (csr.block() != null) {
            be.blockLinearBackward(csr.blockForBackward(), dy, x, batch, dx, dw);
            return;
        }
        be.csrLinearBackward(csr.matrix(), csr.transposed(), dy, x, batch, dx,
                csr.nnz() > 0 ? csr.packedGrad() : null, csr.scratch(), forwardToken);
        if (csr.nnz() > 0) {
            be.scatterAddRows(csr.packedGrad(), 1, csr.denseIndex(), csr.nnz(), dw);
        }
    }

    /** Surviving weights (the mask's ones). */
    public int survivors() {
        return survivorCount;
    }

    /** One Adam step of the out x in weight as a dense masked sweep over every position. */
    public void adamMaskedSweep() {
        be.adamStep(w, dw, mom1, mom2, mask, out * in, 1e-6f, 10, AdamHyper.DEFAULTS);
    }

    /** The same Adam step over the survivors only. */
    public void adamIndexed() {
        be.adamStepIndexed(w, dw, mom1, mom2, survivors, survivorCount, out * in, 1e-6f, 10, AdamHyper.DEFAULTS);
    }

    /** One SGD-with-momentum step as a dense masked sweep. */
    public void sgdMaskedSweep() {
        be.sgdStep(w, dw, mom1, mask, out * in, 1e-6f, false, MOMENTUM);
    }

    /** The same SGD step over the survivors only. */
    public void sgdIndexed() {
        be.sgdStepIndexed(w, dw, mom1, survivors, survivorCount, out * in, 1e-6f, false, MOMENTUM);
    }

    /**
     * Median seconds over {@code reps} calls after at least {@code warmup} untimed calls and 0.2 s (so that the JIT
     * has compiled the kernel even on a busy machine; a zero {@code warmup} skips warming entirely).
     */
    public double median(Runnable kernel, int warmup, int reps) {
        long warmUntil = System.nanoTime() + 200_000_000L;
        for (int i = 0; i < warmup || (warmup > 0 && System.nanoTime() < warmUntil); i++) {
            kernel.run();
        }
        be.synchronize();
        double[] t = new double[Math.max(1, reps)];
        for (int i = 0; i < t.length; i++) {
            long t0 = now();
            kernel.run();
            be.synchronize();
            t[i] = (now() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t.length % 2 == 1 ? t[t.length / 2] : 0.5 * (t[t.length / 2 - 1] + t[t.length / 2]);
    }

    /** Times every kernel. */
    public Times timeAll(int warmup, int reps) {
        return new Times(median(this::denseForward, warmup, reps), median(this::denseBackward, warmup, reps),
                median(this::maskedForward, warmup, reps), median(this::maskedBackward, warmup, reps),
                median(this::csrForward, warmup, reps), median(this::csrBackward, warmup, reps), csr.nnz());
    }

    @Override
    public void close() {
        csr.close();
        for (Storage s : new Storage[] {x, dy, y, dx, w, mask, dw, mom1, mom2}) {
            be.free(s);
        }
        be.free(survivors);
    }
}
