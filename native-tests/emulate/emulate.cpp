// Runs kernels/*.cu on the CPU through cuda_shim.h and checks them
//  1. against the golden op cases (golden/ops/*.safetensors, PyTorch in float64), bound 1e-4;
//  2. against plain C++ loops written from SPEC.md for the kernels that have no golden case.
// It checks formulas and indexing, not GPU behaviour. Build and run: native-tests/emulate/run.sh.
#include "cuda_shim.h"
#include "../../kernels/motion_kernels.cu"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

static int g_pass = 0, g_fail = 0;

// ---- a minimal safetensors reader (F32 tensors, string metadata) ----
struct Tensor { std::vector<int> shape; std::vector<float> data; };
struct Case { std::map<std::string, Tensor> t; std::map<std::string, std::string> md; };

struct Json {
    const std::string& s; size_t i = 0;
    void ws() { while (i < s.size() && isspace((unsigned char)s[i])) i++; }
    std::string str() { ws(); i++; std::string r; while (s[i] != '"') { if (s[i] == '\\') i++; r += s[i++]; } i++; return r; }
    long long num() { ws(); size_t j = i; while (i < s.size() && (isdigit((unsigned char)s[i]) || s[i] == '-')) i++; return std::stoll(s.substr(j, i - j)); }
    std::vector<long long> arr() { std::vector<long long> r; ws(); i++; ws(); if (s[i] == ']') { i++; return r; }
        for (;;) { r.push_back(num()); ws(); if (s[i++] == ']') return r; } }
    void expect(char c) { ws(); if (s[i++] != c) throw std::runtime_error("bad json"); }
};

static Case read_case(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    uint64_t n; memcpy(&n, all.data(), 8);
    std::string h = all.substr(8, n);
    const char* data = all.data() + 8 + n;
    Case c; Json j{h};
    j.expect('{');
    for (;;) {
        std::string key = j.str(); j.expect(':'); j.expect('{');
        if (key == "__metadata__") {
            j.ws(); if (h[j.i] == '}') { j.i++; } else for (;;) { std::string k = j.str(); j.expect(':'); c.md[k] = j.str(); j.ws(); if (h[j.i++] == '}') break; }
        } else {
            std::string dtype; std::vector<long long> shape, off;
            for (;;) { std::string k = j.str(); j.expect(':');
                if (k == "dtype") dtype = j.str(); else if (k == "shape") shape = j.arr(); else off = j.arr();
                j.ws(); if (h[j.i++] == '}') break; }
            if (dtype != "F32") throw std::runtime_error("dtype " + dtype);
            Tensor t; for (auto d : shape) t.shape.push_back((int)d);
            t.data.resize((off[1] - off[0]) / 4); memcpy(t.data.data(), data + off[0], off[1] - off[0]);
            c.t[key] = t;
        }
        j.ws(); if (h[j.i++] == '}') break;
    }
    return c;
}

static std::vector<double> nums(const std::string& s) {
    std::vector<double> r; std::string t; for (char ch : s) t += (ch == '[' || ch == ']' || ch == ',') ? ' ' : ch;
    std::istringstream in(t); double v; while (in >> v) r.push_back(v); return r;
}

// ---- launch configurations: as LaunchConfig.java, but the element-wise grid is capped at 3
// blocks so that every grid-stride loop goes round more than once ----
static int ew_grid(long long n) { return (int)std::max(1LL, std::min(3LL, (n + 255) / 256)); }
static int map_block(long long size) { return (int)std::min(256LL, (size + 31) / 32 * 32); }

static void verdict(const std::string& name, const std::vector<float>& got, const std::vector<float>& ref, double tol) {
    double num = 0, den = 0; std::string problem;
    if (got.size() != ref.size()) problem = "size " + std::to_string(got.size()) + " vs " + std::to_string(ref.size());
    for (size_t i = 0; problem.empty() && i < ref.size(); i++) {
        if (!std::isfinite(got[i])) { problem = "non-finite at " + std::to_string(i); break; }
        double d = (double)got[i] - ref[i]; num += d * d; den += (double)ref[i] * ref[i];
    }
    double err = den == 0 ? std::sqrt(num) : std::sqrt(num / den);
    if (problem.empty() && !(err <= tol)) problem = "error above tolerance";
    printf("%-58s err %.2e tol %.0e %s %s\n", name.c_str(), err, tol, problem.empty() ? "ok" : "FAIL", problem.c_str());
    (problem.empty() ? g_pass : g_fail)++;
}

static std::vector<float> poisoned(size_t n) { return std::vector<float>(n, NAN); }

static int var_kind(const std::string& v) { return v == "matrix" ? 0 : v == "single" ? 1 : 2; }

void fomm_antialias_golden(const std::string& name, Case& c);  // emulate_fomm.cpp
void fomm_self_checks();

