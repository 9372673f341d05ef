// Element-wise epilogues on (B, C, inner) tensors, inner = D*H*W.
//
// Kernels:
//   channel_affine_act(in[B,C,inner], scale[C] (nullable), shift[C] (nullable), out, B, C, inner,
//                      act, out_channels, out_offset)
//       out[b, out_offset + c, :] = act(in[b, c, :] * scale[c] + shift[c]) in an output of
//       out_channels channels: inference batch norm + activation, and with null scale/shift a
//       plain activation or a copy into a channel slice (concatenation without a copy).
//       act: 0 none, 1 relu, 2 leaky relu 0.2, 3 sigmoid (Activation's ordinals).
//   add_act(a[n], b[n], out[n], n, act)
//       out = act(a + b): residual connections.
//   channels_last_to_first(in[B,inner,C], out[B,C,inner], B, inner, C)
//   channels_first_to_last(in[B,C,inner], out[B,inner,C], B, inner, C)
//       Layout moves of the deformation: (B, D, h, w, 3) <-> (B, 3, D, h, w), so that it can be
//       resized with the 3 coordinates as channels (the generator's deform_input).
//   All: one thread per value, 1-D grid-stride, block 256.

#include "common.cuh"

extern "C" __global__ void channel_affine_act(const float* __restrict__ in, const float* __restrict__ scale,
                                              const float* __restrict__ shift, float* __restrict__ out, int B, int C,
                                              long long inner, int act, int out_channels, int out_offset) {
    MK_GRID_STRIDE(idx, (long long)B * C * inner) {
        const long long bc = idx / inner, p = idx - bc * inner;
        const int c = (int)(bc % C);
        const long long b = bc / C;
        float v = in[idx];
        if (scale != nullptr) v = v * scale[c];
        if (shift != nullptr) v = v + shift[c];
        out[(b * out_channels + out_offset + c) * inner + p] = mk_activate(v, act);
    }
}

extern "C" __global__ void add_act(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ out,
                                   long long n, int act) {
    MK_GRID_STRIDE(idx, n) { out[idx] = mk_activate(a[idx] + b[idx], act); }
}

extern "C" __global__ void channels_last_to_first(const float* __restrict__ in, float* __restrict__ out, int B,
                                                  long long inner, int C) {
    MK_GRID_STRIDE(idx, (long long)B * C * inner) {  // idx walks the output
        const long long bc = idx / inner, p = idx - bc * inner;
        const int c = (int)(bc % C);
        const long long b = bc / C;
        out[idx] = in[(b * inner + p) * C + c];
    }
}

extern "C" __global__ void channels_first_to_last(const float* __restrict__ in, float* __restrict__ out, int B,
                                                  long long inner, int C) {
    MK_GRID_STRIDE(idx, (long long)B * C * inner) {  // idx walks the output
        const int c = (int)(idx % C);
        const long long bp = idx / C;
        const long long p = bp % inner, b = bp / inner;
        out[idx] = in[(b * C + c) * inner + p];
    }
}
