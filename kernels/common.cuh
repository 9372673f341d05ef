// Device helpers shared by every kernel file of motion-kernels.
//
// The kernels are compiled as one translation unit (motion_kernels.cu includes every .cu file),
// so everything here is `static` or `inline` to keep one definition per fatbin.
// Semantics follow PyTorch (ATen's CUDA kernels) line by line where the result could differ in
// the last bits: the same formulas in the same order, float32 unless said otherwise, and no fast
// math (nvcc is run without -use_fast_math, so expf/floorf are the accurate ones).
#pragma once

#include <math.h>

// Grid-stride loop over [0, n): every elementwise kernel uses it, so any grid size is correct
// and the host may cap the number of blocks.
#define MK_GRID_STRIDE(i, n)                                                                   \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n);   \
         i += (long long)blockDim.x * gridDim.x)

// Activations of the fused epilogues; the numbering is io.motionkernels.cpu.Activation's ordinal.
enum MkActivation { MK_ACT_NONE = 0, MK_ACT_RELU = 1, MK_ACT_LEAKY_0_2 = 2, MK_ACT_SIGMOID = 3 };

static __device__ __forceinline__ float mk_activate(float v, int act) {
    switch (act) {
        case MK_ACT_RELU: return v > 0.f ? v : 0.f;
        case MK_ACT_LEAKY_0_2: return v > 0.f ? v : 0.2f * v;
        case MK_ACT_SIGMOID: return 1.f / (1.f + expf(-v));
        default: return v;
    }
}

// Monkey-Net's make_coordinate_grid: x = 2 * (j / (w - 1)) - 1, in float like the model.
// A size of 1 gives 0/0 = NaN, exactly as the reference does.
static __device__ __forceinline__ float mk_grid_coord(int j, int n) {
    return 2.f * ((float)j / (float)(n - 1)) - 1.f;
}

// The same in double, for the moment sums of gaussian2kp (the reference cases are float64).
static __device__ __forceinline__ double mk_grid_coord_d(int j, int n) {
    return 2.0 * ((double)j / (double)(n - 1)) - 1.0;
}

// ---- block reductions (blockDim.x must be a multiple of 32, at most 1024) ----

template <typename T>
static __device__ __forceinline__ T mk_warp_sum(T v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}

static __device__ __forceinline__ float mk_warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_down_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the block, returned to every thread. `scratch` holds 32 values; the trailing
// barrier makes it safe to call again with the same scratch.
template <typename T>
static __device__ T mk_block_sum(T v, T* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = mk_warp_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        T w = lane < warps ? scratch[lane] : (T)0;
        w = mk_warp_sum(w);
        if (lane == 0) scratch[0] = w;
    }
    __syncthreads();
    T total = scratch[0];
    __syncthreads();
    return total;
}

static __device__ float mk_block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = mk_warp_max(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float w = lane < warps ? scratch[lane] : -INFINITY;
        w = mk_warp_max(w);
        if (lane == 0) scratch[0] = w;
    }
    __syncthreads();
    float total = scratch[0];
    __syncthreads();
    return total;
}

// ---- grid_sample coordinate mapping (ATen GridSampler.cuh) ----

enum MkPadding { MK_PAD_ZEROS = 0, MK_PAD_BORDER = 1, MK_PAD_REFLECTION = 2 };

static __device__ __forceinline__ float mk_unnormalize(float coord, int size, int align_corners) {
    return align_corners ? ((coord + 1.f) / 2.f) * (size - 1) : ((coord + 1.f) * size - 1.f) / 2.f;
}

static __device__ __forceinline__ float mk_clip(float in, int clip_limit) {
    return fminf((float)(clip_limit - 1), fmaxf(in, 0.f));
}

static __device__ __forceinline__ float mk_reflect(float in, int twice_low, int twice_high) {
    if (twice_low == twice_high) return 0.f;
    float min = (float)twice_low / 2.f;
    float span = (float)(twice_high - twice_low) / 2.f;
    in = fabsf(in - min);
    float extra = fmodf(in, span);
    int flips = (int)floorf(in / span);
    return (flips % 2 == 0) ? extra + min : span - extra + min;
}

// Coordinates that are not finite or far outside int range become -100 (out of bounds), as ATen
// does, so that the int conversion below is defined.
static __device__ __forceinline__ float mk_safe_downgrade(float x) {
    if (!isfinite(x) || fabsf(x) > (float)(0x7fffffff - 1)) return -100.f;
    return x;
}

static __device__ __forceinline__ float mk_source_index(float coord, int size, int padding, int align_corners) {
    coord = mk_unnormalize(coord, size, align_corners);
    if (padding == MK_PAD_BORDER) {
        coord = mk_clip(coord, size);
    } else if (padding == MK_PAD_REFLECTION) {
        coord = align_corners ? mk_reflect(coord, 0, 2 * (size - 1)) : mk_reflect(coord, -1, 2 * size - 1);
        coord = mk_clip(coord, size);
    }
    return mk_safe_downgrade(coord);
}

static __device__ __forceinline__ bool mk_in_bounds_2d(int h, int w, int H, int W) {
    return h >= 0 && h < H && w >= 0 && w < W;
}

static __device__ __forceinline__ bool mk_in_bounds_3d(int d, int h, int w, int D, int H, int W) {
    return d >= 0 && d < D && h >= 0 && h < H && w >= 0 && w < W;
}
