// Keypoint kernels: Monkey-Net's kp2gaussian and gaussian2kp, and the heatmap and difference
// channels of the movement embedding written straight into their channel slice.
//
// Kernels (all float32 in and out):
//   kp2gaussian_matrix(mean[M,2], var[M,2,2], out[M,h,w], M, h, w)
//   kp2gaussian_single(mean[M,2], var[M], out[M,h,w], M, h, w)
//   kp2gaussian_constant(mean[M,2], variance, out[M,h,w], M, h, w)
//       M = B*D*K maps. One thread per output value, 1-D grid-stride:
//       block 256, grid ceil(M*h*w / 256) capped (any cap is correct).
//   kp_heatmap_embed(drv_mean, drv_var, src_mean, src_var, out, B, D, K, h, w, var_kind,
//                    var_const, norm_const, difference, bg, out_channels, slot_features)
//       The movement embedding's heatmap channel for every slot: the driving gaussian
//       normalised by its pixel sum (norm_const <= 0) or by norm_const, minus the same of the
//       source keypoints when `difference`; slot 0 is zero when `bg`. Writes channel
//       slot*slot_features of out (B, out_channels, D, h, w).
//       One block per (b, d, slot): grid B*D*(K+bg), block 32..256 (multiple of 32).
//   kp_difference_embed(drv_mean, src_mean, out, B, D, K, h, w, bg, out_channels,
//                       slot_features, channel)
//       The embedding's two difference channels (src_mean - drv_mean, constant over the pixels,
//       zero for the background slot) at channels slot*slot_features + channel + {0, 1}.
//       One thread per output value, 1-D grid-stride, block 256.
//   gaussian2kp(heat[B,K,D,h,w], mean[B,D,K,2], var, B, K, D, h, w, var_kind, clip_variance)
//       Moments of each heatmap (+1e-7) computed and accumulated in double, two passes (mean, then centred
//       second moments) like the reference. var is [B,D,K,2,2] (matrix), [B,D,K] (single) or
//       unused (constant). clip_variance <= 0 means none.
//       One block per (b, k, d) map: grid B*K*D, block 32..256 (multiple of 32).
//
// Variance kinds (var_kind): 0 matrix, 1 single, 2 constant.

#include "common.cuh"

enum MkVarKind { MK_VAR_MATRIX = 0, MK_VAR_SINGLE = 1, MK_VAR_CONSTANT = 2 };

// exp(-0.5 * d^T var^-1 d) with the reference's exact 2x2 inverse (adjugate / det) and its
// matmul order: (d^T inv) d.
static __device__ __forceinline__ float mk_gauss_matrix(float dx, float dy, const float* v) {
    float a = v[0], b = v[1], c = v[2], d = v[3];
    float det = a * d - b * c;
    float i00 = d / det, i01 = -b / det, i10 = -c / det, i11 = a / det;
    float r0 = dx * i00 + dy * i10;
    float r1 = dx * i01 + dy * i11;
    float under = r0 * dx + r1 * dy;
    return expf(-0.5f * under);
}

static __device__ __forceinline__ float mk_gauss_scalar(float dx, float dy, float variance) {
    return expf(-0.5f * (dx * dx + dy * dy) / variance);
}

// Gaussian of keypoint (mean m[0..1], variance as var_kind) at pixel (i, j) of an h x w grid.
static __device__ __forceinline__ float mk_gauss_at(const float* m, const float* var, int var_kind,
                                                    float var_const, int i, int j, int h, int w) {
    float dx = mk_grid_coord(j, w) - m[0];
    float dy = mk_grid_coord(i, h) - m[1];
    if (var_kind == MK_VAR_MATRIX) return mk_gauss_matrix(dx, dy, var);
    return mk_gauss_scalar(dx, dy, var_kind == MK_VAR_SINGLE ? var[0] : var_const);
}

