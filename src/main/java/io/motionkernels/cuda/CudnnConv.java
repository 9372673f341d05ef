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
 * one call. With the RELU activation any algorithm may be used. With IDENTITY (layers without an
 * activation, the residual conv of the refinement blocks) cuDNN only supports
 * CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, so that algorithm is used; if cuDNN reports
 * it unsupported for a shape, the layer runs unfused: copy the residual into y,
 * cudnnConvolutionForward with beta = 1 (any algorithm), cudnnAddTensor for the bias.
 *
 * <p>Math: STRICT sets CUDNN_FMA_MATH (no TF32) and accepts only FMA algorithms; FAST sets
 * CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION and takes the math type the heuristic reports.
 */
final class CudnnConv implements Device.Conv {
    /** The algorithm and descriptors for one input shape. */
    record Plan(cudnnTensorStruct x, cudnnTensorStruct y, cudnnConvolutionStruct conv, int algo, long workspaceBytes,
                boolean fused) {
    }

    private record ShapeKey(int n, int h, int w, boolean residual) {
    }

    private final ConvSpec spec;
    private final cudnnContext handle;
    private final Precision precision;
    final DeviceBuffer weight;
    final DeviceBuffer bias;
    final cudnnFilterStruct filter = new cudnnFilterStruct();
    final cudnnTensorStruct biasDesc = new cudnnTensorStruct();
    final cudnnActivationStruct activation = new cudnnActivationStruct();
    private final Map<ShapeKey, Plan> plans = new HashMap<>();
    private final List<Runnable> destroy = new ArrayList<>();
    private boolean closed;

    CudnnConv(ConvSpec spec, cudnnContext handle, Precision precision) {
        this.spec = spec;
        this.handle = handle;
        this.precision = precision;
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
            Cudnn.check(cudnnSetActivationDescriptor(activation, mode, CUDNN_PROPAGATE_NAN, 0.0),
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
        return plans.computeIfAbsent(new ShapeKey(n, h, w, residual), k -> makePlan(n, h, w));
    }

    private Plan makePlan(int n, int h, int w) {
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
        int math = precision == Precision.STRICT ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
        Cudnn.check(cudnnSetConvolutionMathType(conv, math), "set math type");
        if (spec.activation() != Activation.RELU) {
            long ws = workspace(x, conv, y, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
            if (ws >= 0) {
                return new Plan(x, y, conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, ws, true);
            }
        }
        int algo = heuristic(x, conv, y, math);
        long ws = workspace(x, conv, y, algo);
        if (ws < 0) {
            throw new IllegalStateException("cuDNN: no workspace size for " + spec.name() + " algorithm " + algo);
        }
        return new Plan(x, y, conv, algo, ws, spec.activation() == Activation.RELU);
    }

    private int heuristic(cudnnTensorStruct x, cudnnConvolutionStruct conv, cudnnTensorStruct y, int math) {
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
                if (precision == Precision.STRICT && p.mathType() != CUDNN_FMA_MATH) {
                    continue;
                }
                if (precision == Precision.FAST && p.mathType() != math) {
                    // The heuristic's choice comes with its math type: set it, as cuDNN asks.
                    Cudnn.check(cudnnSetConvolutionMathType(conv, p.mathType()), "set math type");
                }
                return p.algo();
            }
        } finally {
            perf.close();
        }
        // No FMA-only candidate reported: the implicit-GEMM family always has one.
        return CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
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
