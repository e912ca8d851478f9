package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.Storage;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Free lists of backend buffers keyed by length. A training loop owns one pool and opens an {@link Arena} on it per
 * step, so after the first step the intermediate tensors of a step reuse the buffers of the previous one.
 *
 * <p>The lists sit in an open-addressing table keyed by the length itself (no boxed key per lookup). A step's lengths
 * are mostly multiples of its batch size, which a {@code HashMap<Integer, ?>} puts in one bucket (their low bits agree),
 * so every acquire and release walked a tree and boxed its key: 1.5% of a SAD step.
 */
public final class BufferPool implements AutoCloseable {
    private static final int EMPTY = -1;

    private final Backend backend;
    /** Lengths of the table's slots; {@link #EMPTY} where a slot holds no list. */
    private int[] lengths = emptyKeys(16);
    private ArrayDeque<Storage>[] lists = newLists(16);
    private int used;
    private long allocations;

    public BufferPool(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** A buffer of exactly {@code length} floats with unspecified contents. */
    Storage acquire(int length) {
        int slot = find(length);
        Storage s = lengths[slot] == EMPTY ? null : lists[slot].pollLast();
        if (s == null) {
            allocations++;
            s = backend.allocate(length);
        }
        return s;
    }

    void release(Storage s) {
        int length = s.length();
        int slot = find(length);
        if (lengths[slot] == EMPTY) {
            if (2 * (used + 1) > lengths.length) {
                grow();
                slot = find(length);
            }
            lengths[slot] = length;
            lists[slot] = new ArrayDeque<>();
            used++;
        }
        lists[slot].addLast(s);
    }

    /** The slot holding {@code length}'s list, or the empty slot where it would go (the table is at most half full). */
    private int find(int length) {
        int mask = lengths.length - 1;
        int slot = (length * 0x9E3779B9 >>> 16) & mask;
        while (lengths[slot] != EMPTY && lengths[slot] != length) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        int[] oldLengths = lengths;
        ArrayDeque<Storage>[] oldLists = lists;
        lengths = emptyKeys(2 * oldLengths.length);
        lists = newLists(2 * oldLengths.length);
        for (int i = 0; i < oldLengths.length; i++) {
            if (oldLengths[i] != EMPTY) {
                int slot = find(oldLengths[i]);
                lengths[slot] = oldLengths[i];
                lists[slot] = oldLists[i];
            }
        }
    }

    private static int[] emptyKeys(int n) {
        int[] k = new int[n];
        Arrays.fill(k, EMPTY);
        return k;
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<Storage>[] newLists(int n) {
        return (ArrayDeque<Storage>[]) new ArrayDeque<?>[n];
    }

    /** How many buffers this pool has asked its backend for: constant once a training loop has warmed up. */
    public long allocations() {
        return allocations;
    }

    @Override
    public void close() {
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] != EMPTY) {
                for (Storage s : lists[i]) {
                    backend.free(s);
                }
            }
        }
        lengths = emptyKeys(16);
        lists = newLists(16);
        used = 0;
    }
}
