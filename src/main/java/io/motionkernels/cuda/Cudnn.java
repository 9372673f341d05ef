package io.motionkernels.cuda;

import static org.bytedeco.cuda.global.cudnn.*;

import org.bytedeco.cuda.cudnn.cudnnTensorStruct;

/** cuDNN status checks and descriptor helpers. */
final class Cudnn {
    private Cudnn() {
    }

    static void check(int status, String what) {
        if (status != CUDNN_STATUS_SUCCESS) {
            throw new IllegalStateException("cuDNN failed to " + what + ": " + cudnnGetErrorString(status).getString()
                    + " (status " + status + ")");
        }
    }

    /** A packed NCHW float tensor descriptor; the caller destroys it. */
    static cudnnTensorStruct tensor4d(int n, int c, int h, int w) {
        cudnnTensorStruct t = new cudnnTensorStruct();
        check(cudnnCreateTensorDescriptor(t), "create tensor descriptor");
        int s = cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w);
        if (s != CUDNN_STATUS_SUCCESS) {
            cudnnDestroyTensorDescriptor(t);
            check(s, "set tensor descriptor " + n + "x" + c + "x" + h + "x" + w);
        }
        return t;
    }

    /** A strided 4-D float tensor descriptor; the caller destroys it. */
    static cudnnTensorStruct strided(int[] dims, long[] strides) {
        cudnnTensorStruct t = new cudnnTensorStruct();
        check(cudnnCreateTensorDescriptor(t), "create tensor descriptor");
        int s = cudnnSetTensor4dDescriptorEx(t, CUDNN_DATA_FLOAT, dims[0], dims[1], dims[2], dims[3],
                Math.toIntExact(strides[0]), Math.toIntExact(strides[1]), Math.toIntExact(strides[2]),
                Math.toIntExact(strides[3]));
        if (s != CUDNN_STATUS_SUCCESS) {
            cudnnDestroyTensorDescriptor(t);
            check(s, "set strided tensor descriptor");
        }
        return t;
    }
}
