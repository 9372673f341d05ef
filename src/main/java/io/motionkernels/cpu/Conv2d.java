package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

import io.motionkernels.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A prepared 2-D convolution applied to every frame of a video: PyTorch's Conv3d with kernel
 * (1, kh, kw), padding (0, kh/2, kw/2), stride 1, optional groups, a bias, and a fused activation.
 * Frames are treated as batch. Immutable after construction, safe to share between threads.
 *
 * <p>Computed as an implicit GEMM per batch item and group: out[co][n] = sum_k w[co][k] * X[k][n],
 * where n runs over the pixels of all frames and k over (input channel, tap). X (im2col) is not
 * built whole: a task owns a block of pixels, packs X a panel at a time (16 taps by 256 pixels, sized
 * for the L1 cache) and sweeps all output channels over it with {@link GemmKernel}, accumulating
 * in rows that the epilogue (bias, residual, activation) copies out. Images too small to give the
 * cores enough pixel blocks take {@link ConvChannelMajor} instead. Accumulation is in float32,
 * like PyTorch on the CPU; the summation order differs from PyTorch's.
 *
 * <p>With {@code --add-modules jdk.incubator.vector} on the java command line all of this is replaced
 * by {@link ConvDirect}, a Vector API direct convolution about 3.5x faster (see {@link ConvKernels}).
 * There, the 3x3 convolutions (one group, no upsampling) may instead run as {@link ConvWinograd},
 * chosen per problem shape from a short measurement of both at first use, as cuDNN chooses an
 * algorithm ({@link Algorithm}).
 */
public final class Conv2d {
    /** Most pixels per block: long vector loops, while the accumulator rows of a block fit in L2. */
    private static final int NB = 256;
    /** Fewest pixels per panel when blocks are narrowed to give every core work. */
    private static final int NB_MIN = 128;
    /**
     * Floats per panel: 16 taps x 256 pixels = 16 KiB stays in the 32 KiB L1 data cache while every
     * output channel sweeps it. Streamed from L2 instead, the four row loads per step cap the kernel
     * near 33 GFLOP/s a core; from L1 it reaches about 41 (measured on an AVX2 Zen core).
     */
    private static final int PANEL = 4096;
    /** Largest im2col (floats) packed whole for the channel-major path. */
    private static final long MAX_SHARED_PACK = 1L << 23;

    /**
     * How the Vector API path computes a 3x3 convolution. AUTO measures both kernels the first time
     * a shape is met and keeps the faster; the system property {@code motionkernels.conv}
     * ({@code auto}, {@code direct}, {@code winograd}) sets the default, for tests and benchmarks.
     * Only 3x3 convolutions with one group and no upsampling can take Winograd; the others always
     * run the direct kernel.
     */
    public enum Algorithm {
        AUTO, DIRECT, WINOGRAD
    }

    private static final Algorithm DEFAULT_ALGORITHM = parseAlgorithm(System.getProperty("motionkernels.conv"));

    /**
     * AUTO's choices, process-wide, by problem shape: every convolution of one shape gets the same
     * kernel, so that two instances of a model (or a stream and a batch) compute the same rounding.
     */
    private static final ConcurrentHashMap<Shape, Boolean> WINOGRAD_WINS = new ConcurrentHashMap<>();

    /** What the choice depends on: the arithmetic's shape, not the weights or the number of frames. */
    private record Shape(int cin, int cout, int h, int w) {
    }

    /**
     * AUTO asks for no measurement below this many input or output channels: the transforms, per
     * channel, then cost about as much as the GEMM they save (the kp2gaussian's and RGB's few).
     */
    private static final int MIN_WINOGRAD_CHANNELS = 8;

    /**
     * Nor below this many 4x4 tiles a frame (maps under 13x13): the transformed filter, four times
     * the weights, is streamed from memory for every call, and with few tiles to share it the GEMM
     * waits on memory (a 512-to-1024-channel 4x4 layer, one tile: 4.9 ms against the direct
     * kernel's 1.8). A measurement there could only be wrong by noise, and once was.
     */
    private static final int MIN_WINOGRAD_TILES = 16;

