package io.motionkernels.engine;

import io.motionkernels.Backend;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.conformance.Conformance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The model part of the GPU check until the CLI's {@code verify} takes a backend: every reference
 * case under each DIR (golden/FORMAT.md) through {@link Conformance} on the chosen backend, one
 * row per case as {@code verify} prints them, then a summary. A main in the test sources.
 *
 * <pre>
 *   ModelVerify [--backend cuda|cpu] [--bound 1e-4] DIR...
 * </pre>
 * Exit status: 0 every case passed (skips aside), 1 a case failed or could not run, 2 bad arguments.
 */
public final class ModelVerify {
    private ModelVerify() {
    }

    public static void main(String[] args) {
        Backend backend = Backend.CUDA;
        double bound = 1e-4;
        List<Path> dirs = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--backend" -> backend = Backend.parse(next(args, ++i, "--backend"));
                    case "--bound" -> bound = Double.parseDouble(next(args, ++i, "--bound"));
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option '" + args[i]
                                    + "': use [--backend cuda|cpu] [--bound B] DIR...");
                        }
                        dirs.add(Path.of(args[i]));
                    }
                }
            }
            if (dirs.isEmpty()) {
                throw new IllegalArgumentException("name at least one folder of reference cases");
            }
            if (!(bound > 0)) {
                throw new IllegalArgumentException("--bound must be a positive number");
            }
        } catch (IllegalArgumentException | MotionKernelsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
        Conformance conformance = new Conformance(bound, Checkpoints::load, backend);
        int passed = 0;
        int failed = 0;
        for (Path dir : dirs) {
            List<Conformance.Row> rows;
            try {
                rows = conformance.runAll(dir);
            } catch (RuntimeException e) {
                System.out.println("FAIL  " + dir + ": " + e);
                failed++;
                continue;
            }
            for (Conformance.Row r : rows) {
                String err = Double.isNaN(r.error()) ? "-" : String.format(Locale.ROOT, "%.3e", r.error());
                String result = switch (r.status()) {
                    case PASS -> "pass";
                    case FAIL -> "FAIL (" + r.worstOutput() + ")";
                    case ERROR -> "FAIL: " + r.note();
                    case SKIP -> "skip: " + r.note();
                };
                System.out.printf(Locale.ROOT, "%-48s %10s %8s  %s%n", dir.resolve(r.name()), err,
                        String.format(Locale.ROOT, "%.0e", r.bound()), result);
                System.out.flush();
                if (r.status() == Conformance.Status.PASS) {
                    passed++;
                } else if (r.status() != Conformance.Status.SKIP) {
                    failed++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "model verify (%s, bound %.0e): %d passed, %d failed%n",
                backend.name().toLowerCase(Locale.ROOT), bound, passed, failed);
        System.exit(failed == 0 ? 0 : 1);
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
