package io.motionkernels.cuda;

import io.motionkernels.engine.ConvSpec;

import io.motionkernels.engine.Device;

import static org.bytedeco.cuda.global.cudnn.*;

import io.motionkernels.Precision;
import io.motionkernels.engine.Activation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * One convolution on cuDNN 9 (legacy API): weights and bias in device buffers, a filter and bias
 * descriptor, and per input shape (n, h, w, residual) an algorithm chosen once by
 * cudnnGetConvolutionForwardAlgorithm_v7's heuristics (no trial runs, no allocation) with its own
 * convolution descriptor carrying the math type.
 *
 * <p>Execution: {@code cudnnConvolutionBiasActivationForward} computes act(conv(x) + z + bias) in
 * one call, with CUDNN_NOT_PROPAGATE_NAN (the only NaN option it supports). With the RELU
 * activation any algorithm may be used. With IDENTITY (layers without an activation, the residual
 * conv of the refinement blocks) cuDNN only supports
 * CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, so that algorithm is used where its workspace
 * query succeeds. A shape runs unfused (copy the residual into y, cudnnConvolutionForward with
 * beta = 1, cudnnAddTensor for the bias, our activation kernel) when it is planned so, or when
 * the fused call fails for it at run time: {@link Plan#fallBack} remembers that per shape.
 *
 * <p>Math: STRICT sets CUDNN_FMA_MATH (no TF32) and accepts only FMA algorithms; FAST sets
 * CUDNN_DEFAULT_MATH (TF32 on Ampere and later) and takes the heuristic's math type unless it
 * would down-convert to FP16 ({@link ConvChoices}).
 *
 * <p>Every plan is reported once, after its first run (algorithm, math type, workspace, fused or
 * not), to the log the device collects ({@link CudnnDevice#convolutionPlans()}) and to the
 * System.Logger {@code io.motionkernels.cuda} at DEBUG.
 */
final class CudnnConv implements Device.Conv {
    /** The algorithm and descriptors for one input shape; whether it runs fused can only turn false. */
    static final class Plan {
        final cudnnTensorStruct x;
        final cudnnTensorStruct y;
        final cudnnConvolutionStruct conv;
        final int algo;
        final int math;
        final long workspaceBytes;
        private final ShapeKey key;
        private boolean fused;
        private String fallbackStatus;
        private boolean reported;

        private Plan(ShapeKey key, cudnnTensorStruct x, cudnnTensorStruct y, cudnnConvolutionStruct conv, int algo,
                     int math, long workspaceBytes, boolean fused) {
            this.key = key;
            this.x = x;
            this.y = y;
            this.conv = conv;
            this.algo = algo;
            this.math = math;
            this.workspaceBytes = workspaceBytes;
            this.fused = fused;
        }

        boolean fused() {
            return fused;
        }

        /** The fused call failed with {@code status} for this shape: run it unfused from now on. */
        void fallBack(String status) {
            fused = false;
            fallbackStatus = status;
        }
    }

    private record ShapeKey(int n, int h, int w, boolean residual) {
    }

    private static final System.Logger LOG = System.getLogger("io.motionkernels.cuda");

    private final ConvSpec spec;
    private final cudnnContext handle;
    private final Precision precision;
    private final Consumer<String> planLog;
    final DeviceBuffer weight;
    final DeviceBuffer bias;
    final cudnnFilterStruct filter = new cudnnFilterStruct();
    final cudnnTensorStruct biasDesc = new cudnnTensorStruct();
    final cudnnActivationStruct activation = new cudnnActivationStruct();
    private final Map<ShapeKey, Plan> plans = new HashMap<>();
    private final List<Runnable> destroy = new ArrayList<>();
    private boolean closed;

    /** {@code planLog} receives one line per plan, after the plan's first run. */
    CudnnConv(ConvSpec spec, cudnnContext handle, Precision precision, Consumer<String> planLog) {
        this.spec = spec;
        this.handle = handle;
        this.precision = precision;
        this.planLog = planLog;
        DeviceBuffer w = null;
        DeviceBuffer b = null;
        try {
            w = DeviceBuffer.of(spec.weight());
            b = DeviceBuffer.of(spec.bias());
            Cudnn.check(cudnnCreateFilterDescriptor(filter), "create filter descriptor");
            destroy.add(() -> cudnnDestroyFilterDescriptor(filter));
            Cudnn.check(cudnnSetFilter4dDescriptor(filter, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, spec.cout(),
                    spec.cin() / spec.groups(), spec.k(), spec.k()), "set filter descriptor");
            Cudnn.check(cudnnCreateTensorDescriptor(biasDesc), "create bias descriptor");
            destroy.add(() -> cudnnDestroyTensorDescriptor(biasDesc));
            Cudnn.check(cudnnSetTensor4dDescriptor(biasDesc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, spec.cout(), 1, 1),
                    "set bias descriptor");
            Cudnn.check(cudnnCreateActivationDescriptor(activation), "create activation descriptor");
            destroy.add(() -> cudnnDestroyActivationDescriptor(activation));
            int mode = spec.activation() == Activation.RELU ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY;
            Cudnn.check(cudnnSetActivationDescriptor(activation, mode, ConvChoices.fusedNanPropagation(), 0.0),
                    "set activation descriptor");
        } catch (RuntimeException | Error e) {
            this.weight = w;
            this.bias = b;
            close();
            throw e;
        }
        this.weight = w;
        this.bias = b;
    }

    @Override
    public ConvSpec spec() {
        return spec;
    }

    /** The plan for an (n, cin, h, w) input, made on first use. */
    Plan plan(int n, int h, int w, boolean residual) {
        if (closed) {
            throw new IllegalStateException("convolution " + spec.name() + " closed");
        }
        return plans.computeIfAbsent(new ShapeKey(n, h, w, residual), this::makePlan);
    }

    /** Reports {@code p} once: called after each run of it, so the line says how it really ran. */
    void reportOnce(Plan p) {
        if (p.reported) {
            return;
        }
        p.reported = true;
        String line = ConvChoices.planLine(spec.name(), p.key.n(), spec.cin(), p.key.h(), p.key.w(), spec.cout(),
                spec.k(), spec.groups(), p.key.residual(), p.algo, p.math, p.workspaceBytes, p.fused, p.fallbackStatus);
        planLog.accept(line);
        LOG.log(System.Logger.Level.DEBUG, line);
    }

    private Plan makePlan(ShapeKey key) {
        int n = key.n();
        int h = key.h();
        int w = key.w();
        cudnnTensorStruct x = Cudnn.tensor4d(n, spec.cin(), h, w);
        destroy.add(() -> cudnnDestroyTensorDescriptor(x));
        cudnnTensorStruct y = Cudnn.tensor4d(n, spec.cout(), h, w);
        destroy.add(() -> cudnnDestroyTensorDescriptor(y));
        cudnnConvolutionStruct conv = new cudnnConvolutionStruct();
        Cudnn.check(cudnnCreateConvolutionDescriptor(conv), "create convolution descriptor");
        destroy.add(() -> cudnnDestroyConvolutionDescriptor(conv));
        int pad = spec.k() / 2;
        Cudnn.check(cudnnSetConvolution2dDescriptor(conv, pad, pad, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION,
                CUDNN_DATA_FLOAT), "set convolution descriptor");
        Cudnn.check(cudnnSetConvolutionGroupCount(conv, spec.groups()), "set group count");
        int math = ConvChoices.mathType(precision);
        Cudnn.check(cudnnSetConvolutionMathType(conv, math), "set math type");
        if (spec.activation() != Activation.RELU) {
            long ws = workspace(x, conv, y, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
            if (ws >= 0) {
                return new Plan(key, x, y, conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, math, ws, true);
            }
        }
        int[] chosen = heuristic(x, conv, y, math);
        long ws = workspace(x, conv, y, chosen[0]);
        if (ws < 0) {
            throw new IllegalStateException("cuDNN: no workspace size for " + spec.name() + " algorithm " + chosen[0]);
        }
        return new Plan(key, x, y, conv, chosen[0], chosen[1], ws, spec.activation() == Activation.RELU);
    }

    /** The algorithm and the math type set with it. */
    private int[] heuristic(cudnnTensorStruct x, cudnnConvolutionStruct conv, cudnnTensorStruct y, int math) {
        int requested = 16;
        cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(requested);
        try {
            int[] returned = new int[1];
            Cudnn.check(cudnnGetConvolutionForwardAlgorithm_v7(handle, x, filter, conv, y, requested, returned, perf),
                    "choose a convolution algorithm for " + spec.name());
            for (int i = 0; i < returned[0]; i++) {
                cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                if (p.status() != CUDNN_STATUS_SUCCESS) {
                    continue;
                }
                if (!ConvChoices.acceptsMath(precision, p.mathType())) {
                    continue;
                }
                if (p.mathType() != math) {
                    // The heuristic's choice comes with its math type: set it, as cuDNN asks.
                    Cudnn.check(cudnnSetConvolutionMathType(conv, p.mathType()), "set math type");
                }
                return new int[] {p.algo(), p.mathType()};
            }
        } finally {
            perf.close();
        }
        // No acceptable candidate reported: the implicit-GEMM family always has one.
        return new int[] {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, math};
    }

    /** Workspace bytes for {@code algo}, or -1 when cuDNN does not support it for this shape. */
    private long workspace(cudnnTensorStruct x, cudnnConvolutionStruct conv, cudnnTensorStruct y, int algo) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            int s = cudnnGetConvolutionForwardWorkspaceSize(handle, x, filter, conv, y, algo, size);
            return s == CUDNN_STATUS_SUCCESS ? size.get() : -1;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = destroy.size() - 1; i >= 0; i--) {
            destroy.get(i).run();
        }
        destroy.clear();
        plans.clear();
        if (bias != null) {
            bias.close();
        }
        if (weight != null) {
            weight.close();
        }
    }
}
