package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Winograd F(4x4, 3x3) kernel against a double-precision direct convolution, through
 * {@link Conv2d} with the algorithm forced, on odd sizes and every epilogue; and the direct kernel
 * forced on the same cases, so that each test shows both algorithms within the same bound.
 */
class ConvWinogradTest {
    /**
     * Measured on these cases the worst relative L2 error of Winograd is 3.2e-6 (8.4e-7 for the
     * direct sum, at 128 and 512 bits alike). A transform with one wrong coefficient makes errors
     * of order 1.
     */
    private static final double REL_L2 = 1e-5;

    /** The worst error seen per algorithm, printed at the end (bench/RESULTS.md quotes it). */
    private static final java.util.Map<Conv2d.Algorithm, Double> WORST =
            new java.util.concurrent.ConcurrentHashMap<>();

    @AfterAll
    static void printWorst() {
        System.out.println("ConvWinogradTest: worst relative L2 against the double reference: " + WORST);
    }

    @BeforeEach
    void vectorKernel() {
        assertTrue(ConvKernels.VECTOR_AVAILABLE, "the Winograd kernel needs --add-modules jdk.incubator.vector");
        ConvKernels.useVector(true);
    }

    /** A convolution problem with random data: batch x frames images of cin channels, h x w. */
    private record Problem(int batch, int frames, int cin, int cout, int h, int w, float[] weight, float[] bias,
                           float[] x, float[] residual) {
        static Problem random(long seed, int batch, int frames, int cin, int cout, int h, int w) {
            Random r = new Random(seed);
            return new Problem(batch, frames, cin, cout, h, w, uniform(r, cout * cin * 9), uniform(r, cout),
                    uniform(r, batch * cin * frames * h * w), uniform(r, batch * cout * frames * h * w));
        }

        Conv2d conv(Conv2d.Algorithm a, Activation act) {
            return Conv2d.of(weight, bias, cout, cin, 3, 3, 1).withActivation(act).withAlgorithm(a);
        }

        /** act(conv(x) + residual) in double, (batch, cout, frames, h, w). */
        double[] reference(boolean withResidual, Activation act) {
            int plane = h * w;
            double[] out = new double[batch * cout * frames * plane];
            for (int b = 0; b < batch; b++) {
                for (int co = 0; co < cout; co++) {
                    for (int f = 0; f < frames; f++) {
                        for (int y = 0; y < h; y++) {
                            for (int xx = 0; xx < w; xx++) {
                                double s = bias[co];
                                for (int ci = 0; ci < cin; ci++) {
                                    int p = ((b * cin + ci) * frames + f) * plane;
                                    for (int ky = 0; ky < 3; ky++) {
                                        int sy = y + ky - 1;
                                        for (int kx = 0; kx < 3; kx++) {
                                            int sx = xx + kx - 1;
                                            if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
                                                s += (double) weight[((co * cin + ci) * 3 + ky) * 3 + kx]
                                                        * x[p + sy * w + sx];
                                            }
                                        }
                                    }
                                }
                                int o = ((b * cout + co) * frames + f) * plane + y * w + xx;
                                if (withResidual) {
                                    s += residual[o];
                                }
                                out[o] = act(act, s);
                            }
                        }
                    }
                }
            }
            return out;
        }
    }

    private static float[] uniform(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2 - 1;
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

    private static double relativeL2(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            assertFalse(Float.isNaN(actual[i]), "NaN at " + i);
            double e = actual[i] - expected[i];
            num += e * e;
            den += expected[i] * expected[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    /** Runs p through the conv into a fresh output poisoned with NaN: every output must be written. */
    private static float[] run(Problem p, Conv2d conv, boolean withResidual) {
        float[] out = new float[p.batch * p.cout * p.frames * p.h * p.w];
        Arrays.fill(out, Float.NaN);
        conv.run(p.x, 0, p.batch, p.frames, p.h, p.w, 1, out, 0, p.cout, 0, withResidual ? p.residual : null, 0);
        return out;
    }

    private static void check(Problem p, Activation act, boolean withResidual) {
        double[] ref = p.reference(withResidual, act);
        for (Conv2d.Algorithm a : new Conv2d.Algorithm[] {Conv2d.Algorithm.WINOGRAD, Conv2d.Algorithm.DIRECT}) {
            Conv2d conv = p.conv(a, act);
            assertEquals(a == Conv2d.Algorithm.WINOGRAD, conv.usesWinograd(p.batch * p.frames, p.h, p.w));
            double err = relativeL2(ref, run(p, conv, withResidual));
            WORST.merge(a, err, Math::max);
            assertTrue(err <= REL_L2, a + " " + p.cin + "->" + p.cout + " at " + p.h + "x" + p.w + ": relative L2 "
                    + err);
        }
    }

    @ParameterizedTest
    @CsvSource({
            // batch, frames, cin, cout, h, w
            "1, 1, 16, 16, 8, 8",
            "1, 1, 45, 45, 17, 13",   // odd sizes, channels not multiples of any vector length
            "1, 1, 3, 5, 1, 1",       // one pixel: one tile, almost all padding
            "1, 1, 7, 9, 2, 3",
            "2, 3, 11, 19, 5, 6",     // frames and batch items are independent images
            "1, 1, 64, 70, 4, 4",     // several channel blocks, a tail block of one vector
            "1, 1, 130, 33, 9, 31",   // more input channels than one chunk
            "3, 1, 20, 100, 12, 12",
            "1, 1, 256, 64, 32, 32",  // the decoder's up-block shape
    })
    void matchesTheDoubleReference(int batch, int frames, int cin, int cout, int h, int w) {
        check(Problem.random(cin * 1000L + h, batch, frames, cin, cout, h, w), Activation.NONE, false);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void fusesResidualAndActivation(Activation act) {
        check(Problem.random(5, 2, 1, 21, 27, 11, 10), act, true);
        check(Problem.random(6, 1, 2, 9, 12, 7, 5), act, false);
    }

    @Test
    void writesOnlyItsChannelSliceOfALargerOutput() {
        Problem p = Problem.random(7, 2, 2, 13, 10, 9, 7);
        int total = 25;
        int offset = 6;
        int plane = p.frames * p.h * p.w;
        double[] ref = p.reference(true, Activation.RELU);
        for (Conv2d.Algorithm a : new Conv2d.Algorithm[] {Conv2d.Algorithm.WINOGRAD, Conv2d.Algorithm.DIRECT}) {
            float[] out = new float[p.batch * total * plane];
            Arrays.fill(out, Float.NaN);
            int outOff = 3;
            float[] big = new float[outOff + out.length];
            Arrays.fill(big, Float.NaN);
            float[] res = new float[5 + p.residual.length];
            System.arraycopy(p.residual, 0, res, 5, p.residual.length);
            float[] x = new float[2 + p.x.length];
            System.arraycopy(p.x, 0, x, 2, p.x.length);
            p.conv(a, Activation.RELU).run(x, 2, p.batch, p.frames, p.h, p.w, 1, big, outOff, total, offset, res, 5);
            float[] slice = new float[ref.length];
            for (int b = 0; b < p.batch; b++) {
                for (int c = 0; c < total; c++) {
                    for (int i = 0; i < plane; i++) {
                        float v = big[outOff + (b * total + c) * plane + i];
                        if (c >= offset && c < offset + p.cout) {
                            slice[(b * p.cout + c - offset) * plane + i] = v;
                        } else {
                            assertTrue(Float.isNaN(v), a + ": wrote channel " + c + " outside its slice");
                        }
                    }
                }
            }
            for (int i = 0; i < outOff; i++) {
                assertTrue(Float.isNaN(big[i]), a + ": wrote before the output offset");
            }
            double err = relativeL2(ref, slice);
            assertTrue(err <= REL_L2, a + ": relative L2 " + err);
        }
    }

    @Test
    void aFrameGivesTheSameBitsAloneAsInABatch() {
        // the channel sum's order does not depend on the tile blocking, which depends on the frame count
        Problem p = Problem.random(8, 1, 9, 40, 24, 13, 13);
        Conv2d conv = p.conv(Conv2d.Algorithm.WINOGRAD, Activation.LEAKY_RELU_0_2);
        float[] all = run(p, conv, false);
        int in = p.cin * p.h * p.w;
        int out = p.cout * p.h * p.w;
        for (int f = 0; f < p.frames; f++) {
            float[] x = new float[in];
            float[] y = new float[out];
            for (int c = 0; c < p.cin; c++) {
                System.arraycopy(p.x, (c * p.frames + f) * p.h * p.w, x, c * p.h * p.w, p.h * p.w);
            }
            conv.run(x, 0, 1, 1, p.h, p.w, 1, y, 0, p.cout, 0, null, 0);
            for (int c = 0; c < p.cout; c++) {
                for (int i = 0; i < p.h * p.w; i++) {
                    assertEquals(all[(c * p.frames + f) * p.h * p.w + i], y[c * p.h * p.w + i],
                            "frame " + f + " channel " + c + " pixel " + i);
                }
            }
        }
    }

    @Test
    void onlyPlainThreeByThreeConvolutionsCanTakeWinograd() {
        Random r = new Random(9);
        Conv2d k5 = Conv2d.of(uniform(r, 8 * 8 * 25), null, 8, 8, 5, 5, 1).withAlgorithm(Conv2d.Algorithm.WINOGRAD);
        Conv2d grouped = Conv2d.of(uniform(r, 8 * 4 * 9), null, 8, 8, 3, 3, 2)
                .withAlgorithm(Conv2d.Algorithm.WINOGRAD);
        assertFalse(k5.usesWinograd(1, 16, 16));
        assertFalse(grouped.usesWinograd(1, 16, 16));
        // upsampled inputs take the direct kernel's phase kernels whatever is forced: check they are still right
        Problem p = Problem.random(10, 1, 1, 12, 12, 5, 6);
        Conv2d up = p.conv(Conv2d.Algorithm.WINOGRAD, Activation.NONE);
        Conv2d upDirect = p.conv(Conv2d.Algorithm.DIRECT, Activation.NONE);
        float[] a = new float[12 * 20 * 24];
        float[] b = new float[12 * 20 * 24];
        up.run(p.x, 0, 1, 1, 5, 6, 2, a, 0, 12, 0, null, 0);
        upDirect.run(p.x, 0, 1, 1, 5, 6, 2, b, 0, 12, 0, null, 0);
        assertTrue(Arrays.equals(a, b));
    }

    @Test
    void autoMeasuresOnceAndKeepsItsChoicePerShape() {
        Problem p = Problem.random(11, 1, 1, 32, 32, 16, 15);
        Conv2d one = p.conv(Conv2d.Algorithm.AUTO, Activation.NONE);
        boolean first = one.usesWinograd(1, 16, 15);
        assertEquals(first, Conv2d.winogradChosen(32, 32, 16, 15));
        Conv2d another = Problem.random(12, 1, 1, 32, 32, 16, 15).conv(Conv2d.Algorithm.AUTO, Activation.RELU);
        for (int i = 0; i < 3; i++) {
            assertEquals(first, another.usesWinograd(4, 16, 15), "a second instance, another frame count");
        }
        assertTrue(relativeL2(p.reference(false, Activation.NONE), run(p, one, false)) <= REL_L2);
        // channels too few to pay for the transforms are never measured
        Problem few = Problem.random(13, 1, 1, 3, 40, 16, 16);
        assertFalse(few.conv(Conv2d.Algorithm.AUTO, Activation.NONE).usesWinograd(1, 16, 16));
        assertEquals(null, Conv2d.winogradChosen(3, 40, 16, 16));
        // nor maps of fewer than 16 tiles a frame, whatever the frame count
        Problem small = Problem.random(15, 1, 1, 64, 64, 12, 13);
        assertFalse(small.conv(Conv2d.Algorithm.AUTO, Activation.NONE).usesWinograd(8, 12, 13));
        assertEquals(null, Conv2d.winogradChosen(64, 64, 12, 13));
    }

    @Test
    void winogradRoundsDifferentlyFromTheDirectSum() {
        // proves the forced switch reaches a different kernel (a test of the cases above is then not run twice on one)
        Problem p = Problem.random(14, 1, 1, 32, 16, 12, 12);
        float[] w = run(p, p.conv(Conv2d.Algorithm.WINOGRAD, Activation.NONE), false);
        float[] d = run(p, p.conv(Conv2d.Algorithm.DIRECT, Activation.NONE), false);
        assertNotEquals(Arrays.hashCode(w), Arrays.hashCode(d));
    }
}
