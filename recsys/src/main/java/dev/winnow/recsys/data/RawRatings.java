package dev.winnow.recsys.data;

import java.util.Arrays;

/** Ratings as read from a file, before ids are made dense: growable columns of raw ids, ratings, times and lines. */
final class RawRatings {
    private int[] user = new int[1024];
    private int[] item = new int[1024];
    private float[] rating = new float[1024];
    private long[] time = new long[1024];
    private int[] line = new int[1024];
    private int size;

    void add(int rawUser, int rawItem, float r, long t, long sourceLine) {
        if (size == user.length) {
            int cap = size * 2;
            user = Arrays.copyOf(user, cap);
            item = Arrays.copyOf(item, cap);
            rating = Arrays.copyOf(rating, cap);
            time = Arrays.copyOf(time, cap);
            line = Arrays.copyOf(line, cap);
        }
        user[size] = rawUser;
        item[size] = rawItem;
        rating[size] = r;
        time[size] = t;
        line[size] = (int) Math.min(Integer.MAX_VALUE, sourceLine);
        size++;
    }

    int size() {
        return size;
    }

    int[] users() {
        return Arrays.copyOf(user, size);
    }

    int[] items() {
        return Arrays.copyOf(item, size);
    }

    float[] ratings() {
        return Arrays.copyOf(rating, size);
    }

    long[] times() {
        return Arrays.copyOf(time, size);
    }

    int[] lines() {
        return Arrays.copyOf(line, size);
    }
}
