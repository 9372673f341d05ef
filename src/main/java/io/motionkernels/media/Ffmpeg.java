package io.motionkernels.media;

import java.nio.file.Path;

/**
 * Whether video can be read and written here. FFmpeg comes from the optional dependency
 * {@code org.bytedeco:ffmpeg} (Java classes) with its natives jar ({@code org.bytedeco:ffmpeg}
 * with a platform classifier such as {@code linux-x86_64}, about 25 MB): the runnable jar bundles
 * them, a library user who wants video adds them. Without them images and GIFs still work, and
 * video says what it needs.
 */
public final class Ffmpeg {
    private static volatile String unavailable;
    private static volatile boolean checked;

    private Ffmpeg() {
    }

    /** True when FFmpeg's classes and natives load on this machine. */
    public static boolean available() {
        return reason() == null;
    }

    /** Why FFmpeg cannot be used here, or null when it can. */
    public static synchronized String reason() {
        if (!checked) {
            try {
                Class.forName("org.bytedeco.ffmpeg.global.avformat", true, Ffmpeg.class.getClassLoader());
                Class.forName("org.bytedeco.ffmpeg.global.avcodec", true, Ffmpeg.class.getClassLoader());
                Class.forName("org.bytedeco.ffmpeg.global.swscale", true, Ffmpeg.class.getClassLoader());
                Class.forName("org.bytedeco.ffmpeg.global.swresample", true, Ffmpeg.class.getClassLoader());
                FfmpegLog.quiet();
                unavailable = null;
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                unavailable = "FFmpeg's Java classes are not on the class path (add org.bytedeco:ffmpeg)";
            } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
                unavailable = "FFmpeg's natives for this platform are not on the class path or do not load"
                        + " (add org.bytedeco:ffmpeg with the classifier of this platform, e.g. linux-x86_64: "
                        + e.getMessage() + ")";
            }
            checked = true;
        }
        return unavailable;
    }

    /** Throws a {@link MediaException} saying why {@code what} needs FFmpeg, when it is missing. */
    static void require(String what) {
        String why = reason();
        if (why != null) {
            throw new MediaException(what + " needs FFmpeg, which is not available: " + why + ". The runnable jar"
                    + " (target/motion-kernels.jar) includes it; images (PNG, JPEG) and GIFs work without it.");
        }
    }

    /** Opens a file that is not a PNG, JPEG or GIF (or an APNG, {@code why} says) with FFmpeg. */
    static FrameStream open(Path path, MediaReader.Options options, Framer framer, String why) {
        require("Reading " + path + (why == null ? " (not a PNG, JPEG or GIF image, so a video or another format)"
                : " (" + why + ")"));
        return FfmpegStream.open(path, options, framer);
    }
}
