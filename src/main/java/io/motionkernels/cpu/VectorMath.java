package io.motionkernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API forms of the non-convolution kernels: exp (for the two softmaxes and
 * kp2gaussian; grid_sample's form is gone, see GridSample.sampleDepth1). Only {@link VectorOps} decides
 * whether this class is used; without {@code --add-modules jdk.incubator.vector} it is never loaded.
 *
 * <h2>exp</h2>
 * {@link #exp(FloatVector)} is Cephes' expf, in float32 lanes: x = n ln 2 + r with n the nearest
 * integer to x / ln 2 and |r| &lt;= ln 2 / 2 (ln 2 split in two so that n ln 2 is exact), e^r by
 * Cephes' degree-7 minimax polynomial (relative error 3.9e-8 on that interval), and 2^n built in
 * the exponent bits as two factors 2^a 2^(n - a), a = rint(n / 2), so that n from -150 to 128 needs no special
 * case: results below the smallest normal float come out subnormal and round to 0 below
 * e^-103.97, as Math.exp's do cast to float, and above e^88.72 the product overflows to infinity.
 * Measured against Math.exp in double on 2^24 spread points of [-104, 89] and every float of
 * [-1, 1]: at most {@value #EXP_MAX_ULPS} units in the last place of the float result (where that
 * result is a normal float; subnormal results differ by at most one subnormal step; see
 * VectorMathTest). NaN gives NaN, -inf 0, +inf +inf. {@link #expf(float)} is the same computation
 * in scalar code, operation for operation, so a loop's tail gives the same bits as its body.
 *
 * <p>JDK 17's lanewise {@code EXP} was not used: where it is not intrinsified it runs Math.exp lane
 * by lane, and the polynomial is both faster and predictable on every JDK.
 */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    static final int V = S.length();

    /** The measured bound of {@link #exp} against Math.exp, in float ulps (VectorMathTest checks it). */
    static final double EXP_MAX_ULPS = 1.5;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low mantissa bits. */
    private static final float SHIFTER = 12582912f;
    private static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
    /** Below this exp is 0 in float (e^-104 is under half the smallest subnormal); above, infinity. */
    private static final float EXP_LO = -104f;
    private static final float EXP_HI = 89f;
    private static final float P0 = 1.9875691500E-4f;
    private static final float P1 = 1.3981999507E-3f;
    private static final float P2 = 8.3334519073E-3f;
    private static final float P3 = 4.1665795894E-2f;
    private static final float P4 = 1.6666665459E-1f;
    private static final float P5 = 5.0000001201E-1f;

    private VectorMath() {
    }

    /** Runs each kernel once on a tiny input; false (or a LinkageError) if the module does not work. */
    static boolean selfCheck() {
        float[] x = new float[V + 1];
        float[] o = new float[V + 1];
        softmaxPlane(x, 0, V + 1, 1f, o, 0);
        float e = exp(FloatVector.broadcast(S, 1f)).lane(0);
        return Math.abs(o[0] * (V + 1) - 1f) < 1e-5f && Math.abs(e - (float) Math.E) <= Math.ulp((float) Math.E) * 2
                && expf(1f) == e;
    }

    /** e^x lane by lane (see the class comment for the algorithm and its error bound). */
    static FloatVector exp(FloatVector x) {
        // max/min keep NaN (Math.max semantics), so NaN flows through to a NaN result
        FloatVector c = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = c.fma(LOG2E, SHIFTER);
        FloatVector n = t.sub(SHIFTER);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(S, P2));
        p = p.fma(r, FloatVector.broadcast(S, P3));
        p = p.fma(r, FloatVector.broadcast(S, P4));
        p = p.fma(r, FloatVector.broadcast(S, P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        // n = a + b with a = rint(n / 2): both in [-75, 64], so 2^a and 2^b are normal floats
        FloatVector a = n.mul(0.5f).add(SHIFTER).sub(SHIFTER);
        FloatVector b = n.sub(a);
        return y.mul(powerOfTwo(a)).mul(powerOfTwo(b));
    }

    /**
     * 2^k for integer-valued lanes k in [-126, 127]: (k + 127) written into the exponent bits. The
     * integer is read from the mantissa of k + 1.5 * 2^23 and moved up by a multiplication (JDK 17
     * does not compile lanewise shifts by a scalar count to vector instructions; they allocated).
     */
    private static FloatVector powerOfTwo(FloatVector k) {
        return k.add(SHIFTER).reinterpretAsInts().sub(SHIFTER_BITS - 127).mul(1 << 23).reinterpretAsFloats();
    }

    /**
     * a[off, off + n) = exp of itself, n a multiple of V; returns the sum of the exps (in float
     * lanes within blocks of 64 vectors, the block sums in double). The body is {@link #exp(FloatVector)} written out: called from a loop,
     * exp was compiled on its own first and then, too big to inline, passed and returned its
     * vectors boxed (two 96-byte objects per 16 values).
     */
    static double expInPlace(float[] a, int off, int n) {
        double total = 0;
        // blocks of 64 vectors: a lane sums at most 64 exps in float before the sum moves to double
        for (int b = 0; b < n; b += 64 * V) {
            total += expBlock(a, off + b, Math.min(n - b, 64 * V));
        }
        return total;
    }

    private static double expBlock(float[] a, int off, int n) {
        FloatVector sum = FloatVector.zero(S);
        for (int i = 0; i < n; i += V) {
            FloatVector c = FloatVector.fromArray(S, a, off + i).max(EXP_LO).min(EXP_HI);
            FloatVector t = c.fma(LOG2E, SHIFTER);
            FloatVector m = t.sub(SHIFTER);
            FloatVector r = m.fma(FloatVector.broadcast(S, -LN2_HI), c);
            r = m.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(P0, P1);
            p = p.fma(r, FloatVector.broadcast(S, P2));
            p = p.fma(r, FloatVector.broadcast(S, P3));
            p = p.fma(r, FloatVector.broadcast(S, P4));
            p = p.fma(r, FloatVector.broadcast(S, P5));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            FloatVector ha = m.mul(0.5f).add(SHIFTER).sub(SHIFTER);
            FloatVector hb = m.sub(ha);
            FloatVector e = y.mul(ha.add(SHIFTER).reinterpretAsInts().sub(SHIFTER_BITS - 127).mul(1 << 23)
                    .reinterpretAsFloats()).mul(hb.add(SHIFTER).reinterpretAsInts().sub(SHIFTER_BITS - 127)
                    .mul(1 << 23).reinterpretAsFloats());
            e.intoArray(a, off + i);
            sum = sum.add(e);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    /** {@link #exp(FloatVector)} in scalar code, with the same operations in the same order. */
    static float expf(float x) {
        float c = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(c, LOG2E, SHIFTER);
        float n = t - SHIFTER;
        float r = Math.fma(n, -LN2_HI, c);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        float a = (n * 0.5f + SHIFTER) - SHIFTER;
        float b = n - a;
        return y * powerOfTwo(a) * powerOfTwo(b);
    }

    private static float powerOfTwo(float k) {
        return Float.intBitsToFloat((Float.floatToRawIntBits(k + SHIFTER) - (SHIFTER_BITS - 127)) * (1 << 23));
    }

    /**
     * Softmax of x * invT over in[base, base + hw) into o[ob, ob + hw). The exponent is
     * (x - max) * invT, which is x * invT - max * invT of the scalar form; the exps are summed in
     * float lanes, hw / (2 V) terms a lane.
     */
    static void softmaxPlane(float[] in, int base, int hw, float invT, float[] o, int ob) {
        int vEnd = hw - hw % V;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < vEnd; i += V) {
            vmax = vmax.max(FloatVector.fromArray(S, in, base + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (int i = vEnd; i < hw; i++) {
            max = Math.max(max, in[base + i]);
        }
        FloatVector vm = FloatVector.broadcast(S, max);
        for (int v = 0; v < vEnd; v += V) {
            FloatVector.fromArray(S, in, base + v).sub(vm).mul(invT).intoArray(o, ob + v);
        }
        double sum = expInPlace(o, ob, vEnd);
        for (int i = vEnd; i < hw; i++) {
            float e = expf((in[base + i] - max) * invT);
            o[ob + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < vEnd; i += V) {
            FloatVector.fromArray(S, o, ob + i).mul(inv).intoArray(o, ob + i);
        }
        for (int i = vEnd; i < hw; i++) {
            o[ob + i] *= inv;
        }
    }

    /**
     * Softmax over {@code channels} channels {@code inner} apart, for positions [p0, p1): input
     * channel k of position p at in[ib + k * inner + p], output at o[ob + k * inner + p]. Lanes are
     * positions, so each channel is a contiguous load.
     */
    static void softmaxChannels(float[] in, int ib, int inner, int channels, int p0, int p1, float[] o, int ob) {
        int p = p0;
        for (; p + V <= p1; p += V) {
            FloatVector vmax = FloatVector.fromArray(S, in, ib + p);
            for (int k = 1; k < channels; k++) {
                vmax = vmax.max(FloatVector.fromArray(S, in, ib + k * inner + p));
            }
            FloatVector sum = FloatVector.zero(S);
            for (int k = 0; k < channels; k++) {
                FloatVector e = exp(FloatVector.fromArray(S, in, ib + k * inner + p).sub(vmax));
                e.intoArray(o, ob + k * inner + p);
                sum = sum.add(e);
            }
            FloatVector inv = FloatVector.broadcast(S, 1f).div(sum);
            for (int k = 0; k < channels; k++) {
                FloatVector.fromArray(S, o, ob + k * inner + p).mul(inv).intoArray(o, ob + k * inner + p);
            }
        }
        for (; p < p1; p++) {
            float max = in[ib + p];
            for (int k = 1; k < channels; k++) {
                max = Math.max(max, in[ib + k * inner + p]);
            }
            float sum = 0f;
            for (int k = 0; k < channels; k++) {
                float e = expf(in[ib + k * inner + p] - max);
                o[ob + k * inner + p] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int k = 0; k < channels; k++) {
                o[ob + k * inner + p] *= inv;
            }
        }
    }

    /**
     * One row of a gaussian: o[ob + j] = exp((a dx + b) dx + c) with dx = (xHi[j] - mx) + xLo[j],
     * the grid coordinate held as a float pair so that dx is as exact as the mean allows.
     */
    static void gaussianRow(float[] o, int ob, int w, float[] xHi, float[] xLo, float mx, float a, float b, float c) {
        int j = 0;
        for (; j + V <= w; j += V) {
            FloatVector dx = FloatVector.fromArray(S, xHi, j).sub(mx).add(FloatVector.fromArray(S, xLo, j));
            exp(dx.fma(a, b).fma(dx, FloatVector.broadcast(S, c))).intoArray(o, ob + j);
        }
        for (; j < w; j++) {
            float dx = (xHi[j] - mx) + xLo[j];
            o[ob + j] = expf(Math.fma(Math.fma(dx, a, b), dx, c));
        }
    }

}
