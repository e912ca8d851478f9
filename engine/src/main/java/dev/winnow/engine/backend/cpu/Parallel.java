package dev.winnow.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a loop over [0, n) on a fixed number of threads with a fixed, contiguous partition. Kernels only ever split
 * independent outputs across parts, so results do not depend on the thread count or on scheduling.
 *
 * <p>Hand-off: each worker has one slot. The caller fills the slots, runs part 0 itself, then waits for the others.
 * Both sides spin briefly ({@link #SPIN_NANOS}) before parking, because a training step makes dozens of calls of
 * tens of microseconds each, and waking a parked thread on this VM costs ~30 µs per call (an executor's queue and
 * futures measured 31 µs per empty two-part call, which made two threads slower than one for the NCF student). A
 * parked side is woken with {@link LockSupport#unpark}; every flag is volatile, so a wake-up cannot be lost (each
 * side writes its flag before it reads the other's).
 *
 * <p>A posted part goes to whoever claims it first: its worker, or the caller once part 0 is done. So a worker that
 * is parked, or whose core the hypervisor has taken away (this VM showed 6-20% steal time with both vCPUs busy),
 * costs at most the one-thread time instead of the wait for it. The part numbers, ranges and per-part scratch do
 * not depend on which thread runs a part, so neither do the results.
 */
final class Parallel implements AutoCloseable {

    /** The body of a partitioned loop: handle indices [from, to); {@code part} identifies per-thread scratch. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int part, int from, int to);
    }

    /** The most threads a pool takes. */
    public static final int MAX_THREADS = 256;

    /** How long either side spins before it parks: a few kernel calls' worth, so a busy step never parks. */
    static final long SPIN_NANOS = 50_000;

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private final int threads;
    private final Worker[] workers;
    /** The thread inside a multi-part {@link #forRange}, or null. */
    private volatile Thread caller;
    private volatile boolean callerParked;
    private volatile boolean closed;
    private final boolean startWorkers;

    /** One worker thread and its slot: the task is published by the volatile write of {@code posted}. */
    private final class Worker implements Runnable {
        final Thread thread;
        RangeBody body;
        int part;
        int from;
        int to;
        Throwable failure;
        /** The caller's count of tasks posted to this slot. */
        long sequence;
        volatile long posted;
        volatile long finished;
        /** The sequence number of the task still unclaimed in this slot, else 0: claimed by a compare-and-set. */
        final AtomicLong ticket = new AtomicLong();
        volatile boolean parked;
        boolean started;

        Worker(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long deadline = System.nanoTime() + SPIN_NANOS;
                while (posted == seen) {
                    if (closed) {
                        return; // only between tasks: a posted task always runs
                    }
                    if (System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (posted == seen && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                seen = posted;
                if (!ticket.compareAndSet(seen, 0)) {
                    continue; // the caller ran it
                }
                try {
                    body.run(part, from, to);
                } catch (Throwable t) {
                    failure = t;
                }
                body = null;
                finished = seen;
                if (callerParked) {
                    Thread c = caller;
                    if (c != null) {
                        LockSupport.unpark(c);
                    }
                }
            }
        }
    }

    public Parallel(int threads) {
        this(threads, true);
    }

    /**
     * With {@code startWorkers} false the worker threads never start, as if their cores never came back: every part
     * is then claimed by the caller (tests of the claim path).
     */
    Parallel(int threads, boolean startWorkers) {
        this.startWorkers = startWorkers;
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        if (threads > MAX_THREADS) {
            // each part may start a thread: a mistyped count must not start a hundred thousand of them
            throw new IllegalArgumentException("thread count " + threads + " is more than " + MAX_THREADS
                    + "; this machine has " + Runtime.getRuntime().availableProcessors() + " cores");
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        if (threads > 1) {
            int id = POOL_IDS.incrementAndGet();
            for (int w = 0; w < workers.length; w++) {
                workers[w] = new Worker("winnow-cpu-" + id + "-" + (w + 1)); // started on first use
            }
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Splits [0, n) into at most {@code threads} contiguous parts of at least {@code minPerPart} indices each (the
     * last part takes the remainder) and runs them, part 0 on the calling thread. A call made from inside a body
     * runs its parts one after another on that thread (same partition, same part numbers).
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
        int chunk = n / parts;
        if (insideALoop()) {
            for (int p = 0; p < parts; p++) {
                body.run(p, p * chunk, p == parts - 1 ? n : (p + 1) * chunk);
            }
            return;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("this thread pool is closed");
            }
            caller = Thread.currentThread();
            try {
                runParts(n, parts, chunk, body);
            } finally {
                caller = null;
            }
        }
    }

    /** Whether the current thread is running a part of this pool's loop (the caller's part 0 or a worker's). */
    private boolean insideALoop() {
        Thread me = Thread.currentThread();
        if (caller == me) {
            return true;
        }
        for (Worker w : workers) {
            if (w.thread == me) {
                return true;
            }
        }
        return false;
    }

    private void runParts(int n, int parts, int chunk, RangeBody body) {
        for (int p = 1; p < parts; p++) {
            Worker w = workers[p - 1];
            if (!w.started && startWorkers) {
                w.thread.start();
                w.started = true;
            }
            w.body = body;
            w.part = p;
            w.from = p * chunk;
            w.to = p == parts - 1 ? n : (p + 1) * chunk;
            w.failure = null;
            long k = ++w.sequence;
            w.ticket.set(k);
            w.posted = k;
            if (w.parked) {
                LockSupport.unpark(w.thread);
            }
        }
        Throwable failure = null;
        try {
            body.run(0, 0, chunk);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (int p = 1; p < parts; p++) {
            Worker w = workers[p - 1];
            if (w.ticket.compareAndSet(w.sequence, 0)) {
                // not started yet: run it here rather than wait for the worker to wake
                try {
                    body.run(p, w.from, w.to);
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
                w.body = null;
                continue;
            }
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (w.finished != w.sequence) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    callerParked = true;
                    if (w.finished != w.sequence) {
                        LockSupport.park(this);
                    }
                    callerParked = false;
                }
            }
            if (failure == null && w.failure != null) {
                failure = w.failure;
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new IllegalStateException("parallel loop failed", failure);
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            for (Worker w : workers) {
                if (w.started) {
                    LockSupport.unpark(w.thread);
                }
            }
        }
    }
}
