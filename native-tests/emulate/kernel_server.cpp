// Serves kernel launches for the op harness's emulated device (src/test/java/io/motionkernels/
// engine/EmulatedKernelsDevice.java): kernels/*.cu compiled for the CPU through cuda_shim.h, one
// launch per request on stdin, the buffers written back on stdout. It checks what the kernels
// compute on the harness's cases, not GPU behaviour (see emulate.cpp).
//
// Request (little-endian): int32 symbol length, symbol; int32 grid, int32 block;
// int32 buffers, each int64 floats + the floats; int32 args, each a type byte and its value:
// 'p' int32 buffer (-1: null) + int64 offset in floats, 'i' int32, 'l' int64, 'f' float32.
// Reply: uint8 0 and every buffer's floats, or uint8 1, int32 length and a message.
#include "cuda_shim.h"
#include "../../kernels/motion_kernels.cu"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace {
struct Arg { char type; int32_t i; int64_t l; float f; float* p; };

bool read_all(void* dst, size_t n) { return fread(dst, 1, n, stdin) == n; }
template <class T> T get() { T v; if (!read_all(&v, sizeof v)) throw std::runtime_error("truncated request"); return v; }

struct Call {
    std::vector<Arg> a;
    float* P(size_t k) const { check(k, 'p'); return a[k].p; }
    int I(size_t k) const { check(k, 'i'); return a[k].i; }
    long long L(size_t k) const { check(k, 'l'); return a[k].l; }
    float F(size_t k) const { check(k, 'f'); return a[k].f; }
    void check(size_t k, char t) const {
        if (k >= a.size() || a[k].type != t) throw std::runtime_error("argument " + std::to_string(k) + " is not '" + t + "'");
    }
};

void run(const std::string& s, int g, int b, const Call& c) {
    if (s == "interp_nearest" || s == "interp_trilinear") {
        auto k = s == "interp_nearest" ? interp_nearest : interp_trilinear;
        emu::launch(g, b, k, c.P(0), c.P(1), c.I(2), c.I(3), c.I(4), c.I(5), c.I(6), c.I(7), c.I(8), c.F(9), c.F(10), c.F(11));
    } else if (s == "avg_pool2x2") {
        emu::launch(g, b, avg_pool2x2, c.P(0), c.P(1), c.L(2), c.I(3), c.I(4));
    } else if (s == "channel_affine_act") {
        emu::launch(g, b, channel_affine_act, c.P(0), c.P(1), c.P(2), c.P(3), c.I(4), c.I(5), c.L(6), c.I(7), c.I(8), c.I(9));
    } else if (s == "channels_last_to_first" || s == "channels_first_to_last") {
        auto k = s == "channels_last_to_first" ? channels_last_to_first : channels_first_to_last;
        emu::launch(g, b, k, c.P(0), c.P(1), c.I(2), c.L(3), c.I(4));
    } else if (s == "softmax_pixels") {
        emu::launch_cooperative(g, b, softmax_pixels, c.P(0), c.P(1), c.I(2), c.I(3), c.F(4));
    } else if (s == "gaussian2kp") {
        emu::launch_cooperative(g, b, gaussian2kp, c.P(0), c.P(1), c.P(2), c.I(3), c.I(4), c.I(5), c.I(6), c.I(7), c.I(8), c.F(9));
    } else if (s == "kp_heatmap_embed") {
        emu::launch_cooperative(g, b, kp_heatmap_embed, c.P(0), c.P(1), c.P(2), c.P(3), c.P(4), c.I(5), c.I(6), c.I(7), c.I(8),
                                c.I(9), c.I(10), c.F(11), c.F(12), c.I(13), c.I(14), c.I(15), c.I(16));
    } else if (s == "kp_difference_embed") {
        emu::launch(g, b, kp_difference_embed, c.P(0), c.P(1), c.P(2), c.I(3), c.I(4), c.I(5), c.I(6), c.I(7), c.I(8), c.I(9),
                    c.I(10), c.I(11));
    } else if (s == "dense_motion_flow") {
        emu::launch(g, b, dense_motion_flow, c.P(0), c.P(1), c.P(2), c.P(3), c.P(4), c.I(5), c.I(6), c.I(7), c.I(8), c.I(9),
                    c.I(10), c.I(11), c.I(12));
    } else if (s == "grid_sample_depth1") {
        emu::launch(g, b, grid_sample_depth1, c.P(0), c.P(1), c.P(2), c.I(3), c.I(4), c.I(5), c.I(6), c.I(7), c.I(8), c.I(9),
                    c.I(10), c.I(11));
    } else if (s == "softmax_channels") {
        emu::launch(g, b, softmax_channels, c.P(0), c.P(1), c.I(2), c.I(3), c.I(4), c.L(5));
    } else if (s == "antialias") {
        emu::launch(g, b, antialias, c.P(0), c.P(1), c.P(2), c.I(3), c.I(4), c.I(5), c.I(6), c.I(7));
    } else if (s == "heatmap_keypoints") {
        emu::launch_cooperative(g, b, heatmap_keypoints, c.P(0), c.P(1), c.P(2), c.P(3), c.I(4), c.I(5), c.I(6), c.I(7),
                                c.I(8), c.I(9));
    } else if (s == "sparse_motion") {
        emu::launch(g, b, sparse_motion, c.P(0), c.P(1), c.P(2), c.P(3), c.P(4), c.I(5), c.I(6), c.I(7), c.I(8), c.I(9));
    } else if (s == "combine_motion") {
        emu::launch(g, b, combine_motion, c.P(0), c.P(1), c.P(2), c.I(3), c.I(4), c.L(5));
    } else if (s == "scale_pixels") {
        emu::launch(g, b, scale_pixels, c.P(0), c.P(1), c.P(2), c.I(3), c.I(4), c.L(5));
    } else {
        throw std::runtime_error("kernel_server: no kernel '" + s + "'");
    }
}
}  // namespace

