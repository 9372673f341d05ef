package io.motionkernels.engine;

import io.motionkernels.cli.Main;

import java.io.PrintWriter;

/**
 * The model part of the GPU check: the command line's {@code verify}, on CUDA unless told
 * otherwise, so that the check and users run the same judge. A main in the test sources, kept for
 * the scripts that call it by name.
 *
 * <pre>
 *   ModelVerify [--backend cuda|cpu] [--bound 1e-4] DIR...
 * </pre>
 */
public final class ModelVerify {
    private ModelVerify() {
    }

    public static void main(String[] args) {
        boolean backendGiven = false;
        for (String a : args) {
            backendGiven |= a.equals("--backend") || a.startsWith("--backend=");
        }
        String[] full = new String[args.length + (backendGiven ? 1 : 3)];
        full[0] = "verify";
        int i = 1;
        if (!backendGiven) {
            full[i++] = "--backend";
            full[i++] = "cuda";
        }
        System.arraycopy(args, 0, full, i, args.length);
        System.exit(Main.run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), full));
    }
}
