package io.motionkernels.engine;

import io.motionkernels.Precision;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.cuda.CudaAvailability;
import io.motionkernels.cuda.CudnnDevice;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The op harness (in the style of ggml's test-backend-ops): every case of {@link OpTable}, a
 * one-node graph, runs through an {@link Executor} with NaN poisoning on a reference
 * {@link CpuDevice} and on the device under test, and the outputs are compared with the case's
 * tolerance (relative L2 and largest absolute difference). One line per case, then a summary.
 * Each case is isolated: an exception fails that case only. A CUDA error that poisons the context
 * fails every later case in the same JVM, so scripts run one family per JVM with {@code --case}.
 *
 * <p>A main in the test sources, not a unit test: {@code --device cuda} needs a GPU.
 * {@link OpsHarnessTest} runs the table with {@code --device cpu} in CI.
 *
 * <pre>
 *   OpsHarness --device cuda|cpu [--case PREFIX]... [--list] [--families]
 * </pre>
 * {@code --case} keeps the cases whose name starts with PREFIX (a family, e.g. {@code conv}, or
 * {@code conv/k3 3->64}); repeatable. Exit status: 0 every case passed, 1 a case failed, 2 bad
 * arguments or CUDA not usable here.
 */
public final class OpsHarness {
    public enum Status { PASS, FAIL, ERROR }

    /** One case's outcome; {@code relL2}/{@code maxAbs} are NaN when no comparison was made. */
    public record Result(OpCase opCase, Status status, double relL2, double maxAbs, String detail, double millis) {
        public boolean passed() {
            return status == Status.PASS;
        }
    }

    private OpsHarness() {
    }

    public static void main(String[] args) {
        String device = null;
        Set<String> prefixes = new LinkedHashSet<>();
        boolean list = false;
        boolean families = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--device" -> device = value(args, ++i, "--device");
                    case "--case" -> prefixes.add(value(args, ++i, "--case"));
                    case "--list" -> list = true;
                    case "--families" -> families = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "': use --device cuda|cpu [--case PREFIX]... [--list] [--families]");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
        List<OpCase> cases = select(OpTable.all(), prefixes);
        if (families) {
            new LinkedHashSet<>(cases.stream().map(OpCase::family).toList()).forEach(System.out::println);
            System.exit(0);
        }
        if (list) {
            cases.forEach(c -> System.out.println(c.name()));
            System.exit(0);
        }
        if (cases.isEmpty()) {
            System.err.println("error: no case name starts with " + prefixes + "; --list shows them");
            System.exit(2);
        }
        if (!"cuda".equals(device) && !"cpu".equals(device)) {
            System.err.println("error: --device cuda or --device cpu is required (cpu checks the harness itself)");
            System.exit(2);
        }
        Device dut;
        if (device.equals("cuda")) {
            CudaAvailability.Status status = CudaAvailability.probe();
            System.out.println(status);
            status.checks().forEach(c -> System.out.println("  " + c));
            if (!status.usable()) {
                System.err.println("error: " + status);
                System.exit(2);
            }
            try {
                dut = CudnnDevice.open(0, Precision.STRICT);
            } catch (RuntimeException | LinkageError e) {
                System.out.println("FAIL opening CUDA device 0 (strict): " + e);
                System.exit(1);
                return;
            }
        } else {
            dut = new CpuDevice();
        }
        List<Result> results;
        try (Device reference = new CpuDevice(); Device underTest = dut) {
            results = run(cases, reference, underTest, device, System.out);
        }
        System.exit(results.stream().allMatch(Result::passed) ? 0 : 1);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** The cases whose name starts with one of {@code prefixes} (all of them for none). */
    public static List<OpCase> select(List<OpCase> cases, Set<String> prefixes) {
        if (prefixes.isEmpty()) {
            return cases;
        }
        return cases.stream().filter(c -> prefixes.stream().anyMatch(p -> c.name().startsWith(p))).toList();
    }

    /**
     * Runs {@code cases} on both devices (neither is closed), printing a line per case and a
     * summary to {@code out}; {@code label} names the device under test in the summary.
     */
    public static List<Result> run(List<OpCase> cases, Device reference, Device underTest, String label,
                                   PrintStream out) {
        List<Result> results = new ArrayList<>();
        int width = 0;
        for (OpCase c : cases) {
            width = Math.max(width, c.name().length());
        }
        boolean deviceError = false;
        for (OpCase c : cases) {
            Result r = runCase(c, reference, underTest);
            results.add(r);
            deviceError |= r.status() == Status.ERROR;
            out.println(line(r, width));
            out.flush();
        }
        long passed = results.stream().filter(Result::passed).count();
        long errors = results.stream().filter(r -> r.status() == Status.ERROR).count();
        out.printf(Locale.ROOT, "ops harness (%s vs cpu): %d passed, %d failed (%d of them errors), %d cases%n", label,
                passed, results.size() - passed, errors, results.size());
        if (deviceError && label.equals("cuda")) {
            out.println("note: after a CUDA error the context may be unusable and later cases fail with it;"
                    + " rerun one family per JVM with --case FAMILY");
        }
        return results;
    }

    /** One case: built once, run on the reference and on the device under test, compared. */
    public static Result runCase(OpCase c, Device reference, Device underTest) {
        OpCase.Built b;
        float[][] want;
        try {
            b = c.build();
            want = execute(reference, b);
        } catch (RuntimeException | Error e) {
            return new Result(c, Status.ERROR, Double.NaN, Double.NaN, "on the reference: " + describe(e), Double.NaN);
        }
        float[][] got;
        long t0 = System.nanoTime();
        try {
            got = execute(underTest, b);
        } catch (RuntimeException | Error e) {
            return new Result(c, Status.ERROR, Double.NaN, Double.NaN, describe(e), Double.NaN);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        return compare(c, b.outputs(), b.inputs(), want, got, ms);
    }

    /** Plans the case's graph on {@code device} (poison on), uploads, runs once and downloads each output. */
    static float[][] execute(Device device, OpCase.Built b) {
        try (Executor ex = new Executor(DelegatingDevice.borrowed(device), new Executor.Options(true, false))) {
            Executor.Plan plan = ex.plan(b.graph());
            b.inputs().forEach(plan::upload);
            plan.run(null);
            float[][] out = new float[b.outputs().size()][];
            for (int i = 0; i < out.length; i++) {
                String name = b.outputs().get(i);
                out[i] = new float[Math.toIntExact(plan.floats(name))];
                plan.download(name, out[i]);
            }
            return out;
        }
    }

    /**
     * The worst output of a case against its tolerance: relative L2 and max abs over the values
     * the reference wrote. For an output that started as data ({@code initial} holds it, for
     * outputs written in part), the values the reference left as they were must be left bit for
     * bit, and the error is measured over the written part only, so that the untouched rest does
     * not dilute it.
     */
    static Result compare(OpCase c, List<String> names, Map<String, float[]> initial, float[][] want, float[][] got,
                          double ms) {
        OpCase.Tolerance tol = c.tolerance();
        double worstRel = 0;
        double worstAbs = 0;
        String problem = null;
        for (int o = 0; o < names.size() && problem == null; o++) {
            float[] r = want[o];
            float[] g = got[o];
            String name = names.get(o);
            float[] before = initial.get(name);
            if (g.length != r.length) {
                problem = name + ": " + g.length + " values, expected " + r.length;
                break;
            }
            double num = 0;
            double den = 0;
            double maxAbs = 0;
            int at = -1;
            for (int i = 0; i < r.length; i++) {
                if (!Float.isFinite(r[i])) {
                    problem = name + ": the reference has " + r[i] + " at " + i + " (a table or CPU defect)";
                    break;
                }
                if (before != null && Float.floatToRawIntBits(r[i]) == Float.floatToRawIntBits(before[i])) {
                    if (Float.floatToRawIntBits(g[i]) != Float.floatToRawIntBits(before[i])) {
                        problem = name + ": changed " + before[i] + " to " + g[i] + " at " + i
                                + ", outside the part the operation writes";
                        break;
                    }
                    continue;
                }
                if (!Float.isFinite(g[i])) {
                    problem = name + ": " + g[i] + " at " + i + " (NaN: a value the device did not write), expected "
                            + r[i];
                    break;
                }
                double d = (double) g[i] - r[i];
                num += d * d;
                den += (double) r[i] * r[i];
                if (Math.abs(d) > maxAbs) {
                    maxAbs = Math.abs(d);
                    at = i;
                }
            }
            if (problem != null) {
                break;
            }
            double rel = den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
            worstRel = Math.max(worstRel, rel);
            worstAbs = Math.max(worstAbs, maxAbs);
            if (!(rel <= tol.relL2()) || !(maxAbs <= tol.maxAbs())) {
                problem = String.format(Locale.ROOT, "%s: relative L2 %.2e, max abs %.2e at %d (got %s, expected %s)",
                        name, rel, maxAbs, at, g[at], r[at]);
            }
        }
        if (problem != null) {
            return new Result(c, Status.FAIL, worstRel, worstAbs, problem, ms);
        }
        return new Result(c, Status.PASS, worstRel, worstAbs, "", ms);
    }

    static String line(Result r, int width) {
        OpCase.Tolerance tol = r.opCase().tolerance();
        String err = Double.isNaN(r.relL2()) ? String.format(Locale.ROOT, "%-36s", "-")
                : String.format(Locale.ROOT, "rel %.1e/%.0e  max %.1e/%.0e", r.relL2(), tol.relL2(), r.maxAbs(),
                        tol.maxAbs());
        String ms = Double.isNaN(r.millis()) ? "" : String.format(Locale.ROOT, "  %.1f ms", r.millis());
        return String.format(Locale.ROOT, "%-5s %-" + Math.max(1, width) + "s  %s%s%s", r.status(), r.opCase().name(), err, ms,
                r.detail().isEmpty() ? "" : "  " + r.detail());
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.toString());
        StackTraceElement[] st = e.getStackTrace();
        if (st.length > 0) {
            s.append(" at ").append(st[0]);
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            s.append("; caused by ").append(c);
        }
        return s.toString();
    }
}
