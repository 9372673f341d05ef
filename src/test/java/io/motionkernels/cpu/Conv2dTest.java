package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every case with the Vector API GEMM kernel; {@link Conv2dScalarTest} runs them all again
 * with the scalar one.
 */
class Conv2dTest {
    /** float32 accumulation of up to a few thousand products of O(1) terms stays well inside this. */
    private static final double REL_L2 = 1e-5;

    private boolean previousKernel;

    /** Whether this class's cases run the Vector API kernel. */
    boolean vectorKernel() {
        return true;
    }

    @BeforeEach
    void selectKernel() {
        if (vectorKernel()) {
            // only an explicit opt-out may skip the fast path; surefire's argLine adds the module
            Assumptions.assumeFalse("false".equals(System.getProperty("motionkernels.simd")), "motionkernels.simd=false");
            assertTrue(ConvKernels.VECTOR_AVAILABLE, "the Vector API kernel needs --add-modules jdk.incubator.vector");
        }
        previousKernel = ConvKernels.useVector(vectorKernel());
        assertEquals(vectorKernel(), ConvKernels.vector());
    }

    @AfterEach
    void restoreKernel() {
        ConvKernels.useVector(previousKernel);
    }

    /** One convolution problem with random data and its double-precision reference. */
    private static final class Case {
        final int b, cin, d, h, w, cout, kh, kw, groups;
        final float[] weight, bias;
        final Tensor x;

        Case(long seed, int b, int cin, int d, int h, int w, int cout, int kh, int kw, int groups) {
            this.b = b;
            this.cin = cin;
            this.d = d;
            this.h = h;
            this.w = w;
            this.cout = cout;
            this.kh = kh;
            this.kw = kw;
            this.groups = groups;
            Random rnd = new Random(seed);
            weight = random(rnd, cout * (cin / groups) * kh * kw);
            bias = random(rnd, cout);
            x = Tensor.of(random(rnd, b * cin * d * h * w), b, cin, d, h, w);
        }

        Conv2d conv() {
            return Conv2d.of(weight, bias, cout, cin, kh, kw, groups);
        }

        /** Direct convolution in double; {@code input} is x or its x2 nearest upsampling. */
        double[] reference(Tensor input) {
            int ih = input.dim(3);
            int iw = input.dim(4);
            float[] in = input.data();
            int cing = cin / groups;
            int coutg = cout / groups;
            double[] out = new double[b * cout * d * ih * iw];
            for (int bi = 0; bi < b; bi++) {
                for (int co = 0; co < cout; co++) {
                    int g = co / coutg;
                    for (int f = 0; f < d; f++) {
                        for (int y = 0; y < ih; y++) {
                            for (int xx = 0; xx < iw; xx++) {
                                double s = bias[co];
                                for (int ci = 0; ci < cing; ci++) {
                                    int c = g * cing + ci;
                                    for (int ky = 0; ky < kh; ky++) {
                                        int sy = y + ky - kh / 2;
                                        if (sy < 0 || sy >= ih) {
                                            continue;
                                        }
                                        for (int kx = 0; kx < kw; kx++) {
                                            int sx = xx + kx - kw / 2;
                                            if (sx < 0 || sx >= iw) {
                                                continue;
                                            }
                                            double wv = weight[((co * cing + ci) * kh + ky) * kw + kx];
                                            s += wv * in[(((bi * cin + c) * d + f) * ih + sy) * iw + sx];
                                        }
                                    }
                                }
                                out[(((bi * cout + co) * d + f) * ih + y) * iw + xx] = s;
                            }
                        }
                    }
                }
            }
            return out;
        }

