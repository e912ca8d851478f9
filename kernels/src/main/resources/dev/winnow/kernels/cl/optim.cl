/* Optimiser updates; a position whose mask is 0 gets weight 0 and optimiser state 0. */

KERNEL void sgd_step(GLOBAL float* RESTRICT w, GLOBAL const float* RESTRICT g, GLOBAL float* RESTRICT buf, int hasBuf,
                     GLOBAL const float* RESTRICT mask, int hasMask, int n, float lr, float momentum, float dampening,
                     float weightDecay, int nesterov, int firstStep) {
    int i = GLOBAL_ID(0);
    if (i >= n) {
        return;
    }
    if (hasMask && mask[i] == 0.0f) {
        w[i] = 0.0f;
        if (hasBuf) {
            buf[i] = 0.0f;
        }
        return;
    }
    float d = g[i];
    if (weightDecay != 0.0f) {
        d += weightDecay * w[i];
    }
    if (momentum != 0.0f) {
        float bv = firstStep ? d : momentum * buf[i] + (1.0f - dampening) * d;
        buf[i] = bv;
        d = nesterov ? d + momentum * bv : bv;
    }
    w[i] -= lr * d;
}

/* stepSize = lr / (1 - beta1^t) and bc2Sqrt = sqrt(1 - beta2^t) come from the host, as in the CPU reference. */
KERNEL void adam_step(GLOBAL float* RESTRICT w, GLOBAL const float* RESTRICT g, GLOBAL float* RESTRICT m,
                      GLOBAL float* RESTRICT v, GLOBAL const float* RESTRICT mask, int hasMask, int n, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int decoupled, float stepSize,
                      float bc2Sqrt) {
    int i = GLOBAL_ID(0);
    if (i >= n) {
        return;
    }
    if (hasMask && mask[i] == 0.0f) {
        w[i] = 0.0f;
        m[i] = 0.0f;
        v[i] = 0.0f;
        return;
    }
    float d = g[i];
    float wi = w[i];
    if (weightDecay != 0.0f) {
        if (decoupled) {
            wi -= lr * weightDecay * wi;
        } else {
            d += weightDecay * wi;
        }
    }
    float a = beta1 * m[i] + (1.0f - beta1) * d;
    float b = beta2 * v[i] + (1.0f - beta2) * d * d;
    m[i] = a;
    v[i] = b;
    w[i] = wi - stepSize * a / (F_SQRT(b) / bc2Sqrt + eps);
}
