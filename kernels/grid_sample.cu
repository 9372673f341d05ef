// grid_sample as PyTorch's F.grid_sample, mode bilinear (trilinear for 5-D input), padding
// zeros / border / reflection (0 / 1 / 2), align_corners 0 / 1, following ATen's
// GridSampler.cu formulas and accumulation order.
//
// Kernels:
//   grid_sample_2d(in[N,C,H,W], grid[N,Ho,Wo,2], out[N,C,Ho,Wo], N, C, H, W, Ho, Wo, padding, align)
//   grid_sample_3d(in[N,C,D,H,W], grid[N,Do,Ho,Wo,3], out[N,C,Do,Ho,Wo], N, C, D, H, W, Do, Ho, Wo,
//                  padding, align)
//   grid_sample_depth1(in[N,C,1,H,W], grid[N,Do,Ho,Wo,3], out[N,C,Do,Ho,Wo], N, C, H, W, Do, Ho, Wo,
//                      padding, align)
//       The model's case: a one-frame source sampled by a D-frame deformation. Equal to
//       grid_sample_3d with D = 1, reading one plane: the z coordinate only scales the plane's
//       weight (1 for align_corners, border and reflection; z's linear weight for zeros
//       without align_corners).
//   All: one thread per output location (n, [do,] ho, wo) looping over channels, 1-D
//   grid-stride, block 256.

#include "common.cuh"

// Bilinear value of plane `src` (H x W) at (ix, iy), zero outside, ATen's weights and order.
static __device__ __forceinline__ float mk_bilinear(const float* __restrict__ src, int H, int W, float ix, float iy) {
    const int ix_nw = (int)floorf(ix), iy_nw = (int)floorf(iy);
    const int ix_ne = ix_nw + 1, iy_ne = iy_nw;
    const int ix_sw = ix_nw, iy_sw = iy_nw + 1;
    const int ix_se = ix_nw + 1, iy_se = iy_nw + 1;
    const float nw = (ix_se - ix) * (iy_se - iy);
    const float ne = (ix - ix_sw) * (iy_sw - iy);
    const float sw = (ix_ne - ix) * (iy - iy_ne);
    const float se = (ix - ix_nw) * (iy - iy_nw);
    float acc = 0.f;
    if (mk_in_bounds_2d(iy_nw, ix_nw, H, W)) acc += src[(long long)iy_nw * W + ix_nw] * nw;
    if (mk_in_bounds_2d(iy_ne, ix_ne, H, W)) acc += src[(long long)iy_ne * W + ix_ne] * ne;
    if (mk_in_bounds_2d(iy_sw, ix_sw, H, W)) acc += src[(long long)iy_sw * W + ix_sw] * sw;
    if (mk_in_bounds_2d(iy_se, ix_se, H, W)) acc += src[(long long)iy_se * W + ix_se] * se;
    return acc;
}

extern "C" __global__ void grid_sample_2d(const float* __restrict__ in, const float* __restrict__ grid,
                                          float* __restrict__ out, int N, int C, int H, int W, int Ho, int Wo,
                                          int padding, int align) {
    const long long hw_out = (long long)Ho * Wo;
    const long long hw_in = (long long)H * W;
    MK_GRID_STRIDE(idx, (long long)N * hw_out) {
        const long long n = idx / hw_out, p = idx - n * hw_out;
        const float* g = grid + idx * 2;
        const float ix = mk_source_index(g[0], W, padding, align);
        const float iy = mk_source_index(g[1], H, padding, align);
        const float* src = in + n * C * hw_in;
        float* dst = out + n * C * hw_out + p;
        for (int c = 0; c < C; c++) dst[c * hw_out] = mk_bilinear(src + c * hw_in, H, W, ix, iy);
    }
}

