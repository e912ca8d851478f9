/*
 * Element-wise maps. The op codes are the ordinals of dev.winnow.engine.backend.UnaryOp / BinaryOp / Broadcast;
 * the conformance tests run every code against the CPU reference, so a reordered enum fails there.
 */
#define U_IDENTITY 0
#define U_NEG 1
#define U_RELU 2
#define U_LEAKY_RELU 3
#define U_SIGMOID 4
#define U_TANH 5
#define U_EXP 6
#define U_LOG 7
#define U_SQUARE 8
#define U_SQRT 9
#define U_ABS 10
#define U_SCALE 11
#define U_ADD_SCALAR 12
#define U_CLAMP_MIN 13
#define U_RECIPROCAL 14
#define U_POW 15

#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_MAX 4
#define B_MIN 5

#define BC_FULL 0
#define BC_ROW 1
#define BC_COLUMN 2
#define BC_SCALAR 3

/* x and y may be the same buffer. */
KERNEL void unary_f(int op, float p, GLOBAL const float* x, GLOBAL float* y, int n) {
    int i = GLOBAL_ID(0);
    if (i >= n) {
        return;
    }
    float v = x[i];
    float r;
    switch (op) {
        case U_IDENTITY: r = v; break;
        case U_NEG: r = -v; break;
        case U_RELU: r = v > 0.0f ? v : 0.0f; break;
        case U_LEAKY_RELU: r = v > 0.0f ? v : p * v; break;
        case U_SIGMOID: {
            /* the two branches avoid exp overflow, as the CPU reference does */
            if (v >= 0.0f) {
                r = 1.0f / (1.0f + F_EXP(-v));
            } else {
                float e = F_EXP(v);
                r = e / (1.0f + e);
            }
            break;
        }
        case U_TANH: r = F_TANH(v); break;
        case U_EXP: r = F_EXP(v); break;
        case U_LOG: r = F_LOG(v); break;
        case U_SQUARE: r = v * v; break;
        case U_SQRT: r = F_SQRT(v); break;
        case U_ABS: r = F_ABS(v); break;
        case U_SCALE: r = v * p; break;
        case U_ADD_SCALAR: r = v + p; break;
        case U_CLAMP_MIN: r = v > p ? v : p; break;
        case U_RECIPROCAL: r = 1.0f / v; break;
        case U_POW: r = F_POW(v, p); break;
        default: r = F_NAN; break;
    }
    y[i] = r;
}

/* dx[i] += dy[i] * op'(x[i], y[i]; p). */
KERNEL void unary_backward_f(int op, float p, GLOBAL const float* x, GLOBAL const float* y, GLOBAL const float* dy,
                             GLOBAL float* dx, int n) {
    int i = GLOBAL_ID(0);
    if (i >= n) {
        return;
    }
    float xv = x[i];
    float yv = y[i];
    float d;
    switch (op) {
        case U_IDENTITY: d = 1.0f; break;
        case U_NEG: d = -1.0f; break;
        case U_RELU: d = xv > 0.0f ? 1.0f : 0.0f; break;
        case U_LEAKY_RELU: d = xv > 0.0f ? 1.0f : p; break;
        case U_SIGMOID: d = yv * (1.0f - yv); break;
        case U_TANH: d = 1.0f - yv * yv; break;
        case U_EXP: d = yv; break;
        case U_LOG: d = 1.0f / xv; break;
        case U_SQUARE: d = 2.0f * xv; break;
        case U_SQRT: d = 0.5f / yv; break;
        case U_ABS: d = xv > 0.0f ? 1.0f : (xv < 0.0f ? -1.0f : 0.0f); break;
        case U_SCALE: d = p; break;
        case U_ADD_SCALAR: d = 1.0f; break;
        case U_CLAMP_MIN: d = xv > p ? 1.0f : 0.0f; break;
        case U_RECIPROCAL: d = -yv * yv; break;
        case U_POW: d = p == 0.0f ? 0.0f : p * F_POW(xv, p - 1.0f); break;
        default: d = F_NAN; break;
    }
    if (op == U_RELU) {
        /* the reference skips the update where x <= 0, so a non-finite dy there must not leak in */
        if (xv > 0.0f) {
            dx[i] += dy[i];
        }
    } else {
        dx[i] += dy[i] * d;
    }
}

/* c = a (op) b over rows x cols, b laid out as the broadcast code says. c may alias a. */
KERNEL void binary_f(int op, GLOBAL const float* a, GLOBAL const float* b, int broadcast, int rows, int cols,
                     GLOBAL float* c) {
    int i = GLOBAL_ID(0);
    if (i >= rows * cols) {
        return;
    }
    int bi;
    switch (broadcast) {
        case BC_FULL: bi = i; break;
        case BC_ROW: bi = i % cols; break;
        case BC_COLUMN: bi = i / cols; break;
        default: bi = 0; break;
    }
    float av = a[i];
    float bv = b[bi];
    float r;
    switch (op) {
        case B_ADD: r = av + bv; break;
        case B_SUB: r = av - bv; break;
        case B_MUL: r = av * bv; break;
        case B_DIV: r = av / bv; break;
        case B_MAX: r = (av != av || bv != bv) ? F_NAN : F_MAX(av, bv); break;
        case B_MIN: r = (av != av || bv != bv) ? F_NAN : F_MIN(av, bv); break;
        default: r = F_NAN; break;
    }
    c[i] = r;
}

KERNEL void axpy_f(float alpha, GLOBAL const float* RESTRICT x, GLOBAL float* RESTRICT y, int n) {
    int i = GLOBAL_ID(0);
    if (i < n) {
        y[i] += alpha * x[i];
    }
}
