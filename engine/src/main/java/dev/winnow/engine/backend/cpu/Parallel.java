package dev.winnow.engine.backend.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a loop over [0, n) on a fixed number of threads with a fixed, contiguous partition. Kernels only ever split
 * independent outputs across parts, so results do not depend on the thread count or on scheduling.
 */
public final class Parallel implements AutoCloseable {

    /** The body of a partitioned loop: handle indices [from, to); {@code part} identifies per-thread scratch. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int part, int from, int to);
    }

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private final int threads;
    private final ExecutorService pool;
    private final Future<?>[] pending;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pending = new Future<?>[threads];
        if (threads == 1) {
            this.pool = null;
        } else {
            int id = POOL_IDS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "winnow-cpu-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.pool = Executors.newFixedThreadPool(threads - 1, factory);
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Splits [0, n) into at most {@code threads} contiguous parts of at least {@code minPerPart} indices each (the
     * last part takes the remainder) and runs them, part 0 on the calling thread.
     */
    public void forRange(int n, int minPerPart, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int parts = Math.min(threads, Math.max(1, n / Math.max(1, minPerPart)));
        if (parts == 1) {
            body.run(0, 0, n);
            return;
        }
        synchronized (this) {
            int chunk = n / parts;
            for (int p = 1; p < parts; p++) {
                final int part = p;
                final int from = p * chunk;
                final int to = p == parts - 1 ? n : from + chunk;
                pending[p] = pool.submit(() -> body.run(part, from, to));
            }
            Throwable failure = null;
            try {
                body.run(0, 0, chunk);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            for (int p = 1; p < parts; p++) {
                try {
                    pending[p].get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure == null ? e : failure;
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                }
                pending[p] = null;
            }
            if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
            if (failure instanceof Error) {
                throw (Error) failure;
            }
            if (failure != null) {
                throw new IllegalStateException("parallel loop interrupted", failure);
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
