// Plain C++ references (double precision, written from SPEC.md / PyTorch's definitions) for the
// kernels without golden cases, on odd sizes. Included by emulate.cpp.

static std::mt19937 rng(7);
static std::vector<float> rnd(size_t n, float lo, float hi) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}
static double gridc(int j, int n) { return 2.0 * ((double)j / (n - 1)) - 1.0; }

static double gauss_ref(const float* m, const float* v, int vk, float vc, int i, int j, int h, int w) {
    double dx = gridc(j, w) - m[0], dy = gridc(i, h) - m[1];
    if (vk == 0) {
        double a = v[0], b = v[1], c = v[2], d = v[3], det = a * d - b * c;
        double i00 = d / det, i01 = -b / det, i10 = -c / det, i11 = a / det;
        return std::exp(-0.5 * ((dx * i00 + dy * i10) * dx + (dx * i01 + dy * i11) * dy));
    }
    return std::exp(-0.5 * (dx * dx + dy * dy) / (vk == 1 ? v[0] : vc));
}

static std::vector<float> spd_vars(int n, int vk) {
    std::vector<float> v;
    for (int i = 0; i < n; i++) {
        auto r = rnd(3, 0, 1);
        float a = 0.005f + 0.05f * r[0], c = 0.005f + 0.05f * r[1], off = (r[2] * 1.6f - 0.8f) * std::sqrt(a * c);
        if (vk == 0) { v.push_back(a); v.push_back(off); v.push_back(off); v.push_back(c); }
        else v.push_back(a);
    }
    return v;
}

static void check_heatmap_embed() {
    const int B = 2, D = 3, K = 5, h = 17, w = 23, hw = h * w;
    for (int vk = 0; vk < 3; vk++)
        for (int norm = 0; norm < 2; norm++)
            for (int diff = 0; diff < 2; diff++)
                for (int bg = 0; bg < 2; bg++) {
                    auto dm = rnd(B * D * K * 2, -0.9f, 0.9f), sm = rnd(B * K * 2, -0.9f, 0.9f);
                    auto dv = spd_vars(B * D * K, vk), sv = spd_vars(B * K, vk);
                    int S = K + bg, F = 3, C = S * F + 1;  // 3 features per slot, 1 extra channel, like a real embedding
                    float nc = norm ? 100.f : 0.f, vc = 0.01f;
                    std::vector<float> out(B * C * D * hw, -7.f), ref = out;
                    emu::launch_cooperative(B * D * S, map_block(hw), kp_heatmap_embed, dm.data(), vk == 2 ? nullptr : dv.data(),
                                            sm.data(), vk == 2 ? nullptr : sv.data(), out.data(), B, D, K, h, w, vk, vc, nc, diff, bg, C, F);
                    int vs = vk == 0 ? 4 : 1;
                    for (int b = 0; b < B; b++) for (int d = 0; d < D; d++) for (int s = 0; s < S; s++) {
                        float* r = &ref[(((size_t)b * C + s * F) * D + d) * hw];
                        if (s < bg) { for (int p = 0; p < hw; p++) r[p] = 0; continue; }
                        int k = s - bg; size_t di = ((size_t)b * D + d) * K + k, si = (size_t)b * K + k;
                        double sd = 0, ss = 0;
                        for (int p = 0; p < hw; p++) {
                            sd += gauss_ref(&dm[2 * di], vk == 2 ? nullptr : &dv[vs * di], vk, vc, p / w, p % w, h, w);
                            ss += gauss_ref(&sm[2 * si], vk == 2 ? nullptr : &sv[vs * si], vk, vc, p / w, p % w, h, w);
                        }
                        if (norm) sd = ss = nc;
                        for (int p = 0; p < hw; p++) {
                            double v = gauss_ref(&dm[2 * di], vk == 2 ? nullptr : &dv[vs * di], vk, vc, p / w, p % w, h, w) / sd;
                            if (diff) v -= gauss_ref(&sm[2 * si], vk == 2 ? nullptr : &sv[vs * si], vk, vc, p / w, p % w, h, w) / ss;
                            r[p] = (float)v;
                        }
                    }
                    char nm[128]; snprintf(nm, sizeof nm, "kp_heatmap_embed var %d norm %s%s%s", vk, norm ? "100" : "sum", diff ? " diff" : "", bg ? " bg" : "");
                    verdict(nm, out, ref, 1e-5);
                }
}

