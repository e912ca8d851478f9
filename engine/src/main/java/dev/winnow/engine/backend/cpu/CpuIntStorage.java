package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.IntStorage;

/** An int buffer on the Java heap. */
final class CpuIntStorage implements IntStorage {
    final int[] data;

    public CpuIntStorage(int[] data) {
        this.data = data;
    }

    public int[] array() {
        return data;
    }

    @Override
    public int length() {
        return data.length;
    }
}
