package io.motionkernels.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

/** FFmpeg's own console output and error texts; separate so {@link Ffmpeg} links without FFmpeg. */
final class FfmpegLog {
    private FfmpegLog() {
    }

    /** Silent: every failure reaches the user as one error line of ours, which names FFmpeg's reason. */
    static void quiet() {
        av_log_set_level(Integer.getInteger("motionkernels.ffmpeg.log", AV_LOG_QUIET));
    }

    static String error(int code) {
        byte[] buf = new byte[256];
        av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
