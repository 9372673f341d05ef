package io.motionkernels.model;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A First Order Motion Model configuration (the {@code model_params} and
 * {@code animate_params.normalization_params} of FOMM's YAML files; FOMM.md lists every option
 * and its default). Every key of a block is checked, so that a misspelt one is an error.
 */
public record FommConfig(String name, int numKp, int numChannels, boolean estimateJacobian, KpDetector kpDetector,
                         Generator generator, Normalization normalization, int defaultSize) {

    /**
     * The keypoint detector ({@code kp_detector_params}).
     *
     * @param temperature softmax temperature of the heatmaps
     * @param blockExpansion hourglass base channel count
     * @param maxFeatures hourglass channel cap
     * @param numBlocks hourglass down/up blocks
     * @param scaleFactor input downscale factor in (0, 1] (1: none)
     * @param singleJacobianMap whether one jacobian map serves every keypoint
     * @param pad padding of the 7x7 heads, 0 to 3
     */
    public record KpDetector(double temperature, int blockExpansion, int maxFeatures, int numBlocks,
                             double scaleFactor, boolean singleJacobianMap, int pad) {
        /**
         * Jacobian maps the detector predicts: 1 with a single map, else one per keypoint.
         *
         * @param numKp the number of keypoints K
         * @return 1 or {@code numKp}
         */
        public int jacobianMaps(int numKp) {
            return singleJacobianMap ? 1 : numKp;
        }
    }

    /**
     * The dense-motion network ({@code dense_motion_params}).
     *
     * @param blockExpansion hourglass base channel count
     * @param maxFeatures hourglass channel cap
     * @param numBlocks hourglass down/up blocks
     * @param scaleFactor input downscale factor in (0, 1] (1: none)
     * @param kpVariance variance of the keypoint Gaussians (default 0.01)
     */
    public record DenseMotion(int blockExpansion, int maxFeatures, int numBlocks, double scaleFactor,
                              double kpVariance) {
    }

    /**
     * The generator ({@code generator_params}); {@code denseMotion} null: no dense-motion network
     * (the generator does not warp).
     *
     * @param blockExpansion encoder base channel count
     * @param maxFeatures encoder channel cap
     * @param numDownBlocks down blocks of the encoder (and up blocks of the decoder)
     * @param numBottleneckBlocks residual blocks in the bottleneck
     * @param estimateOcclusionMap whether an occlusion map masks the warped features
     * @param denseMotion the dense-motion network, or null
     */
    public record Generator(int blockExpansion, int maxFeatures, int numDownBlocks, int numBottleneckBlocks,
                            boolean estimateOcclusionMap, DenseMotion denseMotion) {
    }

    /**
     * The arguments of FOMM's normalize_kp.
     *
     * @param adaptMovementScale scale the relative movement by the convex-hull area ratio
     * @param useRelativeMovement move the source keypoints by the driving movement since the initial frame
     * @param useRelativeJacobian use J_driving J_initial^-1 J_source as the jacobians
     */
    public record Normalization(boolean adaptMovementScale, boolean useRelativeMovement, boolean useRelativeJacobian) {
        /** No normalisation: the driving keypoints are used as they are. */
        public static final Normalization ABSOLUTE = new Normalization(false, false, false);

        /**
         * Reads a {@code normalization_params} block; missing keys default to false.
         *
         * @param block the parsed YAML block (a map)
         * @return the normalisation
         * @throws ConfigException if the block is not a map, has an unknown key or a non-boolean value
         */
        public static Normalization parse(Object block) {
            ConfigReader r = new ConfigReader("normalization_params", block,
                    Set.of("adapt_movement_scale", "use_relative_movement", "use_relative_jacobian"));
            return new Normalization(r.bool("adapt_movement_scale", false), r.bool("use_relative_movement", false),
                    r.bool("use_relative_jacobian", false));
        }
    }

    /** The published configurations bundled with the library (FOMM's config/*.yaml). */
    public static final List<String> PUBLISHED = List.of("vox-256", "vox-adv-256", "taichi-256", "taichi-adv-256",
            "mgif-256", "fashion-256", "bair-256", "nemo-256");

    /** Whether a parsed YAML document is a FOMM configuration (its model has keys only FOMM has). */
    private static boolean isFommDocument(Object doc) {
        if (!(doc instanceof Map<?, ?> top) || !(top.get("model_params") instanceof Map<?, ?> mp)) {
            return false;
        }
        if (mp.get("common_params") instanceof Map<?, ?> c && c.containsKey("estimate_jacobian")) {
            return true;
        }
        return mp.get("generator_params") instanceof Map<?, ?> g
                && (g.containsKey("num_bottleneck_blocks") || g.containsKey("num_down_blocks")
                || g.containsKey("estimate_occlusion_map"));
    }

    /**
     * Whether a YAML text is a FOMM configuration; false for anything unparsable (the Monkey-Net parser reports it).
     *
     * @param yamlText the YAML document
     * @return whether its model has keys only FOMM has
     */
    public static boolean isFomm(String yamlText) {
        try {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
            return isFommDocument(doc);
        } catch (YAMLException e) {
            return false;
        }
    }

    /**
     * Whether {@code pathOrName} (what {@code --config} was given) names a FOMM configuration:
     * a published FOMM name, or a readable YAML file whose model only FOMM has.
     *
     * @param pathOrName a file path or a configuration name
     * @return whether it names a FOMM configuration; false for a missing or unreadable file
     */
    public static boolean names(String pathOrName) {
        if (PUBLISHED.contains(pathOrName)) {
            return true;
        }
        java.nio.file.Path p = java.nio.file.Path.of(pathOrName);
        if (!java.nio.file.Files.isRegularFile(p)) {
            return false;
        }
        try {
            return isFomm(java.nio.file.Files.readString(p));
        } catch (IOException e) {
            return false; // the Monkey-Net loader reports the unreadable file
        }
    }

    /**
     * The bundled published configuration {@code name} (e.g. {@code vox-256}).
     *
     * @param name one of {@link #PUBLISHED}
     * @return the parsed configuration
     * @throws ConfigException if {@code name} is not published or its resource is missing or unreadable
     */
    public static FommConfig published(String name) {
        if (!PUBLISHED.contains(name)) {
            throw new ConfigException("'" + name + "' is not a published First Order Motion Model configuration ("
                    + String.join(", ", PUBLISHED) + ")");
        }
        try (InputStream in = FommConfig.class.getResourceAsStream("/io/motionkernels/configs/fomm/" + name + ".yaml")) {
            if (in == null) {
                throw new ConfigException("the published configuration " + name + " is missing from this build");
            }
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException("cannot read the bundled configuration " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * A configuration file, or the name of a published configuration. A path that exists, contains
     * {@code /} or ends in {@code .yaml}/{@code .yml} is read as a file (named after it without the
     * extension); anything else is a published name.
     *
     * @param pathOrName a file path or a published configuration name
     * @return the parsed configuration
     * @throws ConfigException if the file is missing, unreadable or invalid, or the name is not published
     */
    public static FommConfig resolve(String pathOrName) {
        java.nio.file.Path p = java.nio.file.Path.of(pathOrName);
        if (java.nio.file.Files.exists(p) || pathOrName.contains("/") || pathOrName.endsWith(".yaml")
                || pathOrName.endsWith(".yml")) {
            String text;
            try {
                text = java.nio.file.Files.readString(p);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ConfigException("configuration file " + p + " does not exist");
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration file " + p + ": " + e.getMessage(), e);
            }
            return parse(p.getFileName().toString().replaceFirst("\\.ya?ml$", ""), text);
        }
        return published(pathOrName);
    }

    /**
     * Parses a FOMM YAML configuration: {@code model_params} (required), and optionally
     * {@code animate_params.normalization_params} and {@code dataset_params.frame_shape} (the
     * default size, 256 without it).
     *
     * @param name the name the configuration is given (in messages and {@link #name()})
     * @param yamlText the YAML document
     * @return the configuration
     * @throws ConfigException if the text is not valid YAML, has no {@code model_params}, has an
     *         unknown key, or a missing or out-of-range value
     */
    public static FommConfig parse(String name, String yamlText) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
        } catch (YAMLException e) {
            throw new ConfigException("configuration " + name + " is not valid YAML: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> top) || !(top.get("model_params") instanceof Map<?, ?>)) {
            throw new ConfigException("configuration " + name + " has no model_params section");
        }
        ConfigReader model = new ConfigReader("model_params", top.get("model_params"),
                Set.of("common_params", "kp_detector_params", "generator_params", "discriminator_params"));
        ConfigReader c = model.child("common_params", Set.of("num_kp", "num_channels", "estimate_jacobian"));
        int numKp = c.positiveInt("num_kp", null);
        int numChannels = c.positiveInt("num_channels", 3);
        boolean jacobian = c.bool("estimate_jacobian", false);

        ConfigReader k = model.child("kp_detector_params", Set.of("temperature", "block_expansion", "max_features",
                "num_blocks", "scale_factor", "single_jacobian_map", "pad"));
        KpDetector kp = new KpDetector(k.positiveNumber("temperature", null), k.positiveInt("block_expansion", null),
                k.positiveInt("max_features", null), k.positiveInt("num_blocks", null), scale(k, "kp_detector_params"),
                k.bool("single_jacobian_map", false), k.nonNegativeInt("pad", 0));
        if (kp.pad() > 3) {
            throw new ConfigException("model_params.kp_detector_params.pad must be at most 3 (the heads are 7x7), got "
                    + kp.pad());
        }

        ConfigReader g = model.child("generator_params", Set.of("block_expansion", "max_features", "num_down_blocks",
                "num_bottleneck_blocks", "estimate_occlusion_map", "dense_motion_params"));
        DenseMotion dm = null;
        if (g.has("dense_motion_params")) {
            ConfigReader d = g.child("dense_motion_params", Set.of("block_expansion", "max_features", "num_blocks",
                    "scale_factor", "kp_variance"));
            dm = new DenseMotion(d.positiveInt("block_expansion", null), d.positiveInt("max_features", null),
                    d.positiveInt("num_blocks", null), scale(d, "dense_motion_params"),
                    d.positiveNumber("kp_variance", 0.01));
        }
        Generator gen = new Generator(g.positiveInt("block_expansion", null), g.positiveInt("max_features", null),
                g.positiveInt("num_down_blocks", null), g.nonNegativeInt("num_bottleneck_blocks", 0),
                g.bool("estimate_occlusion_map", false), dm);

        Normalization norm = Normalization.ABSOLUTE;
        if (top.get("animate_params") instanceof Map<?, ?> ap && ap.get("normalization_params") != null) {
            norm = Normalization.parse(ap.get("normalization_params"));
        }
        int size = 256;
        if (top.get("dataset_params") instanceof Map<?, ?> ds && ds.get("frame_shape") instanceof List<?> fs
                && !fs.isEmpty() && fs.get(0) instanceof Integer s && s > 0) {
            size = s;
        }
        return new FommConfig(name, numKp, numChannels, jacobian, kp, gen, norm, size);
    }

    private static double scale(ConfigReader r, String block) {
        double s = r.positiveNumber("scale_factor", 1.0);
        if (s > 1) {
            throw new ConfigException("model_params." + block + ".scale_factor must be at most 1, got " + s);
        }
        return s;
    }

    private static int[] downscaled(double scale, int height, int width) {
        if (scale == 1) {
            return new int[] {height, width};
        }
        int stride = io.motionkernels.cpu.FommKernels.antialiasStride(scale);
        return new int[] {io.motionkernels.cpu.FommKernels.antialiasOutput(height, stride),
                io.motionkernels.cpu.FommKernels.antialiasOutput(width, stride)};
    }

    /**
     * The detector's heatmap size (h', w') for images of (height, width).
     *
     * @param height image height H
     * @param width image width W
     * @return {h', w'}
     */
    public int[] heatmapSize(int height, int width) {
        int[] kd = downscaled(kpDetector.scaleFactor(), height, width);
        return new int[] {kd[0] - 6 + 2 * kpDetector.pad(), kd[1] - 6 + 2 * kpDetector.pad()};
    }

    /**
     * The dense-motion network's (h, w) for images of (height, width).
     *
     * @param height image height H
     * @param width image width W
     * @return {h, w}, (H, W) without downscaling or without a dense-motion network
     */
    public int[] denseMotionSize(int height, int width) {
        return downscaled(generator.denseMotion() == null ? 1 : generator.denseMotion().scaleFactor(), height, width);
    }

    private static void requireMultiple(String what, int size, int multiple, int height, int width) {
        if (size % multiple != 0) {
            throw new ConfigException("images of " + height + "x" + width + " do not fit this configuration: "
                    + what + " is " + size + " pixels, not a multiple of " + multiple + " (use for example 256x256)");
        }
    }

    /**
     * Checks that images of (height, width) fit every hourglass and down block.
     *
     * @param height image height H
     * @param width image width W
     * @throws ConfigException if a size is not a multiple of what a block needs, or the images are too small
     */
    public void checkSize(int height, int width) {
        int[] kd = downscaled(kpDetector.scaleFactor(), height, width);
        int m = 1 << kpDetector.numBlocks();
        requireMultiple("the keypoint detector's input height", kd[0], m, height, width);
        requireMultiple("the keypoint detector's input width", kd[1], m, height, width);
        int[] hs = heatmapSize(height, width);
        if (hs[0] < 1 || hs[1] < 1) {
            throw new ConfigException("images of " + height + "x" + width + " are too small for the keypoint detector");
        }
        int d = 1 << generator.numDownBlocks();
        requireMultiple("the image height", height, d, height, width);
        requireMultiple("the image width", width, d, height, width);
        if (generator.denseMotion() != null) {
            int[] dm = denseMotionSize(height, width);
            int md = 1 << generator.denseMotion().numBlocks();
            requireMultiple("the dense-motion network's input height", dm[0], md, height, width);
            requireMultiple("the dense-motion network's input width", dm[1], md, height, width);
        }
    }
}
