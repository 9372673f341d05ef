package io.motionkernels.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_UNSPECIFIED;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGRA;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_get_media_type_string;
import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_get;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INT;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_DEFAULT;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import io.motionkernels.tensor.Tensor;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/** A video (any container and codec FFmpeg reads) decoded frame by frame, never held whole. */
final class FfmpegStream implements FrameStream {
    /**
     * Colour conversion with interpolated chroma and exact rounding: swscale's default fast path
     * costs about one level of 255 on every pixel (measured round trip: 2.82 against 1.82 for
     * H.264); bicubic scaling on top made reading 720p about twice as slow for nothing visible.
     */
    private static final int SWS_FLAGS = SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT;
    /** The same, shrinking by area averaging (as {@link ImageResize} does). */
    private static final int SWS_SHRINK_FLAGS = SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT;

    /** AVFrame.flags: the decoder knows this frame is damaged (a macro, so not in the bindings). */
    private static final int AV_FRAME_FLAG_CORRUPT = 1;
    private final Path path;
    private final MediaReader.Options options;
    private final Framer framer;
    private final AVFormatContext format;
    private final AVCodecContext decoder;
    private final int streamIndex;
    private final double fps;
    private final long declared;
    private final String description;
    /** Quarter turns clockwise that show the frames upright (phones store portrait video turned). */
    private final int quarterTurns;
    private int[] turned;
    private final AVPacket packet = av_packet_alloc();
    private final AVFrame frame = av_frame_alloc();
    private SwsContext sws;
    private BytePointer bgra;
    private int[] argb;
    private int bgraW;
    private int bgraH;
    private boolean flushed;
    private boolean done;
    private long decoded;
    private boolean closed;

    private FfmpegStream(Path path, MediaReader.Options options, Framer framer, AVFormatContext format,
            AVCodecContext decoder, int streamIndex, double fps, long declared, String description, int quarterTurns) {
        this.quarterTurns = quarterTurns;
        this.path = path;
        this.options = options;
        this.framer = framer;
        this.format = format;
        this.decoder = decoder;
        this.streamIndex = streamIndex;
        this.fps = fps;
        this.declared = declared;
        this.description = description;
    }

