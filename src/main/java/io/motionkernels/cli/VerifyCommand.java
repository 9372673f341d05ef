package io.motionkernels.cli;

import io.motionkernels.Backend;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.conformance.Conformance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Runs every reference case (safetensors files in the format of golden/FORMAT.md) found under each"
                + " DIR, at any depth, and prints one row per case: name, worst relative L2 error, bound, result.",
                "Exits with 0 when every case passes, 2 when one fails or cannot be interpreted."})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "1..*", description = "folders holding reference cases")
    List<Path> dirs;

    @Option(names = "--backend", defaultValue = "cpu",
            description = "where the model cases run: cpu (the reference), cuda, or auto (default: ${DEFAULT-VALUE});"
                    + " the single-operation cases always run on the CPU kernels")
    String backend;

    @Option(names = "--bound", defaultValue = "1e-4",
            description = "largest relative L2 error that passes (default: ${DEFAULT-VALUE}, float32 arithmetic)")
    double bound;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!(bound > 0)) {
            throw new MotionKernelsException("--bound must be a positive number");
        }
        PrintWriter out = spec.commandLine().getOut();
        Conformance conformance = new Conformance(bound, Checkpoints::load, Backend.parse(backend));
        List<Path[]> cases = new ArrayList<>();
        for (Path dir : dirs) {
            List<Path> found = Conformance.findCases(dir);
            if (found.isEmpty()) {
                throw new MotionKernelsException("no .safetensors reference cases under " + dir);
            }
            found.forEach(p -> cases.add(new Path[] {dir, p}));
        }
        int width = 4;
        for (Path[] c : cases) {
            width = Math.max(width, name(c).length());
        }
        String row = "%-" + width + "s %10s %8s  %s%n";
        out.printf(Locale.ROOT, row, "case", "rel. L2", "bound", "result");
        int failed = 0;
        int passed = 0;
        for (Path[] c : cases) {
            Conformance.Row r = conformance.run(c[0], c[1]);
            String err = Double.isNaN(r.error()) ? "-" : String.format(Locale.ROOT, "%.3e", r.error());
            String result = switch (r.status()) {
                case PASS -> "pass";
                case FAIL -> "FAIL (" + r.worstOutput() + ")";
                case ERROR -> "FAIL: " + r.note();
                case SKIP -> "skip: " + r.note();
            };
            out.printf(Locale.ROOT, row, name(c), err, String.format(Locale.ROOT, "%.0e", r.bound()), result);
            out.flush();
            if (r.status() == Conformance.Status.PASS) {
                passed++;
            } else if (r.status() != Conformance.Status.SKIP) {
                failed++;
            }
        }
        out.printf(Locale.ROOT, "%d passed, %d failed%n", passed, failed);
        return failed == 0 ? 0 : Main.USER_ERROR;
    }

    /** A case's name in the report: relative to its folder, with the folder when there are several. */
    private String name(Path[] c) {
        String n = c[0].relativize(c[1]).toString();
        return dirs.size() == 1 ? n : c[0].resolve(n).toString();
    }
}
