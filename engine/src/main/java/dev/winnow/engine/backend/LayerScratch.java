package dev.winnow.engine.backend;

/**
 * What one sparse layer carries from its forward to its backward on a backend: the CPU keeps the forward's packed
 * input there, so the weight gradient does not pack it again. Made by {@link Backend#newLayerScratch}, owned by the
 * layer (one pattern), closed with it.
 */
public interface LayerScratch extends AutoCloseable {
    /** Carries nothing: for backends whose sparse backward recomputes what it needs. */
    LayerScratch NONE = () -> { };

    @Override
    void close();
}