        double[] reference() {
            return reference(x);
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    private static double act(Activation a, double v) {
        return switch (a) {
            case NONE -> v;
            case RELU -> Math.max(v, 0);
            case LEAKY_RELU_0_2 -> v > 0 ? v : 0.2 * v;
            case SIGMOID -> 1 / (1 + Math.exp(-v));
        };
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            assertFalse(Float.isNaN(actual[i]), what + ": NaN at " + i);
            double e = actual[i] - expected[i];
            num += e * e;
            den += expected[i] * expected[i];
        }
        double rel = Math.sqrt(num / Math.max(den, 1e-300));
        assertTrue(rel <= REL_L2, what + ": relative L2 error " + rel);
    }

    /** Sizes that are not multiples of any block size, K over several panels, N over several blocks. */
    private static final int[][] SHAPES = {
        // b, cin, d, h, w, cout, k, groups
        {1, 1, 1, 1, 1, 1, 3, 1},
        {1, 3, 1, 1, 1, 5, 3, 1},
        {1, 2, 1, 3, 5, 3, 3, 1},
        {1, 3, 1, 7, 9, 7, 3, 1},
        {2, 5, 3, 7, 9, 6, 3, 1},
        {1, 7, 2, 17, 19, 9, 3, 1},   // 646 pixels: three blocks that span frames
        {1, 61, 1, 6, 5, 5, 3, 1},    // 549 taps: five panels, the last one partial
        {1, 37, 1, 3, 3, 70, 3, 1},   // one small image: output channels split over tasks
        {2, 45, 1, 5, 6, 3, 1, 1},    // 1x1
        {1, 44, 2, 5, 7, 44, 1, 11},  // grouped 1x1 as in SameBlock
        {2, 6, 1, 4, 5, 9, 3, 3},     // grouped 3x3
        {1, 4, 1, 6, 7, 3, 1, 1},     // 1x1 with 4 taps
        {1, 2, 1, 6, 7, 3, 3, 1},
        {1, 5, 1, 16, 17, 40, 3, 1},  // 272 pixels, channel-major with a partial pixel split
        {1, 3, 3, 19, 23, 20, 3, 1},  // 1311 pixels over frames: narrowed blocks on few cores
        {1, 8, 1, 3, 4, 64, 3, 2},    // channel-major, grouped
        {2, 5, 2, 2, 3, 33, 3, 1},    // channel-major, B and D > 1, a 1-channel last block
        {1, 40, 1, 3, 5, 130, 1, 1},  // channel-major 1x1, blocks of 128 and 2
        {1, 3, 1, 2, 3, 260, 3, 1},   // channel-major, blocks of 256 and 4
        {1, 6, 1, 3, 3, 49, 3, 1},    // channel-major; ConvDirect transposed, a last channel block of one vector
        {1, 300, 1, 2, 2, 40, 3, 1},  // channel-major, 2700 taps over several panels
        {1, 20, 1, 4, 4, 100, 3, 2},  // ConvDirect transposed at 512 bits: grouped, a last block of 2 channels
    };

    @Test
    void matchesDirectConvolutionOnOddShapes() {
        int i = 0;
        for (int[] s : SHAPES) {
            Case c = new Case(100 + i++, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[6], s[7]);
            assertClose(c.reference(), c.conv().apply(c.x).data(), "shape " + Arrays.toString(s));
        }
    }

    @Test
    void rectangularKernel() {
        Case c = new Case(5, 1, 3, 2, 6, 7, 4, 1, 3, 1);
        assertClose(c.reference(), c.conv().apply(c.x).data(), "1x3 kernel");
        Case c2 = new Case(6, 1, 3, 1, 4, 7, 4, 5, 1, 1);
        assertClose(c2.reference(), c2.conv().apply(c2.x).data(), "5x1 kernel");
    }

    @Test
    void largeReductionStaysAccurate() {
        // 512 channels x 9 taps, as in the model's deepest layers
        Case c = new Case(7, 1, 512, 1, 4, 4, 16, 3, 3, 1);
        assertClose(c.reference(), c.conv().apply(c.x).data(), "K = 4608");
    }

