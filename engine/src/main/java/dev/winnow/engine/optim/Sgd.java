package dev.winnow.engine.optim;

import dev.winnow.engine.backend.SgdHyper;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;

import java.util.List;

/** SGD with momentum, dampening, Nesterov and L2 weight decay, in PyTorch's update order. */
public final class Sgd extends Optimizer {
    /** Made once here and passed to every step (a step allocates nothing). */
    private final SgdHyper hyper;
    private final Tensor[] buffers;
    private final boolean[] started;

    public Sgd(List<Parameter> params, float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
        super(params, lr);
        this.hyper = new SgdHyper(momentum, dampening, weightDecay, nesterov);
        this.buffers = new Tensor[this.params.size()];
        this.started = new boolean[this.params.size()];
    }

    public Sgd(List<Parameter> params, float lr, float momentum, float weightDecay) {
        this(params, lr, momentum, 0f, weightDecay, false);
    }

    @Override
    protected void update(int i, Parameter p) {
        Tensor v = p.value();
        if (hyper.momentum() != 0f && buffers[i] == null) {
            buffers[i] = Tensor.zeros(v.backend(), v.rows(), v.cols(), false);
        }
        Tensor buf = buffers[i];
        int stateWrite = writeVersion(buf);
        if (indexedUpdate(i, p, stateWrite)) {
            v.backend().sgdStepIndexed(v.data(), v.grad(), buf == null ? null : buf.data(), p.survivors(),
                    p.aliveCount(), v.size(), lr, !started[i], hyper);
        } else {
            v.backend().sgdStep(v.data(), v.grad(), buf == null ? null : buf.data(),
                    p.mask() == null ? null : p.mask().data(), v.size(), lr, !started[i], hyper);
        }
        updated(i, p, stateWrite);
        started[i] = true;
    }

    @Override
    public void zeroStateWhereMasked() {
        for (int i = 0; i < params.size(); i++) {
            zeroWhereMasked(params.get(i), buffers[i]);
        }
    }

    @Override
    public void resetState() {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                buffers[i].copyFrom(new float[buffers[i].size()]);
            }
            started[i] = false;
        }
        steps = 0;
    }

    @Override
    protected void exportSlots(int i, String name, java.util.Map<String, float[]> out) {
        if (buffers[i] != null && started[i]) {
            out.put(name + "#momentum", buffers[i].toArray());
        }
    }

    @Override
    protected void importSlots(int i, Parameter p, java.util.Map<String, float[]> in) {
        float[] b = slot(in, p, "momentum");
        if (b == null) {
            return;
        }
        Tensor w = p.value();
        if (buffers[i] == null) {
            buffers[i] = Tensor.zeros(w.backend(), w.rows(), w.cols(), false);
        }
        buffers[i].copyFrom(b);
        started[i] = true;
    }

    /** The momentum buffer of parameter i (null before its first step or without momentum). */
    public Tensor momentumBuffer(int i) {
        return buffers[i];
    }
}