    private final int cout;
    private final int cin;
    private final int kh;
    private final int kw;
    private final int groups;
    /** Taps per output channel: cin / groups * kh * kw. */
    private final int kTotal;
    /** kTotal rounded up to a multiple of 4: the row stride of {@link #weights}. */
    private final int kPad;
    /** (cout, kPad), row-major, zero past kTotal: the GEMM's left operand. */
    private final float[] weights;
    private final float[] bias;
    private final Activation activation;
    /**
     * Repacked weights, built on first use by the path that needs them and shared with
     * withActivation copies: transposed for small images, or in ConvDirect's register blocks.
     */
    private volatile ConvChannelMajor channelMajor;
    private volatile ConvDirect direct;
    private volatile ConvWinograd winograd;
    /** null: the process default. */
    private final Algorithm algorithm;

    private Conv2d(int cout, int cin, int kh, int kw, int groups, float[] weights, float[] bias, Activation act) {
        this(cout, cin, kh, kw, groups, weights, bias, act, null);
    }

    private Conv2d(int cout, int cin, int kh, int kw, int groups, float[] weights, float[] bias, Activation act,
                   Algorithm algorithm) {
        this.algorithm = algorithm;
        this.cout = cout;
        this.cin = cin;
        this.kh = kh;
        this.kw = kw;
        this.groups = groups;
        this.kTotal = cin / groups * kh * kw;
        this.kPad = (kTotal + 3) & ~3;
        this.weights = weights;
        this.bias = bias;
        this.activation = act;
    }

    /**
     * weight (cout, cin/groups, kh, kw), bias (cout) or null for none; kh and kw odd; padding
     * kh/2, kw/2. The arrays are copied.
     */
    public static Conv2d of(float[] weight, float[] bias, int cout, int cin, int kh, int kw, int groups) {
        if (cout <= 0 || cin <= 0 || groups <= 0 || cin % groups != 0 || cout % groups != 0) {
            throw new IllegalArgumentException("conv: cin " + cin + " and cout " + cout
                    + " must be positive multiples of groups " + groups);
        }
        if (kh <= 0 || kw <= 0 || kh % 2 == 0 || kw % 2 == 0) {
            throw new IllegalArgumentException("conv: kernel " + kh + "x" + kw + " must have odd sides");
        }
        int k = cin / groups * kh * kw;
        if (weight == null || weight.length != (long) cout * k) {
            throw new IllegalArgumentException("conv: weight must have " + (long) cout * k + " values (cout "
                    + cout + ", cin/groups " + cin / groups + ", " + kh + "x" + kw + "), got "
                    + (weight == null ? "null" : weight.length));
        }
        if (bias != null && bias.length != cout) {
            throw new IllegalArgumentException("conv: bias must have " + cout + " values, got " + bias.length);
        }
        int kPad = (k + 3) & ~3;
        float[] packed = new float[cout * kPad];
        for (int co = 0; co < cout; co++) {
            System.arraycopy(weight, co * k, packed, co * kPad, k);
        }
        float[] b = bias == null ? new float[cout] : bias.clone();
        return new Conv2d(cout, cin, kh, kw, groups, packed, b, Activation.NONE);
    }

    /** This convolution followed by inference batch norm, folded into new weights and bias. */
    public Conv2d foldBatchNorm(float[] gamma, float[] beta, float[] runningMean, float[] runningVar, double eps) {
        for (float[] p : new float[][] {gamma, beta, runningMean, runningVar}) {
            if (p == null || p.length != cout) {
                throw new IllegalArgumentException("batch norm parameters must have " + cout + " values (one per output"
                        + " channel), got " + (p == null ? "null" : p.length));
            }
        }
        float[] w = new float[weights.length];
        float[] b = new float[cout];
        for (int co = 0; co < cout; co++) {
            double s = gamma[co] / Math.sqrt((double) runningVar[co] + eps);
            for (int k = 0; k < kTotal; k++) {
                w[co * kPad + k] = (float) (weights[co * kPad + k] * s);
            }
            b[co] = (float) (((double) bias[co] - runningMean[co]) * s + beta[co]);
        }
        return new Conv2d(cout, cin, kh, kw, groups, w, b, activation, algorithm);
    }

