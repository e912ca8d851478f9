package dev.winnow.engine.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The hashed token counts of one text field, counted where the training side counts them in a new
 * {@code HashMap<Integer, Integer>} and kept in that map's iteration order: the TF-IDF norm is a sum over the
 * entries, so summing in the same order gives the same bits. One per thread, reused field after field (all zero
 * between fields); it allocates nothing once its bin tables have grown. Where the real map would turn a bin into a
 * tree, whose order this does not model, {@link #count(CharSequence, int)} gives up and the caller counts through a
 * real HashMap ({@link #count(CharSequence, int, Map)}).
 */
final class TokenCounts {
    private static final int FNV_OFFSET = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    /** Occurrences per hash bucket of the text field being read (all zero between fields). */
    final int[] counts;
    /** Distinct buckets in first-occurrence order, then the same in the training side's iteration order. */
    final int[] keys;
    final int[] order;
    /** Entries per bin of the emulated table, and bin starts for the counting sort: grown on demand. */
    int[] occupancy = new int[64];
    int[] binStart = new int[65];
    int capacity;
    int threshold;
    int distinct;

    TokenCounts(int hashDim) {
        counts = new int[hashDim];
        keys = new int[hashDim];
        order = new int[hashDim];
    }

    /** Counts the tokens of {@code text} into this emulated map; false when it gave up (then {@link #resetMap}). */
    boolean count(CharSequence text, int hashDim) {
        return tokens(text, hashDim, this, null);
    }

    /** Counts the tokens of {@code text} into a real map: the training side's own order, and allocation. */
    static void count(CharSequence text, int hashDim, Map<Integer, Integer> map) {
        tokens(text, hashDim, null, map);
    }

    /**
     * Tokens are maximal runs of {@link Character#isLetterOrDigit} chars, lower-cased per char; each is hashed with
     * FNV-1a over its UTF-8 bytes while it is scanned (a letter or digit is never a surrogate, so each char encodes
     * alone) and counted by bucket (the hash mod {@code hashDim}): into the emulated map of {@code s}, or into
     * {@code map}. Returns false when the emulation gave up (see {@link #merge}).
     */
    private static boolean tokens(CharSequence text, int hashDim, TokenCounts s, Map<Integer, Integer> map) {
        int n = text.length();
        int h = FNV_OFFSET;
        boolean inToken = false;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            if (Character.isLetterOrDigit(c)) {
                char l = Character.toLowerCase(c);
                if (l < 0x80) {
                    h = (h ^ l) * FNV_PRIME;
                } else if (l < 0x800) {
                    h = (h ^ (0xC0 | l >>> 6)) * FNV_PRIME;
                    h = (h ^ (0x80 | l & 0x3F)) * FNV_PRIME;
                } else {
                    h = (h ^ (0xE0 | l >>> 12)) * FNV_PRIME;
                    h = (h ^ (0x80 | l >>> 6 & 0x3F)) * FNV_PRIME;
                    h = (h ^ (0x80 | l & 0x3F)) * FNV_PRIME;
                }
                inToken = true;
            } else if (inToken) {
                int key = Integer.remainderUnsigned(h, hashDim);
                if (map != null) {
                    map.merge(key, 1, Integer::sum);
                } else if (!s.merge(key)) {
                    return false;
                }
                h = FNV_OFFSET;
                inToken = false;
            }
        }
        return true;
    }

    /** FNV-1a (32-bit) of the token's UTF-8 bytes, reduced mod {@code dim}. */
    static int bucket(String token, int dim) {
        int h = FNV_OFFSET;
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= FNV_PRIME;
        }
        return Integer.remainderUnsigned(h, dim);
    }

    /**
     * {@code HashMap<Integer,Integer>.merge(key, 1, Integer::sum)} on a new map, as MovieFeatures counts tokens,
     * reduced to what fixes the map's iteration order: its capacity (resized at the start of a merge once the size
     * passed the threshold, and when a bin of a table smaller than 64 reaches 8 entries) and, within a bin, newest
     * key first (merge inserts at the bin's head; resizing keeps relative order). Returns false where the real map
     * would turn a bin into a tree, whose order this does not model.
     */
    boolean merge(int key) {
        if (capacity == 0) {
            resize(16, 12);
        } else if (distinct > threshold) {
            resize(capacity << 1, threshold << 1);
        }
        if (counts[key] > 0) {
            counts[key]++;
            return true;
        }
        int bin = spread(key) & (capacity - 1);
        int before = occupancy[bin]++;
        counts[key] = 1;
        keys[distinct++] = key;
        if (before >= 7) {
            if (capacity >= 64) {
                return false;
            }
            resize(capacity << 1, threshold << 1);
        }
        return true;
    }

    private void resize(int cap, int thr) {
        if (occupancy.length < cap) {
            occupancy = new int[cap];
        }
        java.util.Arrays.fill(occupancy, 0, cap, 0);
        for (int i = 0; i < distinct; i++) {
            occupancy[spread(keys[i]) & (cap - 1)]++;
        }
        capacity = cap;
        threshold = thr;
    }

    /** Fills {@code order[0, distinct)}: ascending bin, newest key first within a bin (a stable counting sort). */
    void iterationOrder() {
        if (binStart.length < capacity + 1) {
            binStart = new int[capacity + 1];
        }
        java.util.Arrays.fill(binStart, 0, capacity + 1, 0);
        int mask = capacity - 1;
        for (int i = 0; i < distinct; i++) {
            binStart[(spread(keys[i]) & mask) + 1]++;
        }
        for (int b = 0; b < capacity; b++) {
            binStart[b + 1] += binStart[b];
        }
        for (int i = distinct - 1; i >= 0; i--) {
            order[binStart[spread(keys[i]) & mask]++] = keys[i];
        }
    }

    /** Zeroes the counts this field touched and forgets the emulated map. */
    void resetMap() {
        for (int i = 0; i < distinct; i++) {
            counts[keys[i]] = 0;
        }
        distinct = 0;
        capacity = 0;
        threshold = 0;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
