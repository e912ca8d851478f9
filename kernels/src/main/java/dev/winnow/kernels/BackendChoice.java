package dev.winnow.kernels;

import dev.winnow.engine.backend.Backend;

/**
 * What {@link Backends#select} gave: the backend, what was asked for, and why this one, in one line for the console
 * and for results files. {@code honoured} is false when the request fell back to the CPU.
 */
public record BackendChoice(Backend backend, String requested, boolean honoured, String reason) {

    /** e.g. {@code cpu-vector(1 thread) [requested cuda: CUDA unavailable (...) -> CPU fallback]}. */
    public String describe() {
        return backend.name() + " [requested " + requested + ": " + reason + "]";
    }
}