static void check_difference_embed() {
    const int B = 2, D = 3, K = 4, h = 5, w = 7, hw = h * w;
    for (int bg = 0; bg < 2; bg++) {
        int S = K + bg, F = 6, ch = 1, C = S * F;
        auto dm = rnd(B * D * K * 2, -1, 1), sm = rnd(B * K * 2, -1, 1);
        std::vector<float> out(B * C * D * hw, -7.f), ref = out;
        long long n = (long long)B * S * 2 * D * hw;
        emu::launch(ew_grid(n), 256, kp_difference_embed, dm.data(), sm.data(), out.data(), B, D, K, h, w, bg, C, F, ch);
        for (int b = 0; b < B; b++) for (int s = 0; s < S; s++) for (int xy = 0; xy < 2; xy++) for (int d = 0; d < D; d++)
            for (int p = 0; p < hw; p++) {
                int k = s - bg;
                float v = s < bg ? 0.f : sm[((size_t)b * K + k) * 2 + xy] - dm[(((size_t)b * D + d) * K + k) * 2 + xy];
                ref[(((size_t)b * C + s * F + ch + xy) * D + d) * hw + p] = v;
            }
        verdict(bg ? "kp_difference_embed bg" : "kp_difference_embed", out, ref, 0);
    }
}

static void check_gaussian2kp_odd() {
    const int B = 1, K = 3, D = 2;
    for (int h : {3, 5}) for (int vk = 0; vk < 3; vk++) {
        int w = 7, hw = h * w;
        auto heat = rnd(B * K * D * hw, 0, 1);
        std::vector<float> mean(B * D * K * 2, NAN), var(B * D * K * 4, NAN), rm = mean, rv = var;
        emu::launch_cooperative(B * K * D, map_block(hw), gaussian2kp, heat.data(), mean.data(), var.data(), B, K, D, h, w, vk, 0.f);
        for (int k = 0; k < K; k++) for (int d = 0; d < D; d++) {
            const float* m = &heat[((size_t)k * D + d) * hw];
            double mx = 0, my = 0, xx = 0, xy = 0, yy = 0;
            for (int p = 0; p < hw; p++) { double q = m[p] + 1e-7; mx += q * gridc(p % w, w); my += q * gridc(p / w, h); }
            for (int p = 0; p < hw; p++) { double q = m[p] + 1e-7, dx = gridc(p % w, w) - mx, dy = gridc(p / w, h) - my;
                xx += q * dx * dx; xy += q * dx * dy; yy += q * dy * dy; }
            size_t o = (size_t)d * K + k;
            rm[2 * o] = (float)mx; rm[2 * o + 1] = (float)my;
            if (vk == 0) { rv[4 * o] = (float)xx; rv[4 * o + 1] = (float)xy; rv[4 * o + 2] = (float)xy; rv[4 * o + 3] = (float)yy; }
            if (vk == 1) rv[o] = (float)((xx + yy) / 2);
        }
        char nm[96]; snprintf(nm, sizeof nm, "gaussian2kp %dx%d var %d (block of %d for %d pixels)", h, w, vk, map_block(hw), hw);
        verdict(std::string(nm) + " mean", mean, rm, 1e-6);
        if (vk == 0) verdict(std::string(nm) + " var", var, rv, 1e-6);
        if (vk == 1) verdict(std::string(nm) + " var", std::vector<float>(var.begin(), var.begin() + B * D * K),
                             std::vector<float>(rv.begin(), rv.begin() + B * D * K), 1e-6);
    }
}

