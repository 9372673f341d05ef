// Softmax kernels: over the pixels of each map (keypoint detector, with temperature) and over
// channels (dense-motion mask), the latter fused with the mask-weighted flow sum.
//
// Kernels:
//   softmax_pixels(x[rows,n], out[rows,n], rows, n, temperature)
//       softmax(x / temperature) over each row of n = h*w pixels; rows = B*C*D.
//       One block per row: grid rows, block 32..1024 (multiple of 32; host picks
//       min(256, n rounded up to 32)). Float accumulation like PyTorch.
//   softmax_channels(x[B,Cin,inner], out[B,channels,inner], B, Cin, channels, inner)
//       softmax over channels [0, channels) at every (b, position); inner = D*h*w.
//       One thread per (b, position): 1-D grid-stride, block 256.
//   dense_motion_flow(pred[B,Cp,D,h,w], drv_mean[B,D,K,2], src_mean[B,1,K,2],
//                     mask (nullable) [B,K+1,D,h,w], deformation[B,D,h,w,3],
//                     B, Cp, K, D, h, w, use_mask, use_correction)
//       Dense-motion tail: mask = softmax over pred channels [0, K+1); flow = sum over slots of
//       mask * (src_mean - drv_mean) (slot 0, the background, has difference 0); flow +=
//       pred[:, Cp-2:] when use_correction; deformation = (flow + grid, 0).
//       One thread per (b, d, pixel): 1-D grid-stride, block 256.

#include "common.cuh"

extern "C" __global__ void softmax_pixels(const float* __restrict__ x, float* __restrict__ out, int rows, int n,
                                          float temperature) {
    __shared__ float scratch[32];
    const float* src = x + (long long)blockIdx.x * n;
    float* dst = out + (long long)blockIdx.x * n;
    float m = -INFINITY;
    for (int p = threadIdx.x; p < n; p += blockDim.x) m = fmaxf(m, src[p] / temperature);
    m = mk_block_max(m, scratch);
    float s = 0.f;
    for (int p = threadIdx.x; p < n; p += blockDim.x) s += expf(src[p] / temperature - m);
    s = mk_block_sum(s, scratch);
    for (int p = threadIdx.x; p < n; p += blockDim.x) dst[p] = expf(src[p] / temperature - m) / s;
}

extern "C" __global__ void softmax_channels(const float* __restrict__ x, float* __restrict__ out, int B, int Cin,
                                            int channels, long long inner) {
    MK_GRID_STRIDE(idx, (long long)B * inner) {
        const long long b = idx / inner, p = idx - b * inner;
        const float* src = x + b * Cin * inner + p;
        float* dst = out + b * channels * inner + p;
        float m = -INFINITY;
        for (int c = 0; c < channels; c++) m = fmaxf(m, src[c * inner]);
        float s = 0.f;
        for (int c = 0; c < channels; c++) s += expf(src[c * inner] - m);
        for (int c = 0; c < channels; c++) dst[c * inner] = expf(src[c * inner] - m) / s;
    }
}

extern "C" __global__ void dense_motion_flow(const float* __restrict__ pred, const float* __restrict__ drv_mean,
                                             const float* __restrict__ src_mean, float* __restrict__ mask,
                                             float* __restrict__ deformation, int B, int Cp, int K, int D, int h,
                                             int w, int use_mask, int use_correction) {
    const long long hw = (long long)h * w;
    const long long inner = (long long)D * hw;
    const int slots = K + 1;
    MK_GRID_STRIDE(idx, (long long)B * inner) {
        const long long b = idx / inner, q = idx - b * inner;  // q = d*hw + pixel
        const int d = (int)(q / hw);
        const int p = (int)(q - (long long)d * hw);
        const float* logits = pred + b * Cp * inner + q;
        float fx = 0.f, fy = 0.f;
        if (use_mask) {
            float m = -INFINITY;
            for (int c = 0; c < slots; c++) m = fmaxf(m, logits[c * inner]);
            float s = 0.f;
            for (int c = 0; c < slots; c++) s += expf(logits[c * inner] - m);
            for (int c = 0; c < slots; c++) {
                const float mk = expf(logits[c * inner] - m) / s;
                if (mask != nullptr) mask[(b * slots + c) * inner + q] = mk;
                float dx = 0.f, dy = 0.f;
                if (c > 0) {
                    const long long kd = ((b * D + d) * K + (c - 1)) * 2;
                    const long long ks = (b * K + (c - 1)) * 2;
                    dx = src_mean[ks] - drv_mean[kd];
                    dy = src_mean[ks + 1] - drv_mean[kd + 1];
                }
                fx += dx * mk;
                fy += dy * mk;
            }
        }
        if (use_correction) {
            fx += logits[(long long)(Cp - 2) * inner];
            fy += logits[(long long)(Cp - 1) * inner];
        }
        float* o = deformation + (b * inner + q) * 3;
        o[0] = fx + mk_grid_coord(p % w, w);
        o[1] = fy + mk_grid_coord(p / w, h);
        o[2] = 0.f;
    }
}
