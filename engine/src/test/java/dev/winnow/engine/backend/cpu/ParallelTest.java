package dev.winnow.engine.backend.cpu;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The partitioned loop: every index once, in a fixed contiguous partition, through spinning and parked hand-offs,
 * with failures passed to the caller, nested calls, close, and parts claimed by the caller when their worker sleeps.
 * Runs with more threads than this machine's 2 cores.
 */
class ParallelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Test
    void everyIndexRunsOnceInTheFixedContiguousPartition() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (Parallel par = new Parallel(threads)) {
                for (int n = 1; n <= 40; n++) {
                    for (int min : new int[] {1, 3, 7}) {
                        int[] hits = new int[n];
                        int[] partOf = new int[n];
                        int finalN = n;
                        par.forRange(n, min, (part, from, to) -> {
                            for (int i = from; i < to; i++) {
                                hits[i]++;
                                partOf[i] = part;
                            }
                        });
                        int parts = Math.min(threads, Math.max(1, n / min));
                        int chunk = n / parts;
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits[i], "index " + i + " of " + finalN + ", " + threads + " threads");
                            assertEquals(Math.min(i / chunk, parts - 1), partOf[i],
                                    "part of index " + i + " of " + finalN + ", " + threads + " threads, min " + min);
                        }
                    }
                }
            }
        }
    }

    @Test
    void manyShortCallsLoseNoWork() {
        assertTimeoutPreemptively(LIMIT, () -> {
            for (int threads : new int[] {2, 3}) {
                try (Parallel par = new Parallel(threads)) {
                    AtomicLong sum = new AtomicLong();
                    int calls = 20_000;
                    for (int c = 0; c < calls; c++) {
                        par.forRange(threads, 1, (part, from, to) -> sum.addAndGet(to - from));
                    }
                    assertEquals((long) calls * threads, sum.get(), threads + " threads");
                }
            }
        });
    }

    /** Bodies longer than the spin, and calls spaced wider than it: both sides park and must be woken. */
    @Test
    void parkedWorkersAndAParkedCallerAreWoken() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Parallel par = new Parallel(3)) {
                AtomicInteger done = new AtomicInteger();
                for (int c = 0; c < 200; c++) {
                    par.forRange(3, 1, (part, from, to) -> {
                        if (part != 0) {
                            LockSupport.parkNanos(3 * Parallel.SPIN_NANOS); // the caller outwaits its spin
                        }
                        done.incrementAndGet();
                    });
                    if (c % 10 == 0) {
                        Thread.sleep(2); // the workers outwait theirs
                    }
                }
                assertEquals(600, done.get());
            }
        });
    }

    @Test
    void aFailingPartReachesTheCallerAndThePoolStaysUsable() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Parallel par = new Parallel(3)) {
                for (int failing = 0; failing < 3; failing++) {
                    int f = failing;
                    AtomicInteger ran = new AtomicInteger();
                    IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                            par.forRange(3, 1, (part, from, to) -> {
                                ran.incrementAndGet();
                                if (part == f) {
                                    throw new IllegalStateException("part " + part + " failed");
                                }
                            }));
                    assertEquals("part " + f + " failed", e.getMessage());
                    assertEquals(3, ran.get(), "the other parts still ran (and finished) before the throw");
                }
                AtomicInteger after = new AtomicInteger();
                par.forRange(3, 1, (part, from, to) -> after.incrementAndGet());
                assertEquals(3, after.get());
            }
        });
    }

    @Test
    void aCallFromInsideABodyRunsItsPartsInTurnOnThatThread() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Parallel par = new Parallel(2)) {
                int[][] inner = new int[2][10];
                Thread[][] ranOn = new Thread[2][2];
                Thread[] outer = new Thread[2];
                par.forRange(2, 1, (part, from, to) -> {
                    outer[part] = Thread.currentThread();
                    par.forRange(10, 1, (p, f, t) -> {
                        ranOn[part][p] = Thread.currentThread();
                        for (int i = f; i < t; i++) {
                            inner[part][i] += 1 + p;
                        }
                    });
                });
                for (int part = 0; part < 2; part++) {
                    assertEquals("[1, 1, 1, 1, 1, 2, 2, 2, 2, 2]", java.util.Arrays.toString(inner[part]));
                    assertSame(outer[part], ranOn[part][0], "nested loop of part " + part);
                    assertSame(outer[part], ranOn[part][1], "nested loop of part " + part);
                }
            }
        });
    }

    @Test
    void closeStopsTheWorkersAndRefusesNewLoops() throws InterruptedException {
        Parallel par = new Parallel(2);
        Thread[] worker = new Thread[1];
        CountDownLatch partOneStarted = new CountDownLatch(1);
        par.forRange(2, 1, (part, from, to) -> {
            if (part == 1) {
                worker[0] = Thread.currentThread();
                partOneStarted.countDown();
            } else {
                awaitQuietly(partOneStarted); // so that the worker, not the caller, runs part 1
            }
        });
        assertNotSame(Thread.currentThread(), worker[0]);
        par.close();
        worker[0].join(5_000);
        assertFalse(worker[0].isAlive(), "worker still running after close");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> par.forRange(2, 1, (part, from, to) -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        par.forRange(1, 1, (part, from, to) -> { }); // a one-part loop needs no worker
    }

    @Test
    void aThreadCountBeyondTheLimitIsRefusedBeforeAnyThreadExists() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Parallel(100_000));
        assertTrue(e.getMessage().startsWith("thread count 100000 is more than " + Parallel.MAX_THREADS),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
        new Parallel(Parallel.MAX_THREADS).close();
    }

    @Test
    void partsWhoseWorkersNeverRunAreRunByTheCaller() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Parallel par = new Parallel(3, false)) {
                Thread me = Thread.currentThread();
                for (int n = 3; n <= 30; n++) {
                    int[] hits = new int[n];
                    Thread[] ranBy = new Thread[3];
                    par.forRange(n, 1, (part, from, to) -> {
                        for (int i = from; i < to; i++) {
                            hits[i]++;
                        }
                        ranBy[part] = Thread.currentThread();
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits[i], "index " + i + " of " + n);
                    }
                    for (Thread t : ranBy) {
                        assertSame(me, t, "every part on the caller: no worker ever started");
                    }
                }
                RuntimeException boom = new RuntimeException("part 2 failed");
                assertSame(boom, assertThrows(RuntimeException.class, () -> par.forRange(3, 1, (part, from, to) -> {
                    if (part == 2) {
                        throw boom;
                    }
                })));
            }
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS), "part 1 never started");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
