/*
 * Macro prelude that lets one kernel source build as CUDA (nvcc -x cu -include compat.h) and as OpenCL C 1.2
 * (this text prepended to the sources). Rules that keep both dialects happy: local/shared arrays at kernel scope,
 * 32-bit int ids, no templates or C++ in kernel bodies, the CUDA grid x block equal to the OpenCL global size.
 */
#ifndef WINNOW_COMPAT_H
#define WINNOW_COMPAT_H

#if defined(__CUDACC__)

#define KERNEL extern "C" __global__
#define GLOBAL
#define LOCAL_MEM __shared__
#define RESTRICT __restrict__
#define BARRIER() __syncthreads()
typedef unsigned char uchar;

__device__ __forceinline__ int w_local_id(int d) { return d == 0 ? (int) threadIdx.x : d == 1 ? (int) threadIdx.y : (int) threadIdx.z; }
__device__ __forceinline__ int w_group_id(int d) { return d == 0 ? (int) blockIdx.x : d == 1 ? (int) blockIdx.y : (int) blockIdx.z; }
__device__ __forceinline__ int w_local_size(int d) { return d == 0 ? (int) blockDim.x : d == 1 ? (int) blockDim.y : (int) blockDim.z; }
__device__ __forceinline__ int w_num_groups(int d) { return d == 0 ? (int) gridDim.x : d == 1 ? (int) gridDim.y : (int) gridDim.z; }
#define LOCAL_ID(d) w_local_id(d)
#define GROUP_ID(d) w_group_id(d)
#define LOCAL_SIZE(d) w_local_size(d)
#define NUM_GROUPS(d) w_num_groups(d)
#define GLOBAL_ID(d) (w_group_id(d) * w_local_size(d) + w_local_id(d))

#define F_EXP(x) expf(x)
#define F_LOG(x) logf(x)
#define F_TANH(x) tanhf(x)
#define F_SQRT(x) sqrtf(x)
#define F_POW(x, y) powf(x, y)
#define F_ABS(x) fabsf(x)
#define F_MAX(x, y) fmaxf(x, y)
#define F_MIN(x, y) fminf(x, y)
#define F_NEG_INF (-__int_as_float(0x7f800000))
#define F_NAN __int_as_float(0x7fc00000)

#else /* OpenCL C */

#define KERNEL __kernel
#define GLOBAL __global
#define LOCAL_MEM __local
#define RESTRICT restrict
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define LOCAL_ID(d) ((int) get_local_id(d))
#define GROUP_ID(d) ((int) get_group_id(d))
#define LOCAL_SIZE(d) ((int) get_local_size(d))
#define NUM_GROUPS(d) ((int) get_num_groups(d))
#define GLOBAL_ID(d) ((int) get_global_id(d))

#define F_EXP(x) exp(x)
#define F_LOG(x) log(x)
#define F_TANH(x) tanh(x)
#define F_SQRT(x) sqrt(x)
#define F_POW(x, y) pow(x, y)
#define F_ABS(x) fabs(x)
#define F_MAX(x, y) fmax(x, y)
#define F_MIN(x, y) fmin(x, y)
#define F_NEG_INF (-INFINITY)
#define F_NAN NAN

#endif

/* Work-group shapes the host launches with; the Java side mirrors them in Kernel.java. */
#define TILE_2D 16
#define GEMM_BM 64
#define GEMM_BN 64
#define GEMM_BK 16
#define GEMM_T 16
#define REDUCE_WG 128

#endif
