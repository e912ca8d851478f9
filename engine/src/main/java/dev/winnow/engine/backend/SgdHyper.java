package dev.winnow.engine.backend;

/**
 * The constant hyperparameters of an SGD step ({@link Backend#sgdStep}): made once per optimiser, passed to every
 * step. The learning rate and the first-step flag change between steps and are passed with each call instead.
 *
 * @param momentum    momentum factor, 0 for plain SGD
 * @param dampening   dampening of the momentum's gradient term, in [0, 1]
 * @param weightDecay L2 penalty added to the gradient (weightDecay * w)
 * @param nesterov    Nesterov momentum (needs momentum > 0 and zero dampening, as in PyTorch)
 */
public record SgdHyper(float momentum, float dampening, float weightDecay, boolean nesterov) {
    public SgdHyper {
        if (!(momentum >= 0f) || Float.isInfinite(momentum)) {
            throw new IllegalArgumentException("SGD momentum " + momentum + " must be finite and >= 0");
        }
        if (!(dampening >= 0f && dampening <= 1f)) {
            throw new IllegalArgumentException("SGD dampening " + dampening + " must be in [0, 1]");
        }
        if (!(weightDecay >= 0f) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("SGD weight decay " + weightDecay + " must be finite and >= 0");
        }
        if (nesterov && (momentum <= 0f || dampening != 0f)) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and zero dampening (got momentum "
                    + momentum + ", dampening " + dampening + ")");
        }
    }
}
