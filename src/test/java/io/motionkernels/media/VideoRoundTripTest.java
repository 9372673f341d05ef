package io.motionkernels.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Videos made here (H.264 mp4 with AAC audio, VP9 webm with Opus audio) read back through
 * {@link MediaReader} and written again through {@link MediaWriter}: frame count, frame rate,
 * size, sound and pixels.
 */
class VideoRoundTripTest {
    /**
     * Mean absolute error per 8-bit channel value of a smooth pattern after one encode: yuv420p
     * halves the chroma resolution and the codecs are lossy; at the bit rates used that stays
     * below 3 levels of 255 (measured on 2026-12-01: 1.82 for H.264 through openh264, 0.99 for VP9 at
     * crf 10; before the colour conversions interpolated chroma and rounded exactly, 2.80 and 2.35).
     */
    static final double MEAN_ERROR_BOUND = 3.0 / 255;

    @TempDir
    Path dir;

    private static final VideoEncoder.Spec WEBM = new VideoEncoder.Spec("webm", "libvpx-vp9",
            avutil.AV_PIX_FMT_YUV420P, Map.of("crf", "10", "b", "0", "deadline", "realtime", "cpu-used", "8"));

    private List<Tensor> readAll(Path file, int h, int w) {
        List<Tensor> frames = new ArrayList<>();
        try (FrameStream in = MediaReader.open(file, MediaReader.Options.of(h, w).withFit(Fit.STRETCH))) {
            for (Tensor f = in.next(); f != null; f = in.next()) {
                frames.add(f);
            }
        }
        return frames;
    }

