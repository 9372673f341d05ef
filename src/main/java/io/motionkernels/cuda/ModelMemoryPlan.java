package io.motionkernels.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Device-memory plans of Monkey-Net's forward passes: every activation the GPU path creates, in
 * the order it runs (SPEC.md's blocks), with lifetimes, placed in one arena by
 * {@link MemoryPlanner}. Conv + batch norm + activation count as one step (cuDNN with a fused
 * epilogue); cuDNN workspaces are not included. Pure Java: sizes for a model and input size are
 * known before touching a GPU.
 */
public final class ModelMemoryPlan {
    private ModelMemoryPlan() {
    }

    /** An Hourglass / Encoder / Decoder: block_expansion E, max_features M, num_blocks N. */
    public record HourglassDims(int blockExpansion, int maxFeatures, int numBlocks) {
        public HourglassDims {
            if (blockExpansion <= 0 || maxFeatures <= 0 || numBlocks <= 0 || numBlocks > 20) {
                throw new IllegalArgumentException("bad hourglass " + blockExpansion + "/" + maxFeatures + "/" + numBlocks);
            }
        }

        /** Channels of encoder level i >= 1 (the output of down block i - 1): min(M, E 2^i). */
        public int channels(int i) {
            return (int) Math.min(maxFeatures, (long) blockExpansion << i);
        }
    }

    public record KpDetectorDims(int channels, int numKp, HourglassDims hourglass, double scaleFactor) {
    }

    /** featuresPerSlot: channels per keypoint slot of the mask embedding (1 heatmap + 2 difference + C source...). */
    public record DenseMotionDims(HourglassDims hourglass, double scaleFactor, int numGroupBlocks, boolean useMask,
                                  boolean useCorrection, int featuresPerSlot) {
        int predictionChannels(int numKp) {
            return (useMask ? numKp + 1 : 0) + (useCorrection ? 2 : 0);
        }
    }

    /**
     * kpEmbeddingChannels: A, the channels the kp embedding adds to every skip (0 without one);
     * kpEmbeddingScale: its scale_factor. denseMotion may be null (identity deformation).
     */
    public record GeneratorDims(int channels, int numKp, HourglassDims appearance, int numRefinementBlocks,
                                DenseMotionDims denseMotion, int kpEmbeddingChannels, double kpEmbeddingScale) {
    }

    public static MemoryPlanner.Plan kpDetector(KpDetectorDims m, int batch, int frames, int height, int width) {
        ActivationTrace t = new ActivationTrace();
        long planes = (long) batch * frames;
        ActivationTrace.Buf x = t.alloc("image", planes * m.channels() * height * width);
        t.next();
        int h = height, w = width;
        if (m.scaleFactor() != 1) {
            h = Scales.outputSize(height, m.scaleFactor());
            w = Scales.outputSize(width, m.scaleFactor());
            ActivationTrace.Buf xs = t.alloc("image.scaled", planes * m.channels() * h * w);
            t.use(x);
            t.next();
            x = xs;
        }
        ActivationTrace.Buf logits = hourglass(t, "kp.", x, m.channels(), m.numKp(), m.hourglass(), planes, h, w);
        ActivationTrace.Buf heat = t.alloc("kp.heatmap", planes * m.numKp() * h * w);
        t.use(logits);
        t.next();
        ActivationTrace.Buf mean = t.alloc("kp.mean", planes * m.numKp() * 2);
        ActivationTrace.Buf var = t.alloc("kp.var", planes * m.numKp() * 4);
        t.use(heat);
        t.output(mean, var);
        return MemoryPlanner.plan(t.requests());
    }

    public static MemoryPlanner.Plan generator(GeneratorDims g, int batch, int frames, int height, int width) {
        ActivationTrace t = new ActivationTrace();
        int c = g.channels(), k = g.numKp(), a = g.kpEmbeddingChannels();
        HourglassDims ap = g.appearance();
        int n = ap.numBlocks();
        requireDivisible("generator", height, width, n);
        ActivationTrace.Buf source = t.alloc("source", (long) batch * c * height * width);
        t.next();

        // Appearance encoder on the one source frame: the skips live until the decoder reads them.
        List<ActivationTrace.Buf> skips = new ArrayList<>();
        List<int[]> skipDims = new ArrayList<>(); // channels, h, w
        skips.add(source);
        skipDims.add(new int[] {c, height, width});
        int h = height, w = width;
        for (int i = 0; i < n; i++) {
            int co = ap.channels(i + 1);
            ActivationTrace.Buf conv = t.alloc("gen.enc" + i + ".conv", (long) batch * co * h * w);
            t.use(skips.get(i));
            t.next();
            ActivationTrace.Buf pool = t.alloc("gen.enc" + i + ".pool", (long) batch * co * (h / 2) * (w / 2));
            t.use(conv);
            t.next();
            h /= 2;
            w /= 2;
            skips.add(pool);
            skipDims.add(new int[] {co, h, w});
        }

        // Dense motion -> deformation (B, D, hd, wd, 3), then channels first for resizing.
        long frameCount = (long) batch * frames;
        ActivationTrace.Buf deformation;
        int hd = height, wd = width;
        DenseMotionDims dm = g.denseMotion();
        if (dm != null) {
            ActivationTrace.Buf src = source;
            if (dm.scaleFactor() != 1) {
                hd = Scales.outputSize(height, dm.scaleFactor());
                wd = Scales.outputSize(width, dm.scaleFactor());
                src = t.alloc("dm.source.scaled", (long) batch * c * hd * wd);
                t.use(source);
                t.next();
            }
            int embC = (k + 1) * dm.featuresPerSlot();
            ActivationTrace.Buf emb = t.alloc("dm.embedding", frameCount * embC * hd * wd);
            t.use(src);
            t.next();
            for (int i = 0; i < dm.numGroupBlocks(); i++) {
                ActivationTrace.Buf gb = t.alloc("dm.group" + i, frameCount * embC * hd * wd);
                t.use(emb);
                t.next();
                emb = gb;
            }
            ActivationTrace.Buf pred = hourglass(t, "dm.", emb, embC, dm.predictionChannels(k), dm.hourglass(),
                    frameCount, hd, wd);
            deformation = t.alloc("dm.deformation", frameCount * hd * wd * 3);
            t.use(pred);
            t.next();
        } else {
            deformation = t.alloc("identity.deformation", frameCount * hd * wd * 3);
            t.next();
        }
        ActivationTrace.Buf defFirst = t.alloc("deformation.channels_first", frameCount * 3 * hd * wd);
        t.use(deformation);
        t.next();

        ActivationTrace.Buf kpEmb = null;
        int he = height, we = width;
        if (a > 0) {
            he = Scales.outputSize(height, g.kpEmbeddingScale());
            we = Scales.outputSize(width, g.kpEmbeddingScale());
            kpEmb = t.alloc("kp_embedding", frameCount * a * he * we);
            t.use(source);
            t.next();
        }

        // Every skip deformed to D frames, with the kp embedding resized to it concatenated.
        List<ActivationTrace.Buf> deformed = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            int ci = skipDims.get(i)[0], hi = skipDims.get(i)[1], wi = skipDims.get(i)[2];
            ActivationTrace.Buf resized = t.alloc("skip" + i + ".deformation.resized", frameCount * 3 * hi * wi);
            t.use(defFirst);
            t.next();
            ActivationTrace.Buf grid = t.alloc("skip" + i + ".grid", frameCount * hi * wi * 3);
            t.use(resized);
            t.next();
            ActivationTrace.Buf sampled = t.alloc(i == 0 ? "video_deformed" : "skip" + i + ".deformed",
                    frameCount * ci * hi * wi);
            t.use(skips.get(i), grid);
            t.next();
            ActivationTrace.Buf cat = t.alloc("skip" + i + ".cat", frameCount * (ci + a) * hi * wi);
            t.use(sampled);
            t.next();
            if (i == 0) {
                t.output(sampled);
            }
            if (kpEmb != null) {
                ActivationTrace.Buf er = t.alloc("skip" + i + ".kp_embedding", frameCount * a * hi * wi);
                t.use(kpEmb);
                t.next();
                t.use(er);
                t.next();
            }
            deformed.add(cat);
        }

        // Video decoder: up block j maps to min(M, E 2^j) channels and takes the next deformed skip.
        ActivationTrace.Buf out = deformed.get(n);
        int outC = skipDims.get(n)[0] + a;
        for (int j = n - 1; j >= 0; j--) {
            int hj = skipDims.get(j)[1], wj = skipDims.get(j)[2];
            ActivationTrace.Buf up = t.alloc("gen.dec" + j + ".up", frameCount * outC * hj * wj);
            t.use(out);
            t.next();
            int co = ap.channels(j);
            int catC = co + skipDims.get(j)[0] + a;
            ActivationTrace.Buf cat = t.alloc("gen.dec" + j + ".cat", frameCount * catC * hj * wj);
            t.use(up);
            t.next();
            t.use(deformed.get(j));
            t.next();
            out = cat;
            outC = catC;
        }

        // Refinement ResBlocks (BN-ReLU, conv-BN-ReLU, conv, + input), then conv-last + sigmoid.
        long vol = frameCount * height * width;
        for (int r = 0; r < g.numRefinementBlocks(); r++) {
            ActivationTrace.Buf t1 = t.alloc("ref" + r + ".norm1", vol * outC);
            t.use(out);
            t.next();
            ActivationTrace.Buf t2 = t.alloc("ref" + r + ".conv1", vol * outC);
            t.use(t1);
            t.next();
            ActivationTrace.Buf t3 = t.alloc("ref" + r + ".conv2", vol * outC);
            t.use(t2);
            t.next();
            ActivationTrace.Buf sum = t.alloc("ref" + r + ".out", vol * outC);
            t.use(out, t3);
            t.next();
            out = sum;
        }
        ActivationTrace.Buf prediction = t.alloc("video_prediction", vol * c);
        t.use(out);
        t.output(prediction);
        return MemoryPlanner.plan(t.requests());
    }

    /** Hourglass(E, in, out, N, M) on {@code planes} frames of h x w; returns the output buffer. */
    static ActivationTrace.Buf hourglass(ActivationTrace t, String prefix, ActivationTrace.Buf x, int cin, int cout,
                                         HourglassDims hg, long planes, int h, int w) {
        int n = hg.numBlocks();
        requireDivisible(prefix + "hourglass", h, w, n);
        List<ActivationTrace.Buf> skips = new ArrayList<>();
        skips.add(x);
        int hh = h, ww = w;
        for (int i = 0; i < n; i++) {
            int co = hg.channels(i + 1);
            ActivationTrace.Buf conv = t.alloc(prefix + "enc" + i + ".conv", planes * co * hh * ww);
            t.use(skips.get(i));
            t.next();
            ActivationTrace.Buf pool = t.alloc(prefix + "enc" + i + ".pool", planes * co * (hh / 2) * (ww / 2));
            t.use(conv);
            t.next();
            hh /= 2;
            ww /= 2;
            skips.add(pool);
        }
        ActivationTrace.Buf out = skips.get(n);
        int outC = hg.channels(n);
        for (int j = n - 1; j >= 0; j--) {
            hh *= 2;
            ww *= 2;
            ActivationTrace.Buf up = t.alloc(prefix + "dec" + j + ".up", planes * outC * hh * ww);
            t.use(out);
            t.next();
            int skipC = j == 0 ? cin : hg.channels(j);
            int catC = hg.channels(j) + skipC;
            ActivationTrace.Buf cat = t.alloc(prefix + "dec" + j + ".cat", planes * catC * hh * ww);
            t.use(up);
            t.next();
            t.use(skips.get(j));
            t.next();
            out = cat;
            outC = catC;
        }
        ActivationTrace.Buf result = t.alloc(prefix + "out", planes * cout * h * w);
        t.use(out);
        t.next();
        return result;
    }

    private static void requireDivisible(String what, int h, int w, int blocks) {
        int f = 1 << blocks;
        if (h % f != 0 || w % f != 0) {
            throw new IllegalArgumentException(what + " input of " + h + "x" + w + " must be divisible by 2^" + blocks
                    + " = " + f + " in height and width (its skips are concatenated after " + blocks + " poolings)");
        }
    }
}