extern "C" __global__ void kp2gaussian_matrix(const float* __restrict__ mean, const float* __restrict__ var,
                                              float* __restrict__ out, int maps, int h, int w) {
    const long long hw = (long long)h * w;
    MK_GRID_STRIDE(idx, (long long)maps * hw) {
        long long m = idx / hw;
        int p = (int)(idx - m * hw);
        out[idx] = mk_gauss_at(mean + 2 * m, var + 4 * m, MK_VAR_MATRIX, 0.f, p / w, p % w, h, w);
    }
}

extern "C" __global__ void kp2gaussian_single(const float* __restrict__ mean, const float* __restrict__ var,
                                              float* __restrict__ out, int maps, int h, int w) {
    const long long hw = (long long)h * w;
    MK_GRID_STRIDE(idx, (long long)maps * hw) {
        long long m = idx / hw;
        int p = (int)(idx - m * hw);
        out[idx] = mk_gauss_at(mean + 2 * m, var + m, MK_VAR_SINGLE, 0.f, p / w, p % w, h, w);
    }
}

extern "C" __global__ void kp2gaussian_constant(const float* __restrict__ mean, float variance,
                                                float* __restrict__ out, int maps, int h, int w) {
    const long long hw = (long long)h * w;
    MK_GRID_STRIDE(idx, (long long)maps * hw) {
        long long m = idx / hw;
        int p = (int)(idx - m * hw);
        out[idx] = mk_gauss_at(mean + 2 * m, nullptr, MK_VAR_CONSTANT, variance, p / w, p % w, h, w);
    }
}

extern "C" __global__ void kp_heatmap_embed(const float* __restrict__ drv_mean, const float* __restrict__ drv_var,
                                            const float* __restrict__ src_mean, const float* __restrict__ src_var,
                                            float* __restrict__ out, int B, int D, int K, int h, int w,
                                            int var_kind, float var_const, float norm_const, int difference,
                                            int bg, int out_channels, int slot_features) {
    __shared__ float scratch[32];
    const int slots = K + bg;
    const int slot = blockIdx.x % slots;
    const int d = (blockIdx.x / slots) % D;
    const int b = blockIdx.x / (slots * D);
    const int hw = h * w;
    float* dst = out + (((long long)b * out_channels + (long long)slot * slot_features) * D + d) * hw;
    if (slot < bg) {
        for (int p = threadIdx.x; p < hw; p += blockDim.x) dst[p] = 0.f;
        return;
    }
    const int k = slot - bg;
    const int var_size = var_kind == MK_VAR_MATRIX ? 4 : 1;
    const long long drv = ((long long)b * D + d) * K + k;  // (B, D, K) index
    const long long src = (long long)b * K + k;            // (B, 1, K) index
    const float* dm = drv_mean + 2 * drv;
    const float* dv = var_kind == MK_VAR_CONSTANT ? nullptr : drv_var + var_size * drv;
    const float* sm = src_mean + 2 * src;
    const float* sv = var_kind == MK_VAR_CONSTANT ? nullptr : src_var + var_size * src;

    // The normalisers: the pixel sums (reference: heatmap / heatmap.sum over pixels) or the constant.
    float drv_norm = norm_const, src_norm = norm_const;
    if (norm_const <= 0.f) {
        float sd = 0.f, ss = 0.f;
        for (int p = threadIdx.x; p < hw; p += blockDim.x) {
            sd += mk_gauss_at(dm, dv, var_kind, var_const, p / w, p % w, h, w);
            if (difference) ss += mk_gauss_at(sm, sv, var_kind, var_const, p / w, p % w, h, w);
        }
        drv_norm = mk_block_sum(sd, scratch);
        if (difference) src_norm = mk_block_sum(ss, scratch);
    }
    for (int p = threadIdx.x; p < hw; p += blockDim.x) {
        float v = mk_gauss_at(dm, dv, var_kind, var_const, p / w, p % w, h, w) / drv_norm;
        if (difference) v = v - mk_gauss_at(sm, sv, var_kind, var_const, p / w, p % w, h, w) / src_norm;
        dst[p] = v;
    }
}

