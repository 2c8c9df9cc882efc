/* tests/runtime/gpu_test.h: shared by the GPU tests: skip (exit 77) without a device, device
 * buffers from host arrays, and the bf16 comparison with a stated tolerance. */
#ifndef PARSIM_RT_GPU_TEST_H
#define PARSIM_RT_GPU_TEST_H

#include <cuda_runtime_api.h>

#include "numeric.h"
#include "rt_test.h"

static inline void skip_without_gpu(const char *name)
{
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
        fprintf(stderr, "SKIP: %s needs a CUDA device\n", name);
        exit(77);
    }
}

static inline void *to_device(const void *host, size_t bytes)
{
    void *d = NULL;
    if (cudaMalloc(&d, bytes ? bytes : 1) != cudaSuccess) {
        fprintf(stderr, "cudaMalloc %zu failed\n", bytes);
        exit(1);
    }
    if (host)
        cudaMemcpy(d, host, bytes, cudaMemcpyHostToDevice);
    else
        cudaMemset(d, 0, bytes);
    return d;
}

static inline void to_host(void *host, const void *dev, size_t bytes)
{
    cudaDeviceSynchronize();
    if (cudaMemcpy(host, dev, bytes, cudaMemcpyDeviceToHost) != cudaSuccess) {
        fprintf(stderr, "cudaMemcpy back failed: %s\n", cudaGetErrorString(cudaGetLastError()));
        exit(1);
    }
}

/* Largest |a - b| over n bf16 values, in units of max(|b|, floor) x 2^-8 (one bf16 ulp). */
static inline double max_ulps(const uint16_t *a, const uint16_t *b, int64_t n, double floor)
{
    double worst = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = ps_bf16_to_f32(a[i]), y = ps_bf16_to_f32(b[i]);
        double u = fabs(x - y) / (fmax(fabs(y), floor) * 0x1p-8);
        worst = u > worst || isnan(u) ? u : worst;
    }
    return worst;
}

#endif
