package dev.winnow.engine.optim;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.engine.tensor.TouchedRows;

import java.util.List;

/**
 * Adam with bias correction; {@code decoupled} makes it AdamW (weight decay applied to the weights directly).
 *
 * <p><b>Lazy (row-sparse) Adam</b>, made by {@link #lazy}, is PyTorch's {@code SparseAdam} for the parameters that
 * are lookup tables ({@link Tensor#touchedRows} not null, no mask): a step updates only the rows whose gradient an
 * embedding lookup wrote since the gradient was last zeroed (a batch's distinct ids, a repeated id once, its
 * gradients summed by the lookup's backward). For each weight j of such a row, with t the parameter's step count
 * (the number of steps it has taken, the same global count dense Adam uses, not the row's own):
 * <pre>
 *   g   = grad_j (+ wd * w_j when weight decay is L2; AdamW instead first does w_j -= lr * wd * w_j)
 *   m_j = beta1 * m_j + (1 - beta1) * g
 *   v_j = beta2 * v_j + (1 - beta2) * g^2
 *   w_j -= lr / (1 - beta1^t) * m_j / (sqrt(v_j) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * which is dense Adam's arithmetic, bit for bit, at those weights. Every other row keeps its weights, m and v exactly.
 * Dense Adam differs at an untouched row: there g = 0 (or wd * w), so m and v decay every step and the weights keep
 * moving along the decaying m_hat; lazy Adam does none of that until the row is looked up again, and then corrects
 * its stale moments with the global t. Weight decay (L2 or decoupled) applies to touched rows only: a row is shrunk
 * at the steps that look it up, so a rarely seen user or item is regularised less than under dense Adam (PyTorch's
 * SparseAdam has no weight decay; this is the natural extension). Any parameter that is not such a table (MLP
 * weights, biases), a masked table, or a table whose gradient something other than a lookup wrote this step
 * ({@link dev.winnow.engine.tensor.TouchedRows#all()}) gets the dense Adam step, bit-identical to {@code Adam}.
 *
 * <p>Cost: the rows go to {@link dev.winnow.engine.backend.Backend#adamStepRows}. On the CPU that pays only once the
 * tables are large: at MovieLens 100K's 84k embedding weights a batch's scattered rows cost what the vectorised dense
 * sweep over all of them does; at 40k rows the step is ~3x faster (bench/RESULTS.md, "Row-sparse Adam"). OpenCL and
 * CUDA run the SPI's default (host copies of the whole table), correct but slower than their dense step.
 */
public final class Adam extends Optimizer {
    /** Made once here and passed to every step (a step allocates nothing). */
    private final AdamHyper hyper;
    private final boolean lazy;
    private final Tensor[] m;
    private final Tensor[] v;
    private final int[] paramSteps;
    // lazy: a table's touched rows, on the host and on the backend, sized once per table
    private final int[][] rowsHost;
    private final IntStorage[] rows;

    public Adam(List<Parameter> params, float lr, float beta1, float beta2, float eps, float weightDecay,
                boolean decoupled) {
        this(params, lr, new AdamHyper(beta1, beta2, eps, weightDecay, decoupled), false);
    }

    private Adam(List<Parameter> params, float lr, AdamHyper hyper, boolean lazy) {
        super(params, lr);
        this.hyper = hyper;
        this.lazy = lazy;
        this.m = new Tensor[this.params.size()];
        this.v = new Tensor[this.params.size()];
        this.paramSteps = new int[this.params.size()];
        this.rowsHost = new int[this.params.size()][];
        this.rows = new IntStorage[this.params.size()];
    }

    /** Lazy (row-sparse) Adam: lookup tables update only their touched rows (see the class comment). */
    public static Adam lazy(List<Parameter> params, float lr, float beta1, float beta2, float eps, float weightDecay,
                            boolean decoupled) {
        return new Adam(params, lr, new AdamHyper(beta1, beta2, eps, weightDecay, decoupled), true);
    }

    /** Whether this is lazy (row-sparse) Adam. */
    public boolean isLazy() {
        return lazy;
    }

    /** Adam with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8, no weight decay). */
    public Adam(List<Parameter> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f, false);
    }

    @Override
    protected void update(int i, Parameter p) {
        Tensor w = p.value();
        if (m[i] == null) {
            m[i] = Tensor.zeros(w.backend(), w.rows(), w.cols(), false);
            v[i] = Tensor.zeros(w.backend(), w.rows(), w.cols(), false);
        }
        paramSteps[i]++;
        int stateWrite = m[i].writeVersion() + v[i].writeVersion();
        TouchedRows touched = lazy && p.mask() == null ? w.touchedRows() : null;
        if (touched != null && !touched.all()) {
            if (rows[i] == null) {
                rowsHost[i] = new int[w.rows()];
                rows[i] = w.backend().allocateInts(w.rows());
            }
            int count = touched.sortedRows(rowsHost[i]);
            w.backend().uploadInts(rowsHost[i], 0, rows[i], 0, count);
            w.backend().adamStepRows(w.data(), w.grad(), m[i].data(), v[i].data(), rows[i], count, w.cols(), w.size(),
                    lr, paramSteps[i], hyper);
        } else if (indexedUpdate(i, p, stateWrite)) {
            w.backend().adamStepIndexed(w.data(), w.grad(), m[i].data(), v[i].data(), p.survivors(), p.aliveCount(),
                    w.size(), lr, paramSteps[i], hyper);
        } else {
            w.backend().adamStep(w.data(), w.grad(), m[i].data(), v[i].data(),
                    p.mask() == null ? null : p.mask().data(), w.size(), lr, paramSteps[i], hyper);
        }
        updated(i, p, stateWrite);
    }

    @Override
    public void zeroStateWhereMasked() {
        for (int i = 0; i < params.size(); i++) {
            zeroWhereMasked(params.get(i), m[i]);
            zeroWhereMasked(params.get(i), v[i]);
        }
    }

    @Override
    public void resetState() {
        for (int i = 0; i < m.length; i++) {
            if (m[i] != null) {
                m[i].copyFrom(new float[m[i].size()]);
                v[i].copyFrom(new float[v[i].size()]);
            }
            paramSteps[i] = 0;
        }
        steps = 0;
    }

    @Override
    protected void exportSlots(int i, String name, java.util.Map<String, float[]> out) {
        if (m[i] != null) {
            out.put(name + "#m", m[i].toArray());
            out.put(name + "#v", v[i].toArray());
            out.put(name + "#step", new float[] {paramSteps[i]});
        }
    }

    @Override
    protected void importSlots(int i, Parameter p, java.util.Map<String, float[]> in) {
        float[] mv = slot(in, p, "m");
        float[] vv = slot(in, p, "v");
        float[] st = in.get(p.name() + "#step");
        if (mv == null || vv == null || st == null) {
            return;
        }
        Tensor w = p.value();
        if (m[i] == null) {
            m[i] = Tensor.zeros(w.backend(), w.rows(), w.cols(), false);
            v[i] = Tensor.zeros(w.backend(), w.rows(), w.cols(), false);
        }
        m[i].copyFrom(mv);
        v[i].copyFrom(vv);
        paramSteps[i] = (int) st[0];
    }

    public Tensor firstMoment(int i) {
        return m[i];
    }

    public Tensor secondMoment(int i) {
        return v[i];
    }
}