int main() {
    for (;;) {
        int32_t n;
        if (!read_all(&n, sizeof n)) return 0;  // the harness closed the pipe
        std::string symbol(n, '\0');
        std::vector<std::vector<float>> bufs;
        std::string error;
        try {
            if (!read_all(&symbol[0], n)) throw std::runtime_error("truncated request");
            int32_t grid = get<int32_t>(), block = get<int32_t>();
            bufs.resize(get<int32_t>());
            for (auto& b : bufs) {
                b.resize(get<int64_t>());
                if (!read_all(b.data(), b.size() * sizeof(float))) throw std::runtime_error("truncated buffer");
            }
            Call c;
            c.a.resize(get<int32_t>());
            for (auto& a : c.a) {
                a.type = (char)get<uint8_t>();
                if (a.type == 'p') {
                    int32_t buf = get<int32_t>();
                    int64_t off = get<int64_t>();
                    a.p = buf < 0 ? nullptr : bufs.at(buf).data() + off;
                } else if (a.type == 'i') a.i = get<int32_t>();
                else if (a.type == 'l') a.l = get<int64_t>();
                else if (a.type == 'f') a.f = get<float>();
                else throw std::runtime_error(std::string("bad argument type ") + a.type);
            }
            if (grid > 0 && block > 0) run(symbol, grid, block, c);
        } catch (const std::exception& e) {
            error = e.what();
        }
        if (!error.empty()) {
            uint8_t st = 1; int32_t len = (int32_t)error.size();
            fwrite(&st, 1, 1, stdout); fwrite(&len, 4, 1, stdout); fwrite(error.data(), 1, error.size(), stdout);
        } else {
            uint8_t st = 0; fwrite(&st, 1, 1, stdout);
            for (auto& b : bufs) fwrite(b.data(), sizeof(float), b.size(), stdout);
        }
        fflush(stdout);
    }
}
