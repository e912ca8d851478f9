package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.Storage;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Free lists of backend buffers keyed by length. A training loop owns one pool and opens an {@link Arena} on it per
 * step, so after the first step the intermediate tensors of a step reuse the buffers of the previous one.
 */
public final class BufferPool implements AutoCloseable {
    private final Backend backend;
    private final Map<Integer, ArrayDeque<Storage>> free = new HashMap<>();
    private long allocations;

    public BufferPool(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** A buffer of exactly {@code length} floats with unspecified contents. */
    Storage acquire(int length) {
        ArrayDeque<Storage> q = free.get(length);
        Storage s = q == null ? null : q.pollLast();
        if (s == null) {
            allocations++;
            s = backend.allocate(length);
        }
        return s;
    }

    void release(Storage s) {
        free.computeIfAbsent(s.length(), k -> new ArrayDeque<>()).addLast(s);
    }

    /** How many buffers this pool has asked its backend for: constant once a training loop has warmed up. */
    public long allocations() {
        return allocations;
    }

    @Override
    public void close() {
        for (ArrayDeque<Storage> q : free.values()) {
            for (Storage s : q) {
                backend.free(s);
            }
        }
        free.clear();
    }
}