static void check_softmax() {
    for (auto s : std::vector<std::array<int, 2>>{{6, 33 * 47}, {4, 1}, {3, 300}, {2, 4096}}) {
        int rows = s[0], n = s[1];
        for (float T : {0.1f, 1.f}) {
            auto x = rnd((size_t)rows * n, -4, 4);
            std::vector<float> out((size_t)rows * n, NAN), ref = out;
            emu::launch_cooperative(rows, map_block(n), softmax_pixels, x.data(), out.data(), rows, n, T);
            for (int r = 0; r < rows; r++) {
                double m = -INFINITY, sum = 0;
                for (int p = 0; p < n; p++) m = std::max(m, (double)x[(size_t)r * n + p] / T);
                for (int p = 0; p < n; p++) sum += std::exp(x[(size_t)r * n + p] / (double)T - m);
                for (int p = 0; p < n; p++) ref[(size_t)r * n + p] = (float)(std::exp(x[(size_t)r * n + p] / (double)T - m) / sum);
            }
            verdict("softmax_pixels " + std::to_string(rows) + "x" + std::to_string(n) + " T " + std::to_string(T), out, ref, 1e-5);
        }
    }
    const int B = 2, Cin = 13, ch = 11; const long long inner = 3 * 7 * 9;
    auto x = rnd(B * Cin * inner, -5, 5);
    std::vector<float> out(B * ch * inner, NAN), ref = out;
    emu::launch(ew_grid(B * inner), 256, softmax_channels, x.data(), out.data(), B, Cin, ch, inner);
    for (int b = 0; b < B; b++) for (long long p = 0; p < inner; p++) {
        double m = -INFINITY, s = 0;
        for (int c = 0; c < ch; c++) m = std::max(m, (double)x[(b * Cin + c) * inner + p]);
        for (int c = 0; c < ch; c++) s += std::exp(x[(b * Cin + c) * inner + p] - m);
        for (int c = 0; c < ch; c++) ref[(b * ch + c) * inner + p] = (float)(std::exp(x[(b * Cin + c) * inner + p] - m) / s);
    }
    verdict("softmax_channels 11 of 13", out, ref, 1e-5);
}

static void check_dense_motion() {
    const int B = 2, K = 10, D = 3, h = 19, w = 13; const long long inner = (long long)D * h * w;
    for (int mask = 0; mask < 2; mask++) for (int corr = 0; corr < 2; corr++) {
        int Cp = (mask ? K + 1 : 0) + (corr ? 2 : 0) + 1;
        auto pred = rnd(B * Cp * inner, -3, 3), dm = rnd(B * D * K * 2, -1, 1), sm = rnd(B * K * 2, -1, 1);
        std::vector<float> def(B * inner * 3, NAN), ref = def, mk(B * (K + 1) * inner, NAN), rmk = mk;
        emu::launch(ew_grid(B * inner), 256, dense_motion_flow, pred.data(), dm.data(), sm.data(), mask ? mk.data() : nullptr,
                    def.data(), B, Cp, K, D, h, w, mask, corr);
        for (int b = 0; b < B; b++) for (long long q = 0; q < inner; q++) {
            int d = (int)(q / (h * w)), p = (int)(q % (h * w));
            double fx = 0, fy = 0;
            if (mask) {
                double m = -INFINITY, s = 0;
                for (int c = 0; c <= K; c++) m = std::max(m, (double)pred[(b * Cp + c) * inner + q]);
                for (int c = 0; c <= K; c++) s += std::exp(pred[(b * Cp + c) * inner + q] - m);
                for (int c = 0; c <= K; c++) {
                    double mc = std::exp(pred[(b * Cp + c) * inner + q] - m) / s;
                    rmk[(b * (K + 1) + c) * inner + q] = (float)mc;
                    if (c == 0) continue;
                    fx += mc * (sm[(b * K + c - 1) * 2] - dm[((b * D + d) * K + c - 1) * 2]);
                    fy += mc * (sm[(b * K + c - 1) * 2 + 1] - dm[((b * D + d) * K + c - 1) * 2 + 1]);
                }
            }
            if (corr) { fx += pred[(b * Cp + Cp - 2) * inner + q]; fy += pred[(b * Cp + Cp - 1) * inner + q]; }
            float* o = &ref[(b * inner + q) * 3];
            o[0] = (float)(fx + gridc(p % w, w)); o[1] = (float)(fy + gridc(p / w, h)); o[2] = 0;
        }
        std::string nm = std::string("dense_motion_flow") + (mask ? " mask" : "") + (corr ? " correction" : "");
        verdict(nm, def, ref, 1e-5);
        if (mask) verdict(nm + " (mask output)", mk, rmk, 1e-5);
    }
}

