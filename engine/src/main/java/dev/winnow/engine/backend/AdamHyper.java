package dev.winnow.engine.backend;

/**
 * The constant hyperparameters of an Adam step ({@link Backend#adamStep}): made once per optimiser, passed to every
 * step. The learning rate and the 1-based step number change between steps and are passed with each call instead.
 *
 * @param beta1       decay of the first moment, in [0, 1)
 * @param beta2       decay of the second moment, in [0, 1)
 * @param eps         added to the corrected second moment's square root, finite and >= 0
 * @param weightDecay weight decay, finite and >= 0
 * @param decoupled   true: AdamW (w -= lr*wd*w before the update); false: L2 added to the gradient
 */
public record AdamHyper(float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
    /** PyTorch's defaults: betas 0.9 and 0.999, eps 1e-8, no weight decay. */
    public static final AdamHyper DEFAULTS = new AdamHyper(0.9f, 0.999f, 1e-8f, 0f, false);

    public AdamHyper {
        if (!(beta1 >= 0f && beta1 < 1f)) {
            throw new IllegalArgumentException("Adam beta1 " + beta1 + " must be in [0, 1)");
        }
        if (!(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException("Adam beta2 " + beta2 + " must be in [0, 1)");
        }
        if (!(eps >= 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("Adam eps " + eps + " must be finite and >= 0");
        }
        if (!(weightDecay >= 0f) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("Adam weight decay " + weightDecay + " must be finite and >= 0");
        }
    }
}
