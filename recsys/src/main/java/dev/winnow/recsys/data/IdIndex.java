package dev.winnow.recsys.data;

import java.util.Arrays;

/**
 * A map from raw ids (as written in a file) to dense 0-based indices, ordered by raw id so the same file always gives
 * the same indices.
 */
public final class IdIndex {
    private final int[] raw;

    private IdIndex(int[] sortedDistinct) {
        this.raw = sortedDistinct;
    }

    /** The distinct values of {@code ids}, sorted. */
    public static IdIndex of(int[] ids) {
        return new IdIndex(Arrays.stream(ids).sorted().distinct().toArray());
    }

    /** A catalogue given in a side file (u.item, u.user): exactly these ids. */
    public static IdIndex ofCatalogue(int[] ids) {
        return of(ids);
    }

    /** The dense index of {@code rawId}, or -1 when it is not in the map. */
    public int indexOf(int rawId) {
        int k = Arrays.binarySearch(raw, rawId);
        return k < 0 ? -1 : k;
    }

    public int rawId(int index) {
        return raw[index];
    }

    public int size() {
        return raw.length;
    }
}
