package io.motionkernels.cuda;

import io.motionkernels.Precision;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.model.Generator;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The whole model on the GPU ({@link GpuModel} over {@link CudnnDevice}), a main in the test
 * sources (it needs a GPU; see native-tests/README.md):
 * <ul>
 *   <li>verify: every model case under golden/{shapes,nemo} (and golden/checkpoints'
 *       shapes-expected when present) in strict mode within 1e-4 and in fast (TF32) mode within
 *       3e-3; the transfer cases once more with CUDA graphs on, and once with NaN poisoning.</li>
 *   <li>timing: per-call and per-frame time of detect + generate for nemo 64x64 and vox 256x256,
 *       batch 1, 32 frames, prng weights, graphs off and on, strict and fast.</li>
 * </ul>
 * Arguments: {@code --golden DIR}, {@code --mode verify|timing|all} (default all),
 * {@code --frames N} (timing, default 32), {@code --repeat N} (timed calls, default 5).
 * Exit 0 when every verify case passed, 1 on a failure, 2 when CUDA is not usable.
 */
public final class GpuModelHarness {
    private int passed;
    private int failed;

    public static void main(String[] args) throws IOException {
        String golden = System.getProperty("golden.dir", "golden");
        String mode = "all";
        int frames = 32;
        int repeat = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--golden" -> golden = args[++i];
                case "--mode" -> mode = args[++i];
                case "--frames" -> frames = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        CudaAvailability.Status status = CudaAvailability.probe();
        System.out.println(status);
        if (!status.usable()) {
            System.exit(2);
        }
        GpuModelHarness h = new GpuModelHarness();
        if (!mode.equals("timing")) {
            h.verify(Path.of(golden));
        }
        if (!mode.equals("verify")) {
            for (String[] m : new String[][] {{"nemo", "64"}, {"vox", "256"}}) {
                for (Precision p : Precision.values()) {
                    for (boolean graphs : new boolean[] {false, true}) {
                        h.time(m[0], Integer.parseInt(m[1]), frames, repeat, p, graphs);
                    }
                }
            }
        }
        System.out.printf("%nmodel harness: %d passed, %d failed%n", h.passed, h.failed);
        System.exit(h.failed == 0 ? 0 : 1);
    }

    private static List<Path> cases(Path golden) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String f : new String[] {"shapes", "nemo", "checkpoints"}) {
            Path dir = golden.resolve(f);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(p -> {
                    String kind = Safetensors.read(p).metadata().get("kind");
                    if (kind != null && GpuModelCases.handles(kind)) {
                        out.add(p);
                    }
                });
            }
        }
        return out;
    }

    void verify(Path golden) throws IOException {
        List<Path> cases = cases(golden);
        System.out.println("\n== whole-model reference cases on the GPU (relative L2) ==");
        if (cases.isEmpty()) {
            System.out.println("FAIL no model cases under " + golden);
            failed++;
        }
        for (Path c : cases) {
            String name = golden.relativize(c).toString();
            run(name, c, Precision.STRICT, new GpuModel.Options(false, false), 1e-4);
            run(name, c, Precision.FAST, new GpuModel.Options(false, false), 3e-3);
            if (name.contains("transfer")) {
                run(name + " [graphs]", c, Precision.STRICT, new GpuModel.Options(false, true), 1e-4);
                run(name + " [poison]", c, Precision.STRICT, new GpuModel.Options(true, false), 1e-4);
            }
        }
    }

    private void run(String name, Path c, Precision p, GpuModel.Options o, double bound) {
        long t0 = System.nanoTime();
        try {
            List<Comparison> r = GpuModelCases.run(c, Checkpoints::load,
                    (cfg, w) -> GpuModel.create(cfg, w, CudnnDevice.open(0, p), o));
            double ms = (System.nanoTime() - t0) / 1e6;
            for (Comparison x : r) {
                boolean ok = x.passes(bound);
                if (ok) {
                    passed++;
                } else {
                    failed++;
                }
                System.out.printf("%-4s %-44s %-7s %-40s bound %.0e  (%.0f ms)%n", ok ? "PASS" : "FAIL", name,
                        p.name().toLowerCase(), x.describe(), bound, ms);
            }
        } catch (RuntimeException | Error e) {
            failed++;
            System.out.printf("FAIL %-44s %-7s %s%n", name, p.name().toLowerCase(), e);
            e.printStackTrace(System.out);
        }
    }

    void time(String configName, int size, int frames, int repeat, Precision p, boolean graphs) {
        ModelConfig config = ModelConfig.published(configName);
        Random r = new Random(1);
        Tensor source = random(r, 1, 3, 1, size, size);
        Tensor driving = random(r, 1, 3, frames, size, size);
        String what = String.format("%s %dx%d, 1 x %d frames, %s, graphs %s", configName, size, size, frames,
                p.name().toLowerCase(), graphs ? "on" : "off");
        try (GpuModel gpu = GpuModel.create(config, Weights.prng(1), CudnnDevice.open(0, p),
                new GpuModel.Options(false, graphs));
             GpuModel.Source s = gpu.prepare(source)) {
            double[] detect = new double[repeat];
            double[] generate = new double[repeat];
            for (int i = -2; i < repeat; i++) { // two warm-up calls: planning, algorithm choice, capture
                long t0 = System.nanoTime();
                Keypoints kp = gpu.detect(driving);
                long t1 = System.nanoTime();
                Generator.Output out = gpu.generate(s, kp);
                long t2 = System.nanoTime();
                if (i >= 0) {
                    detect[i] = (t1 - t0) / 1e6;
                    generate[i] = (t2 - t1) / 1e6;
                }
                if (out.videoPrediction().data().length == 0) {
                    throw new IllegalStateException("empty output");
                }
            }
            double d = median(detect), g = median(generate);
            System.out.printf("TIME %-52s detect %8.1f ms  generate %8.1f ms  total %8.1f ms  = %7.2f ms/frame%n", what,
                    d, g, d + g, (d + g) / frames);
            gpu.plans().forEach((k, v) -> System.out.printf("     plan %-28s arena %8.1f MiB (peak live %.1f, unshared %.1f)%n",
                    k, v.arenaBytes() / 1048576.0, v.peakLiveBytes() / 1048576.0, v.totalBytes() / 1048576.0));
        } catch (RuntimeException | Error e) {
            failed++;
            System.out.println("FAIL timing " + what + ": " + e);
            e.printStackTrace(System.out);
        }
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = r.nextFloat();
        }
        return t;
    }
}
