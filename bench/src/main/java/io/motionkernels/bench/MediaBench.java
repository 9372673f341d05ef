package io.motionkernels.bench;

import io.motionkernels.media.FrameSink;
import io.motionkernels.media.FrameStream;
import io.motionkernels.media.MediaReader;
import io.motionkernels.media.MediaWriter;
import io.motionkernels.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Video I/O beside the model (ModelBench): decoding a 1280x720 H.264 clip into 256x256 model
 * frames (FFmpeg's decoder, RGB conversion, centre crop and area resize), and encoding 256x256
 * results (the vox size) into H.264 mp4. The {@code frames} counter is frames per second; compare
 * it with the model's frames per second to see whether I/O can keep up (it runs on its own
 * threads in {@code animate}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class MediaBench {
    static final int FRAMES = 30;

    @State(Scope.Benchmark)
    public static class Clip {
        Path dir;
        Path clip;
        Path out;
        Tensor result;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            dir = Files.createTempDirectory("media-bench");
            clip = dir.resolve("clip.mp4");
            out = dir.resolve("out.mp4");
            try (FrameSink sink = MediaWriter.open(clip, MediaWriter.Output.of(30))) {
                for (int f = 0; f < FRAMES; f++) {
                    sink.write(null, frame(720, 1280, f));
                }
                sink.finish();
            }
            result = frame(256, 256, 0);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            Files.deleteIfExists(clip);
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
    }

    /** A (1, 3, 1, h, w) frame: gradients with a moving bright bar. */
    static Tensor frame(int h, int w, int f) {
        float[] data = new float[3 * h * w];
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean bar = Math.abs(x - (f * 17) % w) < w / 20;
                data[y * w + x] = bar ? 1f : (float) x / w;
                data[plane + y * w + x] = bar ? 1f : (float) y / h;
                data[2 * plane + y * w + x] = 0.3f;
            }
        }
        return Tensor.of(data, 1, 3, 1, h, w);
    }

    @Benchmark
    public int decode720pToModelFrames(Clip c, FrameCounter counter) {
        int n = 0;
        try (FrameStream in = MediaReader.open(c.clip, MediaReader.Options.of(256, 256))) {
            while (in.next() != null) {
                n++;
            }
        }
        counter.frames += n;
        return n;
    }

    @Benchmark
    public long encode256ToMp4(Clip c, FrameCounter counter) {
        try (FrameSink sink = MediaWriter.open(c.out, MediaWriter.Output.of(30))) {
            for (int f = 0; f < FRAMES; f++) {
                sink.write(null, c.result);
            }
            sink.finish();
            counter.frames += FRAMES;
            return sink.frames();
        }
    }
}
