// First Order Motion Model's kernels (kernels/fomm.cu) against plain double-precision loops
// written from FOMM.md, on odd sizes. Included by emulate.cpp.

void fomm_antialias_golden(const std::string& name, Case& c) {
    auto& in = c.t["input"]; auto& ref = c.t["out"];
    if (!c.t.count("kernel")) { printf("%-58s SKIP (scale 1: the identity, no kernel)\n", name.c_str()); return; }
    auto& kernel = c.t["kernel"];
    int P = in.shape[0] * in.shape[1], H = in.shape[2], W = in.shape[3], k = kernel.shape[0];
    int stride = std::stoi(c.md["stride"]);
    auto out = poisoned(ref.data.size());
    emu::launch(ew_grid((long long)ref.data.size()), 256, antialias, in.data.data(), kernel.data.data(), out.data(), P, H, W, k, stride);
    verdict(name, out, ref.data, 1e-4);
}

static void fomm_check_heatmap_keypoints() {
    for (int J : {0, 1, 5}) {
        const int B = 2, K = 5, h = 7, w = 11, plane = h * w;
        auto heat = rnd((size_t)B * K * plane, 0, 1);
        int maps = J == 0 ? 1 : J;
        auto m = rnd((size_t)B * 4 * maps * plane, -2, 2);
        std::vector<float> value(B * K * 2, NAN), jac(B * K * 4, NAN), rv = value, rj = jac;
        emu::launch_cooperative(B * K, map_block(plane), heatmap_keypoints, heat.data(), J == 0 ? nullptr : m.data(),
                                value.data(), J == 0 ? nullptr : jac.data(), B, K, maps, h, w, J == 0 ? 0 : 1);
        for (int b = 0; b < B; b++) for (int kk = 0; kk < K; kk++) {
            double sx = 0, sy = 0; const float* q = &heat[(size_t)(b * K + kk) * plane];
            for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) { sx += q[i * w + j] * gridc(j, w); sy += q[i * w + j] * gridc(i, h); }
            rv[(b * K + kk) * 2] = (float)sx; rv[(b * K + kk) * 2 + 1] = (float)sy;
            int mm = maps == 1 ? 0 : kk;
            for (int e = 0; e < 4; e++) {
                double s = 0; for (int p = 0; p < plane; p++) s += (double)q[p] * m[(size_t)(b * 4 * maps + 4 * mm + e) * plane + p];
                rj[(b * K + kk) * 4 + e] = (float)s;
            }
        }
        verdict("heatmap_keypoints value, jacobian maps " + std::to_string(J), value, rv, 1e-6);
        if (J != 0) verdict("heatmap_keypoints jacobian, maps " + std::to_string(J), jac, rj, 1e-6);
    }
}

static void fomm_check_sparse_motion() {
    for (int jac : {0, 1}) {
        const int N = 3, K = 4, h = 5, w = 9, plane = h * w;
        auto sv = rnd(N * K * 2, -1, 1), dv = rnd(N * K * 2, -1, 1);
        std::vector<float> sj(N * K * 4), dj(N * K * 4);
        for (int i = 0; i < N * K; i++) {  // well-conditioned jacobians: identity plus noise
            auto a = rnd(4, -0.3f, 0.3f), b = rnd(4, -0.3f, 0.3f);
            for (int e = 0; e < 4; e++) { sj[i * 4 + e] = (e == 0 || e == 3) + a[e]; dj[i * 4 + e] = (e == 0 || e == 3) + b[e]; }
        }
        std::vector<float> out((size_t)N * (K + 1) * plane * 3, NAN), ref = out;
        emu::launch(ew_grid((long long)N * (K + 1) * plane), 256, sparse_motion, sv.data(), jac ? sj.data() : nullptr, dv.data(),
                    jac ? dj.data() : nullptr, out.data(), N, K, h, w, jac);
        for (int n = 0; n < N; n++) for (int s = 0; s <= K; s++) for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) {
            size_t o = ((((size_t)n * (K + 1) + s) * h + i) * w + j) * 3;
            double x = gridc(j, w), y = gridc(i, h);
            if (s == 0) { ref[o] = (float)x; ref[o + 1] = (float)y; ref[o + 2] = 0; continue; }
            int kk = n * K + s - 1;
            double A[4] = {1, 0, 0, 1};
            if (jac) {
                const float* d = &dj[kk * 4]; const float* S = &sj[kk * 4];
                double det = (double)d[0] * d[3] - (double)d[1] * d[2];
                double inv[4] = {d[3] / det, -d[1] / det, -d[2] / det, d[0] / det};
                A[0] = S[0] * inv[0] + S[1] * inv[2]; A[1] = S[0] * inv[1] + S[1] * inv[3];
                A[2] = S[2] * inv[0] + S[3] * inv[2]; A[3] = S[2] * inv[1] + S[3] * inv[3];
            }
            double dx = x - dv[kk * 2], dy = y - dv[kk * 2 + 1];
            ref[o] = (float)(A[0] * dx + A[1] * dy + sv[kk * 2]);
            ref[o + 1] = (float)(A[2] * dx + A[3] * dy + sv[kk * 2 + 1]);
            ref[o + 2] = 0;
        }
        verdict(std::string("sparse_motion ") + (jac ? "with" : "without") + " jacobians", out, ref, 1e-6);
    }
}

static void fomm_check_combine_and_scale() {
    const int N = 2, S = 6, C = 5; const long long P = 7 * 13;
    auto mask = rnd(N * S * P, 0, 1), motion = rnd(N * S * P * 3, -1, 1);
    std::vector<float> out(N * P * 3, NAN), ref = out;
    emu::launch(ew_grid(N * P), 256, combine_motion, mask.data(), motion.data(), out.data(), N, S, P);
    for (int n = 0; n < N; n++) for (long long p = 0; p < P; p++) {
        double x = 0, y = 0;
        for (int s = 0; s < S; s++) { size_t q = (size_t)(n * S + s) * P + p; x += (double)mask[q] * motion[q * 3]; y += (double)mask[q] * motion[q * 3 + 1]; }
        ref[(n * P + p) * 3] = (float)x; ref[(n * P + p) * 3 + 1] = (float)y; ref[(n * P + p) * 3 + 2] = 0;
    }
    verdict("combine_motion 6 slots", out, ref, 1e-6);
    auto in = rnd(N * C * P, -3, 3), wgt = rnd(N * P, 0, 1);
    std::vector<float> o2(N * C * P, NAN), r2 = o2;
    emu::launch(ew_grid(N * C * P), 256, scale_pixels, in.data(), wgt.data(), o2.data(), N, C, P);
    for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) for (long long p = 0; p < P; p++)
        r2[(n * C + c) * P + p] = in[(n * C + c) * P + p] * wgt[n * P + p];
    verdict("scale_pixels", o2, r2, 0);
}

void fomm_self_checks() {
    printf("\n== First Order Motion Model kernels, against double-precision loops ==\n");
    fomm_check_heatmap_keypoints();
    fomm_check_sparse_motion();
    fomm_check_combine_and_scale();
}
