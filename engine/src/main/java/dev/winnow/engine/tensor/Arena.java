package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Storage;

import java.util.ArrayList;
import java.util.List;

/**
 * The lifetime of the intermediate tensors of one step. While an arena is open on a thread, every tensor created there
 * (outputs of ops and their gradients) takes its buffer from the arena's pool; closing the arena returns them all.
 * Parameters are created outside any arena and live on. Read what you need (a loss value) before closing.
 */
public final class Arena implements AutoCloseable {
    private static final ThreadLocal<Arena> CURRENT = new ThreadLocal<>();

    private final BufferPool pool;
    private final Arena parent;
    private final List<Storage> owned = new ArrayList<>();
    private boolean closed;

    private Arena(BufferPool pool, Arena parent) {
        this.pool = pool;
        this.parent = parent;
    }

    /** Opens an arena on the current thread; arenas nest. */
    public static Arena open(BufferPool pool) {
        Arena a = new Arena(pool, CURRENT.get());
        CURRENT.set(a);
        return a;
    }

    static Arena current() {
        return CURRENT.get();
    }

    BufferPool pool() {
        return pool;
    }

    Storage acquire(int length) {
        Storage s = pool.acquire(length);
        owned.add(s);
        return s;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (CURRENT.get() != this) {
            throw new IllegalStateException("arenas must be closed in the reverse order of opening");
        }
        for (int i = owned.size() - 1; i >= 0; i--) {
            pool.release(owned.get(i));
        }
        owned.clear();
        CURRENT.set(parent);
    }
}