    static FfmpegStream open(Path path, MediaReader.Options options, Framer framer) {
        AVFormatContext format = new AVFormatContext(null);
        int r = avformat_open_input(format, path.toString(), null, null);
        if (r < 0) {
            throw new MediaException("Input " + path + " is not an image or a video that FFmpeg can read ("
                    + FfmpegLog.error(r) + "): give a video (mp4, mov, webm, mkv, ...), an animated GIF,"
                    + " a PNG or JPEG image, or a folder of PNG/JPEG frames.");
        }
        AVCodecContext decoder = null;
        try {
            r = avformat_find_stream_info(format, (PointerPointer<?>) null);
            String container = format.iformat().name().getString();
            if (r < 0) {
                throw new MediaException("Input " + path + " (" + container + ") cannot be read: FFmpeg finds no"
                        + " usable streams (" + FfmpegLog.error(r) + "); the file is damaged or incomplete.");
            }
            int index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, (PointerPointer<?>) null, 0);
            if (index < 0) {
                throw new MediaException("Input " + path + " is a " + container + " file without a video stream"
                        + " (its streams: " + streams(format) + "): give a video or an image.");
            }
            AVStream stream = format.streams(index);
            AVCodecParameters par = stream.codecpar();
            String codec = avcodec_get_name(par.codec_id()).getString();
            options.limits().checkPicture(path.toString(), "video frames", par.width(), par.height());
            AVCodec codecImpl = avcodec_find_decoder(par.codec_id());
            if (codecImpl == null || codecImpl.isNull()) {
                throw new MediaException("Input " + path + " is a " + container + " file with " + codec
                        + " video, which this FFmpeg build cannot decode: convert it to H.264 mp4 or VP9 webm.");
            }
            decoder = avcodec_alloc_context3(codecImpl);
            if (avcodec_parameters_to_context(decoder, par) < 0) {
                throw new MediaException("Input " + path + " (" + container + ", " + codec + "): its codec"
                        + " parameters are damaged.");
            }
            // Two decoding threads: the model has the other cores' worth of work beside it.
            decoder.thread_count(Math.min(2, Runtime.getRuntime().availableProcessors()));
            r = avcodec_open2(decoder, codecImpl, (AVDictionary) null);
            if (r < 0) {
                throw new MediaException("Input " + path + " (" + container + ", " + codec + " video): the"
                        + " decoder refuses it (" + FfmpegLog.error(r) + "); the file is damaged or unusual.");
            }
            double fps = rate(stream.avg_frame_rate());
            if (Double.isNaN(fps)) {
                fps = rate(stream.r_frame_rate());
            }
            long declared = stream.nb_frames() > 0 ? stream.nb_frames()
                    : format.duration() > 0 && !Double.isNaN(fps) ? Math.round(format.duration() / 1e6 * fps) : -1;
            int turns = quarterTurns(par);
            String description = container + " (" + codec + " " + par.width() + "x" + par.height()
                    + (Double.isNaN(fps) ? "" : String.format(Locale.ROOT, ", %.3g fps", fps))
                    + (turns == 0 ? "" : ", shown turned " + turns * 90 + " degrees") + ")";
            return new FfmpegStream(path, options, framer, format, decoder, index, fps, declared, description, turns);
        } catch (RuntimeException e) {
            if (decoder != null) {
                avcodec_free_context(decoder);
            }
            avformat_close_input(format);
            throw e;
        }
    }

    /**
     * The display matrix's rotation as quarter turns clockwise (0 to 3), as players apply it;
     * rotations that are not a multiple of 90 degrees are rounded to the nearest.
     */
    private static int quarterTurns(AVCodecParameters par) {
        AVPacketSideData sd = av_packet_side_data_get(par.coded_side_data(), par.nb_coded_side_data(),
                AV_PKT_DATA_DISPLAYMATRIX);
        if (sd == null || sd.isNull() || sd.size() < 36) {
            return 0;
        }
        double counterClockwise = av_display_rotation_get(new IntPointer(sd.data()));
        if (Double.isNaN(counterClockwise)) {
            return 0;
        }
        return (int) Math.floorMod(Math.round(-counterClockwise / 90.0), 4);
    }

    private static double rate(AVRational q) {
        return q.num() > 0 && q.den() > 0 ? av_q2d(q) : Double.NaN;
    }

    private static String streams(AVFormatContext format) {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < format.nb_streams(); i++) {
            AVCodecParameters p = format.streams(i).codecpar();
            BytePointer type = av_get_media_type_string(p.codec_type());
            s.add((type == null || type.isNull() ? "unknown" : type.getString()) + " "
                    + avcodec_get_name(p.codec_id()).getString());
        }
        return s.isEmpty() ? "none" : String.join(", ", s);
    }

    @Override
    public Tensor next() {
        if (done || decoded >= options.maxFrames()) {
            return null;
        }
        while (true) {
            int r = avcodec_receive_frame(decoder, frame);
            if (r == 0) {
                if ((frame.flags() & AV_FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0) {
                    throw new MediaException("Frame " + (decoded + 1) + " of " + path + " (" + description + ") is"
                            + " damaged: the decoder had to conceal errors; re-export or download the video again.");
                }
                decoded++;
                return convert();
            }
            if (r == AVERROR_EOF()) {
                done = true;
                if (declared > 0 && decoded < declared && options.maxFrames() > decoded && options.notes() != null
                        && decoded < declared * 0.9) {
                    options.notes().accept(path + " declares " + declared + " frames but only " + decoded
                            + " could be decoded: the file may be cut short");
                }
                return null;
            }
            if (r != org.bytedeco.ffmpeg.presets.avutil.AVERROR_EAGAIN()) {
                throw damaged(r);
            }
            if (flushed) {
                done = true;
                return null;
            }
            r = av_read_frame(format, packet);
            if (r < 0) {
                if (r != AVERROR_EOF()) {
                    throw damaged(r);
                }
                avcodec_send_packet(decoder, null);
                flushed = true;
                continue;
            }
            try {
                if (packet.stream_index() == streamIndex) {
                    r = avcodec_send_packet(decoder, packet);
                    if (r < 0 && r != org.bytedeco.ffmpeg.presets.avutil.AVERROR_EAGAIN()) {
                        throw damaged(r);
                    }
                }
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    private MediaException damaged(int r) {
        if (decoded == 0) {
            return new MediaException("Input " + path + " is not a PNG, JPEG or GIF image, and FFmpeg, reading it as "
                    + description + ", cannot decode it (" + FfmpegLog.error(r) + "): it is damaged or not an image"
                    + " or a video; give a video (mp4, mov, webm, mkv, ...), an animated GIF, a PNG or JPEG image,"
                    + " or a folder of PNG/JPEG frames.");
        }
        return new MediaException("Cannot decode " + path + " (" + description + ") after " + decoded + " frames: "
                + FfmpegLog.error(r) + "; the file is damaged or truncated.");
    }

    /**
     * Converts the decoded frame to ARGB and hands it to the framer. A frame much larger than the
     * model's is shrunk by swscale (area averaging) on the way, to twice the model's size on its
     * short side: converting 1080p at full size took most of the reading time, and the framer's own
     * area resize from twice the size gives the same frame to within rounding.
     */
    private Tensor convert() {
        int w = frame.width();
        int h = frame.height();
        options.limits().checkPicture(path.toString(), "a video frame", w, h);
        double k = Math.min(1.0, 2.0 * Math.max(options.height(), options.width()) / Math.min(w, h));
        int cw = k < 1 ? Math.max(1, (int) Math.round(w * k)) : w;
        int ch = k < 1 ? Math.max(1, (int) Math.round(h * k)) : h;
        if (cw != bgraW || ch != bgraH) {
            if (bgra != null) {
                bgra.close();
            }
            bgra = new BytePointer((long) cw * ch * 4);
            argb = new int[cw * ch];
            bgraW = cw;
            bgraH = ch;
        }
        sws = sws_getCachedContext(sws, w, h, frame.format(), cw, ch, AV_PIX_FMT_BGRA,
                k < 1 ? SWS_SHRINK_FLAGS : SWS_FLAGS, null, null, (DoublePointer) null);
        if (sws == null || sws.isNull()) {
            throw new MediaException("Cannot convert the frames of " + path + " (" + description + ") to RGB: their"
                    + " pixel format is not supported.");
        }
        int cs = frame.colorspace() == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : frame.colorspace();
        IntPointer coefficients = sws_getCoefficients(cs);
        sws_setColorspaceDetails(sws, coefficients, frame.color_range() == AVCOL_RANGE_JPEG ? 1 : 0,
                sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
        try (PointerPointer<BytePointer> dst = new PointerPointer<>(4);
             IntPointer lines = new IntPointer(4)) {
            dst.put(0, bgra);
            lines.put(0, cw * 4);
            sws_scale(sws, frame.data(), frame.linesize(), 0, h, dst, lines);
        }
        // BGRA bytes read as little-endian ints are 0xAARRGGBB.
        bgra.position(0).limit((long) cw * ch * 4);
        bgra.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(argb);
        if (quarterTurns == 0) {
            return framer.frame(argb, cw, 0, 0, cw, ch, w, h);
        }
        if (turned == null || turned.length != argb.length) {
            turned = new int[argb.length];
        }
        Orientation.turn(argb, cw, ch, quarterTurns, turned);
        boolean half = quarterTurns == 2;
        return framer.frame(turned, half ? cw : ch, 0, 0, half ? cw : ch, half ? ch : cw, half ? w : h, half ? h : w);
    }

    @Override
    public double fps() {
        return fps;
    }

    @Override
    public long declaredFrames() {
        return declared;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        av_frame_free(frame);
        av_packet_free(packet);
        avcodec_free_context(decoder);
        avformat_close_input(format);
        if (sws != null) {
            sws_freeContext(sws);
        }
        if (bgra != null) {
            bgra.close();
        }
    }
}