extern "C" __global__ void kp_difference_embed(const float* __restrict__ drv_mean, const float* __restrict__ src_mean,
                                               float* __restrict__ out, int B, int D, int K, int h, int w, int bg,
                                               int out_channels, int slot_features, int channel) {
    const int slots = K + bg;
    const long long hw = (long long)h * w;
    // One value per (b, slot, xy, d, pixel), in the output's own order.
    MK_GRID_STRIDE(idx, (long long)B * slots * 2 * D * hw) {
        long long r = idx / hw;
        long long p = idx - r * hw;
        const int d = (int)(r % D); r /= D;
        const int xy = (int)(r % 2); r /= 2;
        const int slot = (int)(r % slots);
        const int b = (int)(r / slots);
        float v = 0.f;
        if (slot >= bg) {
            const int k = slot - bg;
            v = src_mean[((long long)b * K + k) * 2 + xy] - drv_mean[(((long long)b * D + d) * K + k) * 2 + xy];
        }
        long long c = (long long)slot * slot_features + channel + xy;
        out[(((long long)b * out_channels + c) * D + d) * hw + p] = v;
    }
}

extern "C" __global__ void gaussian2kp(const float* __restrict__ heat, float* __restrict__ mean,
                                       float* __restrict__ var, int B, int K, int D, int h, int w,
                                       int var_kind, float clip_variance) {
    __shared__ double scratch[32];
    const int map = blockIdx.x;  // (b, k, d) in heat's order
    const int d = map % D;
    const int k = (map / D) % K;
    const int b = map / (D * K);
    const int hw = h * w;
    const float* src = heat + (long long)map * hw;

    double sx = 0.0, sy = 0.0;
    for (int p = threadIdx.x; p < hw; p += blockDim.x) {
        double q = (double)src[p] + 1e-7;
        sx += q * mk_grid_coord_d(p % w, w);
        sy += q * mk_grid_coord_d(p / w, h);
    }
    const double mx = mk_block_sum(sx, scratch);
    const double my = mk_block_sum(sy, scratch);
    const long long o = ((long long)b * D + d) * K + k;  // (B, D, K) index
    if (threadIdx.x == 0) {
        mean[2 * o] = (float)mx;
        mean[2 * o + 1] = (float)my;
    }
    if (var_kind == MK_VAR_CONSTANT) return;

    double vxx = 0.0, vxy = 0.0, vyy = 0.0;
    for (int p = threadIdx.x; p < hw; p += blockDim.x) {
        double q = (double)src[p] + 1e-7;
        double dx = mk_grid_coord_d(p % w, w) - mx;
        double dy = mk_grid_coord_d(p / w, h) - my;
        vxx += q * dx * dx;
        vxy += q * dx * dy;
        vyy += q * dy * dy;
    }
    vxx = mk_block_sum(vxx, scratch);
    vxy = mk_block_sum(vxy, scratch);
    vyy = mk_block_sum(vyy, scratch);
    if (threadIdx.x != 0) return;
    if (var_kind == MK_VAR_SINGLE) {
        var[o] = (float)((vxx + vyy) / 2.0);
        return;
    }
    double a = vxx, bb = vxy, c = vxy, dd = vyy;
    if (clip_variance > 0.f) {
        // Smallest singular value of [[a, b], [c, d]] in the reference's closed form.
        double s1 = a * a + bb * bb + c * c + dd * dd;
        double t = a * a + bb * bb - c * c - dd * dd;
        double u = a * c + bb * dd;
        double s2 = sqrt(t * t + 4.0 * u * u);
        double sg = sqrt((s1 - s2) / 2.0);
        double f = fmax((double)clip_variance, sg) / sg;
        a *= f; bb *= f; c *= f; dd *= f;
    }
    var[4 * o] = (float)a;
    var[4 * o + 1] = (float)bb;
    var[4 * o + 2] = (float)c;
    var[4 * o + 3] = (float)dd;
}
