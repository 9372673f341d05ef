package io.motionkernels.model;

import io.motionkernels.tensor.KpVariance;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A Monkey-Net configuration: the {@code model_params} and {@code transfer_params} of the YAML files
 * the original code was published with. Keys absent from a block take the original code's defaults;
 * unknown keys are refused. Other top-level sections (dataset, training) are ignored.
 */
public record ModelConfig(String name, Common common, KpDetectorParams kpDetector, GeneratorParams generator,
                          Normalization normalization, int defaultSize) {

    /**
     * {@code common_params}.
     *
     * @param numKp       K, the number of keypoints ({@code num_kp})
     * @param numChannels C, the channels of a frame: 3 for RGB ({@code num_channels})
     * @param kpVariance  how keypoint variances are represented ({@code kp_variance})
     */
    public record Common(int numKp, int numChannels, KpVariance kpVariance) {
    }

    /**
     * {@code kp_detector_params}: the keypoint detector's hourglass; each component is the YAML key
     * of the same name in snake case ({@code block_expansion}, ...).
     *
     * @param blockExpansion channels of the first block
     * @param maxFeatures    the most channels of any block
     * @param numBlocks      down- (and up-) sampling blocks
     * @param temperature    the softmax temperature of the heatmaps
     * @param scaleFactor    the frames are resized by this before detection (1: as they are)
     * @param clipVariance   the smallest variance kept, or null: none
     */
    public record KpDetectorParams(int blockExpansion, int maxFeatures, int numBlocks, double temperature,
                                   double scaleFactor, Double clipVariance) {
    }

    /** MovementEmbeddingModule's options; {@code normConst} null means 'sum'. */
    public record EmbeddingParams(boolean useHeatmap, boolean useDifference, boolean useDeformedSource,
                                  boolean addBackground, boolean differenceHeatmap, Double normConst,
                                  double scaleFactor) {
        /**
         * {@return channels per keypoint slot}
         *
         * @param numChannels C, the channels of a frame
         */
        public int featuresPerSlot(int numChannels) {
            return (useHeatmap ? 1 : 0) + (useDifference ? 2 : 0) + (useDeformedSource ? numChannels : 0);
        }

        /**
         * {@return keypoint slots: K, plus one for the background when it is added}
         *
         * @param numKp K, the number of keypoints
         */
        public int slots(int numKp) {
            return numKp + (addBackground ? 1 : 0);
        }

        /**
         * {@return the embedding's channels: slots x features per slot}
         *
         * @param numKp       K, the number of keypoints
         * @param numChannels C, the channels of a frame
         */
        public int outChannels(int numKp, int numChannels) {
            return slots(numKp) * featuresPerSlot(numChannels);
        }

        /** {@return these options with the background slot added} */
        public EmbeddingParams withBackground() {
            return new EmbeddingParams(useHeatmap, useDifference, useDeformedSource, true, differenceHeatmap,
                    normConst, scaleFactor);
        }
    }

    /**
     * {@code dense_motion_params}: the dense motion module; each component is the YAML key of the
     * same name in snake case.
     *
     * @param blockExpansion  channels of the first block
     * @param maxFeatures     the most channels of any block
     * @param numBlocks       down- (and up-) sampling blocks
     * @param maskEmbedding   the embedding the mask network sees
     * @param useMask         whether motion is a mask-weighted mixture of the keypoints' motions
     * @param useCorrection   whether a residual flow correction is added
     * @param numGroupBlocks  residual blocks of the grouped network
     * @param scaleFactor     the frames are resized by this first (1: as they are)
     */
    public record DenseMotionParams(int blockExpansion, int maxFeatures, int numBlocks, EmbeddingParams maskEmbedding,
                                    boolean useMask, boolean useCorrection, int numGroupBlocks, double scaleFactor) {
    }

    /** {@code denseMotion} and {@code kpEmbedding} are null when the configuration has none. */
    public record GeneratorParams(int blockExpansion, int maxFeatures, int numBlocks, int numRefinementBlocks,
                                  DenseMotionParams denseMotion, EmbeddingParams kpEmbedding, boolean trilinear) {
    }

    /** transfer_params.normalization_params. */
    public record Normalization(boolean moveLocation, boolean movementMult, boolean adaptVariance, boolean clipMean) {
        /** Driving keypoints used as they are (no normalisation). */
        public static final Normalization ABSOLUTE = new Normalization(false, false, false, false);
        /** Driving keypoints moved by their motion since the first driving frame, applied to the source's. */
        public static final Normalization RELATIVE = new Normalization(true, false, false, false);

        static Normalization parse(ConfigReader r) {
            return new Normalization(r.bool("move_location", false), r.bool("movement_mult", false),
                    r.bool("adapt_variance", false), r.bool("clip_mean", false));
        }

        /**
         * From the JSON object a reference case carries, e.g. {"move_location": true}.
         *
         * @param block a map of {@code move_location}, {@code movement_mult}, {@code adapt_variance} and
         *              {@code clip_mean} to booleans (absent keys: false)
         * @return the normalisation
         * @throws ConfigException if the block is not such a map or has other keys
         */
        public static Normalization parse(Object block) {
            return parse(new ConfigReader("normalization_params", block, NORMALIZATION_KEYS));
        }
    }

    private static final Set<String> DENSE_KEYS = Set.of("block_expansion", "max_features", "num_blocks",
            "mask_embedding_params", "use_mask", "use_correction", "num_group_blocks", "scale_factor", "bg_init");

    /*
     * Upper bounds, checked before anything is built: well above every published configuration
     * (at most 10 keypoints, 1024 features, 7 blocks, 4 refinement blocks), far below what would
     * take minutes or gigabytes to allocate.
     */
    static final int MAX_KP = 256;
    static final int MAX_FEATURES = 2048;
    static final int MAX_EXTRA_BLOCKS = 64;
    /** Down to 1/64: the default frame size 64 / scale_factor stays at most 4096. */
    static final double MIN_SCALE = 1.0 / 64;
    private static final String FEATURES = "channels of a convolution";
    private static final String BLOCKS = "each block halves the frame";
    private static final String EXTRA = "residual blocks";
    private static final String SCALE = "a resize factor: 1 keeps the frame, 1/64 is the smallest";

    private static void requireBlocks(ConfigReader r, int blocks, double seen, String network, int size, double scale) {
        int max = 31 - Integer.numberOfLeadingZeros(Math.max(1, (int) Math.floor(seen)));
        if (blocks > max) {
            throw new ConfigException(r.path() + ".num_blocks is " + blocks + ", but " + network + " sees "
                    + (int) Math.floor(seen) + "x" + (int) Math.floor(seen) + " frames (the default size " + size
                    + (scale != 1 ? " scaled by " + scale : "") + "), which halve at most " + max + " times");
        }
    }

    private static final Set<String> NORMALIZATION_KEYS =
            Set.of("move_location", "movement_mult", "adapt_variance", "clip_mean");
    private static final Set<String> EMBEDDING_KEYS = Set.of("use_heatmap", "use_difference",
            "use_deformed_source_image", "heatmap_type", "norm_const", "scale_factor", "add_bg_feature_map");

    /** The configurations Monkey-Net was published with, bundled in the jar. */
    public static final java.util.List<String> PUBLISHED =
            java.util.List.of("shapes", "nemo", "bair", "taichi", "actions", "moving-gif", "vox");

    /**
     * A published configuration by name (see {@link #PUBLISHED}).
     *
     * @param name one of {@link #PUBLISHED}
     * @return the configuration
     * @throws ConfigException if {@code name} is not a published configuration
     */
    public static ModelConfig published(String name) {
        if (!PUBLISHED.contains(name)) {
            throw new ConfigException("'" + name + "' is neither a configuration file nor a published configuration"
                    + " (Monkey-Net: " + String.join(", ", PUBLISHED) + "; First Order Motion Model: "
                    + String.join(", ", FommConfig.PUBLISHED) + ")");
        }
        try (java.io.InputStream in = ModelConfig.class.getResourceAsStream("/io/motionkernels/configs/" + name + ".yaml")) {
            if (in == null) {
                throw new ConfigException("the published configuration " + name + " is missing from this build");
            }
            return parse(name, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException("cannot read the bundled configuration " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * A configuration file, or a published configuration's name when no such file exists.
     *
     * @param pathOrName a YAML file's path, or one of {@link #PUBLISHED}
     * @return the configuration
     * @throws ConfigException if the file is unreadable or invalid, or the name is unknown
     */
    public static ModelConfig resolve(String pathOrName) {
        Path p = Path.of(pathOrName);
        if (Files.exists(p) || pathOrName.contains("/") || pathOrName.endsWith(".yaml") || pathOrName.endsWith(".yml")) {
            return load(p);
        }
        return published(pathOrName);
    }

    /**
     * Reads a configuration YAML.
     *
     * @param file the YAML file, at most 1 MiB, UTF-8
     * @return the configuration, named after the file (without {@code .yaml})
     * @throws ConfigException if the file is missing, too large, not UTF-8 or not a valid configuration
     */
    public static ModelConfig load(Path file) {
        String text;
        try {
            // SnakeYAML reads at most 3 MB anyway; a Monkey-Net configuration is under 2 KB.
            if (Files.isRegularFile(file) && Files.size(file) > 1 << 20) {
                throw new ConfigException("configuration file " + file + " is " + Files.size(file) + " bytes: it is"
                        + " not a Monkey-Net configuration (those are a few kilobytes of YAML)");
            }
            text = Files.readString(file);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException("configuration file " + file + " is not UTF-8 text: is it a configuration YAML?");
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return parse(name, text);
    }

    /**
     * Parses a configuration's YAML text.
     *
     * @param name     the configuration's name, for messages
     * @param yamlText the YAML, with a {@code model_params} section
     * @return the configuration
     * @throws ConfigException if the text is not YAML, or not a valid Monkey-Net configuration (the
     *         message names the key)
     */
    public static ModelConfig parse(String name, String yamlText) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
        } catch (YAMLException e) {
            throw new ConfigException("configuration " + name + " is not valid YAML: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> top) || !(top.get("model_params") instanceof Map<?, ?>)) {
            throw new ConfigException("configuration " + name
                    + " has no model_params section: is it a Monkey-Net configuration YAML?");
        }
        ConfigReader model = new ConfigReader("model_params", top.get("model_params"),
                Set.of("common_params", "kp_detector_params", "generator_params", "discriminator_params"));
        ConfigReader c = model.child("common_params", Set.of("num_kp", "num_channels", "kp_variance"));
        Object kv = c.raw("kp_variance");
        KpVariance variance;
        try {
            if (kv != null && !(kv instanceof String) && !(kv instanceof Number)) {
                throw new ConfigException("model_params.common_params.kp_variance must be a name, got: "
                        + ConfigReader.show(kv));
            }
            variance = kv == null ? KpVariance.MATRIX : KpVariance.parse(String.valueOf(kv));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("model_params.common_params.kp_variance must be 'matrix', 'single' or a positive"
                    + " number, got: " + ConfigReader.show(kv));
        }
        if (!variance.hasTensor() && !(Double.parseDouble(variance.toString()) >= 1e-12)) {
            throw new ConfigException("model_params.common_params.kp_variance must be at least 1e-12 (a keypoint's"
                    + " spread), got: " + ConfigReader.show(kv));
        }
        Common common = new Common(c.intIn("num_kp", null, 1, MAX_KP, "keypoints"),
                c.intIn("num_channels", 3, 1, 4, "image channels"), variance);

        ConfigReader k = model.child("kp_detector_params", Set.of("block_expansion", "max_features", "num_blocks",
                "temperature", "scale_factor", "clip_variance"));
        KpDetectorParams kp = new KpDetectorParams(k.intIn("block_expansion", null, 1, MAX_FEATURES, FEATURES),
                k.intIn("max_features", null, 1, MAX_FEATURES, FEATURES), k.intIn("num_blocks", null, 1, 30, BLOCKS),
                k.numberIn("temperature", null, 1e-6, 1e6, "the softmax over each heatmap divides by it"),
                k.numberIn("scale_factor", 1.0, MIN_SCALE, 1.0, SCALE),
                k.has("clip_variance") ? k.numberIn("clip_variance", null, 1e-12, 1e6, "a variance floor") : null);

        ConfigReader g = model.child("generator_params", Set.of("block_expansion", "max_features", "num_blocks",
                "num_refinement_blocks", "dense_motion_params", "kp_embedding_params", "interpolation_mode"));
        DenseMotionParams dense = null;
        if (g.has("dense_motion_params")) {
            ConfigReader d = g.child("dense_motion_params", DENSE_KEYS);
            dense = new DenseMotionParams(d.intIn("block_expansion", null, 1, MAX_FEATURES, FEATURES),
                    d.intIn("max_features", null, 1, MAX_FEATURES, FEATURES), d.intIn("num_blocks", null, 1, 30, BLOCKS),
                    embedding(d.child("mask_embedding_params", EMBEDDING_KEYS)).withBackground(),
                    d.bool("use_mask", false), d.bool("use_correction", false),
                    d.intIn("num_group_blocks", 0, 0, MAX_EXTRA_BLOCKS, EXTRA), d.numberIn("scale_factor", 1.0,
                            MIN_SCALE, 1.0, SCALE));
            if (!dense.useMask() && !dense.useCorrection()) {
                throw new ConfigException("generator_params.dense_motion_params needs use_mask or use_correction"
                        + " (with neither the dense-motion network predicts nothing)");
            }
        }
        EmbeddingParams kpEmbedding = g.has("kp_embedding_params")
                ? embedding(g.child("kp_embedding_params", EMBEDDING_KEYS)) : null;
        GeneratorParams gen = new GeneratorParams(g.intIn("block_expansion", null, 1, MAX_FEATURES, FEATURES),
                g.intIn("max_features", null, 1, MAX_FEATURES, FEATURES), g.intIn("num_blocks", null, 1, 30, BLOCKS),
                g.intIn("num_refinement_blocks", 0, 0, MAX_EXTRA_BLOCKS, EXTRA), dense, kpEmbedding,
                g.choice("interpolation_mode", "nearest", "nearest", "trilinear").equals("trilinear"));

        Normalization norm = Normalization.ABSOLUTE;
        if (top.get("transfer_params") instanceof Map<?, ?> tp && tp.get("normalization_params") != null) {
            norm = Normalization.parse(new ConfigReader("transfer_params.normalization_params",
                    tp.get("normalization_params"), NORMALIZATION_KEYS));
        }
        // No published configuration states its frame size; the keypoint detector's downscaling
        // was chosen so that it always works at 64x64, which gives the size back.
        int size = (int) Math.round(64 / kp.scaleFactor());
        // Each block of an encoder halves the frame: no more blocks than the frame has halvings.
        requireBlocks(k, kp.numBlocks(), size * kp.scaleFactor(), "the keypoint detector", size, kp.scaleFactor());
        requireBlocks(g, gen.numBlocks(), size, "the generator", size, 1);
        if (dense != null) {
            double ds = dense.scaleFactor() * dense.maskEmbedding().scaleFactor();
            requireBlocks(g.child("dense_motion_params", DENSE_KEYS), dense.numBlocks(), size * ds,
                    "the dense-motion network", size, ds);
        }
        return new ModelConfig(name, common, kp, gen, norm, size);
    }

    private static EmbeddingParams embedding(ConfigReader e) {
        Double normConst = null;
        Object nc = e.raw("norm_const");
        if (nc != null && !"sum".equals(nc)) {
            if (!(nc instanceof Number n) || !(Math.abs(n.doubleValue()) >= 1e-6)
                    || !(Math.abs(n.doubleValue()) <= 1e12)) {
                throw new ConfigException(e.path() + ".norm_const must be 'sum' or a number from 1e-6 to 1e12 in size,"
                        + " got: " + ConfigReader.show(nc));
            }
            normConst = n.doubleValue();
        }
        return new EmbeddingParams(e.bool("use_heatmap", true), e.bool("use_difference", false),
                e.bool("use_deformed_source_image", false), e.bool("add_bg_feature_map", false),
                e.choice("heatmap_type", "gaussian", "gaussian", "difference").equals("difference"), normConst,
                e.numberIn("scale_factor", 1.0, MIN_SCALE, 1.0, SCALE));
    }
}