static void check_depth1_vs_3d() {
    const int N = 2, C = 3, H = 9, W = 11, Do = 4, Ho = 6, Wo = 7;
    for (int pad = 0; pad < 3; pad++) for (int ac = 0; ac < 2; ac++) {
        auto in = rnd(N * C * H * W, -1, 1), g = rnd(N * Do * Ho * Wo * 3, -1.3f, 1.3f);
        std::vector<float> a(N * C * Do * Ho * Wo, NAN), b = a;
        long long pts = (long long)N * Do * Ho * Wo;
        emu::launch(ew_grid(pts), 256, grid_sample_3d, in.data(), g.data(), a.data(), N, C, 1, H, W, Do, Ho, Wo, pad, ac);
        emu::launch(ew_grid(pts), 256, grid_sample_depth1, in.data(), g.data(), b.data(), N, C, H, W, Do, Ho, Wo, pad, ac);
        verdict("grid_sample_depth1 = grid_sample_3d(D=1) pad " + std::to_string(pad) + " ac " + std::to_string(ac), b, a, 1e-6);
    }
}

static void check_interpolate_and_pool() {
    const int NC = 3, Di = 2, Hi = 5, Wi = 7;
    auto in = rnd(NC * Di * Hi * Wi, -1, 1);
    for (auto o : std::vector<std::array<int, 3>>{{3, 11, 13}, {1, 2, 3}, {2, 5, 7}, {4, 10, 14}}) {
        long long n = (long long)NC * o[0] * o[1] * o[2];
        std::vector<float> out(n, NAN), ref(n);
        float rd = (float)Di / o[0], rh = (float)Hi / o[1], rw = (float)Wi / o[2];
        emu::launch(ew_grid(n), 256, interp_trilinear, in.data(), out.data(), NC, Di, Hi, Wi, o[0], o[1], o[2], rd, rh, rw);
        auto src = [](int dst, double r, int size, int& i0, int& i1, double& l) {
            double s = std::max(0.0, r * (dst + 0.5) - 0.5); i0 = (int)s; i1 = std::min(i0 + 1, size - 1); l = s - i0; };
        for (int nc = 0; nc < NC; nc++) for (int d = 0; d < o[0]; d++) for (int i = 0; i < o[1]; i++) for (int j = 0; j < o[2]; j++) {
            int d0, d1, h0, h1, w0, w1; double ld, lh, lw;
            src(d, (double)Di / o[0], Di, d0, d1, ld); src(i, (double)Hi / o[1], Hi, h0, h1, lh); src(j, (double)Wi / o[2], Wi, w0, w1, lw);
            auto at = [&](int a, int b, int c) { return (double)in[((nc * Di + a) * Hi + b) * Wi + c]; };
            double v = 0;
            for (int za = 0; za < 2; za++) for (int ya = 0; ya < 2; ya++) for (int xa = 0; xa < 2; xa++)
                v += (za ? ld : 1 - ld) * (ya ? lh : 1 - lh) * (xa ? lw : 1 - lw) * at(za ? d1 : d0, ya ? h1 : h0, xa ? w1 : w0);
            ref[((nc * o[0] + d) * o[1] + i) * o[2] + j] = (float)v;
        }
        verdict("interp_trilinear (2,5,7) -> (" + std::to_string(o[0]) + "," + std::to_string(o[1]) + "," + std::to_string(o[2]) + ")", out, ref, 1e-6);
    }
    for (auto s : std::vector<std::array<int, 3>>{{6, 7, 9}, {2, 1, 1}, {3, 16, 24}, {1, 3, 2}}) {
        long long planes = s[0]; int H = s[1], W = s[2], Ho = H / 2, Wo = W / 2;
        auto x = rnd(planes * H * W, -2, 2);
        std::vector<float> out(planes * Ho * Wo, NAN), ref(planes * Ho * Wo);
        if (!out.empty()) emu::launch(ew_grid(planes * Ho * Wo), 256, avg_pool2x2, x.data(), out.data(), planes, H, W);
        for (long long p = 0; p < planes; p++) for (int i = 0; i < Ho; i++) for (int j = 0; j < Wo; j++) {
            const float* q = &x[(p * H + 2 * i) * W + 2 * j];
            ref[(p * Ho + i) * Wo + j] = (float)(((double)q[0] + q[1] + q[W] + q[W + 1]) / 4);
        }
        verdict("avg_pool2x2 " + std::to_string(H) + "x" + std::to_string(W), out, ref, 1e-6);
    }
}

