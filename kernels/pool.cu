// Average pooling (1, 2, 2) with stride (1, 2, 2) as AvgPool3d: output floor(H/2) x floor(W/2),
// a trailing odd row/column is dropped; the mean is (sum of the 4 taps, row by row) / 4.
//
// Kernels:
//   avg_pool2x2(in[P,H,W], out[P,H/2,W/2], P, H, W)   P = N*C*D planes
//       One thread per output value, 1-D grid-stride, block 256.

#include "common.cuh"

extern "C" __global__ void avg_pool2x2(const float* __restrict__ in, float* __restrict__ out, long long planes, int H,
                                       int W) {
    const int Ho = H / 2, Wo = W / 2;
    MK_GRID_STRIDE(idx, planes * Ho * Wo) {
        const long long pl = idx / ((long long)Ho * Wo);
        const int r = (int)(idx - pl * Ho * Wo);
        const int i = r / Wo, j = r % Wo;
        const float* s = in + (pl * H + 2 * i) * W + 2 * j;
        out[idx] = (((s[0] + s[1]) + s[W]) + s[W + 1]) / 4.f;
    }
}
