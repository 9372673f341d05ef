package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.Precision;
import org.junit.jupiter.api.Test;

/** cuDNN's settings for our convolutions; the numbers are cudnn.h's (cuDNN 9), checked as such. */
class ConvChoicesTest {
    // cudnnMathType_t, cudnnNanPropagation_t and cudnnStatus_t values of cudnn_graph.h (cuDNN 9).
    private static final int DEFAULT_MATH = 0;
    private static final int TENSOR_OP_MATH = 1;
    private static final int TENSOR_OP_MATH_ALLOW_CONVERSION = 2;
    private static final int FMA_MATH = 3;
    private static final int NOT_PROPAGATE_NAN = 0;
    private static final int SUCCESS = 0;
    private static final int BAD_PARAM = 2000;
    private static final int NOT_SUPPORTED = 3000;
    private static final int NOT_SUPPORTED_SHAPE = 3002;
    private static final int EXECUTION_FAILED = 5000;

    @Test
    void fusedActivationDoesNotPropagateNan() {
        // cudnnConvolutionBiasActivationForward supports CUDNN_NOT_PROPAGATE_NAN only.
        assertEquals(NOT_PROPAGATE_NAN, ConvChoices.fusedNanPropagation());
    }

    @Test
    void strictIsFmaAndFastIsDefaultMathNotDownConversion() {
        assertEquals(FMA_MATH, ConvChoices.mathType(Precision.STRICT));
        assertEquals(DEFAULT_MATH, ConvChoices.mathType(Precision.FAST));
    }

    @Test
    void strictAcceptsOnlyFmaCandidates() {
        assertTrue(ConvChoices.acceptsMath(Precision.STRICT, FMA_MATH));
        assertFalse(ConvChoices.acceptsMath(Precision.STRICT, DEFAULT_MATH));
        assertFalse(ConvChoices.acceptsMath(Precision.STRICT, TENSOR_OP_MATH));
        assertFalse(ConvChoices.acceptsMath(Precision.STRICT, TENSOR_OP_MATH_ALLOW_CONVERSION));
    }

    @Test
    void fastAcceptsTf32ButNeverFp16DownConversion() {
        assertTrue(ConvChoices.acceptsMath(Precision.FAST, DEFAULT_MATH));
        assertTrue(ConvChoices.acceptsMath(Precision.FAST, TENSOR_OP_MATH));
        assertTrue(ConvChoices.acceptsMath(Precision.FAST, FMA_MATH));
        assertFalse(ConvChoices.acceptsMath(Precision.FAST, TENSOR_OP_MATH_ALLOW_CONVERSION));
    }

    @Test
    void anyFusedFailureFallsBackToTheUnfusedPath() {
        assertFalse(ConvChoices.fallBackToUnfused(SUCCESS));
        for (int status : new int[] {BAD_PARAM, NOT_SUPPORTED, NOT_SUPPORTED_SHAPE, EXECUTION_FAILED}) {
            assertTrue(ConvChoices.fallBackToUnfused(status), "status " + status);
        }
    }

    @Test
    void planLineNamesAlgorithmMathWorkspaceAndFusion() {
        String fused = ConvChoices.planLine("kp_detector.enc0", 2, 3, 64, 64, 32, 3, 1, false, 1, FMA_MATH, 4096,
                true, null);
        assertEquals("kp_detector.enc0 [2x3x64x64 -> 32, k3]: IMPLICIT_PRECOMP_GEMM, FMA_MATH, workspace 4096 B, fused",
                fused);
        String unfused = ConvChoices.planLine("gen.res", 1, 8, 16, 16, 8, 3, 2, true, 6, DEFAULT_MATH, 0, false,
                "CUDNN_STATUS_NOT_SUPPORTED (status 3000)");
        assertEquals("gen.res [1x8x16x16 -> 8, k3, groups 2, residual]: WINOGRAD, DEFAULT_MATH, workspace 0 B, "
                + "unfused (fused call: CUDNN_STATUS_NOT_SUPPORTED (status 3000))", unfused);
        assertTrue(ConvChoices.planLine("x", 1, 1, 1, 1, 1, 1, 1, false, 42, 9, 0, false, null)
                .endsWith("algo 42, math 9, workspace 0 B, unfused"));
    }
}