    /** This convolution with {@code act} applied to its output. */
    public Conv2d withActivation(Activation act) {
        Conv2d c = new Conv2d(cout, cin, kh, kw, groups, weights, bias, act, algorithm);
        c.channelMajor = channelMajor;
        c.direct = direct;
        c.winograd = winograd;
        return c;
    }

    /** This convolution with its 3x3 algorithm forced (or AUTO), whatever {@code motionkernels.conv} says. */
    public Conv2d withAlgorithm(Algorithm a) {
        Conv2d c = new Conv2d(cout, cin, kh, kw, groups, weights, bias, activation, a);
        c.channelMajor = channelMajor;
        c.direct = direct;
        c.winograd = winograd;
        return c;
    }

    /** The process default: {@code motionkernels.conv}, AUTO when unset. */
    public static Algorithm defaultAlgorithm() {
        return DEFAULT_ALGORITHM;
    }

    private static Algorithm parseAlgorithm(String p) {
        if (p == null || p.isBlank()) {
            return Algorithm.AUTO;
        }
        try {
            return Algorithm.valueOf(p.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("motionkernels.conv must be auto, direct or winograd, got " + p, e);
        }
    }

    public int inChannels() {
        return cin;
    }

    public int outChannels() {
        return cout;
    }

    public Activation activation() {
        return activation;
    }

    /** x (B, cin, D, H, W) -> (B, cout, D, H, W). */
    public Tensor apply(Tensor x) {
        checkInput(x);
        Tensor out = Tensor.zeros(x.dim(0), cout, x.dim(2), x.dim(3), x.dim(4));
        run(x, 1, out, 0, null);
        return out;
    }

    /**
     * Writes the result into channels [channelOffset, channelOffset + cout) of {@code out}
     * (B, C_out_total, D, H, W): concatenation without a copy.
     */
    public void applyInto(Tensor x, Tensor out, int channelOffset) {
        checkInput(x);
        checkOutput(out, channelOffset, x.dim(0), x.dim(2), x.dim(3), x.dim(4));
        run(x, 1, out, channelOffset, null);
    }

    /**
     * {@code act(conv(x) + residual)}: a residual connection fused into the output pass. With
     * activation NONE this is ResBlock's {@code conv2(...) + x}. residual has the output's shape.
     */
    public Tensor applyAdd(Tensor x, Tensor residual) {
        checkInput(x);
        Tensor out = Tensor.zeros(x.dim(0), cout, x.dim(2), x.dim(3), x.dim(4));
        residual.requireShape("conv residual", out.shape());
        run(x, 1, out, 0, residual);
        return out;
    }

    /**
     * This convolution applied to x upsampled x2 (nearest) in height and width, without building
     * the upsampled tensor: x (B, cin, D, h, w) -> (B, cout, D, 2h, 2w). UpBlock's first two steps.
     */
    public Tensor applyUpsampled2x(Tensor x) {
        checkInput(x);
        Tensor out = Tensor.zeros(x.dim(0), cout, x.dim(2), 2 * x.dim(3), 2 * x.dim(4));
        run(x, 2, out, 0, null);
        return out;
    }

    /** {@link #applyUpsampled2x} written into channels [channelOffset, channelOffset + cout) of out. */
    public void applyUpsampled2xInto(Tensor x, Tensor out, int channelOffset) {
        checkInput(x);
        checkOutput(out, channelOffset, x.dim(0), x.dim(2), 2 * x.dim(3), 2 * x.dim(4));
        run(x, 2, out, channelOffset, null);
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 5 || x.dim(1) != cin) {
            throw new IllegalArgumentException("conv input must be (B, " + cin + ", D, H, W), got " + x.shapeString());
        }
    }

