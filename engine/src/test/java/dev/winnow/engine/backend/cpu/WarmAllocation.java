package dev.winnow.engine.backend.cpu;

/** How many bytes a warm call allocates on the calling thread, for the tests that hold a path allocation-free. */
final class WarmAllocation {
    /** Below this many bytes per call a path counts as allocation-free (room for small loop-body objects only). */
    static final long FREE_BELOW = 1024;

    private WarmAllocation() {
    }

    /**
     * Bytes per call of {@code call}, measured over rounds of {@code reps} calls: at least 30 rounds, and on a loaded
     * machine (the JIT compiles late there) as many as 60 s allow, until a round comes in under {@link #FREE_BELOW}.
     */
    static long bytesPerCall(int reps, Runnable call) {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long perCall = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int round = 0; (round < 30 || System.nanoTime() < deadline) && perCall >= FREE_BELOW; round++) {
            long before = mx.getThreadAllocatedBytes(thread);
            for (int rep = 0; rep < reps; rep++) {
                call.run();
            }
            perCall = (mx.getThreadAllocatedBytes(thread) - before) / reps;
        }
        return perCall;
    }
}
