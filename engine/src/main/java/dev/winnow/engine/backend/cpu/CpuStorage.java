package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.Storage;

/** A float buffer on the Java heap. */
final class CpuStorage implements Storage {
    final float[] data;

    public CpuStorage(float[] data) {
        this.data = data;
    }

    /** The backing array, for kernels and tests on the CPU backend. */
    public float[] array() {
        return data;
    }

    @Override
    public int length() {
        return data.length;
    }
}