    private void checkOutput(Tensor out, int channelOffset, int b, int d, int h, int w) {
        if (out.rank() != 5 || out.dim(0) != b || out.dim(2) != d || out.dim(3) != h || out.dim(4) != w
                || channelOffset < 0 || channelOffset + cout > out.dim(1)) {
            throw new IllegalArgumentException("conv output must be (" + b + ", >= " + channelOffset + " + " + cout
                    + ", " + d + ", " + h + ", " + w + "), got " + out.shapeString() + " at channel " + channelOffset);
        }
    }

    private void run(Tensor x, int up, Tensor out, int channelOffset, Tensor residual) {
        run(x.data(), 0, x.dim(0), x.dim(2), x.dim(3), x.dim(4), up, out.data(), 0, out.dim(1), channelOffset,
                residual == null ? null : residual.data(), 0);
    }

    /**
     * This convolution on raw memory, (batch, cin, frames, h, w) at in[inOff], of the input
     * upsampled {@code up} times (1 or 2, nearest), into channels [channelOffset, channelOffset +
     * cout) of (batch, outChannels, frames, up * h, up * w) at out[outOff], plus residual
     * (batch, cout, frames, up * h, up * w) at res[resOff] when res is not null.
     */
    public void run(float[] in, int inOff, int batch, int frames, int h, int w, int up, float[] o, int oOff,
                    int outChannels, int channelOffset, float[] res, int resOff) {
        if (channelOffset < 0 || channelOffset + cout > outChannels || (up != 1 && up != 2)) {
            throw new IllegalArgumentException("conv output channels [" + channelOffset + ", " + (channelOffset + cout)
                    + ") of " + outChannels + ", upsampling " + up);
        }
        int inPlane = frames * h * w;
        int n = inPlane * up * up;
        if (batch == 0 || n == 0) {
            return;
        }
        if (ConvKernels.vector()) {
            if (up == 1 && usesWinograd(batch * frames, h, w)) {
                winograd().run(in, inOff, batch, frames, h, w, o, oOff, outChannels, channelOffset, res, resOff,
                        activation);
            } else {
                direct().run(in, inOff, batch, frames, h, w, up, o, oOff, outChannels, channelOffset, res, resOff,
                        activation);
            }
            return;
        }
        int wanted = wantedTasks();
        if (channelMajorFor(batch, n)) {
            runChannelMajor(in, inOff, batch, frames, h, w, up, o, oOff, outChannels, channelOffset, res, resOff, wanted);
            return;
        }
        int coutG = cout / groups;
        int nb = blockWidth(batch * groups, n, wanted);
        int nBlocks = (n + nb - 1) / nb;
        int tasks = batch * groups * nBlocks;
        long flopsPerTask = 2L * coutG * kPad * nb;
        Parallel.forRange(tasks, flopsPerTask, task -> {
            int blk = task % nBlocks;
            int rest = task / nBlocks;
            int g = rest % groups;
            int b = rest / groups;
            int n0 = blk * nb;
            int len = Math.min(nb, n - n0);
            int inBase = inOff + (b * cin + g * (cin / groups)) * inPlane;
            int outBase = oOff + (b * outChannels + channelOffset) * n + n0;
            int resBase = resOff + b * cout * n + n0;
            block(in, inBase, inPlane, h, w, up, g * coutG, (g + 1) * coutG, n0, len, o, outBase, n, res, resBase);
        });
    }

    private ConvDirect direct() {
        ConvDirect d = direct;
        if (d == null) {
            // a race builds it twice at worst, identically; the field is only a cache
            d = ConvDirect.of(weights, kPad, bias, cout, cin, kh, kw, groups);
            direct = d;
        }
        return d;
    }

    private ConvWinograd winograd() {
        ConvWinograd wg = winograd;
        if (wg == null) {
            // a race builds it twice at worst, identically; the field is only a cache
            wg = ConvWinograd.of(weights, kPad, bias, cout, cin);
            winograd = wg;
        }
        return wg;
    }

    /** Whether the Vector API path can compute this convolution by Winograd at all. */
    private boolean winogradShape() {
        return kh == 3 && kw == 3 && groups == 1;
    }

