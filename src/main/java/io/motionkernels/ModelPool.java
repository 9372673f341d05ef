package io.motionkernels;

import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/** Runs a model's calls on its own pool (Options.threads), or on the caller's thread without one. */
final class ModelPool {
    private ModelPool() {
    }

    static <T> T call(ForkJoinPool pool, Supplier<T> call) {
        if (pool == null) {
            return call.get();
        }
        // The call's exception is caught inside the task: ForkJoinTask's join and get rethrow a
        // copy made by reflection, whose message is the original's toString().
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        pool.submit(() -> {
            try {
                result[0] = call.get();
            } catch (RuntimeException | Error e) {
                failure[0] = e;
            }
        }).join();
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }
}
