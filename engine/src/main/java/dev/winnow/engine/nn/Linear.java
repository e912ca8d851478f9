package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.sparse.CsrWeight;
import dev.winnow.engine.sparse.ExecutionMode;
import dev.winnow.engine.sparse.ExecutionPolicy;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.SparseOps;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * y = x (W ⊙ M)^T + b with W of shape out x in. The mask M appears when the layer is pruned; masked weights are zero
 * and receive no gradient. Initialised like PyTorch's nn.Linear: W, b ~ U(-1/sqrt(in), 1/sqrt(in)).
 *
 * <p>Execution follows the layer's {@link ExecutionPolicy}: without a mask the product is a dense GEMM; with one, a
 * masked GEMM, or, when the policy says so for the mask's density, CSR x dense with an SDDMM weight gradient
 * ({@link SparseOps#linear}). All give the same numbers up to float rounding. The policy is a value the model's
 * builder hands in ({@link #setExecutionPolicy}; {@link ExecutionPolicy#MASKED} until then): nothing is measured in a
 * forward pass. The CSR form is rebuilt when the mask changes through {@link Parameter#setMask}; the weight values
 * stay dense in the parameter (the optimiser updates them there).
 *
 * <p>In a forward without gradients the layer keeps what it derives from the weight (W ⊙ M when masked, the gathered
 * CSR or block values when sparse) until {@link Parameter#contentVersion()} or the mask moves, with the same bits as
 * recomputing it; and a forward of at most {@link ExecutionPolicy#SMALL_BATCH_ROWS} rows follows the policy's
 * small-batch rule ({@link ExecutionPolicy#modeFor(boolean, double, int, boolean, boolean)}).
 */
public final class Linear implements Module {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;
    private ExecutionPolicy policy = ExecutionPolicy.MASKED;
    private CsrWeight csr;
    private Tensor csrMask;
    private int csrMaskVersion;
    private Tensor densityMask;
    private int densityMaskVersion;
    private double maskDensity;
    // W ⊙ M for forwards that need no weight gradient (inference), kept while the weight, the mask and its version
    // stay those it was built from: a masked layer then costs what a dense one does.
    private Tensor maskedProduct;
    private Tensor maskedProductMask;
    private int maskedProductMaskWrite;
    private long maskedProductValue;

    public Linear(Backend backend, String name, int in, int out, boolean withBias, SplittableRandom rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(name + ": Linear needs positive sizes, got in=" + in + " out=" + out);
        }
        this.in = in;
        this.out = out;
        double bound = 1.0 / Math.sqrt(in);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        this.weight = new Parameter(name + ".weight", Tensor.of(backend, out, in, w, true), true);
        if (withBias) {
            float[] b = new float[out];
            for (int i = 0; i < out; i++) {
                b[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
            this.bias = new Parameter(name + ".bias", Tensor.vector(backend, b, true), false);
        } else {
            this.bias = null;
        }
    }

    private Linear(int in, int out, Parameter weight, Parameter bias) {
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * A layer holding exactly the given values (weight row-major out x in; bias of length out, or null): what
     * structured compaction builds, and what a distiller uses with {@code prunable = false} so pruning never sees it.
     */
    public static Linear of(Backend backend, String name, int in, int out, float[] weight, float[] bias,
                            boolean prunable) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(name + ": Linear needs positive sizes, got in=" + in + " out=" + out);
        }
        if (weight.length != in * out) {
            throw new IllegalArgumentException(name + ": weight needs " + out + "x" + in + " = " + in * out
                    + " values, got " + weight.length);
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException(name + ": bias needs " + out + " values, got " + bias.length);
        }
        Parameter w = new Parameter(name + ".weight", Tensor.of(backend, out, in, weight, true), prunable);
        Parameter b = bias == null ? null
                : new Parameter(name + ".bias", Tensor.vector(backend, bias, true), false);
        return new Linear(in, out, w, b);
    }

    public Tensor forward(Tensor x) {
        Tensor b = bias == null ? null : bias.value();
        ExecutionMode mode = executionMode();
        if (mode == ExecutionMode.CSR && policy.forced() == null && !GradMode.isEnabled()
                && x.rows() <= ExecutionPolicy.SMALL_BATCH_ROWS) {
            mode = policy.modeFor(true, maskDensity(), x.rows(), true, csrWeight().hasBlockForm());
        }
        switch (mode) {
            case CSR:
                return SparseOps.linear(x, weight.value(), b, csrWeight(), weight.contentVersion());
            case MASKED:
                if (!GradMode.isEnabled() && weight.mask() != null) {
                    // the same GEMM on the same W ⊙ M values as below, so the same bits; the product made once
                    return Ops.linear(x, maskedProduct(), b, null);
                }
                return Ops.linear(x, weight.value(), b, weight.mask());
            default:
                return Ops.linear(x, weight.value(), b, null);
        }
    }

    /** The mode the next forward will use, by the policy and the mask's density. */
    public ExecutionMode executionMode() {
        Tensor mask = weight.mask();
        return policy.modeFor(mask != null, mask == null ? 1.0 : maskDensity());
    }

    /** How this layer runs from the next forward on. */
    public void setExecutionPolicy(ExecutionPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException(weight.name() + ": execution policy must not be null");
        }
        this.policy = policy;
    }

    public ExecutionPolicy executionPolicy() {
        return policy;
    }

    /** Share of the weights the mask keeps (1 without a mask); recounted only when the mask changes. */
    public double maskDensity() {
        Tensor mask = weight.mask();
        if (mask == null) {
            return 1.0;
        }
        if (mask != densityMask || weight.maskVersion() != densityMaskVersion) {
            maskDensity = (double) weight.aliveCount() / weight.value().size();
            densityMask = mask;
            densityMaskVersion = weight.maskVersion();
        }
        return maskDensity;
    }

    /** The CSR form of the weight on its mask's pattern (all positions without a mask), rebuilt on a new mask. */
    private CsrWeight csrWeight() {
        Tensor mask = weight.mask();
        if (csr == null || mask != csrMask || weight.maskVersion() != csrMaskVersion) {
            if (csr != null) {
                csr.close();
            }
            float[] w = weight.value().toArray();
            float[] m = mask == null ? filledOnes(w.length) : mask.toArray();
            csr = CsrWeight.fromMask(weight.value().backend(), m, w, out, in);
            csrMask = mask;
            csrMaskVersion = weight.maskVersion();
        }
        return csr;
    }

    /** W ⊙ M, rebuilt when the weight's content or the mask's values changed since it was made. */
    private Tensor maskedProduct() {
        Tensor mask = weight.mask();
        // setMask writes the mask tensor, so its write version covers new masks as well as direct writes
        if (maskedProduct == null || mask != maskedProductMask || mask.writeVersion() != maskedProductMaskWrite
                || weight.contentVersion() != maskedProductValue) {
            float[] w = weight.value().toArray();
            float[] m = mask.toArray();
            for (int i = 0; i < w.length; i++) {
                w[i] *= m[i]; // the product gemmMasked forms, element by element
            }
            if (maskedProduct == null) {
                maskedProduct = Tensor.zeros(weight.value().backend(), out, in, false);
            }
            maskedProduct.copyFrom(w);
            maskedProductMask = mask;
            maskedProductMaskWrite = mask.writeVersion();
            maskedProductValue = weight.contentVersion();
        }
        return maskedProduct;
    }

    private static float[] filledOnes(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias parameter, or null for a layer without one. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(2);
        ps.add(weight);
        if (bias != null) {
            ps.add(bias);
        }
        return ps;
    }
}
