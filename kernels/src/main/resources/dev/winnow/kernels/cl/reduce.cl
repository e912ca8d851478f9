/* Row and column reductions and the row softmax; every sum runs in a fixed order, so results are reproducible. */

/* out[c] = alpha * sum_r x[r, c] + beta * out[c]: one work-item per column, rows in order (as the CPU does). */
KERNEL void sum_rows(GLOBAL const float* RESTRICT x, int rows, int cols, float alpha, float beta,
                     GLOBAL float* RESTRICT out) {
    int c = GLOBAL_ID(0);
    if (c >= cols) {
        return;
    }
    float acc = 0.0f;
    for (int r = 0; r < rows; r++) {
        acc += x[r * cols + c];
    }
    out[c] = beta == 0.0f ? alpha * acc : alpha * acc + beta * out[c];
}

/* Tree reduction of part[0..REDUCE_WG) into part[0]; every work-item of the group must call it. */
#define REDUCE_SUM(part, lid) \
    for (int s_ = REDUCE_WG / 2; s_ > 0; s_ >>= 1) { \
        if ((lid) < s_) { (part)[lid] += (part)[(lid) + s_]; } \
        BARRIER(); \
    }

#define REDUCE_MAX(part, lid) \
    for (int s_ = REDUCE_WG / 2; s_ > 0; s_ >>= 1) { \
        if ((lid) < s_) { (part)[lid] = F_MAX((part)[lid], (part)[(lid) + s_]); } \
        BARRIER(); \
    }

/* out[r] = alpha * sum_c x[r, c] + beta * out[r]: one work-group of REDUCE_WG per row. */
KERNEL void sum_cols(GLOBAL const float* RESTRICT x, int rows, int cols, float alpha, float beta,
                     GLOBAL float* RESTRICT out) {
    LOCAL_MEM float part[REDUCE_WG];
    int r = GROUP_ID(0);
    int lid = LOCAL_ID(0);
    float acc = 0.0f;
    for (int j = lid; j < cols; j += REDUCE_WG) {
        acc += x[r * cols + j];
    }
    part[lid] = acc;
    BARRIER();
    REDUCE_SUM(part, lid)
    if (lid == 0) {
        out[r] = beta == 0.0f ? alpha * part[0] : alpha * part[0] + beta * out[r];
    }
}

/* y = softmax (logMode: log-softmax) of each row; one work-group per row; y may alias x. */
KERNEL void row_softmax(GLOBAL const float* x, int rows, int cols, int logMode, GLOBAL float* y) {
    LOCAL_MEM float part[REDUCE_WG];
    int r = GROUP_ID(0);
    int lid = LOCAL_ID(0);
    const GLOBAL float* xr = x + r * cols;
    GLOBAL float* yr = y + r * cols;
    float mx = F_NEG_INF;
    for (int j = lid; j < cols; j += REDUCE_WG) {
        mx = F_MAX(mx, xr[j]);
    }
    part[lid] = mx;
    BARRIER();
    REDUCE_MAX(part, lid)
    mx = part[0];
    BARRIER();
    float sum = 0.0f;
    for (int j = lid; j < cols; j += REDUCE_WG) {
        sum += F_EXP(xr[j] - mx);
    }
    part[lid] = sum;
    BARRIER();
    REDUCE_SUM(part, lid)
    sum = part[0];
    if (logMode) {
        float lse = mx + F_LOG(sum);
        for (int j = lid; j < cols; j += REDUCE_WG) {
            yr[j] = xr[j] - lse;
        }
    } else {
        for (int j = lid; j < cols; j += REDUCE_WG) {
            yr[j] = F_EXP(xr[j] - mx) / sum;
        }
    }
}

/* dx += gradient of the row softmax (or log-softmax) with output y and upstream dy; one work-group per row. */
KERNEL void row_softmax_backward(GLOBAL const float* RESTRICT y, GLOBAL const float* RESTRICT dy, int rows, int cols,
                                 int logMode, GLOBAL float* RESTRICT dx) {
    LOCAL_MEM float part[REDUCE_WG];
    int r = GROUP_ID(0);
    int lid = LOCAL_ID(0);
    int o = r * cols;
    float acc = 0.0f;
    for (int j = lid; j < cols; j += REDUCE_WG) {
        acc += logMode ? dy[o + j] : dy[o + j] * y[o + j];
    }
    part[lid] = acc;
    BARRIER();
    REDUCE_SUM(part, lid)
    float s = part[0];
    for (int j = lid; j < cols; j += REDUCE_WG) {
        if (logMode) {
            dx[o + j] += dy[o + j] - F_EXP(y[o + j]) * s;
        } else {
            dx[o + j] += y[o + j] * (dy[o + j] - s);
        }
    }
}
