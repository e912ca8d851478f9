package dev.winnow.engine.runtime;

import java.util.Arrays;

/**
 * One side (users or items) of a model's id map: the raw id of every index, and the same ids sorted with their
 * indices, so a raw id is found by binary search without allocating. Built once at load from section 4.
 */
final class IdMap {
    private final int[] rawByIndex;
    private final int[] sortedRaw;
    private final int[] indexOfSorted;

    private IdMap(int[] rawByIndex, int[] sortedRaw, int[] indexOfSorted) {
        this.rawByIndex = rawByIndex;
        this.sortedRaw = sortedRaw;
        this.indexOfSorted = indexOfSorted;
    }

    /**
     * Reads {@code u32 count, count x i32} at the reader's position. The count must equal {@code expected} (the model
     * header's users or items) and is checked against the bytes left before anything is allocated; ids must be unique.
     */
    static IdMap read(SectionReader r, String side, int expected) throws ModelFormatException {
        int countAt = r.position();
        int n = r.count(side + " id count", 0, Integer.MAX_VALUE);
        if (n != expected) {
            throw r.failAt(countAt, n + " " + side + " ids but the model header has " + expected + " " + side + "s");
        }
        int at = r.position();
        r.need((long) WnwFormat.ID_BYTES * n, n + " " + side + " ids");
        byte[] buf = r.buffer();
        int[] raw = new int[n];
        // raw id in the high half, index in the low half: sorting the longs sorts by raw id, then by index
        long[] keyed = new long[n];
        for (int k = 0; k < n; k++) {
            raw[k] = (int) SectionReader.readU32(buf, at + WnwFormat.ID_BYTES * k);
            keyed[k] = (long) raw[k] << 32 | k;
        }
        r.skip((long) WnwFormat.ID_BYTES * n, side + " ids");
        Arrays.sort(keyed);
        int[] sorted = new int[n];
        int[] index = new int[n];
        for (int k = 0; k < n; k++) {
            sorted[k] = (int) (keyed[k] >> 32);
            index[k] = (int) keyed[k];
            if (k > 0 && sorted[k] == sorted[k - 1]) {
                // equal raw ids sort by index: index[k - 1] is the first occurrence, index[k] the repeat
                throw r.failAt(at + (long) WnwFormat.ID_BYTES * index[k], side + " id " + sorted[k]
                        + " appears twice (indices " + index[k - 1] + " and " + index[k] + "): raw ids must be unique");
            }
        }
        return new IdMap(raw, sorted, index);
    }

    /** The index of {@code rawId}, or -1 when the map does not hold it. */
    int indexOf(int rawId) {
        int k = Arrays.binarySearch(sortedRaw, rawId);
        return k < 0 ? -1 : indexOfSorted[k];
    }

    int rawId(int index) {
        return rawByIndex[index];
    }

    int min() {
        return sortedRaw[0];
    }

    int max() {
        return sortedRaw[sortedRaw.length - 1];
    }

    long heapBytes() {
        return 12L * rawByIndex.length;
    }
}
