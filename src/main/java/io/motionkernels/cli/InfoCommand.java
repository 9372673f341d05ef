package io.motionkernels.cli;

import io.motionkernels.Backends;
import io.motionkernels.cpu.CpuKernels;
import io.motionkernels.cuda.CudaAvailability;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Shows the backends this machine can use and, when CUDA cannot be used, why.")
public final class InfoCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        out.printf("motion-kernels 0.1.0 on Java %s (%s), %s %s%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.arch"));
        out.printf("cpu:  usable (%d cores, max heap %d MiB)%n", rt.availableProcessors(), rt.maxMemory() >> 20);
        out.println("  " + CpuKernels.describe());
        String why = Backends.cudaUnavailableReason();
        out.println(why == null ? "cuda: usable" : "cuda: not usable: " + why);
        if (Backends.missingCudaDependencies().isEmpty()) {
            for (String check : CudaAvailability.probe().checks()) {
                out.println("  " + check);
            }
        }
        String video = io.motionkernels.media.Ffmpeg.reason();
        out.println(video == null ? "video: FFmpeg available (mp4, mov, webm, mkv, ... in; H.264 mp4 out)"
                : "video: not available: " + video + " (images and GIFs still work)");
        out.println("default backend (--backend auto): " + Backends.autoChoice().name().toLowerCase(java.util.Locale.ROOT)
                + (why == null && Backends.autoChoice() == io.motionkernels.Backend.CPU
                ? " (the CUDA path is not yet verified on a GPU: ask for it with --backend cuda)" : ""));
        return 0;
    }
}
