package io.motionkernels;

import io.motionkernels.cpu.Parallel;

import java.util.function.Supplier;

/** Runs a model's calls on its own threads (Options.threads), or on the JVM's default team without them. */
final class ModelPool {
    private ModelPool() {
    }

    /** A team of {@code threads} named {@code name-N}, or null for 0: the JVM's default team. */
    static Parallel.Team team(int threads, String name) {
        return threads == 0 ? null : new Parallel.Team(threads, name);
    }

    /**
     * The call runs on the caller's thread either way (so its exceptions are its own); with a team,
     * every split inside it runs on that team's threads.
     */
    static <T> T call(Parallel.Team team, Supplier<T> call) {
        return team == null ? call.get() : team.call(call);
    }
}
