package io.motionkernels.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_NOT_PROPAGATE_NAN;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;

import io.motionkernels.Precision;

/**
 * The cuDNN settings of a convolution as pure functions of what they depend on, so that they are
 * tested without a GPU. Only compile-time constants of JavaCPP's cudnn class are used here: they
 * are inlined, so this class never loads cuDNN.
 */
final class ConvChoices {
    private ConvChoices() {
    }

    /**
     * The activation descriptor's NaN option for cudnnConvolutionBiasActivationForward: cuDNN
     * supports only CUDNN_NOT_PROPAGATE_NAN there (what TensorFlow, ONNX Runtime and oneDNN pass);
     * with CUDNN_PROPAGATE_NAN every fused call may return NOT_SUPPORTED.
     */
    static int fusedNanPropagation() {
        return CUDNN_NOT_PROPAGATE_NAN;
    }

    /**
     * The math type set on the convolution descriptor. STRICT: CUDNN_FMA_MATH, no tensor cores.
     * FAST: CUDNN_DEFAULT_MATH, which lets cuDNN use TF32 tensor cores for float32 data on Ampere
     * and later; not CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, which permits down-conversion to FP16.
     */
    static int mathType(Precision precision) {
        return precision == Precision.STRICT ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH;
    }

    /**
     * Whether a heuristic candidate's math type is acceptable: STRICT takes FMA only; FAST takes
     * anything but FP16 down-conversion (TENSOR_OP_MATH on float32 data is TF32).
     */
    static boolean acceptsMath(Precision precision, int candidateMath) {
        if (precision == Precision.STRICT) {
            return candidateMath == CUDNN_FMA_MATH;
        }
        return candidateMath == CUDNN_DEFAULT_MATH || candidateMath == CUDNN_TENSOR_OP_MATH
                || candidateMath == CUDNN_FMA_MATH;
    }

    /**
     * After a fused cudnnConvolutionBiasActivationForward: whether the shape now runs unfused
     * (cudnnConvolutionForward, cudnnAddTensor, our activation). Any non-success: cuDNN reports
     * an unsupported fused configuration as NOT_SUPPORTED or BAD_PARAM depending on version and
     * shape, and a real fault shows again in the unfused call, which is checked.
     */
    static boolean fallBackToUnfused(int fusedStatus) {
        return fusedStatus != CUDNN_STATUS_SUCCESS;
    }

    /** A math type's name, for the plan log. */
    static String mathName(int math) {
        return switch (math) {
            case CUDNN_DEFAULT_MATH -> "DEFAULT_MATH";
            case CUDNN_TENSOR_OP_MATH -> "TENSOR_OP_MATH";
            case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION -> "TENSOR_OP_MATH_ALLOW_CONVERSION";
            case CUDNN_FMA_MATH -> "FMA_MATH";
            default -> "math " + math;
        };
    }

    /** A forward algorithm's name (cudnnConvolutionFwdAlgo_t order), for the plan log. */
    static String algoName(int algo) {
        String[] names = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING",
            "WINOGRAD", "WINOGRAD_NONFUSED"};
        return algo >= 0 && algo < names.length ? names[algo] : "algo " + algo;
    }

    /** One plan log line: the convolution, its input shape and how cuDNN runs it. */
    static String planLine(String conv, int n, int cin, int h, int w, int cout, int k, int groups, boolean residual,
                           int algo, int math, long workspaceBytes, boolean fused, String fallbackStatus) {
        return conv + " [" + n + "x" + cin + "x" + h + "x" + w + " -> " + cout + ", k" + k
                + (groups == 1 ? "" : ", groups " + groups) + (residual ? ", residual" : "") + "]: "
                + algoName(algo) + ", " + mathName(math) + ", workspace " + workspaceBytes + " B, "
                + (fused ? "fused" : "unfused" + (fallbackStatus == null ? "" : " (fused call: " + fallbackStatus + ")"));
    }
}