extern "C" __global__ void grid_sample_3d(const float* __restrict__ in, const float* __restrict__ grid,
                                          float* __restrict__ out, int N, int C, int D, int H, int W, int Do,
                                          int Ho, int Wo, int padding, int align) {
    const long long vol_out = (long long)Do * Ho * Wo;
    const long long vol_in = (long long)D * H * W;
    MK_GRID_STRIDE(idx, (long long)N * vol_out) {
        const long long n = idx / vol_out, p = idx - n * vol_out;
        const float* g = grid + idx * 3;
        const float ix = mk_source_index(g[0], W, padding, align);
        const float iy = mk_source_index(g[1], H, padding, align);
        const float iz = mk_source_index(g[2], D, padding, align);
        // ATen's naming: t(op)/b(ottom) along z, n/s along y, w/e along x.
        const int ix_tnw = (int)floorf(ix), iy_tnw = (int)floorf(iy), iz_tnw = (int)floorf(iz);
        const int ix_tne = ix_tnw + 1, iy_tne = iy_tnw, iz_tne = iz_tnw;
        const int ix_tsw = ix_tnw, iy_tsw = iy_tnw + 1, iz_tsw = iz_tnw;
        const int ix_tse = ix_tnw + 1, iy_tse = iy_tnw + 1, iz_tse = iz_tnw;
        const int ix_bnw = ix_tnw, iy_bnw = iy_tnw, iz_bnw = iz_tnw + 1;
        const int ix_bne = ix_tnw + 1, iy_bne = iy_tnw, iz_bne = iz_tnw + 1;
        const int ix_bsw = ix_tnw, iy_bsw = iy_tnw + 1, iz_bsw = iz_tnw + 1;
        const int ix_bse = ix_tnw + 1, iy_bse = iy_tnw + 1, iz_bse = iz_tnw + 1;
        const float tnw = (ix_bse - ix) * (iy_bse - iy) * (iz_bse - iz);
        const float tne = (ix - ix_bsw) * (iy_bsw - iy) * (iz_bsw - iz);
        const float tsw = (ix_bne - ix) * (iy - iy_bne) * (iz_bne - iz);
        const float tse = (ix - ix_bnw) * (iy - iy_bnw) * (iz_bnw - iz);
        const float bnw = (ix_tse - ix) * (iy_tse - iy) * (iz - iz_tse);
        const float bne = (ix - ix_tsw) * (iy_tsw - iy) * (iz - iz_tsw);
        const float bsw = (ix_tne - ix) * (iy - iy_tne) * (iz - iz_tne);
        const float bse = (ix - ix_tnw) * (iy - iy_tnw) * (iz - iz_tnw);
        const float* src = in + n * C * vol_in;
        float* dst = out + n * C * vol_out + p;
#define MK_TAP(z, y, x, wt)                                                            \
    if (mk_in_bounds_3d(z, y, x, D, H, W)) acc += s[((long long)(z) * H + (y)) * W + (x)] * (wt);
        for (int c = 0; c < C; c++) {
            const float* s = src + c * vol_in;
            float acc = 0.f;
            MK_TAP(iz_tnw, iy_tnw, ix_tnw, tnw)
            MK_TAP(iz_tne, iy_tne, ix_tne, tne)
            MK_TAP(iz_tsw, iy_tsw, ix_tsw, tsw)
            MK_TAP(iz_tse, iy_tse, ix_tse, tse)
            MK_TAP(iz_bnw, iy_bnw, ix_bnw, bnw)
            MK_TAP(iz_bne, iy_bne, ix_bne, bne)
            MK_TAP(iz_bsw, iy_bsw, ix_bsw, bsw)
            MK_TAP(iz_bse, iy_bse, ix_bse, bse)
            dst[c * vol_out] = acc;
        }
#undef MK_TAP
    }
}

extern "C" __global__ void grid_sample_depth1(const float* __restrict__ in, const float* __restrict__ grid,
                                              float* __restrict__ out, int N, int C, int H, int W, int Do, int Ho,
                                              int Wo, int padding, int align) {
    const long long vol_out = (long long)Do * Ho * Wo;
    const long long hw_in = (long long)H * W;
    MK_GRID_STRIDE(idx, (long long)N * vol_out) {
        const long long n = idx / vol_out, p = idx - n * vol_out;
        const float* g = grid + idx * 3;
        const float ix = mk_source_index(g[0], W, padding, align);
        const float iy = mk_source_index(g[1], H, padding, align);
        const float iz = mk_source_index(g[2], 1, padding, align);
        // Weight of plane 0 among the two z taps floor(iz) and floor(iz) + 1.
        const int z0 = (int)floorf(iz);
        float wz = 0.f;
        if (z0 == 0) wz = (float)(z0 + 1) - iz;
        else if (z0 == -1) wz = iz - (float)z0;
        const float* src = in + n * C * hw_in;
        float* dst = out + n * C * vol_out + p;
        for (int c = 0; c < C; c++) dst[c * vol_out] = wz == 0.f ? 0.f : mk_bilinear(src + c * hw_in, H, W, ix, iy) * wz;
    }
}
