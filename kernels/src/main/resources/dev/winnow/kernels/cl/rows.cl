/* Rows by index: embedding lookups and their gradient. */

/* out[i, :] = table[index[i], :]; an index outside the table writes NaN, which no correct caller can miss. */
KERNEL void gather_rows(GLOBAL const float* RESTRICT table, int tableRows, int cols, GLOBAL const int* RESTRICT index,
                        int n, GLOBAL float* RESTRICT out) {
    int j = GLOBAL_ID(0);
    int i = GLOBAL_ID(1);
    if (i < n && j < cols) {
        int row = index[i];
        out[i * cols + j] = (row >= 0 && row < tableRows) ? table[row * cols + j] : F_NAN;
    }
}

/*
 * table[index[i], :] += src[i, :] in index order, without atomics: the work-item (i, j) whose i is the first
 * occurrence of its table row adds every later occurrence in order, so the result is the CPU's bit for bit.
 * An index outside the table is skipped rather than written out of bounds (a kernel cannot throw).
 */
KERNEL void scatter_add_rows(GLOBAL const float* RESTRICT src, int cols, GLOBAL const int* RESTRICT index, int n,
                             int tableRows, GLOBAL float* RESTRICT table) {
    int j = GLOBAL_ID(0);
    int i = GLOBAL_ID(1);
    if (i >= n || j >= cols) {
        return;
    }
    int t = index[i];
    if (t < 0 || t >= tableRows) {
        return;
    }
    for (int q = 0; q < i; q++) {
        if (index[q] == t) {
            return;
        }
    }
    float acc = table[t * cols + j];
    for (int q = i; q < n; q++) {
        if (index[q] == t) {
            acc += src[q * cols + j];
        }
    }
    table[t * cols + j] = acc;
}
