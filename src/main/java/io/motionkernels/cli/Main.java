package io.motionkernels.cli;

import io.motionkernels.BackendUnavailableException;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.engine.Executor;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** Entry point of the runnable jar: the only place that turns outcomes into exit codes. */
@Command(name = "motion-kernels", mixinStandardHelpOptions = true, version = "motion-kernels 0.1.0",
        description = "Monkey-Net motion transfer: animate a still image with the motion of a driving video.",
        subcommands = {AnimateCommand.class, VerifyCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for a problem the user can fix (bad input, no GPU, a failed check). */
    public static final int USER_ERROR = 2;
    /** Exit code for a bug: an exception no input should cause. */
    public static final int INTERNAL_ERROR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * The last resort: any exception other than a {@link MotionKernelsException} is a bug, reported
     * in one line rather than a stack trace (set -Dmotionkernels.debug=true for the trace).
     */
    static int internalError(Exception ex, PrintWriter err) {
        String msg = String.valueOf(ex.getMessage());
        err.println("error: internal error (" + ex.getClass().getName() + ": "
                + (msg.length() > 200 ? msg.substring(0, 200) + "…" : msg) + "); this is a bug in motion-kernels:"
                + " please report it with the command line and the input files");
        if (Boolean.getBoolean("motionkernels.debug")) {
            ex.printStackTrace(err);
        }
        return INTERNAL_ERROR;
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests too). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof BackendUnavailableException b) {
                cmd.getErr().println("error: --backend cuda was asked for, but " + b.reason()
                        + ". Use --backend cpu (or auto), or run `info` to see what this machine can use.");
                return USER_ERROR;
            }
            if (ex instanceof MotionKernelsException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return USER_ERROR;
            }
            if (ex instanceof Executor.NonFiniteException) {
                cmd.getErr().println("error: the model diverged: " + ex.getMessage()
                        + "; the checkpoint or the input is broken");
                return USER_ERROR;
            }
            return internalError(ex, cmd.getErr());
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("error: out of memory; use shorter or smaller inputs, or, if they are genuine, give Java"
                    + " more heap with -Xmx (for example java -Xmx8g -jar motion-kernels.jar ...)");
            return USER_ERROR;
        }
    }
}
