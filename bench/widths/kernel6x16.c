// The dense GEMM's 6x16 register tile (6 rows x 2 AVX2 vectors, A broadcast, B panel k-major) in C, panels in L1: what
// the core gives this tile when the compiler emits gcc's 24-instruction loop, to set beside VectorGemm's kernel in the same
// sitting (bench/RESULTS.md, "Dense GEMM against the peak"). Build and run: gcc -O2 -o /tmp/k6x16 bench/widths/kernel6x16.c && /tmp/k6x16
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
__attribute__((noinline,target("avx2,fma"))) void k66(int kc,const float*ap,const float*bp,float*c,int ldc){
  __m256 c00=_mm256_loadu_ps(c),c01=_mm256_loadu_ps(c+8),c10=_mm256_loadu_ps(c+ldc),c11=_mm256_loadu_ps(c+ldc+8),
  c20=_mm256_loadu_ps(c+2*ldc),c21=_mm256_loadu_ps(c+2*ldc+8),c30=_mm256_loadu_ps(c+3*ldc),c31=_mm256_loadu_ps(c+3*ldc+8),
  c40=_mm256_loadu_ps(c+4*ldc),c41=_mm256_loadu_ps(c+4*ldc+8),c50=_mm256_loadu_ps(c+5*ldc),c51=_mm256_loadu_ps(c+5*ldc+8);
  for(int p=0;p<kc;p++){const float*a=ap+p*6;const float*b=bp+p*16;
    __m256 b0=_mm256_loadu_ps(b),b1=_mm256_loadu_ps(b+8),x;
    x=_mm256_broadcast_ss(a);c00=_mm256_fmadd_ps(x,b0,c00);c01=_mm256_fmadd_ps(x,b1,c01);
    x=_mm256_broadcast_ss(a+1);c10=_mm256_fmadd_ps(x,b0,c10);c11=_mm256_fmadd_ps(x,b1,c11);
    x=_mm256_broadcast_ss(a+2);c20=_mm256_fmadd_ps(x,b0,c20);c21=_mm256_fmadd_ps(x,b1,c21);
    x=_mm256_broadcast_ss(a+3);c30=_mm256_fmadd_ps(x,b0,c30);c31=_mm256_fmadd_ps(x,b1,c31);
    x=_mm256_broadcast_ss(a+4);c40=_mm256_fmadd_ps(x,b0,c40);c41=_mm256_fmadd_ps(x,b1,c41);
    x=_mm256_broadcast_ss(a+5);c50=_mm256_fmadd_ps(x,b0,c50);c51=_mm256_fmadd_ps(x,b1,c51);}
  _mm256_storeu_ps(c,c00);_mm256_storeu_ps(c+8,c01);_mm256_storeu_ps(c+ldc,c10);_mm256_storeu_ps(c+ldc+8,c11);
  _mm256_storeu_ps(c+2*ldc,c20);_mm256_storeu_ps(c+2*ldc+8,c21);_mm256_storeu_ps(c+3*ldc,c30);_mm256_storeu_ps(c+3*ldc+8,c31);
  _mm256_storeu_ps(c+4*ldc,c40);_mm256_storeu_ps(c+4*ldc+8,c41);_mm256_storeu_ps(c+5*ldc,c50);_mm256_storeu_ps(c+5*ldc+8,c51);}
int main(){int kc=128,mp=10,ldc=16;float*ap=aligned_alloc(64,4*6*kc*mp),*bp=aligned_alloc(64,4*16*kc),*c=aligned_alloc(64,4*6*mp*ldc);
 for(int i=0;i<6*kc*mp;i++)ap[i]=1e-3f*(i%7);for(int i=0;i<16*kc;i++)bp[i]=1e-3f*(i%5);for(int i=0;i<6*mp*ldc;i++)c[i]=0;
 for(int r=0;r<4;r++){double best=1e9;int reps=2000;for(int s=0;s<20;s++){double t=now();for(int q=0;q<reps;q++)for(int i=0;i<mp;i++)k66(kc,ap+i*6*kc,bp,c+i*6*ldc,ldc);double d=now()-t;if(d<best)best=d;}
 printf("C kernel 6x16 in L1: %.1f GFLOP/s\n",2.0*kc*6*16*mp*reps/best/1e9);}
 return (int)c[3];}
