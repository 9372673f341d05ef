package io.motionkernels.cuda;

/**
 * Every {@code extern "C"} kernel of {@code kernels/*.cu}, with its parameter list and how it is
 * launched. The signature string has one letter per parameter: {@code p} a device pointer,
 * {@code i} an int, {@code l} a long long, {@code f} a float. A mismatch with the CUDA source
 * would pass garbage to the GPU without any error, so a unit test parses the .cu files and
 * compares, and {@link KernelArgs} checks every launch's arguments against it.
 */
public enum Kernel {
    KP2GAUSSIAN_MATRIX("kp2gaussian_matrix", Shape.ELEMENTWISE, "pppiii"),
    KP2GAUSSIAN_SINGLE("kp2gaussian_single", Shape.ELEMENTWISE, "pppiii"),
    KP2GAUSSIAN_CONSTANT("kp2gaussian_constant", Shape.ELEMENTWISE, "pfpiii"),
    KP_HEATMAP_EMBED("kp_heatmap_embed", Shape.PER_MAP, "pppppiiiiiiffiiii"),
    KP_DIFFERENCE_EMBED("kp_difference_embed", Shape.ELEMENTWISE, "pppiiiiiiiii"),
    GAUSSIAN2KP("gaussian2kp", Shape.PER_MAP, "pppiiiiiif"),
    SOFTMAX_PIXELS("softmax_pixels", Shape.PER_MAP, "ppiif"),
    SOFTMAX_CHANNELS("softmax_channels", Shape.ELEMENTWISE, "ppiiil"),
    DENSE_MOTION_FLOW("dense_motion_flow", Shape.ELEMENTWISE, "pppppiiiiiiii"),
    GRID_SAMPLE_2D("grid_sample_2d", Shape.ELEMENTWISE, "pppiiiiiiii"),
    GRID_SAMPLE_3D("grid_sample_3d", Shape.ELEMENTWISE, "pppiiiiiiiiii"),
    GRID_SAMPLE_DEPTH1("grid_sample_depth1", Shape.ELEMENTWISE, "pppiiiiiiiii"),
    INTERP_NEAREST("interp_nearest", Shape.ELEMENTWISE, "ppiiiiiiifff"),
    INTERP_TRILINEAR("interp_trilinear", Shape.ELEMENTWISE, "ppiiiiiiifff"),
    AVG_POOL_2X2("avg_pool2x2", Shape.ELEMENTWISE, "pplii"),
    CHANNEL_AFFINE_ACT("channel_affine_act", Shape.ELEMENTWISE, "ppppiiliii"),
    ADD_ACT("add_act", Shape.ELEMENTWISE, "pppli"),
    CHANNELS_LAST_TO_FIRST("channels_last_to_first", Shape.ELEMENTWISE, "ppili"),
    CHANNELS_FIRST_TO_LAST("channels_first_to_last", Shape.ELEMENTWISE, "ppili"),
    ANTIALIAS("antialias", Shape.ELEMENTWISE, "pppiiiii"),
    HEATMAP_KEYPOINTS("heatmap_keypoints", Shape.PER_MAP, "ppppiiiiii"),
    SPARSE_MOTION("sparse_motion", Shape.ELEMENTWISE, "pppppiiiii"),
    COMBINE_MOTION("combine_motion", Shape.ELEMENTWISE, "pppiil"),
    SCALE_PIXELS("scale_pixels", Shape.ELEMENTWISE, "pppiil");

    /** How the grid is laid out. */
    public enum Shape {
        /** One thread per work item, 1-D grid-stride loop: any grid size is correct. */
        ELEMENTWISE,
        /** One block per map (a row reduced by the whole block): grid = number of maps. */
        PER_MAP
    }

    private final String symbol;
    private final Shape shape;
    private final String signature;

    Kernel(String symbol, Shape shape, String signature) {
        this.symbol = symbol;
        this.shape = shape;
        this.signature = signature;
    }

    /** The function's name in the fatbin. */
    public String symbol() {
        return symbol;
    }

    public Shape shape() {
        return shape;
    }

    /** One letter per parameter: p pointer, i int, l long long, f float. */
    public String signature() {
        return signature;
    }
}