    /**
     * Which kernel a Vector API call of {@code images} frames of h x w, not upsampled, runs: the
     * forced one, or AUTO's measured choice for this shape (measured now if it is the first).
     */
    boolean usesWinograd(int images, int h, int w) {
        if (!winogradShape()) {
            return false;
        }
        Algorithm a = algorithm == null ? DEFAULT_ALGORITHM : algorithm;
        if (a != Algorithm.AUTO) {
            return a == Algorithm.WINOGRAD;
        }
        if (cin < MIN_WINOGRAD_CHANNELS || cout < MIN_WINOGRAD_CHANNELS
                || ((h + 3) / 4) * ((w + 3) / 4) < MIN_WINOGRAD_TILES) {
            return false;
        }
        Shape shape = new Shape(cin, cout, h, w);
        Boolean wins = WINOGRAD_WINS.get(shape);
        if (wins == null) {
            // two threads meeting a new shape at once may both measure; the first answer stays
            wins = measure(images, h, w);
            Boolean first = WINOGRAD_WINS.putIfAbsent(shape, wins);
            if (first != null) {
                wins = first;
            }
        }
        return wins;
    }

    /** Longest a measurement keeps repeating once both kernels have run {@link #MIN_TRIALS} times. */
    private static final long MEASURE_NANOS = 40_000_000L;
    private static final int MIN_TRIALS = 3;
    private static final int MAX_TRIALS = 40;
    /** Longest a measurement waits for steady times. */
    private static final long MAX_MEASURE_NANOS = 1_500_000_000L;
    /** Largest input or output (floats) a measurement builds: fewer frames are timed beyond it. */
    private static final long MEASURE_FLOATS = 1L << 22;