    @Test
    void oddShapesCoverBothPaths() {
        int channelMajor = 0;
        for (int[] s : SHAPES) {
            Conv2d conv = new Case(0, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[6], s[7]).conv();
            channelMajor += conv.channelMajorFor(s[0], s[2] * s[3] * s[4]) ? 1 : 0;
        }
        assertTrue(channelMajor >= 4 && channelMajor <= SHAPES.length - 8, channelMajor + " channel-major shapes");
    }

    /** A case for each GEMM orientation, so that every fused variant is checked on both. */
    private static Case pathCase(boolean channelMajor, long seed) {
        Case c = channelMajor ? new Case(seed, 1, 6, 2, 2, 3, 40, 3, 3, 1) : new Case(seed, 2, 5, 2, 7, 9, 6, 3, 3, 1);
        assertEquals(channelMajor, c.conv().channelMajorFor(c.b, c.d * c.h * c.w));
        return c;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void fusedActivation(Activation a) {
        for (boolean cm : new boolean[] {false, true}) {
            fusedActivation(a, pathCase(cm, 11));
        }
    }

    private static void fusedActivation(Activation a, Case c) {
        double[] ref = c.reference();
        for (int i = 0; i < ref.length; i++) {
            ref[i] = act(a, ref[i]);
        }
        Conv2d conv = c.conv().withActivation(a);
        assertEquals(a, conv.activation());
        assertClose(ref, conv.apply(c.x).data(), "activation " + a);
    }

    @Test
    void foldedBatchNormMatchesBatchNormAfterConv() {
        Case c = new Case(12, 1, 6, 2, 5, 7, 5, 3, 3, 1);
        Random rnd = new Random(3);
        float[] gamma = random(rnd, 5);
        float[] beta = random(rnd, 5);
        float[] mean = random(rnd, 5);
        float[] var = new float[5];
        for (int i = 0; i < 5; i++) {
            var[i] = 0.1f + rnd.nextFloat();
        }
        double eps = 1e-5;
        double[] ref = c.reference();
        int n = 2 * 5 * 7;
        for (int i = 0; i < ref.length; i++) {
            int co = i / n % 5;
            double v = (ref[i] - mean[co]) / Math.sqrt(var[co] + eps) * gamma[co] + beta[co];
            ref[i] = Math.max(v, 0);
        }
        Conv2d folded = c.conv().withActivation(Activation.RELU).foldBatchNorm(gamma, beta, mean, var, eps);
        assertEquals(Activation.RELU, folded.activation());
        assertClose(ref, folded.apply(c.x).data(), "conv + batch norm + relu");
    }

    @Test
    void applyIntoWritesOnlyItsChannelSlice() {
        applyIntoSlice(new Case(13, 2, 3, 2, 5, 6, 4, 3, 3, 1));
        applyIntoSlice(pathCase(true, 13));
    }

    private static void applyIntoSlice(Case c) {
        int total = c.cout + 5;
        int offset = 3;
        Tensor out = Tensor.filled(Float.NaN, c.b, total, c.d, c.h, c.w);
        c.conv().withActivation(Activation.LEAKY_RELU_0_2).applyInto(c.x, out, offset);
        double[] ref = c.reference();
        int n = c.d * c.h * c.w;
        double[] expected = new double[c.b * c.cout * n];
        float[] got = new float[expected.length];
        for (int bi = 0; bi < c.b; bi++) {
            for (int ch = 0; ch < total; ch++) {
                for (int p = 0; p < n; p++) {
                    float v = out.data()[(bi * total + ch) * n + p];
                    if (ch < offset || ch >= offset + c.cout) {
                        assertTrue(Float.isNaN(v), "channel " + ch + " outside the slice was written");
                    } else {
                        int j = (bi * c.cout + ch - offset) * n + p;
                        expected[j] = act(Activation.LEAKY_RELU_0_2, ref[j]);
                        got[j] = v;
                    }
                }
            }
        }
        assertClose(expected, got, "slice");
    }

    @Test
    void applyAddFusesTheResidual() {
        applyAdd(new Case(14, 1, 9, 2, 6, 5, 9, 3, 3, 1));
        applyAdd(pathCase(true, 14));
    }

    private static void applyAdd(Case c) {
        Tensor res = Tensor.of(random(new Random(9), c.b * c.cout * c.d * c.h * c.w), c.b, c.cout, c.d, c.h, c.w);
        double[] ref = c.reference();
        for (int i = 0; i < ref.length; i++) {
            ref[i] = act(Activation.RELU, ref[i] + res.data()[i]);
        }
        assertClose(ref, c.conv().withActivation(Activation.RELU).applyAdd(c.x, res).data(), "residual");
    }

    @Test
    void upsampledConvolutionMatchesUpsampleThenConv() {
        Case pixelMajor = new Case(15, 2, 5, 2, 3, 4, 6, 3, 3, 1);
        Case channelMajor = new Case(15, 1, 4, 1, 3, 5, 48, 3, 3, 1);
        assertTrue(channelMajor.conv().channelMajorFor(1, 6 * 10));
        upsampled(pixelMajor);
        upsampled(channelMajor);
        // blocks that start mid-row and span frames, and a wider kernel, for the upsampled line reuse
        Case spanning = new Case(19, 1, 3, 2, 9, 13, 5, 3, 3, 1);
        assertFalse(spanning.conv().channelMajorFor(1, 2 * 18 * 26));
        upsampled(spanning);
        upsampled(new Case(20, 1, 3, 2, 7, 6, 4, 5, 5, 1));
    }

    private static void upsampled(Case c) {
        int h2 = 2 * c.h;
        int w2 = 2 * c.w;
        Tensor up = Tensor.zeros(c.b, c.cin, c.d, h2, w2);
        for (int i = 0; i < up.numel(); i++) {
            int xx = i % w2;
            int y = i / w2 % h2;
            int rest = i / (h2 * w2);
            up.data()[i] = c.x.data()[(rest * c.h + y / 2) * c.w + xx / 2];
        }
        double[] ref = c.reference(up);
        Conv2d conv = c.conv();
        assertClose(ref, conv.applyUpsampled2x(c.x).data(), "upsampled");
        int total = c.cout + 2;
        Tensor out = Tensor.filled(Float.NaN, c.b, total, c.d, h2, w2);
        conv.applyUpsampled2xInto(c.x, out, 2);
        float[] slice = new float[ref.length];
        int n = c.d * h2 * w2;
        for (int bi = 0; bi < c.b; bi++) {
            for (int ch = 0; ch < total; ch++) {
                for (int p = 0; p < n; p++) {
                    float v = out.data()[(bi * total + ch) * n + p];
                    if (ch < 2) {
                        assertTrue(Float.isNaN(v), "channel " + ch + " outside the slice was written");
                    } else {
                        slice[(bi * c.cout + ch - 2) * n + p] = v;
                    }
                }
            }
        }
        assertClose(ref, slice, "upsampled into slice");
    }

    /**
     * Every image width from 1 to 40 (with and without upsampling): the last block of positions is
     * one, two or three vectors long, and the padding columns fall anywhere in a block.
     */
    @Test
    void everyWidthAndTail() {
        for (int w = 1; w <= 40; w++) {
            Case c = new Case(300 + w, 1, 3, 1, w % 5 + 1, w, 5, 3, 3, 1);
            assertClose(c.reference(), c.conv().apply(c.x).data(), "width " + w);
            upsampled(c);
        }
    }

    /** Upsampled convolutions with every kernel shape: each phase sums a different set of taps. */
    @Test
    void upsampledKernelShapes() {
        int[][] kernels = {{1, 1}, {1, 3}, {3, 1}, {5, 1}, {1, 5}, {3, 5}, {7, 7}};
        for (int[] k : kernels) {
            upsampled(new Case(400 + k[0] * 10 + k[1], 2, 3, 2, 4, 5, 6, k[0], k[1], 1));
        }
        upsampled(new Case(420, 1, 6, 1, 3, 4, 9, 3, 3, 3));
    }

    /** Many frames whose padded copy is built a few frames at a time give the same result as one step. */
    @Test
    void framesInChunks() {
        Assumptions.assumeTrue(vectorKernel(), "only the Vector API convolution builds a padded copy");
        int saved = ConvDirect.maxPaddedFloats;
        try {
            ConvDirect.maxPaddedFloats = 300;
            Case c = new Case(430, 2, 3, 7, 5, 6, 5, 3, 3, 1);
            assertClose(c.reference(), c.conv().apply(c.x).data(), "chunks of frames");
            upsampled(new Case(431, 1, 2, 5, 3, 4, 6, 3, 3, 1));
            ConvDirect.maxPaddedFloats = 1;
            assertClose(c.reference(), c.conv().apply(c.x).data(), "one frame per chunk");
        } finally {
            ConvDirect.maxPaddedFloats = saved;
        }
    }

    @Test
    void concurrentCallsShareOneConvolution() throws Exception {
        concurrent(new Case(16, 1, 7, 1, 9, 11, 13, 3, 3, 1), new Case(17, 1, 30, 2, 20, 21, 13, 3, 3, 1));
    }

    /** Channel-major calls of different sizes at once: each must keep its lent packing buffer to itself. */
    @Test
    void concurrentChannelMajorCallsKeepTheirBuffers() throws Exception {
        Case small = new Case(21, 1, 40, 1, 3, 3, 50, 3, 3, 1);
        Case big = new Case(22, 1, 70, 1, 5, 6, 100, 3, 3, 1);
        assertTrue(small.conv().channelMajorFor(1, 9) && big.conv().channelMajorFor(1, 30));
        concurrent(small, big);
    }

    private static void concurrent(Case small, Case big) throws Exception {
        Conv2d a = small.conv();
        Conv2d b = big.conv();
        double[] refA = small.reference();
        double[] refB = big.reference();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?>[] fs = new Future<?>[6];
            for (int i = 0; i < fs.length; i++) {
                boolean useA = i % 2 == 0;
                fs[i] = pool.submit(() -> {
                    for (int r = 0; r < 3; r++) {
                        if (useA) {
                            assertClose(refA, a.apply(small.x).data(), "concurrent small");
                        } else {
                            assertClose(refB, b.apply(big.x).data(), "concurrent big");
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void metadataAndNoBias() {
        Case c = new Case(18, 1, 4, 1, 3, 3, 6, 3, 3, 2);
        Conv2d conv = Conv2d.of(c.weight, null, 6, 4, 3, 3, 2);
        assertEquals(4, conv.inChannels());
        assertEquals(6, conv.outChannels());
        Arrays.fill(c.bias, 0f);
        assertClose(c.reference(), conv.apply(c.x).data(), "no bias");
    }

    @Test
    void rejectsBadArguments() {
        float[] w = new float[2 * 3 * 9];
        assertThrows(IllegalArgumentException.class, () -> Conv2d.of(w, new float[2], 2, 3, 2, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.of(w, new float[2], 2, 3, 3, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.of(new float[5], new float[2], 2, 3, 3, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.of(w, new float[3], 2, 3, 3, 3, 1));
        Conv2d conv = Conv2d.of(w, new float[2], 2, 3, 3, 3, 1);
        assertThrows(IllegalArgumentException.class, () -> conv.apply(Tensor.zeros(1, 4, 1, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> conv.apply(Tensor.zeros(4, 3, 3)));
        Tensor x = Tensor.zeros(1, 3, 1, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> conv.applyInto(x, Tensor.zeros(1, 3, 1, 3, 3), 2));
        assertThrows(IllegalArgumentException.class, () -> conv.applyInto(x, Tensor.zeros(1, 3, 1, 3, 4), 0));
        assertThrows(IllegalArgumentException.class,
                () -> conv.foldBatchNorm(new float[1], new float[2], new float[2], new float[2], 1e-5));
    }
}
