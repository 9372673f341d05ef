// F.interpolate on 5-D (N, C, D, H, W) tensors, as ATen's CUDA upsampling kernels.
//
// Kernels:
//   interp_nearest(in[NC,Di,Hi,Wi], out[NC,Do,Ho,Wo], NC, Di, Hi, Wi, Do, Ho, Wo, sd, sh, sw)
//       src = min(floor(dst * s), in - 1) per axis. The host passes PyTorch's float scales:
//       in/out for a target size, (float)(1/s) for a scale factor s (1 when out == in and 0.5
//       when out == 2*in, ATen's CPU shortcuts, which the reference cases were made with).
//   interp_trilinear(in, out, NC, Di, Hi, Wi, Do, Ho, Wo, rd, rh, rw)
//       align_corners = false: src = max(r * (dst + 0.5) - 0.5, 0), the upper tap clamped to
//       the last index; r as above (in/out, or 1/s).
//   Both: one thread per output value, 1-D grid-stride, block 256.

#include "common.cuh"

static __device__ __forceinline__ int mk_nearest(int dst, float scale, int in_size) {
    return min((int)floorf((float)dst * scale), in_size - 1);
}

extern "C" __global__ void interp_nearest(const float* __restrict__ in, float* __restrict__ out, int NC, int Di,
                                          int Hi, int Wi, int Do, int Ho, int Wo, float sd, float sh, float sw) {
    MK_GRID_STRIDE(idx, (long long)NC * Do * Ho * Wo) {
        long long r = idx;
        const int wo = (int)(r % Wo); r /= Wo;
        const int ho = (int)(r % Ho); r /= Ho;
        const int d = (int)(r % Do);
        const long long nc = r / Do;
        const int di = mk_nearest(d, sd, Di), hi = mk_nearest(ho, sh, Hi), wi = mk_nearest(wo, sw, Wi);
        out[idx] = in[((nc * Di + di) * Hi + hi) * Wi + wi];
    }
}

static __device__ __forceinline__ void mk_linear_src(int dst, float r, int in_size, int& i0, int& step, float& l1) {
    float src = r * ((float)dst + 0.5f) - 0.5f;
    src = src < 0.f ? 0.f : src;
    i0 = (int)src;
    step = i0 < in_size - 1 ? 1 : 0;
    l1 = src - (float)i0;
}

extern "C" __global__ void interp_trilinear(const float* __restrict__ in, float* __restrict__ out, int NC, int Di,
                                            int Hi, int Wi, int Do, int Ho, int Wo, float rd, float rh, float rw) {
    MK_GRID_STRIDE(idx, (long long)NC * Do * Ho * Wo) {
        long long r = idx;
        const int wo = (int)(r % Wo); r /= Wo;
        const int ho = (int)(r % Ho); r /= Ho;
        const int d = (int)(r % Do);
        const long long nc = r / Do;
        int t1, t1p, h1, h1p, w1, w1p;
        float t1l, h1l, w1l;
        mk_linear_src(d, rd, Di, t1, t1p, t1l);
        mk_linear_src(ho, rh, Hi, h1, h1p, h1l);
        mk_linear_src(wo, rw, Wi, w1, w1p, w1l);
        const float t0l = 1.f - t1l, h0l = 1.f - h1l, w0l = 1.f - w1l;
        const long long hw = (long long)Hi * Wi;
        const float* s = in + nc * Di * hw + (long long)t1 * hw + (long long)h1 * Wi + w1;
        const long long th = t1p * hw, hh = (long long)h1p * Wi;
        out[idx] = t0l * (h0l * (w0l * s[0] + w1l * s[w1p]) + h1l * (w0l * s[hh] + w1l * s[hh + w1p])) +
                   t1l * (h0l * (w0l * s[th] + w1l * s[th + w1p]) + h1l * (w0l * s[th + hh] + w1l * s[th + hh + w1p]));
    }
}
