package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.IntStorage;

/**
 * A vector of int32 indices on a backend (user or item ids of a batch, class labels). It has a fixed capacity and a
 * current length, so a training loop can refill one per batch without allocating.
 */
public final class IndexTensor {
    private final Backend backend;
    private final IntStorage data;
    private final int[] host;
    private int length;

    public IndexTensor(Backend backend, int capacity) {
        this.backend = backend;
        this.data = backend.allocateInts(capacity);
        this.host = new int[capacity];
    }

    public static IndexTensor of(Backend backend, int[] values) {
        IndexTensor t = new IndexTensor(backend, values.length);
        t.set(values, 0, values.length);
        return t;
    }

    /** Replaces the contents with values[from, from + n). */
    public void set(int[] values, int from, int n) {
        if (n > host.length) {
            throw new IllegalArgumentException(n + " indices exceed this tensor's capacity of " + host.length);
        }
        System.arraycopy(values, from, host, 0, n);
        backend.uploadInts(host, 0, data, 0, n);
        length = n;
    }

    /** The most indices {@link #set} accepts. */
    public int capacity() {
        return host.length;
    }

    public int length() {
        return length;
    }

    public int get(int i) {
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException("index " + i + " outside 0.." + (length - 1));
        }
        return host[i];
    }

    public IntStorage data() {
        return data;
    }

    public Backend backend() {
        return backend;
    }
}
