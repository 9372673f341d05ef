package io.motionkernels.cuda;

import java.util.Arrays;

/**
 * Checks a launch's arguments against the kernel's signature: CUDA copies the parameter bytes
 * as given, so an int where the kernel reads a long long (or a missing argument) would be
 * silent corruption. Arguments are {@link DeviceView} (p), {@link Integer} (i), {@link Long} (l)
 * and {@link Float} (f); {@link DeviceView#NULL} passes a null pointer.
 */
final class KernelArgs {
    private KernelArgs() {
    }

    static void validate(Kernel kernel, Object... args) {
        String sig = kernel.signature();
        if (args.length != sig.length()) {
            throw new IllegalArgumentException(kernel.symbol() + " takes " + sig.length() + " arguments ("
                    + sig + "), got " + args.length + ": " + Arrays.toString(args));
        }
        for (int i = 0; i < args.length; i++) {
            char want = sig.charAt(i);
            Object a = args[i];
            boolean ok = switch (want) {
                case 'p' -> a instanceof DeviceView;
                case 'i' -> a instanceof Integer;
                case 'l' -> a instanceof Long;
                case 'f' -> a instanceof Float;
                default -> throw new IllegalStateException("bad signature letter '" + want + "' of " + kernel);
            };
            if (!ok) {
                throw new IllegalArgumentException(kernel.symbol() + " argument " + i + " must be "
                        + describe(want) + ", got " + (a == null ? "null" : a.getClass().getSimpleName()));
            }
        }
    }

    private static String describe(char c) {
        return switch (c) {
            case 'p' -> "a DeviceView";
            case 'i' -> "an Integer";
            case 'l' -> "a Long";
            default -> "a Float";
        };
    }

    /** {@code v} as a kernel int parameter, refusing values the kernels' int indexing can't hold. */
    static int checkedInt(String what, long v) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " = " + v + " is outside the kernels' int range");
        }
        return (int) v;
    }
}
