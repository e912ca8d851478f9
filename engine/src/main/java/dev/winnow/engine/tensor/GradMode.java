package dev.winnow.engine.tensor;

/** Whether ops record the tape on this thread; off for evaluation and for a frozen teacher's forward pass. */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);
    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = ENABLED.get();
        ENABLED.set(enabled);
    }

    /** {@code try (var g = GradMode.disabled()) { ... }}: no tape, no gradients inside. */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