static void golden(const std::string& path) {
    Case c = read_case(path);
    std::string kind = c.md["kind"], name = path.substr(path.find_last_of('/') + 1);
    if (kind == "op:kp2gaussian") {
        auto& mean = c.t["mean"]; auto sz = nums(c.md["spatial_size"]); int h = (int)sz[0], w = (int)sz[1];
        int maps = (int)mean.data.size() / 2; auto out = poisoned((size_t)maps * h * w);
        long long n = (long long)maps * h * w; std::string v = c.md["kp_variance"];
        if (v == "matrix") emu::launch(ew_grid(n), 256, kp2gaussian_matrix, mean.data.data(), (const float*)c.t["var"].data.data(), out.data(), maps, h, w);
        else if (v == "single") emu::launch(ew_grid(n), 256, kp2gaussian_single, mean.data.data(), (const float*)c.t["var"].data.data(), out.data(), maps, h, w);
        else emu::launch(ew_grid(n), 256, kp2gaussian_constant, mean.data.data(), std::stof(v), out.data(), maps, h, w);
        verdict(name, out, c.t["out"].data, 1e-4);
    } else if (kind == "op:gaussian2kp") {
        auto& heat = c.t["heatmap"]; auto& s = heat.shape; int B = s[0], K = s[1], D = s[2], h = s[3], w = s[4];
        int vk = var_kind(c.md["kp_variance"]); std::string clip = c.md["clip_variance"];
        float cl = clip == "none" ? 0.f : std::stof(clip);
        auto mean = poisoned((size_t)B * D * K * 2), var = poisoned((size_t)B * D * K * (vk == 0 ? 4 : 1));
        emu::launch_cooperative(B * K * D, map_block(h * w), gaussian2kp, heat.data.data(), mean.data(), var.data(), B, K, D, h, w, vk, cl);
        verdict(name + " mean", mean, c.t["mean"].data, 1e-4);
        verdict(name + " var", var, c.t["var"].data, 1e-4);
    } else if (kind == "op:grid_sample") {
        auto& in = c.t["input"]; auto& g = c.t["grid"]; auto& ref = c.t["out"].data;
        std::string pm = c.md["padding_mode"]; int pad = pm == "zeros" ? 0 : pm == "border" ? 1 : 2;
        int ac = c.md["align_corners"] == "true";
        auto out = poisoned(ref.size());
        if (in.shape.size() == 4) {
            int N = in.shape[0], C = in.shape[1], H = in.shape[2], W = in.shape[3], Ho = g.shape[1], Wo = g.shape[2];
            emu::launch(ew_grid((long long)N * Ho * Wo), 256, grid_sample_2d, in.data.data(), g.data.data(), out.data(), N, C, H, W, Ho, Wo, pad, ac);
            verdict(name, out, ref, 1e-4);
        } else {
            int N = in.shape[0], C = in.shape[1], D = in.shape[2], H = in.shape[3], W = in.shape[4];
            int Do = g.shape[1], Ho = g.shape[2], Wo = g.shape[3];
            long long pts = (long long)N * Do * Ho * Wo;
            emu::launch(ew_grid(pts), 256, grid_sample_3d, in.data.data(), g.data.data(), out.data(), N, C, D, H, W, Do, Ho, Wo, pad, ac);
            verdict(name, out, ref, 1e-4);
            if (D == 1) {
                auto o1 = poisoned(ref.size());
                emu::launch(ew_grid(pts), 256, grid_sample_depth1, in.data.data(), g.data.data(), o1.data(), N, C, H, W, Do, Ho, Wo, pad, ac);
                verdict(name + " (depth1 kernel)", o1, ref, 1e-4);
            }
        }
    } else if (kind == "op:interpolate") {
        auto& in = c.t["input"]; auto& ref = c.t["out"]; auto& s = in.shape; auto& o = ref.shape;
        int NC = s[0] * s[1]; long long n = (long long)NC * o[2] * o[3] * o[4];
        auto out = poisoned(ref.data.size());
        float sc[3];
        bool byFactor = c.md.count("scale_factor") > 0;
        auto f = byFactor ? nums(c.md["scale_factor"]) : std::vector<double>();
        for (int a = 0; a < 3; a++) {
            int i = s[2 + a], oo = o[2 + a];
            if (c.md["mode"] == "trilinear") sc[a] = byFactor ? (float)(1.0 / f[a]) : (float)i / oo;
            else sc[a] = oo == i ? 1.f : oo == 2 * i ? 0.5f : byFactor ? (float)(1.0 / f[a]) : (float)i / oo;  // Scales.nearest
        }
        if (c.md["mode"] == "trilinear")
            emu::launch(ew_grid(n), 256, interp_trilinear, in.data.data(), out.data(), NC, s[2], s[3], s[4], o[2], o[3], o[4], sc[0], sc[1], sc[2]);
        else
            emu::launch(ew_grid(n), 256, interp_nearest, in.data.data(), out.data(), NC, s[2], s[3], s[4], o[2], o[3], o[4], sc[0], sc[1], sc[2]);
        verdict(name, out, ref.data, 1e-4);
    } else if (kind == "op:antialias_interpolation") {
        fomm_antialias_golden(name, c);
    } else {
        printf("%-58s SKIP (kind %s)\n", name.c_str(), kind.c_str());
    }
}

void self_checks();  // emulate_selfcheck.cpp

int main(int argc, char** argv) {
    for (int i = 1; i < argc; i++) golden(argv[i]);
    self_checks();
    fomm_self_checks();
    printf("\nemulated kernels: %d passed, %d failed\n", g_pass, g_fail);
    return g_fail == 0 ? 0 : 1;
}

#include "emulate_selfcheck.cpp"
#include "emulate_fomm.cpp"