static void check_elementwise() {
    const int B = 2, C = 7, Ctot = 12, off = 3; const long long inner = 3 * 5 * 9;
    for (int act = 0; act < 4; act++) for (int affine = 0; affine < 2; affine++) {
        auto x = rnd(B * C * inner, -3, 3), sc = rnd(C, 0.5f, 1.5f), sh = rnd(C, -0.2f, 0.2f);
        std::vector<float> out(B * Ctot * inner, -7.f), ref = out;
        emu::launch(ew_grid(B * C * inner), 256, channel_affine_act, x.data(), affine ? sc.data() : nullptr, affine ? sh.data() : nullptr,
                    out.data(), B, C, inner, act, Ctot, off);
        for (int b = 0; b < B; b++) for (int c = 0; c < C; c++) for (long long p = 0; p < inner; p++) {
            double v = x[(b * C + c) * inner + p];
            if (affine) v = v * sc[c] + sh[c];
            v = act == 1 ? std::max(v, 0.0) : act == 2 ? (v > 0 ? v : (double)(0.2f * (float)v)) : act == 3 ? 1 / (1 + std::exp(-v)) : v;
            ref[(b * Ctot + off + c) * inner + p] = (float)v;
        }
        verdict("channel_affine_act act " + std::to_string(act) + (affine ? " affine" : " copy") + " into channels [3,10) of 12", out, ref,
                affine || act == 3 ? 1e-6 : 0);
    }
    long long n = 3001;
    auto a = rnd(n, -1, 1), b = rnd(n, -1, 1);
    std::vector<float> out(n, NAN), ref(n);
    emu::launch(ew_grid(n), 256, add_act, a.data(), b.data(), out.data(), n, 1);
    for (long long i = 0; i < n; i++) ref[i] = std::max(0.f, a[i] + b[i]);
    verdict("add_act relu", out, ref, 0);
    const int Bt = 2, Ct = 3; const long long in_t = 4 * 5 * 7;
    auto x = rnd(Bt * in_t * Ct, -1, 1);
    std::vector<float> f(x.size(), NAN), back(x.size(), NAN), rf(x.size());
    emu::launch(ew_grid(x.size()), 256, channels_last_to_first, x.data(), f.data(), Bt, in_t, Ct);
    emu::launch(ew_grid(x.size()), 256, channels_first_to_last, f.data(), back.data(), Bt, in_t, Ct);
    for (int bb = 0; bb < Bt; bb++) for (long long p = 0; p < in_t; p++) for (int c = 0; c < Ct; c++)
        rf[(bb * Ct + c) * in_t + p] = x[(bb * in_t + p) * Ct + c];
    verdict("channels_last_to_first", f, rf, 0);
    verdict("channels_first_to_last (round trip)", back, x, 0);
}

void self_checks() {
    printf("\n== kernels without golden cases, against double-precision loops ==\n");
    check_heatmap_embed();
    check_difference_embed();
    check_gaussian2kp_odd();
    check_softmax();
    check_dense_motion();
    check_depth1_vs_3d();
    check_interpolate_and_pool();
    check_elementwise();
}
