package io.motionkernels.cpu;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs independent loop iterations on the common fork-join pool. Every CPU operation splits its
 * work the same way (over frames, channels or rows), so that the machine's cores are used without
 * each operation owning threads of its own.
 */
public final class Parallel {
    private Parallel() {
    }

    /**
     * Calls {@code body} for every i in [0, n), in parallel when {@code n * costPerItem} (a rough
     * count of floating-point operations) makes the fork worth it.
     */
    public static void forRange(int n, long costPerItem, IntConsumer body) {
        if (n <= 1 || (long) n * costPerItem < 32_768 || Runtime.getRuntime().availableProcessors() == 1) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
        } else {
            IntStream.range(0, n).parallel().forEach(body);
        }
    }
}
