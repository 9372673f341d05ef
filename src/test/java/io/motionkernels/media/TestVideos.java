package io.motionkernels.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.javacpp.PointerPointer;

/** Videos made by the tests themselves (through the library's own FFmpeg dependency), and a probe. */
public final class TestVideos {
    private TestVideos() {
    }

    /** A stereo 16-bit WAV of a 440 Hz tone, written with the JDK alone. */
    public static Path wav(Path file, double seconds, int rate) throws IOException {
        int n = (int) Math.round(seconds * rate);
        ByteBuffer pcm = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            short v = (short) Math.round(8000 * Math.sin(2 * Math.PI * 440 * i / rate));
            pcm.putShort(v).putShort(v);
        }
        AudioFormat format = new AudioFormat(rate, 16, 2, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, n)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    /** Frame {@code f} of a smooth pattern that moves: gradients survive yuv420p and lossy codecs well. */
    static int[] pattern(int w, int h, int f) {
        int[] rgb = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (int) (127.5 + 100 * Math.sin((x + 2.0 * f) / w * 2 * Math.PI));
                int g = (int) (127.5 + 100 * Math.cos((y + 1.0 * f) / h * 2 * Math.PI));
                int b = (int) (127.5 + 60 * Math.sin((x + y + 3.0 * f) / (w + h) * 2 * Math.PI));
                rgb[y * w + x] = r << 16 | g << 8 | b;
            }
        }
        return rgb;
    }

    /** Encodes {@code frames} frames of {@link #pattern} with the audio of {@code audio} (null: none). */
    static Path video(Path file, VideoEncoder.Spec spec, int w, int h, double fps, int frames, Path audio) {
        try (VideoEncoder e = new VideoEncoder(file, spec, w, h, fps, audio, null)) {
            for (int f = 0; f < frames; f++) {
                e.write(pattern(w, h, f));
            }
            e.finish();
        }
        return file;
    }

    /** An H.264 mp4 of {@link #pattern} frames, with the audio of {@code audio} (null: none). */
    public static Path mp4(Path file, int w, int h, double fps, int frames, Path audio) {
        return video(file, VideoEncoder.MP4, w, h, fps, frames, audio);
    }

    /**
     * A long H.264 mp4 made cheaply: a fixed gradient with a bright square moving across it (a
     * 1080p frame costs a few array copies, not millions of sines).
     */
    public static Path movingSquareMp4(Path file, int w, int h, double fps, int frames) {
        int[] base = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                base[y * w + x] = (x * 255 / w) << 16 | (y * 255 / h) << 8 | 64;
            }
        }
        int side = Math.max(2, h / 5);
        int[] frame = new int[w * h];
        try (VideoEncoder e = new VideoEncoder(file, VideoEncoder.MP4, w, h, fps, null, null)) {
            for (int f = 0; f < frames; f++) {
                System.arraycopy(base, 0, frame, 0, base.length);
                int x0 = (int) ((long) f * 7 % Math.max(1, w - side));
                int y0 = (h - side) / 2;
                for (int y = y0; y < y0 + side; y++) {
                    Arrays.fill(frame, y * w + x0, y * w + x0 + side, 0xf0f0f0);
                }
                e.write(frame);
            }
            e.finish();
        }
        return file;
    }

    /** What a file holds, as FFmpeg sees it. */
    public record Probe(String videoCodec, int width, int height, double fps, long videoPackets, String audioCodec,
            double audioSeconds) {
    }

    public static Probe probe(Path file) {
        AVFormatContext fmt = new AVFormatContext(null);
        if (avformat_open_input(fmt, file.toString(), null, null) < 0) {
            throw new AssertionError("FFmpeg cannot open " + file);
        }
        AVPacket p = av_packet_alloc();
        try {
            avformat_find_stream_info(fmt, (PointerPointer<?>) null);
            int video = -1;
            int audio = -1;
            for (int i = 0; i < fmt.nb_streams(); i++) {
                int type = fmt.streams(i).codecpar().codec_type();
                if (type == AVMEDIA_TYPE_VIDEO && video < 0) {
                    video = i;
                } else if (type == AVMEDIA_TYPE_AUDIO && audio < 0) {
                    audio = i;
                }
            }
            long packets = 0;
            long audioEnd = 0;
            while (av_read_frame(fmt, p) >= 0) {
                if (p.stream_index() == video) {
                    packets++;
                } else if (p.stream_index() == audio) {
                    audioEnd = Math.max(audioEnd, p.pts() + p.duration());
                }
                av_packet_unref(p);
            }
            AVStream v = fmt.streams(video);
            String audioCodec = audio < 0 ? null : avcodec_get_name(fmt.streams(audio).codecpar().codec_id()).getString();
            double audioSeconds = audio < 0 ? 0 : audioEnd * av_q2d(fmt.streams(audio).time_base());
            return new Probe(avcodec_get_name(v.codecpar().codec_id()).getString(), v.codecpar().width(),
                    v.codecpar().height(), av_q2d(v.avg_frame_rate()), packets, audioCodec, audioSeconds);
        } finally {
            av_packet_free(p);
            avformat_close_input(fmt);
        }
    }
}
