// First Order Motion Model's own kernels (FOMM.md); semantics of io.motionkernels.cpu.FommKernels.
//
// Kernels (float32 in and out):
//   antialias(in[P,H,W], kernel[k,k], out[P,Ho,Wo], P, H, W, k, stride)
//       Ho = ceil(H/stride), Wo = ceil(W/stride): the depthwise k x k convolution with zero
//       padding (k-1)/2, evaluated at rows and columns 0, stride, 2 stride, ...
//       One thread per output value, 1-D grid-stride, block 256.
//   heatmap_keypoints(heat[B,K,h,w], maps (nullable) [B,4J,h,w], value[B,K,2], jacobian[B,K,4],
//                     B, K, J, h, w, has_maps)
//       value = heat-weighted mean of the (h, w) coordinate grid; jacobian entry e = heat-weighted
//       sum of map channel 4m+e, m = k (J = K) or 0 (J = 1). Sums in double.
//       One block per (b, k) map: grid B*K, block 32..256 (multiple of 32).
//   sparse_motion(src_value[N,K,2], src_jac[N,K,4], drv_value[N,K,2], drv_jac[N,K,4],
//                 out[N,K+1,h,w,3], N, K, h, w, has_jacobian)
//       Slot 0: the identity grid; slot 1+i: A_i (z - drv_i) + src_i with A_i = J_src,i J_drv,i^-1
//       (closed-form inverse, in double; the identity without jacobians). z-component 0.
//       One thread per (n, slot, pixel): 1-D grid-stride, block 256.
//   combine_motion(mask[N,S,P], motion[N,S,P,3], out[N,P,3], N, S, P)
//       out = sum over slots of mask * motion (x, y), z = 0. One thread per (n, pixel).
//   scale_pixels(in[N,C,P], weight[N,P], out[N,C,P], N, C, P)
//       out = in * weight, broadcast over channels. One thread per output value.

#include "common.cuh"

extern "C" __global__ void antialias(const float* __restrict__ in, const float* __restrict__ kernel,
                                     float* __restrict__ out, int P, int H, int W, int k, int stride) {
    const int Ho = (H + stride - 1) / stride, Wo = (W + stride - 1) / stride, r = (k - 1) / 2;
    MK_GRID_STRIDE(idx, (long long)P * Ho * Wo) {
        const long long p = idx / ((long long)Ho * Wo);
        const int rem = (int)(idx - p * Ho * Wo);
        const int y0 = (rem / Wo) * stride - r, x0 = (rem % Wo) * stride - r;
        const float* src = in + p * H * W;
        float s = 0.f;
        for (int a = max(0, -y0); a < k && y0 + a < H; a++) {
            const float* row = src + (long long)(y0 + a) * W;
            const float* kr = kernel + a * k;
            for (int b = max(0, -x0); b < k && x0 + b < W; b++) s += kr[b] * row[x0 + b];
        }
        out[idx] = s;
    }
}

static __device__ __forceinline__ double mk_axis(int i, int n) {
    return n == 1 ? 0.0 : 2.0 * ((double)i / (n - 1)) - 1.0;
}

extern "C" __global__ void heatmap_keypoints(const float* __restrict__ heat, const float* __restrict__ maps,
                                             float* __restrict__ value, float* __restrict__ jacobian, int B, int K,
                                             int J, int h, int w, int has_maps) {
    __shared__ double scratch[32];
    const int map = blockIdx.x;
    const int b = map / K, kk = map % K;
    const int plane = h * w;
    const float* q = heat + (long long)map * plane;
    double sx = 0.0, sy = 0.0;
    for (int p = threadIdx.x; p < plane; p += blockDim.x) {
        const double v = q[p];
        sx += v * mk_axis(p % w, w);
        sy += v * mk_axis(p / w, h);
    }
    sx = mk_block_sum(sx, scratch);
    sy = mk_block_sum(sy, scratch);
    if (threadIdx.x == 0) {
        value[map * 2] = (float)sx;
        value[map * 2 + 1] = (float)sy;
    }
    if (!has_maps) return;
    const int m = J == 1 ? 0 : kk;
    for (int e = 0; e < 4; e++) {
        const float* src = maps + ((long long)b * 4 * J + 4 * m + e) * plane;
        double s = 0.0;
        for (int p = threadIdx.x; p < plane; p += blockDim.x) s += (double)q[p] * src[p];
        s = mk_block_sum(s, scratch);
        if (threadIdx.x == 0) jacobian[map * 4 + e] = (float)s;
    }
}

extern "C" __global__ void sparse_motion(const float* __restrict__ src_value, const float* __restrict__ src_jac,
                                         const float* __restrict__ drv_value, const float* __restrict__ drv_jac,
                                         float* __restrict__ out, int N, int K, int h, int w, int has_jacobian) {
    const long long plane = (long long)h * w;
    MK_GRID_STRIDE(idx, (long long)N * (K + 1) * plane) {
        const long long t = idx / plane;
        const int p = (int)(idx - t * plane);
        const int slot = (int)(t % (K + 1));
        const long long n = t / (K + 1);
        const double x = mk_axis(p % w, w), y = mk_axis(p / w, h);
        float* o = out + idx * 3;
        if (slot == 0) {
            o[0] = (float)x;
            o[1] = (float)y;
            o[2] = 0.f;
            continue;
        }
        const long long kk = n * K + slot - 1;
        double a0 = 1.0, a1 = 0.0, a2 = 0.0, a3 = 1.0;
        if (has_jacobian) {
            const float* jd = drv_jac + kk * 4;
            const float* js = src_jac + kk * 4;
            const double det = (double)jd[0] * jd[3] - (double)jd[1] * jd[2];
            const double i0 = jd[3] / det, i1 = -jd[1] / det, i2 = -jd[2] / det, i3 = jd[0] / det;
            a0 = js[0] * i0 + js[1] * i2;
            a1 = js[0] * i1 + js[1] * i3;
            a2 = js[2] * i0 + js[3] * i2;
            a3 = js[2] * i1 + js[3] * i3;
        }
        const double dx = x - drv_value[kk * 2], dy = y - drv_value[kk * 2 + 1];
        o[0] = (float)(a0 * dx + a1 * dy + src_value[kk * 2]);
        o[1] = (float)(a2 * dx + a3 * dy + src_value[kk * 2 + 1]);
        o[2] = 0.f;
    }
}

extern "C" __global__ void combine_motion(const float* __restrict__ mask, const float* __restrict__ motion,
                                          float* __restrict__ out, int N, int S, long long P) {
    MK_GRID_STRIDE(idx, (long long)N * P) {
        const long long n = idx / P, p = idx - n * P;
        float x = 0.f, y = 0.f;
        for (int s = 0; s < S; s++) {
            const long long q = (n * S + s) * P + p;
            const float m = mask[q];
            x += m * motion[q * 3];
            y += m * motion[q * 3 + 1];
        }
        out[idx * 3] = x;
        out[idx * 3 + 1] = y;
        out[idx * 3 + 2] = 0.f;
    }
}

extern "C" __global__ void scale_pixels(const float* __restrict__ in, const float* __restrict__ weight,
                                        float* __restrict__ out, int N, int C, long long P) {
    MK_GRID_STRIDE(idx, (long long)N * C * P) {
        const long long p = idx % P, n = idx / ((long long)C * P);
        out[idx] = in[idx] * weight[n * P + p];
    }
}
