package io.motionkernels.cli;

import io.motionkernels.BackendUnavailableException;
import io.motionkernels.MotionKernelsException;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
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
            throw ex;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("error: out of memory; give Java more heap with -Xmx (for example"
                    + " java -Xmx8g -jar motion-kernels.jar ...) or use shorter or smaller inputs");
            return USER_ERROR;
        }
    }
}
