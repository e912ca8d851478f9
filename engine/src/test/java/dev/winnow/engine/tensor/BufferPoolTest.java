package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BufferPoolTest {

    /** A step's lengths: many multiples of a batch size (equal low bits), odd lengths, and 0. */
    private static int[] lengths() {
        List<Integer> l = new ArrayList<>();
        for (int k = 0; k <= 150; k++) {
            l.add(256 * k);
        }
        for (int k = 1; k < 40; k++) {
            l.add(65536 * k);
            l.add(7 * k + 1);
        }
        return l.stream().distinct().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void reusesReleasedBuffersOfTheSameLengthAcrossTableGrowth() {
        try (CpuBackend backend = new CpuBackend(1); BufferPool pool = new BufferPool(backend)) {
            int[] lengths = lengths();
            Map<Storage, Integer> first = new IdentityHashMap<>();
            List<Storage> held = new ArrayList<>();
            for (int len : lengths) {
                for (int i = 0; i < 3; i++) {
                    Storage s = pool.acquire(len);
                    assertEquals(len, s.length());
                    first.put(s, len);
                    held.add(s);
                }
            }
            long allocated = pool.allocations();
            assertEquals(3L * lengths.length, allocated);
            for (Storage s : held) {
                pool.release(s);
            }
            // a second step takes every buffer back from the pool: no new allocation, each of its own length
            for (int round = 0; round < 3; round++) {
                List<Storage> again = new ArrayList<>();
                for (int j = lengths.length - 1; j >= 0; j--) {
                    for (int i = 0; i < 3; i++) {
                        Storage s = pool.acquire(lengths[j]);
                        assertEquals(Integer.valueOf(lengths[j]), first.get(s), "a buffer of another length or a new one");
                        again.add(s);
                    }
                }
                assertEquals(allocated, pool.allocations());
                Set<Storage> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
                distinct.addAll(again);
                assertEquals(held.size(), distinct.size(), "one buffer handed out twice");
                again.forEach(pool::release);
            }
            // a fourth buffer of a length is new
            Storage extra = pool.acquire(lengths[5]);
            Storage extra2 = pool.acquire(lengths[5]);
            Storage extra3 = pool.acquire(lengths[5]);
            Storage fourth = pool.acquire(lengths[5]);
            assertTrue(first.containsKey(extra) && first.containsKey(extra2) && first.containsKey(extra3));
            assertTrue(!first.containsKey(fourth));
            assertEquals(allocated + 1, pool.allocations());
        }
    }

    @Test
    void lastReleasedIsFirstReusedAndCloseEmptiesThePool() {
        try (CpuBackend backend = new CpuBackend(1); BufferPool pool = new BufferPool(backend)) {
            Storage a = pool.acquire(512);
            Storage b = pool.acquire(512);
            pool.release(a);
            pool.release(b);
            assertSame(b, pool.acquire(512));
            assertSame(a, pool.acquire(512));
            pool.release(a);
            pool.close();
            Storage c = pool.acquire(512);
            assertNotSame(a, c);
            assertEquals(3, pool.allocations());
        }
    }
}
