package io.motionkernels.conformance;

import io.motionkernels.Backend;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.Weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs every reference case found under a folder (any depth; format in golden/FORMAT.md) and
 * reports, per case, the worst relative L2 error against a bound.
 */
public final class Conformance {
    private final double bound;
    private final Function<Path, Weights> weightFiles;
    private final Backend backend;

    /**
     * Runs the cases on the CPU.
     *
     * @param bound       the largest relative L2 error a case may have to pass
     * @param weightFiles loads the checkpoint a case names with {@code weights: file:NAME}
     */
    public Conformance(double bound, Function<Path, Weights> weightFiles) {
        this(bound, weightFiles, Backend.CPU);
    }

    /**
     * Runs the model cases on {@code backend} (op cases always run on the CPU kernels).
     *
     * @param bound       the largest relative L2 error a case may have to pass
     * @param weightFiles loads the checkpoint a case names with {@code weights: file:NAME}
     * @param backend     where the model cases run
     */
    public Conformance(double bound, Function<Path, Weights> weightFiles, Backend backend) {
        this.bound = bound;
        this.weightFiles = weightFiles;
        this.backend = backend;
    }

    /** How a case ended. */
    public enum Status {
        /** Every output within the bound. */
        PASS,
        /** Ran, but an output's error passes the bound. */
        FAIL,
        /** Could not be run or interpreted (the row's note says why). */
        ERROR,
        /** Not a case (a weights file beside the cases). */
        SKIP
    }

    /**
     * One case: its worst output and error, or why it could not be run.
     *
     * @param name        the case file, relative to the folder searched
     * @param status      how it ended
     * @param error       the worst relative L2 error, NaN when it did not run
     * @param worstOutput the output with that error, empty when it did not run
     * @param bound       the bound it was judged against
     * @param note        the case's kind, or why it did not run
     */
    public record Row(String name, Status status, double error, String worstOutput, double bound, String note) {
    }

    /**
     * {@return every {@code .safetensors} under {@code dir} (any depth), in a stable order}
     *
     * @param dir a folder of reference cases
     * @throws MotionKernelsException if {@code dir} is not a folder
     * @throws UncheckedIOException if the folder cannot be walked
     */
    public static List<Path> findCases(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new MotionKernelsException(dir + " is not a folder of reference cases");
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs one case; never throws for a bad case (it becomes an ERROR row).
     *
     * @param root the folder searched, for the row's name
     * @param file the case file
     * @return the row
     */
    public Row run(Path root, Path file) {
        String name = root.relativize(file).toString();
        try {
            Safetensors.Contents c = Safetensors.read(file);
            String kind = c.metadata().get("kind");
            if (kind == null) {
                return new Row(name, Status.SKIP, Double.NaN, "", bound, "no 'kind': weights, not a case");
            }
            List<Comparison> comparisons;
            if (kind.startsWith("op:")) {
                comparisons = OpCases.run(c);
            } else if (ModelCases.handles(kind)) {
                comparisons = ModelCases.run(file, c, weightFiles, backend);
            } else {
                return new Row(name, Status.ERROR, Double.NaN, "", bound, "unknown kind '" + kind + "'");
            }
            double worst = -1;
            String worstName = "";
            for (Comparison cmp : comparisons) {
                double e = cmp.relativeL2();
                if (Double.isNaN(e) || e > worst) {
                    worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                    worstName = cmp.name();
                }
            }
            if (comparisons.isEmpty()) {
                return new Row(name, Status.ERROR, Double.NaN, "", bound, "no outputs to compare");
            }
            return new Row(name, worst <= bound ? Status.PASS : Status.FAIL, worst, worstName, bound, kind);
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            return new Row(name, Status.ERROR, Double.NaN, "", bound, "cannot interpret: " + msg);
        }
    }

    /**
     * Runs every case under {@code dir}.
     *
     * @param dir a folder of reference cases
     * @return one row per case file, in {@link #findCases} order
     * @throws MotionKernelsException if {@code dir} is not a folder
     */
    public List<Row> runAll(Path dir) {
        List<Row> rows = new ArrayList<>();
        for (Path p : findCases(dir)) {
            rows.add(run(dir, p));
        }
        return rows;
    }
}