    /**
     * Times both kernels, alternated, on frames of this shape (as many as the call has, up to
     * MEASURE_FLOATS), and says whether Winograd's best time beats the direct kernel's by 5%: a
     * near tie keeps the direct kernel, whose rounding is the plain sum's. The first trials also
     * warm the JIT; the minimum of the rest is what counts.
     */
    private boolean measure(int images, int h, int w) {
        warmUp();
        long plane = (long) h * w;
        int k = (int) Math.max(1, Math.min(images, MEASURE_FLOATS / (plane * Math.max(cin, cout))));
        float[] x = new float[Math.toIntExact(k * cin * plane)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 0x9E3779B9 >>> 8) * 0x1p-24f - 0.5f; // any data: the time does not depend on it
        }
        float[] y = new float[Math.toIntExact(k * cout * plane)];
        ConvDirect d = direct();
        ConvWinograd wg = winograd();
        long bestDirect = Long.MAX_VALUE;
        long bestWinograd = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (int trial = 0; trial < MAX_TRIALS; trial++) {
            long t0 = System.nanoTime();
            d.run(x, 0, k, 1, h, w, 1, y, 0, cout, 0, null, 0, activation);
            long t1 = System.nanoTime();
            wg.run(x, 0, k, 1, h, w, y, 0, cout, 0, null, 0, activation);
            long t2 = System.nanoTime();
            if (trial > 0) {
                bestDirect = Math.min(bestDirect, t1 - t0);
                bestWinograd = Math.min(bestWinograd, t2 - t1);
            }
            // steady: both kernels' last times near their best (no compilation under way)
            boolean steady = t1 - t0 <= 1.25 * bestDirect && t2 - t1 <= 1.25 * bestWinograd;
            long spent = t2 - start;
            if (trial >= MIN_TRIALS && (spent > MEASURE_NANOS && steady || spent > MAX_MEASURE_NANOS)) {
                break;
            }
        }
        return bestWinograd < 0.95 * bestDirect;
    }

    private static volatile boolean warm;

    /**
     * Before the first measurement in a JVM: both kernels on small problems until C2 has compiled
     * them. Vector API code compiled by C1 alone runs 10 to 30 times slower than C2's (it boxes every
     * vector), so a measurement in a cold JVM would time the compilers, not the kernels. Stops when a
     * round of calls is no faster than the one before it, or after WARM_NANOS.
     */
    private static void warmUp() {
        if (warm) {
            return;
        }
        synchronized (Conv2d.class) {
            if (warm) {
                return;
            }
            // output channel counts whose vectors end in blocks of 3, 2 and 1 at 128, 256 and 512 bits
            int[] couts = {56, 72, 88};
            int cin = 8;
            int hw = 6;
            Conv2d[] convs = new Conv2d[couts.length];
            for (int i = 0; i < couts.length; i++) {
                float[] wt = new float[couts[i] * cin * 9];
                for (int j = 0; j < wt.length; j++) {
                    wt[j] = (j * 0x9E3779B9 >>> 8) * 0x1p-24f - 0.5f;
                }
                convs[i] = of(wt, null, couts[i], cin, 3, 3, 1).withActivation(Activation.RELU);
            }
            float[] x = new float[cin * hw * hw];
            Arrays.fill(x, 0.25f);
            float[] y = new float[couts[couts.length - 1] * hw * hw];
            float[] res = new float[y.length];
            long start = System.nanoTime();
            long previous = Long.MAX_VALUE;
            while (System.nanoTime() - start < WARM_NANOS) {
                long t0 = System.nanoTime();
                for (int r = 0; r < 12; r++) {
                    Conv2d c = convs[r % convs.length];
                    float[] rs = r % 2 == 0 ? null : res;
                    c.direct().run(x, 0, 1, 1, hw, hw, 1, y, 0, c.cout, 0, rs, 0, c.activation);
                    c.winograd().run(x, 0, 1, 1, hw, hw, y, 0, c.cout, 0, rs, 0, c.activation);
                }
                long t = System.nanoTime() - t0;
                if (t > 0.95 * previous && System.nanoTime() - start > WARM_MIN_NANOS) {
                    break;
                }
                previous = Math.min(previous, t);
            }
            warm = true;
        }
    }

    private static final long WARM_NANOS = 2_000_000_000L;
    private static final long WARM_MIN_NANOS = 200_000_000L;

    /**
     * AUTO's choice for a shape, where it has been made (null where not): for tests and the
     * benchmarks' reports (the package is not exported to modules).
     */
    public static Boolean winogradChosen(int cin, int cout, int h, int w) {
        return WINOGRAD_WINS.get(new Shape(cin, cout, h, w));
    }

    /**
     * Pixels per block: about NB, or down to NB_MIN when that gives every core enough blocks, a
     * multiple of 8 (a vector) so that only the last block has a vector-loop tail.
     */
    private static int blockWidth(int items, int n, int wanted) {
        int blocks = (n + NB - 1) / NB;
        if (items * blocks < wanted) {
            blocks = Math.min((n + NB_MIN - 1) / NB_MIN, (wanted + items - 1) / items);
        }
        int nb = (n + blocks - 1) / blocks;
        return Math.min(NB, (nb + 7) / 8 * 8);
    }

    private static int wantedTasks() {
        return 4 * Parallel.workers();
    }

    /**
     * Whether a call with {@code batch} items of {@code n} output pixels each takes the channel-major
     * path: when the pixels alone make fewer tasks than the cores want and too short vector loops.
     */
    boolean channelMajorFor(int batch, int n) {
        long pixelTasks = (long) batch * groups * ((n + NB_MIN - 1) / NB_MIN);
        return n <= 2 * NB && pixelTasks < wantedTasks() && cout / groups >= 32
                && (long) batch * groups * n * kPad <= MAX_SHARED_PACK;
    }

    /** Small images: see {@link ConvChannelMajor}. Tasks are (batch item, group, channel block, pixel range). */
    private void runChannelMajor(float[] in, int inOff, int batch, int frames, int h, int w, int up, float[] o,
                                 int oOff, int outChannels, int channelOffset, float[] res, int resOff, int wanted) {
        ConvChannelMajor cm = channelMajor();
        int n = frames * h * w * up * up;
        // one buffer per call, not per thread: tasks of this call read it from every thread.
        // packTransposed writes every element it covers, so a lent buffer needs no clearing.
        float[] xt = ConvBuffers.take(batch * groups * n * kPad);
        try {
            packAndMultiply(cm, in, inOff, batch, frames, h, w, up, o, oOff, outChannels, channelOffset, res, resOff,
                    wanted, xt);
        } finally {
            ConvBuffers.give(xt);
        }
    }

    private void packAndMultiply(ConvChannelMajor cm, float[] in, int inOff, int batch, int frames, int h, int w,
                                 int up, float[] o, int oOff, int outChannels, int channelOffset, float[] res,
                                 int resOff, int wanted, float[] xt) {
        int inPlane = frames * h * w;
        int n = inPlane * up * up;
        int coutG = cout / groups;
        int cinG = cin / groups;
        int blocks = cm.rows[0].length;
        int bg = batch * groups;
        int packChunk = Math.max(1, (n + 3) / 4);
        int packChunks = (n + packChunk - 1) / packChunk;
        Parallel.forRange(bg * packChunks, (long) packChunk * kPad * 4, t -> {
            int item = t / packChunks;
            int p0 = (t % packChunks) * packChunk;
            int b = item / groups;
            int g = item % groups;
            ConvChannelMajor.packTransposed(in, inOff + (b * cin + g * cinG) * inPlane, inPlane, h, w, up, kh, kw,
                    kTotal, kPad, p0, Math.min(n, p0 + packChunk), xt, item * n * kPad);
        });
        int pSplits = Math.max(1, Math.min((wanted + bg * blocks - 1) / (bg * blocks), n / 4));
        int perSplit = (n + pSplits - 1) / pSplits;
        long flopsPerTask = 2L * cm.blockWidth * kPad * perSplit;
        Parallel.forRange(bg * blocks * pSplits, flopsPerTask, t -> {
            int s = t % pSplits;
            int rest = t / pSplits;
            int j = rest % blocks;
            int item = rest / blocks;
            int b = item / groups;
            int g = item % groups;
            int p0 = s * perSplit;
            int p1 = Math.min(n, p0 + perSplit);
            if (p0 >= p1) {
                return;
            }
            cm.block(g, j, xt, item * n * kPad, kPad, p0, p1, bias, g * coutG + j * cm.blockWidth, activation,
                    o, oOff + (b * outChannels + channelOffset) * n, n, res, resOff + b * cout * n);
        });
    }

    private ConvChannelMajor channelMajor() {
        ConvChannelMajor cm = channelMajor;
        if (cm == null) {
            // a race builds it twice at worst, identically; the field is only a cache
            cm = ConvChannelMajor.of(weights, cout, groups, kPad);
            channelMajor = cm;
        }
        return cm;
    }

    /** One task: output channels [co0, co1) at pixels [n0, n0 + nb) of one batch item and group. */
    private void block(float[] in, int inBase, int inPlane, int h, int w, int up, int co0, int co1, int n0, int nb,
                       float[] out, int outBase, int n, float[] res, int resBase) {
        int kcMax = Math.min(128, Math.max(4, (PANEL / nb) & ~3));
        ConvScratch scratch = ConvScratch.get(Math.min(kcMax, kPad), co1 - co0, NB);
        float[][] panel = scratch.panel;
        float[][] acc = scratch.acc;
        float[] line = up == 2 && scratch.line.length < nb + kw ? new float[nb + kw] : scratch.line;
        for (int co = co0; co < co1; co++) {
            Arrays.fill(acc[co - co0], 0, nb, bias[co]);
        }
        for (int k0 = 0; k0 < kPad; k0 += kcMax) {
            int kc = Math.min(kcMax, kPad - k0);
            ConvPack.pack(in, inBase, inPlane, h, w, up, kh, kw, k0, kc, kTotal, n0, nb, panel, line);
            for (int co = co0; co < co1; co++) {
                GemmKernel.accumulate(weights, co * kPad + k0, panel, 0, kc, acc[co - co0], nb);
            }
        }
        for (int co = co0; co < co1; co++) {
            GemmKernel.store(acc[co - co0], nb, activation, out, outBase + co * n, res, resBase + co * n);
        }
    }
}
