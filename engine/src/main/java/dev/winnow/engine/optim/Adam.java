package dev.winnow.engine.optim;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;

import java.util.List;

/** Adam with bias correction; {@code decoupled} makes it AdamW (weight decay applied to the weights directly). */
public final class Adam extends Optimizer {
    /** Made once here and passed to every step (a step allocates nothing). */
    private final AdamHyper hyper;
    private final Tensor[] m;
    private final Tensor[] v;
    private final int[] paramSteps;

    public Adam(List<Parameter> params, float lr, float beta1, float beta2, float eps, float weightDecay,
                boolean decoupled) {
        super(params, lr);
        this.hyper = new AdamHyper(beta1, beta2, eps, weightDecay, decoupled);
        this.m = new Tensor[this.params.size()];
        this.v = new Tensor[this.params.size()];
        this.paramSteps = new int[this.params.size()];
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
        if (indexedUpdate(i, p, stateWrite)) {
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