    private static double meanError(Tensor frame, int[] rgb) {
        float[] d = frame.data();
        int plane = rgb.length;
        double sum = 0;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                sum += Math.abs(d[c * plane + i] - ((rgb[i] >> (16 - 8 * c)) & 0xff) / 255.0);
            }
        }
        return sum / (3.0 * plane);
    }

    private void roundTrip(Path file, VideoEncoder.Spec spec, String codec, String audioCodec) throws Exception {
        int w = 96;
        int h = 64;
        int frames = 30;
        double fps = 30000 / 1001.0;
        Path wav = TestVideos.wav(dir.resolve("tone.wav"), 2.0, 44100);
        TestVideos.video(file, spec, w, h, fps, frames, wav);

        TestVideos.Probe p = TestVideos.probe(file);
        assertEquals(codec, p.videoCodec());
        assertEquals(w, p.width());
        assertEquals(h, p.height());
        assertEquals(fps, p.fps(), 1e-3);
        assertEquals(audioCodec, p.audioCodec());
        // The tone is 2 s, the video 1 s: the sound is cut at the video's end (within one audio frame).
        assertEquals(frames / fps, p.audioSeconds(), 0.05);

        try (FrameStream in = MediaReader.open(file, MediaReader.Options.of(h, w))) {
            assertEquals(fps, in.fps(), 1e-3);
        }
        List<Tensor> back = readAll(file, h, w);
        assertEquals(frames, back.size());
        double worst = 0;
        for (int f = 0; f < frames; f++) {
            worst = Math.max(worst, meanError(back.get(f), TestVideos.pattern(w, h, f)));
        }
        System.out.printf(java.util.Locale.ROOT, "%s: worst frame's mean error %.2f/255%n", codec, worst * 255);
        assertTrue(worst < MEAN_ERROR_BOUND, "mean error per channel " + worst * 255 + "/255");

        // And out again as mp4 with the sound of the file read.
        Path again = dir.resolve("again.mp4");
        Tensor video = MediaReader.read(file, MediaReader.Options.of(h, w).withFit(Fit.STRETCH)).frames();
        try (FrameSink sink = MediaWriter.open(again, new MediaWriter.Output(fps, MediaWriter.View.RESULT, null, file,
                frames, MediaLimits.DEFAULT, null))) {
            sink.write(null, video);
            sink.finish();
        }
        TestVideos.Probe q = TestVideos.probe(again);
        assertEquals("h264", q.videoCodec());
        assertEquals(frames, q.videoPackets());
        assertEquals(fps, q.fps(), 1e-3);
        assertEquals(w, q.width());
        assertNotNull(q.audioCodec());
        assertEquals(frames / fps, q.audioSeconds(), 0.05);
        List<Tensor> twice = readAll(again, h, w);
        assertEquals(frames, twice.size());
        for (int f = 0; f < frames; f++) {
            double e = meanError(twice.get(f), TestVideos.pattern(w, h, f));
            assertTrue(e < 2 * MEAN_ERROR_BOUND, "frame " + f + " after two encodes: " + e * 255 + "/255");
        }
    }

    @Test
    void h264Mp4WithAacAudio() throws Exception {
        roundTrip(dir.resolve("in.mp4"), VideoEncoder.MP4, "h264", "aac");
    }

    @Test
    void vp9WebmWithOpusAudio() throws Exception {
        roundTrip(dir.resolve("in.webm"), WEBM, "vp9", "opus");
    }

    @Test
    void videoWithoutSoundAndOddSizes() {
        Path in = TestVideos.video(dir.resolve("silent.mp4"), VideoEncoder.MP4, 64, 48, 25, 10, null);
        assertNull(TestVideos.probe(in).audioCodec());
        Path out = dir.resolve("odd.mp4");
        Tensor odd = MediaReader.read(in, MediaReader.Options.of(33, 45).withFit(Fit.STRETCH)).frames();
        MediaWriter.write(out, odd, 25);
        TestVideos.Probe p = TestVideos.probe(out);
        assertEquals(46, p.width());   // padded to even for yuv420p
        assertEquals(34, p.height());
        assertEquals(10, p.videoPackets());
        assertNull(p.audioCodec());
    }

    @Test
    void sideBySideMp4HasThreePanels() {
        Path in = TestVideos.video(dir.resolve("drv.mp4"), VideoEncoder.MP4, 64, 64, 24, 6, null);
        Tensor drv = MediaReader.read(in, MediaReader.Options.of(32, 32)).frames();
        Tensor src = MediaReader.read(in, MediaReader.Options.of(32, 32).withMaxFrames(1)).frames();
        Path out = dir.resolve("sbs.mp4");
        try (FrameSink sink = MediaWriter.open(out, new MediaWriter.Output(24, MediaWriter.View.SIDE_BY_SIDE, src, null,
                6, MediaLimits.DEFAULT, null))) {
            sink.write(drv, drv);
            sink.finish();
        }
        TestVideos.Probe p = TestVideos.probe(out);
        assertEquals(96, p.width());
        assertEquals(32, p.height());
        assertEquals(6, p.videoPackets());
        assertEquals(24, p.fps(), 1e-6);
    }

    @Test
    void largeFramesShrunkByFfmpegMatchOurOwnResize() {
        // 640x360 read at 32x32 is shrunk by swscale to 114x64 first; at full size and resized
        // here (centre crop, area average) it must come out the same to within rounding.
        Path in = TestVideos.video(dir.resolve("big.mp4"), VideoEncoder.MP4, 640, 360, 25, 3, null);
        List<Tensor> shrunk = new ArrayList<>();
        try (FrameStream s = MediaReader.open(in, MediaReader.Options.of(32, 32))) {
            for (Tensor f = s.next(); f != null; f = s.next()) {
                shrunk.add(f);
            }
        }
        List<Tensor> full = new ArrayList<>();
        try (FrameStream s = MediaReader.open(in, MediaReader.Options.of(360, 640))) {
            for (Tensor f = s.next(); f != null; f = s.next()) {
                full.add(f);
            }
        }
        assertEquals(3, shrunk.size());
        for (int f = 0; f < 3; f++) {
            float[] a = shrunk.get(f).data();
            float[] b = full.get(f).data();
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                float[] crop = new float[360 * 360];
                for (int y = 0; y < 360; y++) {
                    System.arraycopy(b, c * 360 * 640 + y * 640 + 140, crop, y * 360, 360);
                }
                float[] small = ImageResize.resize(crop, 360, 360, 32, 32);
                for (int i = 0; i < 32 * 32; i++) {
                    sum += Math.abs(small[i] - a[c * 32 * 32 + i]);
                }
            }
            double mean = sum / (3 * 32 * 32);
            System.out.printf(java.util.Locale.ROOT, "shrunk by swscale: mean difference %.3f/255%n", mean * 255);
            // Measured 0.13/255 (without interpolated chroma it was 0.79).
            assertTrue(mean < 0.5 / 255, "frame " + f + ": mean difference " + mean * 255 + "/255");
        }
    }

    @Test
    void readingStopsAtTheFramesAskedFor() {
        Path in = TestVideos.video(dir.resolve("long.mp4"), VideoEncoder.MP4, 32, 32, 25, 50, null);
        try (FrameStream s = MediaReader.open(in, MediaReader.Options.of(32, 32).withMaxFrames(3))) {
            assertEquals(50, s.declaredFrames());
            int n = 0;
            while (s.next() != null) {
                n++;
            }
            assertEquals(3, n);
        }
    }

    @Test
    void videoTurnedByItsDisplayMatrixIsShownUpright() {
        // 64x32 as stored, a red 8x8 mark top left; the display matrix turns it a quarter turn.
        int[] stored = new int[64 * 32];
        java.util.Arrays.fill(stored, 0x202020);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                stored[y * 64 + x] = 0xff0000;
            }
        }
        for (int degrees : new int[] {90, 270}) {
            Path file = dir.resolve("turned" + degrees + ".mp4");
            try (VideoEncoder e = new VideoEncoder(file, VideoEncoder.MP4, 64, 32, 25, null, null, degrees)) {
                e.write(stored);
                e.finish();
            }
            List<String> notes = new ArrayList<>();
            Tensor f;
            try (FrameStream in = MediaReader.open(file, MediaReader.Options.of(64, 32).withNotes("v", notes::add))) {
                assertTrue(in.description().contains("turned " + degrees), in.description());
                f = in.next();
            }
            assertEquals(List.of(), notes, "upright it is 32x64, the frame's own proportions");
            // Clockwise, the top-left mark goes to the top right; counter-clockwise, to the bottom left.
            int markX = degrees == 90 ? 28 : 3;
            int markY = degrees == 90 ? 3 : 60;
            assertTrue(f.get(0, 0, 0, markY, markX) > 0.8f, degrees + ": red at the mark");
            assertTrue(f.get(0, 0, 0, degrees == 90 ? 60 : 3, degrees == 90 ? 3 : 28) < 0.3f, degrees + ": dark opposite");
        }
    }

    @Test
    void animatedPngIsReadThroughFfmpeg() {
        VideoEncoder.Spec apng = new VideoEncoder.Spec("apng", "apng", avutil.AV_PIX_FMT_RGB24, Map.of());
        Path file = TestVideos.video(dir.resolve("anim.png"), apng, 16, 16, 10, 4, null);
        List<Tensor> frames = readAll(file, 16, 16);
        assertEquals(4, frames.size());
        for (int f = 0; f < 4; f++) {
            assertTrue(meanError(frames.get(f), TestVideos.pattern(16, 16, f)) < 1.0 / 255, "APNG is lossless");
        }
    }
}
