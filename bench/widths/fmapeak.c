// fp32 FMA peak of one core at 128, 256 and (where the CPU has AVX-512F) 512 bits: 12 independent FMA chains per
// width, as ../shared/anchors/cpu/fmapeak.c measures it, but runnable on an AVX2-only machine (the 512-bit loop is
// compiled for avx512f and only called when the CPU reports it). Clock estimate from a dependent 256-bit FMA chain,
// assuming a 4-cycle FMA latency (Zen 3/4/5).
// Build and run: gcc -O2 -o /tmp/fmapeak bench/widths/fmapeak.c && /tmp/fmapeak
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

#define CHAINS(T, SET, FMA, ADD)                                                                   \
    T a[12]; for (int j = 0; j < 12; j++) a[j] = SET(v0 + j);                                      \
    T m = SET(0.999999f), c = SET(1e-7f);                                                          \
    for (long i = 0; i < iters; i++) {                                                             \
        a[0] = FMA(a[0], m, c); a[1] = FMA(a[1], m, c); a[2] = FMA(a[2], m, c);                    \
        a[3] = FMA(a[3], m, c); a[4] = FMA(a[4], m, c); a[5] = FMA(a[5], m, c);                    \
        a[6] = FMA(a[6], m, c); a[7] = FMA(a[7], m, c); a[8] = FMA(a[8], m, c);                    \
        a[9] = FMA(a[9], m, c); a[10] = FMA(a[10], m, c); a[11] = FMA(a[11], m, c);                \
    }                                                                                              \
    T s = a[0]; for (int j = 1; j < 12; j++) s = ADD(s, a[j]);

__attribute__((noinline, target("fma"))) float fma128(long iters, float v0) {
    CHAINS(__m128, _mm_set1_ps, _mm_fmadd_ps, _mm_add_ps)
    float o[4]; _mm_storeu_ps(o, s); return o[0];
}
__attribute__((noinline, target("avx2,fma"))) float fma256(long iters, float v0) {
    CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps)
    float o[8]; _mm256_storeu_ps(o, s); return o[0];
}
__attribute__((noinline, target("avx512f"))) float fma512(long iters, float v0) {
    CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps)
    float o[16]; _mm512_storeu_ps(o, s); return o[0];
}
__attribute__((noinline, target("avx2,fma"))) float chain(long iters, float v0) {
    __m256 a = _mm256_set1_ps(v0), m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (long i = 0; i < iters; i++) a = _mm256_fmadd_ps(a, m, c);
    float o[8]; _mm256_storeu_ps(o, a); return o[0];
}

int main(void) {
    long n = 100000000;
    volatile float seed = 1.0f, sink;
    int has512 = __builtin_cpu_supports("avx512f");
    for (int rep = 0; rep < 3; rep++) {
        double t = now(); sink = chain(n / 4, seed); double ghz = 4.0 * (n / 4) / (now() - t) / 1e9;
        t = now(); sink = fma128(n / 2, seed); double g128 = 12.0 * 4 * 2 * (n / 2) / (now() - t) / 1e9;
        t = now(); sink = fma256(n / 2, seed); double g256 = 12.0 * 8 * 2 * (n / 2) / (now() - t) / 1e9;
        printf("clock_est_GHz=%.3f fma128_GFLOPs=%.1f (%.1f flop/cyc) fma256_GFLOPs=%.1f (%.1f flop/cyc)",
               ghz, g128, g128 / ghz, g256, g256 / ghz);
        if (has512) {
            t = now(); sink = fma512(n / 2, seed); double g512 = 12.0 * 16 * 2 * (n / 2) / (now() - t) / 1e9;
            printf(" fma512_GFLOPs=%.1f (%.1f flop/cyc)", g512, g512 / ghz);
        } else {
            printf(" fma512=n/a (no avx512f)");
        }
        printf("\n");
    }
    (void) sink;
    return 0;
}
