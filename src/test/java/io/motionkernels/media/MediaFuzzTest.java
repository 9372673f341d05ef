package io.motionkernels.media;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.motionkernels.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pure-Java media readers (PNG, JPEG, GIF, strips) against arbitrary bytes: every input is
 * either read or refused with a {@link MediaException}; any other exception, a hang or a blown
 * memory budget is a bug. FFmpeg is left out (its C code is not what Jazzer instruments).
 *
 * <p>Seeds, in {@code MediaFuzzTestInputs/mediaReaders}, are the hostile and damaged files of
 * issue 13 in miniature, and what fuzzing has found ({@code white-45x45-png}: area weights that
 * rounded to a sum above one). {@code mvn test} runs them (Jazzer's regression mode) and
 * {@link #mutatedSeedsAreReadOrRefused} runs a fixed set of seeded mutations of them; {@code mvn
 * verify} then fuzzes a fixed number of inputs from the pom's fixed libFuzzer seed, so that CI
 * repeats itself. To explore new paths, run that again with a fresh seed each time (the corpus
 * grown so far is kept in {@code .cifuzz-corpus} and reused): {@code mvn surefire:test@fuzz
 * -Dtest=MediaFuzzTest -Dfuzz.seed=0}; findings are written beside the seeds.
 */
class MediaFuzzTest {
    /** Tight limits, so that no input can cost much: 1 megapixel per picture, 20 M composited. */
    private static final MediaLimits LIMITS = new MediaLimits(1 << 20, 20_000_000, 64L << 20);

    @FuzzTest(maxExecutions = 30_000)
    void mediaReaders(byte[] data) throws IOException {
        readOrRefuse(data);
    }

    @Test
    void mutatedSeedsAreReadOrRefused() throws Exception {
        Random random = new Random(20261201);
        long start = System.nanoTime();
        int runs = 0;
        for (byte[] seed : seeds()) {
            for (int i = 0; i < 150; i++) {
                readOrRefuse(mutate(seed, random));
                runs++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(runs >= 1000, "ran " + runs);
        assertTrue(seconds < 120, runs + " runs took " + seconds + " s");
    }

    private static void readOrRefuse(byte[] data) throws IOException {
        Path file = Files.createTempFile("fuzz-media", ".bin");
        try {
            Files.write(file, data);
            for (MediaReader.Layout layout : new MediaReader.Layout[] {MediaReader.Layout.AUTO, MediaReader.Layout.STRIP}) {
                MediaReader.Options options = MediaReader.Options.of(16, 16).withLayout(layout).withMaxFrames(8)
                        .withLimits(LIMITS);
                try (FrameStream s = MediaReader.open(file, options, false)) {
                    for (Tensor t = s.next(); t != null; t = s.next()) {
                        for (float v : t.data()) {
                            if (!(v >= 0f && v <= 1f)) {
                                fail("pixel value " + v + " outside [0, 1]");
                            }
                        }
                    }
                } catch (MediaException expected) {
                    // a clean refusal
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Flips bits, overwrites, inserts, deletes or truncates, a few times. */
    private static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(5)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                case 3 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c;
                }
                default -> b = Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    private static List<byte[]> seeds() throws IOException, URISyntaxException {
        Path dir = Path.of(MediaFuzzTest.class.getResource("MediaFuzzTestInputs/mediaReaders").toURI());
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    out.add(in.readAllBytes());
                }
            }
        }
        assertTrue(out.size() >= 10, "seeds found: " + out.size());
        return out;
    }
}
